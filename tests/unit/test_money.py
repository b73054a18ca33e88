import pytest

from fundraiser.money import MoneyError, format_money, parse_amount, percent_of


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("250", "GBP", 25000),
        ("250.50", "GBP", 25050),
        ("250.5", "GBP", 25050),
        ("0.01", "USD", 1),
        ("£1,000", "GBP", 100000),
        (" 12 ", "CAD", 1200),
        ("5000", "JPY", 5000),
        ("CA$20", "CAD", 2000),
    ],
)
def test_parse_amount_is_exact(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("abc", "GBP", "in numbers"),
        ("-5", "GBP", "above zero"),
        ("0", "GBP", "above zero"),
        ("1.234", "GBP", "at most 2 digits"),
        ("99999999999", "GBP", "below"),
        ("", "GBP", "Enter an amount"),
        ("10.5", "JPY", "no minor unit"),
        ("25,00", "GBP", "Use a point"),
        ("1,5", "EUR", "Use a point"),
        ("1,00,000", "GBP", "Use a point"),
        ("1e5", "GBP", "in numbers"),
        ("12.", "XXX", "not a currency"),
    ],
)
def test_parse_amount_refuses_with_a_reason(text, currency, message):
    with pytest.raises(MoneyError, match=message):
        parse_amount(text, currency)


def test_format_money_uses_babel():
    assert format_money(25050, "GBP") == "£250.50"
    assert format_money(5000, "JPY") == "JP¥5,000"
    assert format_money(25000, "GBP", whole=True) == "£250"
    assert format_money(123456, "USD", "en_US") == "$1,234.56"


def test_percent_of_caps_and_handles_zero():
    assert percent_of(50, 200) == 25
    assert percent_of(500, 200) == 100
    assert percent_of(5, 0) == 0
