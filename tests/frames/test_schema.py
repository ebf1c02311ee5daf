"""Normalising driver output to the frame contract, on Arrow tables written out by hand."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from portfolio_kit.frames._schema import Column, empty_frame, to_frame
from tests.frames.dtypes import dtype_names


def test_sqlite_text_dates_and_timestamps_become_datetimes():
    table = pa.table(
        {
            "day": ["2024-02-29", None],
            "at": ["2025-01-31 09:30:00.250000", "2025-02-01 00:00:00.000000"],
            "flag": [1, 0],
        }
    )
    frame = to_frame(
        table, [Column("day", "date"), Column("at", "timestamp"), Column("flag", "bool")]
    )
    assert dtype_names(frame) == {
        "day": "datetime64[ns]",
        "at": "datetime64[ns, UTC]",
        "flag": "bool",
    }
    assert frame["day"].iloc[0] == pd.Timestamp("2024-02-29")
    assert pd.isna(frame["day"].iloc[1])
    assert frame["at"].iloc[0] == pd.Timestamp("2025-01-31 09:30:00.25", tz="UTC")
    assert frame["flag"].tolist() == [True, False]


def test_timestamps_with_an_offset_are_converted_to_utc():
    frame = to_frame(pa.table({"at": ["2025-01-31T10:30:00+01:00"]}), [Column("at", "timestamp")])
    assert frame["at"].iloc[0] == pd.Timestamp("2025-01-31 09:30", tz="UTC")


@pytest.mark.parametrize("text", ["2024-02-30", "2024-02-03 10:00", "31/01/2024"])
def test_a_date_that_is_not_iso_is_refused_naming_the_column(text):
    with pytest.raises(ValueError, match="^period_end: .*" + text):
        to_frame(pa.table({"period_end": [text]}), [Column("period_end", "date")])


def test_closed_categories_refuse_strangers_and_open_ones_append_them():
    closed = Column("kind", "category", ("capital_call", "distribution"))
    with pytest.raises(ValueError, match=r"kind: unexpected value.*'dividend'"):
        to_frame(pa.table({"kind": ["dividend"]}), [closed])
    open_column = Column("item", "category", ("revenue", "net_income"), closed=False)
    frame = to_frame(pa.table({"item": ["zeta_item", "net_income", "alpha_item"]}), [open_column])
    assert list(frame["item"].cat.categories) == [
        "revenue",
        "net_income",
        "alpha_item",
        "zeta_item",
    ]
    assert frame["item"].tolist() == ["zeta_item", "net_income", "alpha_item"]


def test_null_in_a_not_null_column_is_an_error():
    with pytest.raises(ValueError, match="fund_id: holds NULL"):
        to_frame(pa.table({"fund_id": pa.array([1, None])}), [Column("fund_id", "int")])


def test_nullable_ints_numbers_and_json():
    table = pa.table(
        {
            "user_id": pa.array([3, None], type=pa.int32()),
            "value": pa.array([100, None]),
            "changes": ['{"rows": 2}', None],
        }
    )
    frame = to_frame(
        table, [Column("user_id", "nullint"), Column("value", "float"), Column("changes", "json")]
    )
    assert dtype_names(frame) == {"user_id": "Int64", "value": "float64", "changes": "object"}
    assert frame["user_id"].tolist() == [3, pd.NA]
    assert frame["value"].iloc[0] == 100.0 and pd.isna(frame["value"].iloc[1])
    assert frame["changes"].tolist() == [{"rows": 2}, None]


def test_empty_frame_has_every_dtype():
    columns = [
        Column("id", "int"),
        Column("maybe", "nullint"),
        Column("x", "float"),
        Column("ok", "bool"),
        Column("d", "date"),
        Column("t", "timestamp"),
        Column("s", "str"),
        Column("c", "category", ("a", "b")),
        Column("j", "json"),
    ]
    frame = empty_frame(columns)
    assert frame.empty
    assert dtype_names(frame) == {
        "id": "int64",
        "maybe": "Int64",
        "x": "float64",
        "ok": "bool",
        "d": "datetime64[ns]",
        "t": "datetime64[ns, UTC]",
        "s": "str",
        "c": "category",
        "j": "object",
    }
    assert list(frame["c"].cat.categories) == ["a", "b"]


def test_columns_must_match_the_contract():
    with pytest.raises(ValueError, match="expected"):
        to_frame(pa.table({"a": [1]}), [Column("b", "int")])
