"""The rules of giving: amounts, fee cover, Gift Aid, and the life of a donation.

A donation is created pending. Only Stripe moves it on (through the webhook handlers, the
sync command or an admin's refund), one function per transition, each refusing a move the
table below does not allow. Every transition changes the stored totals in the same
transaction with atomic `UPDATE ... SET raised_amount = raised_amount + :delta`.

What "raised" counts: the gift `amount` of every paid donation, without the fee cover, less
what refunds and disputes took back out of it (`Donation.kept_amount`, never below 0). A
refund takes the gift first, so refunding a covered gift in full takes out the gift, not
more. `donation_count` counts the donations that still keep something.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from fundraiser.donations.fees import fee_cover
from fundraiser.donations.giftaid import gift_aid_allowed, gift_aid_wording
from fundraiser.models import Dispute, Donation, FundraisingTotal, GiftAidDeclaration, PledgePage, Refund
from fundraiser.models.columns import utcnow
from fundraiser.money import SUPPORTED_CURRENCIES, format_money, to_minor

# Stripe's minimum charge per currency, in minor units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
MINIMUM_AMOUNTS = {"GBP": 30, "USD": 50, "CAD": 50, "EUR": 50, "AUD": 50, "JPY": 50}
# Ten thousand major units per gift: above that a gift is a typo or card testing.
MAXIMUM_MAJOR_UNITS = 10_000
MAXIMUM_AMOUNTS = {currency: to_minor(MAXIMUM_MAJOR_UNITS, currency) for currency in SUPPORTED_CURRENCIES}
MAXIMUM_AMOUNTS["JPY"] = 1_000_000

_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PUBLIC_ID = re.compile(r"^[0-9a-f]{32}$")
# NUL and other control characters: PostgreSQL refuses NUL in text, and none belongs in a name.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Which status may follow which. Refunds and disputes change amounts, not these states,
# except that a refund of everything charged ends in `refunded`.
ALLOWED_TRANSITIONS = {
    ("pending", "paid"),
    ("failed", "paid"),  # the donor tried another card on the same PaymentIntent
    ("pending", "failed"),
    ("failed", "failed"),
    ("paid", "refunded"),
}


class InvalidDonation(Exception):
    """One or more fields break a rule: `errors` maps field name to a message for a person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


class IllegalTransition(Exception):
    """The donation is not in a state that allows this change."""


@dataclass
class GiftAidDetails:
    """What the donor typed into the Gift Aid declaration."""

    first_name: str
    last_name: str
    house_name_or_number: str
    address: str
    postcode: str
    title: str = ""
    covers_past_and_future: bool = False


# Amounts and fees


def minimum_amount(currency: str) -> int:
    return MINIMUM_AMOUNTS[currency.upper()]


def maximum_amount(currency: str) -> int:
    return MAXIMUM_AMOUNTS[currency.upper()]


def amount_error(amount: int, currency: str) -> str | None:
    """Why this gift amount is not allowed, in words for the donor; None when it is fine."""
    currency = currency.upper()
    if currency not in MINIMUM_AMOUNTS:
        return f"We cannot take gifts in {currency}."
    if amount < minimum_amount(currency):
        return f"The smallest gift we can take is {format_money(minimum_amount(currency), currency)}."
    if amount > maximum_amount(currency):
        return f"The largest gift we can take online is {format_money(maximum_amount(currency), currency)}."
    return None


# Creating a donation


def create_pending_donation(
    session: Session,
    page: PledgePage,
    *,
    amount: int,
    fee_cover_amount: int = 0,
    donor_name: str,
    donor_email: str,
    message: str = "",
    is_anonymous: bool = False,
    donor_user_id: int | None = None,
    is_company: bool = False,
    address_line1: str = "",
    address_city: str = "",
    address_postcode: str = "",
    address_country: str = "",
    gift_aid: GiftAidDetails | None = None,
    attempt_id: str | None = None,
) -> Donation:
    """Check every rule, then add a pending donation (and its Gift Aid declaration).

    `amount` and `fee_cover_amount` are minor units in the page's currency; the fee cover
    must be 0 or exactly `fee_cover(amount, currency)`, so the browser can never set what
    is charged. `attempt_id` (32 hex digits the form was rendered with) becomes the
    donation's public id: submitting the same form twice returns the same donation, and so
    the same PaymentIntent. The address is the donor's, for receipts that need one.
    """
    if attempt_id is not None:
        existing = _existing_attempt(session, page, attempt_id, amount, fee_cover_amount)
        if existing is not None:
            return existing
    errors: dict[str, str] = {}
    if not page.is_published:
        errors["page"] = "This page is not taking donations."
    if problem := amount_error(amount, page.currency):
        errors["amount"] = problem
    elif fee_cover_amount not in (0, fee_cover(amount, page.currency)):
        errors["fee_cover_amount"] = "The fee estimate has changed: please check the amount and try again."
    donor = _donor_fields(
        errors,
        donor_name=donor_name,
        donor_email=donor_email,
        message=message,
        address_line1=address_line1,
        address_city=address_city,
        address_postcode=address_postcode,
        address_country=address_country,
    )
    declaration = None
    if gift_aid is not None:
        declaration = _gift_aid_declaration(page, gift_aid, amount, is_company, donor_user_id, errors)
    if errors:
        raise InvalidDonation(errors)

    donation = Donation(
        page_id=page.id,
        cause_id=page.cause_id,
        event_id=page.event_id,
        team_id=page.team_id,
        donor_user_id=donor_user_id,
        currency=page.currency,
        amount=amount,
        fee_cover_amount=fee_cover_amount,
        charged_amount=amount + fee_cover_amount,
        is_anonymous=is_anonymous,
        is_company=is_company,
        status="pending",
        **donor,
    )
    if attempt_id is not None:
        donation.public_id = attempt_id
    if declaration is not None:
        donation.gift_aid_declaration = declaration
        if not donation.address_line1:
            donation.address_line1 = f"{declaration.house_name_or_number} {declaration.address}"[:200]
            donation.address_postcode = declaration.postcode
            donation.address_country = "GB"
    session.add(donation)
    session.flush()
    return donation


_DONOR_LIMITS = {
    "donor_name": 120,
    "donor_email": 254,
    "message": 1000,
    "address_line1": 200,
    "address_city": 120,
    "address_postcode": 20,
    "address_country": 2,
}


def _donor_fields(errors: dict[str, str], **typed: str) -> dict[str, str]:
    """The donor's fields tidied, with what is wrong with them added to `errors`."""
    clean = {
        name: value.strip() if name == "message" else " ".join(value.split()) for name, value in typed.items()
    }
    clean["address_country"] = clean["address_country"].upper()
    for name, value in clean.items():
        if _CONTROL.search(value):
            errors[name] = "Remove the invisible control characters from this field."
        elif len(value) > _DONOR_LIMITS[name]:
            errors[name] = f"Use at most {_DONOR_LIMITS[name]:,} characters."
    if not clean["donor_name"]:
        errors["donor_name"] = "Enter your name."
    if not _EMAIL.match(clean["donor_email"]):
        errors["donor_email"] = "Enter an email address like name@example.com."
    return clean


def _existing_attempt(
    session: Session, page: PledgePage, attempt_id: str, amount: int, fee_cover_amount: int
) -> Donation | None:
    if not _PUBLIC_ID.match(attempt_id):
        raise InvalidDonation({"attempt_id": "This form has expired: please reload the page."})
    donation = session.scalar(select(Donation).where(Donation.public_id == attempt_id))
    if donation is None:
        return None
    same = (donation.page_id, donation.amount, donation.fee_cover_amount) == (
        page.id,
        amount,
        fee_cover_amount,
    )
    if not same or donation.status != "pending":
        raise InvalidDonation({"attempt_id": "This form was already used: please reload the page."})
    return donation


def _gift_aid_declaration(
    page: PledgePage,
    details: GiftAidDetails,
    amount: int,
    is_company: bool,
    donor_user_id: int | None,
    errors: dict[str, str],
) -> GiftAidDeclaration | None:
    """Validate a Gift Aid declaration into `errors`; the declaration when it is valid."""
    if not gift_aid_allowed(page):
        errors["gift_aid"] = "Gift Aid applies only to gifts in pounds to a UK charity."
        return None
    if is_company:
        errors["gift_aid"] = "Gift Aid cannot be claimed on a company's gift."
        return None
    if donor_user_id is not None and donor_user_id == page.runner_id:
        # HMRC: a participant's gift to their own fundraising is not eligible when they
        # benefit from the event (a place, an entry); we take the stricter reading.
        errors["gift_aid"] = "Gift Aid cannot be claimed on a gift to your own page."
        return None
    fields = {
        "first_name": (" ".join(details.first_name.split()), "Enter your first name or initial.", 80),
        "last_name": (" ".join(details.last_name.split()), "Enter your last name.", 80),
        "house_name_or_number": (
            " ".join(details.house_name_or_number.split()),
            "Enter your house name or number.",
            80,
        ),
        "address": (" ".join(details.address.split()), "Enter your home address.", 255),
    }
    clean: dict[str, str] = {}
    for name, (value, missing, longest) in fields.items():
        if not value:
            errors[name] = missing
        elif len(value) > longest:
            errors[name] = f"Use at most {longest} characters."
        elif _CONTROL.search(value):
            errors[name] = "Remove the invisible control characters from this field."
        clean[name] = value
    postcode = _UK_POSTCODE.match(" ".join(details.postcode.upper().split()))
    if postcode is None:
        errors["postcode"] = "Enter your UK postcode, like LS1 4AP."
    if any(name in errors for name in (*fields, "postcode")):
        return None
    return GiftAidDeclaration(
        title=details.title.strip()[:20],
        postcode=f"{postcode.group(1)} {postcode.group(2)}",
        covers_past_and_future=details.covers_past_and_future,
        wording=gift_aid_wording(
            page.cause.legal_name, amount, page.currency, details.covers_past_and_future
        ),
        **clean,
    )


# Transitions


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


def _require(donation: Donation, new_status: str) -> None:
    if (donation.status, new_status) not in ALLOWED_TRANSITIONS:
        raise IllegalTransition(
            f"Donation {donation.public_id} cannot go from {donation.status} to {new_status}."
        )


def mark_paid(
    session: Session, donation: Donation, *, charge_id: str | None, paid_at: datetime | None = None
) -> bool:
    """Stripe says the donation is paid: count it. False (and no change) if already paid.
    `pay_by_payment_intent` is the same move in one statement, for the webhook's common case."""
    if donation.status == "paid" or donation.status == "refunded":
        if charge_id and not donation.stripe_charge_id:
            donation.stripe_charge_id = charge_id
            session.flush()
        return False
    _require(donation, "paid")
    before = counts_towards_totals(donation)
    donation.status = "paid"
    donation.paid_at = paid_at or utcnow()
    donation.failure_message = ""
    if charge_id:
        donation.stripe_charge_id = charge_id
    _move_totals(session, donation, before)
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
    totals are moved in the same statement (one round trip instead of three)."""
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
    _forget_loaded(session, paid)
    return paid


def _forget_loaded(session: Session, paid: PaidDonation) -> None:
    """The UPDATE bypassed the ORM: a copy of the donation or its totals loaded in this
    session reads the new values on next access."""
    _forget_loaded_totals(session, paid.page_id)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Donation) and obj.id == paid.id:
            session.expire(obj)


def _paid_donation(row: Any) -> PaidDonation:
    return PaidDonation(**{name: row._mapping[name] for name in PaidDonation.__dataclass_fields__})


_PAYABLE = tuple(sorted(before for before, after in ALLOWED_TRANSITIONS if after == "paid"))

# pay_by_payment_intent on PostgreSQL: the donation, then its page, then its event's and its
# cause's totals, in the order add_to_totals takes them (each later step reads the one before,
# so the rows are locked in that order and two payments never deadlock).
_PAY_AND_COUNT_POSTGRESQL = text(
    f"""
    WITH paid AS (
        UPDATE donations
        SET status = 'paid', paid_at = :new_paid_at, failure_message = '',
            stripe_charge_id = COALESCE(CAST(:charge_id AS VARCHAR), stripe_charge_id)
        WHERE stripe_payment_intent_id = :payment_intent_id
          AND status IN ({", ".join(f"'{status}'" for status in _PAYABLE)})
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
        SELECT 'event', event_id, currency, kept, CASE WHEN kept > 0 THEN 1 ELSE 0 END FROM page
        UNION ALL
        SELECT 'cause', cause_id, currency, kept, CASE WHEN kept > 0 THEN 1 ELSE 0 END FROM page
        ON CONFLICT (scope, scope_id, currency) DO UPDATE SET
            raised_amount = fundraising_totals.raised_amount + excluded.raised_amount,
            donation_count = fundraising_totals.donation_count + excluded.donation_count
        RETURNING 1
    )
    SELECT page.*, (SELECT count(*) FROM totals) AS totals_moved FROM page
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
            table.c.status.in_(_PAYABLE),
            table.c.charged_amount == bindparam("amount_received"),
            table.c.currency == bindparam("in_currency"),
        )
        .values(
            status="paid",
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
    _require(donation, "failed")
    donation.status = "failed"
    donation.failure_message = (message or "The payment failed.")[:255]
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
    if donation.status != "paid":
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
        _require(donation, "refunded")
        donation.status = "refunded"
    _move_totals(session, donation, before)
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
    _move_totals(session, donation, before)
    return dispute


def close_dispute(session: Session, donation: Donation, *, stripe_dispute_id: str, won: bool) -> bool:
    """A won dispute returns the money to the totals; a lost one keeps it out.
    False when the dispute was already closed."""
    dispute = session.scalar(
        select(Dispute).where(Dispute.stripe_dispute_id == stripe_dispute_id).with_for_update()
    )
    if dispute is None or dispute.donation_id != donation.id:
        raise IllegalTransition(f"Dispute {stripe_dispute_id} is not open on donation {donation.public_id}.")
    if dispute.status != "open":
        return False
    before = counts_towards_totals(donation)
    dispute.status = "won" if won else "lost"
    dispute.closed_at = utcnow()
    if won:
        donation.disputed_amount = max(0, donation.disputed_amount - dispute.amount)
    _move_totals(session, donation, before)
    return True


# Totals


def counts_towards_totals(donation: Donation) -> tuple[int, int]:
    """(raised, count) this donation adds to its page, event and cause totals."""
    if donation.status not in Donation.COUNTED_STATUSES:
        return 0, 0
    kept = donation.kept_amount
    return kept, 1 if kept > 0 else 0


def _move_totals(session: Session, donation: Donation, before: tuple[int, int]) -> None:
    """Add the change in this donation's contribution to every stored total, atomically."""
    session.flush()
    after = counts_towards_totals(donation)
    add_to_totals(session, donation, after[0] - before[0], after[1] - before[1])


def add_to_totals(session: Session, scopes: TotalScopes, delta: int, count: int) -> None:
    """Add `delta` minor units and `count` gifts to a page's total and its event's and
    cause's totals in `scopes.currency`: one atomic UPDATE ... + for the page, then the event
    and cause rows in that order (every writer takes the rows in the same order, so two
    payments never deadlock on them)."""
    if delta == 0 and count == 0:
        return
    statements = _total_statements()
    session.execute(statements.page, {"page_id": scopes.page_id, "delta": delta, "count": count})
    scopes_in_order = (("event", scopes.event_id), ("cause", scopes.cause_id))
    if delta >= 0 and count >= 0:
        # Money coming in: insert-or-add both rows in one statement.
        params: dict[str, Any] = {}
        for n, (scope, scope_id) in enumerate(scopes_in_order):
            params |= {f"scope_{n}": scope, f"scope_id_{n}": scope_id, f"currency_{n}": scopes.currency}
            params |= {f"delta_{n}": delta, f"count_{n}": count}
        session.execute(statements.upsert, params)
    else:
        # Money going out: the rows exist (an insert would trip the not-negative CHECK first).
        for scope, scope_id in scopes_in_order:
            row = {"in_scope": scope, "in_scope_id": scope_id, "in_currency": scopes.currency}
            session.execute(statements.subtract, row | {"delta": delta, "count": count})
    _forget_loaded_totals(session, scopes.page_id)


class TotalScopes(Protocol):
    """Where a gift's money is counted: a Donation, or a PaidDonation row."""

    page_id: int
    event_id: int
    cause_id: int
    currency: str


@dataclass(frozen=True)
class _TotalStatements:
    page: Any
    upsert: Any
    subtract: Any


# Written out because SQLAlchemy does not cache a multi-row INSERT: it would be compiled
# anew for every payment. PostgreSQL and SQLite share this syntax.
_ADD_TO_EVENT_AND_CAUSE = text(
    "INSERT INTO fundraising_totals (scope, scope_id, currency, raised_amount, donation_count) "
    "VALUES (:scope_0, :scope_id_0, :currency_0, :delta_0, :count_0), "
    "(:scope_1, :scope_id_1, :currency_1, :delta_1, :count_1) "
    "ON CONFLICT (scope, scope_id, currency) DO UPDATE SET "
    "raised_amount = fundraising_totals.raised_amount + excluded.raised_amount, "
    "donation_count = fundraising_totals.donation_count + excluded.donation_count"
)


@functools.cache
def _total_statements() -> _TotalStatements:
    """The statements that move totals, built once: building SQLAlchemy statements costs
    more than running these on a busy webhook path."""
    pages = PledgePage.__table__
    totals = FundraisingTotal.__table__
    return _TotalStatements(
        page=update(pages)
        .where(pages.c.id == bindparam("page_id"))
        .values(
            raised_amount=pages.c.raised_amount + bindparam("delta"),
            donation_count=pages.c.donation_count + bindparam("count"),
        ),
        upsert=_ADD_TO_EVENT_AND_CAUSE,
        subtract=update(totals)
        .where(
            totals.c.scope == bindparam("in_scope"),
            totals.c.scope_id == bindparam("in_scope_id"),
            totals.c.currency == bindparam("in_currency"),
        )
        .values(
            raised_amount=totals.c.raised_amount + bindparam("delta"),
            donation_count=totals.c.donation_count + bindparam("count"),
        ),
    )


def _forget_loaded_totals(session: Session, page_id: int) -> None:
    """The atomic updates bypassed the ORM: make loaded copies read the new values."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, PledgePage) and obj.id == page_id:
            session.expire(obj, ["raised_amount", "donation_count"])
        elif isinstance(obj, FundraisingTotal):
            session.expire(obj, ["raised_amount", "donation_count"])
