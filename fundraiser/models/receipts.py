"""Receipts: numbered without gaps per cause, immutable once issued, voided not edited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundraiser.extensions import db
from fundraiser.models._common import UTCDateTime, utcnow
from fundraiser.models.donations import Donation


class ReceiptCounter(db.Model):
    """The next receipt number of a cause, taken under a row lock so numbers have no gaps."""

    __tablename__ = "receipt_counters"

    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id", ondelete="CASCADE"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Receipt(db.Model):
    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("cause_id", "number"),
        CheckConstraint("amount >= 0", name="receipt_amount_not_negative"),
        CheckConstraint("kind IN ('single', 'annual')", name="receipt_kind"),
        CheckConstraint(
            "email_status IN ('pending', 'sent', 'failed', 'not_needed')", name="receipt_email_status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10), default="single")
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"), index=True)
    donor_email: Mapped[str] = mapped_column(String(254), index=True)
    tax_year: Mapped[int | None]
    amount: Mapped[int] = mapped_column(comment="integer minor units")
    currency: Mapped[str] = mapped_column(String(3))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str] = mapped_column(String(255), default="")
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    email_status: Mapped[str] = mapped_column(String(12), default="pending")
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_error: Mapped[str] = mapped_column(Text, default="")

    donation: Mapped[Donation | None] = relationship()
    replaces: Mapped[Receipt | None] = relationship(remote_side=[id])
