"""a covering index of the open tasks

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OPEN = "state IN ('issued', 'accepted', 'in_progress', 'submitted')"
COLUMNS = [
    "id", "state", "issued_at", "issued_on", "due_date", "original_due_date", "due_date_since",
    "submitted_on", "completed_at", "completed_on", "withdrawn_at", "last_progress_at",
    "field_id", "document_id", "parent_id", "supervisor_id", "accountable_user_id",
    "assignee_user_id",
]


def upgrade():
    op.create_index(
        'ix_tasks_open', 'tasks', ['lead_unit_id'], unique=False,
        postgresql_include=COLUMNS, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN),
    )


def downgrade():
    op.drop_index('ix_tasks_open', table_name='tasks')
