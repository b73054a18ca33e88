"""Thank-you benefits a cause offers its donors (a race T-shirt, an entry to the post-race
dinner): what each is worth, which receipts must state as an advantage or as goods received."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fundraiser.extensions import db
from fundraiser.models.columns import UTCDateTime, utcnow


class Benefit(db.Model):
    """Offered with a gift of at least `min_gift_amount` to the cause (to one of its events
    when `event_id` is set). `fair_market_value` is the good-faith value receipts state."""

    __tablename__ = "benefits"
    __table_args__ = (
        CheckConstraint("fair_market_value > 0", name="benefit_value_positive"),
        CheckConstraint("min_gift_amount > 0", name="benefit_min_gift_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3))
    fair_market_value: Mapped[int] = mapped_column(comment="integer minor units: good-faith value")
    min_gift_amount: Mapped[int] = mapped_column(comment="integer minor units: smallest gift it comes with")
    is_offered: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
