"""The log of the reminders, warnings, urgings and escalations the sweep sent ("Nhật ký
nhắc hạn – cảnh báo"): when, to whom, about which task, by which rule, whether the email
went out and whether the notice was read.

One row per notice and recipient: the inbox message, with the email sent alongside it (if
the person takes email). Filtered and paged in the database; the rules of a page's rows
come in one more query, so a page costs the same at any size of the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from tracker.clock import local_midnight
from tracker.extensions import db
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.org.models import Unit, User
from tracker.reminders.models import Reminder, ReminderRule
from tracker.reminders.rules import KIND_LABELS
from tracker.tasks.models import Task
from tracker.tasks.notices import ESCALATION, REMINDER, URGING, WARNING

# The sweep's notices, as the log's filter names them.
LOG_KINDS = {
    REMINDER: _l("Nhắc hạn"),
    WARNING: _l("Cảnh báo quá hạn"),
    URGING: _l("Đôn đốc"),
    ESCALATION: _l("Chuyển Sở Nội vụ xem xét"),
}
EMAIL_STATES = {
    DeliveryStatus.PENDING: _l("chờ gửi"),
    DeliveryStatus.SENT: _l("đã gửi"),
    DeliveryStatus.FAILED: _l("không gửi được"),
}
PER_PAGE = 50
REMINDER_KEY = "reminder:"


@dataclass(frozen=True)
class LogFilters:
    unit_id: int | None = None  # the task's lead unit
    user_id: int | None = None  # the recipient
    kind: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass
class LogRow:
    sent_at: datetime
    kind: str
    task_id: int | None
    task_title: str
    unit: str
    recipient: str
    rule: str  # the reminder rule, in words ("" for an escalation)
    email: str  # chờ gửi / đã gửi / không gửi được / "" (the person takes no email)
    read_at: datetime | None


def _query(filters: LogFilters):
    inbox = aliased(Notification)
    email = aliased(Notification)
    query = (
        sa.select(
            inbox.created_at,
            inbox.kind,
            inbox.key,
            inbox.task_id,
            Task.title,
            Unit.name,
            User.full_name,
            email.status,
            inbox.read_at,
        )
        .join(User, User.id == inbox.user_id)
        .outerjoin(Task, Task.id == inbox.task_id)
        .outerjoin(Unit, Unit.id == Task.lead_unit_id)
        .outerjoin(
            email,
            sa.and_(
                email.key == inbox.key,
                email.user_id == inbox.user_id,
                email.channel == Channel.EMAIL,
            ),
        )
        .where(inbox.channel == Channel.INBOX, inbox.kind.in_(list(LOG_KINDS)))
    )
    if filters.kind in LOG_KINDS:
        query = query.where(inbox.kind == filters.kind)
    if filters.unit_id:
        query = query.where(Task.lead_unit_id == filters.unit_id)
    if filters.user_id:
        query = query.where(inbox.user_id == filters.user_id)
    if filters.start:
        query = query.where(inbox.created_at >= local_midnight(filters.start))
    if filters.end:
        query = query.where(inbox.created_at < local_midnight(filters.end + timedelta(days=1)))
    return query.order_by(inbox.created_at.desc(), inbox.id.desc())


def _rule_words(rule: ReminderRule) -> str:
    days = abs(rule.offset_days)
    if rule.offset_days < 0:
        when = _l("%(n)s ngày làm việc trước hạn", n=days)
    elif rule.offset_days == 0:
        when = _l("đúng ngày đến hạn")
    else:
        when = _l("%(n)s ngày làm việc sau hạn", n=days)
    return f"{KIND_LABELS[rule.kind]}: {when}"


def _rules_of(keys: list[str]) -> dict[str, str]:
    """The rule of each reminder key ("reminder:41"), in words (one query)."""
    ids = [int(k[len(REMINDER_KEY) :]) for k in keys if k.startswith(REMINDER_KEY)]
    if not ids:
        return {}
    found = db.session.execute(
        sa.select(Reminder.id, ReminderRule)
        .join(ReminderRule, ReminderRule.id == Reminder.rule_id)
        .where(Reminder.id.in_(ids))
    )
    return {f"{REMINDER_KEY}{rid}": _rule_words(rule) for rid, rule in found}


def _rows(found) -> list[LogRow]:
    rules = _rules_of([row.key for row in found])
    return [
        LogRow(
            sent_at=row.created_at,
            kind=row.kind,
            task_id=row.task_id,
            task_title=row.title or "",
            unit=row.name or "",
            recipient=row.full_name,
            rule=rules.get(row.key, ""),
            email=str(EMAIL_STATES[row.status]) if row.status else "",
            read_at=row.read_at,
        )
        for row in found
    ]


def log_page(filters: LogFilters, page: int, per_page: int = PER_PAGE) -> tuple[list[LogRow], int]:
    """Return one page of the log, newest first, and the number of rows in all."""
    query = _query(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    found = db.session.execute(query.limit(per_page).offset((max(page, 1) - 1) * per_page))
    return _rows(found.all()), total


def log_rows(filters: LogFilters, limit: int, batch: int = 1000) -> Iterator[LogRow]:
    """Yield the log's rows for an export, newest first, up to ``limit``, a batch at a time."""
    query = _query(filters).limit(limit)
    for part in db.session.execute(query.execution_options(yield_per=batch)).partitions():
        yield from _rows(part)
