"""Present values and internal rates of return, following Excel's XNPV, XIRR, IRR and MIRR.

Sign convention throughout: money paid out by the holder of the cash flows
(a capital call, a purchase) is negative, money received (a distribution,
sale proceeds, a terminal value) is positive. Rates are fractions (0.12 is 12%).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from portfolio_kit.analytics._roots import solve_rate
from portfolio_kit.analytics._validation import (
    DAYS_PER_YEAR,
    as_amounts,
    as_days,
    as_rate,
    day_to_timestamp,
    same_length,
)


def year_fractions(dates: Any, start: Any = None) -> np.ndarray:
    """ACT/365 year fractions ``(date - start) / 365``; ``start`` defaults to the earliest date.

    Returns
    -------
    numpy.ndarray of float, one per date (negative for dates before ``start``).
    """
    days = as_days("dates", dates)
    origin = days.min() if start is None else as_days("start", [start])[0]
    return (days - origin) / DAYS_PER_YEAR


def xnpv(rate: float, dates: Any, amounts: Any) -> float:
    """Net present value of dated cash flows, as Excel's XNPV computes it.

    ``XNPV = sum(P_i / (1 + rate) ** ((d_i - d_1) / 365))`` where ``d_1`` is the
    *first date in the list* (Excel discounts to the first listed payment,
    not to today). Excel answers ``#NUM!`` when a later-listed date precedes
    ``d_1``; so does this function, with a ValueError, rather than silently
    compounding some flows forward.

    Parameters
    ----------
    rate : float
        Annual discount rate as a fraction, greater than -1.
    dates : sequence of date-like
        Payment dates; the first one is the valuation date.
    amounts : sequence of float
        Cash flows, negative for money paid out, positive for money received.

    Returns
    -------
    float, in the currency of ``amounts``, as of ``dates[0]``.

    Raises
    ------
    ValueError
        Rate at or below -100%; NaN or infinite amounts; lengths that differ;
        empty input; a date before the first listed date.
    """
    rate = as_rate("rate", rate)
    days = as_days("dates", dates)
    values = as_amounts("amounts", amounts)
    same_length(dates=days, amounts=values)
    early = days < days[0]
    if early.any():
        position = int(np.flatnonzero(early)[0])
        raise ValueError(
            f"dates: position {position} ({day_to_timestamp(days[position]).date()}) precedes "
            f"the first listed date {day_to_timestamp(days[0]).date()}; XNPV discounts to the "
            "first listed date, as Excel does, so list the earliest date first"
        )
    times = (days - days[0]) / DAYS_PER_YEAR
    return float((values * np.exp(-times * np.log1p(rate))).sum())


def xirr(dates: Any, amounts: Any, guess: float = 0.1) -> float:
    """Annualised internal rate of return of dated cash flows (Excel's XIRR).

    The rate ``r`` with ``sum(P_i / (1 + r) ** ((d_i - d_0) / 365)) = 0``, ACT/365,
    ``d_0`` the earliest date; dates may come in any order (the root does not
    depend on the reference date).

    Tolerance: Newton's method from ``guess`` stops when a step changes the rate
    by less than 1e-10 (relative above 100%) and the XNPV at the result is
    within 1e-9 of the sum of the absolute discounted amounts. Excel documents
    1e-8 (0.000001 percent), so results agree with Excel to its precision.

    Several roots: cash flows whose sign changes once (out, then back) have
    exactly one IRR. When the sign changes more than once there may be several;
    this function then returns the root **nearest to** ``guess`` (ties: the lower
    rate). Excel returns whichever root its iteration from ``guess`` reaches,
    which is the same one whenever the guess is closer to it than to another.

    Extremes: a root where ``1 + r`` is too close to zero for floating point
    (two out, one back a day later) comes back as -1.0; one where
    ``(1 + r) ** horizon`` would pass ``exp(700)`` is refused ("too large to
    represent"), since discount factors underflow there.

    Parameters
    ----------
    dates : sequence of date-like
        Payment dates, any order; time of day is ignored.
    amounts : sequence of float
        Negative for money paid out, positive for money received.
    guess : float, default 0.1
        Starting point and, for several roots, the tie-breaker.

    Returns
    -------
    float, the annual rate as a fraction.

    Raises
    ------
    ValueError
        No positive amount or no negative amount ("IRR is undefined"), no root
        above -100%, NaN or infinite amounts, lengths that differ, fewer than two
        flows, a guess at or below -100%.
    """
    guess = as_rate("guess", guess)
    days = as_days("dates", dates, min_length=2)
    values = as_amounts("amounts", amounts, min_length=2)
    same_length(dates=days, amounts=values)
    times = (days - days.min()) / DAYS_PER_YEAR
    return solve_rate(times, values, guess, "XIRR")


def irr(amounts: Any, guess: float = 0.1) -> float:
    """Periodic internal rate of return (Excel's IRR): one amount per equal period.

    The rate ``r`` with ``sum(P_t / (1 + r) ** t) = 0``, t = 0, 1, ... The rate is
    per period (quarterly flows give a quarterly rate). Same tolerance and
    several-root rule as :func:`xirr`.

    Raises
    ------
    ValueError
        As :func:`xirr`.
    """
    guess = as_rate("guess", guess)
    values = as_amounts("amounts", amounts, min_length=2)
    return solve_rate(np.arange(values.size, dtype=float), values, guess, "IRR")


def mirr(amounts: Any, finance_rate: float, reinvest_rate: float) -> float:
    """Modified IRR (Excel's MIRR): negatives financed at one rate, positives reinvested at another.

    ``MIRR = (FV(positives at reinvest_rate) / -PV(negatives at finance_rate))
    ** (1 / (n - 1)) - 1``
    with FV taken to the last period and PV to period 0; ``n`` amounts, one per
    period, so the result is a per-period rate.

    Raises
    ------
    ValueError
        No positive or no negative amount (Excel's ``#DIV/0!``), fewer than two
        amounts, NaN or infinity, a rate at or below -100%.
    """
    values = as_amounts("amounts", amounts, min_length=2)
    finance = as_rate("finance_rate", finance_rate)
    reinvest = as_rate("reinvest_rate", reinvest_rate)
    if not (values > 0).any():
        raise ValueError("amounts: no positive amount, so MIRR is undefined")
    if not (values < 0).any():
        raise ValueError("amounts: no negative amount, so MIRR is undefined")
    periods = np.arange(values.size, dtype=float)
    last = values.size - 1
    future_positives = float(
        (np.where(values > 0, values, 0.0) * (1 + reinvest) ** (last - periods)).sum()
    )
    present_negatives = float((np.where(values < 0, values, 0.0) / (1 + finance) ** periods).sum())
    return (future_positives / -present_negatives) ** (1.0 / last) - 1.0
