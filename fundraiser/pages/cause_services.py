"""Causes (charities): create and edit with their impact units, and add charity admins."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundraiser.countries import CA_ADDRESS_HINT, COUNTRIES, currency_refusal, parse_ca_address
from fundraiser.donations.amounts import amount_error, minimum_amount
from fundraiser.models import Cause, CauseAdmin, ImpactUnit, SmallestGift, User
from fundraiser.money import SUPPORTED_CURRENCIES, format_money
from fundraiser.pages.photos import PreparedPhoto, discard_after_commit
from fundraiser.pages.validation import InvalidInput, free_slug, money_field


@dataclass
class ImpactUnitInput:
    amount: str
    currency: str
    singular: str
    plural: str


@dataclass
class CauseInput:
    name: str
    slug: str
    legal_name: str
    country: str
    registration_number: str
    default_currency: str
    address: str
    timezone: str
    website: str
    description: str
    signatory_name: str
    impact_units: list[ImpactUnitInput] = field(default_factory=list)
    # The smallest gift in the default currency, as typed; blank keeps the default (amounts.py).
    smallest_gift: str = ""
    approves_first_pages: bool = False


def create_cause(
    session: Session,
    details: CauseInput,
    *,
    logo: PreparedPhoto | None = None,
    signature: PreparedPhoto | None = None,
    upload_folder: str = "",
) -> Cause:
    cause = Cause()
    _apply_cause(session, cause, details, Images(logo, signature), upload_folder)
    session.add(cause)
    session.flush()
    return cause


def update_cause(
    session: Session,
    cause: Cause,
    details: CauseInput,
    *,
    logo: PreparedPhoto | None = None,
    signature: PreparedPhoto | None = None,
    upload_folder: str = "",
) -> Cause:
    _apply_cause(session, cause, details, Images(logo, signature), upload_folder)
    session.flush()
    return cause


def add_cause_admin(session: Session, cause: Cause, email: str) -> User:
    """Make the account with this email a charity admin of the cause (once)."""
    address = (email or "").strip().lower()
    user = session.scalar(select(User).where(func.lower(User.email) == address)) if address else None
    if user is None:
        raise InvalidInput({"email": "No account has that email; ask them to sign up first."})
    if cause.id not in user.administered_cause_ids:
        membership = CauseAdmin(user_id=user.id, cause_id=cause.id)
        user.cause_memberships.append(membership)
        session.add(membership)
        session.flush()
    return user


@dataclass(frozen=True)
class Images:
    """A new logo and a new image of the authorised signatory's signature, when uploaded."""

    logo: PreparedPhoto | None = None
    signature: PreparedPhoto | None = None


def _country_rules(cause: Cause, details: CauseInput, images: Images, errors: dict[str, str]) -> None:
    """What a country's tax office needs of a charity before its receipts are valid. Canada
    (CRA, "Issuing complete and accurate donation receipts"): the address as on file with the
    CRA, receipts in Canadian dollars, and an authorised individual's signature and name."""
    if details.country != "CA":
        return
    if parse_ca_address(details.address) is None:
        errors["address"] = CA_ADDRESS_HINT
    if problem := currency_refusal(details.country, details.default_currency):
        errors["default_currency"] = problem
    has_signature = images.signature is not None or bool(cause.signature_path)
    if has_signature and not (details.signatory_name or "").strip():
        errors["signatory_name"] = "Enter the name of the person whose signature you uploaded."


def _apply_cause(
    session: Session, cause: Cause, details: CauseInput, images: Images, upload_folder: str
) -> None:
    errors: dict[str, str] = {}
    slug = free_slug(session, Cause, details.slug, cause.id, errors)
    country = details.country
    if country not in COUNTRIES:
        errors["country"] = "Choose the United Kingdom, the United States or Canada."
    else:
        number = (details.registration_number or "").strip().upper().replace(" ", "")
        if not COUNTRIES[country].registration_format.match(number):
            errors["registration_number"] = COUNTRIES[country].registration_hint
    if details.default_currency not in SUPPORTED_CURRENCIES:
        errors["default_currency"] = "Choose a currency from the list."
    try:
        ZoneInfo(details.timezone or "")
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = "Enter a time zone name like Europe/London or America/Toronto."
    website = (details.website or "").strip()
    if website and not website.lower().startswith(("https://", "http://")):
        errors["website"] = "Enter a web address starting with https://."
    units = _impact_units(details.impact_units, errors)
    smallest = _smallest_gift(details, errors)
    if details.default_currency in SUPPORTED_CURRENCIES and country in COUNTRIES:
        _country_rules(cause, details, images, errors)
    if errors:
        raise InvalidInput(errors)
    cause.slug = slug
    cause.name = details.name.strip()
    cause.legal_name = details.legal_name.strip()
    cause.country = country
    cause.registration_number = (details.registration_number or "").strip().upper().replace(" ", "")
    cause.default_currency = details.default_currency
    cause.address = details.address or ""
    cause.timezone = details.timezone
    cause.website = website
    cause.description = details.description or ""
    cause.signatory_name = (details.signatory_name or "").strip()
    cause.impact_units = units
    cause.approves_first_pages = bool(details.approves_first_pages)
    _set_smallest_gift(cause, details.default_currency, smallest)
    if images.logo is not None:
        discard_after_commit(session, upload_folder, cause.logo_path)
        cause.logo_path = images.logo.store(upload_folder)
    if images.signature is not None:
        discard_after_commit(session, upload_folder, cause.signature_path)
        cause.signature_path = images.signature.store(upload_folder)


def _impact_units(lines: list[ImpactUnitInput], errors: dict[str, str]) -> list[ImpactUnit]:
    """Lines left wholly blank are ignored; a started line must be complete."""
    units = []
    for index, line in enumerate(lines):
        if not any((text or "").strip() for text in (line.amount, line.singular, line.plural)):
            continue
        key = f"impact_units-{index}"
        if line.currency not in SUPPORTED_CURRENCIES:
            errors[f"{key}-currency"] = "Choose a currency from the list."
            continue
        amount = money_field(line.amount, line.currency, f"{key}-amount", errors)
        singular, plural = (line.singular or "").strip(), (line.plural or "").strip()
        if not singular:
            errors[f"{key}-singular"] = "Say what one unit buys, like “hot meal”."
        if not plural:
            errors[f"{key}-plural"] = "Give the plural, like “hot meals”."
        if amount and singular and plural:
            units.append(ImpactUnit(amount=amount, currency=line.currency, singular=singular, plural=plural))
    return units


def _smallest_gift(details: CauseInput, errors: dict[str, str]) -> int | None:
    """The smallest gift typed for the default currency, or None to keep the default; never
    below what Stripe can charge (donations/amounts.py)."""
    currency = details.default_currency
    if not (details.smallest_gift or "").strip() or currency not in SUPPORTED_CURRENCIES:
        return None
    amount = money_field(details.smallest_gift, currency, "smallest_gift", errors)
    if not amount:
        return None
    if amount < minimum_amount(currency):
        least = format_money(minimum_amount(currency), currency)
        errors["smallest_gift"] = f"Stripe cannot take a card payment below {least}: enter {least} or more."
    elif problem := amount_error(amount, currency):
        errors["smallest_gift"] = problem
    return amount


def _set_smallest_gift(cause: Cause, currency: str, amount: int | None) -> None:
    """The row for this currency changed in place (a delete and an insert of the same
    currency in one flush would meet the unique constraint), added, or removed for blank."""
    row = next((row for row in cause.smallest_gifts if row.currency == currency), None)
    if amount is None:
        if row is not None:
            cause.smallest_gifts.remove(row)
    elif row is None:
        cause.smallest_gifts.append(SmallestGift(currency=currency, amount=amount))
    else:
        row.amount = amount
