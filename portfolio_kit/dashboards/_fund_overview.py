"""Fund overview: one fund's headline figures, J-curve, cash flows, NAV bridge and investments.

Everything is as of the fund's latest reported NAV (a quarter end): flows
after it are left out, so paid-in, distributions, NAV and the returns refer
to the same date. Sign convention on the LP's side: contributions (capital
calls, fees, expenses) are paid in, distributions paid out; the multiples
are ILPA's TVPI, DPI and RVPI; net IRR is annual, ACT/365, with the NAV as a
final inflow on the as-of date; PME is Kaplan-Schoar's against the stored
benchmark index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

import ipywidgets as widgets
import pandas as pd

from portfolio_kit import analytics, charts, frames
from portfolio_kit.dashboards import _components as ui
from portfolio_kit.dashboards._data import (
    NO_FUNDS,
    as_date,
    benchmark_levels,
    chosen_fund,
    finite_or_nan,
    visible_funds,
)
from portfolio_kit.dashboards._page import Page, guarded, message_page, render, shell
from portfolio_kit.dashboards.access import DashboardContext, NotAvailable
from portfolio_kit.periods import add_months

KEY = "fund_overview"
TITLE = "Fund overview"


@dataclass(frozen=True, slots=True)
class FundHeadline:
    """The headline figures of one fund as of ``as_of`` (amounts in ``currency``)."""

    fund_id: int
    name: str
    currency: str
    as_of: date | None
    commitments: float
    paid_in: float
    distributions: float
    nav: float
    tvpi: float
    dpi: float
    rvpi: float
    net_irr: float
    ks_pme: float
    direct_alpha: float
    benchmark: str | None

    def tiles(self) -> list[ui.Tile]:
        money = lambda value: charts.format_money(value, self.currency)  # noqa: E731
        called = self.paid_in / self.commitments if self.commitments > 0 else float("nan")
        pme_note = f"KS-PME vs {self.benchmark}" if self.benchmark else "no benchmark index stored"
        return [
            ui.Tile("commitments", "Commitments", money(self.commitments)),
            ui.Tile(
                "paid_in",
                "Paid-in",
                money(self.paid_in),
                f"{charts.format_pct(called, decimals=0)} called",
            ),
            ui.Tile("distributions", "Distributions", money(self.distributions)),
            ui.Tile(
                "nav", "NAV", money(self.nav), charts.format_date(self.as_of) if self.as_of else ""
            ),
            ui.Tile("tvpi", "TVPI", charts.format_multiple(self.tvpi)),
            ui.Tile("dpi", "DPI", charts.format_multiple(self.dpi)),
            ui.Tile("rvpi", "RVPI", charts.format_multiple(self.rvpi)),
            ui.Tile("net_irr", "Net IRR", charts.format_pct(self.net_irr)),
            ui.Tile("pme", "PME", charts.format_number(self.ks_pme, decimals=2), pme_note),
        ]

    def summary(self) -> str:
        as_of = charts.format_date(self.as_of) if self.as_of else "no NAV yet"
        return (
            f"{TITLE}: {self.name}, as of {as_of}: "
            f"paid-in {charts.format_money(self.paid_in, self.currency)}, "
            f"NAV {charts.format_money(self.nav, self.currency)}, "
            f"TVPI {charts.format_multiple(self.tvpi)}, "
            f"DPI {charts.format_multiple(self.dpi)}, net IRR {charts.format_pct(self.net_irr)}, "
            f"KS-PME {charts.format_number(self.ks_pme, decimals=2)}"
        )


@dataclass(frozen=True, slots=True)
class FundData:
    """What the page draws for one fund."""

    headline: FundHeadline
    fund: pd.Series
    flows: pd.DataFrame
    navs: pd.DataFrame
    quarters: pd.DataFrame | None
    schedule: pd.DataFrame
    totals: dict[str, float]


def _safe(compute, *args, **kwargs) -> float:  # type: ignore[no-untyped-def]
    """A figure that is undefined for this fund (no distributions yet, no
    root) is shown as not available rather than stopping the page."""
    try:
        return finite_or_nan(compute(*args, **kwargs))
    except ValueError:
        return float("nan")


def load_fund(context: DashboardContext, fund_id: int) -> FundData:
    """Gather one fund's figures, restricted to what the viewer may see.

    Raises
    ------
    NotAvailable
        The fund is not among the viewer's funds.
    """
    if not context.allows_fund(fund_id):
        raise NotAvailable("The fund this link points to is not available to you.")
    db = context.database
    fund = frames.funds(db, [fund_id]).iloc[0]
    currency = str(fund["currency"])
    all_navs = frames.fund_navs(db, [fund_id])
    as_of = as_date(all_navs["as_of"].max()) if len(all_navs) else None
    flows = frames.fund_cash_flows(db, [fund_id], as_of=as_of)
    navs = all_navs
    nav = float(navs["nav"].iloc[-1]) if len(navs) else 0.0
    amounts = flows["amount"].to_numpy(dtype=float)
    contributions = -amounts[amounts < 0]
    distributions = amounts[amounts > 0]
    paid_in = float(contributions.sum())
    distributed = float(distributions.sum())
    pme = pd.Series(dtype=float)
    benchmark = None
    if as_of is not None and len(flows) and len(navs):
        levels = benchmark_levels(context, as_of)
        if levels is not None and len(levels):
            benchmark = str(levels.name)
            # Flows and NAVs are already loaded: the analytics need only the index.
            try:
                pme = analytics.fund_pme(flows, navs, levels, as_of)
            except ValueError:
                pme = pd.Series(dtype=float)
    headline = FundHeadline(
        fund_id=fund_id,
        name=str(fund["name"]),
        currency=currency,
        as_of=as_of,
        commitments=float(fund["total_commitments"]),
        paid_in=paid_in,
        distributions=distributed,
        nav=nav,
        tvpi=_safe(analytics.tvpi, contributions, distributions, nav)
        if paid_in > 0
        else float("nan"),
        dpi=_safe(analytics.dpi, contributions, distributions, nav)
        if paid_in > 0
        else float("nan"),
        rvpi=_safe(analytics.rvpi, contributions, distributions, nav)
        if paid_in > 0
        else float("nan"),
        net_irr=_safe(analytics.net_irr, flows["date"], amounts, nav, as_of)
        if as_of and len(flows)
        else float("nan"),
        ks_pme=finite_or_nan(pme.get("ks_pme")),
        direct_alpha=finite_or_nan(pme.get("direct_alpha")),
        benchmark=benchmark,
    )
    quarters = None
    if len(flows) and len(navs):
        nav_series = pd.Series(
            navs["nav"].to_numpy(dtype=float), index=pd.DatetimeIndex(navs["as_of"])
        )
        quarters = analytics.j_curve(flows["date"], amounts, nav_series, as_of=as_of)
    schedule, totals = _schedule(context, fund_id, as_of)
    return FundData(headline, fund, flows, navs, quarters, schedule, totals)


def _schedule(
    context: DashboardContext, fund_id: int, as_of: date | None
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The schedule of investments and its total row (gross, fund's side)."""
    db = context.database
    cutoff = as_of or date.today()
    held = frames.investments(db, [fund_id], as_of=cutoff)
    if held.empty:
        return held, {}
    deal_flows = frames.investment_cash_flows(db, [fund_id], as_of=cutoff)
    marks = frames.valuations(db, fund_ids=[fund_id], as_of=cutoff, marks_only=True)
    summary = analytics.investment_summary(held, deal_flows, marks, cutoff).reset_index()
    rollup = analytics.portfolio_rollup(held, deal_flows, marks, cutoff, by="fund_id")
    invested = float(summary["invested"].sum())
    realized = float(summary["realized"].sum())
    unrealized = float(summary["unrealized"].sum())
    totals = {
        "invested": invested,
        "realized": realized,
        "unrealized": unrealized,
        "total_value": realized + unrealized,
        "moic": _safe(analytics.moic, invested, realized, unrealized)
        if invested > 0
        else float("nan"),
        "gross_irr": finite_or_nan(rollup["gross_irr"].iloc[0]) if len(rollup) else float("nan"),
    }
    summary["stage"] = summary["status_as_of"].astype(str).str.capitalize()
    summary.loc[summary["status"].astype(str) == "written_off", "stage"] = "Written off"
    return summary.sort_values(["entry_date", "company_name"], kind="stable"), totals


SCHEDULE_COLUMNS_TEMPLATE = [
    ("company_name", "Company", "text"),
    ("sector", "Sector", "text"),
    ("entry_date", "Entry", "date"),
    ("stage", "Status", "badge"),
    ("invested", "Invested", "money"),
    ("realized", "Realized", "money"),
    ("unrealized", "Unrealized", "money"),
    ("total_value", "Total value", "money"),
    ("moic", "Gross MOIC", "multiple"),
    ("gross_irr", "Gross IRR", "pct"),
]


def _nav_bridge_chart(data: FundData) -> str:
    headline = data.headline
    if headline.as_of is None or data.navs.empty:
        return ui.message_html("No NAV has been reported yet, so there is no NAV bridge to draw.")
    start = add_months(headline.as_of, -12)
    navs = data.navs
    before = navs[navs["as_of"] <= pd.Timestamp(start)]
    opening = float(before["nav"].iloc[-1]) if len(before) else 0.0
    opening_label = f"NAV {charts.format_date(start)}" if len(before) else "Start"
    window = data.flows[data.flows["date"] > pd.Timestamp(start)]
    amounts = window["amount"].to_numpy(dtype=float)
    chart = charts.nav_bridge(
        opening,
        float(-amounts[amounts < 0].sum()),
        float(amounts[amounts > 0].sum()),
        headline.nav,
        opening_label=opening_label,
        closing_label=f"NAV {charts.format_date(headline.as_of)}",
        currency=headline.currency,
        title="NAV bridge, last twelve months",
        width=520,
    )
    return ui.chart_html(chart, name="nav_bridge")


def _facts_html(data: FundData) -> str:
    """The fund's terms and a few counts, beside the NAV bridge."""
    fund = data.fund
    schedule = data.schedule
    held = int((schedule["status_as_of"].astype(str) != "realized").sum()) if len(schedule) else 0
    facts = [
        ("Vintage", str(fund["vintage_year"])),
        ("Strategy", ui.humanise(fund["strategy"])),
        ("Status", ui.humanise(fund["status"])),
        ("First close", charts.format_date(fund["first_close_date"])),
        ("Target size", charts.format_money(fund["target_size"], data.headline.currency)),
        ("Management fee", charts.format_pct(fund["management_fee_rate"], decimals=2)),
        ("Carried interest", charts.format_pct(fund["carried_interest_rate"], decimals=0)),
        ("Hurdle", charts.format_pct(fund["hurdle_rate"], decimals=0)),
        ("Investments", f"{len(schedule)} ({held} held)"),
        ("Benchmark", data.headline.benchmark or charts.NOT_AVAILABLE),
    ]
    rows = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in facts
    )
    return ui.section_html("Fund facts", f'<table class="pk-table pk-facts">{rows}</table>')


def fund_html(data: FundData) -> str:
    """The page body for one fund (everything below the fund selector)."""
    headline = data.headline
    parts = [
        ui.heading_html(
            headline.name, as_of=headline.as_of, meta=f"{TITLE} · figures in {headline.currency}"
        ),
        ui.tiles_html(headline.tiles()),
    ]
    if data.quarters is None or data.quarters.empty:
        parts.append(
            ui.message_html(
                f"{headline.name} has not called capital or reported a NAV yet, "
                "so there is no J-curve or cash-flow chart to draw."
            )
        )
    else:
        parts.append(
            '<div class="pk-grid2">'
            + ui.chart_html(
                charts.j_curve(data.quarters, currency=headline.currency, width=520), name="j_curve"
            )
            + ui.chart_html(
                charts.cash_flows_by_quarter(data.quarters, currency=headline.currency, width=520),
                name="cash_flows",
            )
            + "</div>"
        )
        parts.append(
            '<div class="pk-grid2">' + _nav_bridge_chart(data) + _facts_html(data) + "</div>"
        )
    if data.schedule.empty:
        schedule = ui.message_html(f"{headline.name} has made no investments yet.")
    else:
        columns = ui.columns(SCHEDULE_COLUMNS_TEMPLATE, headline.currency)
        total = {"company_name": "Total", **data.totals}
        schedule = ui.table_html(
            data.schedule,
            columns,
            total=total,
            row_key="company_id",
            caption="Gross figures on the fund's side, before fees and carry. "
            "Unrealized value is the fund's share of each held company's latest mark, "
            "0 once sold, when realized is the cash the company returned; "
            "MOIC is total value over invested.",
        )
    parts.append(ui.section_html("Schedule of investments", schedule))
    return "".join(parts)


class FundOverview:
    """The fund overview for one viewer: a fund selector and the fund's page."""

    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        funds = visible_funds(context)
        self.funds = funds
        self.fund_id = chosen_fund(context, funds)
        self.content = widgets.HTML()
        options = [(str(row.name), int(row.fund_id)) for row in funds.itertuples()]
        self.selector = widgets.Dropdown(
            options=options,
            value=self.fund_id,
            description="Fund",
            layout=widgets.Layout(width="420px"),
        )
        self.selector.add_class("pk-fund-selector")
        self.data = load_fund(context, self.fund_id)
        self.content.value = fund_html(self.data)
        self.selector.observe(self._on_select, names="value")
        controls = widgets.HBox([self.selector], layout=widgets.Layout(margin="0 0 6px 0"))
        controls.add_class("pk-controls")
        self.widget = shell(
            KEY, context, [controls, self.content] if len(options) > 1 else [self.content]
        )

    def _on_select(self, change: dict) -> None:
        fund_id = int(change["new"])

        def show() -> None:
            self.fund_id = fund_id
            self.data = load_fund(self.context, fund_id)
            self.content.value = fund_html(self.data)

        guarded(
            KEY,
            self.context,
            show,
            lambda text: setattr(self.content, "value", ui.message_html(text, kind="warning")),
        )

    def page(self) -> Page:
        controls = ""
        if len(self.selector.options) > 1:
            controls = ui.choices_form_html(
                [ui.Choice("fund", "Fund", self.selector.options, self.fund_id)]
            )
        return Page(
            KEY,
            self.widget,
            self.data.headline.summary(),
            shared_body=controls + self.content.value,
        )


def build(context: DashboardContext) -> Page:
    """The fund overview page for ``context`` (a sentence when there is no fund)."""
    if not context.fund_ids:
        return message_page(KEY, NO_FUNDS, context, state="empty")
    return FundOverview(context).page()


def show() -> Page:
    """Open the context of this kernel's request and draw the page."""
    return render(KEY, build)


__all__ = ["FundData", "FundHeadline", "FundOverview", "build", "load_fund", "show"]
