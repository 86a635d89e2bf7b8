"""Closed tasks counted as they close, so reports need not read years of them.

A task closes once — its result accepted (done on time, or done late) or withdrawn — and
never opens again: its lead unit, field, coordinating units and level cannot change after
that. So the number of tasks closed in each year and in each month (local time), per lead
unit, per field and per coordinating unit, by level and outcome, kept in the same
transaction as each closure, answers "how many were done or withdrawn by the end of day D"
for any D: the years before D's year and the months
of D's year before D's month from these counts, the days of D's month from the tasks
themselves (``counting.py``).

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
from tracker.tasks.models import CLOSED_STATES, ClosedTaskCount, Coordination, Task, TaskState

DONE_ON_TIME, DONE_LATE, WITHDRAWN = "done_on_time", "done_late", "withdrawn"
CLOSED_OUTCOMES = (DONE_ON_TIME, DONE_LATE, WITHDRAWN)  # the names of their categories too
# The dimensions the counts are kept in: the lead unit, the field, each coordinating unit.
UNIT, FIELD, COORDINATOR = "unit", "field", "coordinator"
YEAR, MONTH = "year", "month"
KEY_COLUMNS = ("dimension", "period", "starts_on", "key", "top_level", "outcome")


def month_of(day: date) -> date:
    """Return the first day of the day's month."""
    return day.replace(day=1)


def closed_at(task: Task) -> datetime:
    """Return the moment a closed task closed."""
    return task.completed_at if task.state == TaskState.COMPLETED else task.withdrawn_at


def outcome_of(task: Task) -> str:
    """Return how a closed task ended: judged by the day its accepted result was reported."""
    if task.state == TaskState.WITHDRAWN:
        return WITHDRAWN
    on_time = task.completed_on <= task.due_date and not task.late_extension
    return DONE_ON_TIME if on_time else DONE_LATE


def outcome_sql() -> sa.ColumnElement[str]:
    """Return the SQL twin of ``outcome_of``, for the tasks already closed."""
    return sa.case(
        (Task.state == TaskState.WITHDRAWN, sa.literal(WITHDRAWN)),
        (
            sa.and_(Task.completed_on <= Task.due_date, sa.not_(Task.late_extension)),
            sa.literal(DONE_ON_TIME),
        ),
        else_=sa.literal(DONE_LATE),
    )


def _keys(task, coordinators: list[int]) -> list[tuple]:
    """The counts a closed task adds one to, as tuples of KEY_COLUMNS: under its lead unit,
    its field and each coordinating unit, for its year and its month."""
    day = local_date(closed_at(task))
    top_level, outcome = task.parent_id is None, outcome_of(task)
    keyed = [(UNIT, task.lead_unit_id), (FIELD, task.field_id or 0)]
    keyed += [(COORDINATOR, unit_id) for unit_id in coordinators]
    return [
        (dimension, period, starts_on, key, top_level, outcome)
        for dimension, key in keyed
        for period, starts_on in ((YEAR, day.replace(month=1, day=1)), (MONTH, month_of(day)))
    ]


def count_closure(task: Task) -> None:
    """Count a task that has just closed (completed or withdrawn), in the caller's transaction."""
    table = ClosedTaskCount.__table__
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    coordinators = [c.unit_id for c in task.coordinations]
    rows = [
        {**dict(zip(KEY_COLUMNS, key, strict=True)), "count": 1}
        for key in _keys(task, coordinators)
    ]
    statement = module.insert(table).values(rows)
    # Two closures at once in the same period and unit queue on the row, and both count.
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=list(KEY_COLUMNS), set_={"count": table.c.count + 1}
        )
    )


def counted_before(day: date) -> sa.ColumnElement[bool]:
    """Select the counts of the periods that ended before the day's month began: the years
    before its year, and the months of its year before its month."""
    year = day.replace(month=1, day=1)
    table = ClosedTaskCount
    return sa.or_(
        sa.and_(table.period == YEAR, table.starts_on < year),
        sa.and_(table.period == MONTH, table.starts_on >= year, table.starts_on < month_of(day)),
    )


def rebuild() -> int:
    """Recount every closed task from the tasks themselves; return how many were counted."""
    counts: Counter = Counter()
    # Only the columns the keys need, streamed: a city has a million closed tasks.
    columns = sa.select(
        Task.id,
        Task.state,
        Task.completed_at,
        Task.withdrawn_at,
        Task.completed_on,
        Task.due_date,
        Task.late_extension,
        Task.lead_unit_id,
        Task.field_id,
        Task.parent_id,
    ).where(Task.state.in_(CLOSED_STATES))
    closed_ids = sa.select(Task.id).where(columns.whereclause)
    coordinators: dict[int, list[int]] = {}
    for task_id, unit_id in db.session.execute(
        sa.select(Coordination.task_id, Coordination.unit_id).where(
            Coordination.task_id.in_(closed_ids)
        )
    ):
        coordinators.setdefault(task_id, []).append(unit_id)
    closed = 0
    for row in db.session.execute(columns.execution_options(yield_per=20_000)):
        closed += 1
        task = _Closed(*row)
        counts.update(_keys(task, coordinators.get(task.id, [])))
    db.session.execute(sa.delete(ClosedTaskCount))
    rows = [{**dict(zip(KEY_COLUMNS, key, strict=True)), "count": n} for key, n in counts.items()]
    for start in range(0, len(rows), 5_000):
        db.session.execute(sa.insert(ClosedTaskCount), rows[start : start + 5_000])
    return closed


class _Closed:
    """The few columns of a closed task that its keys are made of."""

    __slots__ = (
        "id",
        "state",
        "completed_at",
        "withdrawn_at",
        "completed_on",
        "due_date",
        "late_extension",
        "lead_unit_id",
        "field_id",
        "parent_id",
    )

    def __init__(self, *values) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)
