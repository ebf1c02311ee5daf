"""Workbook plumbing shared by the builders: named ranges, the cover sheet,
print setup and the hidden metadata sheet that lets an import recognise a
workbook as one of ours.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import absolute_coordinate, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from portfolio_kit import __version__
from portfolio_kit.excel._signing import SIGNATURE_KEY, sign
from portfolio_kit.excel._text import text_cell
from portfolio_kit.excel import _styles as st

METADATA_SHEET = "_portfolio_kit"
"""A very hidden sheet of key/value pairs (kind, version, company, dates).
Very hidden sheets do not appear in Excel's "Unhide" dialog, so an analyst
cannot break the link between the file and the database by accident."""

GENERATOR = f"portfolio_kit {__version__}"

_CELL_TEXT_LIMIT = 32_000
"""A cell holds at most 32,767 characters (openpyxl cuts longer text), so a
long value (the row layout of a template with thousands of KPI rows) is
written in pieces across columns B, C, ... of its row and joined on reading."""


def define_name(wb: Workbook, name: str, ws: Worksheet, ref: str) -> None:
    """A workbook-scoped named range pointing at ``ref`` (a cell or range) on ``ws``."""
    target = f"{quote_sheetname(ws.title)}!{absolute_coordinate(ref)}"
    wb.defined_names[name] = DefinedName(name, attr_text=target)


def add_cover_sheet(
    wb: Workbook,
    title: str,
    facts: Sequence[tuple[str, Any]],
    notes: Iterable[str] = (),
    *,
    sheet_title: str = "Cover",
) -> Worksheet:
    """The first sheet: what the workbook is, for whom, as of when, from which data."""
    ws = wb.create_sheet(sheet_title, 0)
    text_cell(ws, 1, 1, title)
    ws["A1"].font = st.TITLE_FONT
    row = 3
    for label, value in facts:
        text_cell(ws, row, 1, label).font = st.TOTAL_FONT
        cell = text_cell(ws, row, 2, value)
        if isinstance(value, date):
            cell.number_format = st.DATE
        cell.alignment = Alignment(horizontal="left", wrap_text=True, vertical="top")
        row += 1
    row += 1
    for note in notes:
        cell = text_cell(ws, row, 1, note)
        cell.alignment = st.WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ws.row_dimensions[row].height = 15 * max(1, len(note) // 95 + 1)
        row += 1
    st.set_widths(ws, {1: 28, 2: 80})
    print_setup(ws, f"A1:B{row}", landscape=False)
    return ws


def print_setup(
    ws: Worksheet, area: str, *, landscape: bool = True, title_rows: str | None = None
) -> None:
    """Print area, orientation and fit-to-one-page-wide, so a printout needs no tinkering."""
    ws.print_area = area
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&A - page &P of &N"


def write_metadata(
    wb: Workbook, values: Mapping[str, Any], *, sign_with: bytes | None = None
) -> Worksheet:
    """Store key/value pairs on the very hidden metadata sheet.

    Values that are not text are stored as JSON, so lists and numbers come
    back as they went in through ``read_metadata``. With ``sign_with``, a
    last ``signature`` entry holds the HMAC of all the others
    (``_signing.sign``), for an import to check.
    """
    ws = wb.create_sheet(METADATA_SHEET)
    ws.sheet_state = "veryHidden"
    entries: dict[str, Any] = {
        "generator": GENERATOR,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    entries.update({str(key): _jsonable(value) for key, value in values.items()})
    if sign_with is not None:
        entries[SIGNATURE_KEY] = sign(entries, sign_with)
    for row, (key, value) in enumerate(entries.items(), start=1):
        text_cell(ws, row, 1, key)
        text = json.dumps(_jsonable(value))
        for piece, offset in enumerate(range(0, max(len(text), 1), _CELL_TEXT_LIMIT)):
            text_cell(ws, row, 2 + piece, text[offset : offset + _CELL_TEXT_LIMIT])
    ws.protection.sheet = True
    return ws


def read_metadata(wb: Workbook) -> dict[str, Any] | None:
    """The metadata written by ``write_metadata``, or None when the sheet is absent.

    Raises
    ------
    ValueError
        When the sheet exists but a value is not the JSON we wrote (the
        message names the cell).
    """
    if METADATA_SHEET not in wb.sheetnames:
        return None
    ws = wb[METADATA_SHEET]
    if hasattr(ws, "reset_dimensions"):
        # Read-only sheets otherwise stop where the file's (editable) dimension tag says.
        ws.reset_dimensions()
    values: dict[str, Any] = {}
    # values_only rows, so a read-only workbook (whose empty cells have no coordinate) works too.
    for row, cells in enumerate(ws.iter_rows(min_col=1, values_only=True), 1):
        key = cells[0] if cells else None
        if key is None:
            continue
        pieces = [piece for piece in cells[1:] if piece is not None]
        value = "".join(pieces) if all(isinstance(p, str) for p in pieces) else None
        try:
            values[str(key)] = json.loads(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            shown = repr(pieces[0] if len(pieces) == 1 else value)
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            raise ValueError(
                f"{METADATA_SHEET}!B{row}: the workbook's metadata was altered "
                f"({shown} is not what portfolio_kit wrote)"
            ) from None
    return values


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def save(wb: Workbook, path: str | Path | None) -> bytes | Path:
    """Write to ``path`` and return it, or return the file's bytes when ``path`` is None."""
    if path is None:
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target
