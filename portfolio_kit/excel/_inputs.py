"""The Inputs sheet of a model: one row per assumption, each a named range.

A model declares its assumptions as ``InputSpec`` rows; the same list writes
the sheet (styled input cells, a description, data validation, a workbook
name per input) and reads it back (``read_inputs``), so the builder and the
import can never disagree about where an assumption lives. Reading goes
through the defined names, which Excel and LibreOffice move along when an
analyst inserts rows, so a rearranged Inputs sheet still reads correctly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from portfolio_kit.excel._text import set_text, text_cell
from portfolio_kit.excel import _styles as st
from portfolio_kit.excel._workbook import define_name, print_setup

LABEL_COLUMN = 1
DESCRIPTION_COLUMN = 2
VALUE_COLUMN = 3
FIRST_YEAR_COLUMN = 4
"""Per-year inputs sit in the same columns as the years of the model sheets
(column D is year 1 everywhere), so a formula for year t reads column t + 3."""

NUMBER = "number"
OPTIONAL_NUMBER = "optional_number"
BOOLEAN = "boolean"
CHOICE = "choice"
TEXT = "text"


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One assumption: where it goes, what it means, how it is checked.

    ``field`` is the key in the assumptions mapping (a dataclass field of
    ``portfolio_kit.analytics``), ``name`` the workbook's defined name.
    """

    field: str
    name: str
    label: str
    description: str
    number_format: str = st.GENERAL
    per_year: bool = False
    kind: str = NUMBER
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InputProblem:
    """An input cell that cannot be read: sheet, cell, the input's name and why."""

    sheet: str | None
    cell: str | None
    name: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.sheet and self.cell else "workbook"
        return f"{where} ({self.name}): {self.message}"


def _validation(spec: InputSpec) -> DataValidation:
    if spec.kind == BOOLEAN:
        return DataValidation(
            type="list",
            formula1='"TRUE,FALSE"',
            allow_blank=False,
            showErrorMessage=True,
            errorTitle=spec.label,
            error="Choose TRUE or FALSE.",
        )
    if spec.kind == CHOICE:
        return DataValidation(
            type="list",
            formula1='"' + ",".join(spec.choices) + '"',
            allow_blank=False,
            showErrorMessage=True,
            errorTitle=spec.label,
            error=f"Choose one of: {', '.join(spec.choices)}.",
        )
    if spec.kind == TEXT:
        return DataValidation(
            type="textLength", operator="between", formula1="1", formula2="60", allow_blank=False
        )
    return DataValidation(
        type="decimal",
        operator="between",
        formula1="-1E+15",
        formula2="1E+15",
        allow_blank=spec.kind == OPTIONAL_NUMBER,
        showErrorMessage=True,
        errorTitle=spec.label,
        error="Enter a number.",
    )


def year_labels(years: int, first_year: int | None) -> list[str]:
    """Column headings of the projection years: fiscal years when the first is known."""
    if first_year is None:
        return [f"Year {t}" for t in range(1, years + 1)]
    return [f"FY{first_year + t - 1}" for t in range(1, years + 1)]


def start_inputs_sheet(
    wb: Workbook,
    *,
    title: str,
    drivers_title: str,
    currency: str,
    first_year: int | None,
    yearly: Sequence[InputSpec],
    values: Mapping[str, Any],
    years: int,
) -> tuple[Worksheet, int, dict[str, str]]:
    """The Inputs sheet's title, reading guide and yearly drivers (``yearly``,
    one row each, a value per year), the same in every model so an analyst
    finds inputs in one place.

    Returns the sheet, the next free row and the drivers' references (as
    :func:`write_inputs`).
    """
    ws = wb.create_sheet("Inputs")
    last_column = FIRST_YEAR_COLUMN + years - 1
    ws["A1"] = title
    ws["A1"].font = st.TITLE_FONT
    ws["A2"] = (
        f"Blue cells on yellow are inputs; everything else is a formula. Amounts in {currency}; "
        "rates as percentages. Each input is a named range (Formulas > Name Manager)."
    )
    ws["A2"].font = st.SUBTITLE_FONT
    row = write_section_title(ws, 4, drivers_title, last_column)
    ws.cell(row=row, column=1, value="Driver")
    ws.cell(row=row, column=2, value="Meaning")
    for offset, label in enumerate(year_labels(years, first_year)):
        ws.cell(row=row, column=FIRST_YEAR_COLUMN + offset, value=label)
    st.style_header_row(ws, row, 1, last_column)
    row, references = write_inputs(wb, ws, yearly, values, row + 1, years)
    return ws, row, references


def finish_inputs_sheet(ws: Worksheet, years: int, last_row: int, label_width: int) -> None:
    """Column widths, frozen panes and print area of an Inputs sheet that
    ``start_inputs_sheet`` began, with its last row ``last_row``."""
    last_column = FIRST_YEAR_COLUMN + years - 1
    st.set_widths(ws, {LABEL_COLUMN: label_width, 2: 58, VALUE_COLUMN: 14})
    st.set_range_width(ws, range(FIRST_YEAR_COLUMN, last_column + 1), 12)
    ws.freeze_panes = "C4"
    print_setup(ws, f"A1:{get_column_letter(max(last_column, VALUE_COLUMN))}{last_row}")


def write_section_title(ws: Worksheet, row: int, title: str, last_column: int) -> int:
    text_cell(ws, row, LABEL_COLUMN, title)
    st.style_section_row(ws, row, LABEL_COLUMN, last_column)
    return row + 1


def write_input_section(
    wb: Workbook,
    ws: Worksheet,
    row: int,
    title: str,
    specs: Sequence[InputSpec],
    values: Mapping[str, Any],
    years: int,
) -> tuple[int, dict[str, str]]:
    """A blank row, a section title and the section's inputs, from ``row`` on;
    returns the next free row and the inputs' references (as :func:`write_inputs`)."""
    row = write_section_title(ws, row + 1, title, FIRST_YEAR_COLUMN + years - 1)
    return write_inputs(wb, ws, specs, values, row, years)


def write_inputs(
    wb: Workbook,
    ws: Worksheet,
    specs: Sequence[InputSpec],
    values: Mapping[str, Any],
    row: int,
    years: int,
) -> tuple[int, dict[str, str]]:
    """Write input rows from ``row`` on; return the next free row and each
    field's cell reference (``Inputs!$C$7`` or a year range) for formulas."""
    references: dict[str, str] = {}
    sheet = ws.title
    for spec in specs:
        text_cell(ws, row, LABEL_COLUMN, spec.label)
        description = text_cell(ws, row, DESCRIPTION_COLUMN, spec.description)
        description.alignment = st.WRAP
        description.font = st.NOTE_FONT
        validation = _validation(spec)
        ws.add_data_validation(validation)
        value = values.get(spec.field)
        if spec.per_year:
            first = get_column_letter(FIRST_YEAR_COLUMN)
            last = get_column_letter(FIRST_YEAR_COLUMN + years - 1)
            for offset in range(years):
                cell = ws.cell(
                    row=row, column=FIRST_YEAR_COLUMN + offset, value=float(value[offset])
                )
                st.style_input(cell, spec.number_format)
            ref = f"{first}{row}:{last}{row}"
            validation.add(ref)
            define_name(wb, spec.name, ws, ref)
            references[spec.field] = f"'{sheet}'!${first}${row}:${last}${row}"
        else:
            cell = ws.cell(row=row, column=VALUE_COLUMN)
            if value is not None:
                set_text(cell, value if isinstance(value, bool | str) else float(value))
            st.style_input(cell, spec.number_format)
            validation.add(cell.coordinate)
            define_name(wb, spec.name, ws, cell.coordinate)
            references[spec.field] = f"'{sheet}'!${get_column_letter(VALUE_COLUMN)}${row}"
        row += 1
    return row, references


def _cells_of(wb: Workbook, name: str) -> list[tuple[str, str]] | None:
    defined = wb.defined_names.get(name)
    if defined is None:
        return None
    cells: list[tuple[str, str]] = []
    for sheet, coordinate in defined.destinations:
        if sheet not in wb.sheetnames:
            return None
        block = wb[sheet][coordinate.replace("$", "")]
        if not isinstance(block, tuple):
            cells.append((sheet, block.coordinate))
            continue
        for row in block:
            for cell in row if isinstance(row, tuple) else (row,):
                cells.append((sheet, cell.coordinate))
    return cells


def _number(raw: Any) -> tuple[float | None, str | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "is empty"
    if isinstance(raw, bool):
        return None, f"{raw} is not a number"
    if isinstance(raw, int | float):
        number = float(raw)
        return (number, None) if math.isfinite(number) else (None, f"{raw} is not a finite number")
    if isinstance(raw, str) and raw.startswith("="):
        return None, f"holds the formula {raw}; an input must be a typed number"
    if isinstance(raw, str) and raw.strip().startswith("#"):
        return None, f"holds the error value {raw.strip()}"
    return None, f"{str(raw)[:40]!r} is not a number"


def _boolean(raw: Any) -> tuple[bool | None, str | None]:
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw), None
    if isinstance(raw, str):
        # LibreOffice saves a typed TRUE as the formula =TRUE(); Excel as a boolean cell.
        text = raw.strip().upper().removeprefix("=").removesuffix("()")
        if text in ("TRUE", "FALSE"):
            return text == "TRUE", None
    return None, f"{raw!r} is not TRUE or FALSE"


def read_inputs(
    wb: Workbook, specs: Sequence[InputSpec], years: int
) -> tuple[dict[str, Any], list[InputProblem]]:
    """Values of every input, read through the defined names, and every problem found.

    The workbook must be loaded with formulas (``data_only=False``): an input
    cell that holds a formula instead of a typed value is reported, since
    its value is only known after a spreadsheet program saved the file.
    """
    values: dict[str, Any] = {}
    problems: list[InputProblem] = []
    for spec in specs:
        cells = _cells_of(wb, spec.name)
        if not cells:
            problems.append(
                InputProblem(
                    None, None, spec.name, "the named input is missing or points to a deleted sheet"
                )
            )
            continue
        if spec.per_year:
            if len(cells) != years:
                sheet, first = cells[0]
                problems.append(
                    InputProblem(
                        sheet,
                        first,
                        spec.name,
                        f"expected {years} yearly values, the range has {len(cells)}",
                    )
                )
                continue
            numbers = []
            for sheet, coordinate in cells:
                number, why = _number(wb[sheet][coordinate].value)
                if why is not None:
                    problems.append(InputProblem(sheet, coordinate, spec.name, why))
                numbers.append(number)
            values[spec.field] = numbers
            continue
        sheet, coordinate = cells[0]
        raw = wb[sheet][coordinate].value
        if spec.kind == BOOLEAN:
            flag, why = _boolean(raw)
            if why is not None:
                problems.append(InputProblem(sheet, coordinate, spec.name, why))
            values[spec.field] = flag
        elif spec.kind == CHOICE:
            text = raw.strip() if isinstance(raw, str) else raw
            if text not in spec.choices:
                problems.append(
                    InputProblem(
                        sheet,
                        coordinate,
                        spec.name,
                        f"{raw!r} is not one of {', '.join(spec.choices)}",
                    )
                )
            values[spec.field] = text
        elif spec.kind == TEXT:
            if not isinstance(raw, str) or not raw.strip():
                problems.append(
                    InputProblem(sheet, coordinate, spec.name, "must be a non-empty text")
                )
            values[spec.field] = raw.strip() if isinstance(raw, str) else raw
        elif spec.kind == OPTIONAL_NUMBER and (
            raw is None or (isinstance(raw, str) and not raw.strip())
        ):
            values[spec.field] = None
        else:
            number, why = _number(raw)
            if why is not None:
                problems.append(InputProblem(sheet, coordinate, spec.name, why))
            values[spec.field] = number
    return values, problems


def input_cell(wb: Workbook, name: str) -> tuple[str, str] | None:
    """(sheet, first cell) of a named input, for error messages."""
    cells = _cells_of(wb, name)
    return cells[0] if cells else None
