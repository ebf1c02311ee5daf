"""``benchmarks/pdf_accuracy.py`` counts right, wrong, missing and extra values as documented.

Each expected count below follows from how the fake extractor output is built in the
test itself (one value off by one unit, one sign flipped, one row left out...), never
from running the scorer first.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

EXPECTED_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "pdf_expected"

# Apple's fiscal 2019 figures (10-K pages 31 and 33), in millions except EPS.
_EXPECTED_CSV = """statement,item,label,period_end,value,page
income_statement,revenue,Total net sales,2019-09-28,260174000000,31
income_statement,net_income,Net income,2019-09-28,55256000000,31
income_statement,eps_basic,Basic,2019-09-28,11.97,31
income_statement,eps_diluted,Diluted,2019-09-28,11.89,31
balance_sheet,total_assets,Total assets,2019-09-28,338516000000,33
"""


def _reported(rows: list[tuple]) -> pd.DataFrame:
    """A frame shaped like ``StatementSet.to_frame()``."""
    return pd.DataFrame(
        [
            {
                "statement": statement,
                "item": item,
                "label": label,
                "period_end": period,
                "value": value,
                "currency": "USD",
                "page": page,
                "bbox": (0.0, 0.0, 1.0, 1.0),
                "confidence": confidence,
            }
            for statement, item, label, period, value, page, confidence in rows
        ]
    )


@pytest.fixture
def expected(tmp_path, scorer):
    path = tmp_path / "APPLE_2019_10K.csv"
    path.write_text(_EXPECTED_CSV, encoding="utf-8")
    return scorer.load_expected(path)


def test_counts_right_wrong_missing_extra_and_duplicates(scorer, expected):
    fy19 = dt.date(2019, 9, 28)
    reported = _reported(
        [
            # 0.4 million off a figure printed in millions: within half a unit, right.
            ("income_statement", "revenue", "Total net sales", fy19, 260174400000.0, 31, 0.97),
            # A lower-confidence duplicate with another value: ignored, counted as a duplicate.
            ("income_statement", "revenue", "Products", fy19, 213883000000.0, 31, 0.40),
            # Sign flipped at low confidence: wrong, but not high-confidence wrong.
            ("income_statement", "net_income", "Net income", fy19, -55256000000.0, 31, 0.50),
            # 11.974 rounds to the printed 11.97: right.
            ("income_statement", "eps_basic", "Basic", fy19, 11.974, 31, 0.99),
            # One million off at confidence 0.95: wrong with high confidence.
            ("balance_sheet", "total_assets", "Total assets", fy19, 338517000000.0, 33, 0.95),
            # Not in the expected file: extra.
            ("balance_sheet", "goodwill", "Goodwill", fy19, 1.0, 33, 0.80),
            # Rows without a canonical item are not scored.
            ("balance_sheet", None, "Vendor non-trade receivables", fy19, 1.0, 33, 0.80),
        ]
    )
    score = scorer.score_filing("APPLE_2019_10K", expected, scorer.reported_frame(reported))
    assert score.expected == 5
    assert score.right == 2
    assert [w.item for w in score.wrong] == ["net_income", "total_assets"]
    assert score.wrong_high_confidence == 1
    assert score.missing == [("income_statement", "eps_diluted", "2019-09-28")]
    assert score.extra == [("balance_sheet", "goodwill", "2019-09-28")]
    assert score.duplicates == 1
    assert score.found == 4
    assert score.accuracy == pytest.approx(2 / 5)


@pytest.mark.parametrize(
    ("item", "got", "right"),
    [
        ("revenue", 260174000000.0 + 500000.0, True),
        ("revenue", 260174000000.0 - 500000.0, True),
        ("revenue", 260174000000.0 + 500001.0, False),
        ("eps_basic", 11.975, True),
        ("eps_basic", 11.965, True),
        ("eps_basic", 11.976, False),
    ],
)
def test_tolerance_is_half_the_last_printed_digit(scorer, expected, item, got, right):
    row = expected[expected["item"] == item].iloc[0]
    reported = _reported([(row.statement, item, row.label, row.period_end, got, row.page, 0.99)])
    score = scorer.score_filing("APPLE_2019_10K", expected, scorer.reported_frame(reported))
    assert score.right == (1 if right else 0)
    assert len(score.wrong) == (0 if right else 1)


def test_unit_is_the_last_printed_digit(scorer, tmp_path):
    # McDonald's prints millions with one decimal: 8,748.4 and 1,207.0.
    path = tmp_path / "M.csv"
    path.write_text(
        "statement,item,label,period_end,value,page\n"
        "income_statement,revenue,Total revenues,2022-12-31,23182600000,35\n"
        "income_statement,interest_expense,Interest expense,2022-12-31,1207000000,35\n"
        "income_statement,eps_basic,Basic,2022-12-31,8.39,35\n",
        encoding="utf-8",
    )
    assert scorer.value_unit(scorer.load_expected(path)) == Decimal(100000)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("income_sheet,revenue,R,2019-09-28,1,3", "statement 'income_sheet'"),
        ("income_statement,revenue,R,28/09/2019,1,3", "period_end '28/09/2019'"),
        ("income_statement,revenue,R,2019-09-28,1.2.3,3", "value '1.2.3'"),
        ("income_statement,revenue,R,2019-09-28,NaN,3", "value 'NaN'"),
        ("income_statement,revenue,R,2019-09-28,1,-1", "page '-1'"),
    ],
)
def test_bad_expected_rows_are_named(scorer, tmp_path, line, message):
    path = tmp_path / "BAD.csv"
    path.write_text("statement,item,label,period_end,value,page\n" + line + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"BAD\.csv line 2: " + message.replace("(", r"\(")):
        scorer.load_expected(path)


def test_reported_frame_names_missing_contract_columns(scorer):
    with pytest.raises(ValueError, match="confidence"):
        scorer.reported_frame(pd.DataFrame(columns=["statement", "item", "period_end", "value"]))


def test_a_crashing_extraction_counts_every_value_missing(scorer, expected, tmp_path):
    pdf = tmp_path / "APPLE_2019_10K.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")

    def crash(path):
        raise RuntimeError("no statements found")

    score = scorer.run_filing(crash, pdf, expected)
    assert score.error == "RuntimeError: no statements found"
    assert len(score.missing) == 5
    assert score.right == 0


def test_report_passes_when_every_expected_value_is_reported(scorer, monkeypatch, capsys, tmp_path):
    """End to end through ``main`` with a stand-in extractor that echoes Apple's truth."""
    truth = scorer.load_expected(EXPECTED_DIR / "APPLE_2019_10K.csv")

    class _EchoSet:
        def to_frame(self):
            return _reported(
                [
                    (r.statement, r.item, r.label, r.period_end, r.value, r.page, 0.99)
                    for r in truth.itertuples(index=False)
                ]
            )

    (tmp_path / "APPLE_2019_10K.pdf").write_bytes(b"%PDF-1.4\n")
    monkeypatch.setattr(scorer, "_load_extractor", lambda: lambda path: _EchoSet())
    assert scorer.main(["APPLE_2019_10K", "--corpus", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "PASS: 100.0% exactly right" in out
    assert "0 wrong with confidence >= 0.9" in out


def test_missing_extractor_stops_with_a_clear_message(scorer, monkeypatch):
    monkeypatch.setitem(sys.modules, "portfolio_kit.pdf", types.ModuleType("portfolio_kit.pdf"))
    with pytest.raises(SystemExit, match="extract_statements is not importable"):
        scorer.main([])
