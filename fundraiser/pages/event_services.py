"""Events: create and edit, with the distance parsed exactly into metres."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundraiser.models import Cause, Event, User
from fundraiser.pages.validation import InvalidInput, free_slug

_DISTANCE = re.compile(r"^\d{1,4}(?:\.\d{1,3})?$")
MAX_DISTANCE_KM = 5000


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
    participant_benefit: bool = False


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
    slug = free_slug(session, Event, details.slug, event.id, errors)
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
    event.participant_benefit = details.participant_benefit


def _causes_by_id(session: Session, ids: list[int]) -> list[Cause]:
    if not ids:
        return []
    return list(session.scalars(select(Cause).where(Cause.id.in_(set(ids))).order_by(Cause.name)))
