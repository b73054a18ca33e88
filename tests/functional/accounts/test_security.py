"""Rate limits, cookie flags and CSRF, each proved on an app built with that setting on."""

from __future__ import annotations

import re

from config import ProductionConfig


def scrape_csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "the form carries a CSRF token"
    return match.group(1)


def test_the_eleventh_failing_sign_in_within_a_minute_gets_429(app_with, factories, session):
    limited = app_with(RATELIMIT_ENABLED=True, SIGNIN_RATE_LIMIT="10/minute")
    user = factories.user()
    session.commit()
    client = limited.test_client()
    for attempt in range(10):
        # Other addresses each time: one account's own back-off is tested in test_throttling.
        email = f"guess-{attempt}@example.test"
        response = client.post("/signin", data={"email": email, "password": f"wrong-{attempt}"})
        assert response.status_code == 422, attempt
    response = client.post("/signin", data={"email": user.email, "password": "wrong-again"})
    assert response.status_code == 429
    response = client.post("/signin", data={"email": user.email, "password": factories.password})
    assert response.status_code == 429, "the right password does not lift the limit early"
    assert client.get("/signin").status_code == 200, "only attempts are limited, not the form"


def test_session_cookie_is_httponly_and_samesite_lax(client, factories, session):
    user = factories.user()
    session.commit()
    response = client.post("/signin", data={"email": user.email, "password": factories.password})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_config_marks_cookies_secure():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_a_production_app_sends_the_session_cookie_secure_only(app_with, factories, session):
    production = app_with(
        ProductionConfig,
        SECRET_KEY="a-production-secret-of-32-or-more-characters",
        PUBLIC_URL="https://localhost",
        MAIL_SERVER="127.0.0.1",
        REDIS_URL="redis://127.0.0.1:9/0",
        RECEIPT_SIGNING_CERT="/etc/receipts/cert.pem",
        RECEIPT_SIGNING_KEY="/etc/receipts/key.pem",
        TESTING=True,
    )
    user = factories.user()
    session.commit()
    client = production.test_client()
    form = client.get("/signin", base_url="https://localhost")
    token = scrape_csrf_token(form.get_data(as_text=True))
    response = client.post(
        "/signin",
        base_url="https://localhost",
        data={"email": user.email, "password": factories.password, "csrf_token": token},
        headers={"Referer": "https://localhost/signin"},
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_refuses_a_post_without_the_token_and_accepts_the_scraped_one(app_with, factories, session):
    protected = app_with(WTF_CSRF_ENABLED=True)
    user = factories.user()
    session.commit()
    client = protected.test_client()

    response = client.post("/signin", data={"email": user.email, "password": factories.password})
    assert response.status_code == 400
    response = client.post(
        "/signin", data={"email": user.email, "password": factories.password, "csrf_token": "forged"}
    )
    assert response.status_code == 400

    token = scrape_csrf_token(client.get("/signin").get_data(as_text=True))
    response = client.post(
        "/signin", data={"email": user.email, "password": factories.password, "csrf_token": token}
    )
    assert response.status_code == 302
    assert client.get("/me").status_code == 200

    assert client.post("/signout").status_code == 400, "sign-out is a form too"
    assert client.get("/me").status_code == 200
    token = scrape_csrf_token(client.get("/me").get_data(as_text=True))
    assert client.post("/signout", data={"csrf_token": token}).status_code == 302
    assert client.get("/me").status_code == 302


def test_csrf_also_guards_sign_up(app_with, session):
    protected = app_with(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    data = {"name": "Lee", "email": "lee@example.com", "password": "long-enough-pw"}
    assert client.post("/signup", data=data).status_code == 400
    token = scrape_csrf_token(client.get("/signup").get_data(as_text=True))
    assert client.post("/signup", data={**data, "csrf_token": token}).status_code == 302


def test_password_reset_requests_are_rate_limited_too(app_with, factories, session):
    limited = app_with(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    for attempt in range(5):
        assert client.post("/reset", data={"email": f"nobody{attempt}@example.com"}).status_code == 302
    assert client.post("/reset", data={"email": "nobody@example.com"}).status_code == 429


def test_production_refuses_to_start_on_the_development_secret_however_it_is_chosen(app_with):
    """Given as a class to create_app (as tests and wsgi wrappers do), production still runs
    its start-up checks: the development SECRET_KEY would let anyone forge sessions."""
    import pytest

    from config import Config

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        app_with(ProductionConfig, SECRET_KEY=Config.SECRET_KEY_DEFAULT, TESTING=True)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        app_with(ProductionConfig, SECRET_KEY="", TESTING=True)


def test_production_refuses_to_start_without_a_receipt_signing_certificate(app_with):
    """CRA, "Computer-generated receipts": emailed receipts must be non-alterable; production
    certifies them with its own certificate, never the self-signed development one."""
    import pytest

    with pytest.raises(RuntimeError, match="RECEIPT_SIGNING_CERT"):
        app_with(ProductionConfig, SECRET_KEY="a-production-secret", TESTING=True)
