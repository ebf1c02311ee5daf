"""Portfolio monitor figures and flags on hand-made statements.

Company 1 reports 8 quarters: revenue 10 a quarter in 2024 and 12 in 2025,
operating income 2 then 3 a quarter, D&A 1 a quarter; at the end of 2025 its
debt is 10 + 90 with 20 of cash, and it budgeted revenue of 13 for Q4 2025.
By hand: LTM revenue 48, LTM EBITDA (3 + 1) * 4 = 16, margin 16 / 48, growth
48 / 40 - 1 = 20%, net debt 80, leverage 80 / 16 = 5.0x, budget gap
12 / 13 - 1.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from portfolio_kit.dashboards.portfolio_monitor import company_figures, due_quarter, flags_for

QUARTERS_2024 = ["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]
QUARTERS_2025 = ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"]


def _rows(company: int, period: str, scenario: str = "actual", **items: float) -> list[dict]:
    return [
        {
            "company_id": company,
            "period_end": pd.Timestamp(period),
            "period_type": "quarter",
            "scenario": scenario,
            "line_item": item,
            "value": value,
        }
        for item, value in items.items()
    ]


@pytest.fixture
def metrics() -> pd.DataFrame:
    rows: list[dict] = []
    for period in QUARTERS_2024:
        rows += _rows(1, period, revenue=10, operating_income=2, depreciation_and_amortization=1)
    for period in QUARTERS_2025:
        rows += _rows(1, period, revenue=12, operating_income=3, depreciation_and_amortization=1)
    rows += _rows(
        1,
        "2025-12-31",
        short_term_debt=10,
        long_term_debt=90,
        cash_and_equivalents=20,
        total_assets=200,
        total_liabilities_and_equity=200,
    )
    rows += _rows(1, "2025-12-31", scenario="budget", revenue=13)
    rows += _rows(1, "2025-09-30", scenario="budget", revenue=100)
    # Company 2 stops at Q3 2025 and its balance sheet is 3 short.
    for period in ["2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30"]:
        rows += _rows(2, period, revenue=5, operating_income=1, depreciation_and_amortization=0)
    rows += _rows(2, "2025-09-30", total_assets=100, total_liabilities_and_equity=103)
    return pd.DataFrame(rows)


def test_latest_ltm_figures(metrics: pd.DataFrame) -> None:
    figures = company_figures(metrics, date(2025, 12, 31))
    first = figures.loc[1]
    assert first["ltm_period"] == "Q4 2025"
    assert first["ltm_revenue"] == pytest.approx(48.0)
    assert first["ltm_ebitda"] == pytest.approx(16.0)
    assert first["ebitda_margin"] == pytest.approx(16 / 48)
    assert first["revenue_growth"] == pytest.approx(0.2)
    assert first["leverage"] == pytest.approx(5.0)
    assert first["budget_gap"] == pytest.approx(12 / 13 - 1)
    assert first["balance_gap"] == pytest.approx(0.0)
    assert first["latest_quarter"] == pd.Timestamp("2025-12-31")


def test_a_late_reporter_and_a_broken_balance_sheet(metrics: pd.DataFrame) -> None:
    second = company_figures(metrics, date(2025, 12, 31)).loc[2]
    assert second["latest_quarter"] == pd.Timestamp("2025-09-30")
    assert second["ltm_revenue"] == pytest.approx(20.0)
    # no revenue four quarters earlier than Q3 2025: growth is unknown, not zero
    assert pd.isna(second["revenue_growth"])
    assert second["balance_gap"] == pytest.approx((100 - 103) / 100)
    assert pd.isna(second["budget_gap"])


def test_an_old_budget_miss_is_not_the_latest_quarter(metrics: pd.DataFrame) -> None:
    # Company 1 missed its Q3 2025 budget of 100 badly, but Q4 is what counts.
    assert company_figures(metrics, date(2025, 12, 31)).loc[1, "budget_gap"] == pytest.approx(
        12 / 13 - 1
    )


HELD = {"status": "invested", "status_as_of": "unrealized"}


def test_flags_an_investment_committee_asks_about() -> None:
    row = pd.Series(
        {
            **HELD,
            "leverage": 6.5,
            "budget_gap": -0.08,
            "latest_quarter": pd.Timestamp("2025-09-30"),
            "balance_gap": 0.03,
        }
    )
    assert flags_for(row, date(2025, 12, 31)) == [
        "Leverage 6.5x",
        "Revenue 8.0% below budget",
        "Q4 2025 not reported",
        "Balance sheet does not balance",
    ]


def test_small_misses_and_healthy_companies_raise_no_flag() -> None:
    row = pd.Series(
        {
            **HELD,
            "leverage": 5.9,
            "budget_gap": -0.04,
            "latest_quarter": pd.Timestamp("2025-12-31"),
            "balance_gap": 0.0005,
        }
    )
    assert flags_for(row, date(2025, 12, 31)) == []


def test_realized_companies_are_history_not_flags() -> None:
    row = pd.Series(
        {
            "status": "realized",
            "status_as_of": "realized",
            "leverage": 9.0,
            "budget_gap": -0.5,
            "latest_quarter": pd.Timestamp("2019-03-31"),
            "balance_gap": 0.2,
        }
    )
    assert flags_for(row, date(2025, 12, 31)) == []


def test_the_quarter_due_is_the_last_quarter_end_reached() -> None:
    assert due_quarter(date(2025, 12, 31)) == date(2025, 12, 31)
    assert due_quarter(date(2025, 11, 15)) == date(2025, 9, 30)
    assert due_quarter(date(2026, 1, 1)) == date(2025, 12, 31)
