"""A company's stored annual financials: loading them, and the History sheet.

Annual figures come from the database through ``portfolio_kit.frames``:
figures stored per fiscal year (``period_type = 'year'``, e.g. from a 10-K)
are taken as reported, and complete fiscal years of quarterly actuals fill
the years that have none (flows summed, balances at the year end, by
``analytics.financials.fiscal_year_totals``). A year with a quarter missing
is left out rather than shown with a partial total.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from portfolio_kit.analytics.financials import fiscal_year, fiscal_year_totals, to_wide
from portfolio_kit.db import Database
from portfolio_kit.excel._text import text_cell
from portfolio_kit.excel import _styles as st
from portfolio_kit.excel._workbook import print_setup
from portfolio_kit.frames import metrics

def history_source(history: pd.DataFrame | None) -> str:
    """The Cover sheet's default sentence on where a model's figures came from."""
    if history is not None and not history.empty:
        return f"History: {len(history)} fiscal years from the portfolio_kit database."
    return "No stored history: the model is built from the assumptions alone."


RAW_ITEMS = (
    ("revenue", "Revenue"),
    ("gross_profit", "Gross profit"),
    ("operating_income", "Operating income (EBIT)"),
    ("depreciation_and_amortization", "Depreciation and amortisation"),
    ("net_income", "Net income"),
    ("capital_expenditure", "Capital expenditure (negative as printed)"),
    ("accounts_receivable", "Accounts receivable"),
    ("inventory", "Inventories"),
    ("accounts_payable", "Accounts payable"),
    ("cash_and_equivalents", "Cash and cash equivalents"),
    ("short_term_debt", "Short-term debt"),
    ("long_term_debt", "Long-term debt"),
)


def annual_history(
    db: Database,
    company_id: int,
    *,
    fiscal_year_end_month: int = 12,
    as_of: date | None = None,
    years: int = 5,
) -> pd.DataFrame:
    """The last ``years`` complete fiscal years of actuals, one column per line item.

    The index is the fiscal year (int).

    Empty (no rows, no columns) when the company has no complete year on file.
    """
    long = metrics(
        db,
        company_ids=company_id,
        period_types=["year", "quarter"],
        scenarios="actual",
        as_of=as_of,
    )
    if long.empty:
        return pd.DataFrame()
    long = long.assign(
        line_item=long["line_item"].astype(str),
        period_type=long["period_type"].astype(str),
        scenario=long["scenario"].astype(str),
    )
    annual = pd.DataFrame()
    reported = long[long["period_type"] == "year"]
    if not reported.empty:
        wide = to_wide(reported, company_id, period_type="year")
        wide.index = pd.Index(fiscal_year(wide.index, fiscal_year_end_month), name="fiscal_year")
        annual = wide
    quarterly = long[long["period_type"] == "quarter"]
    if not quarterly.empty:
        totals = fiscal_year_totals(
            to_wide(quarterly, company_id, period_type="quarter"), fiscal_year_end_month
        )
        complete = totals[totals["periods_reported"] == 4].drop(columns="periods_reported")
        annual = complete if annual.empty else annual.combine_first(complete)
    if annual.empty:
        return annual
    annual = annual.sort_index().tail(years)
    annual.index = annual.index.astype(int)
    return annual


def last_year(history: pd.DataFrame, item: str) -> float | None:
    """The item's value in the last year of ``history``, or None when missing."""
    if history is None or history.empty or item not in history.columns:
        return None
    value = history[item].iloc[-1]
    return None if pd.isna(value) else float(value)


def write_history_sheet(wb: Workbook, history: pd.DataFrame, currency: str) -> None:
    """Stored figures as values, derived lines (growth, margins, net debt) as formulas over them."""
    ws = wb.create_sheet("History")
    years = [int(year) for year in history.index]
    first_column = 3
    last_column = first_column + len(years) - 1
    ws["A1"] = "Historical financials (from the database)"
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = (
        f"{currency}; fiscal years of actual figures as stored, signs as printed. "
        "Grey italic lines are formulas over the stored figures."
    )
    ws["A2"].font = st.SUBTITLE_FONT
    header = 4
    ws.cell(row=header, column=1, value="Line item")
    ws.cell(row=header, column=2, value="Unit")
    for offset, year in enumerate(years):
        ws.cell(row=header, column=first_column + offset, value=f"FY{year}")
    st.style_header_row(ws, header, 1, last_column)

    rows: dict[str, int] = {}
    row = header + 1
    for item, label in RAW_ITEMS:
        rows[item] = row
        text_cell(ws, row, 1, label)
        text_cell(ws, row, 2, currency)
        for offset, year in enumerate(years):
            value = history[item].get(year) if item in history.columns else None
            cell = ws.cell(row=row, column=first_column + offset)
            if value is not None and not (isinstance(value, float) and np.isnan(value)):
                cell.value = float(value)
            cell.number_format = st.AMOUNT
        row += 1

    row += 1
    ws.cell(row=row, column=1, value="Derived").font = st.SECTION_FONT
    row += 1
    derived = [
        (
            "growth",
            "Revenue growth",
            "%",
            st.PERCENT,
            lambda c, p: (
                f'=IF(AND(COUNT({p}{{revenue}},{c}{{revenue}})=2,N({p}{{revenue}})>0),{c}{{revenue}}/{p}{{revenue}}-1,"")'
            ),
        ),
        (
            "gross_margin",
            "Gross margin",
            "%",
            st.PERCENT,
            lambda c, p: (
                f'=IF(AND(COUNT({c}{{gross_profit}},{c}{{revenue}})=2,N({c}{{revenue}})>0),{c}{{gross_profit}}/{c}{{revenue}},"")'
            ),
        ),
        (
            "ebitda",
            "EBITDA (operating income + D&A)",
            currency,
            st.AMOUNT,
            lambda c, p: (
                f'=IF(COUNT({c}{{operating_income}},{c}{{depreciation_and_amortization}})=2,{c}{{operating_income}}+{c}{{depreciation_and_amortization}},"")'
            ),
        ),
        (
            "ebitda_margin",
            "EBITDA margin",
            "%",
            st.PERCENT,
            lambda c, p: (
                f'=IF(AND(COUNT({c}{{ebitda}},{c}{{revenue}})=2,N({c}{{revenue}})>0),{c}{{ebitda}}/{c}{{revenue}},"")'
            ),
        ),
        (
            "da_pct",
            "D&A % of revenue",
            "%",
            st.PERCENT,
            lambda c, p: (
                f'=IF(AND(COUNT({c}{{depreciation_and_amortization}},{c}{{revenue}})=2,N({c}{{revenue}})>0),{c}{{depreciation_and_amortization}}/{c}{{revenue}},"")'
            ),
        ),
        (
            "capex_pct",
            "Capex % of revenue",
            "%",
            st.PERCENT,
            lambda c, p: (
                f'=IF(AND(COUNT({c}{{capital_expenditure}},{c}{{revenue}})=2,N({c}{{revenue}})>0),-{c}{{capital_expenditure}}/{c}{{revenue}},"")'
            ),
        ),
        (
            "nwc",
            "Trade working capital (AR + inventory - AP)",
            currency,
            st.AMOUNT,
            lambda c, p: (
                f'=IF(COUNT({c}{{accounts_receivable}},{c}{{accounts_payable}})=2,N({c}{{accounts_receivable}})+N({c}{{inventory}})-N({c}{{accounts_payable}}),"")'
            ),
        ),
        (
            "nwc_pct",
            "Working capital % of revenue",
            "%",
            st.PERCENT,
            lambda c, p: (
                f'=IF(AND(COUNT({c}{{nwc}},{c}{{revenue}})=2,N({c}{{revenue}})>0),{c}{{nwc}}/{c}{{revenue}},"")'
            ),
        ),
        (
            "net_debt",
            "Net debt (debt - cash)",
            currency,
            st.AMOUNT,
            lambda c, p: (
                f'=IF(COUNT({c}{{cash_and_equivalents}})=1,N({c}{{short_term_debt}})+N({c}{{long_term_debt}})-{c}{{cash_and_equivalents}},"")'
            ),
        ),
        (
            "leverage",
            "Net debt / EBITDA",
            "x",
            st.MULTIPLE,
            lambda c, p: (
                f'=IF(AND(COUNT({c}{{net_debt}},{c}{{ebitda}})=2,N({c}{{ebitda}})>0),{c}{{net_debt}}/{c}{{ebitda}},"")'
            ),
        ),
    ]
    for key, *_rest in derived:
        rows[key] = row + [d[0] for d in derived].index(key)
    for key, label, unit, number_format, template in derived:
        r = rows[key]
        text_cell(ws, r, 1, label).font = st.NOTE_FONT
        text_cell(ws, r, 2, unit)
        for offset in range(len(years)):
            column = first_column + offset
            c = get_column_letter(column)
            p = get_column_letter(column - 1)
            if key == "growth" and offset == 0:
                continue
            formula = template(c, p).format(**rows)
            st.style_formula(ws.cell(row=r, column=column, value=formula), number_format)
    last_row = rows[derived[-1][0]]
    st.set_widths(ws, {1: 44, 2: 8})
    st.set_range_width(ws, range(first_column, last_column + 1), 14)
    ws.freeze_panes = ws.cell(row=header + 1, column=first_column)
    print_setup(
        ws, f"A1:{get_column_letter(last_column)}{last_row}", title_rows=f"{header}:{header}"
    )
