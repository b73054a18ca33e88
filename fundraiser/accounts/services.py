"""Accounts: creating people, checking passwords, password-reset tokens."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from fundraiser.models import User

RESET_TOKEN_MAX_AGE = 60 * 60  # one hour
MIN_PASSWORD_LENGTH = 10
# Checked against this when an email is unknown, so sign-in takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """A reason a person can act on; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    """scrypt, werkzeug's current default."""
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


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    """A signed token that names the user and a fragment of the current hash, so it stops
    working once the password has been changed (single use)."""
    return _serializer().dumps({"user": user.id, "hash": user.password_hash[-16:]})


def user_for_reset_token(session: Session, token: str, max_age: int = RESET_TOKEN_MAX_AGE) -> User | None:
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = session.get(User, data.get("user")) if isinstance(data.get("user"), int) else None
    if user is None or user.password_hash[-16:] != data.get("hash"):
        return None
    return user
