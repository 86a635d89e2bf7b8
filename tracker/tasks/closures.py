"""Closed tasks counted as they close, so reports need not read years of them.

A task closes once — its result accepted (done on time, or done late) or withdrawn — and
never opens again: its lead unit, field and level cannot change after that. So the number
of tasks closed in each local month, per lead unit, field, level and outcome, kept in the
same transaction as each closure, answers "how many were done or withdrawn by the end of
day D" for any D: the months before D's month from these counts, the days of D's own
month from the tasks themselves (``oversight/reports.py``).

``rebuild`` recounts everything from the tasks (the migration that introduced the counts,
and the bulk benchmark load use it); ``tests/test_closures.py`` holds the running counts
to it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tracker.clock import local_date
from tracker.extensions import db
from tracker.tasks.models import ClosedTaskCount, Task, TaskState

DONE_ON_TIME, DONE_LATE, WITHDRAWN = "done_on_time", "done_late", "withdrawn"
CLOSED_OUTCOMES = (DONE_ON_TIME, DONE_LATE, WITHDRAWN)  # the names of their categories too


def month_of(day: date) -> date:
    """Return the first day of the day's month: the counts' unit of time."""
    return day.replace(day=1)


def closed_at(task: Task) -> datetime:
    """Return the moment a closed task closed."""
    return task.completed_at if task.state == TaskState.COMPLETED else task.withdrawn_at


def outcome_of(task: Task) -> str:
    """Return how a closed task ended: judged by the day its accepted result was reported."""
    if task.state == TaskState.WITHDRAWN:
        return WITHDRAWN
    return DONE_ON_TIME if task.completed_on <= task.due_date else DONE_LATE


def outcome_sql() -> sa.ColumnElement[str]:
    """Return the SQL twin of ``outcome_of``, for the tasks already closed."""
    return sa.case(
        (Task.state == TaskState.WITHDRAWN, sa.literal(WITHDRAWN)),
        (Task.completed_on <= Task.due_date, sa.literal(DONE_ON_TIME)),
        else_=sa.literal(DONE_LATE),
    )


def _key(task: Task) -> dict:
    return {
        "month": month_of(local_date(closed_at(task))),
        "lead_unit_id": task.lead_unit_id,
        "field_key": task.field_id or 0,
        "top_level": task.parent_id is None,
        "outcome": outcome_of(task),
    }


def count_closure(task: Task) -> None:
    """Count a task that has just closed (completed or withdrawn), in the caller's transaction."""
    table = ClosedTaskCount.__table__
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(table).values(**_key(task), count=1)
    # Two closures at once in the same month and unit queue on the row, and both count.
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key.columns],
            set_={"count": table.c.count + 1},
        )
    )


def rebuild() -> int:
    """Recount every closed task from the tasks themselves; return how many were counted."""
    counts: Counter = Counter()
    closed = sa.select(Task).where(Task.state.in_([TaskState.COMPLETED, TaskState.WITHDRAWN]))
    # Only the columns the key needs, streamed: a city has a million closed tasks.
    columns = sa.select(
        Task.state,
        Task.completed_at,
        Task.withdrawn_at,
        Task.completed_on,
        Task.due_date,
        Task.lead_unit_id,
        Task.field_id,
        Task.parent_id,
    ).where(closed.whereclause)
    for row in db.session.execute(columns.execution_options(yield_per=20_000)):
        counts[tuple(_key(_Closed(*row)).values())] += 1
    db.session.execute(sa.delete(ClosedTaskCount))
    names = ("month", "lead_unit_id", "field_key", "top_level", "outcome")
    rows = [{**dict(zip(names, key, strict=True)), "count": n} for key, n in counts.items()]
    for start in range(0, len(rows), 5_000):
        db.session.execute(sa.insert(ClosedTaskCount), rows[start : start + 5_000])
    return sum(counts.values())


class _Closed:
    """The few columns of a closed task that its key is made of."""

    __slots__ = (
        "state",
        "completed_at",
        "withdrawn_at",
        "completed_on",
        "due_date",
        "lead_unit_id",
        "field_id",
        "parent_id",
    )

    def __init__(self, *values) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)
