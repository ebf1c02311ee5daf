"""Number formats: every expected string below is written by hand."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest

from portfolio_kit.charts import (
    NOT_AVAILABLE,
    format_date,
    format_money,
    format_multiple,
    format_number,
    format_pct,
    format_quarter,
)


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (1_150_000_000, {}, "$1,150.0m"),
        (-12_345_678, {}, "-$12.3m"),
        (2_500_000_000, {"scale": "bn", "decimals": 2}, "$2.50bn"),
        (1_500_000, {"currency": "EUR", "scale": "auto"}, "€1.5m"),
        (3_000_000, {"currency": "SEK"}, "SEK 3.0m"),
        (999.0, {"scale": "auto"}, "$999.0"),
        (45_600, {"scale": "k"}, "$45.6k"),
        (1_234.5, {"scale": "units", "decimals": 2, "currency": None}, "1,234.50"),
        # -40,000 is -0.04m, which rounds to 0.0m: no minus sign in front of a zero.
        (-40_000, {}, "$0.0m"),
    ],
)
def test_format_money(value: float, kwargs: dict, expected: str) -> None:
    assert format_money(value, **kwargs) == expected


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, -math.inf, pd.NA, "not a number"])
def test_missing_values_read_as_a_dash(missing: object) -> None:
    assert format_money(missing) == NOT_AVAILABLE
    assert format_multiple(missing) == NOT_AVAILABLE
    assert format_pct(missing) == NOT_AVAILABLE
    assert format_number(missing) == NOT_AVAILABLE


def test_unknown_scale_names_the_argument() -> None:
    with pytest.raises(ValueError, match="scale"):
        format_money(1.0, scale="millions")  # type: ignore[arg-type]


def test_multiples_and_rates() -> None:
    assert format_multiple(1.8512) == "1.85x"
    assert format_multiple(2) == "2.00x"
    assert format_multiple(6.63, decimals=1) == "6.6x"
    assert format_pct(0.182) == "18.2%"
    assert format_pct(0.04, signed=True) == "+4.0%"
    assert format_pct(-0.0236, signed=True) == "-2.4%"
    assert format_pct(0.4, decimals=0) == "40%"
    assert format_number(1204.4) == "1,204"


def test_dates_and_quarters() -> None:
    assert format_date(date(2025, 12, 31)) == "31 Dec 2025"
    assert format_date(datetime(2024, 3, 5, 17, 30)) == "5 Mar 2024"
    assert format_date(pd.Timestamp("2023-06-30")) == "30 Jun 2023"
    assert format_date(pd.NaT) == NOT_AVAILABLE
    assert format_date(None) == NOT_AVAILABLE
    assert format_quarter(date(2025, 11, 15)) == "Q4 2025"
    assert format_quarter(pd.Timestamp("2024-03-31")) == "Q1 2024"
