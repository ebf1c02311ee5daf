"""A leveraged-buyout model as a live Excel workbook.

``build_lbo`` writes the model of ``portfolio_kit.analytics.lbo.lbo_returns``
line by line as formulas over an Inputs sheet: sources and uses, the
operating projection, a debt schedule per tranche with mandatory
amortisation and an optional cash sweep, exit equity, MOIC and IRR (Excel's
``IRR`` over the sponsor's cash flows). Conventions are those of the Python
model, chosen so the workbook has no circular reference: interest on opening
balances, mandatory repayment a fixed share of the original principal,
excess cash above the minimum swept (``sweep_share`` of it) into the sweep
tranches in order, no revolver, one equity cheque in and one out.

Sheets: Cover, Inputs, History (when given), LBO, and a very hidden
metadata sheet that the import reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portfolio_kit.analytics.lbo import LboAssumptions
from portfolio_kit.excel._text import text_cell
from portfolio_kit.excel import _styles as st
from portfolio_kit.excel._history import history_source, write_history_sheet
from portfolio_kit.excel._inputs import (
    BOOLEAN,
    FIRST_YEAR_COLUMN,
    TEXT,
    InputSpec,
    finish_inputs_sheet,
    start_inputs_sheet,
    write_input_section,
    write_inputs,
    write_section_title,
    year_labels,
)
from portfolio_kit.excel._workbook import add_cover_sheet, define_name, print_setup, write_metadata

MODEL_KIND = "lbo"
MODEL_VERSION = 1

YEARLY_INPUTS = (
    InputSpec(
        "ebitda_growth",
        "EbitdaGrowth",
        "EBITDA growth",
        "Growth of each holding year's EBITDA; the number of years is the holding period.",
        st.PERCENT,
        per_year=True,
    ),
)
DEAL_INPUTS = (
    InputSpec(
        "entry_ebitda", "EntryEbitda", "Entry EBITDA", "EBITDA at closing (year 0).", st.AMOUNT
    ),
    InputSpec(
        "entry_multiple",
        "EntryMultiple",
        "Entry multiple (EV / EBITDA)",
        "Purchase price multiple.",
        st.MULTIPLE,
    ),
    InputSpec(
        "exit_multiple",
        "ExitMultiple",
        "Exit multiple (EV / EBITDA)",
        "Applied to the final year's EBITDA.",
        st.MULTIPLE,
    ),
    InputSpec(
        "transaction_fees",
        "TransactionFees",
        "Transaction fees",
        "Paid at closing, funded like the price.",
        st.AMOUNT,
    ),
    InputSpec(
        "minimum_cash",
        "MinimumCash",
        "Minimum cash",
        "Funded at closing and kept on the balance sheet.",
        st.AMOUNT,
    ),
)
OPERATING_INPUTS = (
    InputSpec(
        "tax_rate",
        "TaxRate",
        "Tax rate",
        "On positive pre-tax income (EBITDA - D&A - interest).",
        st.PERCENT,
    ),
    InputSpec(
        "depreciation_pct_ebitda",
        "DaPctEbitda",
        "D&A % of EBITDA",
        "Tax shield only; not a cash cost.",
        st.PERCENT,
    ),
    InputSpec(
        "capex_pct_ebitda",
        "CapexPctEbitda",
        "Capex % of EBITDA",
        "Capital expenditure per unit of EBITDA.",
        st.PERCENT,
    ),
    InputSpec(
        "nwc_pct_ebitda",
        "NwcPctEbitda",
        "Working capital % of EBITDA growth",
        "Cash tied up per unit of EBITDA growth.",
        st.PERCENT,
    ),
    InputSpec(
        "sweep_share",
        "SweepShare",
        "Cash sweep share",
        "Share of excess cash that repays sweep tranches.",
        st.PERCENT,
    ),
)
VALUATION_INPUTS = (
    InputSpec(
        "existing_net_debt",
        "ExistingNetDebt",
        "Target's net debt before the deal",
        "Refinanced at closing; the equity purchase price is purchase EV less this "
        "(used for the equity value an import stores).",
        st.AMOUNT,
    ),
)


def tranche_specs(index: int) -> tuple[InputSpec, ...]:
    """The five inputs of tranche ``index`` (1-based), in the order of ``DebtTranche``'s fields."""
    prefix = f"Tranche{index}"
    return (
        InputSpec(
            f"tranches.{index}.name",
            f"{prefix}Name",
            f"Tranche {index}: name",
            "A label, unique.",
            kind=TEXT,
        ),
        InputSpec(
            f"tranches.{index}.amount",
            f"{prefix}Amount",
            f"Tranche {index}: amount",
            "Principal drawn at closing.",
            st.AMOUNT,
        ),
        InputSpec(
            f"tranches.{index}.interest_rate",
            f"{prefix}Rate",
            f"Tranche {index}: interest rate",
            "Cash interest on the opening balance.",
            st.PERCENT_2DP,
        ),
        InputSpec(
            f"tranches.{index}.amortization_rate",
            f"{prefix}Amortization",
            f"Tranche {index}: mandatory amortisation",
            "Repaid each year, as a share of the original amount.",
            st.PERCENT,
        ),
        InputSpec(
            f"tranches.{index}.cash_sweep",
            f"{prefix}Sweep",
            f"Tranche {index}: cash sweep",
            "TRUE: excess cash repays this tranche (in tranche order).",
            kind=BOOLEAN,
        ),
    )


OUTPUT_NAMES = (
    "PurchaseEnterpriseValue",
    "TotalUses",
    "TotalDebtAtClosing",
    "SponsorEquity",
    "ExitEnterpriseValue",
    "ExitNetDebt",
    "ExitEquityValue",
    "SponsorProceeds",
    "EquityMOIC",
    "EquityIRR",
)


def _inputs_sheet(
    wb: Workbook,
    assumptions: LboAssumptions,
    existing_net_debt: float,
    first_year: int | None,
    currency: str,
) -> dict[str, str]:
    years = assumptions.years
    last_column = FIRST_YEAR_COLUMN + years - 1
    values: dict[str, Any] = assumptions.to_dict()
    values["existing_net_debt"] = existing_net_debt
    ws, row, refs = start_inputs_sheet(
        wb,
        title="Inputs: every assumption of the LBO",
        drivers_title="Operating drivers by holding year",
        currency=currency,
        first_year=first_year,
        yearly=YEARLY_INPUTS,
        values=values,
        years=years,
    )
    for title, specs in (
        ("Deal", DEAL_INPUTS),
        ("Operations and cash", OPERATING_INPUTS),
        ("Valuation of the target", VALUATION_INPUTS),
    ):
        row, found = write_input_section(wb, ws, row, title, specs, values, years)
        refs.update(found)
    row = write_section_title(
        ws, row + 1, "Debt tranches (repaid and swept in this order)", last_column
    )
    if not assumptions.tranches:
        ws.cell(
            row=row, column=1, value="No acquisition debt: the deal is all equity."
        ).font = st.NOTE_FONT
        row += 1
    for index, tranche in enumerate(assumptions.tranches, start=1):
        tranche_values = {
            f"tranches.{index}.{key}": value for key, value in tranche.to_dict().items()
        }
        row, found = write_inputs(wb, ws, tranche_specs(index), tranche_values, row, years)
        refs.update(found)
        row += 1
    finish_inputs_sheet(ws, years, row, label_width=36)
    return refs


@dataclass
class _Writer:
    ws: Worksheet
    years: int

    @property
    def last(self) -> str:
        return get_column_letter(FIRST_YEAR_COLUMN + self.years - 1)

    def label(self, row: int, text: str, unit: str = "") -> None:
        text_cell(self.ws, row, 1, text)
        if unit:
            text_cell(self.ws, row, 2, unit)

    def scalar(
        self, row: int, text: str, formula: str, number_format: str, *, output: bool = False
    ) -> str:
        self.label(row, text)
        cell = self.ws.cell(row=row, column=3, value=formula)
        if output:
            st.style_output(cell, number_format)
        else:
            st.style_formula(cell, number_format)
        return f"C{row}"

    def yearly(
        self,
        row: int,
        text: str,
        unit: str,
        formula: Any,
        number_format: str,
        *,
        bold: bool = False,
    ) -> None:
        """``formula(c, p)`` gives the formula of year column ``c`` (previous column ``p``)."""
        self.label(row, text, unit)
        for offset in range(self.years):
            column = FIRST_YEAR_COLUMN + offset
            c, p = get_column_letter(column), get_column_letter(column - 1)
            st.style_formula(
                self.ws.cell(row=row, column=column, value=formula(c, p)), number_format, bold=bold
            )

    def base(self, row: int, formula: str, number_format: str) -> None:
        st.style_formula(self.ws.cell(row=row, column=3, value=formula), number_format)


def _sum_of(column: str, rows: list[int]) -> str:
    return "=" + "+".join(f"{column}{row}" for row in rows) if rows else "=0"


PROJECTION_LINES = (
    "year",
    "growth",
    "ebitda",
    "da",
    "interest",
    "pretax",
    "taxes",
    "capex",
    "dnwc",
    "fcf",
    "gap1",
    "opening_cash",
    "mandatory",
    "available",
    "sweep",
    "closing_cash",
    "gap2",
)
"""The projection's lines in sheet order, one row each (``gap`` rows stay empty)."""

TRANCHE_LINES = ("title", "opening", "interest", "mandatory", "sweep", "closing")
"""One debt schedule's rows; a blank row follows each schedule."""

SOURCES_AND_USES_LINES = (
    "entry_ebitda",
    "entry_multiple",
    "purchase",
    "fees",
    "cash",
    "uses",
)
SOURCE_TOTAL_LINES = ("debt", "equity", "sources", "leverage", "equity_share")
EXIT_LINES = (
    "ebitda",
    "multiple",
    "enterprise_value",
    "net_debt",
    "equity_value",
    "proceeds",
    "moic",
    "irr",
    "irr_check",
    "holding_years",
    "cash_warning",
)


@dataclass(frozen=True)
class LboLayout:
    """Where everything sits on the LBO sheet: the one description of its grid.

    Columns: A the line's label, B its unit, C the closing (year 0) value or a
    single figure, then one column per projection year from
    ``FIRST_YEAR_COLUMN``. Rows, top to bottom: the title (1) and subtitle
    (2); "Sources and uses at closing" (section title on row 4) with the uses
    block, a blank row, one source row per tranche and the source totals;
    after a blank row the projection header, the projection lines
    (``PROJECTION_LINES``), one debt schedule per tranche (``TRANCHE_LINES``
    and a blank row), total debt, net debt and the sponsor's cash flows; then,
    after a blank row, "Exit and returns" (``EXIT_LINES``). Every row number
    below derives from the number of tranches, so the writer, the defined
    names and the tests read them here instead of counting.
    """

    years: int
    tranches: int

    SECTION_ROW = 4

    @property
    def first_year_column(self) -> int:
        return FIRST_YEAR_COLUMN

    @property
    def last_year_column(self) -> int:
        return FIRST_YEAR_COLUMN + self.years - 1

    def _block(self, top: int, lines: tuple[str, ...]) -> dict[str, int]:
        return {line: top + offset for offset, line in enumerate(lines)}

    @property
    def uses(self) -> dict[str, int]:
        return self._block(self.SECTION_ROW + 1, SOURCES_AND_USES_LINES)

    def source_row(self, tranche: int) -> int:
        """The sources row of tranche ``tranche`` (1-based)."""
        return self.uses["uses"] + 1 + tranche

    @property
    def source_totals(self) -> dict[str, int]:
        return self._block(self.uses["uses"] + 2 + self.tranches, SOURCE_TOTAL_LINES)

    @property
    def header(self) -> int:
        """The projection's header row (year labels); panes freeze below it."""
        return self.source_totals["equity_share"] + 2

    @property
    def projection(self) -> dict[str, int]:
        rows = self._block(self.header + 1, PROJECTION_LINES)
        after = rows["gap2"] + 1 + len(TRANCHE_LINES + ("blank",)) * self.tranches
        rows.update(total_debt=after, net_debt=after + 1, flows=after + 2)
        return rows

    def tranche(self, tranche: int) -> dict[str, int]:
        """The debt-schedule rows of tranche ``tranche`` (1-based)."""
        top = self.projection["gap2"] + 1 + (len(TRANCHE_LINES) + 1) * (tranche - 1)
        return self._block(top, TRANCHE_LINES)

    @property
    def exit_section(self) -> int:
        return self.projection["flows"] + 2

    @property
    def exit(self) -> dict[str, int]:
        return self._block(self.exit_section + 1, EXIT_LINES)

    @property
    def last_row(self) -> int:
        return self.exit["cash_warning"]


def _lbo_sheet(
    wb: Workbook, assumptions: LboAssumptions, currency: str, first_year: int | None
) -> int:
    """The LBO sheet, written in the order a reader checks a deal; returns its last row."""
    ws = wb.create_sheet("LBO")
    layout = LboLayout(assumptions.years, len(assumptions.tranches))
    w = _Writer(ws, assumptions.years)
    _write_title(ws, currency)
    _write_sources_and_uses(wb, w, layout)
    _write_projection_header(ws, layout, first_year)
    _write_operations(wb, w, layout, currency)
    _write_cash(w, layout, currency)
    for tranche in range(1, layout.tranches + 1):
        _write_debt_schedule(w, layout, tranche, currency)
    _write_debt_totals(w, layout, currency)
    _write_exit_and_returns(w, layout)
    _write_sponsor_flows(w, layout, currency)
    _define_result_names(wb, ws, layout)
    _finish_lbo_sheet(ws, layout)
    return layout.last_row


def _write_title(ws: Worksheet, currency: str) -> None:
    ws["A1"] = "Leveraged buyout"
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = (
        f"{currency}; interest on opening balances, no revolver, one equity cheque in and out."
    )
    ws["A2"].font = st.SUBTITLE_FONT


def _write_sources_and_uses(wb: Workbook, w: _Writer, layout: LboLayout) -> None:
    """What the deal costs (uses) and who pays (the tranches, then the sponsor's equity)."""
    ws = w.ws
    write_section_title(ws, layout.SECTION_ROW, "Sources and uses at closing", layout.last_year_column)
    u = layout.uses
    w.scalar(u["entry_ebitda"], "Entry EBITDA", "=EntryEbitda", st.AMOUNT)
    w.scalar(u["entry_multiple"], "Entry multiple", "=EntryMultiple", st.MULTIPLE)
    purchase = w.scalar(
        u["purchase"],
        "Purchase enterprise value",
        f"=C{u['entry_ebitda']}*C{u['entry_multiple']}",
        st.AMOUNT,
    )
    w.scalar(u["fees"], "Transaction fees", "=TransactionFees", st.AMOUNT)
    w.scalar(u["cash"], "Cash to balance sheet", "=MinimumCash", st.AMOUNT)
    uses = w.scalar(
        u["uses"], "Total uses", f"=C{u['purchase']}+C{u['fees']}+C{u['cash']}", st.AMOUNT
    )
    st.style_total(ws[uses], st.AMOUNT)
    define_name(wb, "PurchaseEnterpriseValue", ws, purchase)
    define_name(wb, "TotalUses", ws, uses)
    source_rows = []
    for index in range(1, layout.tranches + 1):
        row = layout.source_row(index)
        ws.cell(row=row, column=1, value=f"=Tranche{index}Name")
        st.style_formula(ws.cell(row=row, column=3, value=f"=Tranche{index}Amount"), st.AMOUNT)
        source_rows.append(row)
    s = layout.source_totals
    debt = w.scalar(s["debt"], "Total debt", _sum_of("C", source_rows), st.AMOUNT)
    equity = w.scalar(s["equity"], "Sponsor equity", f"={uses}-{debt}", st.AMOUNT, output=True)
    total_sources = w.scalar(s["sources"], "Total sources", f"={debt}+{equity}", st.AMOUNT)
    st.style_total(ws[total_sources], st.AMOUNT)
    w.scalar(
        s["leverage"], "Total debt / entry EBITDA", f"={debt}/C{u['entry_ebitda']}", st.MULTIPLE
    )
    w.scalar(
        s["equity_share"], "Sponsor equity % of sources", f"={equity}/{total_sources}", st.PERCENT
    )
    define_name(wb, "TotalDebtAtClosing", ws, debt)
    define_name(wb, "SponsorEquity", ws, equity)


def _write_projection_header(ws: Worksheet, layout: LboLayout, first_year: int | None) -> None:
    header = layout.header
    ws.cell(row=header, column=1, value="Projection")
    ws.cell(row=header, column=2, value="Unit")
    ws.cell(
        row=header,
        column=3,
        value=f"FY{first_year - 1} (closing)" if first_year else "Closing (year 0)",
    )
    for offset, label in enumerate(year_labels(layout.years, first_year)):
        ws.cell(row=header, column=FIRST_YEAR_COLUMN + offset, value=label)
    st.style_header_row(ws, header, 1, layout.last_year_column)


def _write_operations(wb: Workbook, w: _Writer, layout: LboLayout, currency: str) -> None:
    """EBITDA to free cash flow after interest and tax, year by year."""
    r = layout.projection
    tranche_interest = [layout.tranche(i)["interest"] for i in range(1, layout.tranches + 1)]
    growth_row = _named_row(wb, "EbitdaGrowth")
    w.label(r["year"], "Year index")
    for offset in range(layout.years):
        w.ws.cell(row=r["year"], column=FIRST_YEAR_COLUMN + offset, value=offset + 1)
    w.ws.cell(row=r["year"], column=3, value=0)
    w.yearly(
        r["growth"], "EBITDA growth", "%", lambda c, p: f"=Inputs!{c}${growth_row}", st.PERCENT
    )
    w.yearly(
        r["ebitda"],
        "EBITDA",
        currency,
        lambda c, p: f"={p}{r['ebitda']}*(1+{c}{r['growth']})",
        st.AMOUNT,
        bold=True,
    )
    w.base(r["ebitda"], "=EntryEbitda", st.AMOUNT)
    w.yearly(
        r["da"],
        "Depreciation and amortisation",
        currency,
        lambda c, p: f"={c}{r['ebitda']}*DaPctEbitda",
        st.AMOUNT,
    )
    w.yearly(
        r["interest"],
        "Interest (on opening balances)",
        currency,
        lambda c, p: _sum_of(c, tranche_interest),
        st.AMOUNT,
    )
    w.yearly(
        r["pretax"],
        "Pre-tax income",
        currency,
        lambda c, p: f"={c}{r['ebitda']}-{c}{r['da']}-{c}{r['interest']}",
        st.AMOUNT,
    )
    w.yearly(
        r["taxes"], "Taxes", currency, lambda c, p: f"=MAX({c}{r['pretax']},0)*TaxRate", st.AMOUNT
    )
    w.yearly(
        r["capex"],
        "Capital expenditure",
        currency,
        lambda c, p: f"={c}{r['ebitda']}*CapexPctEbitda",
        st.AMOUNT,
    )
    w.yearly(
        r["dnwc"],
        "Increase in working capital",
        currency,
        lambda c, p: f"=NwcPctEbitda*({c}{r['ebitda']}-{p}{r['ebitda']})",
        st.AMOUNT,
    )
    w.yearly(
        r["fcf"],
        "Free cash flow after interest and tax",
        currency,
        lambda c, p: (
            f"={c}{r['ebitda']}-{c}{r['interest']}-{c}{r['taxes']}-{c}{r['capex']}-{c}{r['dnwc']}"
        ),
        st.AMOUNT,
        bold=True,
    )


def _write_cash(w: _Writer, layout: LboLayout, currency: str) -> None:
    """The cash waterfall: opening cash, mandatory repayments, the sweep, closing cash."""
    r = layout.projection
    tranches = range(1, layout.tranches + 1)
    w.yearly(
        r["opening_cash"],
        "Opening cash",
        currency,
        lambda c, p: f"={p}{r['closing_cash']}",
        st.AMOUNT,
    )
    w.yearly(
        r["mandatory"],
        "Mandatory repayments",
        currency,
        lambda c, p: _sum_of(c, [layout.tranche(i)["mandatory"] for i in tranches]),
        st.AMOUNT,
    )
    w.yearly(
        r["available"],
        "Cash available for the sweep",
        currency,
        lambda c, p: (
            f"=MAX(0,{c}{r['opening_cash']}+{c}{r['fcf']}-{c}{r['mandatory']}-MinimumCash)*SweepShare"
        ),
        st.AMOUNT,
    )
    w.yearly(
        r["sweep"],
        "Cash sweep repayments",
        currency,
        lambda c, p: _sum_of(c, [layout.tranche(i)["sweep"] for i in tranches]),
        st.AMOUNT,
    )
    w.yearly(
        r["closing_cash"],
        "Closing cash",
        currency,
        lambda c, p: f"={c}{r['opening_cash']}+{c}{r['fcf']}-{c}{r['mandatory']}-{c}{r['sweep']}",
        st.AMOUNT,
        bold=True,
    )
    w.base(r["closing_cash"], "=MinimumCash", st.AMOUNT)


def _write_debt_schedule(w: _Writer, layout: LboLayout, index: int, currency: str) -> None:
    """One tranche: opening balance, interest, amortisation, its share of the sweep, closing.

    The sweep goes to the tranches in order: each takes what the earlier ones left.
    """
    t = layout.tranche(index)
    available = layout.projection["available"]
    earlier = [layout.tranche(i)["sweep"] for i in range(1, index)]
    w.ws.cell(row=t["title"], column=1, value=f'="Debt schedule: "&Tranche{index}Name')
    st.style_section_row(w.ws, t["title"], 1, layout.last_year_column)

    def pool(c: str) -> str:
        taken = "".join(f"-{c}{row}" for row in earlier)
        return f"{c}{available}{taken}"

    w.yearly(t["opening"], "Opening balance", currency, lambda c, p: f"={p}{t['closing']}", st.AMOUNT)
    w.yearly(
        t["interest"],
        "Interest",
        currency,
        lambda c, p: f"={c}{t['opening']}*Tranche{index}Rate",
        st.AMOUNT,
    )
    w.yearly(
        t["mandatory"],
        "Mandatory amortisation",
        currency,
        lambda c, p: f"=MIN({c}{t['opening']},Tranche{index}Amortization*Tranche{index}Amount)",
        st.AMOUNT,
    )
    w.yearly(
        t["sweep"],
        "Cash sweep",
        currency,
        lambda c, p: (
            f"=IF(Tranche{index}Sweep,MIN({pool(c)},{c}{t['opening']}-{c}{t['mandatory']}),0)"
        ),
        st.AMOUNT,
    )
    w.yearly(
        t["closing"],
        "Closing balance",
        currency,
        lambda c, p: f"={c}{t['opening']}-{c}{t['mandatory']}-{c}{t['sweep']}",
        st.AMOUNT,
        bold=True,
    )
    w.base(t["closing"], f"=Tranche{index}Amount", st.AMOUNT)


def _write_debt_totals(w: _Writer, layout: LboLayout, currency: str) -> None:
    r = layout.projection
    closing_rows = [layout.tranche(i)["closing"] for i in range(1, layout.tranches + 1)]
    w.yearly(
        r["total_debt"],
        "Total debt",
        currency,
        lambda c, p: _sum_of(c, closing_rows),
        st.AMOUNT,
        bold=True,
    )
    w.base(r["total_debt"], _sum_of("C", closing_rows), st.AMOUNT)
    w.yearly(
        r["net_debt"],
        "Net debt",
        currency,
        lambda c, p: f"={c}{r['total_debt']}-{c}{r['closing_cash']}",
        st.AMOUNT,
    )
    w.base(r["net_debt"], f"=C{r['total_debt']}-C{r['closing_cash']}", st.AMOUNT)


def _write_exit_and_returns(w: _Writer, layout: LboLayout) -> None:
    """Exit equity from the last year's EBITDA and net debt; MOIC and IRR, with a check."""
    r, x = layout.projection, layout.exit
    last, first = w.last, get_column_letter(FIRST_YEAR_COLUMN)
    write_section_title(w.ws, layout.exit_section, "Exit and returns", layout.last_year_column)
    w.scalar(x["ebitda"], "Exit-year EBITDA", f"={last}{r['ebitda']}", st.AMOUNT)
    w.scalar(x["multiple"], "Exit multiple", "=ExitMultiple", st.MULTIPLE)
    w.scalar(
        x["enterprise_value"], "Exit enterprise value", f"=C{x['ebitda']}*C{x['multiple']}", st.AMOUNT
    )
    w.scalar(x["net_debt"], "Less: net debt at exit", f"={last}{r['net_debt']}", st.AMOUNT)
    w.scalar(
        x["equity_value"],
        "Exit equity value",
        f"=C{x['enterprise_value']}-C{x['net_debt']}",
        st.AMOUNT,
    )
    w.scalar(
        x["proceeds"],
        "Sponsor proceeds (equity cannot be worth less than zero)",
        f"=MAX(C{x['equity_value']},0)",
        st.AMOUNT,
    )
    w.scalar(
        x["moic"], "Equity MOIC", f"=C{x['proceeds']}/SponsorEquity", st.MULTIPLE, output=True
    )
    w.scalar(
        x["irr"],
        "Equity IRR (IRR of the sponsor cash flows)",
        f"=IF(C{x['moic']}>0,IRR(C{r['flows']}:{last}{r['flows']}),-1)",
        st.PERCENT,
        output=True,
    )
    w.scalar(
        x["irr_check"],
        "IRR check: MOIC ^ (1 / years) - 1",
        f"=C{x['moic']}^(1/C{x['holding_years']})-1",
        st.PERCENT,
    )
    w.scalar(
        x["holding_years"],
        "Holding period (years)",
        f"=COUNT({first}{r['year']}:{last}{r['year']})",
        st.GENERAL,
    )
    w.scalar(
        x["cash_warning"],
        "Cash below the minimum in some year?",
        f"=IF(MIN({first}{r['closing_cash']}:{last}{r['closing_cash']})<MinimumCash-1E-9,"
        '"yes: no revolver is modelled","no")',
        st.GENERAL,
    )


def _write_sponsor_flows(w: _Writer, layout: LboLayout, currency: str) -> None:
    """The equity cheque out at closing, the proceeds back in the exit year (for ``IRR``)."""
    row = layout.projection["flows"]
    w.label(row, "Sponsor cash flows", currency)
    st.style_formula(w.ws.cell(row=row, column=3, value="=-SponsorEquity"), st.AMOUNT)
    for offset in range(layout.years):
        column = FIRST_YEAR_COLUMN + offset
        value = f"=C{layout.exit['proceeds']}" if offset == layout.years - 1 else "=0"
        st.style_formula(w.ws.cell(row=row, column=column, value=value), st.AMOUNT)


def _define_result_names(wb: Workbook, ws: Worksheet, layout: LboLayout) -> None:
    """Names the Cover, the readback and the tests find the results by."""
    x, r = layout.exit, layout.projection
    first = get_column_letter(FIRST_YEAR_COLUMN)
    last = get_column_letter(layout.last_year_column)
    for name, key in (
        ("ExitEnterpriseValue", "enterprise_value"),
        ("ExitNetDebt", "net_debt"),
        ("ExitEquityValue", "equity_value"),
        ("SponsorProceeds", "proceeds"),
        ("EquityMOIC", "moic"),
        ("EquityIRR", "irr"),
    ):
        define_name(wb, name, ws, f"C{x[key]}")
    for name, key in (
        ("Ebitda", "ebitda"),
        ("ClosingCash", "closing_cash"),
        ("TotalDebt", "total_debt"),
        ("NetDebtByYear", "net_debt"),
        ("FreeCashFlowAfterDebtService", "fcf"),
    ):
        define_name(wb, name, ws, f"{first}{r[key]}:{last}{r[key]}")
    for index in range(1, layout.tranches + 1):
        t = layout.tranche(index)
        for line in ("interest", "mandatory", "sweep", "closing"):
            define_name(
                wb,
                f"Tranche{index}{line.capitalize()}ByYear",
                ws,
                f"{first}{t[line]}:{last}{t[line]}",
            )


def _finish_lbo_sheet(ws: Worksheet, layout: LboLayout) -> None:
    st.set_widths(ws, {1: 46, 2: 8, 3: 16})
    st.set_range_width(ws, range(FIRST_YEAR_COLUMN, layout.last_year_column + 1), 14)
    ws.freeze_panes = ws.cell(row=layout.header + 1, column=3)
    print_setup(ws, f"A1:{get_column_letter(layout.last_year_column)}{layout.last_row}")


def _named_row(wb: Workbook, name: str) -> int:
    _sheet, coordinate = next(iter(wb.defined_names[name].destinations))
    return int("".join(ch for ch in coordinate.split(":")[0] if ch.isdigit()))


def _checked_inputs(assumptions: LboAssumptions, existing_net_debt: Any) -> float:
    """Refuse what ``build_lbo`` cannot write; the existing net debt as a float."""
    if not isinstance(assumptions, LboAssumptions):
        raise ValueError(f"assumptions: expected LboAssumptions, got {type(assumptions).__name__}")
    try:
        number = float(existing_net_debt)
    except (TypeError, ValueError):
        raise ValueError(
            f"existing_net_debt: must be a number, got {existing_net_debt!r}"
        ) from None
    if number != number or abs(number) == float("inf"):
        raise ValueError(f"existing_net_debt: must be finite, got {number}")
    return number


def _write_cover(
    wb: Workbook,
    assumptions: LboAssumptions,
    company: str,
    currency: str,
    as_of: date | None,
    source: str,
) -> None:
    """The Cover sheet: what the model is, how to use it and its conventions."""
    add_cover_sheet(
        wb,
        "Leveraged buyout model",
        [
            ("Company", company),
            ("Currency", currency),
            ("As of", as_of or "not given"),
            ("Holding period", f"{assumptions.years} years"),
            (
                "Debt tranches",
                ", ".join(t.name for t in assumptions.tranches) or "none (all equity)",
            ),
            ("Data", source),
            ("Prepared with", "portfolio_kit"),
        ],
        [
            "How to use: change the blue inputs on the Inputs sheet; every other cell is a "
            "formula and recalculates.",
            "Conventions: interest on opening balances (no circularity); mandatory "
            "amortisation is a share of the "
            "original principal; cash above the minimum, after debt service, is swept into the "
            "sweep tranches in "
            "order; no revolver, so a shortfall shows as cash below the minimum; one equity "
            "cheque in at closing and "
            "one out at exit. These are the formulas of portfolio_kit.analytics.lbo.lbo_returns.",
            "Importing: `portfolio-kit model import FILE.xlsx` reads the Inputs sheet back, "
            "recomputes the returns "
            "in Python and stores an LBO valuation with these assumptions.",
        ],
    )


def build_lbo(
    assumptions: LboAssumptions,
    *,
    history: pd.DataFrame | None = None,
    existing_net_debt: float = 0.0,
    company: str = "Company",
    company_id: int | None = None,
    currency: str = "USD",
    as_of: date | None = None,
    first_year: int | None = None,
    data_source: str | None = None,
) -> Workbook:
    """An LBO workbook whose every computed cell is a formula over its Inputs sheet.

    Parameters
    ----------
    assumptions
        ``analytics.lbo.LboAssumptions``; the workbook's outputs equal
        ``analytics.lbo.lbo_returns(assumptions)`` (IRR via Excel's ``IRR``).
    history
        Annual financials for a History sheet (index fiscal year, columns
        canonical line items); None or empty for assumptions alone.
    existing_net_debt
        The target's net debt before the deal, refinanced at closing: the
        equity purchase price is the purchase EV less this. It affects no
        return figure; the import stores it with the valuation.
    company, company_id, currency, as_of, first_year, data_source
        As for ``build_dcf``.

    Raises
    ------
    ValueError
        When ``assumptions`` is not an ``LboAssumptions`` or
        ``existing_net_debt`` is not a finite number.
    """
    existing_net_debt = _checked_inputs(assumptions, existing_net_debt)
    has_history = history is not None and not history.empty
    if first_year is None and has_history:
        first_year = int(max(history.index)) + 1

    wb = Workbook()
    wb.remove(wb.active)
    refs = _inputs_sheet(wb, assumptions, existing_net_debt, first_year, currency)
    if has_history:
        write_history_sheet(wb, history, currency)
    _lbo_sheet(wb, assumptions, currency, first_year)
    _write_cover(wb, assumptions, company, currency, as_of, data_source or history_source(history))
    write_metadata(
        wb,
        {
            "kind": MODEL_KIND,
            "model_version": MODEL_VERSION,
            "company_id": company_id,
            "company_name": company,
            "currency": currency,
            "as_of": as_of,
            "years": assumptions.years,
            "first_year": first_year,
            "tranches": len(assumptions.tranches),
            "with_history": has_history,
            "input_references": refs,
        },
    )
    wb.active = 0
    return wb
