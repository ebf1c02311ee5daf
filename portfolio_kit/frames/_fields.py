"""Pairing each frame column with the SQL expression that fills it.

A loader lists ``(Column, expression)`` pairs once; the SELECT's labels and
the dtype contract then cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, case, cast, select

from portfolio_kit.frames._schema import Column

Field = tuple[Column, ColumnElement[Any]]


def select_fields(fields: Sequence[Field]) -> tuple[Select[Any], list[Column]]:
    """A SELECT of the expressions labelled with their columns' names, and the contract."""
    statement = select(*(expression.label(column.name) for column, expression in fields))
    return statement, [column for column, _ in fields]


def as_float(expression: ColumnElement[Any]) -> ColumnElement[float]:
    """A ``Numeric`` column as a double in SQL.

    Analytics work in float (DESIGN: ``Decimal`` only at the edges). Casting
    in the query lets both drivers send doubles: PostgreSQL's ``numeric``
    otherwise arrives as text or ``Decimal``, and SQLite's NUMERIC affinity
    stores 100.0 as the integer 100, which a typed Arrow column cannot mix
    with 100.5.
    """
    return cast(expression, Float)


def signed(
    amount: ColumnElement[Any], kind: ColumnElement[Any], negative_kinds: Collection[Any]
) -> ColumnElement[float]:
    """A positive stored magnitude with the direction its kind gives it:
    negative for ``negative_kinds``, positive otherwise."""
    magnitude = as_float(amount)
    return case((kind.in_(sorted(negative_kinds)), -magnitude), else_=magnitude)
