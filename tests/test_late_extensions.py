"""An extension asked for after the deadline does not erase the lateness (issue 18): the
task counts as done late however it ends; one asked in time and decided late does not."""

from __future__ import annotations

import sqlalchemy as sa

from tests.api_client import api_as
from tests.factories import in_progress_task
from tests.test_reminders import CAL, DUE, at, wd
from tracker.extensions import db
from tracker.tasks import closures, services
from tracker.tasks.classification import AsOf, Category, category_of, category_sql
from tracker.tasks.models import ClosedTaskCount, Task


def _extended_and_done(org, now, *, asked_on, decided_on, done_on):
    """A task due on DUE, extended by ten working days on a request made ``asked_on`` and
    approved ``decided_on``, its result reported and accepted ``done_on``."""
    task = in_progress_task(org, now, due_date=DUE)
    asked = services.request_extension(
        task, actor=org.head_a, now=at(asked_on), new_due_date=wd(DUE, 10),
        reason="Chờ số liệu của các sở",
    )  # fmt: skip
    services.decide_extension(asked, actor=org.assigner, now=at(decided_on), approve=True)
    services.submit_result(task, actor=org.staff_a, now=at(done_on), result="Đã xong")
    services.review_result(task, actor=org.assigner, now=at(done_on, 15), accept=True)
    db.session.commit()
    return task, asked


def _outcomes() -> set[str]:
    return set(db.session.scalars(sa.select(ClosedTaskCount.outcome)))


def test_a_late_request_approved_keeps_the_task_late(client, org, now, clock):
    task, asked = _extended_and_done(
        org, now, asked_on=wd(DUE, 3), decided_on=wd(DUE, 4), done_on=wd(DUE, 6)
    )
    assert task.completed_on <= task.due_date  # within the new date…
    assert category_of(task, AsOf.of(wd(DUE, 7), CAL)) == Category.DONE_LATE  # …and late
    assert _outcomes() == {"done_late"}  # the running counts say so
    closures.rebuild()
    assert _outcomes() == {"done_late"}  # and a recount too
    clock.set(at(wd(DUE, 7)))
    body = api_as(client, org.inspector).get(f"/tasks/{task.id}").get_json()
    assert body["category"] == "done_late" and body["was_overdue"] is True
    assert [r["late_request"] for r in body["extension_requests"]] == [True]


def test_a_request_made_in_time_and_decided_late_is_on_time(client, org, now, clock):
    task, _ = _extended_and_done(
        org, now, asked_on=wd(DUE, -1), decided_on=wd(DUE, 2), done_on=wd(DUE, 6)
    )
    assert category_of(task, AsOf.of(wd(DUE, 7), CAL)) == Category.DONE_ON_TIME
    assert _outcomes() == {"done_on_time"}
    clock.set(at(wd(DUE, 7)))
    body = api_as(client, org.inspector).get(f"/tasks/{task.id}").get_json()
    assert body["was_overdue"] is False
    assert [r["late_request"] for r in body["extension_requests"]] == [False]


def test_between_the_old_date_and_a_late_approval_the_task_is_overdue(org, now):
    task, _ = _extended_and_done(
        org, now, asked_on=wd(DUE, 3), decided_on=wd(DUE, 4), done_on=wd(DUE, 6)
    )
    # As of the day before the approval, the due date in force was still the old one.
    assert category_of(task, AsOf.of(wd(DUE, 3), CAL)) == Category.OVERDUE
    day = AsOf.of(wd(DUE, 3), CAL)
    in_sql = db.session.scalar(sa.select(category_sql(day)).where(Task.id == task.id))
    assert in_sql == Category.OVERDUE.value  # the lists and reports say the same
