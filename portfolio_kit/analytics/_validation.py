"""Input checks shared by the analytics modules.

Every public function turns its arguments into plain numpy arrays here, so that
a bad value is refused once, with a message that names the argument, the
position and what is wrong, before any arithmetic can turn it into a silent NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.0
"""ACT/365 (fixed): the day count Excel's XIRR and XNPV use."""


def as_amounts(name: str, values: Any, *, min_length: int = 1) -> np.ndarray:
    """A 1-d float array with no NaN or infinity.

    Raises
    ------
    ValueError
        Naming ``name`` when the input is not one-dimensional, is shorter than
        ``min_length``, is not numeric, or holds NaN or infinity (with the
        first offending position).
    """
    if isinstance(values, pd.Series | pd.Index):
        values = values.to_numpy()
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be numbers") from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name}: must be one-dimensional, got shape {array.shape}")
    if array.size < min_length:
        if array.size == 0:
            raise ValueError(f"{name}: is empty")
        raise ValueError(f"{name}: needs at least {min_length} values, got {array.size}")
    bad = ~np.isfinite(array)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        what = "NaN" if math.isnan(array[position]) else "infinity"
        raise ValueError(f"{name}: contains {what} at position {position}")
    return array


def as_scalar(name: str, value: Any) -> float:
    """A finite float; ``ValueError`` names ``name`` otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name}: must be finite, got {number}")
    return number


def as_rate(name: str, value: Any) -> float:
    """A finite rate above -100% (a discount factor ``(1 + rate) ** -t`` must exist)."""
    rate = as_scalar(name, value)
    if rate <= -1.0:
        raise ValueError(f"{name}: must be greater than -1 (-100%), got {rate}")
    return rate


def as_magnitude_total(name: str, values: Any) -> float:
    """The sum of a scalar or array-like of non-negative amounts.

    Fund multiples take contributions and distributions as positive
    magnitudes; a negative entry almost always means signed cash flows were
    passed by mistake, so it is refused rather than netted.
    """
    array = as_amounts(name, values)
    negative = array < 0
    if negative.any():
        position = int(np.flatnonzero(negative)[0])
        raise ValueError(
            f"{name}: must be positive magnitudes, got {array[position]} at position "
            f"{position} (pass amounts without their cash-flow sign)"
        )
    return float(array.sum())


def as_days(name: str, values: Any, *, min_length: int = 1) -> np.ndarray:
    """Dates as int64 days since 1970-01-01; time of day is dropped, as in Excel.

    Accepts anything ``pandas.to_datetime`` understands (``date``, ``datetime``,
    ISO strings, ``numpy.datetime64``, a ``DatetimeIndex`` or a Series).
    """
    datetime_column = isinstance(values, pd.Series | pd.Index) and isinstance(
        values.dtype, np.dtype
    )
    if datetime_column and values.dtype.kind == "M":
        values = values.to_numpy()
    if isinstance(values, np.ndarray) and np.issubdtype(values.dtype, np.datetime64):
        stamps = values
    elif isinstance(values, list | tuple) and all(
        isinstance(value, date) and getattr(value, "tzinfo", None) is None for value in values
    ):
        stamps = np.array(values, dtype="datetime64[D]")
    else:
        if isinstance(values, str | date | np.datetime64):
            values = [values]
        if not isinstance(values, pd.Series | pd.Index):
            values = list(values)
        try:
            converted = pd.DatetimeIndex(pd.to_datetime(values))
        except (TypeError, ValueError, OverflowError) as error:
            raise ValueError(f"{name}: not readable as dates ({error})") from None
        if converted.tz is not None:
            converted = converted.tz_localize(None)
        stamps = converted.to_numpy()
    if stamps.ndim != 1:
        raise ValueError(f"{name}: must be one-dimensional, got shape {stamps.shape}")
    if stamps.size < min_length:
        if stamps.size == 0:
            raise ValueError(f"{name}: is empty")
        raise ValueError(f"{name}: needs at least {min_length} dates, got {stamps.size}")
    missing = np.isnat(stamps)
    if missing.any():
        raise ValueError(f"{name}: missing date at position {int(np.flatnonzero(missing)[0])}")
    if stamps.dtype != np.dtype("datetime64[D]"):
        stamps = stamps.astype("datetime64[D]")
    return stamps.view(np.int64)


def as_day(name: str, value: Any) -> int:
    """One date as int64 days since 1970-01-01."""
    if isinstance(value, Iterable) and not isinstance(value, str):
        raise ValueError(f"{name}: must be a single date, got {type(value).__name__}")
    return int(as_days(name, [value])[0])


def plain(value: Any) -> Any:
    """numpy scalars as Python ones, so messages read ``99``, not ``np.int64(99)``."""
    if isinstance(value, tuple):
        return tuple(plain(item) for item in value)
    return value.item() if isinstance(value, np.generic) else value


def day_to_timestamp(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))


def same_length(**arrays: np.ndarray) -> None:
    """``ValueError`` naming every argument and its length when lengths differ."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {length}" for name, length in lengths.items())
        raise ValueError(f"lengths differ: {described}")


def require_columns(name: str, frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """``ValueError`` naming the frame and the columns it lacks."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name}: must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
