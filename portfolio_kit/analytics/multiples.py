"""Fund and deal multiples: TVPI, DPI, RVPI, paid-in to committed, MOIC.

Inputs are positive magnitudes, not signed cash flows: ``contributions=100``
means 100 was paid in. Each amount argument takes a scalar or an array-like
(summed), so a caller can pass either totals or the individual flows.
Multiples are plain ratios ("1.85" means 1.85x); NAV and amounts share one
currency.
"""

from __future__ import annotations

from typing import Any

from portfolio_kit.analytics._validation import as_magnitude_total, as_scalar


def _paid_in(contributions: Any) -> float:
    total = as_magnitude_total("contributions", contributions)
    if total == 0.0:
        raise ValueError("contributions: total is zero, so the multiple is undefined")
    return total


def _nav(nav: Any) -> float:
    value = as_scalar("nav", nav)
    if value < 0:
        raise ValueError(f"nav: must not be negative, got {value}")
    return value


def dpi(contributions: Any, distributions: Any, nav: Any = 0.0) -> float:
    """Distributed to paid-in: ``sum(distributions) / sum(contributions)``.

    ``nav`` is accepted (and checked) so that the three fund multiples share
    one signature, but it does not enter DPI.

    Raises
    ------
    ValueError
        Negative or non-finite amounts, zero total contributions, negative NAV.
    """
    paid_in = _paid_in(contributions)
    _nav(nav)
    return as_magnitude_total("distributions", distributions) / paid_in


def rvpi(contributions: Any, distributions: Any, nav: Any) -> float:
    """Residual value to paid-in: ``nav / sum(contributions)``.

    ``distributions`` is checked but does not enter RVPI (shared signature).

    Raises
    ------
    ValueError
        As :func:`dpi`.
    """
    paid_in = _paid_in(contributions)
    as_magnitude_total("distributions", distributions)
    return _nav(nav) / paid_in


def tvpi(contributions: Any, distributions: Any, nav: Any = 0.0) -> float:
    """Total value to paid-in: ``(sum(distributions) + nav) / sum(contributions)`` = DPI + RVPI.

    Raises
    ------
    ValueError
        As :func:`dpi`.
    """
    paid_in = _paid_in(contributions)
    return (as_magnitude_total("distributions", distributions) + _nav(nav)) / paid_in


def paid_in_to_committed(contributions: Any, commitment: float) -> float:
    """Share of the commitment called so far: ``sum(contributions) / commitment``.

    Raises
    ------
    ValueError
        Negative or non-finite contributions; a commitment that is not positive.
    """
    called = as_magnitude_total("contributions", contributions)
    committed = as_scalar("commitment", commitment)
    if committed <= 0:
        raise ValueError(f"commitment: must be positive, got {committed}")
    return called / committed


def moic(invested: Any, realized: Any = 0.0, unrealized: Any = 0.0) -> float:
    """Deal-level multiple on invested capital: ``(realized + unrealized) / invested``.

    ``realized`` is what came back (sale proceeds, dividends, interest);
    ``unrealized`` is the current fair value of what is still held.

    Raises
    ------
    ValueError
        Negative or non-finite amounts; nothing invested.
    """
    cost = as_magnitude_total("invested", invested)
    if cost == 0.0:
        raise ValueError("invested: total is zero, so MOIC is undefined")
    returned = as_magnitude_total("realized", realized)
    held = as_magnitude_total("unrealized", unrealized)
    return (returned + held) / cost
