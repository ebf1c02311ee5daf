"""SaaS KPIs by hand, and the ARR bridge identity on customer-level data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portfolio_kit.analytics import (
    arr_bridge,
    arr_movements,
    burn_multiple,
    cac_payback_months,
    cohort_retention,
    customer_acquisition_cost,
    gross_revenue_retention,
    lifetime_value,
    logo_churn,
    ltv_to_cac,
    magic_number,
    mrr_to_arr,
    net_revenue_retention,
    rule_of_40,
)


def snapshots() -> pd.DataFrame:
    # Customer a grows 100 -> 120, b shrinks 50 -> 30, c churns (40 -> 0),
    # d is new (0 -> 25); then a flat, b churns, d grows to 35, e new at 10.
    rows = [
        ("a", "2023-12-31", 100.0),
        ("b", "2023-12-31", 50.0),
        ("c", "2023-12-31", 40.0),
        ("a", "2024-03-31", 120.0),
        ("b", "2024-03-31", 30.0),
        ("d", "2024-03-31", 25.0),
        ("a", "2024-06-30", 120.0),
        ("d", "2024-06-30", 35.0),
        ("e", "2024-06-30", 10.0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "period_end", "arr"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    return frame


def test_arr_movements_by_hand() -> None:
    moves = arr_movements(snapshots())
    first = moves.loc["2024-03-31"]
    assert first["opening_arr"] == 190.0
    assert first["new_arr"] == 25.0
    assert first["expansion_arr"] == 20.0
    assert first["contraction_arr"] == 20.0
    assert first["churned_arr"] == 40.0
    assert first["closing_arr"] == 175.0
    assert (first["opening_customers"], first["new_customers"], first["churned_customers"]) == (
        3,
        1,
        1,
    )
    second = moves.loc["2024-06-30"]
    assert (second["new_arr"], second["expansion_arr"], second["churned_arr"]) == (10.0, 10.0, 30.0)
    bridge = (
        moves["opening_arr"]
        + moves["new_arr"]
        + moves["expansion_arr"]
        - moves["contraction_arr"]
        - moves["churned_arr"]
    )
    np.testing.assert_allclose(bridge, moves["closing_arr"], rtol=0, atol=1e-9)


def test_cohort_retention_by_hand() -> None:
    result = cohort_retention(snapshots(), start="2023-12-31", end="2024-06-30")
    # The 2023-12-31 cohort (a 100, b 50, c 40 = 190) holds a's 120 at the end.
    assert result["net_revenue_retention"] == pytest.approx(120.0 / 190.0, rel=1e-15)
    assert result["gross_revenue_retention"] == pytest.approx(100.0 / 190.0, rel=1e-15)
    assert result["logo_retention"] == pytest.approx(1 / 3, rel=1e-15)


def test_retention_and_churn_formulas_by_hand() -> None:
    assert net_revenue_retention(190.0, 20.0, 20.0, 40.0) == pytest.approx(150.0 / 190.0, rel=1e-15)
    assert gross_revenue_retention(190.0, 20.0, 40.0) == pytest.approx(130.0 / 190.0, rel=1e-15)
    assert logo_churn(3, 1) == pytest.approx(1 / 3, rel=1e-15)
    bridge = arr_bridge(190.0, 25.0, 20.0, 20.0, 40.0)
    assert bridge["closing_arr"] == 175.0 and bridge["net_new_arr"] == -15.0


def test_unit_economics_by_hand() -> None:
    assert mrr_to_arr(10.0) == 120.0
    cac = customer_acquisition_cost(500_000.0, 50)  # 10,000 per new customer
    assert cac == 10_000.0
    ltv = lifetime_value(12_000.0, 0.75, 0.2)  # 12,000 * 0.75 / 0.2 = 45,000
    assert ltv == pytest.approx(45_000.0, rel=1e-15)
    assert ltv_to_cac(ltv, cac) == pytest.approx(4.5, rel=1e-15)
    # 10,000 / (1,000 a month * 75%) = 13.33 months.
    assert cac_payback_months(cac, 1_000.0, 0.75) == pytest.approx(10_000.0 / 750.0, rel=1e-15)
    # Revenue 11.0m after 10.0m, S&M of 4.0m the quarter before: 1.0 * 4 / 4.0 = 1.0.
    assert magic_number(11.0, 10.0, 4.0) == pytest.approx(1.0, rel=1e-15)
    assert burn_multiple(3.0, 2.0) == 1.5
    assert rule_of_40(0.30, 0.12) == pytest.approx(0.42, abs=1e-15)


def test_bad_inputs_name_the_argument() -> None:
    with pytest.raises(ValueError, match="opening_arr: must be positive"):
        net_revenue_retention(0.0, 1.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="churn_rate: must be positive"):
        lifetime_value(100.0, 0.8, 0.0)
    with pytest.raises(ValueError, match="net_new_arr: must be positive"):
        burn_multiple(1.0, -5.0)
    with pytest.raises(ValueError, match="churned_arr: must be a positive magnitude"):
        arr_bridge(10.0, 1.0, 1.0, 1.0, -1.0)
    with pytest.raises(ValueError, match="customer_arr: customer 'a' listed twice"):
        arr_movements(pd.concat([snapshots(), snapshots().iloc[:1]]))
