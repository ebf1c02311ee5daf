"""PME methods against published examples, written-out formulas and pyxirr.pe."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import pyxirr
import pyxirr.pe
from scipy.optimize import brentq

from portfolio_kit.analytics import (
    align_index,
    direct_alpha,
    fund_pme,
    fund_pme_table,
    ks_pme,
    ln_pme,
    ln_pme_nav,
    pme_plus,
    pme_plus_lambda,
    x_direct_alpha,
    x_ks_pme,
    x_ln_pme,
    x_pme_plus,
    xirr,
)


def periodic_irr(flows: list[float]) -> float:
    return brentq(
        lambda r: sum(f / (1 + r) ** t for t, f in enumerate(flows)), -0.9, 1.0, xtol=1e-15
    )


# Wikipedia, "Public Market Equivalent", Long-Nickels PME example: flows
# -100, -50, +60, +10 and the NAV date; index 100, 105, 115, 117, 120.
# Published: PME NAV 104.28 and LN-PME IRR 5.3%.
LN_AMOUNTS = [-100.0, -50.0, 60.0, 10.0, 0.0]
LN_INDEX = [100.0, 105.0, 115.0, 117.0, 120.0]


def test_ln_pme_reproduces_the_wikipedia_example() -> None:
    by_hand = 100 * 120 / 100 + 50 * 120 / 105 - 60 * 120 / 115 - 10 * 120 / 117
    assert ln_pme_nav(LN_AMOUNTS, LN_INDEX) == pytest.approx(by_hand, rel=1e-14)
    assert round(ln_pme_nav(LN_AMOUNTS, LN_INDEX), 2) == 104.28
    result = ln_pme(LN_AMOUNTS, LN_INDEX, nav=0.0)
    assert round(result, 3) == 0.053
    assert result == pytest.approx(periodic_irr([-100.0, -50.0, 60.0, 10.0, by_hand]), abs=1e-12)
    assert result == pytest.approx(pyxirr.pe.ln_pme(LN_AMOUNTS, LN_INDEX), abs=1e-9)


def test_ks_pme_by_hand() -> None:
    # 25 in at index 100, 15 out at 115, NAV 20 at 130:
    # (15 * 130/115 + 20) / (25 * 130/100) = 1.1371...
    expected = (15 * 130 / 115 + 20) / (25 * 130 / 100)
    assert ks_pme([-25.0, 15.0, 0.0], [100.0, 115.0, 130.0], 20.0) == pytest.approx(
        expected, rel=1e-14
    )
    assert ks_pme([-25.0, 15.0, 0.0], [100.0, 115.0, 130.0], 20.0) == pytest.approx(
        pyxirr.pe.ks_pme([-25.0, 15.0, 0.0], [100.0, 115.0, 130.0], 20.0), rel=1e-14
    )


def test_pme_plus_on_the_wikipedia_inputs() -> None:
    # Wikipedia's PME+ example inputs: -100, -50, +60, +100, NAV 20; index 100,
    # 105, 115, 110, 120. Its text quotes lambda = 0.86, which its own formula
    # does not give for these numbers; applying the formula (as pyxirr does too):
    amounts, index = [-100.0, -50.0, 60.0, 100.0, 0.0], [100.0, 105.0, 115.0, 110.0, 120.0]
    scale = (100 * 1.2 + 50 * 120 / 105 - 20) / (60 * 120 / 115 + 100 * 120 / 110)
    assert pme_plus_lambda(amounts, index, 20.0) == pytest.approx(scale, rel=1e-14)
    flows = [-100.0, -50.0, 60.0 * scale, 100.0 * scale, 20.0]
    assert pme_plus(amounts, index, 20.0) == pytest.approx(periodic_irr(flows), abs=1e-12)
    assert pme_plus(amounts, index, 20.0) == pytest.approx(
        pyxirr.pe.pme_plus(amounts, index, 20.0), abs=1e-9
    )


@pytest.mark.parametrize(
    ("amounts", "index", "nav", "published", "precision"),
    [
        # directalphamethod.info worked example (Gredil, Griffiths & Stucke's
        # method), quoted in pyxirr's test suite: 12.57% per period.
        (
            [-100.0, 0.0, -75.0, 0.0, 100.0, 0.0, 150.0, 0.0, 100.0, 0.0],
            [100.0, 77.9, 100.24, 111.15, 116.61, 135.03, 142.45, 89.75, 113.50, 130.59],
            75.0,
            0.1257,
            1e-4,
        ),
        # blog.edda.co "Advanced fund performance methods: PME & direct alpha": 2.8%.
        (
            [-80.0, -140.0, 0.0, 70.0, 140.0, 85.0],
            [890.35, 1144.98, 1271.5, 1289.09, 1466.47, 1842.37],
            70.0,
            0.028,
            5e-4,
        ),
    ],
)
def test_direct_alpha_reproduces_published_examples(
    amounts: list[float], index: list[float], nav: float, published: float, precision: float
) -> None:
    result = direct_alpha(amounts, index, nav)
    assert result == pytest.approx(published, abs=precision)
    compounded = [a * index[-1] / level for a, level in zip(amounts, index, strict=True)]
    compounded[-1] += nav
    assert result == pytest.approx(periodic_irr(compounded), abs=1e-12)
    assert result == pytest.approx(pyxirr.pe.direct_alpha(amounts, index, nav), abs=1e-9)


def test_all_methods_agree_with_pyxirr_on_random_funds() -> None:
    rng = np.random.default_rng(4)
    for _ in range(40):
        periods = int(rng.integers(6, 30))
        amounts = np.zeros(periods)
        amounts[: periods // 2] -= rng.gamma(2.0, 10.0, periods // 2)
        amounts[periods // 3 : -1] += rng.gamma(1.5, 10.0, periods - 1 - periods // 3)
        amounts[-1] = 0.0
        index = 100 * np.cumprod(1 + rng.normal(0.02, 0.08, periods))
        nav = float(rng.uniform(0, 200))
        assert ks_pme(amounts, index, nav) == pytest.approx(
            pyxirr.pe.ks_pme(amounts, index, nav), rel=1e-12
        )
        assert direct_alpha(amounts, index, nav) == pytest.approx(
            pyxirr.pe.direct_alpha(amounts, index, nav), abs=1e-8
        )
        assert pme_plus(amounts, index, nav) == pytest.approx(
            pyxirr.pe.pme_plus(amounts, index, nav), abs=1e-8
        )
        index_nav = ln_pme_nav(amounts, index)
        try:
            result = ln_pme(amounts, index, nav)
        except ValueError as error:
            # A negative index NAV can leave no rate at all; pyxirr agrees.
            assert "no IRR found" in str(error)
            assert pyxirr.pe.ln_pme(amounts, index) is None
            continue
        if index_nav >= 0:
            assert result == pytest.approx(pyxirr.pe.ln_pme(amounts, index), abs=1e-8)
        else:
            # A negative index NAV makes the last flow an outflow: the series can
            # have two IRRs and pyxirr may report the other one. Ours must be a root.
            flows = amounts.copy()
            flows[-1] += index_nav
            npv = sum(f / (1 + result) ** t for t, f in enumerate(flows))
            assert abs(npv) <= 1e-9 * np.abs(flows).sum()


def yearly_dates(count: int) -> list[date]:
    return [date(2013, 1, 1) + timedelta(days=365 * k) for k in range(count)]


def test_dated_versions_equal_the_periodic_ones_when_periods_are_365_days() -> None:
    amounts, index = [-100.0, -50.0, 60.0, 100.0, 0.0], [100.0, 105.0, 115.0, 110.0, 120.0]
    dates = yearly_dates(5)
    assert x_ks_pme(dates, amounts, index, 20.0) == pytest.approx(
        ks_pme(amounts, index, 20.0), rel=1e-14
    )
    assert x_ln_pme(dates, amounts, index, 20.0) == pytest.approx(
        ln_pme(amounts, index, 20.0), abs=1e-11
    )
    assert x_pme_plus(dates, amounts, index, 20.0) == pytest.approx(
        pme_plus(amounts, index, 20.0), abs=1e-11
    )
    assert x_direct_alpha(dates, amounts, index, 20.0) == pytest.approx(
        direct_alpha(amounts, index, 20.0), abs=1e-11
    )


def test_x_direct_alpha_is_the_xirr_of_index_compounded_flows() -> None:
    dates = [date(2015, 2, 11), date(2016, 7, 1), date(2018, 3, 20), date(2020, 12, 31)]
    amounts, index, nav = [-100.0, -40.0, 70.0, 0.0], [1000.0, 1100.0, 1250.0, 1500.0], 130.0
    flows = [a * 1500.0 / level for a, level in zip(amounts, index, strict=True)]
    flows[-1] += nav
    assert x_direct_alpha(dates, amounts, index, nav) == pytest.approx(
        pyxirr.xirr(dates, flows), abs=1e-8
    )


def test_pme_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match=r"index: level must be positive, got 0\.0 at position 1"):
        ks_pme([-1.0, 1.0], [100.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="lengths differ: amounts has 3, index has 2"):
        ks_pme([-1.0, 1.0, 0.0], [100.0, 110.0], 0.0)
    with pytest.raises(ValueError, match="nav: must be finite"):
        direct_alpha([-1.0, 0.0], [100.0, 110.0], float("inf"))
    with pytest.raises(ValueError, match="amounts: no contribution"):
        ks_pme([0.0, 1.0], [100.0, 110.0], 0.0)
    with pytest.raises(ValueError, match="no distribution, so PME\\+ has nothing to scale"):
        pme_plus([-1.0, 0.0], [100.0, 110.0], 2.0)
    with pytest.raises(ValueError, match="index: two different levels given for 2020-01-01"):
        x_ks_pme(
            [date(2020, 1, 1), date(2020, 1, 1), date(2021, 1, 1)],
            [-1.0, -1.0, 0.0],
            [1.0, 2.0, 3.0],
            1.0,
        )


LEVELS = pd.Series(
    [100.0, 101.0, 99.0, 104.0],
    index=pd.to_datetime(["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"]),
)


def test_align_index_takes_the_last_level_on_or_before_each_date() -> None:
    dates = [date(2020, 1, 5), date(2020, 1, 2), date(2020, 1, 9)]
    np.testing.assert_array_equal(align_index(LEVELS, dates), [101.0, 100.0, 104.0])


def test_align_index_refuses_dates_before_the_series_and_bad_levels() -> None:
    with pytest.raises(
        ValueError, match=r"dates: 2020-01-01 precedes the first index level \(2020-01-02\)"
    ):
        align_index(LEVELS, [date(2020, 1, 1)])
    bad = LEVELS.copy()
    bad.iloc[1] = 0.0
    with pytest.raises(
        ValueError, match=r"index_levels: level 0.0 on 2020-01-03 .* must be a positive number"
    ):
        align_index(bad, [date(2020, 1, 4)])
    assert align_index(bad, [date(2020, 1, 7)])[0] == 104.0  # a bad level not used is not an error


def test_fund_pme_rolls_the_nav_forward_and_uses_the_stored_index() -> None:
    index = pd.Series(
        [100.0, 110.0, 105.0, 120.0, 130.0],
        index=pd.to_datetime(
            ["2019-12-31", "2020-06-30", "2021-03-31", "2022-06-30", "2022-12-31"]
        ),
    )
    cash_flows = pd.DataFrame(
        {
            "fund_id": 7,
            "date": pd.to_datetime(["2020-01-15", "2020-07-01", "2021-05-01", "2022-11-30"]),
            "kind": ["call", "call", "distribution", "distribution"],
            "amount": [-100.0, -50.0, 30.0, 20.0],
            "currency": "USD",
        }
    )
    navs = pd.DataFrame({"fund_id": 7, "as_of": pd.to_datetime(["2022-06-30"]), "nav": [160.0]})
    result = fund_pme(cash_flows, navs, index, as_of=date(2022, 12, 31))
    # NAV 160 at 2022-06-30, less the 20 distributed on 2022-11-30: 140 on 2022-12-31.
    dates = [
        date(2020, 1, 15),
        date(2020, 7, 1),
        date(2021, 5, 1),
        date(2022, 11, 30),
        date(2022, 12, 31),
    ]
    levels = [100.0, 110.0, 105.0, 120.0, 130.0]
    amounts = [-100.0, -50.0, 30.0, 20.0, 0.0]
    assert result["ks_pme"] == pytest.approx(x_ks_pme(dates, amounts, levels, 140.0), rel=1e-14)
    assert result["direct_alpha"] == pytest.approx(
        x_direct_alpha(dates, amounts, levels, 140.0), abs=1e-12
    )
    assert result["ln_pme"] == pytest.approx(x_ln_pme(dates, amounts, levels, 140.0), abs=1e-12)
    assert result["pme_plus"] == pytest.approx(x_pme_plus(dates, amounts, levels, 140.0), abs=1e-12)
    assert result["fund_irr"] == pytest.approx(
        xirr(dates, [-100.0, -50.0, 30.0, 20.0, 140.0]), abs=1e-12
    )

    table = fund_pme_table(
        pd.concat([cash_flows, cash_flows.assign(fund_id=8)]), navs, index, as_of=date(2022, 12, 31)
    )
    assert table.loc[7, "ks_pme"] == pytest.approx(result["ks_pme"], rel=1e-14)
    assert table.loc[8].isna().all()  # fund 8 has not reported a NAV


def test_fund_pme_refuses_several_funds() -> None:
    flows = pd.DataFrame(
        {"fund_id": [1, 2], "date": pd.to_datetime(["2020-01-01"] * 2), "amount": [-1.0, -1.0]}
    )
    navs = pd.DataFrame({"as_of": pd.to_datetime(["2020-06-30"]), "nav": [1.0]})
    with pytest.raises(ValueError, match="cash_flows: holds several funds; use fund_pme_table"):
        fund_pme(flows, navs, LEVELS, as_of=date(2020, 6, 30))
