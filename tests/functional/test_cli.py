"""`flask create-admin`, run through Flask's CLI runner against the real database."""

from __future__ import annotations

import pyotp
from sqlalchemy import func, select

from fundraiser.accounts import services
from fundraiser.models import User


def create_admin(app, *extra: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=["create-admin", *extra], input=input)


def test_create_admin_makes_a_platform_admin_who_can_sign_in(app, session, client):
    result = create_admin(
        app, "--email", "Boss@Example.com", "--name", "Bo Boss", "--password", "a-long-admin-password"
    )
    assert result.exit_code == 0, result.output
    assert "boss@example.com is a platform admin" in result.output
    user = session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.is_platform_admin and user.name == "Bo Boss"
    assert user.password_hash.startswith("scrypt:")
    assert user.email_confirmed_at is not None
    client.post("/signin", data={"email": "boss@example.com", "password": "a-long-admin-password"})
    first = client.get("/admin")
    assert first.headers["Location"] == "/account/two-factor", "two-factor sign-in is set up first"
    client.get("/account/two-factor")
    session.expire_all()
    code = pyotp.TOTP(session.get(User, user.id).totp_secret).now()
    assert client.post("/account/two-factor", data={"code": code}).status_code == 200
    assert client.get("/admin").status_code == 200


def test_create_admin_prompts_for_what_is_missing(app, session):
    result = create_admin(
        app, input="prompted@example.com\nPat Prompt\nanother-long-password\nanother-long-password\n"
    )
    assert result.exit_code == 0, result.output
    assert services.find_user_by_email(session, "prompted@example.com").is_platform_admin


def test_create_admin_promotes_an_existing_account_and_can_run_twice(app, factories, session):
    runner = factories.user(email="runner@example.com", name="Rae Runner")
    session.commit()
    old_hash = runner.password_hash
    for _ in range(2):
        result = create_admin(
            app, "--email", "runner@example.com", "--name", "Other Name", "--password", "ignored-password"
        )
        assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(User)) == 1
    user = session.get(User, runner.id)
    assert user.is_platform_admin
    assert user.password_hash == old_hash, "an existing account keeps its password"
    assert user.name == "Rae Runner"


def test_create_admin_refuses_a_short_password_and_writes_nothing(app, session):
    result = create_admin(app, "--email", "short@example.com", "--name", "Shorty", "--password", "short")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_refuses_an_address_that_is_not_an_email(app, session):
    result = create_admin(
        app, "--email", "not-an-email", "--name", "Nobody", "--password", "a-long-admin-password"
    )
    assert result.exit_code != 0
    assert "does not look right" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0
