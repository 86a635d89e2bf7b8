"""a proposal of discipline names its form, its severity and the competent authority
(Nghị định 172/2025/NĐ-CP)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 23:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('escalation_conclusions') as batch:
        batch.add_column(sa.Column('discipline_form', sa.String(length=30), nullable=True))
        batch.add_column(sa.Column('severity', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('competent_authority', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('escalation_conclusions') as batch:
        batch.drop_column('competent_authority')
        batch.drop_column('severity')
        batch.drop_column('discipline_form')
