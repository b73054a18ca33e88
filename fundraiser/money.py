"""Money is an int of minor units beside an ISO 4217 code. This module is the only place
that turns what people type into minor units, and minor units into text for people."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision

from fundraiser.countries import DEFAULT_LOCALE

SUPPORTED_CURRENCIES = ("GBP", "USD", "CAD", "EUR", "AUD", "JPY")
# Ten million major units: far beyond any real target or gift, small enough to be a typo.
MAX_MAJOR_UNITS = 10_000_000
_SYMBOL = re.compile(r"^(?:CA\$|A\$|US\$|[£$€¥])")
_AMOUNT = re.compile(r"^(?P<whole>\d+)(?:\.(?P<frac>\d*))?$")
# A comma is only ever a thousands separator: "1,000" or "12,345,678.50", never "25,00".
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$")


class MoneyError(ValueError):
    """The text is not an amount of money a person could mean; the message says why."""


def exponent(currency: str) -> int:
    """Number of minor-unit digits: 2 for GBP, 0 for JPY."""
    return get_currency_precision(currency.upper())


def parse_amount(text: str | None, currency: str) -> int:
    """Parse "250", "250.50", "1,000" or "£250" into minor units, exactly."""
    currency = currency.upper()
    if currency not in SUPPORTED_CURRENCIES:
        raise MoneyError(f"{currency} is not a currency we accept.")
    cleaned = _SYMBOL.sub("", (text or "").strip().replace(" ", ""))
    if "," in cleaned:
        if not _GROUPED.match(cleaned):
            raise MoneyError(
                "Use a point for pennies and cents, like 25.00 (a comma only separates thousands)."
            )
        cleaned = cleaned.replace(",", "")
    if not cleaned:
        raise MoneyError("Enter an amount.")
    if cleaned.startswith("-"):
        raise MoneyError("Enter an amount above zero.")
    match = _AMOUNT.match(cleaned)
    if not match:
        raise MoneyError("Enter an amount in numbers, like 250 or 250.50.")
    whole, frac = match.group("whole"), match.group("frac") or ""
    digits = exponent(currency)
    if len(frac) > digits:
        if digits == 0:
            raise MoneyError(f"{currency} has no minor unit: enter a whole number.")
        raise MoneyError(f"Use at most {digits} digits after the decimal point.")
    if len(whole) > len(str(MAX_MAJOR_UNITS)) or int(whole) > MAX_MAJOR_UNITS:
        raise MoneyError(
            f"Enter an amount below {format_money(to_minor(MAX_MAJOR_UNITS, currency), currency)}."
        )
    minor = int(whole) * 10**digits + int(frac.ljust(digits, "0") or 0)
    if minor <= 0:
        raise MoneyError("Enter an amount above zero.")
    return minor


def to_minor(major: int, currency: str) -> int:
    """Whole major units (an int) to minor units."""
    return major * 10 ** exponent(currency)


def to_decimal(minor: int, currency: str) -> Decimal:
    """Minor units as an exact Decimal of major units, for formatting and CSV."""
    return Decimal(minor).scaleb(-exponent(currency))


def format_money(minor: int, currency: str, locale: str = DEFAULT_LOCALE, *, whole: bool = False) -> str:
    """Format for people with Babel: 12345 GBP -> "£123.45". `whole` drops a zero fraction."""
    value = to_decimal(minor, currency)
    if whole and value == value.to_integral_value():
        return format_currency(value, currency, locale=locale, format="¤#,##0", currency_digits=False)
    return format_currency(value, currency, locale=locale)


def plain_amount(minor: int, currency: str) -> str:
    """Minor units as a plain decimal string ("250.50"), for form fields and CSV."""
    return f"{to_decimal(minor, currency):f}"


def percent_of(part: int, whole: int) -> int:
    """Whole-number percentage, capped at 100, for progress bars."""
    if whole <= 0:
        return 0
    return min(100, part * 100 // whole)


@lru_cache(maxsize=4096)
def money_text(minor: int, currency: str, whole: bool = False) -> str:
    """format_money, remembered: Babel re-reads its number pattern on every call, and a list
    of 24 cards formats 48 amounts, most of them the same from one view to the next."""
    return format_money(minor, currency, whole=whole)


def amount_text(minor: int, currency: str) -> str:
    """An amount as a person would type it back: "250" rather than "250.00"."""
    text = plain_amount(minor, currency)
    whole, dot, fraction = text.partition(".")
    return whole if not dot or set(fraction) == {"0"} else text
