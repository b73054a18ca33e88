"""The HMRC Gift Aid claim, read back cell by cell from the downloaded files.

Sources: gov.uk, "Schedule spreadsheet to claim back tax on Gift Aid donations" (updated
2025-11: columns and their formats, blank cells, aggregated donations under £30 at most £1,000 a
line, "Yes" only on a participant's line, 1,000 lines a schedule); HMRC Charities, "Chapter 3:
Gift Aid", 3.38 onwards (sponsorship: gifts over £500 listed with the donor; participants' and
connected persons' gifts excluded only where the participant gets a benefit tied to the
fundraising)."""

from __future__ import annotations

import csv
import io
import zipfile

from sqlalchemy import select

from fundraiser.donations.giftaid import EXCLUSION_REASONS
from fundraiser.extensions import db
from fundraiser.models import Donation
from fundraiser.receipts.values import gift_aid_exclusion
from fundraiser.reports.giftaid import claimable_gifts, excluded_gifts, gift_aid_totals
from fundraiser.reports.periods import parse_period
from tests.functional.reports.conftest import PERIOD

HEADER = [
    "Title",
    "First name or initial",
    "Last name",
    "House name or number",
    "Postcode",
    "Aggregated donations",
    "Sponsored event",
    "Donation date (DD/MM/YY)",
    "Amount",
]


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def claim_files(client, slug: str = "hot-meals", **query) -> dict[str, list[list[str]]]:
    """Download the claim's ZIP and read every file in it back as CSV rows."""
    response = client.get(f"/causes/{slug}/reports/gift-aid.zip", query_string={**PERIOD, **query})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: rows_of(archive.read(name).decode()) for name in archive.namelist()}


def test_the_claim_lists_every_claimable_gift_in_hmrcs_columns(known, signed_in):
    """Each gift on its own line with the declared name and address; "Sponsored event" blank
    (never "Yes" against an individual donation); title and date cells as HMRC shows them;
    amounts with 2 decimals and no £; a blank title left blank."""
    files = claim_files(signed_in(known.admin))
    assert list(files) == ["schedule-01.csv", "excluded.csv", "summary.csv"]
    schedule = files["schedule-01.csv"]
    assert schedule[0] == HEADER
    # In order of payment. d17 is 23:30 UTC on 28 Feb: still 28 Feb in London (GMT). d1's fee
    # cover counts (20.00 + 0.50); d3 is claimed on what was kept after a partial refund
    # (30.00 - 10.00); d4 (over £500) is claimable when listed with its donor; d6 is Alice's
    # own gift, claimable because the City 10K gives runners no benefit.
    assert schedule[1:] == [
        ["", "Leo", "Lion", "7", "M1 1AA", "", "", "28/02/26", "33.00"],
        ["Ms", "Mia", "Donor", "3", "LS2 9JT", "", "", "01/03/26", "10.00"],
        ["Mr", "Dan", "Donor", "12", "LS1 4AP", "", "", "02/03/26", "20.50"],
        ["Mr", "Frank", "Donor", "12", "LS1 4AP", "", "", "10/03/26", "20.00"],
        ["Mr", "Grace", "Donor", "12", "LS1 4AP", "", "", "12/03/26", "600.00"],
        ["Dr", "Henry", "Big", "Rose Cottage", "YO1 7HH", "", "", "12/03/26", "500.00"],
        ["Mr", "Alice", "Donor", "12", "LS1 4AP", "", "", "13/03/26", "15.00"],
    ]
    assert not any(cell in ("0.00", "n/a") for row in schedule for cell in row)


def test_the_excluded_file_says_which_gifts_were_left_out_and_why(known, signed_in):
    """Declared gifts left out, each with a reason a finance officer can check."""
    files = claim_files(signed_in(known.admin))
    excluded = files["excluded.csv"]
    assert excluded[0] == [
        "donation_id",
        "date",
        "donor_name",
        "donor_email",
        "declared_name",
        "amount",
        "reason_code",
        "reason",
    ]
    d = known.d
    found = [(row[0], row[5], row[6], row[7]) for row in excluded[1:]]
    assert found == [
        (d.d2.public_id, "0.00", "refunded", "it was refunded in full."),
        (d.d7.public_id, "25.00", "runner", EXCLUSION_REASONS["runner"]),
        (d.d8.public_id, "100.00", "company", "it was made by a company."),
        (d.d9.public_id, "40.00", "disputed", EXCLUSION_REASONS["disputed"]),
        (d.d10.public_id, "35.00", "disputed", EXCLUSION_REASONS["disputed"]),
        (d.e2.public_id, "20.00", "not_pounds", "it was not made in pounds sterling."),
    ]
    assert excluded[2][1] == "2026-03-14 10:00"  # d7, 10:00 UTC is 10:00 GMT
    assert excluded[2][4] == "Bob Donor"
    alone = signed_in(known.admin).get("/causes/hot-meals/reports/gift-aid-excluded.csv", query_string=PERIOD)
    assert rows_of(alone.get_data(as_text=True)) == excluded


def test_the_summary_and_the_dashboard_use_the_same_rules(known, signed_in, session):
    files = claim_files(signed_in(known.admin))
    summary = files["summary.csv"]
    assert summary[0] == [
        "schedule",
        "file",
        "lines",
        "gifts",
        "amount",
        "gift_aid",
        "first_date",
        "last_date",
    ]
    assert summary[1:] == [
        ["1", "schedule-01.csv", "7", "7", "1198.50", "299.62", "28/02/26", "13/03/26"],
        ["all", "", "7", "7", "1198.50", "299.62", "28/02/26", "13/03/26"],
        ["tax year 2025-26", "", "7", "7", "1198.50", "299.62", "28/02/26", "13/03/26"],
    ]
    period = parse_period(PERIOD, "Europe/London")
    assert gift_aid_totals(session, known.cause.id, period) == (7, 119850, 29962)


def test_a_receipt_and_the_claim_give_the_same_reason(known, session):
    """The donor's receipt (receipts.values.gift_aid_exclusion, Python) and the claim
    (reports.giftaid, SQL) apply the same rules to every declared gift."""
    period = parse_period(PERIOD, "Europe/London")
    claimed = {gift.donation_id for gift in claimable_gifts(session, known.cause.id, period)}
    left_out = {
        row.id: EXCLUSION_REASONS[row.reason] for row in excluded_gifts(session, known.cause.id, period)
    }
    declared = session.scalars(
        select(Donation).where(
            Donation.cause_id == known.cause.id,
            Donation.paid_at >= period.start,
            Donation.paid_at < period.end,
            Donation.gift_aid_declaration.has(),
        )
    ).all()
    assert len(declared) == len(claimed) + len(left_out) == 13
    for donation in declared:
        assert gift_aid_exclusion(donation) == left_out.get(donation.id, ""), donation.donor_email


def test_claim_options_are_checked(known, signed_in):
    client = signed_in(known.admin)
    for query in ({"route": "both"}, {"aggregate": "maybe"}, {"schedule": "0"}, {"schedule": "two"}):
        response = client.get("/causes/hot-meals/reports/gift-aid.csv", query_string={**PERIOD, **query})
        assert response.status_code == 400, query
    response = client.get("/causes/hot-meals/reports/gift-aid.csv", query_string={**PERIOD, "schedule": "2"})
    assert response.status_code == 400
    assert "This claim has 1 schedule(s)" in response.get_data(as_text=True)


def test_gift_aid_is_for_uk_causes_only(known, factories, signed_in):
    admin = factories.user()
    factories.cause("US", admins=(admin,), slug="us-cause")
    db.session.commit()
    client = signed_in(admin)
    for suffix in ("gift-aid.csv", "gift-aid.zip", "gift-aid-excluded.csv"):
        assert client.get(f"/causes/us-cause/reports/{suffix}", query_string=PERIOD).status_code == 404
    assert client.get("/causes/us-cause/dashboard").status_code == 200


def test_gift_aid_bad_dates_are_400(known, signed_in):
    response = signed_in(known.admin).get(
        "/causes/hot-meals/reports/gift-aid.csv", query_string={"from": "2026-02-30", "to": "2026-03-01"}
    )
    assert response.status_code == 400


def test_the_dashboard_offers_the_claim_and_its_choices(known, signed_in):
    page = (
        signed_in(known.admin).get("/causes/hot-meals/dashboard", query_string=PERIOD).get_data(as_text=True)
    )
    assert 'action="/causes/hot-meals/reports/gift-aid.zip"' in page
    assert 'name="route" value="individual" checked' in page
    assert 'name="route" value="sponsored"' in page
    assert 'name="aggregate" value="1"' in page
    assert "/causes/hot-meals/reports/gift-aid-excluded.csv?" in page
    assert "Gifts over £500 are eligible and listed with their donor." in page
