"""Statement figures and operating KPIs of one company.

``MetricsGrid`` is a spreadsheet-like grid: canonical line items down,
period ends across, for one company, scenario and period type. Values are
typed as printed in the statement (expenses positive, cash outflows
negative, see ``portfolio_kit.vocabulary``), in the company's currency.
Saving writes only the cells that changed: a new figure is inserted, a
changed one updated with its version check, a cleared one deleted; all in
one transaction, each audited.

``KpiForm`` edits one KPI value; percentages are fractions (0.05 is 5%).
"""

from __future__ import annotations

import enum
import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import ipywidgets as widgets
from sqlalchemy.orm import Session

from portfolio_kit.db import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.models import CompanyKPI, FinancialMetric, MetricSource, PeriodType, Scenario
from portfolio_kit.models.financials import check_period_end
from portfolio_kit.periods import add_months
from portfolio_kit.services.records import create_record, update_record
from portfolio_kit.vocabulary import KPI_UNITS, KPIS, LINE_ITEMS
from portfolio_kit.widgets._display import WidgetDisplay
from portfolio_kit.widgets._fields import FieldSpec, set_dropdown_options
from portfolio_kit.widgets._form import NEW, RecordForm
from portfolio_kit.widgets._lookups import Option, company_currency, company_options, metric_rows
from portfolio_kit.widgets._parse import enum_options, format_decimal, parse_decimal
from portfolio_kit.widgets._status import StatusBar, run_quietly
from portfolio_kit.widgets.session import ActingUser

MONTHS_PER_PERIOD = {
    PeriodType.MONTH: 1,
    PeriodType.QUARTER: 3,
    PeriodType.YEAR: 12,
    PeriodType.LTM: 3,
}
"""Spacing of the grid's columns; LTM figures are reported at each quarter end."""


def period_columns(last: date, period_type: PeriodType | str, count: int) -> list[date]:
    """``count`` period ends, oldest first, ending at ``last`` (a period end).

    Month ends stay month ends (31 Dec back one quarter is 30 Sep).
    """
    if count < 1:
        raise ValueError(f"count: must be at least 1 (got {count})")
    step = MONTHS_PER_PERIOD[PeriodType(period_type)]
    return [add_months(last, -step * back) for back in range(count - 1, -1, -1)]


def cell_key(item: str, period_end: date) -> str:
    """How errors name a cell: ``"revenue 2025-12-31"``."""
    return f"{item} {period_end:%Y-%m-%d}"


def validate_metric_cells(cells: Mapping[tuple[str, date], Any]) -> dict[str, str]:
    """Errors of raw grid cells keyed ``"revenue 2025-12-31"``; pure.

    Blank cells are valid (no figure); anything else must be a finite
    number; items must be canonical and period ends must be period ends.
    """
    errors: dict[str, str] = {}
    for (item, period_end), raw in cells.items():
        key = cell_key(item, period_end)
        if item not in LINE_ITEMS:
            errors[key] = f"unknown line item {item!r}"
            continue
        try:
            check_period_end("period_end", period_end)
            parse_decimal(raw)
        except ValidationError as exc:
            errors[key] = exc.reason
        except ValueError as exc:
            errors[key] = str(exc)
    return errors


@dataclass(frozen=True, slots=True)
class _Stored:
    id: int
    version: int
    value: Decimal


class MetricsGrid(WidgetDisplay):
    """Line items down, periods across, for one company and scenario."""

    def __init__(
        self,
        db: Database,
        *,
        user: ActingUser | None = None,
        company_id: int | None = None,
        last_period: date | None = None,
        periods: int = 4,
        scenario: str = "actual",
        period_type: str = "quarter",
    ) -> None:
        self.db = db
        self.user = user if user is not None else ActingUser.from_settings(db)
        style = {"description_width": "120px"}
        self.company = widgets.Dropdown(description="Company", options=[("—", NEW)], style=style)
        self.scenario = widgets.Dropdown(
            description="Scenario", options=enum_options(Scenario), value=scenario, style=style
        )
        self.period_type = widgets.Dropdown(
            description="Period type",
            options=enum_options(PeriodType),
            value=period_type,
            style=style,
        )
        self.last_period = widgets.DatePicker(
            description="Last period end", value=last_period, style=style
        )
        self.periods = widgets.BoundedIntText(
            description="Periods", value=periods, min=1, max=12, style=style
        )
        self.save_button = widgets.Button(
            description="Save figures", button_style="primary", icon="save"
        )
        self.status = StatusBar(on_reload=self.reload)
        self.errors_box = widgets.HTML()
        self.table = widgets.GridBox()
        self.cells: dict[tuple[str, date], widgets.Text] = {}
        self.columns: list[date] = []
        self._stored: dict[tuple[str, date], _Stored] = {}
        self._loading = False
        self.save_button.on_click(lambda _button: self.save())
        for control in (
            self.company,
            self.scenario,
            self.period_type,
            self.last_period,
            self.periods,
        ):
            control.observe(lambda _change: self._on_selection(), names="value")
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<b>Financial statements</b> (values as printed; "
                    "expenses positive, cash outflows negative)"
                ),
                widgets.HBox([self.company, self.scenario, self.period_type]),
                widgets.HBox([self.last_period, self.periods]),
                self.table,
                self.save_button,
                self.errors_box,
                self.status.widget,
            ]
        )
        self.user.observe(lambda _user: self._refresh_state())
        with self.db.session() as session:
            set_dropdown_options(self.company, [("—", NEW), *company_options(session)])
        self._loading = True
        if company_id is not None:
            self.company.value = company_id
        self._loading = False
        self.reload()

    def _plain_text(self) -> str:
        return "MetricsGrid: statement figures by period"

    def _on_selection(self) -> None:
        if not self._loading:
            self.status.run("load the figures", self.reload)

    def cell(self, item: str, period_end: date) -> widgets.Text:
        """The input of one figure (for tests and notebooks)."""
        return self.cells[(item, period_end)]

    def raw_cells(self) -> dict[tuple[str, date], str]:
        return {key: text.value for key, text in self.cells.items()}

    @property
    def errors(self) -> dict[str, str]:
        errors = validate_metric_cells(self.raw_cells())
        if not self.company.value:
            errors["company"] = "pick a company"
        if self.last_period.value is None:
            errors["last_period"] = "pick the last period end"
        else:
            try:
                check_period_end("last_period", self.last_period.value)
            except ValidationError as exc:
                errors["last_period"] = exc.reason
        return errors

    def reload(self) -> None:
        """Rebuild the grid for the current selection from the stored figures."""
        self.columns = []
        self._stored = {}
        self.cells = {}
        last = self.last_period.value
        valid_last = last is not None and not _period_error(last)
        if self.company.value and valid_last:
            self.columns = period_columns(last, self.period_type.value, int(self.periods.value))
            with self.db.session() as session:
                rows = metric_rows(
                    session,
                    int(self.company.value),
                    self.scenario.value,
                    self.period_type.value,
                    self.columns,
                )
            self._stored = {
                (row.line_item, row.period_end): _Stored(row.id, row.version, row.value)
                for row in rows
            }
        header = [widgets.HTML("<b>Line item</b>")] + [
            widgets.HTML(f"<b>{day:%Y-%m-%d}</b>") for day in self.columns
        ]
        children: list[widgets.Widget] = list(header)
        for item in LINE_ITEMS.values():
            children.append(widgets.HTML(html.escape(item.label)))
            for period_end in self.columns:
                stored = self._stored.get((item.name, period_end))
                text = widgets.Text(
                    value=format_decimal(stored.value) if stored else "",
                    layout=widgets.Layout(width="130px"),
                )
                text.observe(lambda _change: run_quietly(self._refresh_state), names="value")
                self.cells[(item.name, period_end)] = text
                children.append(text)
        self.table.children = children
        self.table.layout = widgets.Layout(
            grid_template_columns=f"260px repeat({len(self.columns)}, 140px)"
            if self.columns
            else "260px"
        )
        self._refresh_state()

    def _refresh_state(self) -> None:
        errors = self.errors
        shown = {key: message for key, message in errors.items() if key not in ("company",)}
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
        for text in self.cells.values():
            text.disabled = not writable
        self.save_button.disabled = bool(errors) or not writable or not self.cells
        if not writable:
            self.status.show(f"Read-only: {self.user.explanation}", "info")
        elif self.status.text.startswith("Read-only"):
            self.status.clear()

    def pending_changes(self) -> dict[str, list[tuple[str, date]]]:
        """The cells a save would insert, update and delete."""
        changes: dict[str, list[tuple[str, date]]] = {"insert": [], "update": [], "delete": []}
        for key, raw in self.raw_cells().items():
            value = parse_decimal(raw)
            stored = self._stored.get(key)
            if stored is None and value is not None:
                changes["insert"].append(key)
            elif stored is not None and value is None:
                changes["delete"].append(key)
            elif stored is not None and value is not None and value != stored.value:
                changes["update"].append(key)
        return changes

    def save(self) -> int:
        """Write the changed cells; returns how many figures changed (0 on failure)."""
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
        pending = self.pending_changes()
        count = sum(len(keys) for keys in pending.values())
        if not count:
            self.status.show("Nothing to save: no figure changed.", "info")
            return 0
        raw = self.raw_cells()
        company_id = int(self.company.value)
        scenario, period_type, actor = self.scenario.value, self.period_type.value, self.user.actor

        def write() -> int:
            with self.db.session(actor) as session:
                currency = company_currency(session, company_id)
                for item, period_end in pending["insert"]:
                    values = {
                        "company_id": company_id,
                        "period_end": period_end,
                        "period_type": period_type,
                        "scenario": scenario,
                        "line_item": item,
                        "value": parse_decimal(raw[(item, period_end)]),
                        "currency": currency,
                        "source": MetricSource.MANUAL,
                    }
                    _named(
                        cell_key(item, period_end),
                        lambda v=values: create_record(session, FinancialMetric, v),
                    )
                for key in pending["update"]:
                    stored = self._stored[key]
                    changes = {"value": parse_decimal(raw[key]), "source": MetricSource.MANUAL}
                    update_record(
                        session,
                        FinancialMetric,
                        stored.id,
                        expected_version=stored.version,
                        changes=changes,
                    )
                for key in pending["delete"]:
                    stored = self._stored[key]
                    record = update_record(
                        session,
                        FinancialMetric,
                        stored.id,
                        expected_version=stored.version,
                        changes={},
                    )
                    session.delete(record)
            return count

        saved = self.status.run("save the figures", write)
        if not saved:
            return 0
        self.reload()
        words = {"insert": "added", "update": "updated", "delete": "deleted"}
        parts = ", ".join(f"{len(keys)} {words[kind]}" for kind, keys in pending.items() if keys)
        self.status.show(f"Saved {saved} figure{'s' if saved != 1 else ''} ({parts}).", "ok")
        return saved


def _named(key: str, action: Any) -> Any:
    """Re-raise a model refusal under the cell's name, so the message says which cell."""
    try:
        return action()
    except ValidationError as exc:
        raise ValidationError(key, exc.reason) from exc


def _period_error(day: date) -> str | None:
    try:
        check_period_end("last_period", day)
    except ValidationError as exc:
        return exc.reason
    return None


KpiUnit = enum.StrEnum("KpiUnit", {unit.upper(): unit for unit in sorted(KPI_UNITS)})  # type: ignore[misc]
"""The units a KPI may have, as a choice for the form."""


def _kpi_unit_matches(parsed: Mapping[str, Any]) -> dict[str, str]:
    known = KPIS.get(parsed.get("kpi") or "")
    unit = parsed.get("unit")
    if known is not None and unit is not None and known.unit != str(getattr(unit, "value", unit)):
        return {"unit": f"{known.name} is measured in {known.unit}"}
    return {}


class KpiForm(RecordForm):
    """One KPI value of a company for a period (percent KPIs as fractions: 0.05 is 5%).

    Picking a known KPI sets its unit; currency KPIs take the company's
    currency unless typed otherwise.
    """

    model = CompanyKPI
    title = "KPI"
    scope = "company_id"
    specs = (
        FieldSpec("company_id", "Company", "reference", required=True),
        FieldSpec("kpi", "KPI", required=True, max_length=64, suggestions=tuple(KPIS)),
        FieldSpec("period_end", "Period end", "date", required=True),
        FieldSpec(
            "period_type",
            "Period type",
            "choice",
            required=True,
            choices=PeriodType,
            default="quarter",
        ),
        FieldSpec("scenario", "Scenario", "choice", required=True, choices=Scenario),
        FieldSpec("value", "Value", "number", required=True),
        FieldSpec("unit", "Unit", "choice", required=True, choices=KpiUnit, default="currency"),
        FieldSpec("currency", "Currency", "currency"),
    )
    cross_checks = (_kpi_unit_matches,)

    def __init__(
        self, db: Database, *, user: ActingUser | None = None, scope_id: int | None = None
    ) -> None:
        super().__init__(db, user=user, scope_id=scope_id)
        self.fields["kpi"].observe(lambda _change: run_quietly(self._fill_unit))

    def _reference_options(self, session: Session) -> dict[str, list[Option]]:
        return {"company_id": company_options(session)}

    def _option_label(self, record: Any) -> str:
        value = format_decimal(record.value)
        return f"{record.period_end:%Y-%m-%d} {record.kpi} ({record.scenario.value}): {value}"

    def _picker_order(self) -> list[Any]:
        return [CompanyKPI.period_end.desc(), CompanyKPI.kpi]

    def _fill_unit(self) -> None:
        if self._busy:
            return
        known = KPIS.get(self.fields["kpi"].value.strip())
        if known is not None:
            self.fields["unit"].value = known.unit
        if (
            known is not None
            and known.unit == "currency"
            and not self.fields["currency"].value
            and self.scope_id
        ):
            with self.db.session() as session:
                self.fields["currency"].value = company_currency(session, self.scope_id) or ""

    def _changes(self, parsed: Mapping[str, Any]) -> dict[str, Any]:
        changes = super()._changes(parsed)
        changes["unit"] = str(getattr(changes["unit"], "value", changes["unit"]))
        if changes["unit"] != "currency":
            changes["currency"] = None
        if self.record_id is not None:
            changes["source"] = MetricSource.MANUAL
        return changes

    def _derived(self, session: Session, changes: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(changes)
        if values["unit"] == "currency" and values.get("currency") is None:
            values["currency"] = company_currency(session, values["company_id"])
        return values
