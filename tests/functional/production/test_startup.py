"""Production refuses to start on settings it must not run with, and says what to set.

Sources: OWASP ASVS 4.0 V2.10 / V6.4 (no default or hard-coded secrets; keys of enough
entropy: 32 characters is 128 bits of hex), Flask's "Deploying to Production" and
SECRET_KEY documentation; Flask-Limiter's documentation on storage ("memory://" is per
process, so N workers allow N times each limit)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import Config, ProductionConfig, production_problems
from tests.functional.production.conftest import PRODUCTION_SETTINGS

ROOT = Path(__file__).resolve().parents[3]


def refusal(production_app, **changes) -> str:
    with pytest.raises(RuntimeError) as refused:
        production_app(**changes)
    return str(refused.value)


def test_an_operator_s_settings_start(production_app):
    app = production_app(RATELIMIT_ENABLED=False)
    assert app.config["PRODUCTION"] is True
    assert production_problems(app.config) == []


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"SECRET_KEY": Config.SECRET_KEY_DEFAULT}, "SECRET_KEY is unset or a published value"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is unset or a published value"),
        ({"SECRET_KEY": "x" * 31}, "SECRET_KEY has 31 characters: set one of at least 32"),
        ({"PUBLIC_URL": None}, "PUBLIC_URL is unset: set it to the site's address"),
        ({"MAIL_SERVER": None}, "MAIL_SERVER is unset: set the SMTP server"),
        ({"REDIS_URL": None}, "REDIS_URL is unset: set it"),
        ({"RECEIPT_SIGNING_CERT": None}, "RECEIPT_SIGNING_CERT and RECEIPT_SIGNING_KEY are unset"),
        ({"RECEIPT_SIGNING_KEY": ""}, "RECEIPT_SIGNING_CERT and RECEIPT_SIGNING_KEY are unset"),
        ({"STRIPE_API_BASE": "http://127.0.0.1:8420"}, "or set STRIPE_ALLOW_STAND_IN=1"),
    ],
)
def test_each_missing_or_unsafe_setting_is_refused_with_what_to_set(production_app, changes, says):
    message = refusal(production_app, **changes)
    assert message.startswith("Production cannot start:")
    assert says in message
    assert message.count("\n- ") == 1, "only the one problem is named"


def test_a_secret_of_exactly_32_characters_is_enough(production_app):
    production_app(SECRET_KEY="y" * 32, RATELIMIT_ENABLED=False)


def test_every_problem_is_named_at_once(production_app):
    message = refusal(production_app, SECRET_KEY="short", PUBLIC_URL="", MAIL_SERVER="", REDIS_URL="")
    assert message.count("\n- ") == 4


def test_the_stand_in_is_allowed_when_the_operator_says_so(production_app):
    app = production_app(
        STRIPE_API_BASE="http://127.0.0.1:8420", STRIPE_ALLOW_STAND_IN=True, RATELIMIT_ENABLED=False
    )
    assert app.config["STRIPE_API_BASE"] == "http://127.0.0.1:8420"


def test_the_checks_run_however_the_configuration_is_given(monkeypatch, build_app):
    """FLASK_CONFIG=production with a dict laid over it (as dev/devserver.py passes) is
    checked like the class itself."""
    from fundraiser import create_app

    monkeypatch.setenv("FLASK_CONFIG", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY has 5 characters"):
        create_app({**PRODUCTION_SETTINGS, "SECRET_KEY": "short"})
    assert ProductionConfig.MIN_SECRET_KEY_LENGTH == 32


def production_environment(**changes: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_SETTINGS}
    env.update(
        FLASK_CONFIG="production",
        FLASK_APP="wsgi:app",
        SECRET_KEY="z" * 40,
        PUBLIC_URL="https://give.example.org",
        MAIL_SERVER="smtp.example.org",
        REDIS_URL="redis://127.0.0.1:9/0",
        RECEIPT_SIGNING_CERT="/etc/receipts/cert.pem",
        RECEIPT_SIGNING_KEY="/etc/receipts/key.pem",
        DATABASE_URL="sqlite:///" + str(ROOT / "instance" / "never-created.sqlite"),
    )
    env.update(changes)
    return {key: value for key, value in env.items() if value}


def flask(*args: str, **changes: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=production_environment(**changes),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_flask_in_production_without_a_secret_exits_saying_what_to_set():
    result = flask("routes", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is unset or a published value" in result.stderr


def test_seed_demo_refuses_to_run_in_production():
    result = flask("seed-demo")
    assert result.returncode != 0
    assert "seed-demo refuses to run in production" in result.stderr
    assert "flask create-admin" in result.stderr
