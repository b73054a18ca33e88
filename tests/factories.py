"""Factories for test data: plain functions with sensible defaults, exposed as fixtures."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from fundraiser.accounts.services import hash_password
from fundraiser.extensions import db
from fundraiser.models import Cause, CauseAdmin, Event, ImpactUnit, PledgePage, Team, User
from fundraiser.pages.markdown import render_markdown

PASSWORD = "correct-horse-battery"
# Every platform admin's authenticator secret (base32), so tests can make their codes.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_PASSWORD_HASH = None
_sequence = itertools.count(1)

COUNTRY_DEFAULTS = {
    "GB": dict(
        default_currency="GBP",
        registration_number="1234567",
        timezone="Europe/London",
        address="12 Kitchen Lane, Leeds LS1 4AP, United Kingdom",
    ),
    "US": dict(
        default_currency="USD",
        registration_number="12-3456789",
        timezone="America/New_York",
        address="400 Spring Street, Portland, OR 97204, USA",
    ),
    "CA": dict(
        default_currency="CAD",
        registration_number="123456789RR0001",
        timezone="America/Toronto",
        address="88 Maple Avenue, Toronto, ON M5V 2T6, Canada",
    ),
}


# A signature image the app fixture writes into the test upload folder (tests/conftest.py):
# Canadian causes need their own signatory's signature before they can issue receipts.
TEST_SIGNATURE = "5151515151515151515151515151515a.png"


def write_test_signature(path: Path) -> None:
    """A hand-drawn-looking line, 300x80, as a charity's uploaded signature image."""
    image = Image.new("RGB", (300, 80), "white")
    ImageDraw.Draw(image).line(
        [(10, 60), (60, 15), (90, 55), (150, 20), (200, 58), (290, 30)], fill="navy", width=4
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG")


def _n() -> int:
    return next(_sequence)


def make_user(**fields) -> User:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    n = _n()
    fields.setdefault("email", f"runner{n}@example.test")
    fields.setdefault("name", f"Runner {n}")
    fields.setdefault("password_hash", _PASSWORD_HASH)
    if fields.get("is_platform_admin"):
        # Platform admins must have two-factor sign-in (conftest's signed_in types the code).
        fields.setdefault("totp_secret", TOTP_SECRET)
        fields.setdefault("totp_enabled_at", datetime.now(UTC))
    user = User(**fields)
    db.session.add(user)
    db.session.flush()
    return user


def make_cause(country: str = "GB", admins: tuple[User, ...] = (), units: bool = True, **fields) -> Cause:
    n = _n()
    values = dict(COUNTRY_DEFAULTS[country])
    values.update(
        slug=f"cause-{n}",
        name=f"Cause {n}",
        legal_name=f"Cause {n} Charity",
        country=country,
        description="Helps people.",
        signatory_name="Pat Treasurer",
    )
    if country == "CA":
        values["signature_path"] = TEST_SIGNATURE
    values.update(fields)
    cause = Cause(**values)
    if units:
        cause.impact_units = [
            ImpactUnit(amount=500, currency=cause.default_currency, singular="hot meal", plural="hot meals")
        ]
    db.session.add(cause)
    db.session.flush()
    for admin in admins:
        db.session.add(CauseAdmin(user_id=admin.id, cause_id=cause.id))
    db.session.flush()
    return cause


def make_event(causes: tuple[Cause, ...] = (), organiser: User | None = None, **fields) -> Event:
    n = _n()
    fields.setdefault("slug", f"event-{n}")
    fields.setdefault("name", f"Event {n} 10K")
    fields.setdefault("starts_on", date.today() + timedelta(days=30))
    fields.setdefault("place", "Leeds")
    fields.setdefault("distance_m", 10_000)
    event = Event(organiser=organiser, causes=list(causes), **fields)
    db.session.add(event)
    db.session.flush()
    return event


def make_page(
    runner: User | None = None, event: Event | None = None, cause: Cause | None = None, **fields
) -> PledgePage:
    n = _n()
    runner = runner or make_user()
    cause = cause or (event.causes[0] if event and event.causes else make_cause())
    event = event or make_event(causes=(cause,))
    story = fields.pop("story_markdown", "I am running **for a reason**.")
    fields.setdefault("slug", f"page-{n}")
    fields.setdefault("title", f"Runner {n} runs for {cause.name}")
    fields.setdefault("target_amount", 50_000)
    fields.setdefault("currency", cause.default_currency)
    fields.setdefault("status", "published")
    page = PledgePage(
        runner=runner,
        event=event,
        cause=cause,
        story_markdown=story,
        story_html=render_markdown(story),
        **fields,
    )
    db.session.add(page)
    db.session.flush()
    return page


def make_team(captain: User | None = None, **fields) -> Team:
    n = _n()
    fields.setdefault("slug", f"team-{n}")
    fields.setdefault("name", f"Team {n}")
    fields.setdefault("target_amount", 200_000)
    fields.setdefault("currency", "GBP")
    team = Team(captain=captain or make_user(), **fields)
    db.session.add(team)
    db.session.flush()
    return team


@pytest.fixture
def factories(app):
    """Access the factories in a test: `factories.page(...)`; commits are the test's to make."""

    class Factories:
        user = staticmethod(make_user)
        cause = staticmethod(make_cause)
        event = staticmethod(make_event)
        page = staticmethod(make_page)
        team = staticmethod(make_team)
        password = PASSWORD

    return Factories
