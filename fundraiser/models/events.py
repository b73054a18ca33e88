"""Running events (a city 10K, a marathon, a virtual run) and the causes they support."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundraiser.extensions import db
from fundraiser.models.accounts import User
from fundraiser.models.causes import Cause
from fundraiser.models.columns import UTCDateTime, utcnow

event_causes = Table(
    "event_causes",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("cause_id", ForeignKey("causes.id", ondelete="CASCADE"), primary_key=True),
)


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("distance_m IS NULL OR distance_m > 0", name="event_distance_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    starts_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(160), default="")
    is_virtual: Mapped[bool] = mapped_column(default=False)
    distance_m: Mapped[int | None] = mapped_column(comment="metres")
    description: Mapped[str] = mapped_column(Text, default="")
    is_open: Mapped[bool] = mapped_column(default=True)
    participant_benefit: Mapped[bool] = mapped_column(
        default=False,
        comment="runners get a benefit tied to their fundraising (entry or travel paid, a place for a "
        "minimum raised): HMRC then allows no Gift Aid on gifts from runners or their family",
    )
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organiser: Mapped[User | None] = relationship()
    causes: Mapped[list[Cause]] = relationship(secondary=event_causes, order_by="Cause.name")
