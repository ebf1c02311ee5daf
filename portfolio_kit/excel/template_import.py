"""Importing a filled KPI collection template: check everything, then write all or nothing.

``check_kpi_template`` reads a returned template and lists every problem at
once, each with its sheet and cell: a sheet that is not ours, rows that were
moved or duplicated, period headers that no longer match, text, formula
errors or uncalculated formulas in numeric cells, and values outside a
plausible range (flagged for a person to confirm rather than stored).
``import_kpi_template`` stores the file as a ``Document`` (kind
``kpi_template``; the same bytes are one document), writes new figures with
source ``excel`` in one bulk statement per table, updates figures that
changed through the ORM (each update audit-logged with old and new value),
and records the whole import as one ``import`` audit row by the session's
actor. A template whose figures all match what is on file changes nothing,
so importing the same file twice is harmless.

Empty cells mean "not reported": they never erase a stored figure.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portfolio_kit.audit import actor_of, begin_caller_audited
from portfolio_kit.errors import PermissionDeniedError, PortfolioKitError
from portfolio_kit.excel import _template_layout as layout
from portfolio_kit.excel._workbook import METADATA_SHEET, read_metadata
from portfolio_kit.models import (
    AuditAction,
    CompanyKPI,
    Document,
    DocumentKind,
    DocumentStatus,
    FinancialMetric,
    MetricSource,
    PeriodType,
    PortfolioCompany,
    Scenario,
)
from portfolio_kit.models.base import utcnow
from portfolio_kit.periods import is_period_end
from portfolio_kit.services.bulk_import import validate_kpi_rows, validate_metric_rows
from portfolio_kit.services.documents import content_hash, store_document
from portfolio_kit.vocabulary import KPI_UNITS, KPIS, LINE_ITEMS

ERROR_VALUES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)
_STORED_SCALE = Decimal("0.000001")
"""Figures are stored with six decimals (``AMOUNT``); comparisons use the same scale."""


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """Something wrong with a returned template, located by sheet and cell.

    ``kind`` is ``"error"`` for a cell or structure that cannot be read and
    ``"implausible"`` for a readable value that a person should confirm.
    """

    sheet: str | None
    cell: str | None
    message: str
    kind: str = "error"

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return f"sheet {self.sheet!r}" if self.sheet else "workbook"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class TemplateImportError(PortfolioKitError):
    """The template was refused; ``problems`` lists every reason, nothing was written."""

    def __init__(self, problems: list[TemplateProblem], file_name: str | None = None) -> None:
        self.problems = list(problems)
        self.file_name = file_name
        shown = "; ".join(str(problem) for problem in self.problems[:5])
        more = f"; and {len(self.problems) - 5} more" if len(self.problems) > 5 else ""
        count = len(self.problems)
        name = f"{file_name}: " if file_name else ""
        super().__init__(
            f"{name}the KPI template has {count} problem{'s' if count != 1 else ''} and "
            "nothing was imported: "
            f"{shown}{more}"
        )


@dataclass(frozen=True, slots=True)
class TemplateValue:
    """One figure read from a template cell."""

    kind: str
    code: str
    unit: str
    period_end: date
    value: float
    cell: str


@dataclass(slots=True)
class TemplateContents:
    """What ``check_kpi_template`` read: the figures and every problem found."""

    company_id: int | None = None
    currency: str | None = None
    period_type: str | None = None
    scenario: str | None = None
    values: list[TemplateValue] = field(default_factory=list)
    problems: list[TemplateProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[TemplateProblem]:
        return [problem for problem in self.problems if problem.kind == "error"]

    @property
    def flagged(self) -> list[TemplateProblem]:
        return [problem for problem in self.problems if problem.kind == "implausible"]


@dataclass(frozen=True, slots=True)
class TemplateImportResult:
    """What an import did; ``document_id`` is None when nothing changed and the
    file was never stored before."""

    company_id: int
    document_id: int | None
    inserted: int
    updated: int
    unchanged: int
    accepted_flags: tuple[TemplateProblem, ...] = ()

    @property
    def changed(self) -> bool:
        return self.inserted + self.updated > 0


def _read_bytes(source: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "template.xlsx"
    path = Path(source)
    if not path.is_file():
        raise TemplateImportError(
            [TemplateProblem(None, None, f"file {path} does not exist")], path.name
        )
    return path.read_bytes(), path.name


def _open(data: bytes, problems: list[TemplateProblem]) -> tuple[Workbook, Workbook] | None:
    try:
        formulas = load_workbook(io.BytesIO(data), data_only=False)
        values = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        problems.append(
            TemplateProblem(
                None,
                None,
                "not an Excel workbook (.xlsx): save the template as .xlsx and send it again",
            )
        )
        return None
    return formulas, values


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _read_layout(
    meta: Mapping[str, Any], problems: list[TemplateProblem]
) -> tuple[list[tuple[int, date]], list[tuple[int, layout.TemplateItem]]] | None:
    try:
        periods = [(int(column), date.fromisoformat(iso)) for column, iso in meta["periods"]]
        rows = [
            (int(row), layout.TemplateItem(str(code), str(kind), str(code), str(unit)))
            for row, code, kind, unit in meta["rows"]
        ]
        # The rest of the record is read where it is used; check here that it can be.
        complete = (
            isinstance(meta["data_sheet"], str)
            and isinstance(meta["header_row"], int)
            and isinstance(meta["company_id"], int)
            and PeriodType(meta["period_type"]) is not None
            and Scenario(meta["scenario"]) is not None
            and bool(periods)
            and bool(rows)
        )
    except (KeyError, TypeError, ValueError):
        complete = False
    if not complete:
        problems.append(
            TemplateProblem(
                METADATA_SHEET,
                None,
                "the template's hidden layout record was altered; export a new template",
            )
        )
        return None
    return periods, rows


def _check_structure(
    formulas: Workbook,
    meta: Mapping[str, Any],
    periods: list[tuple[int, date]],
    rows: list[tuple[int, layout.TemplateItem]],
    problems: list[TemplateProblem],
) -> None:
    """Sheets, period headers and row codes."""
    expected_sheets = [str(name) for name in meta.get("sheets", [])]
    for name in formulas.sheetnames:
        if name != METADATA_SHEET and name not in expected_sheets:
            problems.append(
                TemplateProblem(
                    name,
                    None,
                    f"unknown sheet {name!r}: the template has only "
                    f"{', '.join(map(repr, expected_sheets))}; "
                    "enter figures on the data sheet and remove other sheets",
                )
            )
    for name in expected_sheets:
        if name not in formulas.sheetnames:
            problems.append(
                TemplateProblem(name, None, f"sheet {name!r} is missing (renamed or deleted?)")
            )
    data_sheet = str(meta["data_sheet"])
    if data_sheet not in formulas.sheetnames:
        return
    ws = formulas[data_sheet]
    header_row = int(meta["header_row"])

    expected_columns = {column for column, _ in periods}
    seen_periods: dict[date, str] = {}
    for column, period_end in periods:
        cell = ws.cell(row=header_row, column=column)
        found = _as_date(cell.value)
        if found != period_end:
            shown = found.isoformat() if found else repr(cell.value)
            problems.append(
                TemplateProblem(
                    data_sheet,
                    cell.coordinate,
                    f"period header is {shown} but the template was issued for "
                    f"{period_end.isoformat()}; "
                    "period headers cannot be changed (ask for a template for the other period)",
                )
            )
    last_expected = max(expected_columns)
    for column in range(layout.FIRST_PERIOD_COLUMN, ws.max_column + 1):
        cell = ws.cell(row=header_row, column=column)
        found = _as_date(cell.value)
        if found is not None:
            if found in seen_periods:
                problems.append(
                    TemplateProblem(
                        data_sheet,
                        cell.coordinate,
                        f"duplicate period {found.isoformat()} (also in {seen_periods[found]})",
                    )
                )
            else:
                seen_periods[found] = cell.coordinate
        if column > last_expected and column not in expected_columns:
            filled = [
                c.coordinate
                for c in next(ws.iter_cols(min_col=column, max_col=column, min_row=header_row))
                if c.value not in (None, "")
            ]
            if filled:
                problems.append(
                    TemplateProblem(
                        data_sheet,
                        filled[0],
                        f"unexpected column {get_column_letter(column)}: the template has no "
                        "period there; "
                        "columns cannot be added",
                    )
                )

    expected_rows = {row: item for row, item in rows}
    code_rows: dict[str, list[int]] = {}
    for row in range(header_row + 1, max(ws.max_row, max(expected_rows)) + 1):
        code = ws.cell(row=row, column=layout.CODE_COLUMN).value
        if isinstance(code, str) and code.strip():
            code_rows.setdefault(code.strip(), []).append(row)
    for code, found_rows in code_rows.items():
        if len(found_rows) > 1:
            cells = ", ".join(f"A{row}" for row in found_rows)
            problems.append(
                TemplateProblem(
                    data_sheet, f"A{found_rows[1]}", f"duplicate row: {code!r} appears in {cells}"
                )
            )
    misplaced = [
        (row, item)
        for row, item in rows
        if ws.cell(row=row, column=layout.CODE_COLUMN).value != item.code
    ]
    if misplaced:
        row, item = misplaced[0]
        found = ws.cell(row=row, column=layout.CODE_COLUMN).value
        elsewhere = [r for r in code_rows.get(item.code, []) if r != row]
        where = f"; {item.code!r} is now in row {elsewhere[0]}" if elsewhere else ""
        more = ""
        if len(misplaced) > 1:
            more = (
                f" ({len(misplaced) - 1} more rows down to A{misplaced[-1][0]} "
                "are out of place too)"
            )
        problems.append(
            TemplateProblem(
                data_sheet,
                f"A{row}",
                f"rows were moved: expected {item.code!r} here, found {found!r}{where}{more}; "
                "rows cannot be inserted, deleted or sorted, export a new template if you need "
                "other rows",
            )
        )
        return
    for row in range(header_row + 1, ws.max_row + 1):
        if row in expected_rows:
            continue
        for column in range(layout.FIRST_PERIOD_COLUMN, ws.max_column + 1):
            cell = ws.cell(row=row, column=column)
            if cell.value not in (None, ""):
                problems.append(
                    TemplateProblem(
                        data_sheet,
                        cell.coordinate,
                        "a value outside the input cells: figures belong in the yellow cells "
                        "of item rows",
                    )
                )


def _cell_number(formula_cell: Any, value_cell: Any) -> tuple[float | None, str | None]:
    """(number, None), (None, None) for an empty cell, or (None, why it is not a number)."""
    raw = formula_cell.value
    shown = value_cell.value
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    is_formula = formula_cell.data_type == "f" or (isinstance(raw, str) and raw.startswith("="))
    if is_formula:
        if shown is None:
            return None, (
                f"formula {raw} has no calculated value: open and save the file in Excel or "
                "LibreOffice, "
                "or type the number"
            )
        if isinstance(shown, str) and shown.strip() in ERROR_VALUES:
            return None, f"formula {raw} gives the error {shown.strip()}: fix it or type the number"
        raw = shown
    if isinstance(raw, str) and raw.strip().upper() in ERROR_VALUES:
        return None, f"error value {raw.strip()}: type a number or leave the cell empty"
    if isinstance(raw, bool):
        return None, f"{raw} is not a number: type a number or leave the cell empty"
    if isinstance(raw, datetime | date):
        return (
            None,
            f"a date ({raw:%Y-%m-%d}) is not a figure: type a number or leave the cell empty",
        )
    if isinstance(raw, str):
        return (
            None,
            f"text {raw.strip()[:40]!r} in a numeric cell: type a number or leave the cell empty",
        )
    if not isinstance(raw, int | float | Decimal):
        return None, f"{raw!r} is not a number"
    number = float(raw)
    if not math.isfinite(number):
        return None, f"{raw} is not a finite number"
    return number, None


def _read_values(
    formulas: Workbook,
    values: Workbook,
    meta: Mapping[str, Any],
    periods: list[tuple[int, date]],
    rows: list[tuple[int, layout.TemplateItem]],
    contents: TemplateContents,
) -> None:
    data_sheet = str(meta["data_sheet"])
    ws_formulas = formulas[data_sheet]
    ws_values = values[data_sheet]
    for row, item in rows:
        if ws_formulas.cell(row=row, column=layout.CODE_COLUMN).value != item.code:
            continue
        for column, period_end in periods:
            formula_cell = ws_formulas.cell(row=row, column=column)
            number, problem = _cell_number(formula_cell, ws_values.cell(row=row, column=column))
            if problem is not None:
                contents.problems.append(
                    TemplateProblem(data_sheet, formula_cell.coordinate, f"{item.code}: {problem}")
                )
                continue
            if number is None:
                continue
            reason = layout.implausibility(_labelled(item), number)
            if reason is not None:
                contents.problems.append(
                    TemplateProblem(
                        data_sheet,
                        formula_cell.coordinate,
                        f"{reason}; flagged for review, not stored",
                        "implausible",
                    )
                )
            contents.values.append(
                TemplateValue(
                    item.kind, item.code, item.unit, period_end, number, formula_cell.coordinate
                )
            )


def _labelled(item: layout.TemplateItem) -> layout.TemplateItem:
    if item.kind == layout.KPI:
        known = layout.kpi_item(item.code, item.unit)
        return layout.TemplateItem(item.code, item.kind, known.label, item.unit)
    known_item = LINE_ITEMS.get(item.code)
    label = known_item.label if known_item is not None else item.code
    return layout.TemplateItem(item.code, item.kind, label, item.unit)


def _check_meaning(
    session: Session,
    meta: Mapping[str, Any],
    periods: list[tuple[int, date]],
    rows: list[tuple[int, layout.TemplateItem]],
    contents: TemplateContents,
) -> None:
    company = session.get(PortfolioCompany, int(meta["company_id"]))
    if company is None:
        contents.problems.append(
            TemplateProblem(
                None,
                None,
                f"the template is for company #{meta['company_id']} "
                f"({meta.get('company_name')!r}), "
                "which no longer exists",
            )
        )
    elif company.currency != meta.get("currency"):
        contents.problems.append(
            TemplateProblem(
                None,
                None,
                f"the template was issued in {meta.get('currency')} but {company.name} now "
                "reports in "
                f"{company.currency}; export a new template",
            )
        )
    for column, period_end in periods:
        if not is_period_end(period_end):
            contents.problems.append(
                TemplateProblem(
                    str(meta["data_sheet"]),
                    f"{get_column_letter(column)}{meta['header_row']}",
                    f"{period_end} is not a period end",
                )
            )
    for row, item in rows:
        known = item.code in LINE_ITEMS if item.kind == layout.METRIC else item.unit in KPI_UNITS
        if item.kind == layout.KPI and item.code in KPIS and KPIS[item.code].unit != item.unit:
            known = False
        if not known:
            contents.problems.append(
                TemplateProblem(
                    str(meta["data_sheet"]),
                    f"A{row}",
                    f"{item.code!r} is not a known line item or KPI",
                )
            )
    contents.company_id = int(meta["company_id"])
    contents.currency = str(meta.get("currency"))
    contents.period_type = str(meta["period_type"])
    contents.scenario = str(meta["scenario"])


def check_kpi_template(session: Session, source: str | Path | bytes) -> TemplateContents:
    """Read a returned template and list every problem, writing nothing.

    Returns the figures read and the problems found (``.errors`` block an
    import; ``.flagged`` values need ``accept_implausible=True``). Use it to
    show an analyst what an import would refuse before running it.
    """
    data, _name = _read_bytes(source)
    return _check(session, data)


def _check(session: Session, data: bytes) -> TemplateContents:
    contents = TemplateContents()
    opened = _open(data, contents.problems)
    if opened is None:
        return contents
    formulas, values = opened
    try:
        meta = read_metadata(formulas)
    except ValueError as exc:
        contents.problems.append(TemplateProblem(METADATA_SHEET, None, str(exc)))
        return contents
    if meta is None:
        contents.problems.append(
            TemplateProblem(
                None,
                None,
                "not a portfolio_kit KPI template (its hidden layout sheet is missing); "
                "fill a template exported with `portfolio-kit template export`",
            )
        )
        return contents
    if meta.get("kind") != layout.TEMPLATE_KIND:
        contents.problems.append(
            TemplateProblem(
                None,
                None,
                f"this workbook is a portfolio_kit {meta.get('kind')!r}, not a KPI template",
            )
        )
        return contents
    version = meta.get("template_version")
    if not isinstance(version, int) or version > layout.TEMPLATE_VERSION or version < 1:
        contents.problems.append(
            TemplateProblem(
                None,
                None,
                f"template version {version!r} is not supported (this release reads 1 to "
                f"{layout.TEMPLATE_VERSION})",
            )
        )
        return contents
    parsed = _read_layout(meta, contents.problems)
    if parsed is None:
        return contents
    periods, rows = parsed
    _check_meaning(session, meta, periods, rows, contents)
    _check_structure(formulas, meta, periods, rows, contents.problems)
    if str(meta["data_sheet"]) in formulas.sheetnames:
        _read_values(formulas, values, meta, periods, rows, contents)
        if not contents.values and not contents.errors:
            contents.problems.append(
                TemplateProblem(
                    str(meta["data_sheet"]), None, "no figure was entered: the template is empty"
                )
            )
    return contents


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_STORED_SCALE)


def _same(stored: Decimal, new: float) -> bool:
    return Decimal(stored).quantize(_STORED_SCALE) == _decimal(new)


def import_kpi_template(
    session: Session,
    source: str | Path | bytes,
    *,
    file_name: str | None = None,
    accept_implausible: bool = False,
) -> TemplateImportResult:
    """Import a filled KPI template as the session's actor, all or nothing.

    Parameters
    ----------
    session
        A package session whose actor may write (analyst or admin); the
        caller's transaction commits or rolls back the import.
    source
        Path of the returned ``.xlsx`` or its bytes.
    file_name
        Name to store the document under (default: the path's name).
    accept_implausible
        Store values flagged as implausible after a person has confirmed
        them; by default they block the import like any other problem.

    Returns
    -------
    TemplateImportResult
        Counts of inserted, updated and unchanged figures and the document id.

    Raises
    ------
    TemplateImportError
        Listing every problem (sheet, cell, message); nothing is written.
    PermissionDeniedError
        When the session's actor is a partner.
    """
    actor = actor_of(session)
    if not actor.can_write:
        raise PermissionDeniedError(
            f"{actor.email} is a {actor.role.value} and cannot import templates"
        )
    data, default_name = _read_bytes(source)
    name = file_name or default_name
    contents = _check(session, data)
    blocking = contents.errors + ([] if accept_implausible else contents.flagged)
    if blocking:
        raise TemplateImportError(blocking, name)
    assert contents.company_id is not None
    company = session.get(PortfolioCompany, contents.company_id)
    assert company is not None
    period_type = PeriodType(contents.period_type)
    scenario = Scenario(contents.scenario)
    periods = sorted({value.period_end for value in contents.values})

    existing_metrics = {
        (metric.line_item, metric.period_end): metric
        for metric in session.scalars(
            select(FinancialMetric).where(
                FinancialMetric.company_id == company.id,
                FinancialMetric.period_type == period_type,
                FinancialMetric.scenario == scenario,
                FinancialMetric.period_end.in_(periods),
            )
        )
    }
    existing_kpis = {
        (kpi.kpi, kpi.period_end): kpi
        for kpi in session.scalars(
            select(CompanyKPI).where(
                CompanyKPI.company_id == company.id,
                CompanyKPI.period_type == period_type,
                CompanyKPI.scenario == scenario,
                CompanyKPI.period_end.in_(periods),
            )
        )
    }
    new_metrics: list[dict[str, Any]] = []
    new_kpis: list[dict[str, Any]] = []
    updates: list[tuple[FinancialMetric | CompanyKPI, TemplateValue]] = []
    unchanged = 0
    for value in contents.values:
        stored = (existing_metrics if value.kind == layout.METRIC else existing_kpis).get(
            (value.code, value.period_end)
        )
        if stored is not None:
            if _same(stored.value, value.value):
                unchanged += 1
            else:
                updates.append((stored, value))
            continue
        common = {
            "company_id": company.id,
            "period_end": value.period_end,
            "period_type": period_type.value,
            "scenario": scenario.value,
            "value": _decimal(value.value),
            "source": MetricSource.EXCEL.value,
            "source_label": f"{layout.DATA_SHEET}!{value.cell}",
        }
        if value.kind == layout.METRIC:
            new_metrics.append({**common, "line_item": value.code, "currency": company.currency})
        else:
            new_kpis.append(
                {
                    **common,
                    "kpi": value.code,
                    "unit": value.unit,
                    "currency": company.currency if value.unit == "currency" else None,
                }
            )

    digest = content_hash(data)
    if not (new_metrics or new_kpis or updates):
        known = session.scalar(select(Document.id).where(Document.content_hash == digest))
        return TemplateImportResult(company.id, known, 0, 0, unchanged)

    document = store_document(
        session, data, name, kind=DocumentKind.KPI_TEMPLATE, company_id=company.id
    )
    metric_rows = validate_metric_rows([{**row, "document_id": document.id} for row in new_metrics])
    kpi_rows = validate_kpi_rows([{**row, "document_id": document.id} for row in new_kpis])
    now = utcnow()
    batch = begin_caller_audited(session, (FinancialMetric.__table__, CompanyKPI.__table__))
    for rows, table in ((metric_rows, FinancialMetric.__table__), (kpi_rows, CompanyKPI.__table__)):
        if rows:
            session.connection().execute(
                insert(table),
                [{**row, "version": 1, "created_at": now, "updated_at": now} for row in rows],
            )
    changes = []
    for stored, value in updates:
        changes.append(
            {
                "item": value.code,
                "period_end": value.period_end.isoformat(),
                "old": str(stored.value),
                "new": str(_decimal(value.value)),
                "cell": value.cell,
            }
        )
        stored.value = _decimal(value.value)
        stored.source = MetricSource.EXCEL
        stored.document_id = document.id
        stored.source_label = f"{layout.DATA_SHEET}!{value.cell}"
        stored.page = None
    document.status = DocumentStatus.COMMITTED
    session.flush()
    inserted = len(metric_rows) + len(kpi_rows)
    batch.record_rows(
        session,
        [
            {
                "at": utcnow(),
                "user_id": actor.user_id,
                "actor": actor.email,
                "action": AuditAction.IMPORT,
                "entity_type": "Document",
                "entity_id": str(document.id),
                "summary": (
                    f"KPI template import for {company.name} ({name}): {inserted} new, "
                    f"{len(updates)} updated, {unchanged} unchanged"
                )[:500],
                "changes": {
                    "rows": inserted + len(updates),
                    "document_id": document.id,
                    "file_name": name,
                    "company_id": company.id,
                    "period_type": period_type.value,
                    "scenario": scenario.value,
                    "inserted_metrics": len(metric_rows),
                    "inserted_kpis": len(kpi_rows),
                    "updated": changes,
                    "accepted_flags": [str(problem) for problem in contents.flagged]
                    if accept_implausible
                    else [],
                },
            }
        ],
    )
    return TemplateImportResult(
        company.id,
        document.id,
        inserted,
        len(updates),
        unchanged,
        tuple(contents.flagged) if accept_implausible else (),
    )
