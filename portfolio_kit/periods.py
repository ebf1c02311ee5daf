"""Calendar rules for reporting periods: month ends, quarter ends, 52/53-week years.

Pure functions (no database) shared by the models' validation, the demo
generator, the Excel templates and the analytics.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

FISCAL_WEEK_SLACK_DAYS = 6
"""A 52/53-week fiscal calendar ends on a fixed weekday, so its period ends
fall in the last week of a month (Apple's fiscal 2019 ended on 28 September).
Such dates are accepted as period ends; any other mid-month date is not."""


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def quarter_end(day: date) -> date:
    """The calendar quarter end on or after ``day``."""
    month = ((day.month - 1) // 3 + 1) * 3
    return month_end(date(day.year, month, 1))


def is_month_end(day: date) -> bool:
    return day == month_end(day)


def is_calendar_quarter_end(day: date) -> bool:
    return is_month_end(day) and day.month in (3, 6, 9, 12)


def is_period_end(day: date) -> bool:
    """A month end, or a date in the last week of a month (52/53-week calendars)."""
    return (month_end(day) - day) <= timedelta(days=FISCAL_WEEK_SLACK_DAYS)


def add_months(day: date, months: int) -> date:
    """Month arithmetic that keeps month ends at month ends (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    target_day = last if is_month_end(day) else min(day.day, last)
    return date(year, month + 1, target_day)


def quarter_ends_between(start: date, end: date) -> list[date]:
    """Calendar quarter ends q with ``start <= q <= end``, in order."""
    result = []
    current = quarter_end(start)
    while current <= end:
        result.append(current)
        current = month_end(add_months(current, 3))
    return result
