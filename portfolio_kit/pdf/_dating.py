"""The period end of each column of a statement.

A header may print a full date over each column, a sentence with one date
per column, a month and day once over a row of years, or years alone. Years
alone are fiscal years whose end dates are printed elsewhere in the filing
(cover page, notes, another statement's header); see ``resolve_periods``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from portfolio_kit.pdf._header import ColumnHeader
from portfolio_kit.pdf._layout import PageTable
from portfolio_kit.pdf._periods import resolve_fiscal_year


@dataclass(slots=True)
class DocumentContext:
    """Facts from the whole filing that help read one statement's header.

    ``fiscal_year_end`` is the date on the cover ("For the fiscal year ended
    January 29, 2022"); ``known_dates`` counts every full date printed in the
    filing, to find the end of a fiscal year that a header gives only as
    "2020"; when the filing was read only up to its statements, ``more_dates``
    reads the rest, which happens only if the pages read do not print the date.
    ``quarterly`` is True when the cover is a 10-Q's: a flow column whose header
    prints no period length is then taken as a quarter, else as a year.
    """

    fiscal_year_end: date | None
    known_dates: Counter[date] = field(default_factory=Counter)
    more_dates: Callable[[], Counter[date]] | None = None
    default_currency: str = "USD"
    quarterly: bool = False

    def all_known_dates(self) -> Counter[date]:
        """Dates of the whole filing: reads the pages not read yet, once."""
        if self.more_dates is not None:
            self.known_dates = self.more_dates()
            self.more_dates = None
        return self.known_dates


def resolve_periods(
    page: PageTable, context: DocumentContext
) -> tuple[list[date | None], list[bool]]:
    """The period end of each column, and whether it was estimated.

    Precedence: a full date over the column; a sentence over the table with
    one date per column ("At January 3, 2021 and December 29, 2019"); the
    column's year with a month and day printed once for all columns ("Year
    Ended December 31,") or shared by the columns that print full dates; the
    column's year resolved against the cover page's fiscal year end and the
    dates printed in the filing (52/53-week years), latest year first, each
    from the nearest later period end.
    """
    headers = page.headers
    count = len(headers)
    periods: list[date | None] = [_as_date(h.full_date) for h in headers]
    estimated = [False] * count
    sentence = [_as_date(d) for d in page.header_dates]
    if (
        any(p is None for p in periods)
        and len(sentence) == count
        and _sentence_fits(sentence, headers)
    ):
        periods = [p or s for p, s in zip(periods, sentence, strict=True)]
    shared = page.spanning_month_day or _shared_month_day(periods)
    fiscal = [c for c, h in enumerate(headers) if periods[c] is None and h.year is not None]
    if shared is not None:
        for column in fiscal:
            year = headers[column].year
            assert year is not None
            periods[column] = _safe_date(year, *shared)
        return periods, estimated
    if context.fiscal_year_end is None and fiscal and _interim(headers, fiscal):
        found = _printed_interim_ends([headers[c].year for c in fiscal], context.all_known_dates())
        if found is not None:
            for column, end in zip(fiscal, found, strict=True):
                periods[column] = end
        return periods, estimated
    if context.fiscal_year_end is None or not fiscal:
        return periods, estimated
    # Latest year first, each resolved from the nearest later period end already
    # known, so a 52/53-week calendar steps from a printed date, not from afar.
    anchors = {h.year: p for h, p in zip(headers, periods, strict=True) if h.year and p}
    anchors.setdefault(max(h.year for h in headers if h.year is not None), context.fiscal_year_end)
    for column in sorted(fiscal, key=lambda c: -(headers[c].year or 0)):
        year = headers[column].year
        assert year is not None
        anchor_year = min((y for y in anchors if y >= year), default=None)
        if anchor_year is None:
            continue
        anchor = anchors[anchor_year]
        end, found = resolve_fiscal_year(year, anchor, anchor_year, context.known_dates)
        if not found:
            end, found = resolve_fiscal_year(year, anchor, anchor_year, context.all_known_dates())
        periods[column], estimated[column] = end, not found
        anchors[year] = end
    return periods, estimated


_NEAR_MONTH_END_DAYS = 7


def _interim(headers: list[ColumnHeader], columns: list[int]) -> bool:
    """Columns headed by an interim period ("Second Quarter", "Six Months") over a year."""
    return all(headers[c].months is not None and headers[c].months < 12 for c in columns)


def _printed_interim_ends(
    years: list[int | None], known: Counter[date]
) -> list[date] | None:
    """Period ends of interim columns headed only "2023 2022", from dates printed elsewhere.

    An earnings release may head its quarter columns with years alone and
    print the quarter's end only in another table ("Three Months Ended July
    2, 2023"). Each year takes the date of that year printed most often
    within a week of a month end (52/53-week quarters end on either side of
    it); the dates must fall a year apart (within ten days of the same day
    of the year), else nothing is returned.
    """
    chosen: list[date] = []
    for year in years:
        candidates = [
            (count, d)
            for d, count in known.items()
            if d.year == year and _near_month_end(d)
        ]
        if not candidates:
            return None
        chosen.append(max(candidates)[1])
    for a, b in zip(chosen, chosen[1:], strict=False):
        gap = abs((a - b).days) % 365
        if min(gap, 365 - gap) > 10:
            return None
    return chosen


def _near_month_end(day: date) -> bool:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    before_end = (following - day).days - 1
    after_end = day.day
    return before_end < _NEAR_MONTH_END_DAYS or after_end <= _NEAR_MONTH_END_DAYS


def _sentence_fits(dates: list[date | None], headers: list[ColumnHeader]) -> bool:
    """Dates in a sentence label the columns only if each is within a year of the column's year."""
    for found, header in zip(dates, headers, strict=True):
        if found is None:
            return False
        if header.year is not None and found.year - header.year not in (0, 1):
            return False
    return True


def _shared_month_day(periods: list[date | None]) -> tuple[int, int] | None:
    known = {(p.month, p.day) for p in periods if p is not None}
    return known.pop() if len(known) == 1 else None


def _as_date(parts: tuple[int, int, int] | None) -> date | None:
    return date(*parts) if parts else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    while day > 27:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1
    return date(year, month, day)
