"""The HMRC Gift Aid claim: eligible donations in the columns of HMRC's Gift Aid schedule.

Each donation is its own line with the donor's details; the `Aggregated donations` column
is left empty because we never aggregate (HMRC allows it only for small gifts without donor
details). What is left out is decided in SQL by `queries.gift_aid_filter`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from fundraiser.models import Cause
from fundraiser.money import plain_amount
from fundraiser.reports import queries
from fundraiser.reports.csv import safe_text, write_rows
from fundraiser.reports.periods import Period

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


def gift_aid_lines(
    session: Session, cause: Cause, period: Period, on_row: Callable[[int], None] | None = None
) -> Iterator[list]:
    zone = ZoneInfo(period.timezone)
    for count, row in enumerate(queries.gift_aid_rows(session, cause.id, period), start=1):
        yield [
            safe_text(row.title),
            safe_text(row.first_name),
            safe_text(row.last_name),
            safe_text(row.house_name_or_number),
            safe_text(row.postcode.upper()),
            "",
            "Yes",
            row.paid_at.astimezone(zone).strftime("%d/%m/%y"),
            plain_amount(row.amount, "GBP"),
        ]
        if on_row:
            on_row(count)


def gift_aid_csv(
    session: Session, cause: Cause, period: Period, on_row: Callable[[int], None] | None = None
) -> Iterator[str]:
    return write_rows(HMRC_HEADER, gift_aid_lines(session, cause, period, on_row))
