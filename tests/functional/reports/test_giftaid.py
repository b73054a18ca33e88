"""The HMRC Gift Aid schedule: columns, and what is left out."""

from __future__ import annotations

import csv
import io

from tests.functional.reports.conftest import PERIOD


def test_gift_aid_claim_lists_only_eligible_gifts(known, signed_in):
    response = signed_in(known.admin).get("/causes/hot-meals/reports/gift-aid.csv", query_string=PERIOD)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
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
    # In order of payment: d17 (28 Feb GMT), d18, d1, d5 (exactly £500 is allowed). Left out:
    # d2 full refund, d3 partial refund, d4 over £500, d6 runner's own account, d7 runner's
    # email, d8 company, d9 open dispute, d10 won dispute, d11-d13 no declaration, d16 April,
    # e2 not pounds, and the other cause's gift.
    assert rows[1:] == [
        ["", "Leo", "Lion", "7", "M1 1AA", "", "Yes", "28/02/26", "33.00"],
        ["Ms", "Mia", "Donor", "3", "LS2 9JT", "", "Yes", "01/03/26", "10.00"],
        ["Mr", "Dan", "Donor", "12", "LS1 4AP", "", "Yes", "02/03/26", "20.00"],
        ["Dr", "Henry", "Big", "Rose Cottage", "YO1 7HH", "", "Yes", "12/03/26", "500.00"],
    ]


def test_gift_aid_is_for_uk_causes_only(known, factories, signed_in):
    from fundraiser.extensions import db

    admin = factories.user()
    factories.cause("US", admins=(admin,), slug="us-cause")
    db.session.commit()
    client = signed_in(admin)
    assert client.get("/causes/us-cause/reports/gift-aid.csv", query_string=PERIOD).status_code == 404
    assert client.get("/causes/us-cause/dashboard").status_code == 200


def test_gift_aid_bad_dates_are_400(known, signed_in):
    response = signed_in(known.admin).get(
        "/causes/hot-meals/reports/gift-aid.csv", query_string={"from": "2026-02-30", "to": "2026-03-01"}
    )
    assert response.status_code == 400
