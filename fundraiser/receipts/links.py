"""Signed receipt download links: they name the receipt and when they stop working."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from fundraiser.models import Receipt
from fundraiser.receipts.issuing import current_receipt

LINK_SALT = "receipt-download"


class ReceiptLinkExpired(Exception):
    """A genuine download link whose time is up."""


class ReceiptLinkInvalid(Exception):
    """A link we did not sign, or for a receipt that does not exist."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def download_token(receipt_id: int, *, expires_at: datetime | None = None) -> str:
    """A signed token naming the receipt and when the link stops working."""
    if expires_at is None:
        days = current_app.config["RECEIPT_LINK_DAYS"]
        expires_at = datetime.now(UTC) + timedelta(days=days)
    return _serializer().dumps({"r": receipt_id, "e": int(expires_at.timestamp())})


def download_url(receipt_id: int, *, expires_at: datetime | None = None) -> str:
    """The absolute link for emails (jobs have no request to build URLs from)."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/receipts/{download_token(receipt_id, expires_at=expires_at)}.pdf"


def receipt_for_token(session: Session, token: str, *, now: datetime | None = None) -> Receipt:
    try:
        payload = _serializer().loads(token)
        receipt_id, expires = int(payload["r"]), int(payload["e"])
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise ReceiptLinkInvalid from error
    if (now or datetime.now(UTC)).timestamp() > expires:
        raise ReceiptLinkExpired
    receipt = session.scalar(select(Receipt).options(undefer(Receipt.pdf)).where(Receipt.id == receipt_id))
    if receipt is None or receipt.pdf is None:
        raise ReceiptLinkInvalid
    return receipt


def receipt_link_for_donation(session: Session, donation_id: int) -> str | None:
    """The download link of a donation's receipt in force, for the thank-you page."""
    receipt = current_receipt(session, donation_id)
    return download_url(receipt.id) if receipt is not None else None
