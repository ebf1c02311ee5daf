"""Value-creation bridge: the parts add up, and the Shapley split equals a brute-force average."""

from __future__ import annotations

from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio_kit.analytics import BridgePoint, value_creation_bridge

ENTRY = BridgePoint(revenue=100.0, ebitda=20.0, enterprise_value=160.0, net_debt=60.0)
EXIT = BridgePoint(revenue=150.0, ebitda=33.0, enterprise_value=330.0, net_debt=40.0)


def brute_force_shapley(entry: BridgePoint, exit: BridgePoint) -> dict[str, float]:
    """Average each driver's marginal effect on EV = R * m * x over all six orders."""
    start = {"revenue": entry.revenue, "margin": entry.margin, "multiple": entry.multiple}
    end = {"revenue": exit.revenue, "margin": exit.margin, "multiple": exit.multiple}
    credit = dict.fromkeys(start, 0.0)
    orders = list(permutations(start))
    for order in orders:
        current = dict(start)
        for driver in order:
            before = current["revenue"] * current["margin"] * current["multiple"]
            current[driver] = end[driver]
            credit[driver] += current["revenue"] * current["margin"] * current["multiple"] - before
    return {driver: value / len(orders) for driver, value in credit.items()}


def test_shapley_parts_equal_the_brute_force_average() -> None:
    bridge = value_creation_bridge(ENTRY, EXIT)
    expected = brute_force_shapley(ENTRY, EXIT)
    assert bridge.revenue_growth == pytest.approx(expected["revenue"], rel=1e-13)
    assert bridge.margin_expansion == pytest.approx(expected["margin"], rel=1e-13)
    assert bridge.multiple_expansion == pytest.approx(expected["multiple"], rel=1e-13)


def test_bridge_by_hand() -> None:
    # Equity 100 -> 290, distributions 15: total 205. Deleveraging 60 - 40 = 20.
    # Sequential: revenue 50 * 0.2 * 8 = 80; margin 150 * 0.02 * 8 = 24;
    # multiple 150 * 0.22 * 2 = 66; 80 + 24 + 66 + 20 + 15 = 205.
    sequential = value_creation_bridge(ENTRY, EXIT, distributions=15.0, method="sequential")
    assert sequential.revenue_growth == pytest.approx(80.0, rel=1e-14)
    assert sequential.margin_expansion == pytest.approx(24.0, rel=1e-13)
    assert sequential.multiple_expansion == pytest.approx(66.0, rel=1e-13)
    assert sequential.deleveraging == 20.0
    assert sequential.total == 205.0
    half = value_creation_bridge(ENTRY, EXIT, distributions=15.0, ownership=0.5)
    assert half.total == 102.5


def test_a_driver_that_did_not_move_gets_nothing() -> None:
    flat_multiple = BridgePoint(
        revenue=150.0, ebitda=33.0, enterprise_value=33.0 * 8.0, net_debt=40.0
    )
    assert value_creation_bridge(ENTRY, flat_multiple).multiple_expansion == pytest.approx(
        0.0, abs=1e-12
    )


positive = st.floats(min_value=1.0, max_value=1e6, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    revenues=st.tuples(positive, positive),
    margins=st.tuples(
        st.floats(min_value=0.01, max_value=0.9), st.floats(min_value=0.01, max_value=0.9)
    ),
    multiples=st.tuples(
        st.floats(min_value=0.5, max_value=40), st.floats(min_value=0.5, max_value=40)
    ),
    debts=st.tuples(
        st.floats(min_value=-1e6, max_value=1e6), st.floats(min_value=-1e6, max_value=1e6)
    ),
    distributions=st.floats(min_value=0, max_value=1e6),
    ownership=st.floats(min_value=0.01, max_value=1.0),
    method=st.sampled_from(["shapley", "sequential"]),
)
def test_parts_always_sum_to_the_total(
    revenues, margins, multiples, debts, distributions, ownership, method
) -> None:  # type: ignore[no-untyped-def]
    points = [
        BridgePoint(revenue=r, ebitda=r * m, enterprise_value=r * m * x, net_debt=d)
        for r, m, x, d in zip(revenues, margins, multiples, debts, strict=True)
    ]
    bridge = value_creation_bridge(points[0], points[1], distributions, ownership, method)
    parts = (
        bridge.revenue_growth
        + bridge.margin_expansion
        + bridge.multiple_expansion
        + bridge.deleveraging
        + bridge.distributions
    )
    scale = ownership * (
        max(abs(p.enterprise_value) + abs(p.net_debt) for p in points) + distributions
    )
    assert parts == pytest.approx(bridge.total, abs=1e-12 * scale)


def test_bad_points_are_refused() -> None:
    with pytest.raises(ValueError, match="ebitda: must be positive"):
        BridgePoint(revenue=100.0, ebitda=-5.0, enterprise_value=50.0, net_debt=0.0)
    with pytest.raises(ValueError, match=r"ownership: must be between 0\.0 and 1\.0"):
        value_creation_bridge(ENTRY, EXIT, ownership=1.2)
    with pytest.raises(ValueError, match="method: must be 'shapley' or 'sequential'"):
        value_creation_bridge(ENTRY, EXIT, method="revenue_first")
