"""Recurring tasks: monthly, quarterly, half-yearly, yearly reports, or every N working days.

A series keeps the occurrences' content once and a rule for their deadlines, written as
directives write them: "the 20th of the last month of each quarter", "the 5th working day
of each month". The scheduler creates each occurrence ahead of its period, as a task of
its own issued through the same 5 rõ gate. Exactly once is structural: one task per
(series, period start), under a unique index; a run after downtime creates what was missed.
"""

from __future__ import annotations

import calendar as month_calendar
import json
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from tracker.audit.services import record
from tracker.calendar.services import WorkingCalendar, load_calendar
from tracker.clock import local_date
from tracker.errors import (
    IncompleteTaskError,
    NotFound,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from tracker.extensions import db
from tracker.org.models import User
from tracker.tasks import services
from tracker.tasks.clarity import missing_clarity
from tracker.tasks.models import DueRule, Frequency, Task, TaskSeries
from tracker.tasks.permissions import may_create
from tracker.text import N_

PERIOD_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}
FREQUENCY_LABELS = {
    Frequency.MONTHLY: N_("Hằng tháng"),
    Frequency.QUARTERLY: N_("Hằng quý"),
    Frequency.HALF_YEARLY: N_("Sáu tháng một lần"),
    Frequency.YEARLY: N_("Hằng năm"),
    Frequency.WORKING_DAYS: N_("Sau mỗi N ngày làm việc"),
}
# How far ahead the preview and the scheduler look, at most.
MAX_AHEAD_DAYS = 60
# Content of the occurrences: everything of a task but its dates.
CONTENT_FIELDS = (
    "title",
    "description",
    "document_id",
    "field_id",
    "lead_unit_id",
    "accountable_user_id",
    "assignee_user_id",
    "supervisor_id",
    "expected_outcome",
    "target",
    "priority",
    "process_steps",
)

logger = logging.getLogger(__name__)


@dataclass
class Rule:
    """When occurrences fall due."""

    frequency: str
    due_rule: str = DueRule.CALENDAR_DAY.value
    due_day: int = 1
    due_next_month: bool = False
    every_working_days: int | None = None
    create_days_ahead: int = 7


@dataclass(frozen=True)
class Occurrence:
    period_start: date
    due_date: date
    start_date: date
    create_on: date


# ------------------------------------------------------------------ the calendar of a series


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _first_period(starts_on: date, months: int) -> date:
    """The period that contains ``starts_on``, aligned on the calendar (quarters start in
    January, April, July and October)."""
    return date(starts_on.year, (starts_on.month - 1) // months * months + 1, 1)


def _nth_working_day(first: date, n: int, cal: WorkingCalendar) -> date:
    day = cal.next_working_day(first)
    return cal.add_working_days(day, n - 1) if n > 1 else day


def _due_in_month(series, month_start: date, cal: WorkingCalendar) -> date:
    if series.due_rule == DueRule.WORKING_DAY:
        return _nth_working_day(month_start, series.due_day, cal)
    last = month_calendar.monthrange(month_start.year, month_start.month)[1]
    return cal.next_working_day(month_start.replace(day=min(series.due_day, last)))


def occurrences(series, cal: WorkingCalendar, until: date) -> Iterator[Occurrence]:
    """Yield the series' occurrences whose creation day is on or before ``until``."""
    if series.frequency == Frequency.WORKING_DAYS:
        start = cal.next_working_day(series.starts_on)
        while True:
            due = cal.add_working_days(start, series.every_working_days)
            occurrence = Occurrence(start, due, start, start - timedelta(series.create_days_ahead))
            if occurrence.create_on > until or (series.ends_on and start > series.ends_on):
                return
            yield occurrence
            start = due
    months = PERIOD_MONTHS[Frequency(series.frequency)]
    period = _first_period(series.starts_on, months)
    while True:
        due_month = _add_months(period, months if series.due_next_month else months - 1)
        due = _due_in_month(series, due_month, cal)
        # A periodic report is prepared in the month it is due: the task starts then, and
        # is created ``create_days_ahead`` days before.
        start = due_month
        occurrence = Occurrence(period, due, start, start - timedelta(series.create_days_ahead))
        if occurrence.create_on > until or (series.ends_on and period > series.ends_on):
            return
        if due >= series.starts_on:
            yield occurrence
        period = _add_months(period, months)


def upcoming(series: TaskSeries, today: date, count: int = 4) -> list[Occurrence]:
    """Return the next occurrences not yet due, for people to see what is coming."""
    cal, found = load_calendar(), []
    for occurrence in occurrences(series, cal, today + timedelta(days=3 * 366)):
        if occurrence.due_date >= today:
            found.append(occurrence)
        if len(found) == count:
            break
    return found


# ------------------------------------------------------------------ keeping series


def _require_keeper(user: User) -> None:
    if not may_create(user):
        raise PermissionDenied(_("Chỉ Văn phòng (người giao việc) quản lý nhiệm vụ định kỳ."))


def _check_rule(rule: Rule) -> None:
    try:
        frequency, due_rule = Frequency(rule.frequency), DueRule(rule.due_rule)
    except ValueError as exc:
        raise ValidationError(
            _("Chu kỳ hoặc cách tính hạn không hợp lệ."), fields={"frequency": _("không hợp lệ")}
        ) from exc
    if frequency == Frequency.WORKING_DAYS:
        if not rule.every_working_days or not 1 <= rule.every_working_days <= 250:
            raise ValidationError(
                _("Số ngày làm việc của chu kỳ từ 1 đến 250."),
                fields={"every_working_days": "1–250"},
            )
    else:
        limit = 31 if due_rule == DueRule.CALENDAR_DAY else 20
        if not 1 <= rule.due_day <= limit:
            raise ValidationError(
                _("Ngày đến hạn phải từ 1 đến %(n)s.", n=limit), fields={"due_day": f"1–{limit}"}
            )
    if not 0 <= rule.create_days_ahead <= MAX_AHEAD_DAYS:
        raise ValidationError(
            _("Tạo trước từ 0 đến %(n)s ngày.", n=MAX_AHEAD_DAYS),
            fields={"create_days_ahead": f"0–{MAX_AHEAD_DAYS}"},
        )


def _content(data: services.TaskInput) -> str:
    values = {name: getattr(data, name) for name in CONTENT_FIELDS}
    values["coordinating"] = [asdict(c) for c in data.coordinating]
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def content_input(series: TaskSeries, occurrence: Occurrence) -> services.TaskInput:
    """The task input of one occurrence: the series' content with its period's dates."""
    values = json.loads(series.content)
    coordinating = [services.CoordinationInput(**c) for c in values.pop("coordinating")]
    return services.TaskInput(
        **values,
        coordinating=coordinating,
        start_date=occurrence.start_date,
        due_date=occurrence.due_date,
    )


def _snapshot(series: TaskSeries) -> dict:
    return {
        "title": series.title,
        "content": json.loads(series.content),
        "frequency": series.frequency,
        "every_working_days": series.every_working_days,
        "due_rule": series.due_rule,
        "due_day": series.due_day,
        "due_next_month": series.due_next_month,
        "create_days_ahead": series.create_days_ahead,
        "starts_on": series.starts_on,
        "ends_on": series.ends_on,
        "paused": series.paused,
        "previous_id": series.previous_id,
    }


def create_series(
    data: services.TaskInput,
    rule: Rule,
    *,
    starts_on: date,
    ends_on: date | None = None,
    actor: User,
    now: datetime,
    previous: TaskSeries | None = None,
) -> TaskSeries:
    """Start a recurring task; its content must pass the 5 rõ gate like any task."""
    _require_keeper(actor)
    _check_rule(rule)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(
            _("Ngày kết thúc phải sau ngày bắt đầu."), fields={"ends_on": _("trước ngày bắt đầu")}
        )
    series = TaskSeries(
        title=data.title.strip()[: services.TITLE_MAX],
        content=_content(data),
        frequency=Frequency(rule.frequency),
        every_working_days=rule.every_working_days,
        due_rule=DueRule(rule.due_rule),
        due_day=rule.due_day,
        due_next_month=rule.due_next_month,
        create_days_ahead=rule.create_days_ahead,
        starts_on=starts_on,
        ends_on=ends_on,
        previous_id=previous.id if previous else None,
        created_by_id=actor.id,
        created_at=now,
    )
    _check_content(series, local_date(now))
    db.session.add(series)
    db.session.flush()
    record("task_series.created", series, actor=actor, now=now, after=_snapshot(series))
    return series


def _check_content(series: TaskSeries, today: date) -> None:
    """Try the first occurrence against the gate now, so a series never fails silently."""
    first = next(iter(upcoming(series, today, count=1)), None)
    if first is None:
        raise ValidationError(
            _("Chuỗi không có kỳ nào đến hạn; hãy xem lại ngày bắt đầu, kết thúc."),
            fields={"starts_on": _("không có kỳ nào")},
        )
    savepoint = db.session.begin_nested()
    try:
        probe = services.create_draft(
            content_input(series, first), actor=series_creator(series), now=series.created_at
        )
        missing = missing_clarity(probe, None)
    finally:
        savepoint.rollback()
    if missing:
        raise IncompleteTaskError(
            _("Nội dung nhiệm vụ định kỳ chưa đủ “5 rõ”: %(p)s", p=" ".join(missing.values())),
            missing,
        )


def series_creator(series: TaskSeries) -> User:
    return series.created_by or db.session.get(User, series.created_by_id)


def get_series(series_id: int, user: User) -> TaskSeries:
    """Load a series for the office, or raise NotFound; anyone else is refused first."""
    _require_keeper(user)
    found = db.session.get(TaskSeries, series_id)
    if found is None:
        raise NotFound(_("Không tìm thấy nhiệm vụ định kỳ."))
    return found


def set_paused(series: TaskSeries, paused: bool, *, actor: User, now: datetime) -> None:
    """Pause (no new occurrences) or resume a series; resuming creates what is due."""
    _require_keeper(actor)
    series.paused = paused
    record(
        "task_series.paused" if paused else "task_series.resumed",
        series,
        actor=actor,
        now=now,
        after={"paused": paused},
    )


def end_series(series: TaskSeries, ends_on: date, *, actor: User, now: datetime) -> None:
    """End a series after a date; its occurrences so far stay as they are."""
    _require_keeper(actor)
    if ends_on < series.starts_on:
        raise ValidationError(
            _("Ngày kết thúc phải sau ngày bắt đầu."), fields={"ends_on": _("trước ngày bắt đầu")}
        )
    before = series.ends_on
    series.ends_on = ends_on
    record(
        "task_series.ended",
        series,
        actor=actor,
        now=now,
        before={"ends_on": before},
        after={"ends_on": ends_on},
    )


def change_series(
    series: TaskSeries,
    data: services.TaskInput,
    rule: Rule,
    *,
    effective_from: date,
    actor: User,
    now: datetime,
) -> TaskSeries:
    """Change a series from a date on: this one ends the day before, a new one continues."""
    _require_keeper(actor)
    if series.ends_on is not None and series.ends_on < effective_from:
        raise TransitionError(_("Chuỗi đã kết thúc trước ngày này."))
    if effective_from <= series.starts_on:
        raise ValidationError(
            _("Ngày áp dụng phải sau ngày bắt đầu của chuỗi."),
            fields={"effective_from": _("quá sớm")},
        )
    new = create_series(
        data,
        rule,
        starts_on=effective_from,
        ends_on=series.ends_on,
        actor=actor,
        now=now,
        previous=series,
    )
    end_series(series, effective_from - timedelta(days=1), actor=actor, now=now)
    return new


# ------------------------------------------------------------------ the scheduler's pass


@dataclass
class RunResult:
    created: int = 0
    skipped_past_due: int = 0
    failed: int = 0


def _existing_periods(series: TaskSeries) -> set[date]:
    query = sa.select(Task.period_start).where(Task.series_id == series.id)
    return set(db.session.scalars(query))


def create_occurrences(now: datetime) -> RunResult:
    """Create every occurrence whose day has come (and those missed while stopped).

    Each one is its own savepoint: a unique index on (series, period) turns a second
    scheduler's duplicate into a skip, and one series' refusal does not stop the others.
    """
    today, cal, result = local_date(now), load_calendar(), RunResult()
    active = db.session.scalars(
        sa.select(TaskSeries).where(
            TaskSeries.paused.is_(False),
            TaskSeries.starts_on <= today + timedelta(days=MAX_AHEAD_DAYS),
            sa.or_(TaskSeries.ends_on.is_(None), TaskSeries.ends_on >= today - timedelta(366)),
        )
    ).all()
    for series in active:
        done = _existing_periods(series)
        for occurrence in occurrences(series, cal, today):
            if occurrence.period_start in done:
                continue
            if occurrence.due_date < today:
                # Missed entirely while stopped: a task due in the past cannot be issued.
                result.skipped_past_due += 1
                continue
            _create_one(series, occurrence, now, result)
    return result


def _create_one(series: TaskSeries, occurrence: Occurrence, now: datetime, result) -> None:
    actor = series_creator(series)
    try:
        with db.session.begin_nested():
            task = services.create_draft(content_input(series, occurrence), actor=actor, now=now)
            task.series_id, task.period_start = series.id, occurrence.period_start
            db.session.flush()
            services.issue_task(task, actor=actor, now=now)
            record(
                "task_series.occurrence",
                series,
                actor=None,
                now=now,
                after={
                    "task_id": task.id,
                    "period_start": occurrence.period_start,
                    "due_date": occurrence.due_date,
                },
            )
        series.last_error = None
        result.created += 1
    except IntegrityError:
        pass  # another scheduler made it a moment ago
    except (ValidationError, PermissionDenied, TransitionError) as error:
        series.last_error = f"{occurrence.period_start:%d/%m/%Y}: {error.message}"[:2000]
        result.failed += 1
        logger.warning("Series %s, period %s: %s", series.id, occurrence.period_start, error)


def occurrences_of(series: TaskSeries) -> list[Task]:
    query = sa.select(Task).where(Task.series_id == series.id).order_by(Task.period_start.desc())
    return list(db.session.scalars(query))


def series_chain(series: TaskSeries) -> list[TaskSeries]:
    """The series and those it replaced, newest first: its whole history."""
    chain = [series]
    while chain[-1].previous_id:
        chain.append(db.session.get(TaskSeries, chain[-1].previous_id))
    return chain
