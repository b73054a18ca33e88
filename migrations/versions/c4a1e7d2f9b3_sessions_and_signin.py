"""Sessions and sign-in (issue 14): a session version on every user, changed on sign-out and
password change so a copied cookie stops working; failed sign-ins and a back-off per account;
two-factor sign-in (a TOTP secret, and one-time recovery codes kept as hashes).

Revision ID: c4a1e7d2f9b3
Revises: 3f6a1c2d9e47
Create Date: 2026-12-04 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'c4a1e7d2f9b3'
down_revision = '3f6a1c2d9e47'
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
        batch_op.add_column(sa.Column(
            'totp_secret', sa.String(length=32), nullable=True,
            comment="base32 TOTP secret of the person's authenticator app; set while enrolling",
        ))
        batch_op.add_column(sa.Column(
            'totp_enabled_at', sa.DateTime(timezone=True), nullable=True,
            comment='when a code proved the authenticator works: sign-in asks for one from then on',
        ))
        batch_op.create_check_constraint('ck_users_session_version', 'session_version >= 1')
        batch_op.create_check_constraint('ck_users_failed_signins', 'failed_signins >= 0')


    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code_hash'),
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))
    op.drop_table('recovery_codes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
        batch_op.drop_constraint('ck_users_failed_signins', type_='check')
        batch_op.drop_constraint('ck_users_session_version', type_='check')
        batch_op.drop_column('signin_blocked_until')
        batch_op.drop_column('failed_signins')
        batch_op.drop_column('session_version')
