"""The impact report: a PDF drawn by WeasyPrint from a template filled with plain values.

Charts are SVG drawn here on the server and inlined in the HTML (no JavaScript). The URL
fetcher reads only files under static/; the charity's logo, kept in the upload folder, is
read here and inlined as a data: URI so nothing else needs to be reachable.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from fundraiser.countries import locale_of
from fundraiser.donations.fees import FEE_RATES
from fundraiser.models import Cause
from fundraiser.money import format_money
from fundraiser.reports.figures import CurrencyTotals, Line, Report, build_report
from fundraiser.reports.periods import Period

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
CHART_WIDTH = 640
BAR_COLOUR = "#1d6f42"


class StaticOnlyFetcher(URLFetcher):
    """Reads file:// URLs under static/ and inline data: URIs; refuses everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self.root = STATIC.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            meta, _, payload = url[5:].partition(",")
            mime = meta.split(";")[0] or "text/plain"
            body = base64.b64decode(payload) if meta.endswith(";base64") else payload.encode()
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        if not url.startswith("file://"):
            raise ValueError(f"Reports only read local files, not {url}")
        path = Path(url.removeprefix("file://")).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"{path} is outside static/")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def logo_data_uri(logo_path: str | None, upload_folder: str) -> str | None:
    """The cause's uploaded logo as a data: URI, or None when there is none to read."""
    if not logo_path:
        return None
    root = Path(upload_folder).resolve()
    path = (root / logo_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    mime = mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def bar_chart(bars: list[tuple[str, int]], currency: str, locale: str, *, title: str) -> Markup:
    """Horizontal bars, one per (label, minor units), values written at the end of each bar."""
    row, label_width, value_width = 26, 190, 110
    height = row * len(bars) + 10
    longest = max((value for _, value in bars), default=0) or 1
    track = CHART_WIDTH - label_width - value_width
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" role="img" aria-label="{escape(title)}">'
    ]
    for index, (label, value) in enumerate(bars):
        y = 5 + index * row
        width = max(1, value * track // longest)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" font-size="11">{escape(label[:32])}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{width}" height="{row - 8}" fill="{BAR_COLOUR}"/>'
            f'<text x="{label_width + width + 6}" y="{y + 16}" font-size="11">'
            f"{escape(format_money(value, currency, locale))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _charts(report: Report, locale: str) -> list[dict]:
    charts = []
    for total in report.totals:
        currency = total.currency
        months = [(line.label, line.gross) for line in report.months if line.currency == currency]
        events = [(line.label, line.gross) for line in report.events if line.currency == currency]
        charts.append(
            {
                "title": f"Raised by month ({currency})",
                "svg": bar_chart(months, currency, locale, title="Raised by month"),
            }
        )
        charts.append(
            {
                "title": f"Raised by event ({currency})",
                "svg": bar_chart(events, currency, locale, title="Raised by event"),
            }
        )
    return charts


def _total_values(total: CurrencyTotals, money: Callable[[int, str], str]) -> dict:
    currency = total.currency
    return {
        "currency": currency,
        "gross": money(total.gross, currency),
        "refunds": money(total.refunds, currency),
        "disputes": money(total.disputes, currency),
        "fees": money(total.fees, currency),
        "net": money(total.net, currency),
        "gift_aid": money(total.gift_aid, currency) if total.gift_aid is not None else None,
        "donations": f"{total.donations:,}",
        "donors": f"{total.donors:,}",
        "average": money(total.average, currency),
        "median": money(total.median, currency),
    }


def _line_values(items: list[Line], money: Callable[[int, str], str]) -> list[dict]:
    return [
        {"label": i.label, "detail": i.detail, "donations": i.donations, "gross": money(i.gross, i.currency)}
        for i in items
    ]


def impact_context(report: Report, cause: Cause, upload_folder: str) -> dict:
    """Plain values for the template: strings and numbers only."""
    locale = locale_of(cause.country)

    def money(minor: int, currency: str) -> str:
        return format_money(minor, currency, locale)

    participation = report.participation
    return {
        "cause": {
            "name": cause.name,
            "legal_name": cause.legal_name,
            "registration_number": cause.registration_number,
            "logo": logo_data_uri(cause.logo_path, upload_folder),
        },
        "period": report.period.label(),
        "timezone": report.period.timezone,
        "generated": datetime.now(UTC).strftime("%-d %B %Y %H:%M UTC"),
        "totals": [_total_values(total, money) for total in report.totals],
        "participation": {
            "pages": f"{participation.pages:,}",
            "runners": f"{participation.runners:,}",
            "events": f"{participation.events:,}",
            "distance_km": f"{participation.distance_m // 1000:,}",
        },
        "impact": [
            {
                "words": unit.words,
                "unit": money(unit.unit_amount, unit.currency),
                "singular": unit.singular,
                "verb": unit.verb,
            }
            for unit in report.impact
        ],
        "charts": _charts(report, locale),
        "pages": {currency: _line_values(items, money) for currency, items in report.pages.items()},
        "teams": _line_values(report.teams, money),
        "messages": [{"name": m.name, "message": m.message} for m in report.messages],
        "fee_rates": [
            {"currency": c, "rate": f"{Decimal(bp).scaleb(-2).normalize()}%", "fixed": money(fixed, c)}
            for c, (bp, fixed) in FEE_RATES.items()
        ],
    }


def render_impact(context: dict) -> bytes:
    html = render_template("reports/impact.html", **context)
    document = HTML(string=html, base_url=str(STATIC), url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(font_config=FontConfiguration())


def impact_pdf(session: Session, cause: Cause, period: Period) -> bytes:
    """Only runners who chose to be listed appear among the top fundraisers of the PDF."""
    report = build_report(session, cause, period, listed_only=True)
    return render_impact(impact_context(report, cause, current_app.config["UPLOAD_FOLDER"]))
