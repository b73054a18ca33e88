"""Returned gifts a Canadian charity must report (CRA, "Returning a gift"): when a gift for
which an official receipt was issued is returned and the amount returned is over $50, the
charity files an information return with the CRA and gives the donor a copy; the original
receipt is cancelled (receipts.issuing voids it and issues a replacement for what was kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundraiser.models import Cause, Donation, Receipt, ReceiptKind, ReceiptRefusal, Refund
from fundraiser.receipts.values import local_day

CA_INFORMATION_RETURN_OVER = 5000  # CAD cents: a returned gift over $50
INFORMATION_RETURN_DAYS = 90
WHAT_TO_FILE = (
    "File an information return with the CRA (a letter: the charity's name, address and registration "
    "number; the donor's name and address; the serial number of the cancelled receipt; the date and "
    "amount of the gift returned) within 90 days of returning it, and send the donor a copy."
)


@dataclass(frozen=True)
class ReturnedGift:
    receipt_number: str
    donor_name: str
    donor_email: str
    donor_address: list[str]
    returned_on: date
    file_by: date
    amount: int
    currency: str


def returned_gifts_to_report(session: Session, cause: Cause) -> list[ReturnedGift]:
    """Refunds over $50 of receipted gifts to a Canadian cause, newest first."""
    if cause.country != "CA":
        return []
    rows = session.execute(
        select(Refund, Donation)
        .join(Donation, Donation.id == Refund.donation_id)
        .where(Donation.cause_id == cause.id, Refund.amount > CA_INFORMATION_RETURN_OVER)
        .order_by(Refund.created_at.desc(), Refund.id.desc())
    ).all()
    originals = _original_receipts(session, [donation.id for _, donation in rows])
    gifts = []
    for refund, donation in rows:
        receipt = originals.get(donation.id)
        if receipt is None:
            continue  # never receipted: nothing to report
        returned_on = local_day(refund.created_at, cause.timezone)
        gifts.append(
            ReturnedGift(
                receipt_number=receipt.display_number,
                donor_name=donation.donor_name,
                donor_email=donation.donor_email,
                donor_address=receipt.data.get("donor", {}).get("address_lines", []),
                returned_on=returned_on,
                file_by=returned_on + timedelta(days=INFORMATION_RETURN_DAYS),
                amount=refund.amount,
                currency=donation.currency,
            )
        )
    return gifts


def _original_receipts(session: Session, donation_ids: list[int]) -> dict[int, Receipt]:
    """Each donation's first single receipt (the one a refund cancelled)."""
    if not donation_ids:
        return {}
    receipts = session.scalars(
        select(Receipt)
        .where(Receipt.donation_id.in_(donation_ids), Receipt.kind == ReceiptKind.SINGLE)
        .order_by(Receipt.id.desc())
    )
    return {receipt.donation_id: receipt for receipt in receipts}


def receipts_on_hold(session: Session, cause_id: int) -> list[tuple[str, int]]:
    """Why paid gifts have no receipt, with how many: what the charity can put right."""
    return [
        (reason, count)
        for reason, count in session.execute(
            select(ReceiptRefusal.reason, func.count(ReceiptRefusal.id))
            .where(ReceiptRefusal.cause_id == cause_id)
            .group_by(ReceiptRefusal.reason)
            .order_by(ReceiptRefusal.reason)
        )
    ]
