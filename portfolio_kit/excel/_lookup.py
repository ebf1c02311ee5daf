"""Finding the company or fund a user named, with an error that lists what exists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio_kit.errors import NotFoundError
from portfolio_kit.models import Fund, PortfolioCompany

_LISTED = 12


def _known(names: list[str]) -> str:
    if not names:
        return "none yet"
    shown = ", ".join(repr(name) for name in names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")


def find_company(session: Session, company: PortfolioCompany | int | str) -> PortfolioCompany:
    """The company given by object, id or exact name.

    Raises
    ------
    NotFoundError
        When no (non-deleted) company matches; the message lists known names.
    """
    if isinstance(company, PortfolioCompany):
        return company
    if isinstance(company, bool) or not isinstance(company, int | str):
        raise NotFoundError(f"company: expected a name or id, got {type(company).__name__}")
    if isinstance(company, int):
        found = session.get(PortfolioCompany, company)
        if found is None:
            raise NotFoundError(f"company: no portfolio company with id {company}")
        return found
    found = session.scalar(select(PortfolioCompany).where(PortfolioCompany.name == company))
    if found is None:
        names = list(session.scalars(select(PortfolioCompany.name).order_by(PortfolioCompany.name)))
        raise NotFoundError(
            f"company: no portfolio company named {company!r} (companies: {_known(names)})"
        )
    return found


def find_fund(session: Session, fund: Fund | int | str) -> Fund:
    """The fund given by object, id or exact name; ``NotFoundError`` lists known names."""
    if isinstance(fund, Fund):
        return fund
    if isinstance(fund, bool) or not isinstance(fund, int | str):
        raise NotFoundError(f"fund: expected a name or id, got {type(fund).__name__}")
    if isinstance(fund, int):
        found = session.get(Fund, fund)
        if found is None:
            raise NotFoundError(f"fund: no fund with id {fund}")
        return found
    found = session.scalar(select(Fund).where(Fund.name == fund))
    if found is None:
        names = list(session.scalars(select(Fund.name).order_by(Fund.name)))
        raise NotFoundError(f"fund: no fund named {fund!r} (funds: {_known(names)})")
    return found
