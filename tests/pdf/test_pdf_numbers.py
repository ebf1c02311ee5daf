"""Reading one printed figure: parentheses, trailing minus, dashes, currency, grouping."""

from __future__ import annotations

import pytest

from portfolio_kit.pdf._numbers import (
    decimals_of,
    is_currency_symbol,
    is_dash,
    is_footnote_marker,
    parse_amount,
)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("1,577", 1577.0),
        ("213,883", 213883.0),
        ("4,617,834", 4617834.0),
        ("(1,017)", -1017.0),  # eBay 2017 net loss, printed in parentheses
        ("(0.95)", -0.95),
        ("1,577-", -1577.0),  # trailing minus, as some European and older filings print
        ("-1,577", -1577.0),
        ("\u22121,577", -1577.0),  # Unicode minus sign
        ("$1,577", 1577.0),  # "$" glued to the figure
        ("($1,577)", -1577.0),
        ("11.97", 11.97),
        ("8,748.4", 8748.4),  # McDonald's prints millions with one decimal
        ("1100", 1100.0),  # Salesforce prints 1100 without a thousands separator once
        ("0", 0.0),
        ("\u2014", 0.0),  # em dash: zero
        ("\u2013", 0.0),  # en dash
        ("-", 0.0),
        ("--", 0.0),
    ],
)
def test_figures_as_printed(token: str, expected: float) -> None:
    assert parse_amount(token) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "Net",
        "1,57",  # bad grouping
        "12,3456",
        "(1,017",  # unbalanced parentheses
        "1,017)",
        "(1,017)-",  # two negative marks
        "25%",
        "2021\u2014$492;",  # Pfizer's allowance text inside a label
        "(a)",
        "1.2.3",
        "$",
    ],
)
def test_not_figures(token: str) -> None:
    assert parse_amount(token) is None


def test_dash_currency_and_footnote_tokens() -> None:
    assert is_dash("\u2014") and is_dash("-") and not is_dash("1")
    assert is_currency_symbol("$") and is_currency_symbol("\u20ac") and not is_currency_symbol("$1")
    for marker in ("(1)", "(a)", "(iv)", "*", "\u2020"):
        assert is_footnote_marker(marker), marker
    for not_marker in ("(1,017)", "(Note 5)", "1"):
        assert not is_footnote_marker(not_marker), not_marker


def test_decimals_give_the_rounding_unit() -> None:
    assert decimals_of("8,748.4") == 1
    assert decimals_of("11.97") == 2
    assert decimals_of("(1,017)") == 0
