"""What analysts type, and what it means: every expected value is written by hand."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from portfolio_kit.models import CashFlowKind
from portfolio_kit.widgets import _parse


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,250,000.50", Decimal("1250000.50")),
        ("1 250 000", Decimal("1250000")),
        ("1_000", Decimal("1000")),
        ("-3.5", Decimal("-3.5")),
        ("(120)", Decimal("-120")),
        ("  42 ", Decimal("42")),
        ("", None),
        ("   ", None),
        (None, None),
        (7, Decimal(7)),
        (0.1, Decimal("0.1")),
    ],
)
def test_decimal_accepts_what_statements_print(typed: object, expected: Decimal | None) -> None:
    assert _parse.parse_decimal(typed) == expected


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "NaN", "inf", "12abc"])
def test_decimal_refuses_text_with_the_text_in_the_message(typed: str) -> None:
    with pytest.raises(ValueError, match="must be a"):
        _parse.parse_decimal(typed)


def test_percent_is_stored_as_a_fraction() -> None:
    # 2% of capital is 0.02; 2.5% is 0.025; 12.5% carry would be 0.125.
    assert _parse.parse_percent("2") == Decimal("0.02")
    assert _parse.parse_percent("2.5%") == Decimal("0.025")
    assert _parse.parse_percent(" 12.5 % ") == Decimal("0.125")
    assert _parse.parse_percent("") is None


def test_integer_refuses_fractions() -> None:
    assert _parse.parse_integer("2,024") == 2024
    with pytest.raises(ValueError, match="whole number"):
        _parse.parse_integer("2024.5")


def test_currency_is_upper_cased() -> None:
    assert _parse.parse_currency(" usd ") == "USD"
    assert _parse.parse_currency("") is None


def test_date_from_picker_or_iso_text() -> None:
    assert _parse.parse_date(date(2025, 12, 31)) == date(2025, 12, 31)
    assert _parse.parse_date(datetime(2025, 12, 31, 15, 0)) == date(2025, 12, 31)
    assert _parse.parse_date("2025-12-31") == date(2025, 12, 31)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        _parse.parse_date("31/12/2025")


def test_choice_names_the_allowed_values() -> None:
    assert _parse.parse_choice("capital_call", CashFlowKind) is CashFlowKind.CAPITAL_CALL
    assert _parse.parse_choice("", CashFlowKind) is None
    with pytest.raises(ValueError, match="capital_call, management_fee"):
        _parse.parse_choice("loan", CashFlowKind)


def test_reference_zero_means_none() -> None:
    assert _parse.parse_reference(0) is None
    assert _parse.parse_reference(7) == 7
    with pytest.raises(ValueError, match="picked from the list"):
        _parse.parse_reference("7")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (Decimal("1250000.00"), "1,250,000"),
        (Decimal("1250000.50"), "1,250,000.50"),
        (Decimal("0.125"), "0.125"),
        (Decimal("-3.5"), "-3.50"),
        (None, ""),
    ],
)
def test_stored_numbers_show_with_separators(stored: Decimal | None, shown: str) -> None:
    assert _parse.format_decimal(stored) == shown


def test_formatting_round_trips_through_parsing() -> None:
    for stored in (Decimal("1250000.50"), Decimal("-7"), Decimal("0.000123")):
        assert _parse.parse_decimal(_parse.format_decimal(stored)) == stored


def test_fraction_shows_as_the_percentage_typed() -> None:
    assert _parse.format_percent(Decimal("0.02000000")) == "2"
    assert _parse.format_percent(Decimal("0.025")) == "2.5"
    assert _parse.format_percent(None) == ""


def test_enum_options_read_like_words() -> None:
    assert _parse.enum_options(CashFlowKind)[0] == ("Capital call", "capital_call")
    assert _parse.enum_options(CashFlowKind, optional=True)[0] == ("—", "")
