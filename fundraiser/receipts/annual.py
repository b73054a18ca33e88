"""Year-end receipts: one per donor, cause and tax year, listing the year's receipts in force.

Services take the session and plain values, flush, and never commit.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from fundraiser.countries import tax_year_end, tax_year_label
from fundraiser.models import Cause, Receipt, ReceiptEmailStatus, ReceiptKind
from fundraiser.receipts.issuing import draw_pdf, signed_pdf, void_receipt
from fundraiser.receipts.numbering import display_number, lock_series, take_number
from fundraiser.receipts.values import Settings, local_day, receipt_header, settings

SO_FAR_NUMBER = "not a receipt"


class TaxYearNotOver(ValueError):
    """A year-end receipt was asked for before the tax year ended."""


def tax_year_is_over(cause: Cause, year: int, now: datetime | None = None) -> bool:
    """Whether the cause's tax year `year` has ended where the cause is."""
    return local_day(now or datetime.now(UTC), cause.timezone) >= tax_year_end(cause.country, year)


def year_not_over_message(cause: Cause, year: int) -> str:
    last_day = tax_year_end(cause.country, year) - timedelta(days=1)
    return (
        f"The {year} tax year of {cause.name} runs until {last_day.day} {last_day:%B %Y}: "
        "year-end receipts are issued once it is over."
    )


def annual_gifts(
    session: Session, cause_id: int, year: int, donor_email: str, *, user_id: int | None = None
) -> list[Receipt]:
    """The donor's receipts in force for gifts to the cause in the tax year."""
    donor = Receipt.donor_email == donor_email.strip().lower()
    if user_id is not None:
        donor = or_(donor, Receipt.donor_user_id == user_id)
    return list(
        session.scalars(
            select(Receipt)
            .where(
                Receipt.cause_id == cause_id,
                Receipt.kind == ReceiptKind.SINGLE,
                Receipt.voided_at.is_(None),
                Receipt.gift_tax_year == year,
                donor,
            )
            .order_by(Receipt.number)
        )
    )


def annual_receipt(session: Session, cause_id: int, year: int, donor_email: str) -> Receipt | None:
    """The donor's year-end receipt in force for the year (a replaced one is voided)."""
    return session.scalar(
        select(Receipt).where(
            Receipt.cause_id == cause_id,
            Receipt.kind == ReceiptKind.ANNUAL,
            Receipt.tax_year == year,
            Receipt.donor_email == donor_email.strip().lower(),
            Receipt.voided_at.is_(None),
        )
    )


def _main_currency(cause: Cause, gifts: list[Receipt]) -> str:
    """The currency a year-end receipt states first: the cause's own when the donor gave in it,
    else the one most of the gifts were in."""
    if any(gift.currency == cause.default_currency for gift in gifts):
        return cause.default_currency
    return Counter(gift.currency for gift in gifts).most_common(1)[0][0]


def _gift_rows(gifts: list[Receipt]) -> list[dict[str, Any]]:
    """One row per receipt in force, by gift date, from the values stored with it."""
    return [
        {
            "date": gift.data["gift_date"],
            "number": gift.display_number,
            "currency": gift.currency,
            "amount": gift.amount,
            "advantage_amount": gift.data.get("advantage_amount", 0),
            "eligible_amount": gift.data.get("eligible_amount", gift.amount),
            "gift_aid": bool(gift.data.get("gift_aid")) and not gift.data["gift_aid"].get("excluded_because"),
        }
        for gift in sorted(gifts, key=lambda g: (g.data["gift_date"], g.number))
    ]


def _totals(rows: list[dict[str, Any]], first_currency: str) -> list[dict[str, Any]]:
    """Sums per currency (never added across currencies), `first_currency` first."""
    totals = []
    for code in sorted({row["currency"] for row in rows}, key=lambda c: (c != first_currency, c)):
        mine = [row for row in rows if row["currency"] == code]
        totals.append(
            {
                "currency": code,
                "amount": sum(row["amount"] for row in mine),
                "advantage_amount": sum(row["advantage_amount"] for row in mine),
                "eligible_amount": sum(row["eligible_amount"] for row in mine),
                "count": len(mine),
            }
        )
    return totals


def annual_receipt_data(
    cause: Cause,
    gifts: list[Receipt],
    *,
    year: int,
    number: str,
    issued_at: datetime,
    config: Settings,
    replaces_number: str | None = None,
    so_far: bool = False,
) -> dict[str, Any]:
    """The plain, JSON-ready values of a year-end receipt over the donor's `gifts` (stored with it)."""
    rows = _gift_rows(gifts)
    totals = _totals(rows, _main_currency(cause, gifts))
    main = totals[0]
    header = receipt_header(
        cause,
        ReceiptKind.ANNUAL,
        number=number,
        replaces_number=replaces_number,
        issued_at=issued_at,
        config=config,
    )
    return {
        **header,
        "donor": gifts[-1].data["donor"],
        "tax_year": year,
        "tax_year_label": tax_year_label(cause.country, year),
        "currency": main["currency"],
        "amount": main["amount"],
        "advantage_amount": main["advantage_amount"],
        "eligible_amount": main["eligible_amount"],
        "show_advantage": cause.country in ("US", "CA") and any(row["advantage_amount"] for row in rows),
        "gifts": rows,
        "totals": totals,
        "goods": _goods(gifts),
        "so_far": so_far,
    }


def _goods(gifts: list[Receipt]) -> list[dict[str, Any]]:
    """What the donor received in the year, gift by gift (IRS: an annual summary describes
    the goods or services, not only their total value)."""
    return [
        {
            "date": gift.data["gift_date"],
            "description": gift.data.get("advantage_description", ""),
            "currency": gift.currency,
            "amount": gift.data.get("advantage_amount", 0),
        }
        for gift in sorted(gifts, key=lambda g: (g.data["gift_date"], g.number))
        if gift.data.get("advantage_amount")
    ]


def reserve_annual_receipt(
    session: Session,
    cause: Cause,
    year: int,
    donor_email: str,
    *,
    user_id: int | None = None,
    now: datetime | None = None,
    replaces: Receipt | None = None,
) -> Receipt | None:
    """Number and record the year-end receipt (without its PDF yet). None when it exists
    already or the donor gave nothing that year; TaxYearNotOver before the year has ended.
    The lock is held only for this short step."""
    donor_email = donor_email.strip().lower()
    if not tax_year_is_over(cause, year, now):
        raise TaxYearNotOver(year_not_over_message(cause, year))
    if annual_receipt(session, cause.id, year, donor_email) is not None:
        return None
    lock_series(session, cause.id, ReceiptKind.ANNUAL)
    if annual_receipt(session, cause.id, year, donor_email) is not None:
        return None
    gifts = annual_gifts(session, cause.id, year, donor_email, user_id=user_id)
    if not gifts:
        return None
    now = now or datetime.now(UTC)
    number = take_number(session, cause.id, ReceiptKind.ANNUAL)
    number_text = display_number(cause.slug, ReceiptKind.ANNUAL, number, year)
    data = annual_receipt_data(
        cause,
        gifts,
        year=year,
        number=number_text,
        issued_at=now,
        config=settings(),
        replaces_number=replaces.display_number if replaces is not None else None,
    )
    receipt = Receipt(
        cause_id=cause.id,
        number=number,
        display_number=number_text,
        kind=ReceiptKind.ANNUAL,
        donor_email=donor_email,
        donor_user_id=user_id if user_id is not None else gifts[-1].donor_user_id,
        tax_year=year,
        amount=data["amount"],
        currency=data["currency"],
        replaces_id=replaces.id if replaces is not None else None,
        issued_at=now,
        data=data,
        pdf=None,
        email_status=ReceiptEmailStatus.NOT_NEEDED,
    )
    session.add(receipt)
    session.flush()
    return receipt


def make_annual_receipt(
    session: Session, cause: Cause, year: int, donor_email: str, *, user_id: int | None = None
) -> Receipt | None:
    """Year-end receipt on demand, numbered and drawn in one transaction."""
    receipt = reserve_annual_receipt(session, cause, year, donor_email, user_id=user_id)
    if receipt is not None:
        draw_pdf(receipt, settings())
        session.flush()
    return receipt


def so_far_summary_pdf(
    session: Session, cause: Cause, year: int, donor_email: str, *, user_id: int | None = None
) -> bytes | None:
    """A summary of the year's gifts while the tax year runs: drawn on demand, never stored or
    numbered, and saying it is not a receipt (the year-end receipt comes once the year is over,
    listing every gift, those made after this summary too)."""
    gifts = annual_gifts(session, cause.id, year, donor_email, user_id=user_id)
    if not gifts:
        return None
    config = settings()
    data = annual_receipt_data(
        cause, gifts, year=year, number=SO_FAR_NUMBER, issued_at=datetime.now(UTC), config=config, so_far=True
    )
    return signed_pdf(data, config)


def refresh_annual_receipt(
    session: Session, cause: Cause, year: int, donor_email: str, *, now: datetime | None = None
) -> Receipt | None:
    """After a gift of `year` got, lost or changed its receipt: a year-end receipt already
    issued for the year is voided and replaced by one listing the gifts in force now, so a gift
    made or receipted after it is never left out. Returns the replacement, or None."""
    current = annual_receipt(session, cause.id, year, donor_email)
    if current is None:
        return None
    lock_series(session, cause.id, ReceiptKind.ANNUAL)
    now = now or datetime.now(UTC)
    void_receipt(session, current, "The year's gifts changed after it was issued; replaced.", now=now)
    replacement = reserve_annual_receipt(
        session, cause, year, donor_email, user_id=current.donor_user_id, now=now, replaces=current
    )
    if replacement is not None:
        current.void_reason = (
            f"The year's gifts changed after it was issued; replaced by {replacement.display_number}."
        )
        draw_pdf(replacement, settings())
        session.flush()
    return replacement


def annual_donors_to_do(session: Session, cause_id: int, year: int) -> list[str]:
    """Donor emails with gifts in the year and no year-end receipt yet."""
    done = select(Receipt.donor_email).where(
        Receipt.cause_id == cause_id,
        Receipt.kind == ReceiptKind.ANNUAL,
        Receipt.tax_year == year,
        Receipt.voided_at.is_(None),
    )
    return list(
        session.scalars(
            select(Receipt.donor_email)
            .where(
                Receipt.cause_id == cause_id,
                Receipt.kind == ReceiptKind.SINGLE,
                Receipt.voided_at.is_(None),
                Receipt.gift_tax_year == year,
                Receipt.donor_email.not_in(done),
            )
            .group_by(Receipt.donor_email)
            .order_by(func.min(Receipt.id))
        )
    )


def annual_receipts_undrawn(session: Session, cause_id: int, year: int) -> list[int]:
    """Year-end receipts numbered by a run that stopped before drawing their PDF."""
    return list(
        session.scalars(
            select(Receipt.id).where(
                Receipt.cause_id == cause_id,
                Receipt.kind == ReceiptKind.ANNUAL,
                Receipt.tax_year == year,
                Receipt.pdf.is_(None),
            )
        )
    )
