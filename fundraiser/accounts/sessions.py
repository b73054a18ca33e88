"""How long a sign-in lasts. The session cookie names the user's session version (see
User.get_id), so signing out ends every copy of it; here are the idle and absolute limits
on top: admins are signed out after SESSION_IDLE_ADMIN_MINUTES without a request, runners
after SESSION_IDLE_MINUTES, or SESSION_KEEP_DAYS when they ticked "keep me signed in";
nobody stays signed in past SESSION_ABSOLUTE_DAYS from the sign-in."""

from __future__ import annotations

import time

from flask import current_app, flash, request, session
from flask_login import current_user, login_user, logout_user

from fundraiser.models import User

# Keys this module keeps in the session, beside Flask-Login's.
SIGNED_IN_AT, SEEN_AT, LIMIT = "signed_in_at", "seen_at", "idle_limit"
# Write the last-seen time again only when it is this old, not on every request.
_SEEN_GRANULARITY = 60


def idle_limit(user: User, keep: bool, config) -> int:
    """Seconds without a request after which this sign-in ends."""
    if user.is_platform_admin or user.administered_cause_ids:
        return config["SESSION_IDLE_ADMIN_MINUTES"] * 60
    if keep:
        return config["SESSION_KEEP_DAYS"] * 24 * 60 * 60
    return config["SESSION_IDLE_MINUTES"] * 60


def stamp(limit: int, now: int | None = None) -> dict[str, int]:
    """The session keys of a sign-in that starts `now` (tests sign clients in with them)."""
    now = int(time.time()) if now is None else now
    return {SIGNED_IN_AT: now, SEEN_AT: now, LIMIT: limit}


def start_session(user: User, keep: bool = False) -> None:
    """Sign in on a fresh session: whatever the cookie held before (a session an attacker
    planted, a previous person's) is dropped first."""
    session.clear()
    limit = idle_limit(user, keep, current_app.config)
    # A persistent cookie only for a runner who asked to stay signed in; else it ends with the browser.
    session.permanent = keep and limit > current_app.config["SESSION_IDLE_MINUTES"] * 60
    login_user(user)
    session.update(stamp(limit))


def end_session() -> None:
    logout_user()
    session.clear()


def enforce_session_limits() -> None:
    """Before every request: end a sign-in that has been idle or open too long."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    now = int(time.time())
    signed_in_at, seen_at, limit = session.get(SIGNED_IN_AT), session.get(SEEN_AT), session.get(LIMIT)
    absolute = current_app.config["SESSION_ABSOLUTE_DAYS"] * 24 * 60 * 60
    if not all(isinstance(value, int) for value in (signed_in_at, seen_at, limit)):
        end_session()
    elif now - seen_at > limit or now - signed_in_at > absolute:
        end_session()
        flash("You were signed out after a while away. Please sign in again.", "info")
    elif now - seen_at >= _SEEN_GRANULARITY:
        session[SEEN_AT] = now
