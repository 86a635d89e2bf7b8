"""the task sent back for more work; each notice's kind; comments on tasks; files on comments, extension requests, results
and directive documents

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 22:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('returned', sa.Boolean(), server_default=sa.false(), nullable=False))
    # A task in progress whose latest review returned its result was sent back for more work.
    op.execute(
        "UPDATE tasks SET returned = true WHERE state IN ('accepted', 'in_progress') AND EXISTS ("
        "SELECT 1 FROM reviews WHERE reviews.task_id = tasks.id AND reviews.accepted = false "
        "AND reviews.id = (SELECT max(id) FROM reviews AS latest WHERE latest.task_id = tasks.id))"
    )
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=40), server_default='', nullable=False))
    # The notices sent so far are the sweep's: their kind is their notice's.
    op.execute(
        "UPDATE notifications SET kind = (SELECT reminders.kind FROM reminders "
        "WHERE notifications.key = 'reminder:' || reminders.id) WHERE key LIKE 'reminder:%'"
    )
    op.execute("UPDATE notifications SET kind = 'escalation' WHERE key LIKE 'escalation:%'")
    op.create_table(
        'task_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_task_comments_author_id_users')),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_comments_task_id_tasks'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_comments')),
    )
    op.create_index('ix_task_comments_task_created', 'task_comments', ['task_id', 'created_at'])
    with op.batch_alter_table('evidence_files') as batch:
        batch.alter_column('task_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('comment_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('extension_request_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('review_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_evidence_files_comment_id_task_comments'), 'task_comments', ['comment_id'], ['id'])
        batch.create_foreign_key(op.f('fk_evidence_files_extension_request_id_extension_requests'), 'extension_requests', ['extension_request_id'], ['id'])
        batch.create_foreign_key(op.f('fk_evidence_files_review_id_reviews'), 'reviews', ['review_id'], ['id'])
        batch.create_foreign_key(op.f('fk_evidence_files_document_id_source_documents'), 'source_documents', ['document_id'], ['id'])
        batch.create_index(op.f('ix_evidence_files_comment_id'), ['comment_id'])
        batch.create_index(op.f('ix_evidence_files_extension_request_id'), ['extension_request_id'])
        batch.create_index(op.f('ix_evidence_files_review_id'), ['review_id'])
        batch.create_index(op.f('ix_evidence_files_document_id'), ['document_id'])


def downgrade():
    with op.batch_alter_table('evidence_files') as batch:
        for name in ('document_id', 'review_id', 'extension_request_id', 'comment_id'):
            batch.drop_index(op.f(f'ix_evidence_files_{name}'))
        batch.drop_constraint(op.f('fk_evidence_files_document_id_source_documents'), type_='foreignkey')
        batch.drop_constraint(op.f('fk_evidence_files_review_id_reviews'), type_='foreignkey')
        batch.drop_constraint(op.f('fk_evidence_files_extension_request_id_extension_requests'), type_='foreignkey')
        batch.drop_constraint(op.f('fk_evidence_files_comment_id_task_comments'), type_='foreignkey')
        for name in ('document_id', 'review_id', 'extension_request_id', 'comment_id'):
            batch.drop_column(name)
    op.execute('DELETE FROM evidence_files WHERE task_id IS NULL')
    with op.batch_alter_table('evidence_files') as batch:
        batch.alter_column('task_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index('ix_task_comments_task_created', table_name='task_comments')
    op.drop_table('task_comments')
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('kind')
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('returned')
