"""The CRA's and the IRS's advantage rules at their edges (cents, CAD or USD)."""

from __future__ import annotations

import pytest

from fundraiser.countries import normalise_ca_postal_code, parse_ca_address
from fundraiser.receipts.advantage import (
    CA_ADVANTAGE_OVER_80,
    ca_counted_advantage,
    ca_refusal,
    us_needs_quid_pro_quo_statement,
)


@pytest.mark.parametrize(
    ("gift", "advantage", "counted"),
    [
        (75000, 7500, 0),  # exactly $75, exactly 10% of $750: ignored
        (100000, 7500, 0),  # exactly $75, 7.5%: ignored
        (100000, 7501, 7501),  # $75.01: over $75, counted although under 10%
        (50000, 5000, 0),  # exactly 10% of $500 ($50, under $75): ignored
        (50000, 5001, 5001),  # just over 10%: counted
        (20000, 4000, 4000),  # 20%: counted
        (10000, 0, 0),
    ],
)
def test_de_minimis_is_the_lesser_of_75_dollars_and_10_percent(gift, advantage, counted):
    """CRA, "Advantage and eligible amount": an advantage not over the lesser of $75 and 10%
    of the gift is not deducted (de minimis threshold)."""
    assert ca_counted_advantage(gift, advantage) == counted


@pytest.mark.parametrize(
    ("gift", "advantage", "intent", "refused"),
    [
        (10000, 8000, False, False),  # exactly 80%: a receipt
        (10000, 8001, False, True),  # over 80%: none
        (10000, 8001, True, False),  # unless the charity shows the donor meant to give
        (10000, 10000, True, False),
    ],
)
def test_the_80_percent_threshold(gift, advantage, intent, refused):
    """CRA, "Advantage and eligible amount": an advantage over 80% of the gift means no
    receipt, unless the donor's intention to make a gift can be established."""
    reason = ca_refusal(gift, advantage, intent_to_give_shown=intent)
    assert reason == (CA_ADVANTAGE_OVER_80 if refused else "")


@pytest.mark.parametrize(
    ("payment", "advantage", "needed"),
    [(7500, 800, False), (7501, 800, True), (10000, 0, False)],
)
def test_the_irs_disclosure_is_for_payments_over_75_dollars_with_goods(payment, advantage, needed):
    """IRS Publication 1771, "Quid pro quo contributions": a payment over $75 made partly
    for goods or services needs the written disclosure."""
    assert us_needs_quid_pro_quo_statement(payment, advantage) is needed


@pytest.mark.parametrize(
    ("text", "lines", "locality"),
    [
        (
            "88 Maple Avenue, Toronto, ON M5V 2T6, Canada",
            ["88 Maple Avenue", "Toronto ON  M5V 2T6"],
            "Toronto, ON",
        ),
        (
            "12 rue Principale\nMontréal QC h2x1y4",
            ["12 rue Principale", "Montréal QC  H2X 1Y4"],
            "Montréal, QC",
        ),
    ],
)
def test_a_canadian_address_is_read_and_written_as_canada_post_asks(text, lines, locality):
    """CRA, "Issuing complete and accurate donation receipts": the charity's address as on
    file, and the place of issue; written on Canada Post's lines."""
    address = parse_ca_address(text)
    assert (address.lines, address.locality) == (lines, locality)


@pytest.mark.parametrize(
    "text",
    [
        "88 Maple Avenue, Toronto",
        "88 Maple Avenue, Toronto, XX M5V 2T6",
        "88 Maple Ave, Toronto, ON 90210",
        "",
    ],
)
def test_an_incomplete_canadian_address_is_refused(text):
    assert parse_ca_address(text) is None


def test_postal_codes_use_canada_posts_letters():
    assert normalise_ca_postal_code("k1a0b1") == "K1A 0B1"
    assert normalise_ca_postal_code("D1A 0B1") is None  # D is never used
    assert normalise_ca_postal_code("W1A 0B1") is None  # nor W first
