"""The partner dashboards: which notebooks exist and what each one is for.

Shared by the server (its home page lists them) and the pages themselves
(their navigation bar links to each other, through
``portfolio_kit.dashboards.catalog``). It lives with the server because the
dashboards sit above the server in the layers (they verify the sessions it
signs), so the server may not import them. Deliberately free of heavy
imports so the server can read it without loading pandas or widgets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DashboardPage:
    key: str
    notebook: str
    title: str
    description: str

    def url(self, base_url: str = "/") -> str:
        """The page's address on a Voila server mounted at ``base_url``."""
        base = base_url if base_url.endswith("/") else base_url + "/"
        return f"{base}voila/render/{self.notebook}"


DASHBOARDS: tuple[DashboardPage, ...] = (
    DashboardPage(
        "fund_overview",
        "fund_overview.ipynb",
        "Fund overview",
        "Commitments, paid-in, distributions, NAV, multiples, net IRR and PME; "
        "the J-curve, quarterly cash flows, the NAV bridge and the schedule of investments.",
    ),
    DashboardPage(
        "portfolio_monitor",
        "portfolio_monitor.ipynb",
        "Portfolio monitor",
        "Every company's latest LTM revenue and EBITDA, growth, margin, leverage, valuation "
        "and MOIC, with the flags an investment committee asks about.",
    ),
    DashboardPage(
        "company_tear_sheet",
        "company_tear_sheet.ipynb",
        "Company tear sheet",
        "One company: financial trends, KPIs, valuation history, the value-creation bridge, "
        "due diligence and value-creation initiatives.",
    ),
)


def dashboard(key: str) -> DashboardPage:
    """The page registered under ``key``; ``KeyError`` names the known keys."""
    for page in DASHBOARDS:
        if page.key == key:
            return page
    known = ", ".join(page.key for page in DASHBOARDS)
    raise KeyError(f"no dashboard {key!r} (known: {known})")
