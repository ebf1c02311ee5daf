"""``benchmarks/pdf_accuracy.py`` counts right, wrong, missing and extra values as documented.

Each expected count below follows from how the fake extractor output is built in the
test itself (one value off by one unit, one sign flipped, one row left out, a quarter
reported as a half-year...), never from running the scorer first.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from decimal import Decimal

import pandas as pd
import pytest

HEADER = "statement,item,label,period_end,period_months,value,page\n"

# Apple's fiscal 2019 figures (10-K pages 31 and 33), in millions except EPS.
_EXPECTED_CSV = (
    HEADER
    + """income_statement,revenue,Total net sales,2019-09-28,12,260174000000,31
income_statement,net_income,Net income,2019-09-28,12,55256000000,31
income_statement,eps_basic,Basic,2019-09-28,12,11.97,31
income_statement,eps_diluted,Diluted,2019-09-28,12,11.89,31
balance_sheet,total_assets,Total assets,2019-09-28,0,338516000000,33
"""
)

# eBay's 10-Q for the quarter ended June 30, 2023 (page 4): net revenues of the three
# and of the six months end on the same day and must not be confused.
_QUARTER_CSV = (
    HEADER
    + """income_statement,revenue,Net revenues,2023-06-30,3,2540000000,4
income_statement,revenue,Net revenues,2023-06-30,6,5050000000,4
balance_sheet,total_assets,Total assets,2023-06-30,0,21000000000,3
"""
)

_SPLIT_CSV = """stem,doc_type,split
APPLE_2019_10K,10k,dev
EBAY_2023Q2_10Q,10q,held_out
PAYPAL_2023Q2_10Q,10q,dev
"""


def _reported(rows: list[tuple], with_months: bool = True) -> pd.DataFrame:
    """A frame shaped like ``StatementSet.to_frame()``; rows end with period_months."""
    frame = pd.DataFrame(
        [
            {
                "statement": statement,
                "item": item,
                "label": label,
                "period_end": period,
                "period_months": months,
                "period_start": None,
                "value": value,
                "currency": "USD",
                "page": page,
                "bbox": (0.0, 0.0, 1.0, 1.0),
                "confidence": confidence,
            }
            for statement, item, label, period, value, page, confidence, months in rows
        ]
    )
    return frame if with_months else frame.drop(columns=["period_months", "period_start"])


def _normalised(scorer, frame: pd.DataFrame) -> pd.DataFrame:
    rows, warnings = scorer.reported_frame(frame)
    assert warnings == []
    return rows


@pytest.fixture
def expected(tmp_path, scorer):
    path = tmp_path / "APPLE_2019_10K.csv"
    path.write_text(_EXPECTED_CSV, encoding="utf-8")
    return scorer.load_expected(path)


@pytest.fixture
def quarter(tmp_path, scorer):
    path = tmp_path / "EBAY_2023Q2_10Q.csv"
    path.write_text(_QUARTER_CSV, encoding="utf-8")
    return scorer.load_expected(path)


def test_counts_right_wrong_missing_extra_and_duplicates(scorer, expected):
    fy19 = dt.date(2019, 9, 28)
    reported = _reported(
        [
            # 0.4 million off a figure printed in millions: within half a unit, right.
            ("income_statement", "revenue", "Total net sales", fy19, 260174400000.0, 31, 0.97, 12),
            # A lower-confidence duplicate with another value: ignored, counted as a duplicate.
            ("income_statement", "revenue", "Products", fy19, 213883000000.0, 31, 0.40, 12),
            # Sign flipped at low confidence: wrong, but not high-confidence wrong.
            ("income_statement", "net_income", "Net income", fy19, -55256000000.0, 31, 0.50, 12),
            # 11.974 rounds to the printed 11.97: right.
            ("income_statement", "eps_basic", "Basic", fy19, 11.974, 31, 0.99, 12),
            # One million off at confidence 0.95: wrong with high confidence.
            ("balance_sheet", "total_assets", "Total assets", fy19, 338517000000.0, 33, 0.95, 0),
            # Not in the expected file: extra.
            ("balance_sheet", "goodwill", "Goodwill", fy19, 1.0, 33, 0.80, 0),
            # Rows without a canonical item are not scored.
            ("balance_sheet", None, "Vendor non-trade receivables", fy19, 1.0, 33, 0.80, 0),
        ]
    )
    score = scorer.score_filing("APPLE_2019_10K", expected, _normalised(scorer, reported))
    assert score.expected == 5
    assert score.right == 2
    assert [w.item for w in score.wrong] == ["net_income", "total_assets"]
    assert score.wrong_high_confidence == 1
    assert score.missing == [("income_statement", "eps_diluted", "2019-09-28", 12)]
    assert score.extra == [("balance_sheet", "goodwill", "2019-09-28", 0)]
    assert score.duplicates == 1
    assert score.found == 4
    assert score.accuracy == pytest.approx(2 / 5)


def test_a_quarter_and_a_half_year_ending_the_same_day_are_different_values(scorer, quarter):
    june = dt.date(2023, 6, 30)
    reported = _reported(
        [
            # The six-month figure reported as the quarter: wrong for the quarter...
            ("income_statement", "revenue", "Net revenues", june, 5050000000.0, 4, 0.9, 3),
            # ...and the half-year never reported: missing, although the value appeared.
            ("balance_sheet", "total_assets", "Total assets", june, 21000000000.0, 3, 0.9, 0),
        ]
    )
    score = scorer.score_filing("EBAY_2023Q2_10Q", quarter, _normalised(scorer, reported))
    assert score.right == 1
    assert [(w.item, w.period_months) for w in score.wrong] == [("revenue", 3)]
    assert score.missing == [("income_statement", "revenue", "2023-06-30", 6)]


def test_a_frame_without_period_months_is_announced_and_flows_stay_unmatched(scorer, quarter):
    june = dt.date(2023, 6, 30)
    frame = _reported(
        [
            ("income_statement", "revenue", "Net revenues", june, 2540000000.0, 4, 0.9, 3),
            ("income_statement", "revenue", "Net revenues", june, 5050000000.0, 4, 0.9, 6),
            ("balance_sheet", "total_assets", "Total assets", june, 21000000000.0, 3, 0.9, 0),
        ],
        with_months=False,
    )
    rows, warnings = scorer.reported_frame(frame)
    assert len(warnings) == 1 and "no period_months column" in warnings[0]
    score = scorer.score_filing("EBAY_2023Q2_10Q", quarter, rows)
    # Only the balance sheet (an instant by definition) matches; both revenues are missing.
    assert score.right_keys == [("balance_sheet", "total_assets", "2023-06-30", 0)]
    assert len(score.missing) == 2
    assert score.wrong == []


def test_a_null_period_months_on_a_flow_row_is_never_guessed(scorer, quarter):
    june = dt.date(2023, 6, 30)
    frame = _reported(
        [("income_statement", "revenue", "Net revenues", june, 2540000000.0, 4, 0.9, None)]
    )
    rows, _ = scorer.reported_frame(frame)
    score = scorer.score_filing("EBAY_2023Q2_10Q", quarter, rows)
    assert score.right == 0
    assert score.extra == [("income_statement", "revenue", "2023-06-30", scorer.UNKNOWN_MONTHS)]


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
    reported = _reported(
        [(row.statement, item, row.label, row.period_end, got, row.page, 0.99, 12)]
    )
    score = scorer.score_filing("APPLE_2019_10K", expected, _normalised(scorer, reported))
    assert score.right == (1 if right else 0)
    assert len(score.wrong) == (0 if right else 1)


def test_unit_is_the_last_printed_digit(scorer, tmp_path):
    # McDonald's prints millions with one decimal: 8,748.4 and 1,207.0.
    path = tmp_path / "M.csv"
    path.write_text(
        HEADER + "income_statement,revenue,Total revenues,2022-12-31,12,23182600000,35\n"
        "income_statement,interest_expense,Interest expense,2022-12-31,12,1207000000,35\n"
        "income_statement,eps_basic,Basic,2022-12-31,12,8.39,35\n",
        encoding="utf-8",
    )
    assert scorer.value_unit(scorer.load_expected(path)) == Decimal(100000)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("income_sheet,revenue,R,2019-09-28,12,1,3", "statement 'income_sheet'"),
        ("income_statement,revenue,R,28/09/2019,12,1,3", "period_end '28/09/2019'"),
        ("income_statement,revenue,R,2019-09-28,12,1.2.3,3", "value '1.2.3'"),
        ("income_statement,revenue,R,2019-09-28,12,NaN,3", "value 'NaN'"),
        ("income_statement,revenue,R,2019-09-28,12,1,-1", "page '-1'"),
        ("income_statement,revenue,R,2019-09-28,4,1,3", "period_months 4 for the income_statement"),
        ("cash_flow,capital_expenditure,C,2019-09-28,0,1,3", "period_months 0 for the cash_flow"),
        ("balance_sheet,total_assets,T,2019-09-28,12,1,3", "period_months 12 on the balance sheet"),
        ("balance_sheet,total_assets,T,2019-09-28,,1,3", "period_months '' is not"),
    ],
)
def test_bad_expected_rows_are_named(scorer, tmp_path, line, message):
    path = tmp_path / "BAD.csv"
    path.write_text(HEADER + line + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"BAD\.csv line 2: " + message.replace("(", r"\(")):
        scorer.load_expected(path)


def test_the_same_key_twice_is_refused_but_two_lengths_on_one_date_are_not(scorer, tmp_path):
    path = tmp_path / "TWICE.csv"
    row = "income_statement,revenue,R,2023-06-30,3,1,3\n"
    path.write_text(HEADER + row + row.replace(",3,1,", ",6,1,"), "utf-8")
    assert len(scorer.load_expected(path)) == 2
    path.write_text(HEADER + row + row, "utf-8")
    with pytest.raises(ValueError, match="3 months\\) appears more than once"):
        scorer.load_expected(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("X,10-K,dev", "doc_type '10-K'"),
        ("X,10k,test", "split 'test'"),
        (",10k,dev", "stem is empty"),
    ],
)
def test_bad_split_rows_are_named(scorer, tmp_path, line, message):
    path = tmp_path / "_split.csv"
    path.write_text("stem,doc_type,split\n" + line + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"_split\.csv line 2: " + message):
        scorer.load_split(path)


def test_reported_frame_names_missing_contract_columns(scorer):
    with pytest.raises(ValueError, match="confidence"):
        scorer.reported_frame(pd.DataFrame(columns=["statement", "item", "period_end", "value"]))


def test_pdf_is_found_in_its_document_type_folder_or_a_flat_folder(scorer, tmp_path):
    entry = scorer.SplitEntry("INTEL_2023Q1_EARNINGS", "release", "dev")
    nested = tmp_path / "releases" / "INTEL_2023Q1_EARNINGS.pdf"
    # Absent everywhere: the nested path is named, so the report says where it looked.
    assert scorer.find_pdf(tmp_path, entry) == nested
    (tmp_path / "INTEL_2023Q1_EARNINGS.pdf").write_bytes(b"%PDF-1.4\n")
    assert scorer.find_pdf(tmp_path, entry) == tmp_path / "INTEL_2023Q1_EARNINGS.pdf"
    nested.parent.mkdir()
    nested.write_bytes(b"%PDF-1.4\n")
    assert scorer.find_pdf(tmp_path, entry) == nested


def test_a_crashing_extraction_counts_every_value_missing(scorer, expected, tmp_path):
    pdf = tmp_path / "APPLE_2019_10K.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")

    def crash(path):
        raise RuntimeError("no statements found")

    score = scorer.run_filing(crash, pdf, expected)
    assert score.error == "RuntimeError: no statements found"
    assert len(score.missing) == 5
    assert score.right == 0


def _expected_dir(tmp_path, split_csv: str = _SPLIT_CSV):
    """An expected folder with Apple (dev), eBay's quarter (held out) and the split file."""
    folder = tmp_path / "expected"
    folder.mkdir()
    (folder / "APPLE_2019_10K.csv").write_text(_EXPECTED_CSV, "utf-8")
    (folder / "EBAY_2023Q2_10Q.csv").write_text(_QUARTER_CSV, "utf-8")
    (folder / "_split.csv").write_text(split_csv, "utf-8")
    return folder


def test_split_and_doc_type_select_filings_and_list_the_unkeyed(scorer, tmp_path):
    folder = _expected_dir(tmp_path)
    selected, waiting = scorer.select_filings(folder, [], "dev")
    assert [e.stem for _, e in selected] == ["APPLE_2019_10K"]
    # PAYPAL is listed as dev but has no expected file yet.
    assert [e.stem for e in waiting] == ["PAYPAL_2023Q2_10Q"]
    selected, waiting = scorer.select_filings(folder, [], "all", "10q")
    assert [e.stem for _, e in selected] == ["EBAY_2023Q2_10Q"]
    with pytest.raises(SystemExit, match="no expected CSV file"):
        scorer.select_filings(folder, [], "held_out", "10k")


def test_an_expected_file_missing_from_the_split_stops_the_report(scorer, tmp_path):
    folder = _expected_dir(tmp_path, "stem,doc_type,split\nAPPLE_2019_10K,10k,dev\n")
    with pytest.raises(SystemExit, match="EBAY_2023Q2_10Q not listed in"):
        scorer.select_filings(folder, [], "all")


def _echo_extractor(scorer, folder):
    """A stand-in extractor that reports each filing's expected values back."""

    class _EchoSet:
        def __init__(self, truth):
            self.truth = truth

        def to_frame(self):
            return _reported(
                [
                    (
                        r.statement,
                        r.item,
                        r.label,
                        r.period_end,
                        r.value,
                        r.page,
                        0.99,
                        r.period_months,
                    )
                    for r in self.truth.itertuples(index=False)
                ]
            )

    def extract(path):
        if path.stem == "EBAY_2023Q2_10Q":
            raise RuntimeError("NoStatementsFoundError: nothing here")
        return _EchoSet(scorer.load_expected(folder / f"{path.stem}.csv"))

    return extract


def test_report_scores_each_split_separately(scorer, monkeypatch, capsys, tmp_path):
    """End to end through ``main``: dev echoes its truth, the held-out extraction raises."""
    folder = _expected_dir(tmp_path)
    corpus = tmp_path / "corpus"
    for sub, stem in (("10k", "APPLE_2019_10K"), ("10q", "EBAY_2023Q2_10Q")):
        (corpus / sub).mkdir(parents=True)
        (corpus / sub / f"{stem}.pdf").write_bytes(b"%PDF-1.4\n")
    monkeypatch.setattr(scorer, "_load_extractor", lambda: _echo_extractor(scorer, folder))
    argv = ["--corpus", str(corpus), "--expected", str(folder)]
    assert scorer.main(argv) == 0
    out = capsys.readouterr().out
    assert "PASS [dev]: 100.0% exactly right" in out
    assert "FAIL [held_out]: 0.0% exactly right" in out
    assert "3 missing, over 3 expected values in 1 filing(s), 1 extraction(s) failed" in out
    assert "EBAY_2023Q2_10Q: extraction failed, every value counted missing: RuntimeError" in out
    # Per item: eBay's two revenues (3 and 6 months) both missing, Apple's one right.
    assert "income_statement  revenue                               0      0        2" in out
    assert "income_statement  revenue                               1      0        0" in out

    assert scorer.main([*argv, "--split", "dev"]) == 0
    out = capsys.readouterr().out
    assert "held_out" not in out
    assert "no expected file yet: PAYPAL_2023Q2_10Q" in out


def test_missing_extractor_stops_with_a_clear_message(scorer, monkeypatch, tmp_path):
    folder = _expected_dir(tmp_path)
    monkeypatch.setitem(sys.modules, "portfolio_kit.pdf", types.ModuleType("portfolio_kit.pdf"))
    with pytest.raises(SystemExit, match="extract_statements is not importable"):
        scorer.main(["--expected", str(folder)])


def test_report_without_period_months_says_so_in_the_verdict(scorer, monkeypatch, capsys, tmp_path):
    """An extractor older than the contract: flows unmatched, and the verdict names why."""
    folder = _expected_dir(tmp_path)
    corpus = tmp_path / "corpus"
    (corpus / "10q").mkdir(parents=True)
    (corpus / "10q" / "EBAY_2023Q2_10Q.pdf").write_bytes(b"%PDF-1.4\n")
    truth = scorer.load_expected(folder / "EBAY_2023Q2_10Q.csv")

    class _OldSet:
        def to_frame(self):
            rows = [
                (r.statement, r.item, r.label, r.period_end, r.value, r.page, 0.99, 0)
                for r in truth.itertuples(index=False)
            ]
            return _reported(rows, with_months=False)

    monkeypatch.setattr(scorer, "_load_extractor", lambda: lambda path: _OldSet())
    argv = ["--corpus", str(corpus), "--expected", str(folder), "--doc-type", "10q"]
    assert scorer.main(argv) == 0
    out = capsys.readouterr().out
    # Two revenues (flows) unmatched, the balance sheet's total assets right: 1 of 3.
    assert "FAIL [held_out]: 33.3% exactly right" in out
    assert "1 filing(s) WITHOUT period_months (flows unmatched)" in out
    assert "APPLE_2019_10K" not in out
