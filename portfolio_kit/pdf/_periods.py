"""Dates, fiscal years and units as printed in statement headers.

A 10-K header says when each column's period ends in many ways: a full date
over each column ("September 28, 2019"), one phrase over all of them ("Year
Ended December 31," then "2019 2018 2017"), a sentence ("At January 3, 2021
and December 29, 2019") or only fiscal-year labels ("2021 2020 2019") whose
end dates appear elsewhere in the filing (52/53-week years ending on a
Saturday near the end of January). These helpers read each form; the layout
code decides which one a header uses.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
FULL_DATE = re.compile(rf"\b({_MONTH_RE})\s+(\d{{1,2}})\s*,?\s*((?:19|20)\d\d)\b", re.IGNORECASE)
MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\s+(\d{{1,2}})\b(?!\s*,?\s*(?:19|20)\d\d)", re.IGNORECASE)
YEAR = re.compile(r"(?<![\d,.$])((?:19|20)\d\d)(?![\d,.%])")
_FISCAL_YEAR_ENDED = re.compile(
    rf"(?:fiscal\s+)?year\s+ended:?\s+({_MONTH_RE}\s+\d{{1,2}}\s*,?\s*(?:19|20)\d\d)",
    re.IGNORECASE,
)

_SCALE_WORDS = {"thousand": 1e3, "thousands": 1e3, "million": 1e6, "millions": 1e6,
                "billion": 1e9, "billions": 1e9}  # fmt: skip
_SCALE_RE = re.compile(
    r"\b(?:in|of)\s+(?:u\.?s\.?\s+)?(?:dollars?\s+(?:and\s+shares\s+)?in\s+)?"
    r"(thousands|millions|billions)\b"
    r"|\((thousands|millions|billions)(?:[,)\s]|$)"
    r"|^\s*(thousands|millions|billions)\b"
    r"|\(\s*(?:\$|€|£)?\s*(000)\s*(?:'?s)?\s*\)|\b(000)'?s\s+omitted",
    re.IGNORECASE,
)
_SHARE_SCALE_RE = re.compile(
    r"shares?\s+(?:which\s+are\s+|are\s+)?(?:reflected\s+|stated\s+|presented\s+)?in\s+"
    r"(thousands|millions|billions)"
    r"|(?:dollars|amounts)\s+and\s+shares\s+in\s+(thousands|millions|billions)",
    re.IGNORECASE,
)
_CURRENCIES = [
    (re.compile(r"€|\beuros?\b", re.IGNORECASE), "EUR"),
    (re.compile(r"£|\bpounds?\s+sterling\b", re.IGNORECASE), "GBP"),
    (re.compile(r"\bswiss\s+francs?\b|\bCHF\b"), "CHF"),
    (re.compile(r"¥|\byen\b", re.IGNORECASE), "JPY"),
    (re.compile(r"\bC\$|\bcanadian\s+dollars?\b", re.IGNORECASE), "CAD"),
    (re.compile(r"\$|\bdollars?\b|\bUSD\b", re.IGNORECASE), "USD"),
]


@dataclass(frozen=True, slots=True)
class Units:
    """How to turn a printed figure into currency units.

    ``scale`` multiplies money ("(In millions)" is 1e6); ``share_scale``
    multiplies share counts, which some filers state in different units
    ("except number of shares which are reflected in thousands"). Per-share
    amounts are never scaled.
    """

    scale: float
    share_scale: float
    currency: str | None
    stated: bool


def parse_date(text: str) -> date | None:
    """The first full date in ``text`` ("September 28, 2019", "Dec 26, 2020"), or ``None``."""
    match = FULL_DATE.search(text)
    if match is None:
        return None
    return _make_date(match.group(1), match.group(2), match.group(3))


def all_dates(text: str) -> list[date]:
    """Every full date in ``text``, in order of appearance; impossible dates are skipped."""
    found = []
    for match in FULL_DATE.finditer(text):
        made = _make_date(match.group(1), match.group(2), match.group(3))
        if made is not None:
            found.append(made)
    return found


def month_day(text: str) -> tuple[int, int] | None:
    """A month and day printed without a year ("Year Ended December 31,"), or ``None``."""
    for match in MONTH_DAY.finditer(text):
        month = _MONTHS[match.group(1).lower().rstrip(".")]
        day = int(match.group(2))
        if 1 <= day <= 31:
            return month, day
    return None


def years(text: str) -> list[int]:
    """Four-digit years 1900-2099 that stand alone (not inside 1,999 or 2019.5)."""
    return [int(y) for y in YEAR.findall(text)]


def fiscal_year_end(text: str) -> date | None:
    """The date in "For the fiscal year ended January 29, 2022" (the 10-K cover page)."""
    match = _FISCAL_YEAR_ENDED.search(text)
    return parse_date(match.group(1)) if match else None


_QUARTERLY_COVER = re.compile(
    r"for\s+the\s+quarterly\s+period\s+ended|quarterly\s+report\s+pursuant|\bform\s+10-q\b",
    re.IGNORECASE,
)


def is_quarterly_cover(text: str) -> bool:
    """True for a 10-Q cover page ("For the quarterly period ended June 30, 2023")."""
    return bool(_QUARTERLY_COVER.search(text))


def resolve_fiscal_year(
    label_year: int, anchor: date, anchor_year: int, known_dates: Counter[date]
) -> tuple[date, bool]:
    """The end date of the fiscal year labelled ``label_year``.

    Parameters
    ----------
    label_year : int
        The year printed over the column ("2020").
    anchor : date
        A period end known for certain, e.g. from the cover page ("For the
        fiscal year ended January 29, 2022").
    anchor_year : int
        The label of the anchor's fiscal year in the same statement (2021 for
        Foot Locker, whose fiscal 2021 ended on 29 January 2022).
    known_dates : Counter of date
        Full dates printed in the filing, with how often; the fiscal year end
        is the most frequent one about ``anchor_year - label_year`` years
        before the anchor, within ten days of its day of the year (52/53-week
        years drift by a day or two a year).

    Returns
    -------
    (date, bool)
        The end date and whether it was found printed. ``False`` means it
        was estimated: the same month end in the right year when the anchor
        is a month end, else 52 weeks back per year (a 52/53-week calendar,
        off by a week across a 53-week year).
    """
    years_back = anchor_year - label_year
    if years_back == 0:
        return anchor, True
    target = anchor.toordinal() - round(years_back * 365.2425)
    best: tuple[int, int, date] | None = None
    for candidate, count in known_dates.items():
        distance = abs(candidate.toordinal() - target)
        if distance <= 10 and (best is None or (count, -distance) > (best[0], best[1])):
            best = (count, -distance, candidate)
    if best is not None:
        return best[2], True
    if (anchor + timedelta(days=1)).day != 1:
        # A 52/53-week year ends on the same weekday each year: 52 weeks back is
        # right except across a 53-week year.
        return anchor - timedelta(weeks=52 * years_back), False
    year = anchor.year - years_back
    day = anchor.day
    while True:
        try:
            return date(year, anchor.month, day), False
        except ValueError:
            day -= 1


def parse_units(text: str) -> Units:
    """Scale, share scale and currency stated in a statement's heading.

    Parameters
    ----------
    text : str
        The heading lines, e.g. "(In millions, except number of shares which
        are reflected in thousands and per share amounts)".

    Returns
    -------
    Units
        ``stated`` is False when no scale was printed; the scale is then 1.0
        (figures are in whole currency units).
    """
    scale = 1.0
    stated = False
    match = _SCALE_RE.search(text)
    if match is not None:
        word = next(g for g in match.groups() if g)
        scale = 1e3 if word == "000" else _SCALE_WORDS[word.lower()]
        stated = True
    share_scale = scale
    share_match = _SHARE_SCALE_RE.search(text)
    if share_match is not None:
        word = next(g for g in share_match.groups() if g)
        share_scale = _SCALE_WORDS[word.lower()]
    return Units(
        scale=scale, share_scale=share_scale, currency=detect_currency(text), stated=stated
    )


def detect_currency(text: str) -> str | None:
    """ISO code of the currency a heading or column names, or ``None`` if it names none."""
    for pattern, code in _CURRENCIES:
        if pattern.search(text):
            return code
    return None


def _make_date(month_text: str, day_text: str, year_text: str) -> date | None:
    try:
        return date(int(year_text), _MONTHS[month_text.lower().rstrip(".")], int(day_text))
    except (KeyError, ValueError):
        return None
