"""Portfolio roll-ups on a portfolio small enough to add up by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import pyxirr

from portfolio_kit.analytics import (
    concentration,
    investment_summary,
    marks_while_held,
    portfolio_rollup,
)

AS_OF = date(2023, 12, 31)


def portfolio() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    investments = pd.DataFrame(
        {
            "investment_id": [1, 2, 3, 4],
            "fund_id": ["F1", "F1", "F2", "F2"],
            "fund_name": ["Fund I", "Fund I", "Fund II", "Fund II"],
            "vintage_year": [2019, 2019, 2021, 2021],
            "company_id": [10, 20, 30, 40],
            "company_name": ["Alpha", "Beta", "Gamma", "Delta"],
            "sector": ["Software", "Health", "Software", "Health"],
            "geography": ["US", "EU", "US", "US"],
            "status": ["unrealized", "realized", "unrealized", "unrealized"],
            "entry_date": pd.to_datetime(["2020-01-01", "2020-07-01", "2021-01-01", "2025-01-01"]),
            "exit_date": pd.to_datetime([None, "2023-06-30", None, None]),
            "currency": ["USD", "USD", "USD", "USD"],
            "ownership": [0.5, 0.4, 1.0, 0.3],
        }
    )
    flows = pd.DataFrame(
        {
            "investment_id": [1, 1, 1, 2, 2, 3, 3, 4],
            "date": pd.to_datetime(
                [
                    "2020-01-01",
                    "2022-01-01",
                    "2024-06-30",
                    "2020-07-01",
                    "2023-06-30",
                    "2021-01-01",
                    "2022-06-30",
                    "2025-01-01",
                ]
            ),
            "kind": [
                "investment",
                "dividend",
                "proceeds",
                "investment",
                "proceeds",
                "investment",
                "investment",
                "investment",
            ],
            "amount": [-100.0, 20.0, 999.0, -80.0, 200.0, -50.0, -10.0, -70.0],
        }
    )
    valuations = pd.DataFrame(
        {
            "company_id": [10, 10, 10, 20],
            "valuation_date": pd.to_datetime(
                ["2022-12-31", "2023-12-31", "2024-06-30", "2022-12-31"]
            ),
            "method": ["multiple"] * 4,
            "enterprise_value": [500.0, 600.0, 1500.0, 700.0],
            "equity_value": [300.0, 400.0, 999.0, 500.0],
        }
    )
    return investments, flows, valuations


def test_investment_summary_by_hand() -> None:
    summary = investment_summary(*portfolio(), as_of=AS_OF)
    assert list(summary.index) == [1, 2, 3]  # investment 4 is entered after the as-of date
    alpha, beta, gamma = summary.loc[1], summary.loc[2], summary.loc[3]
    # Alpha: 100 in, 20 back, 50% of the 2023-12-31 equity value of 400 still held.
    assert (alpha["invested"], alpha["realized"], alpha["unrealized"]) == (100.0, 20.0, 200.0)
    assert alpha["moic"] == pytest.approx(2.2, rel=1e-15)
    assert alpha["gross_irr"] == pytest.approx(
        pyxirr.xirr([date(2020, 1, 1), date(2022, 1, 1), AS_OF], [-100.0, 20.0, 200.0]), abs=1e-8
    )
    # Beta exited on 2023-06-30: nothing held, whatever its last valuation said.
    assert (beta["unrealized"], beta["status_as_of"]) == (0.0, "realized")
    assert beta["moic"] == pytest.approx(2.5, rel=1e-15)
    # Gamma has no valuation: carried at cost (50 + 10).
    assert (gamma["unrealized"], gamma["valued_at_cost"]) == (60.0, True)


def test_rollup_by_fund_pools_flows_for_the_irr() -> None:
    table = portfolio_rollup(*portfolio(), as_of=AS_OF, by="fund_id", top_n=1)
    fund_one = table.loc["F1"]
    assert fund_one["investments"] == 2
    assert (fund_one["invested"], fund_one["realized"], fund_one["unrealized"]) == (
        180.0,
        220.0,
        200.0,
    )
    assert fund_one["moic"] == pytest.approx(420.0 / 180.0, rel=1e-15)
    pooled = pyxirr.xirr(
        [date(2020, 1, 1), date(2020, 7, 1), date(2022, 1, 1), date(2023, 6, 30), AS_OF],
        [-100.0, -80.0, 20.0, 200.0, 200.0],
    )
    assert fund_one["gross_irr"] == pytest.approx(pooled, abs=1e-8)
    assert fund_one["share_of_unrealized"] == pytest.approx(200.0 / 260.0, rel=1e-15)
    assert (fund_one["top_n_share"], fund_one["hhi"]) == (1.0, 1.0)  # all held value in Alpha


def test_rollup_by_two_columns_and_as_of_an_earlier_quarter() -> None:
    table = portfolio_rollup(*portfolio(), as_of=date(2021, 12, 31), by=["sector", "geography"])
    software_us = table.loc[("Software", "US")]
    # Nothing valued yet: Alpha at cost 100, Gamma at cost 50.
    assert software_us["unrealized"] == 150.0
    assert software_us["moic"] == pytest.approx(1.0, rel=1e-15)
    assert software_us["gross_irr"] == pytest.approx(0.0, abs=1e-10)


def test_concentration_by_hand() -> None:
    result = concentration([50.0, 30.0, 20.0], top_n=2)
    assert result["top_n_share"] == pytest.approx(0.8, rel=1e-15)
    assert result["hhi"] == pytest.approx(0.25 + 0.09 + 0.04, rel=1e-15)


def test_mixed_currencies_are_refused_unless_allowed() -> None:
    investments, flows, valuations = portfolio()
    investments.loc[investments["investment_id"] == 3, "currency"] = "EUR"
    with pytest.raises(ValueError, match="investments: group 'Software' mixes currencies"):
        portfolio_rollup(investments, flows, valuations, as_of=AS_OF, by="sector")
    table = portfolio_rollup(
        investments, flows, valuations, as_of=AS_OF, by="sector", require_single_currency=False
    )
    assert table.loc["Software", "invested"] == 160.0


def test_bad_frames_are_explained() -> None:
    investments, flows, valuations = portfolio()
    with pytest.raises(ValueError, match="investments: missing column"):
        investment_summary(investments.drop(columns="ownership"), flows, valuations, AS_OF)
    orphan = pd.concat(
        [
            flows,
            pd.DataFrame(
                {
                    "investment_id": [99],
                    "date": pd.to_datetime(["2021-01-01"]),
                    "kind": ["x"],
                    "amount": [1.0],
                }
            ),
        ]
    )
    with pytest.raises(
        ValueError, match="investment_cash_flows: investment_id 99 is not in investments"
    ):
        investment_summary(investments, orphan, valuations, AS_OF)
    flows.loc[0, "amount"] = np.nan
    with pytest.raises(
        ValueError, match=r"investment_cash_flows\.amount: contains NaN at position 0"
    ):
        investment_summary(investments, flows, valuations, AS_OF)
    with pytest.raises(ValueError, match="by: unknown column 'region'"):
        portfolio_rollup(*portfolio(), as_of=AS_OF, by="region")


def test_a_realized_position_is_worth_its_exit_proceeds_not_its_last_mark() -> None:
    investments, flows, valuations = portfolio()
    investments["exit_proceeds"] = [np.nan, 200.0, np.nan, np.nan]
    summary = investment_summary(investments, flows, valuations, as_of=AS_OF)
    # Beta sold on 2023-06-30 for 200; its last mark (500 at 100%, 40% owned)
    # would say 0.4 x 500 = 200 only by chance, so mark it at 900 instead: 360.
    valuations.loc[valuations["company_id"] == 20, "equity_value"] = 900.0
    remarked = investment_summary(investments, flows, valuations, as_of=AS_OF)
    assert summary.loc[2, "position_value"] == 200.0
    assert remarked.loc[2, "position_value"] == 200.0
    # Held positions are worth their stake: Alpha 50% x 400 = 200; Gamma at cost 60.
    assert remarked.loc[1, "position_value"] == 200.0
    assert remarked.loc[3, "position_value"] == 60.0
    # Without an exit_proceeds column a realized position's value is unknown, not a mark.
    investments = investments.drop(columns="exit_proceeds")
    assert np.isnan(investment_summary(investments, flows, valuations, AS_OF).loc[2, "position_value"])


def test_marks_while_held_drop_the_marks_booked_after_a_company_was_sold() -> None:
    # By hand: company 20 was sold on 2023-06-30, so its marks of 2023-03-31 and
    # 2023-06-30 (the day of the sale) stay and that of 2023-09-30 goes. Company 30
    # is sold by one investment but still held by another: all its marks stay.
    # Company 10 is held and company 50 is not listed: their marks stay.
    investments = pd.DataFrame(
        {
            "company_id": [10, 20, 30, 30],
            "exit_date": pd.to_datetime([None, "2023-06-30", "2022-12-31", None]),
        }
    )
    valuations = pd.DataFrame(
        {
            "valuation_id": [1, 2, 3, 4, 5, 6, 7],
            "company_id": [10, 20, 20, 20, 30, 30, 50],
            "valuation_date": pd.to_datetime(
                [
                    "2023-09-30",
                    "2023-03-31",
                    "2023-06-30",
                    "2023-09-30",
                    "2022-12-31",
                    "2023-09-30",
                    "2023-09-30",
                ]
            ),
            "equity_value": [100.0, 200.0, 210.0, 900.0, 300.0, 310.0, 50.0],
        }
    )
    kept = marks_while_held(valuations, investments)
    assert kept["valuation_id"].tolist() == [1, 2, 3, 5, 6, 7]


def test_marks_while_held_of_nothing_is_nothing() -> None:
    # No valuations, or no investment in the valued company: nothing is dropped.
    valuations = pd.DataFrame(
        {"company_id": pd.Series([], dtype="int64"), "valuation_date": pd.to_datetime([])}
    )
    investments = pd.DataFrame({"company_id": [1], "exit_date": pd.to_datetime(["2023-06-30"])})
    assert marks_while_held(valuations, investments).empty
    one = pd.DataFrame({"company_id": [2], "valuation_date": pd.to_datetime(["2024-03-31"])})
    assert len(marks_while_held(one, investments.iloc[:0])) == 1


def test_marks_while_held_name_a_missing_column() -> None:
    with pytest.raises(ValueError, match=r"investments: missing column\(s\) exit_date"):
        marks_while_held(
            pd.DataFrame({"company_id": [1], "valuation_date": pd.to_datetime(["2023-01-01"])}),
            pd.DataFrame({"company_id": [1]}),
        )
