"""Closed tasks counted as they close: the running counts equal a recount, and every count
read partly from them equals classifying each task one by one."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from tests.test_oversight import _history
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.tasks import closures, queries
from tracker.tasks.classification import AsOf, category_of, is_due_soon
from tracker.tasks.models import ClosedTaskCount, Task
from tracker.tasks.permissions import visible_tasks_clause
from tracker.tasks.queries import TaskFilters


def _counts() -> dict:
    columns = [getattr(ClosedTaskCount, name) for name in closures.KEY_COLUMNS]
    rows = db.session.execute(sa.select(*columns, ClosedTaskCount.count))
    return {tuple(row[:-1]): row[-1] for row in rows}


def test_each_closure_is_counted_once_as_it_happens(org):
    facts = _history(org)
    running = _counts()
    closed = [f for f in facts if f["done"] or f["withdrawn"]]
    # Each closure is counted per unit, per field and per coordinating unit, for its year
    # and its month.
    coordinating = sum(len(f["task"].coordinations) for f in closed)
    assert sum(running.values()) == 2 * (2 * len(closed) + coordinating) > 0
    outcomes = {key[5] for key in running}
    assert outcomes <= {"done_on_time", "done_late", "withdrawn"} and len(outcomes) >= 2
    assert closures.rebuild() == len(closed)
    assert _counts() == running


@pytest.mark.parametrize("day", [date(2026, 10, 9), date(2026, 11, 10), date(2026, 12, 31)])
def test_list_counts_equal_each_task_classified_one_by_one(org, day):
    # The office's counts come partly from the running counts, a unit head's and a text
    # search's from the tasks: all of them agree with classifying every task in Python.
    _history(org)
    at = AsOf.of(day, load_calendar())
    cases = [
        (org.inspector, TaskFilters()),
        (org.inspector, TaskFilters(unit_id=org.dept_a.id)),
        (org.assigner, TaskFilters(field_id=org.field.id)),
        (org.inspector, TaskFilters(q="nhiem vu 1")),
        (org.head_a, TaskFilters()),
        (org.head_b, TaskFilters()),  # its own tasks and those it coordinates
        (org.staff_b, TaskFilters(category="overdue")),
    ]
    for user, filters in cases:
        visible = db.session.scalars(
            sa.select(Task).where(visible_tasks_clause(user), *queries._filtered(user, filters))
        ).all()
        expected = Counter(category_of(task, at).value for task in visible)
        expected["due_soon"] = sum(1 for task in visible if is_due_soon(task, at))
        page = queries.search_tasks(user, filters, at)
        assert page.counts == {name: n for name, n in expected.items() if n}, filters
        assert page.total == (expected[filters.category] if filters.category else len(visible))
