"""Waterfall layout: positions worked out by hand for each case."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from portfolio_kit.charts import to_svg, waterfall, waterfall_layout


def _steps(rows: list[tuple[str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["label", "amount", "kind"])


def test_bars_float_from_the_running_level() -> None:
    # Opening 100; +30 takes the level to 130; -20 back to 110; closing total 110.
    layout = waterfall_layout(
        _steps(
            [
                ("Opening", 100.0, "total"),
                ("Up", 30.0, "delta"),
                ("Down", -20.0, "delta"),
                ("Closing", 110.0, "total"),
            ]
        )
    )
    assert layout["start"].tolist() == [0.0, 100.0, 130.0, 0.0]
    assert layout["end"].tolist() == [100.0, 130.0, 110.0, 110.0]
    assert layout["direction"].tolist() == ["Total", "Increase", "Decrease", "Total"]


def test_a_total_in_the_middle_resets_the_level() -> None:
    # 50, +10 -> 60, subtotal 60, -70 -> -10 (a bar may cross zero).
    layout = waterfall_layout(
        _steps(
            [
                ("A", 50.0, "total"),
                ("B", 10.0, "delta"),
                ("Sub", 60.0, "total"),
                ("C", -70.0, "delta"),
            ]
        )
    )
    assert layout["start"].tolist() == [0.0, 50.0, 0.0, 60.0]
    assert layout["end"].tolist() == [50.0, 60.0, 60.0, -10.0]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("Up", 1.0, "delta")], "first bar must be a 'total'"),
        ([("A", 1.0, "total"), ("B", 1.0, "step")], "kind must be 'total' or 'delta'"),
        ([("A", 1.0, "total"), ("B", math.nan, "delta")], "position 1"),
    ],
)
def test_bad_steps_are_refused_with_a_reason(rows: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        waterfall_layout(_steps(rows))


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match="steps: missing column"):
        waterfall_layout(pd.DataFrame({"label": ["A"], "amount": [1.0]}))


def test_every_bar_is_labelled_with_its_value() -> None:
    svg = to_svg(
        waterfall(
            _steps(
                [
                    ("Entry equity", 100e6, "total"),
                    ("Revenue growth", 60e6, "delta"),
                    ("Multiple", -10e6, "delta"),
                    ("Today", 150e6, "total"),
                ]
            )
        )
    )
    for text in ("$100.0m", "+$60.0m", "-$10.0m", "$150.0m"):
        assert text in svg
