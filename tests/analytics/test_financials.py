"""Company financials: LTM, fiscal years, growth and ratios, by hand and against Apple's 10-K."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio_kit.analytics import (
    cagr,
    derived_metrics,
    fiscal_year,
    fiscal_year_totals,
    ltm,
    ltm_by_company,
    ltm_history,
    to_wide,
    yoy_growth,
)

QUARTER_ENDS = pd.to_datetime(
    [
        "2023-03-31",
        "2023-06-30",
        "2023-09-30",
        "2023-12-31",
        "2024-03-31",
        "2024-06-30",
        "2024-09-30",
    ]
)


def quarterly() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "revenue": [100.0, 110.0, 120.0, 130.0, 140.0, 150.0, 160.0],
            "operating_income": [10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 22.0],
            "cash_and_equivalents": [50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0],
        },
        index=QUARTER_ENDS,
    )


def test_ltm_sums_flows_and_takes_balances_at_the_period_end() -> None:
    result = ltm(quarterly(), as_of="2024-06-30")
    assert result["revenue"] == 130.0 + 140.0 + 150.0 + 120.0
    assert result["operating_income"] == 14.0 + 16.0 + 18.0 + 20.0
    assert result["cash_and_equivalents"] == 75.0


def test_ltm_names_the_missing_quarter() -> None:
    gappy = quarterly().drop(pd.Timestamp("2024-03-31"))
    with pytest.raises(ValueError, match="missing 2024-03-31"):
        ltm(gappy, as_of="2024-06-30")


def test_ltm_history_is_nan_until_four_quarters_exist() -> None:
    history = ltm_history(quarterly())
    assert history["revenue"].isna().sum() == 3
    assert history.loc["2023-12-31", "revenue"] == 460.0
    assert history.loc["2024-09-30", "revenue"] == 580.0


def test_fiscal_quarters_of_a_52_53_week_calendar_chain_by_month() -> None:
    # Apple's fiscal 2019 quarters ended 29 Dec 2018, 30 Mar, 29 Jun and 28 Sep 2019.
    ends = pd.to_datetime(["2018-12-29", "2019-03-30", "2019-06-29", "2019-09-28"])
    frame = pd.DataFrame({"revenue": [84_310.0, 58_015.0, 53_809.0, 64_040.0]}, index=ends)
    # Apple's fiscal 2019 net sales as printed in its 10-K: 260,174 ($ millions).
    assert ltm(frame)["revenue"] == 260_174.0
    assert fiscal_year(pd.Timestamp("2019-09-28"), 9) == 2019
    assert fiscal_year(pd.Timestamp("2019-12-28"), 9) == 2020


def test_fiscal_year_totals_flag_incomplete_years() -> None:
    totals = fiscal_year_totals(quarterly(), fiscal_year_end_month=12)
    assert totals.loc[2023, "revenue"] == 460.0
    assert totals.loc[2023, "cash_and_equivalents"] == 65.0
    assert np.isnan(totals.loc[2024, "revenue"])
    assert totals.loc[2024, "periods_reported"] == 3
    june_years = fiscal_year_totals(quarterly(), fiscal_year_end_month=6)
    assert june_years.loc[2024, "revenue"] == 120.0 + 130.0 + 140.0 + 150.0


def test_ltm_by_company_matches_per_company_ltm() -> None:
    rows = []
    for company, scale in (("A", 1.0), ("B", 2.0)):
        for period_end, value in zip(QUARTER_ENDS, quarterly()["revenue"], strict=True):
            rows.append((company, period_end, "quarter", "actual", "revenue", value * scale))
            rows.append((company, period_end, "quarter", "budget", "revenue", -1.0))
    long = pd.DataFrame(
        rows, columns=["company_id", "period_end", "period_type", "scenario", "line_item", "value"]
    )
    table = ltm_by_company(long)
    assert table.loc[("B", pd.Timestamp("2024-06-30")), "revenue"] == 2 * 540.0
    for company in ("A", "B"):
        wide = to_wide(long, company_id=company)
        assert table.xs(company)["revenue"].iloc[-1] == ltm(wide)["revenue"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=4, max_size=4))
def test_ltm_of_four_quarters_is_their_sum(values: list[float]) -> None:
    frame = pd.DataFrame({"revenue": values}, index=QUARTER_ENDS[:4])
    assert ltm(frame)["revenue"] == pytest.approx(sum(values), rel=1e-12, abs=1e-3)
    assert ltm_history(frame)["revenue"].iloc[-1] == pytest.approx(sum(values), rel=1e-12, abs=1e-3)


def test_monthly_ltm_needs_twelve_months() -> None:
    months = pd.date_range("2023-01-31", periods=12, freq="ME")
    frame = pd.DataFrame({"revenue": np.arange(1.0, 13.0)}, index=months)
    assert ltm(frame, frequency="month")["revenue"] == 78.0
    with pytest.raises(ValueError, match="missing 2023-05-31"):
        ltm(frame.drop(months[4]), frequency="month")


def test_yoy_growth_matches_periods_a_year_apart() -> None:
    growth = yoy_growth(quarterly()["revenue"])
    assert growth.loc["2024-03-31"] == pytest.approx(140.0 / 100.0 - 1, abs=1e-15)
    assert np.isnan(growth.loc["2023-12-31"])


def test_cagr_by_hand() -> None:
    # 100 to 121 over two years is 10% a year.
    assert cagr(100.0, 121.0, 2) == pytest.approx(0.10, abs=1e-15)
    with pytest.raises(ValueError, match="begin_value: must be positive"):
        cagr(0.0, 10.0, 1)


def test_derived_metrics_on_apple_fiscal_2023() -> None:
    # Apple Inc. Form 10-K for fiscal 2023 ($ millions), as printed: net sales
    # 383,285; cost of sales 214,137; gross margin 169,148; operating income
    # 114,301; D&A 11,519; net income 96,995; cash from operations 110,543;
    # payments for property, plant and equipment (10,959).
    frame = pd.DataFrame(
        {
            "revenue": [383_285.0],
            "cost_of_revenue": [214_137.0],
            "operating_income": [114_301.0],
            "depreciation_and_amortization": [11_519.0],
            "net_income": [96_995.0],
            "operating_cash_flow": [110_543.0],
            "capital_expenditure": [-10_959.0],
        },
        index=[pd.Timestamp("2023-09-30")],
    )
    metrics = derived_metrics(frame).iloc[0]
    assert 383_285.0 - 214_137.0 == 169_148.0  # the gross margin Apple prints
    assert metrics["gross_margin"] == pytest.approx(169_148.0 / 383_285.0, rel=1e-15)
    assert metrics["ebitda"] == 114_301.0 + 11_519.0
    assert metrics["free_cash_flow"] == 110_543.0 - 10_959.0
    assert metrics["net_margin"] == pytest.approx(96_995.0 / 383_285.0, rel=1e-15)
    assert np.isnan(metrics["leverage"])  # no debt columns given


def test_working_capital_days_and_leverage_by_hand() -> None:
    frame = pd.DataFrame(
        {
            "revenue": [365.0],
            "cost_of_revenue": [182.5],
            "operating_income": [40.0],
            "depreciation_and_amortization": [10.0],
            "interest_expense": [5.0],
            "accounts_receivable": [30.0],
            "inventory": [20.0],
            "accounts_payable": [10.0],
            "short_term_debt": [20.0],
            "long_term_debt": [130.0],
            "cash_and_equivalents": [50.0],
            "operating_cash_flow": [45.0],
            "capital_expenditure": [-15.0],
            "ppe_net": [73.0],
            "net_income": [20.0],
            "total_assets": [400.0],
        }
    )
    metrics = derived_metrics(frame).iloc[0]
    assert metrics["dso"] == pytest.approx(30.0, abs=1e-12)  # 30 / 365 * 365
    assert metrics["dio"] == pytest.approx(40.0, abs=1e-12)  # 20 / 182.5 * 365
    assert metrics["dpo"] == pytest.approx(20.0, abs=1e-12)  # 10 / 182.5 * 365
    assert metrics["cash_conversion_cycle"] == pytest.approx(50.0, abs=1e-12)
    assert metrics["net_debt"] == 100.0
    assert metrics["leverage"] == pytest.approx(2.0, abs=1e-15)  # 100 / (40 + 10)
    assert metrics["interest_cover"] == pytest.approx(8.0, abs=1e-15)  # 40 / 5
    assert metrics["cash_conversion"] == pytest.approx(0.6, abs=1e-15)  # (45 - 15) / 50
    assert metrics["fixed_asset_turnover"] == pytest.approx(5.0, abs=1e-15)
    assert metrics["return_on_assets"] == pytest.approx(0.05, abs=1e-15)


def test_bad_frames_are_explained() -> None:
    with pytest.raises(ValueError, match="line_item: unknown 'revenues'"):
        ltm(pd.DataFrame({"revenues": [1.0]}, index=[pd.Timestamp("2024-03-31")]))
    with pytest.raises(ValueError, match="2024-03-15 is not a period end"):
        ltm(pd.DataFrame({"revenue": [1.0]}, index=[pd.Timestamp("2024-03-15")]))
    with pytest.raises(ValueError, match=r"as_of: no quarter ending 2025-03-31"):
        ltm(quarterly(), as_of=date(2025, 3, 31))
    long = pd.DataFrame(
        [("A", pd.Timestamp("2024-03-31"), "quarter", "actual", "revenue", 1.0)] * 2,
        columns=["company_id", "period_end", "period_type", "scenario", "line_item", "value"],
    )
    with pytest.raises(ValueError, match="'revenue' appears twice for company 'A' on 2024-03-31"):
        ltm_by_company(long)
