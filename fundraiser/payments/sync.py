"""Repair what the webhooks missed: read recent PaymentIntents, refunds and disputes from
Stripe and bring each donation in line with them, then apply stored events still waiting
for a payment that has since been recorded. Disputes are opened and closed by the same
functions as their webhooks (handlers.dispute_created / dispute_closed). In connect mode
each cause's connected account is read too, and an object is applied only to a gift
charged on the account it was listed on. Running it again changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fundraiser.donations.errors import IllegalTransition
from fundraiser.donations.transitions import PAYABLE_STATUSES, mark_failed
from fundraiser.models import Dispute, DisputeStatus, Donation, DonationStatus, StripeEvent, StripeEventStatus
from fundraiser.payments.gateway import PaymentGateway, object_id
from fundraiser.payments.handlers import (
    COUNTED_REFUND_STATUSES,
    EventOutcome,
    apply_event,
    apply_refunds,
    dispute_closed,
    dispute_created,
    find_donation,
    mark_donation_paid,
)


@dataclass
class SyncReport:
    changes: list[str] = field(default_factory=list)
    paid_donation_ids: list[int] = field(default_factory=list)
    refunded_donation_ids: list[int] = field(default_factory=list)


def sync_with_stripe(
    session: Session,
    gateway: PaymentGateway,
    since: datetime,
    report: SyncReport,
    accounts: Sequence[str | None] = (None,),
) -> None:
    """Apply Stripe's view of every PaymentIntent, refund and dispute created since `since`, adding
    what changed to `report`, on each of `accounts` (None: the platform's own; in connect
    mode also every cause's connected account, which holds the disputes of its direct
    charges). Each donation is committed on its own: a long sync never holds one donation's
    total rows while it locks the next (a webhook takes them the other way round) or while
    Stripe pages through its lists, and a failure part-way keeps what was done."""
    for account in accounts:
        for intent in gateway.list_payment_intents(since, stripe_account=account):
            _sync_payment_intent(session, intent, report, account)
            session.commit()
        for refund in gateway.list_refunds(since, stripe_account=account):
            _sync_refund(session, refund, report, account)
            session.commit()
        for dispute in gateway.list_disputes(since, stripe_account=account):
            _sync_dispute(session, dispute, report, account)
            session.commit()
    replay_stranded_events(session, report)


def replay_stranded_events(session: Session, report: SyncReport) -> None:
    """Apply deferred events whose payment is now recorded. A payment replays the events
    waiting for it, but one stored by a transaction that had not committed yet (a refund or
    dispute found no donation to lock and was deferred while the payment was being recorded)
    stays deferred until this finds it. An event that still cannot apply stays deferred."""
    stranded = session.scalars(
        select(StripeEvent)
        .join(
            Donation,
            or_(
                Donation.stripe_payment_intent_id == StripeEvent.object_id,
                Donation.stripe_charge_id == StripeEvent.object_id,
            ),
        )
        .where(
            StripeEvent.status == StripeEventStatus.DEFERRED, Donation.status.in_(Donation.COUNTED_STATUSES)
        )
        .order_by(StripeEvent.stripe_created, StripeEvent.received_at)
    ).all()
    for record in stranded:
        outcome = EventOutcome()
        apply_event(session, record, outcome)
        session.commit()
        report.paid_donation_ids += outcome.paid_donation_ids
        report.refunded_donation_ids += outcome.refunded_donation_ids
        if record.status != StripeEventStatus.DEFERRED:
            report.changes.append(f"event {record.id} ({record.type}): {record.status}, {outcome.detail}")


def _sync_payment_intent(
    session: Session, intent: dict[str, Any], report: SyncReport, account: str | None
) -> None:
    public_id = (intent.get("metadata") or {}).get("public_id")
    donation = find_donation(session, payment_intent_id=intent["id"], public_id=public_id)
    if donation is None or donation.stripe_payment_intent_id not in (None, intent["id"]):
        return
    if donation.stripe_account_id != account:
        return  # a PaymentIntent on another account than the one this gift is charged on
    if intent["status"] == "succeeded" and donation.status in PAYABLE_STATUSES:
        if intent["amount"] != donation.charged_amount or intent["currency"].upper() != donation.currency:
            report.changes.append(
                f"donation {donation.public_id}: Stripe's amount differs, left for a person"
            )
            return
        donation.stripe_payment_intent_id = intent["id"]
        outcome = EventOutcome()
        mark_donation_paid(session, donation, object_id(intent.get("latest_charge")), outcome)
        report.paid_donation_ids += outcome.paid_donation_ids
        report.refunded_donation_ids += outcome.refunded_donation_ids
        report.changes.append(f"donation {donation.public_id}: marked paid")
    elif intent["status"] == "requires_payment_method" and donation.status == DonationStatus.PENDING:
        error = intent.get("last_payment_error")
        if error:
            mark_failed(session, donation, error.get("message") or "The payment failed.")
            report.changes.append(f"donation {donation.public_id}: marked failed ({error.get('message')})")


def _sync_refund(session: Session, refund: dict[str, Any], report: SyncReport, account: str | None) -> None:
    if refund.get("status") not in COUNTED_REFUND_STATUSES:
        return
    donation = find_donation(
        session,
        payment_intent_id=object_id(refund.get("payment_intent")),
        charge_id=object_id(refund.get("charge")),
    )
    if donation is None or donation.status != DonationStatus.PAID or donation.stripe_account_id != account:
        return
    if apply_refunds(session, donation, [refund]):
        report.refunded_donation_ids.append(donation.id)
        report.changes.append(
            f"donation {donation.public_id}: refund {refund['id']} of {refund['amount']} applied"
        )


def _sync_dispute(session: Session, dispute: dict[str, Any], report: SyncReport, account: str | None) -> None:
    """Open or close the dispute as its webhook would have; a change only when our record of
    it moved (a dispute already open stays open, one already closed stays closed). A dispute
    of a gift charged on another account than `account` is not this account's to apply."""
    if _charged_elsewhere(session, dispute, account):
        return

    def recorded() -> str | None:
        return session.scalar(select(Dispute.status).where(Dispute.stripe_dispute_id == dispute["id"]))

    before = recorded()
    closed = dispute.get("status") in (DisputeStatus.WON, DisputeStatus.LOST)
    try:
        _, detail = (dispute_closed if closed else dispute_created)(session, dispute, EventOutcome())
    except IllegalTransition as error:
        session.rollback()
        report.changes.append(f"dispute {dispute['id']}: left for a person ({error})")
        return
    if recorded() != before:
        report.changes.append(detail)


def _charged_elsewhere(session: Session, dispute: dict[str, Any], account: str | None) -> bool:
    """Whether the disputed gift is one we know, charged on another account than `account`."""
    for column, value in (
        (Donation.stripe_payment_intent_id, object_id(dispute.get("payment_intent"))),
        (Donation.stripe_charge_id, object_id(dispute.get("charge"))),
    ):
        if value:
            found = session.execute(select(Donation.stripe_account_id).where(column == value)).first()
            if found is not None:
                return found[0] != account
    return False
