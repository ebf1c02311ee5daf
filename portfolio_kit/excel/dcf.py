"""A discounted-cash-flow model as a live Excel workbook.

``build_dcf`` writes the model that ``portfolio_kit.analytics.valuation.dcf``
computes, step by step and with the same conventions, as formulas over an
Inputs sheet: change an assumption in Excel and every line, both terminal
values, the equity bridge and the sensitivity grids move. The tests
recalculate generated workbooks with LibreOffice and compare every output
with the Python functions at 1e-9.

Conventions (those of ``analytics.valuation``): money in the company's
currency, rates as fractions, year 0 the last actual year, years 1..N
projected; discount factor ``1 / (1 + WACC) ^ t`` with ``t`` the year, or
``t - 0.5`` under the mid-year convention; the Gordon terminal value
``FCF_N * (1 + g) / (WACC - g)`` discounted from ``N`` (``N - 0.5``
mid-year), the exit-multiple value ``EBITDA_N * multiple`` discounted from
``N``; taxes on positive EBIT only.

Sheets: Cover, Inputs (every assumption, one named range each), History
(stored annual financials, when given), Cost of capital (WACC), DCF (projection, both
terminal values, bridge, per-share value), Sensitivity (WACC x growth and
WACC x exit multiple), and a very hidden metadata sheet for the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portfolio_kit.analytics.valuation import DcfAssumptions, WaccInputs, dcf
from portfolio_kit.analytics.valuation import wacc as compute_wacc
from portfolio_kit.excel import _styles as st
from portfolio_kit.excel._text import text_cell
from portfolio_kit.excel._history import history_source, write_history_sheet
from portfolio_kit.excel._inputs import (
    BOOLEAN,
    CHOICE,
    FIRST_YEAR_COLUMN,
    OPTIONAL_NUMBER,
    VALUE_COLUMN,
    InputSpec,
    finish_inputs_sheet,
    start_inputs_sheet,
    write_input_section,
    year_labels,
)
from portfolio_kit.excel._sensitivity import write_grid
from portfolio_kit.excel._workbook import add_cover_sheet, define_name, print_setup, write_metadata

MODEL_KIND = "dcf"
COST_OF_CAPITAL_SHEET = "Cost of capital"
MODEL_VERSION = 1

YEARLY_INPUTS = (
    InputSpec(
        "revenue_growth",
        "RevenueGrowth",
        "Revenue growth",
        "Growth of each projected year's revenue over the year before.",
        st.PERCENT,
        per_year=True,
    ),
    InputSpec(
        "ebitda_margin",
        "EbitdaMargin",
        "EBITDA margin",
        "EBITDA / revenue (EBITDA = operating income + D&A).",
        st.PERCENT,
        per_year=True,
    ),
    InputSpec(
        "depreciation_pct_revenue",
        "DaPctRevenue",
        "D&A % of revenue",
        "Depreciation and amortisation / revenue, a positive expense.",
        st.PERCENT,
        per_year=True,
    ),
    InputSpec(
        "capex_pct_revenue",
        "CapexPctRevenue",
        "Capex % of revenue",
        "Capital expenditure / revenue, a positive spend.",
        st.PERCENT,
        per_year=True,
    ),
    InputSpec(
        "nwc_pct_revenue",
        "NwcPctRevenue",
        "Net working capital % of revenue",
        "Working capital / revenue at each year end; year 0 uses year 1's ratio.",
        st.PERCENT,
        per_year=True,
    ),
)
VALUATION_INPUTS = (
    InputSpec(
        "base_revenue",
        "BaseRevenue",
        "Base-year revenue",
        "Revenue of the last actual year (year 0), in the model currency.",
        st.AMOUNT,
    ),
    InputSpec(
        "tax_rate",
        "TaxRate",
        "Tax rate",
        "Cash tax on positive EBIT (no loss carry-forward).",
        st.PERCENT,
    ),
    InputSpec(
        "wacc", "WACC", "WACC", "Discount rate of the unlevered free cash flows.", st.PERCENT_2DP
    ),
    InputSpec(
        "terminal_method",
        "TerminalMethod",
        "Terminal value method",
        "Which terminal value drives the headline value: gordon or exit_multiple.",
        kind=CHOICE,
        choices=("gordon", "exit_multiple"),
    ),
    InputSpec(
        "terminal_growth",
        "TerminalGrowth",
        "Terminal growth",
        "Perpetual growth of free cash flow after the last year (Gordon method).",
        st.PERCENT_2DP,
    ),
    InputSpec(
        "exit_multiple",
        "ExitMultiple",
        "Exit multiple (EV / EBITDA)",
        "Applied to the last year's EBITDA (exit-multiple method).",
        st.MULTIPLE,
        kind=OPTIONAL_NUMBER,
    ),
    InputSpec(
        "mid_year",
        "MidYear",
        "Mid-year convention",
        "TRUE discounts each year's cash flow from mid-year (t - 0.5).",
        kind=BOOLEAN,
    ),
)
BRIDGE_INPUTS = (
    InputSpec(
        "net_debt",
        "NetDebt",
        "Net debt",
        "Debt less cash at the valuation date (negative: net cash).",
        st.AMOUNT,
    ),
    InputSpec(
        "minority_interest",
        "MinorityInterest",
        "Minority interest",
        "Deducted from enterprise value.",
        st.AMOUNT,
    ),
    InputSpec(
        "preferred_equity",
        "PreferredEquity",
        "Preferred equity",
        "Deducted from enterprise value.",
        st.AMOUNT,
    ),
    InputSpec(
        "non_operating_assets",
        "NonOperatingAssets",
        "Non-operating assets",
        "Added to enterprise value (investments, surplus property).",
        st.AMOUNT,
    ),
    InputSpec(
        "shares_outstanding",
        "SharesOutstanding",
        "Diluted shares outstanding",
        "For the value per share; leave empty if not meaningful.",
        st.INTEGER,
        kind=OPTIONAL_NUMBER,
    ),
)
WACC_INPUTS = (
    InputSpec(
        "risk_free_rate",
        "RiskFreeRate",
        "Risk-free rate",
        "Yield of a long government bond.",
        st.PERCENT_2DP,
    ),
    InputSpec(
        "equity_beta", "EquityBeta", "Equity beta", "Levered beta of comparable companies.", "0.00"
    ),
    InputSpec(
        "equity_risk_premium",
        "EquityRiskPremium",
        "Equity risk premium",
        "Market return over risk-free.",
        st.PERCENT_2DP,
    ),
    InputSpec(
        "size_premium",
        "SizePremium",
        "Size premium",
        "Added to the CAPM cost of equity.",
        st.PERCENT_2DP,
    ),
    InputSpec(
        "pre_tax_cost_of_debt",
        "PreTaxCostOfDebt",
        "Pre-tax cost of debt",
        "Marginal borrowing rate.",
        st.PERCENT_2DP,
    ),
    InputSpec(
        "tax_rate",
        "WaccTaxRate",
        "Tax rate for the debt shield",
        "Marginal tax rate on interest.",
        st.PERCENT,
    ),
    InputSpec(
        "equity_value",
        "WaccEquityValue",
        "Equity value (weights)",
        "Market value of equity for the weights.",
        st.AMOUNT,
    ),
    InputSpec(
        "debt_value",
        "WaccDebtValue",
        "Debt value (weights)",
        "Market value of debt for the weights.",
        st.AMOUNT,
    ),
)
SENSITIVITY_INPUTS = (
    InputSpec(
        "wacc_step",
        "SensitivityWaccStep",
        "Grid step: WACC",
        "Distance between WACC rows.",
        st.PERCENT_2DP,
    ),
    InputSpec(
        "growth_step",
        "SensitivityGrowthStep",
        "Grid step: terminal growth",
        "Distance between growth columns.",
        st.PERCENT_2DP,
    ),
    InputSpec(
        "multiple_step",
        "SensitivityMultipleStep",
        "Grid step: exit multiple",
        "Distance between exit-multiple columns.",
        st.MULTIPLE,
    ),
)

OUTPUT_NAMES = (
    "EnterpriseValue",
    "EquityValue",
    "ImpliedSharePrice",
    "EnterpriseValueGordon",
    "EnterpriseValueExitMultiple",
    "TerminalValueGordon",
    "TerminalValueExitMultiple",
    "SumOfPresentValues",
    "PresentValueOfTerminalValue",
    "TerminalValueShare",
    "ImpliedExitMultiple",
    "ImpliedTerminalGrowth",
)


@dataclass(frozen=True, slots=True)
class SensitivitySteps:
    """Spacing of the sensitivity grids around the base case (5 x 5 cells)."""

    wacc_step: float = 0.01
    growth_step: float = 0.005
    multiple_step: float = 1.0


def _implied_exit_multiple(assumptions: DcfAssumptions) -> float | None:
    """The EV / EBITDA multiple the Gordon value implies, to prefill the exit-multiple input."""
    result = dcf(assumptions)
    if result.implied_exit_multiple is None or result.implied_exit_multiple <= 0:
        return None
    return round(result.implied_exit_multiple, 1)


def _write_inputs_sheet(
    wb: Workbook,
    assumptions: DcfAssumptions,
    wacc_inputs: WaccInputs | None,
    steps: SensitivitySteps,
    currency: str,
    first_year: int | None,
    exit_multiple: float | None,
) -> dict[str, str]:
    years = assumptions.years
    values: dict[str, Any] = assumptions.to_dict()
    values["exit_multiple"] = exit_multiple
    ws, row, refs = start_inputs_sheet(
        wb,
        title="Inputs: every assumption of the model",
        drivers_title="Operating drivers by projection year",
        currency=currency,
        first_year=first_year,
        yearly=YEARLY_INPUTS,
        values=values,
        years=years,
    )
    valuation_specs = VALUATION_INPUTS
    if wacc_inputs is not None:
        valuation_specs = tuple(spec for spec in VALUATION_INPUTS if spec.field != "wacc")
    row, found = write_input_section(wb, ws, row, "Valuation", valuation_specs, values, years)
    refs.update(found)
    if wacc_inputs is not None:
        ws.cell(row=row, column=1, value="WACC")
        note = ws.cell(
            row=row, column=2, value="Computed on the Cost of capital sheet from the inputs below."
        )
        note.font = st.NOTE_FONT
        cell = ws.cell(row=row, column=VALUE_COLUMN, value=f"='{COST_OF_CAPITAL_SHEET}'!$C$15")
        st.style_formula(cell, st.PERCENT_2DP, bold=True)
        define_name(wb, "WACC", ws, cell.coordinate)
        refs["wacc"] = f"'Inputs'!$C${row}"
        row += 1

    row, found = write_input_section(
        wb, ws, row, "Enterprise value to equity value", BRIDGE_INPUTS, values, years
    )
    refs.update(found)

    if wacc_inputs is not None:
        row, found = write_input_section(
            wb, ws, row, "Cost of capital", WACC_INPUTS, wacc_inputs.to_dict(), years
        )
        refs.update({f"wacc.{key}": value for key, value in found.items()})

    step_values = {
        "wacc_step": steps.wacc_step,
        "growth_step": steps.growth_step,
        "multiple_step": steps.multiple_step,
    }
    row, found = write_input_section(
        wb, ws, row, "Sensitivity grids", SENSITIVITY_INPUTS, step_values, years
    )
    refs.update(found)

    finish_inputs_sheet(ws, years, row, label_width=34)
    return refs


def _write_wacc_sheet(wb: Workbook, wacc_inputs: WaccInputs | None) -> None:
    ws = wb.create_sheet(COST_OF_CAPITAL_SHEET)
    ws["A1"] = "Weighted average cost of capital"
    ws["A1"].font = st.TITLE_FONT
    if wacc_inputs is None:
        ws["A3"] = "The WACC is entered directly on the Inputs sheet."
        ws["A5"] = "WACC"
        st.style_output(ws.cell(row=5, column=3, value="=WACC"), st.PERCENT_2DP)
        st.set_widths(ws, {1: 40, 2: 12, 3: 14})
        print_setup(ws, "A1:C5", landscape=False)
        return
    ws["A2"] = "CAPM cost of equity and after-tax cost of debt, weighted by market values."
    ws["A2"].font = st.SUBTITLE_FONT
    lines = [
        (4, "Risk-free rate", "=RiskFreeRate", st.PERCENT_2DP),
        (5, "Equity beta", "=EquityBeta", "0.00"),
        (6, "Equity risk premium", "=EquityRiskPremium", st.PERCENT_2DP),
        (7, "Size premium", "=SizePremium", st.PERCENT_2DP),
        (8, "Cost of equity (CAPM)", "=C4+C5*C6+C7", st.PERCENT_2DP),
        (9, "Pre-tax cost of debt", "=PreTaxCostOfDebt", st.PERCENT_2DP),
        (10, "After-tax cost of debt", "=C9*(1-WaccTaxRate)", st.PERCENT_2DP),
        (11, "Equity value", "=WaccEquityValue", st.AMOUNT),
        (12, "Debt value", "=WaccDebtValue", st.AMOUNT),
        (13, "Equity weight E / (D + E)", "=C11/(C11+C12)", st.PERCENT),
        (14, "Debt weight D / (D + E)", "=C12/(C11+C12)", st.PERCENT),
        (15, "WACC", "=C13*C8+C14*C10", st.PERCENT_2DP),
    ]
    for row, label, formula, number_format in lines:
        ws.cell(row=row, column=1, value=label)
        cell = ws.cell(row=row, column=3, value=formula)
        if row == 15:
            st.style_output(cell, number_format)
        else:
            st.style_formula(cell, number_format, bold=row in (8, 10))
    define_name(wb, "CostOfEquity", ws, "C8")
    define_name(wb, "AfterTaxCostOfDebt", ws, "C10")
    st.set_widths(ws, {1: 40, 2: 4, 3: 14})
    print_setup(ws, "A1:C15", landscape=False)


PROJECTION_LINES = (
    "year",
    "growth",
    "revenue",
    "margin",
    "ebitda",
    "da",
    "ebit",
    "taxes",
    "nopat",
    "add_da",
    "capex",
    "nwc",
    "dnwc",
    "fcf",
    "period",
    "factor",
    "pv",
)
"""The projection's lines in sheet order, one row each below the header."""

TERMINAL_LINES = ("sum_pv", "tv", "tv_period", "tv_factor", "pv_tv", "ev")
"""The terminal-value block: Gordon growth in column C, exit multiple in D."""

VALUATION_LINES = (
    "terminal_method",
    "tv",
    "pv_tv",
    "ev",
    "net_debt",
    "minority",
    "preferred",
    "non_operating",
    "equity",
    "shares",
    "per_share",
    "tv_share",
    "implied_multiple",
    "implied_growth",
)
"""The valuation under the selected terminal method, one figure each in column C."""


@dataclass(frozen=True, slots=True)
class DcfLayout:
    """Where everything sits on the DCF sheet: the one description of its grid.

    Columns: A the line's label, B its unit, C the base year (year 0) or a
    single figure, then one column per projection year from
    ``FIRST_YEAR_COLUMN``. Rows: title (1) and subtitle (2); the year header
    (4) and the projection lines (``PROJECTION_LINES``); after a blank row
    the "Terminal value and enterprise value" section, its method header
    (C Gordon growth, D exit multiple) and ``TERMINAL_LINES``; after a blank
    row "Valuation (selected terminal method)" and ``VALUATION_LINES``. The
    Sensitivity sheet's formulas point at these rows too.
    """

    years: int

    HEADER_ROW = 4
    GORDON_COLUMN = "C"
    EXIT_COLUMN = "D"

    @property
    def last_year_column(self) -> int:
        return FIRST_YEAR_COLUMN + self.years - 1

    @property
    def last_column(self) -> str:
        return get_column_letter(self.last_year_column)

    @property
    def projection(self) -> dict[str, int]:
        return {line: self.HEADER_ROW + 1 + i for i, line in enumerate(PROJECTION_LINES)}

    @property
    def terminal_section(self) -> int:
        return self.projection["pv"] + 2

    @property
    def terminal(self) -> dict[str, int]:
        top = self.terminal_section + 2
        return {line: top + i for i, line in enumerate(TERMINAL_LINES)}

    @property
    def valuation_section(self) -> int:
        return self.terminal["ev"] + 2

    @property
    def valuation(self) -> dict[str, int]:
        return {line: self.valuation_section + 1 + i for i, line in enumerate(VALUATION_LINES)}

    @property
    def last_row(self) -> int:
        return self.valuation["implied_growth"]

    # The rows the Sensitivity sheet reads.
    @property
    def year(self) -> int:
        return self.projection["year"]

    @property
    def revenue(self) -> int:
        return self.projection["revenue"]

    @property
    def ebitda(self) -> int:
        return self.projection["ebitda"]

    @property
    def fcf(self) -> int:
        return self.projection["fcf"]

    @property
    def period(self) -> int:
        return self.projection["period"]

    @property
    def tv_period(self) -> int:
        return self.terminal["tv_period"]


_PROJECTION_LABELS = {
    "year": ("Year index t", "", st.GENERAL),
    "growth": ("Revenue growth", "%", st.PERCENT),
    "revenue": ("Revenue", None, st.AMOUNT),
    "margin": ("EBITDA margin", "%", st.PERCENT),
    "ebitda": ("EBITDA", None, st.AMOUNT),
    "da": ("Depreciation and amortisation", None, st.AMOUNT),
    "ebit": ("EBIT", None, st.AMOUNT),
    "taxes": ("Taxes on EBIT", None, st.AMOUNT),
    "nopat": ("NOPAT", None, st.AMOUNT),
    "add_da": ("Plus: D&A", None, st.AMOUNT),
    "capex": ("Less: capital expenditure", None, st.AMOUNT),
    "nwc": ("Net working capital", None, st.AMOUNT),
    "dnwc": ("Less: increase in net working capital", None, st.AMOUNT),
    "fcf": ("Unlevered free cash flow", None, st.AMOUNT),
    "period": ("Discount period", "years", st.YEARS),
    "factor": ("Discount factor", "", st.FACTOR),
    "pv": ("Present value of free cash flow", None, st.AMOUNT),
}
"""Label, unit (None: the model's currency) and number format of each projection line."""


def _write_dcf_sheet(
    wb: Workbook, assumptions: DcfAssumptions, currency: str, first_year: int | None
) -> DcfLayout:
    """The DCF sheet, top to bottom as a reader checks it; returns its layout."""
    ws = wb.create_sheet("DCF")
    layout = DcfLayout(assumptions.years)
    ws["A1"] = "Discounted cash flow"
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = f"{currency}; unlevered free cash flow, discounted at the WACC."
    ws["A2"].font = st.SUBTITLE_FONT
    _write_year_header(ws, layout, first_year)
    _write_projection(wb, ws, layout, currency)
    _write_terminal_values(wb, ws, layout)
    _write_valuation(wb, ws, layout)
    st.set_widths(ws, {1: 44, 2: 8, 3: 16})
    st.set_range_width(ws, range(FIRST_YEAR_COLUMN, layout.last_year_column + 1), 14)
    header = layout.HEADER_ROW
    ws.freeze_panes = ws.cell(row=header + 1, column=3)
    print_setup(ws, f"A1:{layout.last_column}{layout.last_row}", title_rows=f"{header}:{header}")
    return layout


def _write_year_header(ws: Worksheet, layout: DcfLayout, first_year: int | None) -> None:
    header = layout.HEADER_ROW
    ws.cell(row=header, column=1, value="Year")
    ws.cell(row=header, column=2, value="Unit")
    ws.cell(
        row=header, column=3, value=f"FY{first_year - 1} (base)" if first_year else "Base (year 0)"
    )
    for offset, label in enumerate(year_labels(layout.years, first_year)):
        ws.cell(row=header, column=FIRST_YEAR_COLUMN + offset, value=label)
    st.style_header_row(ws, header, 1, layout.last_year_column)


def _projection_formula(wb: Workbook, key: str, rows: dict[str, int], c: str, p: str) -> str:
    """Line ``key``'s formula in year column ``c`` (previous column ``p``)."""
    inputs = lambda name: f"Inputs!{c}${_input_row(wb, name)}"  # noqa: E731
    return {
        "growth": f"={inputs('RevenueGrowth')}",
        "revenue": f"={p}{rows['revenue']}*(1+{c}{rows['growth']})",
        "margin": f"={inputs('EbitdaMargin')}",
        "ebitda": f"={c}{rows['revenue']}*{c}{rows['margin']}",
        "da": f"={c}{rows['revenue']}*{inputs('DaPctRevenue')}",
        "ebit": f"={c}{rows['ebitda']}-{c}{rows['da']}",
        "taxes": f"=MAX({c}{rows['ebit']},0)*TaxRate",
        "nopat": f"={c}{rows['ebit']}-{c}{rows['taxes']}",
        "add_da": f"={c}{rows['da']}",
        "capex": f"={c}{rows['revenue']}*{inputs('CapexPctRevenue')}",
        "nwc": f"={c}{rows['revenue']}*{inputs('NwcPctRevenue')}",
        "dnwc": f"={c}{rows['nwc']}-{p}{rows['nwc']}",
        "fcf": f"={c}{rows['nopat']}+{c}{rows['add_da']}-{c}{rows['capex']}-{c}{rows['dnwc']}",
        "period": f"={c}{rows['year']}-IF(MidYear,0.5,0)",
        "factor": f"=1/(1+WACC)^{c}{rows['period']}",
        "pv": f"={c}{rows['fcf']}*{c}{rows['factor']}",
    }[key]


def _write_projection(wb: Workbook, ws: Worksheet, layout: DcfLayout, currency: str) -> None:
    """Revenue to the present value of each year's unlevered free cash flow."""
    rows = layout.projection
    for key in PROJECTION_LINES:
        label, unit, number_format = _PROJECTION_LABELS[key]
        ws.cell(row=rows[key], column=1, value=label)
        text_cell(ws, rows[key], 2, currency if unit is None else unit)  # currency: user data
        for offset in range(layout.years):
            column = FIRST_YEAR_COLUMN + offset
            c, p = get_column_letter(column), get_column_letter(column - 1)
            value = offset + 1 if key == "year" else _projection_formula(wb, key, rows, c, p)
            st.style_formula(
                ws.cell(row=rows[key], column=column, value=value), number_format, bold=key == "fcf"
            )
    base = get_column_letter(FIRST_YEAR_COLUMN - 1)
    ws[f"{base}{rows['year']}"] = 0
    ws[f"{base}{rows['revenue']}"] = "=BaseRevenue"
    st.style_formula(ws[f"{base}{rows['revenue']}"], st.AMOUNT)
    first_nwc = get_column_letter(FIRST_YEAR_COLUMN)
    ws[f"{base}{rows['nwc']}"] = (
        f"=BaseRevenue*Inputs!${first_nwc}${_input_row(wb, 'NwcPctRevenue')}"
    )
    st.style_formula(ws[f"{base}{rows['nwc']}"], st.AMOUNT)
    for column in range(FIRST_YEAR_COLUMN, layout.last_year_column + 1):
        ws.cell(row=rows["fcf"], column=column).border = st.TOTAL_BORDER
    define_name(
        wb,
        "FreeCashFlow",
        ws,
        f"{get_column_letter(FIRST_YEAR_COLUMN)}{rows['fcf']}:{layout.last_column}{rows['fcf']}",
    )


def _write_terminal_values(wb: Workbook, ws: Worksheet, layout: DcfLayout) -> None:
    """Both terminal methods side by side, each to its own enterprise value."""
    rows, t, last = layout.projection, layout.terminal, layout.last_column
    top = layout.terminal_section
    ws.cell(row=top, column=1, value="Terminal value and enterprise value")
    st.style_section_row(ws, top, 1, layout.last_year_column)
    ws.cell(row=top + 1, column=3, value="Gordon growth")
    ws.cell(row=top + 1, column=4, value="Exit multiple")
    st.style_header_row(ws, top + 1, 3, 4)
    fcf_n, ebitda_n = f"${last}${rows['fcf']}", f"${last}${rows['ebitda']}"
    year_n = f"${last}${rows['year']}"
    pv_range = f"${get_column_letter(FIRST_YEAR_COLUMN)}${rows['pv']}:${last}${rows['pv']}"
    block = {
        "sum_pv": (
            "Sum of present values of free cash flow",
            f"=SUM({pv_range})",
            f"=SUM({pv_range})",
            st.AMOUNT,
        ),
        "tv": (
            "Terminal value",
            f"=IF(WACC>TerminalGrowth,{fcf_n}*(1+TerminalGrowth)/(WACC-TerminalGrowth),NA())",
            f"=IF(ISNUMBER(ExitMultiple),{ebitda_n}*ExitMultiple,NA())",
            st.AMOUNT,
        ),
        "tv_period": (
            "Terminal discount period",
            f"={year_n}-IF(MidYear,0.5,0)",
            f"={year_n}",
            st.YEARS,
        ),
        "tv_factor": (
            "Terminal discount factor",
            f"=1/(1+WACC)^C{t['tv_period']}",
            f"=1/(1+WACC)^D{t['tv_period']}",
            st.FACTOR,
        ),
        "pv_tv": (
            "Present value of terminal value",
            f"=C{t['tv']}*C{t['tv_factor']}",
            f"=D{t['tv']}*D{t['tv_factor']}",
            st.AMOUNT,
        ),
        "ev": (
            "Enterprise value",
            f"=C{t['sum_pv']}+C{t['pv_tv']}",
            f"=D{t['sum_pv']}+D{t['pv_tv']}",
            st.AMOUNT,
        ),
    }
    for key, (label, gordon, exit_, number_format) in block.items():
        ws.cell(row=t[key], column=1, value=label)
        for column, formula in ((3, gordon), (4, exit_)):
            st.style_formula(
                ws.cell(row=t[key], column=column, value=formula), number_format, bold=key == "ev"
            )
    define_name(wb, "SumOfPresentValues", ws, f"C{t['sum_pv']}")
    define_name(wb, "TerminalValueGordon", ws, f"C{t['tv']}")
    define_name(wb, "TerminalValueExitMultiple", ws, f"D{t['tv']}")
    define_name(wb, "EnterpriseValueGordon", ws, f"C{t['ev']}")
    define_name(wb, "EnterpriseValueExitMultiple", ws, f"D{t['ev']}")


def _write_valuation(wb: Workbook, ws: Worksheet, layout: DcfLayout) -> None:
    """Enterprise value under the chosen method, the bridge to equity, per share and checks."""
    rows, t, at = layout.projection, layout.terminal, layout.valuation
    last = layout.last_column
    fcf_n, ebitda_n = f"${last}${rows['fcf']}", f"${last}${rows['ebitda']}"
    ws.cell(row=layout.valuation_section, column=1, value="Valuation (selected terminal method)")
    st.style_section_row(ws, layout.valuation_section, 1, layout.last_year_column)
    chosen = 'IF(TerminalMethod="exit_multiple",D{row},C{row})'
    gordon_equivalent = f"D{t['tv']}*IF(MidYear,(1+WACC)^-0.5,1)"
    bridge = ("ev", "net_debt", "minority", "preferred", "non_operating")
    lines = {
        "terminal_method": ("Terminal value method", "=TerminalMethod", st.GENERAL),
        "tv": ("Terminal value", "=" + chosen.format(row=t["tv"]), st.AMOUNT),
        "pv_tv": (
            "Present value of terminal value",
            "=" + chosen.format(row=t["pv_tv"]),
            st.AMOUNT,
        ),
        "ev": ("Enterprise value", "=" + chosen.format(row=t["ev"]), st.AMOUNT),
        "net_debt": ("Less: net debt", "=-NetDebt", st.AMOUNT),
        "minority": ("Less: minority interest", "=-MinorityInterest", st.AMOUNT),
        "preferred": ("Less: preferred equity", "=-PreferredEquity", st.AMOUNT),
        "non_operating": ("Plus: non-operating assets", "=NonOperatingAssets", st.AMOUNT),
        "equity": ("Equity value", "=" + "+".join(f"C{at[key]}" for key in bridge), st.AMOUNT),
        "shares": (
            "Diluted shares outstanding",
            '=IF(ISNUMBER(SharesOutstanding),SharesOutstanding,"n/a")',
            st.INTEGER,
        ),
        "per_share": (
            "Implied value per share",
            "=IF(AND(ISNUMBER(SharesOutstanding),N(SharesOutstanding)>0),"
            "EquityValue/SharesOutstanding,NA())",
            st.AMOUNT_2DP,
        ),
        "tv_share": (
            "Terminal value as % of enterprise value",
            f"=IF(C{at['ev']}<>0,C{at['pv_tv']}/C{at['ev']},NA())",
            st.PERCENT,
        ),
        "implied_multiple": (
            "Implied exit multiple (TV / final EBITDA)",
            f"=IF({ebitda_n}>0,C{at['tv']}/{ebitda_n},NA())",
            st.MULTIPLE,
        ),
        "implied_growth": (
            "Implied perpetual growth (exit method)",
            f'=IF(AND(TerminalMethod="exit_multiple",{gordon_equivalent}+{fcf_n}<>0),'
            f"({gordon_equivalent}*WACC-{fcf_n})/({gordon_equivalent}+{fcf_n}),NA())",
            st.PERCENT_2DP,
        ),
    }
    for key in VALUATION_LINES:
        label, formula, number_format = lines[key]
        ws.cell(row=at[key], column=1, value=label)
        cell = ws.cell(row=at[key], column=3, value=formula)
        if key in ("ev", "equity", "per_share"):
            st.style_output(cell, number_format)
        else:
            st.style_formula(cell, number_format)
    for name, key in (
        ("EnterpriseValue", "ev"),
        ("EquityValue", "equity"),
        ("ImpliedSharePrice", "per_share"),
        ("PresentValueOfTerminalValue", "pv_tv"),
        ("TerminalValueShare", "tv_share"),
        ("ImpliedExitMultiple", "implied_multiple"),
        ("ImpliedTerminalGrowth", "implied_growth"),
    ):
        define_name(wb, name, ws, f"C{at[key]}")


def _input_row(wb: Workbook, name: str) -> int:
    _sheet, coordinate = next(iter(wb.defined_names[name].destinations))
    return int("".join(ch for ch in coordinate.split(":")[0] if ch.isdigit()))


def _write_sensitivity_sheet(wb: Workbook, rows: DcfLayout, with_shares: bool) -> None:
    ws = wb.create_sheet("Sensitivity")
    ws["A1"] = "Sensitivity of value to WACC, terminal growth and exit multiple"
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = (
        "Each cell recomputes the valuation from the DCF sheet's cash flows; centres and steps "
        "are inputs."
    )
    ws["A2"].font = st.SUBTITLE_FONT
    first = get_column_letter(FIRST_YEAR_COLUMN)
    fcf = f"DCF!${first}${rows.fcf}:${rows.last_column}${rows.fcf}"
    periods = f"DCF!${first}${rows.period}:${rows.last_column}${rows.period}"
    fcf_n = f"DCF!${rows.last_column}${rows.fcf}"
    ebitda_n = f"DCF!${rows.last_column}${rows.ebitda}"
    gordon_period = f"DCF!$C${rows.tv_period}"
    exit_period = f"DCF!$D${rows.tv_period}"
    explicit = "SUMPRODUCT({fcf},(1+{w})^(-{periods}))"
    gordon_ev = (
        "IF({w}>{x}," + explicit + "+{fcf_n}*(1+{x})/({w}-{x})*(1+{w})^(-{gordon_period}),NA())"
    )
    exit_ev = "IF({x}>0," + explicit + "+{ebitda_n}*{x}*(1+{w})^(-{exit_period}),NA())"
    bridge = "-NetDebt-MinorityInterest-PreferredEquity+NonOperatingAssets"
    context = {
        "fcf": fcf,
        "periods": periods,
        "fcf_n": fcf_n,
        "ebitda_n": ebitda_n,
        "gordon_period": gordon_period,
        "exit_period": exit_period,
    }
    growth = ("TerminalGrowth", "SensitivityGrowthStep", st.PERCENT_2DP)
    multiple = ("ExitMultiple", "SensitivityMultipleStep", st.MULTIPLE)
    equity_grid = (
        (
            "Value per share: WACC (rows) x terminal growth (columns)",
            "SensitivitySharePriceGrowth",
            growth,
            "=(" + gordon_ev + bridge + ")/SharesOutstanding",
            st.AMOUNT_2DP,
        )
        if with_shares
        else (
            "Equity value: WACC (rows) x terminal growth (columns)",
            "SensitivityEquityGrowth",
            growth,
            "=" + gordon_ev + bridge,
            st.AMOUNT,
        )
    )
    grids = (
        (
            "Enterprise value: WACC (rows) x terminal growth (columns)",
            "SensitivityEvGrowth",
            growth,
            "=" + gordon_ev,
            st.AMOUNT,
        ),
        equity_grid,
        (
            "Enterprise value: WACC (rows) x exit multiple (columns)",
            "SensitivityEvMultiple",
            multiple,
            "=" + exit_ev,
            st.AMOUNT,
        ),
    )
    top = 4
    for title, name, (column_center, column_step, column_format), formula, cell_format in grids:
        row = write_grid(
            wb,
            ws,
            top,
            title,
            name,
            "WACC",
            "SensitivityWaccStep",
            column_center,
            column_step,
            formula,
            context,
            cell_format,
            st.PERCENT_2DP,
            column_format,
        )
        top = row + 2
    st.set_widths(ws, {1: 4, 2: 12})
    st.set_range_width(ws, range(3, 8), 15)
    print_setup(ws, f"A1:G{row}")


def _check_inputs(assumptions: DcfAssumptions, wacc_inputs: WaccInputs | None) -> None:
    """Refuse what ``build_dcf`` cannot write: other assumptions, or WACC
    inputs whose CAPM result is not the WACC of the assumptions."""
    if not isinstance(assumptions, DcfAssumptions):
        raise ValueError(f"assumptions: expected DcfAssumptions, got {type(assumptions).__name__}")
    if wacc_inputs is not None:
        computed = compute_wacc(wacc_inputs).wacc
        if abs(computed - assumptions.wacc) > 1e-12 * max(1.0, abs(computed)):
            raise ValueError(
                f"wacc: the assumptions say {assumptions.wacc!r} but wacc_inputs give "
                f"{computed!r}; "
                "pass assumptions.replace(wacc=...) with the computed WACC"
            )


def _write_cover(
    wb: Workbook,
    assumptions: DcfAssumptions,
    *,
    company: str,
    currency: str,
    as_of: date | None,
    first_year: int | None,
    source: str,
    prefilled_multiple: float | None,
) -> None:
    """The Cover sheet: what the model is, how to use it, its conventions and,
    when the exit multiple was prefilled (``prefilled_multiple``), that it was."""
    notes = [
        "How to use: change the blue inputs on the Inputs sheet; every other cell is a formula "
        "and recalculates. "
        "The headline enterprise value follows the terminal method chosen on Inputs; both "
        "terminal values are shown.",
        "Conventions: unlevered free cash flow = EBIT - taxes on positive EBIT + D&A - capex - "
        "increase in net "
        "working capital; discount factor 1/(1+WACC)^t (t - 0.5 with the mid-year convention); "
        "the Gordon value is "
        "discounted from N (N - 0.5 mid-year), the exit-multiple value from N. These are the "
        "formulas of "
        "portfolio_kit.analytics.valuation.dcf.",
        "Importing: `portfolio-kit model import FILE.xlsx` reads the Inputs sheet back, "
        "recomputes the outputs in "
        "Python and stores a DCF valuation with these assumptions.",
    ]
    if prefilled_multiple is not None:
        notes.append(
            f"The exit multiple ({prefilled_multiple:.1f}x) was prefilled with the multiple the "
            "Gordon value implies, "
            "so the exit-multiple column has a value; it drives nothing unless the method is "
            "exit_multiple."
        )
    add_cover_sheet(
        wb,
        "Discounted cash flow model",
        [
            ("Company", company),
            ("Currency", currency),
            ("As of", as_of or "not given"),
            (
                "Projection",
                f"{assumptions.years} years" + (f" from FY{first_year}" if first_year else ""),
            ),
            ("Terminal method", assumptions.terminal_method),
            ("Data", source),
            ("Prepared with", "portfolio_kit"),
        ],
        notes,
    )


def build_dcf(
    assumptions: DcfAssumptions,
    *,
    history: pd.DataFrame | None = None,
    wacc_inputs: WaccInputs | None = None,
    company: str = "Company",
    company_id: int | None = None,
    currency: str = "USD",
    as_of: date | None = None,
    first_year: int | None = None,
    data_source: str | None = None,
    steps: SensitivitySteps | None = None,
) -> Workbook:
    """A DCF workbook whose every computed cell is a formula over its Inputs sheet.

    Parameters
    ----------
    assumptions
        The model's drivers (``analytics.valuation.DcfAssumptions``); the
        workbook's outputs equal ``analytics.valuation.dcf(assumptions)``.
    history
        Annual financials to show on a History sheet: index fiscal year (int),
        columns canonical line items (as from
        ``analytics.financials.fiscal_year_totals``); values as printed.
        None (or empty) builds the model from assumptions alone.
    wacc_inputs
        When given, the WACC is a CAPM formula on the Cost of capital sheet over these
        inputs, and must equal ``assumptions.wacc`` (to 1e-12).
    company, company_id, currency, as_of
        What the cover sheet and the hidden metadata say; ``company_id`` lets
        an import attach the edited model to the company.
    first_year
        Fiscal year of projection year 1 (labels only); default: the year
        after the last year of ``history``.
    data_source
        One sentence for the cover sheet on where the figures came from.
    steps
        Spacing of the sensitivity grids.

    Raises
    ------
    ValueError
        ``wacc_inputs`` that do not give ``assumptions.wacc``.
    """
    _check_inputs(assumptions, wacc_inputs)
    steps = steps or SensitivitySteps()
    has_history = history is not None and not history.empty
    if first_year is None and has_history:
        first_year = int(max(history.index)) + 1
    exit_multiple = assumptions.exit_multiple
    prefilled_multiple = exit_multiple is None
    if prefilled_multiple:
        exit_multiple = _implied_exit_multiple(assumptions)

    wb = Workbook()
    wb.remove(wb.active)
    refs = _write_inputs_sheet(
        wb, assumptions, wacc_inputs, steps, currency, first_year, exit_multiple
    )
    if has_history:
        write_history_sheet(wb, history, currency)
    _write_wacc_sheet(wb, wacc_inputs)
    rows = _write_dcf_sheet(wb, assumptions, currency, first_year)
    _write_sensitivity_sheet(wb, rows, assumptions.shares_outstanding is not None)

    _write_cover(
        wb,
        assumptions,
        company=company,
        currency=currency,
        as_of=as_of,
        first_year=first_year,
        source=data_source or history_source(history),
        prefilled_multiple=exit_multiple if prefilled_multiple else None,
    )
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
            "wacc_from_inputs": wacc_inputs is not None,
            "with_history": has_history,
            "input_references": refs,
        },
    )
    wb.active = 0
    return wb
