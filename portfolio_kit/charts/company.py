"""Company charts: financial trends, KPI small multiples and valuation history."""

from __future__ import annotations

import altair as alt
import pandas as pd

from portfolio_kit.charts._frames import iso_dates, millions, require_columns
from portfolio_kit.charts._theme import MILLIONS_AXIS_FORMAT, NAVY, colour_scale


def _time_axis(field: str) -> alt.X:
    return alt.X(
        f"{field}:T",
        title=None,
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%Y", labelAngle=0, tickCount="year"),
    )


def financial_trends(
    series: pd.DataFrame,
    *,
    currency: str = "USD",
    title: str = "LTM revenue and EBITDA",
    width: int = 560,
    height: int = 240,
) -> alt.Chart:
    """Lines of financial series over time (LTM revenue, LTM EBITDA, budget...).

    Parameters
    ----------
    series : DataFrame
        Long format: ``period_end`` (date), ``series`` (label such as
        ``"Revenue"``, ``"EBITDA"``, ``"Budget revenue"``; known labels keep
        their house colours) and ``value`` in ``currency`` units, plotted in
        millions. Rows with a missing value are left out.

    Raises
    ------
    ValueError
        Missing columns, no rows, unreadable dates or non-numeric values.
    """
    require_columns("series", series, ["period_end", "series", "value"])
    data = pd.DataFrame(
        {
            "date": iso_dates(series["period_end"], "series.period_end"),
            "series": series["series"].astype(str),
            "value": millions(series["value"], "series.value"),
        }
    ).dropna(subset=["value"])
    labels = list(dict.fromkeys(data["series"]))
    return (
        alt.Chart(data, title=title or alt.Undefined)
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x=_time_axis("date"),
            y=alt.Y("value:Q", title=f"{currency} m", axis=alt.Axis(format=MILLIONS_AXIS_FORMAT)),
            color=alt.Color("series:N", scale=colour_scale(labels), sort=labels),
            strokeDash=alt.condition(
                alt.datum.series == "Budget revenue", alt.value([5, 3]), alt.value([1, 0])
            ),
        )
        .properties(width=width, height=height)
    )


_UNIT_FORMATS = {
    "currency": ",.1f",
    "percent": ".0%",
    "count": ",.0f",
    "months": ",.1f",
    "ratio": ",.2f",
}


def kpi_lines(
    kpis: pd.DataFrame,
    *,
    currency: str = "USD",
    columns: int = 3,
    panel_width: int = 190,
    panel_height: int = 120,
    title: str = "Operating KPIs",
) -> alt.ConcatChart:
    """Small multiples, one panel per KPI, each with its own axis and units.

    Parameters
    ----------
    kpis : DataFrame
        ``period_end`` (date), ``label`` (the KPI's name as shown), ``value``
        and ``unit`` (``currency`` amounts are plotted in millions of
        ``currency``; ``percent`` values are fractions and shown as %).
    columns : int
        Panels per row.

    Raises
    ------
    ValueError
        Missing columns, no rows, unreadable dates or non-numeric values.
    """
    require_columns("kpis", kpis, ["period_end", "label", "value", "unit"])
    data = pd.DataFrame(
        {
            "date": iso_dates(kpis["period_end"], "kpis.period_end"),
            "label": kpis["label"].astype(str),
            "value": pd.to_numeric(kpis["value"], errors="coerce"),
            "unit": kpis["unit"].astype(str),
        }
    ).dropna(subset=["value"])
    panels = []
    for label, rows in data.groupby("label", sort=False):
        unit = rows["unit"].iloc[0]
        values = rows["value"] / 1e6 if unit == "currency" else rows["value"]
        axis_title = f"{currency} m" if unit == "currency" else None
        panel = (
            alt.Chart(rows.assign(value=values), title=alt.Title(str(label), fontSize=12))
            .mark_line(color=NAVY, point=alt.OverlayMarkDef(size=12, color=NAVY))
            .encode(
                x=alt.X(
                    "date:T",
                    title=None,
                    scale=alt.Scale(type="utc"),
                    axis=alt.Axis(format="%Y", tickCount=3),
                ),
                y=alt.Y(
                    "value:Q",
                    title=axis_title,
                    axis=alt.Axis(format=_UNIT_FORMATS.get(unit, ",.2f"), tickCount=4),
                    scale=alt.Scale(zero=unit in ("count", "currency")),
                ),
            )
            .properties(width=panel_width, height=panel_height)
        )
        panels.append(panel)
    return alt.concat(*panels, columns=columns, title=title or alt.Undefined)


def valuation_history(
    marks: pd.DataFrame,
    *,
    currency: str = "USD",
    title: str = "Valuation history",
    width: int = 560,
    height: int = 240,
) -> alt.Chart:
    """Enterprise and equity value of 100% of the company at each mark.

    Parameters
    ----------
    marks : DataFrame
        ``valuation_date``, ``equity_value`` and optionally
        ``enterprise_value`` (missing values are skipped), in ``currency``
        units, plotted in millions.

    Raises
    ------
    ValueError
        Missing columns, no rows, unreadable dates or non-numeric values.
    """
    require_columns("marks", marks, ["valuation_date", "equity_value"])
    dates = iso_dates(marks["valuation_date"], "marks.valuation_date")
    parts = [
        pd.DataFrame(
            {
                "date": dates,
                "series": "Equity value",
                "value": millions(marks["equity_value"], "marks.equity_value"),
            }
        )
    ]
    if "enterprise_value" in marks.columns:
        parts.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "series": "Enterprise value",
                    "value": millions(marks["enterprise_value"], "marks.enterprise_value"),
                }
            )
        )
    data = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    labels = ["Enterprise value", "Equity value"] if len(parts) == 2 else ["Equity value"]
    return (
        alt.Chart(data, title=title or alt.Undefined)
        .mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=14))
        .encode(
            x=_time_axis("date"),
            y=alt.Y("value:Q", title=f"{currency} m", axis=alt.Axis(format=MILLIONS_AXIS_FORMAT)),
            color=alt.Color("series:N", scale=colour_scale(labels), sort=labels),
        )
        .properties(width=width, height=height)
    )
