"""The thank-you link shows the donor's name and receipt download for a day; after that
only the gift. The receipt link in the email keeps its own RECEIPT_LINK_DAYS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fundraiser.models.columns import utcnow
from fundraiser.receipts.links import download_url
from tests.world import build_world


@pytest.fixture
def world(app, factories):
    return build_world(app, factories)


def age(session, donation, by: timedelta) -> None:
    donation.created_at = utcnow() - by
    session.commit()


def test_within_a_day_it_shows_the_name_and_the_receipt_link(client, session, world):
    age(session, world.donation, timedelta(hours=24) - timedelta(minutes=1))
    html = client.get(f"/thank-you/{world.donation.public_id}").get_data(as_text=True)
    assert "Thank you, Dee Donor!" in html
    assert "Download your receipt (PDF)" in html and "/receipts/" in html
    assert client.get(f"/donations/{world.donation.public_id}/status").json["name"] == "Dee Donor"


@pytest.mark.parametrize("after", [timedelta(hours=24), timedelta(days=30)])
def test_after_a_day_it_shows_the_gift_only(client, session, world, after):
    age(session, world.donation, after)
    html = client.get(f"/thank-you/{world.donation.public_id}").get_data(as_text=True)
    assert "your gift of <strong>£25.00</strong>" in html
    assert "Dee Donor" not in html and "dee@example.com" not in html
    assert "/receipts/" not in html and "Download your receipt" not in html
    assert "Your receipt was sent to your email" in html
    status = client.get(f"/donations/{world.donation.public_id}/status").json
    assert status["name"] == ""
    assert status["amount"] == "£25.00"


def test_the_emailed_receipt_link_still_works_after_the_day(app, client, session, world):
    age(session, world.donation, timedelta(days=2))
    emailed = download_url(world.receipt.id)
    response = client.get(emailed.removeprefix(app.config["PUBLIC_URL"].rstrip("/")))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    expired = download_url(world.receipt.id, expires_at=utcnow() - timedelta(seconds=1))
    assert client.get(expired.removeprefix(app.config["PUBLIC_URL"].rstrip("/"))).status_code == 410
