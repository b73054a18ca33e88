"""How much one gift may be, per currency: Stripe's minimum charge, the smallest gift a charity
takes (2.00 unless it chose otherwise; tiny gifts are what card testers send), and our maximum."""

from __future__ import annotations

from fundraiser.money import SUPPORTED_CURRENCIES, format_money, to_minor

# Stripe's minimum charge per currency, in minor units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
MINIMUM_AMOUNTS = {"GBP": 30, "USD": 50, "CAD": 50, "EUR": 50, "AUD": 50, "JPY": 50}
# The smallest gift a cause takes unless it sets its own (never below Stripe's minimum); in
# other currencies Stripe's minimum is the default.
DEFAULT_SMALLEST_GIFTS = {"GBP": 200, "USD": 200, "CAD": 200, "EUR": 200}
# Ten thousand major units per gift: above that a gift is a typo or card testing.
MAXIMUM_MAJOR_UNITS = 10_000
MAXIMUM_AMOUNTS = {currency: to_minor(MAXIMUM_MAJOR_UNITS, currency) for currency in SUPPORTED_CURRENCIES}
MAXIMUM_AMOUNTS["JPY"] = 1_000_000


def minimum_amount(currency: str) -> int:
    return MINIMUM_AMOUNTS[currency.upper()]


def smallest_gift(currency: str, chosen: dict[str, int] | None = None) -> int:
    """The smallest gift a cause takes in this currency: its own choice (`chosen`, minor units
    by currency) or the default, and never less than Stripe can charge."""
    currency = currency.upper()
    wanted = (chosen or {}).get(currency, DEFAULT_SMALLEST_GIFTS.get(currency, 0))
    return max(minimum_amount(currency), wanted)


def maximum_amount(currency: str) -> int:
    return MAXIMUM_AMOUNTS[currency.upper()]


def amount_error(amount: int, currency: str, smallest: int | None = None) -> str | None:
    """Why this gift amount is not allowed, in words for the donor; None when it is fine.
    `smallest` is the cause's smallest gift (smallest_gift); Stripe's minimum without it."""
    currency = currency.upper()
    if currency not in MINIMUM_AMOUNTS:
        return f"We cannot take gifts in {currency}."
    smallest = max(minimum_amount(currency), smallest or 0)
    if amount < smallest:
        return f"The smallest gift we can take is {format_money(smallest, currency)}."
    if amount > maximum_amount(currency):
        return f"The largest gift we can take online is {format_money(maximum_amount(currency), currency)}."
    return None
