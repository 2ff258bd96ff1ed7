"""instructor workspace: reflection word counts, attempt content versions, indexes for reports

Revision ID: 0002_instructor
Revises: 0001
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0002_instructor'
down_revision = '0001'
branch_labels = None
depends_on = None

WORD = re.compile(r"\w+(?:['’\-]\w+)*")  # the same rule as course_app.content.render.word_count


def upgrade():
    with op.batch_alter_table('reflection') as batch:
        batch.add_column(sa.Column('word_count', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('quiz_attempt') as batch:
        batch.add_column(sa.Column('content_version', sa.String(length=80), nullable=True))
    op.create_index('ix_lesson_progress_user_last_seen', 'lesson_progress', ['user_id', 'last_seen_at'])
    op.create_index('ix_lesson_progress_module_user', 'lesson_progress',
                    ['module_id', 'user_id', 'completed_at', 'lesson_id'])
    op.create_index('ix_reflection_module_words', 'reflection', ['module_id', 'user_id', 'reflection_id', 'word_count'])
    op.create_index('ix_quiz_attempt_module_submitted', 'quiz_attempt', ['module_id', 'submitted_at'])
    op.create_index('ix_evaluation_module_submitted', 'evaluation', ['module_id', 'submitted_at'])
    op.create_index('ix_certificate_completed_on', 'certificate', ['completed_on'])
    op.create_index('ix_certificate_kind_subject', 'certificate', ['kind', 'subject_id'])
    _count_existing_words()


def _count_existing_words():
    """Fill word_count for reflections written before the column existed."""
    connection = op.get_bind()
    reflection = sa.table('reflection', sa.column('id', sa.Integer), sa.column('text', sa.Text),
                          sa.column('word_count', sa.Integer))
    rows = connection.execute(sa.select(reflection.c.id, reflection.c.text)).all()
    for row_id, text in rows:
        connection.execute(reflection.update().where(reflection.c.id == row_id)
                           .values(word_count=len(WORD.findall(text or ""))))


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
    with op.batch_alter_table('reflection') as batch:
        batch.drop_column('word_count')
