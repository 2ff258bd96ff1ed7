"""instructor workspace: attempt content versions, indexes for reports

Revision ID: 0002_instructor
Revises: 0002_cert
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_instructor'
down_revision = '0002_accounts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempt') as batch:
        batch.add_column(sa.Column('content_version', sa.String(length=80), nullable=True))
    op.create_index('ix_lesson_progress_user_last_seen', 'lesson_progress', ['user_id', 'last_seen_at'])
    op.create_index('ix_lesson_progress_module_user', 'lesson_progress',
                    ['module_id', 'user_id', 'completed_at', 'lesson_id', 'active_seconds', 'first_opened_at'])
    op.create_index('ix_reflection_module_words', 'reflection', ['module_id', 'user_id', 'reflection_id', 'words'])
    op.create_index('ix_quiz_attempt_module_submitted', 'quiz_attempt', ['module_id', 'submitted_at'])
    op.create_index('ix_evaluation_module_submitted', 'evaluation', ['module_id', 'submitted_at'])
    op.create_index('ix_certificate_completed_on', 'certificate', ['completed_on'])
    op.create_index('ix_certificate_kind_subject', 'certificate', ['kind', 'subject_id'])


def downgrade():
    op.drop_index('ix_certificate_kind_subject', table_name='certificate')
    op.drop_index('ix_certificate_completed_on', table_name='certificate')
    op.drop_index('ix_evaluation_module_submitted', table_name='evaluation')
    op.drop_index('ix_quiz_attempt_module_submitted', table_name='quiz_attempt')
    op.drop_index('ix_reflection_module_words', table_name='reflection')
    op.drop_index('ix_lesson_progress_module_user', table_name='lesson_progress')
    op.drop_index('ix_lesson_progress_user_last_seen', table_name='lesson_progress')
    with op.batch_alter_table('quiz_attempt') as batch:
        batch.drop_column('content_version')
