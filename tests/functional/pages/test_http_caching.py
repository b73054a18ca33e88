"""Public pages carry ETag and Cache-Control: shared caches may keep them briefly for
anonymous visitors, never for someone signed in or who has just given; the donation
status JSON is never stored."""

from __future__ import annotations

import pytest

from fundraiser.donations import transitions
from fundraiser.extensions import db
from fundraiser.pages.caching import GAVE_COOKIE, renders


@pytest.fixture
def world(factories):
    cause = factories.cause()
    event = factories.event(causes=(cause,))
    team = factories.team()
    page = factories.page(event=event, cause=cause, team=team)
    urls = {
        "pledge": f"/{page.slug}",
        "event": f"/events/{event.slug}",
        "cause": f"/causes/{cause.slug}",
        "team": f"/teams/{team.slug}",
        "home": "/",
    }
    db.session.commit()
    return page, urls


def test_public_pages_send_an_etag_and_public_cache_control_to_anonymous_visitors(client, world):
    _, urls = world
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["ETag"], url
        assert response.headers["Cache-Control"] == "public, max-age=30", url
        assert "Cookie" in response.headers["Vary"], url
        assert "Set-Cookie" not in response.headers, url


def test_a_matching_if_none_match_gets_304_without_a_body(client, world):
    _, urls = world
    for url in urls.values():
        etag = client.get(url).headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.get_data() == b""
        assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_signed_in_visitors_get_private_no_cache(factories, signed_in, world):
    _, urls = world
    client = signed_in(factories.user())
    for url in urls.values():
        response = client.get(url)
        assert response.headers["Cache-Control"] == "private, no-cache", url
        assert response.headers["ETag"], url


def test_a_visitor_who_just_gave_gets_private_pages_and_a_no_store_status(client, world, pending_donation):
    page, urls = world
    donation = pending_donation(page, amount=2500)
    db.session.commit()

    thanks = client.get(f"/thank-you/{donation.public_id}")
    assert thanks.status_code == 200
    assert f"{GAVE_COOKIE}=1" in thanks.headers["Set-Cookie"]
    assert "no-store" in thanks.headers["Cache-Control"]

    status = client.get(f"/donations/{donation.public_id}/status")
    assert status.status_code == 200
    assert status.headers["Cache-Control"] == "no-store"

    assert client.get(urls["pledge"]).headers["Cache-Control"] == "private, no-cache"


def test_the_etag_changes_when_the_page_total_changes(client, world, pending_donation):
    page, urls = world
    donation = pending_donation(page, amount=2500)
    db.session.commit()
    before = {name: client.get(url).headers["ETag"] for name, url in urls.items()}

    transitions.mark_paid(
        db.session, transitions.lock_donation(db.session, donation.id), charge_id="ch_cache"
    )
    db.session.commit()
    db.session.expunge_all()

    for name, url in urls.items():
        response = client.get(url, headers={"If-None-Match": before[name]})
        assert response.status_code == 200, name
        assert response.headers["ETag"] != before[name], name
    assert "£25.00" in client.get(urls["pledge"]).get_data(as_text=True)


@pytest.fixture
def render_cache(app):
    """Turn on the per-worker render cache (off under TESTING) for one test."""
    app.config["PAGE_CACHE_SECONDS"] = 60
    renders.clear()
    yield
    app.config["PAGE_CACHE_SECONDS"] = 0
    renders.clear()


def test_the_render_cache_serves_anonymous_visitors_but_never_someone_who_just_gave(
    app, client, world, pending_donation, render_cache
):
    page, urls = world
    donation = pending_donation(page, amount=2500)
    db.session.commit()
    first = client.get(urls["pledge"])
    assert "£0.00" in first.get_data(as_text=True)

    transitions.mark_paid(
        db.session, transitions.lock_donation(db.session, donation.id), charge_id="ch_cache"
    )
    db.session.commit()
    db.session.expunge_all()

    anonymous = app.test_client().get(urls["pledge"])
    assert anonymous.get_data() == first.get_data()
    assert anonymous.headers["Cache-Control"] == "public, max-age=30"

    donor = app.test_client()
    donor.set_cookie(GAVE_COOKIE, "1")
    fresh = donor.get(urls["pledge"])
    assert "£25.00" in fresh.get_data(as_text=True)
    assert fresh.headers["Cache-Control"] == "private, no-cache"


def test_anonymous_pages_set_no_session_cookie_even_with_csrf_on(app, client, world):
    """A CSRF token made for an anonymous visitor would write the session and make the page
    uncacheable; the owner's forms are made only for the owner."""
    _, urls = world
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for url in urls.values():
            response = client.get(url)
            assert "Set-Cookie" not in response.headers, url
            assert response.headers["Cache-Control"] == "public, max-age=30", url
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
