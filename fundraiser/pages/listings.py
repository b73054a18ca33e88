"""Lists of pledge pages as cards: the published listings of an event, a cause and the home
page (read in index order, one page of results at a time), a runner's own and a team's."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from fundraiser.models import Cause, Event, PageStatus, PledgePage, Team, User
from fundraiser.pages.photos import upload_url
from fundraiser.pages.view_models import PAGE_SIZE, PageCard, Paged
from fundraiser.params import small_int

FEATURED_SIZE = 6


def page_number(raw: str | None) -> int:
    """?page=N, where anything that is not a small positive number means the first page."""
    return max(1, small_int(raw, maximum=999_999) or 1)


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


def _card_from_row(row) -> PageCard:
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


def listed_criteria() -> tuple:
    """What a listing shows: published pages their runner left in listings."""
    return (PledgePage.status == PageStatus.PUBLISHED, PledgePage.show_in_listings.is_(True))


def published_pages(session: Session, *criteria, number: int = 1, size: int = PAGE_SIZE) -> Paged:
    """Published, listed pages matching `criteria`, most raised first (then newest), one page
    of results."""
    number = max(1, number)
    where = (*listed_criteria(), *criteria)
    total = session.scalar(select(func.count()).select_from(PledgePage).where(*where)) or 0
    last = max(1, -(-total // size))
    number = min(number, last)
    shown = listing_ids(where).limit(size).offset((number - 1) * size)
    pages = session.execute(_card_query().where(PledgePage.id.in_(shown)).order_by(*_MOST_RAISED_FIRST))
    return Paged([_card_from_row(row) for row in pages], number, total, size)


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
    return [_card_from_row(row) for row in pages]


def team_pages(session: Session, team: Team) -> list[PageCard]:
    """The team's published pages, most raised first."""
    pages = session.execute(
        _card_query()
        .where(PledgePage.team_id == team.id, PledgePage.status == PageStatus.PUBLISHED)
        .order_by(PledgePage.raised_amount.desc(), PledgePage.id)
    )
    return [_card_from_row(row) for row in pages]


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
    return [_card_from_row(row) for row in pages]


def own_pages_in_team(session: Session, user: User, team: Team) -> list[PageCard]:
    pages = session.execute(
        _card_query().where(PledgePage.runner_id == user.id, PledgePage.team_id == team.id)
    )
    return [_card_from_row(row) for row in pages]
