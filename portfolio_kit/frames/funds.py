"""Funds, their LP cash flows and their reported NAVs, as DataFrames.

Sign convention for ``fund_cash_flows``: the LP's side. Amounts are stored as
positive magnitudes with a kind; contributions (``CONTRIBUTION_KINDS``:
capital calls, management fees, expenses) come out negative, distributions
(including recallable ones) positive, ready for ``analytics.xirr`` and the
PME functions. Amounts are in the fund's currency, as floats.
"""

from __future__ import annotations

import pandas as pd

from portfolio_kit.db import Database
from portfolio_kit.frames._fields import Field, as_float, select_fields, signed
from portfolio_kit.frames._filters import DateLike, Ids, as_date, id_list
from portfolio_kit.frames._loader import load_frame
from portfolio_kit.frames._schema import Column, enum_values
from portfolio_kit.models import (
    CONTRIBUTION_KINDS,
    CashFlowKind,
    Fund,
    FundCashFlow,
    FundNav,
    FundStatus,
    FundStrategy,
)


def funds(db: Database, fund_ids: Ids = None) -> pd.DataFrame:
    """One row per fund, ordered by vintage year and name.

    Columns: ``fund_id``, ``name``, ``vintage_year`` (int64), ``currency``,
    ``strategy`` and ``status`` (category), ``target_size``,
    ``total_commitments`` (float, fund currency), ``first_close_date``,
    ``final_close_date`` (datetime64[ns]), ``management_fee_rate``,
    ``carried_interest_rate``, ``hurdle_rate`` (float fractions: 0.02 is 2%).

    Parameters
    ----------
    fund_ids : int, list of int or None
        The funds to load; None loads every fund, ``[]`` none.

    Raises
    ------
    ValidationError
        When ``fund_ids`` holds something other than integer ids.
    """
    ids = id_list("fund_ids", fund_ids)
    statement, columns = select_fields(
        [
            (Column("fund_id", "int"), Fund.id),
            (Column("name", "str"), Fund.name),
            (Column("vintage_year", "int"), Fund.vintage_year),
            (Column("currency", "str"), Fund.currency),
            (Column("strategy", "category", enum_values(FundStrategy)), Fund.strategy),
            (Column("status", "category", enum_values(FundStatus)), Fund.status),
            (Column("target_size", "float"), as_float(Fund.target_size)),
            (Column("total_commitments", "float"), as_float(Fund.total_commitments)),
            (Column("first_close_date", "date"), Fund.first_close_date),
            (Column("final_close_date", "date"), Fund.final_close_date),
            (Column("management_fee_rate", "float"), as_float(Fund.management_fee_rate)),
            (Column("carried_interest_rate", "float"), as_float(Fund.carried_interest_rate)),
            (Column("hurdle_rate", "float"), as_float(Fund.hurdle_rate)),
        ]
    )
    if ids is not None:
        statement = statement.where(Fund.id.in_(ids))
    return load_frame(db, statement.order_by(Fund.vintage_year, Fund.name, Fund.id), columns)


CASH_FLOW_FIELDS: list[Field] = [
    (Column("fund_id", "int"), FundCashFlow.fund_id),
    (Column("fund_name", "str"), Fund.name),
    (Column("date", "date"), FundCashFlow.date),
    (Column("kind", "category", enum_values(CashFlowKind)), FundCashFlow.kind),
    (Column("amount", "float"), signed(FundCashFlow.amount, FundCashFlow.kind, CONTRIBUTION_KINDS)),
    (Column("currency", "str"), FundCashFlow.currency),
]


def fund_cash_flows(db: Database, fund_ids: Ids = None, as_of: DateLike = None) -> pd.DataFrame:
    """LP cash flows, ordered by fund and date.

    Columns: ``fund_id``, ``fund_name``, ``date`` (datetime64[ns]), ``kind``
    (category of ``CashFlowKind``), ``amount`` (float64, LP perspective:
    contributions negative, distributions positive), ``currency``.

    Parameters
    ----------
    fund_ids : int, list of int or None
        None for every fund, ``[]`` for none (an empty frame).
    as_of : date, optional
        Leave out flows dated after this day.

    Raises
    ------
    ValidationError
        For ids that are not integers or an ``as_of`` that is not a date.
    """
    ids = id_list("fund_ids", fund_ids)
    cutoff = as_date("as_of", as_of)
    statement, columns = select_fields(CASH_FLOW_FIELDS)
    statement = statement.join_from(FundCashFlow, Fund, FundCashFlow.fund_id == Fund.id)
    if ids is not None:
        statement = statement.where(FundCashFlow.fund_id.in_(ids))
    if cutoff is not None:
        statement = statement.where(FundCashFlow.date <= cutoff)
    statement = statement.order_by(FundCashFlow.fund_id, FundCashFlow.date, FundCashFlow.id)
    return load_frame(db, statement, columns)


def fund_navs(db: Database, fund_ids: Ids = None, as_of: DateLike = None) -> pd.DataFrame:
    """Reported quarter-end NAVs, ordered by fund and date.

    Columns: ``fund_id``, ``as_of`` (datetime64[ns], a quarter end), ``nav``
    (float64, fund currency), ``currency``.

    Parameters
    ----------
    fund_ids : int, list of int or None
        None for every fund, ``[]`` for none.
    as_of : date, optional
        Leave out NAVs dated after this day.

    Raises
    ------
    ValidationError
        For ids that are not integers or an ``as_of`` that is not a date.
    """
    ids = id_list("fund_ids", fund_ids)
    cutoff = as_date("as_of", as_of)
    statement, columns = select_fields(
        [
            (Column("fund_id", "int"), FundNav.fund_id),
            (Column("as_of", "date"), FundNav.as_of),
            (Column("nav", "float"), as_float(FundNav.nav)),
            (Column("currency", "str"), FundNav.currency),
        ]
    )
    if ids is not None:
        statement = statement.where(FundNav.fund_id.in_(ids))
    if cutoff is not None:
        statement = statement.where(FundNav.as_of <= cutoff)
    return load_frame(db, statement.order_by(FundNav.fund_id, FundNav.as_of), columns)
