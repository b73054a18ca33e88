"""Background work goes through RQ when REDIS_URL is set, and runs inline when it is not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from fundraiser.jobs import enqueue
from fundraiser.models import Donation, Receipt
from fundraiser.receipts.tasks import issue_receipt_for_donation

REDIS_URL = "redis://127.0.0.1:6379/15"


def paid_donation(factories, session) -> Donation:
    page = factories.page()
    donation = Donation(
        page_id=page.id,
        cause_id=page.cause_id,
        event_id=page.event_id,
        currency=page.currency,
        amount=2500,
        fee_cover_amount=0,
        charged_amount=2500,
        status="paid",
        donor_name="Ada Donor",
        donor_email="ada@example.com",
        paid_at=datetime.now(UTC),
        stripe_payment_intent_id=f"pi_{uuid.uuid4().hex}",
    )
    session.add(donation)
    session.commit()
    return donation


def receipts(session) -> int:
    return session.scalar(select(func.count()).select_from(Receipt))


@pytest.fixture
def redis_queue(app):
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    app.config["REDIS_URL"] = REDIS_URL
    yield Queue(connection=connection)
    app.config["REDIS_URL"] = None
    connection.flushdb()


def test_with_redis_a_receipt_waits_for_a_worker(app, factories, session, redis_queue):
    donation = paid_donation(factories, session)

    enqueue(issue_receipt_for_donation, donation.id)
    assert receipts(session) == 0
    assert redis_queue.count == 1

    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
    session.expire_all()
    assert receipts(session) == 1


def test_without_redis_the_receipt_is_made_at_once(app, factories, session):
    donation = paid_donation(factories, session)
    enqueue(issue_receipt_for_donation, donation.id)
    assert receipts(session) == 1


def test_an_unreachable_redis_falls_back_to_inline_work(app, factories, session, caplog):
    donation = paid_donation(factories, session)
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        enqueue(issue_receipt_for_donation, donation.id)
    finally:
        app.config["REDIS_URL"] = None
    assert receipts(session) == 1
    assert "Redis unreachable" in caplog.text
