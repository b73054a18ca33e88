"""Card testing: criminals check stolen cards through donate forms, from many addresses, many
cards a donation. Each attack the security review tried (issue 14) is a test here; they run
against localstripe over HTTP, with the challenge solved as a browser would (the altcha
package's own solver), and the alert sent to a real SMTP server."""

from __future__ import annotations

import base64
import json
import logging
import uuid

import altcha
import pytest
from sqlalchemy import func, select

from fundraiser.models import Donation
from tests.functional.donations.conftest import DonateForm, solve, widget_challenge
from tests.stripe_fixtures import CARDS

DECLINING = CARDS["declined"]  # attaches, then its charge is declined


def start_gift(app, page, **fields):
    """A new browser opens the donate form and posts a valid gift; the form and the answer."""
    form = DonateForm(app.test_client(), page.slug)
    return form, form.post(**fields)


def pay(client, donation_id: str, payment_method: str, altcha_payload: str | None = None):
    body = {"payment_method": payment_method}
    if altcha_payload is not None:
        body["altcha"] = altcha_payload
    return client.post(f"/donations/{donation_id}/pay", json=body)


def intents_of(session, page) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count()).where(
            Donation.page_id == page.id, Donation.stripe_payment_intent_id.is_not(None)
        )
    )


@pytest.fixture
def settings(app, monkeypatch):
    """`settings(NAME=value)`: change the app's settings for this test only."""
    return lambda **values: [monkeypatch.setitem(app.config, key, value) for key, value in values.items()]


def test_ten_declined_cards_on_one_donation_reach_stripe_only_three_times(
    factories, session, app, localstripe, settings
):
    """Tried: one donation took 10 declined cards in about 2 s. Now the donation takes 3 card
    attempts (the 2nd and 3rd after a solved challenge), then the donor must start again."""
    settings(CARD_DECLINE_LIMIT="100/hour")  # ten different cards: the per-card limit stays out of it
    page = factories.page()
    session.commit()
    form, started = start_gift(app, page)
    assert started.status_code == 200
    public_id = form.data["attempt"]

    answers, payload = [], None
    for _ in range(10):
        answer = pay(form.client, public_id, localstripe.payment_method(DECLINING), payload)
        body = answer.get_json()
        answers.append((answer.status_code, body["error"]))
        payload = solve(body["challenge"]) if "challenge" in body else None

    declined = (402, "Your card was declined.")
    closed = (429, "This gift has had 3 cards tried, so it is closed. Please start again.")
    assert answers == [declined] * 3 + [closed] * 7
    session.expire_all()
    donation = session.scalar(select(Donation).where(Donation.public_id == public_id))
    assert donation.card_attempts == 3
    # Starting again, this browser is asked for the challenge on the donate form.
    again = DonateForm(form.client, page.slug)
    assert widget_challenge(again.html)


def test_after_a_decline_the_next_card_needs_a_solved_challenge(factories, session, app, localstripe):
    page = factories.page()
    session.commit()
    form, _ = start_gift(app, page)
    public_id = form.data["attempt"]
    first = pay(form.client, public_id, localstripe.payment_method(DECLINING)).get_json()

    unsolved = pay(form.client, public_id, localstripe.payment_method("visa"))
    forged = pay(form.client, public_id, localstripe.payment_method("visa"), "e30=")
    solved = pay(form.client, public_id, localstripe.payment_method("visa"), solve(first["challenge"]))

    assert unsolved.status_code == forged.status_code == 403
    assert "automatic check" in unsolved.get_json()["error"]
    assert unsolved.get_json()["challenge"]
    assert solved.status_code == 200 and solved.get_json()["status"] == "succeeded"


def test_a_card_declined_three_times_is_refused_on_any_donation(factories, session, app, localstripe):
    """Declines are counted per card by Stripe's `card.fingerprint` (the same number gives the
    same fingerprint on every PaymentMethod: Stripe API reference, PaymentMethod object)."""
    pages = [factories.page() for _ in range(4)]
    session.commit()

    answers = []
    for page in pages:
        form, _ = start_gift(app, page)
        answer = pay(form.client, form.data["attempt"], localstripe.payment_method(DECLINING))
        answers.append((answer.status_code, answer.get_json()["error"]))

    assert answers[:3] == [(402, "Your card was declined.")] * 3
    assert answers[3][0] == 402 and "declined several times lately" in answers[3][1]
    other_card = localstripe.payment_method("visa")
    form, _ = start_gift(app, pages[0])
    assert pay(form.client, form.data["attempt"], other_card).get_json()["status"] == "succeeded"


def test_many_addresses_on_one_page_are_stopped_by_its_decline_count(
    factories, session, app, localstripe, settings
):
    """Tried: 8 addresses on one page made 60 PaymentIntents a minute. Now, after
    PAGE_DECLINE_LIMIT declines the page asks every donor for a challenge, so a tester who
    does not solve one makes no more PaymentIntents, whatever address they come from."""
    settings(PAGE_DECLINE_LIMIT="3/hour", CARD_DECLINE_LIMIT="100/hour")
    page = factories.page()
    session.commit()

    statuses = []
    for n in range(8):
        form = DonateForm(app.test_client(), page.slug)  # a new browser: no cookie, no decline
        form.client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
        answer = form.post()
        statuses.append(answer.status_code)
        if answer.status_code == 200:
            pay(form.client, form.data["attempt"], localstripe.payment_method(DECLINING))

    assert statuses == [200] * 3 + [422] * 5
    assert intents_of(session, page) == 3
    # A real donor still gives: their browser solves the challenge the form now carries.
    donor = DonateForm(app.test_client(), page.slug)
    assert donor.post(altcha=solve(widget_challenge(donor.html))).status_code == 200
    assert intents_of(session, page) == 4


def test_a_decline_spike_switches_the_challenge_on_everywhere_and_alerts_the_admins(
    factories, session, app, localstripe, settings, smtp_server, caplog
):
    settings(PLATFORM_DECLINE_LIMIT="3 per 10 minutes", CARD_DECLINE_LIMIT="100/hour")
    admin = factories.user(is_platform_admin=True, email="ops@example.test")
    pages = [factories.page() for _ in range(5)]
    quiet = factories.page()
    session.commit()
    assert widget_challenge(DonateForm(app.test_client(), quiet.slug).html) is None

    with caplog.at_level(logging.ERROR, logger="fundraiser.donations.card_testing"):
        for page in pages:
            form, answer = start_gift(app, page, altcha=None)
            if answer.status_code == 200:
                pay(form.client, form.data["attempt"], localstripe.payment_method(DECLINING))

    fresh = DonateForm(app.test_client(), quiet.slug)
    challenge = widget_challenge(fresh.html)
    assert challenge, "during a spike every donate form carries the challenge"
    assert fresh.post().status_code == 422
    assert "automatic check" in fresh.post().get_data(as_text=True)
    assert fresh.post(altcha=solve(challenge)).status_code == 200
    alerts = [r.getMessage() for r in caplog.records if "Card testing suspected" in r.getMessage()]
    assert len(alerts) == 1, "one alert a spike, not one a decline"
    (mail,) = smtp_server.messages
    assert mail["To"] == admin.email
    assert "card testing suspected" in mail["Subject"]
    assert "3 per 10 minutes" in mail.get_content()


def test_the_challenge_is_refused_when_missing_forged_or_replayed(
    factories, session, app, localstripe, settings
):
    settings(PAGE_DECLINE_LIMIT="1/hour")
    page = factories.page()
    session.commit()
    from fundraiser.donations import card_testing

    card_testing.record_decline(page.slug, "fingerprint-1")
    form = DonateForm(app.test_client(), page.slug)
    challenge = widget_challenge(form.html)
    assert challenge
    good = solve(challenge)
    decoded = json.loads(base64.b64decode(good))
    decoded["challenge"]["parameters"]["cost"] = 1
    tampered = base64.b64encode(json.dumps(decoded).encode()).decode()
    unsigned = altcha.create_challenge("PBKDF2/SHA-256", 10, hmac_secret="someone else's key")
    foreign = altcha.Payload(unsigned, altcha.solve_challenge(unsigned)).to_base64()

    answers = [
        form.post(altcha=None).status_code,
        form.post(altcha="not base64 at all").status_code,
        form.post(altcha="A" * 10_000).status_code,
        form.post(altcha=tampered).status_code,
        form.post(altcha=foreign).status_code,
        form.post(altcha=good).status_code,
        DonateForm(app.test_client(), page.slug).post(altcha=good).status_code,
    ]

    assert answers == [422, 422, 422, 422, 422, 200, 422], "the last one replays a used solution"


def test_a_flood_of_empty_posts_does_not_close_a_page_to_real_donors(
    factories, session, app, variant_app, localstripe
):
    """Tried: 70 posts with only a CSRF token from many addresses got a real donor a 429.
    Now the per-page limit counts only posts that made a PaymentIntent."""
    page = factories.page()
    session.commit()
    stripe = {key: app.config[key] for key in app.config if key.startswith("STRIPE_")}
    app = variant_app(
        RATELIMIT_ENABLED=True,
        DONATION_RATE_LIMIT="1000/minute",
        DONATION_PAGE_RATE_LIMIT="60/minute",
        **stripe,
    )
    client = app.test_client()

    flood = [
        client.post(f"/{page.slug}/donate", data={}, environ_base={"REMOTE_ADDR": f"198.51.100.{n % 200}"})
        for n in range(70)
    ]
    donor = DonateForm(app.test_client(), page.slug).post()

    assert {answer.status_code for answer in flood} == {422}
    assert donor.status_code == 200


def test_a_page_makes_at_most_its_limit_of_payment_intents(factories, session, app, localstripe, settings):
    settings(DONATION_PAGE_RATE_LIMIT="2/minute")
    page = factories.page()
    session.commit()

    answers = [start_gift(app, page)[1] for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert "too many donation attempts right now" in answers[2].get_data(as_text=True)
    assert intents_of(session, page) == 2


def test_donors_see_no_challenge_when_nothing_is_wrong(factories, session, client):
    page = factories.page()
    session.commit()

    html = client.get(f"/{page.slug}/donate").get_data(as_text=True)

    assert "altcha" not in html


def test_counts_are_shared_through_redis_and_an_outage_is_no_500(factories, session, variant_app, caplog):
    """With REDIS_URL the counts are Redis's, so every worker (here: two apps) sees them;
    with Redis unreachable they fall back to memory with one warning line, never a 500."""
    from fundraiser.donations import card_testing

    page = factories.page(slug=f"redis-{uuid.uuid4().hex[:12]}")  # Redis outlives this run
    session.commit()
    settings = {"PAGE_DECLINE_LIMIT": "2/hour", "REDIS_URL": "redis://127.0.0.1:6379/15"}
    first, second = variant_app(**settings), variant_app(**settings)
    with first.app_context():
        card_testing.record_decline(page.slug, "fingerprint-a")
        card_testing.record_decline(page.slug, "fingerprint-b")
    try:
        with second.app_context():
            assert card_testing.challenge_required(page.slug, declined_before=False)
    finally:
        with first.app_context():
            card_testing.reset()

    down = variant_app(REDIS_URL="redis://127.0.0.1:9/0")
    with caplog.at_level(logging.WARNING, logger="fundraiser.donations.card_testing"):
        response = down.test_client().get(f"/{page.slug}/donate")
    assert response.status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "fundraiser.donations.card_testing"]
    assert len(warnings) == 1 and "in this process's memory" in warnings[0]
