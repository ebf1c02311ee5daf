"""How long each column's period is, and when it starts.

A 10-Q prints a three-month and a year-to-date column that end on the same
date, so the end date alone does not say which figure is which: the header
does ("Three Months Ended" over two columns, "Six Months Ended" over the next
two; "13 Weeks Ended", "39 Weeks Ended"; "Year Ended"). This module reads
those phrases with their positions and gives each column the nearest one,
then derives the period's first day.

Rules for ``period_start`` (the day after the prior period end of that length):

1. weeks printed ("13 Weeks Ended"): ``end - 7 * weeks + 1 day``, exact;
2. a month-end period end: the first day of the month ``months - 1`` months
   before the end's month (three months ended June 30 starts on April 1);
3. otherwise (a 52/53-week calendar headed in months, "Three Months Ended
   April 1, 2023"): the day after a date printed in the filing, or another
   column's end, that falls on the same weekday as the end (such calendars
   end on a fixed weekday) within ten days of ``months`` before it; the most
   often printed wins;
4. none of these: ``None``; the start is never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from portfolio_kit.pdf._titles import normalise_text
from portfolio_kit.pdf._words import Line
from portfolio_kit.periods import add_months, is_month_end

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "sixteen": 16, "twenty-four": 24, "twenty-six": 26,
    "thirty-six": 36, "thirty-nine": 39, "forty": 40, "fifty-two": 52, "fifty-three": 53,
}  # fmt: skip
_COUNT = r"(\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b{_COUNT}[\s-]+months?\b"), "months"),
    (re.compile(rf"\b{_COUNT}[\s-]+weeks?\b"), "weeks"),
    (re.compile(r"\bquarters?\s+end(?:ed|ing)\b|\b(?:first|second|third|fourth)\s+quarter\b"
                r"|\bq[1-4]\b|\bquarter\b"), "quarter"),  # fmt: skip
    (re.compile(r"\b(?:fiscal\s+)?years?\s+end(?:ed|ing)\b|\bfiscal\s+year\b|\bfull\s+year\b"),
     "year"),  # fmt: skip
)
_SAME_WEEKDAY_SLACK_DAYS = 10


def phrase_months(kind: str, count: int | None) -> int | None:
    """Months of a period phrase: weeks round to months (13 -> 3, 26 -> 6, 52/53 -> 12)."""
    if kind == "quarter":
        return 3
    if kind == "year":
        return 12
    if count is None or count <= 0:
        return None
    if kind == "months":
        return count if count <= 12 else None
    months = round(count * 12 / 52)
    return months if 1 <= months <= 12 else None


def durations_on_line(line: Line) -> list[tuple[int, int | None, float, float]]:
    """Period phrases on one header line: (months, weeks or None, x0, x1)."""
    texts = [normalise_text(w.text) for w in line.words]
    starts = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    joined = " ".join(texts)
    found: list[tuple[int, int | None, float, float]] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _PHRASES:
        for match in pattern.finditer(joined):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            count = None
            if kind in ("months", "weeks"):
                token = match.group(1)
                count = int(token) if token.isdigit() else _NUMBER_WORDS[token]
            months = phrase_months(kind, count)
            if months is None:
                continue
            words = [
                w
                for w, s, t in zip(line.words, starts, texts, strict=True)
                if s < match.end() and match.start() < s + len(t)
            ]
            taken.append((match.start(), match.end()))
            weeks = count if kind == "weeks" else None
            found.append((months, weeks, words[0].x0, words[-1].x1))
    found.sort(key=lambda f: f[2])
    # A phrase reaches over the words that follow it ("Ended October 31,") up to
    # the next phrase: that is the extent of the column group it heads.
    extended = []
    for index, (months, weeks, x0, x1) in enumerate(found):
        limit = found[index + 1][2] if index + 1 < len(found) else float("inf")
        reach = max((w.x1 for w in line.words if x1 <= w.x1 and w.x0 < limit), default=x1)
        extended.append((months, weeks, x0, reach))
    return extended


def column_durations(
    lines: list[Line], centres: list[float]
) -> list[tuple[int | None, int | None]]:
    """(months, weeks) printed over each column, from the header lines above the figures.

    The line nearest the figures wins for a column. On a line with several
    phrases ("Three Months Ended October 31,   Nine Months Ended October 31,")
    the line is cut halfway between where one phrase's words end and the next
    begins, and each column takes the phrase of its part; a single phrase on
    a line ("Six Months Ended June 30,") covers every column.
    """
    result: list[tuple[int | None, int | None]] = [(None, None)] * len(centres)
    for line in reversed(lines):
        found = durations_on_line(line)
        if not found:
            continue
        cuts = [(a[3] + b[2]) / 2 for a, b in zip(found, found[1:], strict=False)]
        for column, centre in enumerate(centres):
            if result[column][0] is not None:
                continue
            part = sum(centre >= cut for cut in cuts)
            months, weeks, _, _ = found[part]
            result[column] = (months, weeks)
    return result


def period_start(
    end: date, months: int, weeks: int | None, known_dates: Iterable[date] | Counter[date]
) -> date | None:
    """The first day of a period of ``months`` ending on ``end`` (rules in the module docstring)."""
    if months <= 0:
        return None
    if weeks:
        return end - timedelta(days=7 * weeks - 1)
    if is_month_end(end):
        return add_months(end, -months) + timedelta(days=1)
    counts = known_dates if isinstance(known_dates, Counter) else Counter(known_dates)
    target = add_months(end, -months)
    best: tuple[int, int, date] | None = None
    for candidate, count in counts.items():
        distance = abs((candidate - target).days)
        if (
            candidate < end
            and candidate.weekday() == end.weekday()
            and distance <= _SAME_WEEKDAY_SLACK_DAYS
            and (best is None or (count, -distance) > (best[0], best[1]))
        ):
            best = (count, -distance, candidate)
    return best[2] + timedelta(days=1) if best else None
