"""A month of deadlines: the due dates and open milestones of open tasks, day by day.

The deadlines that count are the iCalendar feed's (tasks/feed.py): the due date of each
open task, and each milestone of it not yet reached. Whose tasks: the person's own work
(``my_tasks_clause``), or with the switch their unit's (the tasks it leads) — for the
office, the inspectors and the leaders, who lead no unit's work, every task they see.

The month costs two statements whatever the number of tasks: the admin's calendar
overrides of the month, and one query of the month's deadlines that keeps at most
``PER_DAY`` of them for each day and counts the rest.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
import sqlalchemy as sa
from babel.dates import format_skeleton, get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tracker.calendar.forms import WEEKDAY_LABELS
from tracker.calendar.models import CalendarOverride, DayKind
from tracker.calendar.services import WorkingCalendar
from tracker.extensions import db
from tracker.org.models import Role, User
from tracker.tasks.models import OPEN_STATES, Milestone, Task, TaskState
from tracker.tasks.permissions import sees_every_task, visible_tasks_clause
from tracker.tasks.queries import my_tasks_clause

# The months one may page to; beyond them the holiday data means little.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# A day of the office's month may hold hundreds of deadlines: a cell lists this many and
# links the rest to the task list.
PER_DAY = 8
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class Scope(enum.StrEnum):
    MINE = "mine"
    UNIT = "unit"


def parse_month(text: str | None) -> date | None:
    """Return the first day of the month written YYYY-MM, or None if it is not one."""
    found = _MONTH.fullmatch((text or "").strip())
    if not found:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def unit_scope_label(user: User):
    """Return the name of the switch's second view for this person, or None without one:
    a unit's people see their unit's tasks; the office, the inspectors and the leaders
    every task they see."""
    if not user.is_active:
        return None
    if user.may_carry_tasks and user.unit_id is not None:
        return _l("Của đơn vị")
    if sees_every_task(user) or user.has_role(Role.LEADER):
        return _l("Mọi nhiệm vụ tôi được xem")
    return None


def parse_scope(text: str | None, user: User) -> Scope:
    """Return the scope asked for, or the person's own tasks when it is not one they have."""
    if text == Scope.UNIT and unit_scope_label(user) is not None:
        return Scope.UNIT
    return Scope.MINE


def scope_clause(user: User, scope: Scope) -> sa.ColumnElement[bool]:
    """Return the SQL condition of the tasks the scope shows (all of them visible)."""
    if scope == Scope.UNIT and unit_scope_label(user) is not None:
        if user.may_carry_tasks and user.unit_id is not None:
            return sa.and_(Task.lead_unit_id == user.unit_id, visible_tasks_clause(user))
        return visible_tasks_clause(user)
    return my_tasks_clause(user)


@dataclass(frozen=True)
class Deadline:
    """A task's due date, or one of its milestones, on a day."""

    task_id: int
    title: str
    milestone: str | None  # the milestone's title; None for the task's own due date
    overdue: bool


@dataclass
class Day:
    day: date
    in_month: bool
    working: bool
    today: bool
    name: str = ""  # the public holiday's name, or the admin's note on an overridden day
    deadlines: list[Deadline] = field(default_factory=list)
    more: int = 0  # deadlines of the day not listed (beyond PER_DAY)


@dataclass
class MonthView:
    first: date
    scope: Scope
    weeks: list[list[Day]]
    weekdays: list[tuple[str, str]]  # (short name, full name), Monday first
    title: str
    previous: date | None
    next: date | None
    count: int  # the month's deadlines, listed or not

    @property
    def last(self) -> date:
        return _month_end(self.first)


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _shift(first: date, months: int) -> date | None:
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, 1) if FIRST_YEAR <= year <= LAST_YEAR else None


def _is_overdue(day: date, state: TaskState, submitted_on: date | None, today: date) -> bool:
    """Tell whether a deadline on ``day`` is missed: past, and the task still open — but a
    result reported by the deadline and awaiting review is not late (classification.py)."""
    if state == TaskState.SUBMITTED and submitted_on is not None:
        return day < submitted_on
    return day < today


def _deadlines(where: sa.ColumnElement[bool], first: date, last: date):
    """Return the month's deadlines, at most PER_DAY a day, each with the day's total."""
    open_ = Task.state.in_(OPEN_STATES)
    columns = (Task.id.label("task_id"), Task.title, Task.state, Task.submitted_on)
    due = sa.select(
        *columns,
        Task.due_date.label("day"),
        sa.false().label("is_milestone"),
        sa.cast(sa.null(), sa.String).label("milestone"),
    ).where(where, open_, Task.due_date.between(first, last))
    marks = (
        sa.select(
            *columns,
            Milestone.due_date.label("day"),
            sa.true().label("is_milestone"),
            Milestone.title.label("milestone"),
        )
        .join(Milestone, Milestone.task_id == Task.id)
        .where(
            where,
            open_,
            Milestone.completed_on.is_(None),
            Milestone.due_date.between(first, last),
        )
    )
    both = sa.union_all(due, marks).subquery()
    ranked = sa.select(
        both,
        sa.func.row_number()
        .over(partition_by=both.c.day, order_by=(both.c.is_milestone, both.c.task_id))
        .label("rank"),
        sa.func.count().over(partition_by=both.c.day).label("total"),
    ).subquery()
    query = sa.select(ranked).where(ranked.c.rank <= PER_DAY).order_by(ranked.c.day, ranked.c.rank)
    return db.session.execute(query).all()


def _overrides(first: date, last: date) -> dict[date, tuple[bool, str]]:
    """The admin's overrides of the days: day → (is it a working day, the note)."""
    rows = db.session.execute(
        sa.select(CalendarOverride.day, CalendarOverride.kind, CalendarOverride.note).where(
            CalendarOverride.day.between(first, last)
        )
    )
    return {day: (kind == DayKind.WORKING_DAY, note) for day, kind, note in rows}


@lru_cache(maxsize=16)
def _english_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="en_US")


def _holiday_name(calendar: WorkingCalendar, day: date, locale: str) -> str:
    if locale == "en":
        return _english_holidays(day.year).get(day) or ""
    return calendar.holiday_name(day) or ""


def _weekdays(locale: str) -> list[tuple[str, str]]:
    short = get_day_names("short", locale=locale)
    return [(short[i], str(WEEKDAY_LABELS[i])) for i in range(7)]


def month_view(user: User, first: date, scope: Scope, today: date) -> MonthView:
    """Return the month's grid, Monday first, with each day's deadlines and whether
    officials work that day."""
    last = _month_end(first)
    locale = str(get_locale() or "vi")
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    overrides = _overrides(start, end)
    # Only the grid's days are asked: their own overrides are all the calendar needs.
    calendar = WorkingCalendar({day: working for day, (working, _note) in overrides.items()})
    days: dict[date, Day] = {}
    day = start
    while day <= end:
        in_month = first <= day <= last
        name = ""
        if in_month:
            name = overrides[day][1] if day in overrides else ""
            name = name or _holiday_name(calendar, day, locale)
        days[day] = Day(day, in_month, calendar.is_working_day(day), day == today, name)
        day += timedelta(days=1)
    count = 0
    totals: dict[date, int] = {}
    for row in _deadlines(scope_clause(user, scope), first, last):
        cell = days[row.day]
        cell.deadlines.append(
            Deadline(
                row.task_id,
                row.title,
                row.milestone if row.is_milestone else None,
                _is_overdue(row.day, TaskState(row.state), row.submitted_on, today),
            )
        )
        totals[row.day] = row.total
    for day, total in totals.items():
        days[day].more = total - len(days[day].deadlines)
        count += total
    ordered = list(days.values())
    title = format_skeleton("yMMMM", first, locale=locale)
    return MonthView(
        first=first,
        scope=scope,
        weeks=[ordered[i : i + 7] for i in range(0, len(ordered), 7)],
        weekdays=_weekdays(locale),
        title=title[:1].upper() + title[1:],
        previous=_shift(first, -1),
        next=_shift(first, 1),
        count=count,
    )
