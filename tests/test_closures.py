"""The running counts of closed tasks equal a recount from the tasks, whatever happened."""

from __future__ import annotations

import sqlalchemy as sa

from tests.test_oversight import _history
from tracker.extensions import db
from tracker.tasks import closures
from tracker.tasks.models import ClosedTaskCount


def _counts() -> dict:
    rows = db.session.execute(
        sa.select(
            ClosedTaskCount.month,
            ClosedTaskCount.lead_unit_id,
            ClosedTaskCount.field_key,
            ClosedTaskCount.top_level,
            ClosedTaskCount.outcome,
            ClosedTaskCount.count,
        )
    )
    return {tuple(row[:5]): row[5] for row in rows}


def test_each_closure_is_counted_once_as_it_happens(org):
    facts = _history(org)
    running = _counts()
    closed = [f for f in facts if f["done"] or f["withdrawn"]]
    assert sum(running.values()) == len(closed) > 0
    outcomes = {key[4] for key in running}
    assert outcomes <= {"done_on_time", "done_late", "withdrawn"} and len(outcomes) >= 2
    assert closures.rebuild() == len(closed)
    assert _counts() == running
