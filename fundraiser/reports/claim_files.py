"""The files of a Gift Aid claim: each schedule as a CSV in the columns of HMRC's schedule
spreadsheet (ready to paste into it), the gifts left out and why, and a summary of the totals;
all of them in one ZIP."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from fundraiser.countries import tax_year_of
from fundraiser.donations.giftaid import EXCLUSION_REASONS, GIFT_AID_RATE_PERCENT, HMRC_TIMEZONE
from fundraiser.models import Cause
from fundraiser.money import plain_amount
from fundraiser.reports.claim import ClaimOptions, ScheduleLine, schedule_lines, schedules, total
from fundraiser.reports.csv import safe_text, write_rows
from fundraiser.reports.giftaid import excluded_gifts
from fundraiser.reports.periods import Period

# gov.uk, "Schedule spreadsheet to claim back tax on Gift Aid donations": the columns, in order.
HMRC_HEADER = [
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
EXCLUDED_HEADER = [
    "donation_id",
    "date",
    "donor_name",
    "donor_email",
    "declared_name",
    "amount",
    "reason_code",
    "reason",
]
SUMMARY_HEADER = ["schedule", "file", "lines", "gifts", "amount", "gift_aid", "first_date", "last_date"]


def hmrc_cells(line: ScheduleLine) -> list[str]:
    """A line's cells: blank where a field does not apply (never 0.00 or n/a), the date as
    DD/MM/YY, the amount with 2 decimals and no £."""
    return [
        safe_text(line.title),
        safe_text(line.first_name),
        safe_text(line.last_name),
        safe_text(line.house_name_or_number),
        safe_text(line.postcode),
        safe_text(line.aggregated),
        "Yes" if line.sponsored else "",
        f"{line.day:%d/%m/%y}",
        plain_amount(line.amount, "GBP"),
    ]


def schedule_csv(lines: list[ScheduleLine]) -> Iterator[str]:
    return write_rows(HMRC_HEADER, (hmrc_cells(line) for line in lines))


def excluded_lines(session: Session, cause: Cause, period: Period) -> Iterator[list]:
    zone = ZoneInfo(HMRC_TIMEZONE)
    for row in excluded_gifts(session, cause.id, period):
        yield [
            row.public_id,
            f"{row.paid_at.astimezone(zone):%Y-%m-%d %H:%M}",
            safe_text(row.donor_name),
            safe_text(row.donor_email),
            safe_text(f"{row.first_name} {row.last_name}"),
            plain_amount(max(0, row.kept), "GBP"),
            row.reason,
            EXCLUSION_REASONS[row.reason],
        ]


def excluded_csv(session: Session, cause: Cause, period: Period) -> Iterator[str]:
    """Declared gifts of the period left out of the claim, each with the reason."""
    return write_rows(EXCLUDED_HEADER, excluded_lines(session, cause, period))


def schedule_file_name(number: int) -> str:
    return f"schedule-{number:02d}.csv"


def _summary_row(label: str, file: str, lines: list[ScheduleLine]) -> list:
    amount = total(lines)
    return [
        label,
        file,
        len(lines),
        sum(line.gifts for line in lines),
        plain_amount(amount, "GBP"),
        plain_amount(amount * GIFT_AID_RATE_PERCENT // 100, "GBP"),
        f"{min(line.day for line in lines):%d/%m/%y}" if lines else "",
        f"{max(line.day for line in lines):%d/%m/%y}" if lines else "",
    ]


def summary_lines(parts: list[list[ScheduleLine]]) -> Iterator[list]:
    """A row per schedule, one for the whole claim, and one per UK tax year it covers (a line
    never adds gifts of two tax years together)."""
    for number, lines in enumerate(parts, start=1):
        yield _summary_row(str(number), schedule_file_name(number), lines)
    every = [line for lines in parts for line in lines]
    yield _summary_row("all", "", every)
    years: dict[int, list[ScheduleLine]] = {}
    for line in every:
        years.setdefault(tax_year_of("GB", line.day), []).append(line)
    for year, lines in sorted(years.items()):
        yield _summary_row(f"tax year {year}-{str(year + 1)[-2:]}", "", lines)


def claim_zip(session: Session, cause: Cause, period: Period, options: ClaimOptions) -> bytes:
    """schedule-01.csv, schedule-02.csv, ... (each at most 1,000 lines, in date order),
    excluded.csv and summary.csv."""
    parts = schedules(schedule_lines(session, cause.id, period, options))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, lines in enumerate(parts, start=1):
            archive.writestr(schedule_file_name(number), "".join(schedule_csv(lines)))
        archive.writestr("excluded.csv", "".join(excluded_csv(session, cause, period)))
        archive.writestr("summary.csv", "".join(write_rows(SUMMARY_HEADER, summary_lines(parts))))
    return buffer.getvalue()
