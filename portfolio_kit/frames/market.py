"""Public-market index levels: the benchmark series for PME."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from portfolio_kit.db import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.frames._fields import as_float, select_fields
from portfolio_kit.frames._filters import DateLike, as_date
from portfolio_kit.frames._loader import load_frame
from portfolio_kit.frames._schema import Column
from portfolio_kit.models import IndexLevel, MarketIndex


def index_levels(db: Database, index_name: str | None = None, as_of: DateLike = None) -> pd.Series:
    """A total-return index as a float Series on a sorted ``DatetimeIndex`` named ``date``.

    The Series is named after the index. Levels are positive index points
    (only ratios between dates matter for PME).

    Parameters
    ----------
    index_name : str, optional
        ``MarketIndex.name``; by default the index stored first (the only
        one, in most databases).
    as_of : date, optional
        Leave out levels dated after this day.

    Raises
    ------
    ValidationError
        When ``index_name`` names no stored index (the message lists those
        that exist), when the database holds no index at all, or when
        ``as_of`` is not a date.
    """
    if index_name is not None and not isinstance(index_name, str):
        raise ValidationError(
            "index_name", f"must be an index name such as 'MSCI World Net TR' (got {index_name!r})"
        )
    cutoff = as_date("as_of", as_of)
    statement, columns = select_fields(
        [
            (Column("name", "str"), MarketIndex.name),
            (Column("date", "date"), IndexLevel.date),
            (Column("level", "float"), as_float(IndexLevel.level)),
        ]
    )
    statement = statement.join_from(IndexLevel, MarketIndex, IndexLevel.index_id == MarketIndex.id)
    if index_name is None:
        statement = statement.where(
            IndexLevel.index_id == select(func.min(MarketIndex.id)).scalar_subquery()
        )
    else:
        statement = statement.where(MarketIndex.name == index_name)
    if cutoff is not None:
        statement = statement.where(IndexLevel.date <= cutoff)
    frame = load_frame(db, statement.order_by(IndexLevel.date), columns)
    name = _check_index_exists(db, index_name) if frame.empty else str(frame["name"].iloc[0])
    return pd.Series(
        frame["level"].to_numpy(), index=pd.DatetimeIndex(frame["date"], name="date"), name=name
    )


def _check_index_exists(db: Database, index_name: str | None) -> str:
    """The name of the index that returned no levels, or an error saying why there is none.

    Runs only when the levels query came back empty, to tell "no such index"
    from "an index with no levels (yet)".
    """
    with db.engine.connect() as connection:
        names = list(
            connection.execute(select(MarketIndex.name).order_by(MarketIndex.id)).scalars()
        )
    if not names:
        raise ValidationError(
            "index_name", "the database holds no market index: add one (and its levels) first"
        )
    if index_name is None:
        return names[0]
    if index_name not in names:
        raise ValidationError(
            "index_name", f"no market index named {index_name!r}; stored indices: {names}"
        )
    return index_name
