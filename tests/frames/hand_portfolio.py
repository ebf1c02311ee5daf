"""A small portfolio typed in by hand, so that every expected figure is known in advance.

Two funds (USD), five companies, five investments, LP and deal cash flows,
NAVs, valuations, statement values, KPIs, two indices. One company is
soft-deleted after everything is written: none of its rows may reach a frame.

Who holds what:

==================  =====================  ================================
company             held by                notes
==================  =====================  ================================
Acme Software       Test Fund I            exited 2023-01-31
Borealis Logistics  Test Fund I and II     the fund filter must find it twice
Cobalt Robotics     Test Fund II           entered 2022-06-01
Deleted Dynamics    Test Fund I            soft-deleted
Pipeline Partners   nobody                 no investment: in no fund
==================  =====================  ================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portfolio_kit import Database
from portfolio_kit.models import (
    CompanyKPI,
    DueDiligenceItem,
    FinancialMetric,
    Fund,
    FundCashFlow,
    FundNav,
    IndexLevel,
    Investment,
    InvestmentCashFlow,
    MarketIndex,
    PortfolioCompany,
    Valuation,
    ValueCreationInitiative,
)

FUND_I_FLOWS = [
    (date(2020, 2, 1), "capital_call", Decimal("10000000.00")),
    (date(2020, 3, 31), "management_fee", Decimal("500000.00")),
    (date(2020, 12, 31), "expense", Decimal("100000.00")),
    (date(2021, 6, 30), "distribution", Decimal("4000000.00")),
    (date(2022, 1, 15), "recallable_distribution", Decimal("1000000.00")),
    (date(2023, 5, 10), "capital_call", Decimal("2500000.50")),
]
"""Stored magnitudes. LP perspective, by hand: calls, fees and expenses are
paid in (negative), distributions of either kind are received (positive):
-10,000,000; -500,000; -100,000; +4,000,000; +1,000,000; -2,500,000.50."""

FUND_I_SIGNED = [-10_000_000.0, -500_000.0, -100_000.0, 4_000_000.0, 1_000_000.0, -2_500_000.50]

FUND_II_FLOWS = [(date(2022, 4, 1), "capital_call", Decimal("5000000.00"))]

FUND_I_NAVS = [
    (date(2020, 12, 31), Decimal("9800000.00")),
    (date(2021, 12, 31), Decimal("7000000.00")),
    (date(2023, 6, 30), Decimal("12000000.00")),
]
FUND_II_NAVS = [(date(2022, 6, 30), Decimal("5100000.00"))]

INDEX_NAME = "Test Equity TR"
INDEX_LEVELS = [
    (date(2020, 1, 1), Decimal("100")),
    (date(2022, 4, 1), Decimal("200")),
    (date(2022, 6, 30), Decimal("204")),
    (date(2023, 6, 30), Decimal("210.5")),
]
"""Fund II's one call (2022-04-01) meets level 200 and its NAV date
(2022-06-30) level 204: the index rose 2%, exactly as Fund II's NAV did
(5,000,000 -> 5,100,000)."""

SECOND_INDEX_NAME = "Test Bond TR"


@dataclass(frozen=True, slots=True)
class HandPortfolio:
    fund_i: int
    fund_ii: int
    acme: int
    borealis: int
    cobalt: int
    deleted: int
    pipeline: int
    acme_investment: int
    borealis_i_investment: int
    borealis_ii_investment: int
    cobalt_investment: int
    deleted_investment: int


def seed_hand_portfolio(database: Database) -> HandPortfolio:
    """Write the portfolio through the ORM (as the system actor) and soft-delete one company."""
    with database.session() as session:
        fund_i = Fund(
            name="Test Fund I",
            vintage_year=2020,
            currency="USD",
            strategy="buyout",
            status="investing",
            total_commitments=Decimal("100000000.00"),
            first_close_date=date(2020, 1, 15),
            management_fee_rate=Decimal("0.02"),
        )
        fund_ii = Fund(
            name="Test Fund II",
            vintage_year=2022,
            currency="USD",
            strategy="growth",
            status="investing",
            total_commitments=Decimal("50000000.00"),
            first_close_date=date(2022, 3, 1),
        )
        fund_i.cash_flows = [
            FundCashFlow(date=d, kind=k, amount=a, currency="USD") for d, k, a in FUND_I_FLOWS
        ]
        fund_ii.cash_flows = [
            FundCashFlow(date=d, kind=k, amount=a, currency="USD") for d, k, a in FUND_II_FLOWS
        ]
        fund_i.navs = [FundNav(as_of=d, nav=n, currency="USD") for d, n in FUND_I_NAVS]
        fund_ii.navs = [FundNav(as_of=d, nav=n, currency="USD") for d, n in FUND_II_NAVS]

        def company(name: str, sector: str, geography: str, status: str) -> PortfolioCompany:
            return PortfolioCompany(
                name=name, sector=sector, geography=geography, currency="USD", status=status
            )

        acme = company("Acme Software", "Software", "North America", "realized")
        borealis = company("Borealis Logistics", "Logistics", "Europe", "invested")
        cobalt = company("Cobalt Robotics", "Industrials", "Nordics", "invested")
        deleted = company("Deleted Dynamics", "Software", "Europe", "invested")
        pipeline = company("Pipeline Partners", "Healthcare", "Europe", "pipeline")

        def investment(
            fund: Fund,
            target: PortfolioCompany,
            entry: date,
            equity: str,
            ownership: str,
            flows: list[tuple[date, str, str]],
            **extra: object,
        ) -> Investment:
            record = Investment(
                fund=fund,
                company=target,
                entry_date=entry,
                equity_invested=Decimal(equity),
                ownership=Decimal(ownership),
                currency="USD",
                **extra,
            )
            record.cash_flows = [
                InvestmentCashFlow(date=d, kind=k, amount=Decimal(a), currency="USD")
                for d, k, a in flows
            ]
            return record

        acme_investment = investment(
            fund_i,
            acme,
            date(2020, 3, 1),
            "6000000.00",
            "0.6",
            [
                (date(2020, 3, 1), "investment", "6000000.00"),
                (date(2020, 3, 1), "transaction_cost", "120000.00"),
                (date(2021, 9, 15), "dividend", "500000.00"),
                (date(2023, 1, 31), "exit_proceeds", "15000000.00"),
            ],
            entry_enterprise_value=Decimal("20000000.00"),
            entry_ebitda=Decimal("2500000.00"),
            entry_revenue=Decimal("10000000.00"),
            entry_net_debt=Decimal("10000000.00"),
            exit_date=date(2023, 1, 31),
            exit_proceeds=Decimal("15000000.00"),
        )
        borealis_i = investment(
            fund_i,
            borealis,
            date(2021, 2, 1),
            "3000000.00",
            "0.25",
            [
                (date(2021, 2, 1), "investment", "3000000.00"),
                (date(2022, 2, 1), "follow_on", "400000.00"),
                (date(2022, 12, 31), "interest", "25000.00"),
            ],
        )
        borealis_ii = investment(
            fund_ii,
            borealis,
            date(2022, 5, 1),
            "2000000.00",
            "0.1",
            [(date(2022, 5, 1), "investment", "2000000.00")],
        )
        cobalt_investment = investment(
            fund_ii,
            cobalt,
            date(2022, 6, 1),
            "1500000.00",
            "0.5",
            [
                (date(2022, 6, 1), "investment", "1500000.00"),
                (date(2023, 3, 1), "partial_exit", "300000.00"),
            ],
        )
        deleted_investment = investment(
            fund_i,
            deleted,
            date(2020, 6, 1),
            "1000000.00",
            "0.3",
            [(date(2020, 6, 1), "investment", "1000000.00")],
        )

        def valuation(
            target: PortfolioCompany,
            when: date,
            method: str,
            equity: str,
            mark: bool,
            enterprise: str | None = None,
        ) -> Valuation:
            return Valuation(
                company=target,
                valuation_date=when,
                method=method,
                equity_value=Decimal(equity),
                enterprise_value=None if enterprise is None else Decimal(enterprise),
                currency="USD",
                is_mark=mark,
            )

        valuations = [
            valuation(
                acme, date(2021, 12, 31), "trading_comparables", "12000000.00", True, "25000000.00"
            ),
            valuation(acme, date(2021, 12, 31), "dcf", "13000000.00", False),
            valuation(acme, date(2022, 12, 31), "trading_comparables", "20000000.00", True),
            valuation(borealis, date(2022, 12, 31), "trading_comparables", "14000000.00", True),
            valuation(cobalt, date(2022, 12, 31), "last_round", "3200000.00", True),
            valuation(deleted, date(2021, 12, 31), "trading_comparables", "1000000.00", True),
        ]

        def metric(
            target: PortfolioCompany,
            period_end: date,
            item: str,
            value: str,
            scenario: str = "actual",
        ) -> FinancialMetric:
            return FinancialMetric(
                company=target,
                period_end=period_end,
                period_type="quarter",
                scenario=scenario,
                line_item=item,
                value=Decimal(value),
                currency="USD",
            )

        metrics = [
            metric(acme, date(2021, 12, 31), "revenue", "1000000.50"),
            metric(acme, date(2021, 12, 31), "net_income", "100"),
            metric(acme, date(2022, 3, 31), "revenue", "1100000"),
            metric(acme, date(2022, 3, 31), "revenue", "1200000", scenario="budget"),
            metric(acme, date(2022, 6, 30), "revenue", "1150000"),
            metric(borealis, date(2022, 3, 31), "revenue", "500000"),
            metric(cobalt, date(2022, 12, 31), "revenue", "300000"),
            metric(deleted, date(2021, 12, 31), "revenue", "999"),
        ]
        kpis = [
            CompanyKPI(
                company=acme,
                period_end=date(2022, 3, 31),
                period_type="quarter",
                kpi="arr",
                value=Decimal("4000000"),
                unit="currency",
                currency="USD",
            ),
            CompanyKPI(
                company=acme,
                period_end=date(2022, 3, 31),
                period_type="quarter",
                kpi="customers",
                value=Decimal("120"),
                unit="count",
            ),
            CompanyKPI(
                company=deleted,
                period_end=date(2022, 3, 31),
                period_type="quarter",
                kpi="arr",
                value=Decimal("5"),
                unit="currency",
                currency="USD",
            ),
        ]
        diligence = [
            DueDiligenceItem(
                company=acme, category="financial", title="Quality of earnings", risk_level="high"
            ),
            DueDiligenceItem(
                company=pipeline, category="legal", title="Contracts review", risk_level="low"
            ),
            DueDiligenceItem(company=deleted, category="tax", title="Tax review"),
        ]
        initiatives = [
            ValueCreationInitiative(
                company=acme,
                lever="margin",
                title="Procurement",
                currency="USD",
                target_impact=Decimal("250000.00"),
                progress=Decimal("0.4"),
                start_date=date(2021, 1, 1),
                target_date=date(2022, 1, 1),
            ),
            ValueCreationInitiative(
                company=deleted, lever="margin", title="Hidden", currency="USD"
            ),
        ]
        index = MarketIndex(name=INDEX_NAME, currency="USD")
        index.levels = [IndexLevel(date=d, level=v) for d, v in INDEX_LEVELS]
        second_index = MarketIndex(name=SECOND_INDEX_NAME, currency="USD")
        second_index.levels = [IndexLevel(date=date(2020, 1, 1), level=Decimal("50"))]
        session.add_all(
            [
                fund_i,
                fund_ii,
                acme,
                borealis,
                cobalt,
                deleted,
                pipeline,
                acme_investment,
                borealis_i,
                borealis_ii,
                cobalt_investment,
                deleted_investment,
                *valuations,
                *metrics,
                *kpis,
                *diligence,
                *initiatives,
                index,
            ]
        )
        session.flush()
        session.add(second_index)
        session.flush()
        deleted.soft_delete()
        return HandPortfolio(
            fund_i=fund_i.id,
            fund_ii=fund_ii.id,
            acme=acme.id,
            borealis=borealis.id,
            cobalt=cobalt.id,
            deleted=deleted.id,
            pipeline=pipeline.id,
            acme_investment=acme_investment.id,
            borealis_i_investment=borealis_i.id,
            borealis_ii_investment=borealis_ii.id,
            cobalt_investment=cobalt_investment.id,
            deleted_investment=deleted_investment.id,
        )
