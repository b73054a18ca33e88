"""Pledge pages, their dated updates, and teams (running clubs)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundraiser.extensions import db
from fundraiser.models.accounts import User
from fundraiser.models.causes import Cause
from fundraiser.models.columns import UTCDateTime, one_of, utcnow
from fundraiser.models.events import Event


class PageStatus(StrEnum):
    DRAFT = "draft"
    # Its runner published it, and the cause approves a new runner's first page first.
    AWAITING_APPROVAL = "awaiting"
    PUBLISHED = "published"


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (CheckConstraint("target_amount > 0", name="team_target_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    captain_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    target_amount: Mapped[int] = mapped_column(comment="integer minor units")
    currency: Mapped[str] = mapped_column(String(3), comment="members' pages must share it")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    captain: Mapped[User] = relationship()
    pages: Mapped[list[PledgePage]] = relationship(back_populates="team")


class PledgePage(db.Model):
    __tablename__ = "pledge_pages"
    __table_args__ = (
        CheckConstraint("target_amount > 0", name="page_target_positive"),
        CheckConstraint("raised_amount >= 0", name="page_raised_not_negative"),
        one_of("status", PageStatus, "page_status"),
        # Listings (an event's or a cause's pages and the home page's, most raised first) read
        # an index range backwards and stop after one page of results, instead of sorting
        # every published page of a cause on each view: the cost stays flat as pages are added.
        Index("ix_pledge_pages_event_listing", "event_id", "status", "raised_amount", "id"),
        Index("ix_pledge_pages_cause_listing", "cause_id", "status", "raised_amount", "id"),
        Index("ix_pledge_pages_listing", "status", "raised_amount", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(140))
    story_markdown: Mapped[str] = mapped_column(Text, default="")
    story_html: Mapped[str] = mapped_column(Text, default="", comment="sanitised render of story_markdown")
    photo_path: Mapped[str | None] = mapped_column(String(255))
    target_amount: Mapped[int] = mapped_column(comment="integer minor units")
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), default=PageStatus.DRAFT)
    show_in_listings: Mapped[bool] = mapped_column(default=True)
    raised_amount: Mapped[int] = mapped_column(default=0, comment="integer minor units; stored total")
    donation_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The runner's name and home address as HMRC's sponsored-event line shows them (optional;
    # without them the page's gifts are claimed one by one under each donor's declaration).
    sponsor_first_name: Mapped[str] = mapped_column(String(35), default="")
    sponsor_last_name: Mapped[str] = mapped_column(String(35), default="")
    sponsor_house_name_or_number: Mapped[str] = mapped_column(String(80), default="")
    sponsor_postcode: Mapped[str] = mapped_column(String(10), default="")

    runner: Mapped[User] = relationship()
    event: Mapped[Event] = relationship()
    cause: Mapped[Cause] = relationship()
    team: Mapped[Team | None] = relationship(back_populates="pages")
    updates: Mapped[list[PageUpdate]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="PageUpdate.posted_at.desc()"
    )

    @property
    def is_published(self) -> bool:
        return self.status == PageStatus.PUBLISHED

    @property
    def is_awaiting_approval(self) -> bool:
        return self.status == PageStatus.AWAITING_APPROVAL


class PageUpdate(db.Model):
    """A dated update the runner posts on their page ("Week 6: first 15K done")."""

    __tablename__ = "page_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pledge_pages.id", ondelete="CASCADE"), index=True)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    page: Mapped[PledgePage] = relationship(back_populates="updates")


class TotalScope(StrEnum):
    EVENT = "event"
    CAUSE = "cause"


class FundraisingTotal(db.Model):
    """Stored totals of paid money for an event or a cause, one row per currency.

    Pages and teams keep theirs in their own row (one currency each). These rows are
    only ever changed with `UPDATE ... SET raised_amount = raised_amount + :delta`.
    """

    __tablename__ = "fundraising_totals"
    __table_args__ = (
        UniqueConstraint("scope", "scope_id", "currency"),
        one_of("scope", TotalScope, "total_scope"),
        CheckConstraint("raised_amount >= 0", name="total_raised_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    scope_id: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    # 64-bit: a cause's total passes 2**31 minor units (£21.5M) long before a million gifts.
    raised_amount: Mapped[int] = mapped_column(BigInteger, default=0, comment="integer minor units")
    donation_count: Mapped[int] = mapped_column(default=0)
