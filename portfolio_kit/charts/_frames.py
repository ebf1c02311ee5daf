"""Input checks and reshaping shared by the chart builders.

Charts take plain DataFrames; a missing column or an empty frame is refused
here with a message naming the argument and the column, rather than becoming
an empty or wrong picture.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from portfolio_kit.charts._format import NOT_AVAILABLE


def require_columns(name: str, frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise ``ValueError`` naming ``name`` when ``frame`` is not a non-empty
    DataFrame holding every column in ``columns``."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name}: must be a pandas DataFrame (got {type(frame).__name__})")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        present = ", ".join(map(str, frame.columns)) or "no columns"
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)} (has {present})")
    if frame.empty:
        raise ValueError(f"{name}: has no rows to chart")


def iso_dates(values: pd.Series, name: str) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text.

    Vega parses date-only ISO strings as UTC midnight; the builders pair them
    with UTC scales, so a chart shows the same day in every time zone and is
    byte-identical wherever it is rendered.
    """
    stamps = pd.to_datetime(values, errors="coerce")
    if stamps.isna().any():
        position = int(stamps.isna().to_numpy().nonzero()[0][0])
        raise ValueError(f"{name}: unreadable or missing date at position {position}")
    return stamps.dt.strftime("%Y-%m-%d")


def millions(values: pd.Series, name: str) -> pd.Series:
    """Amounts divided by one million, refusing text that is not a number."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        position = int(bad.to_numpy().nonzero()[0][0])
        raise ValueError(f"{name}: not a number at position {position} ({values.iloc[position]!r})")
    return numbers.astype(float) / 1e6


def labels(values: Iterable[object], formatter) -> list[str]:  # type: ignore[no-untyped-def]
    """Formatted labels, with the not-available dash for missing values."""
    return [formatter(value) if value is not None else NOT_AVAILABLE for value in values]
