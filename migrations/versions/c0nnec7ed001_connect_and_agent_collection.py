"""Payouts to each charity (issue 12): a cause's connected Stripe account and its state,
its platform fee, whether the operator collects as its agent; each donation's connected
account and platform fee; payouts an agent recorded.

Revision ID: c0nnec7ed001
Revises: f192a2bd9ad1
Create Date: 2026-12-04 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0nnec7ed001'
down_revision = 'f192a2bd9ad1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('causes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('collected_by_agent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('stripe_account_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('stripe_charges_enabled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('stripe_payouts_enabled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('stripe_details_submitted', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('stripe_requirements_due', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('stripe_disabled_reason', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('stripe_account_seen_at', sa.Integer(), nullable=False, server_default='0',
                                      comment='unix seconds: when Stripe stated the account state held here'))
        batch_op.add_column(sa.Column('platform_fee_bps', sa.Integer(), nullable=False, server_default='0',
                                      comment='basis points of each charge kept by the platform (application_fee_amount)'))
        batch_op.create_unique_constraint(batch_op.f('uq_causes_stripe_account_id'), ['stripe_account_id'])
        batch_op.create_check_constraint('cause_platform_fee_bounds', 'platform_fee_bps >= 0 AND platform_fee_bps <= 10000')

    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_account_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('platform_fee_amount', sa.Integer(), nullable=False, server_default='0',
                                      comment="integer minor units: the platform's application_fee_amount"))
        batch_op.create_check_constraint(
            'donation_platform_fee_bounds', 'platform_fee_amount >= 0 AND platform_fee_amount <= charged_amount'
        )
        # The dashboard's covering index covers the platform fee too.
        batch_op.drop_index('ix_donations_cause_paid_report')
        batch_op.create_index('ix_donations_cause_paid_report', ['cause_id', 'paid_at', 'status', 'currency', 'amount', 'refunded_amount', 'disputed_amount', 'fee_cover_amount', 'charged_amount', 'platform_fee_amount', 'event_id', 'page_id', 'team_id', 'donor_email', 'donor_user_id', 'is_company'], unique=False)

    op.create_table(
        'agent_payouts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cause_id', sa.Integer(), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False, comment='integer minor units'),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('bank_reference', sa.String(length=80), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount > 0', name='agent_payout_amount_positive'),
        sa.ForeignKeyConstraint(['cause_id'], ['causes.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('agent_payouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agent_payouts_cause_id'), ['cause_id'], unique=False)


def downgrade():
    with op.batch_alter_table('agent_payouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agent_payouts_cause_id'))
    op.drop_table('agent_payouts')
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_index('ix_donations_cause_paid_report')
        batch_op.create_index('ix_donations_cause_paid_report', ['cause_id', 'paid_at', 'status', 'currency', 'amount', 'refunded_amount', 'disputed_amount', 'fee_cover_amount', 'charged_amount', 'event_id', 'page_id', 'team_id', 'donor_email', 'donor_user_id', 'is_company'], unique=False)
        batch_op.drop_constraint('donation_platform_fee_bounds', type_='check')
        batch_op.drop_column('platform_fee_amount')
        batch_op.drop_column('stripe_account_id')
    with op.batch_alter_table('causes', schema=None) as batch_op:
        batch_op.drop_constraint('cause_platform_fee_bounds', type_='check')
        batch_op.drop_constraint(batch_op.f('uq_causes_stripe_account_id'), type_='unique')
        for column in ('platform_fee_bps', 'stripe_account_seen_at', 'stripe_disabled_reason',
                       'stripe_requirements_due', 'stripe_details_submitted', 'stripe_payouts_enabled',
                       'stripe_charges_enabled', 'stripe_account_id', 'collected_by_agent'):
            batch_op.drop_column(column)
