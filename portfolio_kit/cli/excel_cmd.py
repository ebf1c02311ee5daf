"""``model``, ``report`` and ``template``: the Excel workbooks from the command line.

- ``model dcf|lbo --company NAME [--assumptions FILE.json] --out FILE.xlsx``
  builds a live-formula model from the company's stored history; the JSON
  file overrides any derived assumption (keys are the fields of
  ``analytics.DcfAssumptions`` / ``LboAssumptions``).
- ``model import FILE.xlsx`` stores an edited model as a valuation.
- ``report --fund NAME --as-of DATE --out FILE.xlsx``: the quarterly report.
- ``template export|import``: KPI collection templates.

Imports act as a named user (``--user`` or ``PORTFOLIO_KIT_USER``), so the
audit trail says who loaded the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from portfolio_kit.cli._context import open_database

if TYPE_CHECKING:
    from openpyxl import Workbook

    from portfolio_kit.audit import Actor
    from portfolio_kit.db import Database

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _acting_user(database: Database, email: str | None) -> Actor:
    from portfolio_kit.security import actor_for, find_user
    from portfolio_kit.settings import get_settings

    address = email or get_settings().user
    if not address:
        raise click.ClickException(
            "name the acting user with --user EMAIL or PORTFOLIO_KIT_USER, so the audit trail "
            "says who imported"
        )
    with database.session() as session:
        return actor_for(find_user(session, address))


def _save(workbook: Workbook, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        workbook.save(out)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}") from None


def _assumptions(path: Path | None) -> dict:
    if path is None:
        return {}
    from portfolio_kit.excel.company_models import load_assumptions_file

    return load_assumptions_file(path)


@click.group()
def model() -> None:
    """DCF and LBO models as Excel workbooks with live formulas."""


def _model_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option("--company", required=True, help="Portfolio company name."),
            click.option(
                "--assumptions",
                "assumptions_file",
                type=click.Path(path_type=Path),
                help="JSON file of assumptions; each overrides the value derived from history.",
            ),
            click.option(
                "--out",
                required=True,
                type=click.Path(path_type=Path),
                help="Workbook to write (.xlsx).",
            ),
            click.option(
                "--as-of",
                type=_DATE,
                help="Valuation date (YYYY-MM-DD); history after it is ignored.",
            ),
            click.option(
                "--years",
                type=click.IntRange(1, 30),
                default=5,
                show_default=True,
                help="Projection or holding years when derived from history.",
            ),
        ]
    ):
        function = option(function)
    return function


@model.command("dcf")
@_model_options
@click.pass_context
def dcf_command(
    ctx: click.Context,
    company: str,
    assumptions_file: Path | None,
    out: Path,
    as_of: datetime | None,
    years: int,
) -> None:
    """Build a discounted-cash-flow model for a company."""
    _build_model(ctx, "DCF", company, assumptions_file, out, as_of, years)


@model.command("lbo")
@_model_options
@click.pass_context
def lbo_command(
    ctx: click.Context,
    company: str,
    assumptions_file: Path | None,
    out: Path,
    as_of: datetime | None,
    years: int,
) -> None:
    """Build a leveraged-buyout model for a company."""
    _build_model(ctx, "LBO", company, assumptions_file, out, as_of, years)


def _build_model(
    ctx: click.Context,
    kind: str,
    company: str,
    assumptions_file: Path | None,
    out: Path,
    as_of: datetime | None,
    years: int,
) -> None:
    """What ``model dcf`` and ``model lbo`` share: read the company, build, save, say so."""
    from portfolio_kit.excel.company_models import company_dcf, company_lbo

    build = company_dcf if kind == "DCF" else company_lbo
    source = assumptions_file.name if assumptions_file else "--assumptions"
    workbook = build(
        open_database(ctx, read_only=True),
        company,
        _assumptions(assumptions_file),
        as_of=_day(as_of) or date.today(),
        years=years,
        source=source,
    )
    _save(workbook, out)
    click.echo(f"wrote the {kind} model of {company} to {out}")


@model.command("import")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--company", help="Company name (default: the one the model was built for).")
@click.option(
    "--date", "valuation_date", type=_DATE, help="Valuation date (default: the model's as-of date)."
)
@click.option(
    "--mark/--no-mark",
    default=False,
    show_default=True,
    help="Make it the company's carrying value.",
)
@click.option("--user", "email", help="Acting user's e-mail (default: PORTFOLIO_KIT_USER).")
@click.pass_context
def import_model_command(
    ctx: click.Context,
    workbook: Path,
    company: str | None,
    valuation_date: datetime | None,
    mark: bool,
    email: str | None,
) -> None:
    """Store an edited DCF or LBO workbook as a valuation (inputs read, outputs recomputed)."""
    from portfolio_kit.excel.readback import import_model

    database = open_database(ctx)
    actor = _acting_user(database, email)
    with database.session(actor) as session:
        valuation = import_model(
            session, workbook, company=company, valuation_date=_day(valuation_date), is_mark=mark
        )
        click.echo(
            f"stored {valuation.method.value} valuation #{valuation.id} of "
            f"{valuation.company.name} "
            f"on {valuation.valuation_date}: enterprise value {valuation.enterprise_value:,.0f}, "
            f"equity value {valuation.equity_value:,.0f} {valuation.currency}"
        )


@click.command()
@click.option("--fund", required=True, help="Fund name.")
@click.option("--as-of", required=True, type=_DATE, help="Quarter end (YYYY-MM-DD).")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Workbook to write (.xlsx)."
)
@click.pass_context
def report(ctx: click.Context, fund: str, as_of: datetime, out: Path) -> None:
    """Write the quarterly portfolio report of a fund."""
    from portfolio_kit.excel.report import build_portfolio_report

    workbook = build_portfolio_report(open_database(ctx, read_only=True), fund, as_of.date())
    _save(workbook, out)
    click.echo(f"wrote the {as_of.date()} report of {fund} to {out}")


@click.group()
def template() -> None:
    """KPI collection templates: export one per company, import them filled."""


@template.command("export")
@click.option("--company", required=True, help="Portfolio company name.")
@click.option(
    "--period",
    "periods",
    type=_DATE,
    multiple=True,
    required=True,
    help="Period end (YYYY-MM-DD); repeat for several columns.",
)
@click.option(
    "--period-type",
    type=click.Choice(["month", "quarter", "year", "ltm"]),
    default="quarter",
    show_default=True,
)
@click.option(
    "--scenario",
    type=click.Choice(["actual", "budget", "forecast"]),
    default="actual",
    show_default=True,
)
@click.option("--blank", is_flag=True, help="Do not prefill figures already on file.")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Workbook to write (.xlsx)."
)
@click.pass_context
def export_template(
    ctx: click.Context,
    company: str,
    periods: tuple[datetime, ...],
    period_type: str,
    scenario: str,
    blank: bool,
    out: Path,
) -> None:
    """Write a KPI collection template for a company and its reporting periods."""
    from portfolio_kit.excel.templates import build_kpi_template

    with open_database(ctx, read_only=True).session() as session:
        workbook = build_kpi_template(
            session,
            company,
            [p.date() for p in periods],
            period_type=period_type,
            scenario=scenario,
            prefill=not blank,
        )
    _save(workbook, out)
    click.echo(
        f"wrote the KPI template of {company} for {', '.join(str(p.date()) for p in periods)} "
        f"to {out}"
    )


@template.command("import")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--user", "email", help="Acting user's e-mail (default: PORTFOLIO_KIT_USER).")
@click.option(
    "--accept-implausible", is_flag=True, help="Store values flagged as implausible (after review)."
)
@click.option("--check", is_flag=True, help="List every problem and write nothing.")
@click.pass_context
def import_template(
    ctx: click.Context, workbook: Path, email: str | None, accept_implausible: bool, check: bool
) -> None:
    """Import a filled KPI template: all figures or, if any cell is wrong, none."""
    from portfolio_kit.excel.template_import import check_kpi_template, import_kpi_template

    if check:
        with open_database(ctx, read_only=True).session() as session:
            contents = check_kpi_template(session, workbook)
        for problem in contents.problems:
            click.echo(f"{problem.kind}: {problem}")
        click.echo(f"{len(contents.values)} figures readable, {len(contents.problems)} problems")
        if contents.errors or contents.flagged:
            raise SystemExit(1)
        return
    database = open_database(ctx)
    actor = _acting_user(database, email)
    with database.session(actor) as session:
        result = import_kpi_template(session, workbook, accept_implausible=accept_implausible)
    if result.changed:
        click.echo(
            f"imported {workbook.name}: {result.inserted} new, {result.updated} updated, "
            f"{result.unchanged} unchanged figures (document #{result.document_id})"
        )
    else:
        click.echo(f"{workbook.name}: every figure matches what is on file; nothing changed")
