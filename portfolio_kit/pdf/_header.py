"""What a statement's header prints over each column: dates, month-days, years.

Headers come as a full date over each column ("September 28, / 2019"), a
month and day printed once over all columns ("Year Ended December 31,") above
a row of years, or a sentence ("At January 3, 2021 and December 29, 2019").
Each word is given to the column whose centre is nearest, within reach.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from portfolio_kit.pdf._columns import YEAR_TOKEN, Column
from portfolio_kit.pdf._duration import column_durations
from portfolio_kit.pdf._titles import normalise_text
from portfolio_kit.pdf._words import Line, Word

_MONTH_TOKEN = re.compile(
    r"^(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?$",
    re.IGNORECASE,
)
_DAY_TOKEN = re.compile(r"^(\d{1,2}),?$")
_MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip


@dataclass(slots=True)
class ColumnHeader:
    """What the header printed over one column."""

    full_date: tuple[int, int, int] | None = None
    month_day: tuple[int, int] | None = None
    year: int | None = None
    text: str = ""
    months: int | None = None
    weeks: int | None = None


def read_header(
    lines: list[Line], columns: list[Column]
) -> tuple[list[ColumnHeader], tuple[int, int] | None, list[tuple[int, int, int]]]:
    """Dates, month-days and years printed above each column.

    Returns
    -------
    headers : list of ColumnHeader
        One per column, from the words nearest to that column, with the
        period length printed over it ("Three Months Ended"), if any.
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
                if header.year is not None and header.year != value[0]:
                    # The year row nearer the figures labels the column; a date
                    # printed once above a group ("Nine Months Ended September 30,
                    # 2022" over 2022 and 2021) gives only its month and day.
                    spanning = spanning or (value[1], value[2])
                    continue
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
    durations = column_durations(lines, [c.centre for c in columns])
    for header, (months, weeks) in zip(headers, durations, strict=True):
        header.months, header.weeks = months, weeks
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
            if i + 2 < len(words) and YEAR_TOKEN.match(words[i + 2].text) and gap < 1.5 * height:
                year = int(YEAR_TOKEN.match(words[i + 2].text).group(1))
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
        year = YEAR_TOKEN.match(word.text)
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
