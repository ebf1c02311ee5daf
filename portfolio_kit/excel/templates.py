"""KPI collection templates: the workbook a portfolio company fills every quarter.

``export_kpi_template`` writes, for one company and one or more reporting
periods, the canonical line items and the company's KPIs down the side and
the periods across. Only the yellow input cells are unlocked; numeric cells
carry data validation; a very hidden sheet records company, periods, the row
of every item and the template version, signed with the installation's
template key (``_signing``), so ``import_kpi_template``
(``portfolio_kit.excel.template_import``) can tell exactly what each cell
means and refuse a file whose structure or recorded company was changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio_kit.errors import ValidationError
from portfolio_kit.excel._text import text_cell
from portfolio_kit.excel import _styles as st
from portfolio_kit.excel import _template_layout as layout
from portfolio_kit.excel._lookup import find_company
from portfolio_kit.excel._signing import signing_key
from portfolio_kit.excel._workbook import print_setup, save, write_metadata
from portfolio_kit.models import CompanyKPI, FinancialMetric, PeriodType, PortfolioCompany, Scenario
from portfolio_kit.periods import is_period_end
from portfolio_kit.vocabulary import KPIS

_VALIDATION_LIMIT = "1E+15"


def normalise_periods(period_ends: date | Sequence[date]) -> list[date]:
    """Sorted, distinct period ends; ``ValidationError`` names a bad one."""
    values = [period_ends] if isinstance(period_ends, date) else list(period_ends)
    if not values:
        raise ValidationError("period_ends", "name at least one period end")
    if len(values) > layout.MAX_PERIODS:
        raise ValidationError(
            "period_ends", f"at most {layout.MAX_PERIODS} periods fit a template, got {len(values)}"
        )
    for value in values:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValidationError("period_ends", f"{value!r} is not a date")
        if not is_period_end(value):
            raise ValidationError(
                "period_ends", f"{value} is not a period end (use the month's last day)"
            )
    duplicates = sorted({value for value in values if values.count(value) > 1})
    if duplicates:
        raise ValidationError("period_ends", f"{duplicates[0]} is listed twice")
    return sorted(values)


def company_kpis(session: Session, company_id: int) -> list[layout.TemplateItem]:
    """The KPIs the company has reported, in vocabulary order, then other names."""
    stored = dict(
        session.execute(
            select(CompanyKPI.kpi, CompanyKPI.unit)
            .where(CompanyKPI.company_id == company_id)
            .distinct()
        ).all()
    )
    known = [name for name in KPIS if name in stored]
    custom = sorted(name for name in stored if name not in KPIS)
    return [layout.kpi_item(name, stored[name]) for name in (*known, *custom)]


def _resolve_kpis(
    session: Session, company: PortfolioCompany, kpis: Sequence[str] | None
) -> list[layout.TemplateItem]:
    if kpis is None:
        items = company_kpis(session, company.id)
        return items or [layout.kpi_item(name) for name in KPIS]
    unknown = [name for name in kpis if name not in KPIS]
    if unknown:
        raise ValidationError("kpis", f"unknown KPI {unknown[0]!r}; known KPIs: {', '.join(KPIS)}")
    if len(set(kpis)) != len(kpis):
        raise ValidationError("kpis", "a KPI is listed twice")
    return [layout.kpi_item(name) for name in kpis]


def _stored_values(
    session: Session,
    company_id: int,
    periods: list[date],
    period_type: PeriodType,
    scenario: Scenario,
) -> dict[tuple[str, str, date], Decimal]:
    values: dict[tuple[str, str, date], Decimal] = {}
    for model, column, kind in (
        (FinancialMetric, FinancialMetric.line_item, layout.METRIC),
        (CompanyKPI, CompanyKPI.kpi, layout.KPI),
    ):
        rows = session.execute(
            select(column, model.period_end, model.value).where(
                model.company_id == company_id,
                model.period_type == period_type,
                model.scenario == scenario,
                model.period_end.in_(periods),
            )
        )
        for code, period_end, value in rows:
            values[(kind, code, period_end)] = value
    return values


def _validation_for(item: layout.TemplateItem) -> DataValidation:
    common = {
        "allow_blank": True,
        "showErrorMessage": True,
        "errorStyle": "stop",
        "errorTitle": "A number is expected",
        "showInputMessage": False,
    }
    if item.unit == "count":
        return DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            error="Enter a count (a whole number of at least 0), or leave the cell empty.",
            **common,
        )
    if item.unit == "percent":
        return DataValidation(
            type="decimal",
            operator="between",
            formula1="-10",
            formula2="10",
            error="Enter a percentage such as 12% (or 0.12), or leave the cell empty.",
            **common,
        )
    return DataValidation(
        type="decimal",
        operator="between",
        formula1=f"-{_VALIDATION_LIMIT}",
        formula2=_VALIDATION_LIMIT,
        error="Enter a number in full units (no text, no thousands suffix), or leave it empty.",
        **common,
    )


def _write_data_sheet(
    ws: Worksheet,
    company: PortfolioCompany,
    periods: list[date],
    period_type: PeriodType,
    scenario: Scenario,
    sections: list[tuple[str, list[layout.TemplateItem]]],
    stored: dict[tuple[str, str, date], Decimal],
) -> list[tuple[int, layout.TemplateItem]]:
    last_column = layout.FIRST_PERIOD_COLUMN + len(periods) - 1
    text_cell(ws, 1, 1, f"{company.name}: financials and KPIs")
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = (
        f"Amounts in {company.currency}, full units (not thousands). Period type: "
        f"{period_type.value}; "
        f"scenario: {scenario.value}. Fill the yellow cells; leave a cell empty if the figure "
        "is not reported."
    )
    ws["A2"].font = st.SUBTITLE_FONT
    for offset, period_end in enumerate(periods):
        column = layout.FIRST_PERIOD_COLUMN + offset
        ws.cell(
            row=layout.LABEL_ROW,
            column=column,
            value=layout.period_label(period_end, period_type.value),
        )
        ws.cell(row=layout.LABEL_ROW, column=column).font = st.TOTAL_FONT
        ws.cell(row=layout.LABEL_ROW, column=column).alignment = Alignment(horizontal="center")
        header = ws.cell(row=layout.HEADER_ROW, column=column, value=period_end)
        header.number_format = st.DATE
    ws.cell(row=layout.HEADER_ROW, column=layout.CODE_COLUMN, value="Code")
    ws.cell(row=layout.HEADER_ROW, column=layout.LABEL_COLUMN, value="Line item / KPI")
    ws.cell(row=layout.HEADER_ROW, column=layout.UNIT_COLUMN, value="Unit")
    st.style_header_row(ws, layout.HEADER_ROW, 1, last_column)

    rows: list[tuple[int, layout.TemplateItem]] = []
    row = layout.FIRST_ITEM_ROW
    code_font = Font(color="808080", size=9)
    for title, items in sections:
        text_cell(ws, row, layout.LABEL_COLUMN, title)
        st.style_section_row(ws, row, 1, last_column)
        row += 1
        for item in items:
            text_cell(ws, row, layout.CODE_COLUMN, item.code).font = code_font
            text_cell(ws, row, layout.LABEL_COLUMN, item.label)
            text_cell(ws, row, layout.UNIT_COLUMN, layout.unit_caption(item, company.currency))
            number_format = layout.number_format(item)
            for offset, period_end in enumerate(periods):
                cell = ws.cell(row=row, column=layout.FIRST_PERIOD_COLUMN + offset)
                value = stored.get((item.kind, item.code, period_end))
                if value is not None:
                    cell.value = float(value)
                st.style_input(cell, number_format)
            rows.append((row, item))
            row += 1
    _add_validations(ws, rows, last_column)
    st.set_widths(ws, {1: 24, 2: 48, 3: 16})
    st.set_range_width(ws, range(layout.FIRST_PERIOD_COLUMN, last_column + 1), 16)
    ws.freeze_panes = ws.cell(row=layout.FIRST_ITEM_ROW, column=layout.FIRST_PERIOD_COLUMN)
    print_setup(
        ws,
        f"A1:{get_column_letter(last_column)}{row - 1}",
        title_rows=f"{layout.LABEL_ROW}:{layout.HEADER_ROW}",
    )
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    return rows


def _add_validations(
    ws: Worksheet, rows: list[tuple[int, layout.TemplateItem]], last_column: int
) -> None:
    """One data validation per unit, covering each run of consecutive rows as one range.

    One range per run rather than per row: openpyxl checks every range
    already added before adding another, so a range per row made exporting
    thousands of KPI rows quadratic.
    """
    first = get_column_letter(layout.FIRST_PERIOD_COLUMN)
    last = get_column_letter(last_column)
    validations: dict[str, DataValidation] = {}
    runs: dict[str, list[list[int]]] = {}
    for row, item in rows:
        if item.unit not in validations:
            validations[item.unit] = _validation_for(item)
            ws.add_data_validation(validations[item.unit])
        unit_runs = runs.setdefault(item.unit, [])
        if unit_runs and unit_runs[-1][1] == row - 1:
            unit_runs[-1][1] = row
        else:
            unit_runs.append([row, row])
    for unit, unit_runs in runs.items():
        validations[unit].sqref = MultiCellRange(
            [f"{first}{start}:{last}{end}" for start, end in unit_runs]
        )


_INSTRUCTIONS = [
    "How to fill this template",
    "1. Enter figures only in the yellow cells of the sheet 'Data'. Leave a cell empty when "
    "the figure is not reported; "
    "an empty cell never erases a figure already on file.",
    "2. Amounts are in {currency}, in full units: type 1250000 for 1.25 million, not 1,250 or "
    "1.25.",
    "3. Signs as printed in the statements: revenue and expenses positive; cash outflows in "
    "the cash-flow statement "
    "negative (capital expenditure of -120 means 120 was spent).",
    "4. Percentages as percentages or fractions: 12% and 0.12 are the same; counts as whole "
    "numbers.",
    "5. Do not insert, delete, move or rename rows, columns or sheets, and do not change the "
    "period headers: "
    "the import checks the layout and names every cell it cannot read.",
    "6. Formulas are fine if they produce a number once the file is saved in Excel or "
    "LibreOffice; error values such "
    "as #DIV/0! are refused.",
    "7. Return the saved .xlsx file. The import checks every cell first and stores nothing "
    "unless all of them are "
    "valid; values outside a plausible range are flagged for review rather than stored.",
]


def _write_instructions(
    ws: Worksheet,
    company: PortfolioCompany,
    periods: list[date],
    period_type: PeriodType,
    scenario: Scenario,
) -> None:
    text_cell(ws, 1, 1, f"KPI collection template: {company.name}")
    ws["A1"].font = st.TITLE_FONT
    facts = [
        ("Company", company.name),
        ("Currency", company.currency),
        (
            "Periods",
            ", ".join(
                f"{layout.period_label(p, period_type.value)} ({p.isoformat()})" for p in periods
            ),
        ),
        ("Period type", period_type.value),
        ("Scenario", scenario.value),
        ("Template version", layout.TEMPLATE_VERSION),
    ]
    row = 3
    for label, value in facts:
        text_cell(ws, row, 1, label).font = st.TOTAL_FONT
        text_cell(ws, row, 2, value).alignment = Alignment(horizontal="left")
        row += 1
    row += 1
    for index, line in enumerate(_INSTRUCTIONS):
        cell = text_cell(ws, row, 1, line.format(currency=company.currency))
        cell.alignment = st.WRAP
        if index == 0:
            cell.font = st.SECTION_FONT
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ws.row_dimensions[row].height = 32 if index else 18
        row += 1
    st.set_widths(ws, {1: 22, 2: 90})
    print_setup(ws, f"A1:B{row}", landscape=False)
    ws.protection.sheet = True


def build_kpi_template(
    session: Session,
    company: PortfolioCompany | int | str,
    period_ends: date | Sequence[date],
    *,
    period_type: PeriodType | str = PeriodType.QUARTER,
    scenario: Scenario | str = Scenario.ACTUAL,
    kpis: Sequence[str] | None = None,
    prefill: bool = True,
) -> Workbook:
    """The template workbook (see ``export_kpi_template``), not yet saved."""
    company = find_company(session, company)
    periods = normalise_periods(period_ends)
    try:
        period_type = PeriodType(period_type)
    except ValueError:
        raise ValidationError(
            "period_type", f"must be one of {[p.value for p in PeriodType]} (got {period_type!r})"
        ) from None
    try:
        scenario = Scenario(scenario)
    except ValueError:
        raise ValidationError(
            "scenario", f"must be one of {[s.value for s in Scenario]} (got {scenario!r})"
        ) from None
    sections: list[tuple[str, list[layout.TemplateItem]]] = [
        (layout.SECTION_TITLES[statement], items) for statement, items in layout.line_item_rows()
    ]
    sections.append((layout.KPI_SECTION_TITLE, _resolve_kpis(session, company, kpis)))
    stored = _stored_values(session, company.id, periods, period_type, scenario) if prefill else {}

    wb = Workbook()
    instructions = wb.active
    instructions.title = layout.INSTRUCTIONS_SHEET
    _write_instructions(instructions, company, periods, period_type, scenario)
    data = wb.create_sheet(layout.DATA_SHEET)
    rows = _write_data_sheet(data, company, periods, period_type, scenario, sections, stored)
    wb.active = 1
    record = layout.TemplateRecord(
        company_id=company.id,
        company_name=company.name,
        currency=company.currency,
        period_type=period_type.value,
        scenario=scenario.value,
        sheets=(layout.INSTRUCTIONS_SHEET, layout.DATA_SHEET),
        data_sheet=layout.DATA_SHEET,
        header_row=layout.HEADER_ROW,
        periods=tuple(
            (layout.FIRST_PERIOD_COLUMN + offset, period_end)
            for offset, period_end in enumerate(periods)
        ),
        rows=tuple(rows),
    )
    write_metadata(wb, record.as_metadata(), sign_with=signing_key())
    wb.security = WorkbookProtection(lockStructure=True)
    return wb


def export_kpi_template(
    session: Session,
    company: PortfolioCompany | int | str,
    period_ends: date | Sequence[date],
    path: str | Path | None = None,
    *,
    period_type: PeriodType | str = PeriodType.QUARTER,
    scenario: Scenario | str = Scenario.ACTUAL,
    kpis: Sequence[str] | None = None,
    prefill: bool = True,
) -> bytes | Path:
    """Write the KPI collection template for one company and its reporting periods.

    Parameters
    ----------
    session
        Any package session (only reads).
    company
        The company: object, id or exact name.
    period_ends
        One period end or several (month ends; sorted into columns, oldest first).
    path
        Where to save the ``.xlsx``; when None the file's bytes are returned.
    period_type, scenario
        What the figures are (default: quarterly actuals); recorded in the file
        and applied on import.
    kpis
        KPI names for the KPI rows; default: those the company has reported,
        or the whole vocabulary for a company without KPIs yet.
    prefill
        Put figures already on file into their cells, so the company sees and
        can correct them (an unchanged figure is not rewritten on import).

    Returns
    -------
    Path or bytes
        ``path`` when given, else the workbook's bytes.

    Raises
    ------
    NotFoundError
        When the company does not exist.
    ValidationError
        When a period end, period type, scenario or KPI name is not valid.
    """
    wb = build_kpi_template(
        session,
        company,
        period_ends,
        period_type=period_type,
        scenario=scenario,
        kpis=kpis,
        prefill=prefill,
    )
    return save(wb, path)
