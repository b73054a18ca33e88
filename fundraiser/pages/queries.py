"""Read side: what each public and owner page shows, as plain dataclasses. Totals come from
the stored columns and fundraising_totals rows, never from summing donations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundraiser.models import (
    Cause,
    CauseAdmin,
    Donation,
    Event,
    FundraisingTotal,
    ImpactUnit,
    PledgePage,
    Team,
    User,
)
from fundraiser.money import money_text, percent_of
from fundraiser.pages.slugs import MAX_LENGTH as MAX_SLUG_LENGTH

PAGE_SIZE = 24
DONOR_WALL_SIZE = 10
FEATURED_SIZE = 6


@dataclass(frozen=True)
class Paged:
    """One page of a long list, with what the template needs to link to its neighbours."""

    items: list
    number: int
    total_items: int
    size: int = PAGE_SIZE

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total_items // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.total_pages


@dataclass(frozen=True)
class Impact:
    count: int
    label: str
    unit_amount: int
    currency: str


@dataclass(frozen=True)
class Total:
    currency: str
    raised_amount: int
    donation_count: int


@dataclass(frozen=True)
class PageCard:
    """A pledge page in a list."""

    id: int
    slug: str
    title: str
    runner_name: str
    status: str
    currency: str
    target_amount: int
    raised_amount: int
    donation_count: int
    photo_url: str | None
    event_name: str
    cause_name: str
    team_slug: str | None = None

    @property
    def percent(self) -> int:
        return percent_of(self.raised_amount, self.target_amount)

    @property
    def raised_text(self) -> str:
        return money_text(self.raised_amount, self.currency)

    @property
    def target_text(self) -> str:
        return money_text(self.target_amount, self.currency, whole=True)

    @property
    def is_published(self) -> bool:
        return self.status == "published"


@dataclass(frozen=True)
class UpdateView:
    posted_at: datetime
    body_html: str


@dataclass(frozen=True)
class DonorWallEntry:
    name: str
    amount: int | None
    currency: str
    message: str
    paid_at: datetime | None

    @property
    def amount_text(self) -> str:
        return money_text(self.amount, self.currency) if self.amount is not None else ""


@dataclass(frozen=True)
class CauseRef:
    slug: str
    name: str
    country: str


@dataclass(frozen=True)
class PageView:
    """Everything the public pledge page shows. `slug, id, currency, title, cause_name,
    cause_country` are what the donation panel relies on."""

    id: int
    slug: str
    title: str
    status: str
    currency: str
    story_html: str
    photo_url: str | None
    runner_id: int
    runner_name: str
    event_slug: str
    event_name: str
    event_starts_on: date
    cause: CauseRef
    target_amount: int
    raised_amount: int
    donation_count: int
    team_slug: str | None
    team_name: str | None
    cause_logo_url: str | None = None
    impact: list[Impact] = field(default_factory=list)
    updates: list[UpdateView] = field(default_factory=list)

    @property
    def cause_name(self) -> str:
        return self.cause.name

    @property
    def cause_country(self) -> str:
        return self.cause.country

    @property
    def cause_slug(self) -> str:
        return self.cause.slug

    @property
    def percent(self) -> int:
        return percent_of(self.raised_amount, self.target_amount)

    @property
    def is_published(self) -> bool:
        return self.status == "published"


@dataclass(frozen=True)
class EventCard:
    id: int
    slug: str
    name: str
    starts_on: date
    place: str
    is_virtual: bool
    distance_m: int | None
    is_open: bool

    @property
    def where(self) -> str:
        return "Virtual" if self.is_virtual else self.place

    @property
    def distance_km(self) -> str:
        """Metres as kilometres without trailing zeros: 10000 -> "10", 21097 -> "21.097"."""
        if self.distance_m is None:
            return ""
        whole, rest = divmod(self.distance_m, 1000)
        return f"{whole}.{rest:03d}".rstrip("0").rstrip(".") if rest else str(whole)


@dataclass(frozen=True)
class EventView:
    event: EventCard
    description: str
    organiser_id: int | None
    causes: list[CauseRef]
    totals: list[Total]
    pages: Paged


@dataclass(frozen=True)
class UnitView:
    amount: int
    currency: str
    singular: str
    plural: str
    verb: str


@dataclass(frozen=True)
class CauseView:
    id: int
    slug: str
    name: str
    legal_name: str
    country: str
    registration_number: str
    website: str
    description: str
    logo_url: str | None
    units: list[UnitView]
    totals: list[Total]
    pages: Paged


@dataclass(frozen=True)
class TeamView:
    id: int
    slug: str
    name: str
    description: str
    captain_id: int
    captain_name: str
    currency: str
    target_amount: int
    raised_amount: int
    pages: list[PageCard]

    @property
    def percent(self) -> int:
        return percent_of(self.raised_amount, self.target_amount)


def upload_url(name: str | None) -> str | None:
    return url_for("pages.upload", name=name) if name else None


def impact_reached(raised: int, currency: str, units: list[ImpactUnit] | list[UnitView]) -> list[Impact]:
    """ "12 hot meals": whole units the raised money pays for, for units in the page's currency."""
    reached = []
    for unit in units:
        if unit.currency != currency or unit.amount <= 0:
            continue
        count = raised // unit.amount
        reached.append(Impact(count, unit.singular if count == 1 else unit.plural, unit.amount, currency))
    return reached


def donor_wall(session: Session, page_id: int, limit: int = DONOR_WALL_SIZE) -> list[DonorWallEntry]:
    """The latest paid gifts to a page. Anonymous donors show neither name nor amount."""
    donations = session.execute(
        select(
            Donation.donor_name,
            Donation.is_anonymous,
            Donation.amount,
            Donation.currency,
            Donation.message,
            Donation.paid_at,
        )
        # paid_at IS NOT NULL keeps the scan inside the (page_id, paid_at) index range of paid
        # gifts: PostgreSQL sorts NULLs first in DESC order, so unpaid rows would be read first.
        .where(Donation.page_id == page_id, Donation.status == "paid", Donation.paid_at.is_not(None))
        .order_by(Donation.paid_at.desc(), Donation.id.desc())
        .limit(limit)
    )
    return [
        DonorWallEntry(
            name="Anonymous" if donation.is_anonymous else donation.donor_name,
            amount=None if donation.is_anonymous else donation.amount,
            currency=donation.currency,
            message=donation.message,
            paid_at=donation.paid_at,
        )
        for donation in donations
    ]


def page_view(page: PledgePage) -> PageView:
    return PageView(
        id=page.id,
        slug=page.slug,
        title=page.title,
        status=page.status,
        currency=page.currency,
        story_html=page.story_html,
        photo_url=upload_url(page.photo_path),
        runner_id=page.runner_id,
        runner_name=page.runner.name,
        event_slug=page.event.slug,
        event_name=page.event.name,
        event_starts_on=page.event.starts_on,
        cause=CauseRef(page.cause.slug, page.cause.name, page.cause.country),
        target_amount=page.target_amount,
        raised_amount=page.raised_amount,
        donation_count=page.donation_count,
        team_slug=page.team.slug if page.team else None,
        team_name=page.team.name if page.team else None,
        cause_logo_url=upload_url(page.cause.logo_path),
        impact=impact_reached(page.raised_amount, page.currency, page.cause.impact_units),
        updates=[UpdateView(update.posted_at, update.body_html) for update in page.updates],
    )


def can_be_slug(text: str) -> bool:
    """Cheap guard before a lookup: nothing longer than a slug column, no NUL (which
    PostgreSQL refuses outright), so odd URLs are a 404, never a database error."""
    return 0 < len(text) <= MAX_SLUG_LENGTH and "\x00" not in text


def find_page(session: Session, slug: str) -> PledgePage | None:
    if not can_be_slug(slug):
        return None
    return session.scalar(
        select(PledgePage)
        .where(PledgePage.slug == slug)
        .options(
            joinedload(PledgePage.runner),
            joinedload(PledgePage.event),
            joinedload(PledgePage.cause).selectinload(Cause.impact_units),
            joinedload(PledgePage.team),
            selectinload(PledgePage.updates),
        )
    )


def page_card(page: PledgePage) -> PageCard:
    return PageCard(
        id=page.id,
        slug=page.slug,
        title=page.title,
        runner_name=page.runner.name,
        status=page.status,
        currency=page.currency,
        target_amount=page.target_amount,
        raised_amount=page.raised_amount,
        donation_count=page.donation_count,
        photo_url=upload_url(page.photo_path),
        event_name=page.event.name,
        cause_name=page.cause.name,
        team_slug=page.team.slug if page.team else None,
    )


def _card_query():
    """The columns a card shows, as plain rows: building 24 ORM pages with their runner,
    event, cause and team took a third of an event page's time (the profile in
    docs/performance.md); plain rows cost a fraction of that."""
    return (
        select(
            PledgePage.id,
            PledgePage.slug,
            PledgePage.title,
            User.name.label("runner_name"),
            PledgePage.status,
            PledgePage.currency,
            PledgePage.target_amount,
            PledgePage.raised_amount,
            PledgePage.donation_count,
            PledgePage.photo_path,
            Event.name.label("event_name"),
            Cause.name.label("cause_name"),
            Team.slug.label("team_slug"),
        )
        .select_from(PledgePage)
        .join(User, User.id == PledgePage.runner_id)
        .join(Event, Event.id == PledgePage.event_id)
        .join(Cause, Cause.id == PledgePage.cause_id)
        .outerjoin(Team, Team.id == PledgePage.team_id)
    )


def card_from_row(row) -> PageCard:
    return PageCard(
        id=row.id,
        slug=row.slug,
        title=row.title,
        runner_name=row.runner_name,
        status=row.status,
        currency=row.currency,
        target_amount=row.target_amount,
        raised_amount=row.raised_amount,
        donation_count=row.donation_count,
        photo_url=upload_url(row.photo_path),
        event_name=row.event_name,
        cause_name=row.cause_name,
        team_slug=row.team_slug,
    )


def _listed():
    return (PledgePage.status == "published", PledgePage.show_in_listings.is_(True))


def published_pages(session: Session, *criteria, number: int = 1, size: int = PAGE_SIZE) -> Paged:
    """Published, listed pages matching `criteria`, most raised first (then newest), one page
    of results."""
    number = max(1, number)
    where = (*_listed(), *criteria)
    total = session.scalar(select(func.count()).select_from(PledgePage).where(*where)) or 0
    last = max(1, -(-total // size))
    number = min(number, last)
    shown = listing_ids(where).limit(size).offset((number - 1) * size)
    pages = session.execute(_card_query().where(PledgePage.id.in_(shown)).order_by(*_MOST_RAISED_FIRST))
    return Paged([card_from_row(row) for row in pages], number, total, size)


# Exactly the listing indexes' order read backwards (see PledgePage).
_MOST_RAISED_FIRST = (PledgePage.raised_amount.desc(), PledgePage.id.desc())


def listing_ids(where) -> Select:
    """The ids of the pages a listing shows, in order, from pledge_pages alone: the database
    reads a listing index in order and stops after one page of results, whatever it knows of
    the other tables (joined in first, SQLite would sort every page of the event)."""
    return select(PledgePage.id).where(*where).order_by(*_MOST_RAISED_FIRST)


def featured_pages(session: Session, limit: int = FEATURED_SIZE) -> list[PageCard]:
    return published_pages(session, size=limit).items


def runner_pages(session: Session, runner_id: int) -> list[PageCard]:
    pages = session.execute(
        _card_query().where(PledgePage.runner_id == runner_id).order_by(PledgePage.created_at.desc())
    )
    return [card_from_row(row) for row in pages]


def totals(session: Session, scope: str, scope_id: int) -> list[Total]:
    rows = session.scalars(
        select(FundraisingTotal)
        .where(FundraisingTotal.scope == scope, FundraisingTotal.scope_id == scope_id)
        .order_by(FundraisingTotal.currency)
    )
    return [Total(row.currency, row.raised_amount, row.donation_count) for row in rows]


def event_card(event: Event) -> EventCard:
    return EventCard(
        id=event.id,
        slug=event.slug,
        name=event.name,
        starts_on=event.starts_on,
        place=event.place,
        is_virtual=event.is_virtual,
        distance_m=event.distance_m,
        is_open=event.is_open,
    )


def event_list(session: Session, open_only: bool = False, limit: int | None = None) -> list[EventCard]:
    """Open events first, then by date."""
    query = select(Event).order_by(Event.is_open.desc(), Event.starts_on, Event.id)
    if open_only:
        query = query.where(Event.is_open.is_(True))
    if limit:
        query = query.limit(limit)
    return [event_card(event) for event in session.scalars(query)]


def open_events(session: Session) -> list[Event]:
    """Events taking new pages, with their causes, for the new-page form."""
    query = select(Event).where(Event.is_open.is_(True)).order_by(Event.starts_on, Event.name)
    return list(session.scalars(query.options(selectinload(Event.causes))))


def all_causes(session: Session) -> list[Cause]:
    return list(session.scalars(select(Cause).order_by(Cause.name)))


def find_event(session: Session, slug: str) -> Event | None:
    if not can_be_slug(slug):
        return None
    return session.scalar(select(Event).where(Event.slug == slug).options(selectinload(Event.causes)))


def event_view(session: Session, event: Event, number: int) -> EventView:
    return EventView(
        event=event_card(event),
        description=event.description,
        organiser_id=event.organiser_id,
        causes=[CauseRef(cause.slug, cause.name, cause.country) for cause in event.causes],
        totals=totals(session, "event", event.id),
        pages=published_pages(session, PledgePage.event_id == event.id, number=number),
    )


def find_cause(session: Session, slug: str) -> Cause | None:
    if not can_be_slug(slug):
        return None
    return session.scalar(select(Cause).where(Cause.slug == slug).options(selectinload(Cause.impact_units)))


def cause_list(session: Session) -> list[CauseRef]:
    return [CauseRef(cause.slug, cause.name, cause.country) for cause in all_causes(session)]


def unit_views(units: list[ImpactUnit]) -> list[UnitView]:
    return [UnitView(u.amount, u.currency, u.singular, u.plural, u.verb) for u in units]


def cause_view(session: Session, cause: Cause, number: int) -> CauseView:
    return CauseView(
        id=cause.id,
        slug=cause.slug,
        name=cause.name,
        legal_name=cause.legal_name,
        country=cause.country,
        registration_number=cause.registration_number,
        website=cause.website,
        description=cause.description,
        logo_url=upload_url(cause.logo_path),
        units=unit_views(cause.impact_units),
        totals=totals(session, "cause", cause.id),
        pages=published_pages(session, PledgePage.cause_id == cause.id, number=number),
    )


def find_team(session: Session, slug: str) -> Team | None:
    if not can_be_slug(slug):
        return None
    return session.scalar(select(Team).where(Team.slug == slug).options(joinedload(Team.captain)))


def team_raised(session: Session, team: Team) -> int:
    """The team's total: a SUM of its members' stored page totals in the team's currency."""
    return session.scalar(
        select(func.coalesce(func.sum(PledgePage.raised_amount), 0)).where(
            PledgePage.team_id == team.id, PledgePage.currency == team.currency
        )
    )


def team_view(session: Session, team: Team) -> TeamView:
    pages = session.execute(
        _card_query()
        .where(PledgePage.team_id == team.id, PledgePage.status == "published")
        .order_by(PledgePage.raised_amount.desc(), PledgePage.id)
    )
    return TeamView(
        id=team.id,
        slug=team.slug,
        name=team.name,
        description=team.description,
        captain_id=team.captain_id,
        captain_name=team.captain.name,
        currency=team.currency,
        target_amount=team.target_amount,
        raised_amount=int(team_raised(session, team)),
        pages=[card_from_row(row) for row in pages],
    )


def pages_that_can_join(session: Session, user: User, team: Team) -> list[PageCard]:
    """The runner's own pages in the team's currency that are not yet in this team."""
    pages = session.execute(
        _card_query()
        .where(
            PledgePage.runner_id == user.id,
            PledgePage.currency == team.currency,
            (PledgePage.team_id.is_(None)) | (PledgePage.team_id != team.id),
        )
        .order_by(PledgePage.created_at.desc())
    )
    return [card_from_row(row) for row in pages]


def own_pages_in_team(session: Session, user: User, team: Team) -> list[PageCard]:
    pages = session.execute(
        _card_query().where(PledgePage.runner_id == user.id, PledgePage.team_id == team.id)
    )
    return [card_from_row(row) for row in pages]


def administered_causes(session: Session, user_id: int) -> list[Cause]:
    return list(
        session.scalars(
            select(Cause)
            .join(CauseAdmin, CauseAdmin.cause_id == Cause.id)
            .where(CauseAdmin.user_id == user_id)
        )
    )


def captained_teams(session: Session, user_id: int) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.captain_id == user_id).order_by(Team.name)))
