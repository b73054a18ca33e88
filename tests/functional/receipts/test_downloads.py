"""Signed download links, and the signed-in donor's receipts page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from fundraiser.models import Receipt
from fundraiser.receipts import issuing, links


def path_of(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:5000")


def issued(session, donation) -> Receipt:
    session.commit()
    receipt = issuing.issue_receipt(session, donation.id)
    session.commit()
    return receipt


def test_a_valid_link_serves_exactly_the_stored_bytes(factories, paid_donation, session, client):
    receipt = issued(session, paid_donation(factories.page()))

    response = client.get(path_of(links.download_url(receipt.id)))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == receipt.pdf
    assert response.headers["X-Receipt-SHA256"] == receipt.pdf_sha256


def test_an_expired_link_explains_itself_with_410(factories, paid_donation, session, client):
    receipt = issued(session, paid_donation(factories.page()))
    past = datetime.now(UTC) - timedelta(seconds=1)

    response = client.get(path_of(links.download_url(receipt.id, expires_at=past)))

    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "<h1>This receipt link has expired</h1>" in page
    assert "My receipts" in page


def test_forged_or_guessed_links_give_404(app, factories, paid_donation, session, client):
    receipt = issued(session, paid_donation(factories.page()))
    token = links.download_token(receipt.id)

    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get(f"/receipts/{forged}.pdf").status_code == 404
    assert client.get(f"/receipts/{receipt.id}.pdf").status_code == 404
    missing = links.download_token(receipt.id + 1000)
    assert client.get(f"/receipts/{missing}.pdf").status_code == 404


def test_my_receipts_lists_only_the_signed_in_donors_and_makes_a_year_end_receipt(
    factories, paid_donation, session, signed_in, read_pdf
):
    donor = factories.user(email="kim@example.test", email_confirmed_at=datetime.now(UTC))
    cause = factories.cause("GB", name="Leeds Kitchen")
    page = factories.page(cause=cause)
    may = datetime(2025, 5, 14, 15, 30, tzinfo=UTC)  # the UK tax year 2025-26, over since 6 April 2026
    mine = issued(
        session, paid_donation(page, donor_email="Kim@Example.test", donor_name="Kim Lee", paid_at=may)
    )
    theirs = issued(session, paid_donation(page, donor_email="other@example.test", paid_at=may))

    client = signed_in(donor)
    listing = client.get("/me/receipts").get_data(as_text=True)

    assert "<h1>My receipts</h1>" in listing
    assert mine.display_number in listing
    assert theirs.display_number not in listing
    link = next(part.split('"')[0] for part in listing.split('href="') if part.startswith("/receipts/"))
    assert client.get(link).data == mine.pdf

    assert (
        client.post("/me/receipts/annual", data={"cause_id": cause.id, "tax_year": 2024}).status_code == 404
    )
    made = client.post("/me/receipts/annual", data={"cause_id": cause.id, "tax_year": 2025})
    assert made.status_code == 302
    annual = session.scalars(select(Receipt).where(Receipt.kind == "annual")).one()
    assert (annual.donor_email, annual.amount, annual.tax_year) == ("kim@example.test", 2500, 2025)
    text = read_pdf(annual.pdf)
    assert "Year-end statement of gifts" in text
    assert mine.display_number in text and theirs.display_number not in text
    assert annual.display_number in client.get("/me/receipts").get_data(as_text=True)


def test_my_receipts_needs_signing_in(client):
    response = client.get("/me/receipts")
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def test_an_unconfirmed_email_shows_no_guest_gifts_until_the_emailed_link_is_opened(
    factories, paid_donation, session, signed_in, smtp_server
):
    claimant = factories.user(email="dora@example.test")
    page = factories.page(cause=factories.cause("GB"))
    guest_gift = issued(session, paid_donation(page, donor_email="dora@example.test", donor_name="Dora"))
    client = signed_in(claimant)

    assert guest_gift.display_number not in client.get("/me/receipts").get_data(as_text=True)
    annual = {"cause_id": page.cause_id, "tax_year": 2026}
    assert client.post("/me/receipts/annual", data=annual).status_code == 404

    assert client.post("/confirm/again", data={"next": "/me/receipts"}).status_code == 302
    (mail,) = smtp_server.messages
    assert mail["To"] == "dora@example.test"
    link = re.search(r"https?://\S+/confirm/\S+", mail.get_body(("plain",)).get_content()).group(0)
    assert client.get("/" + link.split("://", 1)[1].split("/", 1)[1]).status_code == 302

    assert guest_gift.display_number in client.get("/me/receipts").get_data(as_text=True)
