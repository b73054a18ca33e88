"""Canadian official receipts, read back from the signed PDF, against the CRA's own list."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from fundraiser.models import Receipt, ReceiptRefusal, Refund
from fundraiser.receipts import corrections, issuing
from fundraiser.receipts.advantage import CA_ADVANTAGE_OVER_80
from fundraiser.receipts.values import CA_NO_SIGNATORY


def issued(session, donation) -> Receipt | None:
    receipt = issuing.issue_receipt(session, donation.id)
    session.commit()
    return receipt


def test_a_canadian_receipt_has_every_field_of_the_cra_list(factories, paid_donation, session, read_pdf):
    """CRA, "Issuing complete and accurate donation receipts" (official receipt checklist),
    every item in order: the words; the charity's name and address as on file and its
    registration number; a unique serial number; the place of issue; the date the gift was
    received and the date of issue; the donor's full name and address with province and postal
    code; the amount of the gift; the value and description of the advantage; the eligible
    amount; an authorised individual's signature; the name and website of the CRA."""
    cause = factories.cause(
        "CA",
        legal_name="Maple Shelter Society",
        slug="maple-shelter",
        address="88 Maple Avenue\nToronto, ON m5v2t6",
        signatory_name="Pat Treasurer",
    )
    donation = paid_donation(
        factories.page(cause=cause),
        amount=20000,
        advantage_amount=4000,
        advantage_description="post-race dinner",
        donor_name="Marie A. Tremblay",
        address_line1="5 Birch Road",
        address_city="Ottawa",
        address_region="ON",
        address_postcode="K1A 0B1",
    )

    text = read_pdf(issued(session, donation).pdf)

    for field in (
        "Official receipt for income tax purposes",
        "Maple Shelter Society",
        "88 Maple Avenue Toronto ON M5V 2T6",
        "Charitable registration number: 123456789RR0001",
        "Serial number MS-000001",
        "Place of issue Toronto, ON",
        "Date the gift was received May 14, 2026",
        "Date of issue",
        "Marie A. Tremblay 5 Birch Road Ottawa ON K1A 0B1",
        "TOTAL AMOUNT OF GIFT $200.00",
        "Value of advantage $40.00 (post-race dinner)",
        "Eligible amount of gift for tax purposes $160.00",
        "Pat Treasurer, authorised signatory for Maple Shelter Society",
        "Canada Revenue Agency: canada.ca/charities-giving",
    ):
        assert field in text, field


def test_an_advantage_of_exactly_75_dollars_and_10_percent_is_ignored(
    factories, paid_donation, session, read_pdf
):
    """CRA, "Advantage and eligible amount": de minimis, an advantage not over the lesser of
    $75 and 10% of the gift: the eligible amount is the whole gift."""
    page = factories.page(cause=factories.cause("CA"))
    donation = paid_donation(page, amount=75000, advantage_amount=7500, advantage_description="race T-shirt")

    receipt = issued(session, donation)
    text = read_pdf(receipt.pdf)

    assert "Value of advantage $0.00" in text
    assert "Eligible amount of gift for tax purposes $750.00" in text
    assert (receipt.data["advantage_amount"], receipt.data["eligible_amount"]) == (0, 75000)


def test_an_advantage_one_cent_over_75_dollars_is_deducted(factories, paid_donation, session, read_pdf):
    """CRA, "Advantage and eligible amount": $75.01 on a $1,000 gift is under 10% but over $75."""
    page = factories.page(cause=factories.cause("CA"))
    donation = paid_donation(page, amount=100000, advantage_amount=7501, advantage_description="gala dinner")

    text = read_pdf(issued(session, donation).pdf)

    assert "Value of advantage $75.01 (gala dinner)" in text
    assert "Eligible amount of gift for tax purposes $924.99" in text


def test_an_advantage_of_exactly_80_percent_still_gets_a_receipt(factories, paid_donation, session, read_pdf):
    """CRA, "Advantage and eligible amount": the threshold is an advantage *over* 80%."""
    page = factories.page(cause=factories.cause("CA"))
    donation = paid_donation(page, amount=10000, advantage_amount=8000, advantage_description="dinner")

    text = read_pdf(issued(session, donation).pdf)

    assert "Eligible amount of gift for tax purposes $20.00" in text


def test_over_80_percent_no_receipt_until_the_charity_records_the_intent_to_give(
    factories, paid_donation, session, read_pdf
):
    """CRA, "Advantage and eligible amount": over 80%, no receipt unless the charity can show
    the donor's intention to make a gift; once it records that, the receipt is issued."""
    page = factories.page(cause=factories.cause("CA"))
    donation = paid_donation(page, amount=10000, advantage_amount=8001, advantage_description="dinner")

    assert issued(session, donation) is None
    refusal = session.scalar(select(ReceiptRefusal).where(ReceiptRefusal.donation_id == donation.id))
    assert refusal.reason == CA_ADVANTAGE_OVER_80

    receipt = corrections.record_advantage(
        session, donation, corrections.AdvantageInput("80.01", "dinner", intent_to_give_shown=True)
    )
    session.commit()

    assert "Eligible amount of gift for tax purposes $19.99" in read_pdf(receipt.pdf)


def test_recording_an_advantage_cancels_and_replaces_the_receipt(factories, paid_donation, session, read_pdf):
    """CRA: a corrected receipt replaces a voided one, kept by the charity and marked void,
    and says it "cancels and replaces receipt No. X"."""
    page = factories.page(cause=factories.cause("CA", slug="maple"))
    donation = paid_donation(page, amount=20000)
    original = issued(session, donation)
    kept = original.pdf

    replacement = corrections.record_advantage(
        session, donation, corrections.AdvantageInput("40", "post-race dinner", intent_to_give_shown=False)
    )
    session.commit()

    session.refresh(original)
    assert original.voided_at is not None and original.pdf == kept
    assert original.void_reason.endswith(f"replaced by receipt {replacement.display_number}.")
    text = read_pdf(replacement.pdf)
    assert f"This receipt cancels and replaces receipt No. {original.display_number}" in text
    assert "Value of advantage $40.00 (post-race dinner)" in text
    assert "VOID" in read_pdf(issuing.void_copy_pdf(original))


def test_no_receipt_without_the_charitys_own_signatory(factories, paid_donation, session):
    """CRA: the signature of an individual authorised by the charity; no stock signature, and
    no receipt signed by a blank name."""
    for fields in ({"signature_path": None}, {"signatory_name": ""}):
        page = factories.page(cause=factories.cause("CA", **fields))
        donation = paid_donation(page)

        assert issued(session, donation) is None
        refusal = session.scalar(select(ReceiptRefusal).where(ReceiptRefusal.donation_id == donation.id))
        assert refusal.reason == CA_NO_SIGNATORY


def test_a_returned_gift_over_50_dollars_is_listed_for_an_information_return(
    factories, paid_donation, session, signed_in
):
    """CRA, "Returning a gift": a returned gift over $50 that had an official receipt needs an
    information return; one of exactly $50 does not."""
    admin = factories.user()
    cause = factories.cause("CA", admins=(admin,), slug="maple")
    page = factories.page(cause=cause)
    big = paid_donation(page, amount=20000, donor_name="Big Returner")
    small = paid_donation(page, amount=20000, donor_name="Small Returner")
    receipt = issued(session, big)
    issued(session, small)
    when = datetime(2026, 6, 1, 12, tzinfo=UTC)
    session.add_all(
        [
            Refund(donation_id=big.id, stripe_refund_id="re_big", amount=5001, created_at=when),
            Refund(donation_id=small.id, stripe_refund_id="re_small", amount=5000, created_at=when),
        ]
    )
    session.commit()

    html = signed_in(admin).get(f"/causes/{cause.slug}/dashboard").get_data(as_text=True)

    section = html.split('id="returned-gifts"')[1].split("</section>")[0]
    assert receipt.display_number in section and "Big Returner" in section and "$50.01" in section
    assert "Small Returner" not in section
    assert "information return" in section and "within 90 days" in section
    assert "30 August 2026" in section  # 90 days after 1 June
