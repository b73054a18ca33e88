"""The impact report PDF: its text carries the same figures, and only what may be public."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.functional.reports.conftest import PERIOD


def test_impact_pdf_text(known, signed_in, output_dir):
    client = signed_in(known.admin)
    response = client.get("/causes/hot-meals/reports/impact.pdf", query_string=PERIOD)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    (output_dir / "reports-impact.pdf").write_bytes(response.data)
    reader = PdfReader(io.BytesIO(response.data))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Hot Meals: impact report" in text
    assert "1 February 2026 to 31 March 2026" in text
    # Headline table rows, GBP then EUR (see test_dashboard for the arithmetic).
    assert "Raised £1,498.00 €35.00" in text
    assert "Refunds £60.00 €5.00" in text
    assert "Disputes £52.00 €0.00" in text
    assert "Estimated Stripe fees £25.00 €1.03" in text
    assert "Net £1,361.00 €28.97" in text
    assert "Donations 15 2" in text
    assert "Distinct donors 14 2" in text
    assert "Average gift £99.86 €17.50" in text
    assert "Median gift £30.00 €17.50" in text
    assert "Gift Aid reclaimable £299.62 n/a" in text
    assert "Pledge pages with gifts: 3. Runners: 3. Events: 3. Distance run: 31 km." in text
    assert "277 hot meals" in text and "55 nights in a shelter" in text and "3 trees" in text
    # Charts drawn as SVG: month and event bars carry their values.
    assert "Raised by month (GBP)" in text and "Raised by event (EUR)" in text
    assert "2026-02" in text and "£33.00" in text and "£1,465.00" in text
    # Top fundraisers: Bob's page is not listed publicly, so only Alice's and Carol's appear.
    assert "Alice runs the City 10K" in text and "Carol runs in Dublin" in text
    assert "Bob runs a half" not in text
    assert "Leeds Harriers" in text
    # Messages: the anonymous donor's name never appears.
    assert "Go Alice!" in text and "Dan Donor" in text
    assert "Anon message" in text and "Anonymous" in text
    assert "Secret Sam" not in text
    assert "Raised is the sum of the gifts" in text
    assert "GBP 1.5% + £0.20" in text


def test_impact_pdf_bad_dates_are_400(known, signed_in):
    client = signed_in(known.admin)
    response = client.get(
        "/causes/hot-meals/reports/impact.pdf", query_string={"from": "2026-04-01", "to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "end date is before the start date" in response.get_data(as_text=True)
    assert (
        client.get(
            "/causes/hot-meals/reports/impact.pdf", query_string={"from": "03/01/2026", "to": "2026-03-31"}
        ).status_code
        == 400
    )
