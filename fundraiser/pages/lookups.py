"""Loading what a view acts on: a pledge page, event, cause or team by its slug, and the
lists of models the forms and the dashboard choose from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from fundraiser.models import Cause, CauseAdmin, Event, PledgePage, Team
from fundraiser.pages.slugs import MAX_LENGTH as MAX_SLUG_LENGTH


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


def find_event(session: Session, slug: str) -> Event | None:
    if not can_be_slug(slug):
        return None
    return session.scalar(select(Event).where(Event.slug == slug).options(selectinload(Event.causes)))


def find_cause(session: Session, slug: str) -> Cause | None:
    if not can_be_slug(slug):
        return None
    return session.scalar(select(Cause).where(Cause.slug == slug).options(selectinload(Cause.impact_units)))


def find_team(session: Session, slug: str) -> Team | None:
    if not can_be_slug(slug):
        return None
    return session.scalar(select(Team).where(Team.slug == slug).options(joinedload(Team.captain)))


def open_events(session: Session) -> list[Event]:
    """Events taking new pages, with their causes, for the new-page form."""
    query = select(Event).where(Event.is_open.is_(True)).order_by(Event.starts_on, Event.name)
    return list(session.scalars(query.options(selectinload(Event.causes))))


def all_causes(session: Session) -> list[Cause]:
    return list(session.scalars(select(Cause).order_by(Cause.name)))


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
