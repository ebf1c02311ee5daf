"""Portfolio monitor: every company the viewer's funds hold, its latest figures and its flags.

One row per investment (a company held by two funds appears twice, once per
fund). Financial figures are LTM (the four quarters to the latest reported
quarter), computed by ``analytics.ltm_by_company``; EBITDA is operating
income plus D&A, leverage is net debt over LTM EBITDA (turns), growth is
LTM revenue over LTM revenue a year earlier, minus one. MOIC is gross, on
the fund's side (realized plus the fund's share of the latest mark, over
invested).

Flags an investment committee asks about:

* leverage above ``LEVERAGE_LIMIT`` turns of EBITDA;
* revenue more than ``BUDGET_TOLERANCE`` below budget in the latest
  reported quarter;
* the latest quarter not reported;
* a balance sheet that does not balance (total assets against total
  liabilities and equity, beyond ``BALANCE_TOLERANCE`` of total assets).

Flags are raised for companies the funds still hold; a realized or
written-off company's last figures are history, not a call to act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ipywidgets as widgets
import numpy as np
import pandas as pd

from portfolio_kit import analytics, charts, frames
from portfolio_kit.dashboards import _components as ui
from portfolio_kit.dashboards._data import (
    NO_FUNDS,
    as_date,
    finite_or_nan,
    reporting_date,
    requested_choice,
    visible_funds,
)
from portfolio_kit.dashboards._page import Page, guarded, message_page, render, shell
from portfolio_kit.dashboards.access import DashboardContext, NotAvailable
from portfolio_kit.periods import add_months, month_end, quarter_end

KEY = "portfolio_monitor"
TITLE = "Portfolio monitor"

LEVERAGE_LIMIT = 6.0
"""Net debt / LTM EBITDA above which a company is flagged (turns)."""

BUDGET_TOLERANCE = 0.05
"""Revenue short of budget by more than 5% is flagged; smaller misses are noise in a quarter."""

BALANCE_TOLERANCE = 0.001
"""A balance sheet off by more than 0.1% of total assets is flagged (rounding stays below that)."""

MOIC_CHART_LIMIT = 30
"""Bars on the MOIC chart at most."""

ALL = "All"

ORDER_OPTIONS = [("Descending", "descending"), ("Ascending", "ascending")]
"""The sort order as a link gives it (``?order=ascending``)."""

SORT_OPTIONS = [
    ("Company", "company_name"),
    ("Fund", "fund_name"),
    ("LTM revenue", "ltm_revenue"),
    ("LTM EBITDA", "ltm_ebitda"),
    ("Revenue growth", "revenue_growth"),
    ("EBITDA margin", "ebitda_margin"),
    ("Leverage", "leverage"),
    ("Value", "position_value"),
    ("Gross MOIC", "moic"),
    ("Flags", "flag_count"),
]

COLUMNS = [
    ("company", "Company", "html"),
    ("stage", "Status", "badge"),
    ("ltm_revenue", "LTM revenue", "money"),
    ("ltm_ebitda", "LTM EBITDA", "money"),
    ("revenue_growth", "Growth", "pct_signed"),
    ("ebitda_margin", "Margin", "pct"),
    ("leverage", "Leverage", "multiple"),
    ("position_value", "Value", "money"),
    ("moic", "Gross MOIC", "multiple"),
    ("flags", "Flags", "flags"),
]


@dataclass(frozen=True, slots=True)
class MonitorData:
    """The monitor's rows (one per investment), the reporting date, the
    currency all rows share ("" when they do not) and the portfolio totals."""

    as_of: date | None
    rows: pd.DataFrame
    currency: str
    totals: dict[str, float]


def _latest_per_company(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The last row (by period_end) per company where ``column`` is present."""
    present = frame[frame[column].notna()]
    return present.groupby(level="company_id", sort=False).tail(1).reset_index()


def company_figures(metrics: pd.DataFrame, as_of: date | None) -> pd.DataFrame:
    """Latest LTM figures, growth, budget and identity checks per company.

    Parameters
    ----------
    metrics : DataFrame
        Quarterly statement values (long, as ``frames.metrics``), scenarios
        ``actual`` and ``budget``.
    as_of : date
        The reporting date: the quarter a held company should have reported.

    Returns
    -------
    DataFrame indexed by ``company_id`` with ``ltm_period``, ``ltm_revenue``,
    ``ltm_ebitda``, ``ebitda_margin``, ``leverage``, ``revenue_growth``,
    ``latest_quarter`` (last actual quarter end), ``budget_gap`` (actual over
    budget revenue minus one in that quarter, NaN without a budget) and
    ``balance_gap`` (total assets minus total liabilities and equity, as a
    fraction of total assets).
    """
    columns = [
        "ltm_period",
        "ltm_revenue",
        "ltm_ebitda",
        "ebitda_margin",
        "leverage",
        "revenue_growth",
        "latest_quarter",
        "budget_gap",
        "balance_gap",
    ]
    actual = metrics[metrics["scenario"] == "actual"]
    if actual.empty:
        return pd.DataFrame(columns=columns).rename_axis("company_id")
    ltm = analytics.ltm_by_company(actual, scenario="actual", frequency="quarter")
    derived = analytics.derived_metrics(ltm)
    ltm = ltm.assign(
        ebitda=derived["ebitda"],
        ebitda_margin=derived["ebitda_margin"],
        leverage=derived["leverage"],
    )
    revenue_by_period = ltm["revenue"].unstack("company_id") if "revenue" in ltm else pd.DataFrame()
    growth = (
        analytics.yoy_growth(revenue_by_period).stack().rename("revenue_growth")
        if len(revenue_by_period)
        else None
    )
    if growth is not None:
        growth.index = growth.index.swaplevel(0, 1)
        ltm = ltm.join(growth, how="left")
    else:
        ltm["revenue_growth"] = np.nan
    latest = (
        _latest_per_company(ltm, "revenue")
        if "revenue" in ltm
        else pd.DataFrame(columns=["company_id"])
    )
    result = pd.DataFrame(
        {
            "ltm_period": latest["period_end"].map(charts.format_quarter) if len(latest) else [],
            "ltm_revenue": latest.get("revenue"),
            "ltm_ebitda": latest.get("ebitda"),
            "ebitda_margin": latest.get("ebitda_margin"),
            "leverage": latest.get("leverage"),
            "revenue_growth": latest.get("revenue_growth"),
        }
    )
    result.index = pd.Index(
        latest["company_id"].to_numpy() if len(latest) else [], name="company_id"
    )

    wide = actual.pivot_table(
        index=["company_id", "period_end"], columns="line_item", values="value", observed=True
    )
    last_quarter = wide.reset_index().groupby("company_id")["period_end"].max()
    result = result.reindex(result.index.union(last_quarter.index))
    result["latest_quarter"] = last_quarter
    latest_rows = (
        wide.reset_index()
        .sort_values("period_end")
        .groupby("company_id")
        .tail(1)
        .set_index("company_id")
    )
    assets = latest_rows.get("total_assets")
    liabilities_equity = latest_rows.get("total_liabilities_and_equity")
    if assets is not None and liabilities_equity is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            result["balance_gap"] = ((assets - liabilities_equity) / assets.abs()).reindex(
                result.index
            )
    else:
        result["balance_gap"] = np.nan

    budget = metrics[(metrics["scenario"] == "budget") & (metrics["line_item"] == "revenue")]
    actual_revenue = actual[actual["line_item"] == "revenue"]
    if len(budget) and len(actual_revenue):
        joined = actual_revenue.merge(
            budget, on=["company_id", "period_end"], suffixes=("", "_budget")
        )
        joined = (
            joined.sort_values("period_end").groupby("company_id").tail(1).set_index("company_id")
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = joined["value"] / joined["value_budget"] - 1.0
        # Only the latest reported quarter counts: an old miss is history, not a flag.
        current = joined["period_end"].reindex(result.index) == result["latest_quarter"]
        result["budget_gap"] = gap.reindex(result.index).where(current)
    else:
        result["budget_gap"] = np.nan
    return result[columns]


def due_quarter(as_of: date) -> date:
    """The latest quarter end on or before ``as_of``: the quarter a held company
    should have reported."""
    end = quarter_end(as_of)
    return end if end == as_of else month_end(add_months(end, -3))


def flags_for(row: pd.Series, as_of: date | None) -> list[str]:
    """The committee flags of one monitor row (see the module docstring)."""
    held = (
        str(row.get("status_as_of", "")) != "realized" and str(row.get("status", "")) == "invested"
    )
    if not held:
        return []
    found = []
    leverage = finite_or_nan(row.get("leverage"))
    if leverage > LEVERAGE_LIMIT:
        found.append(f"Leverage {charts.format_multiple(leverage, decimals=1)}")
    gap = finite_or_nan(row.get("budget_gap"))
    if gap < -BUDGET_TOLERANCE:
        found.append(f"Revenue {charts.format_pct(-gap)} below budget")
    if as_of is not None:
        due = due_quarter(as_of)
        latest = as_date(row.get("latest_quarter"))
        if latest is None or latest < due:
            found.append(f"{charts.format_quarter(due)} not reported")
    balance = finite_or_nan(row.get("balance_gap"))
    if abs(balance) > BALANCE_TOLERANCE:
        found.append("Balance sheet does not balance")
    return found


def load_monitor(context: DashboardContext) -> MonitorData:
    """One row per investment of the viewer's funds, with figures and flags,
    and the portfolio totals of the tiles."""
    db = context.database
    fund_ids = list(context.fund_ids)
    as_of = reporting_date(context)
    cutoff = as_of or date.today()
    held = frames.investments(db, fund_ids, as_of=cutoff)
    if held.empty:
        return MonitorData(as_of, held, "USD", {})
    deal_flows = frames.investment_cash_flows(db, fund_ids, as_of=cutoff)
    marks = frames.valuations(db, fund_ids=fund_ids, as_of=cutoff, marks_only=True)
    summary = analytics.investment_summary(held, deal_flows, marks, cutoff).reset_index()
    metrics = frames.metrics(
        db, fund_ids=fund_ids, period_types="quarter", scenarios=["actual", "budget"], as_of=cutoff
    )
    figures = company_figures(metrics, as_of)
    # "Value" is the fund's position from the roll-up: exit proceeds once
    # realized, the stake at its latest mark while held.
    rows = summary.join(figures, on="company_id")
    rows["flags"] = [flags_for(row, as_of) for _, row in rows.iterrows()]
    rows["flag_count"] = rows["flags"].map(len)
    rows["stage"] = rows["status_as_of"].astype(str).str.capitalize()
    rows.loc[rows["status"].astype(str) == "written_off", "stage"] = "Written off"
    currencies = rows["currency"].astype(str).unique()
    currency = str(currencies[0]) if len(currencies) == 1 else ""
    return MonitorData(
        as_of, rows, currency, _totals(rows, held, deal_flows, marks, cutoff, currency)
    )


def _totals(
    rows: pd.DataFrame,
    held: pd.DataFrame,
    deal_flows: pd.DataFrame,
    marks: pd.DataFrame,
    cutoff: date,
    currency: str,
) -> dict[str, float]:
    """Portfolio totals; amounts are only added up within one currency."""
    if not currency:
        return {}
    invested = float(rows["invested"].sum())
    realized = float(rows["realized"].sum())
    unrealized = float(rows["unrealized"].sum())
    try:
        pooled = analytics.portfolio_rollup(
            held.assign(scope="portfolio"), deal_flows, marks, cutoff, by="scope"
        )
        gross_irr = finite_or_nan(pooled["gross_irr"].iloc[0])
    except ValueError:
        gross_irr = float("nan")
    return {
        "invested": invested,
        "realized": realized,
        "unrealized": unrealized,
        "moic": analytics.moic(invested, realized, unrealized) if invested > 0 else float("nan"),
        "gross_irr": gross_irr,
    }


def portfolio_tiles(data: MonitorData) -> list[ui.Tile]:
    rows = data.rows
    held = rows[rows["status_as_of"].astype(str) != "realized"]
    flagged = int((rows["flag_count"] > 0).sum())
    totals = data.totals
    several = "several currencies: not added up" if not data.currency else ""
    money = lambda key: charts.format_money(totals.get(key), data.currency)  # noqa: E731
    return [
        ui.Tile(
            "companies",
            "Companies held",
            charts.format_number(len(held)),
            f"{len(rows)} investments in all",
        ),
        ui.Tile("flagged", "Flagged", charts.format_number(flagged), "with at least one flag"),
        ui.Tile("invested", "Invested", money("invested"), several),
        ui.Tile("unrealized", "Unrealized value", money("unrealized"), several),
        ui.Tile("moic", "Gross MOIC", charts.format_multiple(totals.get("moic"))),
        ui.Tile("gross_irr", "Gross IRR", charts.format_pct(totals.get("gross_irr"))),
    ]


def filter_rows(rows: pd.DataFrame, *, fund: int | str, sector: str, status: str) -> pd.DataFrame:
    """The rows matching the three filters (``ALL`` matches everything)."""
    keep = np.ones(len(rows), dtype=bool)
    if fund != ALL:
        keep &= rows["fund_id"].to_numpy() == int(fund)
    if sector != ALL:
        keep &= rows["sector"].astype(str).to_numpy() == sector
    if status != ALL:
        keep &= rows["stage"].astype(str).to_numpy() == status
    return rows[keep]


def sort_rows(rows: pd.DataFrame, column: str, *, descending: bool) -> pd.DataFrame:
    """Sorted by ``column``; missing values always last, company name breaks ties."""
    if column not in rows.columns:
        raise ValueError(f"sort: unknown column {column!r}")
    ordered = rows.sort_values(
        [column, "company_name"],
        ascending=[not descending, True],
        na_position="last",
        kind="stable",
    )
    return ordered


def table(rows: pd.DataFrame, currency: str) -> str:
    columns = ui.columns(COLUMNS, currency or "USD")
    shown = rows.assign(
        company=[
            ui.name_with_detail(str(name), f"{sector} · {fund}")
            for name, sector, fund in zip(
                rows["company_name"], rows["sector"], rows["fund_name"], strict=True
            )
        ]
    )
    return ui.table_html(
        shown,
        columns,
        row_key="company_id",
        caption=(
            "LTM figures to each company's latest reported quarter. "
            "Leverage is net debt over LTM EBITDA "
            f"(flagged above {LEVERAGE_LIMIT:.1f}x); revenue is flagged more than "
            f"{BUDGET_TOLERANCE:.0%} below budget. Value is the fund's position: exit "
            "proceeds once realized, its share of the latest mark while held; "
            "MOIC is the fund's gross multiple."
        ),
    )


class PortfolioMonitor:
    """The monitor for one viewer: filters, sort order, the table and a MOIC chart."""

    def __init__(self, context: DashboardContext) -> None:
        self.context = context
        self.data = load_monitor(context)
        funds = visible_funds(context)
        requested = context.requested_id("fund")
        if requested is not None and (
            not context.allows_fund(requested) or requested not in set(funds["fund_id"])
        ):
            raise NotAvailable("The fund this link points to is not available to you.")
        rows = self.data.rows
        self.fund = widgets.Dropdown(
            options=[("All funds", ALL)]
            + [(str(r.name), int(r.fund_id)) for r in funds.itertuples()],
            value=requested if requested is not None else ALL,
            description="Fund",
        )
        sectors = sorted(rows["sector"].astype(str).unique()) if len(rows) else []
        sector_options = [("All sectors", ALL)] + [(s, s) for s in sectors]
        self.sector = widgets.Dropdown(
            options=sector_options,
            value=requested_choice(context, "sector", sector_options, ALL),
            description="Sector",
        )
        stages = sorted(rows["stage"].astype(str).unique()) if len(rows) else []
        status_options = [("All", ALL)] + [(s, s) for s in stages]
        self.status = widgets.Dropdown(
            options=status_options,
            value=requested_choice(context, "status", status_options, ALL),
            description="Status",
        )
        self.sort = widgets.Dropdown(
            options=SORT_OPTIONS,
            value=requested_choice(context, "sort", SORT_OPTIONS, "flag_count"),
            description="Sort by",
        )
        order = requested_choice(context, "order", ORDER_OPTIONS, "descending")
        self.order = widgets.ToggleButtons(
            options=[("Descending", True), ("Ascending", False)], value=order == "descending"
        )
        for control in (self.fund, self.sector, self.status, self.sort):
            control.layout = widgets.Layout(width="260px")
            control.style = {"description_width": "60px"}
        self.order.style = {"button_width": "95px"}
        self.table = widgets.HTML()
        self.table.add_class("pk-monitor-table")
        self.chart = widgets.HTML()
        header = widgets.HTML(
            ui.heading_html(
                TITLE, as_of=self.data.as_of, meta=f"{len(rows)} investments in your funds"
            )
            + ui.tiles_html(portfolio_tiles(self.data))
        )
        controls = widgets.VBox(
            [
                widgets.HBox([self.fund, self.sector, self.status]),
                widgets.HBox([self.sort, self.order]),
            ]
        )
        controls.add_class("pk-controls")
        self.refresh()
        for control in (self.fund, self.sector, self.status, self.sort, self.order):
            control.observe(self._on_change, names="value")
        self.header = header
        self.widget = shell(KEY, context, [header, controls, self.table, self.chart])

    def choices(self) -> list[ui.Choice]:
        """The controls as query parameters, for the page handed out without a kernel."""
        return [
            # A blank fund means all of them, as in a link without ``?fund=``.
            ui.Choice(
                "fund",
                "Fund",
                [(label, "" if value == ALL else value) for label, value in self.fund.options],
                "" if self.fund.value == ALL else self.fund.value,
            ),
            ui.Choice("sector", "Sector", self.sector.options, self.sector.value),
            ui.Choice("status", "Status", self.status.options, self.status.value),
            ui.Choice("sort", "Sort by", self.sort.options, self.sort.value),
            ui.Choice(
                "order",
                "Order",
                [(label, value) for label, value in ORDER_OPTIONS],
                "descending" if self.order.value else "ascending",
            ),
        ]

    def shown_rows(self) -> pd.DataFrame:
        chosen = filter_rows(
            self.data.rows, fund=self.fund.value, sector=self.sector.value, status=self.status.value
        )
        return sort_rows(chosen, self.sort.value, descending=bool(self.order.value))

    def refresh(self) -> None:
        rows = self.shown_rows()
        if rows.empty:
            self.table.value = ui.message_html("No company matches these filters.")
            self.chart.value = ""
            return
        flagged = int((rows["flag_count"] > 0).sum())
        count = (
            f'<div class="pk-footnote" data-rows="{len(rows)}">'
            f"{len(rows)} shown, {flagged} flagged</div>"
        )
        self.table.value = count + table(rows, self.data.currency)
        with_moic = rows[rows["moic"].notna()]
        if with_moic.empty:
            self.chart.value = ""
            return
        # A bar per company stops being readable (and takes seconds to draw)
        # long before a large portfolio's end: show the best and the worst.
        title = "Gross MOIC by company"
        if len(with_moic) > MOIC_CHART_LIMIT:
            ordered = with_moic.sort_values("moic", ascending=False, kind="stable")
            half = MOIC_CHART_LIMIT // 2
            with_moic = pd.concat([ordered.head(half), ordered.tail(MOIC_CHART_LIMIT - half)])
            title += f": the {half} highest and {MOIC_CHART_LIMIT - half} lowest of {len(ordered)}"
        chart = charts.moic_by_company(
            with_moic.rename(columns={"company_name": "company"}), width=520, title=""
        )
        self.chart.value = ui.section_html(title, ui.chart_html(chart, name="moic"))

    def _on_change(self, _change: dict) -> None:
        guarded(
            KEY,
            self.context,
            self.refresh,
            lambda text: setattr(self.table, "value", ui.message_html(text, kind="warning")),
        )

    def page(self) -> Page:
        rows = self.data.rows
        flagged = int((rows["flag_count"] > 0).sum()) if len(rows) else 0
        as_of = charts.format_date(self.data.as_of) if self.data.as_of else "no reporting date"
        return Page(
            KEY,
            self.widget,
            f"{TITLE}: {len(rows)} investments as of {as_of}, {flagged} flagged; "
            f"gross MOIC {charts.format_multiple(self.data.totals.get('moic'))}",
            shared_body=self.header.value
            + ui.choices_form_html(self.choices())
            + self.table.value
            + self.chart.value,
        )


def build(context: DashboardContext) -> Page:
    """The monitor page for ``context`` (a sentence when there is nothing to show)."""
    if not context.fund_ids:
        return message_page(KEY, NO_FUNDS, context, state="empty")
    monitor = PortfolioMonitor(context)
    if monitor.data.rows.empty:
        return message_page(KEY, "Your funds hold no investments yet.", context, state="empty")
    return monitor.page()


def show() -> Page:
    """Open the context of this kernel's request and draw the page."""
    return render(KEY, build)
