"""A charity admin records goods or services a donor received for an existing gift (an
advantage): the gift's receipt in force is cancelled and replaced by one that states them,
or cancelled without a replacement when the CRA's 80% rule now allows none.

Services flush and never commit; the view commits once and then queues the email.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundraiser.models import Cause, Donation, Receipt, ReceiptKind, ReceiptRefusal
from fundraiser.money import MoneyError, parse_amount
from fundraiser.receipts.annual import refresh_annual_receipt
from fundraiser.receipts.issuing import (
    current_receipt,
    issue_receipt,
    issue_single,
    record_refusal,
    void_receipt,
)
from fundraiser.receipts.numbering import lock_series
from fundraiser.receipts.values import receipted_amount, refusal_reason


class InvalidAdvantage(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class AdvantageInput:
    amount: str
    description: str
    intent_to_give_shown: bool


def parsed_advantage(donation: Donation, details: AdvantageInput) -> tuple[int, str]:
    """The advantage in minor units and its description; InvalidAdvantage says what is wrong."""
    errors: dict[str, str] = {}
    description = " ".join((details.description or "").split())
    text = (details.amount or "").strip()
    try:
        amount = (
            0 if not text or re.fullmatch(r"0+(?:\.0+)?", text) else parse_amount(text, donation.currency)
        )
    except MoneyError as error:
        errors["amount"] = str(error)
        amount = 0
    if amount > donation.charged_amount:
        errors["amount"] = "The value cannot be more than the gift."
    if amount and not description:
        errors["description"] = "Say what the donor received, like “Race T-shirt”."
    if len(description) > 255:
        errors["description"] = "Use at most 255 characters."
    if errors:
        raise InvalidAdvantage(errors)
    return amount, description if amount else ""


def record_advantage(
    session: Session, donation: Donation, details: AdvantageInput, *, now: datetime | None = None
) -> Receipt | None:
    """Store the advantage and bring the receipt in line. Returns the replacement receipt to
    email, or None (no receipt yet, or none allowed now)."""
    amount, description = parsed_advantage(donation, details)
    lock_series(session, donation.cause_id, ReceiptKind.SINGLE)
    donation = session.get(Donation, donation.id, populate_existing=True)
    unchanged = (
        donation.advantage_amount,
        donation.advantage_description,
        donation.intent_to_give_shown,
    ) == (
        amount,
        description,
        details.intent_to_give_shown,
    )
    donation.advantage_amount = amount
    donation.advantage_description = description
    donation.intent_to_give_shown = details.intent_to_give_shown
    session.flush()
    if unchanged:
        return None
    current = current_receipt(session, donation.id)
    if current is None:
        return _receipt_after_refusal(session, donation)
    cause = session.get(Cause, donation.cause_id)
    now = now or datetime.now(UTC)
    reason = refusal_reason(cause, donation)
    if reason:
        void_receipt(session, current, f"Corrected: {reason}", now=now)
        record_refusal(session, donation, reason)
        replacement = None
    else:
        replacement = issue_single(
            session, cause, donation, receipted_amount(donation), replaces=current, now=now
        )
        void_receipt(
            session,
            current,
            f"Corrected for goods or services received; replaced by receipt {replacement.display_number}.",
            now=now,
        )
    if current.gift_tax_year is not None:
        refresh_annual_receipt(session, cause, current.gift_tax_year, current.donor_email, now=now)
    return replacement


def _receipt_after_refusal(session: Session, donation: Donation) -> Receipt | None:
    """A gift refused a receipt (e.g. by the 80% rule) may now have one."""
    refused = session.scalar(select(ReceiptRefusal).where(ReceiptRefusal.donation_id == donation.id))
    return issue_receipt(session, donation.id) if refused is not None else None
