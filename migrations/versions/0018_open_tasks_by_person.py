"""indexes of the open tasks by the person accountable and the person carrying them

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 19:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('issued', 'accepted', 'in_progress', 'submitted')")


def upgrade():
    # "My work" counts a person's open tasks: a unit head is accountable for thousands of
    # the unit's tasks over the years, of which a tenth are open.
    op.create_index(
        'ix_tasks_open_accountable', 'tasks', ['accountable_user_id'],
        postgresql_where=OPEN, sqlite_where=OPEN,
    )
    op.create_index(
        'ix_tasks_open_assignee', 'tasks', ['assignee_user_id'],
        postgresql_where=OPEN, sqlite_where=OPEN,
    )


def downgrade():
    op.drop_index('ix_tasks_open_assignee', table_name='tasks')
    op.drop_index('ix_tasks_open_accountable', table_name='tasks')
