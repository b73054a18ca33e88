"""Refunds an admin asks for: through Stripe first, then recorded under Stripe's refund id."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundraiser.donations.errors import InvalidDonation
from fundraiser.donations.transitions import apply_refund, lock_donation
from fundraiser.models import Donation, DonationStatus, Refund, User
from fundraiser.money import format_money
from fundraiser.payments.gateway import PaymentGatewayError, get_gateway
from fundraiser.payments.handlers import COUNTED_REFUND_STATUSES

_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def refundable_amount(donation: Donation) -> int:
    """What Stripe would still refund: the charge less earlier refunds."""
    if donation.status != DonationStatus.PAID:
        return 0
    return donation.charged_amount - donation.refunded_amount


def refund_donation(
    session: Session,
    donation: Donation,
    amount: int | None,
    reason: str,
    requested_by: User,
    *,
    request_id: str | None = None,
) -> Refund:
    """Refund `amount` (None: everything still refundable) through Stripe and record it.

    The idempotency key is tied to the refund request (`request_id`, rendered into the
    form) and the amount, so a double-submitted form refunds once. The refund is recorded
    under Stripe's id from its answer; a `charge.refunded` for it later finds it recorded.
    The donation row stays locked until the caller commits.
    """
    locked = lock_donation(session, donation.id)
    if locked is None:
        raise InvalidDonation({"amount": "This donation no longer exists."})
    donation = locked
    reason = " ".join(reason.split())
    remaining = refundable_amount(donation)
    errors = _refund_errors(donation, amount, remaining, reason, request_id)
    if errors:
        raise InvalidDonation(errors)
    amount = remaining if amount is None else amount
    request_key = request_id or f"after-{donation.refunded_amount}"
    answer = get_gateway().create_refund(
        donation,
        amount,
        idempotency_key=f"donation-{donation.public_id}-refund-{request_key}-{amount}",
        metadata={
            "donation_id": str(donation.id),
            "public_id": donation.public_id,
            "reason": reason,
            "requested_by": str(requested_by.id),
        },
    )
    if answer.get("status") not in COUNTED_REFUND_STATUSES:
        raise PaymentGatewayError(f"Stripe did not make the refund (it is {answer.get('status')}).")
    apply_refund(
        session,
        donation,
        stripe_refund_id=answer["id"],
        amount=answer["amount"],
        reason=reason,
        requested_by_id=requested_by.id,
    )
    refund: Refund | None = session.scalar(select(Refund).where(Refund.stripe_refund_id == answer["id"]))
    if refund is None:
        raise PaymentGatewayError("The refund was made at Stripe but could not be recorded.")
    return refund


def _refund_errors(
    donation: Donation, amount: int | None, remaining: int, reason: str, request_id: str | None
) -> dict[str, str]:
    """What is wrong with this refund request, field name to a message for the admin."""
    errors: dict[str, str] = {}
    if remaining <= 0:
        errors["amount"] = "This donation has nothing left to refund."
    elif amount is not None and not 0 < amount <= remaining:
        errors["amount"] = f"Enter an amount up to {format_money(remaining, donation.currency)}."
    if not reason:
        errors["reason"] = "Say why the donation is refunded."
    elif len(reason) > 255:
        errors["reason"] = "Use at most 255 characters."
    if request_id is not None and not _REQUEST_ID.match(request_id):
        errors["request_id"] = "This form has expired: please reload the page."
    return errors
