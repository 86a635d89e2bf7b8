"""A task's timeline: everything that happened to it, read from the audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.org.models import User
from tracker.tasks.models import Task

ACTION_LABELS = {
    "task.created": _l("Soạn dự thảo"),
    "task.updated": _l("Sửa nội dung"),
    "task.issued": _l("Giao nhiệm vụ"),
    "task.accepted": _l("Tiếp nhận nhiệm vụ"),
    "task.assigned": _l("Phân công người thực hiện"),
    "task.started": _l("Bắt đầu thực hiện"),
    "task.progress": _l("Báo cáo tiến độ"),
    "task.extension_requested": _l("Đề nghị gia hạn"),
    "task.extension_decided": _l("Quyết định gia hạn"),
    "task.submitted": _l("Báo cáo kết quả"),
    "task.completed": _l("Công nhận hoàn thành"),
    "task.returned": _l("Trả lại kết quả"),
    "task.withdrawn": _l("Thu hồi nhiệm vụ"),
    "task.milestone_completed": _l("Hoàn thành mốc tiến độ"),
    "task.commented": _l("Ý kiến trao đổi"),
    # Written by the reminder sweep, which records on the task's own trail.
    "task.reminder": _l("Nhắc hạn"),
    "task.warning": _l("Cảnh báo quá hạn"),
    "task.urging": _l("Đôn đốc lãnh đạo phụ trách"),
    "task.escalated": _l("Chuyển Sở Nội vụ xem xét trách nhiệm"),
    "task.escalation_concluded": _l("Kết luận xem xét trách nhiệm"),
    "task.escalation_decided": _l("Quyết định xử lý của cấp có thẩm quyền"),
    "task.subtask_created": _l("Giao nhiệm vụ con"),
    "task.subtask_overdue": _l("Nhiệm vụ con quá hạn"),
}


@dataclass
class TimelineEntry:
    at: datetime
    action: str
    label: str
    actor: str
    details: list[tuple[str, str]]


def _day(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%d/%m/%Y") if value else "—"


def _details(action: str, before: dict, after: dict) -> list[tuple[str, str]]:
    """Return the facts worth showing for one event, as (label, value) pairs."""
    shown: list[tuple[str, str]] = []
    if action == "task.issued":
        shown.append((str(_l("Hạn hoàn thành")), _day(after.get("due_date"))))
    elif action == "task.progress":
        shown.append((str(_l("Tỷ lệ hoàn thành")), f"{after.get('percent')}%"))
        if after.get("evidence"):
            shown.append((str(_l("Minh chứng")), ", ".join(after["evidence"])))
    elif action == "task.extension_requested":
        shown += [
            (str(_l("Hạn hiện tại")), _day(after.get("current_due_date"))),
            (str(_l("Hạn đề nghị")), _day(after.get("new_due_date"))),
            (str(_l("Lý do")), after.get("reason", "")),
        ]
    elif action == "task.extension_decided":
        verdict = _l("Đồng ý") if after.get("approved") else _l("Không đồng ý")
        shown.append((str(_l("Quyết định")), str(verdict)))
        if after.get("approved"):
            shown.append(
                (
                    str(_l("Hạn cũ → hạn mới")),
                    f"{_day(before.get('due_date'))} → {_day(after.get('due_date'))}",
                )
            )
    elif action in ("task.reminder", "task.warning", "task.urging", "task.escalated"):
        if after.get("milestone"):
            shown.append((str(_l("Mốc")), after["milestone"]))
        shown.append((str(_l("Về hạn")), _day(after.get("deadline"))))
        if after.get("overdue_days"):
            shown.append((str(_l("Số ngày làm việc quá hạn")), str(after["overdue_days"])))
        if after.get("late"):
            shown.append((str(_l("Ghi chú")), str(_l("gửi muộn do hệ thống tạm ngừng"))))
    elif action in ("task.subtask_created", "task.subtask_overdue"):
        subtask = f"#{after.get('subtask_id')} {after.get('title', '')}"
        shown.append((str(_l("Nhiệm vụ con")), subtask))
        shown.append((str(_l("Hạn")), _day(after.get("due_date") or after.get("deadline"))))
        if after.get("overdue_days"):
            shown.append((str(_l("Số ngày làm việc quá hạn")), str(after["overdue_days"])))
    elif action == "task.updated":
        shown.append((str(_l("Nội dung thay đổi")), ", ".join(sorted(after))))
    elif action == "task.commented":
        shown.append((str(_l("Nội dung")), after.get("body", "")))
    if after.get("files"):
        shown.append((str(_l("Tệp đính kèm")), ", ".join(after["files"])))
    for key, label in (("result", _l("Kết quả")), ("note", _l("Ý kiến")), ("reason", _l("Lý do"))):
        if after.get(key) and action != "task.extension_requested":
            shown.append((str(label), str(after[key])))
    return shown


def task_timeline(task: Task) -> list[TimelineEntry]:
    """Return the task's events, oldest first, with the actors' names (two queries)."""
    events = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.object_type == "Task", AuditEvent.object_id == task.id)
            .order_by(AuditEvent.seq)
        )
    )
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    names = (
        dict(
            db.session.execute(
                sa.select(User.id, User.full_name).where(User.id.in_(actor_ids))
            ).all()
        )
        if actor_ids
        else {}
    )
    entries = []
    for event in events:
        before = json.loads(event.before) if event.before else {}
        after = json.loads(event.after) if event.after else {}
        entries.append(
            TimelineEntry(
                at=event.occurred_at,
                action=event.action,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                actor=names.get(event.actor_id, event.actor_name),
                details=_details(event.action, before, after),
            )
        )
    return entries
