"""Stripe's card fees: the one table of rates, the fee on a charge, and the fee cover a
donor can add so the charity receives the whole gift. The donate page, the payment and the
charity dashboard all compute fees here, so the cover a donor pays and the fee the
dashboard estimates cannot disagree.

Rates are Stripe's standard pricing for domestic cards (stripe.com/pricing for each
country). International or premium cards cost more; the estimates do not guess at them.
The percentage is rounded up to a whole minor unit, the cautious side for the charity.
Integer arithmetic throughout.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, case, cast
from sqlalchemy.sql.elements import ColumnElement

# Per currency: (basis points, fixed fee in minor units).
FEE_RATES: dict[str, tuple[int, int]] = {
    "GBP": (150, 20),  # UK: 1.5% + 20p for standard UK cards
    "EUR": (150, 25),  # EEA: 1.5% + €0.25 for standard EEA cards
    "USD": (290, 30),  # US: 2.9% + 30¢
    "CAD": (290, 30),  # Canada: 2.9% + 30¢
    "AUD": (170, 30),  # Australia: 1.7% + A$0.30 for domestic cards
    "JPY": (360, 0),  # Japan: 3.6%, no fixed fee
}


def stripe_fee(charged: int, currency: str) -> int:
    """Stripe's standard fee on a charge of `charged` minor units."""
    basis_points, fixed = FEE_RATES[currency.upper()]
    return -(-charged * basis_points // 10_000) + fixed


def fee_cover(amount: int, currency: str) -> int:
    """The smallest cover to add to a gift of `amount` so that, after `stripe_fee` on the
    charge, the charity still receives all of the gift.

    Stripe takes `rate * charged + fixed` from the charged amount, so the charge must be
    `(amount + fixed) / (1 - rate)`, rounded up; the cover is that less the gift."""
    basis_points, fixed = FEE_RATES[currency.upper()]
    charged = -(-(amount + fixed) * 10_000 // (10_000 - basis_points))
    return charged - amount


def platform_fee(charged: int, basis_points: int) -> int:
    """The platform's fee on a charge (Connect's `application_fee_amount`): `basis_points`
    of the charged amount, rounded down, the charity's side."""
    return charged * basis_points // 10_000


def basis_points_text(basis_points: int) -> str:
    """250 -> "2.5%", 100 -> "1%", 0 -> "0%": a fee rate as people read it."""
    whole, rest = divmod(basis_points, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") + "%" if rest else f"{whole}%"


def stripe_fee_sql(charged: ColumnElement[int], currency: ColumnElement[str]) -> ColumnElement[int]:
    """`stripe_fee` as an SQL expression over a charged-amount and a currency column."""
    rate = case({code: rates[0] for code, rates in FEE_RATES.items()}, value=currency, else_=0)
    fixed = case({code: rates[1] for code, rates in FEE_RATES.items()}, value=currency, else_=0)
    return (cast(charged, BigInteger) * rate + 9_999) // 10_000 + fixed
