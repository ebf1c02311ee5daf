"""Gross and net IRR, horizon returns and the J-curve, against hand calculations and pyxirr."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import pyxirr

from portfolio_kit.analytics import gross_irr, horizon_returns, j_curve, net_irr


def test_gross_irr_adds_the_fair_value_on_the_as_of_date() -> None:
    # 100 invested on 2021-01-01, stake worth 121 on 2023-01-01 (730 days):
    # (1 + r) ** 2 = 1.21, r = 10%. The flow after as_of is not known yet.
    dates = [date(2021, 1, 1), date(2023, 6, 30)]
    assert gross_irr(
        dates, [-100.0, 500.0], fair_value=121.0, as_of=date(2023, 1, 1)
    ) == pytest.approx(0.10, abs=1e-12)


def test_net_irr_matches_pyxirr_with_the_nav_appended() -> None:
    dates = [date(2019, 3, 1), date(2019, 9, 1), date(2020, 6, 15), date(2022, 2, 1)]
    amounts = [-60.0, -40.0, 15.0, 30.0]
    expected = pyxirr.xirr([*dates, date(2023, 12, 31)], [*amounts, 95.0])
    assert net_irr(dates, amounts, nav=95.0, as_of=date(2023, 12, 31)) == pytest.approx(
        expected, abs=1e-8
    )


def test_terminal_values_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="fair_value: must not be negative"):
        gross_irr([date(2021, 1, 1)], [-100.0], fair_value=-1.0, as_of=date(2022, 1, 1))
    with pytest.raises(ValueError, match="nav: must be finite"):
        net_irr([date(2021, 1, 1)], [-100.0], nav=float("nan"), as_of=date(2022, 1, 1))


def fund() -> tuple[list[date], list[float], pd.Series]:
    dates = [
        date(2018, 3, 15),
        date(2018, 9, 10),
        date(2019, 6, 30),
        date(2020, 12, 15),
        date(2022, 3, 31),
        date(2023, 6, 30),
    ]
    amounts = [-100.0, -50.0, 10.0, 40.0, -20.0, 60.0]
    navs = pd.Series(
        [100.0, 160.0, 170.0, 150.0, 190.0, 180.0, 200.0],
        index=pd.to_datetime(
            [
                "2018-12-31",
                "2019-12-31",
                "2020-12-31",
                "2021-12-31",
                "2022-12-31",
                "2023-12-31",
                "2024-06-30",
            ]
        ),
    )
    return dates, amounts, navs


def test_horizon_returns_are_point_to_point_irrs() -> None:
    dates, amounts, navs = fund()
    result = horizon_returns(dates, amounts, navs, as_of=date(2024, 6, 30), horizons=(1, 3, 5))
    # 1y: start 2023-06-30; the latest NAV on or before it is 190 (2022-12-31), so
    # the window opens there with -190, takes the 60 of 2023-06-30, closes with 200.
    one_year = pyxirr.xirr(
        [date(2022, 12, 31), date(2023, 6, 30), date(2024, 6, 30)], [-190.0, 60.0, 200.0]
    )
    # 3y: start 2021-06-30 -> NAV 170 of 2020-12-31; then -20, +60; close 200.
    three_year = pyxirr.xirr(
        [date(2020, 12, 31), date(2022, 3, 31), date(2023, 6, 30), date(2024, 6, 30)],
        [-170.0, -20.0, 60.0, 200.0],
    )
    # 5y: start 2019-06-30 -> NAV 100 of 2018-12-31; every flow after it; close 200.
    five_year = pyxirr.xirr(
        [date(2018, 12, 31), *dates[2:], date(2024, 6, 30)], [-100.0, *amounts[2:], 200.0]
    )
    since_inception = pyxirr.xirr([*dates, date(2024, 6, 30)], [*amounts, 200.0])
    assert result["1y"] == pytest.approx(one_year, abs=1e-8)
    assert result["3y"] == pytest.approx(three_year, abs=1e-8)
    assert result["5y"] == pytest.approx(five_year, abs=1e-8)
    assert result["since_inception"] == pytest.approx(since_inception, abs=1e-8)


def test_a_horizon_longer_than_the_fund_is_nan() -> None:
    dates, amounts, navs = fund()
    assert np.isnan(
        horizon_returns(dates, amounts, navs, as_of=date(2024, 6, 30), horizons=(10,))["10y"]
    )


def test_horizon_returns_need_a_nav_on_the_as_of_date() -> None:
    dates, amounts, navs = fund()
    with pytest.raises(ValueError, match=r"navs: no NAV dated as_of \(2024-03-31\)"):
        horizon_returns(dates, amounts, navs, as_of=date(2024, 3, 31))


def test_j_curve_cumulates_cash_and_irr_by_quarter() -> None:
    dates, amounts, navs = fund()
    curve = j_curve(dates, amounts, navs, as_of=date(2024, 6, 30))
    assert curve.index[0] == pd.Timestamp("2018-03-31")
    assert curve.index[-1] == pd.Timestamp("2024-06-30")
    assert len(curve) == 26  # 2018Q1 .. 2024Q2
    # Paid in by 2018-09-30: 100 + 50; cumulative net cash -150.
    assert curve.loc["2018-09-30", "paid_in"] == 150.0
    assert curve.loc["2018-09-30", "cumulative_net_cash_flow"] == -150.0
    assert np.isnan(curve.loc["2018-09-30", "irr"])  # no NAV reported yet
    # At 2019-12-31: flows -100, -50, +10 and the NAV of 160 on that date.
    expected = pyxirr.xirr([*dates[:3], date(2019, 12, 31)], [*amounts[:3], 160.0])
    assert curve.loc["2019-12-31", "irr"] == pytest.approx(expected, abs=1e-8)
    assert curve.loc["2019-12-31", "tvpi"] == pytest.approx((10 + 160) / 150, abs=1e-15)
    assert curve["cumulative_net_cash_flow"].iloc[-1] == pytest.approx(sum(amounts), abs=1e-12)
