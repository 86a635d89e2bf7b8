"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tracker.dbtypes import include_in_autogenerate
from tracker.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_in_autogenerate}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_the_schema_is_at_the_latest_revision(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Config

    config = Config()
    config.set_main_option("script_location", app.extensions["migrate"].directory)
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head


def _insert(table: str, **values) -> None:
    """Insert a row with the given values, every other required column filled with a
    placeholder of its type (the schema of an older revision has no models to lean on)."""
    import sqlalchemy as sa

    placeholders = {"INTEGER": 0, "BOOLEAN": 0, "DATE": "2026-01-01", "DATETIME": "2026-01-01"}
    row = dict(values)
    for _, name, kind, notnull, default, primary in db.session.execute(
        sa.text(f"PRAGMA table_info({table})")
    ):
        if notnull and default is None and not primary and name not in row:
            row[name] = placeholders.get(kind.split("(")[0].upper(), "x")
    names = ", ".join(row)
    db.session.execute(
        sa.text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in row)})"), row
    )


def test_upgrading_an_old_sqlite_file_keeps_every_row_and_recounts_late_extensions(tmp_path):
    """From 0019 to the head and back on a file with data: SQLite's table rebuilds lose no
    row that refers to a task; 0024 marks the task extended on a late request and moves it
    from "on time" to "late" in the closed counts, while one asked in time stays on time."""
    import pytest
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from tests.conftest import POSTGRES_URL, _app_for

    if POSTGRES_URL:
        pytest.skip("the data migration is rehearsed on a SQLite file of its own")
    app = _app_for(f"sqlite:///{tmp_path / 'm.sqlite3'}", tmp_path)
    with app.app_context():
        upgrade(revision="0019")
        _insert("units", id=1, code="S", name="Sở", kind="department")
        _insert("users", id=1, username="u", full_name="U", unit_id=1, email_mode="none")
        # Both due 16/11, extended to 30/11, done 25/11: one asked on 20/11 (late), one on
        # 10/11 (in time).
        for task_id, asked in ((1, "2026-11-20 03:00:00"), (2, "2026-11-10 03:00:00")):
            _insert(
                "tasks", id=task_id, lead_unit_id=1, state="completed", created_by_id=1,
                completed_at="2026-11-25 03:00:00", completed_on="2026-11-25",
                due_date="2026-11-30", priority="normal",
            )  # fmt: skip
            _insert(
                "extension_requests", task_id=task_id, requested_by_id=1, requested_at=asked,
                current_due_date="2026-11-16", new_due_date="2026-11-30", status="approved",
            )  # fmt: skip
        for dimension, key in (("unit", 1), ("field", 0)):
            for period, starts in (("year", "2026-01-01"), ("month", "2026-11-01")):
                _insert(
                    "closed_task_counts", dimension=dimension, period=period, starts_on=starts,
                    key=key, top_level=1, outcome="done_on_time", count=2,
                )  # fmt: skip
        db.session.commit()
        upgrade(revision="0024")
        # SQLite rebuilt the tasks table on the way: the rows that refer to it are all there.
        requests = db.session.execute(sa.text("SELECT count(*) FROM extension_requests"))
        assert requests.scalar() == 2
        flags = dict(db.session.execute(sa.text("SELECT id, late_extension FROM tasks")).all())
        assert {k: bool(v) for k, v in flags.items()} == {1: True, 2: False}
        counts = db.session.execute(
            sa.text(
                "SELECT outcome, count FROM closed_task_counts"
                " WHERE dimension = 'unit' AND period = 'month'"
            )
        ).all()
        assert sorted(counts) == [("done_late", 1), ("done_on_time", 1)]
        db.session.commit()
        downgrade(revision="0019")  # and back, losing nothing either
        requests = db.session.execute(sa.text("SELECT count(*) FROM extension_requests"))
        assert requests.scalar() == 2
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
