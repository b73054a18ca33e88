"""`flask receipts annual`: one year-end receipt per donor, resumable, never duplicated."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from fundraiser.models import Receipt
from fundraiser.receipts import annual, issuing, numbering


def make_year(factories, paid_donation, session, country: str = "US"):
    """Two donors with two gifts each in 2025, and one gift in 2024 that must not count."""
    cause = factories.cause(country, slug="hill-runners")
    page = factories.page(cause=cause)
    may = datetime(2025, 5, 14, 15, 30, tzinfo=UTC)
    donations = [
        paid_donation(page, donor_email="ann@example.test", donor_name="Ann Bell", amount=1000, paid_at=may),
        paid_donation(page, donor_email="ann@example.test", donor_name="Ann Bell", amount=2000, paid_at=may),
        paid_donation(page, donor_email="bo@example.test", donor_name="Bo Chan", amount=500, paid_at=may),
        paid_donation(page, donor_email="bo@example.test", donor_name="Bo Chan", amount=700, paid_at=may),
        paid_donation(
            page, donor_email="ann@example.test", amount=9900, paid_at=datetime(2024, 12, 30, tzinfo=UTC)
        ),
    ]
    session.commit()
    for donation in donations:
        issuing.issue_receipt(session, donation.id)
        session.commit()
    return cause


def annuals(session) -> list[Receipt]:
    session.expire_all()
    return list(session.scalars(select(Receipt).where(Receipt.kind == "annual").order_by(Receipt.number)))


def test_annual_command_twice_makes_each_donors_receipt_once(
    app, factories, paid_donation, session, read_pdf
):
    cause = make_year(factories, paid_donation, session)
    runner = app.test_cli_runner()

    first = runner.invoke(args=["receipts", "annual", "--cause", "hill-runners", "--year", "2025"])
    second = runner.invoke(args=["receipts", "annual", "--cause", "hill-runners", "--year", "2025"])

    assert first.exit_code == 0, first.output
    assert "2 year-end receipts made" in first.output
    assert "0 year-end receipts made" in second.output
    made = annuals(session)
    assert [(r.donor_email, r.amount, r.number) for r in made] == [
        ("ann@example.test", 3000, 1),
        ("bo@example.test", 1200, 2),
    ]
    text = read_pdf(made[0].pdf)
    ann_gifts = session.scalars(
        select(Receipt.display_number).where(
            Receipt.kind == "single", Receipt.donor_email == "ann@example.test", Receipt.gift_tax_year == 2025
        )
    ).all()
    assert "Year-end donation receipt" in text and "HR-Y2025-00001" in text
    assert all(number in text for number in ann_gifts)
    assert "$30.00" in text and "$99.00" not in text
    assert "No goods or services were provided in exchange for these contributions." in text
    assert numbering.cause_prefix(cause.slug) == "HR"


def test_a_stopped_run_is_resumed_without_duplicates_using_two_workers(
    app, factories, paid_donation, session, read_pdf
):
    cause = make_year(factories, paid_donation, session, country="CA")
    # A run stopped after numbering Ann's receipt but before drawing it.
    annual.reserve_annual_receipt(session, cause, 2025, "ann@example.test")
    session.commit()

    result = app.test_cli_runner().invoke(
        args=["receipts", "annual", "--cause", "hill-runners", "--year", "2025", "--workers", "2"]
    )

    assert result.exit_code == 0, result.output
    assert "2 year-end receipts made" in result.output
    made = annuals(session)
    assert [(r.donor_email, r.number, bool(r.pdf_sha256)) for r in made] == [
        ("ann@example.test", 1, True),
        ("bo@example.test", 2, True),
    ]
    text = read_pdf(made[1].pdf)
    assert "Year-end summary of official receipts" in text
    assert "It is not an additional official receipt" in text
    assert "Canada Revenue Agency: canada.ca/charities-giving" in text


def test_unknown_cause_is_an_error(app):
    result = app.test_cli_runner().invoke(args=["receipts", "annual", "--cause", "nope", "--year", "2025"])
    assert result.exit_code != 0
    assert "No cause with the slug 'nope'" in result.output
