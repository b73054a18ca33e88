"""Issuing, voiding and replacing receipts of single gifts.

Services take the session and plain values, flush, and never commit: the job, command or
view that calls them commits once. Each takes the cause's counter lock first (see
`receipts.numbering`).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundraiser.countries import tax_year_of
from fundraiser.models import (
    Cause,
    Donation,
    DonationStatus,
    Receipt,
    ReceiptEmailStatus,
    ReceiptKind,
    ReceiptRefusal,
)
from fundraiser.receipts.numbering import display_number, lock_series, take_number
from fundraiser.receipts.render import renderer, void_stamp
from fundraiser.receipts.signing import certify, signing_files
from fundraiser.receipts.values import (
    Settings,
    local_day,
    receipted_amount,
    refusal_reason,
    settings,
    single_receipt_data,
)


def signed_pdf(data: dict, config: Settings, *, void: dict[str, str] | None = None) -> bytes:
    """The receipt drawn from its plain values as PDF/A, certified against any change."""
    pdf = renderer(config.upload_folder).pdf(data, void=void)
    return certify(
        pdf,
        signing_files(),
        signed_for=data["charity"]["legal_name"],
        location=data.get("place_of_issue", ""),
    )


def draw_pdf(receipt: Receipt, config: Settings) -> None:
    """Render the receipt's stored values into its signed PDF bytes and fingerprint: the
    charity's exact copy, served unchanged."""
    pdf = signed_pdf(receipt.data, config)
    receipt.pdf = pdf
    receipt.pdf_sha256 = hashlib.sha256(pdf).hexdigest()


def receipts_of_donation(session: Session, donation_id: int) -> list[Receipt]:
    return list(
        session.scalars(
            select(Receipt)
            .where(Receipt.donation_id == donation_id, Receipt.kind == ReceiptKind.SINGLE)
            .order_by(Receipt.id)
            .execution_options(populate_existing=True)
        )
    )


def current_receipt(session: Session, donation_id: int) -> Receipt | None:
    """The donation's receipt in force: the latest one not voided."""
    live = [r for r in receipts_of_donation(session, donation_id) if r.voided_at is None]
    return live[-1] if live else None


def issue_receipt(session: Session, donation_id: int, *, now: datetime | None = None) -> Receipt | None:
    """Issue the receipt of a paid donation. Returns the new receipt, or None when there is
    nothing to issue (not paid, fully refunded, refused, or issued already)."""
    donation = session.get(Donation, donation_id)
    if donation is None or donation.paid_at is None or donation.status not in Donation.COUNTED_STATUSES:
        return None
    if receipts_of_donation(session, donation_id):
        return None
    cause = session.get(Cause, donation.cause_id)
    lock_series(session, cause.id, ReceiptKind.SINGLE)
    donation = session.get(Donation, donation_id, populate_existing=True)
    if receipts_of_donation(session, donation_id):
        return None  # another job issued it while we waited for the lock
    amount = receipted_amount(donation)
    if amount <= 0:
        return None
    reason = refusal_reason(cause, donation)
    if reason:
        record_refusal(session, donation, reason)
        return None
    refusal = session.scalar(select(ReceiptRefusal).where(ReceiptRefusal.donation_id == donation_id))
    if refusal is not None:
        session.delete(refusal)
    return issue_single(session, cause, donation, amount, replaces=None, now=now)


def donations_owed_a_receipt(session: Session, since: datetime) -> list[int]:
    """Paid donations since `since` with no receipt and no recorded refusal, oldest first:
    the daily net under the owed work (receipts/owed.py), for gifts with no owed row."""
    has_receipt = select(Receipt.id).where(
        Receipt.donation_id == Donation.id, Receipt.kind == ReceiptKind.SINGLE
    )
    refused = select(ReceiptRefusal.id).where(ReceiptRefusal.donation_id == Donation.id)
    return list(
        session.scalars(
            select(Donation.id)
            .where(
                Donation.status == DonationStatus.PAID,
                Donation.paid_at >= since,
                ~has_receipt.exists(),
                ~refused.exists(),
            )
            .order_by(Donation.paid_at, Donation.id)
        )
    )


def record_refusal(session: Session, donation: Donation, reason: str) -> None:
    refusal = session.scalar(select(ReceiptRefusal).where(ReceiptRefusal.donation_id == donation.id))
    if refusal is None:
        session.add(ReceiptRefusal(donation_id=donation.id, cause_id=donation.cause_id, reason=reason))
    else:
        refusal.reason = reason
    session.flush()


def issue_single(
    session: Session,
    cause: Cause,
    donation: Donation,
    amount: int,
    *,
    replaces: Receipt | None,
    now: datetime | None,
) -> Receipt:
    now = now or datetime.now(UTC)
    number = take_number(session, cause.id, ReceiptKind.SINGLE)
    number_text = display_number(cause.slug, ReceiptKind.SINGLE, number)
    data = single_receipt_data(
        cause,
        donation,
        amount=amount,
        number=number_text,
        replaces_number=replaces.display_number if replaces is not None else None,
        issued_at=now,
        config=settings(),
    )
    receipt = Receipt(
        cause_id=cause.id,
        number=number,
        display_number=number_text,
        kind=ReceiptKind.SINGLE,
        donation_id=donation.id,
        donor_email=donation.donor_email.strip().lower(),
        donor_user_id=donation.donor_user_id,
        gift_tax_year=tax_year_of(cause.country, local_day(donation.paid_at, cause.timezone)),
        amount=amount,
        currency=donation.currency,
        replaces_id=replaces.id if replaces is not None else None,
        issued_at=now,
        data=data,
        email_status=ReceiptEmailStatus.PENDING,
    )
    draw_pdf(receipt, settings())
    session.add(receipt)
    session.flush()
    return receipt


def apply_refund(session: Session, donation_id: int, *, now: datetime | None = None) -> Receipt | None:
    """Bring the donation's receipt in line with its refunds: a full refund voids it; a partial
    one voids it and issues a replacement for the amount kept (returned, to be emailed)."""
    donation = session.get(Donation, donation_id)
    if donation is None:
        return None
    lock_series(session, donation.cause_id, ReceiptKind.SINGLE)
    donation = session.get(Donation, donation_id, populate_existing=True)
    current = current_receipt(session, donation_id)
    kept = receipted_amount(donation)
    if current is None or kept >= current.amount:
        return None
    now = now or datetime.now(UTC)
    cause = session.get(Cause, donation.cause_id)
    if kept == 0:
        void_receipt(session, current, "The donation was refunded in full.", now=now)
        return None
    replacement = issue_single(session, cause, donation, kept, replaces=current, now=now)
    void_receipt(
        session,
        current,
        f"Part of the donation was refunded; replaced by receipt {replacement.display_number}.",
        now=now,
    )
    return replacement


def void_receipt(session: Session, receipt: Receipt, reason: str, *, now: datetime | None = None) -> None:
    """Mark a receipt void. Its stored PDF is kept unchanged as the charity's copy."""
    if receipt.voided_at is not None:
        return
    receipt.voided_at = now or datetime.now(UTC)
    receipt.void_reason = reason[:255]
    if receipt.email_status in (ReceiptEmailStatus.PENDING, ReceiptEmailStatus.FAILED):
        receipt.email_status = ReceiptEmailStatus.NOT_NEEDED
    session.flush()


def void_copy_pdf(receipt: Receipt) -> bytes:
    """The voided receipt drawn again from its stored values with a VOID stamp."""
    config = settings()
    stamp = void_stamp(receipt.voided_at, receipt.void_reason, receipt.data["locale"])
    return signed_pdf(receipt.data, config, void=stamp)
