"""accounts: confirmed email, password-reset link, certificates kept after account deletion

Revision ID: 0002_accounts
Revises: 0002_cert
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_accounts'
down_revision = '0002_cert'  # chained after main's migrations when main was merged in
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reset_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reset_sent_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint('fk_certificate_user_id_user', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_certificate_user_id_user'), 'user', ['user_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint('fk_certificate_user_id_user', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_certificate_user_id_user'), 'user', ['user_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('reset_sent_at')
        batch_op.drop_column('reset_token_hash')
        batch_op.drop_column('email_confirmed_at')
