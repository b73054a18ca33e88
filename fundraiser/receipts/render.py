"""Receipt PDFs: WeasyPrint draws a Jinja template filled with plain values.

Everything that does not change between receipts (the Jinja environment and its compiled
templates, the parsed stylesheet per page size, the font configuration, image bytes and
WeasyPrint's decoded images) is loaded once per process and kept by `ReceiptRenderer`.
Nothing is fetched from the network: the URL fetcher only reads files under static/ and the
upload folder.
"""

from __future__ import annotations

import atexit
import gc
import mimetypes
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from fundraiser.countries import PAGE_SIZES
from fundraiser.models import Receipt, ReceiptKind
from fundraiser.money import format_money

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
PLACEHOLDER_LOGO = "static:img/receipt-logo-placeholder.jpg"
FONT_STACK = '"Liberation Sans", "DejaVu Sans", sans-serif'
# Archival PDF (ISO 19005-3, level B): fonts embedded, colours defined, nothing fetched later.
PDF_VARIANT = "pdf/a-3b"


class LocalFileFetcher(URLFetcher):
    """Serves file:// URLs under the allowed folders from memory; refuses everything else."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols=("file",))
        self.roots = [root.resolve() for root in roots]
        self._files: dict[str, tuple[bytes, str]] = {}

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url not in self._files:
            if not url.startswith("file://"):
                raise ValueError(f"Receipts only read local files, not {url}")
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"{path} is outside the folders receipts may read")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self._files[url] = (path.read_bytes(), mime)
        body, mime = self._files[url]
        return URLFetcherResponse(url, body, {"Content-Type": mime})


class ReceiptRenderer:
    """One per process (see `renderer()`); thread-safe through a lock around WeasyPrint."""

    def __init__(self, upload_folder: str | Path) -> None:
        self.upload_folder = Path(upload_folder)
        self.fetcher = LocalFileFetcher([STATIC, self.upload_folder])
        self.font_config = FontConfiguration()
        self.jinja = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(["html"]),
            auto_reload=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.image_cache: dict = {}
        self._stylesheets: dict[str, CSS] = {}
        self._css_text = (STATIC / "css" / "receipt.css").read_text(encoding="utf-8")
        self._lock = threading.Lock()

    def stylesheet(self, page_size: str) -> CSS:
        if page_size not in self._stylesheets:
            self._stylesheets[page_size] = CSS(
                string=f"@page {{ size: {page_size}; }}\n{self._css_text}",
                font_config=self.font_config,
                url_fetcher=self.fetcher,
            )
        return self._stylesheets[page_size]

    def image_url(self, reference: str | None, fallback: str | None) -> str | None:
        """'static:img/x.png' or 'upload:logos/x.png' to a file:// URL the fetcher accepts;
        the fallback's when the file is missing (None without a fallback)."""
        path = self.image_path(reference)
        if path is None and fallback is not None:
            path = self.image_path(fallback)
        return path.as_uri() if path is not None else None

    def image_path(self, reference: str | None) -> Path | None:
        if not reference:
            return None
        area, _, relative = reference.partition(":")
        base = (STATIC if area == "static" else self.upload_folder).resolve()
        path = (base / relative).resolve()
        return path if path.is_relative_to(base) and path.is_file() else None

    def html(self, data: dict[str, Any], *, void: dict[str, str] | None = None) -> str:
        template = self.jinja.get_template(f"receipts/pdf/{data['kind']}.html")
        return template.render(r=present(data), void=void, font_stack=FONT_STACK, **self._images(data))

    def pdf(self, data: dict[str, Any], *, void: dict[str, str] | None = None) -> bytes:
        """The PDF of a receipt from its stored plain values; `void` adds the VOID stamp."""
        html = self.html(data, void=void)
        return self.write(html, data["page_size"])

    def write(self, html: str, page_size: str) -> bytes:
        with self._lock:
            document = HTML(string=html, base_url=str(STATIC), url_fetcher=self.fetcher)
            return document.write_pdf(
                stylesheets=[self.stylesheet(page_size)],
                font_config=self.font_config,
                cache=self.image_cache,
                pdf_variant=PDF_VARIANT,
            )

    def minimal_pdf(self) -> bytes:
        """A one-line page in the receipts' fonts: the floor the bench compares against."""
        html = f'<html><body style="font-family: {FONT_STACK}"><p>Receipt</p></body></html>'
        with self._lock:
            return HTML(string=html, url_fetcher=self.fetcher).write_pdf(font_config=self.font_config)

    def _images(self, data: dict[str, Any]) -> dict[str, str | None]:
        charity = data["charity"]
        return {
            "logo_url": self.image_url(charity.get("logo"), PLACEHOLDER_LOGO),
            # The charity's own signatory's image, never a stock one (CRA: an authorised
            # individual's signature); receipts that need one are refused without it.
            "signature_url": self.image_url(charity.get("signature"), None),
        }

    def warm(self) -> None:
        """Load fonts, stylesheets, templates and images now, e.g. before forking workers."""
        for size in PAGE_SIZES:
            self.stylesheet(size)
        for kind in ReceiptKind:
            self.jinja.get_template(f"receipts/pdf/{kind}.html")
        self.minimal_pdf()


_renderers: dict[str, ReceiptRenderer] = {}


def renderer(upload_folder: str | Path) -> ReceiptRenderer:
    """The process's renderer for this upload folder, made on first use."""
    key = str(upload_folder)
    if key not in _renderers:
        _renderers[key] = ReceiptRenderer(upload_folder)
    return _renderers[key]


@atexit.register
def _release_renderers() -> None:
    """Free WeasyPrint's font objects (Pango and GObject, released by cffi finalizers) while
    every library is still loaded. Left to the interpreter's teardown they were released in
    the wrong order: a command that had rendered receipts (`flask receipts issue-missing`)
    died at exit with SIGSEGV in g_object_unref, after its work was committed, and cron saw
    a failure. Found by `make smoke-production`."""
    _renderers.clear()
    gc.collect()


def _day(value: str | None, locale: str) -> str:
    if not value:
        return ""
    parsed = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return format_date(parsed, format="long", locale=locale)


def _money_texts(values: dict[str, Any], currency: str, locale: str) -> dict[str, str]:
    amount = values["amount"]
    return {
        "amount_text": format_money(amount, currency, locale),
        "advantage_text": format_money(values.get("advantage_amount", 0), currency, locale),
        "eligible_text": format_money(values.get("eligible_amount", amount), currency, locale),
    }


def present(data: dict[str, Any]) -> dict[str, Any]:
    """Stored plain values to the strings a receipt shows: money and dates for the locale."""
    locale = data["locale"]
    currency = data["currency"]

    shown = dict(data)
    shown.update(labels(data["country"], data["kind"]))
    shown.update(_money_texts(data, currency, locale))
    shown["gift_date_text"] = _day(data.get("gift_date"), locale)
    shown["issue_date_text"] = _day(data.get("issue_date"), locale)
    shown["gifts"] = [
        {
            **gift,
            "date_text": _day(gift["date"], locale),
            **_money_texts(gift, gift.get("currency", currency), locale),
        }
        for gift in data.get("gifts", [])
    ]
    shown["totals"] = [
        {**total, **_money_texts(total, total["currency"], locale)} for total in data.get("totals", [])
    ]
    shown["goods"] = [
        {**item, "date_text": _day(item["date"], locale), **_money_texts(item, item["currency"], locale)}
        for item in data.get("goods", [])
    ]
    if data.get("so_far"):
        shown["title"] = f"Summary of your gifts so far in {data['tax_year']}"
        shown["subtitle"] = "Not a receipt: your year-end receipt is issued once the tax year is over"
        shown["number_label"] = "Statement"
    if data.get("gift_aid"):
        shown["gift_aid"] = {
            **data["gift_aid"],
            "declared_on_text": _day(data["gift_aid"].get("declared_on"), locale),
        }
    return shown


TITLES = {
    ("GB", ReceiptKind.SINGLE): ("Donation receipt", ""),
    ("US", ReceiptKind.SINGLE): ("Donation receipt", "Written acknowledgment of a charitable contribution"),
    ("CA", ReceiptKind.SINGLE): ("Official receipt for income tax purposes", ""),
    ("GB", ReceiptKind.ANNUAL): ("Year-end statement of gifts", "Consolidated receipt for the tax year"),
    ("US", ReceiptKind.ANNUAL): (
        "Year-end donation receipt",
        "Annual written acknowledgment of contributions",
    ),
    ("CA", ReceiptKind.ANNUAL): (
        "Year-end summary of official receipts",
        "Gifts received in the calendar year",
    ),
}
REGISTRATION_LABELS = {
    "GB": "Registered charity number",
    "US": "EIN",
    "CA": "Charitable registration number",
}


def labels(country: str, kind: str) -> dict[str, str]:
    title, subtitle = TITLES[(country, kind)]
    if kind == ReceiptKind.ANNUAL:
        number_label = "Statement number"
    else:
        number_label = "Serial number" if country == "CA" else "Receipt number"
    return {
        "title": title,
        "subtitle": subtitle,
        "number_label": number_label,
        "registration_label": REGISTRATION_LABELS[country],
    }


def void_stamp(voided_at: datetime, reason: str, locale: str) -> dict[str, str]:
    return {"date_text": format_date(voided_at.date(), format="long", locale=locale), "reason": reason}


def pdf_filename(receipt: Receipt) -> str:
    """The name a receipt's PDF is downloaded and attached as; a voided one says so."""
    suffix = "-VOID" if receipt.voided_at else ""
    return f"receipt-{receipt.display_number}{suffix}.pdf"
