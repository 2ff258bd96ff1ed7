"""certificates freeze approval, signer credentials and an audit record; post-test attempts keep active time

Revision ID: 0002_cert
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0002_cert'
down_revision = '0002_perf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active_seconds', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rules', sa.JSON(), nullable=True))
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signer_credentials', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('approval_status', sa.String(length=20), server_default='approved',
                                      nullable=False))
        batch_op.add_column(sa.Column('ceu_label', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('activity_number', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('delivery_format', sa.String(length=80),
                                      server_default='Distance Learning - Independent', nullable=False))
        batch_op.add_column(sa.Column('audit', sa.JSON(), nullable=True))
    # Certificates issued before this revision claimed CEUs under the label they printed.
    op.execute("UPDATE certificate SET ceu_label = 'AOTA CEUs'")


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        for name in ('audit', 'delivery_format', 'activity_number', 'ceu_label', 'approval_status',
                     'signer_credentials'):
            batch_op.drop_column(name)
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        for name in ('rules', 'last_heartbeat_at', 'active_seconds'):
            batch_op.drop_column(name)
