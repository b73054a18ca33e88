"""A cause is a charity, with the details its receipts and reports need."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundraiser.countries import CAUSE_COUNTRY_CODES
from fundraiser.donations.amounts import MINIMUM_AMOUNTS
from fundraiser.extensions import db
from fundraiser.models.columns import UTCDateTime, sql_list, utcnow


class Cause(db.Model):
    __tablename__ = "causes"
    __table_args__ = (
        CheckConstraint(f"country IN ({sql_list(CAUSE_COUNTRY_CODES)})", name="cause_country"),
        CheckConstraint(
            "platform_fee_bps >= 0 AND platform_fee_bps <= 10000", name="cause_platform_fee_bounds"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    legal_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    registration_number: Mapped[str] = mapped_column(String(40))
    default_currency: Mapped[str] = mapped_column(String(3))
    address: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/London")
    website: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    logo_path: Mapped[str | None] = mapped_column(String(255))
    signatory_name: Mapped[str] = mapped_column(String(120), default="")
    signature_path: Mapped[str | None] = mapped_column(String(255))
    approves_first_pages: Mapped[bool] = mapped_column(
        default=False,
        server_default=sa_false(),
        comment="a new runner's first page waits for a charity admin's approval before it takes gifts",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # How the money reaches the charity. PAYMENTS_MODE=single: the platform's Stripe account
    # takes the gift, as the charity itself or (collected_by_agent) as the charity's agent,
    # who pays it on. PAYMENTS_MODE=connect: the charity's own Stripe account takes it
    # (direct charges), in the state Stripe last told us (account.updated, or a retrieve).
    collected_by_agent: Mapped[bool] = mapped_column(default=False)
    stripe_account_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_charges_enabled: Mapped[bool] = mapped_column(default=False)
    stripe_payouts_enabled: Mapped[bool] = mapped_column(default=False)
    stripe_details_submitted: Mapped[bool] = mapped_column(default=False)
    stripe_requirements_due: Mapped[list] = mapped_column(JSON, default=list)
    stripe_disabled_reason: Mapped[str] = mapped_column(String(100), default="")
    stripe_account_seen_at: Mapped[int] = mapped_column(
        default=0, comment="unix seconds: when Stripe stated the account state held here"
    )
    platform_fee_bps: Mapped[int] = mapped_column(
        default=0, comment="basis points of each charge kept by the platform (application_fee_amount)"
    )

    smallest_gifts: Mapped[list[SmallestGift]] = relationship(cascade="all, delete-orphan")
    impact_units: Mapped[list[ImpactUnit]] = relationship(
        back_populates="cause", cascade="all, delete-orphan", order_by="ImpactUnit.amount"
    )

    @property
    def smallest_gift_amounts(self) -> dict[str, int]:
        """The cause's own smallest gifts, minor units by currency (others take the default)."""
        return {row.currency: row.amount for row in self.smallest_gifts}


class ImpactUnit(db.Model):
    """ "£5 provides one hot meal": `amount` (minor units) of `currency` funds one `label`."""

    __tablename__ = "impact_units"
    __table_args__ = (CheckConstraint("amount > 0", name="impact_unit_amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(comment="integer minor units")
    currency: Mapped[str] = mapped_column(String(3))
    singular: Mapped[str] = mapped_column(String(80))
    plural: Mapped[str] = mapped_column(String(80))
    verb: Mapped[str] = mapped_column(String(40), default="provides")

    cause: Mapped[Cause] = relationship(back_populates="impact_units")


def _at_least_stripe_minimum() -> str:
    """CHECK: a known currency, and an amount Stripe can charge in it."""
    return " OR ".join(
        f"(currency = '{code}' AND amount >= {least})" for code, least in MINIMUM_AMOUNTS.items()
    )


class SmallestGift(db.Model):
    """The smallest gift a cause takes in one currency, when it is not the default (amounts.py)."""

    __tablename__ = "cause_smallest_gifts"
    __table_args__ = (
        UniqueConstraint("cause_id", "currency"),
        CheckConstraint(_at_least_stripe_minimum(), name="smallest_gift_at_least_stripe_minimum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(comment="integer minor units")


class AgentPayout(db.Model):
    """Money the operator, collecting as the charity's agent (single mode), paid on to the
    charity: recorded by a platform admin so both sides can reconcile against the bank."""

    __tablename__ = "agent_payouts"
    __table_args__ = (CheckConstraint("amount > 0", name="agent_payout_amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id", ondelete="CASCADE"), index=True)
    paid_on: Mapped[date]
    amount: Mapped[int] = mapped_column(comment="integer minor units")
    currency: Mapped[str] = mapped_column(String(3))
    bank_reference: Mapped[str] = mapped_column(String(80))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
