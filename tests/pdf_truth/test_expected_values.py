"""The hand-keyed expected values of the PDF corpus are well-formed and self-consistent.

These files are the ground truth ``benchmarks/pdf_accuracy.py`` scores the extractor
against, so a typo here would be charged to the extractor. Three independent guards:
the accounting identities printed in every statement (assets equal liabilities plus
equity, revenue less cost of revenue is gross profit, the cash-flow sections add up
to the net change, pretax income less tax is net income), every value printed on the
page and row the file names (read with pypdfium2, not with the extractor), and the
shape rules of ``docs/pdf_accuracy.md`` (period lengths included).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from portfolio_kit.vocabulary import LINE_ITEMS, statement_of

EXPECTED_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "pdf_expected"
EXPECTED_FILES = sorted(p for p in EXPECTED_DIR.glob("*.csv") if not p.stem.startswith("_"))
SPLIT_CSV = EXPECTED_DIR / "_split.csv"
PER_SHARE = {"eps_basic", "eps_diluted"}
# Em dash, en dash and hyphen: filings print a zero as any of them.
_DASHES = "\u2014\u2013-"
# A quarterly stem names its fiscal quarter: EBAY_2023Q2_10Q.
_QUARTER = re.compile(r"_\d{4}Q([1-4])_")

# Where the income statement prints a row between the tax row and net income, as a
# pattern of its caption (read on the page named beside it): the gap must be that row's
# printed figure, read from the page text, not keyed.
ROWS_BETWEEN_TAX_AND_NET_INCOME = {
    "EBAY_2019_10K": r"from discontinued operations",  # p. 64
    "PFIZER_2021_10K": r"discontinued operations\W+net of tax",  # p. 56
    "EBAY_2023Q2_10Q": r"from discontinued operations",  # p. 4
    "Pfizer_2023Q2_10Q": r"discontinued operations\W+net of tax",  # p. 7
    "EBAY_2023Q2_EARNINGS": r"from discontinued operations",  # p. 7
}

# Where total liabilities plus total equity is not the balance-sheet total because the
# statement prints temporary (mezzanine) equity between them; read from the named page.
LIABILITIES_EQUITY_EXCEPTIONS = {
    "BOSTONPROPERTIES_2015_10K": "p. 110: redeemable preferred units and redeemable "
    "interest in property partnership (2014: 633 + 104,692) between the two totals",
}

by_file = pytest.mark.parametrize("path", EXPECTED_FILES, ids=[p.stem for p in EXPECTED_FILES])

# Documents that do not print what an identity needs: the identity is not collected for
# them (rather than skipped), and each exception is written here with its reason.
NO_CASH_FLOW_STATEMENT = {
    "JOHNSON_JOHNSON_2023Q2_EARNINGS": "the release prints its income statement only",
    "MCDONALDS_2023Q2_EARNINGS": "the release prints its income statement only",
}
NO_BALANCE_SHEET_NOR_GROSS_PROFIT = {
    "MCDONALDS_2023Q2_EARNINGS": "an income statement without a gross-profit line, and no "
    "balance sheet",
}
NO_TAX_ROW = {
    "BOSTONPROPERTIES_2015_10K": "a REIT: it pays no income tax and prints no tax row",
}


def _except(exceptions: dict[str, str]) -> pytest.MarkDecorator:
    kept = [p for p in EXPECTED_FILES if p.stem not in exceptions]
    return pytest.mark.parametrize("path", kept, ids=[p.stem for p in kept])


def _keyed_items(path: Path) -> set[tuple[str, str]]:
    """(statement, item) pairs of an expected file, read with the csv module alone."""
    import csv

    with path.open(encoding="utf-8") as handle:
        return {(row["statement"], row["item"]) for row in csv.DictReader(handle)}


def test_the_identity_exceptions_are_what_the_files_hold():
    """Each listed exception is true of its file, and no other file lacks the rows."""
    without_cash_flow = {p.stem for p in EXPECTED_FILES if not any(
        statement == "cash_flow" for statement, _ in _keyed_items(p))}
    assert without_cash_flow == set(NO_CASH_FLOW_STATEMENT)
    without_tax = {p.stem for p in EXPECTED_FILES if ("income_statement", "income_tax")
                   not in _keyed_items(p)}
    assert without_tax == set(NO_TAX_ROW)
    neither = {p.stem for p in EXPECTED_FILES if not {
        ("income_statement", "gross_profit"), ("balance_sheet", "total_assets")} & _keyed_items(p)}
    assert neither == set(NO_BALANCE_SHEET_NOR_GROSS_PROFIT)


@cache
def _expected(scorer, path: Path) -> pd.DataFrame:
    """One parse per file for the whole session; the tests only read the frame."""
    return scorer.load_expected(path)


@cache
def _split() -> dict[str, tuple[str, str]]:
    frame = pd.read_csv(SPLIT_CSV, dtype=str, keep_default_na=False)
    return {r.stem: (r.doc_type, r.split) for r in frame.itertuples(index=False)}


def _doc_type(path: Path) -> str:
    return _split()[path.stem][0]


def _pdf(corpus_dir: Path, scorer, path: Path) -> Path:
    doc_type, split = _split()[path.stem]
    return scorer.find_pdf(corpus_dir, scorer.SplitEntry(path.stem, doc_type, split))


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
    # Some text layers drop the space between capitals (PG&E's "TOTALASSETS"), others
    # the ligatures fi, fl, ff (eBay's release reads "Gross profit" as "Gross prot").
    pattern = r"\s*".join(
        re.sub(r"f[fil]", lambda m: f"(?:{m.group(0)})?", re.escape(word))
        for word in label.casefold().split()
    )
    for match in re.finditer(pattern, folded):
        rest = text[match.end() :]
        stop = re.search(r"[A-Za-z]{2,}", rest)
        windows.append(rest[: stop.start()] if stop else rest)
    return windows


def _figures_after(text: str, pattern: str) -> list[str]:
    """The figures of each row whose caption matches ``pattern`` (the caption may go on)."""
    windows = []
    for match in re.finditer(pattern, text, flags=re.IGNORECASE):
        rest = text[match.end() :]
        first = re.search(r"\(?\$?\s*\d|\s[" + _DASHES + r"](?=\s|$)", rest)
        if first is None:
            continue
        rest = rest[first.start() :]
        stop = re.search(r"[A-Za-z]{2,}", rest)
        windows.append(rest[: stop.start()] if stop else rest)
    return windows


def _printed(value: Decimal | float, item: str, unit: Decimal) -> tuple[str, bool]:
    """How ``value`` appears in ``_numbers``: digits of the printed figure, and its sign."""
    value = Decimal(str(value)) if isinstance(value, float) else value
    if item in PER_SHARE:
        digits = f"{abs(value):.2f}".replace(".", "")
    else:
        digits = str(int(abs(value) / unit))
    return digits, value < 0


def _column_orders(rows: pd.DataFrame) -> dict[str, list[int]]:
    """Candidate printed orders of a statement's columns, by name, as row positions.

    A 10-K prints its years newest first (or oldest first); a 10-Q prints the quarter's
    columns, then the year-to-date ones (or the reverse), each current year first (or
    prior year first). Ties never occur: (period_months, period_end) is unique per item.
    Balance sheets of a 10-Q put the last fiscal year-end beside (or between) the
    current and prior-year quarter ends (Foot Locker: Oct 2022, Oct 2021, Jan 2022), so
    any order of their columns is a candidate; the test still requires one order to fit
    every row of the statement.
    """
    frame = rows.reset_index(drop=True)
    if (frame["statement"] == "balance_sheet").all():
        return {
            " / ".join(frame.loc[list(order), "period_end"]): list(order)
            for order in itertools.permutations(frame.index)
        }
    orders = {}
    for months_asc, dates_asc in itertools.product((True, False), (False, True)):
        name = (
            f"{'shorter' if months_asc else 'longer'} periods first, "
            f"{'older' if dates_asc else 'newer'} first"
        )
        ordered = frame.sort_values(
            ["period_months", "period_end"], ascending=[months_asc, dates_asc]
        )
        orders[name] = list(ordered.index)
    return orders


# --- the split and the corpus -----------------------------------------------------------


def test_split_file_is_well_formed(scorer):
    entries = scorer.load_split(SPLIT_CSV)
    assert {e.split for e in entries.values()} == {"dev", "held_out"}
    assert {e.doc_type for e in entries.values()} == {"10k", "10q", "release"}


def test_every_expected_file_is_in_the_split(scorer):
    listed = set(scorer.load_split(SPLIT_CSV))
    assert {p.stem for p in EXPECTED_FILES} <= listed


def test_split_lists_every_corpus_pdf_in_its_document_type_folder(scorer, corpus_dir):
    on_disk = {
        (pdf.stem, pdf.parent.name)
        for sub in scorer.DOC_TYPE_FOLDERS.values()
        for pdf in (corpus_dir / sub).glob("*.pdf")
    }
    listed = {
        (e.stem, scorer.DOC_TYPE_FOLDERS[e.doc_type]) for e in scorer.load_split(SPLIT_CSV).values()
    }
    assert listed == on_disk


# --- shape ----------------------------------------------------------------------------


@by_file
def test_file_is_well_formed(path, scorer):
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == scorer.EXPECTED_COLUMNS
    frame = _expected(scorer, path)
    for row in frame.itertuples(index=False):
        assert row.item in LINE_ITEMS, f"{path.name}: unknown item {row.item!r}"
        assert statement_of(row.item) == row.statement, (
            f"{path.name}: {row.item} belongs to {statement_of(row.item)}, not {row.statement}"
        )
        assert pd.Timestamp(row.period_end).strftime("%Y-%m-%d") == row.period_end
        flow = LINE_ITEMS[row.item].flow
        assert (row.period_months in {3, 6, 9, 12}) if flow else (row.period_months == 0), (
            f"{path.name}: {row.item} {row.period_end} has period_months {row.period_months}"
        )


@by_file
def test_enough_items_in_the_statements_the_document_prints(path, scorer):
    """A 10-K or 10-Q has all three primary statements; a release at least the income one.

    The floors are what the sparest layout in the corpus still prints plainly: a bank
    has no gross profit, cost of revenue, inventory, current-asset or current-liability
    subtotals and often no capital expenditure row (about fifteen items left); a release
    may print only a condensed income statement (McDonald's: revenue down to EPS).
    """
    frame = _expected(scorer, path)
    statements = set(frame["statement"])
    if _doc_type(path) == "release":
        assert "income_statement" in statements
        assert frame["item"].nunique() >= 5
    else:
        assert statements == {"income_statement", "balance_sheet", "cash_flow"}
        assert frame["item"].nunique() >= 15


@by_file
def test_period_lengths_fit_the_document_type(path, scorer):
    """10-K flows cover 12 months; a 10-Q's quarter is 3 and its year to date 3 x quarter
    (the stem names the fiscal quarter), and its cash flow covers the year to date."""
    frame = _expected(scorer, path)
    flows = frame[frame["statement"] != "balance_sheet"]
    months = set(flows["period_months"])
    doc_type = _doc_type(path)
    if doc_type == "10k":
        assert months == {12}, f"{path.name}: {sorted(months)}"
    quarter = _QUARTER.search(path.stem)
    if doc_type == "10q":
        assert quarter, f"{path.name}: a 10-Q stem names its quarter (..._2023Q2_10Q)"
        year_to_date = 3 * int(quarter.group(1))
        income = set(flows.loc[flows["statement"] == "income_statement", "period_months"])
        cash = set(flows.loc[flows["statement"] == "cash_flow", "period_months"])
        assert income == {3, year_to_date}, f"{path.name}: income statement {sorted(income)}"
        # Most print the year to date only; some (Salesforce) the quarter as well.
        assert year_to_date in cash and cash <= {3, year_to_date}, (
            f"{path.name}: cash flow {sorted(cash)}"
        )
    if doc_type == "release":
        assert months <= {3, 6, 9, 12}


@by_file
def test_every_item_has_every_period_of_its_statement(path, scorer):
    """Each printed column of a statement holds every item the file lists for it."""
    frame = _expected(scorer, path)
    doc_type = _doc_type(path)
    for statement, rows in frame.groupby("statement"):
        periods = set(zip(rows["period_end"], rows["period_months"], strict=True))
        if doc_type == "10k":
            minimum = 2 if statement == "balance_sheet" else 3
        elif doc_type == "10q" and statement == "income_statement":
            minimum = 4  # three months and year to date, current and prior year
        else:
            minimum = 2
        assert len(periods) >= minimum, f"{path.name}: {statement} has periods {sorted(periods)}"
        for item, item_rows in rows.groupby("item"):
            item_periods = set(
                zip(item_rows["period_end"], item_rows["period_months"], strict=True)
            )
            assert item_periods == periods, f"{path.name}: {statement}.{item}"


@by_file
def test_scale_is_applied_and_per_share_amounts_are_not_scaled(path, scorer):
    frame = _expected(scorer, path)
    assert scorer.value_unit(frame) >= 1000, f"{path.name}: values look unscaled"
    per_share = frame[frame["item"].isin(PER_SHARE)]
    assert (per_share["value"].abs() < 1000).all()
    monetary = frame[~frame["item"].isin(PER_SHARE)]
    assert all(v == v.to_integral_value() for v in monetary["exact_value"])


# --- identities -----------------------------------------------------------------------


def _by_period(frame: pd.DataFrame) -> dict[tuple[str, int], dict[str, float]]:
    values: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for row in frame.itertuples(index=False):
        values[(row.period_end, row.period_months)][row.item] = row.value
    return values


@_except(NO_BALANCE_SHEET_NOR_GROSS_PROFIT)
def test_balance_sheet_and_gross_profit_identities_hold(path, scorer):
    frame = _expected(scorer, path)
    unit = float(scorer.value_unit(frame))
    checked = 0
    for period, v in _by_period(frame).items():
        assets = v.get("total_assets")
        if assets is not None:
            # Both totals are printed, so they must agree to the digit.
            assert assets == v["total_liabilities_and_equity"], period
            checked += 1
            liabilities = v.get("total_liabilities")
            equity = v.get("total_equity")
            if (
                liabilities is not None
                and equity is not None
                and path.stem not in LIABILITIES_EQUITY_EXCEPTIONS
            ):
                assert abs(liabilities + equity - assets) <= unit, period
        parts = [v.get(k) for k in ("revenue", "cost_of_revenue")]
        gross = v.get("gross_profit")
        if gross is not None and None not in parts:
            # Printed subtotals may differ from the sum of rounded parts by one unit.
            assert abs(parts[0] - parts[1] - gross) <= unit, period
            checked += 1
    assert checked > 0, f"{path.name}: no identity could be checked"


def _gap_is_printed(gap: float, unit: float, rows: list[list[tuple[str, bool]]]) -> bool:
    """Whether ``gap`` (within one printed unit of rounding) is a figure of one of ``rows``."""
    units = round(gap / unit)
    return any((str(abs(units + d)), units + d < 0) in row for row in rows for d in (-1, 0, 1))


@_except(NO_TAX_ROW)
def test_net_income_is_pretax_income_less_tax(path, scorer, corpus_dir):
    """Signed as printed, so the tax row is subtracted (an expense printed positive) or
    added (printed in parentheses, or a benefit); one of the two, the same in every column.
    Where a row stands between them (discontinued operations), the gap is that row's
    printed figure in the same column's row on the page."""
    frame = _expected(scorer, path)
    unit = float(scorer.value_unit(frame))
    between: list[list[tuple[str, bool]]] = []
    if path.stem in ROWS_BETWEEN_TAX_AND_NET_INCOME:
        pdf = _pdf(corpus_dir, scorer, path)
        pages = sorted(set(frame.loc[frame["statement"] == "income_statement", "page"]))
        text = " ".join(_page_text(pdf, p) for p in pages)
        pattern = ROWS_BETWEEN_TAX_AND_NET_INCOME[path.stem]
        between = [_numbers(w) for w in _figures_after(text, pattern)]
        assert between, f"{path.name}: no row matching {pattern!r} on pages {pages}"
    fits_by_period = {}
    for period, v in _by_period(frame).items():
        pretax, tax, net = (v.get(k) for k in ("pretax_income", "income_tax", "net_income"))
        if None in (pretax, tax, net):
            continue
        fits = {
            sign
            for sign in (-1, 1)
            if abs(pretax + sign * tax - net) <= unit
            or (between and _gap_is_printed(net - pretax - sign * tax, unit, between))
        }
        assert fits, f"{path.name} {period}: {pretax} and {tax} do not give {net}"
        fits_by_period[period] = fits
    assert fits_by_period, f"{path.name}: pretax income, tax and net income never all keyed"
    # One row, one sign convention: a tax keyed with the sign of another column fails here.
    assert set.intersection(*fits_by_period.values()), f"{path.name}: {fits_by_period}"


@_except(NO_CASH_FLOW_STATEMENT)
def test_cash_flow_sections_add_up_to_the_net_change(path, scorer, corpus_dir):
    """Operating + investing + financing = net change, or the gap is the printed
    exchange-rate row of the same statement page (read from the page, not keyed)."""
    frame = _expected(scorer, path)
    cash = frame[frame["statement"] == "cash_flow"]
    assert not cash.empty, f"{path.name}: no cash-flow values keyed"
    unit = scorer.value_unit(frame)
    pdf = _pdf(corpus_dir, scorer, path)
    page_text = " ".join(_page_text(pdf, p) for p in sorted(set(cash["page"])))
    exchange_rows = [_numbers(w) for w in _figures_after(page_text, r"exchange[- ]rate")]
    checked = 0
    for period, v in _by_period(cash).items():
        sections = ("operating_cash_flow", "investing_cash_flow", "financing_cash_flow")
        parts = [v.get(k) for k in sections]
        change = v.get("net_change_in_cash")
        if change is None or None in parts:
            continue
        checked += 1
        gap = change - sum(parts)
        if abs(gap) <= float(unit):
            continue
        # The printed row may differ from the gap of the rounded totals by one unit.
        assert _gap_is_printed(gap, float(unit), exchange_rows), (
            f"{path.name} {period}: sections miss the net change by {gap:,.0f} and no "
            f"exchange-rate row on the page prints it"
        )
    assert checked, f"{path.name}: the three section totals and the net change never all keyed"


# --- printed on the page --------------------------------------------------------------


@by_file
def test_pages_are_inside_the_pdf(path, scorer, corpus_dir):
    pdf = _pdf(corpus_dir, scorer, path)
    assert pdf.is_file(), f"no PDF for {path.name} at {pdf}"
    page_count = _page_count(pdf)
    frame = _expected(scorer, path)
    assert frame["page"].between(0, page_count - 1).all(), f"{path.name}: {page_count} pages"


@by_file
def test_each_row_is_printed_on_its_page_in_column_order(path, scorer, corpus_dir):
    """Every row's figures follow its label on its page, in the order of the period columns.

    The order check catches a figure keyed under the wrong period (or the wrong period
    length); the order must be the same for a whole statement.
    """
    pdf = _pdf(corpus_dir, scorer, path)
    frame = _expected(scorer, path)
    unit = scorer.value_unit(frame)
    problems = []
    orders_seen: dict[str, list[set[str]]] = defaultdict(list)
    for (statement, item, label, page), rows in frame.groupby(
        ["statement", "item", "label", "page"]
    ):
        text = _page_text(pdf, page)
        # Foot Locker prints some balance-sheet totals without a caption: search the page.
        windows = _row_windows(text, label) if label else [text]
        if not windows:
            problems.append(f"{item}: label {label!r} not on page {page}")
            continue
        # The windows in page order: a release may print the quarter and the year to
        # date as two tables, so one row's figures sit in two windows.
        tokens = [token for w in windows for token in _numbers(w)]
        printed = [_printed(v, item, unit) for v in rows["exact_value"]]
        fitting = {
            name
            for name, order in _column_orders(rows).items()
            if _is_subsequence([printed[i] for i in order], tokens)
        }
        if not fitting:
            problems.append(f"{item}: {printed} not in the row(s) {windows}")
            continue
        if label:
            orders_seen[statement].append(fitting)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
    for statement, seen in orders_seen.items():
        common = set.intersection(*seen)
        assert common, f"{path.name}: no one column order fits every row of {statement}"
