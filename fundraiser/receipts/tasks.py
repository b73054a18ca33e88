"""Background jobs for receipts. Each takes plain ids, does its own work and commits once.

The payments code enqueues `issue_receipt_for_donation` and `receipt_after_refund` after it
commits; they run inline without REDIS_URL and on an RQ worker with it (fundraiser/jobs.py).
"""

from __future__ import annotations

from flask import current_app

from fundraiser.extensions import db
from fundraiser.jobs import enqueue
from fundraiser.models import Cause, Receipt
from fundraiser.receipts.annual import refresh_annual_receipt
from fundraiser.receipts.emails import send_receipt_email, send_void_notice
from fundraiser.receipts.issuing import apply_refund, issue_receipt, receipts_of_donation


class ReceiptEmailFailed(RuntimeError):
    """Raised on an RQ worker so RQ retries the email with its back-off."""


def issue_receipt_for_donation(donation_id: int) -> None:
    """Issue the receipt of a paid donation (once), then email it to the donor."""
    try:
        receipt = issue_receipt(db.session, donation_id)
        if receipt is not None:
            refresh_year_end(receipt)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if receipt is not None:
        enqueue(email_receipt, receipt.id)


def receipt_after_refund(donation_id: int) -> None:
    """Void the receipt after a full refund; void and replace it after a partial one.
    Disputes never come here: a dispute leaves the receipt as it is."""
    try:
        before = {r.id for r in receipts_of_donation(db.session, donation_id) if r.voided_at is None}
        replacement = apply_refund(db.session, donation_id)
        voided = [r for r in receipts_of_donation(db.session, donation_id) if r.id in before and r.voided_at]
        if voided:
            refresh_year_end(voided[-1])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for receipt in voided:
        enqueue(tell_donor_receipt_void, receipt.id, replacement.id if replacement is not None else None)


def refresh_year_end(changed: Receipt) -> None:
    """A year-end receipt already issued for the gift's year lists it as it now is."""
    if changed.gift_tax_year is not None:
        cause = db.session.get(Cause, changed.cause_id)
        refresh_annual_receipt(db.session, cause, changed.gift_tax_year, changed.donor_email)


def tell_donor_receipt_void(voided_id: int, replacement_id: int | None) -> None:
    """Email the donor that a refunded gift's receipt is void, with its replacement if any
    (CRA, "Returning a gift": the original receipt is cancelled)."""
    delivered = send_void_notice(db.session, voided_id, replacement_id)
    db.session.commit()
    if not delivered and current_app.config.get("REDIS_URL"):
        raise ReceiptEmailFailed(f"Receipt {voided_id}: void notice not delivered; RQ will retry")


def email_receipt(receipt_id: int) -> None:
    """Send a receipt's email; a failure is recorded, then retried (RQ, or `flask receipts
    retry-emails` when jobs run inline)."""
    delivered = send_receipt_email(db.session, receipt_id)
    db.session.commit()
    if not delivered and current_app.config.get("REDIS_URL"):
        raise ReceiptEmailFailed(f"Receipt {receipt_id}: email not delivered; RQ will retry")
