"""The list of dashboards, kept importable here for the pages and notebooks.

The catalog itself lives in ``portfolio_kit.server.catalog``: the server
(below the dashboards in the layers, see ``pyproject.toml``) lists the pages
on its home page, and must not import the dashboards package to do so.
"""

from __future__ import annotations

from portfolio_kit.server.catalog import DASHBOARDS, DashboardPage, dashboard

__all__ = ["DASHBOARDS", "DashboardPage", "dashboard"]
