"""Value-creation bridge: where a deal's equity gain came from.

Equity value is ``revenue * EBITDA margin * EV/EBITDA multiple - net debt``.
Between entry and exit (or the latest valuation) the gain to shareholders,
``exit equity - entry equity + interim distributions``, splits into:

* revenue growth, margin expansion and multiple expansion: the change in
  enterprise value, divided among the three drivers;
* deleveraging: the fall in net debt (``entry net debt - exit net debt``);
* distributions: dividends and recaps paid out during the hold.

The three drivers multiply, so part of the EV change is a cross term that
belongs to no single driver. The default rule is the Shapley value (the
symmetric average over every order in which the drivers could be changed):
it does not depend on an arbitrary ordering, gives a driver that did not move
exactly zero, and shares each cross term equally among the drivers that made
it. For a product of three factors it has a closed form; for revenue::

    revenue_growth = dR * ((m0*x0 + m1*x1) / 3 + (m0*x1 + m1*x0) / 6)

and likewise for margin (dm, with R and x) and multiple (dx, with R and m).
The parts add up to the total (to rounding). ``method="sequential"`` gives
the common "revenue first" waterfall instead: ``dR*m0*x0``, then
``R1*dm*x0``, then ``R1*m1*dx``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from portfolio_kit.analytics import _assumptions as check

BRIDGE_PARTS = (
    "revenue_growth",
    "margin_expansion",
    "multiple_expansion",
    "deleveraging",
    "distributions",
)


@dataclass(frozen=True)
class BridgePoint:
    """A company at one date: revenue and EBITDA (LTM), enterprise value and net debt (100%)."""

    revenue: float
    ebitda: float
    enterprise_value: float
    net_debt: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "revenue", check.positive("revenue", self.revenue))
        object.__setattr__(self, "ebitda", check.positive("ebitda", self.ebitda))
        object.__setattr__(
            self, "enterprise_value", check.number("enterprise_value", self.enterprise_value)
        )
        object.__setattr__(self, "net_debt", check.number("net_debt", self.net_debt))

    @property
    def margin(self) -> float:
        return self.ebitda / self.revenue

    @property
    def multiple(self) -> float:
        return self.enterprise_value / self.ebitda

    @property
    def equity_value(self) -> float:
        return self.enterprise_value - self.net_debt

    def to_dict(self) -> dict[str, Any]:
        return check.to_plain(self)


@dataclass(frozen=True)
class ValueBridge:
    """The parts of the equity gain, scaled by ownership; they sum to ``total``."""

    revenue_growth: float
    margin_expansion: float
    multiple_expansion: float
    deleveraging: float
    distributions: float
    total: float
    entry_equity_value: float
    exit_equity_value: float

    def to_series(self) -> pd.Series:
        return pd.Series(
            {part: getattr(self, part) for part in (*BRIDGE_PARTS, "total")}, name="value_bridge"
        )

    def to_dict(self) -> dict[str, Any]:
        return check.to_plain(self)


def value_creation_bridge(
    entry: BridgePoint,
    exit: BridgePoint,
    distributions: float = 0.0,
    ownership: float = 1.0,
    method: str = "shapley",
) -> ValueBridge:
    """Split the equity gain from ``entry`` to ``exit`` into its drivers (see the module docstring).

    Parameters
    ----------
    entry, exit : BridgePoint
        Revenue and EBITDA must be positive (a multiple of negative EBITDA is meaningless).
    distributions : float
        Paid to all shareholders during the hold (100% basis).
    ownership : float
        The fund's share of the equity, in (0, 1]; every part is scaled by it.
    method : {"shapley", "sequential"}

    Raises
    ------
    ValueError
        Non-positive revenue or EBITDA, ownership outside (0, 1], unknown method.
    """
    if not isinstance(entry, BridgePoint) or not isinstance(exit, BridgePoint):
        raise ValueError("entry: entry and exit must be BridgePoint instances")
    share = check.fraction("ownership", ownership)
    if share == 0:
        raise ValueError("ownership: must be above 0")
    paid_out = check.number("distributions", distributions)
    r0, m0, x0 = entry.revenue, entry.margin, entry.multiple
    r1, m1, x1 = exit.revenue, exit.margin, exit.multiple
    dr, dm, dx = r1 - r0, m1 - m0, x1 - x0
    if method == "shapley":
        revenue = dr * ((m0 * x0 + m1 * x1) / 3 + (m0 * x1 + m1 * x0) / 6)
        margin = dm * ((r0 * x0 + r1 * x1) / 3 + (r0 * x1 + r1 * x0) / 6)
        multiple = dx * ((r0 * m0 + r1 * m1) / 3 + (r0 * m1 + r1 * m0) / 6)
    elif method == "sequential":
        revenue = dr * m0 * x0
        margin = r1 * dm * x0
        multiple = r1 * m1 * dx
    else:
        raise ValueError(f"method: must be 'shapley' or 'sequential', got {method!r}")
    deleveraging = entry.net_debt - exit.net_debt
    total = exit.equity_value - entry.equity_value + paid_out
    return ValueBridge(
        revenue_growth=share * revenue,
        margin_expansion=share * margin,
        multiple_expansion=share * multiple,
        deleveraging=share * deleveraging,
        distributions=share * paid_out,
        total=share * total,
        entry_equity_value=share * entry.equity_value,
        exit_equity_value=share * exit.equity_value,
    )
