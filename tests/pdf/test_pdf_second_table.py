"""A statement printed twice on one page: the quarter's table, then the year's under its own title.

The figures are those of ULTABEAUTY_2023Q4_EARNINGS p. 5 (0-based), "Consolidated
Statements of Income (In thousands, except per share data)": a "13 Weeks Ended" table
and, below it on the same page, a "52 Weeks Ended" table, both for January 28, 2023 and
January 29, 2022 (a few rows of each, typed from the page).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from portfolio_kit.pdf import extract_statements
from portfolio_kit.pdf._layout import words_of_a_second_table
from portfolio_kit.pdf._words import Word
from portfolio_kit.vocabulary import Statement
from tests.pdf.pdf_files import Layout, statement_page, write_pdf

_TWO = Layout(columns=(450.0, 560.0))
_TITLE = "Consolidated Statements of Income"
_HEADING = ["(In thousands, except per share data)"]


def _table(weeks: str, rows: list, top: float) -> list:
    header = [[weeks, ""], ["January 28,", "January 29,"], ["2023", "2022"]]
    return statement_page(_TITLE, _HEADING, header, rows, layout=_TWO, top=top, footer=None)


QUARTER = [
    ("Net sales", ["$ 3,226,773", "$ 2,729,388"]),
    ("Cost of sales", ["2,014,270", "1,702,059"]),
    ("Gross profit", ["1,212,503", "1,027,329"], 1),  # 3,226,773 - 2,014,270 = 1,212,503
    ("Selling, general and administrative expenses", ["762,706", "649,968"]),
    ("Operating income", ["447,618", "375,622"], 1),
    ("Income before income taxes", ["451,996", "375,155"], 1),
    ("Income tax expense", ["111,245", "85,789"]),
    ("Net income", ["$ 340,751", "$ 289,366"], 1),  # 451,996 - 111,245 = 340,751
]
YEAR = [
    ("Net sales", ["$ 10,208,580", "$ 8,630,889"]),
    ("Cost of sales", ["6,164,070", "5,262,335"]),
    ("Gross profit", ["4,044,510", "3,368,554"], 1),  # 10,208,580 - 6,164,070 = 4,044,510
    ("Selling, general and administrative expenses", ["2,395,299", "2,061,545"]),
    ("Operating income", ["1,638,610", "1,297,492"], 1),
    ("Income before income taxes", ["1,643,544", "1,295,829"], 1),
    ("Income tax expense", ["401,136", "309,992"]),
    ("Net income", ["$ 1,242,408", "$ 985,837"], 1),  # 1,643,544 - 401,136 = 1,242,408
]


def test_the_year_table_under_the_quarter_table_is_read_too(tmp_path: Path) -> None:
    page = _table("13 Weeks Ended", QUARTER, 60.0) + _table("52 Weeks Ended", YEAR, 300.0)
    result = extract_statements(write_pdf(tmp_path / "release.pdf", [page]))
    frame = result.to_frame()
    revenue = frame[frame["item"] == "revenue"]
    assert {(r.period_end, r.period_months): r.value for r in revenue.itertuples()} == {
        (date(2023, 1, 28), 3): 3_226_773_000.0,
        (date(2022, 1, 29), 3): 2_729_388_000.0,
        (date(2023, 1, 28), 12): 10_208_580_000.0,
        (date(2022, 1, 29), 12): 8_630_889_000.0,
    }
    net = frame[(frame["item"] == "net_income") & (frame["period_months"] == 12)]
    assert sorted(net["value"]) == [985_837_000.0, 1_242_408_000.0]
    assert result.statements[Statement.INCOME].pages == (0,)


def test_a_title_wrapped_over_two_lines_is_not_a_second_table() -> None:
    words = [
        Word("Consolidated", 200, 260, 40, 49),
        Word("Statements", 264, 320, 40, 49),
        Word("of", 200, 210, 52, 61),
        Word("Income", 214, 250, 52, 61),
        Word("Net", 40, 55, 80, 89),
        Word("sales", 58, 80, 80, 89),
        Word("3,226,773", 400, 450, 80, 89),
    ]
    assert words_of_a_second_table(words, Statement.INCOME) is None
