"""Rows and columns rebuilt from word positions (no ruling lines)."""

from __future__ import annotations

from portfolio_kit.pdf._columns import find_columns, trailing_figures
from portfolio_kit.pdf._header import read_header
from portfolio_kit.pdf._layout import read_page
from portfolio_kit.pdf._words import Word, group_lines, rejoin_split_figures
from portfolio_kit.vocabulary import Statement

CHAR = 4.5  # points per character of an 8-point font, close enough for tests


def line(top: float, *parts: tuple[float, str]) -> list[Word]:
    """Words starting at x, or ending at x when the text starts with ">" (right-aligned)."""
    words = []
    for x, text in parts:
        if text.startswith(">"):
            text = text[1:]
            x -= CHAR * len(text)
        for piece in text.split(" "):
            words.append(Word(piece, x, x + CHAR * len(piece), top, top + 8))
            x += CHAR * (len(piece) + 1)
    return words


def statement_words() -> list[Word]:
    words = []
    words += line(40, (200, "CONSOLIDATED BALANCE SHEETS"))
    words += line(55, (40, "(In millions)"))
    words += line(67, (480, ">December 31,"), (560, ">December 31,"))
    words += line(79, (480, ">2023"), (560, ">2022"))
    words += line(95, (40, "Current assets:"))
    words += line(
        107,
        (50, "Cash and cash equivalents"),
        (430, "$"),
        (480, ">1,577"),
        (510, "$"),
        (560, ">1,200"),
    )
    words += line(
        119, (50, "Receivables, net of allowance of $12 (1)"), (480, ">300"), (560, ">\u2014")
    )
    words += line(131, (50, "Other current assets and prepaid expenses, including"))
    words += line(143, (50, "deferred charges"), (480, ">(23)"), (560, ">45-"))
    words += line(155, (40, "Total current assets"), (480, ">1,854"), (560, ">1,245"))
    words += line(175, (40, "See accompanying notes."))
    words += line(190, (40, "Other"), (480, ">99"), (560, ">98"))
    words += line(780, (300, "12"))
    return words


def test_words_group_into_lines_despite_small_baseline_offsets() -> None:
    words = [Word("Cash", 40, 60, 116.7, 123.8), Word("1,944", 490, 508, 118.0, 125.1)]  # Pfizer
    (single,) = group_lines(words)
    assert single.text == "Cash 1,944"


def test_columns_are_shared_right_edges() -> None:
    lines = group_lines(statement_words())
    columns = find_columns(lines)
    assert [round(c.right) for c in columns] == [480, 560]


def test_a_statement_page_read_into_rows() -> None:
    table = read_page(statement_words(), 7, 792.0, Statement.BALANCE, True, None)
    assert table is not None
    rows = [(r.label, [c.raw if c else None for c in r.cells]) for r in table.rows]
    assert rows == [
        ("Current assets:", [None, None]),
        ("Cash and cash equivalents", ["1,577", "1,200"]),
        ("Receivables, net of allowance of $12 (1)", ["300", "\u2014"]),
        ("Other current assets and prepaid expenses, including deferred charges", ["(23)", "45-"]),
        ("Total current assets", ["1,854", "1,245"]),
    ]
    values = [[c.value if c else None for c in r.cells] for r in table.rows]
    assert values[3] == [-23.0, -45.0] and values[2] == [300.0, 0.0]
    assert all(r.page == 7 for r in table.rows)
    cash = table.rows[1].cells[0]
    assert cash is not None and cash.bbox == (480 - CHAR * 5, 107, 480, 115)


def test_header_dates_per_column() -> None:
    table = read_page(statement_words(), 0, 792.0, Statement.BALANCE, True, None)
    assert table is not None
    assert [h.full_date for h in table.headers] == [(2023, 12, 31), (2022, 12, 31)]
    assert "(In millions)" in table.heading_text


def test_a_spanning_header_and_year_row() -> None:
    words = line(60, (330, "Year Ended December 31,")) + line(
        72, (400, ">2023"), (480, ">2022"), (560, ">2021")
    )
    lines = group_lines(words)
    figures = line(90, (400, ">10"), (480, ">20"), (560, ">30")) + line(
        102, (400, ">4"), (480, ">5"), (560, ">6")
    )
    columns = find_columns(group_lines(figures))
    headers, spanning, sentence = read_header(lines, columns)
    assert [h.year for h in headers] == [2023, 2022, 2021]
    assert spanning == (12, 31)
    assert sentence == []


def test_the_page_must_carry_the_title_on_its_first_page() -> None:
    words = [w for w in statement_words() if w.top != 40]
    assert read_page(words, 0, 792.0, Statement.BALANCE, True, None) is None
    continuation = read_page(words, 1, 792.0, Statement.BALANCE, False, None)
    assert continuation is not None and continuation.rows


def test_another_statement_title_ends_the_table() -> None:
    words = statement_words()[:-9]  # up to "Total current assets"
    words += line(170, (200, "CONSOLIDATED STATEMENTS OF OPERATIONS"))
    words += line(185, (40, "Revenue"), (480, ">5,000"), (560, ">4,000"))
    table = read_page(words, 0, 792.0, Statement.BALANCE, True, None)
    assert table is not None
    assert table.rows[-1].label == "Total current assets"


def test_split_parentheses_are_put_back_together() -> None:
    words = [
        Word("(1,017", 400, 420, 100, 108),
        Word(")", 420.5, 423, 100, 108),
        Word("(", 470, 473, 100, 108),
        Word("12)", 473.5, 485, 100, 108),
    ]
    assert [w.text for w in rejoin_split_figures(words)] == ["(1,017)", "(12)"]


def test_a_closing_parenthesis_overlapping_the_last_digit_is_joined() -> None:
    # ORACLE_2015_10K p. 93 (0-based), "Capital expenditures (1,391 ) (580 ) (650 )": PDFium
    # gives "(1,391" ending at x=521.57 and ")" starting at x=521.40 (boxes overlap by 0.17 pt).
    words = [
        Word("(1,391", 501.96, 521.57, 327.56, 336.08),
        Word(")", 521.40, 523.91, 327.56, 336.08),
        Word("(580", 544.56, 558.41, 327.56, 336.08),
        Word(")", 558.36, 560.87, 327.56, 336.08),
    ]
    assert [w.text for w in rejoin_split_figures(words)] == ["(1,391)", "(580)"]


def test_change_columns_of_a_release_do_not_hide_the_amounts() -> None:
    # MCDONALDS_2023Q2_EARNINGS p. 4 (0-based), quarter columns 2023, 2022, then Inc/(Dec)
    # in dollars and in percent: "NET INCOME $ 2,310.4 $ 1,188.0 $ 1,122.4 94 %" and
    # "Provision for income taxes 506.3 221.1 285.2 n/m". The amounts are read; the
    # percentage and "n/m" are not figures of any column.
    words = line(100, (40, "NET INCOME"), (300, "$"), (340, ">2,310.4"), (360, "$"))
    words += line(100, (420, ">1,188.0"), (440, "$"), (500, ">1,122.4"), (540, ">94"), (545, "%"))
    (net_income,) = group_lines(words)
    assert [w.text for w in trailing_figures(net_income)] == ["2,310.4", "1,188.0", "1,122.4"]
    words = line(112, (40, "Provision for income taxes"), (340, ">506.3"), (420, ">221.1"))
    words += line(112, (500, ">285.2"), (540, "n/m"))
    (tax,) = group_lines(words)
    assert [w.text for w in trailing_figures(tax)] == ["506.3", "221.1", "285.2"]
    words = line(124, (40, "Other revenues"), (340, ">77.2"), (420, ">78.8"))
    words += line(124, (500, ">(1.6)"), (548, ">(2)%"))
    (other,) = group_lines(words)
    assert [w.text for w in trailing_figures(other)] == ["77.2", "78.8", "(1.6)"]


def test_a_not_meaningful_legend_ends_the_table() -> None:
    # MCDONALDS_2023Q2_EARNINGS p. 4 (0-based): the last row, "Weighted average shares
    # outstanding-diluted 734.3 742.0 (7.7) (1)%", is followed by the legend
    # "n/m Not meaningful", which is no part of that row's label.
    words = line(40, (200, "CONDENSED CONSOLIDATED STATEMENT OF INCOME"))
    words += line(55, (40, "Quarters Ended June 30,"), (340, ">2023"), (420, ">2022"))
    words += line(70, (40, "NET INCOME"), (340, ">2,310.4"), (420, ">1,188.0"), (500, ">1,122.4"))
    words += line(82, (40, "EARNINGS PER SHARE-DILUTED"), (340, ">3.15"), (420, ">1.60"))
    words += line(94, (40, "Weighted average shares outstanding-diluted"), (340, ">734.3"))
    words += line(94, (420, ">742.0"), (500, ">(7.7)"), (548, ">(1)%"))
    words += line(106, (40, "n/m Not meaningful"))
    table = read_page(words, 4, 792.0, Statement.INCOME, True, None)
    assert table is not None
    assert table.rows[-1].label == "Weighted average shares outstanding-diluted"
