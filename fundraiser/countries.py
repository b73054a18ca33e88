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
    # Set where the tax office takes receipts in one currency only (the CRA: Canadian
    # dollars), so a cause there takes gifts in it only.
    only_currency: str | None = None


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
        only_currency="CAD",
    ),
}
CAUSE_COUNTRY_CODES = tuple(COUNTRIES)
PAGE_SIZES = frozenset(country.page_size for country in COUNTRIES.values())


def currency_refusal(country: str, currency: str) -> str:
    """Why a cause in `country` cannot take gifts in `currency`, or ''."""
    only = COUNTRIES[country].only_currency if country in COUNTRIES else None
    if only is None or currency == only:
        return ""
    return (
        f"A {COUNTRIES[country].name} charity takes gifts in {only} only: its official tax receipts "
        f"must be in that currency, not {currency}."
    )


def locale_of(country: str) -> str:
    """The Babel locale for a cause's country; British English for anything else."""
    known = COUNTRIES.get(country)
    return known.locale if known else DEFAULT_LOCALE


def tax_year_of(country: str, day: date) -> int:
    """UK tax years start on 6 April and are named by their first year; elsewhere the calendar year."""
    if country == "GB" and day < date(day.year, 4, 6):
        return day.year - 1
    return day.year


def tax_year_end(country: str, year: int) -> date:
    """The first day after tax year `year`: 6 April of the next year in the UK, else 1 January."""
    return date(year + 1, 4, 6) if country == "GB" else date(year + 1, 1, 1)


def tax_year_label(country: str, year: int) -> str:
    if country == "GB":
        return f"{year}-{str(year + 1)[-2:]} (6 April {year} to 5 April {year + 1})"
    return f"{year} (1 January to 31 December {year})"


# Canada: the provinces and territories by their Canada Post abbreviations, and the postal
# code's shape (letter digit letter, space, digit letter digit; D, F, I, O, Q and U are never
# used, nor W and Z as the first letter).
CA_PROVINCES: dict[str, str] = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "NT": "Northwest Territories",
    "NU": "Nunavut",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
    "YT": "Yukon",
}
CA_POSTAL_CODE = re.compile(r"^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]$")
CA_ADDRESS_HINT = (
    "Enter the address as registered with the CRA: street, city, province or territory and "
    "postal code, like “88 Maple Avenue, Toronto, ON M5V 2T6”."
)
_CA_ADDRESS = re.compile(
    r"^(?P<street>.+?)\s*,\s*(?P<city>[^,]+?)\s*,?\s+(?P<region>[A-Za-z]{2})\s*,?\s+"
    r"(?P<postal>[A-Za-z]\d[A-Za-z]\s*\d[A-Za-z]\d)(?:\s*,?\s*canada)?\s*$",
    re.IGNORECASE,
)


def normalise_ca_postal_code(text: str) -> str | None:
    """ "m5v2t6" -> "M5V 2T6"; None when it cannot be a Canadian postal code."""
    compact = re.sub(r"\s+", "", (text or "").upper())
    if not CA_POSTAL_CODE.match(compact):
        return None
    return f"{compact[:3]} {compact[3:]}"


@dataclass(frozen=True)
class CanadianAddress:
    street: str
    city: str
    region: str
    postal_code: str

    @property
    def lines(self) -> list[str]:
        """As Canada Post asks: the municipality, province and postal code on one line, the
        postal code two spaces after the province."""
        return [self.street, f"{self.city} {self.region}  {self.postal_code}"]

    @property
    def locality(self) -> str:
        """The place of issue a CRA receipt states: "Toronto, ON"."""
        return f"{self.city}, {self.region}"


def parse_ca_address(text: str) -> CanadianAddress | None:
    """A charity's Canadian address written on one line or several ("88 Maple Avenue,
    Toronto, ON M5V 2T6, Canada"); None unless it has a street, a city, a province or
    territory and a valid postal code."""
    flat = ", ".join(line.strip(" ,") for line in (text or "").splitlines() if line.strip(" ,"))
    found = _CA_ADDRESS.match(flat)
    if found is None:
        return None
    region = found["region"].upper()
    postal_code = normalise_ca_postal_code(found["postal"])
    if region not in CA_PROVINCES or postal_code is None:
        return None
    return CanadianAddress(
        " ".join(found["street"].split()), " ".join(found["city"].split()), region, postal_code
    )
