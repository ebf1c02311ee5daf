"""The hand-keyed expected values for the 10-K corpus are well-formed and self-consistent.

These files are the ground truth ``benchmarks/pdf_accuracy.py`` scores the extractor
against, so a typo here would be charged to the extractor. Three independent guards:
the accounting identities printed in every statement (assets equal liabilities plus
equity, revenue less cost of revenue is gross profit), every value printed on the
page and row the file names (read with pypdfium2, not with the extractor), and the
shape rules of ``docs/pdf_accuracy.md``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from portfolio_kit.vocabulary import LINE_ITEMS, statement_of

EXPECTED_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "pdf_expected"
EXPECTED_FILES = sorted(EXPECTED_DIR.glob("*.csv"))
CORPUS_FILINGS = {
    "APPLE_2019_10K",
    "EBAY_2019_10K",
    "FOOTLOCKER_2022_10K",
    "INTEL_2020_10K",
    "JOHNSON_JOHNSON_2020_10K",
    "MCDONALDS_2022_10K",
    "ORACLE_2020_10K",
    "PFIZER_2021_10K",
    "SALESFORCE_2023_10K",
    "VERIZON_2017_10K",
}
MIN_ITEMS_PER_FILING = 20
PER_SHARE = {"eps_basic", "eps_diluted"}
# Em dash, en dash and hyphen: filings print a zero as any of them.
_DASHES = "\u2014\u2013-"

by_file = pytest.mark.parametrize("path", EXPECTED_FILES, ids=[p.stem for p in EXPECTED_FILES])


@cache
def _page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


@cache
def _page_text(pdf: Path, page: int) -> str:
    """The page's text with whitespace collapsed, as pypdfium2 reads it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        text = document[page].get_textpage().get_text_bounded()
    finally:
        document.close()
    return " ".join(text.split())


def _numbers(text: str) -> list[tuple[str, bool]]:
    """Printed figures in ``text`` as (digits without separators, in parentheses); a dash is 0."""
    found = re.findall(r"(\()?\s*\$?\s*(\d[\d,]*(?:\.\d+)?|[" + _DASHES + "])", text)
    return [
        ("0" if digits in _DASHES else digits.replace(",", "").replace(".", ""), bool(open_))
        for open_, digits in found
    ]


def _is_subsequence(wanted: list[tuple[str, bool]], tokens: list[tuple[str, bool]]) -> bool:
    remaining = iter(tokens)
    return all(token in remaining for token in wanted)


def _row_windows(text: str, label: str) -> list[str]:
    """The figures printed after each occurrence of ``label``, up to the next words."""
    windows = []
    folded = text.casefold()
    for match in re.finditer(re.escape(" ".join(label.split()).casefold()), folded):
        rest = text[match.end() :]
        stop = re.search(r"[A-Za-z]{2,}", rest)
        windows.append(rest[: stop.start()] if stop else rest)
    return windows


def _printed(value: Decimal, item: str, unit: Decimal) -> tuple[str, bool]:
    """How ``value`` appears in ``_numbers``: digits of the printed figure, and its sign."""
    if item in PER_SHARE:
        digits = f"{abs(value):.2f}".replace(".", "")
    else:
        digits = str(int(abs(value) / unit))
    return digits, value < 0


def test_every_corpus_filing_has_an_expected_file():
    assert {p.stem for p in EXPECTED_FILES} == CORPUS_FILINGS


@by_file
def test_file_is_well_formed(path, scorer):
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == scorer.EXPECTED_COLUMNS
    frame = scorer.load_expected(path)
    for row in frame.itertuples(index=False):
        assert row.item in LINE_ITEMS, f"{path.name}: unknown item {row.item!r}"
        assert statement_of(row.item) == row.statement, (
            f"{path.name}: {row.item} belongs to {statement_of(row.item)}, not {row.statement}"
        )
        assert pd.Timestamp(row.period_end).strftime("%Y-%m-%d") == row.period_end


@by_file
def test_at_least_twenty_items_across_the_three_statements(path, scorer):
    frame = scorer.load_expected(path)
    assert frame["item"].nunique() >= MIN_ITEMS_PER_FILING
    assert set(frame["statement"]) == {"income_statement", "balance_sheet", "cash_flow"}


@by_file
def test_every_item_has_every_period_of_its_statement(path, scorer):
    frame = scorer.load_expected(path)
    for statement, rows in frame.groupby("statement"):
        periods = set(rows["period_end"])
        minimum = 2 if statement == "balance_sheet" else 3
        assert len(periods) >= minimum, f"{path.name}: {statement} has periods {sorted(periods)}"
        for item, item_rows in rows.groupby("item"):
            assert set(item_rows["period_end"]) == periods, f"{path.name}: {statement}.{item}"


@by_file
def test_scale_is_applied_and_per_share_amounts_are_not_scaled(path, scorer):
    frame = scorer.load_expected(path)
    assert scorer.value_unit(frame) >= 1000, f"{path.name}: values look unscaled"
    per_share = frame[frame["item"].isin(PER_SHARE)]
    assert (per_share["value"].abs() < 1000).all()
    monetary = frame[~frame["item"].isin(PER_SHARE)]
    assert all(v == v.to_integral_value() for v in monetary["exact_value"])


@by_file
def test_accounting_identities_hold(path, scorer):
    frame = scorer.load_expected(path)
    unit = float(scorer.value_unit(frame))
    values: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    for row in frame.itertuples(index=False):
        values[row.period_end][(row.statement, row.item)] = row.value
    checked = 0
    for period, v in values.items():
        assets = v.get(("balance_sheet", "total_assets"))
        if assets is not None:
            # Both totals are printed, so they must agree to the digit.
            assert assets == v[("balance_sheet", "total_liabilities_and_equity")], period
            checked += 1
            liabilities = v.get(("balance_sheet", "total_liabilities"))
            equity = v.get(("balance_sheet", "total_equity"))
            if liabilities is not None and equity is not None:
                assert abs(liabilities + equity - assets) <= unit, period
        parts = [v.get(("income_statement", k)) for k in ("revenue", "cost_of_revenue")]
        gross = v.get(("income_statement", "gross_profit"))
        if gross is not None and None not in parts:
            # Printed subtotals may differ from the sum of rounded parts by one unit.
            assert abs(parts[0] - parts[1] - gross) <= unit, period
            checked += 1
    assert checked > 0, f"{path.name}: no identity could be checked"


@by_file
def test_pages_are_inside_the_pdf(path, scorer, corpus_dir):
    pdf = corpus_dir / f"{path.stem}.pdf"
    assert pdf.is_file(), f"no PDF for {path.name}"
    page_count = _page_count(pdf)
    frame = scorer.load_expected(path)
    assert frame["page"].between(0, page_count - 1).all(), f"{path.name}: {page_count} pages"


@by_file
def test_each_row_is_printed_on_its_page_in_column_order(path, scorer, corpus_dir):
    """Every row's figures follow its label on its page, in the order of the period columns.

    The order check catches a figure keyed under the wrong period; the direction
    (newest column first or oldest first) must be the same for a whole statement.
    """
    pdf = corpus_dir / f"{path.stem}.pdf"
    frame = scorer.load_expected(path)
    unit = scorer.value_unit(frame)
    problems = []
    directions: dict[str, set[str]] = defaultdict(set)
    for (statement, item, label, page), rows in frame.groupby(
        ["statement", "item", "label", "page"]
    ):
        text = _page_text(pdf, page)
        # Foot Locker prints some balance-sheet totals without a caption: search the page.
        windows = _row_windows(text, label) if label else [text]
        if not windows:
            problems.append(f"{item}: label {label!r} not on page {page}")
            continue
        newest_first = [
            _printed(v, item, unit)
            for v in rows.sort_values("period_end", ascending=False)["exact_value"]
        ]
        tokens = [_numbers(w) for w in windows]
        if any(_is_subsequence(newest_first, t) for t in tokens):
            direction = "newest first"
        elif any(_is_subsequence(newest_first[::-1], t) for t in tokens):
            direction = "oldest first"
        else:
            problems.append(f"{item}: {newest_first} not in the row(s) {windows}")
            continue
        if label:
            directions[statement].add(direction)
    mixed = {s: d for s, d in directions.items() if len(d) > 1}
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
    assert not mixed, f"{path.name}: period order differs between rows of {mixed}"
