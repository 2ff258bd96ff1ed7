"""reflection word counts stored with the text (pages count words without loading every text)

Revision ID: 0002_perf
Revises: 0001
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0002_perf'
down_revision = '0001'
branch_labels = None
depends_on = None

WORD = re.compile(r"\w+(?:['’\-]\w+)*")  # course_app.content.render.word_count, frozen here


def upgrade():
    with op.batch_alter_table('reflection') as batch:
        batch.add_column(sa.Column('words', sa.Integer(), server_default='0', nullable=False))
    reflection = sa.table('reflection', sa.column('id', sa.Integer), sa.column('text', sa.Text),
                          sa.column('words', sa.Integer))
    connection = op.get_bind()
    for row_id, text in connection.execute(sa.select(reflection.c.id, reflection.c.text)).all():
        connection.execute(reflection.update().where(reflection.c.id == row_id)
                           .values(words=len(WORD.findall(text or ""))))


def downgrade():
    with op.batch_alter_table('reflection') as batch:
        batch.drop_column('words')
