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
    # Redis down: count in this process's memory (Flask-Limiter logs one warning and checks
    # Redis again with back-off) instead of answering a donor 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True

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
    # The API version every call sends, and the webhook endpoint's version. Unset (None):
    # the version the pinned stripe SDK is built for (stripe.api_version, 2026-10-28.endive
    # for stripe 16.1.0), resolved in fundraiser/payments/gateway.py, the one module that
    # imports stripe. Its parameter types are what mypy checks our calls against.
    STRIPE_API_VERSION = os.environ.get("STRIPE_API_VERSION") or None
    # single: the installation's own Stripe account takes every gift; connect: each cause's
    # connected Stripe account does (direct charges, Stripe Connect).
    PAYMENTS_MODE = os.environ.get("PAYMENTS_MODE", "single")
    DONATION_RATE_LIMIT = os.environ.get("DONATION_RATE_LIMIT", "10/minute;50/hour")
    # New PaymentIntents one page may make, whoever asks (fundraiser/donations/card_testing.py);
    # its donate form asks for a challenge once a quarter of a window is left.
    DONATION_PAGE_RATE_LIMIT = os.environ.get("DONATION_PAGE_RATE_LIMIT", "20/minute;200/hour")
    # Declined cards allowed per card (Stripe's card fingerprint), per page and platform-wide.
    CARD_DECLINE_LIMIT = os.environ.get("CARD_DECLINE_LIMIT", "3/hour;5/day")
    PAGE_DECLINE_LIMIT = os.environ.get("PAGE_DECLINE_LIMIT", "5/hour")
    PLATFORM_DECLINE_LIMIT = os.environ.get("PLATFORM_DECLINE_LIMIT", "30 per 10 minutes")
    # After a platform-wide spike of declines, every donate form asks for a challenge this long.
    CHALLENGE_SPIKE_MINUTES = int(os.environ.get("CHALLENGE_SPIKE_MINUTES", 60))
    # ALTCHA proof of work: the key that signs challenges (derived from SECRET_KEY when
    # unset), PBKDF2 iterations per try (a browser needs about a second), and how long one lasts.
    ALTCHA_HMAC_KEY = os.environ.get("ALTCHA_HMAC_KEY") or None
    CHALLENGE_COST = int(os.environ.get("CHALLENGE_COST", 5000))
    CHALLENGE_EXPIRY_MINUTES = int(os.environ.get("CHALLENGE_EXPIRY_MINUTES", 20))
    SIGNIN_RATE_LIMIT = os.environ.get("SIGNIN_RATE_LIMIT", "10/minute")

    # PEM files of the certificate and key that certify every receipt PDF (and the key's
    # passphrase, if any). Unset outside production: a self-signed development certificate
    # is made under the instance folder (`make run` makes it first).
    RECEIPT_SIGNING_CERT = os.environ.get("RECEIPT_SIGNING_CERT") or None
    RECEIPT_SIGNING_KEY = os.environ.get("RECEIPT_SIGNING_KEY") or None
    RECEIPT_SIGNING_KEY_PASSPHRASE = os.environ.get("RECEIPT_SIGNING_KEY_PASSPHRASE") or None
    # How long an emailed receipt link works.
    RECEIPT_LINK_DAYS = int(os.environ.get("RECEIPT_LINK_DAYS", 90))
    # A report over this many donations is made in the background instead of in the request.
    REPORT_BACKGROUND_ROWS = int(os.environ.get("REPORT_BACKGROUND_ROWS", 100_000))
    # Each worker reuses an anonymous visitor's render of a public page this many seconds; 0 is off.
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 5))
    # Tests only: exit the process (os._exit) after a payment's commit, before its receipt
    # job is queued, as a killed worker would; never set it in an installation.
    EXIT_BEFORE_QUEUEING_RECEIPTS = env_bool("EXIT_BEFORE_QUEUEING_RECEIPTS", False)

    # -- Production hardening (issue 14: headers and production settings) --
    # Strict-Transport-Security max-age; 0 sends none (development serves plain HTTP).
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 0))
    # For this long after a gift its thank-you page shows the donor's name and receipt link;
    # after that only the gift (the receipt came by email).
    THANK_YOU_DETAILS_HOURS = int(os.environ.get("THANK_YOU_DETAILS_HOURS", 24))
    # Production refuses STRIPE_API_BASE (the stand-in's code path) unless this is on.
    STRIPE_ALLOW_STAND_IN = env_bool("STRIPE_ALLOW_STAND_IN", False)
    # True only in ProductionConfig: commands that would publish a password refuse to run.
    PRODUCTION = False

    # --- Sessions and sign-in (issue 14) ---
    # Signed out after this long without a request: admins (platform or charity), runners, and
    # runners who ticked "keep me signed in"; and by this long after signing in, whatever happens.
    SESSION_IDLE_ADMIN_MINUTES = int(os.environ.get("SESSION_IDLE_ADMIN_MINUTES", 120))
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 12 * 60))
    SESSION_KEEP_DAYS = int(os.environ.get("SESSION_KEEP_DAYS", 14))
    SESSION_ABSOLUTE_DAYS = int(os.environ.get("SESSION_ABSOLUTE_DAYS", 30))
    PERMANENT_SESSION_LIFETIME = SESSION_KEEP_DAYS * 24 * 60 * 60
    # Per account, whatever the address: this many wrong passwords, then a wait that doubles
    # from SIGNIN_ACCOUNT_BACKOFF_SECONDS with each one, up to the maximum; a reset unlocks.
    SIGNIN_ACCOUNT_FREE_ATTEMPTS = int(os.environ.get("SIGNIN_ACCOUNT_FREE_ATTEMPTS", 5))
    SIGNIN_ACCOUNT_BACKOFF_SECONDS = int(os.environ.get("SIGNIN_ACCOUNT_BACKOFF_SECONDS", 30))
    SIGNIN_ACCOUNT_BACKOFF_MAX_SECONDS = int(os.environ.get("SIGNIN_ACCOUNT_BACKOFF_MAX_SECONDS", 3600))
    SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "5/hour")
    # Page, update, team and photo writes per signed-in account.
    ACCOUNT_WRITE_RATE_LIMIT = os.environ.get("ACCOUNT_WRITE_RATE_LIMIT", "30/minute;300/day")
    # --- end of sessions and sign-in ---

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
    CHALLENGE_COST = 1000


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}
    # Unset here, so that production must be told its address (check() refuses without it).
    PUBLIC_URL = os.environ.get("PUBLIC_URL") or None
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 63_072_000))  # two years
    PRODUCTION = True

    # -- Production start-up checks (issue 14) --
    MIN_SECRET_KEY_LENGTH = 32
    KNOWN_SECRET_KEYS = frozenset({Config.SECRET_KEY_DEFAULT, "test-secret", "change-me", "secret"})

    @classmethod
    def check(cls, settings: Mapping[str, Any]) -> None:
        """Refuse to start on settings production must not run with, naming all of them."""
        check_payments_mode(settings)
        problems = production_problems(settings)
        if problems:
            raise RuntimeError("Production cannot start:\n- " + "\n- ".join(problems))


def production_problems(settings: Mapping[str, Any]) -> list[str]:
    """What is wrong with these settings for production, each with what to set."""
    problems = []
    secret = settings.get("SECRET_KEY") or ""
    if not secret or secret in ProductionConfig.KNOWN_SECRET_KEYS:
        problems.append(
            "SECRET_KEY is unset or a published value: set it to a long random string, e.g. "
            "the output of `python3 -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    elif len(secret) < ProductionConfig.MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SECRET_KEY has {len(secret)} characters: set one of at least "
            f"{ProductionConfig.MIN_SECRET_KEY_LENGTH} random characters."
        )
    if not settings.get("PUBLIC_URL"):
        problems.append("PUBLIC_URL is unset: set it to the site's address, e.g. https://give.example.org.")
    if not settings.get("MAIL_SERVER"):
        problems.append("MAIL_SERVER is unset: set the SMTP server that sends receipts (and MAIL_FROM).")
    if not settings.get("REDIS_URL"):
        problems.append(
            "REDIS_URL is unset: set it (e.g. redis://cache:6379/0); without it every worker "
            "counts rate limits on its own and background jobs run inside requests."
        )
    if not (settings.get("RECEIPT_SIGNING_CERT") and settings.get("RECEIPT_SIGNING_KEY")):
        problems.append(
            "RECEIPT_SIGNING_CERT and RECEIPT_SIGNING_KEY are unset: set the certificate and key "
            "receipts are signed with (PEM files), so donors' receipts cannot be altered."
        )
    if settings.get("STRIPE_API_BASE") and not settings.get("STRIPE_ALLOW_STAND_IN"):
        problems.append(
            "STRIPE_API_BASE is set, which sends payments to a Stripe stand-in: unset it, "
            "or set STRIPE_ALLOW_STAND_IN=1 if this installation is meant to use one."
        )
    return problems


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
