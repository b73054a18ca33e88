"""Signing up, signing in and out, through the test client and a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fundraiser.models import User


def count_users(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def test_sign_up_creates_a_runner_with_an_scrypt_hash_who_then_signs_in(client, session):
    response = client.post(
        "/signup",
        data={"name": "Amara Okafor", "email": "Amara@Example.com ", "password": "long-enough-pw"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/signin?next=/pages/new"
    user = session.scalar(select(User).where(User.email == "amara@example.com"))
    assert user is not None and user.name == "Amara Okafor"
    assert user.password_hash.startswith("scrypt:")
    assert "long-enough-pw" not in user.password_hash
    assert not (user.is_platform_admin or user.is_event_organiser)
    signed_in = client.post(
        "/signin?next=%2Fpages%2Fnew", data={"email": "amara@example.com", "password": "long-enough-pw"}
    )
    assert signed_in.headers["Location"] == "/pages/new"
    assert client.get("/me").status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "email": "a@example.test", "password": "long-enough-pw"}, "Enter your name."),
        ({"name": "Al", "email": "not-an-email", "password": "long-enough-pw"}, "Enter an email address"),
        ({"name": "Al", "email": "a@example.test", "password": "short"}, "Use 10 to 200 characters."),
        (
            {"name": "Al\x1b[31m", "email": "a@example.com", "password": "long-enough-pw"},
            "control characters",
        ),
    ],
)
def test_sign_up_errors_sit_next_to_the_field(client, session, data, message):
    response = client.post("/signup", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_users(session) == 0


def test_sign_in_and_sign_out(client, factories, session):
    user = factories.user()
    session.commit()
    response = client.post("/signin", data={"email": user.email.upper(), "password": factories.password})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me")
    assert client.get("/me").status_code == 200

    assert client.get("/signout").status_code in (404, 405), "signing out changes state: POST only"
    assert client.get("/me").status_code == 200
    response = client.post("/signout")
    assert response.status_code == 302
    assert client.get("/me").status_code == 302


def test_wrong_password_is_refused_with_a_422_and_the_email_kept(client, factories, session):
    user = factories.user()
    session.commit()
    response = client.post("/signin", data={"email": user.email, "password": "wrong-password"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "do not match an account" in html
    assert f'value="{user.email}"' in html
    assert 'value="wrong-password"' not in html, "a password is never echoed back"
    assert client.get("/me").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    response = client.post("/signin", data={"email": "nobody@example.test", "password": "whatever-pw"})
    assert response.status_code == 422
    assert "do not match an account" in response.get_data(as_text=True)


def test_a_signed_in_person_opening_sign_in_goes_to_their_dashboard(signed_in, factories, session):
    user = factories.user()
    session.commit()
    client = signed_in(user)
    assert client.get("/signin").headers["Location"].endswith("/me")
    assert client.get("/signup").headers["Location"].endswith("/me")


def test_a_protected_page_sends_an_anonymous_visitor_to_sign_in_and_back(client, factories, session):
    user = factories.user()
    session.commit()
    response = client.get("/me")
    assert response.status_code == 302
    assert "/signin?next=%2Fme" in response.headers["Location"]
    response = client.post("/signin?next=%2Fme", data={"email": user.email, "password": factories.password})
    assert response.headers["Location"] == "/me"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.test/phish",
        "//evil.test/phish",
        "/\\evil.test/phish",
        "\\\\evil.test",
        "/\t/evil.test",
        "/\n/evil.test",
        "javascript:alert(1)",
        "http:/evil.test",
        "evil.test",
        "",
    ],
)
def test_next_only_ever_leads_to_a_path_on_this_site(client, factories, session, target):
    user = factories.user()
    session.commit()
    response = client.post(
        "/signin", query_string={"next": target}, data={"email": user.email, "password": factories.password}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/me"


def test_next_keeps_a_local_path_with_its_query(client, factories, session):
    user = factories.user()
    session.commit()
    response = client.post(
        "/signin",
        query_string={"next": "/events?page=2"},
        data={"email": user.email, "password": factories.password},
    )
    assert response.headers["Location"] == "/events?page=2"


def test_password_managers_are_told_which_password_is_which(client):
    assert 'autocomplete="current-password"' in client.get("/signin").get_data(as_text=True)
    signup = client.get("/signup").get_data(as_text=True)
    assert 'autocomplete="new-password"' in signup and 'autocomplete="email"' in signup
