"""The signed-in donor's own receipts, and the year-end receipts they may still ask for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fundraiser.countries import tax_year_end
from fundraiser.models import Cause, Receipt, ReceiptKind
from fundraiser.receipts.values import local_day


@dataclass(frozen=True)
class DonorReceipt:
    receipt_id: int
    number: str
    kind: str
    cause_name: str
    issued_on: date
    amount: int
    currency: str
    voided: bool
    tax_year: int | None


@dataclass(frozen=True)
class AnnualOffer:
    cause_id: int
    cause_name: str
    tax_year: int
    year_over: bool = True  # False: only a "so far this year" summary, not a receipt


def _donor_filter(email: str, user_id: int):
    return or_(Receipt.donor_email == email.strip().lower(), Receipt.donor_user_id == user_id)


def donor_receipts(session: Session, email: str, user_id: int) -> list[DonorReceipt]:
    """Every drawn receipt that belongs to the signed-in donor, newest first."""
    rows = session.execute(
        select(Receipt, Cause.name)
        .join(Cause, Cause.id == Receipt.cause_id)
        .where(_donor_filter(email, user_id), Receipt.pdf_sha256 != "")
        .order_by(Receipt.issued_at.desc(), Receipt.id.desc())
    )
    return [
        DonorReceipt(
            receipt_id=receipt.id,
            number=receipt.display_number,
            kind=receipt.kind,
            cause_name=cause_name,
            issued_on=receipt.issued_at.date(),
            amount=receipt.amount,
            currency=receipt.currency,
            voided=receipt.voided_at is not None,
            tax_year=receipt.tax_year,
        )
        for receipt, cause_name in rows
    ]


def annual_offers(session: Session, email: str, user_id: int) -> list[AnnualOffer]:
    """(cause, tax year) pairs where the donor has gifts but no year-end receipt yet."""
    rows = session.execute(
        select(Receipt.cause_id, Cause.name, Receipt.gift_tax_year, Cause.country, Cause.timezone)
        .join(Cause, Cause.id == Receipt.cause_id)
        .where(_donor_filter(email, user_id), Receipt.kind == ReceiptKind.SINGLE, Receipt.voided_at.is_(None))
        .group_by(Receipt.cause_id, Cause.name, Receipt.gift_tax_year, Cause.country, Cause.timezone)
        .order_by(Receipt.gift_tax_year.desc(), Cause.name)
    )
    made = {
        (cause_id, year)
        for cause_id, year in session.execute(
            select(Receipt.cause_id, Receipt.tax_year).where(
                Receipt.kind == ReceiptKind.ANNUAL,
                Receipt.donor_email == email.strip().lower(),
                Receipt.voided_at.is_(None),
            )
        )
    }
    today = datetime.now(UTC)
    return [
        AnnualOffer(c, name, year, local_day(today, zone) >= tax_year_end(country, year))
        for c, name, year, country, zone in rows
        if (c, year) not in made
    ]


def donor_may_have_annual(session: Session, email: str, user_id: int, cause_id: int, year: int) -> bool:
    return any(o.cause_id == cause_id and o.tax_year == year for o in annual_offers(session, email, user_id))
