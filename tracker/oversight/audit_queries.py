"""Reading the audit trail: search, the history of a task, a user or a unit, in words —
the names of the people, units and objects the events mention, a label for every action
and every field (tracker.oversight.audit_details) — with each event's raw record kept for
whoever asks; and a check of the chain on demand.

Every page of events costs a fixed number of queries, whatever it shows: the events, their
count, then the names of every id they mention — actors, objects and the ids in their
values, each kind collected — in one statement. The chain itself is checked and its checks
kept by tracker.audit.checks.
"""

from __future__ import annotations

import json
import logging
from collections import ChainMap, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.audit.checks import verify_and_record
from tracker.audit.models import AuditEvent, ChainCheck
from tracker.audit.services import SYSTEM_ACTOR
from tracker.clock import local_midnight
from tracker.errors import NotFound, PermissionDenied
from tracker.extensions import db
from tracker.inspections.models import ACTION_LABELS as INSPECTION_ACTION_LABELS
from tracker.org.models import AUDIT_READER_ROLES, Unit, User
from tracker.oversight.audit_details import Detail, Names, details, find_names, wanted_in
from tracker.tasks.models import Task
from tracker.tasks.timeline import ACTION_LABELS as TASK_ACTION_LABELS

logger = logging.getLogger(__name__)

PER_PAGE = 50

# Actions recorded outside the task's life (the task's own labels come from its timeline).
OTHER_ACTION_LABELS = {
    "document.registered": _l("Đăng ký văn bản chỉ đạo"),
    "document.files_attached": _l("Đính kèm tệp vào văn bản chỉ đạo"),
    "unit.created": _l("Tạo đơn vị"),
    "unit.updated": _l("Sửa thông tin đơn vị"),
    "unit.head_changed": _l("Thay đổi thủ trưởng đơn vị"),
    "unit.deactivated": _l("Ngừng hoạt động đơn vị"),
    "unit.reactivated": _l("Hoạt động lại đơn vị"),
    "user.created": _l("Tạo người dùng"),
    "user.updated": _l("Sửa thông tin người dùng"),
    "user.deactivated": _l("Khoá tài khoản"),
    "user.reactivated": _l("Mở khoá tài khoản"),
    "user.password_changed": _l("Đổi mật khẩu"),
    "user.password_reset": _l("Đặt lại mật khẩu"),
    "user.sessions_ended": _l("Đăng xuất các phiên ở nơi khác"),
    "user.email_mode_changed": _l("Đổi cách nhận thông báo"),
    "field.created": _l("Tạo lĩnh vực"),
    "field.updated": _l("Sửa lĩnh vực"),
    "calendar.override_set": _l("Điều chỉnh lịch làm việc"),
    "calendar.override_removed": _l("Bỏ điều chỉnh lịch làm việc"),
    "reminder_rule.saved": _l("Lưu quy tắc nhắc hạn"),
    "escalation_settings.saved": _l("Lưu ngưỡng chuyển xem xét trách nhiệm"),
    "token.created": _l("Tạo mã truy cập"),
    "token.revoked": _l("Thu hồi mã truy cập"),
    "task_group.issued": _l("Giao nhiệm vụ cho nhiều đơn vị"),
    "task_series.created": _l("Tạo nhiệm vụ định kỳ"),
    "task_series.paused": _l("Tạm dừng nhiệm vụ định kỳ"),
    "task_series.resumed": _l("Tiếp tục nhiệm vụ định kỳ"),
    "task_series.ended": _l("Kết thúc nhiệm vụ định kỳ"),
    "task_series.occurrence": _l("Tự động giao nhiệm vụ định kỳ của kỳ mới"),
    "process_template.saved": _l("Lưu quy trình mẫu"),
    "webhook.created": _l("Đăng ký hệ thống nhận"),
    "webhook.activated": _l("Bật gửi cho hệ thống nhận"),
    "webhook.deactivated": _l("Tạm dừng gửi cho hệ thống nhận"),
    "webhook.redelivery": _l("Gửi lại cho hệ thống nhận"),
}

ACTION_LABELS = ChainMap(TASK_ACTION_LABELS, INSPECTION_ACTION_LABELS, OTHER_ACTION_LABELS)

# Searching by a prefix finds every action on one kind of object.
ACTION_GROUPS = {
    "task.": _l("Nhiệm vụ: mọi thao tác"),
    "inspection.": _l("Kiểm tra: mọi thao tác"),
    "user.": _l("Người dùng: mọi thao tác"),
    "unit.": _l("Đơn vị: mọi thao tác"),
}

OBJECT_LABELS = {
    "Task": _l("Nhiệm vụ"),
    "User": _l("Người dùng"),
    "Unit": _l("Đơn vị"),
    "Field": _l("Lĩnh vực"),
    "SourceDocument": _l("Văn bản chỉ đạo"),
    "Inspection": _l("Đợt kiểm tra"),
    "Finding": _l("Kết luận kiểm tra"),
    "CalendarOverride": _l("Lịch làm việc"),
    "ReminderRule": _l("Quy tắc nhắc hạn"),
    "EscalationSettings": _l("Ngưỡng xem xét trách nhiệm"),
    "TaskGroup": _l("Nhiệm vụ giao nhiều đơn vị"),
    "TaskSeries": _l("Nhiệm vụ định kỳ"),
    "ProcessTemplate": _l("Quy trình mẫu"),
    "Webhook": _l("Hệ thống nhận"),
}

# Who did what the system did by itself: the sweep, the series, the first setup.
SYSTEM_NAME = _l("Hệ thống (tự động)")


def action_label(action: str) -> str:
    """Return the Vietnamese (or English) label of an action, or the action itself."""
    return str(ACTION_LABELS.get(action, action))


def may_read_audit(user: User) -> bool:
    """Tell whether the user reads the audit trail (admins and inspectors)."""
    return user.is_active and user.has_role(*AUDIT_READER_ROLES)


def require_audit_reader(user: User) -> None:
    """Raise PermissionDenied unless the user may read the audit trail."""
    if not may_read_audit(user):
        raise PermissionDenied(
            _("Chỉ quản trị hệ thống và Sở Nội vụ (thanh tra) được xem nhật ký.")
        )


def task_for_audit(task_id: int) -> Task:
    """Load any task for the audit trail's readers (who read every task's history, the
    admin included, though the admin sees no task's page), or raise NotFound."""
    task = db.session.get(Task, task_id)
    if task is None:
        raise NotFound(_("Không tìm thấy nhiệm vụ."))
    return task


# ---------------------------------------------------------------- events as rows


@dataclass
class EventRow:
    id: int
    seq: int
    at: datetime
    action: str
    label: str
    actor_id: int | None
    actor: str
    object_type: str
    object_id: int
    object_kind: str
    object_name: str
    details: list[Detail]  # every field of the event in words
    raw: str  # the stored record, for whoever asks to see it


@dataclass
class EventPage:
    rows: list[EventRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _values(stored: str | None) -> dict:
    """Return the stored before or after values as a dictionary ({} when none)."""
    if not stored:
        return {}
    try:
        value = json.loads(stored)
    except ValueError:
        return {"value": stored}
    return value if isinstance(value, dict) else {"value": value}


def raw_record(event: AuditEvent) -> str:
    """Return the event as stored, indented for reading, Vietnamese letters as they are."""
    record = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": json.loads(event.before) if event.before else None,
        "after": json.loads(event.after) if event.after else None,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
    return json.dumps(record, indent=2, ensure_ascii=False)


def _names(events: list[tuple[AuditEvent, dict, dict]]) -> Names:
    """Return the names of everyone and everything the events mention, in one statement."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event, before, after in events:
        if event.actor_id is not None:
            wanted["User"].add(event.actor_id)
        wanted[event.object_type].add(event.object_id)
        for kind, ident in wanted_in(event.action, event.object_type, before, after):
            wanted[kind].add(ident)
    return find_names(wanted)


def actor_name(actor_id: int | None, stored_name: str, names: Names) -> str:
    """Return who did it: the person's name, or the system's for what it did by itself."""
    if actor_id is None and stored_name == SYSTEM_ACTOR:
        return str(SYSTEM_NAME)
    return names.name("User", actor_id, stored_name) if actor_id is not None else stored_name


def _rows(events: list[AuditEvent]) -> list[EventRow]:
    parsed = [(e, _values(e.before), _values(e.after)) for e in events]
    names = _names(parsed)
    return [
        EventRow(
            id=e.id,
            seq=e.seq,
            at=e.occurred_at,
            action=e.action,
            label=action_label(e.action),
            actor_id=e.actor_id,
            actor=actor_name(e.actor_id, e.actor_name, names),
            object_type=e.object_type,
            object_id=e.object_id,
            object_kind=str(OBJECT_LABELS.get(e.object_type, e.object_type)),
            object_name=names.title(e.object_type, e.object_id),
            details=details(e.action, e.object_type, before, after, names),
            raw=raw_record(e),
        )
        for e, before, after in parsed
    ]


def _page(condition: sa.ColumnElement[bool], order, page: int, per_page: int) -> EventPage:
    page = max(page, 1)
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(condition)) or 0
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(condition)
        .order_by(order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return EventPage(_rows(list(events)), total, page, per_page)


# ---------------------------------------------------------------- search and histories


@dataclass
class AuditFilters:
    """What the audit trail can be searched by; ``None`` means any."""

    object_type: str | None = None
    object_id: int | None = None
    actor_id: int | None = None
    system_actor: bool = False  # events of the system itself (the sweep, the seed)
    action: str | None = None  # an action, or a prefix ending in "." for a whole kind
    date_from: date | None = None  # local dates, Asia/Ho_Chi_Minh
    date_to: date | None = None


def _condition(filters: AuditFilters) -> sa.ColumnElement[bool]:
    clauses: list[sa.ColumnElement[bool]] = []
    if filters.object_type:
        clauses.append(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        clauses.append(AuditEvent.object_id == filters.object_id)
    if filters.actor_id is not None:
        clauses.append(AuditEvent.actor_id == filters.actor_id)
    elif filters.system_actor:
        clauses.append(AuditEvent.actor_id.is_(None))
    if filters.action:
        if filters.action.endswith("."):
            clauses.append(AuditEvent.action.startswith(filters.action, autoescape=True))
        else:
            clauses.append(AuditEvent.action == filters.action)
    if filters.date_from:
        clauses.append(AuditEvent.occurred_at >= local_midnight(filters.date_from))
    if filters.date_to:
        clauses.append(AuditEvent.occurred_at < local_midnight(filters.date_to + timedelta(days=1)))
    return sa.and_(sa.true(), *clauses)


def search_events(filters: AuditFilters, *, page: int = 1, per_page: int = PER_PAGE) -> EventPage:
    """Return one page of the events matching the filters, newest first."""
    return _page(_condition(filters), AuditEvent.seq.desc(), page, per_page)


def object_history(
    object_type: str, object_id: int, *, page: int = 1, per_page: int = PER_PAGE
) -> EventPage:
    """Return one page of what happened to an object, oldest first."""
    condition = sa.and_(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
    return _page(condition, AuditEvent.seq.asc(), page, per_page)


def actor_history(user_id: int, *, page: int = 1, per_page: int = PER_PAGE) -> EventPage:
    """Return one page of what a person did, oldest first."""
    return _page(AuditEvent.actor_id == user_id, AuditEvent.seq.asc(), page, per_page)


def user_id_by_username(username: str) -> int | None:
    """Return the id of the user with this username (any letter case), or None."""
    return db.session.scalar(
        sa.select(User.id).where(sa.func.lower(User.username) == username.strip().lower())
    )


def unit_id_by_code(code: str) -> int | None:
    """Return the id of the unit with this code (any letter case), or None."""
    return db.session.scalar(
        sa.select(Unit.id).where(sa.func.lower(Unit.code) == code.strip().lower())
    )


def is_system_actor(name: str) -> bool:
    """Tell whether a name typed as actor means the system itself."""
    return name.strip().lower() in {SYSTEM_ACTOR, "hệ thống", "he thong"}


# ---------------------------------------------------------------- the chain


def check_chain(*, actor: User, now: datetime) -> ChainCheck:
    """Verify the whole chain for an audit reader and keep the result for the audit page."""
    require_audit_reader(actor)
    return verify_and_record(by=actor.username, now=now)
