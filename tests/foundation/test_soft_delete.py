"""Soft-deleted companies vanish from ORM queries but keep their history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, text

from portfolio_kit import Database
from portfolio_kit.models import Investment, PortfolioCompany
from tests.support.portfolio import seed_small_portfolio


def _seed_two_holdings(database: Database) -> tuple[int, int]:
    """Acme (seeded, held since 2021) and Borealis, now also held: two investments."""
    portfolio = seed_small_portfolio(database)
    with database.session(portfolio.analyst) as session:
        session.add(Investment(fund_id=portfolio.fund_id, company_id=portfolio.second_company_id,
                               entry_date=date(2022, 5, 2), equity_invested=Decimal("30000000.00"),
                               ownership=Decimal("0.40000000"), currency="USD"))
    return portfolio.company_id, portfolio.second_company_id


def test_deleted_company_vanishes_from_queries_and_joins(any_db: Database) -> None:
    acme, borealis = _seed_two_holdings(any_db)
    with any_db.session() as session:
        session.get(PortfolioCompany, acme).soft_delete()

    with any_db.session() as session:
        assert session.scalars(select(PortfolioCompany.name)).all() == ["Borealis Logistics"]
        assert session.scalar(select(func.count()).select_from(PortfolioCompany)) == 1
        assert session.get(PortfolioCompany, acme) is None
        held = session.scalars(
            select(PortfolioCompany.name).select_from(Investment).join(Investment.company)
        ).all()
        assert held == ["Borealis Logistics"]
        joined_investments = session.scalars(select(Investment.company_id).join(Investment.company)).all()
        assert joined_investments == [borealis]

    with any_db.engine.connect() as connection:
        # The row is still stored: only the ORM sessions hide it.
        assert connection.execute(text("SELECT count(*) FROM portfolio_companies")).scalar() == 2


def test_deleted_company_is_visible_with_include_deleted(any_db: Database) -> None:
    acme, _borealis = _seed_two_holdings(any_db)
    with any_db.session() as session:
        session.get(PortfolioCompany, acme).soft_delete()
    with any_db.session() as session:
        names = session.scalars(
            select(PortfolioCompany.name).order_by(PortfolioCompany.name).execution_options(include_deleted=True)
        ).all()
        assert names == ["Acme Software", "Borealis Logistics"]
        deleted = session.get(PortfolioCompany, acme, execution_options={"include_deleted": True})
        assert deleted is not None and deleted.is_deleted


def test_restored_company_reappears(any_db: Database) -> None:
    acme, _borealis = _seed_two_holdings(any_db)
    with any_db.session() as session:
        session.get(PortfolioCompany, acme).soft_delete()
    with any_db.session() as session:
        session.get(PortfolioCompany, acme, execution_options={"include_deleted": True}).restore()
    with any_db.session() as session:
        names = session.scalars(select(PortfolioCompany.name).order_by(PortfolioCompany.name)).all()
        assert names == ["Acme Software", "Borealis Logistics"]
        assert session.get(PortfolioCompany, acme).deleted_at is None
