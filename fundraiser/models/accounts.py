"""People: everyone who signs up is a runner; some also administer causes or organise events."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundraiser.extensions import db
from fundraiser.models._common import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_event_organiser: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cause_memberships: Mapped[list[CauseAdmin]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def administered_cause_ids(self) -> set[int]:
        return {membership.cause_id for membership in self.cause_memberships}


class CauseAdmin(db.Model):
    """A charity admin belongs to one or more causes."""

    __tablename__ = "cause_admins"
    __table_args__ = (UniqueConstraint("user_id", "cause_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(back_populates="cause_memberships")
