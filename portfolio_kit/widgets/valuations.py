"""Company valuations: the quarterly marks and the cross-checks beside them.

A valuation is of 100% of the company's equity; "Mark" says the funds carry
the company at this value (a DCF cross-check is not a mark). The currency
defaults to the company's reporting currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from portfolio_kit.models import Valuation, ValuationMethod
from portfolio_kit.widgets._fields import FieldSpec
from portfolio_kit.widgets._form import RecordForm
from portfolio_kit.widgets._lookups import Option, company_currency, company_options
from portfolio_kit.widgets._parse import format_decimal


class ValuationForm(RecordForm):
    """Create or edit a company valuation."""

    model = Valuation
    title = "Valuation"
    scope = "company_id"
    specs = (
        FieldSpec("company_id", "Company", "reference", required=True),
        FieldSpec("valuation_date", "Valuation date", "date", required=True),
        FieldSpec("method", "Method", "choice", required=True, choices=ValuationMethod),
        FieldSpec("equity_value", "Equity value (100%)", "number", required=True),
        FieldSpec("enterprise_value", "Enterprise value", "number"),
        FieldSpec("implied_multiple", "Implied EV/EBITDA (x)", "number"),
        FieldSpec("currency", "Currency", "currency"),
        FieldSpec("is_mark", "Mark (carried at this value)", "flag", default=True),
        FieldSpec("notes", "Notes", "long_text"),
    )

    def _reference_options(self, session: Session) -> dict[str, list[Option]]:
        return {"company_id": company_options(session)}

    def _option_label(self, record: Any) -> str:
        mark = " (mark)" if record.is_mark else ""
        return (
            f"{record.valuation_date:%Y-%m-%d} {record.method.value.replace('_', ' ')}: "
            f"{format_decimal(record.equity_value)} {record.currency}{mark}"
        )

    def _picker_order(self) -> list[Any]:
        return [Valuation.valuation_date.desc()]

    def _derived(self, session: Session, changes: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(changes)
        if values.get("currency") is None:
            values["currency"] = company_currency(session, values["company_id"])
        return values
