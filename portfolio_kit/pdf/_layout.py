"""Turn the words of a statement page into rows of label and figures.

Statements in filings have no ruling lines, so the table is rebuilt from word
positions (``_words``, pdfplumber coordinates): words are grouped into lines by their vertical
centre; figures are the numeric words at the right end of a line; columns are
the right edges that many lines' figures share (numbers are right-aligned);
a line's label is whatever is printed left of its first figure. The header
above the first figure row says which period each column covers.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

from portfolio_kit.pdf._numbers import (
    decimals_of,
    is_currency_symbol,
    is_dash,
    is_footnote_marker,
    parse_amount,
)
from portfolio_kit.pdf._titles import is_other_title, normalise_text, title_kind
from portfolio_kit.vocabulary import Statement

_YEAR_TOKEN = re.compile(r"^\(?((?:19|20)\d\d)\)?[,:]?$")
_MONTH_TOKEN = re.compile(
    r"^(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?$",
    re.IGNORECASE,
)
_DAY_TOKEN = re.compile(r"^(\d{1,2}),?$")
_END_OF_STATEMENT = re.compile(
    r"^(?:see|the)\s+(?:accompanying\s+)?notes|accompanying\s+notes\s+(?:are|to)|"
    r"^see\s+notes\s+to|^the\s+accompanying|^see\s+accompanying"
)
_FOOTNOTE_START = re.compile(r"^(?:\(\d{1,2}\)|\([a-z]\)|\*+|[†‡])\s*\S")
_RUNNING_TEXT = re.compile(
    r"table\s+of\s+contents|form\s+10-k|annual\s+report|^page\s+\d+|^\d{1,3}$|^f-\s?\d+$|"
    r"index\s+to\s+(?:consolidated\s+)?financial\s+statements|-\s*continued\s*-|^\(continued\)$"
)
_CONNECTOR_END = re.compile(
    r"(?:,|;|\band|\bor|\bof|\bfor|\bin|\bto|\bthe|\bfrom|\bnet|\bby|\bon|\bwith|-)$"
)
_MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_COLUMN_GAP = 8.0
_RIGHT_EDGE_TOLERANCE = 6.0


@dataclass(frozen=True, slots=True)
class Word:
    """One word as pdfplumber places it (points, origin at the page's top-left)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class Line:
    """Words that share a baseline, left to right."""

    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


@dataclass(frozen=True, slots=True)
class Column:
    """A column of figures.

    ``left`` is the left edge of its widest figure, ``right`` the right edge
    its figures share; ``support`` counts the figures that formed it.
    """

    left: float
    right: float
    support: int

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


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
class ColumnHeader:
    """What the header printed over one column."""

    full_date: tuple[int, int, int] | None = None
    month_day: tuple[int, int] | None = None
    year: int | None = None
    text: str = ""


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


def group_lines(words: list[Word]) -> list[Line]:
    """Words grouped into lines by vertical centre (labels and figures may sit a point apart)."""
    if not words:
        return []
    heights = [w.bottom - w.top for w in words if w.bottom > w.top]
    tolerance = 0.45 * (statistics.median(heights) if heights else 8.0)
    lines: list[list[Word]] = []
    centre = 0.0
    for word in sorted(words, key=lambda w: (w.middle, w.x0)):
        if lines and abs(word.middle - centre) <= tolerance:
            lines[-1].append(word)
            centre = sum(w.middle for w in lines[-1]) / len(lines[-1])
        else:
            lines.append([word])
            centre = word.middle
    return [Line(sorted(group, key=lambda w: w.x0)) for group in lines]


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
    first_data = next((i for i, line in enumerate(body) if _figures_of(line, columns)), None)
    if first_data is None:
        return None
    header_lines, leading = _split_header(body[:first_data])
    headers, spanning, header_dates = read_header(header_lines, columns)
    heading_lines = lines[: start + 1] if start is not None else []
    heading_text = " ".join(line.text for line in [*heading_lines, *header_lines])
    rows = _rows(leading + body[first_data:], columns, page_number, page_height)
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


def find_columns(lines: list[Line]) -> list[Column]:
    """Columns of figures shared by many lines, left to right.

    Figures are right-aligned, so the columns are clusters of right edges of
    the figures that end each line (years in headers and dashes are left out:
    a dash is centred, not aligned).
    """
    edges: list[tuple[float, float]] = []
    figure_lines = 0
    for line in lines:
        trailing = _trailing_figures(line)
        numbers = [w for w in trailing if not is_dash(w.text) and not _YEAR_TOKEN.match(w.text)]
        if not numbers:
            continue
        figure_lines += 1
        edges.extend((w.x1, w.x0) for w in numbers)
    if figure_lines < 2:
        return []
    edges.sort()
    clusters: list[list[tuple[float, float]]] = [[edges[0]]]
    for edge in edges[1:]:
        if edge[0] - clusters[-1][-1][0] > _COLUMN_GAP:
            clusters.append([edge])
        else:
            clusters[-1].append(edge)
    strongest = max(len(c) for c in clusters)
    minimum = max(2, 0.3 * strongest, 0.15 * figure_lines)
    columns = [
        Column(
            left=min(x0 for _, x0 in cluster),
            right=statistics.median(x1 for x1, _ in cluster),
            support=len(cluster),
        )
        for cluster in clusters
        if len(cluster) >= minimum
    ]
    return sorted(columns, key=lambda c: c.right)


def read_header(
    lines: list[Line], columns: list[Column]
) -> tuple[list[ColumnHeader], tuple[int, int] | None, list[tuple[int, int, int]]]:
    """Dates, month-days and years printed above each column.

    Returns
    -------
    headers : list of ColumnHeader
        One per column, from the words nearest to that column.
    spanning : (month, day) or None
        A month and day printed once for all columns ("Year Ended December 31,").
    sentence_dates : list of (year, month, day)
        Full dates printed in a sentence over the table ("At January 3, 2021 and
        December 29, 2019"), in reading order.
    """
    headers = [ColumnHeader() for _ in columns]
    spanning: tuple[int, int] | None = None
    sentences: list[list[tuple[int, int, int]]] = []
    reach = _column_reach(columns)
    # Nearest the figures first: the year row under a title sentence ("For the
    # Years Ended May 31, 2020, 2019 and 2018") is the one that labels columns.
    for line in reversed(lines):
        found = _dates_on_line(line.words)
        month_days = [f for f in found if f[0] == "md"]
        full_dates = [f for f in found if f[0] == "date"]
        line_text = normalise_text(line.text)
        is_sentence = bool(re.search(r"\b(?:at|as of|and|ended|ending|for the)\b", line_text))
        if is_sentence and full_dates:
            sentences.append([f[1] for f in full_dates])
        for tag, value, centre, text in found:
            column = _nearest_column(centre, columns, reach)
            if tag == "md" and len(month_days) == 1 and (column is None or len(columns) > 1):
                spanning = spanning or value
                continue
            if column is None:
                continue
            header = headers[column]
            if tag == "date" and header.full_date is None:
                header.full_date = value
            elif tag == "md" and header.month_day is None:
                header.month_day = value
            elif tag == "year" and header.year is None:
                header.year = value
            header.text = f"{header.text} {text}".strip()
    for header in headers:
        if header.full_date is None and header.month_day and header.year:
            made = _make_date_tuple(header.year, *header.month_day)
            if made:
                header.full_date = made
    sentence_dates = [d for dates in reversed(sentences) for d in dates]
    return headers, spanning, sentence_dates


def _make_date_tuple(year: int, month: int, day: int) -> tuple[int, int, int] | None:
    try:
        made = date(year, month, day)
    except ValueError:
        return None
    return (made.year, made.month, made.day)


def _dates_on_line(words: list[Word]) -> list[tuple[str, Any, float, str]]:
    """Dates, month-days and bare years on one header line, with their x centres."""
    found: list[tuple[str, Any, float, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        month = _MONTH_TOKEN.match(word.text)
        if month and i + 1 < len(words) and _DAY_TOKEN.match(words[i + 1].text):
            day = int(_DAY_TOKEN.match(words[i + 1].text).group(1))
            month_number = _month_number(month.group(1))
            gap = words[i + 2].x0 - words[i + 1].x1 if i + 2 < len(words) else 0.0
            height = words[i + 1].bottom - words[i + 1].top
            if i + 2 < len(words) and _YEAR_TOKEN.match(words[i + 2].text) and gap < 1.5 * height:
                year = int(_YEAR_TOKEN.match(words[i + 2].text).group(1))
                span = words[i : i + 3]
                made = _make_date_tuple(year, month_number, day)
                if made:
                    found.append(("date", made, (span[0].x0 + span[-1].x1) / 2, _join(span)))
                i += 3
                continue
            span = words[i : i + 2]
            found.append(("md", (month_number, day), (span[0].x0 + span[-1].x1) / 2, _join(span)))
            i += 2
            continue
        year = _YEAR_TOKEN.match(word.text)
        if year:
            found.append(("year", int(year.group(1)), word.centre, word.text))
        i += 1
    return found


def _month_number(text: str) -> int:
    return _MONTH_NUMBERS[text.lower()[:3]]


def _join(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def _column_reach(columns: list[Column]) -> float:
    """How far (points) a header word may sit from its column's centre."""
    if len(columns) < 2:
        return 90.0
    gaps = [b.centre - a.centre for a, b in pairwise(columns)]
    return max(25.0, 0.6 * min(gaps))


def _nearest_column(centre: float, columns: list[Column], reach: float) -> int | None:
    best = min(range(len(columns)), key=lambda i: abs(columns[i].centre - centre))
    column = columns[best]
    distance = (
        0.0 if column.left - 10 <= centre <= column.right + 10 else abs(column.centre - centre)
    )
    return best if distance <= reach else None


def _title_line(lines: list[Line], kind: Statement) -> int | None:
    for index, line in enumerate(lines[:20]):
        if title_kind(line.text) is kind:
            return index
    return None


def _cut_at_end(lines: list[Line]) -> list[Line]:
    """Lines up to the end of the statement: its closing note, footnotes or the next title."""
    kept = []
    for line in lines:
        text = normalise_text(line.text)
        if _END_OF_STATEMENT.search(text):
            break
        is_title = title_kind(line.text) is not None or is_other_title(line.text)
        if kept and is_title and not _trailing_figures(line):
            break
        if kept and _FOOTNOTE_START.match(text) and not _trailing_figures(line):
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
            any(_YEAR_TOKEN.match(w.text) for w in line.words)
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


def _trailing_figures(line: Line) -> list[Word]:
    """The run of figures (and currency symbols) that ends a line, left to right."""
    run: list[Word] = []
    for word in reversed(line.words):
        if is_currency_symbol(word.text):
            continue
        if parse_amount(word.text) is None:
            break
        run.append(word)
    run.reverse()
    return run


def _figures_of(line: Line, columns: list[Column]) -> list[tuple[int, Word]]:
    """Figures of a line matched to columns; at most one figure per column."""
    trailing = _trailing_figures(line)
    if not trailing:
        return []
    if all(_YEAR_TOKEN.match(w.text) for w in trailing):
        return []
    matched: dict[int, Word] = {}
    for word in trailing:
        column = _column_of(word, columns)
        if column is not None and column not in matched:
            matched[column] = word
    return sorted(matched.items())


def _column_of(word: Word, columns: list[Column]) -> int | None:
    for index, column in enumerate(columns):
        if is_dash(word.text):
            if column.left - 12 <= word.centre <= column.right + 4:
                return index
        elif abs(word.x1 - column.right) <= _RIGHT_EDGE_TOLERANCE or (
            column.left - 2 <= word.centre <= column.right + 2
        ):
            return index
    return None


def _rows(
    lines: list[Line], columns: list[Column], page_number: int, page_height: float
) -> list[Row]:
    rows: list[Row] = []
    for line in lines:
        figures = _figures_of(line, columns)
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


def rejoin_split_figures(words: list[Word]) -> list[Word]:
    """Join "(1,017" + ")" and "(" + "1,017)" that some producers emit as separate words."""
    joined: list[Word] = []
    for word in sorted(words, key=lambda w: (round(w.middle), w.x0)):
        if joined:
            last = joined[-1]
            same_line = abs(last.middle - word.middle) < 2.0
            close = 0 <= word.x0 - last.x1 < 3.0
            candidate = last.text + word.text
            if (
                same_line
                and close
                and (word.text in (")", ")-") or last.text in ("(", "$(", "($"))
                and parse_amount(candidate) is not None
            ):
                joined[-1] = Word(
                    candidate,
                    last.x0,
                    word.x1,
                    min(last.top, word.top),
                    max(last.bottom, word.bottom),
                )
                continue
        joined.append(word)
    return joined
