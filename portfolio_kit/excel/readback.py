"""Importing an edited DCF or LBO workbook as a ``Valuation``.

An analyst opens a model built by ``build_dcf`` or ``build_lbo``, changes
assumptions on the Inputs sheet, saves, and imports the file. Only the
inputs are read: the values of formula cells exist only after a spreadsheet
program saved the file, and an edited formula could say anything, so the
outputs are recomputed here with ``portfolio_kit.analytics`` from the inputs
read back, and those are what the ``Valuation`` stores (method ``dcf`` or
``lbo``; the assumptions as JSON, with the outputs and the file's SHA-256).

Inputs are found through their defined names, so moved rows do not matter.
A workbook that is not one of ours, or an input that is empty, text, a
formula, or outside what the model accepts, is refused with every problem
named by sheet and cell (``ModelImportError``); nothing is written then.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from sqlalchemy.orm import Session

from portfolio_kit.analytics.lbo import DebtTranche, LboAssumptions, LboResult, lbo_returns
from portfolio_kit.analytics.valuation import DcfAssumptions, DcfResult, WaccInputs, dcf
from portfolio_kit.analytics.valuation import wacc as compute_wacc
from portfolio_kit.audit import actor_of
from portfolio_kit.errors import PermissionDeniedError, PortfolioKitError, ValidationError
from portfolio_kit.excel import dcf as dcf_model
from portfolio_kit.excel import lbo as lbo_model
from portfolio_kit.excel._archive import DamagedArchiveError, check_xlsx
from portfolio_kit.excel._inputs import InputProblem, InputSpec, input_cell, read_inputs
from portfolio_kit.excel._lookup import find_company
from portfolio_kit.excel._workbook import METADATA_SHEET, read_metadata
from portfolio_kit.models import DocumentKind, PortfolioCompany, Valuation, ValuationMethod
from portfolio_kit.services.documents import content_hash, store_document

_FIELD_IN_MESSAGE = re.compile(r"^(?P<field>[a-z_]+)(?:\[(?P<index>\d+)\])?:\s*(?P<rest>.*)$", re.S)


class ModelImportError(PortfolioKitError):
    """The workbook could not be read as a model; ``problems`` names every sheet and cell."""

    def __init__(self, problems: list[InputProblem], file_name: str | None = None) -> None:
        self.problems = list(problems)
        shown = "; ".join(str(problem) for problem in self.problems[:6])
        more = f"; and {len(self.problems) - 6} more" if len(self.problems) > 6 else ""
        name = f"{file_name}: " if file_name else ""
        super().__init__(f"{name}cannot import the model: {shown}{more}")


@dataclass(slots=True)
class ModelReading:
    """A model read back from a workbook, with its outputs recomputed in Python."""

    kind: str
    metadata: dict[str, Any]
    assumptions: DcfAssumptions | LboAssumptions
    result: DcfResult | LboResult
    wacc_inputs: WaccInputs | None = None
    existing_net_debt: float = 0.0
    sha256: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def enterprise_value(self) -> float:
        if isinstance(self.result, DcfResult):
            return self.result.enterprise_value
        return self.result.sources_and_uses.purchase_enterprise_value

    @property
    def equity_value(self) -> float:
        """DCF: the bridge's equity value; LBO: the equity purchase price (purchase EV less
        the target's existing net debt)."""
        if isinstance(self.result, DcfResult):
            return self.result.equity_value
        return self.result.sources_and_uses.purchase_enterprise_value - self.existing_net_debt

    def outputs(self) -> dict[str, Any]:
        if isinstance(self.result, DcfResult):
            r = self.result
            return {
                "enterprise_value": r.enterprise_value,
                "equity_value": r.equity_value,
                "value_per_share": r.value_per_share,
                "terminal_value": r.terminal_value,
                "present_value_of_terminal_value": r.present_value_of_terminal_value,
                "implied_exit_multiple": r.implied_exit_multiple,
                "implied_terminal_growth": r.implied_terminal_growth,
            }
        r = self.result
        return {
            "purchase_enterprise_value": r.sources_and_uses.purchase_enterprise_value,
            "sponsor_equity": r.sources_and_uses.sponsor_equity,
            "exit_enterprise_value": r.exit_enterprise_value,
            "exit_equity_value": r.exit_equity_value,
            "moic": r.moic,
            "irr": r.irr,
            "cash_shortfall": r.cash_shortfall,
        }


def _open(data: bytes, name: str) -> Workbook:
    """The workbook, after ``check_xlsx`` (an ``ArchiveTooLargeError`` passes through)."""
    try:
        check_xlsx(data, name)
    except DamagedArchiveError as exc:
        raise ModelImportError(
            [InputProblem(None, None, "file", f"not an Excel workbook (.xlsx): it {exc.reason}")],
            name,
        ) from None
    try:
        return load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise ModelImportError(
            [InputProblem(None, None, "file", "not an Excel workbook (.xlsx)")], name
        ) from None


def _cell_for(
    wb: Workbook, specs: dict[str, InputSpec], field_name: str, index: int | None
) -> tuple[str | None, str | None, str]:
    spec = specs.get(field_name)
    if spec is None:
        return None, None, field_name
    located = input_cell(wb, spec.name)
    if located is None:
        return None, None, spec.name
    sheet, coordinate = located
    if index is not None and spec.per_year:
        letters, row = coordinate_from_string(coordinate)
        coordinate = f"{get_column_letter(column_index_from_string(letters) + index)}{row}"
    return sheet, coordinate, spec.name


def _explained(wb: Workbook, specs: dict[str, InputSpec], error: ValueError) -> InputProblem:
    """An analytics ``ValueError`` ("tax_rate: must be ...") as a problem at the input's cell."""
    message = str(error)
    match = _FIELD_IN_MESSAGE.match(message)
    if match is None:
        return InputProblem("Inputs", None, "assumptions", message)
    index = int(match["index"]) if match["index"] is not None else None
    sheet, cell, name = _cell_for(wb, specs, match["field"], index)
    return InputProblem(sheet, cell, name, message)


def _read_dcf(wb: Workbook, meta: dict[str, Any], name: str) -> ModelReading:
    years = int(meta["years"])
    specs = [*dcf_model.YEARLY_INPUTS, *dcf_model.VALUATION_INPUTS, *dcf_model.BRIDGE_INPUTS]
    from_inputs = bool(meta.get("wacc_from_inputs"))
    if from_inputs:
        specs = [spec for spec in specs if spec.field != "wacc"]
    values, problems = read_inputs(wb, specs, years)
    wacc_inputs = None
    wacc_values: dict[str, Any] = {}
    if from_inputs:
        wacc_values, wacc_problems = read_inputs(wb, dcf_model.WACC_INPUTS, years)
        problems += wacc_problems
    if problems:
        raise ModelImportError(problems, name)
    by_field = {spec.field: spec for spec in specs}
    if from_inputs:
        try:
            wacc_inputs = WaccInputs(**wacc_values)
        except ValueError as error:
            raise ModelImportError(
                [_explained(wb, {spec.field: spec for spec in dcf_model.WACC_INPUTS}, error)], name
            ) from None
        values["wacc"] = compute_wacc(wacc_inputs).wacc
    try:
        assumptions = DcfAssumptions(**values)
        result = dcf(assumptions)
    except ValueError as error:
        raise ModelImportError([_explained(wb, by_field, error)], name) from None
    return ModelReading("dcf", meta, assumptions, result, wacc_inputs=wacc_inputs)


def _read_lbo(wb: Workbook, meta: dict[str, Any], name: str) -> ModelReading:
    years = int(meta["years"])
    specs = [
        *lbo_model.YEARLY_INPUTS,
        *lbo_model.DEAL_INPUTS,
        *lbo_model.OPERATING_INPUTS,
        *lbo_model.VALUATION_INPUTS,
    ]
    values, problems = read_inputs(wb, specs, years)
    tranche_values = []
    tranche_specs = []
    for index in range(1, int(meta.get("tranches", 0)) + 1):
        specs_i = lbo_model.tranche_specs(index)
        found, tranche_problems = read_inputs(wb, specs_i, years)
        problems += tranche_problems
        tranche_values.append({key.split(".")[-1]: value for key, value in found.items()})
        tranche_specs.append(specs_i)
    if problems:
        raise ModelImportError(problems, name)
    tranches = []
    for position, (data, specs_i) in enumerate(zip(tranche_values, tranche_specs, strict=True)):
        try:
            tranches.append(DebtTranche(**data))
        except ValueError as error:
            by_suffix = {spec.field.split(".")[-1]: spec for spec in specs_i}
            message = str(error)
            suffix = message.split(":", 1)[0].split(".")[-1]
            spec = by_suffix.get(suffix, specs_i[0])
            sheet, cell = input_cell(wb, spec.name) or (None, None)
            raise ModelImportError(
                [InputProblem(sheet, cell, spec.name, f"tranche {position + 1}: {message}")], name
            ) from None
    existing_net_debt = float(values.pop("existing_net_debt"))
    by_field = {spec.field: spec for spec in specs}
    try:
        assumptions = LboAssumptions(**values, tranches=tranches)
        result = lbo_returns(assumptions)
    except ValueError as error:
        problem = _explained(wb, by_field, error)
        if problem.cell is None and str(error).startswith("tranches"):
            first = input_cell(wb, "Tranche1Amount") if tranches else None
            problem = InputProblem(
                first[0] if first else "Inputs", first[1] if first else None, "tranches", str(error)
            )
        raise ModelImportError([problem], name) from None
    return ModelReading("lbo", meta, assumptions, result, existing_net_debt=existing_net_debt)


def read_model(source: str | Path | bytes, *, file_name: str | None = None) -> ModelReading:
    """Read a DCF or LBO workbook's inputs and recompute its outputs; writes nothing.

    Raises
    ------
    ModelImportError
        Not an xlsx, not a portfolio_kit model, or broken inputs (each named
        by sheet and cell).
    ArchiveTooLargeError
        The file would inflate beyond the configured limits (not opened).
    """
    if isinstance(source, bytes | bytearray):
        data, name = bytes(source), file_name or "model.xlsx"
    else:
        path = Path(source)
        if not path.is_file():
            raise ModelImportError(
                [InputProblem(None, None, "file", f"{path} does not exist")], path.name
            )
        data, name = path.read_bytes(), file_name or path.name
    wb = _open(data, name)
    try:
        meta = read_metadata(wb)
    except ValueError as error:
        raise ModelImportError(
            [InputProblem(METADATA_SHEET, None, "metadata", str(error))], name
        ) from None
    if meta is None or meta.get("kind") not in (dcf_model.MODEL_KIND, lbo_model.MODEL_KIND):
        what = (
            "its hidden metadata sheet is missing"
            if meta is None
            else f"it is a {meta.get('kind')!r} workbook"
        )
        raise ModelImportError(
            [
                InputProblem(
                    None,
                    None,
                    "workbook",
                    f"not a portfolio_kit DCF or LBO model ({what}); build one with "
                    "`portfolio-kit model`",
                )
            ],
            name,
        )
    version = meta.get("model_version")
    if not isinstance(version, int) or version < 1 or version > 1:
        raise ModelImportError(
            [
                InputProblem(
                    METADATA_SHEET,
                    None,
                    "model_version",
                    f"model version {version!r} is not supported",
                )
            ],
            name,
        )
    reading = (
        _read_dcf(wb, meta, name)
        if meta["kind"] == dcf_model.MODEL_KIND
        else _read_lbo(wb, meta, name)
    )
    reading.sha256 = content_hash(data)
    reading.extras["file_name"] = name
    reading.extras["data"] = data
    return reading


def _money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal("0.01"))


def import_model(
    session: Session,
    source: str | Path | bytes,
    *,
    company: PortfolioCompany | int | str | None = None,
    valuation_date: date | None = None,
    is_mark: bool = False,
    file_name: str | None = None,
    notes: str | None = None,
) -> Valuation:
    """Store an edited DCF or LBO workbook as a ``Valuation`` of its company.

    Parameters
    ----------
    session
        A package session whose actor may write; the valuation and the stored
        file (a ``Document`` of kind ``model``) are audit-logged as theirs.
    source
        Path of the ``.xlsx`` or its bytes.
    company
        Default: the company the workbook was built for (its hidden metadata).
    valuation_date
        Default: the workbook's as-of date.
    is_mark
        Whether this valuation is the fund's carrying value (default: a
        reference case, not the mark).

    Returns
    -------
    Valuation
        Method ``dcf`` (enterprise value, equity value from the bridge) or
        ``lbo`` (purchase EV and the equity purchase price, implied multiple
        the entry multiple); ``assumptions`` holds the inputs, outputs and
        the file's SHA-256. A negative equity value is stored as zero (equity
        is worth nothing at worst) and the model's figure kept in the notes.

    Raises
    ------
    ModelImportError
        As ``read_model``.
    ValidationError
        No company or no date known.
    NotFoundError
        The company does not exist.
    PermissionDeniedError
        The session's actor cannot write.
    """
    actor = actor_of(session)
    if not actor.can_write:
        raise PermissionDeniedError(
            f"{actor.email} is a {actor.role.value} and cannot import valuations"
        )
    reading = read_model(source, file_name=file_name)
    meta = reading.metadata
    target = company if company is not None else meta.get("company_id")
    if target is None:
        raise ValidationError(
            "company", "the workbook names no company; say which company the valuation is for"
        )
    found = find_company(session, target)
    when = valuation_date or (date.fromisoformat(meta["as_of"]) if meta.get("as_of") else None)
    if when is None:
        raise ValidationError(
            "valuation_date", "the workbook has no as-of date; give the valuation date"
        )
    currency = str(meta.get("currency") or found.currency)
    equity = reading.equity_value
    remarks = [notes] if notes else []
    if equity < 0:
        remarks.append(
            f"The model's equity value was {equity:,.2f}; stored as 0 (equity is worth zero at "
            "worst)."
        )
    document = store_document(
        session,
        reading.extras["data"],
        str(reading.extras["file_name"]),
        kind=DocumentKind.MODEL,
        company_id=found.id,
    )
    assumptions: dict[str, Any] = {
        "model": reading.kind,
        "assumptions": reading.assumptions.to_dict(),
        "outputs": reading.outputs(),
        "source_file": reading.extras["file_name"],
        "sha256": reading.sha256,
    }
    if reading.wacc_inputs is not None:
        assumptions["wacc_inputs"] = reading.wacc_inputs.to_dict()
    if reading.kind == lbo_model.MODEL_KIND:
        assumptions["existing_net_debt"] = reading.existing_net_debt
    implied = None
    if isinstance(reading.assumptions, LboAssumptions):
        implied = Decimal(repr(reading.assumptions.entry_multiple)).quantize(Decimal("0.0001"))
    valuation = Valuation(
        company_id=found.id,
        valuation_date=when,
        method=ValuationMethod.DCF if reading.kind == dcf_model.MODEL_KIND else ValuationMethod.LBO,
        enterprise_value=_money(reading.enterprise_value),
        equity_value=_money(max(equity, 0.0)),
        implied_multiple=implied,
        currency=currency,
        is_mark=is_mark,
        assumptions=assumptions,
        notes=" ".join(remarks) or None,
        document_id=document.id,
    )
    session.add(valuation)
    session.flush()
    return valuation
