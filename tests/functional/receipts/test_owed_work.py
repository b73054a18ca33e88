"""The receipts outbox: the work a payment owes is committed with the payment, so a process
killed between the commit and the queueing loses no receipt; doing the work twice (the queued
job and the sweep) issues one receipt and sends one email."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from fundraiser.donations.transitions import apply_refund, lock_donation, pay_by_payment_intent
from fundraiser.extensions import db
from fundraiser.models import OwedWork, Receipt, ReceiptCounter
from fundraiser.models.columns import utcnow
from fundraiser.receipts.tasks import SWEEP_AFTER, issue_receipt_for_donation, sweep_owed_work
from tests.stripe_fixtures import WEBHOOK_SECRET, assert_money_adds_up, free_port

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = "redis://127.0.0.1:6379/14"
A_MINUTE_ON = SWEEP_AFTER + timedelta(seconds=1)


def receipts(session) -> list[Receipt]:
    session.expire_all()
    return list(session.scalars(select(Receipt).order_by(Receipt.id)))


def owed(session) -> list[tuple[str, int]]:
    session.expire_all()
    return [tuple(row) for row in session.execute(select(OwedWork.kind, OwedWork.donation_id))]


def sweep_cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["receipts", "sweep-owed", *args])
    assert result.exit_code == 0, result.output
    return result.output


def start_app_that_dies_before_queueing(database: str) -> tuple[subprocess.Popen, str]:
    """The real app in its own process (Flask's server, test config), set through the
    environment to exit right after a payment's commit, before it queues the receipt job."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "MAIL_SERVER")} | {
        "FLASK_CONFIG": "test",
        "DATABASE_URL": database,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "EXIT_BEFORE_QUEUEING_RECEIPTS": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi:app", "run", "--port", str(port), "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(url + "/stripe/webhook", timeout=1)
            return process, url
        except requests.ConnectionError:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the app did not start")


def test_a_worker_killed_after_the_payment_commits_still_gets_its_receipt_sent(
    app, database, session, client, factories, stripe_events, pending_donation, smtp_server
):
    donation = pending_donation(factories.page(), 2500, donor_email="kim@example.test")
    session.commit()
    event = stripe_events.payment_intent(donation)
    payload = json.dumps(event).encode()
    process, url = start_app_that_dies_before_queueing(database)
    try:
        with pytest.raises(requests.ConnectionError):  # the process died before it answered
            requests.post(
                url + "/stripe/webhook",
                data=payload,
                headers={
                    "Stripe-Signature": stripe_events.signature(payload),
                    "Content-Type": "application/json",
                },
                timeout=60,
            )
        assert process.wait(timeout=30) == 70
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    session.expire_all()
    assert donation.status == "paid"
    assert receipts(session) == []
    assert owed(session) == [("receipt", donation.id)]
    retry = stripe_events.deliver(client, event)  # Stripe delivers again: we have seen it
    assert retry.json["status"] == "duplicate"
    assert receipts(session) == []

    # Younger than a minute, the work may still have its job on the way: the sweep waits.
    assert sweep_cli(app).startswith("0 piece(s)")
    assert receipts(session) == []
    assert sweep_owed_work(now=utcnow() + A_MINUTE_ON) == 1

    (receipt,) = receipts(session)
    assert (receipt.donation_id, receipt.amount, receipt.email_status) == (donation.id, 2500, "sent")
    (message,) = smtp_server.messages
    assert message["To"] == "kim@example.test"
    assert owed(session) == []
    assert sweep_owed_work(now=utcnow() + A_MINUTE_ON) == 0
    assert_money_adds_up(session)


@pytest.fixture
def redis_queue(app):
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    app.config["REDIS_URL"] = REDIS_URL
    yield Queue(connection=connection)
    app.config["REDIS_URL"] = None
    connection.flushdb()


def test_the_sweep_and_a_late_queued_job_issue_one_receipt_and_one_email(
    app, session, client, factories, stripe_events, pending_donation, smtp_server, redis_queue
):
    donation = pending_donation(factories.page(), 4000)
    session.commit()
    assert stripe_events.deliver(client, stripe_events.payment_intent(donation)).json["status"] == "processed"
    assert redis_queue.count == 1  # the receipt job waits for a worker that is late
    assert owed(session) == [("receipt", donation.id)]

    assert sweep_owed_work(now=utcnow() + A_MINUTE_ON) == 1  # the sweep does the work itself
    assert len(receipts(session)) == 1
    assert owed(session) == [("email", donation.id)]  # the email job is queued in turn

    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)

    (receipt,) = receipts(session)
    assert receipt.email_status == "sent" and receipt.email_attempts == 1
    assert len(smtp_server.messages) == 1
    assert owed(session) == []
    assert_money_adds_up(session)


def test_queued_jobs_and_the_sweep_running_at_once_issue_each_receipt_once(
    app, session, factories, pending_donation
):
    page = factories.page()
    donations = [pending_donation(page, 1000 + n) for n in range(6)]
    session.commit()
    for donation in donations:  # the webhook's paying transaction, its jobs not yet run
        paid = pay_by_payment_intent(
            session,
            donation.stripe_payment_intent_id,
            amount_received=donation.charged_amount,
            currency=donation.currency,
            charge_id=None,
        )
        assert paid is not None
        session.commit()
    ids = [donation.id for donation in donations]
    assert sorted(donation_id for _, donation_id in owed(session)) == sorted(ids)

    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def in_app(work) -> None:
        with app.app_context():
            try:
                start.wait(timeout=30)
                work()
            except BaseException as error:  # reported below, in the test's thread
                failures.append(error)
            finally:
                db.session.remove()

    def jobs() -> None:
        for donation_id in reversed(ids):  # the worker's order, against the sweep's
            issue_receipt_for_donation(donation_id)

    threads = [
        threading.Thread(target=in_app, args=(jobs,)),
        threading.Thread(target=in_app, args=(lambda: sweep_owed_work(now=utcnow() + A_MINUTE_ON),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []

    issued = receipts(session)
    assert sorted(receipt.donation_id for receipt in issued) == sorted(ids)
    assert sorted(receipt.number for receipt in issued) == list(range(1, 7))  # no gap, no double
    assert session.scalar(select(func.max(ReceiptCounter.last_number))) == 6
    assert all(receipt.email_attempts == 1 for receipt in issued)  # one email each
    assert owed(session) == []
    assert_money_adds_up(session)


def test_a_refund_whose_correction_job_was_lost_is_corrected_by_the_sweep(
    app, session, client, factories, stripe_events, pending_donation
):
    donation = pending_donation(factories.page(), 2500)
    session.commit()
    assert stripe_events.deliver(client, stripe_events.payment_intent(donation)).status_code == 200
    (first,) = receipts(session)
    assert owed(session) == []  # inline: the receipt and its email were done in the request

    # A refund committed by a process that died before queueing the receipt's correction.
    apply_refund(session, lock_donation(session, donation.id), stripe_refund_id="re_lost", amount=1000)
    session.commit()
    assert owed(session) == [("correction", donation.id)]

    assert sweep_owed_work(now=utcnow() + A_MINUTE_ON) == 1
    voided, replacement = receipts(session)
    assert voided.id == first.id and voided.voided_at is not None
    assert (replacement.replaces_id, replacement.amount, replacement.email_status) == (first.id, 1500, "sent")
    assert owed(session) == []
    assert_money_adds_up(session)
