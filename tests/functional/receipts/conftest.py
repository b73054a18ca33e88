"""Receipts fixtures: paid donations made directly with the models, and PDF text."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from fundraiser.extensions import db
from fundraiser.models import Donation, GiftAidDeclaration, PledgePage

GIFT_AID_WORDING = (
    "I want to Gift Aid my donation and any donations I make in the future or have made in the "
    "past 4 years to {charity}. I am a UK taxpayer and understand that if I pay less Income Tax "
    "and/or Capital Gains Tax than the amount of Gift Aid claimed on all my donations in that tax "
    "year it is my responsibility to pay any difference."
)


def make_paid_donation(page: PledgePage, *, gift_aid: bool = False, **fields) -> Donation:
    amount = fields.pop("amount", 2500)
    fee_cover = fields.pop("fee_cover_amount", 0)
    values = dict(
        page_id=page.id,
        cause_id=page.cause_id,
        event_id=page.event_id,
        currency=page.currency,
        amount=amount,
        fee_cover_amount=fee_cover,
        charged_amount=amount + fee_cover,
        status="paid",
        paid_at=datetime(2026, 5, 14, 15, 30, tzinfo=UTC),
        donor_name="Alex Donor",
        donor_email="alex@example.test",
        address_line1="5 Birch Road",
        address_city="Toronto",
        address_region="ON",
        address_postcode="M4B 1B3",
        address_country="CA",
    )
    values.update(fields)
    donation = Donation(**values)
    db.session.add(donation)
    db.session.flush()
    if gift_aid:
        db.session.add(
            GiftAidDeclaration(
                donation_id=donation.id,
                first_name="Alex",
                last_name="Donor",
                house_name_or_number="5",
                address="Birch Road, Leeds",
                postcode="LS2 9JT",
                covers_past_and_future=True,
                wording=GIFT_AID_WORDING.format(charity=page.cause.legal_name),
                declared_at=values["paid_at"],
            )
        )
        db.session.flush()
    return donation


@pytest.fixture
def paid_donation(app):
    """`paid_donation(page, amount=..., gift_aid=True, ...)`: a paid donation, flushed."""
    return make_paid_donation


def pdf_text(data: bytes) -> str:
    """All the text of a PDF, whitespace collapsed, for assertions on what it says."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def read_pdf():
    return pdf_text
