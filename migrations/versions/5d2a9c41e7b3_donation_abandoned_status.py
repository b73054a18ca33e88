"""Donations may be `abandoned`: pending (or failed) for over a day, their PaymentIntent
cancelled at Stripe by `flask donations abandon-stale` (issue 12). The status CHECK is
rebuilt from DonationStatus.

Revision ID: 5d2a9c41e7b3
Revises: 81c06dfcebbe
Create Date: 2026-12-04 03:35:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d2a9c41e7b3'
down_revision = '81c06dfcebbe'
branch_labels = None
depends_on = None

WITH_ABANDONED = "status IN ('pending', 'paid', 'failed', 'refunded', 'abandoned')"
WITHOUT_ABANDONED = "status IN ('pending', 'paid', 'failed', 'refunded')"


def upgrade():
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_constraint('donation_status', type_='check')
        batch_op.create_check_constraint('donation_status', WITH_ABANDONED)


def downgrade():
    # An abandoned donation was never paid: back to `failed`, the nearest older status.
    op.execute("UPDATE donations SET status = 'failed' WHERE status = 'abandoned'")
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_constraint('donation_status', type_='check')
        batch_op.create_check_constraint('donation_status', WITHOUT_ABANDONED)
