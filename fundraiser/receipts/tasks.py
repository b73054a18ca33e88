"""Background jobs for receipts. Each takes plain ids, does its own work and commits once.

The payments code enqueues `issue_receipt_for_donation` and `receipt_after_refund` after it
commits; they run inline without REDIS_URL and on an RQ worker with it (fundraiser/jobs.py).
Each job settles its owed work (receipts/owed.py) in the transaction that does it;
`sweep_owed_work` does the work whose job was lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from fundraiser.extensions import db
from fundraiser.jobs import enqueue
from fundraiser.models import Cause, OwedWorkKind, Receipt
from fundraiser.models.columns import utcnow
from fundraiser.receipts.annual import refresh_annual_receipt
from fundraiser.receipts.emails import send_receipt_email, send_void_notice
from fundraiser.receipts.issuing import apply_refund, current_receipt, issue_receipt, receipts_of_donation
from fundraiser.receipts.owed import owe, owed_before, settle

log = logging.getLogger(__name__)

# Owed work younger than this may still have its job on the way: the sweep leaves it alone.
SWEEP_AFTER = timedelta(minutes=1)


class ReceiptEmailFailed(RuntimeError):
    """Raised on an RQ worker so RQ retries the email with its back-off."""


def issue_receipt_for_donation(donation_id: int) -> None:
    """Issue the receipt of a paid donation (once), then email it to the donor."""
    try:
        settle(db.session, OwedWorkKind.RECEIPT, donation_id)
        receipt = issue_receipt(db.session, donation_id)
        if receipt is not None:
            owe(db.session, OwedWorkKind.EMAIL, donation_id)
            refresh_year_end(receipt)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if receipt is not None:
        enqueue(email_receipt, receipt.id)


def receipt_after_refund(donation_id: int) -> None:
    """Void the receipt after a full refund; void and replace it after a partial one, and
    tell the donor (the notice carries the replacement). Disputes never come here: a dispute
    leaves the receipt as it is."""
    try:
        settle(db.session, OwedWorkKind.CORRECTION, donation_id)
        before = {r.id for r in receipts_of_donation(db.session, donation_id) if r.voided_at is None}
        replacement = apply_refund(db.session, donation_id)
        voided = [r for r in receipts_of_donation(db.session, donation_id) if r.id in before and r.voided_at]
        if replacement is not None:
            owe(db.session, OwedWorkKind.EMAIL, donation_id)
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
    (CRA, "Returning a gift": the original receipt is cancelled). The notice is the
    replacement's email, so it settles the email the replacement owes."""
    replacement = db.session.get(Receipt, replacement_id) if replacement_id is not None else None
    try:
        if replacement is not None and replacement.donation_id is not None and replacement.voided_at is None:
            settle(db.session, OwedWorkKind.EMAIL, replacement.donation_id)
        delivered = send_void_notice(db.session, voided_id, replacement_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if not delivered and current_app.config.get("REDIS_URL"):
        raise ReceiptEmailFailed(f"Receipt {voided_id}: void notice not delivered; RQ will retry")


def email_receipt(receipt_id: int) -> None:
    """Send a receipt's email; a failure is recorded, then retried (RQ, or `flask receipts
    retry-emails` when jobs run inline). The email owed is settled by the receipt in force
    only: a voided receipt's late job leaves its replacement's email owed."""
    row = db.session.execute(
        select(Receipt.donation_id, Receipt.voided_at).where(Receipt.id == receipt_id)
    ).first()
    try:
        if row is not None and row.donation_id is not None and row.voided_at is None:
            settle(db.session, OwedWorkKind.EMAIL, row.donation_id)
        delivered = send_receipt_email(db.session, receipt_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if not delivered and current_app.config.get("REDIS_URL"):
        raise ReceiptEmailFailed(f"Receipt {receipt_id}: email not delivered; RQ will retry")


def email_current_receipt(donation_id: int) -> None:
    """The sweep's email job: email the donation's receipt in force, if it has one."""
    receipt = current_receipt(db.session, donation_id)
    if receipt is None:
        settle(db.session, OwedWorkKind.EMAIL, donation_id)
        db.session.commit()
        return
    email_receipt(receipt.id)


SWEEP_JOBS: dict[OwedWorkKind, Callable[[int], None]] = {
    OwedWorkKind.RECEIPT: issue_receipt_for_donation,
    OwedWorkKind.CORRECTION: receipt_after_refund,
    OwedWorkKind.EMAIL: email_current_receipt,
}


def sweep_owed_work(*, now: datetime | None = None, older_than: timedelta = SWEEP_AFTER) -> int:
    """Do, here and now, the owed work older than `older_than` (its job was lost); how many
    were due. A failure is logged and the work stays owed for the next sweep."""
    due = owed_before(db.session, (now or utcnow()) - older_than)
    db.session.rollback()
    for kind, donation_id in due:
        try:
            SWEEP_JOBS[kind](donation_id)
        except ReceiptEmailFailed:
            log.warning("Receipt email for donation %s failed; retried with back-off", donation_id)
        except Exception:
            log.exception(
                "Owed %s work for donation %s failed; the next sweep tries again", kind, donation_id
            )
    return len(due)
