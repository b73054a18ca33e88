"""Big reports are made in the background, show progress, and are kept for download."""

from __future__ import annotations

import csv
import io
import zipfile

from sqlalchemy import select

from fundraiser.models import ReportJob


def test_long_period_runs_as_a_background_job(known, signed_in, session):
    client = signed_in(known.admin)
    query = {"from": "2025-01-01", "to": "2026-03-31"}  # more than a year
    response = client.get("/causes/hot-meals/reports/donations.csv", query_string=query)
    assert response.status_code == 303
    job = session.scalars(select(ReportJob)).one()
    assert (job.kind, job.status, job.progress) == ("donations_csv", "done", 100)
    assert response.headers["Location"].endswith(f"/causes/hot-meals/reports/jobs/{job.public_id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Status: done" in page and "100% done, 21 rows" in page
    download = client.get(f"/causes/hot-meals/reports/jobs/{job.public_id}/download")
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    # 15 + 2 paid in the original period, plus d16 (April) and d19 (January) now inside,
    # minus nothing; plus d14, d15, e3 never paid: 21.
    assert len(rows) == 21
    assert known.d.d19.public_id in {row["donation_id"] for row in rows}
    dashboard = client.get("/causes/hot-meals/dashboard").get_data(as_text=True)
    assert job.public_id in dashboard


def test_many_donations_run_as_a_background_job(known, signed_in, session, app):
    app.config["REPORT_BACKGROUND_ROWS"] = 10
    try:
        client = signed_in(known.admin)
        response = client.get(
            "/causes/hot-meals/reports/gift-aid.csv", query_string={"from": "2026-02-01", "to": "2026-03-31"}
        )
    finally:
        app.config["REPORT_BACKGROUND_ROWS"] = 100_000
    assert response.status_code == 303
    job = session.scalars(select(ReportJob)).one()
    assert job.status == "done"
    assert job.params["route"] == "individual"
    download = client.get(f"/causes/hot-meals/reports/jobs/{job.public_id}/download")
    assert download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert archive.namelist() == ["schedule-01.csv", "excluded.csv", "summary.csv"]
        rows = archive.read("schedule-01.csv").decode().splitlines()
    assert len(rows) == 8  # header and the seven claimable gifts (see test_giftaid)


def test_another_causes_admin_cannot_see_a_job(known, factories, signed_in, session, client):
    client = signed_in(known.admin)
    client.get(
        "/causes/hot-meals/reports/donations.csv", query_string={"from": "2024-01-01", "to": "2026-03-31"}
    )
    job = session.scalars(select(ReportJob)).one()
    client.post("/signout")
    stranger = factories.user()
    factories.cause("GB", admins=(stranger,), slug="stranger-cause")
    session.commit()
    other = signed_in(stranger)
    assert other.get(f"/causes/hot-meals/reports/jobs/{job.public_id}").status_code == 403
    assert other.get(f"/causes/stranger-cause/reports/jobs/{job.public_id}").status_code == 404
