"""Background jobs for receipts. Each takes plain ids, does its own work and commits once.

The payments code enqueues `issue_receipt_for_donation` and `receipt_after_refund` after it
commits; they run inline without REDIS_URL and on an RQ worker with it (fundraiser/jobs.py).
"""

from __future__ import annotations

from flask import current_app

from fundraiser.extensions import db
from fundraiser.jobs import enqueue
from fundraiser.receipts.emails import send_receipt_email
from fundraiser.receipts.issuing import apply_refund, issue_receipt


class ReceiptEmailFailed(RuntimeError):
    """Raised on an RQ worker so RQ retries the email with its back-off."""


def issue_receipt_for_donation(donation_id: int) -> None:
    """Issue the receipt of a paid donation (once), then email it to the donor."""
    try:
        receipt = issue_receipt(db.session, donation_id)
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
        replacement = apply_refund(db.session, donation_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if replacement is not None:
        enqueue(email_receipt, replacement.id)


def email_receipt(receipt_id: int) -> None:
    """Send a receipt's email; a failure is recorded, then retried (RQ, or `flask receipts
    retry-emails` when jobs run inline)."""
    delivered = send_receipt_email(db.session, receipt_id)
    db.session.commit()
    if not delivered and current_app.config.get("REDIS_URL"):
        raise ReceiptEmailFailed(f"Receipt {receipt_id}: email not delivered; RQ will retry")
