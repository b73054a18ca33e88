"""Stripe Connect (PAYMENTS_MODE=connect): each cause's own Stripe account takes its gifts
as direct charges, so the charity is the merchant of record and holds refunds and disputes.

Onboarding is Stripe-hosted: we create the connected account once (idempotency key tied to
the cause), then an Account Link each time the charity admin starts or resumes onboarding.
The account's state (charges and payouts enabled, details submitted, requirements due) comes
from `account.updated` events and from a retrieve when the admin comes back; a state older
than the one we hold is never applied (events arrive in any order). Services flush; the
caller commits.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundraiser.donations.fees import platform_fee
from fundraiser.models import Cause, Donation, StripeEventStatus
from fundraiser.payments.gateway import get_gateway

CONNECT = "connect"


def connect_mode() -> bool:
    return bool(current_app.config.get("PAYMENTS_MODE", "single") == CONNECT)


@dataclass(frozen=True)
class AccountState:
    """What a charity admin is shown about the cause's connected account."""

    account_id: str | None
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    requirements_due: list[str]
    disabled_reason: str
    platform_fee_bps: int

    @property
    def connected(self) -> bool:
        return self.account_id is not None


def account_state(cause: Cause) -> AccountState:
    return AccountState(
        account_id=cause.stripe_account_id,
        charges_enabled=cause.stripe_charges_enabled,
        payouts_enabled=cause.stripe_payouts_enabled,
        details_submitted=cause.stripe_details_submitted,
        requirements_due=list(cause.stripe_requirements_due or []),
        disabled_reason=cause.stripe_disabled_reason,
        platform_fee_bps=cause.platform_fee_bps,
    )


def takes_gifts(cause: Cause) -> bool:
    """Whether a gift to this cause can be charged now: always in single mode; in connect
    mode only once its connected account can take charges."""
    return not connect_mode() or bool(cause.stripe_account_id and cause.stripe_charges_enabled)


def collected_by_agent(cause: Cause) -> bool:
    """Single mode, the operator taking this cause's gifts as its agent (JustGiving's model)."""
    return cause.collected_by_agent and not connect_mode()


def charge_on_cause_account(donation: Donation, cause: Cause) -> None:
    """In connect mode, make a new gift a direct charge on the cause's account, with the
    platform fee of its charged amount. Fixed before the PaymentIntent exists, so every later
    call about the gift (retrieve, confirm, change, cancel, refund) goes to the account holding
    the money. A gift changed on the same attempt (back and resubmit) keeps its account, where
    its PaymentIntent is, and takes the platform fee of its new amount."""
    if not connect_mode():
        return
    if not donation.stripe_payment_intent_id:
        donation.stripe_account_id = cause.stripe_account_id
    if donation.stripe_account_id:
        donation.platform_fee_amount = platform_fee(donation.charged_amount, cause.platform_fee_bps)


def onboarding_link(session: Session, cause: Cause, *, refresh_url: str, return_url: str) -> str:
    """The Stripe-hosted onboarding address for this cause, creating its connected account
    the first time. Raises PaymentGatewayError."""
    gateway = get_gateway()
    if cause.stripe_account_id is None:
        # Tied to this cause (its id and creation time), so a retry makes one account.
        key = f"cause-{cause.id}-{cause.created_at.isoformat()}-account"
        account = gateway.create_connected_account(cause, idempotency_key=key)
        cause.stripe_account_id = account["id"]
        apply_account(cause, account, seen_at=int(time.time()))
        session.flush()
    link = gateway.create_account_link(
        cause.stripe_account_id,
        refresh_url=refresh_url,
        return_url=return_url,
        # A link is single-use: each visit asks for a new one (the key covers SDK retries).
        idempotency_key=f"cause-{cause.id}-link-{uuid.uuid4().hex}",
    )
    return str(link["url"])


def refresh_account(session: Session, cause: Cause) -> AccountState:
    """Read the connected account's state from Stripe (on the admin's return from onboarding)."""
    if cause.stripe_account_id is not None:
        apply_account(
            cause, get_gateway().retrieve_account(cause.stripe_account_id), seen_at=int(time.time())
        )
        session.flush()
    return account_state(cause)


def apply_account(cause: Cause, account: dict[str, Any], *, seen_at: int) -> bool:
    """Hold Stripe's account state unless we already hold a newer one."""
    if seen_at < cause.stripe_account_seen_at:
        return False
    requirements = account.get("requirements") or {}
    due = list(
        dict.fromkeys((requirements.get("past_due") or []) + (requirements.get("currently_due") or []))
    )
    cause.stripe_charges_enabled = bool(account.get("charges_enabled"))
    cause.stripe_payouts_enabled = bool(account.get("payouts_enabled"))
    cause.stripe_details_submitted = bool(account.get("details_submitted"))
    cause.stripe_requirements_due = due
    cause.stripe_disabled_reason = (requirements.get("disabled_reason") or "")[:100]
    cause.stripe_account_seen_at = seen_at
    return True


def cause_of_account(session: Session, account_id: str) -> Cause | None:
    return session.scalar(select(Cause).where(Cause.stripe_account_id == account_id))


def account_updated(session: Session, account: dict[str, Any], created: int) -> tuple[StripeEventStatus, str]:
    """An `account.updated` event: the new state of a cause's connected account."""
    cause = cause_of_account(session, account.get("id") or "")
    if cause is None:
        return StripeEventStatus.IGNORED, f"account {account.get('id')} is no cause's"
    if not apply_account(cause, account, seen_at=created):
        return StripeEventStatus.IGNORED, f"a newer state of account {cause.stripe_account_id} is held"
    state = "can" if cause.stripe_charges_enabled else "cannot"
    return StripeEventStatus.PROCESSED, f"cause {cause.slug} {state} take charges"


def unknown_account(session: Session, event: dict[str, Any]) -> str | None:
    """For a Connect event (one with `account`), the reason to ignore it when no cause has
    that account; None when the event is the platform's or a cause's."""
    account_id = event.get("account")
    if not account_id or cause_of_account(session, account_id) is not None:
        return None
    return f"event for Stripe account {account_id}, which no cause has"


def accounts_to_sync(session: Session) -> list[str | None]:
    """The platform's account, and in connect mode every cause's connected account."""
    accounts: list[str | None] = [None]
    if connect_mode():
        accounts += session.scalars(
            select(Cause.stripe_account_id).where(Cause.stripe_account_id.is_not(None)).order_by(Cause.id)
        ).all()
    return accounts
