"""Apps built as an operator configures them (production's class, Redis unreachable),
sharing the run's database; the one limiter object gets the run's settings back after."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from config import ProductionConfig, TestConfig
from fundraiser import create_app
from fundraiser.extensions import db, limiter

# What an operator sets, as the README's production block says (the SMTP server and Redis
# are never reached by these tests).
PRODUCTION_SETTINGS: dict[str, Any] = {
    "SECRET_KEY": "f" * 64,
    "PUBLIC_URL": "https://give.example.org",
    "MAIL_SERVER": "smtp.example.org",
    "REDIS_URL": "redis://127.0.0.1:9/0",
    "STRIPE_API_BASE": None,
    "STRIPE_ALLOW_STAND_IN": False,
}


@pytest.fixture
def build_app(app) -> Iterator[Callable[..., Flask]]:
    """`build_app(ProductionConfig, SECRET_KEY=...)`: create_app from a subclass of `base`
    with these settings, on the run's database and folders."""
    made: list[Flask] = []

    def build(base: type = TestConfig, **settings: Any) -> Flask:
        shared = {
            key: app.config[key]
            for key in (
                "SQLALCHEMY_DATABASE_URI",
                "SQLALCHEMY_ENGINE_OPTIONS",
                "UPLOAD_FOLDER",
                "REPORT_FOLDER",
                "RECEIPT_SIGNING_CERT",
                "RECEIPT_SIGNING_KEY",
            )
        }
        variant = create_app(type("VariantConfig", (base,), {**shared, **settings}))
        made.append(variant)
        return variant

    yield build
    for variant in made:
        with variant.app_context():
            db.engine.dispose()
    # Hand the limiter back a working memory store and the run's setting.
    build(TestConfig, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", REDIS_URL=None)
    limiter.reset()
    limiter.enabled = app.config["RATELIMIT_ENABLED"]


@pytest.fixture
def production_app(build_app) -> Callable[..., Flask]:
    """`production_app(**changes)`: ProductionConfig with an operator's settings."""
    return lambda **changes: build_app(ProductionConfig, **{**PRODUCTION_SETTINGS, **changes})


__all__ = ["PRODUCTION_SETTINGS", "ProductionConfig"]
