"""Configuration classes. Every setting is read from the environment, with a default
that suits the embedded set-up (SQLite file, inline background work, local disk)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def database_url(raw: str | None) -> str:
    """Normalise DATABASE_URL so PostgreSQL always goes through psycopg 3."""
    if not raw:
        return f"sqlite:///{INSTANCE_DIR / 'fundraiser.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PAYMENTS_MODES = ("single", "connect")


def check_payments_mode(settings: Mapping[str, Any]) -> None:
    if settings.get("PAYMENTS_MODE", "single") not in PAYMENTS_MODES:
        raise RuntimeError(f"PAYMENTS_MODE must be one of {', '.join(PAYMENTS_MODES)}")


class Config:
    SECRET_KEY_DEFAULT = "dev-only-not-a-secret"
    SECRET_KEY = os.environ.get("SECRET_KEY", SECRET_KEY_DEFAULT)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", 0))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 8 * 1024 * 1024))
    WTF_CSRF_TIME_LIMIT = None

    PLATFORM_NAME = os.environ.get("PLATFORM_NAME", "Running Together")
    PLATFORM_ADDRESS = os.environ.get(
        "PLATFORM_ADDRESS", "Running Together, 1 Finish Line, London EC1A 1AA, United Kingdom"
    )
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    RECEIPT_FOLDER = os.environ.get("RECEIPT_FOLDER", str(INSTANCE_DIR / "receipts"))
    REPORT_FOLDER = os.environ.get("REPORT_FOLDER", str(INSTANCE_DIR / "reports"))
    MAX_PHOTO_BYTES = int(os.environ.get("MAX_PHOTO_BYTES", 5 * 1024 * 1024))

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Running Together <no-reply@running-together.test>")

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY") or None
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY") or None
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET") or None
    # connect mode: the signing secret of the Connect endpoint (events on connected accounts).
    STRIPE_CONNECT_WEBHOOK_SECRET = os.environ.get("STRIPE_CONNECT_WEBHOOK_SECRET") or None
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE") or None
    # True: STRIPE_API_BASE is localstripe, which refuses some of Stripe's parameters.
    # Unset (None) means "the stand-in whenever STRIPE_API_BASE is set".
    STRIPE_STAND_IN = env_bool("STRIPE_STAND_IN") if "STRIPE_STAND_IN" in os.environ else None
    STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")
    # single: the installation's own Stripe account takes every gift; connect: each cause's
    # connected Stripe account does (direct charges, Stripe Connect).
    PAYMENTS_MODE = os.environ.get("PAYMENTS_MODE", "single")
    DONATION_RATE_LIMIT = os.environ.get("DONATION_RATE_LIMIT", "10/minute;50/hour")
    DONATION_PAGE_RATE_LIMIT = os.environ.get("DONATION_PAGE_RATE_LIMIT", "60/minute")
    SIGNIN_RATE_LIMIT = os.environ.get("SIGNIN_RATE_LIMIT", "10/minute")

    # How long an emailed receipt link works.
    RECEIPT_LINK_DAYS = int(os.environ.get("RECEIPT_LINK_DAYS", 90))
    # A report over this many donations is made in the background instead of in the request.
    REPORT_BACKGROUND_ROWS = int(os.environ.get("REPORT_BACKGROUND_ROWS", 100_000))
    # Each worker reuses an anonymous visitor's render of a public page this many seconds; 0 is off.
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 5))

    @classmethod
    def check(cls, settings: Mapping[str, Any]) -> None:
        """Refuse to start on settings this kind of installation must not run with."""
        check_payments_mode(settings)


class DevelopmentConfig(Config):
    DEBUG = env_bool("FLASK_DEBUG", False)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_SERVER = None
    PAGE_CACHE_SECONDS = 0


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}

    @classmethod
    def check(cls, settings: Mapping[str, Any]) -> None:
        """Production refuses to start on the development secret."""
        check_payments_mode(settings)
        if settings.get("SECRET_KEY") in (None, "", Config.SECRET_KEY_DEFAULT):
            raise RuntimeError("SECRET_KEY must be set in production")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
