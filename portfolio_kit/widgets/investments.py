"""A fund's position in a company: entry terms, ownership and exit.

Ownership is typed as a percentage (60 for 60%) and stored as a fraction.
Entry figures are in the investment's currency, as the deal was signed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portfolio_kit.models import Investment
from portfolio_kit.widgets._fields import FieldSpec
from portfolio_kit.widgets._form import RecordForm
from portfolio_kit.widgets._lookups import Option, company_options, fund_options, investment_options


class InvestmentForm(RecordForm):
    """Create or edit an investment (one per fund and company)."""

    model = Investment
    title = "Investment"
    specs = (
        FieldSpec("fund_id", "Fund", "reference", required=True),
        FieldSpec("company_id", "Company", "reference", required=True),
        FieldSpec("entry_date", "Entry date", "date", required=True),
        FieldSpec("equity_invested", "Equity invested", "number", required=True),
        FieldSpec("ownership", "Ownership (%)", "percent", required=True),
        FieldSpec("currency", "Currency", "currency", required=True, default="USD"),
        FieldSpec("entry_enterprise_value", "Entry enterprise value", "number"),
        FieldSpec("entry_revenue", "Entry LTM revenue", "number"),
        FieldSpec("entry_ebitda", "Entry LTM EBITDA", "number"),
        FieldSpec("entry_net_debt", "Entry net debt", "number"),
        FieldSpec("exit_date", "Exit date", "date"),
        FieldSpec("exit_proceeds", "Exit proceeds", "number"),
    )

    def _reference_options(self, session: Session) -> dict[str, list[Option]]:
        return {"fund_id": fund_options(session), "company_id": company_options(session)}

    def _picker_options(self, session: Session, scope_id: int | None) -> list[Option]:
        return investment_options(session)

    def _option_label(self, record: Any) -> str:
        return str(record.audit_label())
