"""What real Stripe is sent and what it may send back: the pinned API version on every
call, the parameters the pinned SDK declares (allowed_payment_method_types, never
payment_method_types), webhooks of another API version, and signed JSON that is no event."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
import stripe
from sqlalchemy import func, select

from config import Config
from fundraiser.extensions import db
from fundraiser.models import StripeEvent
from fundraiser.payments.gateway import StripeGateway, api_version, get_gateway
from tests.stripe_fixtures import assert_money_adds_up


@pytest.fixture
def page(factories):
    return factories.page()


def test_the_api_version_defaults_to_the_pinned_sdks():
    """Stripe API reference, "Versioning": a client sends Stripe-Version; the default is the
    version stripe-python 16.1.0 was generated for."""
    assert Config.STRIPE_API_VERSION is None
    assert api_version({"STRIPE_API_VERSION": None}) == stripe.api_version == "2026-10-28.endive"
    assert api_version({"STRIPE_API_VERSION": "2026-09-30.dahlia"}) == "2026-09-30.dahlia"


def intent_answer(**fields):
    return {
        "id": "pi_recorded",
        "object": "payment_intent",
        "amount": 2500,
        "currency": "gbp",
        "status": "requires_payment_method",
        "client_secret": "pi_recorded_secret_x",
        **fields,
    }


def test_real_stripe_gets_allowed_payment_method_types_and_our_version(
    app, session, page, pending_donation, recording_stripe
):
    """Stripe API reference, "Create a PaymentIntent" (2026-10-28): `allowed_payment_method_types`;
    `payment_method_types` is no longer a parameter and would be answered 400."""
    donation = pending_donation(page, 2500)
    recording_stripe.answer("POST", "/v1/payment_intents", intent_answer())
    recording_stripe.answer("POST", "/v1/setup_intents", {"id": "seti_1", "client_secret": "seti_1_secret"})
    gateway = StripeGateway("sk_test_recorded", recording_stripe.url, version="2026-10-28.endive")

    handle = gateway.create_payment_intent(donation)
    gateway.create_setup_intent(donation)

    assert (handle.id, handle.status) == ("pi_recorded", "requires_payment_method")
    created, setup = recording_stripe.requests
    assert created.form["allowed_payment_method_types[0]"] == "card"
    assert setup.form["allowed_payment_method_types[0]"] == "card"
    assert not [name for name in created.form | setup.form if name.startswith("payment_method_types")]
    assert (created.form["amount"], created.form["currency"]) == ("2500", "gbp")
    assert created.form["receipt_email"] == donation.donor_email
    assert created.headers["idempotency-key"] == f"donation-{donation.public_id}-pi"
    assert setup.headers["idempotency-key"] == f"donation-{donation.public_id}-si"
    assert {request.headers["stripe-version"] for request in recording_stripe.requests} == {
        "2026-10-28.endive"
    }


def test_a_connect_gift_is_sent_to_its_connected_account(
    app, session, page, pending_donation, recording_stripe
):
    """Stripe API reference, "Making API calls for connected accounts": a direct charge's calls
    carry the `Stripe-Account` header (stripe-python's `stripe_account` request option), and
    the PaymentIntent the platform's fee (`application_fee_amount`); a platform call has none."""
    donation = pending_donation(page, 2500)
    donation.stripe_payment_intent_id = None
    donation.stripe_account_id, donation.platform_fee_amount = "acct_charity", 125
    recording_stripe.answer("POST", "/v1/payment_intents", intent_answer())
    recording_stripe.answer("POST", "/v1/payment_intents/pi_recorded", intent_answer(amount=3000))
    recording_stripe.answer(
        "POST", "/v1/payment_intents/pi_recorded/cancel", intent_answer(status="canceled")
    )
    recording_stripe.answer("GET", "/v1/disputes", {"object": "list", "data": [], "has_more": False})
    gateway = StripeGateway("sk_test_recorded", recording_stripe.url, version="2026-10-28.endive")

    gateway.create_payment_intent(donation)
    donation.amount, donation.charged_amount, donation.platform_fee_amount = 3000, 3000, 150
    gateway.change_payment_intent_amount(donation, intent_answer(), idempotency_key="change-1")
    gateway.cancel_payment_intent("pi_recorded", idempotency_key="cancel-1", stripe_account="acct_charity")
    list(gateway.list_disputes(datetime(2026, 11, 1, tzinfo=UTC), stripe_account="acct_charity"))
    list(gateway.list_disputes(datetime(2026, 11, 1, tzinfo=UTC)))

    created, changed, canceled, disputes, platform = recording_stripe.requests
    for request in (created, changed, canceled, disputes):
        assert request.headers["stripe-account"] == "acct_charity", request.path
    assert "stripe-account" not in platform.headers
    assert created.form["application_fee_amount"] == "125"
    assert (changed.form["amount"], changed.form["application_fee_amount"]) == ("3000", "150")
    assert (changed.headers["idempotency-key"], canceled.headers["idempotency-key"]) == (
        "change-1",
        "cancel-1",
    )


def test_the_setting_is_sent_on_every_call(app, recording_stripe):
    recording_stripe.answer("GET", "/v1/payment_intents/pi_1", intent_answer(id="pi_1"))
    recording_stripe.answer("GET", "/v1/refunds", {"object": "list", "data": [], "has_more": False})
    settings = {
        "STRIPE_SECRET_KEY": "sk_test_recorded",
        "STRIPE_API_BASE": recording_stripe.url,
        "STRIPE_STAND_IN": False,
        "STRIPE_API_VERSION": "2026-09-30.dahlia",
    }
    saved = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    try:
        gateway = get_gateway()
        assert isinstance(gateway, StripeGateway) and type(gateway) is StripeGateway
        gateway.retrieve_payment_intent("pi_1")
        gateway.list_charge_refunds("ch_1")
    finally:
        app.config.update(saved)
    assert [request.headers["stripe-version"] for request in recording_stripe.requests] == [
        "2026-09-30.dahlia"
    ] * 2


def signed_post(client, stripe_events, payload: bytes):
    return client.post(
        "/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": stripe_events.signature(payload), "Content-Type": "application/json"},
    )


@pytest.mark.parametrize("payload", [b"[1,2]", b"null", b'"x"', b"1", b"{}", b'{"id": "evt_1", "type": 5}'])
def test_signed_json_that_is_not_an_event_is_answered_400(session, client, stripe_events, payload):
    """Correctly signed (as Stripe signs: HMAC-SHA256 of "t.payload") but not an event object."""
    response = signed_post(client, stripe_events, payload)
    assert response.status_code == 400
    assert response.json["error"] == "bad payload"
    assert response.json["detail"].startswith("not a Stripe event")
    assert session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_signed_json_whose_data_is_not_an_object_is_answered_400(session, client, stripe_events):
    event = stripe_events.event("payment_intent.succeeded", {})
    event["data"] = {"object": [1, 2]}
    response = signed_post(client, stripe_events, json.dumps(event).encode())
    assert response.status_code == 400 and "data.object is not an object" in response.json["detail"]


def version_warnings(caplog):
    return [
        record
        for record in caplog.records
        if record.levelno == logging.WARNING and "API version" in record.getMessage()
    ]


def test_an_event_of_another_version_with_our_shape_is_applied_with_one_warning(
    session, client, page, stripe_events, pending_donation, caplog
):
    donation = pending_donation(page, 2500)
    session.commit()
    event = stripe_events.payment_intent(donation)
    event["api_version"] = "2025-03-31.basil"
    with caplog.at_level(logging.WARNING, logger="fundraiser.payments.webhooks"):
        response = stripe_events.deliver(client, event)
    assert response.status_code == 200 and response.json["status"] == "processed"
    (warning,) = version_warnings(caplog)
    assert "2025-03-31.basil" in warning.getMessage() and stripe.api_version in warning.getMessage()
    session.expire_all()
    assert donation.status == "paid"
    assert_money_adds_up(session)


def test_an_event_of_another_version_with_another_shape_is_recorded_not_applied(
    session, client, page, stripe_events, pending_donation, caplog
):
    donation = pending_donation(page, 2500)
    session.commit()
    event = stripe_events.payment_intent(donation, amount_received="2500")
    event["api_version"] = "2017-08-15"
    del event["data"]["object"]["currency"]
    with caplog.at_level(logging.WARNING, logger="fundraiser.payments.webhooks"):
        response = stripe_events.deliver(client, event)
    assert response.status_code == 200 and response.json["status"] == "ignored"
    assert "data.object.currency is missing" in response.json["detail"]
    assert "data.object.amount_received has type str" in response.json["detail"]
    assert len(version_warnings(caplog)) == 1
    session.expire_all()
    assert donation.status == "pending"
    assert db.session.get(StripeEvent, event["id"]).status == "ignored"
    again = stripe_events.deliver(client, event)
    assert again.json["status"] == "duplicate"
    assert_money_adds_up(session)


def test_an_event_of_our_version_is_handled_without_a_warning(
    session, client, page, stripe_events, pending_donation, caplog
):
    donation = pending_donation(page, 2500)
    session.commit()
    with caplog.at_level(logging.WARNING, logger="fundraiser.payments.webhooks"):
        assert stripe_events.deliver(client, stripe_events.payment_intent(donation)).status_code == 200
    assert version_warnings(caplog) == []
