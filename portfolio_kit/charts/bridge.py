"""Waterfall charts: how a starting figure became an ending one, step by step.

Used for the NAV bridge (opening NAV, contributions, distributions, value
change, closing NAV) and for the value-creation bridge (entry equity value,
revenue growth, margin expansion, multiple expansion, deleveraging, current
equity value).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import altair as alt
import numpy as np
import pandas as pd

from portfolio_kit.charts._format import format_money, format_multiple
from portfolio_kit.charts._frames import require_columns
from portfolio_kit.charts._theme import MILLIONS_AXIS_FORMAT, colour_scale

_TWO_LINES = (
    "indexof(datum.label, ' ') > 0 ? "
    "[substring(datum.label, 0, indexof(datum.label, ' ')), "
    "substring(datum.label, indexof(datum.label, ' ') + 1)] : datum.label"
)
"""Vega draws an array label as lines: break a label at its first space
("NAV" over "31 Dec 2024", "Revenue" over "growth")."""


def waterfall_layout(steps: pd.DataFrame) -> pd.DataFrame:
    """Where each bar of a waterfall starts and ends.

    Parameters
    ----------
    steps : DataFrame
        One row per bar, in display order, with ``label`` (str), ``amount``
        (float) and ``kind``: ``"total"`` bars stand on zero and reset the
        running level to their amount (an opening or closing figure);
        ``"delta"`` bars float from the running level and move it by their
        amount (positive up, negative down).

    Returns
    -------
    DataFrame with ``label``, ``amount``, ``kind``, ``start``, ``end`` and
    ``direction`` (``Total``, ``Increase`` or ``Decrease``), in the input order.

    Raises
    ------
    ValueError
        Missing columns, no rows, a kind other than total/delta, a NaN amount,
        or a first bar that is a delta (a bridge starts from a total).
    """
    require_columns("steps", steps, ["label", "amount", "kind"])
    kinds = steps["kind"].astype(str).tolist()
    unknown = sorted(set(kinds) - {"total", "delta"})
    if unknown:
        raise ValueError(f"steps: kind must be 'total' or 'delta' (got {', '.join(unknown)})")
    if kinds[0] != "total":
        raise ValueError(
            "steps: the first bar must be a 'total' (the figure the bridge starts from)"
        )
    amounts = pd.to_numeric(steps["amount"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(amounts).all():
        position = int(np.flatnonzero(~np.isfinite(amounts))[0])
        raise ValueError(f"steps: amount at position {position} is missing or not a number")
    starts, ends, directions = [], [], []
    level = 0.0
    for kind, amount in zip(kinds, amounts, strict=True):
        if kind == "total":
            starts.append(0.0)
            ends.append(amount)
            directions.append("Total")
            level = amount
        else:
            starts.append(level)
            level += amount
            ends.append(level)
            directions.append("Increase" if amount >= 0 else "Decrease")
    return pd.DataFrame(
        {
            "label": steps["label"].astype(str).tolist(),
            "amount": amounts,
            "kind": kinds,
            "start": starts,
            "end": ends,
            "direction": directions,
        }
    )


def waterfall(
    steps: pd.DataFrame,
    *,
    value_format: Literal["money", "multiple"] = "money",
    currency: str = "USD",
    title: str = "",
    width: int = 560,
    height: int = 260,
) -> alt.LayerChart:
    """A waterfall chart of ``steps`` (see :func:`waterfall_layout` for the frame).

    Money is plotted in millions of ``currency`` and every bar carries its
    value (``+$12.3m``), because a static chart has no tooltips.
    ``value_format="multiple"`` plots the amounts as they are (``+0.40x``).
    """
    layout = waterfall_layout(steps)
    shown: Callable[[float], str]
    if value_format == "money":
        scale, axis_title, axis_format = 1e6, f"{currency} m", MILLIONS_AXIS_FORMAT
        shown = lambda amount: format_money(amount, currency)  # noqa: E731
    elif value_format == "multiple":
        scale, axis_title, axis_format = 1.0, "multiple", ".1f"
        shown = format_multiple
    else:
        raise ValueError(f"value_format: must be 'money' or 'multiple' (got {value_format!r})")

    def text(amount: float, kind: str) -> str:
        # A step up carries its sign; totals and falls read as printed.
        return shown(amount) if kind == "total" or amount < 0 else f"+{shown(amount)}"

    data = layout.assign(
        low=np.minimum(layout["start"], layout["end"]) / scale,
        high=np.maximum(layout["start"], layout["end"]) / scale,
        text=[text(a, k) for a, k in zip(layout["amount"], layout["kind"], strict=True)],
    )
    order = data["label"].tolist()
    base = alt.Chart(data, title=title or alt.Undefined).encode(
        x=alt.X(
            "label:N",
            sort=order,
            title=None,
            axis=alt.Axis(labelAngle=0, labelLimit=120, labelExpr=_TWO_LINES),
        ),
    )
    bars = base.mark_bar(size=min(56, max(12, width // max(len(order), 1) - 18))).encode(
        y=alt.Y("low:Q", title=axis_title, axis=alt.Axis(format=axis_format)),
        y2="high:Q",
        color=alt.Color(
            "direction:N",
            scale=colour_scale(["Increase", "Decrease", "Total"]),
            legend=None,
        ),
    )
    values = base.mark_text(dy=-7, fontSize=11).encode(y="high:Q", text="text:N")
    return alt.layer(bars, values).properties(width=width, height=height)
