"""Money-weighted returns of deals and funds: gross and net IRR, horizon IRRs, the J-curve.

Sign convention: cash flows are signed from the holder's side. For a deal
(gross) that is the fund: money invested negative, proceeds, dividends and
interest positive. For a fund (net) that is the LP: contributions negative,
distributions positive. The value still held (fair value, NAV) enters as a
positive terminal flow on the as-of date. IRRs are annual, ACT/365 (see
:func:`portfolio_kit.analytics.xirr`).

"As of" means "as known on that date": flows dated after ``as_of`` are left
out, so the same history can be replayed at any past quarter end.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from portfolio_kit.analytics._validation import (
    as_amounts,
    as_day,
    as_days,
    as_scalar,
    day_to_timestamp,
    same_length,
)
from portfolio_kit.analytics.discounting import xirr
from portfolio_kit.analytics.xirr_batch import xirr_sorted
from portfolio_kit.periods import add_months, quarter_end, quarter_ends_between


def _flows_to(dates: Any, amounts: Any, as_of: Any) -> tuple[np.ndarray, np.ndarray, int]:
    days = as_days("dates", dates)
    values = as_amounts("amounts", amounts)
    same_length(dates=days, amounts=values)
    cutoff = as_day("as_of", as_of)
    keep = days <= cutoff
    return days[keep], values[keep], cutoff


def irr_with_terminal_value(
    dates: Any, amounts: Any, terminal_value: float, as_of: Any, guess: float = 0.1
) -> float:
    """XIRR of the flows up to ``as_of`` plus ``terminal_value`` received on ``as_of``.

    Raises
    ------
    ValueError
        Negative or non-finite terminal value, bad flows (see ``xirr``), or an
        IRR that is undefined (nothing invested by ``as_of``, or nothing
        returned and nothing held).
    """
    return _irr_with_terminal(dates, amounts, terminal_value, as_of, guess, "terminal_value")


def _irr_with_terminal(
    dates: Any, amounts: Any, terminal_value: float, as_of: Any, guess: float, value_name: str
) -> float:
    days, values, cutoff = _flows_to(dates, amounts, as_of)
    value = as_scalar(value_name, terminal_value)
    if value < 0:
        raise ValueError(f"{value_name}: must not be negative, got {value}")
    return xirr(np.r_[days, cutoff].astype("datetime64[D]"), np.r_[values, value], guess=guess)


def gross_irr(dates: Any, amounts: Any, fair_value: float, as_of: Any, guess: float = 0.1) -> float:
    """Gross (deal-level) IRR: the fund's flows with the company plus its fair value at ``as_of``.

    Parameters
    ----------
    dates, amounts : sequences
        The fund's flows with the investment: invested negative, proceeds,
        dividends and interest positive. Flows after ``as_of`` are ignored.
    fair_value : float
        Value of the stake still held on ``as_of`` (0 once fully exited), in
        the currency of ``amounts``.
    as_of : date-like

    Returns
    -------
    float, annual rate (fraction), before fees and carry.

    Raises
    ------
    ValueError
        See :func:`irr_with_terminal_value`; messages name the argument.
    """
    return _irr_with_terminal(dates, amounts, fair_value, as_of, guess, "fair_value")


def net_irr(dates: Any, amounts: Any, nav: float, as_of: Any, guess: float = 0.1) -> float:
    """Net (LP) IRR: contributions and distributions plus the NAV at ``as_of``.

    Parameters
    ----------
    dates, amounts : sequences
        The LP's flows: contributions negative, distributions positive.
    nav : float
        The LP's share of the fund's net asset value on ``as_of``.
    as_of : date-like

    Returns
    -------
    float, annual rate (fraction), after fees and carry.

    Raises
    ------
    ValueError
        See :func:`irr_with_terminal_value`.
    """
    return _irr_with_terminal(dates, amounts, nav, as_of, guess, "nav")


def _nav_series(navs: Any) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(navs, pd.Series):
        raise ValueError(
            f"navs: must be a pandas Series indexed by date, got {type(navs).__name__}"
        )
    days = as_days("navs index", navs.index, min_length=0)
    values = as_amounts("navs", navs.to_numpy(), min_length=0)
    if (values < 0).any():
        position = int(np.flatnonzero(values < 0)[0])
        raise ValueError(
            f"navs: negative NAV {values[position]} on {day_to_timestamp(days[position]).date()}"
        )
    order = np.argsort(days, kind="stable")
    days, values = days[order], values[order]
    duplicated = np.flatnonzero(days[1:] == days[:-1])
    if duplicated.size:
        raise ValueError(f"navs: two NAVs dated {day_to_timestamp(days[duplicated[0]]).date()}")
    return days, values


def _latest_on_or_before(
    days: np.ndarray, values: np.ndarray, day: int
) -> tuple[int, float] | None:
    position = int(np.searchsorted(days, day, side="right")) - 1
    if position < 0:
        return None
    return int(days[position]), float(values[position])


def horizon_returns(
    dates: Any,
    amounts: Any,
    navs: pd.Series,
    as_of: Any,
    horizons: tuple[int, ...] = (1, 3, 5),
    guess: float = 0.1,
) -> pd.Series:
    """Point-to-point IRRs over trailing horizons and since inception.

    For a horizon of ``h`` years the starting NAV (the latest one dated on or
    before ``as_of`` minus ``h`` years, month ends kept at month ends) is an
    outflow on its date, every flow after that date up to ``as_of`` follows,
    and the NAV dated ``as_of`` is the closing inflow. Since inception uses
    every flow up to ``as_of`` and the closing NAV: the point-to-point
    "horizon IRR" that Cambridge Associates publishes for its benchmarks.

    Parameters
    ----------
    dates, amounts : sequences
        LP flows: contributions negative, distributions positive.
    navs : pandas.Series
        NAV by date (index), non-negative.
    as_of : date-like
        Must carry a NAV in ``navs``.
    horizons : tuple of int
        Horizon lengths in years.

    Returns
    -------
    pandas.Series of annual IRRs indexed ``"1y"``, ``"3y"``, ... and
    ``"since_inception"``. NaN where the fund is younger than the horizon
    (no NAV and no flow on or before its start) or where the IRR is undefined
    over that window.

    Raises
    ------
    ValueError
        No NAV dated ``as_of``; bad flows or NAVs; a horizon that is not a
        positive whole number of years.
    """
    days, values, cutoff = _flows_to(dates, amounts, as_of)
    nav_days, nav_values = _nav_series(navs)
    closing = _latest_on_or_before(nav_days, nav_values, cutoff)
    if closing is None or closing[0] != cutoff:
        raise ValueError(f"navs: no NAV dated as_of ({day_to_timestamp(cutoff).date()})")
    closing_nav = closing[1]

    results: dict[str, float] = {}
    as_of_date = day_to_timestamp(cutoff).date()
    for years in horizons:
        if not isinstance(years, int | np.integer) or years <= 0:
            raise ValueError(
                f"horizons: each must be a positive whole number of years, got {years!r}"
            )
        start = int(as_days("start", [add_months(as_of_date, -12 * int(years))])[0])
        opening = _latest_on_or_before(nav_days, nav_values, start)
        if opening is None:
            if days.size and days.min() <= start:
                raise ValueError(
                    f"navs: no NAV on or before {day_to_timestamp(start).date()} although cash "
                    f"flows precede it, so the {years}y return has no starting value"
                )
            results[f"{years}y"] = np.nan
            continue
        opening_day, opening_nav = opening
        inside = days > opening_day
        window_days = np.r_[opening_day, days[inside], cutoff]
        window_values = np.r_[-opening_nav, values[inside], closing_nav]
        results[f"{years}y"] = _irr_or_nan(window_days, window_values, guess)
    results["since_inception"] = _irr_or_nan(np.r_[days, cutoff], np.r_[values, closing_nav], guess)
    return pd.Series(results, name="irr", dtype=float)


def _irr_or_nan(days: np.ndarray, values: np.ndarray, guess: float) -> float:
    try:
        return xirr(days.astype("datetime64[D]"), values, guess=guess)
    except ValueError:
        return float("nan")


def j_curve(
    dates: Any, amounts: Any, navs: pd.Series, as_of: Any = None, guess: float = 0.1
) -> pd.DataFrame:
    """Quarter-by-quarter cash and since-inception IRR: the fund's J-curve.

    Parameters
    ----------
    dates, amounts : sequences
        LP flows: contributions negative, distributions positive.
    navs : pandas.Series
        NAV by date. Each quarter uses the latest NAV dated on or before its end.
    as_of : date-like, optional
        Last quarter shown (its quarter end); defaults to the latest flow or NAV.

    Returns
    -------
    pandas.DataFrame indexed by calendar quarter end (``quarter_end``) with
    ``contributions`` and ``distributions`` (positive magnitudes in the
    quarter), ``net_cash_flow`` (distributions - contributions),
    ``cumulative_net_cash_flow``, ``paid_in``, ``distributed`` (cumulative),
    ``nav``, ``dpi``, ``tvpi`` and ``irr`` (since inception to the quarter
    end, NAV as the closing inflow; NaN before any NAV or where undefined).

    Raises
    ------
    ValueError
        Bad flows or NAVs (see ``xirr``), empty flows.
    """
    days = as_days("dates", dates)
    values = as_amounts("amounts", amounts)
    same_length(dates=days, amounts=values)
    nav_days, nav_values = _nav_series(navs)
    last = (
        as_day("as_of", as_of)
        if as_of is not None
        else int(max(days.max(), nav_days.max(initial=days.max())))
    )
    first_date = day_to_timestamp(int(days.min())).date()
    ends = quarter_ends_between(quarter_end(first_date), quarter_end(day_to_timestamp(last).date()))
    end_days = as_days("quarter ends", ends)

    order = np.argsort(days, kind="stable")
    days, values = days[order], values[order]
    quarter_of_flow = np.searchsorted(end_days, days, side="left")
    in_range = quarter_of_flow < end_days.size
    contributions = np.bincount(
        quarter_of_flow[in_range], -np.minimum(values[in_range], 0), end_days.size
    )
    distributions = np.bincount(
        quarter_of_flow[in_range], np.maximum(values[in_range], 0), end_days.size
    )

    nav = np.full(end_days.size, np.nan)
    nav_position = np.searchsorted(nav_days, end_days, side="right") - 1
    reported = nav_position >= 0
    nav[reported] = nav_values[nav_position[reported]]

    paid_in = np.cumsum(contributions)
    distributed = np.cumsum(distributions)
    frame = pd.DataFrame(
        {
            "contributions": contributions,
            "distributions": distributions,
            "net_cash_flow": distributions - contributions,
            "cumulative_net_cash_flow": np.cumsum(distributions - contributions),
            "paid_in": paid_in,
            "distributed": distributed,
            "nav": nav,
        },
        index=pd.DatetimeIndex(end_days.astype("datetime64[D]"), name="quarter_end"),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["dpi"] = np.where(paid_in > 0, distributed / paid_in, np.nan)
        frame["tvpi"] = np.where(paid_in > 0, (distributed + nav) / paid_in, np.nan)
    frame["irr"] = _since_inception_irrs(days, values, end_days, nav, guess)
    return frame


def _since_inception_irrs(
    days: np.ndarray, values: np.ndarray, end_days: np.ndarray, nav: np.ndarray, guess: float
) -> np.ndarray:
    # One series per quarter end: every flow up to it, then its NAV. Solved
    # together by the batch engine rather than one xirr call per quarter.
    counts = np.searchsorted(days, end_days, side="right")
    usable = ~np.isnan(nav) & (counts > 0)
    result = np.full(end_days.size, np.nan)
    if not usable.any():
        return result
    quarters = np.flatnonzero(usable)
    lengths = counts[quarters] + 1
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    total = int(lengths.sum())
    series_days = np.empty(total, dtype=np.int64)
    series_values = np.empty(total)
    for quarter, start, length in zip(quarters, starts, lengths, strict=True):
        series_days[start : start + length - 1] = days[: length - 1]
        series_values[start : start + length - 1] = values[: length - 1]
        series_days[start + length - 1] = end_days[quarter]
        series_values[start + length - 1] = nav[quarter]
    result[quarters] = xirr_sorted(starts, series_days, series_values, guess)
    return result
