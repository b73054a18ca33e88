"""HMRC's Gift Aid facts in one place: the rate a charity reclaims, the sponsorship-form
limit, the model declaration wording, and which gifts may carry a declaration.

Sources: HMRC, "Gift Aid declarations" and "Chapter 3: Gift Aid" (gov.uk).
"""

from __future__ import annotations

from fundraiser.models import PledgePage
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
