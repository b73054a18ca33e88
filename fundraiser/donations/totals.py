"""The stored totals of pages, events and causes, and what a donation adds to them.

What "raised" counts: the gift `amount` of every paid donation, without the fee cover, less
what refunds and disputes took back out of it (`Donation.kept_amount`, never below 0). A
refund takes the gift first, so refunding a covered gift in full takes out the gift, not
more. `donation_count` counts the donations that still keep something.

Totals are only ever moved with atomic `UPDATE ... SET raised_amount = raised_amount + :delta`,
in the transaction of the change that moves them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import bindparam, text, update
from sqlalchemy.orm import Session

from fundraiser.models import Donation, FundraisingTotal, PledgePage, TotalScope


def counts_towards_totals(donation: Donation) -> tuple[int, int]:
    """(raised, count) this donation adds to its page, event and cause totals."""
    if donation.status not in Donation.COUNTED_STATUSES:
        return 0, 0
    kept = donation.kept_amount
    return kept, 1 if kept > 0 else 0


def move_totals(session: Session, donation: Donation, before: tuple[int, int]) -> None:
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
    scopes_in_order = ((TotalScope.EVENT, scopes.event_id), (TotalScope.CAUSE, scopes.cause_id))
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
    forget_loaded_totals(session, scopes.page_id)


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


def forget_loaded_totals(session: Session, page_id: int) -> None:
    """The atomic updates bypassed the ORM: make loaded copies read the new values."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, PledgePage) and obj.id == page_id:
            session.expire(obj, ["raised_amount", "donation_count"])
        elif isinstance(obj, FundraisingTotal):
            session.expire(obj, ["raised_amount", "donation_count"])
