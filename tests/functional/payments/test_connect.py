"""PAYMENTS_MODE=connect end to end over HTTP: a charity admin connects a cause through
Stripe-hosted onboarding (the Connect stand-in), donors give through the donate form, every
call about the gift carries the cause's connected account, refunds go to that account, and
Connect webhooks are routed by their `account` field.

Sources: Stripe docs, "Direct charges" (the `Stripe-Account` header on every call about the
charge; `application_fee_amount`), "Connect onboarding with Account Links" (refresh_url,
return_url; retrieve the account on return), "Handle account.updated" (`charges_enabled`,
`requirements`), "Connect webhooks" (the event's `account` field).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from fundraiser.donations.fees import fee_cover, platform_fee
from fundraiser.extensions import db
from fundraiser.models import Cause, CauseAdmin, Donation, StripeEvent
from fundraiser.models.columns import utcnow
from tests.connect_fixtures import assert_money_adds_up_per_account
from tests.functional.donations.conftest import DonateForm
from tests.functional.payments.test_localstripe import wait_for
from tests.stripe_fixtures import assert_money_adds_up

FEE_BPS = 250


@pytest.fixture
def page(factories):
    cause = factories.cause(platform_fee_bps=FEE_BPS)
    return factories.page(cause=cause)


@pytest.fixture
def charity_admin(factories, page):
    admin = factories.user()
    db.session.add(CauseAdmin(user_id=admin.id, cause_id=page.cause_id))
    db.session.commit()
    return admin


def cause_of(page) -> Cause:
    db.session.expire_all()
    return db.session.get(Cause, page.cause_id)


def connect_cause(client, stand_in, page) -> str:
    """What the charity admin does: Connect with Stripe, complete onboarding, come back."""
    cause = cause_of(page)
    started = client.post(f"/causes/{cause.slug}/payments/connect")
    assert started.status_code == 302
    assert started.headers["Location"].startswith(stand_in.url + "/connect/onboarding/")
    back = stand_in.onboard(started.headers["Location"])
    assert back == f"http://localhost/causes/{cause.slug}/payments/return"
    returned = client.get(back.removeprefix("http://localhost"))
    assert returned.status_code == 302
    return cause_of(page).stripe_account_id


def give(client, stand_in, page, amount: str = "40") -> Donation:
    """A donor fills in the donate form, then the pay step confirms with a test card."""
    answer = DonateForm(client, page.slug).post(amount_choice="other", other_amount=amount)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    donation = db.session.scalars(select(Donation).order_by(Donation.id.desc())).first()
    paid = client.post(
        f"/donations/{donation.public_id}/pay", json={"payment_method": stand_in.payment_method()}
    )
    assert paid.status_code == 200 and paid.json["status"] == "succeeded", paid.get_data(as_text=True)
    return donation


def test_a_cause_is_onboarded_then_takes_direct_charges_with_its_fee(
    session, page, charity_admin, signed_in, connect_stand_in, live_server
):
    connect_stand_in.register_webhook(f"{live_server.url}/stripe/webhook")
    client = signed_in(charity_admin)
    cause = cause_of(page)
    settings = client.get(f"/causes/{cause.slug}/payments").get_data(as_text=True)
    assert "Connect with Stripe" in settings and 'id="not-connected"' in settings
    assert "not accepting donations yet" in client.get(f"/{page.slug}").get_data(as_text=True)
    refused = client.get(f"/{page.slug}/donate")
    assert refused.status_code == 200 and 'id="not-accepting"' in refused.get_data(as_text=True)
    assert client.post(f"/{page.slug}/donate", data={"amount_choice": "2500"}).status_code == 409

    account = connect_cause(client, connect_stand_in, page)
    assert account.startswith("acct_")
    cause = cause_of(page)
    assert (cause.stripe_charges_enabled, cause.stripe_payouts_enabled, cause.stripe_details_submitted) == (
        True,
        True,
        True,
    )
    shown = client.get(f"/causes/{cause.slug}/payments").get_data(as_text=True)
    assert account in shown and "2.5% of each gift" in shown and "Connect with Stripe" not in shown
    form = client.get(f"/{page.slug}/donate").get_data(as_text=True)
    assert "keeps 2.5% of each gift" in form

    donation = give(client, connect_stand_in, page, "40")
    session.expire_all()
    assert (donation.stripe_account_id, donation.platform_fee_amount) == (
        account,
        platform_fee(4000, FEE_BPS),
    )
    intent = connect_stand_in.get(f"/v1/payment_intents/{donation.stripe_payment_intent_id}", account=account)
    assert (intent["amount"], intent["application_fee_amount"]) == (4000, 100)
    hidden = connect_stand_in.http.get(
        f"{connect_stand_in.url}/v1/payment_intents/{donation.stripe_payment_intent_id}", timeout=10
    )
    assert hidden.status_code == 404  # not the platform's charge: the charity's own
    assert wait_for(lambda: db.session.get(Donation, donation.id).status == "paid")
    paid_event = db.session.scalar(
        select(StripeEvent).where(
            StripeEvent.object_id == donation.stripe_payment_intent_id,
            StripeEvent.type == "payment_intent.succeeded",
        )
    )
    assert paid_event.payload["account"] == account and paid_event.status == "processed"
    dashboard = client.get(f"/causes/{cause.slug}/dashboard").get_data(as_text=True)
    assert 'id="platform-fees-GBP">£1.00<' in dashboard
    assert_money_adds_up(db.session)
    assert_money_adds_up_per_account(db.session, connect_stand_in)


def test_refunds_go_to_the_connected_account(
    app, session, page, charity_admin, signed_in, connect_stand_in, live_server
):
    connect_stand_in.register_webhook(f"{live_server.url}/stripe/webhook")
    client = signed_in(charity_admin)
    account = connect_cause(client, connect_stand_in, page)
    donation = give(client, connect_stand_in, page, "25")
    assert wait_for(lambda: db.session.get(Donation, donation.id).status == "paid")
    donation = db.session.get(Donation, donation.id)
    # The same refund sent on the platform's account, where the charge is not, fails as on Stripe.
    wrong = connect_stand_in.post("/v1/refunds", payment_intent=donation.stripe_payment_intent_id, amount=100)
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "resource_missing")
    url = f"/donations/{donation.public_id}/refund"
    answer = client.post(
        url, data={"amount": "5.00", "reason": "Asked for part back", "request_id": uuid.uuid4().hex}
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Donation, donation.id).refunded_amount == 500
    listed = connect_stand_in.get("/v1/refunds", account=account)["data"]
    assert [(r["payment_intent"], r["amount"]) for r in listed] == [(donation.stripe_payment_intent_id, 500)]
    result = app.test_cli_runner().invoke(args=["stripe-sync", "--since", "2026-01-01"])
    assert result.exit_code == 0 and result.output.splitlines()[-1] == "0 change(s).", result.output
    assert_money_adds_up(db.session)
    assert_money_adds_up_per_account(db.session, connect_stand_in)


def test_stripe_sync_finds_a_gift_on_the_connected_account(
    app, session, page, charity_admin, signed_in, connect_stand_in
):
    """No webhook at all: stripe-sync lists each connected account's PaymentIntents."""
    client = signed_in(charity_admin)
    connect_cause(client, connect_stand_in, page)
    donation = give(client, connect_stand_in, page, "30")
    result = app.test_cli_runner().invoke(args=["stripe-sync", "--since", "2026-01-01"])
    assert f"donation {donation.public_id}: marked paid" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Donation, donation.id).status == "paid"
    assert_money_adds_up(db.session)
    assert_money_adds_up_per_account(db.session, connect_stand_in)


def test_account_updated_turning_charges_off_stops_new_gifts(
    session, page, charity_admin, signed_in, connect_stand_in, live_server, factories
):
    connect_stand_in.register_webhook(f"{live_server.url}/stripe/webhook")
    client = signed_in(charity_admin)
    account = connect_cause(client, connect_stand_in, page)
    connect_stand_in.change_account(
        account, charges_enabled="false", **{"requirements[past_due][]": "external_account"}
    )
    assert wait_for(lambda: not cause_of(page).stripe_charges_enabled)
    cause = cause_of(page)
    assert (cause.stripe_requirements_due, cause.stripe_disabled_reason) == (
        ["external_account"],
        "requirements.past_due",
    )
    assert 'id="not-accepting"' in client.get(f"/{page.slug}/donate").get_data(as_text=True)
    assert "not accepting donations yet" in client.get(f"/causes/{cause.slug}").get_data(as_text=True)
    shown = client.get(f"/causes/{cause.slug}/payments").get_data(as_text=True)
    assert "Continue with Stripe" in shown and "external_account" in shown
    # Runners can still make pages for it.
    assert factories.page(cause=cause).id
    assert_money_adds_up(db.session)


def test_an_event_for_an_unknown_account_is_recorded_and_answered_200(client, session, stripe_events, app):
    app.config["PAYMENTS_MODE"] = "connect"
    try:
        event = stripe_events.event("account.updated", {"id": "acct_stranger", "object": "account"})
        event["account"] = "acct_stranger"
        answer = stripe_events.deliver(client, event)
        paid = stripe_events.event("payment_intent.succeeded", {"id": "pi_elsewhere", "amount": 100})
        paid["account"] = "acct_stranger"
        second = stripe_events.deliver(client, paid)
    finally:
        app.config["PAYMENTS_MODE"] = "single"
    assert (answer.status_code, answer.json["status"]) == (200, "ignored")
    assert second.status_code == 200 and "which no cause has" in second.json["detail"]
    recorded = db.session.get(StripeEvent, paid["id"])
    assert (recorded.status, recorded.payload["account"]) == ("ignored", "acct_stranger")
    assert_money_adds_up(db.session)


def test_an_old_account_state_never_replaces_a_newer_one(client, session, stripe_events, factories):
    cause = factories.cause(stripe_account_id="acct_ordered", stripe_account_seen_at=2_000_000_000)
    db.session.commit()
    stale = stripe_events.event(
        "account.updated",
        {"id": "acct_ordered", "object": "account", "charges_enabled": True},
        created=1_900_000_000,
    )
    stale["account"] = "acct_ordered"
    assert "newer state" in stripe_events.deliver(client, stale).json["detail"]
    db.session.expire_all()
    assert db.session.get(Cause, cause.id).stripe_charges_enabled is False


def test_single_mode_is_unchanged_and_fee_free(session, factories, client, localstripe):
    """Without PAYMENTS_MODE=connect, gifts go to the platform's account with no fee, even
    for a cause with a fee set and no connected account."""
    page = factories.page(cause=factories.cause(platform_fee_bps=FEE_BPS))
    session.commit()
    assert "not accepting" not in client.get(f"/{page.slug}").get_data(as_text=True)
    answer = DonateForm(client, page.slug).post(cover_fees="y")
    assert answer.status_code == 200
    donation = db.session.scalars(select(Donation).order_by(Donation.id.desc())).first()
    assert (donation.stripe_account_id, donation.platform_fee_amount) == (None, 0)
    intent = localstripe.get(f"/v1/payment_intents/{donation.stripe_payment_intent_id}")
    assert intent["amount"] == 2500 + fee_cover(2500, "GBP")
    assert "keeps" not in DonateForm(client, page.slug).html


def test_the_connect_endpoint_signs_with_its_own_secret(client, session, stripe_events, app):
    """Stripe gives each webhook endpoint its own signing secret (Stripe docs, "Check the
    webhook signatures"): the Connect endpoint's events verify with STRIPE_CONNECT_WEBHOOK_SECRET."""
    event = stripe_events.event("account.updated", {"id": "acct_elsewhere", "object": "account"})
    event["account"] = "acct_elsewhere"
    assert stripe_events.deliver(client, event, secret="whsec_connect_endpoint").status_code == 400
    app.config["STRIPE_CONNECT_WEBHOOK_SECRET"] = "whsec_connect_endpoint"
    try:
        answer = stripe_events.deliver(client, event, secret="whsec_connect_endpoint")
        wrong = stripe_events.deliver(client, event, secret="whsec_someone_else")
    finally:
        app.config["STRIPE_CONNECT_WEBHOOK_SECRET"] = None
    assert answer.status_code == 200 and wrong.status_code == 400
    assert db.session.get(StripeEvent, event["id"]).status == "ignored"


def test_a_changed_gift_and_its_abandonment_stay_on_the_connected_account(
    app, session, page, charity_admin, signed_in, connect_stand_in
):
    """Back and resubmit with another amount changes the gift on the cause's account, with
    the platform fee of the new amount; `donations abandon-stale` cancels it there (Stripe
    docs, "Direct charges": every call about the charge carries `Stripe-Account`)."""
    client = signed_in(charity_admin)
    account = connect_cause(client, connect_stand_in, page)
    form = DonateForm(client, page.slug)
    assert form.post(amount_choice="other", other_amount="25").status_code == 200
    changed = form.post(amount_choice="other", other_amount="40")
    assert changed.status_code == 200, changed.get_data(as_text=True)
    (donation,) = db.session.scalars(select(Donation)).all()
    assert (donation.stripe_account_id, donation.charged_amount, donation.platform_fee_amount) == (
        account,
        4000,
        platform_fee(4000, FEE_BPS),
    )
    intent = connect_stand_in.get(f"/v1/payment_intents/{donation.stripe_payment_intent_id}", account=account)
    assert (intent["amount"], intent["application_fee_amount"], intent["status"]) == (
        4000,
        100,
        "requires_payment_method",
    )
    assert_money_adds_up_per_account(db.session, connect_stand_in)

    donation = db.session.get(Donation, donation.id)
    donation.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["donations", "abandon-stale"])

    assert result.exit_code == 0 and "1 abandoned, 0 left alone." in result.output, result.output
    db.session.expire_all()
    donation = db.session.get(Donation, donation.id)
    assert donation.status == "abandoned"
    intent = connect_stand_in.get(f"/v1/payment_intents/{donation.stripe_payment_intent_id}", account=account)
    assert intent["status"] == "canceled"
    assert_money_adds_up(db.session)
    assert_money_adds_up_per_account(db.session, connect_stand_in)
