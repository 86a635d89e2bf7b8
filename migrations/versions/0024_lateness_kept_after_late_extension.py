"""a task whose extension was asked after its deadline stays late

A task counts as done late when an approved extension was requested after the due date then
in force: an extension asked for too late does not erase the lateness.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 00:00:00

"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('issued', 'accepted', 'in_progress', 'submitted')")
OPEN_COLUMNS = [
    "id", "state", "issued_at", "issued_on", "due_date", "original_due_date", "due_date_since",
    "submitted_on", "completed_at", "completed_on", "withdrawn_at", "last_progress_at",
    "field_id", "document_id", "parent_id", "supervisor_id", "accountable_user_id",
    "assignee_user_id",
]


def _zone() -> ZoneInfo:
    name = "Asia/Ho_Chi_Minh"
    if has_app_context():
        name = current_app.config.get("TRACKER_TIMEZONE", name)
    return ZoneInfo(name)


def _utc(value):
    # SQLite hands timestamps back as text without a zone; they are UTC.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _late_extensions(bind) -> set[int]:
    """The tasks with an approved extension asked after the due date then in force."""
    zone, late = _zone(), set()
    for task_id, requested_at, current_due in bind.execute(sa.text(
        "SELECT task_id, requested_at, current_due_date FROM extension_requests"
        " WHERE status = 'approved'"
    )):
        if str(_utc(requested_at).astimezone(zone).date()) > str(current_due):
            late.add(task_id)
    return late


def _recount(bind, task_ids: set[int]) -> None:
    """Move the completed ones among them from "on time" to "late" in the closed counts."""
    zone = _zone()
    for task_id in task_ids:
        row = bind.execute(sa.text(
            "SELECT state, completed_at, completed_on, due_date, lead_unit_id, field_id,"
            " parent_id FROM tasks WHERE id = :id"
        ), {"id": task_id}).first()
        if row is None or row.state != "completed" or str(row.completed_on) > str(row.due_date):
            continue  # not closed, or counted late already
        day = _utc(row.completed_at).astimezone(zone).date()
        keyed = [("unit", row.lead_unit_id), ("field", row.field_id or 0)]
        keyed += [("coordinator", unit_id) for (unit_id,) in bind.execute(sa.text(
            "SELECT unit_id FROM task_coordinations WHERE task_id = :id"
        ), {"id": task_id})]
        for dimension, key in keyed:
            for period, starts_on in (("year", day.replace(month=1, day=1)),
                                      ("month", day.replace(day=1))):
                where = {"d": dimension, "p": period, "s": starts_on, "k": key,
                         "t": row.parent_id is None}
                match = ("dimension = :d AND period = :p AND starts_on = :s AND key = :k"
                         " AND top_level = :t")
                bind.execute(sa.text(
                    f"UPDATE closed_task_counts SET count = count - 1"
                    f" WHERE {match} AND outcome = 'done_on_time'"
                ), where)
                moved = bind.execute(sa.text(
                    f"UPDATE closed_task_counts SET count = count + 1"
                    f" WHERE {match} AND outcome = 'done_late'"
                ), where)
                if moved.rowcount == 0:
                    bind.execute(sa.text(
                        "INSERT INTO closed_task_counts (dimension, period, starts_on, key,"
                        " top_level, outcome, count) VALUES (:d, :p, :s, :k, :t, 'done_late', 1)"
                    ), where)


def upgrade():
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(
            sa.Column('late_extension', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    bind = op.get_bind()
    late = _late_extensions(bind)
    for task_id in late:
        bind.execute(sa.text("UPDATE tasks SET late_extension = true WHERE id = :id"),
                     {"id": task_id})
    _recount(bind, late)
    # Counting the open tasks reads this index alone: it now carries the new column too.
    op.drop_index('ix_tasks_open', table_name='tasks')
    op.create_index(
        'ix_tasks_open', 'tasks', ['lead_unit_id'], unique=False,
        postgresql_include=[*OPEN_COLUMNS, "late_extension"],
        postgresql_where=OPEN, sqlite_where=OPEN,
    )


def downgrade():
    op.drop_index('ix_tasks_open', table_name='tasks')
    op.create_index(
        'ix_tasks_open', 'tasks', ['lead_unit_id'], unique=False,
        postgresql_include=OPEN_COLUMNS, postgresql_where=OPEN, sqlite_where=OPEN,
    )
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('late_extension')
