"""Company tear sheet: one company's trends, KPIs, valuations, value creation and diligence.

A partner sees the companies their funds invested in; admins and analysts
also see pipeline companies (no investment yet), whose diligence is the
interesting part. Financial figures are LTM to each quarter end
(``analytics.ltm_history``); EBITDA is operating income plus D&A; the
value-creation bridge splits the fund's equity gain from entry to the latest
mark into revenue growth, margin expansion, multiple expansion,
deleveraging and distributions (``analytics.value_creation_bridge``, Shapley
split of the cross terms), on the fund's ownership share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from portfolio_kit import analytics, charts, frames
from portfolio_kit.dashboards import _components as ui
from portfolio_kit.dashboards._data import NO_FUNDS, finite_or_nan, reporting_date
from portfolio_kit.dashboards._page import Page, guarded, message_page, render, shell
from portfolio_kit.dashboards.access import DashboardContext, NotAvailable
from portfolio_kit.vocabulary import KPIS

KEY = "company_tear_sheet"
TITLE = "Company tear sheet"
MAX_KPI_PANELS = 6

DILIGENCE_COLUMNS = [
    ("category", "Area", "text"),
    ("title", "Item", "text"),
    ("status", "Status", "badge"),
    ("risk_level", "Risk", "badge"),
    ("owner", "Owner", "text"),
    ("due_date", "Due", "date"),
]
INITIATIVE_COLUMNS = [
    ("lever", "Lever", "text"),
    ("title", "Initiative", "text"),
    ("status", "Status", "badge"),
    ("progress", "Progress", "progress"),
    ("target_impact", "Target impact", "money"),
    ("owner", "Owner", "text"),
    ("target_date", "Target date", "date"),
]
VALUATION_COLUMNS = [
    ("valuation_date", "Date", "date"),
    ("method", "Method", "text"),
    ("enterprise_value", "Enterprise value", "money"),
    ("equity_value", "Equity value", "money"),
    ("implied_multiple", "EV / LTM EBITDA", "multiple"),
]


def _scope(context: DashboardContext) -> list[int] | None:
    """The fund filter for company-keyed frames: none for those who see every
    fund (so pipeline companies with no investment appear), the viewer's
    funds otherwise."""
    return None if context.viewer.sees_all_funds else list(context.fund_ids)


def company_options(context: DashboardContext) -> pd.DataFrame:
    """The companies this viewer may open, by name."""
    return frames.companies(context.database, fund_ids=_scope(context))


def chosen_company(context: DashboardContext, options: pd.DataFrame) -> int:
    """``?company=<id>`` if the viewer may see it, else the first company still
    held (by name), else the first company.

    Raises
    ------
    NotAvailable
        The link names a company that does not exist or is not the viewer's.
    """
    requested = context.requested_id("company")
    if requested is not None:
        if requested not in set(options["company_id"]):
            raise NotAvailable("The company this link points to is not available to you.")
        return requested
    held = options[options["status"].astype(str) == "invested"]
    return int((held if len(held) else options)["company_id"].iloc[0])


@dataclass(frozen=True, slots=True)
class CompanyData:
    """What the tear sheet draws for one company."""

    company: pd.Series
    as_of: date | None
    holdings: pd.DataFrame
    ltm: pd.DataFrame
    kpis: pd.DataFrame
    marks: pd.DataFrame
    diligence: pd.DataFrame
    initiatives: pd.DataFrame
    bridge: analytics.ValueBridge | None
    bridge_note: str

    @property
    def name(self) -> str:
        return str(self.company["name"])

    @property
    def currency(self) -> str:
        return str(self.company["currency"])

    def latest_ltm(self) -> pd.Series | None:
        if self.ltm.empty or "revenue" not in self.ltm:
            return None
        present = self.ltm[self.ltm["revenue"].notna()]
        return None if present.empty else present.iloc[-1]


def _ltm_history(metrics: pd.DataFrame, company_id: int) -> pd.DataFrame:
    """LTM statement values and derived ratios at each quarter end (empty if none)."""
    actual = metrics[(metrics["scenario"] == "actual") & (metrics["period_type"] == "quarter")]
    if actual.empty:
        return pd.DataFrame()
    wide = analytics.to_wide(actual, company_id, period_type="quarter", scenario="actual")
    ltm = analytics.ltm_history(wide)
    derived = analytics.derived_metrics(ltm)
    ltm = ltm.join(derived[["ebitda", "ebitda_margin", "leverage", "net_debt"]])
    if "revenue" in ltm:
        ltm["revenue_growth"] = analytics.yoy_growth(ltm["revenue"])
    return ltm


def _bridge(
    holdings: pd.DataFrame, deal_flows: pd.DataFrame, marks: pd.DataFrame, ltm: pd.DataFrame
) -> tuple[analytics.ValueBridge | None, str]:
    """The value-creation bridge of the first holding, or why there is none.

    A held company's bridge runs from entry to its latest mark. A realized
    one's runs to the sale (see ``_sale``), with revenue, EBITDA and net debt
    from the last LTM figures on or before the exit date, so a mark that
    predates or outlives the sale never stands in for what the fund got.
    """
    if holdings.empty:
        return (
            None,
            "There is no investment in this company yet, so there is no value-creation bridge.",
        )
    if marks.empty or ltm.empty or "revenue" not in ltm:
        return (
            None,
            "The value-creation bridge needs a valuation and reported financials; "
            "one of them is missing.",
        )
    holding = holdings.iloc[0]
    ownership = float(holding["ownership"])
    end = _sale(holding, ownership) or _latest_mark(marks.iloc[-1])
    known = ltm[(ltm.index <= end.day) & ltm["revenue"].notna() & ltm["ebitda"].notna()]
    if known.empty:
        return (
            None,
            f"No full year of figures precedes the {end.event}, so the bridge cannot be drawn.",
        )
    latest = known.iloc[-1]
    flows = deal_flows[deal_flows["investment_id"] == holding["investment_id"]]
    paid_out = flows[flows["kind"].astype(str).isin(["dividend", "interest"])]["amount"].sum()
    enterprise = end.enterprise_value
    if enterprise is None:
        enterprise = end.equity_value + finite_or_nan(latest.get("net_debt"))
    try:
        entry = analytics.BridgePoint(
            revenue=float(holding["entry_revenue"]),
            ebitda=float(holding["entry_ebitda"]),
            enterprise_value=float(holding["entry_enterprise_value"]),
            net_debt=float(holding["entry_net_debt"]),
        )
        now = analytics.BridgePoint(
            revenue=float(latest["revenue"]),
            ebitda=float(latest["ebitda"]),
            enterprise_value=enterprise,
            net_debt=enterprise - end.equity_value,
        )
        bridge = analytics.value_creation_bridge(
            entry, now, distributions=float(paid_out) / ownership, ownership=ownership
        )
    except (ValueError, TypeError):
        return (
            None,
            "The value-creation bridge needs positive revenue and EBITDA at entry and today.",
        )
    fund = str(holding["fund_name"])
    note = (
        f"{fund}'s {charts.format_pct(ownership, decimals=0)} share, from entry on "
        f"{charts.format_date(holding['entry_date'])} to the {end.label}."
    )
    return bridge, note


@dataclass(frozen=True)
class _BridgeEnd:
    """Where a value-creation bridge ends."""

    day: pd.Timestamp
    equity_value: float
    """100% of the company's equity then."""
    enterprise_value: float | None
    """None: equity plus the net debt of the last LTM figures on or before ``day``."""
    event: str
    label: str


def _latest_mark(mark: pd.Series) -> _BridgeEnd:
    """A held company's bridge ends at its latest mark."""
    day = pd.Timestamp(mark["valuation_date"])
    return _BridgeEnd(
        day,
        finite_or_nan(mark["equity_value"]),
        finite_or_nan(mark["enterprise_value"]),
        "latest valuation",
        f"mark of {charts.format_date(day)}",
    )


def _sale(holding: pd.Series, ownership: float) -> _BridgeEnd | None:
    """A realized holding's bridge ends at the sale, valued at the exit proceeds
    over the fund's share (what the buyer paid for 100%); None while the
    holding is not realized or its proceeds are not known."""
    if str(holding.get("status_as_of", "")) != "realized" or ownership <= 0:
        return None
    proceeds = finite_or_nan(holding.get("exit_proceeds"))
    if np.isnan(proceeds):
        return None
    day = pd.Timestamp(holding["exit_date"])
    return _BridgeEnd(
        day,
        proceeds / ownership,
        None,
        "sale",
        f"sale of {charts.format_date(day)} (exit proceeds)",
    )


def load_company(context: DashboardContext, company_id: int) -> CompanyData:
    """Gather one company's figures, restricted to what the viewer may see.

    Raises
    ------
    NotAvailable
        The company is not among those the viewer may open.
    """
    db = context.database
    scope = _scope(context)
    company = frames.companies(db, company_ids=[company_id], fund_ids=scope)
    if company.empty:
        raise NotAvailable("The company this link points to is not available to you.")
    as_of = reporting_date(context)
    cutoff = as_of or date.today()
    investments = frames.investments(db, list(context.fund_ids), as_of=cutoff)
    held = investments[investments["company_id"] == company_id]
    holdings = held
    deal_flows = frames.investment_cash_flows(db, list(context.fund_ids), as_of=cutoff)
    marks = analytics.marks_while_held(
        frames.valuations(
            db, company_ids=[company_id], fund_ids=scope, as_of=cutoff, marks_only=True
        ),
        held,
    )
    if len(held):
        summary = analytics.investment_summary(
            held, deal_flows[deal_flows["investment_id"].isin(held["investment_id"])], marks, cutoff
        ).reset_index()
        holdings = summary
    metrics = frames.metrics(
        db,
        company_ids=[company_id],
        fund_ids=scope,
        period_types="quarter",
        scenarios="actual",
        as_of=cutoff,
    )
    ltm = _ltm_history(metrics, company_id)
    kpis = frames.kpis(
        db, company_ids=[company_id], fund_ids=scope, scenarios="actual", as_of=cutoff
    )
    bridge, note = _bridge(holdings, deal_flows, marks, ltm)
    return CompanyData(
        company=company.iloc[0],
        as_of=as_of,
        holdings=holdings,
        ltm=ltm,
        kpis=kpis,
        marks=marks,
        diligence=frames.diligence_items(db, company_ids=[company_id], fund_ids=scope),
        initiatives=frames.initiatives(db, company_ids=[company_id], fund_ids=scope),
        bridge=bridge,
        bridge_note=note,
    )


def _value_tile(
    holding: pd.Series | None, mark: pd.Series | None, money: Callable[[Any], str]
) -> ui.Tile:
    """A realized company is worth what the fund sold it for, not its last
    mark; a held one shows its latest mark at 100% of the equity."""
    if holding is not None and str(holding.get("status_as_of", "")) == "realized":
        return ui.Tile(
            "equity_value",
            "Exit proceeds",
            money(holding.get("exit_proceeds")),
            "fund's share, " + charts.format_date(holding["exit_date"]),
        )
    return ui.Tile(
        "equity_value",
        "Equity value",
        money(None if mark is None else mark["equity_value"]),
        "100%, " + charts.format_date(mark["valuation_date"])
        if mark is not None
        else "not valued yet",
    )


def company_tiles(data: CompanyData) -> list[ui.Tile]:
    latest = data.latest_ltm()
    money = lambda value: charts.format_money(value, data.currency)  # noqa: E731
    period = (
        f"LTM to {charts.format_quarter(latest.name)}"
        if latest is not None
        else "no financials reported"
    )
    value = lambda key: None if latest is None else latest.get(key)  # noqa: E731
    mark = data.marks.iloc[-1] if len(data.marks) else None
    holding = data.holdings.iloc[0] if len(data.holdings) else None
    return [
        ui.Tile("ltm_revenue", "LTM revenue", money(value("revenue")), period),
        ui.Tile("ltm_ebitda", "LTM EBITDA", money(value("ebitda")), period),
        ui.Tile("ebitda_margin", "EBITDA margin", charts.format_pct(value("ebitda_margin"))),
        ui.Tile(
            "revenue_growth",
            "Revenue growth",
            charts.format_pct(value("revenue_growth"), signed=True),
            "LTM, year on year",
        ),
        ui.Tile(
            "leverage",
            "Leverage",
            charts.format_multiple(value("leverage"), decimals=1),
            "net debt / LTM EBITDA",
        ),
        _value_tile(holding, mark, money),
        ui.Tile(
            "moic",
            "Gross MOIC",
            charts.format_multiple(None if holding is None else holding.get("moic")),
        ),
        ui.Tile(
            "gross_irr",
            "Gross IRR",
            charts.format_pct(None if holding is None else holding.get("gross_irr")),
        ),
    ]


def _trends(data: CompanyData) -> str:
    if data.ltm.empty or "revenue" not in data.ltm or data.ltm["revenue"].notna().sum() == 0:
        return ui.message_html(
            f"{data.name} has not reported a full year of financial statements yet."
        )
    ltm = data.ltm[data.ltm["revenue"].notna()]
    series = pd.concat(
        [
            pd.DataFrame(
                {"period_end": ltm.index, "series": "Revenue", "value": ltm["revenue"].to_numpy()}
            ),
            pd.DataFrame(
                {"period_end": ltm.index, "series": "EBITDA", "value": ltm["ebitda"].to_numpy()}
            ),
        ],
        ignore_index=True,
    )
    chart = charts.financial_trends(
        series, currency=data.currency, width=520, title="LTM revenue and EBITDA"
    )
    return ui.chart_html(chart, name="financial_trends")


def _kpis(data: CompanyData) -> str:
    if data.kpis.empty:
        return ui.message_html(f"No operating KPIs have been reported for {data.name}.")
    kpis = data.kpis.copy()
    kpis["kpi"] = kpis["kpi"].astype(str)
    names = [name for name in KPIS if name in set(kpis["kpi"])]
    names += sorted(set(kpis["kpi"]) - set(names))
    chosen = names[:MAX_KPI_PANELS]
    shown = kpis[kpis["kpi"].isin(chosen)]
    shown = shown.assign(
        label=shown["kpi"].map(
            lambda name: KPIS[name].label if name in KPIS else name.replace("_", " ").capitalize()
        ),
        order=shown["kpi"].map({name: position for position, name in enumerate(chosen)}),
    ).sort_values(["order", "period_end"])
    chart = charts.kpi_lines(shown, currency=data.currency, columns=3, panel_width=300, title="")
    return ui.chart_html(chart, name="kpis")


def _valuations(data: CompanyData) -> str:
    if data.marks.empty:
        return ui.message_html(f"{data.name} has not been valued yet.")
    chart = charts.valuation_history(data.marks, currency=data.currency, width=520, title="")
    recent = data.marks.sort_values("valuation_date", ascending=False).head(4).copy()
    recent["method"] = recent["method"].map(ui.humanise)
    columns = ui.columns(VALUATION_COLUMNS, data.currency)
    caption = "Latest marks, 100% of the company."
    holdings = data.holdings
    status = holdings["status_as_of"].astype(str) if "status_as_of" in holdings else None
    if status is not None and len(status) and (status == "realized").all():
        sold = charts.format_date(pd.to_datetime(holdings["exit_date"]).max())
        caption = f"Marks while held, 100% of the company, up to the sale of {sold}."
    return ui.chart_html(chart, name="valuation_history") + ui.table_html(
        recent, columns, caption=caption
    )


def _bridge_html(data: CompanyData) -> str:
    if data.bridge is None:
        return ui.message_html(data.bridge_note)
    bridge = data.bridge
    steps = pd.DataFrame(
        {
            "label": [
                "Entry equity",
                "Revenue growth",
                "Margin",
                "Multiple",
                "Deleveraging",
                "Distributions",
                "Total value",
            ],
            "amount": [
                bridge.entry_equity_value,
                bridge.revenue_growth,
                bridge.margin_expansion,
                bridge.multiple_expansion,
                bridge.deleveraging,
                bridge.distributions,
                bridge.entry_equity_value + bridge.total,
            ],
            "kind": ["total", "delta", "delta", "delta", "delta", "delta", "total"],
        }
    )
    chart = charts.waterfall(
        steps, currency=data.currency, title="Fund's share of the equity gain", width=520
    )
    return (
        ui.chart_html(chart, name="value_bridge")
        + f'<div class="pk-footnote">{escape(data.bridge_note)}</div>'
    )


def _diligence(data: CompanyData) -> str:
    items = data.diligence
    if items.empty:
        return ui.message_html(f"No due-diligence items are recorded for {data.name}.")
    status = items["status"].astype(str)
    done = int(status.isin(["complete", "waived"]).sum())
    open_high = int(
        (
            ~status.isin(["complete", "waived"])
            & items["risk_level"].astype(str).isin(["high", "critical"])
        ).sum()
    )
    shown = items.copy()
    for column in ("category", "status", "risk_level"):
        shown[column] = shown[column].map(ui.humanise)
    columns = ui.columns(DILIGENCE_COLUMNS)
    summary = (
        f"{done} of {len(items)} items complete or waived; "
        f"{open_high} open item(s) rated high or critical."
    )
    return (
        f'<div class="pk-footnote" data-diligence="{done}/{len(items)}">{escape(summary)}</div>'
        + ui.table_html(shown, columns)
    )


def _initiatives(data: CompanyData) -> str:
    items = data.initiatives
    if items.empty:
        return ui.message_html(f"No value-creation initiatives are recorded for {data.name}.")
    shown = items.copy()
    for column in ("lever", "status"):
        shown[column] = shown[column].map(ui.humanise)
    columns = ui.columns(INITIATIVE_COLUMNS, data.currency)
    return ui.table_html(shown, columns)


def company_html(data: CompanyData) -> str:
    """The page body for one company (everything below the company selector)."""
    company = data.company
    status = str(company["status"]).replace("_", " ")
    funds = (
        ", ".join(dict.fromkeys(data.holdings["fund_name"].astype(str)))
        if len(data.holdings)
        else "no investment yet"
    )
    meta = f"{company['sector']} · {company['geography']} · {status} · {funds}"
    description = company.get("description")
    about = (
        f'<p class="pk-footnote">{escape(str(description))}</p>'
        if isinstance(description, str) and description
        else ""
    )
    return "".join(
        [
            ui.heading_html(data.name, as_of=data.as_of, meta=meta),
            about,
            ui.tiles_html(company_tiles(data)),
            '<div class="pk-grid2">',
            ui.section_html("Financial trends", _trends(data)),
            ui.section_html("Value creation", _bridge_html(data)),
            "</div>",
            ui.section_html("Operating KPIs", _kpis(data)),
            ui.section_html("Valuation history", _valuations(data)),
            ui.section_html("Due diligence", _diligence(data)),
            ui.section_html("Value-creation initiatives", _initiatives(data)),
        ]
    )


class CompanyTearSheet:
    """The tear sheet for one viewer: a company selector and the company's page."""

    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        options = company_options(context)
        self.options = options
        self.company_id = chosen_company(context, options)
        self.selector = widgets.Dropdown(
            options=[(str(row.name), int(row.company_id)) for row in options.itertuples()],
            value=self.company_id,
            description="Company",
            layout=widgets.Layout(width="420px"),
        )
        self.selector.add_class("pk-company-selector")
        self.content = widgets.HTML()
        self.data = load_company(context, self.company_id)
        self.content.value = company_html(self.data)
        self.selector.observe(self._on_select, names="value")
        controls = widgets.HBox([self.selector])
        controls.add_class("pk-controls")
        self.widget = shell(KEY, context, [controls, self.content])

    def _on_select(self, change: dict) -> None:
        company_id = int(change["new"])

        def show() -> None:
            if company_id not in set(self.options["company_id"]):
                raise NotAvailable("That company is not available to you.")
            self.company_id = company_id
            self.data = load_company(self.context, company_id)
            self.content.value = company_html(self.data)

        guarded(
            KEY,
            self.context,
            show,
            lambda text: setattr(self.content, "value", ui.message_html(text, kind="warning")),
        )

    def page(self) -> Page:
        data = self.data
        latest = data.latest_ltm()
        revenue = charts.format_money(
            None if latest is None else latest.get("revenue"), data.currency
        )
        as_of = charts.format_date(data.as_of) if data.as_of else "no reporting date"
        controls = ui.choices_form_html(
            [ui.Choice("company", "Company", self.selector.options, self.company_id)]
        )
        return Page(
            KEY,
            self.widget,
            f"{TITLE}: {data.name}, as of {as_of}: LTM revenue {revenue}, "
            f"{len(data.marks)} valuations, {len(data.diligence)} diligence items, "
            f"{len(data.initiatives)} initiatives",
            shared_body=controls + self.content.value,
        )


def build(context: DashboardContext) -> Page:
    """The tear sheet for ``context`` (a sentence when there is no company to show)."""
    if not context.fund_ids and not context.viewer.sees_all_funds:
        return message_page(KEY, NO_FUNDS, context, state="empty")
    if company_options(context).empty:
        return message_page(KEY, "There is no company to show yet.", context, state="empty")
    return CompanyTearSheet(context).page()


def show() -> Page:
    """Open the context of this kernel's request and draw the page."""
    return render(KEY, build)
