"""Teams (running clubs): create and edit, and pledge pages joining and leaving them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from fundraiser.models import PledgePage, Team, User
from fundraiser.money import SUPPORTED_CURRENCIES
from fundraiser.pages.validation import InvalidInput, NotYours, free_slug, money_field


@dataclass
class TeamInput:
    name: str
    slug: str
    description: str
    target: str
    currency: str


def create_team(session: Session, captain: User, details: TeamInput) -> Team:
    errors: dict[str, str] = {}
    currency = details.currency
    if currency not in SUPPORTED_CURRENCIES:
        errors["currency"] = "Choose a currency from the list."
        currency = "GBP"  # only to check the target's format too
    target = money_field(details.target, currency, "target", errors)
    slug = free_slug(session, Team, details.slug, None, errors)
    if errors:
        raise InvalidInput(errors)
    team = Team(
        captain=captain,
        name=details.name.strip(),
        slug=slug,
        description=details.description or "",
        target_amount=target,
        currency=details.currency,
    )
    session.add(team)
    session.flush()
    return team


def update_team(session: Session, team: Team, details: TeamInput) -> Team:
    """The captain edits the team. The currency is fixed: members' pages were joined in it."""
    errors: dict[str, str] = {}
    target = money_field(details.target, team.currency, "target", errors)
    slug = free_slug(session, Team, details.slug, team.id, errors)
    if errors:
        raise InvalidInput(errors)
    team.name = details.name.strip()
    team.slug = slug
    team.description = details.description or ""
    team.target_amount = target
    session.flush()
    return team


def join_team(session: Session, team: Team, page: PledgePage, user: User) -> None:
    """A runner adds their own page to a team raising in the same currency."""
    if page.runner_id != user.id:
        raise NotYours()
    if page.currency != team.currency:
        raise InvalidInput(
            {"page_id": f"{team.name} raises in {team.currency}; this page raises in {page.currency}."}
        )
    page.team = team
    session.flush()


def leave_team(session: Session, team: Team, page: PledgePage, user: User) -> None:
    """The page's runner (or the team's captain) takes a page out of the team."""
    if page.runner_id != user.id and team.captain_id != user.id:
        raise NotYours()
    if page.team_id != team.id:
        raise InvalidInput({"page_id": "That page is not in this team."})
    page.team = None
    session.flush()
