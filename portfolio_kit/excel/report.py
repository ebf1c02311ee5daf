"""The quarterly portfolio report of one fund, as a workbook of live formulas.

``build_portfolio_report(db, fund, as_of)`` loads the fund through
``portfolio_kit.frames`` and writes:

* Summary: commitments, paid-in, distributions, NAV, unfunded, TVPI, DPI,
  RVPI, net IRR (Excel's XIRR over the cash-flow sheet), gross IRR and MOIC,
  and public-market equivalents (KS-PME, direct alpha, LN-PME, PME+) as
  formulas over the index-compounded flows;
* Schedule of investments: per company cost, realized, unrealized, total
  value, MOIC and gross IRR (XIRR over the company's deal flows and its
  unrealized value), with totals and multiples as formulas over the rows;
  a held company beside its latest mark, an exited one at its exit (the cash
  received, no mark);
* Cash flows: the LP cash flows (LP perspective: contributions negative),
  the NAV as the closing value, and the benchmark columns for the PMEs;
* Deal flows: each investment's flows (fund perspective: invested negative),
  its unrealized value as the closing flow, and all of them by date for
  the pooled gross IRR;
* Performance: laid out after the ILPA Performance Template: since-inception
  gross and net returns, and fund-level cash flows by transaction type and
  quarter.

Stored facts (dates, amounts, ownership, marks, the NAV, index levels) are
values; everything derived from them is a formula, so the report can be
audited cell by cell. The figures equal those of ``portfolio_kit.analytics``
(multiples, ``net_irr``, ``investment_summary``, ``x_ks_pme`` ...), which
the tests check after recalculating with LibreOffice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portfolio_kit import frames
from portfolio_kit.analytics import align_index
from portfolio_kit.db import Database
from portfolio_kit.errors import NotFoundError, ValidationError
from portfolio_kit.excel._text import text_cell
from portfolio_kit.excel import _styles as st
from portfolio_kit.excel._workbook import (
    add_cover_sheet,
    define_name,
    print_setup,
    save,
    write_metadata,
)
from portfolio_kit.models import CashFlowKind, Fund
from portfolio_kit.periods import is_calendar_quarter_end, quarter_ends_between

REPORT_KIND = "portfolio_report"
REPORT_VERSION = 1

_CONTRIBUTION_COLUMNS = (
    (CashFlowKind.CAPITAL_CALL, "Capital calls (investments)"),
    (CashFlowKind.MANAGEMENT_FEE, "Management fees"),
    (CashFlowKind.EXPENSE, "Partnership expenses"),
)
_DISTRIBUTION_COLUMNS = (
    (CashFlowKind.DISTRIBUTION, "Distributions"),
    (CashFlowKind.RECALLABLE_DISTRIBUTION, "Recallable distributions"),
)


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the report shows, loaded once through ``portfolio_kit.frames``."""

    fund: pd.Series
    as_of: date
    cash_flows: pd.DataFrame
    nav: float
    nav_date: date
    investments: pd.DataFrame
    deal_flows: pd.DataFrame
    marks: pd.DataFrame
    """Latest mark of each company still held (see ``_latest_marks_of_held_companies``)."""
    index_name: str | None
    index_levels: np.ndarray | None
    index_at_as_of: float | None
    index_note: str | None


def _fund_id(db: Database, fund: Fund | int | str) -> int:
    if isinstance(fund, Fund):
        return fund.id
    table = frames.funds(db)
    if isinstance(fund, int) and not isinstance(fund, bool):
        if fund in set(table["fund_id"]):
            return fund
        raise NotFoundError(f"fund: no fund with id {fund}")
    matches = table[table["name"] == fund]
    if matches.empty:
        known = ", ".join(repr(name) for name in table["name"]) or "none yet"
        raise NotFoundError(f"fund: no fund named {fund!r} (funds: {known})")
    return int(matches["fund_id"].iloc[0])


def load_report_data(db: Database, fund: Fund | int | str, as_of: date) -> ReportData:
    """The fund's flows, NAV, investments, deal flows, latest marks and benchmark as of ``as_of``.

    Raises
    ------
    ValidationError
        An ``as_of`` that is not a calendar quarter end; a fund without cash
        flows or without a NAV on or before ``as_of``.
    NotFoundError
        An unknown fund.
    """
    if not isinstance(as_of, date) or not is_calendar_quarter_end(as_of):
        raise ValidationError(
            "as_of", f"{as_of} is not a quarter end (31 Mar, 30 Jun, 30 Sep or 31 Dec)"
        )
    fund_id = _fund_id(db, fund)
    fund_row = frames.funds(db, fund_id).iloc[0]
    flows = frames.fund_cash_flows(db, fund_id, as_of)
    if flows.empty:
        raise ValidationError("fund", f"{fund_row['name']} has no cash flow on or before {as_of}")
    navs = frames.fund_navs(db, fund_id, as_of)
    if navs.empty:
        raise ValidationError(
            "fund", f"{fund_row['name']} has no NAV reported on or before {as_of}"
        )
    latest = navs.iloc[-1]
    investments = frames.investments(db, fund_id, as_of)
    deal_flows = frames.investment_cash_flows(db, fund_id, as_of)
    valuations = frames.valuations(db, fund_ids=fund_id, as_of=as_of, marks_only=True)
    marks = _latest_marks_of_held_companies(valuations, investments)
    index_name = index_levels = index_at_as_of = note = None
    try:
        levels = frames.index_levels(db, as_of=as_of)
        index_name = str(levels.name)
        dates = [*flows["date"], pd.Timestamp(as_of)]
        aligned = align_index(levels, dates)
        index_levels, index_at_as_of = aligned[:-1], float(aligned[-1])
    except (ValidationError, ValueError) as error:
        note = f"No public-market comparison: {error}"
        index_levels = None
    return ReportData(
        fund=fund_row,
        as_of=as_of,
        cash_flows=flows.reset_index(drop=True),
        nav=float(latest["nav"]),
        nav_date=pd.Timestamp(latest["as_of"]).date(),
        investments=investments.reset_index(drop=True),
        deal_flows=deal_flows,
        marks=marks,
        index_name=index_name,
        index_levels=index_levels,
        index_at_as_of=index_at_as_of,
        index_note=note,
    )


def _latest_marks_of_held_companies(
    valuations: pd.DataFrame, investments: pd.DataFrame
) -> pd.DataFrame:
    """The latest mark of each company the fund still holds, indexed by ``company_id``.

    An exited investment is worth the cash it returned, so no mark stands for
    it: not the last one before the sale, nor one the company kept receiving
    after it. Its row shows the exit instead (date, realized, unrealized 0).
    """
    held = investments.loc[investments["exit_date"].isna(), "company_id"]
    return (
        valuations[valuations["company_id"].isin(held)]
        .sort_values(["company_id", "valuation_date", "valuation_id"])
        .groupby("company_id", sort=False)
        .tail(1)
        .set_index("company_id")
    )


def _date(value: object) -> date:
    return pd.Timestamp(value).date()


@dataclass(frozen=True, slots=True)
class _CashFlowRefs:
    amount: str
    contribution: str
    distribution: str
    dates: str
    kinds: str
    xirr_amounts: str
    xirr_dates: str
    compounded: str | None
    ln_flows: str | None
    plus_flows: str | None
    factor: str | None


def _cash_flow_sheet(wb: Workbook, data: ReportData, currency: str) -> _CashFlowRefs:
    ws = wb.create_sheet("Cash flows")
    ws["A1"] = "LP cash flows"
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = (
        f"{currency}; LP perspective: contributions negative, distributions positive. "
        f"The last row is the NAV at {data.as_of}, the closing value for the net IRR."
    )
    ws["A2"].font = st.SUBTITLE_FONT
    with_index = data.index_levels is not None
    headers = ["Date", "Transaction type", "Amount", "Contribution", "Distribution"]
    if with_index:
        headers += [
            "Index level",
            "Factor to as-of (I_T / I_t)",
            "Index-compounded flow",
            "LN-PME flow",
            "PME+ flow",
        ]
    header = 4
    for column, title in enumerate(headers, start=1):
        ws.cell(row=header, column=column, value=title)
    st.style_header_row(ws, header, 1, len(headers))
    first = header + 1
    flows = data.cash_flows
    last = first + len(flows) - 1
    terminal = last + 1
    dates = flows["date"].dt.date.tolist()
    kinds = flows["kind"].astype(str).tolist()
    amounts = flows["amount"].to_numpy(float)
    for offset in range(len(flows)):
        r = first + offset
        st.style_number(ws.cell(row=r, column=1, value=dates[offset]), st.DATE)
        text_cell(ws, r, 2, kinds[offset])
        st.style_number(ws.cell(row=r, column=3, value=float(amounts[offset])), st.AMOUNT_2DP)
        st.style_formula(ws.cell(row=r, column=4, value=f"=-MIN(C{r},0)"), st.AMOUNT_2DP)
        st.style_formula(ws.cell(row=r, column=5, value=f"=MAX(C{r},0)"), st.AMOUNT_2DP)
        if with_index:
            ws.cell(
                row=r, column=6, value=float(data.index_levels[offset])
            ).number_format = "#,##0.0000"
            st.style_formula(ws.cell(row=r, column=7, value=f"=$F${terminal}/F{r}"), st.FACTOR)
            st.style_formula(ws.cell(row=r, column=8, value=f"=C{r}*G{r}"), st.AMOUNT_2DP)
            st.style_formula(ws.cell(row=r, column=9, value=f"=C{r}"), st.AMOUNT_2DP)
            st.style_formula(
                ws.cell(row=r, column=10, value=f"=IF(C{r}>0,C{r}*PmePlusLambda,C{r})"),
                st.AMOUNT_2DP,
            )
    st.style_number(ws.cell(row=terminal, column=1, value=data.as_of), st.DATE)
    ws.cell(row=terminal, column=2, value="NAV (closing value)")
    st.style_formula(ws.cell(row=terminal, column=3, value="=NAV"), st.AMOUNT_2DP, bold=True)
    refs = {
        "compounded": None,
        "ln_flows": None,
        "plus_flows": None,
        "factor": None,
    }
    if with_index:
        ws.cell(
            row=terminal, column=6, value=float(data.index_at_as_of)
        ).number_format = "#,##0.0000"
        st.style_formula(
            ws.cell(row=terminal, column=7, value=f"=$F${terminal}/F{terminal}"), st.FACTOR
        )
        st.style_formula(ws.cell(row=terminal, column=8, value=f"=C{terminal}"), st.AMOUNT_2DP)
        st.style_formula(
            ws.cell(
                row=terminal,
                column=9,
                value=f"=SUMPRODUCT(D{first}:D{last},G{first}:G{last})"
                f"-SUMPRODUCT(E{first}:E{last},G{first}:G{last})",
            ),
            st.AMOUNT_2DP,
        )
        st.style_formula(ws.cell(row=terminal, column=10, value=f"=C{terminal}"), st.AMOUNT_2DP)
        refs = {
            "compounded": f"'Cash flows'!$H${first}:$H${terminal}",
            "ln_flows": f"'Cash flows'!$I${first}:$I${terminal}",
            "plus_flows": f"'Cash flows'!$J${first}:$J${terminal}",
            "factor": f"'Cash flows'!$G${first}:$G${last}",
        }
    widths = {1: 12, 2: 26, 3: 16, 4: 16, 5: 16}
    if with_index:
        widths.update({6: 12, 7: 14, 8: 18, 9: 16, 10: 16})
    st.set_widths(ws, widths)
    ws.freeze_panes = ws.cell(row=first, column=1)
    print_setup(
        ws, f"A1:{get_column_letter(len(headers))}{terminal}", title_rows=f"{header}:{header}"
    )
    sheet = "'Cash flows'"
    define_name(wb, "LpCashFlows", ws, f"C{first}:C{last}")
    define_name(wb, "LpCashFlowDates", ws, f"A{first}:A{last}")
    return _CashFlowRefs(
        amount=f"{sheet}!$C${first}:$C${last}",
        contribution=f"{sheet}!$D${first}:$D${last}",
        distribution=f"{sheet}!$E${first}:$E${last}",
        dates=f"{sheet}!$A${first}:$A${last}",
        kinds=f"{sheet}!$B${first}:$B${last}",
        xirr_amounts=f"{sheet}!$C${first}:$C${terminal}",
        xirr_dates=f"{sheet}!$A${first}:$A${terminal}",
        **refs,
    )


@dataclass(frozen=True, slots=True)
class _Block:
    first: int
    last: int
    terminal: int


def _deal_flow_sheet(
    wb: Workbook, data: ReportData, schedule_rows: list[int], currency: str
) -> tuple[list[_Block], str, str]:
    """Per-investment blocks (flows then the unrealized value) and a pooled copy sorted by date."""
    ws = wb.create_sheet("Deal flows")
    ws["A1"] = "Deal cash flows by investment"
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = (
        f"{currency}; fund perspective: invested negative, proceeds, dividends and interest "
        "positive. "
        "Each investment ends with its unrealized value on the report date. Columns G:H repeat "
        "every flow by date "
        "for the pooled gross IRR."
    )
    ws["A2"].font = st.SUBTITLE_FONT
    header = 4
    for column, title in enumerate(
        ["Company", "Date", "Transaction type", "Amount", "", "", "Date", "Amount"], 1
    ):
        if title:
            ws.cell(row=header, column=column, value=title)
    st.style_header_row(ws, header, 1, 4)
    st.style_header_row(ws, header, 7, 8)
    flows = data.deal_flows.sort_values(["investment_id", "date"], kind="stable")
    by_investment: dict[int, list[tuple[date, str, float]]] = {}
    for investment_id, when, kind, amount in zip(
        flows["investment_id"].tolist(),
        flows["date"].dt.date.tolist(),
        flows["kind"].astype(str).tolist(),
        flows["amount"].tolist(),
        strict=True,
    ):
        by_investment.setdefault(investment_id, []).append((when, kind, amount))
    row = header + 1
    blocks: list[_Block] = []
    pooled: list[tuple[date, int, int]] = []
    for position, investment in data.investments.iterrows():
        first = row
        name = str(investment["company_name"])
        for when, kind, amount in by_investment.get(investment["investment_id"], []):
            text_cell(ws, row, 1, name)
            st.style_number(ws.cell(row=row, column=2, value=when), st.DATE)
            text_cell(ws, row, 3, kind)
            st.style_number(ws.cell(row=row, column=4, value=float(amount)), st.AMOUNT_2DP)
            pooled.append((when, 0, row))
            row += 1
        terminal = row
        text_cell(ws, row, 1, name)
        st.style_number(ws.cell(row=row, column=2, value=data.as_of), st.DATE)
        ws.cell(row=row, column=3, value="unrealized value")
        st.style_formula(
            ws.cell(
                row=row, column=4, value=f"='Schedule of investments'!$K${schedule_rows[position]}"
            ),
            st.AMOUNT_2DP,
            bold=True,
        )
        pooled.append((data.as_of, 1, row))
        blocks.append(_Block(first, terminal - 1, terminal))
        row += 1
    pooled.sort(key=lambda item: (item[0], item[1], item[2]))
    for offset, (_when, _order, source) in enumerate(pooled):
        r = header + 1 + offset
        st.style_formula(ws.cell(row=r, column=7, value=f"=B{source}"), st.DATE)
        st.style_formula(ws.cell(row=r, column=8, value=f"=D{source}"), st.AMOUNT_2DP)
    end = header + len(pooled)
    st.set_widths(ws, {1: 30, 2: 12, 3: 20, 4: 16, 5: 2, 6: 2, 7: 12, 8: 16})
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    print_setup(ws, f"A1:H{max(row - 1, end)}", title_rows=f"{header}:{header}")
    first_pooled = header + 1
    return (
        blocks,
        f"'Deal flows'!$H${first_pooled}:$H${end}",
        f"'Deal flows'!$G${first_pooled}:$G${end}",
    )


_SCHEDULE_HEADERS = [
    "Company",
    "Sector",
    "Entry date",
    "Exit date",
    "Status",
    "Ownership",
    "Latest mark",
    "Equity value (100%)",
    "Invested (cost)",
    "Realized",
    "Unrealized",
    "Total value",
    "MOIC",
    "Gross IRR",
    "Valuation basis",
]


def _schedule_sheet(
    wb: Workbook, data: ReportData, currency: str
) -> tuple[Worksheet, list[int], int]:
    ws = wb.create_sheet("Schedule of investments")
    ws["A1"] = "Schedule of investments"
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = (
        f"{currency}, as of {data.as_of}. Held: unrealized = ownership x the latest mark's "
        "equity value (negative equity counts as 0), cost when no mark exists. Exited: shown at "
        "the exit, with no mark; realized is the cash received, unrealized 0, MOIC = realized / "
        "cost. Gross IRR: XIRR of the deal flows."
    )
    ws["A2"].font = st.SUBTITLE_FONT
    header = 4
    for column, title in enumerate(_SCHEDULE_HEADERS, start=1):
        ws.cell(row=header, column=column, value=title)
    st.style_header_row(ws, header, 1, len(_SCHEDULE_HEADERS))
    rows = [header + 1 + offset for offset in range(len(data.investments))]
    for position, investment in data.investments.iterrows():
        r = rows[position]
        exited = pd.notna(investment["exit_date"])
        mark = (
            data.marks.loc[investment["company_id"]]
            if not exited and investment["company_id"] in data.marks.index
            else None
        )
        text_cell(ws, r, 1, str(investment["company_name"]))
        text_cell(ws, r, 2, str(investment["sector"]))
        st.style_number(ws.cell(row=r, column=3, value=_date(investment["entry_date"])), st.DATE)
        if exited:
            st.style_number(ws.cell(row=r, column=4, value=_date(investment["exit_date"])), st.DATE)
        ws.cell(row=r, column=5, value=_schedule_status(investment))
        st.style_number(ws.cell(row=r, column=6, value=float(investment["ownership"])), st.PERCENT)
        if exited:
            basis = f"exit of {_date(investment['exit_date'])} (cash received)"
        elif mark is None:
            basis = "at cost (no valuation on file)"
        else:
            st.style_number(ws.cell(row=r, column=7, value=_date(mark["valuation_date"])), st.DATE)
            st.style_number(ws.cell(row=r, column=8, value=float(mark["equity_value"])), st.AMOUNT)
            basis = f"mark of {_date(mark['valuation_date'])} ({mark['method']})"
        text_cell(ws, r, 15, basis)
    return ws, rows, header


def _schedule_status(investment: pd.Series) -> str:
    """"held" until the exit; then "written off" for a company sold for nothing and
    marked so, "realized" otherwise (the company's status tells the two apart)."""
    if pd.isna(investment["exit_date"]):
        return "held"
    return "written off" if str(investment["status"]) == "written_off" else "realized"


def _fill_schedule(
    ws: Worksheet, rows: list[int], blocks: list[_Block], header: int, pooled: tuple[str, str]
) -> int:
    for r, block in zip(rows, blocks, strict=True):
        amounts = f"'Deal flows'!$D${block.first}:$D${block.last}"
        irr_amounts = f"'Deal flows'!$D${block.first}:$D${block.terminal}"
        irr_dates = f"'Deal flows'!$B${block.first}:$B${block.terminal}"
        has_flows = block.last >= block.first
        formulas = {
            9: f'=-SUMIF({amounts},"<0")' if has_flows else "=0",
            10: f'=SUMIF({amounts},">0")' if has_flows else "=0",
            11: f'=IF(D{r}<>"",0,IF(ISNUMBER(H{r}),F{r}*MAX(H{r},0),I{r}))',
            12: f"=J{r}+K{r}",
            13: f"=IF(I{r}>0,L{r}/I{r},NA())",
            14: (
                f'=IF(COUNTIF({irr_amounts},">0")*COUNTIF({irr_amounts},"<0")=0,NA(),'
                f"XIRR({irr_amounts},{irr_dates}))"
            ),
        }
        for column, formula in formulas.items():
            number_format = {13: st.MULTIPLE, 14: st.PERCENT}.get(column, st.AMOUNT)
            st.style_formula(ws.cell(row=r, column=column, value=formula), number_format)
    total = (rows[-1] if rows else header) + 1
    first, last = header + 1, total - 1
    ws.cell(row=total, column=1, value="Total")
    for column in range(1, 16):
        ws.cell(row=total, column=column).font = st.TOTAL_FONT
    for column in (9, 10, 11, 12):
        letter = get_column_letter(column)
        formula = f"=SUM({letter}{first}:{letter}{last})" if rows else "=0"
        st.style_total(ws.cell(row=total, column=column, value=formula), st.AMOUNT)
    st.style_total(
        ws.cell(row=total, column=13, value=f"=IF(I{total}>0,L{total}/I{total},NA())"), st.MULTIPLE
    )
    pooled_amounts, pooled_dates = pooled
    st.style_total(
        ws.cell(
            row=total,
            column=14,
            value=f'=IF(COUNTIF({pooled_amounts},">0")*COUNTIF({pooled_amounts},"<0")=0,NA(),'
            f"XIRR({pooled_amounts},{pooled_dates}))",
        ),
        st.PERCENT,
    )
    st.set_widths(
        ws,
        {
            1: 30,
            2: 18,
            3: 11,
            4: 11,
            5: 9,
            6: 10,
            7: 11,
            8: 16,
            9: 16,
            10: 16,
            11: 16,
            12: 16,
            13: 9,
            14: 10,
            15: 40,
        },
    )
    ws.freeze_panes = ws.cell(row=header + 1, column=2)
    print_setup(ws, f"A1:O{total}", title_rows=f"{header}:{header}")
    return total


def _summary_sheet(
    wb: Workbook, data: ReportData, cf: _CashFlowRefs, schedule_total: int, currency: str
) -> None:
    ws = wb.create_sheet("Summary", 0)
    fund = data.fund
    text_cell(ws, 1, 1, f"{fund['name']}: fund summary")
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = f"As of {data.as_of}; {currency}."
    ws["A2"].font = st.SUBTITLE_FONT
    total = f"'Schedule of investments'!$%s${schedule_total}"
    lines: list[tuple[str, str, object, str, str | None]] = [
        ("commitments", "Commitments", float(fund["total_commitments"]), st.AMOUNT, "Commitments"),
        (
            "paid_in",
            "Paid-in capital (capital calls, fees and expenses)",
            f"=SUM({cf.contribution})",
            st.AMOUNT,
            "PaidIn",
        ),
        ("unfunded", "Unfunded commitment (commitments - paid-in)", "=C4-C5", st.AMOUNT, None),
        ("distributions", "Distributions", f"=SUM({cf.distribution})", st.AMOUNT, "Distributions"),
        ("nav", f"Net asset value (reported for {data.nav_date})", data.nav, st.AMOUNT, "NAV"),
        ("total_value", "Total value (distributions + NAV)", "=C7+C8", st.AMOUNT, None),
        ("tvpi", "TVPI", "=IF(C5>0,(C7+C8)/C5,NA())", st.MULTIPLE, "TVPI"),
        ("dpi", "DPI", "=IF(C5>0,C7/C5,NA())", st.MULTIPLE, "DPI"),
        ("rvpi", "RVPI", "=IF(C5>0,C8/C5,NA())", st.MULTIPLE, "RVPI"),
        (
            "net_irr",
            "Net IRR (XIRR of LP flows and NAV)",
            f"=XIRR({cf.xirr_amounts},{cf.xirr_dates})",
            st.PERCENT_2DP,
            "NetIRR",
        ),
        (
            "gross_irr",
            "Gross IRR (pooled deal flows)",
            "=" + total % "N",
            st.PERCENT_2DP,
            "GrossIRR",
        ),
        ("gross_moic", "Gross MOIC", "=" + total % "M", st.MULTIPLE, "GrossMOIC"),
    ]
    row = 4
    for key, label, value, number_format, name in lines:
        text_cell(ws, row, 1, label)
        cell = ws.cell(row=row, column=3, value=value)
        if key in ("commitments", "nav"):
            cell.number_format = number_format
        elif key in ("tvpi", "net_irr", "gross_irr"):
            st.style_output(cell, number_format)
        else:
            st.style_formula(cell, number_format)
        if name:
            define_name(wb, name, ws, cell.coordinate)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value="Public market equivalent").font = st.SECTION_FONT
    row += 1
    if data.index_levels is None:
        text_cell(ws, row, 1, data.index_note or "No benchmark index stored.").font = st.NOTE_FONT
        row += 1
    else:
        text_cell(ws, row, 1, f"Benchmark: {data.index_name}").font = st.NOTE_FONT
        row += 1
        pme_lines = [
            (
                "KS-PME (Kaplan-Schoar)",
                f"=(SUMPRODUCT({cf.distribution},{cf.factor})+NAV)"
                f"/SUMPRODUCT({cf.contribution},{cf.factor})",
                st.FACTOR,
                "KsPme",
            ),
            (
                "Direct alpha (annual)",
                f"=XIRR({cf.compounded},{cf.xirr_dates})",
                st.PERCENT_2DP,
                "DirectAlpha",
            ),
            (
                "LN-PME IRR (Long-Nickels)",
                f"=XIRR({cf.ln_flows},{cf.xirr_dates})",
                st.PERCENT_2DP,
                "LnPme",
            ),
            (
                "PME+ lambda (undefined before any distribution)",
                f"=IF(SUMPRODUCT({cf.distribution},{cf.factor})=0,NA(),"
                f"(SUMPRODUCT({cf.contribution},{cf.factor})-NAV)"
                f"/SUMPRODUCT({cf.distribution},{cf.factor}))",
                st.FACTOR,
                "PmePlusLambda",
            ),
            (
                "PME+ IRR (Rouvinez)",
                f"=IF(ISNUMBER(PmePlusLambda),XIRR({cf.plus_flows},{cf.xirr_dates}),NA())",
                st.PERCENT_2DP,
                "PmePlus",
            ),
        ]
        for label, formula, number_format, name in pme_lines:
            ws.cell(row=row, column=1, value=label)
            cell = ws.cell(row=row, column=3, value=formula)
            st.style_output(cell, number_format) if name == "KsPme" else st.style_formula(
                cell, number_format
            )
            define_name(wb, name, ws, cell.coordinate)
            row += 1
    st.set_widths(ws, {1: 52, 2: 2, 3: 18})
    print_setup(ws, f"A1:C{row}", landscape=False)


def _performance_sheet(wb: Workbook, data: ReportData, cf: _CashFlowRefs, currency: str) -> None:
    ws = wb.create_sheet("Performance")
    ws["A1"] = "Performance (after the ILPA Performance Template)"
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = (
        f"{currency}; since inception to {data.as_of}. Cash flows from the LP's side: "
        "contributions negative."
    )
    ws["A2"].font = st.SUBTITLE_FONT
    ws["A4"] = "Since-inception returns"
    ws["A4"].font = st.SECTION_FONT
    returns = [
        ("Gross IRR", "=GrossIRR", st.PERCENT_2DP),
        ("Gross MOIC (total value / invested)", "=GrossMOIC", st.MULTIPLE),
        ("Net IRR", "=NetIRR", st.PERCENT_2DP),
        ("Net TVPI", "=TVPI", st.MULTIPLE),
        ("DPI", "=DPI", st.MULTIPLE),
        ("RVPI", "=RVPI", st.MULTIPLE),
    ]
    if data.index_levels is not None:
        returns.append(("KS-PME", "=KsPme", st.FACTOR))
        returns.append(("Direct alpha", "=DirectAlpha", st.PERCENT_2DP))
    row = 5
    for label, formula, number_format in returns:
        ws.cell(row=row, column=1, value=label)
        st.style_formula(ws.cell(row=row, column=2, value=formula), number_format)
        row += 1

    row += 1
    ws.cell(
        row=row, column=1, value="Fund-level cash flows by transaction type and quarter"
    ).font = st.SECTION_FONT
    row += 1
    header = row
    titles = [
        "Quarter end",
        *[label for _, label in _CONTRIBUTION_COLUMNS],
        "Total contributions",
        *[label for _, label in _DISTRIBUTION_COLUMNS],
        "Total distributions",
        "Net cash flow",
        "Cumulative net cash flow",
    ]
    for column, title in enumerate(titles, start=1):
        ws.cell(row=header, column=column, value=title)
    st.style_header_row(ws, header, 1, len(titles))
    first_flow = _date(data.cash_flows["date"].min())
    quarters = quarter_ends_between(first_flow, data.as_of)
    row = header + 1
    first_row = row
    for index, quarter in enumerate(quarters):
        st.style_number(ws.cell(row=row, column=1, value=quarter), st.DATE)
        lower = f'">"&A{row - 1}' if index else '">"&DATE(1900,1,1)'
        column = 2
        for kind, _label in _CONTRIBUTION_COLUMNS:
            formula = (
                f'=SUMIFS({cf.amount},{cf.kinds},"{kind.value}",'
                f'{cf.dates},{lower},{cf.dates},"<="&A{row})'
            )
            st.style_formula(ws.cell(row=row, column=column, value=formula), st.AMOUNT)
            column += 1
        st.style_formula(
            ws.cell(row=row, column=column, value=f"=SUM(B{row}:D{row})"), st.AMOUNT, bold=True
        )
        column += 1
        for kind, _label in _DISTRIBUTION_COLUMNS:
            formula = (
                f'=SUMIFS({cf.amount},{cf.kinds},"{kind.value}",'
                f'{cf.dates},{lower},{cf.dates},"<="&A{row})'
            )
            st.style_formula(ws.cell(row=row, column=column, value=formula), st.AMOUNT)
            column += 1
        st.style_formula(
            ws.cell(row=row, column=column, value=f"=F{row}+G{row}"), st.AMOUNT, bold=True
        )
        st.style_formula(ws.cell(row=row, column=column + 1, value=f"=E{row}+H{row}"), st.AMOUNT)
        cumulative = f"=I{row}" if index == 0 else f"=J{row - 1}+I{row}"
        st.style_formula(ws.cell(row=row, column=column + 2, value=cumulative), st.AMOUNT)
        row += 1
    total = row
    ws.cell(row=total, column=1, value="Total")
    for column in range(2, 10):
        letter = get_column_letter(column)
        st.style_total(
            ws.cell(
                row=total, column=column, value=f"=SUM({letter}{first_row}:{letter}{total - 1})"
            ),
            st.AMOUNT,
        )
    define_name(wb, "PerformanceCashFlows", ws, f"B{first_row}:I{total - 1}")
    define_name(wb, "PerformanceTotals", ws, f"B{total}:I{total}")
    st.set_widths(ws, {1: 36, 2: 18, 3: 16, 4: 16, 5: 18, 6: 16, 7: 16, 8: 18, 9: 16, 10: 18})
    ws.freeze_panes = ws.cell(row=header + 1, column=2)
    print_setup(ws, f"A1:J{total}", title_rows=f"{header}:{header}")


def build_portfolio_report(db: Database, fund: Fund | int | str, as_of: date) -> Workbook:
    """The quarterly report workbook of ``fund`` (object, id or name) as of a quarter end.

    Raises
    ------
    ValidationError, NotFoundError
        See ``load_report_data``.
    """
    data = load_report_data(db, fund, as_of)
    currency = str(data.fund["currency"])
    wb = Workbook()
    wb.remove(wb.active)
    schedule, rows, header = _schedule_sheet(wb, data, currency)
    blocks, pooled_amounts, pooled_dates = _deal_flow_sheet(wb, data, rows, currency)
    total = _fill_schedule(schedule, rows, blocks, header, (pooled_amounts, pooled_dates))
    cash = _cash_flow_sheet(wb, data, currency)
    _summary_sheet(wb, data, cash, total, currency)
    _performance_sheet(wb, data, cash, currency)
    for position, name in enumerate(
        ["Summary", "Schedule of investments", "Performance", "Cash flows", "Deal flows"]
    ):
        wb.move_sheet(name, offset=position - wb.sheetnames.index(name))
    define_name(wb, "ScheduleTotals", schedule, f"I{total}:N{total}")
    first_row = header + 1
    define_name(wb, "Schedule", schedule, f"A{first_row}:O{max(first_row, total - 1)}")
    nav_note = "" if data.nav_date == data.as_of else f" (latest NAV on file: {data.nav_date})"
    add_cover_sheet(
        wb,
        f"Quarterly portfolio report: {data.fund['name']}",
        [
            ("Fund", str(data.fund["name"])),
            ("Vintage", int(data.fund["vintage_year"])),
            ("Strategy", str(data.fund["strategy"])),
            ("Currency", currency),
            ("As of", data.as_of),
            ("NAV date", f"{data.nav_date}{nav_note}"),
            ("Investments", len(data.investments)),
            ("Benchmark", data.index_name or "none"),
            (
                "Data",
                "portfolio_kit database: LP cash flows, reported NAVs, deal cash flows and "
                "valuation marks "
                f"dated on or before {data.as_of}.",
            ),
        ],
        [
            "Stored facts (dates, amounts, ownership, marks, the NAV, index levels) are "
            "values; totals, multiples "
            "and IRRs are formulas over them (XIRR for IRRs), so every figure can be traced.",
            "Sign conventions: LP cash flows from the LP's side (contributions negative); deal "
            "cash flows from the "
            "fund's side (invested negative). Paid-in capital includes management fees and "
            "expenses.",
        ],
    )
    write_metadata(
        wb,
        {
            "kind": REPORT_KIND,
            "report_version": REPORT_VERSION,
            "fund_id": int(data.fund["fund_id"]),
            "fund_name": str(data.fund["name"]),
            "as_of": data.as_of,
            "currency": currency,
        },
    )
    wb.active = 0
    return wb


def export_portfolio_report(
    db: Database, fund: Fund | int | str, as_of: date, path: str | Path | None = None
) -> bytes | Path:
    """Build the report and save it to ``path`` (or return its bytes)."""
    return save(build_portfolio_report(db, fund, as_of), path)
