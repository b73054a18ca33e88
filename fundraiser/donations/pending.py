"""A gift becomes a pending donation: every rule checked first, nothing counted yet.

The server decides what is charged: the fee cover must be 0 or exactly its own estimate.
Each showing of the donate form carries an attempt id (32 hex digits) that becomes the
donation's public id, so the same form submitted twice (a double click, or back and submit
again, with the same gift or a changed one) finds the same donation, and so the same
PaymentIntent.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from fundraiser.countries import currency_refusal
from fundraiser.donations.amounts import amount_error, smallest_gift
from fundraiser.donations.benefit_choice import apply_benefit, benefit_options, chosen_benefit_error
from fundraiser.donations.errors import CONTROL_CHARACTERS, CONTROL_CHARACTERS_MESSAGE, InvalidDonation
from fundraiser.donations.fees import fee_cover
from fundraiser.donations.giftaid import GiftAidDetails, gift_aid_declaration
from fundraiser.donations.queries import find_donation
from fundraiser.donations.transitions import PAYABLE_STATUSES
from fundraiser.models import Donation, DonationStatus, GiftAidDeclaration, PledgePage

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A changed attempt starts without the benefit it may have taken before.
_NO_BENEFIT = {"benefit_id": None, "advantage_amount": 0, "advantage_description": ""}
_PUBLIC_ID = re.compile(r"^[0-9a-f]{32}$")


def create_pending_donation(
    session: Session,
    page: PledgePage,
    *,
    amount: int,
    fee_cover_amount: int = 0,
    donor_name: str,
    donor_email: str,
    message: str = "",
    is_anonymous: bool = False,
    donor_user_id: int | None = None,
    is_company: bool = False,
    address_line1: str = "",
    address_city: str = "",
    address_postcode: str = "",
    address_country: str = "",
    gift_aid: GiftAidDetails | None = None,
    attempt_id: str | None = None,
    benefit_id: int | None = None,
) -> Donation:
    """Check every rule, then add a pending donation (and its Gift Aid declaration).

    `amount` and `fee_cover_amount` are minor units in the page's currency. With an
    `attempt_id` already used for this gift and not paid yet, the donation it made, changed
    to what the form says now (the donor went back and submitted again). The address is the
    donor's, for receipts that need one. `benefit_id`: the thank-you benefit the donor takes,
    whose value becomes the gift's advantage.
    """
    existing = attempt_in_progress(session, page, attempt_id)
    typed = {
        "donor_name": donor_name,
        "donor_email": donor_email,
        "message": message,
        "address_line1": address_line1,
        "address_city": address_city,
        "address_postcode": address_postcode,
        "address_country": address_country,
    }
    donor, declaration = _checked(page, amount, fee_cover_amount, typed, gift_aid, is_company, donor_user_id)
    if benefit_id is not None and (
        problem := chosen_benefit_error(benefit_options(session, page), benefit_id, amount)
    ):
        raise InvalidDonation({"benefit": problem})
    gift = _pending_gift(page, amount, fee_cover_amount, attempt_id)
    people = {"donor_user_id": donor_user_id, "is_anonymous": is_anonymous, "is_company": is_company}
    if existing is not None:
        changed = _changed(session, existing, {**gift, **people, **donor, **_NO_BENEFIT}, declaration)
        apply_benefit(session, page, changed, benefit_id)
        session.flush()
        return changed
    donation = Donation(**gift, **people, **donor)
    apply_benefit(session, page, donation, benefit_id)
    if declaration is not None:
        _attach_declaration(donation, declaration)
    session.add(donation)
    session.flush()
    return donation


def _changed(
    session: Session, donation: Donation, fields: dict[str, Any], declaration: GiftAidDeclaration | None
) -> Donation:
    """The attempt's donation with the gift as the form says now. It keeps its status (a
    failed card may be tried again) and its PaymentIntent, whose amount checkout.py changes."""
    fields.pop("status")
    for name, value in fields.items():
        setattr(donation, name, value)
    previous = donation.gift_aid_declaration
    if previous is not None:
        session.delete(previous)
        session.flush()
        session.expire(donation, ["gift_aid_declaration"])
    if declaration is not None:
        _attach_declaration(donation, declaration)
    session.flush()
    return donation


def _checked(
    page: PledgePage,
    amount: int,
    fee_cover_amount: int,
    typed: dict[str, str],
    gift_aid: GiftAidDetails | None,
    is_company: bool,
    donor_user_id: int | None,
) -> tuple[dict[str, str], GiftAidDeclaration | None]:
    """The donor's fields tidied and the Gift Aid declaration, or InvalidDonation with every
    rule the gift breaks."""
    errors = _gift_errors(page, amount, fee_cover_amount)
    donor = _donor_fields(typed, errors)
    declaration = None
    if gift_aid is not None:
        declaration, declaration_errors = gift_aid_declaration(
            page, gift_aid, amount, is_company=is_company, donor_user_id=donor_user_id
        )
        errors |= declaration_errors
    if errors:
        raise InvalidDonation(errors)
    return donor, declaration


def _pending_gift(
    page: PledgePage, amount: int, fee_cover_amount: int, attempt_id: str | None
) -> dict[str, Any]:
    """A donation's fields for a gift waiting for payment: counted where the page is, in its
    currency, charging the gift and its fee cover, under the attempt's id when there is one."""
    fields: dict[str, Any] = {
        "page_id": page.id,
        "cause_id": page.cause_id,
        "event_id": page.event_id,
        "team_id": page.team_id,
        "currency": page.currency,
        "amount": amount,
        "fee_cover_amount": fee_cover_amount,
        "charged_amount": amount + fee_cover_amount,
        "status": DonationStatus.PENDING,
    }
    if attempt_id is not None:
        fields["public_id"] = attempt_id
    return fields


def _gift_errors(page: PledgePage, amount: int, fee_cover_amount: int) -> dict[str, str]:
    """What is wrong with giving this much to this page."""
    errors: dict[str, str] = {}
    if not page.is_published:
        errors["page"] = "This page is not taking donations."
    if problem := currency_refusal(page.cause.country, page.currency):
        errors["page"] = problem
    elif problem := amount_error(
        amount, page.currency, smallest_gift(page.currency, page.cause.smallest_gift_amounts)
    ):
        errors["amount"] = problem
    elif fee_cover_amount not in (0, fee_cover(amount, page.currency)):
        errors["fee_cover_amount"] = "The fee estimate has changed: please check the amount and try again."
    return errors


_DONOR_LIMITS = {
    "donor_name": 120,
    "donor_email": 254,
    "message": 1000,
    "address_line1": 200,
    "address_city": 120,
    "address_postcode": 20,
    "address_country": 2,
}


def _donor_fields(typed: dict[str, str], errors: dict[str, str]) -> dict[str, str]:
    """The donor's fields tidied, with what is wrong with them added to `errors`."""
    clean = {
        name: value.strip() if name == "message" else " ".join(value.split()) for name, value in typed.items()
    }
    clean["address_country"] = clean["address_country"].upper()
    for name, value in clean.items():
        if CONTROL_CHARACTERS.search(value):
            errors[name] = CONTROL_CHARACTERS_MESSAGE
        elif len(value) > _DONOR_LIMITS[name]:
            errors[name] = f"Use at most {_DONOR_LIMITS[name]:,} characters."
    if not clean["donor_name"]:
        errors["donor_name"] = "Enter your name."
    if not _EMAIL.match(clean["donor_email"]):
        errors["donor_email"] = "Enter an email address like name@example.com."
    return clean


def _attach_declaration(donation: Donation, declaration: GiftAidDeclaration) -> None:
    """Gift Aid's home address is the donor's address when they gave no other."""
    donation.gift_aid_declaration = declaration
    if not donation.address_line1:
        donation.address_line1 = f"{declaration.house_name_or_number} {declaration.address}"[:200]
        donation.address_postcode = declaration.postcode
        donation.address_country = "GB"


def attempt_in_progress(session: Session, page: PledgePage, attempt_id: str | None) -> Donation | None:
    """The donation this attempt already made and that is still waiting for payment (pending,
    or failed and open to another card), if any; InvalidDonation when the attempt id is
    malformed, belongs to another page, or its donation is over (paid, refunded, abandoned)."""
    if attempt_id is None:
        return None
    if not _PUBLIC_ID.match(attempt_id):
        raise InvalidDonation({"attempt_id": "This form has expired: please reload the page."})
    donation = find_donation(session, attempt_id)
    if donation is None:
        return None
    if donation.page_id != page.id or donation.status not in PAYABLE_STATUSES:
        raise InvalidDonation({"attempt_id": "This form was already used: please reload the page."})
    return donation
