"""The donations ledger and the summary CSV against the known set."""

from __future__ import annotations

import csv
import io

from fundraiser.reports.csv import LEDGER_HEADER, safe_text
from tests.functional.reports.conftest import PERIOD


def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_ledger_has_one_row_per_donation_of_the_period(known, signed_in):
    d = known.d
    rows = read_csv(
        signed_in(known.admin).get("/causes/hot-meals/reports/donations.csv", query_string=PERIOD)
    )
    assert list(rows[0].keys()) == LEDGER_HEADER
    by_id = {row["donation_id"]: row for row in rows}
    # Paid in the period: 15 GBP + 2 EUR; never paid but created in it: d14, d15, e3.
    expected = {
        d.d1: ("paid", "2000", "20.00", "50", "0", "0", "yes"),
        d.d2: ("refunded", "5000", "50.00", "0", "5000", "0", "yes"),
        d.d3: ("paid", "3000", "30.00", "0", "1000", "0", "yes"),
        d.d4: ("paid", "60000", "600.00", "0", "0", "0", "yes"),
        d.d5: ("paid", "50000", "500.00", "0", "0", "0", "yes"),
        d.d6: ("paid", "1500", "15.00", "0", "0", "0", "yes"),
        d.d7: ("paid", "2500", "25.00", "0", "0", "0", "yes"),
        d.d8: ("paid", "10000", "100.00", "0", "0", "0", "yes"),
        d.d9: ("paid", "4000", "40.00", "0", "0", "4000", "yes"),
        d.d10: ("paid", "3500", "35.00", "0", "0", "0", "yes"),
        d.d11: ("paid", "1200", "12.00", "0", "0", "1200", "no"),
        d.d12: ("paid", "800", "8.00", "0", "0", "0", "no"),
        d.d13: ("paid", "2000", "20.00", "0", "0", "0", "no"),
        d.d14: ("failed", "9999", "99.99", "0", "0", "0", "no"),
        d.d15: ("pending", "7777", "77.77", "0", "0", "0", "no"),
        d.d17: ("paid", "3300", "33.00", "0", "0", "0", "yes"),
        d.d18: ("paid", "1000", "10.00", "0", "0", "0", "yes"),
        d.e1: ("paid", "1000", "10.00", "0", "0", "0", "no"),
        d.e2: ("paid", "2500", "25.00", "0", "500", "0", "yes"),
        d.e3: ("failed", "700", "7.00", "0", "0", "0", "no"),
    }
    assert set(by_id) == {donation.public_id for donation in expected}
    for donation, values in expected.items():
        row = by_id[donation.public_id]
        got = (
            row["status"],
            row["amount_minor"],
            row["amount"],
            row["fee_cover_minor"],
            row["refunded_minor"],
            row["disputed_minor"],
            row["gift_aid_declared"],
        )
        assert got == values, donation.public_id
        assert row["currency"] == ("EUR" if donation in (d.e1, d.e2, d.e3) else "GBP")
    assert by_id[d.d1.public_id]["receipt_number"] == "HM-0007"
    assert by_id[d.d2.public_id]["receipt_number"] == ""
    assert by_id[d.d1.public_id]["date"] == "2026-03-02 10:00"  # GMT
    assert by_id[d.d17.public_id]["date"] == "2026-02-28 23:30"
    assert by_id[d.d1.public_id]["page"] == "Alice runs the City 10K"
    assert by_id[d.d1.public_id]["event"] == "City 10K"
    # The charity's own ledger keeps the real name and says the donor asked to be anonymous.
    assert (by_id[d.d12.public_id]["donor_name"], by_id[d.d12.public_id]["anonymous"]) == (
        "Secret Sam",
        "yes",
    )
    assert by_id[d.d8.public_id]["company"] == "yes"
    paid = [row for row in rows if row["status"] in ("paid", "refunded")]
    assert sum(int(r["amount_minor"]) for r in paid if r["currency"] == "GBP") == 149800
    assert sum(int(r["amount_minor"]) for r in paid if r["currency"] == "EUR") == 3500


def test_summary_csv_matches_the_dashboard(known, signed_in):
    rows = read_csv(signed_in(known.admin).get("/causes/hot-meals/reports/summary.csv", query_string=PERIOD))
    values = {
        (r["section"], r["item"], r["currency"], r["measure"]): (r["value"], r["formatted"]) for r in rows
    }
    expected = {
        ("totals", "all", "GBP", "gross"): ("149800", "1498.00"),
        ("totals", "all", "GBP", "refunds"): ("6000", "60.00"),
        ("totals", "all", "GBP", "disputes"): ("5200", "52.00"),
        ("totals", "all", "GBP", "fees"): ("2500", "25.00"),
        ("totals", "all", "GBP", "net"): ("136100", "1361.00"),
        ("totals", "all", "GBP", "kept"): ("138600", "1386.00"),
        ("totals", "all", "GBP", "fee_cover"): ("50", "0.50"),
        ("totals", "all", "GBP", "average"): ("9986", "99.86"),
        ("totals", "all", "GBP", "median"): ("3000", "30.00"),
        ("totals", "all", "GBP", "donations"): ("15", ""),
        ("totals", "all", "GBP", "donors"): ("14", ""),
        ("totals", "all", "GBP", "gift_aid_eligible"): ("119850", "1198.50"),
        ("totals", "all", "GBP", "gift_aid_reclaimable"): ("29962", "299.62"),
        ("totals", "all", "EUR", "gross"): ("3500", "35.00"),
        ("totals", "all", "EUR", "refunds"): ("500", "5.00"),
        ("totals", "all", "EUR", "disputes"): ("0", "0.00"),
        ("totals", "all", "EUR", "fees"): ("103", "1.03"),
        ("totals", "all", "EUR", "net"): ("2897", "28.97"),
        ("totals", "all", "EUR", "average"): ("1750", "17.50"),
        ("totals", "all", "EUR", "median"): ("1750", "17.50"),
        ("totals", "all", "EUR", "donations"): ("2", ""),
        ("participation", "all", "", "pages"): ("3", ""),
        ("participation", "all", "", "runners"): ("3", ""),
        ("participation", "all", "", "events"): ("3", ""),
        ("participation", "all", "", "distance_m"): ("31097", ""),
        ("event", "City 10K", "GBP", "gross"): ("29800", "298.00"),
        ("event", "Half Marathon", "GBP", "kept"): ("116000", "1160.00"),
        ("event", "Dublin Fun Run", "EUR", "donations"): ("2", ""),
        ("team", "Leeds Harriers", "GBP", "gross"): ("29800", "298.00"),
        ("month", "2026-02", "GBP", "gross"): ("3300", "33.00"),
        ("month", "2026-03", "GBP", "gross"): ("146500", "1465.00"),
        ("month", "2026-03", "EUR", "kept"): ("3000", "30.00"),
        ("page", "Bob runs a half", "GBP", "gross"): ("120000", "1200.00"),
        ("impact", "hot meals", "GBP", "funded"): ("277", ""),
        ("impact", "nights in a shelter", "GBP", "funded"): ("55", ""),
        ("impact", "trees", "EUR", "funded"): ("3", ""),
    }
    for key, value in expected.items():
        assert values[key] == value, key
    assert not any(key[0] == "totals" and key[2] == "EUR" and "gift_aid" in key[3] for key in values)
    assert not any(r["currency"] == "" and r["section"] == "totals" for r in rows)


def test_formula_looking_text_is_kept_as_text():
    assert safe_text("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_text("Dan") == "Dan"


def test_csv_bad_dates_are_400(known, signed_in):
    client = signed_in(known.admin)
    response = client.get(
        "/causes/hot-meals/reports/donations.csv", query_string={"from": "yesterday", "to": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_data(as_text=True)
    assert (
        client.get("/causes/hot-meals/reports/summary.csv", query_string={"period": "decade"}).status_code
        == 400
    )
