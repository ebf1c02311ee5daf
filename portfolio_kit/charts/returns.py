"""Fund return charts: the J-curve, cash flows by quarter and the NAV bridge.

The builders take the quarterly frame of
:func:`portfolio_kit.analytics.returns.j_curve` (a ``quarter_end`` column or
index, ``contributions`` and ``distributions`` as positive magnitudes,
``cumulative_net_cash_flow`` and ``nav``), so a chart never re-derives a
figure the analytics already computed. Amounts are in currency units and are
plotted in millions.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from portfolio_kit.charts._format import format_money
from portfolio_kit.charts._frames import iso_dates, millions, require_columns
from portfolio_kit.charts._theme import MILLIONS_AXIS_FORMAT, colour_scale
from portfolio_kit.charts.bridge import waterfall


def _with_quarter_column(frame: pd.DataFrame) -> pd.DataFrame:
    if (
        isinstance(frame, pd.DataFrame)
        and "quarter_end" not in frame.columns
        and frame.index.name == "quarter_end"
    ):
        return frame.reset_index()
    return frame


def _time_axis(field: str, title: str | None = None) -> alt.X:
    return alt.X(
        f"{field}:T",
        title=title,
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%Y", labelAngle=0, tickCount="year"),
    )


def j_curve(
    quarters: pd.DataFrame,
    *,
    currency: str = "USD",
    title: str = "J-curve: cumulative net cash flow and net value",
    width: int = 560,
    height: int = 260,
) -> alt.LayerChart:
    """The fund's J-curve, quarter by quarter.

    Two lines from the LP's side: cumulative net cash flow (distributions
    minus contributions to date, the classic J) and net value (the same plus
    the NAV held, i.e. total value minus paid-in), with a zero line. Quarters
    before the first reported NAV show no net value.

    Parameters
    ----------
    quarters : DataFrame
        ``quarter_end`` (column or index), ``cumulative_net_cash_flow`` and
        ``nav`` in ``currency`` units, as from ``analytics.returns.j_curve``.

    Raises
    ------
    ValueError
        Missing columns, no rows, unreadable dates or non-numeric amounts.
    """
    quarters = _with_quarter_column(quarters)
    require_columns("quarters", quarters, ["quarter_end", "cumulative_net_cash_flow", "nav"])
    cumulative = millions(quarters["cumulative_net_cash_flow"], "quarters.cumulative_net_cash_flow")
    net_value = cumulative + millions(quarters["nav"], "quarters.nav")
    dates = iso_dates(quarters["quarter_end"], "quarters.quarter_end")
    long = pd.concat(
        [
            pd.DataFrame({"date": dates, "series": "Net cash flow", "value": cumulative}),
            pd.DataFrame({"date": dates, "series": "Net value", "value": net_value}),
        ],
        ignore_index=True,
    ).dropna(subset=["value"])
    series = ["Net cash flow", "Net value"]
    lines = (
        alt.Chart(long, title=title or alt.Undefined)
        .mark_line()
        .encode(
            x=_time_axis("date"),
            y=alt.Y("value:Q", title=f"{currency} m", axis=alt.Axis(format=MILLIONS_AXIS_FORMAT)),
            color=alt.Color("series:N", scale=colour_scale(series), sort=series),
        )
    )
    zero = (
        alt.Chart(pd.DataFrame({"zero": [0.0]}))
        .mark_rule(color="#9aa5b1", strokeDash=[4, 3])
        .encode(y="zero:Q")
    )
    return alt.layer(zero, lines).properties(width=width, height=height)


def cash_flows_by_quarter(
    quarters: pd.DataFrame,
    *,
    currency: str = "USD",
    title: str = "Cash flows by quarter",
    width: int = 560,
    height: int = 240,
) -> alt.Chart:
    """Contributions (below zero) and distributions (above zero) in each quarter.

    Parameters
    ----------
    quarters : DataFrame
        ``quarter_end`` (column or index), ``contributions`` and
        ``distributions`` as positive magnitudes in ``currency`` units.

    Raises
    ------
    ValueError
        Missing columns, no rows, unreadable dates or non-numeric amounts.
    """
    quarters = _with_quarter_column(quarters)
    require_columns("quarters", quarters, ["quarter_end", "contributions", "distributions"])
    dates = iso_dates(quarters["quarter_end"], "quarters.quarter_end")
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "date": dates,
                    "series": "Contributions",
                    "value": -millions(quarters["contributions"], "quarters.contributions").abs(),
                }
            ),
            pd.DataFrame(
                {
                    "date": dates,
                    "series": "Distributions",
                    "value": millions(quarters["distributions"], "quarters.distributions").abs(),
                }
            ),
        ],
        ignore_index=True,
    )
    long = long[long["value"] != 0]
    series = ["Contributions", "Distributions"]
    return (
        alt.Chart(long, title=title or alt.Undefined)
        .mark_bar()
        .encode(
            x=alt.X(
                "utcyearquarter(date):T",
                title=None,
                axis=alt.Axis(format="%Y", labelAngle=0, tickCount="year"),
            ),
            y=alt.Y("value:Q", title=f"{currency} m", axis=alt.Axis(format=MILLIONS_AXIS_FORMAT)),
            color=alt.Color("series:N", scale=colour_scale(series), sort=series),
        )
        .properties(width=width, height=height)
    )


def nav_bridge(
    opening_nav: float,
    contributions: float,
    distributions: float,
    closing_nav: float,
    *,
    opening_label: str = "Opening NAV",
    closing_label: str = "Closing NAV",
    currency: str = "USD",
    title: str = "NAV bridge",
    width: int = 560,
    height: int = 260,
) -> alt.LayerChart:
    """How NAV moved over a period: opening NAV, plus contributions, minus
    distributions, plus the change in value, to the closing NAV.

    The value change is the residual that closes the bridge
    (``closing - opening - contributions + distributions``), which is how a
    fund's statement of changes in net assets defines it.

    Parameters
    ----------
    opening_nav, closing_nav : float
        NAVs at the start and end of the period, in ``currency`` units.
    contributions, distributions : float
        Paid in and paid out during the period, as positive magnitudes.
    opening_label, closing_label : str
        Bar labels, e.g. ``"NAV 31 Dec 2024"``.

    Raises
    ------
    ValueError
        A missing (NaN) amount, or negative contributions or distributions.
    """
    amounts = {
        "opening_nav": opening_nav,
        "contributions": contributions,
        "distributions": distributions,
        "closing_nav": closing_nav,
    }
    for name, amount in amounts.items():
        if amount is None or pd.isna(amount):
            raise ValueError(f"{name}: is missing, so the NAV bridge cannot be drawn")
    if contributions < 0 or distributions < 0:
        raise ValueError(
            "contributions, distributions: pass positive magnitudes "
            f"(got {format_money(contributions, currency)}, "
            f"{format_money(distributions, currency)})"
        )
    value_change = closing_nav - opening_nav - contributions + distributions
    steps = pd.DataFrame(
        {
            "label": [
                opening_label,
                "Contributions",
                "Distributions",
                "Value change",
                closing_label,
            ],
            "amount": [opening_nav, contributions, -distributions, value_change, closing_nav],
            "kind": ["total", "delta", "delta", "delta", "total"],
        }
    )
    return waterfall(steps, currency=currency, title=title, width=width, height=height)
