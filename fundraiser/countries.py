"""What differs between the countries a cause can be registered in: the name, the locale
its pages and receipts are written in, the paper size, the tax year, and the shape of a
charity registration number. Every other module asks here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

DEFAULT_LOCALE = "en_GB"


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    locale: str
    page_size: str
    registration_format: re.Pattern[str]
    registration_hint: str


COUNTRIES: dict[str, Country] = {
    "GB": Country(
        "GB",
        "United Kingdom",
        "en_GB",
        "A4",
        re.compile(r"^(?:\d{6,8}(?:-\d{1,2})?|SC\d{6}|NIC\d{6})$"),
        "Enter the charity number, like 1234567 (or SC012345 in Scotland).",
    ),
    "US": Country(
        "US",
        "United States",
        "en_US",
        "letter",
        re.compile(r"^\d{2}-\d{7}$"),
        "Enter the EIN as 12-3456789.",
    ),
    "CA": Country(
        "CA",
        "Canada",
        "en_CA",
        "letter",
        re.compile(r"^\d{9}RR\d{4}$"),
        "Enter the CRA business number with its RR suffix, like 123456789RR0001.",
    ),
}
CAUSE_COUNTRY_CODES = tuple(COUNTRIES)
PAGE_SIZES = frozenset(country.page_size for country in COUNTRIES.values())


def locale_of(country: str) -> str:
    """The Babel locale for a cause's country; British English for anything else."""
    known = COUNTRIES.get(country)
    return known.locale if known else DEFAULT_LOCALE


def tax_year_of(country: str, day: date) -> int:
    """UK tax years start on 6 April and are named by their first year; elsewhere the calendar year."""
    if country == "GB" and day < date(day.year, 4, 6):
        return day.year - 1
    return day.year


def tax_year_label(country: str, year: int) -> str:
    if country == "GB":
        return f"{year}-{str(year + 1)[-2:]} (6 April {year} to 5 April {year + 1})"
    return f"{year} (1 January to 31 December {year})"
