"""Accounts: creating people, checking passwords, password-reset tokens, roles."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from fundraiser.models import User
from fundraiser.params import MAX_ID, contains_text

RESET_TOKEN_MAX_AGE = 60 * 60  # one hour
RESET_SALT = "password-reset"
CONFIRM_TOKEN_MAX_AGE = 7 * 24 * 60 * 60  # a week
CONFIRM_SALT = "email-confirm"
MIN_PASSWORD_LENGTH = 10
# The roles a platform admin can grant or revoke, by the User column that holds each.
GRANTABLE_ROLES = {"event_organiser": "is_event_organiser", "platform_admin": "is_platform_admin"}
# Checked against this when an email is unknown, so sign-in takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class AccountError(ValueError):
    """A reason a person can act on; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    """scrypt, werkzeug's current default, named so a change of default cannot weaken it."""
    return generate_password_hash(password, method="scrypt")


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use at least {MIN_PASSWORD_LENGTH} characters.", "password")


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(session: Session, *, email: str, name: str, password: str, **flags: bool) -> User:
    """Sign up a runner. Flushes; the caller commits."""
    check_password_rules(password)
    if find_user_by_email(session, email) is not None:
        raise AccountError("An account with this email already exists. Sign in instead?", "email")
    user = User(
        email=normalise_email(email), name=name.strip(), password_hash=hash_password(password), **flags
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_user_by_email(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = hash_password(password)


def mark_email_confirmed(user: User) -> None:
    """The person opened a link we emailed to this address: it is theirs."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = datetime.now(UTC)


def reset_serializer(serializer_class: type[URLSafeTimedSerializer] = URLSafeTimedSerializer):
    return serializer_class(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def confirm_serializer(serializer_class: type[URLSafeTimedSerializer] = URLSafeTimedSerializer):
    return serializer_class(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def make_confirm_token(user: User) -> str:
    """A signed, timed token naming the user and the address it was sent to."""
    return confirm_serializer().dumps({"user": user.id, "email": user.email})


def confirm_email(session: Session, token: str, max_age: int = CONFIRM_TOKEN_MAX_AGE) -> User | None:
    """Mark the address a confirmation token names as confirmed; None for a bad or old token.
    Opening the link again is harmless. Flushes nothing itself; the caller commits."""
    try:
        data = confirm_serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or type(data.get("user")) is not int or data["user"] > MAX_ID:
        return None
    user = session.get(User, data["user"])
    if user is None or user.email != data.get("email"):
        return None
    mark_email_confirmed(user)
    return user


def reset_token_payload(user: User) -> dict:
    # The fingerprint, never the hash: itsdangerous tokens are signed, not encrypted.
    return {"user": user.id, "pw": user.password_fingerprint}


def make_reset_token(user: User) -> str:
    """A signed, timed token naming the user and their current password's fingerprint,
    so it stops working once the password has been changed (single use)."""
    return reset_serializer().dumps(reset_token_payload(user))


def user_for_reset_token(session: Session, token: str, max_age: int = RESET_TOKEN_MAX_AGE) -> User | None:
    """The user a reset token names, or None when it is forged, expired or already used."""
    try:
        data = reset_serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or type(data.get("user")) is not int:
        return None
    user = session.get(User, data["user"])
    if user is None or user.password_fingerprint != data.get("pw"):
        return None
    return user


def user_for_session(session: Session, session_id: str) -> User | None:
    """The user a session cookie names ("id:fingerprint"), unless their password changed since."""
    user_id, _, fingerprint = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit()) or int(user_id) > 2**31 - 1:
        return None
    user = session.get(User, int(user_id))
    if user is None or user.password_fingerprint != fingerprint:
        return None
    return user


def list_users(session: Session, search: str = "", limit: int = 200) -> list[User]:
    """People for the admin list, newest first, optionally filtered by email or name."""
    query = select(User).order_by(User.created_at.desc(), User.id.desc()).limit(limit)
    if search:
        needle = search.strip()
        query = query.where(contains_text(User.email, needle) | contains_text(User.name, needle))
    return list(session.scalars(query))


def set_role(user: User, role: str, granted: bool, *, acting_admin: User) -> None:
    """Grant or revoke one role. An admin may not remove their own platform admin role,
    so the platform can never be left without one by accident."""
    if role not in GRANTABLE_ROLES:
        raise AccountError("Choose a role that exists.", "role")
    if role == "platform_admin" and not granted and user.id == acting_admin.id:
        raise AccountError("You cannot remove your own platform admin role.", "role")
    setattr(user, GRANTABLE_ROLES[role], granted)
