"""End to end on real 10-K filings.

Every expected value below was read off the filing's page (0-based page index,
printed page number and printed row label cited beside it), never taken from
the extractor's output.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

from portfolio_kit.pdf import StatementSet, extract_statements
from portfolio_kit.pdf._words import pdfium_words, pdfplumber_words
from portfolio_kit.vocabulary import LINE_ITEMS

_CACHE: dict[str, StatementSet] = {}


def filing(corpus_dir: Path, stem: str) -> StatementSet:
    if stem not in _CACHE:
        _CACHE[stem] = extract_statements(corpus_dir / f"{stem}.pdf")
    return _CACHE[stem]


def figure(found: StatementSet, item: str, period: date):  # type: ignore[no-untyped-def]
    result = found[LINE_ITEMS[item].statement].get(item, period)
    assert result is not None, f"{item} for {period} not reported"
    return result


APPLE = "APPLE_2019_10K"
FOOT_LOCKER = "FOOTLOCKER_2022_10K"
JNJ = "JOHNSON_JOHNSON_2020_10K"
MCDONALDS = "MCDONALDS_2022_10K"
PFIZER = "PFIZER_2021_10K"
EBAY = "EBAY_2019_10K"

# (filing, item, period end, value, page index): value as printed, scale applied.
READ_FROM_THE_PAGES = [
    # Apple, page index 31 (printed 29), Consolidated Statements of Operations, columns
    # "September 28, 2019 / September 29, 2018 / September 30, 2017", "(In millions ...)".
    (APPLE, "revenue", date(2019, 9, 28), 260_174e6, 31),  # "Total net sales 260,174"
    (APPLE, "gross_profit", date(2018, 9, 29), 101_839e6, 31),  # "Gross margin ... 101,839"
    (APPLE, "net_income", date(2017, 9, 30), 48_351e6, 31),  # "Net income $ ... $ 48,351"
    (APPLE, "eps_diluted", date(2019, 9, 28), 11.89, 31),  # "Diluted $ 11.89"
    # Apple, page index 33 (printed 31), Consolidated Balance Sheets.
    (APPLE, "total_assets", date(2018, 9, 29), 365_725e6, 33),  # "Total assets $ 338,516 $ 365,725"
    (APPLE, "long_term_debt", date(2019, 9, 28), 91_807e6, 33),  # non-current "Term debt 91,807"
    # Apple, page index 35 (printed 33), Consolidated Statements of Cash Flows.
    (
        APPLE,
        "capital_expenditure",
        date(2019, 9, 28),
        -10_495e6,
        35,
    ),  # "Payments for acquisition of property, plant and equipment (10,495)"
    (
        APPLE,
        "net_change_in_cash",
        date(2017, 9, 30),
        -195e6,
        35,
    ),  # "Increase/(Decrease) in cash ... (195)"
    # Foot Locker, page index 43 (printed "Page 41"), balance sheet headed "January 29, 2022 /
    # January 30, 2021": the subtotals and totals are printed without a caption.
    (FOOT_LOCKER, "total_current_assets", date(2022, 1, 29), 2_363e6, 43),  # bare "2,363 2,835"
    (FOOT_LOCKER, "total_assets", date(2021, 1, 30), 7_043e6, 43),  # bare "$ 8,135 $ 7,043"
    (
        FOOT_LOCKER,
        "total_current_liabilities",
        date(2022, 1, 29),
        1_735e6,
        43,
    ),  # bare "1,735 1,644"
    (
        FOOT_LOCKER,
        "total_liabilities_and_equity",
        date(2022, 1, 29),
        8_135e6,
        43,
    ),  # last bare "$ 8,135"
    # Foot Locker, page index 41 (printed "Page 39"), columns "2021 2020 2019"; Item 8's list
    # (page index 37) gives the fiscal years as ended "January 29, 2022, January 30, 2021, and
    # February 1, 2020".
    (FOOT_LOCKER, "revenue", date(2020, 2, 1), 8_005e6, 41),  # "Sales $ 8,958 $ 7,548 $ 8,005"
    (
        FOOT_LOCKER,
        "net_income_attributable",
        date(2022, 1, 29),
        893e6,
        41,
    ),  # "Net income attributable to Foot Locker, Inc. $ 893"
    # J&J, page index 44 (printed 39): "At January 3, 2021 and December 29, 2019",
    # columns "2020 2019".
    (JNJ, "total_assets", date(2021, 1, 3), 174_894e6, 44),  # "Total assets $ 174,894 157,728"
    (
        JNJ,
        "total_equity",
        date(2019, 12, 29),
        59_471e6,
        44,
    ),  # "Total shareholders' equity 63,278 59,471"
    # J&J, page index 45 (printed 40), columns "2020 2019 2018"; the fiscal years ended
    # "January 3, 2021, December 29, 2019 and December 30, 2018" (note text, page index 58).
    (JNJ, "net_income", date(2018, 12, 30), 15_297e6, 45),  # "Net earnings $ 14,714 15,119 15,297"
    (
        JNJ,
        "sga",
        date(2021, 1, 3),
        22_084e6,
        45,
    ),  # "Selling, marketing and administrative expenses 22,084"
    # McDonald's, page index 35 (printed 36), "In millions, except per share data", one decimal.
    (MCDONALDS, "revenue", date(2022, 12, 31), 23_182.6e6, 35),  # "Total revenues 23,182.6"
    (
        MCDONALDS,
        "eps_basic",
        date(2021, 12, 31),
        10.11,
        35,
    ),  # "Earnings per common share-basic $ 8.39 $ 10.11"
    # McDonald's, page index 37 (printed 38).
    (
        MCDONALDS,
        "total_equity",
        date(2022, 12, 31),
        -6_003.4e6,
        37,
    ),  # "Total shareholders' equity (deficit) (6,003.4)"
    (
        MCDONALDS,
        "ppe_net",
        date(2021, 12, 31),
        24_720.6e6,
        37,
    ),  # "Net property and equipment 23,773.6 24,720.6"
    # Pfizer, page index 56 (printed 51): EPS rows are captioned "Net income attributable to
    # Pfizer Inc. common shareholders" under "Earnings per common share--basic:".
    (PFIZER, "eps_basic", date(2021, 12, 31), 3.92, 56),
    (
        PFIZER,
        "net_income",
        date(2020, 12, 31),
        9_195e6,
        56,
    ),  # "Net income before allocation to noncontrolling interests 22,025 9,195"
    (
        PFIZER,
        "net_income_attributable",
        date(2019, 12, 31),
        16_026e6,
        56,
    ),  # "... common shareholders $ 21,979 $ 9,159 $ 16,026"
    # eBay, page index 67 (printed F-7): the total, not "continuing operating activities 2,661".
    (
        EBAY,
        "operating_cash_flow",
        date(2018, 12, 31),
        2_658e6,
        67,
    ),  # "Net cash provided by operating activities 3,114 2,658"
    (
        EBAY,
        "net_change_in_cash",
        date(2019, 12, 31),
        -1_223e6,
        67,
    ),  # "Net increase (decrease) in cash ... (1,223)"
]


@pytest.mark.parametrize(("stem", "item", "period", "expected", "page"), READ_FROM_THE_PAGES)
def test_values_read_from_the_pages(
    corpus_dir: Path, stem: str, item: str, period: date, expected: float, page: int
) -> None:
    found = figure(filing(corpus_dir, stem), item, period)
    assert found.value == pytest.approx(expected, abs=1e-6)
    assert found.page == page


def test_identity_confirmed_figures_are_confident(corpus_dir: Path) -> None:
    apple = filing(corpus_dir, APPLE)
    # Total assets equal total liabilities and shareholders' equity on page index 33.
    assert figure(apple, "total_assets", date(2019, 9, 28)).confidence >= 0.9
    assert figure(apple, "total_liabilities_and_equity", date(2019, 9, 28)).confidence >= 0.9
    assert apple.flagged().empty


def test_unlabelled_totals_keep_an_empty_label(corpus_dir: Path) -> None:
    assert figure(filing(corpus_dir, FOOT_LOCKER), "total_assets", date(2022, 1, 29)).label == ""


def test_the_whole_filing_is_fast(corpus_dir: Path) -> None:
    found = filing(corpus_dir, APPLE)
    assert found.page_count == 101
    assert found.seconds < 30  # a hang guard only; speed is measured in benchmarks/pdf_speed.py


def test_pdfium_words_sit_where_pdfplumber_puts_them(corpus_dir: Path) -> None:
    # The bbox contract is pdfplumber's coordinate system; PDFium's boxes must agree.
    path = corpus_dir / f"{PFIZER}.pdf"
    document = pdfium.PdfDocument(str(path))
    try:
        ours, _ = pdfium_words(document, 61)
    finally:
        document.close()
    with pdfplumber.open(path) as pdf:
        theirs, _ = pdfplumber_words(pdf.pages[61])
    figures = {w.text: w for w in theirs if w.text in {"7,427", "3,153", "3,664", "1,467"}}
    assert len(figures) == 4
    for word in ours:
        if word.text in figures:
            other = figures[word.text]
            assert abs(word.x0 - other.x0) < 1.0 and abs(word.x1 - other.x1) < 1.0
            assert abs(word.top - other.top) < 1.5 and abs(word.bottom - other.bottom) < 1.5


def test_statement_pages_alone_take_their_dates_from_each_other(
    corpus_dir: Path, tmp_path: Path
) -> None:
    # Foot Locker's three statements (page indexes 41, 43, 45) without the cover page or the
    # notes: the balance sheet prints "January 29, 2022 / January 30, 2021"; the income
    # statement only "2021 2020 2019". Item 8 (page index 37) lists the years as ended
    # "January 29, 2022, January 30, 2021, and February 1, 2020".
    source = pdfium.PdfDocument(str(corpus_dir / f"{FOOT_LOCKER}.pdf"))
    extract = pdfium.PdfDocument.new()
    extract.import_pages(source, [41, 43, 45])
    path = tmp_path / "statements_only.pdf"
    extract.save(str(path))
    extract.close()
    source.close()
    income = extract_statements(path).income_statement
    assert income.periods == (date(2022, 1, 29), date(2021, 1, 30), date(2020, 2, 1))
    assert income.period_estimated == (False, False, True)
    oldest = income.get("revenue", date(2020, 2, 1))
    assert oldest.value == 8_005e6 and oldest.confidence <= 0.85
