"""the sweep's own clock, and a record of each check of the audit chain

The sweep remembered its last run in a row of job_runs, the scheduler's table, and the
audit chain's last check was kept there too: each now has a table of the feature it
belongs to (reminders, audit), so those features no longer depend on the job runner.
Every check of the chain is kept, not only the last.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 20:00:00

"""
import json

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

job_runs = sa.table(
    'job_runs',
    sa.column('name', sa.String),
    sa.column('last_started_at', sa.DateTime(timezone=True)),
    sa.column('last_finished_at', sa.DateTime(timezone=True)),
    sa.column('last_result', sa.Text),
)


def upgrade():
    sweep_clock = op.create_table(
        'sweep_clock',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_swept_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sweep_clock')),
    )
    checks = op.create_table(
        'audit_chain_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('checked_by', sa.String(length=80), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('checked', sa.Integer(), nullable=False),
        sa.Column('head_seq', sa.Integer(), nullable=False),
        sa.Column('broken_seq', sa.Integer(), nullable=True),
        sa.Column('broken_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_checks')),
    )
    op.create_index('ix_audit_chain_checks_started_at', 'audit_chain_checks', ['started_at'])
    connection = op.get_bind()
    clock = connection.execute(
        sa.select(job_runs.c.last_finished_at).where(job_runs.c.name == 'sweep-clock')
    ).scalar()
    if clock is not None:
        op.bulk_insert(sweep_clock, [{'id': 1, 'last_swept_at': clock}])
    last = connection.execute(
        sa.select(job_runs).where(job_runs.c.name == 'audit_verify')
    ).first()
    if last is not None and last.last_result and last.last_started_at:
        try:
            result = json.loads(last.last_result)
        except ValueError:
            result = None
        if isinstance(result, dict) and 'ok' in result:
            op.bulk_insert(checks, [{
                'started_at': last.last_started_at,
                'finished_at': last.last_finished_at or last.last_started_at,
                'checked_by': str(result.get('by') or 'system')[:80],
                'ok': bool(result['ok']),
                'checked': int(result.get('checked') or 0),
                'head_seq': int(result.get('head_seq') or 0),
                'broken_seq': result.get('broken_seq'),
                'broken_id': result.get('broken_id'),
                'reason': result.get('reason'),
            }])
    connection.execute(sa.delete(job_runs).where(job_runs.c.name == 'sweep-clock'))


def downgrade():
    connection = op.get_bind()
    clock = connection.execute(sa.text('SELECT last_swept_at FROM sweep_clock')).scalar()
    if clock is not None:
        connection.execute(
            sa.insert(job_runs).values(name='sweep-clock', last_finished_at=clock)
        )
    op.drop_index('ix_audit_chain_checks_started_at', table_name='audit_chain_checks')
    op.drop_table('audit_chain_checks')
    op.drop_table('sweep_clock')
