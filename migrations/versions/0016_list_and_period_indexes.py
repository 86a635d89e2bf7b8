"""indexes for the task list's order and the scorecards' period

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 16:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_tasks_due_date_id', 'tasks', ['due_date', 'id'], unique=False)
    op.create_index('ix_tasks_issued_on', 'tasks', ['issued_on'], unique=False)


def downgrade():
    op.drop_index('ix_tasks_issued_on', table_name='tasks')
    op.drop_index('ix_tasks_due_date_id', table_name='tasks')
