"""Redis unreachable (REDIS_URL on a closed port of 127.0.0.1): donors can still start a
gift and pay, people can sign in, public pages and webhooks work. Rate limits fall back
to this process's memory with one logged warning (Flask-Limiter's in-memory fallback,
documented under "Configuration: RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"), and background
jobs run inline with a one-line warning naming the cause."""

from __future__ import annotations

import logging
import re

import pytest

from tests.stripe_fixtures import assert_money_adds_up, free_port


@pytest.fixture
def redis_down_app(build_app):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    return lambda **settings: build_app(
        RATELIMIT_ENABLED=True, REDIS_URL=closed, RATELIMIT_STORAGE_URI=closed, **settings
    )


def test_donating_and_signing_in_work_while_redis_is_down(
    redis_down_app, factories, session, localstripe, stripe_events, caplog
):
    app = redis_down_app()
    app.config.update({key: value for key, value in localstripe_settings(localstripe).items()})
    page = factories.page(slug="redis-down")
    runner = page.runner
    session.commit()
    donor = app.test_client()

    with caplog.at_level(logging.WARNING):
        assert donor.get("/redis-down").status_code == 200
        form = donor.get("/redis-down/donate").get_data(as_text=True)
        attempt = re.search(r'name="attempt" type="hidden" value="([0-9a-f]{32})"', form).group(1)
        started = donor.post(
            "/redis-down/donate",
            data={
                "attempt": attempt,
                "amount_choice": "2500",
                "donor_name": "Ada Donor",
                "donor_email": "ada@example.com",
                "visibility": "named",
            },
        )
        assert started.status_code == 200, started.status_code
        public_id = re.search(r"/donations/([0-9a-f]{32})/pay", started.get_data(as_text=True)).group(1)
        paid = donor.post(
            f"/donations/{public_id}/pay", json={"payment_method": localstripe.payment_method()}
        )
        assert paid.status_code == 200, paid.get_data(as_text=True)
        assert paid.json["status"] == "succeeded"

        from fundraiser.models import Donation

        donation = session.query(Donation).filter_by(public_id=public_id).one()
        webhook = stripe_events.deliver(app.test_client(), stripe_events.payment_intent(donation))
        assert webhook.status_code == 200

        signin = app.test_client().post(
            "/signin", data={"email": runner.email, "password": factories.password}
        )
        assert signin.status_code == 302

    session.expire_all()
    assert session.get(Donation, donation.id).status == "paid"
    assert_money_adds_up(session)
    limiter_warnings = [
        r for r in caplog.records if r.name == "flask-limiter" and r.levelno == logging.WARNING
    ]
    assert [r.getMessage() for r in limiter_warnings] == [
        "Rate limit storage unreachable - falling back to in-memory storage"
    ]
    job_warnings = [r for r in caplog.records if r.name == "fundraiser.jobs"]
    assert job_warnings, "the receipt job queued by the webhook ran inline"
    for record in job_warnings:
        assert record.exc_info is None, "one line, no traceback"
        assert "\n" not in record.getMessage()
        assert "Redis unreachable (" in record.getMessage() and "Connection refused" in record.getMessage()


def test_limits_still_count_in_memory_during_the_outage(redis_down_app, factories, session):
    app = redis_down_app(SIGNIN_RATE_LIMIT="3/minute")
    user = factories.user()
    session.commit()
    client = app.test_client()
    statuses = [
        client.post("/signin", data={"email": user.email, "password": "wrong-password"}).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429], "three wrong passwords answered, the fourth limited"


def localstripe_settings(localstripe) -> dict:
    from tests.stripe_fixtures import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET

    return {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe.url,
        "STRIPE_STAND_IN": True,
        "STRIPE_JS_URL": f"{localstripe.url}/js.stripe.com/v3/",
    }
