"""POST /stripe/webhook with events we build and sign ourselves: what localstripe never sends
(refunds, disputes), and what the network does (repeats, disorder, forgeries)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from config import TestConfig
from fundraiser import create_app
from fundraiser.extensions import db, limiter
from fundraiser.models import Dispute, Donation, Refund, StripeEvent
from tests.stripe_fixtures import assert_money_adds_up


@pytest.fixture
def page(factories):
    return factories.page()


def raised(session, page):
    session.expire_all()
    return page.raised_amount, page.donation_count


def event_status(session, event_id):
    session.expire_all()
    return session.get(StripeEvent, event_id).status


def test_payment_succeeded_marks_paid_and_counts_the_gift(
    session, client, page, stripe_events, pending_donation
):
    donation = pending_donation(page, 2500, fee_cover_amount=59)
    session.commit()
    event = stripe_events.payment_intent(donation, charge_id="ch_paid1")
    response = stripe_events.deliver(client, event)
    assert response.status_code == 200 and response.json["status"] == "processed"
    session.expire_all()
    assert (donation.status, donation.stripe_charge_id) == ("paid", "ch_paid1")
    assert donation.paid_at == datetime.fromtimestamp(event["created"], UTC)  # Stripe's time, not ours
    assert raised(session, page) == (2500, 1)
    assert event_status(session, event["id"]) == "processed"
    assert_money_adds_up(session)


def test_expanded_latest_charge_is_read_too(session, client, page, stripe_events, pending_donation):
    donation = pending_donation(page, 1000)
    session.commit()
    event = stripe_events.payment_intent(donation, latest_charge={"id": "ch_expanded", "object": "charge"})
    assert stripe_events.deliver(client, event).status_code == 200
    session.expire_all()
    assert donation.stripe_charge_id == "ch_expanded"


def test_a_repeated_event_counts_once(session, client, page, stripe_events, pending_donation):
    donation = pending_donation(page, 2500)
    session.commit()
    event = stripe_events.payment_intent(donation)
    first = stripe_events.deliver(client, event)
    again = stripe_events.deliver(client, event)
    assert (first.json["status"], again.status_code, again.json["status"]) == ("processed", 200, "duplicate")
    assert raised(session, page) == (2500, 1)
    assert session.scalar(select(func.count()).select_from(StripeEvent)) == 1
    assert_money_adds_up(session)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda events, body: {"secret": "whsec_forged"}, id="wrong-secret"),
        pytest.param(lambda events, body: {"timestamp": int(time.time()) - 600}, id="stale"),
    ],
)
def test_forged_or_stale_signatures_are_refused(
    session, client, page, stripe_events, pending_donation, tamper
):
    donation = pending_donation(page, 2500)
    session.commit()
    event = stripe_events.payment_intent(donation)
    response = stripe_events.deliver(client, event, **tamper(stripe_events, event))
    assert response.status_code == 400
    assert response.json["error"] == "bad signature"
    session.expire_all()
    assert donation.status == "pending"
    assert session.get(StripeEvent, event["id"]) is None
    assert raised(session, page) == (0, 0)


def test_a_missing_signature_or_a_changed_body_is_refused(
    session, client, page, stripe_events, pending_donation
):
    donation = pending_donation(page, 2500)
    session.commit()
    event = stripe_events.payment_intent(donation)
    body = json.dumps(event).encode()
    unsigned = client.post("/stripe/webhook", data=body, content_type="application/json")
    header = stripe_events.signature(body)
    changed = body.replace(b'"amount": 2500', b'"amount": 9999')
    altered = client.post(
        "/stripe/webhook", data=changed, content_type="application/json", headers={"Stripe-Signature": header}
    )
    garbage = client.post(
        "/stripe/webhook",
        data=b"not json",
        content_type="application/json",
        headers={"Stripe-Signature": stripe_events.signature(b"not json")},
    )
    assert [r.status_code for r in (unsigned, altered, garbage)] == [400, 400, 400]
    assert session.scalar(select(func.count()).select_from(StripeEvent)) == 0
    session.expire_all()
    assert donation.status == "pending"


def test_unknown_event_types_are_acknowledged_and_ignored(session, client, stripe_events):
    event = stripe_events.event("customer.created", {"id": "cus_123", "object": "customer"})
    response = stripe_events.deliver(client, event)
    assert (response.status_code, response.json["status"]) == (200, "ignored")
    assert event_status(session, event["id"]) == "ignored"


def test_failed_payment_shows_the_reason(session, client, page, stripe_events, pending_donation):
    donation = pending_donation(page, 2500)
    session.commit()
    event = stripe_events.payment_intent(
        donation, "payment_intent.payment_failed", error="Your card has expired."
    )
    assert stripe_events.deliver(client, event).json["status"] == "processed"
    session.expire_all()
    assert (donation.status, donation.failure_message) == ("failed", "Your card has expired.")
    assert raised(session, page) == (0, 0)


def test_a_late_failure_never_unpays(session, client, page, stripe_events, pending_donation):
    donation = pending_donation(page, 2500)
    session.commit()
    failed = stripe_events.payment_intent(donation, "payment_intent.payment_failed")
    succeeded = stripe_events.payment_intent(donation)
    assert stripe_events.deliver(client, succeeded).json["status"] == "processed"
    response = stripe_events.deliver(client, failed)
    assert (response.status_code, response.json["status"]) == (200, "ignored")
    session.expire_all()
    assert donation.status == "paid"
    assert raised(session, page) == (2500, 1)
    assert_money_adds_up(session)


def test_a_refund_before_the_payment_waits_for_it(session, client, page, stripe_events, pending_donation):
    donation = pending_donation(page, 2500)
    session.commit()
    refunded = stripe_events.refunded(donation, [("re_early1", 1000)])
    response = stripe_events.deliver(client, refunded)
    assert (response.status_code, response.json["status"]) == (200, "deferred")
    assert raised(session, page) == (0, 0)
    assert stripe_events.deliver(client, stripe_events.payment_intent(donation)).json["status"] == "processed"
    session.expire_all()
    assert (donation.status, donation.refunded_amount) == ("paid", 1000)
    assert raised(session, page) == (1500, 1)
    assert event_status(session, refunded["id"]) == "processed"
    assert_money_adds_up(session)


def test_events_for_a_donation_we_do_not_know_are_kept(
    session, client, page, stripe_events, pending_donation
):
    donation = pending_donation(page, 2500)
    event = stripe_events.payment_intent(donation)
    session.rollback()  # the donation was never committed: Stripe knows it, we do not
    response = stripe_events.deliver(client, event)
    assert (response.status_code, response.json["status"]) == (200, "deferred")
    stranger = stripe_events.payment_intent(donation, metadata={})
    assert stripe_events.deliver(client, stranger).json["status"] == "ignored"
    assert session.scalar(select(func.count()).select_from(Donation)) == 0


def test_partial_then_full_refund_including_one_from_the_dashboard(
    session, client, page, stripe_events, pending_donation
):
    donation = pending_donation(page, 2500, fee_cover_amount=59)
    session.commit()
    stripe_events.deliver(client, stripe_events.payment_intent(donation, charge_id="ch_refunds"))
    session.expire_all()
    first = stripe_events.refunded(donation, [("re_part", 500)])
    assert stripe_events.deliver(client, first).json["detail"].startswith("1 new refund")
    assert raised(session, page) == (2000, 1)
    # The second event carries the first refund again, plus one made in Stripe's dashboard.
    second = stripe_events.refunded(donation, [("re_part", 500), ("re_dashboard", 2059)])
    assert stripe_events.deliver(client, second).json["detail"].startswith("1 new refund")
    session.expire_all()
    assert (donation.status, donation.refunded_amount) == ("refunded", 2559)
    assert sorted(session.scalars(select(Refund.stripe_refund_id)).all()) == ["re_dashboard", "re_part"]
    assert raised(session, page) == (0, 0)
    assert_money_adds_up(session)


def test_dispute_won_returns_the_money(session, client, page, stripe_events, pending_donation):
    donation = pending_donation(page, 4000)
    session.commit()
    stripe_events.deliver(client, stripe_events.payment_intent(donation))
    opened = stripe_events.dispute(
        donation, "charge.dispute.created", dispute_id="dp_win", status="needs_response"
    )
    assert stripe_events.deliver(client, opened).json["status"] == "processed"
    assert raised(session, page) == (0, 0)
    closed = stripe_events.dispute(donation, "charge.dispute.closed", dispute_id="dp_win", status="won")
    assert stripe_events.deliver(client, closed).json["status"] == "processed"
    assert raised(session, page) == (4000, 1)
    assert session.scalar(select(Dispute.status)) == "won"
    assert_money_adds_up(session)


def test_dispute_lost_keeps_the_money_out(session, client, page, stripe_events, pending_donation):
    donation = pending_donation(page, 4000)
    kept = pending_donation(page, 1000)
    session.commit()
    for paid in (donation, kept):
        stripe_events.deliver(client, stripe_events.payment_intent(paid))
    opened = stripe_events.dispute(
        donation, "charge.dispute.created", dispute_id="dp_lose", status="needs_response"
    )
    closed = stripe_events.dispute(donation, "charge.dispute.closed", dispute_id="dp_lose", status="lost")
    stripe_events.deliver(client, opened)
    stripe_events.deliver(client, closed)
    assert raised(session, page) == (1000, 1)
    session.expire_all()
    assert (donation.disputed_amount, session.scalar(select(Dispute.status))) == (4000, "lost")
    assert_money_adds_up(session)


def test_a_closed_dispute_we_never_saw_open_still_applies(
    session, client, page, stripe_events, pending_donation
):
    donation = pending_donation(page, 3000)
    session.commit()
    stripe_events.deliver(client, stripe_events.payment_intent(donation))
    closed = stripe_events.dispute(donation, "charge.dispute.closed", dispute_id="dp_late", status="lost")
    assert stripe_events.deliver(client, closed).json["status"] == "processed"
    assert raised(session, page) == (0, 0)
    inquiry = stripe_events.dispute(
        donation, "charge.dispute.created", dispute_id="dp_inquiry", status="warning_needs_response"
    )
    assert stripe_events.deliver(client, inquiry).json["status"] == "ignored"
    assert_money_adds_up(session)


def test_a_dispute_before_the_payment_waits_for_it(session, client, page, stripe_events, pending_donation):
    donation = pending_donation(page, 3000)
    session.commit()
    opened = stripe_events.dispute(
        donation, "charge.dispute.created", dispute_id="dp_early", status="needs_response"
    )
    assert stripe_events.deliver(client, opened).json["status"] == "deferred"
    stripe_events.deliver(client, stripe_events.payment_intent(donation))
    assert raised(session, page) == (0, 0)
    assert event_status(session, opened["id"]) == "processed"
    assert_money_adds_up(session)


def test_a_database_failure_answers_5xx_and_the_retry_applies(
    session, client, page, stripe_events, pending_donation
):
    donation = pending_donation(page, 2500)
    session.commit()
    event = stripe_events.payment_intent(donation)
    with db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE fundraising_totals RENAME TO fundraising_totals_away"))
    try:
        failed = stripe_events.deliver(client, event)
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("ALTER TABLE fundraising_totals_away RENAME TO fundraising_totals"))
    assert failed.status_code == 503
    session.expire_all()
    assert session.get(StripeEvent, event["id"]) is None
    assert (donation.status, page.raised_amount) == ("pending", 0)
    retried = stripe_events.deliver(client, event)
    assert (retried.status_code, retried.json["status"]) == (200, "processed")
    assert raised(session, page) == (2500, 1)
    assert_money_adds_up(session)


def test_the_webhook_needs_no_csrf_token(app, stripe_events):
    """The run's app has CSRF off; an app built with it on still takes Stripe's POSTs."""
    strict = create_app(
        type(
            "CsrfConfig",
            (TestConfig,),
            {
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                "WTF_CSRF_ENABLED": True,
                "STRIPE_WEBHOOK_SECRET": stripe_events.secret,
            },
        )
    )
    client = strict.test_client()
    try:
        event = stripe_events.event("customer.updated", {"id": "cus_1"})
        webhook = stripe_events.deliver(client, event)
        refund_form = client.post("/donations/" + "0" * 32 + "/refund", data={"reason": "x"})
    finally:
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
        with strict.app_context():
            db.engine.dispose()
    assert (webhook.status_code, webhook.json["status"]) == (200, "ignored")
    assert refund_form.status_code == 400  # the CSRF check is on for every other form


def test_a_payment_of_another_amount_is_kept_for_a_person(
    session, client, page, stripe_events, pending_donation
):
    donation = pending_donation(page, 2500)
    session.commit()
    event = stripe_events.payment_intent(donation, amount=100)
    assert stripe_events.deliver(client, event).json["status"] == "deferred"
    session.expire_all()
    assert (donation.status, page.raised_amount) == ("pending", 0)


def test_a_payment_after_a_declined_card_counts_once(session, client, page, stripe_events, pending_donation):
    donation = pending_donation(page, 2500)
    session.commit()
    declined = stripe_events.payment_intent(donation, "payment_intent.payment_failed")
    assert stripe_events.deliver(client, declined).json["status"] == "processed"
    paid = stripe_events.payment_intent(donation)
    assert stripe_events.deliver(client, paid).json["status"] == "processed"
    session.expire_all()
    assert (donation.status, donation.failure_message) == ("paid", "")
    assert raised(session, page) == (2500, 1)
    assert_money_adds_up(session)  # the event's and the cause's totals too


def test_a_payment_found_only_by_our_id_takes_the_careful_path(
    session, client, page, stripe_events, pending_donation
):
    donation = pending_donation(page, 2500)
    intent_id = donation.stripe_payment_intent_id
    event = stripe_events.payment_intent(donation)
    donation.stripe_payment_intent_id = None  # the PaymentIntent id was never stored
    session.commit()
    assert event["data"]["object"]["id"] == intent_id
    assert stripe_events.deliver(client, event).json["status"] == "processed"
    session.expire_all()
    assert (donation.status, donation.stripe_payment_intent_id) == ("paid", intent_id)
    assert raised(session, page) == (2500, 1)
    assert_money_adds_up(session)


def test_stripe_sync_applies_a_refund_stranded_behind_its_payment(
    session, client, page, stripe_events, pending_donation
):
    """The race the webhook's own replay cannot see: the refund was deferred by a transaction
    that committed after the payment's replay looked. Here the payment is recorded without a
    replay (as if the refund were not committed yet), then stripe-sync's last step finds it."""
    from fundraiser.donations.transitions import mark_paid
    from fundraiser.payments.sync import SyncReport, replay_stranded_events

    donation = pending_donation(page, 2500)
    session.commit()
    refunded = stripe_events.refunded(donation, [("re_stranded", 1000)])
    assert stripe_events.deliver(client, refunded).json["status"] == "deferred"
    session.expire_all()
    mark_paid(session, donation, charge_id=refunded["data"]["object"]["id"])
    session.commit()
    assert event_status(session, refunded["id"]) == "deferred"
    report = SyncReport()
    replay_stranded_events(session, report)
    session.expire_all()
    assert (donation.refunded_amount, raised(session, page)) == (1000, (1500, 1))
    assert event_status(session, refunded["id"]) == "processed"
    assert report.refunded_donation_ids == [donation.id]
    again = SyncReport()
    replay_stranded_events(session, again)
    assert again.changes == []
    assert_money_adds_up(session)
