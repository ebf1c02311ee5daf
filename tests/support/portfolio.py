"""A small, fully specified portfolio for database tests.

Every value is written here by hand, so tests can state what they expect
without asking the code under test. The seed runs as the system actor; tests
act afterwards as ``ANALYST`` or ``PARTNER``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portfolio_kit import Database
from portfolio_kit.audit import Actor
from portfolio_kit.models import (
    Document,
    Fund,
    Investment,
    MarketIndex,
    PortfolioCompany,
    Role,
    User,
)

ANALYST_EMAIL = "ann.analyst@example.com"
PARTNER_EMAIL = "pat.partner@example.com"
ADMIN_EMAIL = "ada.admin@example.com"

UNUSABLE_PASSWORD_HASH = "not-an-argon2-hash: this seeded account cannot sign in"
"""Seeded users never sign in, so they skip argon2's deliberate slowness;
``verify_password`` refuses this string as a malformed hash."""


@dataclass(frozen=True, slots=True)
class SmallPortfolio:
    """Primary keys of the seeded rows."""

    fund_id: int
    second_fund_id: int
    company_id: int
    second_company_id: int
    investment_id: int
    document_id: int
    market_index_id: int
    admin_id: int
    analyst_id: int
    partner_id: int

    @property
    def analyst(self) -> Actor:
        return Actor(email=ANALYST_EMAIL, role=Role.ANALYST, user_id=self.analyst_id)

    @property
    def partner(self) -> Actor:
        return Actor(email=PARTNER_EMAIL, role=Role.PARTNER, user_id=self.partner_id)


def seed_small_portfolio(database: Database) -> SmallPortfolio:
    """Two funds, two companies (one invested in), a document, an index, three users.

    Summit Partners III: USD 500m buyout fund of vintage 2020, first close
    31 Mar 2020. Acme Software is held at 60% since 15 Jan 2021.
    """
    with database.session() as session:
        fund = Fund(
            name="Summit Partners III",
            vintage_year=2020,
            currency="USD",
            strategy="buyout",
            status="investing",
            total_commitments=Decimal("500000000.00"),
            first_close_date=date(2020, 3, 31),
        )
        second_fund = Fund(
            name="Summit Growth I",
            vintage_year=2022,
            currency="USD",
            strategy="growth",
            status="investing",
            total_commitments=Decimal("150000000.00"),
            first_close_date=date(2022, 6, 30),
        )
        company = PortfolioCompany(
            name="Acme Software", sector="Software", geography="North America",
            currency="USD", status="invested",
        )
        second_company = PortfolioCompany(
            name="Borealis Logistics", sector="Logistics", geography="Europe",
            currency="USD", status="pipeline",
        )
        investment = Investment(
            fund=fund,
            company=company,
            entry_date=date(2021, 1, 15),
            equity_invested=Decimal("60000000.00"),
            ownership=Decimal("0.60000000"),
            currency="USD",
        )
        document = Document(
            file_name="acme_2023_annual_report.pdf",
            content_hash="a" * 64,
            size_bytes=123456,
            storage_path="documents/aa/acme_2023_annual_report.pdf",
            kind="annual_report",
        )
        index = MarketIndex(name="MSCI World Net TR", currency="USD")
        users = [
            User(email=email, name=name, password_hash=UNUSABLE_PASSWORD_HASH, role=role, active=True)
            for email, name, role in (
                (ADMIN_EMAIL, "Ada Admin", Role.ADMIN),
                (ANALYST_EMAIL, "Ann Analyst", Role.ANALYST),
                (PARTNER_EMAIL, "Pat Partner", Role.PARTNER),
            )
        ]
        session.add_all([fund, second_fund, company, second_company, investment, document, index, *users])
        session.flush()
        admin, analyst, partner = users
        return SmallPortfolio(
            fund_id=fund.id,
            second_fund_id=second_fund.id,
            company_id=company.id,
            second_company_id=second_company.id,
            investment_id=investment.id,
            document_id=document.id,
            market_index_id=index.id,
            admin_id=admin.id,
            analyst_id=analyst.id,
            partner_id=partner.id,
        )
