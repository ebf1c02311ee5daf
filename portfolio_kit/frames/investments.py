"""Investments (a fund's position in a company) and the deals' own cash flows.

Sign convention for ``investment_cash_flows``: the fund's side, gross of
fees. ``INVESTED_KINDS`` (investment, follow-on, transaction cost) come out
negative; dividends, interest, partial exits and exit proceeds positive.
Investments in soft-deleted companies are left out, with their cash flows.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, case, literal, null

from portfolio_kit.db import Database
from portfolio_kit.frames._fields import as_float, select_fields, signed
from portfolio_kit.frames._filters import DateLike, Ids, as_date, deleted_company_ids, id_list
from portfolio_kit.frames._loader import load_frame
from portfolio_kit.frames._schema import Column, enum_values
from portfolio_kit.models import (
    INVESTED_KINDS,
    CompanyStatus,
    DealCashFlowKind,
    Fund,
    Investment,
    InvestmentCashFlow,
    PortfolioCompany,
)


def investments(db: Database, fund_ids: Ids = None, as_of: DateLike = None) -> pd.DataFrame:
    """One row per investment, with its fund and company, ordered by fund and entry date.

    Columns: ``investment_id``, ``fund_id``, ``fund_name``, ``vintage_year``
    (the fund's), ``company_id``, ``company_name``, ``sector``,
    ``geography``, ``status`` (category of ``CompanyStatus``), ``entry_date``,
    ``exit_date`` (datetime64[ns], NaT while held), ``currency``,
    ``ownership`` (float fraction: 0.6 is 60%), and in the investment's
    currency as floats ``entry_enterprise_value``, ``entry_ebitda``,
    ``entry_revenue``, ``entry_net_debt``, ``equity_invested``,
    ``exit_proceeds`` (NaN while held).

    Parameters
    ----------
    fund_ids : int, list of int or None
        None for every fund, ``[]`` for none.
    as_of : date, optional
        The portfolio as it stood at the end of this day: investments entered
        later are left out, and an exit after it is not yet known, so its
        ``exit_date`` and ``exit_proceeds`` are empty and ``status`` is
        ``invested``.

    Raises
    ------
    ValidationError
        For ids that are not integers or an ``as_of`` that is not a date.
    """
    ids = id_list("fund_ids", fund_ids)
    cutoff = as_date("as_of", as_of)
    exit_date = Investment.exit_date
    exit_proceeds = as_float(Investment.exit_proceeds)
    status = PortfolioCompany.status
    if cutoff is not None:
        exited = Investment.exit_date <= cutoff
        exit_date = case((exited, Investment.exit_date), else_=null())
        exit_proceeds = case((exited, exit_proceeds), else_=null())
        status = case(
            (
                and_(Investment.exit_date.is_not(None), Investment.exit_date > cutoff),
                literal(CompanyStatus.INVESTED.value),
            ),
            else_=PortfolioCompany.status,
        )
    statement, columns = select_fields(
        [
            (Column("investment_id", "int"), Investment.id),
            (Column("fund_id", "int"), Investment.fund_id),
            (Column("fund_name", "str"), Fund.name),
            (Column("vintage_year", "int"), Fund.vintage_year),
            (Column("company_id", "int"), Investment.company_id),
            (Column("company_name", "str"), PortfolioCompany.name),
            (Column("sector", "category"), PortfolioCompany.sector),
            (Column("geography", "category"), PortfolioCompany.geography),
            (Column("status", "category", enum_values(CompanyStatus)), status),
            (Column("entry_date", "date"), Investment.entry_date),
            (Column("exit_date", "date"), exit_date),
            (Column("currency", "str"), Investment.currency),
            (Column("ownership", "float"), as_float(Investment.ownership)),
            (
                Column("entry_enterprise_value", "float"),
                as_float(Investment.entry_enterprise_value),
            ),
            (Column("entry_ebitda", "float"), as_float(Investment.entry_ebitda)),
            (Column("entry_revenue", "float"), as_float(Investment.entry_revenue)),
            (Column("entry_net_debt", "float"), as_float(Investment.entry_net_debt)),
            (Column("equity_invested", "float"), as_float(Investment.equity_invested)),
            (Column("exit_proceeds", "float"), exit_proceeds),
        ]
    )
    statement = (
        statement.join_from(Investment, Fund, Investment.fund_id == Fund.id)
        .join(PortfolioCompany, Investment.company_id == PortfolioCompany.id)
        .where(PortfolioCompany.deleted_at.is_(None))
    )
    if ids is not None:
        statement = statement.where(Investment.fund_id.in_(ids))
    if cutoff is not None:
        statement = statement.where(Investment.entry_date <= cutoff)
    statement = statement.order_by(Investment.fund_id, Investment.entry_date, Investment.id)
    return load_frame(db, statement, columns)


def investment_cash_flows(
    db: Database, fund_ids: Ids = None, as_of: DateLike = None
) -> pd.DataFrame:
    """Deal cash flows, ordered by investment and date.

    Columns: ``investment_id``, ``fund_id``, ``company_id``, ``date``
    (datetime64[ns]), ``kind`` (category of ``DealCashFlowKind``), ``amount``
    (float64, fund perspective: invested negative, proceeds, dividends and
    interest positive), ``currency``.

    Parameters
    ----------
    fund_ids : int, list of int or None
        None for every fund, ``[]`` for none.
    as_of : date, optional
        Leave out flows dated after this day.

    Raises
    ------
    ValidationError
        For ids that are not integers or an ``as_of`` that is not a date.
    """
    ids = id_list("fund_ids", fund_ids)
    cutoff = as_date("as_of", as_of)
    statement, columns = select_fields(
        [
            (Column("investment_id", "int"), InvestmentCashFlow.investment_id),
            (Column("fund_id", "int"), Investment.fund_id),
            (Column("company_id", "int"), Investment.company_id),
            (Column("date", "date"), InvestmentCashFlow.date),
            (Column("kind", "category", enum_values(DealCashFlowKind)), InvestmentCashFlow.kind),
            (
                Column("amount", "float"),
                signed(InvestmentCashFlow.amount, InvestmentCashFlow.kind, INVESTED_KINDS),
            ),
            (Column("currency", "str"), InvestmentCashFlow.currency),
        ]
    )
    statement = statement.join_from(
        InvestmentCashFlow, Investment, InvestmentCashFlow.investment_id == Investment.id
    ).where(Investment.company_id.not_in(deleted_company_ids()))
    if ids is not None:
        statement = statement.where(Investment.fund_id.in_(ids))
    if cutoff is not None:
        statement = statement.where(InvestmentCashFlow.date <= cutoff)
    statement = statement.order_by(
        InvestmentCashFlow.investment_id, InvestmentCashFlow.date, InvestmentCashFlow.id
    )
    return load_frame(db, statement, columns)
