"""Counting tasks by category as of a day, for lists, the home page and the reports.

A city's tasks are mostly closed, and only the open ones need classifying as of a day. So
every count is the sum of two: the tasks that may have been open at the end of the day
(found through the state and the closure times, then classified one by one in SQL), and
the tasks closed by then (done on time, done late, withdrawn: their outcome never changes).
Closed tasks are counted from the running monthly counts (``closures.py``) for the months
before the day's month and from the tasks for the days of that month — when the counts
can answer the question (the reader sees every task, and filters only by unit or field);
otherwise from the tasks themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.clock import local_midnight
from tracker.extensions import db
from tracker.tasks.classification import (
    AsOf,
    category_from,
    closed_by_sql,
    closed_since_sql,
    due_sql,
    last_report_sql,
    open_now_sql,
)
from tracker.tasks.closures import (
    CLOSED_OUTCOMES,
    COORDINATOR,
    FIELD,
    UNIT,
    counted_before,
    month_of,
    outcome_sql,
)
from tracker.tasks.models import ClosedTaskCount, Task


def count_if(condition) -> sa.ColumnElement[int]:
    """Return a column counting the rows that meet the condition."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def tally(columns: list, where: list, groups: dict) -> dict[str, dict]:
    """Count ``columns`` in each group (name → grouping column, None for the whole set):
    {name: {key: [values…]}}, in one query with GROUPING SETS on PostgreSQL, one query per
    group on SQLite."""
    found: dict[str, dict] = {name: {} for name in groups}
    if db.session.get_bind().dialect.name != "postgresql":
        for name, column in groups.items():
            keys = [column] if column is not None else []
            query = sa.select(*keys, *columns).where(*where)
            for row in db.session.execute(query.group_by(*keys) if keys else query):
                found[name][row[0] if keys else None] = [int(v or 0) for v in row[len(keys) :]]
        return found
    keyed = [(name, column) for name, column in groups.items() if column is not None]
    whole = next((name for name, column in groups.items() if column is None), None)
    sets = [sa.tuple_(c) if c is not None else sa.text("()") for c in groups.values()]
    flags = [sa.func.grouping(column) for _name, column in keyed]
    query = sa.select(*(c for _n, c in keyed), *flags, *columns).where(*where)
    width = len(keyed)
    for row in db.session.execute(query.group_by(sa.func.grouping_sets(*sets))):
        values = [int(v or 0) for v in row[2 * width :]]
        # GROUPING() is 0 for the column a row is grouped by, 1 for the others.
        grouped = [k for k in range(width) if row[width + k] == 0]
        if grouped:
            found[keyed[grouped[0]][0]][row[grouped[0]]] = values
        elif whole is not None:
            found[whole][None] = values
    return found


def added(*tallies: dict) -> dict[str, dict]:
    """Return the sum of tallies, group by group and key by key."""
    total: dict[str, dict] = {}
    for counted in tallies:
        for name, rows in counted.items():
            into_group = total.setdefault(name, {})
            for key, values in rows.items():
                into = into_group.setdefault(key, [0] * len(values))
                for k, value in enumerate(values):
                    into[k] += value
    return total


# The columns a task's category is worked out from.
FACTS = (
    Task.state,
    Task.issued_at,
    Task.withdrawn_at,
    Task.completed_at,
    Task.completed_on,
    Task.submitted_on,
    Task.late_extension,
)


def classified(
    days: list[AsOf], where: list, keep: dict, *, last_report: AsOf | None = None
) -> sa.Subquery:
    """Return the tasks meeting ``where`` with, for each day k, their due date in force
    ("due_k") and category ("category_k"), and the latest report before ``last_report``
    ("last_report"), each worked out once per row.

    Both levels are fenced (OFFSET 0), so the database does not copy the long expressions
    into every count that reads them: a dashboard counts a city's open tasks several ways.
    """
    facts = (
        sa.select(
            *(column.label(name) for name, column in keep.items()),
            *FACTS,
            # Not yet issued that day: no due date to look up (the category says draft).
            *(
                sa.case((Task.issued_at >= day.end_of_day, None), else_=due_sql(day)).label(
                    f"due_{k}"
                )
                for k, day in enumerate(days)
            ),
            *([last_report_sql(last_report).label("last_report")] if last_report else []),
        )
        .where(*where)
        .offset(0)
        .subquery()
    )
    return (
        sa.select(
            facts,
            *(
                category_from(facts.c, facts.c[f"due_{k}"], day).label(f"category_{k}")
                for k, day in enumerate(days)
            ),
        )
        .offset(0)
        .subquery()
    )


def open_tally(
    measure: Callable[[sa.Subquery], list],
    where: list,
    groups: dict,
    days: list[AsOf],
    *,
    last_report: AsOf | None = None,
) -> dict[str, dict]:
    """Tally the tasks that may have been open on some of the ``days``: ``measure`` gives
    the counts from the classified rows (see ``classified``).

    They are read in two parts, the tasks open now (from the index of open tasks alone)
    and those closed since the first day, so that each part uses its own index; the counts
    must add up."""
    keep = {name: column for name, column in groups.items() if column is not None}
    found = []
    for part in (open_now_sql(days[-1]), closed_since_sql(days[0], days[-1])):
        rows = classified(days, [*where, part], keep, last_report=last_report)
        by = {name: (rows.c[name] if col is not None else None) for name, col in groups.items()}
        found.append(tally(measure(rows), [], by))
    return added(*found)


@dataclass(frozen=True)
class CountedGroup:
    """A grouping of tasks, and the dimension of the running counts that has it, if any."""

    task_column: object  # a Task column, or None for the whole set
    dimension: str | None = None  # UNIT or FIELD (None: the whole set, or not counted)
    counted_key: Callable = staticmethod(lambda key: key)  # counts' key → task's key


WHOLE = CountedGroup(None)


@dataclass(frozen=True)
class CountedFilter:
    """A narrowing of the tasks said of the running counts: a lead unit or a field (not
    both: the counts keep each dimension apart), and only the tasks of the top level."""

    unit_id: int | None = None
    field_id: int | None = None
    coordinator_id: int | None = None  # the tasks this unit coordinates
    top_level: bool = False

    @property
    def keys(self) -> dict[str, int]:
        keys = {UNIT: self.unit_id, FIELD: self.field_id, COORDINATOR: self.coordinator_id}
        return {dimension: key for dimension, key in keys.items() if key is not None}

    @property
    def dimension(self) -> str | None:
        return next(iter(self.keys), None)

    def answers(self, group: CountedGroup) -> bool:
        """Tell whether the counts can give this grouping under this narrowing."""
        if len(self.keys) > 1:
            return False
        if group.task_column is None:
            return True
        return group.dimension is not None and self.dimension in (None, group.dimension)


def _counted(day: AsOf, groups: dict[str, CountedGroup], narrowed: CountedFilter) -> dict:
    """Sum the running counts of the periods before the day's month, per group."""
    table = ClosedTaskCount
    columns = [
        sa.func.coalesce(sa.func.sum(sa.case((table.outcome == name, table.count))), 0)
        for name in CLOSED_OUTCOMES
    ]
    by_dimension: dict[str, dict] = {}
    for name, group in groups.items():
        dimension = group.dimension or narrowed.dimension or FIELD
        by_dimension.setdefault(dimension, {})[name] = (
            table.key if group.task_column is not None else None
        )
    found: dict[str, dict] = {}
    for dimension, keyed in by_dimension.items():
        where = [table.dimension == dimension, counted_before(day.day)]
        if narrowed.top_level:
            where.append(table.top_level)
        if narrowed.dimension == dimension:
            where.append(table.key == narrowed.keys[dimension])
        found.update(tally(columns, where, keyed))
    return {
        name: {groups[name].counted_key(key): values for key, values in rows.items()}
        for name, rows in found.items()
    }


@dataclass(frozen=True)
class ClosedPart:
    """A part of a set of tasks (the parts of a set never overlap), with what the running
    counts know of it (None: they cannot count it)."""

    where: list
    counted: CountedFilter | None = None


def closed_tally(
    day: AsOf, groups: dict[str, CountedGroup], where: list, counted: CountedFilter | None
) -> dict[str, dict]:
    """Count the tasks done on time, done late and withdrawn by the end of the day, per
    group. ``where`` narrows the tasks; ``counted`` is the same narrowing said of the
    running counts, or None when they cannot say it (then the tasks are read instead)."""
    columns = [count_if(outcome_sql() == outcome) for outcome in CLOSED_OUTCOMES]
    task_groups = {name: group.task_column for name, group in groups.items()}
    if counted is None or not all(counted.answers(g) for g in groups.values()):
        return tally(columns, [closed_by_sql(day), *where], task_groups)
    this_month = tally(
        columns,
        [closed_by_sql(day, since=local_midnight(month_of(day.day))), *where],
        task_groups,
    )
    return added(_counted(day, groups, counted), this_month)
