"""Donating through the form: fill it in as a donor would, and a variant app with rate limits on."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import altcha
import pytest
from flask import Flask
from sqlalchemy import select

from config import TestConfig
from fundraiser import create_app
from fundraiser.extensions import db, limiter
from fundraiser.models import Donation

ATTEMPT = re.compile(r'name="attempt" type="hidden" value="([0-9a-f]{32})"')


def attempt_token(html: str) -> str:
    match = ATTEMPT.search(html)
    assert match, "the donate form carries an attempt token"
    return match.group(1)


class DonateForm:
    """The donate form of one page, as a donor's browser sees and posts it."""

    def __init__(self, client, slug: str):
        self.client = client
        self.url = f"/{slug}/donate"
        response = client.get(self.url)
        assert response.status_code == 200, response.status_code
        self.html = response.get_data(as_text=True)
        self.data = {
            "attempt": attempt_token(self.html),
            "amount_choice": "2500",
            "other_amount": "",
            "donor_name": "Ada Donor",
            "donor_email": "ada@example.test",
            "message": "Go well!",
            "visibility": "named",
        }

    def post(self, **fields):
        data = {**self.data, **fields}
        return self.client.post(self.url, data={k: v for k, v in data.items() if v is not None})


@pytest.fixture
def donate_form(client) -> Callable[..., DonateForm]:
    """`donate_form(page)`: open the page's donate form; `.post(**fields)` submits it."""
    return lambda page: DonateForm(client, page.slug)


@pytest.fixture
def donations(session) -> Callable[[], list[Donation]]:
    def all_donations() -> list[Donation]:
        session.expire_all()
        return list(session.scalars(select(Donation).order_by(Donation.id)))

    return all_donations


@pytest.fixture
def variant_app(app) -> Iterator[Callable[..., Flask]]:
    """`variant_app(RATELIMIT_ENABLED=True)`: a new app on the run's database, built by
    create_app from a subclass of the test configuration with these settings changed."""
    made: list[Flask] = []

    def build(**settings) -> Flask:
        shared = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS")}
        config_class = type(
            "VariantConfig",
            (TestConfig,),
            {**shared, "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://", **settings},
        )
        variant = create_app(config_class)
        made.append(variant)
        if limiter.enabled:
            limiter.reset()
        return variant

    yield build
    for variant in made:
        with variant.app_context():
            db.engine.dispose()
    # One limiter object serves every app: give it back the run's setting and empty counts.
    if limiter.enabled:
        limiter.reset()
    limiter.enabled = app.config["RATELIMIT_ENABLED"]


WIDGET = re.compile(r'class="challenge-box" data-challenge="([^"]+)"')


def solve(challenge_json: str) -> str:
    """What the widget posts: the challenge and the counter that solves it, base64 JSON."""
    challenge = altcha.Challenge.from_dict(json.loads(challenge_json))
    solution = altcha.solve_challenge(challenge)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()


def widget_challenge(html: str) -> str | None:
    match = WIDGET.search(html)
    return match.group(1).replace("&#34;", '"').replace("&quot;", '"') if match else None
