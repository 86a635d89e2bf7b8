"""Classification as of a date, in SQL and in Python, at the edges that matter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from tests.factories import draft_task, in_progress_task
from tracker.calendar.services import load_calendar
from tracker.extensions import db
from tracker.tasks import services
from tracker.tasks.classification import (
    AsOf,
    Category,
    category_of,
    category_sql,
    due_soon_sql,
    is_due_soon,
)
from tracker.tasks.models import Task

DUE = date(2026, 11, 12)  # a Thursday, ten days after the fixtures' "now" (Mon 02/11/2026)


def at(day: date, hour: int = 9) -> datetime:
    """The instant at ``hour`` o'clock in Hà Nội on ``day``."""
    return datetime(day.year, day.month, day.day, hour - 7, tzinfo=UTC)


def category(task: Task, day: date) -> Category:
    """Classify in SQL and in Python; the two must agree."""
    as_of = AsOf.of(day, load_calendar())
    in_sql = db.session.execute(sa.select(category_sql(as_of)).where(Task.id == task.id)).scalar()
    soon_in_sql = db.session.execute(
        sa.select(due_soon_sql(as_of)).where(Task.id == task.id)
    ).scalar()
    db.session.refresh(task)
    assert in_sql == category_of(task, as_of)
    assert bool(soon_in_sql) == is_due_soon(task, as_of)
    return Category(in_sql)


def soon(task: Task, day: date) -> bool:
    category(task, day)  # checks SQL and Python agree
    return is_due_soon(task, AsOf.of(day, load_calendar()))


def _finish(org, task, submitted: date, reviewed: date | None = None):
    services.submit_result(task, actor=org.head_a, now=at(submitted), result="Hoàn thành")
    services.review_result(task, actor=org.assigner, now=at(reviewed or submitted, 15), accept=True)
    db.session.commit()


def test_a_draft_is_a_draft(org, now):
    assert category(draft_task(org, now, due_date=DUE), DUE) == Category.DRAFT


def test_before_its_issue_day_a_task_counts_as_draft(org, now):
    task = in_progress_task(org, now, due_date=DUE)
    assert category(task, date(2026, 11, 1)) == Category.DRAFT
    assert category(task, date(2026, 11, 2)) == Category.ON_TRACK


def test_due_today_is_on_track_and_due_soon(org, now):
    task = in_progress_task(org, now, due_date=DUE)
    assert category(task, DUE) == Category.ON_TRACK
    assert soon(task, DUE)


def test_due_soon_means_within_three_working_days(org, now):
    task = in_progress_task(org, now, due_date=DUE)  # Thursday
    assert soon(task, date(2026, 11, 9))  # Monday: Tue, Wed, Thu
    assert not soon(task, date(2026, 11, 6))  # the Friday before: Mon, Tue, Wed


def test_due_yesterday_is_overdue(org, now):
    task = in_progress_task(org, now, due_date=DUE)
    assert category(task, DUE + timedelta(days=1)) == Category.OVERDUE
    assert not soon(task, DUE + timedelta(days=1))


def test_completed_on_the_due_date_is_done_on_time(org, now):
    task = in_progress_task(org, now, due_date=DUE)
    _finish(org, task, submitted=DUE)
    assert category(task, DUE) == Category.DONE_ON_TIME
    assert category(task, date(2027, 6, 1)) == Category.DONE_ON_TIME


def test_completed_a_day_late_is_done_late_for_ever(org, now):
    task = in_progress_task(org, now, due_date=DUE)
    _finish(org, task, submitted=DUE + timedelta(days=1))
    assert category(task, DUE) == Category.ON_TRACK  # as it stood that day
    assert category(task, DUE + timedelta(days=1)) == Category.DONE_LATE
    assert category(task, date(2030, 1, 1)) == Category.DONE_LATE


def test_a_result_reported_on_time_is_not_late_while_under_review(org, now):
    task = in_progress_task(org, now, due_date=DUE)
    _finish(org, task, submitted=DUE, reviewed=DUE + timedelta(days=4))
    assert category(task, DUE + timedelta(days=2)) == Category.ON_TRACK
    assert category(task, DUE + timedelta(days=4)) == Category.DONE_ON_TIME


def test_completed_after_an_approved_extension_is_on_time_and_shows_the_extension(org, now):
    task = in_progress_task(org, now, due_date=DUE)
    request = services.request_extension(
        task,
        actor=org.head_a,
        now=at(DUE - timedelta(days=2)),
        new_due_date=DUE + timedelta(days=7),
        reason="Chờ ý kiến Bộ",
    )
    services.decide_extension(
        request, actor=org.assigner, now=at(DUE - timedelta(days=1)), approve=True
    )
    db.session.commit()
    assert category(task, DUE + timedelta(days=3)) == Category.ON_TRACK
    _finish(org, task, submitted=DUE + timedelta(days=5))
    assert category(task, DUE + timedelta(days=5)) == Category.DONE_ON_TIME
    assert task.was_extended and task.original_due_date == DUE


def test_a_withdrawn_task_is_withdrawn_from_that_day(org, now):
    task = in_progress_task(org, now, due_date=DUE)
    services.withdraw_task(task, actor=org.assigner, now=at(date(2026, 11, 5)), reason="Trùng")
    db.session.commit()
    assert category(task, date(2026, 11, 4)) == Category.ON_TRACK
    assert category(task, date(2026, 11, 5)) == Category.WITHDRAWN
    assert category(task, DUE + timedelta(days=30)) == Category.WITHDRAWN


def test_counts_per_category_come_from_one_query(org, now):
    late = in_progress_task(org, now, due_date=DUE)
    in_progress_task(org, now, due_date=DUE + timedelta(days=20))
    draft_task(org, now)
    _finish(org, late, submitted=DUE + timedelta(days=2))
    cat = category_sql(AsOf.of(DUE + timedelta(days=3), load_calendar())).label("category")
    counts = dict(db.session.execute(sa.select(cat, sa.func.count()).group_by(cat)).all())
    assert counts == {"done_late": 1, "on_track": 1, "draft": 1}


def test_as_of_a_day_before_an_extension_was_granted_the_old_due_date_counts(org, now):
    task = in_progress_task(org, now, due_date=DUE)
    request = services.request_extension(
        task, actor=org.head_a, now=at(DUE), new_due_date=DUE + timedelta(days=14), reason="Chờ"
    )
    granted = DUE + timedelta(days=4)  # decided four days after the due date had passed
    services.decide_extension(request, actor=org.assigner, now=at(granted), approve=True)
    db.session.commit()
    assert category(task, DUE + timedelta(days=2)) == Category.OVERDUE  # as it stood then
    assert category(task, granted) == Category.ON_TRACK
    _finish(org, task, submitted=DUE + timedelta(days=10))
    assert category(task, DUE + timedelta(days=10)) == Category.DONE_ON_TIME
    assert category(task, DUE + timedelta(days=2)) == Category.OVERDUE
