"""The sweep: one pass, as of a time ``now``, that sends every notice that has come due.

What is due is found in set-based SQL: one INSERT … SELECT per rule, counting working
days through the ``work_days`` table, so the sweep never loops over tasks in Python.
Exactly once is structural: every notice has a unique key (subject, rule, deadline,
occurrence) and every escalation one per (task, deadline); inserts skip what exists.
A sweep after downtime catches up: what should have gone out meanwhile goes out once,
marked late. Only the notices created by this pass are then read back, to write their
notifications and audit events in the same transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased, selectinload

from tracker.calendar.models import WorkDay
from tracker.calendar.services import ensure_work_days, work_day_seq
from tracker.clock import local_date
from tracker.extensions import db
from tracker.faults import pause_point
from tracker.org.models import Unit
from tracker.reminders import messages
from tracker.reminders.models import (
    Escalation,
    EscalationReason,
    EscalationSettings,
    NoticeKind,
    Reminder,
    ReminderRule,
    SweepClock,
)
from tracker.tasks.models import RUNNING_STATES, Milestone, Task, without_long_texts

logger = logging.getLogger(__name__)

# The clock runs while the task is with its unit; a result awaiting review stops it.

SWEEP_LOCK = 5_270_001  # the advisory lock key of the sweep's transaction

DEFAULT_RULES = (
    (NoticeKind.REMINDER, -5, None, "accountable,assignee", True),
    (NoticeKind.REMINDER, -2, None, "accountable,assignee", True),
    (NoticeKind.REMINDER, 0, None, "accountable,assignee", True),
    (NoticeKind.WARNING, 1, None, "accountable,assignee,unit_head,assigner", True),
    (NoticeKind.URGING, 5, 5, "supervisor", False),
)


@dataclass
class SweepResult:
    sweep_id: str
    created: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _insert_missing(model, rows: list[dict]) -> None:
    """Insert rows, skipping those whose unique key exists (safe when racing another process)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(postgresql.insert(model).values(rows).on_conflict_do_nothing())
    else:
        db.session.execute(sa.insert(model).prefix_with("OR IGNORE").values(rows))


def ensure_default_rules() -> None:
    """Create the default ladder and escalation thresholds if the admin has none yet."""
    if db.session.execute(sa.select(ReminderRule.id).limit(1)).first() is None:
        _insert_missing(
            ReminderRule,
            [
                {
                    "kind": k.value,
                    "offset_days": o,
                    "repeat_every": r,
                    "recipients": who,
                    "for_milestones": m,
                    "active": True,
                }
                for k, o, r, who, m in DEFAULT_RULES
            ],
        )
    if db.session.get(EscalationSettings, 1) is None:
        _insert_missing(
            EscalationSettings, [{"id": 1, "overdue_working_days": 10, "unanswered_notices": 3}]
        )


def _insert_ignoring_duplicates(table, select: sa.Select, columns: list[str]):
    """INSERT … SELECT that silently skips rows whose unique key already exists."""
    if db.session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(table).from_select(columns, select)
        return db.session.execute(statement.on_conflict_do_nothing())
    # SQLite cannot parse ON CONFLICT after a bare INSERT … SELECT; OR IGNORE is its idiom.
    return db.session.execute(
        sa.insert(table).prefix_with("OR IGNORE").from_select(columns, select)
    )


def _due_rows(rule: ReminderRule, today_seq: int, milestones: bool, latest: date) -> sa.Select:
    """Select the notices of one rule that are due by today and not yet sent (``latest``:
    the last deadline whose notice of this rule can have come due)."""
    due = aliased(WorkDay)  # the deadline's day
    sent_on = aliased(WorkDay)  # the working day the notice was due to go out
    issued = aliased(WorkDay)
    if milestones:
        deadline, subject_id, prefix = Milestone.due_date, Milestone.id, "m"
        source = sa.select().select_from(Milestone).join(Task, Task.id == Milestone.task_id)
        only_open = Milestone.completed_on.is_(None)
    else:
        deadline, subject_id, prefix = Task.due_date, Task.id, "t"
        source = sa.select().select_from(Task)
        only_open = sa.true()
    if rule.repeat_every:
        # The latest occurrence that has come due: once, even after a long downtime.
        elapsed = today_seq - due.seq - rule.offset_days
        occurrence = elapsed // rule.repeat_every + 1
        fire_seq = due.seq + rule.offset_days + (occurrence - 1) * rule.repeat_every
    else:
        occurrence = sa.literal(1)
        fire_seq = due.seq + rule.offset_days
    subject = sa.literal(prefix) + sa.cast(subject_id, sa.String)
    # Most notices due by today went out on their day: skip them by their unique key
    # first, so that only the new ones reach the INSERT (ON CONFLICT stays for a sweep
    # racing this one).
    sent = sa.exists().where(
        Reminder.subject == subject,
        Reminder.rule_id == rule.id,
        Reminder.deadline == deadline,
        Reminder.occurrence == occurrence,
    )
    return (
        source.join(due, due.day == deadline)
        .join(issued, issued.day == Task.issued_on)
        .join(sent_on, sa.and_(sent_on.seq == fire_seq, sent_on.is_working))
        .where(
            Task.state.in_(RUNNING_STATES),
            only_open,
            due.seq + rule.offset_days <= today_seq,
            fire_seq >= issued.seq,  # nothing that was due before the task existed
            # The same as "due.seq + offset <= today", said of the task's own column so
            # that the tasks due later are left out before any join.
            deadline <= latest,
            ~sent,
        )
        .add_columns(
            subject.label("subject"),
            Task.id.label("task_id"),
            (subject_id if milestones else sa.cast(sa.null(), sa.Integer)).label("milestone_id"),
            sa.literal(rule.id).label("rule_id"),
            sa.literal(rule.kind.value).label("kind"),
            deadline.label("deadline"),
            occurrence.label("occurrence"),
            sent_on.day.label("scheduled_on"),
            sa.case((due.seq < today_seq, today_seq - due.seq), else_=0).label("overdue_days"),
        )
    )


def _send_rule(
    rule: ReminderRule, today_seq: int, sweep_id: str, now: datetime, previous: date
) -> None:
    columns = [
        "subject",
        "task_id",
        "milestone_id",
        "rule_id",
        "kind",
        "deadline",
        "occurrence",
        "scheduled_on",
        "overdue_days",
        "created_at",
        "late",
        "sweep_id",
    ]
    today = local_date(now)
    latest = db.session.scalar(
        sa.select(sa.func.max(WorkDay.day)).where(WorkDay.seq <= today_seq - rule.offset_days)
    )
    if latest is None:
        return
    targets = [False, True] if rule.for_milestones else [False]
    for milestones in targets:
        rows = _due_rows(rule, today_seq, milestones, latest).subquery()
        select = sa.select(
            *[rows.c[c] for c in columns[:9]],
            sa.literal(now, type_=Reminder.created_at.type).label("created_at"),
            # Late only if no sweep ran on its day: one that ran and found the task
            # ineligible (awaiting review, say) was not held back by downtime.
            sa.and_(rows.c.scheduled_on < today, rows.c.scheduled_on > previous).label("late"),
            sa.literal(sweep_id).label("sweep_id"),
        )
        _insert_ignoring_duplicates(Reminder.__table__, select, columns)


def _open_escalations(today_seq: int, sweep_id: str, now: datetime) -> None:
    settings = db.session.get(EscalationSettings, 1)
    due = aliased(WorkDay)
    overdue_days = today_seq - due.seq
    # Notices count as unanswered until the unit answered in substance (services.answers_notices).
    since_answer = sa.func.coalesce(Task.last_answered_at, Task.issued_at)
    unanswered = (
        sa.select(sa.func.count(Reminder.id))
        .where(
            Reminder.subject == sa.literal("t") + sa.cast(Task.id, sa.String),
            Reminder.deadline == Task.due_date,
            Reminder.kind.in_([NoticeKind.WARNING, NoticeKind.URGING]),
            Reminder.created_at > since_answer,
        )
        .scalar_subquery()
    )
    too_late = overdue_days >= settings.overdue_working_days
    # A task escalated for this deadline already is skipped before its notices are
    # counted (ON CONFLICT stays for a sweep racing this one).
    escalated = sa.exists().where(
        Escalation.task_id == Task.id, Escalation.deadline == Task.due_date
    )
    select = (
        sa.select(
            Task.id,
            Task.due_date,
            sa.case(
                (too_late, sa.literal(EscalationReason.OVERDUE_DAYS.value)),
                else_=sa.literal(EscalationReason.UNANSWERED.value),
            ),
            overdue_days,
            unanswered,
            sa.literal(now, type_=Escalation.opened_at.type),
            sa.literal(local_date(now), type_=sa.Date),
            sa.literal("open"),
            Task.accountable_user_id,
            sa.select(Unit.head_id).where(Unit.id == Task.lead_unit_id).scalar_subquery(),
            Task.supervisor_id,
            Task.lead_unit_id,
            sa.literal(sweep_id),
        )
        .join(due, due.day == Task.due_date)
        .where(
            Task.state.in_(RUNNING_STATES),
            overdue_days > 0,
            ~escalated,
            sa.or_(too_late, unanswered >= settings.unanswered_notices),
        )
    )
    columns = [
        "task_id",
        "deadline",
        "reason",
        "overdue_days",
        "notices_before",
        "opened_at",
        "opened_on",
        "status",
        "accountable_user_id",
        "unit_head_id",
        "supervisor_id",
        "lead_unit_id",
        "sweep_id",
    ]
    _insert_ignoring_duplicates(Escalation.__table__, select, columns)


NEVER = date(1900, 1, 1)
_CLOCK_ROW = 1  # the sweep clock's only row


def _previous_sweep_day() -> date:
    """Return the local day of the latest sweep so far (a long-gone day if none ran)."""
    last = db.session.scalar(sa.select(SweepClock.last_swept_at).where(SweepClock.id == _CLOCK_ROW))
    return local_date(last) if last else NEVER


def _remember_sweep(now: datetime) -> None:
    """Move the sweep clock to ``now``; a sweep as of an earlier time leaves it where it is."""
    table = SweepClock.__table__
    updated = db.session.execute(
        sa.update(table)
        .where(table.c.id == _CLOCK_ROW, table.c.last_swept_at < now)
        .values(last_swept_at=now)
    ).rowcount
    if not updated and db.session.get(SweepClock, _CLOCK_ROW) is None:
        db.session.execute(sa.insert(table).values(id=_CLOCK_ROW, last_swept_at=now))


def _task_loading():
    return (
        *without_long_texts(),
        selectinload(Task.document),
        selectinload(Task.lead_unit),
        selectinload(Task.accountable_user),
        # A sub-task's notices also reach its parent's owner (messages.recipients_of).
        selectinload(Task.parent).options(*without_long_texts()),
    )


def _reminder_loading():
    return (
        selectinload(Reminder.task).options(*_task_loading()),
        selectinload(Reminder.milestone),
        selectinload(Reminder.rule),
    )


def _escalation_loading():
    return (selectinload(Escalation.task).options(*_task_loading()),)


NOTICES_AT_ONCE = 1000


def _in_batches(model, sweep_id: str, loading) -> Iterator[list]:
    """Yield what this sweep created, a thousand at a time with what their messages need.

    The morning after a holiday a city's sweep creates tens of thousands of notices; held
    all at once with their tasks they took hundreds of megabytes. A batch is let go when
    the next is read (the session keeps unchanged objects only while they are used)."""
    ids = list(
        db.session.scalars(sa.select(model.id).where(model.sweep_id == sweep_id).order_by(model.id))
    )
    for start in range(0, len(ids), NOTICES_AT_ONCE):
        chosen = ids[start : start + NOTICES_AT_ONCE]
        query = sa.select(model).where(model.id.in_(chosen)).options(*loading).order_by(model.id)
        yield list(db.session.scalars(query))


def run_sweep(now: datetime) -> SweepResult:
    """Send every reminder, warning, urging and escalation due as of ``now`` (flushes only)."""
    result = SweepResult(sweep_id=uuid.uuid4().hex)
    if db.session.get_bind().dialect.name == "postgresql":
        # Concurrent sweeps queue here for the rest of the transaction; the next one then
        # sees what this one committed and has nothing left to create.
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(SWEEP_LOCK)))
    today = local_date(now)
    ensure_default_rules()
    ensure_work_days(today)
    today_seq = work_day_seq(today)
    rules = db.session.scalars(sa.select(ReminderRule).where(ReminderRule.active)).all()
    previous = _previous_sweep_day()
    for rule in sorted(rules, key=lambda r: (r.offset_days, r.id)):
        _send_rule(rule, today_seq, result.sweep_id, now, previous)
    # After the notices, so that a third unanswered warning escalates in the same pass.
    _open_escalations(today_seq, result.sweep_id, now)
    pause_point("sweep.inserted")

    for reminders in _in_batches(Reminder, result.sweep_id, _reminder_loading()):
        messages.notify_reminders(reminders, now)
        result.created.update(r.kind.value for r in reminders)
        result.created["late"] += sum(1 for r in reminders if r.late)
    for escalations in _in_batches(Escalation, result.sweep_id, _escalation_loading()):
        messages.notify_escalations(escalations, now)
        result.created["escalation"] += len(escalations)
    _remember_sweep(now)
    logger.info("Sweep %s as of %s: %s", result.sweep_id, now.isoformat(), dict(result.created))
    return result
