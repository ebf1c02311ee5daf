"""Public market equivalents: how a fund did against an index it could have bought instead.

Conventions (the package's contract):

* ``amounts`` are the LP's flows, one per period (periodic functions) or per
  date (``x_`` functions): contributions negative, distributions positive.
  The last period (latest date) is the NAV date; put 0 there if nothing flows.
* ``index`` holds the benchmark's level on each of those periods or dates
  (total-return levels, positive).
* ``nav`` is the fund's value on the NAV date (default 0: a fully realised
  fund, or a last amount that already includes the NAV).

Every method first carries each flow forward to the NAV date with the
index: ``f_i = I_T / I_i``. With ``C_i`` the contributions and ``D_i`` the
distributions as positive magnitudes:

* KS-PME (Kaplan & Schoar 2005): ``(sum(D_i f_i) + NAV) / sum(C_i f_i)``; above 1
  means the fund beat the index.
* LN-PME (Long & Nickels 1996): the IRR of the fund's own flows with the NAV
  replaced by what the same flows would be worth in the index,
  ``NAV_PME = sum(C_i f_i) - sum(D_i f_i)``; compare it with the fund's IRR.
* PME+ (Rouvinez 2003): distributions scaled by
  ``lambda = (sum(C_i f_i) - NAV) / sum(D_i f_i)`` so that the index
  investment ends at the fund's NAV; the IRR of contributions, scaled
  distributions and the NAV.
* Direct alpha (Gredil, Griffiths & Stucke 2014): the IRR ``a`` of the
  index-compounded flows ``a_i f_i`` plus the NAV. Returned as ``a``; the
  paper's continuously compounded alpha is ``ln(1 + a)``.

The periodic functions return per-period rates (quarterly data give quarterly
rates); the ``x_`` functions return annual rates, ACT/365, as ``xirr`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from portfolio_kit.analytics._roots import solve_rate
from portfolio_kit.analytics._validation import (
    DAYS_PER_YEAR,
    as_amounts,
    as_day,
    as_days,
    as_rate,
    as_scalar,
    day_to_timestamp,
    plain,
    require_columns,
    same_length,
)


def _periodic(
    amounts: Any, index: Any, nav: Any
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    values = as_amounts("amounts", amounts, min_length=2)
    levels = as_amounts("index", index, min_length=2)
    same_length(amounts=values, index=levels)
    _check_levels(levels)
    return values, levels[-1] / levels, as_scalar("nav", nav), np.arange(values.size, dtype=float)


def _dated(
    dates: Any, amounts: Any, index: Any, nav: Any
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    days = as_days("dates", dates, min_length=2)
    values = as_amounts("amounts", amounts, min_length=2)
    levels = as_amounts("index", index, min_length=2)
    same_length(dates=days, amounts=values, index=levels)
    _check_levels(levels)
    order = np.argsort(days, kind="stable")
    sorted_days, sorted_levels = days[order], levels[order]
    clash = np.flatnonzero(
        (sorted_days[1:] == sorted_days[:-1]) & (sorted_levels[1:] != sorted_levels[:-1])
    )
    if clash.size:
        when = day_to_timestamp(sorted_days[clash[0]]).date()
        raise ValueError(f"index: two different levels given for {when}")
    final_level = sorted_levels[-1]
    times = (days - days.min()) / DAYS_PER_YEAR
    return values, final_level / levels, as_scalar("nav", nav), times


def _check_levels(levels: np.ndarray) -> None:
    bad = levels <= 0
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"index: level must be positive, got {levels[position]} at position {position}"
        )


def _split(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return -np.minimum(values, 0.0), np.maximum(values, 0.0)


def _terminal_position(times: np.ndarray) -> int:
    return int(np.argmax(times))


def _ks(values: np.ndarray, growth: np.ndarray, nav: float) -> float:
    contributions, distributions = _split(values)
    invested = float((contributions * growth).sum())
    if invested == 0.0:
        raise ValueError("amounts: no contribution, so KS-PME is undefined")
    return (float((distributions * growth).sum()) + nav) / invested


def _ln_flows(values: np.ndarray, growth: np.ndarray, nav: float, times: np.ndarray) -> np.ndarray:
    flows = values.copy()
    flows[_terminal_position(times)] += -float((values * growth).sum())
    return flows


def _pme_plus_flows(
    values: np.ndarray, growth: np.ndarray, nav: float, times: np.ndarray
) -> np.ndarray:
    contributions, distributions = _split(values)
    distributed = float((distributions * growth).sum())
    if distributed == 0.0:
        raise ValueError("amounts: no distribution, so PME+ has nothing to scale and is undefined")
    scale = (float((contributions * growth).sum()) - nav) / distributed
    flows = scale * distributions - contributions
    flows[_terminal_position(times)] += nav
    return flows


def _direct_alpha_flows(
    values: np.ndarray, growth: np.ndarray, nav: float, times: np.ndarray
) -> np.ndarray:
    flows = values * growth
    flows[_terminal_position(times)] += nav
    return flows


def _rate(
    build: Callable[[np.ndarray, np.ndarray, float, np.ndarray], np.ndarray],
    prepared: tuple[np.ndarray, np.ndarray, float, np.ndarray],
    method: str,
    guess: float,
) -> float:
    values, growth, nav, times = prepared
    start = as_rate("guess", guess)
    flows = build(values, growth, nav, times)
    try:
        return solve_rate(times, flows, start, "IRR")
    except ValueError as error:
        raise ValueError(f"{method}: {error}") from None


def pme_plus_lambda(amounts: Any, index: Any, nav: float = 0.0) -> float:
    """PME+'s distribution scale ``(sum(C_i f_i) - NAV) / sum(D_i f_i)`` (periodic inputs)."""
    values, growth, nav_value, _ = _periodic(amounts, index, nav)
    contributions, distributions = _split(values)
    distributed = float((distributions * growth).sum())
    if distributed == 0.0:
        raise ValueError("amounts: no distribution, so PME+ has nothing to scale and is undefined")
    return (float((contributions * growth).sum()) - nav_value) / distributed


def ln_pme_nav(amounts: Any, index: Any) -> float:
    """LN-PME's index NAV on the last period: ``sum(C_i f_i) - sum(D_i f_i)`` (may be negative)."""
    values, growth, _, _ = _periodic(amounts, index, 0.0)
    return -float((values * growth).sum())


def ks_pme(amounts: Any, index: Any, nav: float = 0.0) -> float:
    """Kaplan-Schoar PME ratio (periodic inputs; see the module docstring).

    Returns
    -------
    float, a ratio: above 1 the fund beat the index.

    Raises
    ------
    ValueError
        Lengths that differ; fewer than two periods; NaN/infinite amounts,
        levels or NAV; a level at or below zero; no contribution.
    """
    return _ks(*_periodic(amounts, index, nav)[:3])


def ln_pme(amounts: Any, index: Any, nav: float = 0.0, guess: float = 0.1) -> float:
    """Long-Nickels PME: the periodic IRR with the NAV replaced by the index NAV.

    ``nav`` (the fund's own NAV) does not enter the LN-PME; it is taken and
    checked so that every PME function has one signature. Compare the result
    with ``irr(amounts + [..., nav])``, the fund's own periodic IRR.

    Raises
    ------
    ValueError
        As :func:`ks_pme`, or when the rescaled flows have no IRR (the index
        NAV can be negative, a known weakness of the method).
    """
    return _rate(_ln_flows, _periodic(amounts, index, nav), "LN-PME", guess)


def pme_plus(amounts: Any, index: Any, nav: float = 0.0, guess: float = 0.1) -> float:
    """PME+ (Rouvinez): periodic IRR of contributions, scaled distributions and the NAV.

    Raises
    ------
    ValueError
        As :func:`ks_pme`; no distribution to scale; no IRR.
    """
    return _rate(_pme_plus_flows, _periodic(amounts, index, nav), "PME+", guess)


def direct_alpha(amounts: Any, index: Any, nav: float = 0.0, guess: float = 0.1) -> float:
    """Direct alpha (Gredil, Griffiths & Stucke): periodic IRR ``a`` of index-compounded flows.

    The flows are ``a_i * I_T / I_i`` with the NAV added on the last period.

    Returns ``a``, the discrete excess return per period, not ``ln(1 + a)``.

    Raises
    ------
    ValueError
        As :func:`ks_pme`; no IRR.
    """
    return _rate(_direct_alpha_flows, _periodic(amounts, index, nav), "direct alpha", guess)


def x_ks_pme(dates: Any, amounts: Any, index: Any, nav: float = 0.0) -> float:
    """KS-PME on dated flows; ``index`` holds the level on each date; the latest is the NAV date."""
    return _ks(*_dated(dates, amounts, index, nav)[:3])


def x_ln_pme(dates: Any, amounts: Any, index: Any, nav: float = 0.0, guess: float = 0.1) -> float:
    """LN-PME on dated flows: annual IRR (ACT/365) with the index NAV on the latest date."""
    return _rate(_ln_flows, _dated(dates, amounts, index, nav), "LN-PME", guess)


def x_pme_plus(dates: Any, amounts: Any, index: Any, nav: float = 0.0, guess: float = 0.1) -> float:
    """PME+ on dated flows: annual IRR (ACT/365)."""
    return _rate(_pme_plus_flows, _dated(dates, amounts, index, nav), "PME+", guess)


def x_direct_alpha(
    dates: Any, amounts: Any, index: Any, nav: float = 0.0, guess: float = 0.1
) -> float:
    """Direct alpha on dated flows: the annual discrete excess return ``a`` (ACT/365)."""
    return _rate(_direct_alpha_flows, _dated(dates, amounts, index, nav), "direct alpha", guess)


def align_index(index_levels: pd.Series, dates: Any) -> np.ndarray:
    """The index level in force on each date: the last level dated on or before it.

    Parameters
    ----------
    index_levels : pandas.Series
        Index levels (values) by date (index), e.g. daily closes of a
        total-return index; need not be sorted.
    dates : sequence of date-like
        Cash-flow dates, any order.

    Returns
    -------
    numpy.ndarray of float, one level per date, in the order of ``dates``.

    Raises
    ------
    ValueError
        A date before the first level; a level used that is NaN or not
        positive; two levels on one date; an empty series.
    """
    if not isinstance(index_levels, pd.Series):
        raise ValueError(
            "index_levels: must be a pandas Series indexed by date, "
            f"got {type(index_levels).__name__}"
        )
    level_days = as_days("index_levels index", index_levels.index)
    levels = index_levels.to_numpy(dtype=float)
    order = np.argsort(level_days, kind="stable")
    level_days, levels = level_days[order], levels[order]
    duplicated = np.flatnonzero(level_days[1:] == level_days[:-1])
    if duplicated.size:
        raise ValueError(
            f"index_levels: two levels dated {day_to_timestamp(level_days[duplicated[0]]).date()}"
        )
    days = as_days("dates", dates)
    position = np.searchsorted(level_days, days, side="right") - 1
    early = position < 0
    if early.any():
        first = int(np.flatnonzero(early)[0])
        raise ValueError(
            f"dates: {day_to_timestamp(days[first]).date()} precedes the first index level "
            f"({day_to_timestamp(level_days[0]).date()})"
        )
    picked = levels[position]
    bad = ~(picked > 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"index_levels: level {picked[first]} on "
            f"{day_to_timestamp(level_days[position[first]]).date()} "
            f"(used for {day_to_timestamp(days[first]).date()}) must be a positive number"
        )
    return picked


PME_MEASURES = ("ks_pme", "ln_pme", "pme_plus", "direct_alpha", "fund_irr")


def fund_pme(
    cash_flows: pd.DataFrame,
    navs: pd.DataFrame,
    index_levels: pd.Series,
    as_of: Any,
    guess: float = 0.1,
) -> pd.Series:
    """All four PMEs of one fund against a stored index, as of a date, in one call.

    Parameters
    ----------
    cash_flows : pandas.DataFrame
        Columns ``date`` and ``amount`` (LP side: contributions negative,
        distributions positive); ``fund_id`` may be present but must hold a
        single fund (use :func:`fund_pme_table` for several). Other columns
        (``kind``, ``currency``) are ignored.
    navs : pandas.DataFrame
        Columns ``as_of`` and ``nav``. The latest NAV dated on or before
        ``as_of`` is rolled forward to ``as_of`` with the flows in between
        (plus contributions, minus distributions), the usual practice when
        the NAV lags the report date.
    index_levels : pandas.Series
        Benchmark levels by date; aligned to each flow date and to ``as_of``
        with :func:`align_index`.
    as_of : date-like
        The NAV date of the comparison; later flows are ignored.

    Returns
    -------
    pandas.Series indexed ``ks_pme`` (ratio), ``ln_pme``, ``pme_plus``,
    ``direct_alpha`` and ``fund_irr`` (annual rates, ACT/365). A measure
    that is undefined for this fund (PME+ with no distribution yet, an
    IRR with no root) is NaN rather than an error.

    Raises
    ------
    ValueError
        Missing columns; several funds; no flow or no NAV on or before
        ``as_of``; index levels that do not cover the flows (see
        :func:`align_index`).
    """
    require_columns("cash_flows", cash_flows, ("date", "amount"))
    require_columns("navs", navs, ("as_of", "nav"))
    for name, frame in (("cash_flows", cash_flows), ("navs", navs)):
        if "fund_id" in frame.columns and frame["fund_id"].nunique() > 1:
            raise ValueError(f"{name}: holds several funds; use fund_pme_table")
    cutoff = as_day("as_of", as_of)
    days = as_days("cash_flows.date", cash_flows["date"], min_length=0)
    values = as_amounts("cash_flows.amount", cash_flows["amount"], min_length=0)
    keep = days <= cutoff
    days, values = days[keep], values[keep]
    if days.size == 0:
        raise ValueError(f"cash_flows: no flow on or before {day_to_timestamp(cutoff).date()}")
    nav_days = as_days("navs.as_of", navs["as_of"], min_length=0)
    nav_values = as_amounts("navs.nav", navs["nav"], min_length=0)
    reported = np.flatnonzero(nav_days <= cutoff)
    if reported.size == 0:
        raise ValueError(f"navs: no NAV on or before {day_to_timestamp(cutoff).date()}")
    latest = reported[np.argmax(nav_days[reported])]
    nav = float(nav_values[latest]) - float(values[days > nav_days[latest]].sum())

    flow_days = np.r_[days, cutoff]
    flow_values = np.r_[values, 0.0]
    levels = align_index(index_levels, flow_days.astype("datetime64[D]"))
    dated = flow_days.astype("datetime64[D]")
    measures: dict[str, float] = {}
    for name, function in (
        ("ks_pme", lambda: x_ks_pme(dated, flow_values, levels, nav)),
        ("ln_pme", lambda: x_ln_pme(dated, flow_values, levels, nav, guess)),
        ("pme_plus", lambda: x_pme_plus(dated, flow_values, levels, nav, guess)),
        ("direct_alpha", lambda: x_direct_alpha(dated, flow_values, levels, nav, guess)),
        ("fund_irr", lambda: _fund_irr(flow_days, flow_values, nav, guess)),
    ):
        try:
            measures[name] = function()
        except ValueError:
            measures[name] = float("nan")
    return pd.Series(measures, name="pme", dtype=float)


def _fund_irr(days: np.ndarray, values: np.ndarray, nav: float, guess: float) -> float:
    flows = values.copy()
    flows[-1] += nav
    return solve_rate((days - days.min()) / DAYS_PER_YEAR, flows, guess, "XIRR")


def fund_pme_table(
    cash_flows: pd.DataFrame,
    navs: pd.DataFrame,
    index_levels: pd.Series,
    as_of: Any,
    guess: float = 0.1,
) -> pd.DataFrame:
    """:func:`fund_pme` for every ``fund_id`` in ``cash_flows``: one row per fund.

    Funds without a NAV on or before ``as_of`` get a row of NaN (a fund that
    has not reported yet is not an error in a portfolio table).

    Raises
    ------
    ValueError
        Missing columns (``fund_id``, ``date``, ``amount``; ``fund_id``,
        ``as_of``, ``nav``); index levels that do not cover the flows.
    """
    require_columns("cash_flows", cash_flows, ("fund_id", "date", "amount"))
    require_columns("navs", navs, ("fund_id", "as_of", "nav"))
    cutoff = as_day("as_of", as_of)
    flow_days = pd.Series(
        as_days("cash_flows.date", cash_flows["date"], min_length=0), index=cash_flows.index
    )
    nav_days = pd.Series(as_days("navs.as_of", navs["as_of"], min_length=0), index=navs.index)
    reporting = set(navs.loc[nav_days <= cutoff, "fund_id"])
    rows = {}
    for fund_id, flows in cash_flows.groupby("fund_id", sort=True):
        if fund_id not in reporting or not (flow_days.loc[flows.index] <= cutoff).any():
            rows[fund_id] = pd.Series(np.nan, index=PME_MEASURES)
            continue
        try:
            rows[fund_id] = fund_pme(
                flows, navs[navs["fund_id"] == fund_id], index_levels, as_of, guess
            )
        except ValueError as error:
            raise ValueError(f"fund {plain(fund_id)!r}: {error}") from None
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(PME_MEASURES))
    table.index.name = "fund_id"
    return table
