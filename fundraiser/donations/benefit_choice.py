"""The donor's choice of a thank-you benefit on the donate form, and its check in the
donations service: a benefit the page's cause offers for its event, with a gift at or above
its threshold. The benefit's fair market value becomes the donation's advantage."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from fundraiser.models import Benefit, Donation, PledgePage
from fundraiser.money import format_money
from fundraiser.pages.benefit_services import offered_benefits

NO_BENEFIT = "none"


@dataclass(frozen=True)
class BenefitOption:
    id: int
    description: str
    value: int
    min_gift: int
    currency: str

    @property
    def label(self) -> str:
        return (
            f"{self.description} (worth {format_money(self.value, self.currency)}), "
            f"with a gift of {format_money(self.min_gift, self.currency)} or more"
        )


def benefit_options(session: Session, page: PledgePage) -> tuple[BenefitOption, ...]:
    return tuple(
        BenefitOption(b.id, b.description, b.fair_market_value, b.min_gift_amount, b.currency)
        for b in offered_benefits(session, page.cause_id, page.event_id, page.currency)
    )


def chosen_benefit_error(options: tuple[BenefitOption, ...], chosen: int | None, amount: int | None) -> str:
    """What is wrong with taking benefit `chosen` with a gift of `amount`, or ''."""
    if chosen is None:
        return ""
    option = next((o for o in options if o.id == chosen), None)
    if option is None:
        return "Choose one of the thank-you gifts offered, or none."
    if amount is not None and amount < option.min_gift:
        return (
            f"{option.description} comes with a gift of {format_money(option.min_gift, option.currency)} "
            "or more: give more, or choose no thank-you gift."
        )
    return ""


def apply_benefit(session: Session, page: PledgePage, donation: Donation, benefit_id: int | None) -> str:
    """Record the benefit taken as the donation's advantage; the reason it cannot be, or ''."""
    if benefit_id is None:
        return ""
    options = benefit_options(session, page)
    problem = chosen_benefit_error(options, benefit_id, donation.amount)
    if problem:
        return problem
    benefit = session.get(Benefit, benefit_id)
    donation.benefit_id = benefit.id
    donation.advantage_amount = benefit.fair_market_value
    donation.advantage_description = benefit.description
    return ""
