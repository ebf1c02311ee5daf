"""SQLAlchemy 2 typed ORM models, one module per aggregate.

Importing this package registers every table on ``Base.metadata``.
"""

from portfolio_kit.models.audit_log import AuditAction, AuditLog
from portfolio_kit.models.base import Base
from portfolio_kit.models.company import CompanyStatus, PortfolioCompany
from portfolio_kit.models.diligence import (
    DiligenceCategory,
    DiligenceStatus,
    DueDiligenceItem,
    InitiativeStatus,
    Lever,
    RiskLevel,
    ValueCreationInitiative,
)
from portfolio_kit.models.document import (
    Document,
    DocumentKind,
    DocumentStatus,
    ExtractedLine,
    ReviewStatus,
)
from portfolio_kit.models.financials import (
    CompanyKPI,
    FinancialMetric,
    MetricSource,
    PeriodType,
    Scenario,
)
from portfolio_kit.models.fund import (
    CONTRIBUTION_KINDS,
    CashFlowKind,
    Fund,
    FundCashFlow,
    FundNav,
    FundStatus,
    FundStrategy,
)
from portfolio_kit.models.investment import (
    INVESTED_KINDS,
    DealCashFlowKind,
    Investment,
    InvestmentCashFlow,
)
from portfolio_kit.models.market import IndexLevel, MarketIndex
from portfolio_kit.models.security_state import LoginThrottle, RevokedSession
from portfolio_kit.models.user import FundGrant, Role, User
from portfolio_kit.models.valuation import Valuation, ValuationMethod

__all__ = [
    "CONTRIBUTION_KINDS",
    "INVESTED_KINDS",
    "AuditAction",
    "AuditLog",
    "Base",
    "CashFlowKind",
    "CompanyKPI",
    "CompanyStatus",
    "DealCashFlowKind",
    "DiligenceCategory",
    "DiligenceStatus",
    "Document",
    "DocumentKind",
    "DocumentStatus",
    "DueDiligenceItem",
    "ExtractedLine",
    "FinancialMetric",
    "Fund",
    "FundCashFlow",
    "FundGrant",
    "FundNav",
    "FundStatus",
    "FundStrategy",
    "IndexLevel",
    "InitiativeStatus",
    "Investment",
    "InvestmentCashFlow",
    "Lever",
    "MarketIndex",
    "LoginThrottle",
    "RevokedSession",
    "MetricSource",
    "PeriodType",
    "PortfolioCompany",
    "ReviewStatus",
    "RiskLevel",
    "Role",
    "Scenario",
    "User",
    "ValueCreationInitiative",
    "Valuation",
    "ValuationMethod",
]
