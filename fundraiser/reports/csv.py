"""CSV files for a charity's finance team, streamed row by row so memory stays flat."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from fundraiser.models import Cause
from fundraiser.money import exponent, plain_amount
from fundraiser.reports.figures import Report
from fundraiser.reports.ledger import ledger_rows
from fundraiser.reports.periods import Period

LEDGER_HEADER = [
    "donation_id",
    "date",
    "status",
    "currency",
    "amount_minor",
    "amount",
    "fee_cover_minor",
    "refunded_minor",
    "disputed_minor",
    "gift_aid_declared",
    "receipt_number",
    "page",
    "event",
    "donor_name",
    "donor_email",
    "anonymous",
    "company",
]
SUMMARY_HEADER = ["section", "item", "currency", "measure", "value", "formatted"]
FLUSH_ROWS = 500


def safe_text(value: str | None) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a quote keeps them text."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_rows(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """Encode rows as CSV text, yielding a chunk every FLUSH_ROWS rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % FLUSH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def major_units(minor: int, digits: int) -> str:
    """Minor units as a plain decimal string ("250.50"): `plain_amount` without Decimal, for
    the ledger's hot loop; `digits` comes from `exponent(currency)`."""
    if digits == 0:
        return str(minor)
    scale = 10**digits
    return f"{minor // scale}.{minor % scale:0{digits}d}"


def ledger_lines(
    session: Session, cause: Cause, period: Period, on_row: Callable[[int], None] | None = None
) -> Iterator[list]:
    """One line per donation. The charity's own ledger keeps the donor's real name; the
    `anonymous` column says who asked not to be named in public.

    Longer than most functions on purpose: this loop runs once per donation (a million on
    the bench, bench/reports.py), so each row is unpacked into named locals one a line
    rather than read by attribute or handed to a helper per row."""
    zone = ZoneInfo(period.timezone)
    digits: dict[str, int] = {}
    rows = ledger_rows(session, cause.id, period)
    # Unpacked by position (the order of ledger._donation_columns): a million attribute
    # lookups by name cost more than everything else in this loop.
    for count, row in enumerate(rows, start=1):
        (
            _id,
            public_id,
            created_at,
            paid_at,
            status,
            currency,
            amount,
            fee_cover,
            refunded,
            disputed,
            donor_name,
            donor_email,
            anonymous,
            company,
            gift_aid,
            _receipt_id,
            receipt_number,
            page,
            event,
        ) = row
        when = (paid_at or created_at).astimezone(zone)
        if currency not in digits:
            digits[currency] = exponent(currency)
        yield [
            public_id,
            f"{when.year:04d}-{when.month:02d}-{when.day:02d} {when.hour:02d}:{when.minute:02d}",
            status,
            currency,
            amount,
            major_units(amount, digits[currency]),
            fee_cover,
            refunded,
            disputed,
            "yes" if gift_aid else "no",
            receipt_number or "",
            safe_text(page),
            safe_text(event),
            safe_text(donor_name),
            safe_text(donor_email),
            "yes" if anonymous else "no",
            "yes" if company else "no",
        ]
        if on_row:
            on_row(count)


def ledger_csv(
    session: Session, cause: Cause, period: Period, on_row: Callable[[int], None] | None = None
) -> Iterator[str]:
    return write_rows(LEDGER_HEADER, ledger_lines(session, cause, period, on_row))


def _money(section: str, item: str, currency: str, measure: str, minor: int) -> list:
    return [section, safe_text(item), currency, measure, minor, plain_amount(minor, currency)]


def _count(section: str, item: str, currency: str, measure: str, value: int) -> list:
    return [section, safe_text(item), currency, measure, value, ""]


def summary_lines(report: Report) -> Iterator[list]:
    for t in report.totals:
        for measure in (
            "gross",
            "refunds",
            "disputes",
            "fees",
            "net",
            "kept",
            "fee_cover",
            "average",
            "median",
        ):
            yield _money("totals", "all", t.currency, measure, getattr(t, measure))
        yield _count("totals", "all", t.currency, "donations", t.donations)
        yield _count("totals", "all", t.currency, "donors", t.donors)
        if t.gift_aid is not None:
            yield _money("totals", "all", t.currency, "gift_aid_eligible", t.gift_aid_eligible)
            yield _money("totals", "all", t.currency, "gift_aid_reclaimable", t.gift_aid)
    p = report.participation
    for measure in ("pages", "runners", "events", "distance_m"):
        yield _count("participation", "all", "", measure, getattr(p, measure))
    sections = [("event", report.events), ("team", report.teams), ("month", report.months)]
    sections.append(("page", [line for lines in report.pages.values() for line in lines]))
    for section, lines in sections:
        for line in lines:
            yield _count(section, line.label, line.currency, "donations", line.donations)
            yield _money(section, line.label, line.currency, "gross", line.gross)
            yield _money(section, line.label, line.currency, "kept", line.kept)
    for unit in report.impact:
        yield _count("impact", unit.plural, unit.currency, "funded", unit.count)


def summary_csv(report: Report) -> Iterator[str]:
    return write_rows(SUMMARY_HEADER, summary_lines(report))
