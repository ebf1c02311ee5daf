"""Turn the words of a statement page into rows of label and figures.

Statements in filings have no ruling lines, so the table is rebuilt from word
positions (``_words``, pdfplumber coordinates): words are grouped into lines
by their vertical centre; figures are the numeric words at the right end of a
line, matched to columns (``_columns``); a line's label is whatever is printed
left of its first figure. The header above the first figure row says which
period each column covers (``_header``). The table ends at the statement's
closing note, a footnote block or the next statement's title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portfolio_kit.pdf._columns import (
    YEAR_TOKEN,
    Column,
    figures_of,
    find_columns,
    trailing_figures,
)
from portfolio_kit.pdf._header import ColumnHeader, read_header
from portfolio_kit.pdf._numbers import (
    decimals_of,
    is_currency_symbol,
    is_dash,
    is_footnote_marker,
    parse_amount,
)
from portfolio_kit.pdf._titles import is_other_title, normalise_text, title_kind
from portfolio_kit.pdf._words import Line, Word, group_lines
from portfolio_kit.vocabulary import Statement

_END_OF_STATEMENT = re.compile(
    r"^(?:see|the)\s+(?:accompanying\s+)?notes|accompanying\s+notes\s+(?:are|to)|"
    r"^see\s+notes\s+to|^the\s+accompanying|^see\s+accompanying"
)
_FOOTNOTE_START = re.compile(r"^(?:\(\d{1,2}\)|\([a-z]\)|\*+|[†‡])\s*\S")
_LEGEND = re.compile(r"^(?:n/?m\.?|n\.m\.|nm|\*+)\s*[-=:]?\s*not\s+meaningful")
_RUNNING_TEXT = re.compile(
    r"table\s+of\s+contents|form\s+10-k|annual\s+report|^page\s+\d+|^\d{1,3}$|^f-\s?\d+$|"
    r"index\s+to\s+(?:consolidated\s+)?financial\s+statements|-\s*continued\s*-|^\(continued\)$"
)
_PAGE_NUMBER = re.compile(r"^\d{1,3}$")
_PAGE_NUMBER_ZONE = 5 / 6
_CONNECTOR_END = re.compile(
    r"(?:,|;|\band|\bor|\bof|\bfor|\bin|\bto|\bthe|\bfrom|\bnet|\bby|\bon|\bwith|-)$"
)


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure as printed, its value before scaling, and where it is."""

    raw: str
    value: float
    bbox: tuple[float, float, float, float]
    decimals: int
    is_dash: bool


@dataclass(slots=True)
class Row:
    """A statement line: its printed label and one optional cell per column.

    A row without cells is a heading ("Current assets:") that gives context to
    the rows beneath it.
    """

    label: str
    cells: list[Cell | None]
    page: int
    top: float
    indent: float
    index: int = 0

    @property
    def is_heading(self) -> bool:
        return all(cell is None for cell in self.cells)


@dataclass(slots=True)
class PageTable:
    """The figures region of one page of a statement."""

    page: int
    columns: list[Column]
    headers: list[ColumnHeader]
    spanning_month_day: tuple[int, int] | None
    heading_text: str
    header_dates: list[tuple[int, int, int]]
    rows: list[Row]
    height: float


@dataclass(slots=True)
class RawStatement:
    """A statement read from one or more pages, before periods, units and mapping."""

    kind: Statement
    title: str
    pages: list[PageTable] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        return [row for page in self.pages for row in page.rows]


def read_page(
    words: list[Word],
    page_number: int,
    page_height: float,
    kind: Statement,
    first_page: bool,
    inherited: list[Column] | None,
) -> PageTable | None:
    """Read the statement's rows from the words of one page.

    Parameters
    ----------
    words : list of Word
        From ``_words.pdfium_words`` or ``_words.pdfplumber_words``
        (pdfplumber coordinates).
    page_number : int
        0-based index, stored on every row.
    page_height : float
        Points; lines in the bottom 7% without figures are page furniture.
    kind : Statement
        The statement expected on the page; on its first page the table starts
        below that title.
    first_page : bool
        False for a continuation page, which may repeat the title or not.
    inherited : list of Column or None
        Columns found on the previous page, used when this page has too few
        figure rows to find its own.

    Returns
    -------
    PageTable or None
        None when the page has no title (first page) or no figure columns.
    """
    lines = group_lines(words)
    start = _title_line(lines, kind)
    if start is None and first_page:
        return None
    body = lines[(start + 1 if start is not None else 0) :]
    body = _cut_at_end(body)
    columns = find_columns(body) or (inherited or [])
    if not columns:
        return None
    first_data = next((i for i, line in enumerate(body) if figures_of(line, columns)), None)
    if first_data is None:
        return None
    header_lines, leading = _split_header(body[:first_data])
    headers, spanning, header_dates = read_header(header_lines, columns)
    heading_lines = lines[: start + 1] if start is not None else []
    heading_text = " ".join(line.text for line in [*heading_lines, *header_lines])
    rows = _rows(leading + body[first_data:], columns, page_number, page_height)
    rows = _drop_page_number(rows, page_height)
    return PageTable(
        page=page_number,
        columns=columns,
        headers=headers,
        spanning_month_day=spanning,
        heading_text=heading_text,
        header_dates=header_dates,
        rows=rows,
        height=page_height,
    )


def words_of_a_second_table(words: list[Word], kind: Statement) -> list[Word] | None:
    """The words of a second table of the same statement printed lower on the page, if any.

    An earnings release may print the quarter and the year to date as two
    tables, one under the other, each under its own copy of the title
    ("Consolidated Statements of Income", "13 Weeks Ended", figures; then the
    title again, "52 Weeks Ended", figures). The first table ends at the
    repeated title; the second is read from there on, as a table of its own.
    A repeated title counts only when figure rows sit between the two titles,
    so a title wrapped over two lines is not taken for a second table.
    """
    lines = group_lines(words)
    start = _title_line(lines, kind)
    if start is None:
        return None
    seen_figures = False
    for line in lines[start + 1 :]:
        figures = trailing_figures(line)
        if figures and not all(YEAR_TOKEN.match(w.text) for w in figures):
            seen_figures = True
            continue
        if seen_figures and title_kind(line.text) is kind:
            return [w for w in words if w.middle >= line.top]
    return None


def words_above_a_title(words: list[Word]) -> list[Word] | None:
    """The words printed above the first statement title of a page (None without a title).

    Used for the closing rows of a statement that spilled onto the top of the
    page where the next statement starts.
    """
    lines = group_lines(words)
    for index, line in enumerate(lines):
        if title_kind(line.text) is not None or is_other_title(line.text):
            above = lines[:index]
            # The lines right over the title without figures head the next statement
            # (the company's name), not the spilled rows.
            while above and not trailing_figures(above[-1]):
                above.pop()
            return [w for kept in above for w in kept.words]
    return None


def _title_line(lines: list[Line], kind: Statement) -> int | None:
    """Index of the line that titles the statement (the second line of a wrapped title)."""
    for index, line in enumerate(lines[:20]):
        if title_kind(line.text) is kind:
            return index
        if index + 1 < len(lines) and title_kind(f"{line.text} {lines[index + 1].text}") is kind:
            return index + 1
    return None


def _cut_at_end(lines: list[Line]) -> list[Line]:
    """Lines up to the end of the statement: its closing note, footnotes or the next title.

    A release's legend for its change column ("n/m Not meaningful") ends the
    table too; read as a row it would be glued to the label above it.
    """
    kept = []
    for line in lines:
        text = normalise_text(line.text)
        if _END_OF_STATEMENT.search(text):
            break
        is_title = title_kind(line.text) is not None or is_other_title(line.text)
        if kept and is_title and not trailing_figures(line):
            break
        if kept and _FOOTNOTE_START.match(text) and not trailing_figures(line):
            break
        if kept and _LEGEND.match(text):
            break
        kept.append(line)
    return kept


def _split_header(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Split the lines above the first figure row into column header and leading headings.

    Headings such as "ASSETS" / "Current assets:" sit between the dates and the
    first figures; they belong to the rows. The header is everything down to
    the last line that prints a year or a units phrase.
    """
    last_header = -1
    for index, line in enumerate(lines):
        text = normalise_text(line.text)
        if (
            any(YEAR_TOKEN.match(w.text) for w in line.words)
            or re.search(
                r"\bin (?:thousands|millions|billions)|\((?:thousands|millions|billions)", text
            )
            or re.search(r"\b(?:years?|months|weeks|quarters?) ended\b|\bas of\b|^at\b", text)
        ):
            last_header = index
    header = lines[: last_header + 1]
    leading = [
        line
        for line in lines[last_header + 1 :]
        if not _RUNNING_TEXT.search(normalise_text(line.text))
    ]
    return header, leading


def _rows(
    lines: list[Line], columns: list[Column], page_number: int, page_height: float
) -> list[Row]:
    rows: list[Row] = []
    for line in lines:
        figures = figures_of(line, columns)
        text = normalise_text(line.text)
        if not figures and (_RUNNING_TEXT.search(text) or line.top > 0.93 * page_height):
            continue
        first_figure_x = min((w.x0 for _, w in figures), default=float("inf"))
        label_words = [
            w for w in line.words if w.x0 < first_figure_x and not is_currency_symbol(w.text)
        ]
        label = " ".join(w.text for w in label_words).strip()
        if not figures and all(is_footnote_marker(w.text) for w in line.words):
            continue
        cells: list[Cell | None] = [None] * len(columns)
        for column, word in figures:
            value = parse_amount(word.text)
            assert value is not None
            cells[column] = Cell(
                raw=word.text,
                value=value,
                bbox=(
                    round(word.x0, 2),
                    round(word.top, 2),
                    round(word.x1, 2),
                    round(word.bottom, 2),
                ),
                decimals=decimals_of(word.text),
                is_dash=is_dash(word.text),
            )
        indent = label_words[0].x0 if label_words else first_figure_x
        row = Row(label=label, cells=cells, page=page_number, top=line.top, indent=indent)
        if rows and _continues(rows[-1], row):
            previous = rows.pop()
            row = Row(
                label=f"{previous.label} {row.label}".strip(),
                cells=row.cells if not row.is_heading else previous.cells,
                page=page_number,
                top=previous.top,
                indent=previous.indent,
            )
        rows.append(row)
    return rows


def _drop_page_number(rows: list[Row], page_height: float) -> list[Row]:
    """Rows without the page number printed under the table's last row.

    A page number such as "7" lands in a figure column when it is printed at
    the right margin; as a row of the statement it would break the footing of
    the total above it. It is told from a figure by being the last row, with no
    label, one cell, a bare integer of at most three digits, in the lowest
    sixth of the page.
    """
    if not rows:
        return rows
    last = rows[-1]
    cells = [cell for cell in last.cells if cell is not None]
    if (
        not last.label
        and len(cells) == 1
        and _PAGE_NUMBER.match(cells[0].raw)
        and last.top > _PAGE_NUMBER_ZONE * page_height
    ):
        return rows[:-1]
    return rows


def _continues(previous: Row, row: Row) -> bool:
    """True when ``row`` carries on the label of ``previous`` (a label wrapped over lines)."""
    if not row.label:
        return False
    if previous.is_heading:
        if previous.label.endswith(":"):
            return False
        first = row.label[0]
        return not first.isupper() or bool(_CONNECTOR_END.search(previous.label.lower()))
    # Figures printed on the first line of a wrapped label: the rest follows in lower case.
    return row.is_heading and row.label[0].islower() and not row.label.endswith(":")
