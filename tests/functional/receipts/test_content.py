"""What each country's receipt says, read back from the real PDF."""

from __future__ import annotations

import io
from pathlib import Path

from flask import current_app
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from fundraiser.models import Receipt, ReceiptCounter, ReceiptRefusal
from fundraiser.receipts import issuing
from fundraiser.receipts.values import CA_ADDRESS_MISSING
from tests.factories import TEST_SIGNATURE

PLATFORM_ADDRESS = "Running Together, 1 Finish Line, London EC1A 1AA, United Kingdom"
LETTER = (612, 792)
A4 = (595, 842)


def page_size(pdf: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def images(pdf: bytes) -> list[Image.Image]:
    return [image.image for image in PdfReader(io.BytesIO(pdf)).pages[0].images]


def issue(session, donation) -> Receipt:
    session.commit()
    receipt = issuing.issue_receipt(session, donation.id)
    session.commit()
    assert receipt is not None
    return receipt


def test_us_receipt_is_an_irs_written_acknowledgment(factories, paid_donation, session, read_pdf):
    cause = factories.cause("US", legal_name="Portland Hot Meals Inc.", slug="hot-meals")
    donation = paid_donation(factories.page(cause=cause), amount=125050, donor_name="Jordan Q. Public")

    receipt = issue(session, donation)
    text = read_pdf(receipt.pdf)

    assert receipt.display_number == "HM-000001"
    for expected in (
        "Portland Hot Meals Inc.",
        "EIN: 12-3456789",
        "Jordan Q. Public",
        "May 14, 2026",
        "$1,250.50",
        "No goods or services were provided in exchange for this contribution.",
        "Receipt number HM-000001",
        PLATFORM_ADDRESS,
    ):
        assert expected in text
    assert page_size(receipt.pdf) == LETTER
    assert len(images(receipt.pdf)) == 1  # the placeholder logo


def test_us_receipt_with_an_event_entry_states_its_value_and_the_deductible_amount(
    factories, paid_donation, session, read_pdf
):
    cause = factories.cause("US")
    donation = paid_donation(
        factories.page(cause=cause),
        amount=10000,
        advantage_amount=3500,
        advantage_description="a 10K race entry and T-shirt",
    )

    text = read_pdf(issue(session, donation).pdf)

    assert "you received a 10K race entry and T-shirt, with a good-faith estimated value of $35.00" in text
    assert "Deductible amount: $65.00" in text
    assert "No goods or services" not in text


def test_ca_receipt_meets_the_cra_checklist(factories, paid_donation, session, read_pdf):
    cause = factories.cause("CA", legal_name="Maple Shelter Society", slug="maple-shelter")
    donation = paid_donation(
        factories.page(cause=cause),
        amount=20000,
        advantage_amount=4000,
        advantage_description="race entry",
        donor_name="Marie A. Tremblay",
    )

    receipt = issue(session, donation)
    text = read_pdf(receipt.pdf)

    for expected in (
        "Official receipt for income tax purposes",
        "Serial number MS-000001",
        "Maple Shelter Society",
        "88 Maple Avenue Toronto ON M5V 2T6",
        "Charitable registration number: 123456789RR0001",
        "Place of issue Toronto, ON",
        "Date the gift was received May 14, 2026",
        "Date of issue",
        "Marie A. Tremblay 5 Birch Road Toronto ON M4B 1B3",
        "TOTAL AMOUNT OF GIFT $200.00",
        "Value of advantage $40.00 (race entry)",
        "Eligible amount of gift for tax purposes $160.00",
        "Pat Treasurer, authorised signatory for Maple Shelter Society",
        "Canada Revenue Agency: canada.ca/charities-giving",
        PLATFORM_ADDRESS,
    ):
        assert expected in text, expected
    signature = Image.open(Path(current_app.config["UPLOAD_FOLDER"]) / TEST_SIGNATURE)
    assert signature.size in [image.size for image in images(receipt.pdf)]
    assert page_size(receipt.pdf) == LETTER


def test_ca_receipt_is_refused_without_the_donors_address(factories, paid_donation, session):
    cause = factories.cause("CA")
    donation = paid_donation(factories.page(cause=cause), address_line1="", address_postcode="")
    session.commit()

    assert issuing.issue_receipt(session, donation.id) is None
    session.commit()

    refusal = session.scalar(select(ReceiptRefusal).where(ReceiptRefusal.donation_id == donation.id))
    assert refusal.reason == CA_ADDRESS_MISSING
    assert session.scalar(select(func.count(Receipt.id))) == 0
    assert session.scalar(select(func.coalesce(func.max(ReceiptCounter.last_number), 0))) == 0


def test_gb_receipt_shows_the_gift_aid_declaration_on_a4(factories, paid_donation, session, read_pdf):
    cause = factories.cause("GB", legal_name="Leeds Kitchen Trust", registration_number="1098765")
    donation = paid_donation(factories.page(cause=cause), amount=45000, fee_cover_amount=1234, gift_aid=True)

    receipt = issue(session, donation)
    text = read_pdf(receipt.pdf)

    for expected in (
        "Leeds Kitchen Trust",
        "Registered charity number: 1098765",
        "£462.34",
        "Date of gift 14 May 2026",
        "Gift Aid declared.",
        "I want to Gift Aid my donation and any donations I make in the future or have made in the past "
        "4 years to Leeds Kitchen Trust.",
        "it is my responsibility to pay any difference",
        PLATFORM_ADDRESS,
    ):
        assert expected in text, expected
    assert page_size(receipt.pdf) == A4


def test_gb_receipt_without_a_declaration_says_so_and_uses_the_charitys_own_logo(
    app, factories, paid_donation, session, read_pdf
):
    logo = Path(app.config["UPLOAD_FOLDER"]) / "logos" / "kitchen.png"
    logo.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (37, 23), (200, 30, 30)).save(logo)
    cause = factories.cause("GB", logo_path="logos/kitchen.png")
    donation = paid_donation(factories.page(cause=cause))

    receipt = issue(session, donation)

    assert "No Gift Aid declaration was made with this gift." in read_pdf(receipt.pdf)
    assert [image.size for image in images(receipt.pdf)] == [(37, 23)]


def test_issuing_twice_does_nothing_the_second_time(factories, paid_donation, session):
    donation = paid_donation(factories.page())
    first = issue(session, donation)

    assert issuing.issue_receipt(session, donation.id) is None
    session.commit()

    assert session.scalars(select(Receipt.id)).all() == [first.id]
    assert session.get(ReceiptCounter, (donation.cause_id, "single")).last_number == 1


def test_gb_receipt_says_when_gift_aid_cannot_be_claimed(factories, paid_donation, session, read_pdf):
    runner = factories.user(email="runner@example.test")
    cause = factories.cause("GB")
    # HMRC Chapter 3.38: the runner's own gift is not claimable when the event gives runners a
    # benefit for their fundraising (issue 13; without one it is).
    event = factories.event(causes=(cause,), participant_benefit=True)
    page = factories.page(runner=runner, cause=cause, event=event)
    donation = paid_donation(page, gift_aid=True, donor_email="Runner@example.test")

    text = read_pdf(issue(session, donation).pdf)

    assert "Gift Aid declared, but it cannot be claimed on this gift: it was the runner's own gift" in text
    assert "I want to Gift Aid my donation" in text
