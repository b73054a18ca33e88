"""Report periods: dates a charity picks in its own timezone, turned into UTC bounds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PERIOD_CHOICES = ("month", "year", "custom")
# A report longer than this is made in the background (a year, counting a leap year).
LONG_PERIOD_DAYS = 366
# Reports list months one by one; ten years is far more than any charity asks for.
MAX_PERIOD_DAYS = 3653


class PeriodError(ValueError):
    """The period asked for is not one we can report on; the message says why."""


@dataclass(frozen=True)
class Period:
    """Whole days `first`..`last` (inclusive) in `timezone`; `start`/`end` are the UTC bounds
    [start, end) that every query compares `paid_at` or `created_at` with."""

    choice: str
    first: date
    last: date
    timezone: str
    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_long(self) -> bool:
        return self.days > LONG_PERIOD_DAYS

    def label(self) -> str:
        return f"{self.first:%-d %B %Y} to {self.last:%-d %B %Y}"

    def as_params(self) -> dict[str, str]:
        return {"period": "custom", "from": self.first.isoformat(), "to": self.last.isoformat()}

    def months(self) -> list[tuple[str, datetime, datetime]]:
        """Calendar months the period touches, as (YYYY-MM, UTC start, UTC end) clipped to it."""
        zone = ZoneInfo(self.timezone)
        months = []
        cursor = self.first.replace(day=1)
        while cursor <= self.last:
            following = (cursor + timedelta(days=32)).replace(day=1)
            lower = max(cursor, self.first)
            upper = min(following, self.last + timedelta(days=1))
            months.append((f"{cursor:%Y-%m}", _utc(lower, zone), _utc(upper, zone)))
            cursor = following
        return months


def _utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def zone_for(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def make_period(choice: str, first: date, last: date, timezone: str) -> Period:
    if last < first:
        raise PeriodError("The end date is before the start date.")
    zone = zone_for(timezone)
    return Period(
        choice=choice,
        first=first,
        last=last,
        timezone=zone.key,
        start=_utc(first, zone),
        end=_utc(last + timedelta(days=1), zone),
    )


def _parse_day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"'{name}' must be a date written YYYY-MM-DD, not '{text}'.") from None


def parse_period(args: Mapping[str, str], timezone: str, today: date | None = None) -> Period:
    """Read `period` (month, year, custom) and `from`/`to` from a query string.

    Giving `from` or `to` means a custom period; with neither, the default is this month.
    """
    today = today or datetime.now(zone_for(timezone)).date()
    raw_from, raw_to = args.get("from", ""), args.get("to", "")
    choice = args.get("period") or ("custom" if raw_from or raw_to else "month")
    if choice not in PERIOD_CHOICES:
        raise PeriodError(f"'period' must be one of {', '.join(PERIOD_CHOICES)}, not '{choice}'.")
    if choice == "month":
        first = today.replace(day=1)
        return make_period(
            choice, first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1), timezone
        )
    if choice == "year":
        return make_period(choice, date(today.year, 1, 1), date(today.year, 12, 31), timezone)
    if not raw_from or not raw_to:
        raise PeriodError("A custom period needs both 'from' and 'to' dates (YYYY-MM-DD).")
    first, last = _parse_day(raw_from, "from"), _parse_day(raw_to, "to")
    if first.year < 2000 or last.year > 2100:
        raise PeriodError("Choose dates between the years 2000 and 2100.")
    if (last - first).days > MAX_PERIOD_DAYS:
        raise PeriodError("Choose a period of at most ten years.")
    return make_period(choice, first, last, timezone)
