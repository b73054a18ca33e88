"""Who may put a page in front of donors. Tried: a new unconfirmed account published three
pages that took gifts within seconds. Now only accounts that confirmed their email publish,
and a cause may hold a new runner's first page until one of its admins approves it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from fundraiser.models import Cause, PledgePage
from tests.functional.pages.test_causes import cause_form, sign_in_as
from tests.functional.pages.test_pledge_pages import page_form

CONFIRMED = datetime(2026, 1, 5, tzinfo=UTC)


def status_of(session, slug: str) -> str | None:
    session.expire_all()
    return session.scalar(select(PledgePage.status).where(PledgePage.slug == slug))


def test_an_unconfirmed_account_cannot_publish(factories, session, signed_in, new_client):
    cause = factories.cause()
    event = factories.event(causes=(cause,))
    runner = factories.user()
    draft = factories.page(runner=runner, event=event, cause=cause, status="draft", slug="not-yet")
    session.commit()
    client = signed_in(runner)

    created = client.post("/pages/new", data=page_form(event, cause, slug="straight-live"))
    published = client.post("/not-yet/publish", follow_redirects=True)
    saved_as_draft = client.post("/pages/new", data=page_form(event, cause, slug="a-draft", status="draft"))

    assert created.status_code == 422
    assert "Confirm your email address before you publish" in created.get_data(as_text=True)
    assert status_of(session, "straight-live") is None
    assert "Confirm your email address before you publish" in published.get_data(as_text=True)
    assert status_of(session, draft.slug) == "draft"
    assert new_client().get("/not-yet/donate").status_code == 404
    assert saved_as_draft.status_code == 302 and status_of(session, "a-draft") == "draft"


def test_a_confirmed_runner_publishes_at_once_where_the_cause_does_not_ask_for_approval(
    factories, session, signed_in, new_client
):
    cause = factories.cause()
    event = factories.event(causes=(cause,))
    runner = factories.user(email_confirmed_at=CONFIRMED)
    session.commit()

    response = signed_in(runner).post("/pages/new", data=page_form(event, cause, slug="live-now"))

    assert response.status_code == 302
    assert status_of(session, "live-now") == "published"
    assert new_client().get("/live-now/donate").status_code == 200


def test_a_new_runners_first_page_waits_for_the_charitys_approval(factories, session, new_client):
    charity_admin = factories.user()
    other_admin = factories.user()
    cause = factories.cause(admins=(charity_admin,), approves_first_pages=True)
    factories.cause(admins=(other_admin,))
    event = factories.event(causes=(cause,))
    runner = factories.user(email_confirmed_at=CONFIRMED)
    session.commit()
    client = sign_in_as(new_client, factories, runner)

    created = client.post(
        "/pages/new", data=page_form(event, cause, slug="first-page"), follow_redirects=True
    )

    html = created.get_data(as_text=True)
    assert status_of(session, "first-page") == "awaiting"
    assert f"waiting for {cause.name} to approve it" in html
    assert f"This page is awaiting approval by {cause.name}" in html
    assert "Approve this page" not in html
    visitor = new_client()
    assert visitor.get("/first-page").status_code == 404
    assert visitor.get("/first-page/donate").status_code == 404
    assert "Awaiting approval" in client.get("/me").get_data(as_text=True)
    assert sign_in_as(new_client, factories, other_admin).post("/first-page/approve").status_code == 403
    assert client.post("/first-page/approve").status_code == 403, "a runner cannot approve their own page"

    admin = sign_in_as(new_client, factories, charity_admin)
    assert "Approve this page" in admin.get("/first-page").get_data(as_text=True)
    assert admin.post("/first-page/approve").status_code == 302

    assert status_of(session, "first-page") == "published"
    assert visitor.get("/first-page/donate").status_code == 200
    # Approved once, the runner's next page goes live without waiting.
    client.post("/pages/new", data=page_form(event, cause, slug="second-page", title="Second go"))
    assert status_of(session, "second-page") == "published"


def test_a_charity_admin_asks_for_approval_in_the_cause_settings(factories, session, signed_in):
    charity_admin = factories.user()
    cause = factories.cause(admins=(charity_admin,), slug="careful-cause")
    session.commit()
    admin = signed_in(charity_admin)

    saved = admin.post(
        "/causes/careful-cause/edit", data=cause_form(slug="careful-cause", approves_first_pages="y")
    )

    assert saved.status_code == 302
    session.expire_all()
    assert session.get(Cause, cause.id).approves_first_pages is True
    form = admin.get("/causes/careful-cause/edit").get_data(as_text=True)
    assert re.search(
        r'<input checked id="approves_first_pages" name="approves_first_pages" type="checkbox"', form
    )
