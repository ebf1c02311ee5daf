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
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portfolio_kit.audit import Actor, CallerAudited, actor_of, begin_caller_audited
from portfolio_kit.errors import PermissionDeniedError, PortfolioKitError
from portfolio_kit.excel import _template_layout as layout
from portfolio_kit.excel._archive import ArchiveTooLargeError, DamagedArchiveError, check_xlsx
from portfolio_kit.excel._fast_grid import CalamineError, calamine_grid, needs_openpyxl
from portfolio_kit.excel._grid import SheetGrid, coordinate
from portfolio_kit.excel._signing import signature_problem, signing_key
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
from portfolio_kit.security import require_company_write
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


class TemplateSignatureError(TemplateImportError):
    """The template's hidden metadata is unsigned or its signature does not match.

    The metadata names the company and periods the figures are written to,
    so a file whose metadata was edited (or that another installation
    signed) is refused as a whole; nothing was written.
    """


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
    signature_refused: bool = False
    """True when the metadata signature is missing or wrong (see ``TemplateSignatureError``)."""
    archive_refused: ArchiveTooLargeError | None = None
    """Set when the file would inflate beyond the limits; import raises it as it is."""

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


_UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    SyntaxError,
    EOFError,
    zlib.error,
    CalamineError,
)
"""What openpyxl raises for a file that is not a readable .xlsx (XML parse errors
are ``SyntaxError`` subclasses, a damaged member ``zlib.error`` or ``EOFError``),
and calamine's errors for the same."""

class _Unreadable(Exception):
    """A sheet of an opened workbook could not be parsed (read-only sheets parse when read)."""


_NOT_A_WORKBOOK = "not an Excel workbook (.xlsx): save the template as .xlsx and send it again"


class _TemplateFile:
    """The returned file, opened read-only: its sheet names, metadata and data grids.

    The data sheet is parsed once: by calamine when its XML holds no formula
    and no error cell (``_fast_grid``: the same values, ten times faster);
    otherwise by openpyxl with formulas (what was typed), and the cached
    values of formula cells from a second read-only pass only if some input
    cell holds a formula.
    """

    def __init__(self, data: bytes, workbook: Workbook) -> None:
        self._data = data
        self.workbook = workbook
        self.sheetnames: list[str] = list(workbook.sheetnames)
        self._values: dict[str, SheetGrid] = {}

    def grid(self, sheet: str) -> SheetGrid:
        """The sheet as typed (formulas as their text)."""
        try:
            worksheet = self.workbook[sheet]
            if not needs_openpyxl(self._data, getattr(worksheet, "_worksheet_path", None)):
                return calamine_grid(self._data, sheet)
            return SheetGrid.read(worksheet)
        except _UNREADABLE as exc:
            raise _Unreadable from exc

    def values(self, sheet: str) -> SheetGrid:
        """The sheet as last calculated by a spreadsheet program (``data_only``)."""
        if sheet not in self._values:
            try:
                workbook = load_workbook(io.BytesIO(self._data), read_only=True, data_only=True)
                try:
                    self._values[sheet] = SheetGrid.read(workbook[sheet])
                finally:
                    workbook.close()
            except _UNREADABLE as exc:
                raise _Unreadable from exc
        return self._values[sheet]

    def close(self) -> None:
        self.workbook.close()


def _open(data: bytes, problems: list[TemplateProblem]) -> _TemplateFile | None:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except _UNREADABLE:
        problems.append(TemplateProblem(None, None, _NOT_A_WORKBOOK))
        return None
    return _TemplateFile(data, workbook)


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


def _read_record(
    meta: Mapping[str, Any], problems: list[TemplateProblem]
) -> layout.TemplateRecord | None:
    try:
        return layout.TemplateRecord.from_metadata(meta)
    except (KeyError, TypeError, ValueError):
        problems.append(
            TemplateProblem(
                METADATA_SHEET,
                None,
                "the template's hidden layout record was altered; export a new template",
            )
        )
        return None


def _filled(value: Any) -> bool:
    return value not in (None, "")


def _check_sheets(
    sheetnames: list[str], record: layout.TemplateRecord, problems: list[TemplateProblem]
) -> None:
    expected_sheets = list(record.sheets)
    for name in sheetnames:
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
        if name not in sheetnames:
            problems.append(
                TemplateProblem(name, None, f"sheet {name!r} is missing (renamed or deleted?)")
            )


def _check_columns(
    grid: SheetGrid, record: layout.TemplateRecord, problems: list[TemplateProblem]
) -> None:
    """Period headers as issued, no duplicate period, no column added after the last."""
    data_sheet, header_row = record.data_sheet, record.header_row
    expected_columns = {column for column, _ in record.periods}
    for column, period_end in record.periods:
        shown_value = grid.value(header_row, column)
        found = _as_date(shown_value)
        if found != period_end:
            shown = found.isoformat() if found else repr(shown_value)
            problems.append(
                TemplateProblem(
                    data_sheet,
                    coordinate(header_row, column),
                    f"period header is {shown} but the template was issued for "
                    f"{period_end.isoformat()}; "
                    "period headers cannot be changed (ask for a template for the other period)",
                )
            )
    last_expected = max(expected_columns)
    seen_periods: dict[date, str] = {}
    for column in range(layout.FIRST_PERIOD_COLUMN, grid.max_column + 1):
        found = _as_date(grid.value(header_row, column))
        if found is not None:
            if found in seen_periods:
                problems.append(
                    TemplateProblem(
                        data_sheet,
                        coordinate(header_row, column),
                        f"duplicate period {found.isoformat()} (also in {seen_periods[found]})",
                    )
                )
            else:
                seen_periods[found] = coordinate(header_row, column)
        if column > last_expected and column not in expected_columns:
            first_filled = next(
                (
                    row
                    for row in range(header_row, grid.max_row + 1)
                    if _filled(grid.value(row, column))
                ),
                None,
            )
            if first_filled is not None:
                problems.append(
                    TemplateProblem(
                        data_sheet,
                        coordinate(first_filled, column),
                        f"unexpected column {get_column_letter(column)}: the template has no "
                        "period there; "
                        "columns cannot be added",
                    )
                )


def _check_rows(
    grid: SheetGrid, record: layout.TemplateRecord, problems: list[TemplateProblem]
) -> bool:
    """No duplicated item row and every item in the row it was issued in; False if moved."""
    data_sheet, header_row = record.data_sheet, record.header_row
    code_rows: dict[str, list[int]] = {}
    last_row = max(grid.max_row, max(row for row, _ in record.rows))
    for row in range(header_row + 1, last_row + 1):
        code = grid.value(row, layout.CODE_COLUMN)
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
        for row, item in record.rows
        if grid.value(row, layout.CODE_COLUMN) != item.code
    ]
    if not misplaced:
        return True
    row, item = misplaced[0]
    found = grid.value(row, layout.CODE_COLUMN)
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
    return False


def _check_stray_values(
    grid: SheetGrid, record: layout.TemplateRecord, problems: list[TemplateProblem]
) -> None:
    """Every value under the period columns outside an item row is refused, by cell."""
    expected_rows = {row for row, _ in record.rows}
    for row in range(record.header_row + 1, grid.max_row + 1):
        if row in expected_rows:
            continue
        for column in range(layout.FIRST_PERIOD_COLUMN, grid.max_column + 1):
            if _filled(grid.value(row, column)):
                problems.append(
                    TemplateProblem(
                        record.data_sheet,
                        coordinate(row, column),
                        "a value outside the input cells: figures belong in the yellow cells "
                        "of item rows",
                    )
                )


def _check_structure(
    template: _TemplateFile,
    grid: SheetGrid | None,
    record: layout.TemplateRecord,
    problems: list[TemplateProblem],
) -> None:
    """Sheets, period headers, row codes and stray values, each problem by cell."""
    _check_sheets(template.sheetnames, record, problems)
    if grid is None:
        return
    _check_columns(grid, record, problems)
    if _check_rows(grid, record, problems):
        _check_stray_values(grid, record, problems)


def _is_formula(raw: Any) -> bool:
    return isinstance(raw, ArrayFormula | DataTableFormula) or (
        isinstance(raw, str) and raw.startswith("=")
    )


def _cell_number(raw: Any, shown_value: Callable[[], Any]) -> tuple[float | None, str | None]:
    """(number, None), (None, None) for an empty cell, or (None, why it is not a number).

    ``raw`` is what was typed (a formula's text); ``shown_value()`` gives the
    value a spreadsheet program last calculated, asked for formulas only.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if _is_formula(raw):
        formula = getattr(raw, "text", raw)
        shown = shown_value()
        if shown is None:
            return None, (
                f"formula {formula} has no calculated value: open and save the file in Excel or "
                "LibreOffice, "
                "or type the number"
            )
        if isinstance(shown, str) and shown.strip() in ERROR_VALUES:
            return (
                None,
                f"formula {formula} gives the error {shown.strip()}: fix it or type the number",
            )
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
    template: _TemplateFile,
    grid: SheetGrid,
    record: layout.TemplateRecord,
    contents: TemplateContents,
) -> None:
    data_sheet = record.data_sheet
    for row, item in record.rows:
        if grid.value(row, layout.CODE_COLUMN) != item.code:
            continue
        labelled = _labelled(item)
        for column, period_end in record.periods:
            cell = coordinate(row, column)
            number, problem = _cell_number(
                grid.value(row, column),
                lambda row=row, column=column: template.values(data_sheet).value(row, column),
            )
            if problem is not None:
                contents.problems.append(
                    TemplateProblem(data_sheet, cell, f"{item.code}: {problem}")
                )
                continue
            if number is None:
                continue
            reason = layout.implausibility(labelled, number)
            if reason is not None:
                contents.problems.append(
                    TemplateProblem(
                        data_sheet, cell, f"{reason}; flagged for review, not stored", "implausible"
                    )
                )
            contents.values.append(
                TemplateValue(item.kind, item.code, item.unit, period_end, number, cell)
            )


def _labelled(item: layout.TemplateItem) -> layout.TemplateItem:
    if item.kind == layout.KPI:
        known = layout.kpi_item(item.code, item.unit)
        return layout.TemplateItem(item.code, item.kind, known.label, item.unit)
    known_item = LINE_ITEMS.get(item.code)
    label = known_item.label if known_item is not None else item.code
    return layout.TemplateItem(item.code, item.kind, label, item.unit)


def _check_meaning(
    session: Session, record: layout.TemplateRecord, contents: TemplateContents
) -> None:
    """The company still exists in the currency issued; periods and items are known ones."""
    company = session.get(PortfolioCompany, record.company_id)
    if company is None:
        contents.problems.append(
            TemplateProblem(
                None,
                None,
                f"the template is for company #{record.company_id} "
                f"({record.company_name!r}), "
                "which no longer exists",
            )
        )
    elif company.currency != record.currency:
        contents.problems.append(
            TemplateProblem(
                None,
                None,
                f"the template was issued in {record.currency} but {company.name} now "
                "reports in "
                f"{company.currency}; export a new template",
            )
        )
    for column, period_end in record.periods:
        if not is_period_end(period_end):
            contents.problems.append(
                TemplateProblem(
                    record.data_sheet,
                    coordinate(record.header_row, column),
                    f"{period_end} is not a period end",
                )
            )
    for row, item in record.rows:
        known = item.code in LINE_ITEMS if item.kind == layout.METRIC else item.unit in KPI_UNITS
        if item.kind == layout.KPI and item.code in KPIS and KPIS[item.code].unit != item.unit:
            known = False
        if not known:
            contents.problems.append(
                TemplateProblem(
                    record.data_sheet,
                    f"A{row}",
                    f"{item.code!r} is not a known line item or KPI",
                )
            )
    contents.company_id = record.company_id
    contents.currency = record.currency
    contents.period_type = record.period_type
    contents.scenario = record.scenario


def check_kpi_template(session: Session, source: str | Path | bytes) -> TemplateContents:
    """Read a returned template and list every problem, writing nothing.

    Returns the figures read and the problems found (``.errors`` block an
    import; ``.flagged`` values need ``accept_implausible=True``). Use it to
    show an analyst what an import would refuse before running it.
    """
    data, name = _read_bytes(source)
    return _check(session, data, name)


def _template_record(
    template: _TemplateFile, contents: TemplateContents
) -> layout.TemplateRecord | None:
    """The hidden layout record, signature checked, or None with the reason in ``problems``."""
    problems = contents.problems
    try:
        meta = read_metadata(template.workbook)
    except ValueError as exc:
        problems.append(TemplateProblem(METADATA_SHEET, None, str(exc)))
        return None
    except _UNREADABLE as exc:
        raise _Unreadable from exc
    if meta is None:
        problems.append(
            TemplateProblem(
                None,
                None,
                "not a portfolio_kit KPI template (its hidden layout sheet is missing); "
                "fill a template exported with `portfolio-kit template export`",
            )
        )
        return None
    if meta.get("kind") != layout.TEMPLATE_KIND:
        problems.append(
            TemplateProblem(
                None,
                None,
                f"this workbook is a portfolio_kit {meta.get('kind')!r}, not a KPI template",
            )
        )
        return None
    unsigned = signature_problem(meta, signing_key())
    if unsigned is not None:
        contents.signature_refused = True
        problems.append(
            TemplateProblem(
                METADATA_SHEET,
                None,
                f"{unsigned}; nothing can be imported from it: export a new template",
            )
        )
        return None
    version = meta.get("template_version")
    if not isinstance(version, int) or version > layout.TEMPLATE_VERSION or version < 1:
        problems.append(
            TemplateProblem(
                None,
                None,
                f"template version {version!r} is not supported (this release reads 1 to "
                f"{layout.TEMPLATE_VERSION})",
            )
        )
        return None
    return _read_record(meta, problems)


def _safe_archive(data: bytes, name: str, contents: TemplateContents) -> bool:
    """Check the zip before openpyxl inflates anything; False (with the problem) if refused."""
    try:
        check_xlsx(data, name)
    except ArchiveTooLargeError as exc:
        contents.archive_refused = exc
        contents.problems.append(TemplateProblem(None, None, exc.reason))
        return False
    except DamagedArchiveError as exc:
        contents.problems.append(
            TemplateProblem(
                None,
                None,
                f"not an Excel workbook (.xlsx): the file {exc.reason}; "
                "save the template as .xlsx and send it again",
            )
        )
        return False
    return True


def _check(session: Session, data: bytes, name: str) -> TemplateContents:
    """Check the archive, open, read the layout record, check the sheets, read the figures."""
    contents = TemplateContents()
    if not _safe_archive(data, name, contents):
        return contents
    template = _open(data, contents.problems)
    if template is None:
        return contents
    try:
        record = _template_record(template, contents)
        if record is None:
            return contents
        has_data_sheet = record.data_sheet in template.sheetnames
        grid = template.grid(record.data_sheet) if has_data_sheet else None
        _check_meaning(session, record, contents)
        _check_structure(template, grid, record, contents.problems)
        if grid is not None:
            _read_values(template, grid, record, contents)
            if not contents.values and not contents.errors:
                contents.problems.append(
                    TemplateProblem(
                        record.data_sheet, None, "no figure was entered: the template is empty"
                    )
                )
    except _Unreadable:
        contents.problems.clear()
        contents.values.clear()
        contents.problems.append(TemplateProblem(None, None, _NOT_A_WORKBOOK))
    finally:
        template.close()
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
    ArchiveTooLargeError
        When the file would inflate beyond ``xlsx_max_uncompressed_mb`` or
        ``xlsx_max_compression_ratio`` (checked before it is opened).
    TemplateSignatureError
        When the hidden metadata is unsigned or was edited (a
        ``TemplateImportError``); nothing is written.
    PermissionDeniedError
        When the session's actor is a partner, or may no longer write the
        template's company (deactivated, role changed, no access to its fund).
    """
    actor = _writer(session)
    data, default_name = _read_bytes(source)
    name = file_name or default_name
    contents = _check(session, data, name)
    if contents.archive_refused is not None:
        raise contents.archive_refused
    if contents.signature_refused:
        raise TemplateSignatureError(contents.errors, name)
    blocking = contents.errors + ([] if accept_implausible else contents.flagged)
    if blocking:
        raise TemplateImportError(blocking, name)
    assert contents.company_id is not None
    company = session.get(PortfolioCompany, contents.company_id)
    assert company is not None
    require_company_write(session, actor, company)
    plan = _plan_writes(session, company, contents)
    if not plan.changes:
        digest = content_hash(data)
        known = session.scalar(select(Document.id).where(Document.content_hash == digest))
        return TemplateImportResult(company.id, known, 0, 0, plan.unchanged)

    document = store_document(
        session, data, name, kind=DocumentKind.KPI_TEMPLATE, company_id=company.id
    )
    # The bulk inserts are declared to the audit guard and closed by the one
    # import row ``_record_import`` writes; without it the transaction rolls back.
    batch = begin_caller_audited(session, (FinancialMetric.__table__, CompanyKPI.__table__))
    inserted_metrics, inserted_kpis = _insert_new(session, plan, document.id)
    changes = _apply_updates(plan, document.id)
    document.status = DocumentStatus.COMMITTED
    session.flush()
    accepted = tuple(contents.flagged) if accept_implausible else ()
    _record_import(
        batch,
        session,
        actor,
        company,
        plan,
        document.id,
        name,
        inserted=(inserted_metrics, inserted_kpis),
        changes=changes,
        accepted=accepted,
    )
    return TemplateImportResult(
        company.id,
        document.id,
        inserted_metrics + inserted_kpis,
        len(plan.updates),
        plan.unchanged,
        accepted,
    )


def _writer(session: Session) -> Actor:
    """The session's actor, refused unless they may write figures."""
    actor = actor_of(session)
    if not actor.can_write:
        raise PermissionDeniedError(
            f"{actor.email} is a {actor.role.value} and cannot import templates"
        )
    return actor


@dataclass(slots=True)
class _WritePlan:
    """What an import will change: rows to insert, stored figures to update, how many match."""

    period_type: PeriodType
    scenario: Scenario
    new_metrics: list[dict[str, Any]] = field(default_factory=list)
    new_kpis: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[FinancialMetric | CompanyKPI, TemplateValue]] = field(
        default_factory=list
    )
    unchanged: int = 0

    @property
    def changes(self) -> bool:
        return bool(self.new_metrics or self.new_kpis or self.updates)


def _stored_figures(
    session: Session,
    company: PortfolioCompany,
    plan: _WritePlan,
    periods: list[date],
) -> tuple[dict[tuple[str, date], FinancialMetric], dict[tuple[str, date], CompanyKPI]]:
    """The figures on file for the template's periods, keyed by (code, period end)."""
    metrics = {
        (metric.line_item, metric.period_end): metric
        for metric in session.scalars(
            select(FinancialMetric).where(
                FinancialMetric.company_id == company.id,
                FinancialMetric.period_type == plan.period_type,
                FinancialMetric.scenario == plan.scenario,
                FinancialMetric.period_end.in_(periods),
            )
        )
    }
    kpis = {
        (kpi.kpi, kpi.period_end): kpi
        for kpi in session.scalars(
            select(CompanyKPI).where(
                CompanyKPI.company_id == company.id,
                CompanyKPI.period_type == plan.period_type,
                CompanyKPI.scenario == plan.scenario,
                CompanyKPI.period_end.in_(periods),
            )
        )
    }
    return metrics, kpis


def _plan_writes(
    session: Session, company: PortfolioCompany, contents: TemplateContents
) -> _WritePlan:
    """Sort every figure read into new, changed or the same as on file."""
    plan = _WritePlan(PeriodType(contents.period_type), Scenario(contents.scenario))
    periods = sorted({value.period_end for value in contents.values})
    existing_metrics, existing_kpis = _stored_figures(session, company, plan, periods)
    for value in contents.values:
        existing = existing_metrics if value.kind == layout.METRIC else existing_kpis
        stored = existing.get((value.code, value.period_end))
        if stored is not None:
            if _same(stored.value, value.value):
                plan.unchanged += 1
            else:
                plan.updates.append((stored, value))
            continue
        common = {
            "company_id": company.id,
            "period_end": value.period_end,
            "period_type": plan.period_type.value,
            "scenario": plan.scenario.value,
            "value": _decimal(value.value),
            "source": MetricSource.EXCEL.value,
            "source_label": f"{layout.DATA_SHEET}!{value.cell}",
        }
        if value.kind == layout.METRIC:
            plan.new_metrics.append(
                {**common, "line_item": value.code, "currency": company.currency}
            )
        else:
            plan.new_kpis.append(
                {
                    **common,
                    "kpi": value.code,
                    "unit": value.unit,
                    "currency": company.currency if value.unit == "currency" else None,
                }
            )
    return plan


def _insert_new(session: Session, plan: _WritePlan, document_id: int) -> tuple[int, int]:
    """One bulk insert per table (audited by the import row); returns (metrics, KPIs)."""
    metric_rows = validate_metric_rows(
        [{**row, "document_id": document_id} for row in plan.new_metrics]
    )
    kpi_rows = validate_kpi_rows([{**row, "document_id": document_id} for row in plan.new_kpis])
    now = utcnow()
    for rows, table in ((metric_rows, FinancialMetric.__table__), (kpi_rows, CompanyKPI.__table__)):
        if rows:
            session.connection().execute(
                insert(table),
                [{**row, "version": 1, "created_at": now, "updated_at": now} for row in rows],
            )
    return len(metric_rows), len(kpi_rows)


def _apply_updates(plan: _WritePlan, document_id: int) -> list[dict[str, str]]:
    """Change stored figures through the ORM (each audited old -> new); returns the changes."""
    changes = []
    for stored, value in plan.updates:
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
        stored.document_id = document_id
        stored.source_label = f"{layout.DATA_SHEET}!{value.cell}"
        stored.page = None
    return changes


def _record_import(
    batch: CallerAudited,
    session: Session,
    actor: Actor,
    company: PortfolioCompany,
    plan: _WritePlan,
    document_id: int,
    name: str,
    *,
    inserted: tuple[int, int],
    changes: list[dict[str, str]],
    accepted: tuple[TemplateProblem, ...],
) -> None:
    """The one ``import`` audit row that stands for the whole file."""
    inserted_metrics, inserted_kpis = inserted
    total = inserted_metrics + inserted_kpis
    batch.record_rows(
        session,
        [
            {
                "at": utcnow(),
                "user_id": actor.user_id,
                "actor": actor.email,
                "action": AuditAction.IMPORT,
                "entity_type": "Document",
                "entity_id": str(document_id),
                "summary": (
                    f"KPI template import for {company.name} ({name}): {total} new, "
                    f"{len(plan.updates)} updated, {plan.unchanged} unchanged"
                )[:500],
                "changes": {
                    "rows": total + len(plan.updates),
                    "document_id": document_id,
                    "file_name": name,
                    "company_id": company.id,
                    "period_type": plan.period_type.value,
                    "scenario": plan.scenario.value,
                    "inserted_metrics": inserted_metrics,
                    "inserted_kpis": inserted_kpis,
                    "updated": changes,
                    "accepted_flags": [str(problem) for problem in accepted],
                },
            }
        ],
    )
