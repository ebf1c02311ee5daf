"""WACC, DCF and comparables, each line checked against a hand calculation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from portfolio_kit.analytics import (
    DcfAssumptions,
    WaccInputs,
    apply_peer_multiples,
    dcf,
    dcf_sensitivity,
    equity_bridge,
    gordon_terminal_value,
    trading_multiples,
    value_free_cash_flows,
    wacc,
)


def test_wacc_by_hand() -> None:
    # CAPM: 4% + 1.2 * 5% = 10%. Debt: 6% * (1 - 25%) = 4.5%.
    # Weights 600 / 1000 and 400 / 1000: 0.6 * 10% + 0.4 * 4.5% = 7.8%.
    result = wacc(
        WaccInputs(
            risk_free_rate=0.04,
            equity_beta=1.2,
            equity_risk_premium=0.05,
            pre_tax_cost_of_debt=0.06,
            tax_rate=0.25,
            equity_value=600.0,
            debt_value=400.0,
        )
    )
    assert result.cost_of_equity == pytest.approx(0.10, abs=1e-15)
    assert result.after_tax_cost_of_debt == pytest.approx(0.045, abs=1e-15)
    assert result.wacc == pytest.approx(0.078, abs=1e-15)


def two_year_case(**changes: object) -> DcfAssumptions:
    base = dict(
        base_revenue=100.0,
        revenue_growth=[0.10, 0.10],
        ebitda_margin=0.30,
        depreciation_pct_revenue=0.05,
        capex_pct_revenue=0.06,
        nwc_pct_revenue=0.10,
        tax_rate=0.25,
        wacc=0.10,
        terminal_growth=0.02,
    )
    base.update(changes)
    return DcfAssumptions(**base)  # type: ignore[arg-type]


# Year 1: revenue 110, EBITDA 33, D&A 5.5, EBIT 27.5, tax 6.875, NOPAT 20.625,
#         capex 6.6, NWC 11 (from 10): change 1, FCF 20.625 + 5.5 - 6.6 - 1 = 18.525.
# Year 2: revenue 121, EBITDA 36.3, D&A 6.05, EBIT 30.25, tax 7.5625,
#         NOPAT 22.6875, capex 7.26, NWC 12.1: change 1.1, FCF 20.3775.
FCF = (18.525, 20.3775)


def test_projection_lines_by_hand() -> None:
    projection = dcf(two_year_case()).projection
    np.testing.assert_allclose(projection.revenue, [110.0, 121.0], rtol=1e-15)
    np.testing.assert_allclose(projection.taxes, [6.875, 7.5625], rtol=1e-14)
    np.testing.assert_allclose(projection.change_in_nwc, [1.0, 1.1], rtol=1e-13)
    np.testing.assert_allclose(projection.free_cash_flow, FCF, rtol=1e-14)


def test_gordon_dcf_by_hand() -> None:
    result = dcf(two_year_case(net_debt=50.0, shares_outstanding=10.0))
    terminal = 20.3775 * 1.02 / (0.10 - 0.02)
    enterprise = 18.525 / 1.1 + 20.3775 / 1.1**2 + terminal / 1.1**2
    assert result.terminal_value == pytest.approx(terminal, rel=1e-14)
    assert result.enterprise_value == pytest.approx(enterprise, rel=1e-14)
    assert result.equity_value == pytest.approx(enterprise - 50.0, rel=1e-14)
    assert result.value_per_share == pytest.approx((enterprise - 50.0) / 10.0, rel=1e-14)
    assert result.implied_exit_multiple == pytest.approx(terminal / 36.3, rel=1e-14)


def test_mid_year_convention_by_hand() -> None:
    result = dcf(two_year_case(mid_year=True))
    terminal = 20.3775 * 1.02 / 0.08
    # Flows from mid-year; the Gordon value of mid-year flows is discounted from 1.5 too.
    enterprise = 18.525 / 1.1**0.5 + 20.3775 / 1.1**1.5 + terminal / 1.1**1.5
    assert result.discount_period == (0.5, 1.5)
    assert result.enterprise_value == pytest.approx(enterprise, rel=1e-14)


def test_exit_multiple_dcf_by_hand() -> None:
    result = dcf(two_year_case(terminal_method="exit_multiple", exit_multiple=8.0, mid_year=True))
    terminal = 36.3 * 8.0
    enterprise = 18.525 / 1.1**0.5 + 20.3775 / 1.1**1.5 + terminal / 1.1**2
    assert result.enterprise_value == pytest.approx(enterprise, rel=1e-14)
    # The implied Gordon growth reproduces the same present value from year 1.5.
    growth = result.implied_terminal_growth
    assert growth is not None
    assert 20.3775 * (1 + growth) / (0.10 - growth) / 1.1**1.5 == pytest.approx(
        terminal / 1.1**2, rel=1e-12
    )


def test_explicit_free_cash_flows_value_the_same_as_the_projection() -> None:
    valued = value_free_cash_flows(FCF, 0.10, terminal_growth=0.02)
    assert valued["enterprise_value"] == pytest.approx(
        dcf(two_year_case()).enterprise_value, rel=1e-14
    )


def test_sensitivity_grid_recomputes_each_cell() -> None:
    case = two_year_case()
    grid = dcf_sensitivity(case, [0.02, 0.09, 0.10], [0.02, 0.03])
    assert grid.loc[0.10, 0.02] == pytest.approx(dcf(case).enterprise_value, rel=1e-14)
    assert grid.loc[0.09, 0.03] == pytest.approx(
        dcf(case.replace(wacc=0.09, terminal_growth=0.03)).enterprise_value, rel=1e-14
    )
    assert grid.loc[0.02].isna().all()  # WACC at or below growth: no finite value


def test_assumptions_round_trip_through_json() -> None:
    case = two_year_case(
        terminal_method="exit_multiple", exit_multiple=9.5, mid_year=True, shares_outstanding=3.0
    )
    text = json.dumps(case.to_dict())
    assert DcfAssumptions.from_dict(json.loads(text)) == case


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"wacc": 0.08, "terminal_growth": 0.09},
            r"wacc: must exceed terminal_growth \(0.08 <= 0.09\)",
        ),
        ({"wacc": 0.02}, r"wacc: must exceed terminal_growth \(0.02 <= 0.02\)"),
        ({"revenue_growth": []}, "revenue_growth: needs one growth rate per projected year"),
        ({"ebitda_margin": [0.3]}, r"ebitda_margin: needs 2 values \(one per year\), got 1"),
        ({"tax_rate": 1.5}, "tax_rate: must be between 0.0 and 1.0"),
        ({"base_revenue": float("nan")}, "base_revenue: must be finite"),
        (
            {"terminal_method": "exit_multiple"},
            "exit_multiple: required when terminal_method is 'exit_multiple'",
        ),
    ],
)
def test_bad_assumptions_name_the_field(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        two_year_case(**changes)


def test_from_dict_refuses_unknown_fields() -> None:
    data = two_year_case().to_dict()
    data["discount_rate"] = 0.1
    with pytest.raises(ValueError, match="DcfAssumptions: unknown field"):
        DcfAssumptions.from_dict(data)


def test_gordon_terminal_value_refuses_wacc_at_growth() -> None:
    with pytest.raises(ValueError, match=r"wacc: must exceed terminal_growth \(0.03 <= 0.03\)"):
        gordon_terminal_value(10.0, 0.03, 0.03)


def test_equity_bridge_by_hand() -> None:
    assert (
        equity_bridge(
            1000.0,
            net_debt=300.0,
            minority_interest=20.0,
            preferred_equity=30.0,
            non_operating_assets=15.0,
        )
        == 665.0
    )


def test_peer_multiples_applied_with_excel_quartiles() -> None:
    peers = pd.DataFrame(
        {
            "enterprise_value": [800.0, 1200.0, 900.0, 1500.0, 700.0],
            "ebitda": [100.0, 120.0, 90.0, 125.0, -5.0],
        },
        index=list("abcde"),
    )
    multiples = trading_multiples(peers)
    assert np.isnan(multiples.loc["e", "ev_ebitda"])  # negative EBITDA: no multiple
    table = apply_peer_multiples(multiples, {"ev_ebitda": 50.0}, net_debt=100.0)
    row = table.loc["ev_ebitda"]
    # Multiples 8, 10, 10, 12. QUARTILE.INC on four values: Q1 = 8 + 0.75 * (10 - 8) = 9.5,
    # median 10, Q3 = 10 + 0.25 * (12 - 10) = 10.5, mean 10.
    assert row["peers"] == 4
    assert (row["low_quartile"], row["median"], row["high_quartile"], row["mean"]) == pytest.approx(
        (9.5, 10.0, 10.5, 10.0), rel=1e-15
    )
    assert row["enterprise_value_median"] == pytest.approx(500.0, rel=1e-15)
    assert row["equity_value_low_quartile"] == pytest.approx(9.5 * 50.0 - 100.0, rel=1e-15)
