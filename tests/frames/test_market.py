"""Index levels as a Series."""

from __future__ import annotations

import pandas as pd
import pytest

from portfolio_kit import frames
from portfolio_kit.errors import ValidationError
from tests.frames.hand_portfolio import INDEX_LEVELS, INDEX_NAME, SECOND_INDEX_NAME


def test_default_is_the_first_stored_index(hand_db):
    levels = frames.index_levels(hand_db.db)
    assert levels.name == INDEX_NAME
    assert isinstance(levels.index, pd.DatetimeIndex)
    assert levels.index.name == "date"
    assert levels.dtype == "float64"
    assert list(levels.index) == [pd.Timestamp(d) for d, _ in INDEX_LEVELS]
    assert levels.tolist() == [100.0, 200.0, 204.0, 210.5]


def test_named_index_and_as_of(hand_db):
    assert frames.index_levels(hand_db.db, SECOND_INDEX_NAME).tolist() == [50.0]
    assert frames.index_levels(hand_db.db, as_of="2022-04-01").tolist() == [100.0, 200.0]


def test_unknown_index_is_refused_with_the_stored_names(hand_db):
    with pytest.raises(ValidationError, match="Test Bond TR"):
        frames.index_levels(hand_db.db, "S&P 500")


def test_an_index_with_no_levels_yet_is_an_empty_series(hand_db):
    levels = frames.index_levels(hand_db.db, SECOND_INDEX_NAME, as_of="2019-12-31")
    assert levels.empty
    assert levels.name == SECOND_INDEX_NAME
