"""Benefits and tax receipts (issue 13): thank-you benefits a cause offers with their fair
market value; on a donation the benefit taken, the province or territory of the donor's address
and the CRA "intention to give" record; year-end receipts unique only while in force, so a
late gift voids one and a replacement lists it.

Revision ID: f192a2bd9ad1
Revises: c4a1e7d2f9b3
Create Date: 2026-12-04 03:25:41.781621

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f192a2bd9ad1'
down_revision = 'c4a1e7d2f9b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('benefits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cause_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=120), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('fair_market_value', sa.Integer(), nullable=False, comment='integer minor units: good-faith value'),
    sa.Column('min_gift_amount', sa.Integer(), nullable=False, comment='integer minor units: smallest gift it comes with'),
    sa.Column('is_offered', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('fair_market_value > 0', name='benefit_value_positive'),
    sa.CheckConstraint('min_gift_amount > 0', name='benefit_min_gift_positive'),
    sa.ForeignKeyConstraint(['cause_id'], ['causes.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('benefits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benefits_cause_id'), ['cause_id'], unique=False)

    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('benefit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('intent_to_give_shown', sa.Boolean(), nullable=False, server_default=sa.false(), comment='CRA 80% rule: the charity recorded that the donor meant to give'))
        batch_op.add_column(sa.Column('address_region', sa.String(length=2), nullable=False, server_default='', comment='province or territory (CA), state (US)'))
        batch_op.create_foreign_key('fk_donations_benefit_id', 'benefits', ['benefit_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_receipts_annual_once'), type_='unique')
        batch_op.create_index('uq_receipts_annual_in_force', ['cause_id', 'donor_email', 'tax_year', 'kind'], unique=True, postgresql_where=sa.text('voided_at IS NULL'), sqlite_where=sa.text('voided_at IS NULL'))



def downgrade():
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index('uq_receipts_annual_in_force', postgresql_where=sa.text('voided_at IS NULL'), sqlite_where=sa.text('voided_at IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_receipts_annual_once'), ['cause_id', 'donor_email', 'tax_year', 'kind'])

    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_donations_benefit_id', type_='foreignkey')
        batch_op.drop_column('address_region')
        batch_op.drop_column('intent_to_give_shown')
        batch_op.drop_column('benefit_id')

    with op.batch_alter_table('benefits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benefits_cause_id'))

    op.drop_table('benefits')
