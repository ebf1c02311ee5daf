"""Checking loader arguments and turning them into SQL conditions.

Every filter a loader accepts is checked here, once, with an error that names
the argument, and becomes a condition with bound parameters (never a value
formatted into SQL text). Two rules every company-keyed frame shares live here
too: soft-deleted companies are left out, and a company belongs to a fund
when the fund holds an investment in it.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, select

from portfolio_kit.errors import ValidationError
from portfolio_kit.models import Investment, PortfolioCompany

Ids = int | Iterable[int] | None
"""One id, several ids, or None for all. An empty list selects nothing."""

DateLike = date | str | np.datetime64 | None
"""A date, a ``datetime``/``pandas.Timestamp`` (its calendar date is used), an
ISO string ('2025-12-31') or a ``numpy.datetime64``."""


def id_list(name: str, values: Ids) -> list[int] | None:
    """``values`` as a list of int ids, or None when no filter was asked for.

    Raises
    ------
    ValidationError
        Naming ``name`` and the position of the first value that is not an
        integer (booleans and strings are refused: ``"3"`` is more likely a
        mistake than an id).
    """
    if values is None:
        return None
    if isinstance(values, numbers.Integral) and not isinstance(values, bool):
        return [int(values)]
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationError(name, f"must be an id or a list of ids (got {values!r})")
    ids = []
    for position, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValidationError(
                name, f"must hold integer ids, got {value!r} at position {position}"
            )
        ids.append(int(value))
    return ids


def name_list(
    name: str, values: str | Iterable[str] | None, allowed: Iterable[str] | None = None
) -> list[str] | None:
    """``values`` as a list of strings, checked against ``allowed`` when given.

    Raises
    ------
    ValidationError
        When a value is not a string, or not among ``allowed`` (the message
        lists the allowed values).
    """
    if values is None:
        return None
    items = [values] if isinstance(values, str) else values
    if not isinstance(items, Iterable):
        raise ValidationError(name, f"must be a name or a list of names (got {values!r})")
    permitted = None if allowed is None else [str(value) for value in allowed]
    names = []
    for position, value in enumerate(items):
        if not isinstance(value, str):
            raise ValidationError(name, f"must hold names, got {value!r} at position {position}")
        text = str(value)
        if permitted is not None and text not in permitted:
            raise ValidationError(
                name, f"unknown value {text!r} at position {position}; expected one of {permitted}"
            )
        names.append(text)
    return names


def as_date(name: str, value: DateLike) -> date | None:
    """A calendar date from the accepted spellings, or None.

    Raises
    ------
    ValidationError
        When the value is of another type or the string is not an ISO date.
    """
    if value is None:
        return None
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValidationError(name, "is NaT, not a date")
        return pd.Timestamp(value).date()
    if isinstance(value, datetime):
        if value is pd.NaT:
            raise ValidationError(name, "is NaT, not a date")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                name, f"{value!r} is not an ISO date such as '2025-12-31'"
            ) from None
    raise ValidationError(name, f"must be a date such as date(2025, 12, 31) (got {value!r})")


def as_bound(name: str, value: date | datetime | str | None) -> tuple[datetime, bool] | None:
    """A time bound as (timezone-aware UTC instant, whether a whole day was given).

    A date (or an ISO date string) stands for its whole day in UTC and gives
    midnight at its start; the caller decides whether the day's end counts.

    Raises
    ------
    ValidationError
        For a naive ``datetime`` (which time zone was meant cannot be guessed)
        and for values of other types.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(name, f"{value!r} is not an ISO date or timestamp") from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError(
                name, f"{value!r} has no time zone: pass e.g. datetime(..., tzinfo=UTC)"
            )
        return value.astimezone(UTC), False
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC), True
    raise ValidationError(name, f"must be a date or a timezone-aware datetime (got {value!r})")


def deleted_company_ids() -> Select[Any]:
    return select(PortfolioCompany.id).where(PortfolioCompany.deleted_at.is_not(None))


def fund_company_ids(fund_ids: list[int]) -> Select[Any]:
    """Companies a fund holds (or held) through an investment."""
    return select(Investment.company_id).where(Investment.fund_id.in_(fund_ids))


def company_conditions(
    company_id: ColumnElement[int],
    company_ids: list[int] | None,
    fund_ids: list[int] | None,
) -> list[ColumnElement[bool]]:
    """Conditions on a company-keyed table: not soft-deleted, in the id and fund lists.

    ``NOT IN`` the (usually empty) set of deleted companies costs about
    nothing per row, where joining the company table for its ``deleted_at``
    costs a lookup per row: it matters at a million metric rows.
    """
    conditions = [company_id.not_in(deleted_company_ids())]
    if company_ids is not None:
        conditions.append(company_id.in_(company_ids))
    if fund_ids is not None:
        conditions.append(company_id.in_(fund_company_ids(fund_ids)))
    return conditions
