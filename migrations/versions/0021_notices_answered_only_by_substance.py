"""when the task's notices were last answered in substance

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 23:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('last_answered_at', sa.DateTime(timezone=True), nullable=True))
    # Until now every progress report counted as an answer: keep what was counted so.
    op.execute("UPDATE tasks SET last_answered_at = last_progress_at")


def downgrade():
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('last_answered_at')
