"""Accounts: creating people, checking passwords, password-reset tokens, roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from fundraiser.accounts.passwords import password_problem
from fundraiser.models import User
from fundraiser.params import MAX_ID, contains_text, small_int

RESET_TOKEN_MAX_AGE = 60 * 60  # one hour
RESET_SALT = "password-reset"
CONFIRM_TOKEN_MAX_AGE = 7 * 24 * 60 * 60  # a week
CONFIRM_SALT = "email-confirm"
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


def check_password_rules(password: str, *, personal: tuple[str, ...] = ()) -> None:
    """Refuse a short, common or guessable password, saying why."""
    if problem := password_problem(password, personal=personal):
        raise AccountError(problem, "password")


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(session: Session, *, email: str, name: str, password: str, **flags: bool) -> User:
    """Sign up a runner. Flushes; the caller commits."""
    check_password_rules(password, personal=(email, name))
    if find_user_by_email(session, email) is not None:
        raise AccountError("An account with this email already exists. Sign in instead?", "email")
    user = User(
        email=normalise_email(email), name=name.strip(), password_hash=hash_password(password), **flags
    )
    session.add(user)
    session.flush()
    return user


def spend_a_password_hash(password: str) -> None:
    """Take as long as hashing a new password, where no account is created (sign-up with an
    address that has one), so timing does not tell the two apart either."""
    hash_password(password)


@dataclass(frozen=True)
class Backoff:
    """Sign-in throttling per account: `free` wrong passwords, then a wait of `first`, doubling
    with each further wrong password, up to `longest`."""

    free: int
    first: timedelta
    longest: timedelta

    def wait_after(self, failures: int) -> timedelta | None:
        if failures < self.free:
            return None
        return min(self.first * 2 ** min(failures - self.free, 32), self.longest)


class SignInBlocked(AccountError):
    """Too many wrong passwords for this account: wait, or reset the password."""

    def __init__(self, until: datetime):
        minutes = max(1, -(-int((until - datetime.now(UTC)).total_seconds()) // 60))
        super().__init__(
            f"Too many wrong passwords for this account. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}, or reset your password to sign in now.",
            "password",
        )
        self.until = until


@dataclass(frozen=True)
class SignUp:
    """What a sign-up did: made `created`, or found that `existing` already has the address."""

    created: User | None = None
    existing: User | None = None


def sign_up(session: Session, *, email: str, name: str, password: str) -> SignUp:
    """A new runner, unless the address has an account: then nothing is created and the
    caller tells that account's owner by email, answering the form as for a new account, so
    the form cannot be used to find out who has one. Flushes; the caller commits."""
    check_password_rules(password, personal=(email, name))
    existing = find_user_by_email(session, email)
    if existing is not None:
        spend_a_password_hash(password)
        return SignUp(existing=existing)
    return SignUp(created=create_user(session, email=email, name=name, password=password))


def authenticate(session: Session, email: str, password: str, backoff: Backoff) -> User | None:
    """The user whose email and password these are, or None. Raises SignInBlocked while the
    account's back-off runs (the password is not even tried then). Changes the account's
    failure count: the caller commits whichever way it went."""
    user = find_user_by_email(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return (
        user if _attempt(user, backoff, lambda: check_password_hash(user.password_hash, password)) else None
    )


def check_code_attempt(session: Session, user: User, code: str, check, backoff: Backoff) -> bool:
    """The second step of a sign-in, under the same per-account back-off as passwords:
    `check(session, user, code)` says whether the code is right."""
    return _attempt(user, backoff, lambda: check(session, user, code))


def _attempt(user: User, backoff: Backoff, is_right) -> bool:
    """One try at signing in to `user`'s account: refused unseen while its back-off runs;
    a wrong try counts towards the next wait, a right one clears the count."""
    now = datetime.now(UTC)
    if user.signin_blocked_until is not None and user.signin_blocked_until > now:
        raise SignInBlocked(user.signin_blocked_until)
    if not is_right():
        user.failed_signins += 1
        wait = backoff.wait_after(user.failed_signins)
        user.signin_blocked_until = now + wait if wait else None
        return False
    clear_failed_signins(user)
    return True


def clear_failed_signins(user: User) -> None:
    user.failed_signins = 0
    user.signin_blocked_until = None


def end_sessions(user: User) -> None:
    """Every session cookie of this user, copies included, stops working."""
    user.session_version += 1


def set_password(user: User, password: str) -> None:
    """A new password ends every session and lifts a sign-in back-off (a reset unlocks)."""
    check_password_rules(password, personal=(user.email, user.name))
    user.password_hash = hash_password(password)
    end_sessions(user)
    clear_failed_signins(user)


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
    """The user a session cookie names ("id:version"), unless they signed out or changed their
    password since (each changes the version)."""
    raw_id, _, raw_version = session_id.partition(":")
    user_id, version = small_int(raw_id), small_int(raw_version)
    if user_id is None or version is None:
        return None
    user = session.get(User, user_id)
    if user is None or user.session_version != version:
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
