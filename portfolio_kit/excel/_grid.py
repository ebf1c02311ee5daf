"""A worksheet's values read once into rows, so checks can look cells up in constant time.

openpyxl's ``Worksheet.max_row`` / ``max_column`` scan every cell each time
they are read, and ``Worksheet.cell()`` creates the cell it is asked for; an
import that asked them inside its row loop took time quadratic in the rows
(100,000 rows: over 300 s). ``SheetGrid.read`` parses the sheet once through
a read-only workbook (``iter_rows(values_only=True)``) and knows its bounds
from what it read, not from the file's ``<dimension>`` tag, which an edited
file may get wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter


@dataclass(frozen=True, slots=True)
class SheetGrid:
    """The values of one sheet: ``rows[0]`` is row 1; rows may differ in length."""

    rows: Sequence[Sequence[Any]]
    max_column: int

    @classmethod
    def read(cls, ws: Any) -> SheetGrid:
        """Every row of ``ws`` (a read-only or ordinary worksheet), read once."""
        if hasattr(ws, "reset_dimensions"):
            # A read-only sheet trusts the file's dimension tag unless told otherwise.
            ws.reset_dimensions()
        return cls.from_rows([row for row in ws.iter_rows(values_only=True)])

    @classmethod
    def from_rows(cls, rows: list[Sequence[Any]]) -> SheetGrid:
        """A grid of ``rows`` as read (``rows[0]`` is row 1), trailing empty rows dropped."""
        while rows and not any(value is not None for value in rows[-1]):
            rows.pop()
        return cls(rows, max((len(row) for row in rows), default=0))

    @property
    def max_row(self) -> int:
        return len(self.rows)

    def value(self, row: int, column: int) -> Any:
        """The value at 1-based ``row`` and ``column``; None outside what was read."""
        if row < 1 or row > len(self.rows):
            return None
        cells = self.rows[row - 1]
        return cells[column - 1] if 0 < column <= len(cells) else None


def coordinate(row: int, column: int) -> str:
    """The A1 name of a cell."""
    return f"{get_column_letter(column)}{row}"
