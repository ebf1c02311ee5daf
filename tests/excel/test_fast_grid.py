"""The data sheet read through calamine must hold what openpyxl reads, or openpyxl reads it.

The expected values come from a second reader: openpyxl's read-only
``iter_rows(values_only=True)``, which the import used for every sheet
before calamine. Files come from openpyxl (our export, filled in) and from
LibreOffice (the same file opened and saved by a spreadsheet program).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest

from portfolio_kit import Database
from portfolio_kit.excel import TemplateImportError, export_kpi_template, import_kpi_template
from portfolio_kit.excel._fast_grid import calamine_grid, needs_openpyxl
from portfolio_kit.excel._grid import SheetGrid
from tests.support.portfolio import SmallPortfolio, seed_small_portfolio
from tests.support.snapshot import table_snapshot

Q3 = date(2025, 9, 30)
Q4 = date(2025, 12, 31)


@pytest.fixture
def portfolio(sqlite_db: Database) -> SmallPortfolio:
    return seed_small_portfolio(sqlite_db)


def _export(database: Database, portfolio: SmallPortfolio) -> bytes:
    with database.session(portfolio.analyst) as session:
        return export_kpi_template(session, "Acme Software", [Q3, Q4])


def _cells_by_code(ws) -> dict[str, int]:
    return {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}


def _filled(template: bytes, values: dict[str, object]) -> bytes:
    """``values[code]`` typed in column D (the first period) of that item's row."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["Data"]
    rows = _cells_by_code(ws)
    for code, value in values.items():
        ws.cell(rows[code], 4).value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


MIXED = {
    "revenue": 12_500_000,
    "cost_of_revenue": 13_100_000.5,
    "operating_income": -250_000,
    "eps_diluted": 1.23,
    "arr": "n/a",
    "customers": True,
    "net_revenue_retention": datetime(2025, 3, 1),
    "headcount": time(9, 30),
    "logo_churn": "  padded text  ",
    "gross_profit": 1e20,
}
"""One of each kind of value a company could type in an input cell (no formula, no error)."""


def _openpyxl_grid(data: bytes) -> SheetGrid:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return SheetGrid.read(workbook["Data"])
    finally:
        workbook.close()


def _data_sheet_member(data: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return workbook["Data"]._worksheet_path
    finally:
        workbook.close()


def _assert_same_cells(expected: SheetGrid, found: SheetGrid) -> None:
    assert found.max_row == expected.max_row
    width = max(expected.max_column, found.max_column)
    for row in range(1, expected.max_row + 1):
        for column in range(1, width + 1):
            want, got = expected.value(row, column), found.value(row, column)
            assert (type(got), got) == (type(want), want), (row, column)


def test_calamine_reads_a_filled_template_as_openpyxl_does(sqlite_db, portfolio):
    data = _filled(_export(sqlite_db, portfolio), MIXED)
    assert not needs_openpyxl(data, _data_sheet_member(data))
    _assert_same_cells(_openpyxl_grid(data), calamine_grid(data, "Data"))


def test_calamine_reads_a_template_saved_by_libreoffice_as_openpyxl_does(
    sqlite_db, portfolio, recalc, tmp_path
):
    source = tmp_path / "in" / "filled.xlsx"
    source.parent.mkdir()
    # LibreOffice saves a boolean as the formula TRUE() (a sheet for openpyxl), so none here.
    typed = {code: value for code, value in MIXED.items() if not isinstance(value, bool)}
    source.write_bytes(_filled(_export(sqlite_db, portfolio), typed))
    (saved,) = recalc([source], tmp_path / "out")
    data = saved.read_bytes()
    assert not needs_openpyxl(data, _data_sheet_member(data))
    _assert_same_cells(_openpyxl_grid(data), calamine_grid(data, "Data"))


def test_an_error_value_typed_without_any_formula_is_refused_by_cell(sqlite_db, portfolio):
    """calamine reads an error cell as empty: such a sheet must go to openpyxl, which names it."""
    data = _filled(_export(sqlite_db, portfolio), {"revenue": 5_000_000, "gross_profit": "#N/A"})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(_data_sheet_member(data))
    assert b"<f>" not in xml and b"<f " not in xml and b't="e"' in xml
    row = _cells_by_code(openpyxl.load_workbook(io.BytesIO(data))["Data"])["gross_profit"]
    before = table_snapshot(sqlite_db)
    with (
        sqlite_db.session(portfolio.analyst) as session,
        pytest.raises(TemplateImportError) as caught,
    ):
        import_kpi_template(session, data)
    assert table_snapshot(sqlite_db) == before
    problems = {(p.sheet, p.cell): p.message for p in caught.value.problems}
    assert problems[("Data", f"D{row}")] == (
        "gross_profit: error value #N/A: type a number or leave the cell empty"
    )


def _archive(member: str, xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, xml)
    return buffer.getvalue()


def _sheet(cells: bytes, padding: int = 0) -> bytes:
    """Sheet XML whose cells start ``padding`` bytes in (to put a tag across a 1 MB chunk edge)."""
    head = b'<worksheet xmlns="x"><sheetData><row r="1">'
    filler = b'<c r="A1" t="inlineStr"><is><t>' + b"x" * max(padding - len(head) - 30, 0)
    return head + filler + b"</t></is></c>" + cells + b"</row></sheetData></worksheet>"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (b'<c r="B1"><v>5</v></c>', False),
        (b'<c r="B1"><f>1+1</f><v>2</v></c>', True),
        (b'<c r="B1"><f t="shared" ref="B1:B2" si="0">1+1</f><v>2</v></c>', True),
        (b'<c r="B1"><f t="shared" si="0"/><v>2</v></c>', True),
        (b'<x:c r="B1"><x:f>1+1</x:f><x:v>2</x:v></x:c>', True),
        (b'<c r="B1" t="e"><v>#REF!</v></c>', True),
        (b"<c r='B1' t = 'e'><v>#REF!</v></c>", True),
        (b'<c r="B1" t="d"><v>2025-12-31</v></c>', True),
        (b'<c r="B1" t="inlineStr"><is><t>&lt;f&gt; is text</t></is></c>', False),
    ],
)
def test_needs_openpyxl_finds_formulas_and_error_cells(cells, expected):
    member = "xl/worksheets/sheet1.xml"
    assert needs_openpyxl(_archive(member, _sheet(cells)), member) is expected


@pytest.mark.parametrize("offset", range(-6, 3))
def test_needs_openpyxl_finds_a_formula_cut_by_a_chunk_edge(offset):
    """The tag ``<f>`` placed so that the 1 MB read boundary falls inside or next to it."""
    cells = b'<c r="B1"><f>1+1</f><v>2</v></c>'
    tag_at = cells.index(b"<f>")
    xml = _sheet(cells, padding=(1 << 20) + offset - tag_at - len(b"</t></is></c>"))
    assert abs(xml.index(b"<f>") - (1 << 20)) <= 6
    assert needs_openpyxl(_archive("s.xml", xml), "s.xml")


def test_needs_openpyxl_when_the_sheet_cannot_be_located():
    data = _archive("s.xml", _sheet(b'<c r="B1"><v>5</v></c>'))
    assert needs_openpyxl(data, None)
    assert needs_openpyxl(data, "elsewhere.xml")


NUMBER_FORMATS = [
    "General", "0", "0.00", "#,##0", "0%", "0.00E+00", '"Q"0', '0 "days"', "[Red]0.00",
    "#,##0;[Red]-#,##0", "@", '[$€-407] #,##0.00', '"d"0', "_(* #,##0_)", "mmm-yy",
    "d-mmm-yy", "[$-409]d-mmm-yy;@", "yyyy-mm-dd", "dd/mm/yyyy hh:mm", "h:mm", "mm:ss",
    "hh:mm:ss AM/PM", "ss.0", "yy", "[h]:mm:ss", "[mm]", "[$-F800]dddd, mmmm dd, yyyy",
]  # fmt: skip
"""Number formats a company's spreadsheet may put on an input cell: plain, dates, durations."""


def test_calamine_tells_dates_from_numbers_by_format_as_openpyxl_does():
    """A number shown as a date is refused as "a date": both readers must agree which is which."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Data"
    for row, number_format in enumerate(NUMBER_FORMATS, 1):
        for column, value in enumerate([45000.25, 0.25, 12, 3.5], 1):
            ws.cell(row, column, value).number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    expected = _openpyxl_grid(data)
    assert isinstance(expected.value(NUMBER_FORMATS.index("mmm-yy") + 1, 1), datetime)
    _assert_same_cells(expected, calamine_grid(data, "Data"))
