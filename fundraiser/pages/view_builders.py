"""What each public page shows, built from the database into the plain values of
view_models. Totals come from the stored columns and fundraising_totals rows, never from
summing donations."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundraiser.models import (
    Cause,
    Donation,
    DonationStatus,
    Event,
    FundraisingTotal,
    ImpactUnit,
    PledgePage,
    Team,
    TotalScope,
)
from fundraiser.pages import listings
from fundraiser.pages.lookups import all_causes
from fundraiser.pages.photos import upload_url
from fundraiser.pages.view_models import (
    CauseRef,
    CauseView,
    DonorWallEntry,
    EventCard,
    EventView,
    PageView,
    TeamView,
    Total,
    UnitView,
    UpdateView,
    impact_reached,
)
from fundraiser.payments.connect import takes_gifts

DONOR_WALL_SIZE = 10


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
        .where(
            Donation.page_id == page_id, Donation.status == DonationStatus.PAID, Donation.paid_at.is_not(None)
        )
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
        accepting_gifts=takes_gifts(page.cause),
    )


def totals(session: Session, scope: TotalScope, scope_id: int) -> list[Total]:
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


def event_view(session: Session, event: Event, number: int) -> EventView:
    return EventView(
        event=event_card(event),
        description=event.description,
        organiser_id=event.organiser_id,
        causes=[CauseRef(cause.slug, cause.name, cause.country) for cause in event.causes],
        totals=totals(session, TotalScope.EVENT, event.id),
        pages=listings.published_pages(session, PledgePage.event_id == event.id, number=number),
    )


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
        totals=totals(session, TotalScope.CAUSE, cause.id),
        pages=listings.published_pages(session, PledgePage.cause_id == cause.id, number=number),
        accepting_gifts=takes_gifts(cause),
    )


def team_raised(session: Session, team: Team) -> int:
    """The team's total: a SUM of its members' stored page totals in the team's currency."""
    return session.scalar(
        select(func.coalesce(func.sum(PledgePage.raised_amount), 0)).where(
            PledgePage.team_id == team.id, PledgePage.currency == team.currency
        )
    )


def team_view(session: Session, team: Team) -> TeamView:
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
        pages=listings.team_pages(session, team),
    )
