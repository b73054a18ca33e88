"""Who may do what. Every view that touches an object asks one of these, then 403s."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort
from flask_login import current_user

from fundraiser.models import Cause, Donation, Event, PledgePage, Team, User


def _signed_in(user: User | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_edit_page(user: User | None, page: PledgePage) -> bool:
    return _signed_in(user) and (user.id == page.runner_id or user.is_platform_admin)


def can_view_page(user: User | None, page: PledgePage) -> bool:
    """Published pages are public; drafts only for their owner and admins, and a page held
    for approval for its cause's admins too."""
    return page.is_published or can_edit_page(user, page) or can_approve_page(user, page)


def can_approve_page(user: User | None, page: PledgePage) -> bool:
    """A page held for its cause's approval is approved by that cause's admins."""
    return page.is_awaiting_approval and can_admin_cause(user, page.cause_id)


def is_platform_admin(user: User | None) -> bool:
    return _signed_in(user) and user.is_platform_admin


def can_admin_cause(user: User | None, cause_id: int) -> bool:
    return _signed_in(user) and (user.is_platform_admin or cause_id in user.administered_cause_ids)


def can_admin_cause_of(user: User | None, cause: Cause) -> bool:
    """`can_admin_cause` in the shape `or_404(..., check=...)` takes."""
    return can_admin_cause(user, cause.id)


def can_refund_donation(user: User | None, donation: Donation) -> bool:
    """A cause's admins refund the donations to it."""
    return can_admin_cause(user, donation.cause_id)


def can_record_advantage(user: User | None, donation: Donation) -> bool:
    """A cause's admins record goods or services given for the donations to it."""
    return can_admin_cause(user, donation.cause_id)


def can_manage_event(user: User | None, event: Event) -> bool:
    return _signed_in(user) and (user.is_platform_admin or event.organiser_id == user.id)


def can_create_event(user: User | None) -> bool:
    return _signed_in(user) and (user.is_platform_admin or user.is_event_organiser)


def can_manage_team(user: User | None, team: Team) -> bool:
    return _signed_in(user) and (user.is_platform_admin or team.captain_id == user.id)


def require(allowed: bool) -> None:
    """403 unless allowed."""
    if not allowed:
        abort(403)


def signed_in_user() -> User | None:
    return current_user if _signed_in(current_user) else None


T = TypeVar("T")


def or_404(found: T | None, check: Callable[[User | None, T], bool] | None = None) -> T:
    """What the view asked for: 404 when it does not exist, 403 when `check` says the
    signed-in person may not use it (the Flask tutorial's `get_post(id, check_author=True)`)."""
    if found is None:
        abort(404)
    if check is not None and not check(signed_in_user(), found):
        abort(403)
    return found
