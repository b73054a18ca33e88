"""Stripe events (plain dicts) to effects on donations.

`record_and_handle` records the event id first, so a repeat delivery finds the id taken
and changes nothing, then applies the effects in the same transaction; the caller commits
once. A payment that succeeded, the event a burst is made of, takes one conditional UPDATE
(`transitions.pay_by_payment_intent`) and the totals; anything unusual takes the careful path.
Events that cannot apply yet (their donation unknown, or a refund or dispute before the
payment it follows) are stored as `deferred` and replayed when the donation becomes paid.
Code is written for real Stripe: `latest_charge` is an id unless expanded, disputes name a
charge (and, lately, a PaymentIntent), and a charge's `refunds` may be absent.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from fundraiser.donations import transitions
from fundraiser.donations.errors import IllegalTransition
from fundraiser.jobs import enqueue
from fundraiser.models import Dispute, DisputeStatus, Donation, DonationStatus, StripeEvent, StripeEventStatus
from fundraiser.models.columns import utcnow
from fundraiser.payments import connect
from fundraiser.payments.gateway import get_gateway, object_id
from fundraiser.receipts import tasks

log = logging.getLogger(__name__)

# Refunds in these states have left the charity's balance.
COUNTED_REFUND_STATUSES = ("succeeded", "pending")


@dataclass
class EventOutcome:
    """What handling an event did, and the receipt work to queue after the commit."""

    status: StripeEventStatus = StripeEventStatus.PROCESSED
    detail: str = ""
    event_created: int = 0  # when Stripe says the event happened (unix seconds)
    stripe_account: str | None = None  # a Connect event's connected account
    paid_donation_ids: list[int] = field(default_factory=list)
    refunded_donation_ids: list[int] = field(default_factory=list)


def record_and_handle(
    session: Session, event: dict[str, Any], *, unapplied_because: str = ""
) -> EventOutcome | None:
    """Record a verified event and apply it; None when the event was recorded before.
    With `unapplied_because` (an event shaped as we do not know), it is recorded as
    ignored, with that reason, and not applied.

    The event row goes in first with INSERT ... ON CONFLICT DO NOTHING: a second delivery
    arriving while the first is still being handled waits on the primary key until the
    first commits, then inserts nothing and is answered as a duplicate."""
    record = StripeEvent(
        id=event["id"],
        type=event["type"],
        status=StripeEventStatus.PROCESSED,
        object_id=_object_key(event) or "",
        payload=event,
        stripe_created=int(event.get("created") or 0),
        received_at=utcnow(),
    )
    record.processed_at = record.received_at
    inserted = session.execute(
        _record_statement(session.get_bind().dialect.name),
        {column: getattr(record, column) for column in _RECORDED_COLUMNS},
    ).first()
    if inserted is None:
        return None
    outcome = EventOutcome()
    if unapplied_because:
        record.status, record.processed_at = StripeEventStatus.IGNORED, utcnow()
        outcome.detail = unapplied_because
    else:
        apply_event(session, record, outcome)
    if record.status != StripeEventStatus.PROCESSED:
        session.execute(
            update(StripeEvent)
            .where(StripeEvent.id == record.id)
            .values(status=record.status, processed_at=record.processed_at)
        )
    outcome.status = StripeEventStatus(record.status)
    return outcome


_RECORDED_COLUMNS = (
    "id",
    "type",
    "status",
    "object_id",
    "payload",
    "stripe_created",
    "received_at",
    "processed_at",
)


@functools.cache
def _record_statement(dialect: str) -> Executable:
    table = StripeEvent.__table__
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing(index_elements=[table.c.id]).returning(table.c.id)


def apply_event(session: Session, record: StripeEvent, outcome: EventOutcome) -> None:
    """Apply one recorded event and set its status: processed, deferred or ignored."""
    handler = HANDLERS.get(record.type)
    outcome.stripe_account = record.payload.get("account")
    if handler is None:
        status, detail = StripeEventStatus.IGNORED, f"{record.type} is not an event we act on"
    elif stranger := connect.unknown_account(session, record.payload):
        status, detail = StripeEventStatus.IGNORED, stranger
    else:
        outcome.event_created = record.stripe_created
        try:
            status, detail = handler(session, record.payload["data"]["object"], outcome)
        except IllegalTransition as error:
            # Stripe and our records disagree: keep the event for a person to look at.
            log.error("Stripe event %s cannot apply: %s", record.id, error)
            status, detail = StripeEventStatus.DEFERRED, str(error)
    record.status = status
    record.processed_at = None if status == StripeEventStatus.DEFERRED else utcnow()
    outcome.detail = detail
    log.info("Stripe event %s (%s): %s, %s", record.id, record.type, status, detail)


def _object_key(event: dict[str, Any]) -> str | None:
    """The id a deferred event waits for: its PaymentIntent where it names one, else its charge."""
    obj = event.get("data", {}).get("object", {})
    if event["type"].startswith("charge.dispute."):
        return object_id(obj.get("payment_intent")) or object_id(obj.get("charge"))
    if event["type"].startswith("charge."):
        return object_id(obj.get("payment_intent")) or object_id(obj.get("id"))
    return object_id(obj.get("id"))


def find_donation(
    session: Session,
    *,
    payment_intent_id: str | None = None,
    charge_id: str | None = None,
    public_id: str | None = None,
) -> Donation | None:
    """The donation Stripe means, loaded with a row lock, or None when we do not know it."""
    lookups = (
        (Donation.stripe_payment_intent_id, payment_intent_id),
        (Donation.stripe_charge_id, charge_id),
        (Donation.public_id, public_id),
    )
    for column, value in lookups:
        if value:
            donation_id = session.scalar(select(Donation.id).where(column == value))
            if donation_id is not None:
                return transitions.lock_donation(session, donation_id)
    return None


Result = tuple[StripeEventStatus, str]


def payment_succeeded(session: Session, intent: dict[str, Any], outcome: EventOutcome) -> Result:
    received = intent.get("amount_received") or intent["amount"]
    paid_at = datetime.fromtimestamp(outcome.event_created, UTC) if outcome.event_created else None
    charge_id = object_id(intent.get("latest_charge"))
    paid = transitions.pay_by_payment_intent(
        session,
        intent["id"],
        amount_received=received,
        currency=intent["currency"].upper(),
        charge_id=charge_id,
        paid_at=paid_at,
    )
    if paid is not None:
        outcome.paid_donation_ids.append(paid.id)
        replay_deferred(session, (intent["id"], paid.stripe_charge_id), outcome)
        return StripeEventStatus.PROCESSED, f"donation {paid.public_id} paid"
    # Not the common case: unknown, paid already, found only by our id, or a different amount.
    donation = find_donation(session, payment_intent_id=intent["id"], public_id=_our_public_id(intent))
    if donation is None:
        return _unknown(intent)
    if donation.stripe_payment_intent_id not in (None, intent["id"]):
        return (
            StripeEventStatus.IGNORED,
            f"donation {donation.public_id} is paying through another PaymentIntent",
        )
    if received != donation.charged_amount or intent["currency"].upper() != donation.currency:
        log.error(
            "PaymentIntent %s paid %s %s for donation %s",
            intent["id"],
            received,
            intent["currency"],
            donation.id,
        )
        return StripeEventStatus.DEFERRED, "the amount paid differs from the donation"
    donation.stripe_payment_intent_id = intent["id"]
    if mark_donation_paid(session, donation, charge_id, outcome, paid_at=paid_at):
        return StripeEventStatus.PROCESSED, f"donation {donation.public_id} paid"
    return StripeEventStatus.PROCESSED, f"donation {donation.public_id} was already paid"


def mark_donation_paid(
    session: Session,
    donation: Donation,
    charge_id: str | None,
    outcome: EventOutcome,
    *,
    paid_at: datetime | None = None,
) -> bool:
    """Mark paid (at Stripe's time when we have it), then apply the events that were
    waiting for this payment."""
    if not transitions.mark_paid(session, donation, charge_id=charge_id, paid_at=paid_at):
        return False
    outcome.paid_donation_ids.append(donation.id)
    replay_deferred(session, (donation.stripe_payment_intent_id, donation.stripe_charge_id), outcome)
    return True


def payment_failed(session: Session, intent: dict[str, Any], outcome: EventOutcome) -> Result:
    donation = find_donation(session, payment_intent_id=intent["id"], public_id=_our_public_id(intent))
    if donation is None:
        return _unknown(intent)
    if donation.status in (*Donation.COUNTED_STATUSES, DonationStatus.ABANDONED):
        # A late failure of an earlier attempt: the payment that succeeded stands (or, for an
        # abandoned gift, Stripe retrying an old delivery: its PaymentIntent is cancelled).
        return StripeEventStatus.IGNORED, f"donation {donation.public_id} is already {donation.status}"
    error = intent.get("last_payment_error") or {}
    transitions.mark_failed(session, donation, error.get("message") or "The payment failed.")
    return StripeEventStatus.PROCESSED, f"donation {donation.public_id} failed"


def charge_refunded(session: Session, charge: dict[str, Any], outcome: EventOutcome) -> Result:
    donation = find_donation(
        session, payment_intent_id=object_id(charge.get("payment_intent")), charge_id=charge["id"]
    )
    if donation is None:
        return StripeEventStatus.DEFERRED, f"no donation for charge {charge['id']} yet"
    if donation.status not in Donation.COUNTED_STATUSES:
        return StripeEventStatus.DEFERRED, f"donation {donation.public_id} is not paid yet"
    donation.stripe_charge_id = donation.stripe_charge_id or charge["id"]
    applied = apply_refunds(session, donation, refunds_of_charge(charge, outcome.stripe_account))
    if applied:
        outcome.refunded_donation_ids.append(donation.id)
    return StripeEventStatus.PROCESSED, f"{applied} new refund(s) on donation {donation.public_id}"


def refunds_of_charge(charge: dict[str, Any], stripe_account: str | None = None) -> list[dict[str, Any]]:
    """Every refund of a charge. Recent API versions leave `refunds` out of the charge."""
    listed = charge.get("refunds")
    if isinstance(listed, dict) and not listed.get("has_more"):
        return list(listed.get("data") or [])
    return get_gateway().list_charge_refunds(charge["id"], stripe_account=stripe_account)


def apply_refunds(session: Session, donation: Donation, refunds: list[dict[str, Any]]) -> int:
    """Record the refunds not seen yet (oldest first); how many were new."""
    applied = 0
    for refund in sorted(refunds, key=lambda item: item.get("created") or 0):
        if refund.get("status") not in COUNTED_REFUND_STATUSES:
            continue
        reason = (refund.get("metadata") or {}).get("reason") or refund.get("reason") or ""
        recorded = transitions.apply_refund(
            session, donation, stripe_refund_id=refund["id"], amount=refund["amount"], reason=reason
        )
        applied += recorded is not None
    return applied


def dispute_created(session: Session, dispute: dict[str, Any], outcome: EventOutcome) -> Result:
    if dispute.get("status", "").startswith("warning_"):
        return StripeEventStatus.IGNORED, "an inquiry withdraws no funds"
    donation, waiting = _disputed_donation(session, dispute)
    if donation is None:
        return StripeEventStatus.DEFERRED, waiting
    transitions.open_dispute(
        session,
        donation,
        stripe_dispute_id=dispute["id"],
        amount=dispute["amount"],
        reason=dispute.get("reason") or "",
    )
    return StripeEventStatus.PROCESSED, f"dispute {dispute['id']} opened on donation {donation.public_id}"


def dispute_closed(session: Session, dispute: dict[str, Any], outcome: EventOutcome) -> Result:
    status = dispute.get("status")
    # Stripe closes a dispute as `won` or `lost`, the words of our DisputeStatus.
    if status not in (DisputeStatus.WON, DisputeStatus.LOST):
        return StripeEventStatus.IGNORED, f"a dispute closed as {status} moves no money"
    donation, waiting = _disputed_donation(session, dispute)
    if donation is None:
        return StripeEventStatus.DEFERRED, waiting
    known = session.scalar(select(Dispute.id).where(Dispute.stripe_dispute_id == dispute["id"]))
    if known is None:
        # We missed charge.dispute.created: the closed dispute says all we need.
        transitions.open_dispute(
            session,
            donation,
            stripe_dispute_id=dispute["id"],
            amount=dispute["amount"],
            reason=dispute.get("reason") or "",
        )
    transitions.close_dispute(
        session, donation, stripe_dispute_id=dispute["id"], won=status == DisputeStatus.WON
    )
    return StripeEventStatus.PROCESSED, f"dispute {dispute['id']} {status} on donation {donation.public_id}"


def _disputed_donation(session: Session, dispute: dict[str, Any]) -> tuple[Donation | None, str]:
    charge_id = object_id(dispute.get("charge"))
    donation = find_donation(
        session, payment_intent_id=object_id(dispute.get("payment_intent")), charge_id=charge_id
    )
    if donation is None:
        return None, f"no donation for charge {charge_id} yet"
    if donation.status not in Donation.COUNTED_STATUSES:
        return None, f"donation {donation.public_id} is not paid yet"
    return donation, ""


def replay_deferred(session: Session, keys: tuple[str | None, str | None], outcome: EventOutcome) -> None:
    """Apply, oldest first, the stored events that were waiting for this payment: `keys` are
    its PaymentIntent id and its charge id (either may be None)."""
    payment_intent_id, charge_id = keys
    waiting_ids = session.scalars(
        _DEFERRED_FOR, {"payment_intent_id": payment_intent_id, "charge_id": charge_id}
    ).all()
    if not waiting_ids:
        return
    waiting = session.scalars(
        select(StripeEvent)
        .where(StripeEvent.id.in_(waiting_ids))
        .order_by(StripeEvent.stripe_created, StripeEvent.received_at)
    ).all()
    for record in waiting:
        apply_event(session, record, outcome)


# Two fixed parameters rather than an expanding IN list, which SQLAlchemy re-renders each time.
# The status is written into the SQL, not sent as a parameter: a statement PostgreSQL has
# prepared with a generic plan can use the partial index only when it sees the literal.
_DEFERRED_FOR = select(StripeEvent.__table__.c.id).where(
    text(f"stripe_events.status = '{StripeEventStatus.DEFERRED}'"),
    StripeEvent.__table__.c.object_id.in_([bindparam("payment_intent_id"), bindparam("charge_id")]),
)


def _our_public_id(intent: dict[str, Any]) -> str | None:
    return (intent.get("metadata") or {}).get("public_id")


def _unknown(intent: dict[str, Any]) -> Result:
    if not _our_public_id(intent):
        return StripeEventStatus.IGNORED, f"PaymentIntent {intent['id']} is not a donation"
    return StripeEventStatus.DEFERRED, f"no donation for PaymentIntent {intent['id']} yet"


def account_updated(session: Session, account: dict[str, Any], outcome: EventOutcome) -> Result:
    return connect.account_updated(session, account, outcome.event_created)


HANDLERS: dict[str, Callable[[Session, dict[str, Any], EventOutcome], Result]] = {
    "account.updated": account_updated,
    "payment_intent.succeeded": payment_succeeded,
    "payment_intent.payment_failed": payment_failed,
    "charge.refunded": charge_refunded,
    "charge.dispute.created": dispute_created,
    "charge.dispute.closed": dispute_closed,
}


def queue_receipt_jobs(paid_donation_ids: list[int], refunded_donation_ids: list[int]) -> None:
    """After the commit: issue receipts for new payments, correct them after refunds. The
    commit already recorded this work as owed, so a process that dies here loses nothing:
    `flask receipts sweep-owed` does it a minute later (receipts/owed.py)."""
    if current_app.config["EXIT_BEFORE_QUEUEING_RECEIPTS"] and (paid_donation_ids or refunded_donation_ids):
        os._exit(70)  # tests only: a worker killed between the commit and the queueing
    for donation_id in dict.fromkeys(paid_donation_ids):
        enqueue(tasks.issue_receipt_for_donation, donation_id)
    for donation_id in dict.fromkeys(refunded_donation_ids):
        enqueue(tasks.receipt_after_refund, donation_id)
