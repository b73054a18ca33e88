"""Card testers hammer donation forms: donation attempts are limited per IP. (The per-page
limit counts PaymentIntents, not posts: test_card_testing.py.)"""

from __future__ import annotations

import logging


def post_attempts(client, slug: str, count: int, ip: str = "203.0.113.7"):
    # An empty form is refused (422) but still counts: testers do not send valid forms either.
    return [
        client.post(f"/{slug}/donate", data={}, environ_base={"REMOTE_ADDR": ip}).status_code
        for _ in range(count)
    ]


def test_the_eleventh_attempt_from_one_ip_is_refused_and_logged(factories, session, variant_app, caplog):
    page = factories.page()
    session.commit()
    app = variant_app(
        RATELIMIT_ENABLED=True, DONATION_RATE_LIMIT="10/minute", DONATION_PAGE_RATE_LIMIT="100/minute"
    )
    client = app.test_client()

    with caplog.at_level(logging.WARNING, logger="fundraiser.donations.views"):
        statuses = post_attempts(client, page.slug, 11)
        refused = client.post(f"/{page.slug}/donate", data={}, environ_base={"REMOTE_ADDR": "203.0.113.7"})

    assert statuses == [422] * 10 + [429]
    assert refused.status_code == 429
    assert "Too many donation attempts came from your connection" in refused.get_data(as_text=True)
    assert client.get(f"/{page.slug}/donate", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200
    assert post_attempts(client, page.slug, 1, ip="198.51.100.2") == [422]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("203.0.113.7" in message and page.slug in message for message in warnings)
