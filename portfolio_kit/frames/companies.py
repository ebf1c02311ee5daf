"""Portfolio companies and what hangs off each of them: valuations, diligence, initiatives.

Every loader here leaves out soft-deleted companies (``companies`` can be
asked to keep them) and accepts ``fund_ids``: a company belongs to a fund when
the fund holds an investment in it, so ``fund_ids=[]`` gives an empty frame.
"""

from __future__ import annotations

import pandas as pd

from portfolio_kit.db import Database
from portfolio_kit.frames._fields import as_float, select_fields
from portfolio_kit.frames._filters import (
    DateLike,
    Ids,
    as_date,
    company_conditions,
    fund_company_ids,
    id_list,
)
from portfolio_kit.frames._loader import load_frame
from portfolio_kit.frames._schema import Column, enum_values
from portfolio_kit.models import (
    CompanyStatus,
    DiligenceCategory,
    DiligenceStatus,
    DueDiligenceItem,
    InitiativeStatus,
    Lever,
    PortfolioCompany,
    RiskLevel,
    Valuation,
    ValuationMethod,
    ValueCreationInitiative,
)


def companies(
    db: Database, company_ids: Ids = None, fund_ids: Ids = None, *, include_deleted: bool = False
) -> pd.DataFrame:
    """One row per portfolio company, ordered by name.

    Columns: ``company_id``, ``name``, ``sector``, ``geography`` (category),
    ``currency``, ``status`` (category of ``CompanyStatus``),
    ``fiscal_year_end_month`` (int64, 1-12), ``description``, ``deleted_at``
    (datetime64[ns, UTC], NaT unless soft-deleted).

    Parameters
    ----------
    company_ids, fund_ids : int, list of int or None
        None for no restriction, ``[]`` for an empty frame.
    include_deleted : bool
        Keep soft-deleted companies (for an administrator restoring one).

    Raises
    ------
    ValidationError
        For ids that are not integers.
    """
    company_list = id_list("company_ids", company_ids)
    fund_list = id_list("fund_ids", fund_ids)
    statement, columns = select_fields(
        [
            (Column("company_id", "int"), PortfolioCompany.id),
            (Column("name", "str"), PortfolioCompany.name),
            (Column("sector", "category"), PortfolioCompany.sector),
            (Column("geography", "category"), PortfolioCompany.geography),
            (Column("currency", "str"), PortfolioCompany.currency),
            (Column("status", "category", enum_values(CompanyStatus)), PortfolioCompany.status),
            (Column("fiscal_year_end_month", "int"), PortfolioCompany.fiscal_year_end_month),
            (Column("description", "str"), PortfolioCompany.description),
            (Column("deleted_at", "timestamp"), PortfolioCompany.deleted_at),
        ]
    )
    if not include_deleted:
        statement = statement.where(PortfolioCompany.deleted_at.is_(None))
    if company_list is not None:
        statement = statement.where(PortfolioCompany.id.in_(company_list))
    if fund_list is not None:
        statement = statement.where(PortfolioCompany.id.in_(fund_company_ids(fund_list)))
    return load_frame(db, statement.order_by(PortfolioCompany.name, PortfolioCompany.id), columns)


def valuations(
    db: Database,
    company_ids: Ids = None,
    fund_ids: Ids = None,
    as_of: DateLike = None,
    marks_only: bool = False,
) -> pd.DataFrame:
    """Valuations of 100% of each company's equity, ordered by company and date.

    Columns: ``valuation_id``, ``company_id``, ``valuation_date``
    (datetime64[ns]), ``method`` (category of ``ValuationMethod``),
    ``enterprise_value``, ``equity_value`` (float64, 100% of the company, in
    ``currency``), ``implied_multiple`` (float64, EV / LTM EBITDA, NaN when
    not meaningful), ``is_mark`` (bool: the fair value funds carry), ``currency``.

    Parameters
    ----------
    company_ids, fund_ids : int, list of int or None
        None for no restriction, ``[]`` for an empty frame.
    as_of : date, optional
        Leave out valuations dated after this day.
    marks_only : bool
        Keep only the marks (``is_mark``), leaving out cross-checks.

    Raises
    ------
    ValidationError
        For ids that are not integers or an ``as_of`` that is not a date.
    """
    company_list = id_list("company_ids", company_ids)
    fund_list = id_list("fund_ids", fund_ids)
    cutoff = as_date("as_of", as_of)
    statement, columns = select_fields(
        [
            (Column("valuation_id", "int"), Valuation.id),
            (Column("company_id", "int"), Valuation.company_id),
            (Column("valuation_date", "date"), Valuation.valuation_date),
            (Column("method", "category", enum_values(ValuationMethod)), Valuation.method),
            (Column("enterprise_value", "float"), as_float(Valuation.enterprise_value)),
            (Column("equity_value", "float"), as_float(Valuation.equity_value)),
            (Column("implied_multiple", "float"), as_float(Valuation.implied_multiple)),
            (Column("is_mark", "bool"), Valuation.is_mark),
            (Column("currency", "str"), Valuation.currency),
        ]
    )
    statement = statement.where(*company_conditions(Valuation.company_id, company_list, fund_list))
    if cutoff is not None:
        statement = statement.where(Valuation.valuation_date <= cutoff)
    if marks_only:
        statement = statement.where(Valuation.is_mark.is_(True))
    statement = statement.order_by(Valuation.company_id, Valuation.valuation_date, Valuation.id)
    return load_frame(db, statement, columns)


def diligence_items(db: Database, company_ids: Ids = None, fund_ids: Ids = None) -> pd.DataFrame:
    """Due-diligence checklist items, ordered by company, category and id.

    Columns: ``item_id``, ``company_id``, ``company_name``, ``category``,
    ``status`` (categories of the model's enums), ``risk_level`` (ordered
    category: low < medium < high < critical), ``title``, ``owner``,
    ``due_date`` (datetime64[ns], NaT when none), ``notes``.

    Raises
    ------
    ValidationError
        For ids that are not integers.
    """
    company_list = id_list("company_ids", company_ids)
    fund_list = id_list("fund_ids", fund_ids)
    statement, columns = select_fields(
        [
            (Column("item_id", "int"), DueDiligenceItem.id),
            (Column("company_id", "int"), DueDiligenceItem.company_id),
            (Column("company_name", "str"), PortfolioCompany.name),
            (
                Column("category", "category", enum_values(DiligenceCategory)),
                DueDiligenceItem.category,
            ),
            (Column("status", "category", enum_values(DiligenceStatus)), DueDiligenceItem.status),
            (
                Column("risk_level", "category", enum_values(RiskLevel), ordered=True),
                DueDiligenceItem.risk_level,
            ),
            (Column("title", "str"), DueDiligenceItem.title),
            (Column("owner", "str"), DueDiligenceItem.owner),
            (Column("due_date", "date"), DueDiligenceItem.due_date),
            (Column("notes", "str"), DueDiligenceItem.notes),
        ]
    )
    statement = statement.join_from(
        DueDiligenceItem, PortfolioCompany, DueDiligenceItem.company_id == PortfolioCompany.id
    ).where(*company_conditions(DueDiligenceItem.company_id, company_list, fund_list))
    statement = statement.order_by(
        DueDiligenceItem.company_id, DueDiligenceItem.category, DueDiligenceItem.id
    )
    return load_frame(db, statement, columns)


def initiatives(db: Database, company_ids: Ids = None, fund_ids: Ids = None) -> pd.DataFrame:
    """Value-creation initiatives, ordered by company and start date.

    Columns: ``initiative_id``, ``company_id``, ``company_name``, ``lever``
    and ``status`` (categories of ``Lever`` and ``InitiativeStatus``),
    ``title``, ``target_impact`` (float64, in ``currency``, NaN when not
    estimated), ``currency``, ``progress`` (float fraction, 0.4 is 40%),
    ``owner``, ``start_date``, ``target_date`` (datetime64[ns]), ``notes``.

    Raises
    ------
    ValidationError
        For ids that are not integers.
    """
    company_list = id_list("company_ids", company_ids)
    fund_list = id_list("fund_ids", fund_ids)
    initiative = ValueCreationInitiative
    statement, columns = select_fields(
        [
            (Column("initiative_id", "int"), initiative.id),
            (Column("company_id", "int"), initiative.company_id),
            (Column("company_name", "str"), PortfolioCompany.name),
            (Column("lever", "category", enum_values(Lever)), initiative.lever),
            (Column("status", "category", enum_values(InitiativeStatus)), initiative.status),
            (Column("title", "str"), initiative.title),
            (Column("target_impact", "float"), as_float(initiative.target_impact)),
            (Column("currency", "str"), initiative.currency),
            (Column("progress", "float"), as_float(initiative.progress)),
            (Column("owner", "str"), initiative.owner),
            (Column("start_date", "date"), initiative.start_date),
            (Column("target_date", "date"), initiative.target_date),
            (Column("notes", "str"), initiative.notes),
        ]
    )
    statement = statement.join_from(
        initiative, PortfolioCompany, initiative.company_id == PortfolioCompany.id
    ).where(*company_conditions(initiative.company_id, company_list, fund_list))
    statement = statement.order_by(initiative.company_id, initiative.start_date, initiative.id)
    return load_frame(db, statement, columns)
