"""Operations on pledge pages, events, causes and teams. Each takes the session and plain
values, checks every rule before writing anything, flushes and never commits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fundraiser.countries import COUNTRIES
from fundraiser.models import Cause, CauseAdmin, Event, ImpactUnit, PageUpdate, PledgePage, Team, User
from fundraiser.models.columns import utcnow
from fundraiser.money import SUPPORTED_CURRENCIES, MoneyError, parse_amount
from fundraiser.pages.markdown import render_markdown
from fundraiser.pages.photos import PreparedPhoto
from fundraiser.pages.slugs import SlugError, slug_taken, suggest_slug, unique_slug, validate_slug

_DISTANCE = re.compile(r"^\d{1,4}(?:\.\d{1,3})?$")
MAX_DISTANCE_KM = 5000


class InvalidInput(Exception):
    """One or more fields break a rule: `errors` maps field name to a message for a person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


class NotYours(Exception):
    """The signed-in person may not use this object for this action (a 403)."""


# Pledge pages


@dataclass
class PageInput:
    title: str
    story: str
    target: str
    slug: str = ""


def create_page(
    session: Session,
    runner: User,
    *,
    event_id: int | None,
    cause_id: int | None,
    details: PageInput,
    publish: bool = False,
    photo: PreparedPhoto | None = None,
    upload_folder: str = "",
) -> PledgePage:
    """A new pledge page for an open event and one of that event's causes."""
    errors: dict[str, str] = {}
    event = session.get(Event, event_id) if event_id else None
    cause = session.get(Cause, cause_id) if cause_id else None
    if event is None:
        errors["event_id"] = "Choose an event."
    elif not event.is_open:
        errors["event_id"] = f"{event.name} is closed for new pages; choose an open event."
    if cause is None:
        errors["cause_id"] = "Choose a cause."
    elif event is not None and cause not in event.causes:
        names = ", ".join(c.name for c in event.causes) or "none yet"
        errors["cause_id"] = f"{event.name} supports: {names}. Choose one of those."
    currency = cause.default_currency if cause else "GBP"
    target = _money(details.target, currency, "target", errors)
    slug = _page_slug(session, details, None, errors)
    if errors:
        raise InvalidInput(errors)
    page = PledgePage(
        runner=runner,
        event=event,
        cause=cause,
        title=details.title.strip(),
        slug=slug,
        story_markdown=details.story or "",
        story_html=render_markdown(details.story or ""),
        target_amount=target,
        currency=currency,
        status="draft",
        photo_path=photo.store(upload_folder) if photo else None,
    )
    session.add(page)
    if publish:
        publish_page(session, page)
    session.flush()
    return page


def update_page(
    session: Session,
    page: PledgePage,
    details: PageInput,
    *,
    photo: PreparedPhoto | None = None,
    remove_photo: bool = False,
    upload_folder: str = "",
) -> PledgePage:
    """Change a page's words, address, target and photo. Event, cause and currency stay:
    donations already made were given for them."""
    errors: dict[str, str] = {}
    target = _money(details.target, page.currency, "target", errors)
    slug = _page_slug(session, details, page.id, errors) if (details.slug or "").strip() else page.slug
    if errors:
        raise InvalidInput(errors)
    page.title = details.title.strip()
    page.slug = slug
    page.story_markdown = details.story or ""
    page.story_html = render_markdown(details.story or "")
    page.target_amount = target
    if photo is not None:
        page.photo_path = photo.store(upload_folder)
    elif remove_photo:
        page.photo_path = None
    session.flush()
    return page


def publish_page(session: Session, page: PledgePage) -> None:
    page.status = "published"
    if page.published_at is None:
        page.published_at = utcnow()
    session.flush()


def unpublish_page(session: Session, page: PledgePage) -> None:
    page.status = "draft"
    session.flush()


def post_update(session: Session, page: PledgePage, body: str) -> PageUpdate:
    """A dated update on a page, its Markdown sanitised like the story."""
    if not (body or "").strip():
        raise InvalidInput({"body": "Write your update before posting it."})
    update = PageUpdate(page=page, body_markdown=body, body_html=render_markdown(body), posted_at=utcnow())
    session.add(update)
    session.flush()
    return update


def _page_slug(session: Session, details: PageInput, page_id: int | None, errors: dict[str, str]) -> str:
    if not (details.slug or "").strip():
        return unique_slug(session, PledgePage, suggest_slug(details.title))
    return _free_slug(session, PledgePage, details.slug, page_id, errors)


# Events


@dataclass
class EventInput:
    name: str
    slug: str
    starts_on: date | None
    place: str
    is_virtual: bool
    distance_km: str
    description: str
    cause_ids: list[int] = field(default_factory=list)
    is_open: bool = True


def parse_distance_km(text: str | None) -> int:
    """ "10", "21.0975" or "42.195" km to whole metres, exactly (at most 3 decimals)."""
    cleaned = (text or "").strip().lower().removesuffix("km").strip()
    if not cleaned:
        raise ValueError("Enter the distance in kilometres, like 10 or 21.1.")
    if not _DISTANCE.match(cleaned):
        raise ValueError("Enter the distance in kilometres as a number, like 10 or 42.195.")
    metres = int(Decimal(cleaned) * 1000)
    if metres <= 0:
        raise ValueError("Enter a distance above zero.")
    if metres > MAX_DISTANCE_KM * 1000:
        raise ValueError(f"Enter a distance below {MAX_DISTANCE_KM} km.")
    return metres


def create_event(session: Session, organiser: User, details: EventInput) -> Event:
    event = Event(organiser=organiser)
    _apply_event(session, event, details)
    session.add(event)
    session.flush()
    return event


def update_event(session: Session, event: Event, details: EventInput) -> Event:
    _apply_event(session, event, details)
    session.flush()
    return event


def _apply_event(session: Session, event: Event, details: EventInput) -> None:
    errors: dict[str, str] = {}
    slug = _free_slug(session, Event, details.slug, event.id, errors)
    if details.starts_on is None:
        errors["starts_on"] = "Enter the date of the event."
    place = (details.place or "").strip()
    if not details.is_virtual and not place:
        errors["place"] = "Enter where the event is, or tick “Virtual event”."
    try:
        distance = parse_distance_km(details.distance_km)
    except ValueError as error:
        errors["distance_km"] = str(error)
        distance = None
    causes = _causes_by_id(session, details.cause_ids)
    if len(causes) != len(set(details.cause_ids)):
        errors["cause_ids"] = "Choose causes from the list."
    elif not causes:
        errors["cause_ids"] = "Choose at least one cause the event supports."
    if errors:
        raise InvalidInput(errors)
    event.name = details.name.strip()
    event.slug = slug
    event.starts_on = details.starts_on
    event.is_virtual = details.is_virtual
    event.place = "" if details.is_virtual else place
    event.distance_m = distance
    event.description = details.description or ""
    event.causes = causes
    event.is_open = details.is_open


def _causes_by_id(session: Session, ids: list[int]) -> list[Cause]:
    if not ids:
        return []
    return list(session.scalars(select(Cause).where(Cause.id.in_(set(ids))).order_by(Cause.name)))


# Causes


@dataclass
class ImpactUnitInput:
    amount: str
    currency: str
    singular: str
    plural: str


@dataclass
class CauseInput:
    name: str
    slug: str
    legal_name: str
    country: str
    registration_number: str
    default_currency: str
    address: str
    timezone: str
    website: str
    description: str
    signatory_name: str
    impact_units: list[ImpactUnitInput] = field(default_factory=list)


def create_cause(
    session: Session, details: CauseInput, *, logo: PreparedPhoto | None = None, upload_folder: str = ""
) -> Cause:
    cause = Cause()
    _apply_cause(session, cause, details, logo, upload_folder)
    session.add(cause)
    session.flush()
    return cause


def update_cause(
    session: Session,
    cause: Cause,
    details: CauseInput,
    *,
    logo: PreparedPhoto | None = None,
    upload_folder: str = "",
) -> Cause:
    _apply_cause(session, cause, details, logo, upload_folder)
    session.flush()
    return cause


def add_cause_admin(session: Session, cause: Cause, email: str) -> User:
    """Make the account with this email a charity admin of the cause (once)."""
    address = (email or "").strip().lower()
    user = session.scalar(select(User).where(func.lower(User.email) == address)) if address else None
    if user is None:
        raise InvalidInput({"email": "No account has that email; ask them to sign up first."})
    if cause.id not in user.administered_cause_ids:
        membership = CauseAdmin(user_id=user.id, cause_id=cause.id)
        user.cause_memberships.append(membership)
        session.add(membership)
        session.flush()
    return user


def _apply_cause(
    session: Session, cause: Cause, details: CauseInput, logo: PreparedPhoto | None, upload_folder: str
) -> None:
    errors: dict[str, str] = {}
    slug = _free_slug(session, Cause, details.slug, cause.id, errors)
    country = details.country
    if country not in COUNTRIES:
        errors["country"] = "Choose the United Kingdom, the United States or Canada."
    else:
        number = (details.registration_number or "").strip().upper().replace(" ", "")
        if not COUNTRIES[country].registration_format.match(number):
            errors["registration_number"] = COUNTRIES[country].registration_hint
    if details.default_currency not in SUPPORTED_CURRENCIES:
        errors["default_currency"] = "Choose a currency from the list."
    try:
        ZoneInfo(details.timezone or "")
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = "Enter a time zone name like Europe/London or America/Toronto."
    website = (details.website or "").strip()
    if website and not website.lower().startswith(("https://", "http://")):
        errors["website"] = "Enter a web address starting with https://."
    units = _impact_units(details.impact_units, errors)
    if errors:
        raise InvalidInput(errors)
    cause.slug = slug
    cause.name = details.name.strip()
    cause.legal_name = details.legal_name.strip()
    cause.country = country
    cause.registration_number = (details.registration_number or "").strip().upper().replace(" ", "")
    cause.default_currency = details.default_currency
    cause.address = details.address or ""
    cause.timezone = details.timezone
    cause.website = website
    cause.description = details.description or ""
    cause.signatory_name = (details.signatory_name or "").strip()
    cause.impact_units = units
    if logo is not None:
        cause.logo_path = logo.store(upload_folder)


def _impact_units(lines: list[ImpactUnitInput], errors: dict[str, str]) -> list[ImpactUnit]:
    """Lines left wholly blank are ignored; a started line must be complete."""
    units = []
    for index, line in enumerate(lines):
        if not any((text or "").strip() for text in (line.amount, line.singular, line.plural)):
            continue
        key = f"impact_units-{index}"
        if line.currency not in SUPPORTED_CURRENCIES:
            errors[f"{key}-currency"] = "Choose a currency from the list."
            continue
        amount = _money(line.amount, line.currency, f"{key}-amount", errors)
        singular, plural = (line.singular or "").strip(), (line.plural or "").strip()
        if not singular:
            errors[f"{key}-singular"] = "Say what one unit buys, like “hot meal”."
        if not plural:
            errors[f"{key}-plural"] = "Give the plural, like “hot meals”."
        if amount and singular and plural:
            units.append(ImpactUnit(amount=amount, currency=line.currency, singular=singular, plural=plural))
    return units


# Teams


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
    target = _money(details.target, currency, "target", errors)
    slug = _free_slug(session, Team, details.slug, None, errors)
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
    target = _money(details.target, team.currency, "target", errors)
    slug = _free_slug(session, Team, details.slug, team.id, errors)
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


# Shared checks


def _money(text: str | None, currency: str, name: str, errors: dict[str, str]) -> int:
    try:
        return parse_amount(text, currency)
    except MoneyError as error:
        errors[name] = str(error)
        return 0


def _free_slug(session: Session, model, text: str | None, own_id: int | None, errors: dict[str, str]) -> str:
    try:
        slug = validate_slug(text)
    except SlugError as error:
        errors["slug"] = str(error)
        return ""
    if slug_taken(session, model, slug, exclude_id=own_id):
        errors["slug"] = f"“{slug}” is taken; try {unique_slug(session, model, slug)}."
    return slug
