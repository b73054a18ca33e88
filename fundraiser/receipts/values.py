"""The plain values a receipt is drawn from, read once from the cause and the donation and
stored with the receipt, so a copy drawn later never reads today's (possibly edited) rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from fundraiser.countries import COUNTRIES
from fundraiser.donations.giftaid import GIFT_AID_SHARED_FORM_LIMIT
from fundraiser.models import Cause, Donation, ReceiptKind
from fundraiser.payments.connect import collected_by_agent

CA_ADDRESS_MISSING = "Canadian official receipts need the donor's full address; this donation has none."


@dataclass(frozen=True)
class Settings:
    platform_name: str
    platform_address: str
    upload_folder: str


def settings() -> Settings:
    config = current_app.config
    return Settings(config["PLATFORM_NAME"], config["PLATFORM_ADDRESS"], config["UPLOAD_FOLDER"])


def local_day(moment: datetime, timezone: str) -> date:
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).date()


def place_of_issue(address: str) -> str:
    """The charity's locality from its registered address: '88 Maple Ave, Toronto, ON M5V 2T6,
    Canada' -> 'Toronto, ON'."""
    parts = [part.strip() for part in address.split(",") if part.strip()]
    if len(parts) < 3:
        return parts[0] if parts else ""
    region = parts[-2].split()[0] if parts[-2].split() else ""
    city = parts[-3]
    return f"{city}, {region}" if len(region) == 2 and region.isalpha() else city


def charity_values(cause: Cause) -> dict[str, Any]:
    return {
        "name": cause.name,
        "legal_name": cause.legal_name,
        "registration_number": cause.registration_number,
        "address": cause.address,
        "website": cause.website,
        "signatory_name": cause.signatory_name,
        "logo": f"upload:{cause.logo_path}" if cause.logo_path else None,
        "signature": f"upload:{cause.signature_path}" if cause.signature_path else None,
    }


def donor_values(donation: Donation) -> dict[str, Any]:
    declaration = donation.gift_aid_declaration
    if donation.address_line1:
        lines = [
            donation.address_line1,
            " ".join(p for p in (donation.address_city, donation.address_postcode) if p),
            donation.address_country,
        ]
    elif declaration is not None:
        lines = [f"{declaration.house_name_or_number} {declaration.address}".strip(), declaration.postcode]
    else:
        lines = []
    return {
        "name": donation.donor_name,
        "first_name": donation.donor_name.split()[0] if donation.donor_name.split() else "",
        "email": donation.donor_email,
        "address_lines": [line for line in lines if line],
    }


def refusal_reason(cause: Cause, donation: Donation) -> str:
    """Why this donation cannot have a receipt, or '' when it can."""
    if cause.country == "CA" and not (
        donation.address_line1 and donation.address_city and donation.address_postcode
    ):
        return CA_ADDRESS_MISSING
    return ""


def gift_aid_exclusion(donation: Donation) -> str:
    """Why HMRC would not allow Gift Aid on this gift despite a declaration, or ''. The same
    stricter reading as the charity's Gift Aid claim (reports.giftaid.gift_aid_filter)."""
    page = donation.page
    runner = page.runner if page is not None else None
    if donation.is_company:
        return "it was made by a company."
    if donation.currency != "GBP":
        return "it was not made in pounds sterling."
    if donation.refunded_amount or donation.disputed_amount:
        return "part of it was refunded."
    if donation.advantage_amount:
        return "the donor received an event entry or goods in return."
    if donation.amount > GIFT_AID_SHARED_FORM_LIMIT:
        return "a single gift on a shared sponsorship page may not exceed £500."
    if runner is not None and (
        donation.donor_user_id == runner.id or donation.donor_email.strip().lower() == runner.email.lower()
    ):
        return "it was the runner's own gift to their pledge page."
    return ""


def receipted_amount(donation: Donation) -> int:
    """What a receipt states: all the donor paid (the gift plus any fee cover, which also goes
    to the charity) less refunds. Disputes do not change a receipt."""
    return max(0, donation.charged_amount - donation.refunded_amount)


def receipt_header(
    cause: Cause,
    kind: ReceiptKind,
    *,
    number: str,
    replaces_number: str | None,
    issued_at: datetime,
    config: Settings,
) -> dict[str, Any]:
    """What every receipt states whatever its kind: who issues it, where, when, under what number,
    and the country's locale and paper size it is drawn in."""
    return {
        "kind": kind,
        "country": cause.country,
        "locale": COUNTRIES[cause.country].locale,
        "page_size": COUNTRIES[cause.country].page_size,
        "number": number,
        "replaces_number": replaces_number,
        "charity": charity_values(cause),
        "platform": {"name": config.platform_name, "address": config.platform_address},
        # Single mode, the operator collecting as the charity's agent: the receipt says so.
        "collected_by": config.platform_name if collected_by_agent(cause) else None,
        "issue_date": local_day(issued_at, cause.timezone).isoformat(),
        "place_of_issue": place_of_issue(cause.address),
    }


def gift_aid_values(cause: Cause, donation: Donation) -> dict[str, Any] | None:
    """The donor's Gift Aid declaration as a UK receipt repeats it, or None."""
    declaration = donation.gift_aid_declaration
    if cause.country != "GB" or declaration is None:
        return None
    return {
        "excluded_because": gift_aid_exclusion(donation),
        "name": " ".join(p for p in (declaration.title, declaration.first_name, declaration.last_name) if p),
        "wording": declaration.wording,
        "declared_on": local_day(declaration.declared_at, cause.timezone).isoformat(),
        "covers_past_and_future": declaration.covers_past_and_future,
    }


def single_receipt_data(
    cause: Cause,
    donation: Donation,
    *,
    amount: int,
    number: str,
    replaces_number: str | None,
    issued_at: datetime,
    config: Settings,
) -> dict[str, Any]:
    """The plain, JSON-ready values of one donation's receipt (stored with it)."""
    advantage = min(donation.advantage_amount or 0, amount)
    page = donation.page
    header = receipt_header(
        cause,
        ReceiptKind.SINGLE,
        number=number,
        replaces_number=replaces_number,
        issued_at=issued_at,
        config=config,
    )
    return {
        **header,
        "donor": donor_values(donation),
        "gift_date": local_day(donation.paid_at, cause.timezone).isoformat(),
        "currency": donation.currency,
        "amount": amount,
        "advantage_amount": advantage,
        "advantage_description": donation.advantage_description if advantage else "",
        "eligible_amount": amount - advantage,
        "gift_aid": gift_aid_values(cause, donation),
        "page_title": page.title if page is not None else "",
        "event_name": page.event.name if page is not None and page.event is not None else "",
    }
