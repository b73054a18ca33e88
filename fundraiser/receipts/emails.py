"""The receipt email: built from the receipt's stored values with its PDF attached, sent,
and on failure recorded with the time of the next attempt."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from fundraiser.mail import Attachment, Mail, send
from fundraiser.models import Receipt, ReceiptEmailStatus
from fundraiser.receipts.links import download_url
from fundraiser.receipts.render import pdf_filename, present

MAX_EMAIL_ATTEMPTS = 8


def receipt_mail(receipt: Receipt, link: str) -> Mail:
    """The email for an issued receipt, built from its stored values."""
    shown = present(receipt.data)
    values = {
        "r": shown,
        "link": link,
        "link_days": current_app.config["RECEIPT_LINK_DAYS"],
        "platform_name": current_app.config["PLATFORM_NAME"],
    }
    charity = shown["charity"]["name"]
    return Mail(
        to=receipt.donor_email,
        subject=f"Your receipt {receipt.display_number} from {charity}",
        text=render_template("receipts/email.txt", **values),
        html=render_template("receipts/email.html", **values),
        attachments=[Attachment(filename=pdf_filename(receipt), content=receipt.pdf)],
    )


def void_notice_mail(voided: Receipt, replacement: Receipt | None, link: str | None) -> Mail:
    """The email telling the donor a receipt is void (a refund), with its replacement attached."""
    shown = present(voided.data)
    values = {
        "r": shown,
        "void_reason": voided.void_reason,
        "replacement": present(replacement.data) if replacement is not None else None,
        "link": link,
        "link_days": current_app.config["RECEIPT_LINK_DAYS"],
        "platform_name": current_app.config["PLATFORM_NAME"],
    }
    attachments = (
        [Attachment(filename=pdf_filename(replacement), content=replacement.pdf)] if replacement else []
    )
    return Mail(
        to=voided.donor_email,
        subject=f"Your receipt {voided.display_number} from {shown['charity']['name']} is void",
        text=render_template("receipts/void_notice.txt", **values),
        html=render_template("receipts/void_notice.html", **values),
        attachments=attachments,
    )


def send_void_notice(session: Session, voided_id: int, replacement_id: int | None) -> bool:
    """Tell the donor their receipt is void; the replacement (if any) goes with it and counts
    as emailed. Returns whether it was delivered; a failure leaves the replacement's email
    failed, so `flask receipts retry-emails` sends it later."""
    voided = session.get(Receipt, voided_id)
    replacement = (
        session.scalar(select(Receipt).options(undefer(Receipt.pdf)).where(Receipt.id == replacement_id))
        if replacement_id is not None
        else None
    )
    if voided is None or voided.voided_at is None:
        return True
    if replacement is not None and replacement.email_status in (
        ReceiptEmailStatus.SENT,
        ReceiptEmailStatus.NOT_NEEDED,
    ):
        return True
    link = download_url(replacement.id) if replacement is not None else None
    try:
        send(void_notice_mail(voided, replacement, link))
    except (OSError, smtplib.SMTPException) as error:
        if replacement is not None:
            replacement.email_attempts += 1
            replacement.email_status = ReceiptEmailStatus.FAILED
            replacement.email_error = f"{type(error).__name__}: {error}"[:1000]
            replacement.email_next_attempt_at = datetime.now(UTC) + email_backoff(replacement.email_attempts)
            session.flush()
        return False
    if replacement is not None:
        replacement.email_attempts += 1
        replacement.email_status = ReceiptEmailStatus.SENT
        replacement.email_error = ""
        replacement.email_next_attempt_at = None
        session.flush()
    return True


def email_backoff(attempts: int) -> timedelta:
    """5 min, 15 min, 45 min, ... capped at a day."""
    return timedelta(minutes=min(5 * 3 ** max(attempts - 1, 0), 24 * 60))


def send_receipt_email(session: Session, receipt_id: int, *, now: datetime | None = None) -> bool:
    """Email the receipt with its PDF attached. A failure is recorded with the next attempt's
    time; the receipt itself is untouched. Returns whether it is delivered (or not needed)."""
    receipt = session.scalar(select(Receipt).options(undefer(Receipt.pdf)).where(Receipt.id == receipt_id))
    if (
        receipt is None
        or receipt.email_status in (ReceiptEmailStatus.SENT, ReceiptEmailStatus.NOT_NEEDED)
        or receipt.pdf is None
    ):
        return True
    now = now or datetime.now(UTC)
    receipt.email_attempts += 1
    try:
        send(receipt_mail(receipt, download_url(receipt.id)))
    except (OSError, smtplib.SMTPException) as error:
        receipt.email_status = ReceiptEmailStatus.FAILED
        receipt.email_error = f"{type(error).__name__}: {error}"[:1000]
        receipt.email_next_attempt_at = now + email_backoff(receipt.email_attempts)
        session.flush()
        return False
    receipt.email_status = ReceiptEmailStatus.SENT
    receipt.email_error = ""
    receipt.email_next_attempt_at = None
    session.flush()
    return True


def receipt_emails_due(
    session: Session, *, now: datetime | None = None, everything: bool = False
) -> list[int]:
    """Failed receipt emails whose back-off has passed (all failed ones with `everything`)."""
    query = select(Receipt.id).where(
        Receipt.email_status == ReceiptEmailStatus.FAILED, Receipt.email_attempts < MAX_EMAIL_ATTEMPTS
    )
    if not everything:
        query = query.where(Receipt.email_next_attempt_at <= (now or datetime.now(UTC)))
    return list(session.scalars(query.order_by(Receipt.id)))


@dataclass(frozen=True)
class FailedReceiptEmail:
    receipt_id: int
    number: str
    donor_email: str
    attempts: int
    error: str
    issued_at: datetime
    next_attempt_at: datetime | None


def failed_receipt_emails(session: Session, cause_id: int) -> list[FailedReceiptEmail]:
    """Receipts of a cause whose email has not gone out, for the charity dashboard."""
    rows = session.execute(
        select(
            Receipt.id,
            Receipt.display_number,
            Receipt.donor_email,
            Receipt.email_attempts,
            Receipt.email_error,
            Receipt.issued_at,
            Receipt.email_next_attempt_at,
        )
        .where(Receipt.cause_id == cause_id, Receipt.email_status == ReceiptEmailStatus.FAILED)
        .order_by(Receipt.issued_at)
    )
    return [FailedReceiptEmail(*row) for row in rows]
