"""Small pieces: periods in a cause's timezone, the PDF's URL fetcher and logo, the fee formula."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from fundraiser.donations.fees import stripe_fee
from fundraiser.reports.pdf import StaticOnlyFetcher, bar_chart, logo_data_uri
from fundraiser.reports.periods import PeriodError, make_period, parse_period


def test_custom_period_bounds_are_local_midnights_in_utc():
    period = parse_period({"from": "2026-03-01", "to": "2026-03-31"}, "Europe/London")
    assert period.start == datetime(2026, 3, 1, tzinfo=UTC)  # GMT
    assert period.end == datetime(2026, 3, 31, 23, tzinfo=UTC)  # 1 April 00:00 BST
    toronto = parse_period({"period": "month"}, "America/Toronto", today=date(2026, 7, 15))
    assert (toronto.first, toronto.last) == (date(2026, 7, 1), date(2026, 7, 31))
    assert toronto.start == datetime(2026, 7, 1, 4, tzinfo=UTC)
    year = parse_period({"period": "year"}, "Europe/London", today=date(2026, 7, 15))
    assert (year.first, year.last, year.is_long) == (date(2026, 1, 1), date(2026, 12, 31), False)


def test_months_are_clipped_to_the_period():
    period = make_period("custom", date(2026, 1, 15), date(2026, 3, 10), "Europe/London")
    months = period.months()
    assert [m[0] for m in months] == ["2026-01", "2026-02", "2026-03"]
    assert months[0][1] == period.start and months[-1][2] == period.end


def test_bad_periods_say_why():
    with pytest.raises(PeriodError, match="YYYY-MM-DD"):
        parse_period({"from": "1/3/2026", "to": "2026-03-31"}, "Europe/London")
    with pytest.raises(PeriodError, match="at most ten years"):
        parse_period({"from": "2001-01-01", "to": "2026-03-31"}, "Europe/London")
    with pytest.raises(PeriodError, match="between the years"):
        parse_period({"from": "1900-01-01", "to": "2026-03-31"}, "Europe/London")


def test_fee_formula_in_integers():
    assert stripe_fee(2050, "GBP") == 51  # 30.75 rounds to 31, plus 20p
    assert stripe_fee(1000, "USD") == 59  # 29 + 30c
    assert stripe_fee(1000, "JPY") == 36


def test_fetcher_reads_only_static_files_and_data_uris(tmp_path):
    fetcher = StaticOnlyFetcher()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.com/logo.png")
    secret = tmp_path / "secret.txt"
    secret.write_text("no")
    with pytest.raises(ValueError):
        fetcher.fetch(secret.as_uri())


def test_logo_is_read_only_from_the_upload_folder(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    assert logo_data_uri("logo.png", str(tmp_path)) == "data:image/png;base64,iVBORw=="
    assert logo_data_uri("../etc/passwd", str(tmp_path)) is None
    assert logo_data_uri(None, str(tmp_path)) is None


def test_bar_chart_escapes_labels_and_scales_bars():
    svg = str(bar_chart([("<b>", 200), ("Half", 100)], "GBP", "en_GB", title="By event"))
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert 'width="340"' in svg and 'width="170"' in svg  # track 640-190-110, halved
    assert "£2.00" in svg and "£1.00" in svg
