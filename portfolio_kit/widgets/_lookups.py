"""The records a form offers in its dropdowns, read through the ORM.

Forms hold no queries of their own: what a dropdown lists (and in which
order) is decided here, through package sessions, so soft-deleted companies
stay hidden unless a form asks for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio_kit.models import (
    AuditLog,
    Base,
    Document,
    DocumentKind,
    DueDiligenceItem,
    ExtractedLine,
    FinancialMetric,
    Fund,
    FundCashFlow,
    FundGrant,
    Investment,
    PortfolioCompany,
    Role,
    User,
)

M = TypeVar("M", bound=Base)

Option = tuple[str, int]


def record_options(
    session: Session,
    model: type[M],
    label: Callable[[M], str],
    *,
    where: Sequence[Any] = (),
    order_by: Sequence[Any] = (),
    include_deleted: bool = False,
) -> list[Option]:
    """``(label, id)`` pairs of the rows of ``model`` matching ``where``."""
    query = select(model).where(*where).order_by(*order_by, model.id)  # type: ignore[attr-defined]
    if include_deleted:
        query = query.execution_options(include_deleted=True)
    return [(label(record), record.id) for record in session.scalars(query)]  # type: ignore[attr-defined]


def fund_options(session: Session) -> list[Option]:
    return record_options(session, Fund, lambda fund: fund.name, order_by=[Fund.name])


def company_options(session: Session, *, include_deleted: bool = False) -> list[Option]:
    def label(company: PortfolioCompany) -> str:
        return f"{company.name} (deleted)" if company.is_deleted else company.name

    return record_options(
        session,
        PortfolioCompany,
        label,
        order_by=[PortfolioCompany.name],
        include_deleted=include_deleted,
    )


def investment_options(session: Session) -> list[Option]:
    funds = fund_names(session)
    companies = {
        row.id: row.name
        for row in session.execute(
            select(PortfolioCompany.id, PortfolioCompany.name).execution_options(
                include_deleted=True
            )
        )
    }

    def label(investment: Investment) -> str:
        return f"{funds.get(investment.fund_id, '?')} → {companies.get(investment.company_id, '?')}"

    options = record_options(session, Investment, label)
    return sorted(options, key=lambda option: option[0])


def user_options(session: Session, *, role: Role | None = None) -> list[Option]:
    where = [User.role == role] if role is not None else []
    return record_options(
        session,
        User,
        lambda user: f"{user.email} ({user.role.value})",
        where=where,
        order_by=[User.email],
    )


def fund_names(session: Session) -> dict[int, str]:
    return {row.id: row.name for row in session.execute(select(Fund.id, Fund.name))}


def company_currency(session: Session, company_id: int) -> str | None:
    return session.scalar(
        select(PortfolioCompany.currency)
        .where(PortfolioCompany.id == company_id)
        .execution_options(include_deleted=True)
    )


def fund_currency(session: Session, fund_id: int) -> str | None:
    return session.scalar(select(Fund.currency).where(Fund.id == fund_id))


def recent_fund_cash_flows(session: Session, fund_id: int, limit: int) -> list[FundCashFlow]:
    """A fund's newest cash flows first."""
    return list(
        session.scalars(
            select(FundCashFlow)
            .where(FundCashFlow.fund_id == fund_id)
            .order_by(FundCashFlow.date.desc(), FundCashFlow.id.desc())
            .limit(limit)
        )
    )


def metric_rows(
    session: Session, company_id: int, scenario: str, period_type: str, period_ends: Sequence[date]
) -> list[FinancialMetric]:
    """A company's stored statement figures for the given periods."""
    if not period_ends:
        return []
    return list(
        session.scalars(
            select(FinancialMetric).where(
                FinancialMetric.company_id == company_id,
                FinancialMetric.scenario == scenario,
                FinancialMetric.period_type == period_type,
                FinancialMetric.period_end.in_(list(period_ends)),
            )
        )
    )


def diligence_items(session: Session, company_id: int) -> list[DueDiligenceItem]:
    """A company's checklist, by category then title."""
    return list(
        session.scalars(
            select(DueDiligenceItem)
            .where(DueDiligenceItem.company_id == company_id)
            .order_by(DueDiligenceItem.category, DueDiligenceItem.title, DueDiligenceItem.id)
        )
    )


def granted_fund_ids(session: Session, user_id: int) -> list[int]:
    """The funds granted to a partner."""
    return list(
        session.scalars(
            select(FundGrant.fund_id)
            .where(FundGrant.user_id == user_id)
            .order_by(FundGrant.fund_id)
        )
    )


def company_name(session: Session, company_id: int | None) -> str | None:
    """A company's name (deleted ones included), or None."""
    if company_id is None:
        return None
    return session.scalar(
        select(PortfolioCompany.name)
        .where(PortfolioCompany.id == company_id)
        .execution_options(include_deleted=True)
    )


def pdf_document_options(session: Session) -> list[Option]:
    """Stored filings (annual, quarterly, board packs), newest upload first."""
    kinds = [
        DocumentKind.ANNUAL_REPORT,
        DocumentKind.QUARTERLY_REPORT,
        DocumentKind.BOARD_PACK,
        DocumentKind.OTHER,
    ]
    documents = session.scalars(
        select(Document)
        .where(Document.kind.in_(kinds))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
    )
    return [
        (f"{document.file_name} ({document.status.value})", document.id) for document in documents
    ]


def document_lines(session: Session, document_id: int) -> list[ExtractedLine]:
    """The figures staged from a document, in extraction order."""
    return list(
        session.scalars(
            select(ExtractedLine)
            .where(ExtractedLine.document_id == document_id)
            .order_by(ExtractedLine.id)
        )
    )


def audit_actors(session: Session) -> list[str]:
    """Everyone the audit trail names, alphabetically."""
    return list(session.scalars(select(AuditLog.actor).distinct().order_by(AuditLog.actor)))
