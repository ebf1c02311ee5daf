"""XIRR for thousands of cash-flow series at once.

Portfolio roll-ups need one IRR per fund, sector, vintage or deal. Calling a
scalar XIRR per group from ``groupby().apply`` spends about twenty times the
arithmetic on pandas overhead, so this module sorts the flows once, finds each
series by its offsets and runs Newton's method on every series together in a
few whole-array numpy passes. The few series Newton cannot settle (and those
whose cash flows change sign more than once, where the root rule of
:func:`portfolio_kit.analytics.xirr` applies) go through the scalar solver, so
every series gets exactly the answer ``xirr`` would give it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from portfolio_kit.analytics._roots import (
    MAX_NEWTON_STEPS,
    RATE_TOLERANCE,
    is_nearest_root,
    solve_rate,
)
from portfolio_kit.analytics._validation import (
    DAYS_PER_YEAR,
    as_amounts,
    as_days,
    as_rate,
    same_length,
)

FALSE_CONVERGENCE_SCREEN = 1e-6
"""Newton's last iterate must have |NPV| below this fraction of sum(|discounted amounts|).

The NPV is taken before the final step (saving a pass over the data), so it is
only a screen against steps that shrank because the rate crept up on -100%,
not the accuracy target; the accuracy comes from the step tolerance, and the
step after a sub-1e-10 step changes the rate by far less again."""


def xirr_many(ids: Any, dates: Any, amounts: Any, guess: float = 0.1) -> pd.Series:
    """XIRR of every series in a long table of cash flows, in one vectorised pass.

    Parameters
    ----------
    ids : array-like of hashable
        Series key of each flow (fund id, sector, ...); flows of one series need
        not be adjacent, dates need not be sorted.
    dates : array-like of date-like
        Payment dates; ACT/365 from each series' earliest date.
    amounts : array-like of float
        Negative for money paid out, positive for money received.
    guess : float, default 0.1
        Newton's starting rate for every series; also the tie-breaker when a
        series has several roots (the root nearest to it is returned, as in
        :func:`portfolio_kit.analytics.xirr`).

    Returns
    -------
    pandas.Series of float indexed by the sorted distinct ids, named ``"xirr"``:
    the annual rate as a fraction, NaN where the IRR is undefined (no positive
    or no negative amount, or no root above -100%). Unlike the scalar ``xirr``,
    an undefined IRR is not an error here, since a portfolio routinely holds a
    group with nothing realised yet.

    Raises
    ------
    ValueError
        Lengths that differ, NaN or infinite amounts, unreadable or missing dates,
        a guess at or below -100%.
    """
    guess = as_rate("guess", guess)
    values = as_amounts("amounts", amounts, min_length=0)
    days = as_days("dates", dates, min_length=0)
    codes, keys = _codes(ids)
    same_length(ids=codes, dates=days, amounts=values)
    if codes.size == 0:
        return pd.Series([], index=keys, dtype=float, name="xirr")

    in_order = bool(
        np.all((codes[1:] > codes[:-1]) | ((codes[1:] == codes[:-1]) & (days[1:] >= days[:-1])))
    )
    if not in_order:
        order = np.lexsort((days, codes))
        codes, days, values = codes[order], days[order], values[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    rates = np.full(keys.size, np.nan)
    rates[codes[starts]] = xirr_sorted(starts, days, values, guess)
    return pd.Series(rates, index=keys, name="xirr")


def xirr_sorted(
    starts: np.ndarray, days: np.ndarray, amounts: np.ndarray, guess: float = 0.1
) -> np.ndarray:
    """The engine of :func:`xirr_many` on pre-sorted arrays, for callers that already grouped.

    ``starts`` are the offsets where each series begins in ``days`` (int days,
    ascending within a series) and ``amounts``. Returns one rate per series,
    NaN where undefined. Inputs are trusted: validate before calling.
    """
    count = starts.size
    lengths = np.diff(np.r_[starts, days.size])
    series_of_flow = np.repeat(np.arange(count), lengths)
    times = (days - np.repeat(days[starts], lengths)) / DAYS_PER_YEAR

    has_positive = np.add.reduceat(amounts > 0, starts) > 0
    has_negative = np.add.reduceat(amounts < 0, starts) > 0
    defined = np.flatnonzero(has_positive & has_negative)
    rates = np.full(count, np.nan)
    if defined.size == 0:
        return rates
    bound = _root_count_bound(starts, series_of_flow, amounts)

    solved, solved_rates, failed = _halley_many(defined, starts, lengths, times, amounts)
    rates[solved] = solved_rates
    needs_scalar = np.zeros(count, dtype=bool)
    needs_scalar[failed] = True
    for series in solved[bound[solved] > 1]:
        window = slice(starts[series], starts[series] + lengths[series])
        if not is_nearest_root(rates[series], guess, times[window], amounts[window]):
            needs_scalar[series] = True
    for series in np.flatnonzero(needs_scalar):
        window = slice(starts[series], starts[series] + lengths[series])
        try:
            rates[series] = solve_rate(times[window], amounts[window], guess, "XIRR")
        except ValueError:
            rates[series] = np.nan
    return rates


def _codes(ids: Any) -> tuple[np.ndarray, pd.Index]:
    if isinstance(ids, pd.Series | pd.Index):
        ids = ids.to_numpy()
    array = np.asarray(ids)
    if array.ndim != 1:
        raise ValueError(f"ids: must be one-dimensional, got shape {array.shape}")
    if array.dtype.kind in "iu" and array.size and np.all(array[1:] >= array[:-1]):
        starts = np.flatnonzero(np.r_[True, array[1:] != array[:-1]])
        codes = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, array.size]))
        return codes, pd.Index(array[starts])
    missing = pd.isna(array)
    if missing.any():
        raise ValueError(f"ids: missing id at position {int(np.flatnonzero(missing)[0])}")
    codes, keys = pd.factorize(array, sort=True)
    return codes.astype(np.int64), pd.Index(keys)


def _root_count_bound(
    starts: np.ndarray, series_of_flow: np.ndarray, amounts: np.ndarray
) -> np.ndarray:
    """Per series, the root-count bound of ``_roots.root_count_bound``, or 2 when unsure.

    Running totals come from one global cumulative sum, whose rounding error
    grows with everything summed before it; a running total too close to zero
    to trust its sign makes the series "unsure", which sends it to the exact
    scalar check. Flows on one date are not netted here: that can only raise
    the count, never lower it.
    """
    cumulative = np.cumsum(amounts)
    forward = cumulative - np.repeat((cumulative - amounts)[starts], np.diff(np.r_[starts, amounts.size]))
    totals = np.add.reduceat(amounts, starts)
    backward = totals[series_of_flow] - forward + amounts
    noise = 1e-12 * np.cumsum(np.abs(amounts))
    unsure = (np.abs(forward) <= noise) | (np.abs(backward) <= noise)
    bound = _changes_within(forward < 0, starts) + _changes_within(backward < 0, starts)
    bound[np.add.reduceat(unsure, starts) > 0] = 2
    return bound


def _changes_within(negative: np.ndarray, starts: np.ndarray) -> np.ndarray:
    change = np.empty(negative.size, dtype=np.int64)
    change[0] = 0
    np.not_equal(negative[1:], negative[:-1], out=change[1:], casting="unsafe")
    change[starts] = 0
    return np.add.reduceat(change, starts)


def _first_estimate(
    starts: np.ndarray, times: np.ndarray, amounts: np.ndarray
) -> np.ndarray:
    """Multiple to the power of one over the money-weighted holding time, minus one.

    Exact for one outflow and one inflow and close for most fund-like series,
    so Halley's method usually settles in three or four steps.
    """
    outflows = np.minimum(amounts, 0.0)
    paid = -np.add.reduceat(outflows, starts)
    received = np.add.reduceat(amounts, starts) + paid
    paid_time = -np.add.reduceat(outflows * times, starts) / paid
    received_time = (np.add.reduceat(amounts * times, starts) + paid * paid_time) / received
    holding = np.maximum(received_time - paid_time, 1.0 / DAYS_PER_YEAR)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        estimate = (received / paid) ** (1.0 / holding) - 1.0
    return np.clip(np.nan_to_num(estimate, nan=0.1, posinf=10.0), -0.99, 10.0)


def _halley_many(
    series: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    times: np.ndarray,
    amounts: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Halley's method on ``y = ln(1 + rate)`` for all ``series`` at once.

    Working in ``y`` keeps every iterate above -100% without a guard, and
    Halley's cubic convergence saves two passes over the data compared with
    Newton. Returns (solved ids, their rates, failed ids).
    """
    solved_ids: list[np.ndarray] = []
    solved_rates: list[np.ndarray] = []
    failed: list[np.ndarray] = []

    ids = series
    flows = _flows_of(ids, starts, lengths)
    t, a = times[flows], amounts[flows]
    counts = lengths[ids]
    local_starts = np.r_[0, np.cumsum(counts)[:-1]]
    y = np.log1p(_first_estimate(local_starts, t, a))
    work = np.empty_like(t)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(MAX_NEWTON_STEPS):
            if ids.size == 0:
                break
            np.multiply(t, np.repeat(-y, counts), out=work)
            np.exp(work, out=work)
            work *= a
            value = np.add.reduceat(work, local_starts)
            scale = np.add.reduceat(np.abs(work), local_starts)
            work *= t
            first = -np.add.reduceat(work, local_starts)
            work *= t
            second = np.add.reduceat(work, local_starts)
            step = 2.0 * value * first / (2.0 * first * first - value * second)
            new_y = y - step
            rate, new_rate = np.expm1(y), np.expm1(new_y)
            broken = ~np.isfinite(new_y) | (first == 0.0)
            done = ~broken & (
                np.abs(new_rate - rate) <= RATE_TOLERANCE * np.maximum(1.0, np.abs(rate))
            )
            if done.any():
                accepted = done & (np.abs(value) <= FALSE_CONVERGENCE_SCREEN * scale)
                broken |= done & ~accepted
                solved_ids.append(ids[accepted])
                solved_rates.append(new_rate[accepted])
            failed.append(ids[broken])
            keep = ~(done | broken)
            y = new_y
            if not keep.all():
                flow_keep = np.repeat(keep, counts)
                ids, y, counts = ids[keep], y[keep], counts[keep]
                t, a = t[flow_keep], a[flow_keep]
                local_starts = np.r_[0, np.cumsum(counts)[:-1]]
                work = np.empty_like(t)
        failed.append(ids)

    def joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts) if parts else np.array([], dtype=dtype)

    return joined(solved_ids, np.int64), joined(solved_rates, float), joined(failed, np.int64)


def _flows_of(ids: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    if ids.size == starts.size:
        return np.arange(int(lengths.sum()))
    counts = lengths[ids]
    offsets = np.repeat(starts[ids] - np.r_[0, np.cumsum(counts)[:-1]], counts)
    return np.arange(int(counts.sum())) + offsets
