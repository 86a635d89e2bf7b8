"""indexes of a person's tasks by lead unit, and of closing times by state

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 17:20:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

COMPLETED = sa.text("state = 'completed'")
WITHDRAWN = sa.text("state = 'withdrawn'")


def upgrade():
    # A person's tasks led by another unit (a unit head's "my work") are a range of these.
    op.drop_index('ix_tasks_accountable_user_id', table_name='tasks')
    op.drop_index('ix_tasks_assignee_user_id', table_name='tasks')
    op.create_index(
        'ix_tasks_accountable_user_lead_unit', 'tasks', ['accountable_user_id', 'lead_unit_id']
    )
    op.create_index(
        'ix_tasks_assignee_user_lead_unit', 'tasks', ['assignee_user_id', 'lead_unit_id']
    )
    # "Closed after a day" names the state with the time: a partial index answers both, so
    # the planner no longer ANDs in the bitmap of every completed task.
    op.drop_index('ix_tasks_completed_at', table_name='tasks')
    op.drop_index('ix_tasks_withdrawn_at', table_name='tasks')
    op.create_index(
        'ix_tasks_completed_at', 'tasks', ['completed_at'],
        postgresql_where=COMPLETED, sqlite_where=COMPLETED,
    )
    op.create_index(
        'ix_tasks_withdrawn_at', 'tasks', ['withdrawn_at'],
        postgresql_where=WITHDRAWN, sqlite_where=WITHDRAWN,
    )


def downgrade():
    op.drop_index('ix_tasks_withdrawn_at', table_name='tasks')
    op.drop_index('ix_tasks_completed_at', table_name='tasks')
    op.create_index('ix_tasks_withdrawn_at', 'tasks', ['withdrawn_at'])
    op.create_index('ix_tasks_completed_at', 'tasks', ['completed_at'])
    op.drop_index('ix_tasks_assignee_user_lead_unit', table_name='tasks')
    op.drop_index('ix_tasks_accountable_user_lead_unit', table_name='tasks')
    op.create_index('ix_tasks_assignee_user_id', 'tasks', ['assignee_user_id'])
    op.create_index('ix_tasks_accountable_user_id', 'tasks', ['accountable_user_id'])
