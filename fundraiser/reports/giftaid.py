"""Which declared gifts a charity may claim Gift Aid on, decided in SQL: `gift_aid_filter` gives
the gifts of the HMRC claim (reports.claim) and of the dashboard's Gift Aid figures, so the two
always agree, and `excluded_gifts` lists the others with the reason, for the finance officer.

The rules are `donations.giftaid.exclusion_code`'s, in the same order, written as SQL here so a
year of gifts is summed by the database; tests/functional/reports/test_giftaid.py checks that
both say the same of every gift."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.orm import Session, aliased

from fundraiser.donations.giftaid import GIFT_AID_RATE_PERCENT, NAME_LONGEST
from fundraiser.models import Dispute, Donation, Event, GiftAidDeclaration, PledgePage, User
from fundraiser.reports.ledger import streamed
from fundraiser.reports.periods import Period

_runner = aliased(User)
# HMRC: Gift Aid is on what the donor gave (gift and fee cover) less what went back to them.
CLAIMABLE = Donation.charged_amount - Donation.refunded_amount


def _exclusions() -> list[tuple[str, ColumnElement[bool]]]:
    """(reason code, condition) in `exclusion_code`'s order; the first that holds is the reason."""
    benefit = Event.participant_benefit.is_(True)
    # Written so that no part is NULL: NOT (... OR NULL) would drop a claimable gift.
    from_runner = or_(
        and_(Donation.donor_user_id.is_not(None), Donation.donor_user_id == PledgePage.runner_id),
        func.lower(Donation.donor_email) == func.lower(_runner.email),
    )
    return [
        ("company", Donation.is_company.is_(True)),
        ("not_pounds", Donation.currency != "GBP"),
        ("refunded", CLAIMABLE <= 0),
        ("disputed", or_(Donation.disputed_amount > 0, exists().where(Dispute.donation_id == Donation.id))),
        ("donor_benefit", Donation.advantage_amount > 0),
        ("runner", and_(benefit, from_runner)),
        ("runner_family", and_(benefit, GiftAidDeclaration.is_runner_family.is_(True))),
        (
            "name_too_long",
            or_(
                func.length(GiftAidDeclaration.first_name) > NAME_LONGEST,
                func.length(GiftAidDeclaration.last_name) > NAME_LONGEST,
            ),
        ),
    ]


def declared_gifts(cause_id: int, period: Period) -> Select:
    """Gifts paid in the period (refunded ones too) that carry a Gift Aid declaration, joined to
    their page, runner and event: what the rules are tested on."""
    return (
        select()
        .select_from(Donation)
        .join(GiftAidDeclaration, GiftAidDeclaration.donation_id == Donation.id)
        .join(PledgePage, PledgePage.id == Donation.page_id)
        .join(_runner, _runner.id == PledgePage.runner_id)
        .join(Event, Event.id == Donation.event_id)
        .where(
            Donation.cause_id == cause_id,
            Donation.paid_at >= period.start,
            Donation.paid_at < period.end,
            Donation.status.in_(Donation.COUNTED_STATUSES),
        )
    )


def gift_aid_filter(cause_id: int, period: Period) -> Select:
    """The declared gifts no rule leaves out: the ones HMRC lets the charity claim on."""
    return declared_gifts(cause_id, period).where(not_(or_(*(rule for _code, rule in _exclusions()))))


def gift_aid_totals(session: Session, cause_id: int, period: Period) -> tuple[int, int, int]:
    """(claimable gifts, what they are claimed on, Gift Aid reclaimable) in pence."""
    stmt = gift_aid_filter(cause_id, period).add_columns(func.count(), func.sum(CLAIMABLE))
    count, eligible = session.execute(stmt).one()
    eligible = int(eligible or 0)
    return int(count or 0), eligible, eligible * GIFT_AID_RATE_PERCENT // 100


@dataclass(frozen=True)
class ClaimableGift:
    """One gift of the claim, with its donor's declaration and its page's runner."""

    donation_id: int
    public_id: str
    paid_at: datetime
    amount: int
    donor_email: str
    title: str
    first_name: str
    last_name: str
    house_name_or_number: str
    postcode: str
    page_id: int
    sponsor_first_name: str
    sponsor_last_name: str
    sponsor_house_name_or_number: str
    sponsor_postcode: str


def claimable_gifts(
    session: Session, cause_id: int, period: Period, batch: int = 2000
) -> Iterator[ClaimableGift]:
    """The claim's gifts in the order they were paid."""
    stmt = (
        gift_aid_filter(cause_id, period)
        .add_columns(
            Donation.id,
            Donation.public_id,
            Donation.paid_at,
            CLAIMABLE,
            Donation.donor_email,
            GiftAidDeclaration.title,
            GiftAidDeclaration.first_name,
            GiftAidDeclaration.last_name,
            GiftAidDeclaration.house_name_or_number,
            GiftAidDeclaration.postcode,
            PledgePage.id,
            PledgePage.sponsor_first_name,
            PledgePage.sponsor_last_name,
            PledgePage.sponsor_house_name_or_number,
            PledgePage.sponsor_postcode,
        )
        .order_by(Donation.paid_at, Donation.id)
    )
    for row in streamed(session, stmt, batch):
        yield ClaimableGift(*row)


def exclusion_reason() -> ColumnElement[str]:
    """The code of the first rule that leaves a declared gift out, '' for a claimable one."""
    return case(*((rule, literal(code)) for code, rule in _exclusions()), else_=literal(""))


def excluded_gifts(session: Session, cause_id: int, period: Period) -> Iterator:
    """Declared gifts left out of the claim: (public id, paid at, donor name, donor email,
    declared name, what was given less refunds, reason code), in the order they were paid."""
    reason = exclusion_reason().label("reason")
    inner = (
        declared_gifts(cause_id, period)
        .add_columns(
            Donation.id.label("id"),
            Donation.public_id.label("public_id"),
            Donation.paid_at.label("paid_at"),
            Donation.donor_name.label("donor_name"),
            Donation.donor_email.label("donor_email"),
            GiftAidDeclaration.first_name.label("first_name"),
            GiftAidDeclaration.last_name.label("last_name"),
            CLAIMABLE.label("kept"),
            reason,
        )
        .subquery()
    )
    stmt = select(inner).where(inner.c.reason != "").order_by(inner.c.paid_at, inner.c.id)
    return streamed(session, stmt, 2000)
