"""Gift Aid claims HMRC accepts (issue 13): an event says whether runners get a benefit tied to
their fundraising (then gifts from runners and their family are not claimable), a declaration
records whether the donor said they are family of the runner, and a pledge page may hold the
runner's name and home address for HMRC's sponsored-event line.

Revision ID: 3f6a1c2d9e47
Revises: 3f7a2c91d5e0
Create Date: 2026-12-04 03:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3f6a1c2d9e47"
down_revision = "3f7a2c91d5e0"
branch_labels = None
depends_on = None

BENEFIT_COMMENT = (
    "runners get a benefit tied to their fundraising (entry or travel paid, a place for a "
    "minimum raised): HMRC then allows no Gift Aid on gifts from runners or their family"
)
FAMILY_COMMENT = "the donor said they are family of the runner (asked on benefit events only)"
SPONSOR_COLUMNS = (
    ("sponsor_first_name", 35),
    ("sponsor_last_name", 35),
    ("sponsor_house_name_or_number", 80),
    ("sponsor_postcode", 10),
)


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "participant_benefit",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment=BENEFIT_COMMENT,
            )
        )
    with op.batch_alter_table("gift_aid_declarations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_runner_family",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment=FAMILY_COMMENT,
            )
        )
    with op.batch_alter_table("pledge_pages", schema=None) as batch_op:
        for name, length in SPONSOR_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=""))
    # The defaults only filled the existing rows; the models set the values from now on.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column(
            "participant_benefit",
            server_default=None,
            existing_type=sa.Boolean(),
            existing_nullable=False,
            existing_comment=BENEFIT_COMMENT,
        )
    with op.batch_alter_table("gift_aid_declarations", schema=None) as batch_op:
        batch_op.alter_column(
            "is_runner_family",
            server_default=None,
            existing_type=sa.Boolean(),
            existing_nullable=False,
            existing_comment=FAMILY_COMMENT,
        )
    with op.batch_alter_table("pledge_pages", schema=None) as batch_op:
        for name, length in SPONSOR_COLUMNS:
            batch_op.alter_column(
                name, server_default=None, existing_type=sa.String(length=length), existing_nullable=False
            )


def downgrade():
    with op.batch_alter_table("pledge_pages", schema=None) as batch_op:
        for name, _length in reversed(SPONSOR_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("gift_aid_declarations", schema=None) as batch_op:
        batch_op.drop_column("is_runner_family")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("participant_benefit")
