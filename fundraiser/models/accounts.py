"""People: everyone who signs up is a runner; some also administer causes or organise events."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundraiser.extensions import db
from fundraiser.models.columns import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("session_version >= 1", name="ck_users_session_version"),
        CheckConstraint("failed_signins >= 0", name="ck_users_failed_signins"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    is_event_organiser: Mapped[bool] = mapped_column(default=False)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="when the person proved the address is theirs (a link we emailed)"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    session_version: Mapped[int] = mapped_column(
        default=1,
        server_default="1",
        comment="named by every session cookie; changed on sign-out and password change, which ends them all",
    )
    failed_signins: Mapped[int] = mapped_column(
        default=0, server_default="0", comment="wrong passwords since the last sign-in or reset"
    )
    signin_blocked_until: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="no sign-in before this (exponential back-off after wrong passwords)"
    )
    totp_secret: Mapped[str | None] = mapped_column(
        String(32), comment="base32 TOTP secret of the person's authenticator app; set while enrolling"
    )
    totp_enabled_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="when a code proved the authenticator works: sign-in asks for one from then on"
    )

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    cause_memberships: Mapped[list[CauseAdmin]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def has_confirmed_email(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def password_fingerprint(self) -> str:
        """Changes whenever the password does; reveals nothing of the hash."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:20]

    def get_id(self) -> str:
        """What the session cookie names: the user and their session version, so signing out
        or changing the password ends every session, copied cookies included
        (see accounts.services.user_for_session)."""
        return f"{self.id}:{self.session_version}"

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


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app; kept only as a SHA-256 (each
    code is 50 random bits, so no slow hash is needed) and marked when used."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="recovery_codes")
