"""A template's data sheet read through calamine (Rust) when openpyxl would give the same values.

Parsing the data sheet is most of what a template import costs: openpyxl's
read-only reader took 6 s of CPU for the 100,000-row template of
``benchmarks/template_import_speed.py``, calamine (``python-calamine``, the
reader behind pandas' ``engine="calamine"``) about a tenth of that.
Calamine gives cached values only, so it is used only for a sheet where that
loses nothing: ``needs_openpyxl`` scans the sheet's XML for a formula
(import reports a formula's text and checks its calculated value), an error
cell (calamine reads ``#DIV/0!`` as an empty cell) or an ISO-date cell, and
the import reads such a sheet with openpyxl as before. ``calamine_grid``
turns calamine's values into what openpyxl's ``values_only`` rows hold
(empty cells as None, whole numbers as ``int``, dates as ``datetime``), so the checks and their
messages do not depend on which reader ran.

Both read the file only after ``_archive.check_xlsx`` has bounded its size.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from portfolio_kit.excel._grid import SheetGrid

__all__ = ["CalamineError", "calamine_grid", "needs_openpyxl"]

_OPENPYXL_ONLY = re.compile(rb"""<(?:[\w.-]+:)?f[\s>/]|\st\s*=\s*["'][ed]["']""")
"""A formula element (``<f>``, ``<f t="shared" .../>``, any namespace prefix), or a
cell of type ``e`` (error) or ``d`` (ISO date). Text typed in a cell cannot
fake a formula (XML escapes ``<``); text such as ``t="e"`` can match, which
only costs the slower reader."""

_CHUNK = 1 << 20
_OVERLAP = 64
"""Longer than any match of ``_OPENPYXL_ONLY``, so a match cut by a chunk edge is still seen."""

_EXACT_INTEGERS = 1e15
"""Excel writes whole numbers below this without exponent, which openpyxl reads as ``int``."""


def needs_openpyxl(data: bytes, member: str | None) -> bool:
    """True unless the sheet XML ``member`` of the .xlsx ``data`` holds only plain values.

    ``member`` is the sheet's path in the archive (None when unknown: then
    openpyxl it is). The XML is scanned in chunks, never inflated whole.
    """
    if not member:
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(member) as stream:
            tail = b""
            while chunk := stream.read(_CHUNK):
                window = tail + chunk
                if _OPENPYXL_ONLY.search(window):
                    return True
                tail = window[-_OVERLAP:]
    except KeyError:
        return True
    return False


def _as_openpyxl(value: Any) -> Any:
    """The value openpyxl's reader gives for the cell calamine read as ``value``."""
    if value == "":
        return None
    if type(value) is float and value.is_integer() and abs(value) < _EXACT_INTEGERS:
        return int(value)
    if type(value) is date:
        # openpyxl gives every date-formatted cell as a datetime.
        return datetime(value.year, value.month, value.day)
    return value


def calamine_grid(data: bytes, sheet: str) -> SheetGrid:
    """The values of ``sheet`` as a ``SheetGrid`` (row 1 first, column A first).

    Raises
    ------
    CalamineError
        When the file or the sheet cannot be parsed.
    """
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    return SheetGrid.from_rows([[_as_openpyxl(value) for value in row] for row in rows])
