"""A visitor gives 25.00 with the 4242 test card in Chromium, against localstripe, and sees
the gift confirmed and counted on the pledge page."""

from __future__ import annotations

import re

import pytest

from tests.stripe_fixtures import assert_money_adds_up

VERIFIED = "altcha-widget [data-state=verified], altcha-widget[data-state=verified]"


@pytest.mark.browser
def test_a_visitor_donates_and_sees_the_new_total(live_server, page, factories, session, localstripe):
    pledge = factories.page(title="Amara runs for Hot Meals")
    session.commit()
    localstripe.register_webhook(live_server.url + "/stripe/webhook")

    page.goto(f"{live_server.url}/{pledge.slug}")
    assert "£0.00" in page.locator(".totals .raised").inner_text()
    page.get_by_role("link", name="Donate", exact=True).click()

    page.get_by_role("radio", name="Other amount").check()
    page.locator("#other_amount").fill("25.00")
    page.get_by_label("Your full name").fill("Grace Giver")
    page.get_by_label("Email (for your receipt)").fill("grace@example.test")
    page.get_by_role("button", name="Continue to payment").click()

    assert page.locator("h1").inner_text() == "Pay for your gift"
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("LS1 4AP")
    page.get_by_role("button", name="Pay £25.00").click()

    page.wait_for_url(re.compile(r"/thank-you/[0-9a-f]{32}$"))
    page.locator("#donation-status[data-status=paid]").wait_for()
    assert "your gift of £25.00" in page.locator("#donation-status").inner_text()

    page.get_by_role("link", name=re.compile("^Back to Amara runs for Hot Meals")).click()
    assert "£25.00" in page.locator(".totals .raised").inner_text()
    assert "Grace Giver" in page.locator(".donor-wall").inner_text()
    assert page.csp_violations == [], "Stripe.js and our scripts run under the strict policy"
    assert_money_adds_up(session)


@pytest.mark.browser
def test_a_declined_card_is_explained_in_words(live_server, page, factories, session, localstripe):
    pledge = factories.page()
    session.commit()

    page.goto(f"{live_server.url}/{pledge.slug}/donate?amount=1000")
    page.get_by_label("Your full name").fill("Dan Decline")
    page.get_by_label("Email (for your receipt)").fill("dan@example.test")
    page.get_by_role("button", name="Continue to payment").click()
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4000000000000341")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    page.get_by_role("button", name="Pay £10.00").click()

    message = page.locator("#payment-message")
    message.filter(has_text="declined").wait_for()
    assert message.inner_text() == "Your card was declined."
    # The next card waits for the proof-of-work check, which the browser solves by itself.
    page.locator(VERIFIED).first.wait_for()
    assert page.get_by_role("button", name="Pay £10.00").is_enabled()


@pytest.mark.browser
def test_a_card_that_needs_3d_secure_is_challenged_then_paid(
    live_server, page, factories, session, localstripe
):
    pledge = factories.page()
    session.commit()
    localstripe.register_webhook(live_server.url + "/stripe/webhook")

    page.goto(f"{live_server.url}/{pledge.slug}/donate?amount=5000")
    page.get_by_label("Your full name").fill("Sam Secure")
    page.get_by_label("Email (for your receipt)").fill("sam@example.test")
    page.get_by_role("button", name="Continue to payment").click()
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4000002500003155")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    page.get_by_role("button", name="Pay £50.00").click()

    # localstripe asks once when the card is set up and again for the payment itself.
    page.get_by_role("button", name="Complete authentication").click()
    page.get_by_role("button", name="Complete authentication").click()

    page.wait_for_url(re.compile(r"/thank-you/[0-9a-f]{32}$"))
    page.locator("#donation-status[data-status=paid]").wait_for()
    assert "your gift of £50.00" in page.locator("#donation-status").inner_text()


@pytest.mark.browser
def test_after_a_decline_the_browser_solves_the_challenge_and_the_next_card_pays(
    live_server, page, factories, session, localstripe
):
    """The ALTCHA widget (vendored, no network) solves the proof of work in the donor's
    browser after a decline, and the second card pays the same gift."""
    pledge = factories.page()
    session.commit()
    localstripe.register_webhook(live_server.url + "/stripe/webhook")
    outside = []
    page.on(
        "request", lambda request: outside.append(request.url) if "127.0.0.1" not in request.url else None
    )

    page.goto(f"{live_server.url}/{pledge.slug}/donate?amount=1000")
    assert page.locator("altcha-widget").count() == 0, "no challenge while nothing is wrong"
    page.get_by_label("Your full name").fill("Chris Retry")
    page.get_by_label("Email (for your receipt)").fill("chris@example.test")
    page.get_by_role("button", name="Continue to payment").click()
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4000000000000341")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    pay = page.get_by_role("button", name="Pay £10.00")
    pay.click()

    page.locator("#payment-message").filter(has_text="declined").wait_for()
    page.locator(VERIFIED).first.wait_for()
    card.locator("input[placeholder=number]").fill("4242424242424242")
    assert pay.is_enabled()
    pay.click()

    page.wait_for_url(re.compile(r"/thank-you/[0-9a-f]{32}$"))
    page.locator("#donation-status[data-status=paid]").wait_for()
    assert "your gift of £10.00" in page.locator("#donation-status").inner_text()
    assert outside == []
    assert_money_adds_up(session)
