"""`flask stripe-sync` repairs disputes the webhooks missed. localstripe has no disputes, so
the real-Stripe gateway lists them, through the SDK, from a recording stand-in of Stripe's
API (tests/recording_stripe.py); the repair runs the webhook's own dispute functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from fundraiser.models import Dispute
from tests.stripe_fixtures import assert_money_adds_up, charge_id_for

EMPTY = {"object": "list", "data": [], "has_more": False}


@pytest.fixture
def page(factories):
    return factories.page()


@pytest.fixture
def real_gateway_at(app, recording_stripe):
    settings = {
        "STRIPE_SECRET_KEY": "sk_test_recorded",
        "STRIPE_API_BASE": recording_stripe.url,
        "STRIPE_STAND_IN": False,
    }
    saved = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    recording_stripe.answer("GET", "/v1/payment_intents", EMPTY)
    recording_stripe.answer("GET", "/v1/refunds", EMPTY)
    yield recording_stripe
    app.config.update(saved)


def dispute(donation, dispute_id: str, status: str, amount: int | None = None) -> dict:
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": donation.charged_amount if amount is None else amount,
        "charge": donation.stripe_charge_id or charge_id_for(donation),
        "payment_intent": donation.stripe_payment_intent_id,
        "currency": donation.currency.lower(),
        "reason": "fraudulent",
        "status": status,
        "created": 1764800000,
    }


def sync(app) -> list[str]:
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    result = app.test_cli_runner().invoke(args=["stripe-sync", "--since", today])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def paid(session, client, stripe_events, pending_donation, page, amount: int):
    donation = pending_donation(page, amount)
    session.commit()
    assert stripe_events.deliver(client, stripe_events.payment_intent(donation)).status_code == 200
    session.expire_all()
    assert donation.status == "paid"
    return donation


def test_sync_opens_and_closes_disputes_the_webhooks_missed_once(
    app, session, client, page, stripe_events, pending_donation, real_gateway_at
):
    """Stripe API reference, "List all disputes" (created[gte]) and "The Dispute object":
    `warning_*` statuses are inquiries that withdraw nothing; `won` and `lost` are closed."""
    missed_open, missed_both, known_then_won, inquiry = (
        paid(session, client, stripe_events, pending_donation, page, amount)
        for amount in (1000, 2000, 3000, 4000)
    )
    opened = stripe_events.dispute(
        known_then_won, "charge.dispute.created", dispute_id="dp_won", status="needs_response"
    )
    assert stripe_events.deliver(client, opened).json["status"] == "processed"
    session.expire_all()
    assert page.raised_amount == 10000 - 3000
    unknown = dispute(missed_open, "dp_unknown", "needs_response")
    unknown.update(charge="ch_not_ours", payment_intent="pi_not_ours")
    real_gateway_at.answer(
        "GET",
        "/v1/disputes",
        {
            "object": "list",
            "has_more": False,
            "data": [
                dispute(missed_open, "dp_open", "needs_response"),
                dispute(missed_both, "dp_lost", "lost", amount=500),
                dispute(known_then_won, "dp_won", "won"),
                dispute(inquiry, "dp_inquiry", "warning_needs_response"),
                unknown,
            ],
        },
    )

    first = sync(app)

    assert first[-1] == "3 change(s)."
    assert f"dispute dp_open opened on donation {missed_open.public_id}" in first
    assert f"dispute dp_lost lost on donation {missed_both.public_id}" in first
    assert f"dispute dp_won won on donation {known_then_won.public_id}" in first
    stored = {d.stripe_dispute_id: (d.status, d.amount) for d in session.scalars(select(Dispute))}
    assert stored == {"dp_open": ("open", 1000), "dp_lost": ("lost", 500), "dp_won": ("won", 3000)}
    session.expire_all()
    assert page.raised_amount == 10000 - 1000 - 500
    assert sync(app) == ["0 change(s)."]
    listed = [r for r in real_gateway_at.requests if r.path == "/v1/disputes"]
    since = int(datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
    assert listed[0].query == {"created[gte]": str(since), "limit": "100"}
    assert_money_adds_up(session)
