"""Gifts nobody paid: a donation still pending (or failed) a day after its form was sent is
abandoned. Its PaymentIntent is cancelled at Stripe first (with an idempotency key), so no
card can pay it afterwards, then the donation is marked `abandoned`. One that Stripe has
begun to take money for (processing, succeeded) is left for the webhook or stripe-sync.
In connect mode the PaymentIntent is on the cause's connected account (the donation's
`stripe_account_id`): it is read and cancelled there. Running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundraiser.donations.transitions import PAYABLE_STATUSES, lock_donation, mark_abandoned
from fundraiser.models import Donation
from fundraiser.payments.gateway import (
    UNSETTLED_INTENT_STATUSES,
    PaymentGateway,
    PaymentGatewayError,
    object_id,
)


@dataclass
class AbandonReport:
    abandoned: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


def abandon_stale_donations(
    session: Session, gateway: PaymentGateway, created_before: datetime, report: AbandonReport
) -> None:
    """Abandon every donation waiting for payment since before `created_before`, each
    committed on its own (no row is locked while Stripe is asked)."""
    stale_ids = session.scalars(
        select(Donation.id)
        .where(Donation.status.in_(PAYABLE_STATUSES), Donation.created_at < created_before)
        .order_by(Donation.id)
    ).all()
    session.rollback()
    for donation_id in stale_ids:
        donation = session.get(Donation, donation_id)
        if donation is None:
            continue
        public_id, intent_id = donation.public_id, donation.stripe_payment_intent_id
        account = donation.stripe_account_id
        why_not = _cancel_at_stripe(gateway, public_id, intent_id, account) if intent_id else ""
        session.rollback()
        if why_not:
            report.left.append(f"donation {public_id}: {why_not}")
            continue
        locked = lock_donation(session, donation_id)
        if locked is None or locked.status not in PAYABLE_STATUSES:
            session.rollback()
            continue
        mark_abandoned(session, locked)
        session.commit()
        report.abandoned.append(f"donation {public_id}: abandoned")


def _cancel_at_stripe(gateway: PaymentGateway, public_id: str, intent_id: str, account: str | None) -> str:
    """Cancel the PaymentIntent (on `account`, the donation's connected account, or the
    platform's when None); empty when it is cancelled, else why it was left alone."""
    try:
        intent = gateway.retrieve_payment_intent(intent_id, stripe_account=account)
        if intent["status"] == "canceled":
            return ""
        if intent["status"] not in UNSETTLED_INTENT_STATUSES:
            charge = object_id(intent.get("latest_charge")) or "no charge"
            return f"left alone: its PaymentIntent is {intent['status']} ({charge}), see stripe-sync"
        gateway.cancel_payment_intent(
            intent_id, idempotency_key=f"donation-{public_id}-cancel", stripe_account=account
        )
    except PaymentGatewayError as error:
        return f"left alone: Stripe did not cancel it ({error.message})"
    return ""
