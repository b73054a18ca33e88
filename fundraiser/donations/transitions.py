"""The life of a donation: one function per change of state, each refusing a move the
table below does not allow.

A donation is created pending (donations/pending.py). Only Stripe moves it on (through the
webhook handlers, the sync command or an admin's refund), or a day without payment (the
abandon-stale command, once its PaymentIntent is cancelled at Stripe). Every transition changes the
stored totals (donations/totals.py) in the same transaction.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from fundraiser.donations.errors import IllegalTransition
from fundraiser.donations.totals import (
    add_to_totals,
    counts_towards_totals,
    forget_loaded_totals,
    move_totals,
)
from fundraiser.models import (
    Dispute,
    DisputeStatus,
    Donation,
    DonationStatus,
    OwedWorkKind,
    Refund,
    TotalScope,
)
from fundraiser.models.columns import sql_list, utcnow
from fundraiser.receipts.owed import owe

# Which status may follow which. Refunds and disputes change amounts, not these states,
# except that a refund of everything charged ends in `refunded`.
ALLOWED_TRANSITIONS = {
    (DonationStatus.PENDING, DonationStatus.PAID),
    (DonationStatus.FAILED, DonationStatus.PAID),  # the donor tried another card on the same PaymentIntent
    (DonationStatus.PENDING, DonationStatus.FAILED),
    (DonationStatus.FAILED, DonationStatus.FAILED),
    (DonationStatus.PAID, DonationStatus.REFUNDED),
    # Left unpaid for a day, its PaymentIntent cancelled at Stripe (payments/stale.py).
    (DonationStatus.PENDING, DonationStatus.ABANDONED),
    (DonationStatus.FAILED, DonationStatus.ABANDONED),
}


def lock_donation(session: Session, donation_id: int) -> Donation | None:
    """Load a donation for change. On PostgreSQL the row lock serialises concurrent
    events for one donation. SQLite has no FOR UPDATE, and pysqlite begins a transaction only
    at the first write, so a read here could be stale by the time we write: a no-op write
    first takes SQLite's single write lock, and the read then sees the latest row."""
    if session.get_bind().dialect.name == "sqlite":
        table = Donation.__table__
        session.execute(
            update(table).where(table.c.id == donation_id).values(failure_message=table.c.failure_message)
        )
    return session.scalar(
        select(Donation)
        .where(Donation.id == donation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _require(donation: Donation, new_status: DonationStatus) -> None:
    if (donation.status, new_status) not in ALLOWED_TRANSITIONS:
        raise IllegalTransition(
            f"Donation {donation.public_id} cannot go from {donation.status} to {new_status}."
        )


def mark_paid(
    session: Session, donation: Donation, *, charge_id: str | None, paid_at: datetime | None = None
) -> bool:
    """Stripe says the donation is paid: count it. False (and no change) if already paid.
    `pay_by_payment_intent` is the same move in one statement, for the webhook's common case."""
    if donation.status in Donation.COUNTED_STATUSES:
        if charge_id and not donation.stripe_charge_id:
            donation.stripe_charge_id = charge_id
            session.flush()
        return False
    _require(donation, DonationStatus.PAID)
    before = counts_towards_totals(donation)
    donation.status = DonationStatus.PAID
    donation.paid_at = paid_at or utcnow()
    donation.failure_message = ""
    if charge_id:
        donation.stripe_charge_id = charge_id
    move_totals(session, donation, before)
    owe(session, OwedWorkKind.RECEIPT, donation.id)
    return True


@dataclass(frozen=True)
class PaidDonation:
    """What the webhook needs of a donation that `pay_by_payment_intent` just marked paid."""

    id: int
    public_id: str
    page_id: int
    event_id: int
    cause_id: int
    currency: str
    stripe_charge_id: str | None


def pay_by_payment_intent(
    session: Session,
    payment_intent_id: str,
    *,
    amount_received: int,
    currency: str,
    charge_id: str | None,
    paid_at: datetime | None = None,
) -> PaidDonation | None:
    """The common case of a successful payment in one statement: mark paid the donation
    holding this PaymentIntent if it is waiting for payment and Stripe received exactly its
    charged amount in its currency, then count it. None when no donation matched: the caller
    then takes the careful path (`mark_paid` on a locked donation), which says why.

    The conditional UPDATE takes the row lock and checks its condition again after any wait
    for that lock, so two deliveries of one payment cannot both count it. On PostgreSQL the
    totals are moved, and the receipt owed (receipts/owed.py), in the same statement (one
    round trip instead of four)."""
    params = {
        "payment_intent_id": payment_intent_id,
        "amount_received": amount_received,
        "in_currency": currency,
        "charge_id": charge_id,
        "new_paid_at": paid_at or utcnow(),
    }
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(_PAY_AND_COUNT_POSTGRESQL, params | {"now": utcnow()}).one_or_none()
        if row is None:
            return None
        paid = _paid_donation(row)
        _forget_loaded(session, paid)
        return paid
    row = session.execute(_pay_statement(), params).one_or_none()
    if row is None:
        return None
    paid = _paid_donation(row)
    add_to_totals(session, paid, row.kept, 1 if row.kept > 0 else 0)
    owe(session, OwedWorkKind.RECEIPT, paid.id)
    _forget_loaded(session, paid)
    return paid


def _forget_loaded(session: Session, paid: PaidDonation) -> None:
    """The UPDATE bypassed the ORM: a copy of the donation or its totals loaded in this
    session reads the new values on next access."""
    forget_loaded_totals(session, paid.page_id)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Donation) and obj.id == paid.id:
            session.expire(obj)


def _paid_donation(row: Any) -> PaidDonation:
    return PaidDonation(**{name: row._mapping[name] for name in PaidDonation.__dataclass_fields__})


# The statuses a donation may be paid from: it is waiting for payment.
PAYABLE_STATUSES = tuple(
    sorted(before for before, after in ALLOWED_TRANSITIONS if after == DonationStatus.PAID)
)

# pay_by_payment_intent on PostgreSQL: the donation, then its page, then its event's and its
# cause's totals, in the order add_to_totals takes them (each later step reads the one before,
# so the rows are locked in that order and two payments never deadlock); then the receipt it
# owes, as receipts.owed.owe writes it. Statuses and scopes
# are written into the SQL from the enums as literals, not parameters, so a generic plan still
# sees them (as the deferred lookup in payments/handlers.py explains).
_PAY_AND_COUNT_POSTGRESQL = text(
    f"""
    WITH paid AS (
        UPDATE donations
        SET status = '{DonationStatus.PAID}', paid_at = :new_paid_at, failure_message = '',
            stripe_charge_id = COALESCE(CAST(:charge_id AS VARCHAR), stripe_charge_id)
        WHERE stripe_payment_intent_id = :payment_intent_id
          AND status IN ({sql_list(PAYABLE_STATUSES)})
          AND charged_amount = :amount_received AND currency = :in_currency
        RETURNING id, public_id, page_id, event_id, cause_id, currency, stripe_charge_id,
                  GREATEST(0, amount - refunded_amount - disputed_amount) AS kept
    ), page AS (
        UPDATE pledge_pages
        SET raised_amount = pledge_pages.raised_amount + paid.kept,
            donation_count = pledge_pages.donation_count + CASE WHEN paid.kept > 0 THEN 1 ELSE 0 END,
            updated_at = :now
        FROM paid WHERE pledge_pages.id = paid.page_id
        RETURNING paid.*
    ), totals AS (
        INSERT INTO fundraising_totals (scope, scope_id, currency, raised_amount, donation_count)
        SELECT '{TotalScope.EVENT}', event_id, currency, kept, CASE WHEN kept > 0 THEN 1 ELSE 0 END FROM page
        UNION ALL
        SELECT '{TotalScope.CAUSE}', cause_id, currency, kept, CASE WHEN kept > 0 THEN 1 ELSE 0 END FROM page
        ON CONFLICT (scope, scope_id, currency) DO UPDATE SET
            raised_amount = fundraising_totals.raised_amount + excluded.raised_amount,
            donation_count = fundraising_totals.donation_count + excluded.donation_count
        RETURNING 1
    ), owed AS (
        INSERT INTO owed_work (kind, donation_id, owed_since)
        SELECT '{OwedWorkKind.RECEIPT}', id, :now FROM page
        ON CONFLICT (kind, donation_id) DO UPDATE SET owed_since = excluded.owed_since
        RETURNING 1
    )
    SELECT page.*, (SELECT count(*) FROM totals) AS totals_moved, (SELECT count(*) FROM owed) AS owed
    FROM page
    """
).bindparams(
    bindparam("new_paid_at", type_=Donation.__table__.c.paid_at.type),
    bindparam("now", type_=Donation.__table__.c.paid_at.type),
)


@functools.cache
def _pay_statement():
    table = Donation.__table__
    return (
        update(table)
        .where(
            table.c.stripe_payment_intent_id == bindparam("payment_intent_id"),
            table.c.status.in_(PAYABLE_STATUSES),
            table.c.charged_amount == bindparam("amount_received"),
            table.c.currency == bindparam("in_currency"),
        )
        .values(
            status=DonationStatus.PAID,
            paid_at=bindparam("new_paid_at", type_=table.c.paid_at.type),
            failure_message="",
            stripe_charge_id=func.coalesce(
                bindparam("charge_id", type_=table.c.stripe_charge_id.type), table.c.stripe_charge_id
            ),
        )
        .returning(
            *(table.c[name] for name in PaidDonation.__dataclass_fields__),
            # SQLite's two-argument max: the gift less refunds and disputes, never below 0.
            func.max(0, table.c.amount - table.c.refunded_amount - table.c.disputed_amount).label("kept"),
        )
    )


def mark_failed(session: Session, donation: Donation, message: str) -> None:
    """The card was declined or authentication failed. Never moves a paid donation."""
    _require(donation, DonationStatus.FAILED)
    donation.status = DonationStatus.FAILED
    donation.failure_message = (message or "The payment failed.")[:255]
    session.flush()


def mark_abandoned(session: Session, donation: Donation) -> None:
    """Nobody paid this gift within a day and its PaymentIntent is cancelled: it is over.
    It never counted, so no total moves."""
    _require(donation, DonationStatus.ABANDONED)
    donation.status = DonationStatus.ABANDONED
    session.flush()


def apply_refund(
    session: Session,
    donation: Donation,
    *,
    stripe_refund_id: str,
    amount: int,
    reason: str = "",
    requested_by_id: int | None = None,
) -> Refund | None:
    """Record one Stripe refund and take it out of the totals. None if it was already recorded."""
    existing = session.scalar(select(Refund).where(Refund.stripe_refund_id == stripe_refund_id))
    if existing is not None:
        if requested_by_id is not None and existing.requested_by_id is None:
            existing.requested_by_id = requested_by_id
            existing.reason = existing.reason or reason[:255]
            session.flush()
        return None
    if donation.status != DonationStatus.PAID:
        raise IllegalTransition(f"Donation {donation.public_id} is {donation.status}: it cannot be refunded.")
    if amount <= 0 or donation.refunded_amount + amount > donation.charged_amount:
        raise IllegalTransition(
            f"A refund of {amount} does not fit donation {donation.public_id} "
            f"({donation.refunded_amount} of {donation.charged_amount} already refunded)."
        )
    before = counts_towards_totals(donation)
    refund = Refund(
        donation_id=donation.id,
        stripe_refund_id=stripe_refund_id,
        amount=amount,
        reason=reason[:255],
        requested_by_id=requested_by_id,
    )
    session.add(refund)
    donation.refunded_amount += amount
    if donation.refunded_amount == donation.charged_amount:
        _require(donation, DonationStatus.REFUNDED)
        donation.status = DonationStatus.REFUNDED
    move_totals(session, donation, before)
    owe(session, OwedWorkKind.CORRECTION, donation.id)
    return refund


def open_dispute(
    session: Session, donation: Donation, *, stripe_dispute_id: str, amount: int, reason: str = ""
) -> Dispute | None:
    """A chargeback withdrew `amount`: take it out of the totals. None if already open."""
    if session.scalar(select(Dispute).where(Dispute.stripe_dispute_id == stripe_dispute_id)) is not None:
        return None
    if donation.status not in Donation.COUNTED_STATUSES:
        raise IllegalTransition(f"Donation {donation.public_id} is {donation.status}: it cannot be disputed.")
    if amount <= 0:
        raise IllegalTransition(f"A dispute of {amount} is not possible.")
    before = counts_towards_totals(donation)
    dispute = Dispute(
        donation_id=donation.id, stripe_dispute_id=stripe_dispute_id, amount=amount, reason=reason[:60]
    )
    session.add(dispute)
    donation.disputed_amount = min(donation.charged_amount, donation.disputed_amount + amount)
    move_totals(session, donation, before)
    return dispute


def close_dispute(session: Session, donation: Donation, *, stripe_dispute_id: str, won: bool) -> bool:
    """A won dispute returns the money to the totals; a lost one keeps it out.
    False when the dispute was already closed."""
    dispute = session.scalar(
        select(Dispute).where(Dispute.stripe_dispute_id == stripe_dispute_id).with_for_update()
    )
    if dispute is None or dispute.donation_id != donation.id:
        raise IllegalTransition(f"Dispute {stripe_dispute_id} is not open on donation {donation.public_id}.")
    if dispute.status != DisputeStatus.OPEN:
        return False
    before = counts_towards_totals(donation)
    dispute.status = DisputeStatus.WON if won else DisputeStatus.LOST
    dispute.closed_at = utcnow()
    if won:
        donation.disputed_amount = max(0, donation.disputed_amount - dispute.amount)
    move_totals(session, donation, before)
    return True
