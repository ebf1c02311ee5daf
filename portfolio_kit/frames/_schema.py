"""Column contracts and the one place where loaded data gets its pandas dtypes.

Each loader declares its columns once (name, kind, allowed categories). The
result of a query arrives as an Arrow table whose types depend on the driver:
SQLite through ADBC gives dates as ISO strings, booleans as 0/1 and a column
that is NULL throughout as int64; PostgreSQL through ADBC gives ``date32``,
``int32`` and timezone-aware timestamps; the SQLAlchemy fallback gives whatever
``pandas.read_sql`` inferred. :func:`to_frame` turns all of them into the same
dtypes, column by column in Arrow (cheap, vectorised), then converts to pandas
exactly once.

Kinds and the dtypes they become:

========== ============================== =========================================
kind       pandas dtype                   NULL becomes
========== ============================== =========================================
int        int64                          refused (the column is NOT NULL)
nullint    Int64 (nullable)               <NA>
float      float64                        NaN
bool       bool                           refused (the column is NOT NULL)
date       datetime64[ns]                 NaT
timestamp  datetime64[ns, UTC]            NaT
str        str (pandas 3 string dtype)    NaN
category   category                       NaN
json       object (dict/list per row)     None
========== ============================== =========================================
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Kind = Literal["int", "nullint", "float", "bool", "date", "timestamp", "str", "category", "json"]

_KINDS = frozenset(
    {"int", "nullint", "float", "bool", "date", "timestamp", "str", "category", "json"}
)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a frame contract.

    ``categories`` (for ``category`` columns) fixes the category order, so
    that frames loaded at different times concatenate and sort alike. With
    ``closed=True`` (database enums) a value outside ``categories`` is an
    error; with ``closed=False`` (open vocabularies such as line items) other
    values are kept and appended in sorted order. ``ordered`` makes the
    categorical ordered (risk levels sort low to critical, not alphabetically).
    """

    name: str
    kind: Kind
    categories: tuple[str, ...] | None = None
    closed: bool = True
    ordered: bool = False

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"column {self.name!r}: unknown kind {self.kind!r}")


def enum_values(enum_cls: Iterable[object]) -> tuple[str, ...]:
    """The stored values of a ``StrEnum``, in declaration order."""
    return tuple(str(member) for member in enum_cls)


def empty_frame(columns: Sequence[Column]) -> pd.DataFrame:
    """A frame with no rows and the contract's columns and dtypes."""
    return to_frame(pa.table({c.name: pa.array([], type=pa.null()) for c in columns}), columns)


def to_frame(table: pa.Table, columns: Sequence[Column]) -> pd.DataFrame:
    """Normalise an Arrow result to the contract's dtypes and convert it to pandas once.

    Raises
    ------
    ValueError
        When the table's columns differ from the contract, when a date or
        timestamp string is not ISO 8601, when a NOT NULL column holds a NULL,
        or when a closed category column holds a value outside its categories;
        the message names the column.
    """
    names = [column.name for column in columns]
    if table.column_names != names:
        raise ValueError(f"query returned columns {table.column_names}, expected {names}")
    arrays = [_to_arrow_kind(column, table.column(i)) for i, column in enumerate(columns)]
    frame = pa.table(arrays, names=names).to_pandas(split_blocks=True)
    for column in columns:
        if column.kind == "nullint":
            frame[column.name] = frame[column.name].astype("Int64")
        elif column.kind == "category":
            frame[column.name] = _fix_categories(column, frame[column.name])
        elif column.kind == "json":
            frame[column.name] = pd.Series(
                [None if pd.isna(text) else json.loads(text) for text in frame[column.name]],
                index=frame.index,
                dtype=object,
            )
    return frame


def _to_arrow_kind(column: Column, array: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.kind
    if array.null_count == len(array) and kind not in ("int", "bool"):
        # SQLite types an empty or all-NULL column int64, which does not cast to a date.
        array = pa.chunked_array([pa.nulls(len(array))])
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    if pa.types.is_string_view(array.type):
        array = array.cast(pa.string())
    if isinstance(array.type, pa.BaseExtensionType):
        array = pa.chunked_array(
            [chunk.storage for chunk in array.chunks], type=array.type.storage_type
        )
    try:
        if kind in ("int", "nullint"):
            if kind == "int" and array.null_count:
                raise ValueError(f"{column.name}: holds NULL in a column that must not be empty")
            return array.cast(pa.int64())
        if kind == "float":
            return array.cast(pa.float64())
        if kind == "bool":
            if array.null_count:
                raise ValueError(f"{column.name}: holds NULL in a column that must not be empty")
            return array.cast(pa.bool_())
        if kind == "date":
            return _as_dates(array).cast(pa.timestamp("ns"))
        if kind == "timestamp":
            return _as_utc_timestamps(array)
        if kind in ("str", "json"):
            return _as_strings(array)
        return pc.dictionary_encode(_as_strings(array))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ValueError(f"{column.name}: {exc}") from None


def _is_text(data_type: pa.DataType) -> bool:
    return (
        pa.types.is_string(data_type)
        or pa.types.is_large_string(data_type)
        or pa.types.is_string_view(data_type)
    )


def _as_strings(array: pa.ChunkedArray) -> pa.ChunkedArray:
    if _is_text(array.type):
        return array
    if pa.types.is_null(array.type) or array.null_count == len(array):
        return array.cast(pa.string())
    raise pa.ArrowInvalid(f"expected text, got {array.type}")


def _as_dates(array: pa.ChunkedArray) -> pa.ChunkedArray:
    """Calendar dates; SQLite's text is parsed strictly as ISO 8601 ``YYYY-MM-DD``
    (Arrow's date parser refuses '2024-02-30' and trailing times, where
    ``strptime`` would roll the first over into March). ``date32`` from
    PostgreSQL and the fallback passes through."""
    return array.cast(pa.date32())


def _as_utc_timestamps(array: pa.ChunkedArray) -> pa.ChunkedArray:
    """Instants in UTC. SQLAlchemy stores them on SQLite as naive UTC text
    ('2025-01-31 09:30:00.000000'); text with an explicit offset is honoured."""
    target = pa.timestamp("ns", tz="UTC")
    if _is_text(array.type):
        try:
            return array.cast(pa.timestamp("us")).cast(target)
        except pa.ArrowInvalid:
            return array.cast(pa.timestamp("us", tz="UTC")).cast(target)
    if pa.types.is_timestamp(array.type) and array.type.tz is None:
        return array.cast(pa.timestamp("ns")).cast(target)
    return array.cast(target)


def _fix_categories(column: Column, values: pd.Series) -> pd.Series:
    present = [str(category) for category in values.cat.categories]
    if column.categories is None:
        order = sorted(present)
    else:
        unknown = sorted(set(present) - set(column.categories))
        if unknown and column.closed:
            expected = list(column.categories)
            raise ValueError(f"{column.name}: unexpected value(s) {unknown}; expected {expected}")
        order = [*column.categories, *unknown]
    return values.cat.set_categories(order, ordered=column.ordered)
