"""Receipts: numbered without gaps per cause, immutable once issued, voided not edited."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundraiser.extensions import db
from fundraiser.models.columns import UTCDateTime, one_of, utcnow
from fundraiser.models.donations import Donation


class ReceiptKind(StrEnum):
    """A receipt for one gift, or a year-end receipt; each kind is its own number series."""

    SINGLE = "single"
    ANNUAL = "annual"


class ReceiptEmailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    NOT_NEEDED = "not_needed"


class ReceiptCounter(db.Model):
    """The last receipt number of a cause in one series ('single' or 'annual'), taken under a
    row lock (UPDATE ... RETURNING) in the transaction that inserts the receipt, so no gaps."""

    __tablename__ = "receipt_counters"
    __table_args__ = (one_of("series", ReceiptKind, "receipt_counter_series"),)

    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id", ondelete="CASCADE"), primary_key=True)
    series: Mapped[str] = mapped_column(String(10), primary_key=True, default=ReceiptKind.SINGLE)
    last_number: Mapped[int] = mapped_column(default=0)


class Receipt(db.Model):
    """One issued receipt. `data` holds the plain values it was rendered from, so a VOID copy
    can be drawn later without reading today's (possibly edited) cause or donation."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("cause_id", "kind", "number"),
        # Singles have no tax_year (NULLs never collide); annuals are one in force per donor
        # per year (a late gift voids the year's receipt and a replacement lists it too).
        Index(
            "uq_receipts_annual_in_force",
            "cause_id",
            "donor_email",
            "tax_year",
            "kind",
            unique=True,
            postgresql_where=text("voided_at IS NULL"),
            sqlite_where=text("voided_at IS NULL"),
        ),
        Index("ix_receipts_cause_gift_tax_year", "cause_id", "gift_tax_year"),
        CheckConstraint("amount >= 0", name="receipt_amount_not_negative"),
        one_of("kind", ReceiptKind, "receipt_kind"),
        one_of("email_status", ReceiptEmailStatus, "receipt_email_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id"))
    number: Mapped[int]
    display_number: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(10), default=ReceiptKind.SINGLE)
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"), index=True)
    donor_email: Mapped[str] = mapped_column(String(254), index=True)
    donor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    tax_year: Mapped[int | None] = mapped_column(comment="annual receipts: the tax year they cover")
    gift_tax_year: Mapped[int | None] = mapped_column(
        comment="single receipts: the tax year of the gift, in the cause's country and timezone"
    )
    amount: Mapped[int] = mapped_column(comment="integer minor units: the amount receipted")
    currency: Mapped[str] = mapped_column(String(3))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str] = mapped_column(String(255), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict, comment="plain values the PDF was drawn from")
    pdf: Mapped[bytes | None] = mapped_column(
        LargeBinary, deferred=True, comment="NULL only while a bulk annual receipt is being drawn"
    )
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    email_status: Mapped[str] = mapped_column(String(12), default=ReceiptEmailStatus.PENDING)
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_error: Mapped[str] = mapped_column(Text, default="")
    email_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    donation: Mapped[Donation | None] = relationship()
    replaces: Mapped[Receipt | None] = relationship(remote_side=[id])


class ReceiptRefusal(db.Model):
    """Why a paid donation has no receipt (a Canadian gift without the donor's address)."""

    __tablename__ = "receipt_refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id", ondelete="CASCADE"), unique=True)
    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OwedWorkKind(StrEnum):
    """Receipt work a committed change owes: the receipt of a new payment, the correction of
    a receipt after a refund, the email of a receipt just issued."""

    RECEIPT = "receipt"
    CORRECTION = "correction"
    EMAIL = "email"


class OwedWork(db.Model):
    """The transactional outbox of receipts: a row is written in the transaction that makes
    the work owed (the payment, the refund, the receipt) and deleted in the transaction that
    does it. A row older than a minute is work whose queued job was lost; `flask receipts
    sweep-owed` does it (receipts/owed.py)."""

    __tablename__ = "owed_work"
    __table_args__ = (
        UniqueConstraint("kind", "donation_id", name="uq_owed_work_once"),
        one_of("kind", OwedWorkKind, "owed_work_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id", ondelete="CASCADE"))
    owed_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
