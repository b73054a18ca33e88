"""The lines of an HMRC Gift Aid claim, as gov.uk's "Schedule spreadsheet to claim back tax on
Gift Aid donations" (updated 2025-11) asks for them, split into schedules of at most 1,000
lines. Which gifts are claimable is reports.giftaid's; the limits are donations.giftaid's.

Two ways to claim sponsorship (HMRC Chapter 3.38; the schedule page):
- `individual` (the default): every gift on its own line with its donor's declared name and
  address, "Sponsored event" blank.
- `sponsored`: one line per runner (the name and home address kept on their page), "Yes", adding
  together the gifts of donors who gave that page £500 or less, dated the latest of them; a
  donor who gave more is listed on their own line with their details.
Both claim on exactly the same gifts, so the same Gift Aid. `individual` is the default because
it never loses a gift: the sponsored route needs the runner's address, and a page without one
falls back to listing its gifts individually anyway; individual lines also keep each gift's
declaration traceable from the claim, which HMRC's audits ask for. `sponsored` makes shorter
schedules.

Optionally (`aggregate`), gifts under £30 listed individually are added together across donors
into lines of at most £1,000 with a short description and no donor details. Lines only ever add
together gifts of one calendar month within one UK tax year, so a line never spans a tax year or
an accounting period (which end on a month's last day or on 5 April)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from fundraiser.countries import tax_year_of
from fundraiser.donations.giftaid import (
    AGGREGATED_GIFT_BELOW,
    AGGREGATED_LINE_LIMIT,
    SCHEDULE_LINES,
    SPONSORSHIP_ADDED_TOGETHER_LIMIT,
    schedule_name,
    schedule_postcode,
    schedule_title,
    uk_day,
)
from fundraiser.reports.giftaid import ClaimableGift, claimable_gifts
from fundraiser.reports.periods import Period


class ClaimRoute(StrEnum):
    INDIVIDUAL = "individual"
    SPONSORED = "sponsored"


@dataclass(frozen=True)
class ClaimOptions:
    route: ClaimRoute = ClaimRoute.INDIVIDUAL
    aggregate: bool = False

    def as_params(self) -> dict[str, str]:
        return {"route": self.route.value, "aggregate": "1" if self.aggregate else ""}


def claim_options(params: Mapping[str, str]) -> ClaimOptions:
    """The charity's choices from the download's query (or a job's params); ValueError says
    what is wrong."""
    route = params.get("route") or ClaimRoute.INDIVIDUAL
    if route not in tuple(ClaimRoute):
        raise ValueError(
            "'route' must be 'individual' (each gift with its donor) or 'sponsored' (a line per runner)."
        )
    aggregate = params.get("aggregate") or ""
    if aggregate not in ("", "0", "1", "y", "yes", "on"):
        raise ValueError("'aggregate' must be 1 (add small gifts together) or empty.")
    return ClaimOptions(ClaimRoute(route), aggregate not in ("", "0"))


@dataclass(frozen=True)
class ScheduleLine:
    """One line of HMRC's schedule; empty strings are the cells that do not apply."""

    day: date
    amount: int
    gifts: int
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    house_name_or_number: str = ""
    postcode: str = ""
    aggregated: str = ""
    sponsored: bool = False


def _month(day: date) -> tuple[int, int, int]:
    """The bucket gifts may be added together in: a calendar month within a UK tax year."""
    return tax_year_of("GB", day), day.year, day.month


def _donor_line(gift: ClaimableGift) -> ScheduleLine:
    return ScheduleLine(
        day=uk_day(gift.paid_at),
        amount=gift.amount,
        gifts=1,
        title=schedule_title(gift.title),
        first_name=schedule_name(gift.first_name),
        last_name=schedule_name(gift.last_name),
        house_name_or_number=" ".join(gift.house_name_or_number.split()),
        postcode=schedule_postcode(gift.postcode),
    )


def has_sponsor_address(gift: ClaimableGift) -> bool:
    return all(
        (
            gift.sponsor_first_name,
            gift.sponsor_last_name,
            gift.sponsor_house_name_or_number,
            gift.sponsor_postcode,
        )
    )


def _sponsored_lines(gifts: list[ClaimableGift]) -> tuple[list[ScheduleLine], list[ClaimableGift]]:
    """Runners' lines for pages with the runner's address, and the gifts to list one by one."""
    given: dict[tuple, int] = {}
    for gift in gifts:
        key = (gift.page_id, gift.donor_email.strip().lower(), _month(uk_day(gift.paid_at))[0])
        given[key] = given.get(key, 0) + gift.amount
    runners: dict[tuple, list[ClaimableGift]] = {}
    alone: list[ClaimableGift] = []
    for gift in gifts:
        day = uk_day(gift.paid_at)
        donor_total = given[(gift.page_id, gift.donor_email.strip().lower(), _month(day)[0])]
        if has_sponsor_address(gift) and donor_total <= SPONSORSHIP_ADDED_TOGETHER_LIMIT:
            runners.setdefault((gift.page_id, _month(day)), []).append(gift)
        else:
            alone.append(gift)
    lines = []
    for page_gifts in runners.values():
        first = page_gifts[0]
        lines.append(
            ScheduleLine(
                day=max(uk_day(gift.paid_at) for gift in page_gifts),
                amount=sum(gift.amount for gift in page_gifts),
                gifts=len(page_gifts),
                first_name=schedule_name(first.sponsor_first_name),
                last_name=schedule_name(first.sponsor_last_name),
                house_name_or_number=" ".join(first.sponsor_house_name_or_number.split()),
                postcode=schedule_postcode(first.sponsor_postcode),
                sponsored=True,
            )
        )
    return lines, alone


def aggregated_description(first: date, last: date, part: int) -> str:
    """At most 35 characters: "Small gifts 01-31 Mar 2026", " (2)" on a month's second line."""
    text = f"Small gifts {first:%d}-{last:%d %b %Y}"
    return text if part == 1 else f"{text} ({part})"


def _aggregated_lines(gifts: list[ClaimableGift]) -> tuple[list[ScheduleLine], list[ClaimableGift]]:
    """Gifts under £30 added together a month at a time, at most £1,000 a line; the rest."""
    months: dict[tuple, list[list[ClaimableGift]]] = {}
    rest: list[ClaimableGift] = []
    for gift in gifts:
        if gift.amount >= AGGREGATED_GIFT_BELOW:
            rest.append(gift)
            continue
        parts = months.setdefault(_month(uk_day(gift.paid_at)), [[]])
        if sum(g.amount for g in parts[-1]) + gift.amount > AGGREGATED_LINE_LIMIT:
            parts.append([])
        parts[-1].append(gift)
    lines = []
    for parts in months.values():
        for number, part in enumerate(parts, start=1):
            days = [uk_day(gift.paid_at) for gift in part]
            lines.append(
                ScheduleLine(
                    day=max(days),
                    amount=sum(gift.amount for gift in part),
                    gifts=len(part),
                    aggregated=aggregated_description(min(days), max(days), number),
                )
            )
    return lines, rest


def schedule_lines(
    session: Session, cause_id: int, period: Period, options: ClaimOptions
) -> list[ScheduleLine]:
    """Every line of the claim, by date (the latest gift's, for lines adding several)."""
    gifts = list(claimable_gifts(session, cause_id, period))
    lines: list[ScheduleLine] = []
    if options.route == ClaimRoute.SPONSORED:
        lines, gifts = _sponsored_lines(gifts)
    if options.aggregate:
        added, gifts = _aggregated_lines(gifts)
        lines += added
    lines += [_donor_line(gift) for gift in gifts]
    return sorted(lines, key=lambda line: line.day)


def schedules(lines: list[ScheduleLine]) -> list[list[ScheduleLine]]:
    """The lines in schedules of at most SCHEDULE_LINES each, in order; one empty schedule when
    there is nothing to claim."""
    return [lines[i : i + SCHEDULE_LINES] for i in range(0, len(lines), SCHEDULE_LINES)] or [[]]


def total(lines: Iterable[ScheduleLine]) -> int:
    return sum(line.amount for line in lines)
