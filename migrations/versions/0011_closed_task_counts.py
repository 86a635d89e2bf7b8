"""closed task counts, the due date's start, indexes on closure times

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:20:00

"""
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context



# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _zone() -> ZoneInfo:
    name = "Asia/Ho_Chi_Minh"
    if has_app_context():
        name = current_app.config.get("TRACKER_TIMEZONE", name)
    return ZoneInfo(name)


def _utc(value):
    # SQLite hands timestamps back without a zone; they are UTC.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _backfill_due_date_since(bind) -> None:
    bind.execute(sa.text(
        "UPDATE tasks SET due_date_since = (SELECT MAX(d.effective_at) FROM task_deadlines d"
        " WHERE d.task_id = tasks.id) WHERE state <> 'draft'"
    ))


def _backfill_closed_counts(bind) -> None:
    """Count the tasks closed so far, as tracker/tasks/closures.py counts them from now on:
    under the lead unit, the field and each coordinating unit, for the year and the month."""
    zone, counts, coordinators = _zone(), Counter(), {}
    for task_id, unit_id in bind.execute(sa.text(
        "SELECT c.task_id, c.unit_id FROM task_coordinations c JOIN tasks t ON t.id = c.task_id"
        " WHERE t.state IN ('completed', 'withdrawn')"
    )):
        coordinators.setdefault(task_id, []).append(unit_id)
    rows = bind.execute(sa.text(
        "SELECT id, state, completed_at, withdrawn_at, completed_on, due_date, lead_unit_id,"
        " field_id, parent_id FROM tasks WHERE state IN ('completed', 'withdrawn')"
    ))
    for task_id, state, completed_at, withdrawn_at, completed_on, due_date, unit, field, parent in rows:
        closed = _utc(completed_at if state == "completed" else withdrawn_at)
        if state == "withdrawn":
            outcome = "withdrawn"
        else:
            on_time = str(completed_on) <= str(due_date)  # ISO dates compare as text
            outcome = "done_on_time" if on_time else "done_late"
        day = closed.astimezone(zone).date()
        keyed = [("unit", unit), ("field", field or 0)]
        keyed += [("coordinator", unit_id) for unit_id in coordinators.get(task_id, [])]
        for dimension, key in keyed:
            for period, starts_on in (("year", day.replace(month=1, day=1)),
                                      ("month", day.replace(day=1))):
                counts[(dimension, period, starts_on, key, parent is None, outcome)] += 1
    table = sa.table(
        "closed_task_counts",
        sa.column("dimension", sa.String), sa.column("period", sa.String),
        sa.column("starts_on", sa.Date), sa.column("key", sa.Integer),
        sa.column("top_level", sa.Boolean), sa.column("outcome", sa.String),
        sa.column("count", sa.Integer),
    )
    names = ("dimension", "period", "starts_on", "key", "top_level", "outcome")
    values = [{**dict(zip(names, key)), "count": n} for key, n in counts.items()]
    if values:
        op.bulk_insert(table, values)


def upgrade():
    op.create_table('closed_task_counts',
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('key', sa.Integer(), nullable=False),
    sa.Column('top_level', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('dimension', 'period', 'starts_on', 'key', 'top_level', 'outcome', name=op.f('pk_closed_task_counts'))
    )
    # A plain ALTER TABLE: a batch rebuild of tasks fails on the rows that refer to it
    # (see 0007).
    op.add_column('tasks', sa.Column('due_date_since', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_tasks_completed_at', 'tasks', ['completed_at'], unique=False)
    op.create_index('ix_tasks_withdrawn_at', 'tasks', ['withdrawn_at'], unique=False)
    bind = op.get_bind()
    _backfill_due_date_since(bind)
    _backfill_closed_counts(bind)


def downgrade():
    op.drop_index('ix_tasks_withdrawn_at', table_name='tasks')
    op.drop_index('ix_tasks_completed_at', table_name='tasks')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('due_date_since')
    op.drop_table('closed_task_counts')
