"""Period length and first day of each column: the 10-Q's quarter vs year to date.

Expected lengths and start dates are worked out by hand from the calendar and
written beside each case.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from portfolio_kit.pdf import StatementSet, extract_statements
from portfolio_kit.pdf._duration import column_durations, durations_on_line, period_start
from portfolio_kit.pdf._words import Line, Word
from tests.pdf.pdf_files import Layout, prose_page, statement_page, write_pdf


def _line(*texts_at: tuple[str, float]) -> Line:
    """A header line of words, each (text, x0); words are 6 points a character."""
    words = []
    for text, x in texts_at:
        for token in text.split():
            words.append(Word(token, x, x + 6 * len(token), 100.0, 109.0))
            x += 6 * len(token) + 3
    return Line(words)


@pytest.mark.parametrize(
    ("text", "months", "weeks"),
    [
        ("Three Months Ended", 3, None),
        ("Six Months Ended", 6, None),
        ("Nine Months Ended", 9, None),
        ("Twelve Months Ended", 12, None),
        ("13 Weeks Ended", 3, 13),  # 13 * 12 / 52 = 3
        ("26 Weeks", 6, 26),  # 26 * 12 / 52 = 6
        ("39 Weeks Ended", 9, 39),  # 39 * 12 / 52 = 9
        ("52 Weeks Ended", 12, 52),
        ("53 Weeks Ended", 12, 53),  # 53 * 12 / 52 = 12.2, a fiscal year
        ("Year Ended December 31,", 12, None),
        ("Fiscal Year Ended", 12, None),
        ("Quarter Ended", 3, None),
        ("Second Quarter", 3, None),
    ],
)
def test_period_phrases(text: str, months: int, weeks: int | None) -> None:
    found = durations_on_line(_line((text, 300.0)))
    assert [(m, w) for m, w, _, _ in found] == [(months, weeks)]


def test_no_phrase_on_a_date_line() -> None:
    assert durations_on_line(_line(("June 30, 2023", 300.0))) == []


def test_two_phrases_on_one_line_split_the_columns() -> None:
    # "Three Months Ended" spans x 300-405, "Six Months Ended" 480-573 (6 pt a character);
    # column centres 320 and 390 sit under the first, 500 and 560 under the second.
    line = _line(("Three Months Ended", 300.0), ("Six Months Ended", 480.0))
    got = column_durations([line], [320.0, 390.0, 500.0, 560.0])
    assert got == [(3, None), (3, None), (6, None), (6, None)]


def test_one_phrase_covers_every_column() -> None:
    line = _line(("Six Months Ended", 400.0))
    assert column_durations([line], [380.0, 520.0]) == [(6, None), (6, None)]


def test_the_line_nearest_the_figures_wins() -> None:
    # A title-like line far above says "Year Ended"; the line above the columns says quarters.
    far = _line(("Year Ended", 300.0))
    near = _line(("13 Weeks Ended", 300.0))
    assert column_durations([far, near], [330.0]) == [(3, 13)]


@pytest.mark.parametrize(
    ("end", "months", "weeks", "known", "start"),
    [
        # month ends: calendar arithmetic
        (date(2023, 6, 30), 3, None, [], date(2023, 4, 1)),
        (date(2023, 6, 30), 6, None, [], date(2023, 1, 1)),
        (date(2023, 9, 30), 9, None, [], date(2023, 1, 1)),
        (date(2022, 12, 31), 12, None, [], date(2022, 1, 1)),
        (date(2023, 1, 31), 12, None, [], date(2022, 2, 1)),
        (date(2024, 2, 29), 3, None, [], date(2023, 12, 1)),
        # weeks printed: 13 weeks ending Saturday 29 Oct 2022 start Sunday 31 Jul 2022
        # (29 Oct - 90 days = 31 Jul); 39 weeks: 29 Oct - 272 days = 30 Jan 2022
        (date(2022, 10, 29), 3, 13, [], date(2022, 7, 31)),
        (date(2022, 10, 29), 9, 39, [], date(2022, 1, 30)),
        # 52/53-week calendar headed in months: Sat 1 Apr 2023, prior end Sat 31 Dec 2022
        # printed in the filing; a Tuesday 3 Jan 2023 (a dividend date) is not a period end
        (date(2023, 4, 1), 3, None, [date(2022, 12, 31), date(2023, 1, 3)], date(2023, 1, 1)),
        # nothing printed near three months earlier: unknown, never guessed
        (date(2023, 4, 1), 3, None, [date(2022, 6, 25)], None),
        (date(2023, 6, 30), 0, None, [], None),
    ],
)
def test_period_start(
    end: date, months: int, weeks: int | None, known: list[date], start: date | None
) -> None:
    assert period_start(end, months, weeks, Counter(known)) == start


# A made-up 10-Q: figures "(In millions)". Income statement: three months and six
# months ended June 30, 2023 and 2022 (four columns under two spanning headers).
_FOUR = Layout(columns=(330.0, 400.0, 490.0, 560.0))
_TWO = Layout(columns=(490.0, 560.0))
_INCOME_HEADER = [
    ["", "Three Months Ended", "", "Six Months Ended"],
    ["", "June 30,", "", "June 30,"],
    ["2023", "2022", "2023", "2022"],
]
_INCOME_ROWS = [
    ("Net revenues", ["$ 2,500", "$ 2,400", "$ 5,000", "$ 4,900"]),
    ("Cost of net revenues", ["700", "660", "1,400", "1,350"]),
    # 2,500 - 700 = 1,800; 2,400 - 660 = 1,740; 5,000 - 1,400 = 3,600; 4,900 - 1,350 = 3,550
    ("Gross profit", ["1,800", "1,740", "3,600", "3,550"]),
    ("Operating expenses", ["1,300", "1,240", "2,550", "2,330"]),
    # 1,800 - 1,300 = 500; 1,740 - 1,240 = 500; 3,600 - 2,550 = 1,050; 3,550 - 2,330 = 1,220
    ("Income from operations", ["500", "500", "1,050", "1,220"]),
    ("Provision for income taxes", ["100", "100", "210", "244"]),
    # 500 - 100 = 400; 500 - 100 = 400; 1,050 - 210 = 840; 1,220 - 244 = 976
    ("Net income", ["$ 400", "$ 400", "$ 840", "$ 976"]),
]
_BALANCE_HEADER = [["June 30,", "December 31,"], ["2023", "2022"]]
_BALANCE_ROWS = [
    ("Current assets:", []),
    ("Cash and cash equivalents", ["$ 2,000", "$ 1,500"], 1),
    ("Accounts receivable, net", ["1,000", "900"], 1),
    # 2,000 + 1,000 = 3,000; 1,500 + 900 = 2,400
    ("Total current assets", ["3,000", "2,400"]),
    ("Property and equipment, net", ["1,000", "1,100"]),
    # 3,000 + 1,000 = 4,000; 2,400 + 1,100 = 3,500
    ("Total assets", ["$ 4,000", "$ 3,500"]),
    ("Current liabilities:", []),
    ("Accounts payable", ["$ 800", "$ 700"], 1),
    ("Total current liabilities", ["800", "700"]),
    ("Long-term debt", ["1,200", "1,200"]),
    # 800 + 1,200 = 2,000; 700 + 1,200 = 1,900
    ("Total liabilities", ["2,000", "1,900"]),
    ("Total stockholders' equity", ["2,000", "1,600"]),
    # 2,000 + 2,000 = 4,000; 1,900 + 1,600 = 3,500
    ("Total liabilities and stockholders' equity", ["$ 4,000", "$ 3,500"]),
]
_CASH_HEADER = [["", "Six Months Ended"], ["", "June 30,"], ["2023", "2022"]]
_CASH_ROWS = [
    ("Cash flows from operating activities:", []),
    ("Net income", ["$ 840", "$ 976"], 1),
    ("Depreciation and amortization", ["200", "230"], 1),
    # 840 + 200 = 1,040; 976 + 230 = 1,206
    ("Net cash provided by operating activities", ["1,040", "1,206"]),
    ("Cash flows from investing activities:", []),
    ("Purchases of property and equipment", ["(240)", "(200)"], 1),
    ("Net cash used in investing activities", ["(240)", "(200)"]),
    ("Cash flows from financing activities:", []),
    ("Repurchases of common stock", ["(300)", "(1,000)"], 1),
    ("Net cash used in financing activities", ["(300)", "(1,000)"]),
    # 1,040 - 240 - 300 = 500; 1,206 - 200 - 1,000 = 6
    ("Net increase in cash and cash equivalents", ["500", "6"]),
    ("Cash and cash equivalents at beginning of period", ["1,500", "1,494"]),
    # 1,500 + 500 = 2,000; 1,494 + 6 = 1,500
    ("Cash and cash equivalents at end of period", ["$ 2,000", "$ 1,500"]),
]


@pytest.fixture(scope="module")
def quarterly(tmp_path_factory: pytest.TempPathFactory) -> StatementSet:
    path = tmp_path_factory.mktemp("tenq") / "ACME_2023Q2_10Q.pdf"
    pages = [
        prose_page(["FORM 10-Q", "For the quarterly period ended June 30, 2023", "ACME CORP."]),
        statement_page(
            "CONSOLIDATED STATEMENTS OF INCOME",
            ["Acme Corp.", "(In millions)"],
            _INCOME_HEADER,
            _INCOME_ROWS,
            layout=_FOUR,
        ),
        statement_page(
            "CONSOLIDATED BALANCE SHEETS",
            ["Acme Corp.", "(In millions)"],
            _BALANCE_HEADER,
            _BALANCE_ROWS,
            layout=_TWO,
        ),
        statement_page(
            "CONSOLIDATED STATEMENTS OF CASH FLOWS",
            ["Acme Corp.", "(In millions)"],
            _CASH_HEADER,
            _CASH_ROWS,
            layout=_TWO,
        ),
    ]
    return extract_statements(write_pdf(path, pages))


def test_quarter_and_half_year_ending_on_the_same_day_are_told_apart(
    quarterly: StatementSet,
) -> None:
    frame = quarterly.to_frame()
    revenue = frame[frame["item"] == "revenue"]
    got = {
        (r.period_end, r.period_months, r.period_start): r.value for r in revenue.itertuples()
    }
    assert got == {
        (date(2023, 6, 30), 3, date(2023, 4, 1)): 2.5e9,
        (date(2022, 6, 30), 3, date(2022, 4, 1)): 2.4e9,
        (date(2023, 6, 30), 6, date(2023, 1, 1)): 5.0e9,
        (date(2022, 6, 30), 6, date(2022, 1, 1)): 4.9e9,
    }
    mapped = frame[frame["item"].notna()]
    assert not mapped.duplicated(["statement", "item", "period_end", "period_months"]).any()


def test_balance_sheet_columns_are_instants(quarterly: StatementSet) -> None:
    frame = quarterly.to_frame()
    balance = frame[frame["statement"] == "balance_sheet"]
    assert set(balance["period_months"]) == {0}
    assert balance["period_start"].isna().all()
    assert set(balance["period_end"]) == {date(2023, 6, 30), date(2022, 12, 31)}


def test_cash_flow_year_to_date(quarterly: StatementSet) -> None:
    capex = quarterly.to_frame().query("item == 'capital_expenditure'")
    assert list(zip(capex["period_months"], capex["value"], strict=True)) == [
        (6, -240e6),
        (6, -200e6),
    ]


def test_value_picks_the_quarter_unless_told(quarterly: StatementSet) -> None:
    assert quarterly.value("net_income") == 400e6
    assert quarterly.value("net_income", date(2023, 6, 30), period_months=6) == 840e6


def test_frame_dtypes(quarterly: StatementSet, tmp_path: Path) -> None:
    frame = quarterly.to_frame()
    assert frame["period_months"].dtype == "int64"
    assert all(s is None or isinstance(s, date) for s in frame["period_start"])
