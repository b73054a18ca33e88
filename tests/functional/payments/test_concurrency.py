"""Concurrent webhook deliveries, each in its own thread with its own app context and
database connection. Written for PostgreSQL's row locks and unique index; SQLite's single
writer must give the same answers."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from fundraiser.models import FundraisingTotal, StripeEvent
from tests.stripe_fixtures import assert_money_adds_up


def deliver_all(app, stripe_events, events, workers: int = 10) -> list[tuple[int, str]]:
    def deliver(event):
        with app.app_context():
            response = stripe_events.deliver(app.test_client(), event)
            return response.status_code, response.json["status"]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(deliver, events))


def test_the_same_success_delivered_20_times_at_once_counts_once(
    app, session, factories, stripe_events, pending_donation
):
    page = factories.page()
    donation = pending_donation(page, 2500)
    session.commit()
    event = stripe_events.payment_intent(donation)
    answers = deliver_all(app, stripe_events, [event] * 20, workers=20)
    assert Counter(answers) == {(200, "processed"): 1, (200, "duplicate"): 19}
    session.expire_all()
    assert (donation.status, page.raised_amount, page.donation_count) == ("paid", 2500, 1)
    assert session.scalar(select(func.count()).select_from(StripeEvent)) == 1
    assert_money_adds_up(session)


def test_200_donations_paid_at_once_give_exact_totals(
    app, session, factories, stripe_events, pending_donation
):
    # A Canadian charity and donors who gave no address: the receipt jobs each payment queues
    # record "no receipt without an address" instead of drawing 200 PDFs inline.
    page = factories.page(cause=factories.cause("CA"))
    donations = [pending_donation(page, 200 + n) for n in range(200)]
    session.commit()
    events = [stripe_events.payment_intent(donation) for donation in donations]
    answers = deliver_all(app, stripe_events, events, workers=4)
    assert Counter(answers) == {(200, "processed"): 200}
    expected = sum(200 + n for n in range(200))
    session.expire_all()
    assert (page.raised_amount, page.donation_count) == (expected, 200)
    totals = {
        (row.scope, row.scope_id): (row.raised_amount, row.donation_count)
        for row in session.scalars(select(FundraisingTotal)).all()
    }
    assert totals == {("event", page.event_id): (expected, 200), ("cause", page.cause_id): (expected, 200)}
    assert_money_adds_up(session)


def test_a_locked_donation_cannot_change_under_the_lock_holder(app, session, factories, pending_donation):
    """lock_donation must hold the donation against every other writer until commit, on
    SQLite (its write lock, taken at once) as on PostgreSQL (the row lock)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from fundraiser.donations.transitions import lock_donation
    from fundraiser.extensions import db

    donation = pending_donation(factories.page(), 2500)
    session.commit()
    assert lock_donation(session, donation.id).status == "pending"
    other = db.engine.connect()
    try:
        if db.engine.dialect.name == "sqlite":
            other.exec_driver_sql("PRAGMA busy_timeout = 100")
            attempt = text("UPDATE donations SET status = 'paid' WHERE id = :id")
        else:
            attempt = text("SELECT id FROM donations WHERE id = :id FOR UPDATE NOWAIT")
        try:
            other.execute(attempt, {"id": donation.id})
            blocked = False
        except OperationalError:
            blocked = True
        other.rollback()
    finally:
        if db.engine.dialect.name == "sqlite":
            # The connection goes back to the pool: give it back its usual wait.
            other.exec_driver_sql("PRAGMA busy_timeout = 30000")
        other.close()
    session.rollback()
    assert blocked
