"""Card-testing defences (issue 14): donations count their card attempts (at most 3, checked
in the database too); a cause may set its smallest gift per currency (never below Stripe's
minimum, checked) and hold a new runner's first page for approval (page status `awaiting`).

Revision ID: 5e1c0a7d2b94
Revises: 5d2a9c41e7b3
Create Date: 2026-12-04 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# Stripe's minimum charge per currency when this revision was written (donations/amounts.py).
SMALLEST_GIFT_CHECK = (
    "(currency = 'GBP' AND amount >= 30) OR (currency = 'USD' AND amount >= 50) OR "
    "(currency = 'CAD' AND amount >= 50) OR (currency = 'EUR' AND amount >= 50) OR "
    "(currency = 'AUD' AND amount >= 50) OR (currency = 'JPY' AND amount >= 50)"
)

# revision identifiers, used by Alembic.
revision = '5e1c0a7d2b94'
down_revision = '5d2a9c41e7b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'card_attempts',
                sa.Integer(),
                server_default='0',
                nullable=False,
                comment="cards the donor tried on this donation's PaymentIntent",
            )
        )
        batch_op.create_check_constraint(
            'donation_card_attempts_bounds', 'card_attempts >= 0 AND card_attempts <= 3'
        )

    with op.batch_alter_table('causes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'approves_first_pages',
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
                comment="a new runner's first page waits for a charity admin's approval before it takes gifts",
            )
        )

    op.create_table(
        'cause_smallest_gifts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cause_id', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False, comment='integer minor units'),
        sa.CheckConstraint(SMALLEST_GIFT_CHECK, name='smallest_gift_at_least_stripe_minimum'),
        sa.ForeignKeyConstraint(['cause_id'], ['causes.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('cause_id', 'currency'),
    )

    with op.batch_alter_table('pledge_pages', schema=None) as batch_op:
        batch_op.drop_constraint('page_status', type_='check')
        batch_op.create_check_constraint('page_status', "status IN ('draft', 'awaiting', 'published')")


def downgrade():
    op.execute("UPDATE pledge_pages SET status = 'draft' WHERE status = 'awaiting'")
    with op.batch_alter_table('pledge_pages', schema=None) as batch_op:
        batch_op.drop_constraint('page_status', type_='check')
        batch_op.create_check_constraint('page_status', "status IN ('draft', 'published')")
    op.drop_table('cause_smallest_gifts')
    with op.batch_alter_table('causes', schema=None) as batch_op:
        batch_op.drop_column('approves_first_pages')
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_constraint('donation_card_attempts_bounds', type_='check')
        batch_op.drop_column('card_attempts')
