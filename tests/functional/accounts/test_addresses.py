"""One rule for an account's address: sign-up and `flask create-admin` accept and refuse
the same ones. Source: RFC 6761 section 6.2 (".test" is reserved and never delegated, so
no mail reaches it) and email-validator's special-use list."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fundraiser.accounts.addresses import address_problem
from fundraiser.models import User


def sign_up(client, email: str):
    return client.post("/signup", data={"name": "Ada", "email": email, "password": "a-long-pass-phrase"})


def create_admin(app, email: str):
    return app.test_cli_runner().invoke(
        args=["create-admin", "--email", email, "--name", "Ada", "--password", "a-long-pass-phrase"]
    )


@pytest.mark.parametrize(
    "email", ["ada@example.test", "ada@localhost.localhost", "ada@host.invalid", "ada@x.local"]
)
def test_a_special_use_domain_is_refused_by_both(app, client, session, email):
    page = sign_up(client, email)
    assert page.status_code == 422
    assert "Enter an email address like name@example.com." in page.get_data(as_text=True)
    result = create_admin(app, email)
    assert result.exit_code != 0 and "That email does not look right" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0
    assert address_problem(email) is not None


@pytest.mark.parametrize(("email", "way"), [("ada@example.org", "signup"), ("ada@example.org", "cli")])
def test_an_ordinary_address_is_accepted_by_both(app, client, session, email, way):
    if way == "signup":
        assert sign_up(client, email).status_code == 302
    else:
        assert create_admin(app, email).exit_code == 0
    assert session.scalar(select(User.email)) == email
    assert address_problem(email) is None
