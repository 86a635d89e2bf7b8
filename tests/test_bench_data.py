"""``tracker bench-data``: a city-like dataset that the application reads as its own."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.conftest import POSTGRES_URL, _app_for, _empty_postgres_tables, database_for
from tracker.audit.services import verify_chain
from tracker.clock import local_midnight
from tracker.demo.benchdata import Scale, load_scale
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.oversight import reports
from tracker.reminders.sweep import run_sweep
from tracker.tasks.clarity import missing_clarity
from tracker.tasks.models import Task
from tracker.tasks.series.services import create_occurrences

TODAY = date(2026, 12, 1)  # a Tuesday
SMALL = Scale(tasks=2_000, units=40, users=120, years=2, seed=7, today=TODAY)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_midnight(day) + timedelta(hours=hour, minutes=minute)


@pytest.fixture(scope="module")
def dataset(migrated_database, tmp_path_factory):
    """One dataset for the module (it takes a few seconds); the tests only read it, or roll
    back what they do."""
    instance = tmp_path_factory.mktemp("bench")
    application = _app_for(database_for(migrated_database, instance, "bench.sqlite3"), instance)
    with application.app_context():
        yield load_scale(SMALL, progress=lambda _text: None)
        db.session.rollback()
        db.session.remove()
        if POSTGRES_URL:
            _empty_postgres_tables()
        db.engine.dispose()


def _count(sql: str) -> int:
    return db.session.execute(sa.text(sql)).scalar_one()


def test_the_dataset_has_the_size_and_the_proportions_of_a_city(dataset):
    assert dataset.counts["tasks"] == SMALL.tasks
    assert _count("SELECT count(*) FROM users") == SMALL.users
    inspector = db.session.scalar(sa.select(User).where(User.username == "bench.thanhtra1"))
    figures = reports.dashboard(inspector, TODAY).total
    open_tasks = figures.on_track + figures.overdue
    assert 0.06 <= open_tasks / SMALL.tasks <= 0.14  # about one in ten open
    assert 0.08 <= figures.overdue / open_tasks <= 0.30  # about one in six of them overdue
    assert figures.done_on_time > 4 * figures.done_late > 0
    assert figures.withdrawn and figures.due_soon and figures.stale
    states = dict(
        db.session.execute(sa.text("SELECT state, count(*) FROM tasks GROUP BY state")).all()
    )
    assert set(states) == {
        "draft", "issued", "accepted", "in_progress", "submitted", "completed", "withdrawn",
    }  # fmt: skip
    for table in (
        "progress_updates", "extension_requests", "reviews", "milestones", "task_coordinations",
        "reminders", "escalations", "escalation_conclusions", "notifications", "task_series",
        "task_groups",
    ):  # fmt: skip
        assert _count(f"SELECT count(*) FROM {table}") > 0, table
    assert _count("SELECT count(*) FROM tasks WHERE parent_id IS NOT NULL") > SMALL.tasks * 0.03
    assert _count("SELECT count(*) FROM tasks WHERE series_id IS NOT NULL") > 0


def test_every_issued_task_is_clear_on_its_5_ro(dataset):
    tasks = db.session.scalars(
        sa.select(Task).where(Task.state != "draft").order_by(Task.id).limit(400)
    ).all()
    for task in tasks:
        assert missing_clarity(task, today=task.issued_on) == {}, task.id


def test_the_organisation_rules_hold_for_every_task(dataset):
    # One accountable person of the lead unit; a sub-task under its parent's lead unit, due
    # no later than its parent; an accepted result no later than today.
    assert not _count(
        "SELECT count(*) FROM tasks t JOIN users u ON u.id = t.accountable_user_id"
        " WHERE u.unit_id <> t.lead_unit_id"
    )
    assert not _count(
        "SELECT count(*) FROM tasks c JOIN tasks p ON p.id = c.parent_id"
        " JOIN units cu ON cu.id = c.lead_unit_id"
        " WHERE cu.parent_id <> p.lead_unit_id OR c.original_due_date > p.original_due_date"
    )
    assert not _count(
        "SELECT count(*) FROM tasks c JOIN tasks p ON p.id = c.parent_id"
        " WHERE p.state = 'completed' AND c.state NOT IN ('completed', 'withdrawn')"
    )
    assert not _count(
        "SELECT count(*) FROM tasks WHERE state <> 'draft' AND (due_date < start_date"
        " OR issued_on > :today)".replace(":today", f"'{TODAY.isoformat()}'")
    )


def test_the_audit_trail_is_one_verified_chain(dataset):
    report = verify_chain()
    assert report.ok, report.reason
    assert report.checked == _count("SELECT count(*) FROM audit_events") > SMALL.tasks * 5


def test_the_notices_are_exactly_those_the_daily_sweep_would_have_sent(dataset):
    # The sweeps up to yesterday evening already ran in the dataset: nothing is missing.
    again = run_sweep(_at(TODAY - timedelta(days=1), 18, 30))
    assert again.total == 0, dict(again.created)
    series = create_occurrences(_at(TODAY, 6, 40))
    assert (series.created, series.failed, series.skipped_past_due) == (0, 0, 0)
    db.session.rollback()
    # Today's sweep has work to do, once.
    first = run_sweep(_at(TODAY, 8, 5))
    assert first.total > 0
    assert run_sweep(_at(TODAY, 9, 5)).total == 0
    db.session.rollback()


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for row in db.session.execute(sa.text("SELECT * FROM tasks ORDER BY id")):
        digest.update(repr(tuple(row)).encode())
    last_hash = db.session.execute(sa.text("SELECT last_hash FROM audit_chain_head")).scalar()
    digest.update(last_hash.encode())
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_rows(dataset, migrated_database, tmp_path):
    first = _fingerprint()
    if POSTGRES_URL:
        pytest.skip("compared on SQLite, where a second empty database is a file copy")
    second_app = _app_for(database_for(migrated_database, tmp_path, "second.sqlite3"), tmp_path)
    with second_app.app_context():
        load_scale(SMALL, progress=lambda _text: None)
        assert _fingerprint() == first
        db.session.remove()
        db.engine.dispose()


def test_a_database_with_data_is_refused(dataset):
    with pytest.raises(ValidationError) as refused:
        load_scale(SMALL, progress=lambda _text: None)
    assert "trống" in refused.value.message
    assert _count("SELECT count(*) FROM tasks") == SMALL.tasks


def test_a_production_instance_is_refused(dataset, monkeypatch):
    monkeypatch.setitem(current_app.config, "TRACKER_ENV", "production")
    with pytest.raises(ValidationError) as refused:
        load_scale(SMALL, progress=lambda _text: None)
    assert "production" in refused.value.message
    assert _count("SELECT count(*) FROM tasks") == SMALL.tasks


def test_sizes_that_cannot_make_a_city_are_refused(dataset):
    with pytest.raises(ValidationError) as refused:
        load_scale(Scale(50, 10, 5, 0, 1, TODAY), progress=lambda _text: None)
    assert set(refused.value.fields) == {"tasks", "units", "users", "years"}
    assert _count("SELECT count(*) FROM users") == SMALL.users
