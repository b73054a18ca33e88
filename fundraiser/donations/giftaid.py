"""HMRC's Gift Aid facts in one place: the rate a charity reclaims, the sponsorship-form
limit, the model declaration wording, which gifts may carry a declaration, and what a
declaration must hold.

Sources: HMRC, "Gift Aid declarations" and "Chapter 3: Gift Aid" (gov.uk).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fundraiser.donations.errors import CONTROL_CHARACTERS, CONTROL_CHARACTERS_MESSAGE
from fundraiser.models import GiftAidDeclaration, PledgePage
from fundraiser.money import format_money

# The charity reclaims basic-rate tax: 25p for every £1 donated.
GIFT_AID_RATE_PERCENT = 25
# HMRC: on a sponsorship form shared by several donors (a pledge page) no gift may exceed £500.
GIFT_AID_SHARED_FORM_LIMIT = 50_000

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


_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")
# The declaration's typed fields: the message when one is missing, and the longest it may be.
_DECLARATION_FIELDS = {
    "first_name": ("Enter your first name or initial.", 80),
    "last_name": ("Enter your last name.", 80),
    "house_name_or_number": ("Enter your house name or number.", 80),
    "address": ("Enter your home address.", 255),
}


def _gift_aid_refusal(page: PledgePage, *, is_company: bool, donor_user_id: int | None) -> str | None:
    """Why this gift cannot carry a declaration at all, in words for the donor; None when it can."""
    if not gift_aid_allowed(page):
        return "Gift Aid applies only to gifts in pounds to a UK charity."
    if is_company:
        return "Gift Aid cannot be claimed on a company's gift."
    if donor_user_id is not None and donor_user_id == page.runner_id:
        # HMRC: a participant's gift to their own fundraising is not eligible when they
        # benefit from the event (a place, an entry); we take the stricter reading.
        return "Gift Aid cannot be claimed on a gift to your own page."
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
    postcode = _UK_POSTCODE.match(" ".join(details.postcode.upper().split()))
    if postcode is None:
        errors["postcode"] = "Enter your UK postcode, like LS1 4AP."
    if errors:
        return None, errors
    declaration = GiftAidDeclaration(
        title=details.title.strip()[:20],
        postcode=f"{postcode.group(1)} {postcode.group(2)}",
        covers_past_and_future=details.covers_past_and_future,
        wording=gift_aid_wording(
            page.cause.legal_name, amount, page.currency, details.covers_past_and_future
        ),
        **clean,
    )
    return declaration, {}
