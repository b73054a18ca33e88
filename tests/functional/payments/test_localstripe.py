"""The money path against localstripe over real HTTP: PaymentIntents paid with test cards,
declines, 3-D Secure, refunds from the admin view, the sync command, and the webhook that
localstripe itself signs and sends to a live app server."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import func, select

from fundraiser.donations import fees
from fundraiser.donations.pending import create_pending_donation
from fundraiser.extensions import db
from fundraiser.models import CauseAdmin, Donation, Receipt, Refund, StripeEvent
from fundraiser.payments.gateway import (
    PaymentGatewayError,
    confirm_payment,
    create_payment_intent,
    create_setup_intent,
)
from tests.stripe_fixtures import PUBLISHABLE_KEY, assert_money_adds_up

DONOR = {"donor_name": "Ada Donor", "donor_email": "ada@example.test"}


@pytest.fixture
def page(factories):
    return factories.page()


def donate(session, page, amount: int = 2500, **fields) -> tuple[Donation, str]:
    """What the donate view does: a pending donation and its PaymentIntent, committed."""
    donation = create_pending_donation(session, page, amount=amount, **{**DONOR, **fields})
    handle = create_payment_intent(donation)
    session.commit()
    return donation, handle.client_secret


def pay(localstripe, donation: Donation, card: str = "visa") -> str:
    """The donor's card, made a PaymentMethod in the browser, confirmed by our server."""
    return confirm_payment(donation, localstripe.payment_method(card)).status


def stripe_sync(app) -> list[str]:
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    result = app.test_cli_runner().invoke(args=["stripe-sync", "--since", today])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def wait_for(predicate, timeout: float = 20.0):
    """Poll the database until localstripe's webhook has landed (it waits 1 s before sending)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        db.session.rollback()
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_a_payment_intent_is_made_once_for_the_server_amount(session, page, localstripe):
    fee = fees.fee_cover(2500, "GBP")
    attempt = uuid.uuid4().hex
    donation, _ = donate(session, page, 2500, fee_cover_amount=fee, attempt_id=attempt)
    intent = localstripe.get(f"/v1/payment_intents/{donation.stripe_payment_intent_id}")
    assert (intent["amount"], intent["currency"]) == (2500 + fee, "gbp")
    assert intent["metadata"] == {"donation_id": str(donation.id), "public_id": attempt, "page": str(page.id)}
    assert intent["capture_method"] == "automatic"
    again, _ = donate(session, page, 2500, fee_cover_amount=fee, attempt_id=attempt)
    assert (again.id, again.stripe_payment_intent_id) == (donation.id, donation.stripe_payment_intent_id)


def test_pay_with_the_4242_card_then_sync_marks_it_paid_once(app, session, page, localstripe):
    donation, _ = donate(session, page, 2500)
    assert pay(localstripe, donation, "visa") == "succeeded"
    session.expire_all()
    assert donation.status == "pending"  # only Stripe's word (webhook or sync) makes it paid
    first = stripe_sync(app)
    assert f"donation {donation.public_id}: marked paid" in first
    assert stripe_sync(app) == ["0 change(s)."]
    session.expire_all()
    assert donation.status == "paid"
    assert donation.stripe_charge_id.startswith("ch_")
    assert (page.raised_amount, page.donation_count) == (2500, 1)
    assert_money_adds_up(session)


def test_the_decline_card_leaves_the_donation_unpaid(app, session, page, localstripe):
    donation, _ = donate(session, page, 2500)
    with pytest.raises(PaymentGatewayError) as declined:
        pay(localstripe, donation, "declined")
    assert (declined.value.message, declined.value.code) == ("Your card was declined.", "card_declined")
    session.expire_all()
    assert donation.status == "pending"
    assert f"donation {donation.public_id}: marked failed (Your card was declined.)" in stripe_sync(app)
    session.expire_all()
    assert (donation.status, donation.failure_message) == ("failed", "Your card was declined.")
    assert (page.raised_amount, page.donation_count) == (0, 0)
    assert_money_adds_up(session)


def test_card_set_up_in_the_browser_then_paid_by_the_server(app, session, page, localstripe):
    """The flow the donate page uses: confirmCardSetup makes the PaymentMethod, we confirm."""
    donation, _ = donate(session, page, 1500)
    setup = create_setup_intent(donation)
    browser = requests.post(
        f"{localstripe.url}/v1/setup_intents/{setup.id}/confirm",
        data={
            "key": PUBLISHABLE_KEY,
            "client_secret": setup.client_secret,
            "payment_method_data[type]": "card",
            "payment_method_data[card][number]": "4242424242424242",
            "payment_method_data[card][exp_month]": "12",
            "payment_method_data[card][exp_year]": "2034",
            "payment_method_data[card][cvc]": "123",
        },
        timeout=10,
    )
    assert browser.json()["status"] == "succeeded"
    handle = confirm_payment(donation, browser.json()["payment_method"])
    assert (handle.id, handle.status) == (donation.stripe_payment_intent_id, "succeeded")
    assert confirm_payment(donation, browser.json()["payment_method"]).status == "succeeded"
    with pytest.raises(PaymentGatewayError):
        confirm_payment(donation, "javascript:alert(1)")
    stripe_sync(app)
    session.expire_all()
    assert (donation.status, page.raised_amount) == ("paid", 1500)
    assert_money_adds_up(session)


def test_three_d_secure_card_pays_after_authentication(app, session, page, localstripe):
    donation, client_secret = donate(session, page, 4000)
    assert pay(localstripe, donation, "3ds") == "requires_action"
    assert stripe_sync(app) == ["0 change(s)."]
    authenticated = localstripe.authenticate(donation.stripe_payment_intent_id, client_secret)
    assert authenticated.json()["status"] == "succeeded"
    stripe_sync(app)
    session.expire_all()
    assert donation.status == "paid"
    assert page.raised_amount == 4000
    assert_money_adds_up(session)


def test_three_d_secure_failure_is_not_a_payment(app, session, page, localstripe):
    donation, client_secret = donate(session, page, 4000)
    pay(localstripe, donation, "3ds")
    failed = localstripe.authenticate(donation.stripe_payment_intent_id, client_secret, success=False)
    assert failed.json()["status"] == "requires_payment_method"
    stripe_sync(app)
    session.expire_all()
    assert donation.status == "failed"
    assert "failed authentication" in donation.failure_message
    assert_money_adds_up(session)


def test_localstripe_webhook_reaches_the_live_server_verified(session, page, localstripe, live_server):
    localstripe.register_webhook(f"{live_server.url}/stripe/webhook")
    donation, _ = donate(session, page, 3000)
    assert pay(localstripe, donation) == "succeeded"
    assert wait_for(lambda: db.session.get(Donation, donation.id).status == "paid")
    event = db.session.scalar(
        select(StripeEvent).where(StripeEvent.object_id == donation.stripe_payment_intent_id)
    )
    assert event.id.startswith("evt_") and event.type == "payment_intent.succeeded"
    assert event.status == "processed"
    assert db.session.get(Donation, donation.id).stripe_charge_id.startswith("ch_")
    # The webhook's receipt job (signed PDF) runs in the live server's thread: wait for it, so
    # the test's clean-up never races it.
    assert wait_for(
        lambda: (
            db.session.scalar(select(func.count(Receipt.id)).where(Receipt.donation_id == donation.id)) == 1
        )
    )
    assert_money_adds_up(db.session)


def test_localstripe_decline_webhook_marks_the_donation_failed(session, page, localstripe, live_server):
    localstripe.register_webhook(f"{live_server.url}/stripe/webhook")
    donation, _ = donate(session, page, 3000)
    with pytest.raises(PaymentGatewayError):
        pay(localstripe, donation, "declined")
    assert wait_for(lambda: db.session.get(Donation, donation.id).status == "failed")
    assert db.session.get(Donation, donation.id).failure_message == "Your card was declined."


def paid_donation(app, session, page, localstripe, amount=2500, **fields) -> Donation:
    donation, _ = donate(session, page, amount, **fields)
    assert pay(localstripe, donation) == "succeeded"
    stripe_sync(app)
    session.expire_all()
    assert donation.status == "paid"
    return donation


@pytest.fixture
def charity_admin(factories, page):
    admin = factories.user()
    db.session.add(CauseAdmin(user_id=admin.id, cause_id=page.cause_id))
    db.session.flush()
    return admin


def test_admin_refunds_in_part_then_in_full_recorded_once(
    app, session, page, localstripe, charity_admin, signed_in, stripe_events
):
    fee = fees.fee_cover(2500, "GBP")
    donation = paid_donation(app, session, page, localstripe, 2500, fee_cover_amount=fee)
    client = signed_in(charity_admin)
    url = f"/donations/{donation.public_id}/refund"
    form = client.get(url)
    assert form.status_code == 200 and "<h1>Refund a donation</h1>" in form.get_data(as_text=True)
    request_id = uuid.uuid4().hex
    too_much = client.post(
        url, data={"amount": "100.00", "reason": "Duplicate gift", "request_id": request_id}
    )
    assert too_much.status_code == 422 and "Enter an amount up to £25.59" in too_much.get_data(as_text=True)
    partial = client.post(
        url, data={"amount": "5.00", "reason": "Asked for part back", "request_id": request_id}
    )
    assert partial.status_code == 302
    refund = session.scalar(select(Refund))
    assert refund.stripe_refund_id.startswith("re_") and refund.amount == 500
    assert refund.requested_by_id == charity_admin.id and refund.reason == "Asked for part back"
    at_stripe = localstripe.get("/v1/refunds", charge=donation.stripe_charge_id)["data"]
    assert [(r["id"], r["amount"]) for r in at_stripe] == [(refund.stripe_refund_id, 500)]
    # Stripe's charge.refunded for the same refund arrives after our answer: applied once.
    late = stripe_events.refunded(donation, [(refund.stripe_refund_id, 500)])
    assert stripe_events.deliver(client, late).json["detail"].startswith("0 new refund")
    session.expire_all()
    assert (donation.refunded_amount, page.raised_amount) == (500, 2000)
    full = client.post(
        url, data={"amount": "", "reason": "Donor changed their mind", "request_id": uuid.uuid4().hex}
    )
    assert full.status_code == 302
    session.expire_all()
    assert (donation.status, donation.refunded_amount) == ("refunded", 2500 + fee)
    assert session.scalar(select(func.count()).select_from(Refund)) == 2
    assert (page.raised_amount, page.donation_count) == (0, 0)
    assert stripe_sync(app) == ["0 change(s)."]
    assert "nothing left to refund" in client.get(url).get_data(as_text=True)
    assert_money_adds_up(session)


def test_only_the_causes_admins_may_refund(app, session, page, localstripe, factories, signed_in):
    donation = paid_donation(app, session, page, localstripe)
    other_cause_admin = factories.user()
    factories.cause(admins=(other_cause_admin,))
    platform_admin = factories.user(is_platform_admin=True)
    session.commit()
    url = f"/donations/{donation.public_id}/refund"
    assert signed_in(other_cause_admin).post(url, data={"reason": "x"}).status_code == 403
    assert signed_in(other_cause_admin).get("/donations/" + "0" * 32 + "/refund").status_code == 404
    assert signed_in(platform_admin).get(url).status_code == 200
    session.expire_all()
    assert donation.refunded_amount == 0


def test_anonymous_visitors_cannot_refund(app, session, page, localstripe, client):
    donation = paid_donation(app, session, page, localstripe)
    response = client.post(f"/donations/{donation.public_id}/refund", data={"reason": "x"})
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]
    assert session.get(type(donation), donation.id).refunded_amount == 0


def test_a_dashboard_refund_is_found_by_sync_once(app, session, page, localstripe):
    donation = paid_donation(app, session, page, localstripe, 3000)
    refund = localstripe.refund_in_dashboard(donation.stripe_payment_intent_id, 1000)
    assert f"donation {donation.public_id}: refund {refund['id']} of 1000 applied" in stripe_sync(app)
    assert stripe_sync(app) == ["0 change(s)."]
    session.expire_all()
    assert (donation.refunded_amount, page.raised_amount) == (1000, 2000)
    assert_money_adds_up(session)


def test_charge_refunded_without_its_refunds_list_asks_stripe(
    app, session, page, localstripe, stripe_events, client
):
    """Recent API versions leave `refunds` out of the charge: the handler lists them."""
    donation = paid_donation(app, session, page, localstripe, 3000)
    refund = localstripe.refund_in_dashboard(donation.stripe_payment_intent_id, 1200)
    event = stripe_events.refunded(donation, [(refund["id"], 1200)])
    del event["data"]["object"]["refunds"]
    assert stripe_events.deliver(client, event).json["detail"].startswith("1 new refund")
    session.expire_all()
    assert (donation.refunded_amount, page.raised_amount) == (1200, 1800)
    assert session.scalar(select(Refund.stripe_refund_id)) == refund["id"]
    assert stripe_sync(app) == ["0 change(s)."]
    assert_money_adds_up(session)
