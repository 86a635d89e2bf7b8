"""the competent authority's decision on a proposal of discipline or transfer

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 23:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'escalation_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('escalation_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=80), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('form', sa.String(length=30), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_decisions_escalation_id_escalations')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_escalation_decisions_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_decisions')),
        sa.UniqueConstraint('escalation_id', name=op.f('uq_escalation_decisions_escalation_id')),
    )


def downgrade():
    op.drop_table('escalation_decisions')
