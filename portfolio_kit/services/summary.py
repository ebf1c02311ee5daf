"""A short text summary of what the database holds: the funds and how they are doing."""

from __future__ import annotations

import pandas as pd

from portfolio_kit.db import Database


def fund_summary_frame(database: Database) -> pd.DataFrame:
    """One row per fund: commitments, paid-in, distributions, NAV, multiples, net IRR.

    Each fund's NAV is its latest reported one and the IRR treats it as a
    final inflow on its date, as fund administrators report net IRR.
    """
    from portfolio_kit import analytics, frames

    funds = frames.funds(database)
    flows = frames.fund_cash_flows(database)
    navs = frames.fund_navs(database)
    investments = frames.investments(database)
    rows = []
    for fund in funds.itertuples():
        fund_flows = flows[flows["fund_id"] == fund.fund_id]
        fund_navs = navs[navs["fund_id"] == fund.fund_id].sort_values("as_of")
        paid_in = -fund_flows.loc[fund_flows["amount"] < 0, "amount"].sum()
        distributed = fund_flows.loc[fund_flows["amount"] > 0, "amount"].sum()
        nav = float(fund_navs["nav"].iloc[-1]) if len(fund_navs) else 0.0
        nav_date = fund_navs["as_of"].iloc[-1] if len(fund_navs) else None
        held = investments[investments["fund_id"] == fund.fund_id]
        net_irr = float("nan")
        if paid_in > 0 and nav_date is not None:
            dates = [*fund_flows["date"], nav_date]
            amounts = [*fund_flows["amount"], nav]
            try:
                net_irr = analytics.xirr(dates, amounts)
            except ValueError:
                net_irr = float("nan")
        rows.append(
            {
                "fund": fund.name,
                "vintage": fund.vintage_year,
                "commitments": float(fund.total_commitments),
                "paid_in": float(paid_in),
                "distributed": float(distributed),
                "nav": nav,
                "tvpi": analytics.tvpi(paid_in, distributed, nav) if paid_in > 0 else float("nan"),
                "dpi": analytics.dpi(paid_in, distributed, nav) if paid_in > 0 else float("nan"),
                "net_irr": net_irr,
                "companies": int(len(held)),
                "realized": int(held["exit_date"].notna().sum()),
            }
        )
    return pd.DataFrame(rows)


def portfolio_summary(database: Database) -> str:
    """The funds as a small text table (amounts in millions)."""
    table = fund_summary_frame(database)
    if table.empty:
        return "no funds yet: add one with the analyst forms, or load the demo with `portfolio-kit demo`"
    lines = [
        f"{'fund':<28}{'vintage':>8}{'commit':>9}{'paid-in':>9}{'dist':>9}{'NAV':>9}{'TVPI':>7}{'DPI':>7}{'net IRR':>9}{'cos':>5}",
    ]
    for row in table.itertuples():
        irr = "n/a" if pd.isna(row.net_irr) else f"{row.net_irr:.1%}"
        lines.append(
            f"{row.fund:<28}{row.vintage:>8}{row.commitments / 1e6:>9,.0f}{row.paid_in / 1e6:>9,.0f}"
            f"{row.distributed / 1e6:>9,.0f}{row.nav / 1e6:>9,.0f}{row.tvpi:>6.2f}x{row.dpi:>6.2f}x"
            f"{irr:>9}{row.companies:>5}"
        )
    lines.append("amounts in millions; NAV as last reported; net IRR with the NAV as a final inflow")
    return "\n".join(lines)
