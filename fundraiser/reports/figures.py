"""Every figure a charity report shows, computed in SQL: grouped queries over the donations
of one cause, on indexed columns, per currency, in integer minor units. Nothing here adds
amounts of different currencies together.

What counts (the same words appear in the methods note of the impact report):

- **Raised (gross)**: the gift `amount` of donations that were paid (status `paid`, or
  `refunded` after being paid) with `paid_at` inside the period. The donor's fee cover is
  not part of the gift and is not counted as raised.
- **Refunds**: the refunded amounts of those donations, counted up to the gift (a refund of
  the fee cover does not take from the gift), whenever the refund happened.
- **Disputes**: the amounts disputes still hold back (open or lost; a won dispute returns the
  money and the payments code sets `disputed_amount` back), up to what the refund left.
- **Kept** = raised - refunds - disputes: what impact units are counted from.
- **Estimated Stripe fees**: per paid donation, `donations.fees.stripe_fee` of the amount
  charged (gift + fee cover: Stripe's standard price for the currency, the percentage
  rounded up), less the fee cover that donor added, never below 0.
  Integer arithmetic throughout; the real fee depends on the card and is on the Stripe payout.
- **Platform fee**: the `application_fee_amount` the platform kept of each gift (Connect; 0
  where the cause has no fee). Stripe does not give it back on a refund.
- **Net** = raised - refunds - disputes - estimated fees - platform fee: what Stripe pays out
  to the charity's account (connect mode) or what the operator owes it (as its agent).
- **Gift Aid reclaimable** (UK causes, GBP only): 25% (rounded down) of the sum of eligible
  gifts; `reports.giftaid.gift_aid_filter` says what is eligible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, exists, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from fundraiser.donations.fees import stripe_fee_sql
from fundraiser.models import Cause, Donation, DonationStatus, Event, PageStatus, PledgePage, Team, User
from fundraiser.reports.giftaid import gift_aid_totals
from fundraiser.reports.periods import Period

TOP_LIMIT = 10


def _fee_expression() -> ColumnElement[int]:
    """The estimated Stripe fee of each donation beyond the cover its donor added, never below 0."""
    fee = stripe_fee_sql(Donation.charged_amount, Donation.currency)
    return case((fee > Donation.fee_cover_amount, fee - Donation.fee_cover_amount), else_=0)


_REFUND_PART = case(
    (Donation.refunded_amount > Donation.amount, Donation.amount), else_=Donation.refunded_amount
)
_LEFT_AFTER_REFUND = Donation.amount - _REFUND_PART
_DISPUTE_PART = case(
    (Donation.disputed_amount > _LEFT_AFTER_REFUND, _LEFT_AFTER_REFUND), else_=Donation.disputed_amount
)
_KEPT = Donation.amount - _REFUND_PART - _DISPUTE_PART


def paid_in(cause_id: int, period: Period) -> ColumnElement[bool]:
    """Donations that count as raised for this cause in this period."""
    return and_(
        Donation.cause_id == cause_id,
        Donation.paid_at >= period.start,
        Donation.paid_at < period.end,
        Donation.status.in_(Donation.COUNTED_STATUSES),
    )


@dataclass
class CurrencyTotals:
    currency: str
    donations: int
    gross: int
    refunds: int
    disputes: int
    fees: int
    net: int
    kept: int
    fee_cover: int
    donors: int
    average: int
    median: int = 0
    gift_aid: int | None = None
    gift_aid_eligible: int | None = None
    platform_fees: int = 0


def _int(value) -> int:
    return int(value or 0)


def currency_totals(session: Session, cause_id: int, period: Period) -> list[CurrencyTotals]:
    fees = _fee_expression()
    stmt = (
        select(
            Donation.currency,
            func.count(),
            func.sum(Donation.amount),
            func.sum(_REFUND_PART),
            func.sum(_DISPUTE_PART),
            func.sum(fees),
            func.sum(_KEPT) - func.sum(fees) - func.sum(Donation.platform_fee_amount),
            func.sum(_KEPT),
            func.sum(Donation.fee_cover_amount),
            func.sum(Donation.amount) // func.count(),
            func.sum(Donation.platform_fee_amount),
        )
        .where(paid_in(cause_id, period))
        .group_by(Donation.currency)
        .order_by(Donation.currency)
    )
    donors = donor_counts(session, cause_id, period)
    totals = []
    for currency, *sums, average, platform_fees in session.execute(stmt).all():
        count = _int(sums[0])
        totals.append(
            CurrencyTotals(
                currency,
                *[_int(value) for value in sums],
                donors=donors.get(currency, 0),
                average=_int(average),
                platform_fees=_int(platform_fees),
                median=median_gift(session, cause_id, period, currency, count),
            )
        )
    return totals


def donor_counts(session: Session, cause_id: int, period: Period) -> dict[str, int]:
    """Distinct donors per currency, one per email address whatever its case. Grouping first
    lets PostgreSQL hash the addresses instead of sorting them for COUNT(DISTINCT ...)."""
    email = func.lower(Donation.donor_email).label("email")
    pairs = (
        select(Donation.currency.label("currency"), email)
        .where(paid_in(cause_id, period))
        .group_by(Donation.currency, email)
        .subquery()
    )
    stmt = select(pairs.c.currency, func.count()).group_by(pairs.c.currency)
    return {currency: _int(count) for currency, count in session.execute(stmt)}


def median_gift(session: Session, cause_id: int, period: Period, currency: str, count: int) -> int:
    """The middle gift (the mean of the middle two, rounded down, for an even count).

    Gifts are grouped by amount (a hash aggregate over few distinct amounts) and a running
    count over those groups finds the middle ones, instead of sorting every gift."""
    if count <= 0:
        return 0
    lower, upper = (count + 1) // 2, count // 2 + 1
    grouped = (
        select(
            Donation.amount.label("amount"),
            func.sum(func.count()).over(order_by=Donation.amount).label("running"),
        )
        .where(paid_in(cause_id, period), Donation.currency == currency)
        .group_by(Donation.amount)
        .subquery()
    )
    low = func.min(case((grouped.c.running >= lower, grouped.c.amount)))
    high = func.min(case((grouped.c.running >= upper, grouped.c.amount)))
    return _int(session.scalar(select((low + high) // 2).select_from(grouped)))


@dataclass
class Participation:
    pages: int
    runners: int
    events: int
    distance_m: int
    pages_with_distance: int


def participation(session: Session, cause_id: int, period: Period) -> Participation:
    """Pledge pages that received a paid gift in the period, their runners and events, and the
    distance those pages' events cover (summed over pages; events without a distance skipped)."""
    # One index probe per page of the cause (page_id, paid_at) instead of a pass over its gifts.
    has_gift = exists().where(Donation.page_id == PledgePage.id, paid_in(cause_id, period))
    stmt = (
        select(
            func.count(PledgePage.id),
            func.count(PledgePage.runner_id.distinct()),
            func.count(PledgePage.event_id.distinct()),
            func.sum(Event.distance_m),
            func.count(Event.distance_m),
        )
        .select_from(PledgePage)
        .join(Event, Event.id == PledgePage.event_id)
        .where(PledgePage.cause_id == cause_id, has_gift)
    )
    return Participation(*[_int(value) for value in session.execute(stmt).one()])


@dataclass
class Line:
    """One row of a breakdown: a label (event, page, team or month) in one currency."""

    label: str
    currency: str
    donations: int
    gross: int
    kept: int
    detail: str = ""
    listed: bool = True


def _lines(session: Session, stmt) -> list[Line]:
    return [
        Line(row[0], row[1], _int(row[2]), _int(row[3]), _int(row[4]), *row[5:])
        for row in session.execute(stmt)
    ]


def _money_columns():
    return func.count(), func.sum(Donation.amount), func.sum(_KEPT)


def _grouped_by(key, cause_id: int, period: Period, *conditions):
    """Sums per (key, currency) over the donations alone, so the database reads them from the
    covering index; names are joined to the few grouped rows afterwards."""
    return (
        select(key.label("key"), Donation.currency.label("currency"), *_money_columns())
        .where(paid_in(cause_id, period), *conditions)
        .group_by(key, Donation.currency)
        .subquery()
    )


def _named_lines(session: Session, grouped, name_column, id_column) -> list[Line]:
    count, gross, kept = grouped.c[2], grouped.c[3], grouped.c[4]
    stmt = (
        select(name_column, grouped.c.currency, count, gross, kept)
        .join(grouped, grouped.c.key == id_column)
        .order_by(grouped.c.currency, gross.desc(), name_column)
    )
    return _lines(session, stmt)


def by_event(session: Session, cause_id: int, period: Period) -> list[Line]:
    return _named_lines(session, _grouped_by(Donation.event_id, cause_id, period), Event.name, Event.id)


def top_pages(
    session: Session,
    cause_id: int,
    period: Period,
    currency: str,
    *,
    listed_only: bool = False,
    limit: int = TOP_LIMIT,
) -> list[Line]:
    """The pages that raised most in one currency. `listed_only` keeps to runners who chose to
    be listed (published pages with show_in_listings), for anything shown outside the charity."""
    runner = aliased(User)
    # `page_id + 0`: grouping by the bare column tempts SQLite into the (page_id, paid_at)
    # index and a table lookup per gift; the expression keeps it on the covering index.
    grouped = _grouped_by(Donation.page_id + 0, cause_id, period, Donation.currency == currency)
    stmt = (
        select(
            PledgePage.title,
            grouped.c.currency,
            grouped.c[2],
            grouped.c[3],
            grouped.c[4],
            runner.name,
            PledgePage.show_in_listings & (PledgePage.status == PageStatus.PUBLISHED),
        )
        .join(grouped, grouped.c.key == PledgePage.id)
        .join(runner, runner.id == PledgePage.runner_id)
        .order_by(grouped.c[3].desc(), PledgePage.id)
        .limit(limit)
    )
    if listed_only:
        stmt = stmt.where(PledgePage.show_in_listings.is_(True), PledgePage.status == PageStatus.PUBLISHED)
    return [Line(*line[:5], detail=line[5], listed=bool(line[6])) for line in session.execute(stmt)]


def by_team(session: Session, cause_id: int, period: Period) -> list[Line]:
    """Gifts by the team the page belonged to when the gift was made."""
    grouped = _grouped_by(Donation.team_id, cause_id, period, Donation.team_id.is_not(None))
    return _named_lines(session, grouped, Team.name, Team.id)[: TOP_LIMIT * 5]


def by_month(session: Session, cause_id: int, period: Period) -> list[Line]:
    """Months in the cause's timezone, each its own range of the (cause, paid_at) index with
    UTC bounds, so both databases agree and no row is compared with every month."""
    months = [
        select(literal(label).label("month"), Donation.currency.label("currency"), *_money_columns())
        .where(
            Donation.cause_id == cause_id,
            Donation.paid_at >= start,
            Donation.paid_at < end,
            Donation.status.in_(Donation.COUNTED_STATUSES),
        )
        .group_by(Donation.currency)
        for label, start, end in period.months()
    ]
    combined = union_all(*months).subquery()
    stmt = select(*combined.c).order_by(combined.c.currency, combined.c.month)
    return _lines(session, stmt)


@dataclass
class ImpactLine:
    currency: str
    unit_amount: int
    count: int
    singular: str
    plural: str
    verb: str

    @property
    def words(self) -> str:
        return f"{self.count:,} {self.singular if self.count == 1 else self.plural}"


def impact_lines(cause: Cause, totals: list[CurrencyTotals]) -> list[ImpactLine]:
    """Each line says what the whole kept amount in its currency could fund on its own."""
    kept = {total.currency: total.kept for total in totals}
    return [
        ImpactLine(
            unit.currency,
            unit.amount,
            kept.get(unit.currency, 0) // unit.amount,
            unit.singular,
            unit.plural,
            unit.verb,
        )
        for unit in cause.impact_units
    ]


@dataclass
class DonorMessage:
    name: str
    message: str
    amount: int
    currency: str
    paid_at: datetime


def donor_messages(session: Session, cause_id: int, period: Period, limit: int = 8) -> list[DonorMessage]:
    """Recent messages; an anonymous donor's name never leaves this function."""
    stmt = (
        select(
            Donation.donor_name,
            Donation.is_anonymous,
            Donation.message,
            Donation.amount,
            Donation.currency,
            Donation.paid_at,
        )
        .where(paid_in(cause_id, period), Donation.message != "", Donation.status == DonationStatus.PAID)
        .order_by(Donation.paid_at.desc(), Donation.id.desc())
        .limit(limit)
    )
    return [
        DonorMessage("Anonymous" if anonymous else name, message, amount, currency, paid_at)
        for name, anonymous, message, amount, currency, paid_at in session.execute(stmt)
    ]


def count_paid_up_to(session: Session, cause_id: int, period: Period, ceiling: int) -> int:
    """How many gifts the period holds, counting no further than `ceiling` (cheap on big causes)."""
    capped = select(literal(1)).where(paid_in(cause_id, period)).limit(ceiling).subquery()
    return _int(session.scalar(select(func.count()).select_from(capped)))


@dataclass
class Report:
    """Everything the dashboard, the impact PDF and the summary CSV show: plain values."""

    cause_name: str
    cause_country: str
    period: Period
    totals: list[CurrencyTotals]
    participation: Participation
    events: list[Line]
    pages: dict[str, list[Line]]
    teams: list[Line]
    months: list[Line]
    impact: list[ImpactLine]
    messages: list[DonorMessage] = field(default_factory=list)

    @property
    def has_gift_aid(self) -> bool:
        return self.cause_country == "GB"


def build_report(session: Session, cause: Cause, period: Period, *, listed_only: bool = False) -> Report:
    totals = currency_totals(session, cause.id, period)
    totals.sort(key=lambda total: (total.currency != cause.default_currency, total.currency))
    if cause.country == "GB":
        count, eligible, reclaimable = gift_aid_totals(session, cause.id, period)
        for total in totals:
            if total.currency == "GBP":
                total.gift_aid_eligible, total.gift_aid = eligible, reclaimable
    return Report(
        cause_name=cause.name,
        cause_country=cause.country,
        period=period,
        totals=totals,
        participation=participation(session, cause.id, period),
        events=by_event(session, cause.id, period),
        pages={
            t.currency: top_pages(session, cause.id, period, t.currency, listed_only=listed_only)
            for t in totals
        },
        teams=by_team(session, cause.id, period),
        months=by_month(session, cause.id, period),
        impact=impact_lines(cause, totals),
        messages=donor_messages(session, cause.id, period),
    )
