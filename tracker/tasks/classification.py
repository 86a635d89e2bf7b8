"""How reports classify a task as of a date, the way Vietnamese task trackers do.

The rule is written twice on purpose, side by side: once as SQL (for lists, counts and
reports, so no page loads every task into Python) and once in Python (for one task
already in hand). ``tests/test_classification.py`` holds them to the same answers.

As of a local date D:
- not yet issued on D → ``draft``; withdrawn by the end of D → ``withdrawn``;
- completed (result accepted) by the end of D → ``done_on_time`` when the accepted
  result was reported on or before the due date and no extension it was granted had been
  asked after the due date then in force (``Task.late_extension``: a late request does not
  erase the lateness), else ``done_late`` (for ever: a finished task's due date can no
  longer change);
- otherwise in progress: ``overdue`` when the due date is before D — or, for a result
  awaiting review, before the day it was reported — else ``on_track``;
- ``due_soon``: on track, not yet reported, and due within the next
  ``DUE_SOON_WORKING_DAYS`` working days.

The due date is the one in force on D: an extension granted after D does not make the
task look on time on D (the history is in ``TaskDeadline``).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from tracker.calendar.services import WorkingCalendar, load_calendar
from tracker.clock import local_midnight, today
from tracker.tasks.models import OPEN_STATES, ProgressUpdate, Stage, Task, TaskDeadline, TaskState
from tracker.text import N_


class Category(enum.StrEnum):
    DRAFT = "draft"
    ON_TRACK = "on_track"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    WITHDRAWN = "withdrawn"


CATEGORY_LABELS = {
    Category.DRAFT: N_("Dự thảo"),
    Category.ON_TRACK: N_("Đang thực hiện trong hạn"),
    Category.OVERDUE: N_("Đang thực hiện quá hạn"),
    Category.DONE_ON_TIME: N_("Hoàn thành đúng hạn"),
    Category.DONE_LATE: N_("Hoàn thành quá hạn"),
    Category.WITHDRAWN: N_("Đã thu hồi"),
}


# Where a task is in its life, shown beside its category (tasks.models.Stage).
STAGE_LABELS = {
    Stage.DRAFT: N_("Dự thảo"),
    Stage.AWAITING_ACCEPTANCE: N_("Chờ tiếp nhận"),
    Stage.IN_PROGRESS: N_("Đang thực hiện"),
    Stage.RETURNED: N_("Bị trả lại"),
    Stage.AWAITING_REVIEW: N_("Chờ đánh giá"),
    Stage.COMPLETED: N_("Hoàn thành"),
    Stage.WITHDRAWN: N_("Đã thu hồi"),
}


@dataclass(frozen=True)
class AsOf:
    """A report date and the two boundaries derived from it."""

    day: date
    end_of_day: datetime  # the first instant of the next local day, in UTC
    due_soon_until: date

    @classmethod
    def of(cls, day: date, calendar: WorkingCalendar, due_soon_days: int | None = None) -> AsOf:
        if due_soon_days is None:
            due_soon_days = current_app.config["DUE_SOON_WORKING_DAYS"]
        return cls(
            day=day,
            end_of_day=local_midnight(day + timedelta(days=1)),
            due_soon_until=calendar.add_working_days(day, due_soon_days),
        )


def as_of(day: date | None = None) -> AsOf:
    """Return the report date (today by the app's clock when none is given) with its
    boundaries in the working calendar: the one way every page and report reads it."""
    return AsOf.of(day or today(), load_calendar())


# The expressions below are built once per report date and then shared by every statement
# that uses them (SQLAlchemy expressions are immutable): a page classifies in a dozen
# statements, and building the long CASE each time cost more than some of the queries.
_EXPRESSIONS_KEPT = 64


@functools.lru_cache(maxsize=_EXPRESSIONS_KEPT)
def due_sql(as_of: AsOf) -> sa.ColumnElement[date]:
    """Return the SQL expression of each task's due date as it stood at the end of the day."""
    in_force = (
        sa.select(TaskDeadline.due_date)
        .where(TaskDeadline.task_id == Task.id, TaskDeadline.effective_at < as_of.end_of_day)
        .order_by(TaskDeadline.effective_at.desc(), TaskDeadline.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # Only an extended task has more than one due date, and only one whose current due
    # date took effect after the report date had another then: the others need no lookup,
    # which keeps reports as of today free of any per-row subquery.
    return sa.case(
        (Task.due_date == Task.original_due_date, Task.due_date),
        (Task.due_date_since < as_of.end_of_day, Task.due_date),
        else_=sa.func.coalesce(in_force, Task.due_date),
    )


def due_date_of(task: Task, as_of: AsOf) -> date | None:
    """Return one loaded task's due date as it stood at the end of the day (mirrors due_sql)."""
    since = task.due_date_since
    if task.due_date == task.original_due_date or (since and since < as_of.end_of_day):
        return task.due_date
    in_force = [d for d in task.deadlines if d.effective_at < as_of.end_of_day]
    if not in_force:
        return task.due_date
    return max(in_force, key=lambda d: (d.effective_at, d.id)).due_date


def _judged_on_sql(row, as_of: AsOf) -> sa.ColumnElement[date]:
    reported = sa.and_(
        row.state.in_([TaskState.SUBMITTED, TaskState.COMPLETED]),
        row.submitted_on <= as_of.day,
    )
    return sa.case((reported, row.submitted_on), else_=sa.literal(as_of.day, sa.Date))


def category_from(row, due, as_of: AsOf) -> sa.ColumnElement[str]:
    """Return the category as of ``as_of.day`` of rows whose columns are ``row``'s (the
    task's own, or a subquery's) and whose due date in force is ``due``."""
    return sa.case(
        (
            sa.or_(row.state == TaskState.DRAFT, row.issued_at >= as_of.end_of_day),
            sa.literal(Category.DRAFT.value),
        ),
        (
            sa.and_(row.state == TaskState.WITHDRAWN, row.withdrawn_at < as_of.end_of_day),
            sa.literal(Category.WITHDRAWN.value),
        ),
        (
            sa.and_(row.state == TaskState.COMPLETED, row.completed_at < as_of.end_of_day),
            sa.case(
                (
                    sa.and_(row.completed_on <= due, sa.not_(row.late_extension)),
                    sa.literal(Category.DONE_ON_TIME.value),
                ),
                else_=sa.literal(Category.DONE_LATE.value),
            ),
        ),
        (due < _judged_on_sql(row, as_of), sa.literal(Category.OVERDUE.value)),
        else_=sa.literal(Category.ON_TRACK.value),
    )


@functools.lru_cache(maxsize=_EXPRESSIONS_KEPT)
def category_sql(as_of: AsOf) -> sa.ColumnElement[str]:
    """Return the SQL expression giving each task's category as of ``as_of.day``."""
    return category_from(Task, due_sql(as_of), as_of)


def due_soon_from(row, category, due, as_of: AsOf) -> sa.ColumnElement[bool]:
    """Return the due-soon condition of rows with this category and due date in force."""
    return sa.and_(
        category == Category.ON_TRACK.value,
        row.state != TaskState.SUBMITTED,
        due <= as_of.due_soon_until,
    )


def last_report_sql(day: AsOf) -> sa.ColumnElement:
    """Return each task's latest progress report before the end of the report day."""
    before = (
        sa.select(sa.func.max(ProgressUpdate.created_at))
        .where(ProgressUpdate.task_id == Task.id, ProgressUpdate.created_at < day.end_of_day)
        .scalar_subquery()
    )
    # The task keeps its latest report's time: only a report made after the day needs a
    # lookup (reports as of today need none).
    return sa.case(
        (Task.last_progress_at.is_(None), None),
        (Task.last_progress_at < day.end_of_day, Task.last_progress_at),
        else_=before,
    )


def open_now_sql(last: AsOf) -> sa.ColumnElement[bool]:
    """Select the tasks open now that were issued by the end of the day (the index of open
    tasks, ix_tasks_open, answers this alone)."""
    return sa.and_(Task.state.in_(OPEN_STATES), Task.issued_at < last.end_of_day)


def closed_since_sql(first: AsOf, last: AsOf | None = None) -> sa.ColumnElement[bool]:
    """Select the tasks issued by the end of the last day and closed after the end of the
    first: open on the first day, closed since."""
    last = last or first
    return sa.and_(
        Task.issued_at < last.end_of_day,
        sa.or_(
            sa.and_(Task.state == TaskState.COMPLETED, Task.completed_at >= first.end_of_day),
            sa.and_(Task.state == TaskState.WITHDRAWN, Task.withdrawn_at >= first.end_of_day),
        ),
    )


def open_during_sql(first: AsOf, last: AsOf | None = None) -> sa.ColumnElement[bool]:
    """Select the tasks that may have been open at the end of some day from ``first`` to
    ``last`` (issued by the end of the last, not closed before the end of the first): the
    only ones whose category needs working out, found through indexed columns. Counts read
    the two parts apart (counting.open_tally), so that each uses its own index."""
    last = last or first
    return sa.or_(open_now_sql(last), closed_since_sql(first, last))


def closed_by_sql(as_of: AsOf, since: datetime | None = None) -> sa.ColumnElement[bool]:
    """Select the tasks done or withdrawn by the end of the day (and not before ``since``)."""

    def window(column):
        return sa.and_(column < as_of.end_of_day, *([column >= since] if since else []))

    return sa.or_(
        sa.and_(Task.state == TaskState.COMPLETED, window(Task.completed_at)),
        sa.and_(Task.state == TaskState.WITHDRAWN, window(Task.withdrawn_at)),
    )


@functools.lru_cache(maxsize=_EXPRESSIONS_KEPT)
def due_soon_sql(as_of: AsOf) -> sa.ColumnElement[bool]:
    """Return the SQL condition for tasks on track and due within the next few working days."""
    return due_soon_from(Task, category_sql(as_of), due_sql(as_of), as_of)


def category_of(task: Task, as_of: AsOf) -> Category:
    """Return the category of one loaded task as of ``as_of.day`` (mirrors category_sql)."""
    if task.state == TaskState.DRAFT or task.issued_at >= as_of.end_of_day:
        return Category.DRAFT
    if task.state == TaskState.WITHDRAWN and task.withdrawn_at < as_of.end_of_day:
        return Category.WITHDRAWN
    due = due_date_of(task, as_of)
    if task.state == TaskState.COMPLETED and task.completed_at < as_of.end_of_day:
        on_time = task.completed_on <= due and not task.late_extension
        return Category.DONE_ON_TIME if on_time else Category.DONE_LATE
    reported = (
        task.state in (TaskState.SUBMITTED, TaskState.COMPLETED) and task.submitted_on <= as_of.day
    )
    judged_on = task.submitted_on if reported else as_of.day
    return Category.OVERDUE if due < judged_on else Category.ON_TRACK


def is_due_soon(task: Task, as_of: AsOf) -> bool:
    """Tell whether one loaded task is on track and due soon (mirrors due_soon_sql)."""
    return (
        category_of(task, as_of) == Category.ON_TRACK
        and task.state != TaskState.SUBMITTED
        and due_date_of(task, as_of) <= as_of.due_soon_until
    )
