"""Altair chart builders shared by the partner dashboards and the analyst notebooks.

Every builder takes plain DataFrames (or numbers) and returns an Altair chart;
none touches the database or computes a return. One theme gives every chart
the same colours and number formats, and :func:`to_svg` draws a chart with
no network at all (see ``_render`` for why static SVG is the default).

In a notebook::

    from portfolio_kit import charts
    charts.enable_offline_rendering()
    charts.j_curve(quarters)
"""

from portfolio_kit.charts._format import (
    NOT_AVAILABLE,
    currency_prefix,
    format_date,
    format_money,
    format_multiple,
    format_number,
    format_pct,
    format_quarter,
)
from portfolio_kit.charts._render import enable_offline_rendering, to_svg, warm_up
from portfolio_kit.charts._theme import PALETTE, SERIES_COLOURS, THEME_NAME, register_theme
from portfolio_kit.charts.bridge import waterfall, waterfall_layout
from portfolio_kit.charts.company import financial_trends, kpi_lines, valuation_history
from portfolio_kit.charts.portfolio import moic_by_company
from portfolio_kit.charts.returns import cash_flows_by_quarter, j_curve, nav_bridge

__all__ = [
    "NOT_AVAILABLE",
    "PALETTE",
    "SERIES_COLOURS",
    "THEME_NAME",
    "cash_flows_by_quarter",
    "currency_prefix",
    "enable_offline_rendering",
    "financial_trends",
    "format_date",
    "format_money",
    "format_multiple",
    "format_number",
    "format_pct",
    "format_quarter",
    "j_curve",
    "kpi_lines",
    "moic_by_company",
    "nav_bridge",
    "register_theme",
    "to_svg",
    "valuation_history",
    "warm_up",
    "waterfall",
    "waterfall_layout",
]
