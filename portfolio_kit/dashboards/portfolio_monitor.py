"""Portfolio monitor: every company the viewer's funds hold, its latest figures and its flags.

The page itself lives in ``_portfolio_monitor``; this module is what the notebook
imports, and it imports nothing heavy (pandas, Altair, the chart engine), so
a preheated kernel that waits for its request stays small (see
``_warm.warm_up`` and docs/dashboards.md, "Kernel memory"). Every public name
of the page module is reachable here too (``portfolio_monitor.build``, ``from ... import
load_fund``): they are loaded on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

KEY = "portfolio_monitor"
TITLE = "Portfolio monitor"


def show() -> Any:
    """Wait for this kernel's request (a preheated kernel), then load the
    page module and draw the page for whoever asked."""
    from portfolio_kit.dashboards.access import await_request

    await_request()
    return import_module("portfolio_kit.dashboards._portfolio_monitor").show()


def warm_up() -> None:
    """Do the cheap first-time work before a request arrives (``_warm.warm_up``)."""
    from portfolio_kit.dashboards._warm import warm_up as _warm_up

    _warm_up()


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(import_module("portfolio_kit.dashboards._portfolio_monitor"), name)
