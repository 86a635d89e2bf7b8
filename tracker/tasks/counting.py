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
from tracker.tasks.classification import AsOf, closed_by_sql
from tracker.tasks.closures import CLOSED_OUTCOMES, month_of, outcome_sql
from tracker.tasks.models import ClosedTaskCount


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


@dataclass(frozen=True)
class CountedGroup:
    """A grouping of tasks, with its twin in the running counts when it has one."""

    task_column: object  # a Task column, or None for the whole set
    counted_column: object = None  # the ClosedTaskCount column, or None
    counted_key: Callable = staticmethod(lambda key: key)  # counts' key → task's key


WHOLE = CountedGroup(None)


def closed_tally(
    day: AsOf, groups: dict[str, CountedGroup], where: list, counted_where: list | None
) -> dict[str, dict]:
    """Count the tasks done on time, done late and withdrawn by the end of the day, per
    group. ``where`` narrows the tasks; ``counted_where`` is the same narrowing said of the
    running counts, or None when they cannot say it (then the tasks are read instead)."""
    columns = [count_if(outcome_sql() == outcome) for outcome in CLOSED_OUTCOMES]
    task_groups = {name: group.task_column for name, group in groups.items()}
    usable = counted_where is not None and all(
        g.counted_column is not None or g.task_column is None for g in groups.values()
    )
    if not usable:
        return tally(columns, [closed_by_sql(day), *where], task_groups)
    month = month_of(day.day)
    counted = tally(
        [
            sa.func.coalesce(
                sa.func.sum(sa.case((ClosedTaskCount.outcome == name, ClosedTaskCount.count))), 0
            )
            for name in CLOSED_OUTCOMES
        ],
        [ClosedTaskCount.month < month, *counted_where],
        {name: group.counted_column for name, group in groups.items()},
    )
    counted = {
        name: {groups[name].counted_key(key): values for key, values in rows.items()}
        for name, rows in counted.items()
    }
    this_month = tally(
        columns, [closed_by_sql(day, since=local_midnight(month)), *where], task_groups
    )
    return added(counted, this_month)
