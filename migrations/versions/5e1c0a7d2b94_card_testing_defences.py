"""Card-testing defences (issue 14): donations count their card attempts (at most 3, checked
in the database too).

Revision ID: 5e1c0a7d2b94
Revises: 81c06dfcebbe
Create Date: 2026-12-04 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1c0a7d2b94'
down_revision = '81c06dfcebbe'
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


def downgrade():
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_constraint('donation_card_attempts_bounds', type_='check')
        batch_op.drop_column('card_attempts')
