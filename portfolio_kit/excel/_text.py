"""Writing text that came from user data so that no spreadsheet runs it.

openpyxl stores any string that starts with ``=`` as a formula, and Excel or
LibreOffice treat text starting with ``+``, ``-``, ``@`` (and a leading tab
or carriage return, which some versions strip first) as the start of a
formula when the cell is edited or the sheet is exported and re-opened. A
company called ``=HYPERLINK("http://x", "Click")`` or ``@SUM(1+1)*cmd`` must
arrive in every workbook as the text it is.

Every cell the toolkit fills with a string it did not write itself (names,
sectors, KPI labels and codes, units, notes, tranche names) goes through
:func:`text_cell` or :func:`set_text`. The toolkit's own formulas are written
as plain strings elsewhere; nothing user-supplied is ever concatenated into one.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet read text as a formula."""


def looks_like_formula(value: str) -> bool:
    """True when a spreadsheet could take ``value`` for a formula."""
    return value.startswith(FORMULA_TRIGGERS)


def set_text(cell: Cell, value: Any) -> Cell:
    """Put ``value`` in ``cell``; a string is always stored as text.

    A string that looks like a formula also gets the *quote prefix* (what
    typing a leading apostrophe does in Excel), so that editing the cell in
    Excel or LibreOffice keeps it text. Non-strings are stored as they are.
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell


def text_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """``ws.cell(row, column)`` holding ``value`` written by :func:`set_text`."""
    return set_text(ws.cell(row=row, column=column), value)
