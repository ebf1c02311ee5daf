"""DCF and LBO workbooks for a stored company: history from the database, assumptions from you.

``company_dcf`` and ``company_lbo`` load the company's annual history
(``_history.annual_history``), derive starting assumptions from it
(``_defaults``), let the analyst's values override any of them, check the
result with the ``portfolio_kit.analytics`` dataclasses and build the
workbook. ``load_assumptions_file`` reads the JSON file the CLI takes, with
errors that name the file, the line or the field.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from portfolio_kit import frames
from portfolio_kit.analytics.lbo import DebtTranche, LboAssumptions
from portfolio_kit.analytics.valuation import DcfAssumptions, WaccInputs
from portfolio_kit.analytics.valuation import wacc as compute_wacc
from portfolio_kit.db import Database
from portfolio_kit.errors import ValidationError
from portfolio_kit.excel._defaults import DEFAULT_YEARS, dcf_defaults, lbo_defaults, require
from portfolio_kit.excel._history import annual_history, last_year
from portfolio_kit.excel._lookup import find_company
from portfolio_kit.excel.dcf import SensitivitySteps, build_dcf
from portfolio_kit.excel.lbo import build_lbo
from portfolio_kit.models import PortfolioCompany

DCF_REQUIRED = [
    "base_revenue",
    "revenue_growth",
    "ebitda_margin",
    "depreciation_pct_revenue",
    "capex_pct_revenue",
    "nwc_pct_revenue",
    "tax_rate",
    "wacc",
]
LBO_REQUIRED = ["entry_ebitda", "entry_multiple", "exit_multiple", "ebitda_growth"]
_DCF_EXTRAS = frozenset({"wacc_inputs", "sensitivity"})
_LBO_EXTRAS = frozenset({"existing_net_debt"})


def load_assumptions_file(path: str | Path) -> dict[str, Any]:
    """The JSON object in ``path``.

    Raises
    ------
    ValidationError
        (field ``assumptions``) when the file is missing, not JSON (with line
        and column) or not an object.
    """
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError(
            "assumptions", f"cannot read {target}: {error.strerror or error}"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            "assumptions",
            f"{target.name} is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})",
        ) from None
    if not isinstance(data, dict):
        raise ValidationError(
            "assumptions", f"{target.name} must hold a JSON object of assumption names and values"
        )
    return data


def _checked(cls: type, values: dict[str, Any], source: str) -> Any:
    try:
        return cls(**values)
    except ValueError as error:
        message = str(error)
        field = message.split(":", 1)[0].split("[", 1)[0] if ":" in message else "assumptions"
        raise ValidationError(field, f"{message.split(':', 1)[-1].strip()} ({source})") from None
    except TypeError as error:
        raise ValidationError("assumptions", f"{error} ({source})") from None


def _known(cls: type, data: dict[str, Any], extras: frozenset[str], source: str) -> None:
    allowed = set(cls.__dataclass_fields__) | extras
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError(
            unknown[0],
            f"is not a {cls.__name__} field ({source}); known: {', '.join(sorted(allowed))}",
        )


def _company(db: Database, company: PortfolioCompany | int | str) -> tuple[int, str, str, int]:
    with db.session() as session:
        found = find_company(session, company)
        return found.id, found.name, found.currency, found.fiscal_year_end_month


def _company_and_history(
    db: Database,
    company: PortfolioCompany | int | str,
    overrides: dict[str, Any] | None,
    model: type,
    extras: frozenset[str],
    source: str,
    as_of: date | None,
) -> tuple[dict[str, Any], tuple[int, str, str, pd.DataFrame]]:
    """What every company model starts from: the overrides checked against the
    model's fields (a copy, so the caller's stay as given), the company and its
    annual history up to ``as_of``."""
    overrides = dict(overrides or {})
    _known(model, overrides, extras, source)
    company_id, name, currency, fiscal_end = _company(db, company)
    history = annual_history(db, company_id, fiscal_year_end_month=fiscal_end, as_of=as_of)
    return overrides, (company_id, name, currency, history)


def _fields_of(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``values`` that are fields of the dataclass ``cls``."""
    return {k: v for k, v in values.items() if k in cls.__dataclass_fields__}


def _context(
    company_id: int, name: str, currency: str, history: pd.DataFrame, notes: list[str]
) -> dict[str, Any]:
    """What the workbook builder needs besides the assumptions."""
    return {
        "company_id": company_id,
        "company": name,
        "currency": currency,
        "history": history,
        "notes": notes,
    }


def _history_note(history: pd.DataFrame, *, with_years: bool) -> str:
    """The Cover's sentence on where the History sheet's figures come from."""
    if history.empty:
        return "No complete fiscal year on file: assumptions only. "
    span = f" (FY{min(history.index)}-FY{max(history.index)})" if with_years else ""
    return f"History: {len(history)} fiscal years of actuals from the portfolio_kit database{span}. "


def dcf_assumptions_for(
    db: Database,
    company: PortfolioCompany | int | str,
    overrides: dict[str, Any] | None = None,
    *,
    as_of: date | None = None,
    years: int = DEFAULT_YEARS,
    source: str = "the assumptions",
) -> tuple[DcfAssumptions, WaccInputs | None, SensitivitySteps, dict[str, Any]]:
    """Checked DCF assumptions for a company: history-derived defaults, then ``overrides``.

    ``overrides`` may also hold ``wacc_inputs`` (a ``WaccInputs`` mapping:
    the WACC is then computed from them) and ``sensitivity`` (grid steps).
    Returns the assumptions, the WACC inputs, the grid steps and a context
    dict (company, history, notes) for the workbook.

    Raises
    ------
    ValidationError
        Naming the field that is unknown, missing or out of range.
    """
    overrides, (company_id, name, currency, history) = _company_and_history(
        db, company, overrides, DcfAssumptions, _DCF_EXTRAS, source, as_of
    )
    values, notes = dcf_defaults(history, years)
    wacc_data = overrides.pop("wacc_inputs", None)
    steps_data = overrides.pop("sensitivity", None) or {}
    values.update(overrides)
    wacc_inputs = None
    if wacc_data is not None:
        if not isinstance(wacc_data, dict):
            raise ValidationError(
                "wacc_inputs", f"must be an object of WaccInputs fields ({source})"
            )
        _known(WaccInputs, wacc_data, frozenset(), source)
        wacc_inputs = _checked(WaccInputs, wacc_data, source)
        computed = compute_wacc(wacc_inputs).wacc
        if "wacc" in overrides and abs(float(overrides["wacc"]) - computed) > 1e-12:
            raise ValidationError(
                "wacc",
                f"{overrides['wacc']} differs from the WACC the wacc_inputs give "
                f"({computed:.6f}); give one of them ({source})",
            )
        values["wacc"] = computed
    require(values, DCF_REQUIRED, "DCF", source)
    if isinstance(steps_data, dict):
        unknown = sorted(set(steps_data) - {"wacc_step", "growth_step", "multiple_step"})
        if unknown:
            raise ValidationError(f"sensitivity.{unknown[0]}", f"unknown grid step ({source})")
        steps = SensitivitySteps(**{key: float(value) for key, value in steps_data.items()})
    else:
        raise ValidationError(
            "sensitivity",
            f"must be an object with wacc_step, growth_step, multiple_step ({source})",
        )
    assumptions = _checked(DcfAssumptions, _fields_of(DcfAssumptions, values), source)
    context = _context(company_id, name, currency, history, notes)
    return assumptions, wacc_inputs, steps, context


def company_dcf(
    db: Database,
    company: PortfolioCompany | int | str,
    overrides: dict[str, Any] | None = None,
    *,
    as_of: date | None = None,
    years: int = DEFAULT_YEARS,
    source: str = "the assumptions",
) -> Workbook:
    """The DCF workbook of a stored company (see ``dcf_assumptions_for`` and ``build_dcf``)."""
    assumptions, wacc_inputs, steps, context = dcf_assumptions_for(
        db, company, overrides, as_of=as_of, years=years, source=source
    )
    history = context["history"]
    described = _history_note(history, with_years=True)
    given = f"Given in {source}: {', '.join(sorted(overrides))}. " if overrides else ""
    return build_dcf(
        assumptions,
        history=history,
        wacc_inputs=wacc_inputs,
        company=context["company"],
        company_id=context["company_id"],
        currency=context["currency"],
        as_of=as_of,
        data_source=described + given + " ".join(context["notes"]),
        steps=steps,
    )


def lbo_assumptions_for(
    db: Database,
    company: PortfolioCompany | int | str,
    overrides: dict[str, Any] | None = None,
    *,
    as_of: date | None = None,
    years: int = DEFAULT_YEARS,
    source: str = "the assumptions",
) -> tuple[LboAssumptions, float, dict[str, Any]]:
    """Checked LBO assumptions for a company, the target's existing net debt and a context dict.

    Defaults come from history and the fund's entry terms (entry EV and
    EBITDA give the multiples, entry net debt the senior tranche);
    ``overrides`` may also hold ``existing_net_debt``.

    Raises
    ------
    ValidationError
        Naming the field that is unknown, missing or out of range.
    """
    overrides, (company_id, name, currency, history) = _company_and_history(
        db, company, overrides, LboAssumptions, _LBO_EXTRAS, source, as_of
    )
    held = frames.investments(db, as_of=as_of)
    held = held[held["company_id"] == company_id]
    entry = None
    if not held.empty:
        row = held.sort_values("entry_date").iloc[-1]
        entry = {
            key: (None if row[key] != row[key] else float(row[key]))
            for key in ("entry_enterprise_value", "entry_ebitda", "entry_net_debt")
        }
    values, notes = lbo_defaults(history, entry, years)
    existing = overrides.pop("existing_net_debt", None)
    values.update(overrides)
    require(values, LBO_REQUIRED, "LBO", source)
    tranches = []
    for index, tranche in enumerate(values.get("tranches") or []):
        if isinstance(tranche, DebtTranche):
            tranches.append(tranche)
            continue
        if not isinstance(tranche, dict):
            raise ValidationError(
                f"tranches[{index}]",
                f"must be an object with name, amount, interest_rate ... ({source})",
            )
        _known(DebtTranche, tranche, frozenset(), source)
        try:
            tranches.append(DebtTranche(**tranche))
        except (ValueError, TypeError) as error:
            raise ValidationError(f"tranches[{index}]", f"{error} ({source})") from None
    values["tranches"] = tranches
    assumptions = _checked(LboAssumptions, _fields_of(LboAssumptions, values), source)
    if existing is None:
        cash = last_year(history, "cash_and_equivalents")
        debt = (last_year(history, "short_term_debt") or 0.0) + (
            last_year(history, "long_term_debt") or 0.0
        )
        existing = debt - cash if cash is not None else 0.0
    try:
        existing_value = float(existing)
    except (TypeError, ValueError):
        raise ValidationError(
            "existing_net_debt", f"must be a number, got {existing!r} ({source})"
        ) from None
    context = _context(company_id, name, currency, history, notes)
    return assumptions, existing_value, context


def company_lbo(
    db: Database,
    company: PortfolioCompany | int | str,
    overrides: dict[str, Any] | None = None,
    *,
    as_of: date | None = None,
    years: int = DEFAULT_YEARS,
    source: str = "the assumptions",
) -> Workbook:
    """The LBO workbook of a stored company (see ``lbo_assumptions_for`` and ``build_lbo``)."""
    assumptions, existing, context = lbo_assumptions_for(
        db, company, overrides, as_of=as_of, years=years, source=source
    )
    history = context["history"]
    described = _history_note(history, with_years=False)
    return build_lbo(
        assumptions,
        history=history,
        existing_net_debt=existing,
        company=context["company"],
        company_id=context["company_id"],
        currency=context["currency"],
        as_of=as_of,
        data_source=described + " ".join(context["notes"]),
    )
