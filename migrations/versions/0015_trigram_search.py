"""trigram index for the task search (PostgreSQL)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 16:20:00

"""
import logging

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite scans the text: the embedded default is small
    # pg_trgm is a trusted extension: the database's owner may create it. Where the
    # tracker's role may not, the search still works, by reading every task's text.
    with bind.begin_nested() as savepoint:
        try:
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except sa.exc.DBAPIError as error:
            savepoint.rollback()
            logger.warning(
                "pg_trgm unavailable (%s): the task search will not be indexed; ask the "
                "database administrator to run CREATE EXTENSION pg_trgm, then "
                "tracker db downgrade 0014 && tracker db upgrade", error.orig
            )
            return
    op.execute(
        "CREATE INDEX ix_tasks_search_trgm ON tasks USING gin (search_text gin_trgm_ops)"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tasks_search_trgm")
