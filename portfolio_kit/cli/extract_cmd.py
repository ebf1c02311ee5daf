"""``extract``: read the primary statements out of a PDF and print what was found."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from portfolio_kit.pdf import ExtractedStatement, StatementSet

_SCALE_NAMES = {1.0: "units", 1e3: "thousands", 1e6: "millions", 1e9: "billions"}


@click.command("extract")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table: statements page by page for reading; json/csv: one record per figure.",
)
@click.option(
    "--canonical-only",
    is_flag=True,
    help="Only rows mapped to a canonical line item (revenue, total_assets, ...).",
)
@click.option("--max-pages", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option(
    "--time-budget",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds before giving up.",
)
def extract(
    file: str, output_format: str, canonical_only: bool, max_pages: int, time_budget: float
) -> None:
    """Find the income statement, balance sheet and cash-flow statement in FILE.

    Prints every row found with its canonical item, figures as printed and
    the lowest confidence of its figures; rows marked "!" failed an
    accounting identity and need review.
    """
    from portfolio_kit.pdf import PdfError, extract_statements
    from portfolio_kit.services.documents import max_page_content_bytes

    try:
        found = extract_statements(
            file,
            max_pages=max_pages,
            time_budget=time_budget,
            max_content_bytes=max_page_content_bytes(),
        )
    except PdfError as err:
        raise click.ClickException(str(err)) from None
    frame = found.to_frame()
    if canonical_only:
        frame = frame[frame["item"].notna()]
    if output_format == "json":
        click.echo(json.dumps(_as_json(found, frame), indent=2))
    elif output_format == "csv":
        flat = frame.assign(
            period_end=frame["period_end"].map(lambda d: d.isoformat()),
            bbox=frame["bbox"].map(lambda b: " ".join(f"{v:.2f}" for v in b)),
            flags=frame["flags"].map("; ".join),
        )
        click.echo(flat.to_csv(index=False), nl=False)
    else:
        click.echo(_as_table(found, canonical_only))


def _as_json(found: StatementSet, frame: object) -> dict[str, object]:
    records = []
    for row in frame.itertuples(index=False):  # type: ignore[attr-defined]
        records.append(
            {
                "statement": row.statement,
                "item": row.item,
                "label": row.label,
                "period_end": row.period_end.isoformat(),
                "value": row.value,
                "currency": row.currency,
                "page": int(row.page),
                "bbox": list(row.bbox),
                "confidence": row.confidence,
                "flags": list(row.flags),
            }
        )
    return {
        "source": str(found.source),
        "page_count": found.page_count,
        "seconds": found.seconds,
        "statements": [
            {
                "statement": s.kind.value,
                "title": s.title,
                "pages": list(s.pages),
                "periods": [p.isoformat() if p else None for p in s.periods],
                "currency": s.currency,
                "scale": s.scale,
                "notes": s.notes,
            }
            for s in found
        ],
        "missing": {k.value: v for k, v in found.missing.items()},
        "figures": records,
    }


def _as_table(found: StatementSet, canonical_only: bool) -> str:
    lines = [f"{found.source.name}: {found.page_count} pages, read in {found.seconds:.2f} s"]
    for statement in found:
        lines.append("")
        lines.extend(_statement_table(statement, canonical_only))
    for kind, reason in found.missing.items():
        lines.append("")
        lines.append(f"{kind.value}: not found ({reason})")
    flagged = [f for f in found.figures if f.flags]
    if flagged:
        lines.append("")
        lines.append("needs review:")
        for figure in flagged:
            lines.append(
                f"  ! p.{figure.page + 1} {figure.label or '(unlabelled)'} "
                f"{figure.period_end.isoformat()} {figure.raw}: {'; '.join(figure.flags)}"
            )
    return "\n".join(lines)


def _statement_table(statement: ExtractedStatement, canonical_only: bool) -> list[str]:
    scale = _SCALE_NAMES.get(statement.scale, f"x{statement.scale:g}")
    periods = [p.isoformat() if p else "?" for p in statement.periods]
    rows: dict[int, list] = {}
    for figure in statement.figures:
        if canonical_only and figure.item is None:
            continue
        rows.setdefault(figure.row, []).append(figure)
    lines = []
    current_page = None
    for _, figures in sorted(rows.items()):
        page = figures[0].page
        if page != current_page:
            current_page = page
            title = statement.kind.value.replace("_", " ")
            lines.append(
                f"{title}, page {page + 1} ({statement.currency} {scale}; per-share as printed)"
            )
            lines.append(
                f"  {'label':<48} {'item':<28} "
                + " ".join(f"{p:>12}" for p in periods)
                + f" {'conf':>5}"
            )
        by_period = {f.period_end.isoformat(): f.raw for f in figures}
        confidence = min(f.confidence for f in figures)
        marker = "!" if any(f.flags for f in figures) else " "
        label = figures[0].label or "(unlabelled)"
        lines.append(
            f"{marker} {label[:48]:<48} {figures[0].item or '':<28} "
            + " ".join(f"{by_period.get(p, ''):>12}" for p in periods)
            + f" {confidence:>5.2f}"
        )
    for note in statement.notes:
        lines.append(f"  note: {note}")
    return lines
