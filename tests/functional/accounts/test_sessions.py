"""Sessions end when they should (issue 14): signing out ends every copy of the cookie, a
password change ends the others, idle and absolute limits apply, and signing in starts a
fresh session. OWASP ASVS 4.0 V3.3 (session termination) and V3.2.1 (a new session token on
authentication)."""

from __future__ import annotations

from fundraiser.accounts.sessions import LIMIT, SEEN_AT, SIGNED_IN_AT
from fundraiser.models import User


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def replay(new_client, cookie: str):
    """Another browser, holding a copy of someone's session cookie."""
    thief = new_client()
    thief.set_cookie("session", cookie)
    return thief


def test_a_cookie_copied_before_sign_out_no_longer_works(signed_in, factories, session, new_client):
    user = factories.user()
    session.commit()
    client = signed_in(user)
    copied = session_cookie(client)
    assert replay(new_client, copied).get("/me").status_code == 200, "the copy works while signed in"

    assert client.post("/signout").status_code == 302
    assert replay(new_client, copied).get("/me").status_code == 302
    assert client.get("/me").status_code == 302
    session.expire_all()
    assert session.get(User, user.id).session_version == 2


def test_a_password_change_ends_every_other_session(signed_in, factories, session, new_client):
    user = factories.user()
    session.commit()
    copied = session_cookie(signed_in(user))
    from fundraiser.accounts import services

    services.set_password(session.get(User, user.id), "a-brand-new-password")
    session.commit()
    assert replay(new_client, copied).get("/me").status_code == 302


def age_session(client, seconds: int, *, since_sign_in: int | None = None) -> None:
    with client.session_transaction() as cookie:
        cookie[SEEN_AT] -= seconds
        cookie[SIGNED_IN_AT] -= seconds if since_sign_in is None else since_sign_in


def test_an_admin_is_signed_out_after_two_hours_away(signed_in, factories, session):
    admin = factories.user(is_platform_admin=True)
    session.commit()
    client = signed_in(admin)
    age_session(client, 2 * 60 * 60 - 120)
    assert client.get("/admin").status_code == 200, "1 h 58 min away: still signed in"
    age_session(client, 2 * 60 * 60 + 1)
    response = client.get("/admin")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_a_charity_admin_gets_the_admin_limit_and_ticking_keep_does_not_lift_it(client, factories, session):
    charity_admin = factories.user()
    factories.cause(admins=(charity_admin,))
    session.commit()
    client.post("/signin", data={"email": charity_admin.email, "password": factories.password, "keep": "y"})
    with client.session_transaction() as cookie:
        assert cookie[LIMIT] == 2 * 60 * 60
        assert not cookie.permanent


def test_a_runner_who_ticks_keep_me_signed_in_stays_14_days(client, factories, session):
    runner = factories.user()
    session.commit()
    response = client.post(
        "/signin", data={"email": runner.email, "password": factories.password, "keep": "y"}
    )
    assert "Expires=" in response.headers["Set-Cookie"], "a cookie that outlives the browser"
    age_session(client, 13 * 24 * 60 * 60)
    assert client.get("/me").status_code == 200
    age_session(client, 14 * 24 * 60 * 60 + 1, since_sign_in=0)
    assert client.get("/me").status_code == 302


def test_a_runner_who_does_not_tick_it_is_signed_out_after_12_hours(client, factories, session):
    runner = factories.user()
    session.commit()
    response = client.post("/signin", data={"email": runner.email, "password": factories.password})
    assert "Expires=" not in response.headers["Set-Cookie"], "the cookie ends with the browser"
    age_session(client, 11 * 60 * 60)
    assert client.get("/me").status_code == 200
    age_session(client, 12 * 60 * 60 + 1, since_sign_in=0)
    assert client.get("/me").status_code == 302


def test_nobody_stays_signed_in_past_30_days_however_active(client, factories, session):
    runner = factories.user()
    session.commit()
    client.post("/signin", data={"email": runner.email, "password": factories.password, "keep": "y"})
    age_session(client, 60, since_sign_in=30 * 24 * 60 * 60 - 120)
    assert client.get("/me").status_code == 200
    age_session(client, 60, since_sign_in=200)
    assert client.get("/me").status_code == 302


def test_signing_in_starts_a_fresh_session(client, factories, session):
    """Session fixation: nothing a visitor's cookie held before signing in survives it."""
    runner = factories.user()
    session.commit()
    with client.session_transaction() as cookie:
        cookie["planted"] = "by an attacker"
        cookie["_user_id"] = "not-this"
    client.post("/signin", data={"email": runner.email, "password": factories.password})
    with client.session_transaction() as cookie:
        assert "planted" not in cookie
        assert cookie["_user_id"] == f"{runner.id}:1"
