"""job run figures (runs, failures, duration, counts) and indexes for the outbox backlog

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('runs', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_duration_ms', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_counts', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))

    # What waits in the outbox, oldest first, read at every /metrics scrape and admin page.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_backlog', ['channel', 'status', 'digest', 'created_at'], unique=False)

    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_backlog', ['status', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_backlog')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_backlog')

    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('last_error')
        batch_op.drop_column('last_failed_at')
        batch_op.drop_column('last_counts')
        batch_op.drop_column('last_duration_ms')
        batch_op.drop_column('failures')
        batch_op.drop_column('runs')
