"""The root finder behind ``xirr`` and ``irr``: the rate at which a cash-flow series is worth zero.

How many roots can there be? Write the present value as a function of
``s = ln(1 + rate)``. For ``rate > 0`` it is ``s`` times the Laplace transform
of the step function of cumulative cash flows (oldest first), and the Laplace
kernel is variation-diminishing, so the number of roots above 0% is at most
the number of sign changes of the running totals ``A_0, A_0 + A_1, ...``
(Laguerre's rule, valid for the real exponents of irregular dates). The same
argument on the reversed series bounds the roots between -100% and 0% by the
sign changes of the running totals taken from the last flow backwards, and
0% itself is a root only if the flows sum to zero. When the sum of those three
counts is at most one, the IRR is unique if it exists; this covers ordinary
private-equity flows even when a capital call follows a distribution.

Such series are solved by Newton's method from the guess, with a bracketing
search on ``ln(1 + rate)`` as the fallback, which cannot miss a unique root.
Other series may have several roots: every root on a fine grid is found and
the one nearest to the guess is returned, so the answer does not depend on
which way an iteration happened to wander. Rates so large that
``(1 + rate) ** horizon`` would pass ``exp(700)`` are out of reach (discount
factors underflow) and reported as such.
"""

from __future__ import annotations

import numpy as np

RATE_TOLERANCE = 1e-10
"""Newton stops when a step moves the rate by less than this (times max(1, |rate|)).

Excel documents its XIRR as accurate to 0.000001 percent (1e-8); this is a
hundred times tighter, so results agree with Excel to Excel's own precision."""

RESIDUAL_TOLERANCE = 1e-9
"""A rate is accepted only if |NPV| is below this fraction of sum(|discounted amount|)."""

MAX_NEWTON_STEPS = 100

SCAN_SPAN = 700.0
"""The several-root search covers (1 + rate) ** horizon from exp(-700) to exp(700),
about all that floating point can hold."""

SCAN_STEP = 0.02
"""Grid spacing in ln(1 + rate) * horizon: two roots closer than this can hide
between neighbouring grid points; such pairs are the only ones that can be missed."""


def _changes(values: np.ndarray) -> int:
    signs = np.sign(values[values != 0])
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def _netted(times: np.ndarray, amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(times, kind="stable")
    sorted_times = times[order]
    starts = np.flatnonzero(np.r_[True, sorted_times[1:] != sorted_times[:-1]])
    return sorted_times[starts], np.add.reduceat(amounts[order], starts)


def root_count_bound(times: np.ndarray, amounts: np.ndarray) -> int:
    """An upper bound on the number of rates above -100% with zero NPV.

    Amounts on the same date are netted first; see the module docstring for
    why the bound holds.
    """
    _, net = _netted(times, amounts)
    forward = np.cumsum(net)
    total_is_zero = int(forward[-1] == 0.0)
    return _changes(forward) + _changes(np.cumsum(net[::-1])) + total_is_zero


def is_nearest_root(root: float, guess: float, times: np.ndarray, amounts: np.ndarray) -> bool:
    """Whether no other root lies as close to ``guess`` as ``root`` does.

    Laguerre's rule at a shifted origin: with every amount first discounted
    at rate ``c``, the sign changes of the running totals bound the number of
    roots above ``c`` (totals oldest first) or below ``c`` (newest first). If
    at most one root lies above the low edge of the window
    ``guess +/- |root - guess|``, or at most one below its high edge, ``root``
    is the only one inside it. A ``False`` means "not proven", not "wrong".
    """
    distance = abs(root - guess)
    margin = distance * 1e-6 + 1e-9
    sorted_times, net = _netted(times, amounts)
    low, high = guess - distance - margin, guess + distance + margin
    with np.errstate(over="ignore", invalid="ignore"):
        if low > -1.0:
            running = np.cumsum(net * np.exp(-sorted_times * np.log1p(low)))
            if np.isfinite(running).all() and _changes(running) <= 1:
                return True
        running = np.cumsum((net * np.exp(-sorted_times * np.log1p(high)))[::-1])
        return bool(np.isfinite(running).all() and _changes(running) <= 1)


def has_sign_change(times: np.ndarray, amounts: np.ndarray) -> bool:
    """Whether the amounts, netted per date, hold both a positive and a negative value."""
    _, net = _netted(times, amounts)
    return bool((net > 0).any() and (net < 0).any())


def present_value(
    rate: float, times: np.ndarray, amounts: np.ndarray
) -> tuple[float, float, float]:
    """NPV, its derivative in the rate, and sum of |discounted amounts| (the residual's scale)."""
    with np.errstate(over="ignore", invalid="ignore"):
        discount = np.exp(-times * np.log1p(rate))
        terms = amounts * discount
        value = float(terms.sum())
        slope = float(-(times * terms).sum() / (1.0 + rate))
        scale = float(np.abs(terms).sum())
    return value, slope, scale


def _newton(times: np.ndarray, amounts: np.ndarray, guess: float) -> float | None:
    rate = guess
    for _ in range(MAX_NEWTON_STEPS):
        value, slope, scale = present_value(rate, times, amounts)
        if not (np.isfinite(value) and np.isfinite(slope)) or slope == 0.0:
            return None
        step = value / slope
        candidate = rate - step
        if candidate <= -1.0:
            # The guard that keeps discount factors defined: go halfway to -100%
            # instead of jumping past it.
            candidate = (rate - 1.0) / 2.0
        if abs(candidate - rate) <= RATE_TOLERANCE * max(1.0, abs(rate)):
            value, _, scale = present_value(candidate, times, amounts)
            if np.isfinite(value) and abs(value) <= RESIDUAL_TOLERANCE * scale:
                return candidate
            return None
        rate = candidate
    return None


def _scaled_value(y: float, times: np.ndarray, amounts: np.ndarray) -> float:
    # sum(a * exp(-y t)) divided by its largest exponential: same sign, never overflows.
    exponents = -y * times
    return float((amounts * np.exp(exponents - exponents.max())).sum())


def _scaled_values(ys: np.ndarray, times: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    chunk = max(1, 1_000_000 // max(1, times.size))
    out = np.empty(ys.size)
    for start in range(0, ys.size, chunk):
        block = -np.outer(ys[start : start + chunk], times)
        block -= block.max(axis=1, keepdims=True)
        out[start : start + chunk] = (amounts * np.exp(block)).sum(axis=1)
    return out


def _refine(lo: float, hi: float, times: np.ndarray, amounts: np.ndarray) -> float:
    """The root in ``[lo, hi]`` (in ``y = ln(1 + rate)``, signs differ at the ends), as a rate.

    Illinois-weighted regula falsi, with every third step a bisection so the
    bracket is at least halved regularly (plain regula falsi can creep along
    a flat side). The bracket always holds the root; the loop ends when it is
    narrower than 1e-15 relative.
    """
    f_lo, f_hi = _scaled_value(lo, times, amounts), _scaled_value(hi, times, amounts)
    kept = 0
    for step in range(400):
        if hi - lo <= 1e-15 * max(1.0, abs(lo), abs(hi)):
            break
        y = (lo * f_hi - hi * f_lo) / (f_hi - f_lo) if step % 3 != 2 else 0.5 * (lo + hi)
        if not lo < y < hi:
            y = 0.5 * (lo + hi)
        f_y = _scaled_value(y, times, amounts)
        if f_y == 0.0:
            lo = hi = y
            break
        if np.sign(f_y) == np.sign(f_hi):
            hi, f_hi = y, f_y
            if kept == -1:
                f_lo /= 2.0
            kept = -1
        else:
            lo, f_lo = y, f_y
            if kept == 1:
                f_hi /= 2.0
            kept = 1
    with np.errstate(over="ignore"):
        return float(np.expm1(0.5 * (lo + hi)))


def _bracket_unique_root(times: np.ndarray, amounts: np.ndarray, guess: float) -> float | None:
    """The single root, bracketed by widening a window around the guess in ``ln(1 + rate)``.

    Once the window passes ``(1 + rate) ** horizon = exp(+/-SCAN_SPAN)`` the
    root, if any, lies where discount factors leave floating point: -1.0 (the
    nearest float to a total loss) below, infinity above (reported as an error).
    """
    horizon = max(float(times.max()), 1e-12)
    centre = float(np.log1p(guess))
    width = 0.5 / horizon
    f_centre = _scaled_value(centre, times, amounts)
    if f_centre == 0.0:
        return guess
    while True:
        lo, hi = centre - width, centre + width
        f_lo, f_hi = _scaled_value(lo, times, amounts), _scaled_value(hi, times, amounts)
        if np.sign(f_lo) != np.sign(f_centre):
            return _refine(lo, centre, times, amounts)
        if np.sign(f_hi) != np.sign(f_centre):
            return _refine(centre, hi, times, amounts)
        if width * horizon > SCAN_SPAN:
            break
        width *= 2.0
    beyond_low = _scaled_value(-1e300, times, amounts)
    if np.sign(beyond_low) != np.sign(f_centre):
        return -1.0
    beyond_high = _scaled_value(1e300, times, amounts)
    if np.sign(beyond_high) != np.sign(f_centre):
        return float("inf")
    return None


def nearest_root_by_scan(
    times: np.ndarray, amounts: np.ndarray, guess: float, candidate: float | None
) -> float | None:
    """The root nearest to ``guess`` among grid crossings (and ``candidate``), scanning outwards.

    The grid is uniform in ``ln(1 + rate)``; windows around the guess double
    until they hold a root and also cover every rate closer to the guess than
    the best root found, so the usual case costs a few dozen evaluations. A
    crossing whose cell holds ``candidate`` (a root already found) is not
    solved again.
    """
    horizon = max(float(times.max()), 1e-12)
    last = round(2 * SCAN_SPAN / SCAN_STEP)

    def grid(first: int, stop: int) -> np.ndarray:
        return (np.arange(first, stop) * SCAN_STEP - SCAN_SPAN) / horizon

    def signs_at(ys: np.ndarray) -> np.ndarray:
        return np.sign(_scaled_values(ys, times, amounts)) if ys.size else ys

    centre = int(np.clip(round((np.log1p(guess) * horizon + SCAN_SPAN) / SCAN_STEP), 0, last))
    known = [float(candidate)] if candidate is not None and -1.0 <= candidate < np.inf else []
    with np.errstate(divide="ignore"):
        candidate_y = float(np.log1p(known[0])) if known else np.nan
    low = high = centre
    ys = grid(centre, centre + 1)
    signs = signs_at(ys)
    found: dict[int, float] = {}
    half_width = 16
    while True:
        new_low, new_high = max(0, centre - half_width), min(last, centre + half_width)
        left, right = grid(new_low, low), grid(high + 1, new_high + 1)
        ys = np.concatenate([left, ys, right])
        signs = np.concatenate([signs_at(left), signs, signs_at(right)])
        low, high = new_low, new_high
        for i in np.flatnonzero(signs == 0):
            found.setdefault(low + int(i), float(np.expm1(ys[i])))
        for i in np.flatnonzero(signs[:-1] * signs[1:] < 0):
            if low + int(i) not in found:
                inside = ys[i] <= candidate_y <= ys[i + 1]
                found[low + int(i)] = (
                    known[0] if inside else _refine(ys[i], ys[i + 1], times, amounts)
                )
        roots = list(found.values()) + known
        if roots:
            best = min(roots, key=lambda root: (abs(root - guess), root))
            distance = abs(best - guess)
            reach_low = np.log1p(guess - distance) if guess - distance > -1.0 else -np.inf
            covered = (low == 0 or ys[0] <= reach_low) and (
                high == last or ys[-1] >= np.log1p(guess + distance)
            )
            if covered or (low == 0 and high == last):
                return best
        elif low == 0 and high == last:
            return None
        half_width *= 2


def solve_rate(times: np.ndarray, amounts: np.ndarray, guess: float, what: str) -> float:
    """The rate r > -1 with sum(amounts / (1 + r) ** times) = 0.

    ``times`` are non-negative (years for XIRR, periods for IRR). ``what``
    names the measure in error messages ("XIRR", "IRR").

    Raises
    ------
    ValueError
        When the amounts have no positive or no negative value, or no root
        exists above -100%.
    """
    if not (amounts > 0).any():
        raise ValueError(f"amounts: no positive amount, so {what} is undefined")
    if not (amounts < 0).any():
        raise ValueError(f"amounts: no negative amount, so {what} is undefined")
    if not has_sign_change(times, amounts):
        raise ValueError(
            f"amounts: after netting amounts that fall on the same date no sign change is "
            f"left, so {what} is undefined"
        )
    newton_root = _newton(times, amounts, guess)
    if root_count_bound(times, amounts) <= 1:
        root = (
            newton_root if newton_root is not None else _bracket_unique_root(times, amounts, guess)
        )
    elif newton_root is not None and is_nearest_root(newton_root, guess, times, amounts):
        root = newton_root
    else:
        root = nearest_root_by_scan(times, amounts, guess, newton_root)
    if root is None:
        raise ValueError(f"amounts: no {what} found: no rate above -100% gives zero NPV")
    if not np.isfinite(root) or too_large(root, float(times.max())):
        raise ValueError(f"amounts: no {what} found: the rate is too large to represent")
    return root


def too_large(rate: float | np.ndarray, horizon: float | np.ndarray) -> bool | np.ndarray:
    """Whether ``(1 + rate) ** horizon`` passes exp(SCAN_SPAN): discount factors underflow there."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return np.log1p(rate) * horizon > SCAN_SPAN
