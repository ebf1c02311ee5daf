"""Colours, fonts and axis formats: the house look of every chart.

The same quantity always has the same colour on every page (paid-in capital
is brick, distributions teal, NAV navy), so a partner who has learnt one chart
can read the next. The theme is registered with Altair as ``portfolio_kit``;
:func:`portfolio_kit.charts.to_svg` applies it to each chart it renders, and
:func:`portfolio_kit.charts.enable_offline_rendering` enables it for a
notebook session.
"""

from __future__ import annotations

from typing import Any

import altair as alt

THEME_NAME = "portfolio_kit"

NAVY = "#1f3a5f"
TEAL = "#2a9d8f"
BRICK = "#c8553d"
GOLD = "#e0a526"
SLATE = "#6c7a89"
SKY = "#7fb3d5"
PLUM = "#7d5ba6"
GRID = "#e6e9ee"
INK = "#1d2733"
MUTED = "#5b6776"

PALETTE = [NAVY, TEAL, GOLD, BRICK, SKY, PLUM, SLATE]
"""Categorical colours, in the order series are assigned them."""

SERIES_COLOURS: dict[str, str] = {
    "Paid-in": BRICK,
    "Contributions": BRICK,
    "Distributions": TEAL,
    "NAV": NAVY,
    "Net cash flow": GOLD,
    "Net value": NAVY,
    "Revenue": NAVY,
    "EBITDA": TEAL,
    "Budget revenue": SKY,
    "Equity value": NAVY,
    "Enterprise value": SKY,
    "Increase": TEAL,
    "Decrease": BRICK,
    "Total": NAVY,
}
"""Fixed colours for the quantities that recur across dashboards."""

FONT = "DejaVu Sans, Helvetica Neue, Arial, sans-serif"

MILLIONS_AXIS_FORMAT = ",.0f"
"""Axis labels for amounts already divided by one million (axis titled ``USD m``)."""


def colour_scale(labels: list[str]) -> alt.Scale:
    """A colour scale that gives each known series its fixed colour and the
    rest the palette, in order, so colours do not shift when a series is absent."""
    spare = iter(
        colour
        for colour in PALETTE
        if colour not in {SERIES_COLOURS.get(label) for label in labels}
    )
    colours = [SERIES_COLOURS.get(label) or next(spare, SLATE) for label in labels]
    return alt.Scale(domain=labels, range=colours)


def theme_config() -> dict[str, Any]:
    """The Vega-Lite config behind the ``portfolio_kit`` theme."""
    return {
        "config": {
            "background": "white",
            "font": FONT,
            "padding": {"left": 4, "right": 12, "top": 8, "bottom": 4},
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 260},
            "range": {"category": PALETTE},
            "title": {
                "font": FONT,
                "fontSize": 14,
                "fontWeight": 600,
                "color": INK,
                "anchor": "start",
                "offset": 10,
            },
            "axis": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 11,
                "titleFontSize": 11,
                "titleFontWeight": "normal",
                "labelColor": MUTED,
                "titleColor": MUTED,
                "gridColor": GRID,
                "domainColor": "#c5ccd6",
                "tickColor": "#c5ccd6",
            },
            "axisX": {"grid": False, "labelAngle": 0},
            "legend": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 11,
                "titleFontSize": 11,
                "orient": "top",
                "direction": "horizontal",
                "title": None,
                "symbolType": "square",
            },
            "header": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 12,
                "labelColor": INK,
            },
            "bar": {"cornerRadiusEnd": 1},
            "line": {"strokeWidth": 2.25},
            "point": {"size": 36, "filled": True},
            "text": {"font": FONT, "fontSize": 11, "color": INK},
        }
    }


_registered = False


def register_theme() -> None:
    """Register the ``portfolio_kit`` theme with Altair (idempotent; does not enable it).

    Altair's registry scans installed entry points on every ``names()`` call
    (tens of milliseconds), so registration is remembered here instead.
    """
    global _registered
    if not _registered:
        alt.theme.register(THEME_NAME, enable=False)(theme_config)
        _registered = True
