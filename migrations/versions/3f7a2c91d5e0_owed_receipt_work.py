"""Owed receipt work: the transactional outbox of receipts (issue 12). A payment, a refund or a
new receipt writes a row in its own transaction; the job that does the work deletes it; `flask
receipts sweep-owed` does the work of rows older than a minute (their job was lost).

Revision ID: 3f7a2c91d5e0
Revises: 5e1c0a7d2b94
Create Date: 2026-12-04 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f7a2c91d5e0'
down_revision = '5e1c0a7d2b94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('owed_work',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('owed_since', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('receipt', 'correction', 'email')", name='owed_work_kind'),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'donation_id', name='uq_owed_work_once')
    )
    with op.batch_alter_table('owed_work', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owed_work_owed_since'), ['owed_since'], unique=False)


def downgrade():
    with op.batch_alter_table('owed_work', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owed_work_owed_since'))

    op.drop_table('owed_work')
