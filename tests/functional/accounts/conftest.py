"""Extra apps built from the test configuration with one setting changed (rate limits on,
CSRF on, production cookies), sharing the run's database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from config import TestConfig
from fundraiser import create_app
from fundraiser.extensions import db, limiter


@pytest.fixture
def app_with(app) -> Iterator[Callable[..., Flask]]:
    """`app_with(RATELIMIT_ENABLED=True)`: a new app on the same database, built through
    create_app(config_class) from a subclass of the test configuration."""
    made: list[Flask] = []

    def build(base: type = TestConfig, **settings) -> Flask:
        shared = {
            key: app.config[key]
            for key in ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS", "UPLOAD_FOLDER")
        }
        config_class = type("VariantConfig", (base,), {**shared, "REDIS_URL": None, **settings})
        variant = create_app(config_class)
        made.append(variant)
        return variant

    yield build
    for variant in made:
        with variant.app_context():
            db.engine.dispose()
    # The limiter is one object shared by every app; give it back the run's setting.
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
