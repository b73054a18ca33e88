"""The donations list: filters, seek paging, receipt links and the refund form."""

from __future__ import annotations

import html

from fundraiser.reports import ledger
from fundraiser.reports.periods import parse_period


def test_seek_paging_walks_every_donation_once_newest_first(known, session):
    cause_id = known.cause.id
    seen, before = [], None
    while True:
        rows, before = ledger.donations_page(session, cause_id, ledger.DonationFilters(), before, limit=4)
        seen.extend(row.id for row in rows)
        if before is None:
            break
    # 19 GBP gifts (d1-d19) and 3 EUR ones belong to the cause; the other cause's does not.
    assert len(seen) == 22
    assert seen == sorted(seen, reverse=True)
    assert known.d.other.id not in seen


def test_filters(known, session):
    d = known.d
    cause_id = known.cause.id

    def ids(**filters):
        return {
            row.id
            for row in ledger.donations_page(session, cause_id, ledger.DonationFilters(**filters), None)[0]
        }

    assert ids(status="failed") == {d.d14.id, d.e3.id}
    assert ids(status="refunded") == {d.d2.id}
    assert ids(event_id=known.pages[2].event_id) == {d.e1.id, d.e2.id, d.e3.id}
    assert ids(search="dan@example") == {d.d1.id, d.d13.id}
    assert ids(search="secret") == {d.d12.id}
    march_second = parse_period({"from": "2026-03-02", "to": "2026-03-02"}, "Europe/London")
    assert ids(period=march_second) == {d.d1.id}


def test_list_page_shows_receipt_link_and_refund_form(known, signed_in):
    client = signed_in(known.admin)
    response = client.get("/causes/hot-meals/donations", query_string={"q": "dan"})
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert page.count("<h1") == 1
    assert "Receipt HM-0007" in page
    link = page.split(">Receipt HM-0007")[0].rsplit('href="', 1)[1].rstrip('"')
    assert link.startswith("/receipts/") and link.endswith(".pdf")
    assert client.get(link).data == b"%PDF-1.7"
    assert f'action="/donations/{known.d.d1.public_id}/refund"' in page
    assert f'for="amount-{known.d.d1.public_id}"' in page
    assert "failed@example.test" not in page
    assert "Older donations" not in page


def test_list_walks_pages_through_the_next_link(known, signed_in, session):
    from tests.functional.reports.conftest import make_donation

    page_a = known.pages[0]
    for n in range(55):
        make_donation(page_a, 100 + n, "2026-03-25T10:00:00", donor_email=f"bulk{n}@example.test")
    session.commit()
    client = signed_in(known.admin)
    first = client.get("/causes/hot-meals/donations", query_string={"status": "paid"}).get_data(as_text=True)
    assert first.count('name="reason"') == 50
    next_link = html.unescape(first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0])
    assert "status=paid" in next_link and "before=" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert "Older donations" not in second
    assert "bulk54@example.test" in first and "bulk0@example.test" in second


def test_list_bad_filters_are_400(known, signed_in):
    client = signed_in(known.admin)
    assert client.get("/causes/hot-meals/donations", query_string={"status": "lost"}).status_code == 400
    assert client.get("/causes/hot-meals/donations", query_string={"event": "abc"}).status_code == 400
    assert client.get("/causes/hot-meals/donations", query_string={"before": "1; drop"}).status_code == 400
    assert (
        client.get("/causes/hot-meals/donations", query_string={"from": "2026-01-01", "to": "x"}).status_code
        == 400
    )
    assert signed_in(known.alice).get("/causes/hot-meals/donations").status_code == 403
