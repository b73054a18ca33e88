"""Gift limits per currency and the fee estimate, in integer arithmetic."""

from __future__ import annotations

import pytest
from sqlalchemy import literal, select

from fundraiser.donations.amounts import amount_error, maximum_amount, minimum_amount, smallest_gift
from fundraiser.donations.fees import FEE_RATES, fee_cover, stripe_fee, stripe_fee_sql


@pytest.mark.parametrize(
    ("currency", "smallest", "largest"),
    [
        ("GBP", 30, 1_000_000),
        ("USD", 50, 1_000_000),
        ("CAD", 50, 1_000_000),
        ("EUR", 50, 1_000_000),
        ("AUD", 50, 1_000_000),
        ("JPY", 50, 1_000_000),
    ],
)
def test_limits_follow_stripe_minimums_and_our_maximum(currency, smallest, largest):
    assert (minimum_amount(currency), maximum_amount(currency)) == (smallest, largest)
    assert amount_error(smallest, currency) is None
    assert amount_error(largest, currency) is None
    assert "smallest gift" in amount_error(smallest - 1, currency)
    assert "largest gift" in amount_error(largest + 1, currency)


def test_limit_messages_use_the_currency_format():
    assert amount_error(29, "GBP") == "The smallest gift we can take is £0.30."
    assert amount_error(1_000_001, "JPY") == "The largest gift we can take online is JP¥1,000,000."
    assert amount_error(100, "CHF") == "We cannot take gifts in CHF."


@pytest.mark.parametrize(
    ("amount", "currency", "fee"),
    [
        (2500, "GBP", 59),  # £25 -> charge £25.59: 1.5% of 2559 = 38.4 (39) + 20p = 59p
        (1000, "USD", 61),  # $10 -> $10.61: 2.9% of 1061 = 30.8 (31) + 30c
        (1000, "CAD", 61),
        (5000, "EUR", 102),
        (1000, "JPY", 38),  # ¥1,000 -> ¥1,038: 3.6% = 37.4 (38), no fixed fee
    ],
)
def test_fee_estimate_examples(amount, currency, fee):
    assert fee_cover(amount, currency) == fee
    assert isinstance(fee_cover(amount, currency), int)


@pytest.mark.parametrize("currency", sorted(FEE_RATES))
def test_fee_cover_is_the_smallest_that_leaves_the_whole_gift(currency):
    for amount in (*range(minimum_amount(currency), 5000, 7), 99_999, maximum_amount(currency)):
        charged = amount + fee_cover(amount, currency)
        assert charged - stripe_fee(charged, currency) >= amount, (amount, currency)
        assert charged - 1 - stripe_fee(charged - 1, currency) < amount, (amount, currency)


@pytest.mark.parametrize("currency", sorted(FEE_RATES))
def test_the_cover_a_donor_adds_and_the_dashboard_fee_agree(session, currency):
    """The fee the charity dashboard estimates for a covered gift (SQL, `reports`) is the fee
    the donor's cover paid for (`fee_cover`): the charity nets the whole gift, and the
    dashboard never reports a fee left over that the donor did not cover."""
    for amount in (100, 999, 2500, 10_001, 123_456):
        cover = fee_cover(amount, currency)
        charged = amount + cover
        in_sql = session.scalar(select(stripe_fee_sql(literal(charged), literal(currency))))
        assert in_sql == stripe_fee(charged, currency)
        assert cover == in_sql, (amount, currency)
        assert charged - in_sql == amount


@pytest.mark.parametrize(
    ("currency", "chosen", "smallest"),
    [
        ("GBP", None, 200),
        ("USD", {}, 200),
        ("CAD", {"GBP": 500}, 200),  # a choice in another currency leaves this one alone
        ("EUR", {"EUR": 1000}, 1000),
        ("GBP", {"GBP": 30}, 30),  # exactly Stripe's minimum
        ("GBP", {"GBP": 1}, 30),  # never below it
        ("JPY", None, 50),
        ("AUD", None, 50),
    ],
)
def test_the_smallest_gift_is_the_charitys_or_two_units_never_below_stripe(currency, chosen, smallest):
    assert smallest_gift(currency, chosen) == smallest
    assert amount_error(smallest, currency, smallest_gift(currency, chosen)) is None
    assert "smallest gift" in amount_error(smallest - 1, currency, smallest_gift(currency, chosen))
