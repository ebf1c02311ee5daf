"""Period ends and units as printed in statement headers."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from portfolio_kit.pdf._columns import Column
from portfolio_kit.pdf._dating import DocumentContext, resolve_periods
from portfolio_kit.pdf._header import ColumnHeader
from portfolio_kit.pdf._layout import PageTable
from portfolio_kit.pdf._periods import (
    all_dates,
    detect_currency,
    fiscal_year_end,
    month_day,
    parse_date,
    parse_units,
    resolve_fiscal_year,
    years,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("September 28, 2019", date(2019, 9, 28)),  # Apple's 52/53-week year end
        ("Dec 26, 2020", date(2020, 12, 26)),  # Intel abbreviates months
        ("Sept. 30, 2017", date(2017, 9, 30)),
        ("At January 3, 2021 and December 29, 2019", date(2021, 1, 3)),
        ("February 30, 2020", None),  # impossible date
        ("Fiscal 2022", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_all_dates_in_order() -> None:
    text = "the 52 weeks ended January 29, 2022, January 30, 2021, and February 1, 2020"
    assert all_dates(text) == [date(2022, 1, 29), date(2021, 1, 30), date(2020, 2, 1)]


def test_month_day_without_year() -> None:
    assert month_day("Year Ended December 31,") == (12, 31)
    assert month_day("Fiscal Year Ended January 31,") == (1, 31)
    assert month_day("December 31, 2022") is None  # a full date, not a spanning month-day
    assert month_day("2021 2020 2019") is None


def test_years_stand_alone() -> None:
    assert years("($ in millions, except per share amounts) 2021 2020 2019") == [2021, 2020, 2019]
    assert years("1,999 and 2019.5 and 2,019") == []


def test_fiscal_year_end_from_cover_page() -> None:
    cover = "ANNUAL REPORT PURSUANT TO SECTION 13\nFor the fiscal year ended January 29, 2022\nOR"
    assert fiscal_year_end(cover) == date(2022, 1, 29)
    assert fiscal_year_end("For the transition period from to") is None


def test_fiscal_years_labelled_by_start_year_resolve_to_printed_dates() -> None:
    # Foot Locker labels the 52 weeks ended January 29, 2022 as fiscal "2021"; note 1
    # prints the three period ends, each once.
    known = Counter(all_dates("ended January 29, 2022, January 30, 2021, and February 1, 2020"))
    anchor = date(2022, 1, 29)
    assert resolve_fiscal_year(2021, anchor, 2021, known) == (date(2022, 1, 29), True)
    assert resolve_fiscal_year(2020, anchor, 2021, known) == (date(2021, 1, 30), True)
    assert resolve_fiscal_year(2019, anchor, 2021, known) == (date(2020, 2, 1), True)


def test_fiscal_year_without_a_printed_date_is_estimated_and_says_so() -> None:
    # Month-end years: the same month end.
    assert resolve_fiscal_year(2021, date(2023, 12, 31), 2023, Counter()) == (
        date(2021, 12, 31),
        False,
    )
    assert resolve_fiscal_year(2019, date(2020, 2, 29), 2020, Counter()) == (
        date(2019, 2, 28),
        False,
    )
    # 52/53-week years step back 52 weeks: Apple's fiscal 2017 ended on September 30,
    # 2017, as its income statement header prints (page index 31).
    assert resolve_fiscal_year(2017, date(2019, 9, 28), 2019, Counter()) == (
        date(2017, 9, 30),
        False,
    )


def test_years_are_resolved_from_the_nearest_later_period_end() -> None:
    # J&J: fiscal 2020 ended January 3, 2021 (cover), 2019 on December 29, 2019 (printed
    # in the balance-sheet heading); 2018 is then 52 weeks before: December 30, 2018,
    # as a note prints it ("fiscal years ended January 3, 2021, December 29, 2019 and
    # December 30, 2018", page index 58), a page this context has not seen.
    page = _page([ColumnHeader(year=2020), ColumnHeader(year=2019), ColumnHeader(year=2018)])
    known = Counter({date(2021, 1, 3): 2, date(2019, 12, 29): 3})
    context = DocumentContext(fiscal_year_end=date(2021, 1, 3), known_dates=known)
    periods, estimated = resolve_periods(page, context)
    assert periods == [date(2021, 1, 3), date(2019, 12, 29), date(2018, 12, 30)]
    assert estimated == [False, False, True]


def test_the_rest_of_the_filing_is_read_only_when_a_date_is_missing() -> None:
    page = _page([ColumnHeader(year=2021), ColumnHeader(year=2020)])
    calls = []

    def more() -> Counter[date]:
        calls.append(1)
        return Counter({date(2022, 1, 29): 1, date(2021, 1, 30): 1})

    context = DocumentContext(fiscal_year_end=date(2022, 1, 29), more_dates=more)
    periods, estimated = resolve_periods(page, context)
    assert periods == [date(2022, 1, 29), date(2021, 1, 30)] and estimated == [False, False]
    assert calls == [1]


def test_most_frequent_nearby_date_wins() -> None:
    # J&J: fiscal 2018 ended on the Sunday nearest the end of December, December 30, 2018.
    known = Counter({date(2018, 12, 30): 5, date(2018, 12, 31): 1, date(2018, 6, 30): 9})
    end, found = resolve_fiscal_year(2018, date(2021, 1, 3), 2020, known)
    assert (end, found) == (date(2018, 12, 30), True)


@pytest.mark.parametrize(
    ("heading", "scale", "share_scale"),
    [
        (
            "(In millions, except number of shares which are reflected in thousands "
            "and per share amounts)",
            1e6,
            1e3,
        ),
        ("($ in millions, except per share amounts)", 1e6, 1e6),
        ("(Dollars and Shares in Millions Except Per Share Amounts) (Note 1)", 1e6, 1e6),
        ("(MILLIONS, EXCEPT PER COMMON SHARE DATA)", 1e6, 1e6),
        ("In millions, except per share data Years ended December 31,", 1e6, 1e6),
        ("(in thousands, except per share data)", 1e3, 1e3),
        ("(Amounts in billions)", 1e9, 1e9),
        ("(000's omitted)", 1e3, 1e3),
    ],
)
def test_units(heading: str, scale: float, share_scale: float) -> None:
    units = parse_units(heading)
    assert (units.scale, units.share_scale, units.stated) == (scale, share_scale, True)


def test_no_units_stated_means_whole_units() -> None:
    units = parse_units("CONSOLIDATED BALANCE SHEETS December 31, 2023")
    assert (units.scale, units.stated) == (1.0, False)


@pytest.mark.parametrize(
    ("text", "code"),
    [("(dollars in millions)", "USD"), ("$ in millions", "USD"), ("(\u20ac in millions)", "EUR"),
     ("(in millions of pounds sterling)", "GBP"), ("(in thousands)", None)],
)  # fmt: skip
def test_currency(text: str, code: str | None) -> None:
    assert detect_currency(text) == code


def _page(headers: list[ColumnHeader], spanning=None, sentence=()) -> PageTable:  # type: ignore[no-untyped-def]
    columns = [
        Column(left=400.0 + 80 * i, right=430.0 + 80 * i, support=10) for i in range(len(headers))
    ]
    return PageTable(
        page=0, columns=columns, headers=headers, spanning_month_day=spanning, heading_text="",
        header_dates=list(sentence), rows=[], height=792.0,
    )  # fmt: skip


def test_periods_from_a_spanning_month_day() -> None:
    page = _page(
        [ColumnHeader(year=2019), ColumnHeader(year=2018), ColumnHeader(year=2017)],
        spanning=(12, 31),
    )
    periods, estimated = resolve_periods(page, DocumentContext(fiscal_year_end=None))
    assert periods == [date(2019, 12, 31), date(2018, 12, 31), date(2017, 12, 31)]
    assert estimated == [False, False, False]


def test_periods_from_a_sentence_over_the_columns() -> None:
    # J&J balance sheet: "At January 3, 2021 and December 29, 2019" over columns "2020 2019".
    page = _page(
        [ColumnHeader(year=2020), ColumnHeader(year=2019)], sentence=[(2021, 1, 3), (2019, 12, 29)]
    )
    periods, _ = resolve_periods(page, DocumentContext(fiscal_year_end=None))
    assert periods == [date(2021, 1, 3), date(2019, 12, 29)]


def test_full_dates_over_one_column_share_their_month_day() -> None:
    # McDonald's: "December 31, 2022 2021 2020" on one line.
    page = _page(
        [ColumnHeader(full_date=(2022, 12, 31)), ColumnHeader(year=2021), ColumnHeader(year=2020)]
    )
    periods, _ = resolve_periods(page, DocumentContext(fiscal_year_end=None))
    assert periods == [date(2022, 12, 31), date(2021, 12, 31), date(2020, 12, 31)]


def test_years_only_resolved_against_the_cover_page() -> None:
    page = _page([ColumnHeader(year=2021), ColumnHeader(year=2020), ColumnHeader(year=2019)])
    known = Counter({date(2022, 1, 29): 3, date(2021, 1, 30): 4, date(2020, 2, 1): 1})
    context = DocumentContext(fiscal_year_end=date(2022, 1, 29), known_dates=known)
    periods, estimated = resolve_periods(page, context)
    assert periods == [date(2022, 1, 29), date(2021, 1, 30), date(2020, 2, 1)]
    assert estimated == [False, False, False]


def test_a_column_without_any_period_stays_unknown() -> None:
    page = _page([ColumnHeader(year=2021), ColumnHeader()])
    periods, _ = resolve_periods(page, DocumentContext(fiscal_year_end=None))
    assert periods[1] is None
