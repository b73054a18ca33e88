"""HMRC's Gift Aid facts in one place: the rate a charity reclaims, the limits of HMRC's
claim schedule, the model declaration wording, which gifts may carry a declaration, what a
declaration must hold, and why a declared gift may still not be claimed.

Sources: HMRC, "Gift Aid declarations" and "Chapter 3: Gift Aid" (gov.uk); gov.uk, "Schedule
spreadsheet to claim back tax on Gift Aid donations" (updated 2025-11).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fundraiser.donations.errors import CONTROL_CHARACTERS, CONTROL_CHARACTERS_MESSAGE
from fundraiser.models import GiftAidDeclaration, PledgePage
from fundraiser.money import format_money

# The charity reclaims basic-rate tax: 25p for every £1 donated.
GIFT_AID_RATE_PERCENT = 25
# HMRC Chapter 3.38 and the schedule page: on the sponsored-event route a participant's line
# adds together sponsorship of £500 or less per donor; a donor giving more is listed on their
# own line with their details (and is claimable).
SPONSORSHIP_ADDED_TOGETHER_LIMIT = 50_000
# The schedule page (2025-11): "aggregated donations (multiple donations under £30 grouped
# together)", at most £1,000 a line, described in at most 35 characters.
AGGREGATED_GIFT_BELOW = 3_000
AGGREGATED_LINE_LIMIT = 100_000
AGGREGATED_DESCRIPTION_LONGEST = 35
# One schedule holds at most 1,000 lines; more are sent as further claims.
SCHEDULE_LINES = 1_000
# The schedule's name fields: title at most 4 characters, first and last name at most 35.
TITLE_LONGEST = 4
NAME_LONGEST = 35
TITLE_CHOICES = ("Mr", "Mrs", "Miss", "Ms", "Mx", "Dr", "Prof", "Rev")
# Long titles declared before the 4-character limit, as HMRC's examples shorten them.
TITLE_SHORT_FORMS = {"professor": "Prof", "reverend": "Rev", "doctor": "Dr", "the reverend": "Rev"}
# Gift Aid is UK tax: dates and tax years are read on the UK's clock.
HMRC_TIMEZONE = "Europe/London"

# Why a declared gift is not claimable, in words for the donor's receipt and the finance
# officer's list of gifts left out; the claim (reports.giftaid) tests the same rules in SQL.
EXCLUSION_REASONS = {
    "company": "it was made by a company.",
    "not_pounds": "it was not made in pounds sterling.",
    "refunded": "it was refunded in full.",
    "disputed": "the payment was disputed with the card issuer.",
    "donor_benefit": "the donor received an event entry or goods in return.",
    "runner": "it was the runner's own gift, and the event gives runners a benefit for their fundraising.",
    "runner_family": "the donor is family of the runner, and the event gives runners a benefit for "
    "their fundraising.",
    "name_too_long": "the donor's first or last name is longer than the 35 characters HMRC's schedule takes.",
}

GIFT_AID_ONE_OFF = (
    "I want to Gift Aid my donation of {amount} to {charity}. I am a UK taxpayer and understand "
    "that if I pay less Income Tax and/or Capital Gains Tax than the amount of Gift Aid claimed "
    "on all my donations in that tax year it is my responsibility to pay any difference."
)
GIFT_AID_ENDURING = (
    "I want to Gift Aid my donation of {amount} and any donations I make in the future or have "
    "made in the past 4 years to {charity}. I am a UK taxpayer and understand that if I pay less "
    "Income Tax and/or Capital Gains Tax than the amount of Gift Aid claimed on all my donations "
    "in that tax year it is my responsibility to pay any difference."
)


def gift_aid_wording(charity_name: str, amount: int, currency: str, covers_past_and_future: bool) -> str:
    """HMRC's model declaration text, as shown to the donor and stored with the declaration."""
    template = GIFT_AID_ENDURING if covers_past_and_future else GIFT_AID_ONE_OFF
    return template.format(amount=format_money(amount, currency), charity=charity_name)


def gift_aid_allowed(page: PledgePage) -> bool:
    """Gift Aid is offered for gifts in pounds to a UK charity."""
    return page.cause.country == "GB" and page.currency == "GBP"


@dataclass
class GiftAidDetails:
    """What the donor typed into the Gift Aid declaration."""

    first_name: str
    last_name: str
    house_name_or_number: str
    address: str
    postcode: str
    title: str = ""
    covers_past_and_future: bool = False
    is_runner_family: bool = False


_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")
# The declaration's typed fields: the message when one is missing, and the longest it may be.
# Names longer than HMRC's schedule takes are refused here, where the donor can shorten them,
# rather than cut in the claim (a cut name may not match HMRC's records).
_DECLARATION_FIELDS = {
    "first_name": ("Enter your first name or initial.", NAME_LONGEST),
    "last_name": ("Enter your last name.", NAME_LONGEST),
    "house_name_or_number": ("Enter your house name or number.", 80),
    "address": ("Enter your home address.", 255),
}


def _gift_aid_refusal(page: PledgePage, *, is_company: bool, donor_user_id: int | None) -> str | None:
    """Why this gift cannot carry a declaration at all, in words for the donor; None when it can."""
    if not gift_aid_allowed(page):
        return "Gift Aid applies only to gifts in pounds to a UK charity."
    if is_company:
        return "Gift Aid cannot be claimed on a company's gift."
    if page.event.participant_benefit and donor_user_id is not None and donor_user_id == page.runner_id:
        # HMRC Chapter 3.38: a participant's own gift is not a Gift Aid donation when the
        # event gives them a benefit tied to their fundraising; otherwise it is.
        return (
            "Gift Aid cannot be claimed on a gift to your own page: this event gives runners a "
            "benefit (such as a paid entry) for their fundraising."
        )
    return None


def gift_aid_declaration(
    page: PledgePage, details: GiftAidDetails, amount: int, *, is_company: bool, donor_user_id: int | None
) -> tuple[GiftAidDeclaration | None, dict[str, str]]:
    """The declaration for this gift, or None and what is wrong (field name to message)."""
    refusal = _gift_aid_refusal(page, is_company=is_company, donor_user_id=donor_user_id)
    if refusal is not None:
        return None, {"gift_aid": refusal}
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for name, (missing, longest) in _DECLARATION_FIELDS.items():
        value = " ".join(getattr(details, name).split())
        if not value:
            errors[name] = missing
        elif len(value) > longest:
            errors[name] = f"Use at most {longest} characters."
        elif CONTROL_CHARACTERS.search(value):
            errors[name] = CONTROL_CHARACTERS_MESSAGE
        clean[name] = value
    title = " ".join(details.title.split())
    if len(title) > TITLE_LONGEST:
        errors["title"] = "Use at most 4 characters for your title, like Prof or Rev (HMRC's limit)."
    postcode = _UK_POSTCODE.match(" ".join(details.postcode.upper().split()))
    if postcode is None:
        errors["postcode"] = "Enter your UK postcode, like LS1 4AP."
    if errors or postcode is None:
        return None, errors
    declaration = GiftAidDeclaration(
        title=title,
        postcode=f"{postcode.group(1)} {postcode.group(2)}",
        covers_past_and_future=details.covers_past_and_future,
        is_runner_family=details.is_runner_family and page.event.participant_benefit,
        wording=gift_aid_wording(
            page.cause.legal_name, amount, page.currency, details.covers_past_and_future
        ),
        **clean,
    )
    return declaration, {}


@dataclass(frozen=True)
class SponsorAddress:
    """The runner's name and home address for HMRC's sponsored-event line (all four, or none)."""

    first_name: str = ""
    last_name: str = ""
    house_name_or_number: str = ""
    postcode: str = ""


def checked_sponsor_address(typed: SponsorAddress) -> tuple[SponsorAddress, dict[str, str]]:
    """The runner's address cleaned, or what is wrong (field name to message). All empty is
    fine: the page's gifts are then claimed one by one under each donor's declaration."""
    values = {name: " ".join(getattr(typed, name).split()) for name in SponsorAddress.__dataclass_fields__}
    if not any(values.values()):
        return SponsorAddress(), {}
    errors: dict[str, str] = {}
    for name, missing in (
        ("first_name", "Enter your first name or initial, or leave all four empty."),
        ("last_name", "Enter your last name, or leave all four empty."),
        ("house_name_or_number", "Enter your house name or number, or leave all four empty."),
    ):
        if not values[name]:
            errors[name] = missing
        elif CONTROL_CHARACTERS.search(values[name]):
            errors[name] = CONTROL_CHARACTERS_MESSAGE
    for name in ("first_name", "last_name"):
        if len(values[name]) > NAME_LONGEST:
            errors[name] = f"HMRC takes at most {NAME_LONGEST} characters."
    if len(values["house_name_or_number"]) > 80:
        errors["house_name_or_number"] = "Use at most 80 characters."
    postcode = _UK_POSTCODE.match(values["postcode"].upper())
    if postcode is None:
        errors["postcode"] = "Enter your UK postcode, like LS1 4AP."
    else:
        values["postcode"] = f"{postcode.group(1)} {postcode.group(2)}"
    return (SponsorAddress(**values), {}) if not errors else (SponsorAddress(), errors)


def claimable_amount(charged: int, refunded: int) -> int:
    """What Gift Aid is claimed on: all the donor gave (the gift and any fee cover they added,
    which the charity also receives) less what was refunded."""
    return max(0, charged - refunded)


def exclusion_code(
    *,
    is_company: bool,
    currency: str,
    claimable: int,
    disputed: bool,
    advantage: int,
    event_benefit: bool,
    from_runner: bool,
    runner_family: bool,
    first_name: str,
    last_name: str,
) -> str:
    """The key of EXCLUSION_REASONS that keeps a declared, paid gift out of the claim, or "".
    The first that applies wins; `reports.giftaid` tests the same rules in the same order."""
    rules = (
        ("company", is_company),
        ("not_pounds", currency != "GBP"),
        ("refunded", claimable <= 0),
        ("disputed", disputed),
        ("donor_benefit", advantage > 0),
        ("runner", event_benefit and from_runner),
        ("runner_family", event_benefit and runner_family),
        ("name_too_long", len(first_name) > NAME_LONGEST or len(last_name) > NAME_LONGEST),
    )
    return next((code for code, applies in rules if applies), "")


def schedule_title(title: str) -> str:
    """A declared title as HMRC's schedule takes it: at most 4 characters. Titles declared
    before that limit are shortened the way HMRC's examples are ("Professor" -> "Prof"); one we
    cannot shorten is left out, as the title is optional."""
    text = " ".join(title.split())
    if len(text) <= TITLE_LONGEST:
        return text
    return TITLE_SHORT_FORMS.get(text.lower().rstrip("."), "")


def schedule_name(name: str) -> str:
    """A first or last name as the schedule takes it: a hyphen becomes a space ("House-Martin"
    -> "House Martin"), spaces collapsed."""
    return " ".join(name.replace("-", " ").split())


def schedule_postcode(postcode: str) -> str:
    """Capitals with a space before the last three characters ("s192bd" -> "S19 2BD")."""
    compact = "".join(postcode.upper().split())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def uk_day(moment: datetime) -> date:
    """The day a payment was received, on the UK's clock."""
    return moment.astimezone(ZoneInfo(HMRC_TIMEZONE)).date()
