"""Sessions and sign-in (issue 14): a session version on every user, changed on sign-out and
password change so a copied cookie stops working; failed sign-ins and a back-off per account.

Revision ID: c4a1e7d2f9b3
Revises: 81c06dfcebbe
Create Date: 2026-12-04 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'c4a1e7d2f9b3'
down_revision = '81c06dfcebbe'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'session_version', sa.Integer(), server_default='1', nullable=False,
            comment='named by every session cookie; changed on sign-out and password change, which ends them all',
        ))
        batch_op.add_column(sa.Column(
            'failed_signins', sa.Integer(), server_default='0', nullable=False,
            comment='wrong passwords since the last sign-in or reset',
        ))
        batch_op.add_column(sa.Column(
            'signin_blocked_until', sa.DateTime(timezone=True), nullable=True,
            comment='no sign-in before this (exponential back-off after wrong passwords)',
        ))
        batch_op.create_check_constraint('ck_users_session_version', 'session_version >= 1')
        batch_op.create_check_constraint('ck_users_failed_signins', 'failed_signins >= 0')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('ck_users_failed_signins', type_='check')
        batch_op.drop_constraint('ck_users_session_version', type_='check')
        batch_op.drop_column('signin_blocked_until')
        batch_op.drop_column('failed_signins')
        batch_op.drop_column('session_version')
