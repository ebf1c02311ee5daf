"""``portfolio-kit model|report|template`` through the real entry point (in process, for speed)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from portfolio_kit.cli import main
from portfolio_kit.excel import read_model


@pytest.fixture
def db_url(demo_db, tmp_path: Path) -> str:
    """A private copy of the demo database, so commands may write."""
    source = demo_db.url.database
    target = tmp_path / "cli.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_model_dcf_with_an_assumptions_file_overrides_history(db_url, tmp_path, capsys):
    assumptions = tmp_path / "fjord.json"
    assumptions.write_text(
        json.dumps({"wacc": 0.105, "terminal_growth": 0.03, "shares_outstanding": 1000000})
    )
    out = tmp_path / "fjord_dcf.xlsx"
    code, stdout, stderr = run(
        capsys,
        "--database-url",
        db_url,
        "model",
        "dcf",
        "--company",
        "Fjord Analytics",
        "--assumptions",
        str(assumptions),
        "--as-of",
        "2025-12-31",
        "--out",
        str(out),
    )
    assert code == 0, stderr
    assert "wrote the DCF model of Fjord Analytics" in stdout
    reading = read_model(out)
    assert reading.assumptions.wacc == 0.105 and reading.assumptions.terminal_growth == 0.03
    assert reading.metadata["company_name"] == "Fjord Analytics"
    wb = openpyxl.load_workbook(out)
    assert "History" in wb.sheetnames
    assert wb["Cover"]["B3"].value == "Fjord Analytics"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"tax_rate": 1.5}, "error: tax_rate: must be between 0.0 and 1.0, got 1.5 (bad.json)"),
        ({"discount_rate": 0.1}, "error: discount_rate: is not a DcfAssumptions field (bad.json)"),
        ("{not json", "error: assumptions: bad.json is not valid JSON (line 1, column 2"),
    ],
)
def test_a_bad_assumptions_file_names_the_field(db_url, tmp_path, capsys, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content if isinstance(content, str) else json.dumps(content))
    code, _stdout, stderr = run(
        capsys,
        "--database-url",
        db_url,
        "model",
        "dcf",
        "--company",
        "Fjord Analytics",
        "--assumptions",
        str(bad),
        "--out",
        str(tmp_path / "x.xlsx"),
    )
    assert code == 1
    assert message in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_model_lbo_from_history_and_the_fund_entry_terms(db_url, tmp_path, capsys):
    out = tmp_path / "lbo.xlsx"
    code, _stdout, stderr = run(
        capsys,
        "--database-url",
        db_url,
        "model",
        "lbo",
        "--company",
        "Fjord Analytics",
        "--as-of",
        "2025-12-31",
        "--out",
        str(out),
    )
    assert code == 0, stderr
    reading = read_model(out)
    assert reading.kind == "lbo" and len(reading.assumptions.tranches) == 1


def test_report_and_its_errors(db_url, tmp_path, capsys):
    out = tmp_path / "report.xlsx"
    code, _stdout, stderr = run(
        capsys,
        "--database-url",
        db_url,
        "report",
        "--fund",
        "Alder Ridge Capital III",
        "--as-of",
        "2025-12-31",
        "--out",
        str(out),
    )
    assert code == 0, stderr
    assert openpyxl.load_workbook(out).sheetnames[:3] == [
        "Cover",
        "Summary",
        "Schedule of investments",
    ]
    code, _stdout, stderr = run(
        capsys,
        "--database-url",
        db_url,
        "report",
        "--fund",
        "Alder Ridge Capital III",
        "--as-of",
        "2025-12-30",
        "--out",
        str(out),
    )
    assert (
        code == 1
        and "as_of: 2025-12-30 is not a quarter end" in stderr
        and "Traceback" not in stderr
    )


def test_template_round_trip_through_the_cli(db_url, tmp_path, capsys):
    template = tmp_path / "t.xlsx"
    code, _stdout, stderr = run(
        capsys,
        "--database-url",
        db_url,
        "template",
        "export",
        "--company",
        "Quill Legal Tech",
        "--period",
        "2026-03-31",
        "--out",
        str(template),
    )
    assert code == 0, stderr
    wb = openpyxl.load_workbook(template)
    ws = wb["Data"]
    column = next(c.column_letter for c in ws[5] if isinstance(c.value, datetime))
    revenue_row = next(c.row for c in ws["A"] if c.value == "revenue")
    ws[f"{column}{revenue_row}"] = 7_654_321
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)

    code, _stdout, stderr = run(capsys, "--database-url", db_url, "template", "import", str(filled))
    assert code == 1 and "--user" in stderr
    code, stdout, stderr = run(
        capsys,
        "--database-url",
        db_url,
        "template",
        "import",
        str(filled),
        "--user",
        "analyst@example.com",
    )
    assert code == 0, stderr
    assert "1 new, 0 updated" in stdout
    code, stdout, _stderr = run(
        capsys,
        "--database-url",
        db_url,
        "template",
        "import",
        str(filled),
        "--user",
        "analyst@example.com",
    )
    assert code == 0 and "nothing changed" in stdout

    ws[f"{column}{revenue_row}"] = "about 7m"
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    code, stdout, _stderr = run(
        capsys, "--database-url", db_url, "template", "import", str(broken), "--check"
    )
    assert code == 1
    assert f"Data!{column}{revenue_row}: revenue: text 'about 7m'" in stdout


def test_model_import_stores_a_valuation(db_url, tmp_path, capsys):
    out = tmp_path / "dcf.xlsx"
    assert (
        run(
            capsys,
            "--database-url",
            db_url,
            "model",
            "dcf",
            "--company",
            "Helix Compliance",
            "--as-of",
            "2025-12-31",
            "--out",
            str(out),
        )[0]
        == 0
    )
    code, stdout, stderr = run(
        capsys,
        "--database-url",
        db_url,
        "model",
        "import",
        str(out),
        "--user",
        "analyst@example.com",
    )
    assert code == 0, stderr
    assert "stored dcf valuation" in stdout and "Helix Compliance on 2025-12-31" in stdout
    code, _stdout, stderr = run(
        capsys,
        "--database-url",
        db_url,
        "model",
        "import",
        str(out),
        "--user",
        "partner@example.com",
    )
    assert code == 1 and "partner" in stderr and "Traceback" not in stderr
