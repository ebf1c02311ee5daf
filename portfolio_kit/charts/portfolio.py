"""Portfolio charts: every holding on one picture."""

from __future__ import annotations

import altair as alt
import pandas as pd

from portfolio_kit.charts._format import format_multiple
from portfolio_kit.charts._frames import require_columns
from portfolio_kit.charts._theme import BRICK, NAVY, TEAL


def moic_by_company(
    holdings: pd.DataFrame,
    *,
    title: str = "Gross MOIC by company",
    width: int = 520,
    bar_height: int = 18,
) -> alt.LayerChart:
    """Horizontal bars of each company's gross multiple of invested capital,
    best first, with a rule at 1.0x (money back) and the multiple written on
    each bar.

    Parameters
    ----------
    holdings : DataFrame
        ``company`` (name) and ``moic`` (a multiple: 1.85 is 1.85x); rows with
        a missing MOIC are left out.

    Raises
    ------
    ValueError
        Missing columns, no rows, or no company with a MOIC.
    """
    require_columns("holdings", holdings, ["company", "moic"])
    data = pd.DataFrame(
        {
            "company": holdings["company"].astype(str),
            "moic": pd.to_numeric(holdings["moic"], errors="coerce"),
        }
    ).dropna(subset=["moic"])
    if data.empty:
        raise ValueError("holdings: no company has a MOIC to chart")
    data = data.sort_values("moic", ascending=False, kind="stable")
    data["text"] = [format_multiple(value) for value in data["moic"]]
    data["band"] = ["Below cost" if value < 1 else "At or above cost" for value in data["moic"]]
    order = data["company"].tolist()
    y = alt.Y("company:N", sort=order, title=None, axis=alt.Axis(labelLimit=190))
    bars = (
        alt.Chart(data)
        .mark_bar(height=max(8, bar_height - 5))
        .encode(
            y=y,
            x=alt.X(
                "moic:Q",
                title="gross MOIC",
                axis=alt.Axis(format=".1f", labelExpr="datum.label + 'x'"),
            ),
            color=alt.Color(
                "band:N",
                scale=alt.Scale(domain=["At or above cost", "Below cost"], range=[TEAL, BRICK]),
                legend=None,
            ),
        )
    )
    values = alt.Chart(data).mark_text(align="left", dx=4).encode(y=y, x="moic:Q", text="text:N")
    cost = (
        alt.Chart(pd.DataFrame({"one": [1.0]}))
        .mark_rule(color=NAVY, strokeDash=[4, 3])
        .encode(x="one:Q")
    )
    return alt.layer(bars, values, cost, title=title or alt.Undefined).properties(
        width=width, height=bar_height * len(data)
    )
