"""Building a DCF or LBO model for a company, and downloading its workbook.

The analyst picks a company; its stored history fills starting assumptions
(``portfolio_kit.excel.company_models``), which the analyst adjusts. The
headline outputs (enterprise and equity value, or IRR and MOIC) are those
of ``portfolio_kit.analytics`` for exactly the assumptions shown, and
"Build workbook" produces the Excel model (live formulas) as a download link
that works in JupyterLab and in Voila.

Percentages are typed as percentages (8 for 8%); a per-year driver takes one
number for every year or one per year ("10, 9, 8, 7, 6").
"""

from __future__ import annotations

import enum
import html
import io
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import ipywidgets as widgets

from portfolio_kit.analytics.lbo import DebtTranche, LboAssumptions, LboResult, lbo_returns
from portfolio_kit.analytics.valuation import TERMINAL_METHODS, DcfAssumptions, DcfResult, dcf
from portfolio_kit.db import Database
from portfolio_kit.excel.company_models import (
    company_dcf,
    company_lbo,
    dcf_assumptions_for,
    lbo_assumptions_for,
)
from portfolio_kit.widgets._display import WidgetDisplay
from portfolio_kit.widgets._fields import Field, FieldSpec, set_dropdown_options
from portfolio_kit.widgets._form import NEW, check_values
from portfolio_kit.widgets._lookups import company_name, company_options
from portfolio_kit.widgets._parse import format_decimal, format_percent_list
from portfolio_kit.widgets._status import StatusBar, run_quietly
from portfolio_kit.widgets.download import download_html

TerminalMethod = enum.StrEnum("TerminalMethod", {name.upper(): name for name in TERMINAL_METHODS})  # type: ignore[misc]

DCF = "dcf"
LBO = "lbo"
TRANCHES = 2
"""Debt tranches the LBO form offers (senior and junior cover most deals)."""

DCF_SPECS = (
    FieldSpec("years", "Projection years", "integer", required=True, default="5"),
    FieldSpec("base_revenue", "Base-year revenue", "number", required=True),
    FieldSpec("revenue_growth", "Revenue growth (%)", "percents", required=True),
    FieldSpec("ebitda_margin", "EBITDA margin (%)", "percents", required=True),
    FieldSpec("depreciation_pct_revenue", "D&A (% revenue)", "percents", required=True),
    FieldSpec("capex_pct_revenue", "Capex (% revenue)", "percents", required=True),
    FieldSpec("nwc_pct_revenue", "Working capital (% rev.)", "percents", required=True),
    FieldSpec("tax_rate", "Tax rate (%)", "percent", required=True, default="25"),
    FieldSpec("wacc", "WACC (%)", "percent", required=True, default="10"),
    FieldSpec("terminal_method", "Terminal value", "choice", required=True, choices=TerminalMethod),
    FieldSpec("terminal_growth", "Terminal growth (%)", "percent", signed=True, default="2.5"),
    FieldSpec("exit_multiple", "Exit multiple (x EBITDA)", "number"),
    FieldSpec("mid_year", "Mid-year discounting", "flag"),
    FieldSpec("net_debt", "Net debt", "number", default="0"),
    FieldSpec("shares_outstanding", "Diluted shares", "number"),
)

_TRANCHE_FIELDS = ("name", "amount", "interest_rate", "amortization_rate", "cash_sweep")

LBO_SPECS = (
    FieldSpec("years", "Holding years", "integer", required=True, default="5"),
    FieldSpec("entry_ebitda", "Entry EBITDA", "number", required=True),
    FieldSpec("entry_multiple", "Entry multiple (x)", "number", required=True),
    FieldSpec("exit_multiple", "Exit multiple (x)", "number", required=True),
    FieldSpec("ebitda_growth", "EBITDA growth (%)", "percents", required=True),
    FieldSpec("transaction_fees", "Transaction fees", "number", default="0"),
    FieldSpec("minimum_cash", "Minimum cash", "number", default="0"),
    FieldSpec("tax_rate", "Tax rate (%)", "percent", default="25"),
    FieldSpec("depreciation_pct_ebitda", "D&A (% EBITDA)", "percent", signed=True, default="0"),
    FieldSpec("capex_pct_ebitda", "Capex (% EBITDA)", "percent", signed=True, default="0"),
    FieldSpec("nwc_pct_ebitda", "NWC (% EBITDA growth)", "percent", signed=True, default="0"),
    FieldSpec("sweep_share", "Cash sweep (%)", "percent", default="100"),
    FieldSpec("existing_net_debt", "Target's net debt", "number", default="0"),
    *(
        spec
        for index in range(1, TRANCHES + 1)
        for spec in (
            FieldSpec(f"tranche{index}_name", f"Tranche {index} name", max_length=60),
            FieldSpec(f"tranche{index}_amount", f"Tranche {index} amount", "number"),
            FieldSpec(
                f"tranche{index}_interest_rate",
                f"Tranche {index} interest (%)",
                "percent",
                signed=True,
            ),
            FieldSpec(
                f"tranche{index}_amortization_rate", f"Tranche {index} amortisation (%)", "percent"
            ),
            FieldSpec(f"tranche{index}_cash_sweep", f"Tranche {index} takes the sweep", "flag"),
        )
    ),
)

SPECS = {DCF: DCF_SPECS, LBO: LBO_SPECS}
_PER_YEAR = {
    DCF: (
        "revenue_growth",
        "ebitda_margin",
        "depreciation_pct_revenue",
        "capex_pct_revenue",
        "nwc_pct_revenue",
    ),
    LBO: ("ebitda_growth",),
}


def _per_year(name: str, values: tuple[Decimal, ...], years: int) -> list[float]:
    if len(values) == 1:
        return [float(values[0])] * years
    if len(values) != years:
        raise ValueError(
            f"needs {years} values (one per year) or one for every year, got {len(values)}"
        )
    return [float(value) for value in values]


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def build_assumptions(
    kind: str, values: Mapping[str, Any]
) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """The analytics assumptions for raw form values; pure.

    Returns ``(assumptions, extras, errors)``: ``assumptions`` is a
    ``DcfAssumptions`` or ``LboAssumptions`` (None when ``errors`` is not
    empty), ``extras`` holds what the workbook needs beyond them (the LBO
    target's existing net debt), and ``errors`` maps each field to a
    sentence.
    """
    if kind not in SPECS:
        raise ValueError(f"kind: must be {DCF!r} or {LBO!r} (got {kind!r})")
    parsed, errors = check_values(SPECS[kind], values)
    years = parsed.get("years")
    if "years" not in errors and (years is None or not 1 <= years <= 30):
        errors["years"] = f"must be between 1 and 30 (got {years})"
    if errors:
        return None, {}, errors
    data: dict[str, Any] = {}
    for name in _PER_YEAR[kind]:
        try:
            data[name] = _per_year(name, parsed[name], years)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        return None, {}, errors
    extras: dict[str, Any] = {}
    if kind == DCF:
        data.update(
            base_revenue=_float(parsed["base_revenue"]),
            tax_rate=_float(parsed["tax_rate"]),
            wacc=_float(parsed["wacc"]),
            terminal_method=str(parsed["terminal_method"].value),
            terminal_growth=_float(parsed["terminal_growth"])
            if parsed["terminal_growth"] is not None
            else 0.0,
            exit_multiple=_float(parsed["exit_multiple"]),
            mid_year=bool(parsed["mid_year"]),
            net_debt=_float(parsed["net_debt"]) or 0.0,
            shares_outstanding=_float(parsed["shares_outstanding"]),
        )
        cls: type = DcfAssumptions
    else:
        tranches, tranche_errors = _tranches(parsed)
        errors.update(tranche_errors)
        if errors:
            return None, {}, errors
        specs = {spec.name: spec for spec in LBO_SPECS}
        for name in (
            "entry_ebitda",
            "entry_multiple",
            "exit_multiple",
            "transaction_fees",
            "minimum_cash",
            "tax_rate",
            "depreciation_pct_ebitda",
            "capex_pct_ebitda",
            "nwc_pct_ebitda",
            "sweep_share",
        ):
            value = parsed[name]
            # A cleared optional input falls back to the default the form started with.
            data[name] = float(
                value if value is not None else specs[name].parse(specs[name].default or "0")
            )
        data["tranches"] = tranches
        extras["existing_net_debt"] = _float(parsed["existing_net_debt"]) or 0.0
        cls = LboAssumptions
    try:
        return cls(**data), extras, {}
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        field = field.split("[")[0].split(".")[0]
        return None, {}, {field if message else "assumptions": message or str(exc)}


def _tranches(parsed: Mapping[str, Any]) -> tuple[list[DebtTranche], dict[str, str]]:
    tranches, errors = [], {}
    for index in range(1, TRANCHES + 1):
        name = parsed.get(f"tranche{index}_name")
        amount = parsed.get(f"tranche{index}_amount")
        if name is None and amount is None:
            continue
        prefix = f"tranche{index}_"
        if name is None:
            errors[prefix + "name"] = "is required for a tranche with an amount"
            continue
        if amount is None:
            errors[prefix + "amount"] = "is required for a named tranche"
            continue
        try:
            tranches.append(
                DebtTranche(
                    name=name,
                    amount=float(amount),
                    interest_rate=_float(parsed.get(prefix + "interest_rate")) or 0.0,
                    amortization_rate=_float(parsed.get(prefix + "amortization_rate")) or 0.0,
                    cash_sweep=bool(parsed.get(prefix + "cash_sweep")),
                )
            )
        except ValueError as exc:
            field, _, message = str(exc).partition(": ")
            attribute = field.rsplit(".", 1)[-1] if "." in field else "name"
            errors[prefix + attribute] = message or str(exc)
    return tranches, errors


def assumption_values(
    kind: str, assumptions: Any, extras: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Raw form values showing ``assumptions`` (the inverse of ``build_assumptions``).

    Amounts are rounded to cents and percentages to two decimals, so what
    the form shows is exactly what gets computed.
    """
    specs = {spec.name: spec for spec in SPECS[kind]}
    data = assumptions.to_dict() if hasattr(assumptions, "to_dict") else dict(assumptions)
    raw: dict[str, Any] = {"years": str(len(data[_PER_YEAR[kind][0]]))}
    for name, value in data.items():
        if name in specs and name != "years":
            spec = specs[name]
            if spec.kind == "number" and value is not None:
                value = round(float(value), 2)
            raw[name] = spec.format(value) if spec.kind != "percent" else _percent_text(value)
    if kind == LBO:
        for index, tranche in enumerate(data.get("tranches", [])[:TRANCHES], start=1):
            tranche = tranche if isinstance(tranche, Mapping) else tranche.to_dict()
            raw[f"tranche{index}_name"] = tranche["name"]
            raw[f"tranche{index}_amount"] = format_decimal(round(float(tranche["amount"]), 2))
            raw[f"tranche{index}_interest_rate"] = _percent_text(tranche["interest_rate"])
            raw[f"tranche{index}_amortization_rate"] = _percent_text(tranche["amortization_rate"])
            raw[f"tranche{index}_cash_sweep"] = bool(tranche["cash_sweep"])
        raw["existing_net_debt"] = format_decimal(
            round(float((extras or {}).get("existing_net_debt", 0.0)), 2)
        )
    return raw


def _percent_text(value: Any) -> str:
    return "" if value is None else format_percent_list(value)


def _money(value: float | None, currency: str) -> str:
    if value is None:
        return "n/a"
    return f"{value / 1e6:,.1f}m {currency}"


def dcf_headline(result: DcfResult, currency: str) -> list[tuple[str, str]]:
    """The outputs an investment committee asks for first."""
    rows = [
        ("Enterprise value", _money(result.enterprise_value, currency)),
        ("Equity value", _money(result.equity_value, currency)),
        ("Terminal value share of EV", f"{result.terminal_value_share:.1%}"),
    ]
    if result.value_per_share is not None:
        rows.append(("Value per share", f"{result.value_per_share:,.2f} {currency}"))
    if result.implied_exit_multiple is not None:
        rows.append(("Implied exit multiple", f"{result.implied_exit_multiple:.1f}x EBITDA"))
    if result.implied_terminal_growth is not None:
        rows.append(("Implied terminal growth", f"{result.implied_terminal_growth:.2%}"))
    return rows


def lbo_headline(result: LboResult, currency: str) -> list[tuple[str, str]]:
    uses = result.sources_and_uses
    rows = [
        ("Purchase enterprise value", _money(uses.purchase_enterprise_value, currency)),
        ("Sponsor equity", _money(uses.sponsor_equity, currency)),
        ("Exit equity value", _money(result.exit_equity_value, currency)),
        ("MOIC", f"{result.moic:.2f}x"),
        ("IRR", f"{result.irr:.1%}"),
    ]
    if result.cash_shortfall:
        rows.append(
            ("Warning", "cash falls below the minimum in some year (no revolver is modelled)")
        )
    return rows


def _table(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><td>{html.escape(k)}</td>"
        f"<td style='text-align:right'><b>{html.escape(v)}</b></td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def _file_name(company: str, kind: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9]+", "_", company).strip("_") or "company"
    return f"{safe}_{kind.upper()}.xlsx"


class ModelBuilder(WidgetDisplay):
    """Adjust DCF or LBO assumptions for a company, see the outputs, download the workbook."""

    def __init__(self, db: Database, *, company_id: int | None = None, kind: str = DCF) -> None:
        self.db = db
        self.company = widgets.Dropdown(
            description="Company", options=[("—", NEW)], layout=widgets.Layout(width="420px")
        )
        self.kind = widgets.ToggleButtons(options=[("DCF", DCF), ("LBO", LBO)], value=kind)
        self.fields = {
            name: {spec.name: Field(spec) for spec in specs} for name, specs in SPECS.items()
        }
        self.form = widgets.VBox()
        self.outputs = widgets.HTML()
        self.notes = widgets.HTML()
        self.defaults_button = widgets.Button(description="Reset to defaults", icon="undo")
        self.build_button = widgets.Button(
            description="Build workbook", icon="file-excel-o", button_style="primary"
        )
        self.download = widgets.HTML()
        self.status = StatusBar(on_reload=self.load_defaults)
        self.workbook: bytes | None = None
        self.result: DcfResult | LboResult | None = None
        self.currency = "USD"
        self._filling = False
        for fields in self.fields.values():
            for field in fields.values():
                field.observe(
                    lambda _change: None if self._filling else run_quietly(self.recompute)
                )
        self.company.observe(
            lambda _change: (
                None if self._filling else self.status.run("load the defaults", self.load_defaults)
            ),
            names="value",
        )
        self.kind.observe(
            lambda _change: self.status.run("load the defaults", self.load_defaults), names="value"
        )
        self.defaults_button.on_click(
            lambda _button: self.status.run("load the defaults", self.load_defaults)
        )
        self.build_button.on_click(lambda _button: self.build())
        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>Model builder</b>"),
                widgets.HBox([self.company, self.kind]),
                widgets.HBox(
                    [
                        self.form,
                        widgets.VBox([widgets.HTML("<b>Headline outputs</b>"), self.outputs]),
                    ]
                ),
                self.notes,
                widgets.HBox([self.defaults_button, self.build_button]),
                self.download,
                self.status.widget,
            ]
        )
        self._filling = True
        try:
            with self.db.session() as session:
                set_dropdown_options(self.company, [("—", NEW), *company_options(session)])
            if company_id is not None:
                self.company.value = company_id
        finally:
            self._filling = False
        self.status.run("load the defaults", self.load_defaults)

    def _plain_text(self) -> str:
        return "ModelBuilder: DCF and LBO models"

    @property
    def current(self) -> dict[str, Field]:
        return self.fields[self.kind.value]

    def values(self) -> dict[str, Any]:
        return {name: field.value for name, field in self.current.items()}

    @classmethod
    def validate(cls, kind: str, values: Mapping[str, Any]) -> dict[str, str]:
        """``{field: message}`` for raw values of a DCF or LBO form; pure."""
        return build_assumptions(kind, values)[2]

    def load_defaults(self) -> None:
        """Fill the form with the assumptions the company's history suggests."""
        self.form.children = [field.widget for field in self.current.values()]
        self.status.clear()
        self.download.value = ""
        self.workbook = None
        if not self.company.value:
            self.notes.value = (
                "<i>Pick a company: its stored history fills the starting assumptions.</i>"
            )
            self.recompute()
            return
        company_id, kind = int(self.company.value), self.kind.value
        if kind == DCF:
            assumptions, _wacc, _steps, context = dcf_assumptions_for(self.db, company_id)
            raw = assumption_values(DCF, assumptions)
        else:
            assumptions, existing, context = lbo_assumptions_for(self.db, company_id)
            raw = assumption_values(LBO, assumptions, {"existing_net_debt": existing})
        self.currency = context["currency"]
        self._filling = True
        try:
            for name, field in self.current.items():
                field.value = raw.get(name, field.spec.blank_value())
        finally:
            self._filling = False
        self.notes.value = "<br>".join(html.escape(note) for note in context["notes"])
        self.recompute()

    def recompute(self) -> None:
        """Show each field's error, or the analytics' headline outputs when all are valid."""
        assumptions, _extras, errors = build_assumptions(self.kind.value, self.values())
        for name, field in self.current.items():
            field.show_error(errors.get(name))
        unplaced = {name: message for name, message in errors.items() if name not in self.current}
        self.result = None
        self.build_button.disabled = assumptions is None or not self.company.value
        if assumptions is None:
            listed = "".join(
                f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in unplaced.items()
            )
            self.outputs.value = (
                f"<i>Correct the fields marked in red.</i><ul>{listed}</ul>" if errors else ""
            )
            return
        if self.kind.value == DCF:
            self.result = dcf(assumptions)
            self.outputs.value = _table(dcf_headline(self.result, self.currency))
        else:
            self.result = lbo_returns(assumptions)
            self.outputs.value = _table(lbo_headline(self.result, self.currency))

    def headline(self) -> dict[str, str]:
        """The outputs shown, as label -> text (for notebooks and tests)."""
        if self.result is None:
            return {}
        rows = (
            dcf_headline(self.result, self.currency)
            if isinstance(self.result, DcfResult)
            else lbo_headline(self.result, self.currency)
        )
        return dict(rows)

    def build(self) -> bytes | None:
        """Build the workbook for the assumptions shown and offer it as a download."""
        assumptions, extras, _errors = build_assumptions(self.kind.value, self.values())
        if assumptions is None or not self.company.value:
            self.status.show(
                "Could not build the workbook: correct the assumptions first.", "error"
            )
            return None
        company_id, kind = int(self.company.value), self.kind.value

        def make() -> bytes:
            overrides = assumptions.to_dict()
            if kind == DCF:
                workbook = company_dcf(self.db, company_id, overrides, source="the model builder")
            else:
                workbook = company_lbo(
                    self.db, company_id, {**overrides, **extras}, source="the model builder"
                )
            buffer = io.BytesIO()
            workbook.save(buffer)
            return buffer.getvalue()

        data = self.status.run("build the workbook", make)
        if data is None:
            return None
        with self.db.session() as session:
            name = company_name(session, company_id) or "company"
        file_name = _file_name(name, kind)
        self.workbook = data
        linked = self.status.run("offer the download", lambda: download_html(data, file_name))
        if linked is None:
            return data
        self.download.value = linked
        self.status.show(
            f"Built {file_name} ({len(data) / 1024:,.0f} KB): use the link to download it.", "ok"
        )
        return data
