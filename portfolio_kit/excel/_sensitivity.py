"""Two-way sensitivity grids written as ordinary formulas.

Excel's data tables (``TABLE()``) cannot be written by openpyxl and are not
recalculated the same way everywhere, so each grid cell is a closed-form
formula of its row and column values: the model's free cash flows do not
depend on the discount rate or the terminal assumptions, so the value at any
(WACC, growth) pair is one SUMPRODUCT plus a discounted terminal value.
"""

from __future__ import annotations

from collections.abc import Mapping

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portfolio_kit.excel import _styles as st
from portfolio_kit.excel._workbook import define_name

GRID_SIZE = 5
_OFFSETS = range(-(GRID_SIZE // 2), GRID_SIZE // 2 + 1)
ROW_AXIS_COLUMN = 2
FIRST_GRID_COLUMN = 3


def write_grid(
    wb: Workbook,
    ws: Worksheet,
    top: int,
    title: str,
    name: str,
    row_center: str,
    row_step: str,
    column_center: str,
    column_step: str,
    formula: str,
    context: Mapping[str, str],
    cell_format: str,
    row_format: str,
    column_format: str,
) -> int:
    """A 5 x 5 grid centred on two named inputs, stepping by two other named inputs.

    ``formula`` is a template with ``{w}`` (the row value) and ``{x}`` (the
    column value) plus the keys of ``context``. Returns the grid's last row.
    The grid's values are the defined name ``name``.
    """
    ws.cell(row=top, column=ROW_AXIS_COLUMN, value=title).font = st.SECTION_FONT
    header = top + 1
    center_column = FIRST_GRID_COLUMN + GRID_SIZE // 2
    center_row = header + 1 + GRID_SIZE // 2
    center_column_letter = get_column_letter(center_column)
    corner = ws.cell(row=header, column=ROW_AXIS_COLUMN, value="")
    corner.fill = st.HEADER_FILL
    for index, offset in enumerate(_OFFSETS):
        column = FIRST_GRID_COLUMN + index
        value = (
            f"=IF(ISNUMBER({column_center}),{column_center},NA())"
            if offset == 0
            else f"=${center_column_letter}${header}+({offset})*{column_step}"
        )
        cell = ws.cell(row=header, column=column, value=value)
        cell.number_format = column_format
        cell.font = st.HEADER_FONT
        cell.fill = st.HEADER_FILL
    for index, offset in enumerate(_OFFSETS):
        row = header + 1 + index
        value = (
            f"=IF(ISNUMBER({row_center}),{row_center},NA())"
            if offset == 0
            else f"=$B${center_row}+({offset})*{row_step}"
        )
        axis = ws.cell(row=row, column=ROW_AXIS_COLUMN, value=value)
        axis.number_format = row_format
        axis.font = st.TOTAL_FONT
        for column_index in range(GRID_SIZE):
            column = FIRST_GRID_COLUMN + column_index
            letter = get_column_letter(column)
            cell = ws.cell(
                row=row,
                column=column,
                value=formula.format(w=f"$B{row}", x=f"{letter}${header}", **context),
            )
            if row == center_row and column == center_column:
                st.style_output(cell, cell_format)
            else:
                st.style_formula(cell, cell_format)
    last_row = header + GRID_SIZE
    first = get_column_letter(FIRST_GRID_COLUMN)
    last = get_column_letter(FIRST_GRID_COLUMN + GRID_SIZE - 1)
    define_name(wb, name, ws, f"{first}{header + 1}:{last}{last_row}")
    define_name(wb, f"{name}Rows", ws, f"B{header + 1}:B{last_row}")
    define_name(wb, f"{name}Columns", ws, f"{first}{header}:{last}{header}")
    return last_row
