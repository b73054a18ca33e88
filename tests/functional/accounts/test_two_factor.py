"""Two-factor sign-in (issue 14): TOTP codes (RFC 6238) from an authenticator app, made here
by pyotp from the secret the set-up page shows, and one-time recovery codes. OWASP ASVS 4.0
V2.8 (single- and multi-factor one-time verifiers) and V2.5.4 (recovery codes used once)."""

from __future__ import annotations

import re

import pyotp
import pytest

from fundraiser.models import RecoveryCode, User

SECRET = re.compile(r"<code>([A-Z2-7]{32})</code>")
RECOVERY = re.compile(r"<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})</code></li>")


@pytest.fixture
def charity_admin(factories, session) -> User:
    person = factories.user(name="Chidi Charity")
    factories.cause(admins=(person,))
    session.commit()
    return person


def enrol(client) -> tuple[str, list[str]]:
    setup = client.get("/account/two-factor")
    assert setup.status_code == 200
    html = setup.get_data(as_text=True)
    assert "<svg" in html, "a QR code to scan"
    (secret,) = SECRET.findall(html)
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = RECOVERY.findall(done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def password_step(client, user: User, password: str):
    return client.post("/signin?next=%2Fme", data={"email": user.email, "password": password})


def test_a_charity_admin_enrols_then_signs_in_with_a_code(
    signed_in, new_client, factories, session, charity_admin
):
    client = signed_in(charity_admin)
    secret, _ = enrol(client)
    session.expire_all()
    assert session.get(User, charity_admin.id).has_two_factor
    client.post("/signout")

    browser = new_client()
    first = password_step(browser, charity_admin, factories.password)
    assert first.headers["Location"] == "/signin/code"
    assert browser.get("/me").status_code == 302, "the password alone signs nobody in"
    signed = browser.post("/signin/code", data={"code": pyotp.TOTP(secret).now()})
    assert signed.status_code == 302 and signed.headers["Location"] == "/me"
    assert browser.get("/me").status_code == 200


def test_a_wrong_code_is_refused_and_counts_towards_the_back_off(
    signed_in, new_client, factories, session, charity_admin
):
    client = signed_in(charity_admin)
    secret, _ = enrol(client)
    browser = new_client()
    password_step(browser, charity_admin, factories.password)
    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    refused = browser.post("/signin/code", data={"code": wrong})
    assert refused.status_code == 422
    assert "That code is not right" in refused.get_data(as_text=True)
    assert browser.get("/me").status_code == 302
    session.expire_all()
    assert session.get(User, charity_admin.id).failed_signins == 1


def test_a_recovery_code_works_once_only(signed_in, new_client, factories, session, charity_admin):
    client = signed_in(charity_admin)
    _, codes = enrol(client)
    client.post("/signout")

    first = new_client()
    password_step(first, charity_admin, factories.password)
    assert first.post("/signin/code", data={"code": codes[0].lower()}).status_code == 302
    assert first.get("/me").status_code == 200

    again = new_client()
    password_step(again, charity_admin, factories.password)
    reused = again.post("/signin/code", data={"code": codes[0]})
    assert reused.status_code == 422
    assert again.get("/me").status_code == 302
    assert again.post("/signin/code", data={"code": codes[1]}).status_code == 302
    used = [code for code in session.get(User, charity_admin.id).recovery_codes if code.used_at]
    assert len(used) == 2
    assert all(codes[0] not in stored.code_hash for stored in session.query(RecoveryCode))


def test_a_platform_admin_without_two_factor_is_sent_to_set_it_up_first(signed_in, factories, session):
    admin = factories.user(is_platform_admin=True, totp_secret=None, totp_enabled_at=None)
    session.commit()
    client = signed_in(admin)
    for path in ("/admin", "/me", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    enrol(client)
    assert client.get("/admin").status_code == 200


def test_the_code_step_expires_and_cannot_be_reached_without_the_password(client, factories, session):
    assert client.get("/signin/code").headers["Location"] == "/signin"
    with client.session_transaction() as cookie:
        cookie["two_factor"] = {"user": 1, "keep": False, "at": 0, "next": "/me"}
    assert client.post("/signin/code", data={"code": "123456"}).headers["Location"] == "/signin"


def test_runners_have_no_two_factor_page(signed_in, factories, session):
    runner = factories.user()
    session.commit()
    assert signed_in(runner).get("/account/two-factor").status_code == 403
