"""How much one gift may be, per currency: Stripe's minimum charge and our maximum."""

from __future__ import annotations

from fundraiser.money import SUPPORTED_CURRENCIES, format_money, to_minor

# Stripe's minimum charge per currency, in minor units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
MINIMUM_AMOUNTS = {"GBP": 30, "USD": 50, "CAD": 50, "EUR": 50, "AUD": 50, "JPY": 50}
# Ten thousand major units per gift: above that a gift is a typo or card testing.
MAXIMUM_MAJOR_UNITS = 10_000
MAXIMUM_AMOUNTS = {currency: to_minor(MAXIMUM_MAJOR_UNITS, currency) for currency in SUPPORTED_CURRENCIES}
MAXIMUM_AMOUNTS["JPY"] = 1_000_000


def minimum_amount(currency: str) -> int:
    return MINIMUM_AMOUNTS[currency.upper()]


def maximum_amount(currency: str) -> int:
    return MAXIMUM_AMOUNTS[currency.upper()]


def amount_error(amount: int, currency: str) -> str | None:
    """Why this gift amount is not allowed, in words for the donor; None when it is fine."""
    currency = currency.upper()
    if currency not in MINIMUM_AMOUNTS:
        return f"We cannot take gifts in {currency}."
    if amount < minimum_amount(currency):
        return f"The smallest gift we can take is {format_money(minimum_amount(currency), currency)}."
    if amount > maximum_amount(currency):
        return f"The largest gift we can take online is {format_money(maximum_amount(currency), currency)}."
    return None
