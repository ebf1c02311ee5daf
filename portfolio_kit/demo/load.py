"""Writing the demo portfolio into a database.

Small tables go through ORM objects (one audit row each, as any analyst's
edit would); statement values, KPIs and index levels go through the bulk path
(one audit row per batch). The whole load is one transaction: an interrupted
load leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from portfolio_kit.audit import Actor, caller_audited
from portfolio_kit.db import Database
from portfolio_kit.demo import spec as cast
from portfolio_kit.demo.portfolio import DemoPortfolio, build_portfolio
from portfolio_kit.errors import PortfolioKitError
from portfolio_kit.models import (
    AuditAction,
    Base,
    DueDiligenceItem,
    Fund,
    FundCashFlow,
    FundNav,
    IndexLevel,
    Investment,
    InvestmentCashFlow,
    MarketIndex,
    PortfolioCompany,
    Role,
    Valuation,
    ValueCreationInitiative,
)
from portfolio_kit.security import add_user, grant_fund
from portfolio_kit.services.bulk_import import import_kpis, import_metrics
from portfolio_kit.vocabulary import KPIS

DEMO_ACTOR = Actor(email="system:demo", role=Role.ADMIN)
CURRENCY = "USD"


class DatabaseNotEmptyError(PortfolioKitError):
    """The demo refuses to mix with existing data."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    funds: int
    companies: int
    investments: int
    metrics: int
    kpis: int
    valuations: int
    users: int


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def load_demo(database: Database, *, replace: bool = False, scale: int = 1) -> DemoSummary:
    """Fill the database with the demo portfolio.

    Refuses (``DatabaseNotEmptyError``) when the database already holds funds,
    companies or users, unless ``replace`` is set, in which case every table is
    emptied first, within the same transaction.
    """
    if not database.is_empty() and not replace:
        raise DatabaseNotEmptyError(
            f"{database.url.render_as_string(hide_password=True)} already holds data; "
            "the demo only loads into an empty database (use --replace to wipe it first)"
        )
    portfolio = build_portfolio(scale=scale)
    with database.session(DEMO_ACTOR) as session:
        if replace:
            _wipe(session)
        return _write(session, portfolio, with_users=scale == 1)


def _wipe(session: Session) -> None:
    """Empty every table, the audit trail included, leaving one row that says so."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with caller_audited(session, tables, operations=("delete",)) as batch:
        for table in tables:
            session.execute(delete(table))
        batch.record(
            session,
            action=AuditAction.DELETE,
            entity_type="Database",
            summary="emptied every table to reload the demo portfolio",
            changes={},
        )


def _write(session: Session, portfolio: DemoPortfolio, *, with_users: bool) -> DemoSummary:
    funds = {}
    for book in portfolio.funds:
        spec = book.spec
        fund = Fund(
            name=spec.name,
            vintage_year=spec.vintage_year,
            currency=CURRENCY,
            strategy=spec.strategy,
            status=spec.status,
            target_size=_money(spec.target_m * 1e6),
            total_commitments=_money(spec.commitments_m * 1e6),
            first_close_date=spec.first_close,
            final_close_date=spec.first_close + timedelta(days=365),
            management_fee_rate=Decimal("0.02"),
            carried_interest_rate=Decimal("0.20"),
            hurdle_rate=Decimal("0.08"),
        )
        fund.cash_flows = [
            FundCashFlow(date=when, kind=kind, amount=_money(amount), currency=CURRENCY)
            for when, kind, amount in book.cash_flows
        ]
        fund.navs = [FundNav(as_of=when, nav=_money(nav), currency=CURRENCY) for when, nav in book.navs]
        session.add(fund)
        funds[len(funds)] = fund
    session.flush()

    metric_rows: list[dict] = []
    kpi_rows: list[dict] = []
    valuations = 0
    rng = np.random.default_rng(cast.SEED + 1)
    histories = [(deal.history, deal.status, deal) for deal in portfolio.deals]
    # Copies made by build_portfolio(scale=N) carry a " (n)" suffix; the status is the original's.
    histories += [
        (history, cast.PIPELINE[history.spec.name.split(" (")[0]], None) for history in portfolio.pipeline
    ]
    for history, status, deal in histories:
        company_spec = history.spec
        company = PortfolioCompany(
            name=company_spec.name,
            sector=company_spec.sector,
            geography=company_spec.geography,
            currency=CURRENCY,
            status=status,
            description=company_spec.description,
        )
        session.add(company)
        session.flush()
        _add_diligence(session, company, status, rng)
        for quarter in history.quarters:
            for item, value in quarter.values.items():
                metric_rows.append(_metric(company.id, quarter.period_end, "actual", item, value))
            for kpi, value in quarter.kpis.items():
                unit = KPIS[kpi].unit
                kpi_rows.append(
                    {
                        "company_id": company.id,
                        "period_end": quarter.period_end,
                        "period_type": "quarter",
                        "scenario": "actual",
                        "kpi": kpi,
                        "value": float(value),
                        "unit": unit,
                        "currency": CURRENCY if unit == "currency" else None,
                        "source": "manual",
                    }
                )
        if deal is None:
            continue
        investment = Investment(
            fund=funds[deal.fund_index],
            company=company,
            entry_date=company_spec.entry,
            entry_enterprise_value=_money(history.entry_enterprise_value),
            entry_ebitda=_money(history.entry_ltm_ebitda),
            entry_revenue=_money(history.entry_ltm_revenue),
            entry_net_debt=_money(history.entry_net_debt),
            equity_invested=_money(deal.equity_invested),
            ownership=Decimal(str(company_spec.ownership)),
            exit_date=company_spec.exit,
            exit_proceeds=None if deal.exit_proceeds is None else _money(deal.exit_proceeds),
            currency=CURRENCY,
        )
        investment.cash_flows = [
            InvestmentCashFlow(date=when, kind=kind, amount=_money(amount), currency=CURRENCY)
            for when, kind, amount in deal.flows
        ]
        session.add(investment)
        for index, (when, ev, equity, multiple) in enumerate(history.marks):
            session.add(
                Valuation(
                    company=company,
                    valuation_date=when,
                    method="precedent_transactions" if index == 0 else "trading_comparables",
                    enterprise_value=_money(ev),
                    equity_value=_money(equity),
                    implied_multiple=None if not np.isfinite(multiple) else Decimal(str(round(multiple, 4))),
                    currency=CURRENCY,
                    is_mark=True,
                    assumptions={"ev_to_ltm_ebitda": round(multiple, 4)} if np.isfinite(multiple) else None,
                )
            )
            valuations += 1
        if status == "invested":
            _add_initiatives(session, company, company_spec.entry, rng)
        for quarter in history.budget:
            for item, value in quarter.values.items():
                metric_rows.append(_metric(company.id, quarter.period_end, "budget", item, value))
    session.flush()

    import_metrics(session, metric_rows, summary="demo portfolio: quarterly statements", details={"source": "demo"})
    import_kpis(session, kpi_rows, summary="demo portfolio: operating KPIs", details={"source": "demo"})

    index = MarketIndex(name=cast.INDEX_NAME, currency=CURRENCY, description=cast.INDEX_DESCRIPTION)
    session.add(index)
    session.flush()
    levels = [{"index_id": index.id, "date": when, "level": Decimal(str(level))} for when, level in portfolio.index]
    with caller_audited(session, [IndexLevel.__table__]) as batch:
        session.execute(insert(IndexLevel), levels)
        batch.record(
            session,
            action=AuditAction.IMPORT,
            entity_type="IndexLevel",
            summary=f"demo index levels for {cast.INDEX_NAME}",
            changes={"rows": len(levels)},
        )

    users = 0
    if with_users:
        for email, name, role, password in cast.USERS:
            user = add_user(session, email=email, name=name, password=password, role=role)
            users += 1
            if user.role is Role.PARTNER:
                for fund in funds.values():
                    if fund.name in cast.PARTNER_FUNDS:
                        grant_fund(session, user, fund)
    return DemoSummary(
        funds=len(funds),
        companies=len(histories),
        investments=len(portfolio.deals),
        metrics=len(metric_rows),
        kpis=len(kpi_rows),
        valuations=valuations,
        users=users,
    )


def _metric(company_id: int, period_end: date, scenario: str, item: str, value: float) -> dict:
    return {
        "company_id": company_id,
        "period_end": period_end,
        "period_type": "quarter",
        "scenario": scenario,
        "line_item": item,
        "value": float(value),
        "currency": CURRENCY,
        "source": "manual",
    }


_DILIGENCE = [
    ("commercial", "Customer interviews and churn analysis"),
    ("financial", "Quality of earnings review"),
    ("legal", "Material contracts and change-of-control clauses"),
    ("tax", "Tax structuring and exposure review"),
    ("technology", "IT systems and cyber-security assessment"),
    ("esg", "ESG and regulatory compliance screen"),
    ("hr", "Management referencing and key-person risk"),
]


def _add_diligence(session: Session, company: PortfolioCompany, status: str, rng: np.random.Generator) -> None:
    for category, title in _DILIGENCE:
        if status in ("pipeline", "diligence"):
            item_status = str(rng.choice(["open", "in_progress", "complete"], p=[0.35, 0.4, 0.25]))
        else:
            item_status = str(rng.choice(["complete", "waived"], p=[0.9, 0.1]))
        session.add(
            DueDiligenceItem(
                company=company,
                category=category,
                title=title,
                status=item_status,
                risk_level=str(rng.choice(["low", "medium", "high", "critical"], p=[0.35, 0.4, 0.2, 0.05])),
                owner=str(rng.choice(["Alex Analyst", "Deal team", "External advisor"])),
                due_date=cast.AS_OF + timedelta(days=int(rng.integers(15, 120)))
                if status in ("pipeline", "diligence")
                else None,
            )
        )


_INITIATIVES = [
    ("revenue_growth", "Pricing and packaging review", 0.04),
    ("margin", "Procurement consolidation", 0.02),
    ("cash_deleveraging", "Working-capital programme", 0.015),
    ("revenue_growth", "Expansion into adjacent regions", 0.05),
]


INITIATIVE_START = timedelta(days=90)
INITIATIVE_LENGTH = timedelta(days=365 * 2)


def initiative_progress(start: date, target: date, as_of: date, pace: float) -> tuple[str, float]:
    """Status and progress of an initiative on ``as_of``, following its dates.

    ``pace`` is how fast the plan is delivered against its timetable (1 on
    plan, above ahead, below behind). Not started: planned, 0. Still
    running: in progress, the share of its time elapsed times ``pace``, kept
    within 0.05 to 0.95 so that a running initiative never reads as finished
    or untouched. Past its target date: completed (1) when the pace
    delivered the plan in time, otherwise missed, with the share of the plan
    delivered by the target date (``pace``, at most 0.95). An initiative is
    never still "in progress" after its target date.
    """
    if as_of < start:
        return "planned", 0.0
    if as_of >= target:
        if pace >= 1.0:
            return "completed", 1.0
        return "missed", round(min(0.95, max(0.05, pace)), 2)
    elapsed = (as_of - start).days / (target - start).days
    return "in_progress", round(min(0.95, max(0.05, elapsed * pace)), 2)


def _add_initiatives(session: Session, company: PortfolioCompany, entry: date, rng: np.random.Generator) -> None:
    count = int(rng.integers(2, 5))
    for lever, title, impact in _INITIATIVES[:count]:
        # The draw is kept (it sets the pace) so the demo's other random figures stay as they were.
        pace = 0.5 + float(rng.uniform(0.1, 1.0))
        start = entry + INITIATIVE_START
        target = start + INITIATIVE_LENGTH
        status, progress = initiative_progress(start, target, cast.AS_OF, pace)
        session.add(
            ValueCreationInitiative(
                company=company,
                lever=lever,
                title=title,
                target_impact=_money(impact * 100_000_000 * float(rng.uniform(0.5, 1.5))),
                currency=CURRENCY,
                status=status,
                progress=Decimal(str(progress)),
                owner=str(rng.choice(["CEO", "CFO", "COO", "Operating partner"])),
                start_date=start,
                target_date=target,
            )
        )
