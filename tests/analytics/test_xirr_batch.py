"""xirr_many must give every series what the scalar xirr gives it (and pyxirr agrees)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import pyxirr
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio_kit.analytics import xirr, xirr_many


def fund_like_flows(
    series: int, periods: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quarterly calls early, distributions later, a few late calls (several sign changes)."""
    rng = np.random.default_rng(seed)
    amounts = np.zeros((series, periods))
    amounts[:, : periods // 3] = -rng.gamma(2.0, 1.0, (series, periods // 3))
    amounts[:, periods // 5 :] += rng.gamma(
        1.5, 1.0, (series, periods - periods // 5)
    ) * rng.uniform(0.2, 1.5, (series, 1))
    late = (rng.random((series, periods)) < 0.08) & (np.arange(periods) > periods // 3)
    amounts[late] = -rng.gamma(1.0, 0.5, late.sum())
    dates = np.datetime64("2012-03-31") + (np.arange(periods) * 91.3).astype("timedelta64[D]")
    ids = np.repeat(np.arange(series), periods)
    return ids, np.tile(dates, series), amounts.ravel()


def scalar_or_nan(dates: np.ndarray, amounts: np.ndarray, guess: float = 0.1) -> float:
    try:
        return xirr(dates, amounts, guess=guess)
    except ValueError:
        return float("nan")


def test_every_series_gets_the_scalar_answer() -> None:
    ids, dates, amounts = fund_like_flows(400, 40, seed=3)
    batch = xirr_many(ids, dates, amounts)
    expected = [scalar_or_nan(dates[ids == i], amounts[ids == i]) for i in range(400)]
    np.testing.assert_allclose(batch.to_numpy(), expected, rtol=1e-9, atol=1e-10)


def test_conventional_series_match_pyxirr() -> None:
    rng = np.random.default_rng(11)
    ids, dates, amounts = [], [], []
    for series in range(200):
        count = int(rng.integers(2, 30))
        days = np.r_[0, np.sort(rng.integers(90, 4000, count - 1))]
        flows = rng.gamma(1.5, 1.0, count)
        flows[0] = -flows[1:].sum() * rng.uniform(0.3, 1.5)
        ids += [series] * count
        dates += list(np.datetime64("2010-01-01") + days.astype("timedelta64[D]"))
        amounts += list(flows)
    batch = xirr_many(ids, np.array(dates), amounts)
    for series in range(200):
        mask = np.array(ids) == series
        reference = pyxirr.xirr(np.array(dates)[mask], np.array(amounts)[mask])
        # pyxirr stops within about 1e-9 of the root; this engine within 1e-10.
        assert batch[series] == pytest.approx(reference, abs=1e-8)


def test_order_of_rows_and_kind_of_ids_do_not_matter() -> None:
    ids, dates, amounts = fund_like_flows(50, 20, seed=5)
    ordered = xirr_many(ids, dates, amounts)
    shuffle = np.random.default_rng(1).permutation(ids.size)
    names = np.array([f"fund {i:02d}" for i in ids], dtype=object)
    shuffled = xirr_many(names[shuffle], dates[shuffle], amounts[shuffle])
    assert list(shuffled.index) == [f"fund {i:02d}" for i in range(50)]
    np.testing.assert_allclose(shuffled.to_numpy(), ordered.to_numpy(), rtol=0, atol=1e-12)


def test_undefined_series_are_nan_not_errors() -> None:
    result = xirr_many(
        ["a", "a", "b", "b", "c", "c"],
        pd.to_datetime(["2021-01-01", "2022-01-01"] * 3),
        [-100.0, 110.0, -100.0, -5.0, 50.0, 60.0],
    )
    assert result["a"] == pytest.approx(0.10, abs=1e-12)
    assert np.isnan(result["b"]) and np.isnan(result["c"])


def test_a_series_with_two_roots_gets_the_one_nearest_the_guess() -> None:
    # -100, +230, -132 a year apart has IRRs of 10% and 20% (see test_discounting).
    dates = pd.to_datetime(["2019-01-01", "2020-01-01", "2020-12-31"] * 2)
    amounts = [-100.0, 230.0, -132.0] * 2
    ids = [1, 1, 1, 2, 2, 2]
    assert xirr_many(ids, dates, amounts, guess=0.05)[1] == pytest.approx(0.10, abs=1e-10)
    assert xirr_many(ids, dates, amounts, guess=0.3)[2] == pytest.approx(0.20, abs=1e-10)


@settings(max_examples=60, deadline=None)
@given(
    flows=st.lists(
        st.lists(
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=15
        ),
        min_size=1,
        max_size=8,
    ),
    gap=st.integers(min_value=20, max_value=200),
    guess=st.sampled_from([-0.3, 0.0, 0.1, 0.5]),
)
def test_batch_equals_scalar_for_arbitrary_series(
    flows: list[list[float]], gap: int, guess: float
) -> None:
    ids, dates, amounts = [], [], []
    for series, values in enumerate(flows):
        ids += [series] * len(values)
        dates += [date(2015, 1, 1) + timedelta(days=gap * k) for k in range(len(values))]
        amounts += values
    batch = xirr_many(ids, dates, amounts, guess=guess)
    for series, values in enumerate(flows):
        own_dates = [date(2015, 1, 1) + timedelta(days=gap * k) for k in range(len(values))]
        expected = scalar_or_nan(own_dates, values, guess)
        if np.isnan(expected):
            assert np.isnan(batch[series])
        else:
            assert batch[series] == pytest.approx(expected, rel=1e-9, abs=1e-10)


def test_batch_equals_scalar_on_adversarial_series() -> None:
    # Wild magnitudes (1e-12 to 1e12), zeros, daily to yearly spacing with jitter,
    # several roots: every series must get exactly the scalar answer (or NaN
    # where the scalar raises).
    rng = np.random.default_rng(20)
    for _ in range(40):
        per_series = []
        for _ in range(int(rng.integers(1, 20))):
            count, gap = int(rng.integers(2, 25)), int(rng.integers(1, 400))
            kind = rng.integers(0, 4)
            if kind == 0:
                values = rng.normal(0, 1, count)
            elif kind == 1:
                values = rng.choice([-1, 1], count) * 10 ** rng.uniform(-12, 12, count)
            elif kind == 2:
                values = rng.gamma(1, 1, count)
                values[0] = -values[1:].sum() * rng.uniform(0.1, 3)
            else:
                values = rng.normal(0, 1, count)
                values[rng.random(count) < 0.3] = 0.0
            dates = [
                date(2000, 1, 1) + timedelta(days=gap * j + int(rng.integers(0, 3)))
                for j in range(count)
            ]
            per_series.append((dates, values))
        guess = float(rng.choice([-0.5, 0.0, 0.1, 1.0]))
        ids = [i for i, (dates, _) in enumerate(per_series) for _ in dates]
        all_dates = [d for dates, _ in per_series for d in dates]
        all_amounts = np.concatenate([values for _, values in per_series])
        batch = xirr_many(ids, all_dates, all_amounts, guess=guess)
        for i, (dates, values) in enumerate(per_series):
            expected = scalar_or_nan(dates, values, guess)
            if np.isnan(expected):
                assert np.isnan(batch[i])
            else:
                assert batch[i] == pytest.approx(expected, rel=1e-9, abs=1e-10)


def test_empty_input_gives_an_empty_series() -> None:
    assert xirr_many([], [], []).empty


def test_bad_input_is_refused_with_the_argument_named() -> None:
    with pytest.raises(ValueError, match="amounts: contains NaN at position 1"):
        xirr_many([1, 1], ["2020-01-01", "2021-01-01"], [-1.0, float("nan")])
    with pytest.raises(ValueError, match="lengths differ: ids has 3, dates has 2, amounts has 2"):
        xirr_many([1, 1, 1], ["2020-01-01", "2021-01-01"], [-1.0, 2.0])
    with pytest.raises(ValueError, match="ids: missing id at position 0"):
        xirr_many([None, "a"], ["2020-01-01", "2021-01-01"], [-1.0, 2.0])
