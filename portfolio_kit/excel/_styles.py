"""Number formats, cell styles and column widths shared by every workbook.

The colours follow the convention analysts expect from banking models: blue
text on a pale yellow fill is an input a person may change, black text is a
formula, so a reader sees at a glance which cells drive the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from copy import copy
from weakref import WeakKeyDictionary

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

AMOUNT = '#,##0;(#,##0);"-"'
"""Currency amounts in whole units, negatives in brackets, zero as a dash."""

AMOUNT_2DP = '#,##0.00;(#,##0.00);"-"'
"""Per-share values and other small amounts."""

PERCENT = "0.0%"
PERCENT_2DP = "0.00%"
MULTIPLE = '0.00"x"'
FACTOR = "0.0000"
YEARS = "0.0"
DATE = "yyyy-mm-dd"
INTEGER = "#,##0"
GENERAL = "General"

INPUT_FONT = Font(color="0000FF")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
FORMULA_FONT = Font(color="000000")
TITLE_FONT = Font(bold=True, size=14)
SUBTITLE_FONT = Font(italic=True, color="595959")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
SECTION_FONT = Font(bold=True, color="1F3864")
SECTION_FILL = PatternFill("solid", fgColor="D9E1F2")
TOTAL_FONT = Font(bold=True)
TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
OUTPUT_FONT = Font(bold=True, color="000000")
OUTPUT_FILL = PatternFill("solid", fgColor="E2EFDA")
NOTE_FONT = Font(italic=True, color="7F7F7F", size=9)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)


_APPLIED: WeakKeyDictionary[object, dict[tuple[str, str], object]] = WeakKeyDictionary()
"""Per workbook, the style array each (role, number format) produced the first time.

Setting a font or fill on an openpyxl cell hashes the style objects and looks
them up in the workbook's tables; copying the small array of indices that
results is several times cheaper, which matters for reports of thousands of
rows."""


def _styled(cell: Cell, role: str, number_format: str, apply: Callable[[Cell], None]) -> Cell:
    cache = _APPLIED.setdefault(cell.parent.parent, {})
    key = (role, number_format)
    template = cache.get(key)
    if template is None:
        apply(cell)
        cell.number_format = number_format
        cache[key] = copy(cell._style)
    else:
        cell._style = copy(template)
    return cell


def _input(cell: Cell) -> None:
    cell.font = INPUT_FONT
    cell.fill = INPUT_FILL
    cell.protection = UNLOCKED


def _formula(cell: Cell) -> None:
    cell.font = FORMULA_FONT


def _bold(cell: Cell) -> None:
    cell.font = TOTAL_FONT


def _output(cell: Cell) -> None:
    cell.font = OUTPUT_FONT
    cell.fill = OUTPUT_FILL


def _total(cell: Cell) -> None:
    cell.font = TOTAL_FONT
    cell.border = TOTAL_BORDER


def _plain(cell: Cell) -> None:
    """Only the number format."""


def style_input(cell: Cell, number_format: str = GENERAL) -> Cell:
    """Mark a cell as an assumption a person may change (and leave it unlocked)."""
    return _styled(cell, "input", number_format, _input)


def style_formula(cell: Cell, number_format: str = GENERAL, *, bold: bool = False) -> Cell:
    if bold:
        return _styled(cell, "bold", number_format, _bold)
    return _styled(cell, "formula", number_format, _formula)


def style_output(cell: Cell, number_format: str = GENERAL) -> Cell:
    """A headline result (enterprise value, IRR): bold on a green fill."""
    return _styled(cell, "output", number_format, _output)


def style_total(cell: Cell, number_format: str = GENERAL) -> Cell:
    return _styled(cell, "total", number_format, _total)


def style_number(cell: Cell, number_format: str) -> Cell:
    """A stored value with a number format and no other styling."""
    return _styled(cell, "plain", number_format, _plain)


def style_header_row(ws: Worksheet, row: int, first_column: int, last_column: int) -> None:
    for column in range(first_column, last_column + 1):
        cell = ws.cell(row=row, column=column)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def style_section_row(ws: Worksheet, row: int, first_column: int, last_column: int) -> None:
    for column in range(first_column, last_column + 1):
        cell = ws.cell(row=row, column=column)
        cell.font = SECTION_FONT
        cell.fill = SECTION_FILL


def set_widths(ws: Worksheet, widths: Mapping[int | str, float]) -> None:
    """Column widths in Excel's character units, keyed by index (1-based) or letter."""
    for key, width in widths.items():
        letter = get_column_letter(key) if isinstance(key, int) else key
        ws.column_dimensions[letter].width = width


def set_range_width(ws: Worksheet, columns: Iterable[int], width: float) -> None:
    for column in columns:
        ws.column_dimensions[get_column_letter(column)].width = width
