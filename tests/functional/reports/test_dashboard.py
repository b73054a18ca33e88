"""The dashboard's every figure against values worked out by hand from the known set."""

from __future__ import annotations

import html
import re

from tests.functional.reports.conftest import PERIOD


def figure(page: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}">(.*?)</dd>', page, re.S)
    assert match, f"no figure {element_id}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def test_every_dashboard_figure(known, signed_in):
    client = signed_in(known.admin)
    response = client.get("/causes/hot-meals/dashboard", query_string={"period": "custom", **PERIOD})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<h1") == 1
    # GBP, paid 1 Feb - 31 Mar London time: d1-d13, d17, d18 (15 gifts; d16 is 1 April in
    # London, d19 is January, d14/d15 were never paid, the other cause's gift is not ours).
    # 2000+5000+3000+60000+50000+1500+2500+10000+4000+3500+1200+800+2000+3300+1000 = 149800
    assert figure(page, "gross-GBP") == "£1,498.00"
    assert figure(page, "refunds-GBP") == "£60.00"  # d2 5000 (full) + d3 1000 (partial)
    assert figure(page, "disputes-GBP") == "£52.00"  # d9 open 4000 + d11 lost 1200; d10 won: 0
    # fee = (charged x 150 + 5000) // 10000 + 20, less fee cover: d1 51-50=1, d2 95, d3 65,
    # d4 920, d5 770, d6 43, d7 58, d8 170, d9 80, d10 73, d11 38, d12 32, d13 50, d17 70, d18 35
    assert figure(page, "fees-GBP") == "£25.00"
    assert figure(page, "net-GBP") == "£1,361.00"  # 149800 - 6000 - 5200 - 2500
    # Claimable (the claim's rules, reports.giftaid): d1 2050 (gift and fee cover) + d3 2000
    # (3000 less a 1000 refund) + d4 60000 (over £500, listed alone) + d5 50000 + d6 1500
    # (Alice's own gift; the City 10K gives runners no benefit) + d17 3300 + d18 1000 = 119850;
    # 25% = 29962 (rounded down). Out: d7 (Bob's own, Half Marathon runners benefit), d2 full
    # refund, d8 company, d9/d10 disputes.
    assert figure(page, "gift-aid-GBP") == "£299.62 (25% of £1,198.50 eligible)"
    assert figure(page, "donations-GBP") == "15"
    assert figure(page, "donors-GBP") == "14"  # dan@ and Dan@ are one donor
    assert figure(page, "average-GBP") == "£99.86"  # 149800 // 15
    assert figure(page, "median-GBP") == "£30.00"  # 8th of 15 sorted gifts
    assert figure(page, "fee-cover-GBP") == "£0.50"
    # EUR: e1 1000 + e2 2500, e2 refunded 500; fees (1000: 15+25=40) + (2500: 38+25=63) = 103
    assert figure(page, "gross-EUR") == "€35.00"
    assert figure(page, "refunds-EUR") == "€5.00"
    assert figure(page, "disputes-EUR") == "€0.00"
    assert figure(page, "fees-EUR") == "€1.03"
    assert figure(page, "net-EUR") == "€28.97"
    assert 'id="gift-aid-EUR"' not in page
    assert figure(page, "donations-EUR") == "2"
    assert figure(page, "donors-EUR") == "2"
    assert figure(page, "average-EUR") == "€17.50"
    assert figure(page, "median-EUR") == "€17.50"  # (1000 + 2500) // 2
    assert figure(page, "pages") == "3"
    assert figure(page, "runners") == "3"
    assert figure(page, "events") == "3"
    assert figure(page, "distance").startswith("31 km")  # 10,000 m + 21,097 m; Dublin unknown
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    # Impact from kept: GBP 149800-6000-5200 = 138600; EUR 3500-500 = 3000
    assert "277 hot meals" in text  # 138600 // 500
    assert "55 nights in a shelter" in text  # 138600 // 2500
    assert "3 trees" in text  # 3000 // 1000
    # Breakdowns: page A 29800 (10 gifts, kept 29800-6000-1200=22600); page B 120000 (5, kept 116000)
    assert "City 10K GBP 10 £298.00 £226.00" in text
    assert "Half Marathon GBP 5 £1,200.00 £1,160.00" in text
    assert "Dublin Fun Run EUR 2 €35.00 €30.00" in text
    assert "Bob runs a half (not listed publicly) Bob Runner GBP 5 £1,200.00 £1,160.00" in text
    assert "Alice runs the City 10K Alice Runner GBP 10 £298.00 £226.00" in text
    assert "Carol runs in Dublin Carol Runner EUR 2 €35.00 €30.00" in text
    assert "Leeds Harriers GBP 10 £298.00 £226.00" in text
    assert "2026-02 GBP 1 £33.00 £33.00" in text
    assert "2026-03 GBP 14 £1,465.00 £1,353.00" in text
    assert "2026-03 EUR 2 €35.00 €30.00" in text
    assert "£999.99" not in text  # the other cause's gift
    assert "Receipt emails that failed" in text


def test_dashboard_lists_failed_receipt_emails(known, signed_in, session):
    known.d.receipt.email_status = "failed"
    known.d.receipt.email_attempts = 3
    known.d.receipt.email_error = "mailbox full"
    session.commit()
    page = signed_in(known.admin).get("/causes/hot-meals/dashboard").get_data(as_text=True)
    assert "Receipt HM-0007 to dan@example.test: 3 attempts (mailbox full)" in html.unescape(page)


def test_this_month_and_this_year_choices(known, signed_in):
    client = signed_in(known.admin)
    for choice in ("month", "year"):
        response = client.get("/causes/hot-meals/dashboard", query_string={"period": choice})
        assert response.status_code == 200
        assert "£1,498.00" not in response.get_data(as_text=True)


def test_bad_period_is_400_with_the_reason_beside_the_field(known, signed_in):
    client = signed_in(known.admin)
    cases = [
        ({"period": "custom", "from": "2026-13-01", "to": "2026-03-31"}, "must be a date written YYYY-MM-DD"),
        ({"period": "custom", "from": "2026-03-31", "to": "2026-03-01"}, "end date is before the start date"),
        ({"period": "week"}, "must be one of month, year, custom"),
        ({"period": "custom", "from": "2026-03-01"}, "needs both"),
    ]
    for query, reason in cases:
        response = client.get("/causes/hot-meals/dashboard", query_string=query)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert reason in html.unescape(page)
        assert 'class="error"' in page


def test_who_may_see_the_dashboard(known, factories, signed_in, client):
    assert client.get("/causes/hot-meals/dashboard").status_code == 302  # to sign in
    other_admin = factories.user()
    factories.cause("GB", admins=(other_admin,))
    platform_admin = factories.user(is_platform_admin=True)
    from fundraiser.extensions import db

    db.session.commit()
    assert signed_in(known.alice).get("/causes/hot-meals/dashboard").status_code == 403
    client.post("/signout")
    assert signed_in(other_admin).get("/causes/hot-meals/dashboard").status_code == 403
    assert signed_in(other_admin).get("/causes/hot-meals/reports/impact.pdf").status_code == 403
    assert signed_in(other_admin).get("/causes/hot-meals/reports/donations.csv").status_code == 403
    client.post("/signout")
    assert signed_in(platform_admin).get("/causes/hot-meals/dashboard").status_code == 200
    assert signed_in(platform_admin).get("/causes/no-such-cause/dashboard").status_code == 404
