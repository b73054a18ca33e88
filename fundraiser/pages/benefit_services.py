"""Thank-you benefits a cause offers donors (a race T-shirt worth £8, an entry to the
post-race dinner worth $40): offered with a gift of at least a threshold, to every event of
the cause or to one. Receipts state their fair market value (receipts.advantage)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fundraiser.models import Benefit, Cause, event_causes
from fundraiser.pages.validation import InvalidInput, money_field


@dataclass(frozen=True)
class BenefitInput:
    description: str
    fair_market_value: str
    min_gift_amount: str
    event_id: int | None = None


def offer_benefit(session: Session, cause: Cause, details: BenefitInput) -> Benefit:
    """Add a benefit in the cause's currency; InvalidInput says what is wrong."""
    errors: dict[str, str] = {}
    description = " ".join((details.description or "").split())
    if not description:
        errors["description"] = "Say what the donor receives, like “Race T-shirt”."
    elif len(description) > 120:
        errors["description"] = "Use at most 120 characters."
    currency = cause.default_currency
    value = money_field(details.fair_market_value, currency, "fair_market_value", errors)
    threshold = money_field(details.min_gift_amount, currency, "min_gift_amount", errors)
    if value and threshold and threshold < value:
        errors["min_gift_amount"] = "The smallest gift must be at least the benefit's value."
    if details.event_id is not None and details.event_id not in cause_event_ids(session, cause.id):
        errors["event_id"] = "Choose one of this cause's events, or every event."
    if errors:
        raise InvalidInput(errors)
    benefit = Benefit(
        cause_id=cause.id,
        event_id=details.event_id,
        description=description,
        currency=currency,
        fair_market_value=value,
        min_gift_amount=threshold,
    )
    session.add(benefit)
    session.flush()
    return benefit


def cause_event_ids(session: Session, cause_id: int) -> set[int]:
    return set(session.scalars(select(event_causes.c.event_id).where(event_causes.c.cause_id == cause_id)))


def withdraw_benefit(session: Session, benefit: Benefit) -> None:
    """No longer offered; gifts that took it keep it."""
    benefit.is_offered = False
    session.flush()


def cause_benefits(session: Session, cause_id: int) -> list[Benefit]:
    return list(
        session.scalars(
            select(Benefit)
            .where(Benefit.cause_id == cause_id, Benefit.is_offered.is_(True))
            .order_by(Benefit.min_gift_amount, Benefit.id)
        )
    )


def offered_benefits(session: Session, cause_id: int, event_id: int, currency: str) -> list[Benefit]:
    """What a donor to a page of this cause and event may choose, smallest threshold first."""
    return list(
        session.scalars(
            select(Benefit)
            .where(
                Benefit.cause_id == cause_id,
                Benefit.is_offered.is_(True),
                Benefit.currency == currency,
                or_(Benefit.event_id.is_(None), Benefit.event_id == event_id),
            )
            .order_by(Benefit.min_gift_amount, Benefit.id)
        )
    )


def find_benefit(session: Session, cause_id: int, benefit_id: int) -> Benefit | None:
    benefit = session.get(Benefit, benefit_id)
    return benefit if benefit is not None and benefit.cause_id == cause_id else None
