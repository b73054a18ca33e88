"""Security headers on every kind of response: pages, the donate form and the pay step,
dashboards, PDF and CSV downloads, JSON, static files, redirects and errors.

Sources: OWASP Secure Headers Project and ASVS 4.0 V14.4 (HTTP security headers); MDN's
Content-Security-Policy reference (`frame-ancestors`, `script-src`, fallback to
`default-src`); Stripe's integration security guide, section "Content Security Policy", for
the sources Stripe.js needs on the page that loads it."""

from __future__ import annotations

import re

import pytest
from flask import abort

from fundraiser.receipts.links import download_token
from fundraiser.security import STRIPE_SOURCES, headers_for
from tests.functional.production.conftest import PRODUCTION_SETTINGS
from tests.world import STORED_PHOTO, build_world, request_as

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-src": "'none'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {name: (rest[0] if rest else "") for name, *rest in directives}


def assert_secured(response, csp: dict[str, str] = STRICT) -> None:
    assert policy(response) == csp, response.headers.get("Content-Security-Policy")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers, "plain-HTTP development sends no HSTS"


@pytest.fixture
def world(app, factories):
    return build_world(app, factories)


def kinds(world) -> list[tuple[str, object, str, int, str]]:
    """(kind, who, path, status, content type) for each kind of response."""
    cause = world.ids["cause"]
    return [
        ("public page", None, f"/{world.page.slug}", 200, "text/html"),
        ("home", None, "/", 200, "text/html"),
        ("donate form", None, f"/{world.page.slug}/donate", 200, "text/html"),
        ("fee estimate JSON", None, f"/{world.page.slug}/donate/fee?amount=10", 200, "application/json"),
        ("thank-you page", None, f"/thank-you/{world.donation.public_id}", 200, "text/html"),
        ("status JSON", None, f"/donations/{world.donation.public_id}/status", 200, "application/json"),
        ("runner dashboard", world.owner, "/me", 200, "text/html"),
        ("charity dashboard", world.charity_admin, f"/causes/{cause}/dashboard", 200, "text/html"),
        ("CSV download", world.charity_admin, f"/causes/{cause}/reports/donations.csv", 200, "text/csv"),
        ("impact PDF", world.charity_admin, f"/causes/{cause}/reports/impact.pdf", 200, "application/pdf"),
        ("receipt PDF", None, f"/receipts/{download_token(world.receipt.id)}.pdf", 200, "application/pdf"),
        ("uploaded photo", None, f"/uploads/{STORED_PHOTO}", 200, "image/jpeg"),
        ("static file", None, "/static/css/site.css", 200, "text/css"),
        ("sign-in redirect", None, "/me", 302, "text/html"),
        ("not found", None, "/no-such-page-here", 404, "text/html"),
        ("forbidden", world.stranger, f"/causes/{cause}/dashboard", 403, "text/html"),
        ("health JSON", None, "/healthz", 200, "application/json"),
    ]


def test_every_kind_of_response_carries_the_strict_headers(app, world):
    seen = []
    for kind, who, path, status, content_type in kinds(world):
        response = request_as(app, who, path)
        assert response.status_code == status, (kind, response.status_code)
        assert response.mimetype == content_type, (kind, response.mimetype)
        assert_secured(response)
        seen.append(kind)
    assert len(seen) == 17


def test_a_webhook_answer_and_a_refused_post_carry_them_too(app, world, stripe_events):
    webhook = request_as(
        app, None, "/stripe/webhook", "POST", data=b"{}", headers={"Stripe-Signature": "t=1,v1=0"}
    )
    assert webhook.status_code == 400
    assert_secured(webhook)
    refused = request_as(app, None, f"/{world.page.slug}/donate", "POST", data={})
    assert refused.status_code == 422
    assert_secured(refused)


def test_an_unexpected_error_page_carries_them(build_app):
    variant = build_app(PROPAGATE_EXCEPTIONS=False)

    @variant.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    @variant.get("/teapot")
    def teapot():
        abort(418)

    response = variant.test_client().get("/boom")
    assert response.status_code == 500
    assert "a bug" not in response.get_data(as_text=True)
    assert_secured(response)
    assert_secured(variant.test_client().get("/teapot"))


def test_pages_have_no_inline_script_or_style_for_the_policy_to_block(app, world):
    """With `script-src 'self'` and `style-src 'self'` (no 'unsafe-inline'), an inline
    <script>, <style>, style="" or on...="" handler would be blocked: none may be left."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    for kind, who, path, _status, content_type in kinds(world):
        if content_type != "text/html":
            continue
        html = request_as(app, who, path).get_data(as_text=True)
        assert not inline.search(html), (kind, inline.search(html))


def test_the_pay_step_alone_lets_the_stand_in_stripe_js_in(app, factories, session, localstripe, client):
    page = factories.page()
    session.commit()
    form = client.get(f"/{page.slug}/donate")
    attempt = re.search(r'name="attempt" type="hidden" value="([0-9a-f]{32})"', form.get_data(as_text=True))
    pay = client.post(
        f"/{page.slug}/donate",
        data={
            "attempt": attempt.group(1),
            "amount_choice": "2500",
            "donor_name": "Ada Donor",
            "donor_email": "ada@example.com",
            "visibility": "named",
        },
    )
    assert pay.status_code == 200 and "Pay for your gift" in pay.get_data(as_text=True)
    stand_in = localstripe.url
    assert f'<script src="{stand_in}/js.stripe.com/v3/"></script>' in pay.get_data(as_text=True)
    assert_secured(
        pay,
        {
            **STRICT,
            "script-src": f"'self' {stand_in}",
            "connect-src": f"'self' {stand_in}",
            "frame-src": stand_in,
        },
    )
    # The next page, the donate form itself, is back to the strict policy.
    assert_secured(client.get(f"/{page.slug}/donate"))


def test_stripe_js_from_stripe_gets_the_sources_stripe_documents():
    """Stripe's guide: script-src https://js.stripe.com https://*.js.stripe.com; frame-src
    those and https://hooks.stripe.com (3-D Secure); connect-src https://api.stripe.com."""
    header = headers_for("https://js.stripe.com/v3/", 0).headers["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com https://*.js.stripe.com;" in header
    assert "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com;" in header
    assert "connect-src 'self' https://api.stripe.com;" in header
    assert STRIPE_SOURCES["connect"] == ("https://api.stripe.com",)


def test_production_sends_hsts_for_two_years(production_app):
    """HSTS (RFC 6797): production is served over HTTPS only, so browsers are told to
    refuse plain HTTP for two years (max-age=63072000); development sends none."""
    app = production_app(RATELIMIT_ENABLED=False)
    response = app.test_client().get("/healthz", base_url="https://give.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000"
    assert policy(response) == STRICT
    assert PRODUCTION_SETTINGS["PUBLIC_URL"] == "https://give.example.org"
