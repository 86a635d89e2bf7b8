"""What the sweep's notices say, and to whom: Vietnamese messages into the outbox."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from tracker.audit.services import record
from tracker.calendar.services import load_calendar
from tracker.clock import local_date
from tracker.extensions import db
from tracker.notify.services import Message, queue_many
from tracker.org.models import Role, User, UserRole
from tracker.reminders.models import Escalation, NoticeKind, Recipient, Reminder
from tracker.tasks.models import Task
from tracker.tasks.notices import ESCALATION, day_text, task_facts, task_link

ESCALATION_RECIPIENTS = [
    Recipient.INSPECTORS,
    Recipient.SUPERVISOR,
    Recipient.ACCOUNTABLE,
    Recipient.UNIT_HEAD,
]

_TAGS = {
    NoticeKind.REMINDER: "Nhắc hạn",
    NoticeKind.WARNING: "Cảnh báo quá hạn",
    NoticeKind.URGING: "Đôn đốc",
}


def _missing(task: Task) -> str:
    """Say what the unit still owes, in the words of the ladder."""
    if task.state == "issued":
        return "Còn thiếu: đơn vị chủ trì chưa tiếp nhận nhiệm vụ; chưa có báo cáo kết quả."
    if task.last_progress_at is None:
        return "Còn thiếu: chưa có báo cáo tiến độ nào; chưa có báo cáo kết quả."
    return "Còn thiếu: báo cáo kết quả thực hiện nhiệm vụ."


def reminder_message(reminder: Reminder, days_left: int = 0) -> Message:
    """Compose the Vietnamese message of one reminder, warning or urging."""
    task = reminder.task
    about = (
        f"mốc “{reminder.milestone.title}” (hạn {day_text(reminder.deadline)}) của "
        if reminder.milestone
        else ""
    )
    if reminder.kind == NoticeKind.REMINDER:
        when = "đến hạn hôm nay" if days_left <= 0 else f"còn {days_left} ngày làm việc đến hạn"
        opening = f"Đồng chí được nhắc: {about}nhiệm vụ dưới đây {when}."
    elif reminder.kind == NoticeKind.WARNING:
        opening = (
            f"Cảnh báo: {about}nhiệm vụ dưới đây đã quá hạn {reminder.overdue_days} ngày làm việc."
        )
    else:
        opening = (
            f"Đề nghị đồng chí đôn đốc: nhiệm vụ dưới đây đã quá hạn "
            f"{reminder.overdue_days} ngày làm việc (lần đôn đốc thứ "
            f"{reminder.occurrence})."
        )
    late = (
        [
            "(Thông báo gửi muộn do hệ thống tạm ngừng vào ngày cần gửi "
            f"{day_text(reminder.scheduled_on)}.)"
        ]
        if reminder.late
        else []
    )
    subject = f"[{_TAGS[reminder.kind]}] {task.title} — hạn {day_text(reminder.deadline)}"
    body = "\n".join(
        [
            opening,
            *late,
            "",
            *task_facts(task),
            _missing(task),
            "",
            f"Xem và cập nhật: {task_link(task)}",
        ]
    )
    return Message(
        subject=subject[:300],
        body=body,
        link=task_link(task),
        task_id=task.id,
        kind=reminder.kind.value,
    )


def escalation_message(escalation: Escalation) -> Message:
    """Compose the message that opens a discipline-review record."""
    task = escalation.task
    why = (
        f"quá hạn {escalation.overdue_days} ngày làm việc"
        if escalation.reason == "overdue_days"
        else f"{escalation.notices_before} lần cảnh báo, đôn đốc chưa có chuyển biến"
    )
    subject = f"[Chuyển Sở Nội vụ xem xét] {task.title}"
    body = "\n".join(
        [
            f"Nhiệm vụ dưới đây đã được chuyển Sở Nội vụ xem xét trách nhiệm do {why}.",
            "",
            *task_facts(task),
            _missing(task),
            "",
            f"Xem: {task_link(task)}",
        ]
    )
    return Message(
        subject=subject[:300], body=body, link=task_link(task), task_id=task.id, kind=ESCALATION
    )


def recipients_of(roles: list[Recipient], task: Task, inspectors: list[int]) -> list[int]:
    """Return the user ids a notice goes to, each once, in a stable order."""
    by_role = {
        Recipient.ACCOUNTABLE: [task.accountable_user_id],
        Recipient.ASSIGNEE: [task.assignee_user_id],
        Recipient.UNIT_HEAD: [task.lead_unit.head_id if task.lead_unit else None],
        Recipient.ASSIGNER: [task.issued_by_id],
        Recipient.SUPERVISOR: [task.supervisor_id],
        Recipient.INSPECTORS: inspectors,
    }
    ids = [uid for role in roles for uid in by_role[role] if uid is not None]
    if task.parent is not None:
        # The parent's accountable person stays accountable for its sub-tasks.
        ids.append(task.parent.accountable_user_id)
    return list(dict.fromkeys(uid for uid in ids if uid is not None))


def _inspector_ids() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.INSPECTOR, User.active)
            .order_by(User.id)
        )
    )


def notify_reminders(reminders: list[Reminder], now: datetime) -> None:
    """Queue each new notice for its recipients and put it on the task's audit trail."""
    inspectors = _inspector_ids() if reminders else []
    calendar, today = load_calendar(), local_date(now)
    # A sweep's thousands of notices share a handful of deadlines: count each once.
    days_left: dict = {}
    messages = []
    for reminder in reminders:
        users = recipients_of(reminder.rule.recipient_list, reminder.task, inspectors)
        if reminder.deadline not in days_left:
            days_left[reminder.deadline] = calendar.working_days_between(today, reminder.deadline)
        left = days_left[reminder.deadline]
        messages.append((f"reminder:{reminder.id}", users, reminder_message(reminder, left)))
        record(
            f"task.{reminder.kind.value}",
            reminder.task,
            actor=None,
            now=now,
            after={
                "reminder_id": reminder.id,
                "deadline": reminder.deadline,
                "milestone": reminder.milestone.title if reminder.milestone else None,
                "occurrence": reminder.occurrence,
                "overdue_days": reminder.overdue_days,
                "late": reminder.late,
                "recipients": users,
            },
        )
        if reminder.kind == NoticeKind.WARNING and reminder.task.parent is not None:
            _show_on_parent(reminder, now)
    queue_many(messages, now=now)


def _show_on_parent(reminder: Reminder, now: datetime) -> None:
    """Put a late sub-task on its parent's timeline: the parent's owner answers for it."""
    record(
        "task.subtask_overdue",
        reminder.task.parent,
        actor=None,
        now=now,
        after={
            "subtask_id": reminder.task_id,
            "title": reminder.task.title,
            "deadline": reminder.deadline,
            "milestone": reminder.milestone.title if reminder.milestone else None,
            "overdue_days": reminder.overdue_days,
        },
    )


def notify_escalations(escalations: list[Escalation], now: datetime) -> None:
    """Queue each new escalation record for Sở Nội vụ and those who answer for the task."""
    inspectors = _inspector_ids() if escalations else []
    messages = []
    for escalation in escalations:
        users = recipients_of(ESCALATION_RECIPIENTS, escalation.task, inspectors)
        messages.append((f"escalation:{escalation.id}", users, escalation_message(escalation)))
        record(
            "task.escalated",
            escalation.task,
            actor=None,
            now=now,
            after={
                "escalation_id": escalation.id,
                "deadline": escalation.deadline,
                "reason": escalation.reason,
                "overdue_days": escalation.overdue_days,
                "notices_before": escalation.notices_before,
                "recipients": users,
            },
        )
    queue_many(messages, now=now)
