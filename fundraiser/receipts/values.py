"""The plain values a receipt is drawn from, read once from the cause and the donation and
stored with the receipt, so a copy drawn later never reads today's (possibly edited) rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import object_session

from fundraiser.countries import CA_PROVINCES, COUNTRIES, parse_ca_address
from fundraiser.donations.giftaid import EXCLUSION_REASONS, claimable_amount, exclusion_code
from fundraiser.models import Cause, Dispute, Donation, ReceiptKind
from fundraiser.payments.connect import collected_by_agent
from fundraiser.receipts.advantage import ca_counted_advantage, ca_refusal, us_needs_quid_pro_quo_statement

CA_ADDRESS_MISSING = (
    "Canadian official receipts need the donor's full address (with province or territory and "
    "postal code); this donation has none."
)
CA_NOT_CAD = "Canadian official receipts are in Canadian dollars; this gift was not made in CAD."
CA_CHARITY_ADDRESS_MISSING = (
    "The charity's address (street, city, province or territory, postal code) is not on file."
)
CA_NO_SIGNATORY = (
    "The charity has not yet uploaded its authorised signatory's name and signature, which "
    "every official receipt must carry."
)


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
    canadian = parse_ca_address(address)
    if canadian is not None:
        return canadian.locality
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
        "address_lines": charity_address_lines(cause),
        "website": cause.website,
        "signatory_name": cause.signatory_name,
        "logo": f"upload:{cause.logo_path}" if cause.logo_path else None,
        "signature": f"upload:{cause.signature_path}" if cause.signature_path else None,
    }


def charity_address_lines(cause: Cause) -> list[str]:
    """The charity's address as its country writes one: a Canadian one on Canada Post's lines."""
    canadian = parse_ca_address(cause.address) if cause.country == "CA" else None
    if canadian is not None:
        return canadian.lines
    return [line.strip() for line in (cause.address or "").splitlines() if line.strip()]


def donor_values(donation: Donation) -> dict[str, Any]:
    declaration = donation.gift_aid_declaration
    if donation.address_line1 and donation.address_country == "CA":
        lines = [
            donation.address_line1,
            f"{donation.address_city} {donation.address_region}  {donation.address_postcode}",
        ]
    elif donation.address_line1:
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
    """Why this donation cannot have a receipt, or '' when it can (CRA: a receipt missing any
    required field is not an official receipt, so none is issued)."""
    if cause.country != "CA":
        return ""
    if donation.currency != "CAD":
        return CA_NOT_CAD
    if not (donation.address_line1 and donation.address_city and donation.address_postcode) or (
        donation.address_country == "CA" and donation.address_region not in CA_PROVINCES
    ):
        return CA_ADDRESS_MISSING
    if parse_ca_address(cause.address) is None:
        return CA_CHARITY_ADDRESS_MISSING
    if not cause.signatory_name.strip() or not signature_on_file(cause):
        return CA_NO_SIGNATORY
    return ca_refusal(
        receipted_amount(donation),
        donation.advantage_amount,
        intent_to_give_shown=donation.intent_to_give_shown,
    )


def signature_on_file(cause: Cause) -> bool:
    """The cause's uploaded signature image is where its receipts will read it."""
    if not cause.signature_path:
        return False
    folder = Path(settings().upload_folder).resolve()
    path = (folder / cause.signature_path).resolve()
    return path.is_relative_to(folder) and path.is_file()


def gift_aid_exclusion(donation: Donation) -> str:
    """Why HMRC would not allow Gift Aid on this gift despite a declaration, or '': the rules of
    the charity's claim (donations.giftaid.exclusion_code, which reports.giftaid tests in SQL)."""
    page = donation.page
    runner = page.runner if page is not None else None
    event = page.event if page is not None else None
    declaration = donation.gift_aid_declaration
    code = exclusion_code(
        is_company=bool(donation.is_company),
        currency=donation.currency,
        claimable=claimable_amount(
            donation.amount + (donation.fee_cover_amount or 0), donation.refunded_amount
        ),
        disputed=_was_disputed(donation),
        advantage=donation.advantage_amount or 0,
        event_benefit=bool(event is not None and event.participant_benefit),
        from_runner=runner is not None
        and (
            donation.donor_user_id == runner.id
            or donation.donor_email.strip().lower() == runner.email.lower()
        ),
        runner_family=bool(declaration is not None and declaration.is_runner_family),
        first_name=declaration.first_name if declaration is not None else "",
        last_name=declaration.last_name if declaration is not None else "",
    )
    return EXCLUSION_REASONS[code] if code else ""


def _was_disputed(donation: Donation) -> bool:
    """Any dispute, whatever its outcome (the claim's stricter reading): a won dispute leaves
    nothing withdrawn, so its row is asked for."""
    if donation.disputed_amount:
        return True
    session = object_session(donation)
    if session is None or donation.id is None:
        return False
    return bool(session.scalar(select(exists().where(Dispute.donation_id == donation.id))))


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
    if cause.country == "CA":
        advantage = ca_counted_advantage(amount, advantage)
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
        "quid_pro_quo": us_needs_quid_pro_quo_statement(amount, advantage),
        "gift_aid": gift_aid_values(cause, donation),
        "page_title": page.title if page is not None else "",
        "event_name": page.event.name if page is not None and page.event is not None else "",
    }
