"""XIRR for thousands of cash-flow series at once.

Portfolio roll-ups need one IRR per fund, sector, vintage or deal. Calling a
scalar XIRR per group from ``groupby().apply`` spends about twenty times the
arithmetic on pandas overhead, so this module sorts the flows once, finds each
series by its offsets and runs Halley's method on every series together in a
few whole-array numpy passes (two, for most fund-like series). Each series
then gets exactly the answer :func:`portfolio_kit.analytics.xirr` would give
it: a root is kept only where it is provably the only one, or provably the one
nearest to the guess; the rare rest goes through the scalar solver's search.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from portfolio_kit.analytics._roots import (
    MAX_NEWTON_STEPS,
    RATE_TOLERANCE,
    nearest_root_by_scan,
    solve_rate,
    too_large,
)
from portfolio_kit.analytics._validation import (
    DAYS_PER_YEAR,
    as_amounts,
    as_days,
    as_rate,
    same_length,
)

NEWTON_STEP_CEILING = 1e-6
"""Halley's step is trusted as converged only if the plain Newton step is this small too.

In ``y = ln(1 + rate)`` a small Newton step ``NPV / NPV'`` bounds the residual:
``|NPV| <= |step| * horizon * sum(|discounted amounts|)``, so a series cannot
be reported as solved while its NPV is far from zero (Halley's own step can
shrink where the curvature term is large; the Newton step cannot)."""

_EPSILON = np.finfo(float).eps


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
        Decides which root a series with several is given: the one nearest to
        it, as in :func:`portfolio_kit.analytics.xirr`. (The iteration itself
        starts from an estimate per series; where the root is unique the
        start does not change the answer.)

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

    Steps: Halley's method on every series from a money-multiple estimate;
    series whose root is provably unique (root-count bound at most one) keep
    it; for the others the root is kept only if it is provably the one nearest
    to ``guess``; what remains, and any series Halley could not settle, goes
    through the scalar solver, whose answer defines the result.
    """
    count = starts.size
    lengths = np.diff(np.r_[starts, days.size])
    times = (days - np.repeat(days[starts], lengths)) / DAYS_PER_YEAR
    rates = np.full(count, np.nan)
    has_positive = np.add.reduceat(amounts > 0, starts) > 0
    has_negative = np.add.reduceat(amounts < 0, starts) > 0
    defined = np.flatnonzero(has_positive & has_negative)
    if defined.size == 0:
        return rates

    solved, solved_rates, failed = _halley_many(defined, starts, lengths, times, amounts)
    horizons = times[starts + lengths - 1]
    beyond = too_large(solved_rates, horizons[solved])
    rates[solved[~beyond]] = solved_rates[~beyond]
    needs_scalar = np.zeros(count, dtype=bool)
    needs_scalar[failed] = True
    needs_scalar[solved[beyond]] = True
    solved = solved[~beyond]
    maybe_several = np.sort(solved[_root_count_bound(starts, lengths, amounts)[solved] > 1])
    if maybe_several.size:
        proven = _nearest_proven(
            maybe_several, rates[maybe_several], guess, starts, lengths, times, amounts
        )
        for series in maybe_several[~proven]:
            window = slice(starts[series], starts[series] + lengths[series])
            root = nearest_root_by_scan(times[window], amounts[window], guess, rates[series])
            usable = (
                root is not None and np.isfinite(root) and not too_large(root, horizons[series])
            )
            rates[series] = root if usable else np.nan
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


def _running_totals(
    values: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-series running totals (oldest first), series totals, and per-flow rounding noise.

    One global cumulative sum serves every series. Its rounding error at
    position ``i`` is at most ``i * eps * sum(|values[:i+1]|)`` and a series'
    totals are differences of two such sums, hence the noise bound.
    """
    forward = np.cumsum(values)
    ends = starts + lengths - 1
    before = forward[starts] - values[starts]
    totals = forward[ends] - before
    forward -= np.repeat(before, lengths)
    absolute_through_end = np.cumsum(np.add.reduceat(np.abs(values), starts))
    noise = 2.0 * (ends + 1) * _EPSILON * absolute_through_end
    return forward, totals, noise


def _sign_change_counts(
    forward: np.ndarray,
    values: np.ndarray,
    totals: np.ndarray,
    noise: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sign changes of running totals oldest-first and newest-first, and an "unsure" flag."""
    totals_per_flow = np.repeat(totals, lengths)
    noise_per_flow = np.repeat(noise, lengths)
    backward = totals_per_flow - forward + values
    unsure = (np.abs(forward) <= noise_per_flow) | (np.abs(backward) <= noise_per_flow)
    return (
        _changes_within(forward < 0, starts),
        _changes_within(backward < 0, starts),
        np.add.reduceat(unsure, starts) > 0,
    )


def _root_count_bound(starts: np.ndarray, lengths: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """Per series, the root-count bound of ``_roots.root_count_bound``, or 2 when unsure.

    Running totals come from one global cumulative sum; a series with a
    running total too close to zero to trust its sign (see
    ``_running_totals``) is "unsure", which sends it to the exact check.
    Flows on one date are not netted here: that can only raise the count,
    never lower it.
    """
    forward, totals, noise = _running_totals(amounts, starts, lengths)
    backward = np.repeat(totals, lengths)
    backward -= forward
    backward += amounts
    smallest = np.minimum(
        np.minimum.reduceat(np.abs(forward), starts), np.minimum.reduceat(np.abs(backward), starts)
    )
    bound = (
        _changes_within(forward < 0, starts)
        + _changes_within(backward < 0, starts)
        + (np.abs(totals) <= noise)
    )
    bound[smallest <= noise] = 2
    return bound


def _changes_within(negative: np.ndarray, starts: np.ndarray) -> np.ndarray:
    change = np.empty(negative.size, dtype=bool)
    change[0] = False
    np.not_equal(negative[1:], negative[:-1], out=change[1:])
    change[starts] = False
    return np.add.reduceat(change, starts)


def _nearest_proven(
    series: np.ndarray,
    roots: np.ndarray,
    guess: float,
    starts: np.ndarray,
    lengths: np.ndarray,
    times: np.ndarray,
    amounts: np.ndarray,
) -> np.ndarray:
    """Vectorised ``_roots.is_nearest_root`` for series that may have several roots."""
    flows = _flows_of(series, starts, lengths)
    t, a = times[flows], amounts[flows]
    counts = lengths[series]
    local_starts = np.r_[0, np.cumsum(counts)[:-1]]
    distance = np.abs(roots - guess)
    margin = distance * 1e-6 + 1e-9
    low, high = guess - distance - margin, guess + distance + margin
    proven = np.zeros(series.size, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for edge, use in ((np.where(low > -1.0, low, 0.0), low > -1.0), (high, None)):
            discounted = a * np.exp(-t * np.repeat(np.log1p(edge), counts))
            forward, totals, noise = _running_totals(discounted, local_starts, counts)
            oldest_first, newest_first, unsure = _sign_change_counts(
                forward, discounted, totals, noise, local_starts, counts
            )
            changes = oldest_first if use is not None else newest_first
            ok = ~unsure & (changes <= 1) & np.isfinite(totals)
            proven |= ok if use is None else ok & use
    return proven


def _first_estimate(starts: np.ndarray, times: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """Multiple to the power of one over the money-weighted holding time, minus one.

    Exact for one outflow and one inflow and close for most fund-like series,
    so Halley's method usually settles in three or four steps.
    """
    outflows = np.minimum(amounts, 0.0)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        paid = -np.add.reduceat(outflows, starts)
        received = np.add.reduceat(amounts, starts) + paid
        paid_time = -np.add.reduceat(outflows * times, starts) / paid
        received_time = (np.add.reduceat(amounts * times, starts) + paid * paid_time) / received
        holding = np.maximum(received_time - paid_time, 1.0 / DAYS_PER_YEAR)
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
    Halley's cubic convergence saves passes over the data compared with
    Newton. A series is solved when a step moves the rate by at most
    ``RATE_TOLERANCE`` (relative above 100%) and the Newton step is below
    ``NEWTON_STEP_CEILING``, or one step earlier when the observed cubic
    convergence predicts the error after the step (``|h_k| ** 4 / |h_{k-1}| ** 3``,
    the usual a-posteriori estimate for a third-order method) to be a
    thousand times below ``RATE_TOLERANCE``; that saves the last pass, which
    would only confirm a step of about 1e-17. Returns (solved ids, their
    rates, failed ids).
    """
    solved_ids: list[np.ndarray] = []
    solved_rates: list[np.ndarray] = []
    failed: list[np.ndarray] = []

    ids = series
    if ids.size == starts.size and np.array_equal(ids, np.arange(ids.size)):
        t, a = times, amounts
    else:
        flows = _flows_of(ids, starts, lengths)
        t, a = times[flows], amounts[flows]
    counts = lengths[ids]
    local_starts = np.r_[0, np.cumsum(counts)[:-1]]
    y = np.log1p(_first_estimate(local_starts, t, a))
    previous_step = np.full(ids.size, np.inf)
    active = np.ones(ids.size, dtype=bool)
    work = np.empty_like(t)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(MAX_NEWTON_STEPS):
            if not active.any():
                break
            np.multiply(t, np.repeat(-y, counts), out=work)
            np.exp(work, out=work)
            work *= a
            value = np.add.reduceat(work, local_starts)
            work *= t
            first = -np.add.reduceat(work, local_starts)
            work *= t
            second = np.add.reduceat(work, local_starts)
            newton = value / first
            step = newton / (1.0 - newton * second / (2.0 * first))
            new_y = y - step
            rate, new_rate = np.expm1(y), np.expm1(new_y)
            broken = active & (~np.isfinite(new_rate) | (first == 0.0))
            size = np.abs(step)
            settled = (np.abs(newton) <= NEWTON_STEP_CEILING) & (
                np.abs(new_rate - rate) <= RATE_TOLERANCE * np.maximum(1.0, np.abs(rate))
            )
            predicted = (1.0 + new_rate) * size**4 / previous_step**3
            contracting = (
                (size <= 1e-4)
                & (size <= 0.1 * previous_step)
                & (np.abs(newton - step) <= size)
                & (predicted <= 1e-3 * RATE_TOLERANCE * np.maximum(1.0, np.abs(new_rate)))
            )
            done = active & ~broken & (settled | contracting)
            solved_ids.append(ids[done])
            solved_rates.append(new_rate[done])
            failed.append(ids[broken])
            active &= ~(done | broken)
            # Finished series stay in the arrays (their results are already
            # taken) until dropping them pays for the copy.
            y = np.where(active, new_y, y)
            previous_step = size
            if active.sum() < 0.6 * active.size:
                keep = np.flatnonzero(active)
                positions = _flows_of(keep, local_starts, counts)
                ids, y, counts, previous_step = (
                    ids[keep],
                    y[keep],
                    counts[keep],
                    previous_step[keep],
                )
                t, a = t[positions], a[positions]
                local_starts = np.r_[0, np.cumsum(counts)[:-1]]
                active = np.ones(ids.size, dtype=bool)
                work = np.empty_like(t)
        failed.append(ids[active])
    return np.concatenate(solved_ids), np.concatenate(solved_rates), np.concatenate(failed)


def _flows_of(ids: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Positions of the flows of series ``ids``, series by series in the order of ``ids``."""
    if ids.size == starts.size and np.array_equal(ids, np.arange(ids.size)):
        return np.arange(int(lengths.sum()))
    counts = lengths[ids]
    offsets = np.repeat(starts[ids] - np.r_[0, np.cumsum(counts)[:-1]], counts)
    return np.arange(int(counts.sum())) + offsets
