"""A Canadian cause's form asks for what its official receipts must carry (CRA, "Issuing
complete and accurate donation receipts"): the address on file, CAD, the authorised
signatory's name and signature image; and charity admins offer thank-you benefits."""

from __future__ import annotations

import io
from html import unescape
from pathlib import Path

from flask import current_app
from PIL import Image

from fundraiser.models import Benefit, Cause

CA_FORM = {
    "name": "Maple Shelter",
    "slug": "maple-shelter",
    "legal_name": "Maple Shelter Society",
    "country": "CA",
    "registration_number": "123456789RR0001",
    "default_currency": "CAD",
    "address": "88 Maple Avenue, Toronto, ON M5V 2T6",
    "timezone": "America/Toronto",
    "website": "",
    "description": "Beds for the night.",
    "signatory_name": "Pat Treasurer",
}


def png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (240, 60), "white").save(out, format="PNG")
    out.seek(0)
    return out


def test_a_canadian_cause_needs_its_cra_address_and_cad(factories, session, signed_in):
    admin = factories.user(is_platform_admin=True)
    session.commit()
    client = signed_in(admin)

    response = client.post(
        "/causes/new", data={**CA_FORM, "address": "88 Maple Avenue, Toronto", "default_currency": "USD"}
    )

    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "street, city, province or territory and postal code" in html
    assert "takes gifts in CAD only" in html
    assert session.query(Cause).filter_by(slug="maple-shelter").count() == 0


def test_a_canadian_cause_uploads_its_signatorys_signature(factories, session, signed_in):
    admin = factories.user(is_platform_admin=True)
    session.commit()
    client = signed_in(admin)

    unnamed = client.post(
        "/causes/new",
        data={**CA_FORM, "signatory_name": "", "signature": (png(), "signature.png")},
        content_type="multipart/form-data",
    )
    assert unnamed.status_code == 422
    assert "Enter the name of the person whose signature you uploaded." in unescape(
        unnamed.get_data(as_text=True)
    )

    saved = client.post(
        "/causes/new",
        data={**CA_FORM, "signature": (png(), "signature.png")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    cause = session.query(Cause).filter_by(slug="maple-shelter").one()
    assert (
        cause.signature_path and (Path(current_app.config["UPLOAD_FOLDER"]) / cause.signature_path).is_file()
    )


def test_a_charity_admin_offers_and_withdraws_a_benefit(factories, session, signed_in):
    admin = factories.user()
    cause = factories.cause("US", admins=(admin,), slug="hot-meals")
    session.commit()
    client = signed_in(admin)

    below = client.post(
        "/causes/hot-meals/benefits",
        data={"description": "Dinner", "fair_market_value": "40", "min_gift_amount": "30"},
    )
    assert below.status_code == 422
    assert "at least the benefit's value" in unescape(below.get_data(as_text=True))

    made = client.post(
        "/causes/hot-meals/benefits",
        data={
            "description": "Post-race dinner",
            "fair_market_value": "40",
            "min_gift_amount": "100",
            "event_id": "",
        },
    )
    assert made.status_code == 302
    benefit = session.query(Benefit).filter_by(cause_id=cause.id).one()
    assert (benefit.fair_market_value, benefit.min_gift_amount, benefit.currency) == (4000, 10000, "USD")
    assert "Post-race dinner" in client.get("/causes/hot-meals/benefits").get_data(as_text=True)

    assert client.post(f"/causes/hot-meals/benefits/{benefit.id}/withdraw").status_code == 302
    session.refresh(benefit)
    assert benefit.is_offered is False
