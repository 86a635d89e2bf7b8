"""Who is told of each step of a task's life, and what the notice says.

Every step that hands the task to someone else notifies them, in the app and by email as
each person chose (at once, in the morning digest, or not): an issued task its unit's head
and the accountable person; an acceptance the issuer and the carrier; an extension request
whoever decides it; a decision the asker and the accountable person; a submitted result
its reviewer; a return or a completion the head, the accountable person and the carrier;
a withdrawal everyone on the task; a comment the task's participants. The person who acted
is never told of their own step. Notices are queued in the step's own transaction, so a
refused step tells nobody.

The texts are Vietnamese, stored as written (like the sweep's): they reach email too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from flask import current_app

from tracker.notify.services import Message, queue
from tracker.org.models import User
from tracker.tasks.models import Task

# The stable codes of the workflow's notices (Notification.kind, the API's ``kind``).
ISSUED = "task.issued"
ACCEPTED = "task.accepted"
EXTENSION_REQUESTED = "extension.requested"
EXTENSION_DECIDED = "extension.decided"
SUBMITTED = "task.submitted"
RETURNED = "task.returned"
COMPLETED = "task.completed"
WITHDRAWN = "task.withdrawn"
COMMENT_ADDED = "comment.added"
# The sweep's notices (tracker/reminders/messages.py), under the same kind of code.
REMINDER, WARNING, URGING, ESCALATION = "reminder", "warning", "urging", "escalation"

# What each kind is called on a page (the inbox, the API's documentation).
KIND_TAGS = {
    ISSUED: "Giao nhiệm vụ",
    ACCEPTED: "Đã tiếp nhận",
    EXTENSION_REQUESTED: "Đề nghị gia hạn",
    EXTENSION_DECIDED: "Quyết định gia hạn",
    SUBMITTED: "Báo cáo kết quả",
    RETURNED: "Trả lại kết quả",
    COMPLETED: "Hoàn thành",
    WITHDRAWN: "Thu hồi nhiệm vụ",
    COMMENT_ADDED: "Ý kiến trao đổi",
    REMINDER: "Nhắc hạn",
    WARNING: "Cảnh báo quá hạn",
    URGING: "Đôn đốc",
    ESCALATION: "Chuyển Sở Nội vụ xem xét",
}


def day_text(value: date | datetime | None) -> str:
    """A date as the notices write it: dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else "—"


def task_link(task: Task) -> str:
    """The task's address on the configured site (TRACKER_BASE_URL)."""
    return f"{current_app.config['BASE_URL']}/tasks/{task.id}"


def task_facts(task: Task) -> list[str]:
    """The lines every message about a task carries: what, from where, who, how far."""
    document = f"{task.document.kind} {task.document.number}" if task.document else "—"
    last = day_text(task.last_progress_at) if task.last_progress_at else "chưa có"
    return [
        f"Nhiệm vụ: {task.title}",
        f"Căn cứ: {document}",
        f"Đơn vị chủ trì: {task.lead_unit.name if task.lead_unit else '—'}",
        f"Người chịu trách nhiệm chính: "
        f"{task.accountable_user.full_name if task.accountable_user else '—'}",
        f"Hạn hoàn thành: {day_text(task.due_date)}",
        f"Tiến độ đã báo cáo: {task.progress_percent}% (báo cáo gần nhất: {last})",
    ]


def _ids(*people: User | int | None) -> list[int]:
    ids = []
    for person in people:
        person_id = person if isinstance(person, int) or person is None else person.id
        if person_id is not None and person_id not in ids:
            ids.append(person_id)
    return ids


def head_of_lead_unit(task: Task) -> int | None:
    """The head of the unit that leads the task, if it has one."""
    return task.lead_unit.head_id if task.lead_unit else None


def issuer(task: Task) -> int | None:
    """Who gave the task out, and so reviews its result: the office's officer who issued
    it, or for a sub-task the head of the unit above."""
    return task.issued_by_id or task.created_by_id


def participants(task: Task) -> list[int]:
    """Everyone on the task: its issuer, the lead unit's head, the accountable person, the
    carrier, the supervising leader and the heads of the coordinating units."""
    coordinating = [c.unit.head_id for c in task.coordinations if c.unit is not None]
    return _ids(
        issuer(task),
        head_of_lead_unit(task),
        task.accountable_user_id,
        task.assignee_user_id,
        task.supervisor_id,
        *coordinating,
    )


def _send(
    kind: str,
    task: Task,
    recipients: Iterable[int | None],
    *,
    actor: User,
    now: datetime,
    event: int | str,
    opening: str,
    lines: Iterable[str] = (),
) -> None:
    """Queue one notice of a step for its recipients, the actor left out."""
    users = [user_id for user_id in _ids(*recipients) if user_id != actor.id]
    if not users:
        return
    link = task_link(task)
    body = "\n".join([opening, *lines, "", *task_facts(task), "", f"Xem: {link}"])
    subject = f"[{KIND_TAGS[kind]}] {task.title}"[:300]
    message = Message(subject=subject, body=body, link=link, task_id=task.id, kind=kind)
    queue(f"{kind}:{task.id}:{event}", users, message, now=now)


def _by(actor: User) -> str:
    return f"{actor.full_name} ({actor.unit.name})" if actor.unit else actor.full_name


def task_issued(task: Task, *, actor: User, now: datetime) -> None:
    """Tell the lead unit's head and the accountable person a task has come to them."""
    _send(
        ISSUED,
        task,
        [head_of_lead_unit(task), task.accountable_user_id],
        actor=actor,
        now=now,
        event=task.version,
        opening=f"{_by(actor)} đã giao nhiệm vụ dưới đây cho {task.lead_unit.name}.",
        lines=["Đề nghị đơn vị tiếp nhận và phân công người thực hiện."],
    )


def task_accepted(task: Task, *, actor: User, now: datetime) -> None:
    """Tell the issuer the unit took the task on, and the carrier they carry it."""
    carrier = task.assignee_user.full_name if task.assignee_user else "thủ trưởng đơn vị"
    _send(
        ACCEPTED,
        task,
        [issuer(task), task.assignee_user_id],
        actor=actor,
        now=now,
        event=task.version,
        opening=f"{_by(actor)} đã tiếp nhận nhiệm vụ; người thực hiện: {carrier}.",
    )


def extension_requested(
    task: Task, request, *, deciders: list[int], actor: User, now: datetime
) -> None:
    """Tell whoever decides that the unit asks for more time."""
    _send(
        EXTENSION_REQUESTED,
        task,
        deciders,
        actor=actor,
        now=now,
        event=request.id,
        opening=(
            f"{_by(actor)} đề nghị gia hạn từ {day_text(request.current_due_date)} "
            f"đến {day_text(request.new_due_date)}."
        ),
        lines=[f"Lý do: {request.reason}", "Đề nghị xem xét và quyết định."],
    )


def extension_decided(task: Task, request, *, actor: User, now: datetime) -> None:
    """Tell the asker and the accountable person what was decided."""
    if request.status == "approved":
        outcome = f"Đồng ý gia hạn; hạn hoàn thành mới: {day_text(task.due_date)}."
    else:
        outcome = f"Không đồng ý gia hạn; hạn vẫn là {day_text(task.due_date)}."
    note = [f"Ý kiến: {request.decision_note}"] if request.decision_note else []
    _send(
        EXTENSION_DECIDED,
        task,
        [request.requested_by_id, task.accountable_user_id],
        actor=actor,
        now=now,
        event=request.id,
        opening=f"{_by(actor)} đã quyết định đề nghị gia hạn. {outcome}",
        lines=note,
    )


def result_submitted(task: Task, *, actor: User, now: datetime, review_id: int) -> None:
    """Tell the reviewer a result waits for them."""
    _send(
        SUBMITTED,
        task,
        [issuer(task)],
        actor=actor,
        now=now,
        event=review_id,
        opening=f"{_by(actor)} đã báo cáo kết quả thực hiện nhiệm vụ.",
        lines=[f"Kết quả: {task.result_summary}", "Đề nghị đánh giá kết quả."],
    )


def result_reviewed(
    task: Task, *, actor: User, now: datetime, accepted: bool, note: str, review_id: int
):
    """Tell the head, the accountable person and the carrier whether the result passed."""
    kind = COMPLETED if accepted else RETURNED
    opening = (
        f"{_by(actor)} đã công nhận kết quả: nhiệm vụ hoàn thành."
        if accepted
        else f"{_by(actor)} đã trả lại kết quả để làm tiếp."
    )
    _send(
        kind,
        task,
        [head_of_lead_unit(task), task.accountable_user_id, task.assignee_user_id],
        actor=actor,
        now=now,
        event=review_id,
        opening=opening,
        lines=[f"Ý kiến: {note}"] if note else [],
    )


def task_withdrawn(task: Task, *, actor: User, now: datetime, reason: str) -> None:
    """Tell everyone on the task it was withdrawn, and why."""
    _send(
        WITHDRAWN,
        task,
        participants(task),
        actor=actor,
        now=now,
        event=task.version,
        opening=f"{_by(actor)} đã thu hồi nhiệm vụ.",
        lines=[f"Lý do: {reason}"],
    )


def comment_added(task: Task, comment, *, actor: User, now: datetime) -> None:
    """Tell the task's participants of a new comment, its author left out."""
    _send(
        COMMENT_ADDED,
        task,
        participants(task),
        actor=actor,
        now=now,
        event=comment.id,
        opening=f"{_by(actor)} có ý kiến về nhiệm vụ:",
        lines=[comment.body],
    )
