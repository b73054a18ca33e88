"""Defences against card testing: criminals checking stolen card numbers through a donate form.

The limits here do not depend on the donor's IP (testers rotate addresses):
- each donation takes at most CARD_ATTEMPTS_PER_DONATION cards (counted on its row);
- declines are counted per card fingerprint (a card declined too often is refused at once),
  per page and platform-wide; a page with many declines asks its donors for a challenge,
  and a platform-wide spike switches the challenge on for every donate form for a while
  (CHALLENGE_SPIKE_MINUTES) and alerts the platform admins once, by log and email;
- a page takes at most DONATION_PAGE_RATE_LIMIT new PaymentIntents, and asks for a challenge
  once a quarter of that is left. Only posts that made a PaymentIntent count, so a flood of
  empty or invalid posts cannot close a page to real donors.

The counts live in the `limits` library's storage (the one Flask-Limiter uses): Redis when
REDIS_URL is set, so every worker sees the same counts, and this process's memory otherwise.
Counters that expire by themselves are what these limits are; a table would need sweeping.
These limits are on whatever RATELIMIT_ENABLED says: they are a defence, not a courtesy.
When Redis cannot be reached they fall back to this process's memory with a one-line warning.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from limits import RateLimitItem, RateLimitItemPerMinute, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fundraiser import jobs, mail
from fundraiser.extensions import db
from fundraiser.models import Donation, User
from fundraiser.models.donations import CARD_ATTEMPTS_PER_DONATION

log = logging.getLogger(__name__)
T = TypeVar("T")
FALLBACK_SECONDS = 60


def _state() -> dict:
    return current_app.extensions.setdefault("card_testing", {})


def _storage() -> Storage:
    state = _state()
    if state.get("fallback_until", 0) > time.monotonic():
        return state["fallback"]
    if "storage" not in state:
        redis_url = current_app.config.get("REDIS_URL")
        state["storage"] = storage_from_string(redis_url) if redis_url else MemoryStorage()
    return state["storage"]


def _guarded(call: Callable[[MovingWindowRateLimiter], T]) -> T:
    """Run a limiter call. If the shared storage (Redis) is down, count in this process's
    memory for a minute, then try the shared storage again: an outage is never a 500."""
    storage = _storage()
    try:
        return call(MovingWindowRateLimiter(storage))
    except Exception as error:  # redis-py's errors, whichever the storage raises
        if isinstance(storage, MemoryStorage):
            raise
        log.warning("Card-testing limits count in this process's memory for a minute: %s", error)
        state = _state()
        state.setdefault("fallback", MemoryStorage())
        state["fallback_until"] = time.monotonic() + FALLBACK_SECONDS
        return call(MovingWindowRateLimiter(state["fallback"]))


def reset() -> None:
    """Forget every count (tests; or an operator after an attack is over)."""
    _guarded(lambda limiter: limiter.storage.reset())


def _items(setting: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[setting])


def _exhausted(setting: str, *key: str) -> bool:
    return not all(
        _guarded(lambda limiter, item=item: limiter.test(item, setting, *key)) for item in _items(setting)
    )


def _hit(setting: str, *key: str) -> None:
    for item in _items(setting):
        _guarded(lambda limiter, item=item: limiter.hit(item, setting, *key))


def _nearly_exhausted(setting: str, *key: str) -> bool:
    """A quarter or less of some window of this limit is left."""
    for item in _items(setting):
        stats = _guarded(lambda limiter, item=item: limiter.get_window_stats(item, setting, *key))
        if stats.remaining * 4 <= item.amount:
            return True
    return False


def _spike_item() -> RateLimitItem:
    return RateLimitItemPerMinute(1, multiples=current_app.config["CHALLENGE_SPIKE_MINUTES"])


def spike_on() -> bool:
    """Declines spiked platform-wide a short while ago: every donate form asks for a challenge."""
    return not _guarded(lambda limiter: limiter.test(_spike_item(), "decline-spike"))


def challenge_required(page_slug: str, *, declined_before: bool) -> bool:
    """Whether a donate form must carry a solved challenge now: always after a decline in
    this browser, during a spike, or on a page with many declines or near its limit."""
    return (
        declined_before
        or spike_on()
        or _exhausted("PAGE_DECLINE_LIMIT", page_slug)
        or _nearly_exhausted("DONATION_PAGE_RATE_LIMIT", page_slug)
    )


def page_closed_to_new_payments(page_slug: str) -> bool:
    """This page made as many PaymentIntents as DONATION_PAGE_RATE_LIMIT allows for now."""
    return _exhausted("DONATION_PAGE_RATE_LIMIT", page_slug)


def count_payment_intent(page_slug: str) -> None:
    _hit("DONATION_PAGE_RATE_LIMIT", page_slug)


def card_refused(fingerprint: str) -> bool:
    """This card (by Stripe's fingerprint) was declined too often lately: do not try it again."""
    return _exhausted("CARD_DECLINE_LIMIT", fingerprint)


def take_card_attempt(db_session: Session, donation_id: int) -> bool:
    """Count one card attempt on the donation; False when it has had all it may take. One
    UPDATE, so two attempts at once cannot both take the last one."""
    result = db_session.execute(
        update(Donation)
        .where(Donation.id == donation_id, Donation.card_attempts < CARD_ATTEMPTS_PER_DONATION)
        .values(card_attempts=Donation.card_attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def record_decline(page_slug: str, fingerprint: str) -> None:
    """A card was declined: count it for the card, the page and the platform. Past the
    platform's limit, switch the challenge on everywhere and alert the admins (once a spike)."""
    _hit("CARD_DECLINE_LIMIT", fingerprint)
    _hit("PAGE_DECLINE_LIMIT", page_slug)
    _hit("PLATFORM_DECLINE_LIMIT")
    if _exhausted("PLATFORM_DECLINE_LIMIT") and _guarded(
        lambda limiter: limiter.hit(_spike_item(), "decline-spike")
    ):
        _alert_spike(page_slug)


def _alert_spike(page_slug: str) -> None:
    config = current_app.config
    minutes = config["CHALLENGE_SPIKE_MINUTES"]
    log.error(
        "Card testing suspected: declines passed %s platform-wide (latest on page %s); "
        "donate forms ask for a challenge for the next %s minutes",
        config["PLATFORM_DECLINE_LIMIT"],
        page_slug,
        minutes,
    )
    jobs.enqueue(email_platform_admins, config["PLATFORM_DECLINE_LIMIT"], page_slug, minutes)


def email_platform_admins(limit: str, page_slug: str, minutes: int) -> None:
    """The spike alert, by email to every platform admin (a background job)."""
    platform = current_app.config["PLATFORM_NAME"]
    text = (
        f"Card declines on {platform} passed {limit} across all pages: card testers may be "
        f"trying stolen cards. The latest decline was on page /{page_slug}.\n\n"
        f"Every donate form asks for a proof-of-work challenge for the next {minutes} minutes; "
        "nothing else needs doing now. Check the donations lists for runs of failed gifts."
    )
    for address in db.session.scalars(select(User.email).where(User.is_platform_admin)):
        mail.send(mail.Mail(to=address, subject=f"{platform}: card testing suspected", text=text))


def take_once(item: RateLimitItem, *key: str) -> bool:
    """True the first time this key is taken within the item's window, False after."""
    return _guarded(lambda limiter: limiter.hit(item, *key))
