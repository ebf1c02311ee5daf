"""XNPV, XIRR, IRR and MIRR against Microsoft's published examples, pyxirr and hand calculations."""

from __future__ import annotations

from datetime import date, timedelta
import re

import numpy as np
import pytest
import pyxirr
from hypothesis import assume, given, reject, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from portfolio_kit.analytics import irr, mirr, xirr, xnpv, year_fractions

# Microsoft Support, "XIRR function" and "XNPV function" (Excel help), example data:
# 1/1/2008 -10,000; 3/1/2008 2,750; 10/30/2008 4,250; 2/15/2009 3,250; 4/1/2009 2,750.
# XIRR returns 0.373362535 (37.34%); XNPV at 9% returns 2,086.65.
EXCEL_DATES = [
    date(2008, 1, 1),
    date(2008, 3, 1),
    date(2008, 10, 30),
    date(2009, 2, 15),
    date(2009, 4, 1),
]
EXCEL_AMOUNTS = [-10_000.0, 2_750.0, 4_250.0, 3_250.0, 2_750.0]


def written_out_xnpv(rate: float, dates: list[date], amounts: list[float]) -> float:
    start = dates[0]
    return sum(
        a / (1 + rate) ** ((d - start).days / 365) for d, a in zip(dates, amounts, strict=True)
    )


def test_xirr_matches_the_excel_help_example() -> None:
    # Excel's own answer is accurate to its documented 1e-8 (0.000001 percent);
    # the root to 1e-12 is 0.3733625335..., so the two agree at Excel's precision.
    assert xirr(EXCEL_DATES, EXCEL_AMOUNTS) == pytest.approx(0.373362535, abs=1e-8)


def test_xnpv_matches_the_excel_help_example() -> None:
    assert xnpv(0.09, EXCEL_DATES, EXCEL_AMOUNTS) == pytest.approx(2086.65, abs=0.005)
    assert xnpv(0.09, EXCEL_DATES, EXCEL_AMOUNTS) == pytest.approx(
        written_out_xnpv(0.09, EXCEL_DATES, EXCEL_AMOUNTS), rel=1e-13
    )


def test_xirr_agrees_with_pyxirr_and_with_brentq_on_the_written_out_npv() -> None:
    root = brentq(lambda r: written_out_xnpv(r, EXCEL_DATES, EXCEL_AMOUNTS), 0.0, 1.0, xtol=1e-15)
    assert xirr(EXCEL_DATES, EXCEL_AMOUNTS) == pytest.approx(root, abs=1e-12)
    assert xirr(EXCEL_DATES, EXCEL_AMOUNTS) == pytest.approx(
        pyxirr.xirr(EXCEL_DATES, EXCEL_AMOUNTS), abs=1e-8
    )


def test_xirr_does_not_depend_on_the_order_of_dates() -> None:
    order = [3, 0, 4, 2, 1]
    shuffled = xirr([EXCEL_DATES[i] for i in order], [EXCEL_AMOUNTS[i] for i in order])
    assert shuffled == pytest.approx(xirr(EXCEL_DATES, EXCEL_AMOUNTS), abs=1e-12)


def test_xirr_of_one_year_and_two_flows_is_the_simple_return() -> None:
    # 365 days between the flows: (1 + r) = 121 / 100 ** (365/365), so r = 21%.
    assert xirr([date(2021, 1, 1), date(2022, 1, 1)], [-100.0, 121.0]) == pytest.approx(
        0.21, abs=1e-12
    )


def test_xirr_accepts_strings_timestamps_and_numpy_dates() -> None:
    expected = xirr(EXCEL_DATES, EXCEL_AMOUNTS)
    as_text = [d.isoformat() for d in EXCEL_DATES]
    assert xirr(as_text, EXCEL_AMOUNTS) == pytest.approx(expected, abs=1e-12)
    as_numpy = np.array(as_text, dtype="datetime64[D]")
    assert xirr(as_numpy, np.array(EXCEL_AMOUNTS)) == pytest.approx(expected, abs=1e-12)


# Two IRRs: -100 now, +230 in a year, -132 in two years. With x = 1 + r,
# -100 x^2 + 230 x - 132 = 0, so x = (230 +/- sqrt(230^2 - 4*100*132)) / 200
# = (230 +/- 10) / 200: r = 10% or r = 20%. The dates are 365 days apart
# (2020 is a leap year, so 2020-01-01 to 2020-12-31 is 365 days).
TWO_ROOT_DATES = [date(2019, 1, 1), date(2020, 1, 1), date(2020, 12, 31)]
TWO_ROOT_AMOUNTS = [-100.0, 230.0, -132.0]


@pytest.mark.parametrize(
    ("guess", "expected"),
    [(0.0, 0.10), (0.1, 0.10), (0.14, 0.10), (0.16, 0.20), (0.2, 0.20), (0.5, 0.20), (-0.5, 0.10)],
)
def test_xirr_returns_the_root_nearest_the_guess_when_there_are_two(
    guess: float, expected: float
) -> None:
    assert xirr(TWO_ROOT_DATES, TWO_ROOT_AMOUNTS, guess=guess) == pytest.approx(expected, abs=1e-10)


def test_irr_returns_the_root_nearest_the_guess_when_there_are_two() -> None:
    assert irr(TWO_ROOT_AMOUNTS, guess=0.05) == pytest.approx(0.10, abs=1e-10)
    assert irr(TWO_ROOT_AMOUNTS, guess=0.3) == pytest.approx(0.20, abs=1e-10)


def test_a_late_capital_call_does_not_stop_a_unique_irr_from_being_found() -> None:
    # Out, back, out again, back: the sign changes three times, but the running
    # totals (-100, -40, -60, 90) change sign once and the reversed ones
    # (150, 130, 190, 90) never: one IRR, which brentq finds on a wide bracket.
    dates = [date(2020, 1, 1), date(2021, 1, 1), date(2022, 1, 1), date(2023, 1, 1)]
    amounts = [-100.0, 60.0, -20.0, 150.0]
    root = brentq(lambda r: written_out_xnpv(r, dates, amounts), -0.9, 5.0, xtol=1e-15)
    assert xirr(dates, amounts, guess=3.0) == pytest.approx(root, abs=1e-11)
    assert xirr(dates, amounts, guess=-0.8) == pytest.approx(root, abs=1e-11)


def test_xirr_handles_a_near_total_loss() -> None:
    # 1% back after 365 days: r = 0.01 - 1 = -99%.
    assert xirr([date(2021, 1, 1), date(2022, 1, 1)], [-100.0, 1.0]) == pytest.approx(
        -0.99, abs=1e-12
    )


def test_xirr_handles_a_very_high_return() -> None:
    # Doubling in 36.5 days (a tenth of a year): (1 + r) = 2 ** 10, r = 1023.
    result = xirr([date(2021, 1, 1), date(2021, 1, 1) + timedelta(days=36.5)], [-1.0, 2.0])
    assert result == pytest.approx(2 ** (365 / 36) - 1, rel=1e-10)


# Microsoft Support, "IRR function": -70,000 then 12,000, 15,000, 18,000, 21,000, 26,000.
# Four years: -2.1%; five years: 8.7%; two years with guess -10%: -44.4%.
@pytest.mark.parametrize(
    ("amounts", "guess", "published", "places"),
    [
        ([-70_000, 12_000, 15_000, 18_000, 21_000], 0.1, -0.021, 3),
        ([-70_000, 12_000, 15_000, 18_000, 21_000, 26_000], 0.1, 0.087, 3),
        ([-70_000, 12_000, 15_000], -0.1, -0.444, 3),
    ],
)
def test_irr_matches_the_excel_help_examples(
    amounts: list[float], guess: float, published: float, places: int
) -> None:
    result = irr(amounts, guess=guess)
    assert round(result, places) == pytest.approx(published, abs=1e-12)
    assert result == pytest.approx(pyxirr.irr(amounts, guess=guess), abs=1e-8)


# Microsoft Support, "MIRR function": -120,000 then 39,000, 30,000, 21,000,
# 37,000, 46,000; finance rate 10%, reinvestment rate 12% -> 12.6%; after three
# years -> -4.8%; reinvesting at 14% -> 13.5%.
MIRR_FLOWS = [-120_000, 39_000, 30_000, 21_000, 37_000, 46_000]


@pytest.mark.parametrize(
    ("amounts", "reinvest", "published"),
    [(MIRR_FLOWS, 0.12, 0.126), (MIRR_FLOWS[:4], 0.12, -0.048), (MIRR_FLOWS, 0.14, 0.135)],
)
def test_mirr_matches_the_excel_help_examples(
    amounts: list[float], reinvest: float, published: float
) -> None:
    result = mirr(amounts, 0.10, reinvest)
    assert round(result, 3) == pytest.approx(published, abs=1e-12)
    assert result == pytest.approx(pyxirr.mirr(amounts, 0.10, reinvest), abs=1e-12)


def test_mirr_by_hand() -> None:
    # FV of positives at 12% to period 5 over PV of negatives at 10%, to the 1/5.
    fv = 39_000 * 1.12**4 + 30_000 * 1.12**3 + 21_000 * 1.12**2 + 37_000 * 1.12 + 46_000
    assert mirr(MIRR_FLOWS, 0.10, 0.12) == pytest.approx((fv / 120_000) ** (1 / 5) - 1, rel=1e-13)


def test_xnpv_discounts_to_the_first_listed_date() -> None:
    dates = [date(2020, 1, 1), date(2021, 1, 1)]
    # 110 received 366 days later (2020 is a leap year), discounted at 10%.
    assert xnpv(0.1, dates, [-100.0, 110.0]) == pytest.approx(
        -100 + 110 / 1.1 ** (366 / 365), rel=1e-14
    )


def test_xnpv_refuses_a_date_before_the_first_listed_one_as_excel_does() -> None:
    with pytest.raises(
        ValueError, match=r"dates: position 1 \(2019-06-01\) precedes the first listed date"
    ):
        xnpv(0.1, [date(2020, 1, 1), date(2019, 6, 1)], [-100.0, 110.0])


def test_year_fractions_are_act_365_from_the_earliest_date() -> None:
    fractions = year_fractions([date(2021, 1, 1), date(2020, 1, 1)])
    np.testing.assert_allclose(fractions, [366 / 365, 0.0], rtol=0, atol=1e-15)


amount_lists = st.lists(
    st.floats(min_value=1.0, max_value=1e7, allow_nan=False), min_size=1, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(
    outflows=amount_lists,
    inflows=amount_lists,
    gaps=st.lists(st.integers(min_value=1, max_value=800), min_size=24, max_size=24),
    guess=st.floats(min_value=-0.5, max_value=1.0),
)
def test_xnpv_at_the_xirr_is_zero(
    outflows: list[float], inflows: list[float], gaps: list[int], guess: float
) -> None:
    amounts = [-x for x in outflows] + inflows
    start = date(2010, 1, 1)
    dates = [start + timedelta(days=sum(gaps[: i + 1])) for i in range(len(amounts))]
    try:
        rate = xirr(dates, amounts, guess=guess)
    except ValueError as error:
        # The error must explain itself; then the example holds no XNPV to
        # check, and reject() (assume(False)) makes hypothesis draw another.
        assert "no XIRR found" in str(error)
        reject()
    if 1.0 + rate < 1e-6:
        # A loss so total over so short a time that 1 + r is near the float
        # spacing around -1 (2 out, 1 back a day later: r = -1 + 0.5 ** 365
        # rounds to -1.0), so r itself cannot carry the precision: documented.
        assert sum(amounts) < 0
        reject()
    years = np.array([(d - dates[0]).days / 365 for d in dates])
    # Beyond exp(700) discount factors leave floating point; such rates (e.g.
    # a tenfold gain in a week, compounded over years) have no XNPV to check.
    assume(float(np.abs(np.log1p(rate)) * years.max()) < 700)
    scale = float(np.sum(np.abs(amounts) * np.exp(-years * np.log1p(rate))))
    assert abs(xnpv(rate, dates, amounts)) <= 1e-9 * scale


@settings(max_examples=100, deadline=None)
@given(
    first=st.floats(min_value=1.0, max_value=1e6),
    later=st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=1, max_size=30),
    gaps=st.lists(st.integers(min_value=1, max_value=400), min_size=30, max_size=30),
)
def test_xirr_agrees_with_pyxirr_on_conventional_flows(
    first: float, later: list[float], gaps: list[int]
) -> None:
    # All-zero later flows have no sign change, so no IRR: not this property's case.
    assume(sum(later) > 0)
    amounts = [-first, *later]
    start = date(2015, 6, 30)
    dates = [start + timedelta(days=sum(gaps[:i])) for i in range(len(amounts))]
    reference = pyxirr.xirr(dates, amounts)
    # Where the oracle finds no root it has nothing to compare against.
    assume(reference is not None)
    if not np.isfinite(reference):
        with pytest.raises(ValueError, match="the rate is too large to represent"):
            xirr(dates, amounts)
    else:
        # pyxirr's tolerance is about 1e-9 absolute near ordinary rates and looser
        # relative to rates in the millions (daily compounding of big gains).
        assert xirr(dates, amounts) == pytest.approx(reference, abs=1e-8, rel=1e-7)


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ([100.0, 50.0], "amounts: no negative amount"),
        ([-100.0, -50.0], "amounts: no positive amount"),
        ([-100.0, float("nan")], "amounts: contains NaN at position 1"),
        ([-100.0, float("inf")], "amounts: contains infinity at position 1"),
    ],
)
def test_xirr_explains_bad_amounts(amounts: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        xirr([date(2020, 1, 1), date(2021, 1, 1)], amounts)


def test_xirr_explains_mismatched_lengths_and_empty_input() -> None:
    with pytest.raises(ValueError, match="lengths differ: dates has 3, amounts has 2"):
        xirr([date(2020, 1, 1), date(2021, 1, 1), date(2022, 1, 1)], [-1.0, 2.0])
    with pytest.raises(ValueError, match="dates: is empty"):
        xirr([], [])
    with pytest.raises(ValueError, match="dates: missing date at position 1"):
        xirr([date(2020, 1, 1), None], [-1.0, 2.0])


def test_xirr_explains_when_no_rate_gives_zero() -> None:
    # -100, +150, -100: NPV(x = 1/(1+r)) = -100 + 150x - 100x^2 < 0 for every x
    # (discriminant 150^2 - 4*100*100 < 0), so there is no IRR at all.
    with pytest.raises(ValueError, match="no XIRR found"):
        xirr(TWO_ROOT_DATES, [-100.0, 150.0, -100.0])


def test_rates_at_or_below_minus_one_are_refused() -> None:
    with pytest.raises(ValueError, match="rate: must be greater than -1"):
        xnpv(-1.0, EXCEL_DATES, EXCEL_AMOUNTS)
    with pytest.raises(ValueError, match="guess: must be greater than -1"):
        xirr(EXCEL_DATES, EXCEL_AMOUNTS, guess=-1.5)
    with pytest.raises(ValueError, match="finance_rate: must be greater than -1"):
        mirr(MIRR_FLOWS, -1.0, 0.1)


def test_mirr_needs_both_signs() -> None:
    with pytest.raises(ValueError, match="amounts: no negative amount, so MIRR is undefined"):
        mirr([1.0, 2.0], 0.1, 0.1)


@pytest.mark.parametrize(
    "periods, named",
    [([1.0, float("nan")], "periods[1]"), ([float("inf")], "periods[0]"), ([1, "two"], "periods[1]"), ([None], "periods[0]")],
)
def test_discount_factors_names_a_bad_period_instead_of_returning_nan(periods: list, named: str) -> None:
    from portfolio_kit.analytics.valuation import discount_factors

    with pytest.raises(ValueError, match=re.escape(named)):
        discount_factors(0.1, periods)


def test_discount_factors_still_discounts_good_periods() -> None:
    from portfolio_kit.analytics.valuation import discount_factors

    # 1 / 1.1 = 0.909090..., 1 / 1.21 = 0.826446... (hand calculation)
    assert discount_factors(0.1, [0, 1, 2]) == pytest.approx((1.0, 1 / 1.1, 1 / 1.21))
