"""A new runner, in real Chromium: signs up, confirms their email (only confirmed accounts
publish), makes and publishes a pledge page, and an
anonymous visitor in a fresh browser context opens it. Fields are found by their labels,
so the test also proves every field it uses has one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

TITLE = "Amara runs the Leeds 10K for hot meals"
SLUG = "amara-runs-leeds"
STORY = "I am running **ten kilometres** so that nobody in Leeds goes hungry this winter."


@pytest.fixture
def event_and_cause(factories, session):
    cause = factories.cause(country="GB", name="Hot Meals Leeds")
    event = factories.event(causes=(cause,), name="Leeds Autumn 10K")
    session.commit()
    return event.name, cause.name


@pytest.mark.browser
def test_a_new_runner_publishes_a_page_that_an_anonymous_visitor_can_read(
    live_server, page, browser, event_and_cause, output_dir, smtp_server
):
    event_name, cause_name = event_and_cause

    page.goto(live_server.url + "/signup")
    page.get_by_label("Your name").fill("Amara Okafor")
    page.get_by_label("Email").fill("amara@example.com")
    page.get_by_label("Password").fill("a-long-runner-password")
    page.get_by_role("button", name="Create account").click()
    # Sign-up answers the same whether or not the address had an account, so it signs nobody in.
    expect(page).to_have_url(re.compile(r"/signin\?next=/pages/new$"))
    page.get_by_label("Email").fill("amara@example.com")
    page.get_by_label("Password").fill("a-long-runner-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/pages/new$"))
    (welcome,) = smtp_server.messages
    link = re.search(r"https?://\S+/confirm/\S+", welcome.get_body(("plain",)).get_content()).group(0)
    page.goto(live_server.url + link[link.index("/confirm/") :])
    page.goto(live_server.url + "/pages/new")

    page.get_by_label("Event", exact=True).select_option(label=event_name)
    page.get_by_label("Cause", exact=True).select_option(label=f"{cause_name} (GB)")
    page.get_by_label("Page title").fill(TITLE)
    page.get_by_label("Web address").fill(SLUG)
    page.get_by_label("Your story").fill(STORY)
    page.get_by_label("Target", exact=True).fill("250")
    page.get_by_label("Publish it now").check()
    page.get_by_role("button", name="Create page").click()
    expect(page).to_have_url(re.compile(rf"/{SLUG}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    visitor_context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        visitor = visitor_context.new_page()
        visitor.set_default_timeout(15_000)
        visitor.goto(f"{live_server.url}/{SLUG}")
        expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(visitor.locator("strong", has_text="ten kilometres")).to_be_visible()
        expect(visitor.get_by_text("so that nobody in Leeds goes hungry")).to_be_visible()
        expect(visitor.get_by_role("link", name="Sign in")).to_be_visible()
        shot = output_dir / "runner_journey_public_page.png"
        visitor.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 1000
    finally:
        visitor_context.close()
