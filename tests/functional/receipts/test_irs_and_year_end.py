"""IRS wording with and without goods, year-end receipts only after the tax year, and the
donor told when a refund voids a receipt: read back from the PDFs and the emails."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from fundraiser.models import Receipt
from fundraiser.receipts import annual, issuing
from fundraiser.receipts.tasks import issue_receipt_for_donation, receipt_after_refund

MAY_2025 = datetime(2025, 5, 14, 15, 30, tzinfo=UTC)


def issued(session, donation) -> Receipt:
    receipt = issuing.issue_receipt(session, donation.id)
    session.commit()
    return receipt


def test_a_us_gift_with_a_t_shirt_says_what_was_received_and_what_is_deductible(
    factories, paid_donation, session, read_pdf
):
    """IRS Publication 1771, "Quid pro quo contributions" and "Written acknowledgment": over
    $75 and partly for goods, the receipt describes them, gives a good-faith estimate of their
    value and says only the excess is deductible."""
    page = factories.page(cause=factories.cause("US"))
    donation = paid_donation(page, amount=10000, advantage_amount=800, advantage_description="a race T-shirt")

    text = read_pdf(issued(session, donation).pdf)

    assert "In exchange for this contribution you received a race T-shirt" in text
    assert "with a good-faith estimated value of $8.00" in text
    assert "Deductible amount: $92.00" in text
    assert "Only the amount of your contribution above the value of the goods or services" in text
    assert "over $75" in text
    assert "No goods or services" not in text


def test_a_us_gift_without_goods_says_none_were_provided(factories, paid_donation, session, read_pdf):
    """IRS Publication 1771: the acknowledgment states that no goods or services were provided."""
    page = factories.page(cause=factories.cause("US"))
    text = read_pdf(issued(session, paid_donation(page, amount=10000)).pdf)

    assert "No goods or services were provided in exchange for this contribution." in text
    assert "Deductible amount" not in text


def test_the_us_annual_summary_describes_each_good(app, factories, paid_donation, session, read_pdf):
    """IRS Publication 1771: a periodic (annual) acknowledgment describes the goods or services
    provided, not only their total value."""
    cause = factories.cause("US", slug="hill-runners")
    page = factories.page(cause=cause)
    for amount, value, goods in (
        (10000, 800, "race T-shirt"),
        (20000, 4000, "post-race dinner"),
        (5000, 0, ""),
    ):
        gift = paid_donation(
            page, amount=amount, advantage_amount=value, advantage_description=goods, paid_at=MAY_2025
        )
        issued(session, gift)

    result = app.test_cli_runner().invoke(
        args=["receipts", "annual", "--cause", "hill-runners", "--year", "2025"]
    )

    assert result.exit_code == 0, result.output
    text = read_pdf(session.scalars(select(Receipt).where(Receipt.kind == "annual")).one().pdf)
    assert "race T-shirt, with a good-faith estimated value of $8.00" in text
    assert "post-race dinner, with a good-faith estimated value of $40.00" in text
    assert "Deductible amount: $302.00" in text


def test_a_year_end_receipt_waits_for_the_end_of_the_tax_year(app, factories, paid_donation, session):
    """CRA and IRS: a year-end (cumulative) receipt covers the gifts of a tax year, so it is
    issued once the year is over; the command says when that is."""
    cause = factories.cause("CA", slug="maple")
    issued(session, paid_donation(factories.page(cause=cause), paid_at=datetime(2026, 5, 14, tzinfo=UTC)))

    result = app.test_cli_runner().invoke(args=["receipts", "annual", "--cause", "maple", "--year", "2026"])

    assert result.exit_code != 0
    assert "runs until 31 December 2026" in result.output
    assert session.scalars(select(Receipt).where(Receipt.kind == "annual")).all() == []


def test_a_so_far_summary_says_it_is_not_a_receipt(factories, paid_donation, session, signed_in, read_pdf):
    donor = factories.user(email="kim@example.test", email_confirmed_at=datetime.now(UTC))
    cause = factories.cause("CA")
    gift = issued(session, paid_donation(factories.page(cause=cause), donor_email="kim@example.test"))
    client = signed_in(donor)

    assert "summary so far" in client.get("/me/receipts").get_data(as_text=True)
    response = client.post("/me/receipts/annual", data={"cause_id": cause.id, "tax_year": 2026})

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = read_pdf(response.data)
    assert "Summary of your gifts so far in 2026" in text
    assert "This is not a receipt" in text and gift.display_number in text
    assert session.scalars(select(Receipt).where(Receipt.kind == "annual")).all() == []


def test_a_gift_receipted_after_the_year_end_receipt_is_not_left_out(
    factories, paid_donation, session, read_pdf
):
    """A gift of 2025 whose receipt is issued after the 2025 year-end receipt (a payment
    confirmed late): the year-end receipt is cancelled and replaced by one listing it."""
    cause = factories.cause("CA", slug="maple")
    page = factories.page(cause=cause)
    first = issued(session, paid_donation(page, amount=1000, paid_at=MAY_2025))
    year_end = annual.make_annual_receipt(session, cause, 2025, "alex@example.test")
    session.commit()
    late = paid_donation(page, amount=2000, paid_at=datetime(2025, 12, 31, 20, tzinfo=UTC))
    session.commit()

    issue_receipt_for_donation(late.id)

    session.expire_all()
    annuals = session.scalars(select(Receipt).where(Receipt.kind == "annual").order_by(Receipt.id)).all()
    assert [r.id for r in annuals] == [year_end.id, annuals[1].id]
    assert annuals[0].voided_at is not None and annuals[1].voided_at is None
    assert annuals[1].replaces_id == year_end.id and annuals[1].amount == 3000
    text = read_pdf(annuals[1].pdf)
    assert first.display_number in text
    assert f"cancels and replaces receipt No. {year_end.display_number}" in text


def test_a_partial_refund_tells_the_donor_the_receipt_is_void_and_sends_the_replacement(
    factories, paid_donation, session, smtp_server, read_pdf
):
    """CRA, "Returning a gift": the original receipt is cancelled; the donor is told, and gets
    the replacement for what the charity kept."""
    page = factories.page(cause=factories.cause("CA", name="Maple Shelter"))
    donation = paid_donation(page, amount=10000, donor_email="marie@example.test")
    session.commit()
    issue_receipt_for_donation(donation.id)
    original = session.scalars(select(Receipt)).one()
    smtp_server.messages.clear()

    donation.refunded_amount = 4000
    session.commit()
    receipt_after_refund(donation.id)

    (message,) = smtp_server.messages
    assert message["To"] == "marie@example.test"
    assert message["Subject"] == f"Your receipt {original.display_number} from Maple Shelter is void"
    text = message.get_body(("plain",)).get_content()
    assert f"Receipt {original.display_number} is therefore void" in text
    (attachment,) = list(message.iter_attachments())
    replacement = session.scalars(select(Receipt).where(Receipt.replaces_id == original.id)).one()
    assert attachment.get_content() == replacement.pdf
    assert "$60.00" in read_pdf(replacement.pdf)
    assert replacement.email_status == "sent"


def test_a_full_refund_tells_the_donor_the_receipt_is_void(factories, paid_donation, session, smtp_server):
    page = factories.page(cause=factories.cause("CA"))
    donation = paid_donation(page, amount=10000, donor_email="marie@example.test")
    session.commit()
    issue_receipt_for_donation(donation.id)
    smtp_server.messages.clear()

    donation.refunded_amount = 10000
    session.commit()
    receipt_after_refund(donation.id)

    (message,) = smtp_server.messages
    assert "is void" in message["Subject"]
    assert "No replacement receipt is issued" in message.get_body(("plain",)).get_content()
    assert list(message.iter_attachments()) == []
