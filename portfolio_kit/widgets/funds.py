"""Funds, their quarterly NAVs and their LP cash flows.

Amounts are typed as positive magnitudes, as the database stores them; the
kind of a cash flow (capital call, fee, distribution...) decides its
direction, so an analyst never types a sign. NAVs and cash flows take the
fund's currency: a fund reports in one currency.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
from sqlalchemy.orm import Session

from portfolio_kit.db import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.models import CashFlowKind, Fund, FundCashFlow, FundNav, FundStatus, FundStrategy
from portfolio_kit.services.records import create_record
from portfolio_kit.widgets._display import WidgetDisplay
from portfolio_kit.widgets._fields import Field, FieldSpec, set_dropdown_options
from portfolio_kit.widgets._form import NEW, RecordForm, check_values
from portfolio_kit.widgets._lookups import (
    Option,
    fund_currency,
    fund_options,
    recent_fund_cash_flows,
)
from portfolio_kit.widgets._parse import blank, format_decimal
from portfolio_kit.widgets._status import StatusBar, run_quietly
from portfolio_kit.widgets.session import ActingUser

_FUND = FieldSpec("fund_id", "Fund", "reference", required=True)


class FundForm(RecordForm):
    """A fund's terms: vintage, size, strategy, closes, fee and carry.

    Rates are typed as percentages (2 for a 2% management fee) and stored as
    fractions (0.02).
    """

    model = Fund
    title = "Fund"
    specs = (
        FieldSpec("name", "Name", required=True, max_length=200),
        FieldSpec("vintage_year", "Vintage year", "integer", required=True),
        FieldSpec("currency", "Currency", "currency", required=True, default="USD"),
        FieldSpec("strategy", "Strategy", "choice", required=True, choices=FundStrategy),
        FieldSpec("status", "Status", "choice", required=True, choices=FundStatus),
        FieldSpec("total_commitments", "Commitments", "number", required=True),
        FieldSpec("target_size", "Target size", "number"),
        FieldSpec("first_close_date", "First close", "date"),
        FieldSpec("final_close_date", "Final close", "date"),
        FieldSpec("management_fee_rate", "Management fee (%)", "percent"),
        FieldSpec("carried_interest_rate", "Carried interest (%)", "percent"),
        FieldSpec("hurdle_rate", "Hurdle rate (%)", "percent"),
    )

    def _option_label(self, record: Any) -> str:
        return str(record.name)

    def _picker_order(self) -> list[Any]:
        return [Fund.name]


class FundNavForm(RecordForm):
    """The NAV a fund reported for a calendar quarter end, in the fund's currency."""

    model = FundNav
    title = "Fund NAV"
    scope = "fund_id"
    specs = (
        _FUND,
        FieldSpec("as_of", "Quarter end", "date", required=True),
        FieldSpec("nav", "NAV", "number", required=True),
    )

    def _reference_options(self, session: Session) -> dict[str, list[Option]]:
        return {"fund_id": fund_options(session)}

    def _option_label(self, record: Any) -> str:
        return f"{record.as_of:%Y-%m-%d}: {format_decimal(record.nav)} {record.currency}"

    def _picker_order(self) -> list[Any]:
        return [FundNav.as_of.desc()]

    def _derived(self, session: Session, changes: Mapping[str, Any]) -> dict[str, Any]:
        return {**changes, "currency": fund_currency(session, changes["fund_id"])}


CASH_FLOW_COLUMNS = (
    FieldSpec("date", "Date", "date", required=True),
    FieldSpec("kind", "Kind", "choice", required=True, choices=CashFlowKind),
    FieldSpec("amount", "Amount", "number", required=True),
    FieldSpec("notes", "Notes", "text", max_length=2000),
)


def _row_blank(row: Mapping[str, Any]) -> bool:
    """A row the analyst did not fill: no date, no amount, no notes."""
    return blank(row.get("date")) and blank(row.get("amount")) and blank(row.get("notes"))


def validate_cash_flow_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Errors of a batch of raw cash-flow rows, keyed ``"row 2: amount"``; pure.

    Blank rows are ignored; an empty batch is an error of its own (``rows``).
    """
    errors: dict[str, str] = {}
    filled = 0
    for index, row in enumerate(rows, start=1):
        if _row_blank(row):
            continue
        filled += 1
        _parsed, row_errors = check_values(CASH_FLOW_COLUMNS, row, FundCashFlow)
        errors.update({f"row {index}: {field}": message for field, message in row_errors.items()})
    if not filled:
        errors["rows"] = "enter at least one cash flow"
    return errors


class CashFlowGrid(WidgetDisplay):
    """Enter a batch of capital calls, fees and distributions for one fund.

    The batch is written in one transaction (every flow or none), each flow
    with its own audit row. The fund's recent flows are listed below, so the
    analyst sees what is already recorded.
    """

    def __init__(
        self,
        db: Database,
        *,
        user: ActingUser | None = None,
        rows: int = 5,
        fund_id: int | None = None,
    ) -> None:
        self.db = db
        self.user = user if user is not None else ActingUser.from_settings(db)
        self.fund = Field(_FUND)
        self.rows: list[dict[str, Field]] = []
        self.grid = widgets.VBox()
        self.add_row_button = widgets.Button(description="Add row", icon="plus")
        self.save_button = widgets.Button(
            description="Save cash flows", button_style="primary", icon="save"
        )
        self.status = StatusBar(on_reload=self.reload)
        self.recent = widgets.HTML()
        self.errors_box = widgets.HTML()
        header = widgets.HBox(
            [
                widgets.HTML(
                    f"<b>{spec.label}</b>", layout=widgets.Layout(width=_WIDTHS[spec.name])
                )
                for spec in CASH_FLOW_COLUMNS
            ]
        )
        self.add_row_button.on_click(lambda _button: self.add_row())
        self.save_button.on_click(lambda _button: self.save())
        self.fund.observe(lambda _change: run_quietly(self._on_fund))
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<b>Fund cash flows</b> "
                    "(amounts as positive numbers; the kind gives the direction)"
                ),
                self.fund.widget,
                header,
                self.grid,
                widgets.HBox([self.add_row_button, self.save_button]),
                self.errors_box,
                self.status.widget,
                self.recent,
            ]
        )
        for _ in range(rows):
            self.add_row()
        self.user.observe(lambda _user: self._refresh_state())
        self.reload()
        if fund_id is not None:
            self.fund.value = fund_id

    def _plain_text(self) -> str:
        return "CashFlowGrid: fund cash flows"

    def add_row(self) -> dict[str, Field]:
        row = {spec.name: Field(spec, width=_WIDTHS[spec.name]) for spec in CASH_FLOW_COLUMNS}
        for field in row.values():
            field.observe(lambda _change: run_quietly(self._refresh_state))
        self.rows.append(row)
        self.grid.children = [
            widgets.HBox([field.input for field in cells.values()]) for cells in self.rows
        ]
        self._refresh_state()
        return row

    def row_values(self) -> list[dict[str, Any]]:
        return [{name: field.value for name, field in row.items()} for row in self.rows]

    @property
    def errors(self) -> dict[str, str]:
        errors = validate_cash_flow_rows(self.row_values())
        if not self.fund.value:
            errors = {"fund_id": "pick a fund", **errors}
        return errors

    def reload(self) -> None:
        with self.db.session() as session:
            set_dropdown_options(self.fund.input, [("—", NEW), *fund_options(session)])
        self._on_fund()

    def _on_fund(self) -> None:
        self._show_recent()
        self._refresh_state()

    def _show_recent(self, limit: int = 8) -> None:
        fund_id = self.fund.value
        if not fund_id:
            self.recent.value = ""
            return
        with self.db.session() as session:
            flows = recent_fund_cash_flows(session, int(fund_id), limit)
        self.recent.value = _flows_table(flows, "Latest recorded cash flows")

    def _refresh_state(self) -> None:
        errors = self.errors
        shown = {key: message for key, message in errors.items() if key not in ("rows", "fund_id")}
        self.errors_box.value = (
            "<ul>"
            + "".join(
                f'<li style="color:#b00020">{html.escape(k)}: {html.escape(v)}</li>'
                for k, v in shown.items()
            )
            + "</ul>"
            if shown
            else ""
        )
        writable = self.user.can_write
        self.save_button.disabled = bool(errors) or not writable
        for row in self.rows:
            for field in row.values():
                field.disabled = not writable
        if not writable:
            self.status.show(f"Read-only: {self.user.explanation}", "info")
        elif self.status.text.startswith("Read-only"):
            self.status.clear()

    def save(self) -> int:
        """Write every filled row; returns how many flows were saved (0 on failure)."""
        if not self.user.can_write:
            self.status.show(f"Not saved: {self.user.explanation}", "error")
            return 0
        errors = self.errors
        if errors:
            self._refresh_state()
            self.status.show(
                "Not saved: " + "; ".join(f"{k}: {v}" for k, v in errors.items()), "error"
            )
            return 0
        fund_id = int(self.fund.value)
        batch = []
        for row in self.row_values():
            if _row_blank(row):
                continue
            parsed, _errors = check_values(CASH_FLOW_COLUMNS, row)
            batch.append(parsed)
        actor = self.user.actor

        def write() -> int:
            with self.db.session(actor) as session:
                currency = fund_currency(session, fund_id)
                for index, parsed in enumerate(batch, start=1):
                    try:
                        create_record(
                            session,
                            FundCashFlow,
                            {**parsed, "fund_id": fund_id, "currency": currency},
                        )
                    except ValidationError as exc:
                        raise ValidationError(f"row {index}: {exc.field}", exc.reason) from exc
            return len(batch)

        saved = self.status.run("save the cash flows", write)
        if not saved:
            return 0
        for row in self.rows:
            for field in row.values():
                field.clear()
        self._on_fund()
        self.status.show(f"Saved {saved} cash flow{'s' if saved != 1 else ''}.", "ok")
        return saved


_WIDTHS = {"date": "160px", "kind": "190px", "amount": "160px", "notes": "260px"}


def _flows_table(flows: Sequence[FundCashFlow], caption: str) -> str:
    if not flows:
        return "<i>No cash flows recorded yet.</i>"
    rows = "".join(
        f"<tr><td>{flow.date:%Y-%m-%d}</td>"
        f"<td>{html.escape(flow.kind.value.replace('_', ' '))}</td>"
        f"<td style='text-align:right'>{format_decimal(flow.amount)}</td>"
        f"<td>{html.escape(flow.currency)}</td>"
        f"<td>{html.escape(flow.notes or '')}</td></tr>"
        for flow in flows
    )
    return (
        f"<table><caption style='text-align:left'>{html.escape(caption)}</caption>"
        "<tr><th>Date</th><th>Kind</th><th>Amount</th><th>Currency</th><th>Notes</th></tr>"
        f"{rows}</table>"
    )
