"""sub-tasks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 07:20:15.494437

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Not batch mode: rebuilding "tasks" on SQLite trips over the rows that refer to it.
    # SQLite adds a column with its (named) foreign key in one ALTER TABLE.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE tasks ADD COLUMN parent_id INTEGER "
            "CONSTRAINT fk_tasks_parent_id_tasks REFERENCES tasks (id)"
        )
    else:
        op.add_column("tasks", sa.Column("parent_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_tasks_parent_id_tasks"), "tasks", "tasks", ["parent_id"], ["id"]
        )
    op.add_column(
        "tasks", sa.Column("weight", sa.Integer(), server_default="1", nullable=False)
    )
    op.create_index(op.f("ix_tasks_parent_id"), "tasks", ["parent_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_tasks_parent_id"), table_name="tasks")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("weight")
        batch_op.drop_column("parent_id")
