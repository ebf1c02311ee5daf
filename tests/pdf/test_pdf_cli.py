"""``portfolio-kit extract``, driven through click's test runner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from portfolio_kit.cli.extract_cmd import extract


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(extract, list(args))


def test_table_page_by_page(synthetic_filing: Path) -> None:
    result = run(str(synthetic_filing))
    assert result.exit_code == 0, result.output
    out = result.output
    assert (
        "income statement, page 4" in out and "balance sheet, page 5" in out
    )  # 1-based for people
    assert "cash flow, page 6" in out
    revenue = next(line for line in out.splitlines() if line.lstrip().startswith("Net revenues"))
    assert "revenue" in revenue and "10,000" in revenue and "0.98" in revenue


def test_json_records(synthetic_filing: Path) -> None:
    result = run(str(synthetic_filing), "--format", "json", "--canonical-only")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["statement"] for s in data["statements"]] == [
        "income_statement",
        "balance_sheet",
        "cash_flow",
    ]
    revenue = [
        f for f in data["figures"] if f["item"] == "revenue" and f["period_end"] == "2023-12-31"
    ]
    assert revenue[0]["value"] == 10_000_000.0 and revenue[0]["page"] == 3
    assert all(f["item"] for f in data["figures"])


def test_csv_records(synthetic_filing: Path) -> None:
    result = run(str(synthetic_filing), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows[0].keys() >= {
        "statement",
        "item",
        "label",
        "period_end",
        "value",
        "confidence",
        "bbox",
    }
    capex = [
        r for r in rows if r["item"] == "capital_expenditure" and r["period_end"] == "2021-12-31"
    ]
    assert float(capex[0]["value"]) == -500_000.0


def test_a_bad_file_is_one_sentence_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("just text")
    result = run(str(path))
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: {path}: this is not a PDF file (it does not start with a %PDF- header)"
    )
    assert "Traceback" not in result.output


def test_missing_file(tmp_path: Path) -> None:
    result = run(str(tmp_path / "gone.pdf"))
    assert result.exit_code == 1
    assert "no such file" in result.output
