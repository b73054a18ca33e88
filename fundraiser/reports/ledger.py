"""The charity's donations list (one page at a time) and its ledger (every row, streamed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from fundraiser.models import (
    Donation,
    Event,
    GiftAidDeclaration,
    PledgePage,
    Receipt,
    ReceiptKind,
    event_causes,
)
from fundraiser.params import contains_text
from fundraiser.reports.periods import Period

_receipt_number = func.coalesce(func.nullif(Receipt.display_number, ""), cast(Receipt.number, String))
_RECEIPT_JOIN = and_(
    Receipt.donation_id == Donation.id, Receipt.kind == ReceiptKind.SINGLE, Receipt.voided_at.is_(None)
)


def _donation_columns():
    return (
        Donation.id,
        Donation.public_id,
        Donation.created_at,
        Donation.paid_at,
        Donation.status,
        Donation.currency,
        Donation.amount,
        Donation.fee_cover_amount,
        Donation.refunded_amount,
        Donation.disputed_amount,
        Donation.donor_name,
        Donation.donor_email,
        Donation.is_anonymous,
        Donation.is_company,
        GiftAidDeclaration.id.is_not(None).label("gift_aid"),
        Receipt.id.label("receipt_id"),
        _receipt_number.label("receipt_number"),
        PledgePage.title.label("page_title"),
        Event.name.label("event_name"),
    )


def _with_joins(stmt):
    return (
        stmt.join(PledgePage, PledgePage.id == Donation.page_id)
        .join(Event, Event.id == Donation.event_id)
        .outerjoin(GiftAidDeclaration, GiftAidDeclaration.donation_id == Donation.id)
        .outerjoin(Receipt, _RECEIPT_JOIN)
    )


def cause_events(session: Session, cause_id: int) -> list[tuple[int, str]]:
    """(id, name) of the events the cause takes part in, newest first: the list's event filter."""
    stmt = (
        select(Event.id, Event.name)
        .join(event_causes, event_causes.c.event_id == Event.id)
        .where(event_causes.c.cause_id == cause_id)
        .order_by(Event.starts_on.desc(), Event.name)
    )
    return [(row.id, row.name) for row in session.execute(stmt)]


@dataclass(frozen=True)
class DonationFilters:
    status: str = ""
    event_id: int | None = None
    period: Period | None = None
    search: str = ""


def donations_page(
    session: Session, cause_id: int, filters: DonationFilters, before_id: int | None, limit: int = 50
) -> tuple[list, int | None]:
    """One page of the donations list, newest first, by seek paging on the primary key: the
    page after is `id < last id seen`, so no page scans the rows before it and none counts
    them all. Returns (rows, the id to continue before, or None on the last page)."""
    stmt = _with_joins(select(*_donation_columns())).where(Donation.cause_id == cause_id)
    if filters.status:
        stmt = stmt.where(Donation.status == filters.status)
    if filters.event_id:
        stmt = stmt.where(Donation.event_id == filters.event_id)
    if filters.period:
        stmt = stmt.where(
            Donation.created_at >= filters.period.start, Donation.created_at < filters.period.end
        )
    if filters.search:
        stmt = stmt.where(
            or_(
                contains_text(Donation.donor_name, filters.search),
                contains_text(Donation.donor_email, filters.search),
            )
        )
    if before_id:
        stmt = stmt.where(Donation.id < before_id)
    rows = session.execute(stmt.order_by(Donation.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


# Per statement, never on the connection: that would stream the session's later writes too.
_STREAM = {"stream_results": True}


def streamed(session: Session, stmt: Select, batch: int) -> Iterator:
    """The rows of `stmt` from a server-side cursor, `batch` at a time. Core execution: the rows
    are plain tuples, so the ORM's loading layer is not needed."""
    result = session.connection().execute(stmt, execution_options=_STREAM | {"yield_per": batch})
    try:
        yield from result
    finally:
        result.close()


def ledger_rows(session: Session, cause_id: int, period: Period, batch: int = 2000) -> Iterator:
    """Every donation of the period, streamed with a server-side cursor: first the gifts paid in
    the period (by payment time), then those created in it that were never paid."""
    paid = (
        _with_joins(select(*_donation_columns()))
        .where(Donation.cause_id == cause_id, Donation.paid_at >= period.start, Donation.paid_at < period.end)
        .order_by(Donation.paid_at, Donation.id)
    )
    unpaid = (
        _with_joins(select(*_donation_columns()))
        .where(
            Donation.cause_id == cause_id,
            Donation.created_at >= period.start,
            Donation.created_at < period.end,
            Donation.paid_at.is_(None),
        )
        .order_by(Donation.created_at, Donation.id)
    )
    yield from streamed(session, paid, batch)
    yield from streamed(session, unpaid, batch)
