"""Calendar rules for reporting periods.

Leap years follow the Gregorian rule: divisible by 4, except centuries not
divisible by 400 (2000 and 2024 are leap years; 1900 and 2023 are not).
"""

from __future__ import annotations

from datetime import date

import pytest

from portfolio_kit.periods import (
    add_months,
    is_calendar_quarter_end,
    is_month_end,
    is_period_end,
    month_end,
    quarter_end,
    quarter_ends_between,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 2, 10), date(2024, 2, 29)),
        (date(2023, 2, 1), date(2023, 2, 28)),
        (date(2000, 2, 15), date(2000, 2, 29)),
        (date(1900, 2, 15), date(1900, 2, 28)),
        (date(2024, 4, 30), date(2024, 4, 30)),
        (date(2024, 12, 1), date(2024, 12, 31)),
    ],
)
def test_month_end(day: date, expected: date) -> None:
    assert month_end(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 5, 15), date(2024, 6, 30)),
        (date(2024, 9, 30), date(2024, 9, 30)),
        (date(2024, 10, 1), date(2024, 12, 31)),
    ],
)
def test_quarter_end(day: date, expected: date) -> None:
    assert quarter_end(day) == expected


def test_month_and_quarter_end_predicates() -> None:
    assert is_month_end(date(2024, 2, 29))
    assert is_month_end(date(2023, 2, 28))
    assert not is_month_end(date(2024, 2, 28))
    assert is_calendar_quarter_end(date(2024, 6, 30))
    assert not is_calendar_quarter_end(date(2024, 2, 29))
    assert not is_calendar_quarter_end(date(2024, 6, 29))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 1, 31), True),
        (date(2024, 2, 29), True),
        # Apple's 52/53-week fiscal years ended 28 Sep 2019, 26 Sep 2020 and
        # 24 Sep 2022 (Form 10-K cover pages): 2, 4 and 6 days before 30 Sep.
        (date(2019, 9, 28), True),
        (date(2020, 9, 26), True),
        (date(2022, 9, 24), True),
        # 7 days before the month end falls outside the final week.
        (date(2022, 9, 23), False),
        (date(2024, 3, 15), False),
        (date(2024, 3, 1), False),
    ],
)
def test_period_end_accepts_month_ends_and_52_53_week_dates(day: date, expected: bool) -> None:
    assert is_period_end(day) is expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        # 28 Feb 2023 is a month end, so one month on is the month end too.
        (date(2023, 2, 28), 1, date(2023, 3, 31)),
        (date(2024, 1, 30), 1, date(2024, 2, 29)),
        (date(2024, 3, 15), -1, date(2024, 2, 15)),
        (date(2024, 1, 31), -2, date(2023, 11, 30)),
        (date(2023, 12, 31), 3, date(2024, 3, 31)),
    ],
)
def test_add_months_keeps_month_ends(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_quarter_ends_between() -> None:
    assert quarter_ends_between(date(2023, 2, 1), date(2023, 12, 31)) == [
        date(2023, 3, 31), date(2023, 6, 30), date(2023, 9, 30), date(2023, 12, 31),
    ]
    assert quarter_ends_between(date(2023, 12, 31), date(2024, 3, 30)) == [date(2023, 12, 31)]
    assert quarter_ends_between(date(2024, 4, 1), date(2024, 3, 31)) == []
