"""End to end on the made-up filing of ``tests.pdf.synthetic``, whose totals were footed by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from portfolio_kit.pdf import FRAME_COLUMNS, StatementSet, extract_statements
from portfolio_kit.vocabulary import LINE_ITEMS, Statement
from tests.pdf.pdf_files import PAGE_HEIGHT, PAGE_WIDTH, prose_page, statement_page, write_pdf
from tests.pdf.synthetic import (
    BALANCE_ROWS,
    INCOME_ROWS,
    TWO_COLUMNS,
    YEARS_2,
    write_synthetic_filing,
)

Y23, Y22, Y21 = date(2023, 12, 31), date(2022, 12, 31), date(2021, 12, 31)


@pytest.fixture(scope="module")
def found(synthetic_filing: Path) -> StatementSet:
    return extract_statements(synthetic_filing)


def value(found: StatementSet, item: str, period: date) -> float:
    statement = found[LINE_ITEMS[item].statement]
    figure = statement.get(item, period)
    assert figure is not None, f"{item} {period} not reported"
    return figure.value


def test_statements_found_on_their_pages(found: StatementSet) -> None:
    assert [s.kind for s in found] == [Statement.INCOME, Statement.BALANCE, Statement.CASH_FLOW]
    assert [s.pages for s in found] == [(3,), (4,), (5,)]  # 0-based: after cover, contents, MD&A
    assert found.missing == {}
    assert found.income_statement.periods == (Y23, Y22, Y21)
    assert found.balance_sheet.periods == (Y23, Y22)
    assert all(s.scale == 1e3 and s.currency == "USD" for s in found)


@pytest.mark.parametrize(
    ("item", "period", "expected"),
    [
        ("revenue", Y23, 10_000_000.0),  # "$ 10,000" in thousands
        ("cost_of_revenue", Y21, 2_800_000.0),
        ("gross_profit", Y22, 4_700_000.0),
        ("operating_expenses", Y22, 3_100_000.0),
        ("interest_expense", Y23, -200_000.0),  # printed "(200)": sign as printed
        ("pretax_income", Y22, 1_420_000.0),
        ("net_income", Y21, 896_000.0),
        ("eps_basic", Y22, 1.14),  # per share: not scaled
        ("eps_diluted", Y21, 0.88),
        ("accounts_receivable", Y23, 1_500_000.0),  # label holds "$50 and $40"
        ("short_term_debt", Y22, 0.0),  # an em dash is zero
        ("total_liabilities_and_equity", Y22, 7_200_000.0),
        ("operating_cash_flow", Y21, 1_146_000.0),
        ("capital_expenditure", Y23, -700_000.0),
        ("dividends_paid", Y22, -200_000.0),
        ("net_change_in_cash", Y22, -264_000.0),
    ],
)
def test_values(found: StatementSet, item: str, period: date, expected: float) -> None:
    assert value(found, item, period) == pytest.approx(expected)


def test_trailing_minus_and_share_counts(found: StatementSet) -> None:
    frame = found.to_frame()
    other = frame[(frame["label"] == "Other income (expense), net") & (frame["period_end"] == Y22)]
    assert other["value"].tolist() == [-30_000.0]  # printed "30-"
    shares = frame[(frame["label"] == "Diluted") & (frame["item"].isna())]
    assert shares["value"].tolist() == [1_020_000.0] * 3  # 1,020 thousand shares


def test_items_not_printed_are_absent(found: StatementSet) -> None:
    items = set(found.to_frame()["item"].dropna())
    assert "depreciation_and_amortization" not in items  # only in the cash-flow statement
    assert "net_income_attributable" not in items
    assert found.value("goodwill") == 1_000_000.0
    assert found.value("net_income_attributable") is None


def test_wrapped_label_is_joined(found: StatementSet) -> None:
    labels = set(found.to_frame()["label"])
    assert (
        "Common stock, $0.01 par value; 10,000 shares authorized; 1,000 shares issued "
        "and outstanding" in labels
    )


def test_frame_contract(found: StatementSet) -> None:
    frame = found.to_frame()
    assert tuple(frame.columns) == FRAME_COLUMNS
    assert set(frame["statement"]) == {s.value for s in Statement}
    assert frame["item"].dropna().isin(list(LINE_ITEMS)).all()
    assert frame["item"].isna().any()
    assert all(isinstance(d, date) for d in frame["period_end"])
    assert frame["value"].dtype == "float64" and frame["page"].dtype == "int64"
    assert frame["confidence"].between(0, 1).all()
    for x0, top, x1, bottom in frame["bbox"]:
        assert 0 <= x0 < x1 <= PAGE_WIDTH and 0 <= top < bottom <= PAGE_HEIGHT
    mapped = frame[frame["item"].notna()]
    assert not mapped.duplicated(["statement", "item", "period_end"]).any()


def test_confirmed_figures_are_confident(found: StatementSet) -> None:
    frame = found.to_frame()
    mapped = frame[frame["item"].notna()]
    assert (mapped["confidence"] >= 0.9).all(), mapped[mapped["confidence"] < 0.9]
    assert found.flagged().empty


def test_a_misprinted_total_is_reported_flagged_and_not_trusted(tmp_path: Path) -> None:
    rows = [
        ("Total operating expenses", ["3,600", "3,100", "2,500"])
        if row[0] == "Total operating expenses"
        else row
        for row in INCOME_ROWS
    ]
    found = extract_statements(write_synthetic_filing(tmp_path / "misprint.pdf", income_rows=rows))
    bad = found.income_statement.get("operating_expenses", Y23)
    assert bad is not None
    assert bad.value == 3_600_000.0  # reported as printed, never dropped or corrected
    assert bad.confidence < 0.9
    assert bad.flags == ("does not equal the sum of the rows above it in this column",)
    good = found.income_statement.get("operating_expenses", Y22)
    assert good is not None and good.confidence >= 0.9 and good.flags == ()
    assert not found.flagged().empty


def test_a_balance_sheet_continued_on_the_next_page(tmp_path: Path) -> None:
    split = BALANCE_ROWS.index(("LIABILITIES AND STOCKHOLDERS' EQUITY", []))
    pages = [
        prose_page(["FORM 10-K", "For the fiscal year ended December 31, 2023"]),
        statement_page(
            "CONSOLIDATED BALANCE SHEETS", ["(In thousands)"], YEARS_2, BALANCE_ROWS[:split],
            layout=TWO_COLUMNS, footer=None,
        ),
        statement_page("CONSOLIDATED BALANCE SHEETS (continued)", ["(In thousands)"], YEARS_2,
                       BALANCE_ROWS[split:], layout=TWO_COLUMNS),
    ]  # fmt: skip
    found = extract_statements(write_pdf(tmp_path / "two_pages.pdf", pages))
    balance = found.balance_sheet
    assert balance.pages == (1, 2)
    assert balance.get("total_assets", Y23).page == 1
    liabilities_and_equity = balance.get("total_liabilities_and_equity", Y23)
    assert liabilities_and_equity.page == 2 and liabilities_and_equity.value == 9_000_000.0
    assert liabilities_and_equity.confidence >= 0.9  # total assets on page 1 confirms it


def test_pdfplumber_engine_reads_the_same(synthetic_filing: Path, found: StatementSet) -> None:
    other = extract_statements(synthetic_filing, engine="pdfplumber")
    ours = found.to_frame()
    theirs = other.to_frame()
    assert len(ours) == len(theirs)
    assert ours["value"].tolist() == theirs["value"].tolist()
    assert ours["item"].tolist() == theirs["item"].tolist()
    for a, b in zip(ours["bbox"], theirs["bbox"], strict=True):
        assert max(abs(p - q) for p, q in zip(a, b, strict=True)) < 1.5


def test_statement_set_access(found: StatementSet) -> None:
    assert found["balance_sheet"] is found.balance_sheet
    assert "cash_flow" in found and "equity" not in found
    assert len(found) == 3
    assert "acme_10k.pdf" in repr(found)
    income = found.income_statement
    assert income.items[:3] == ["revenue", "cost_of_revenue", "gross_profit"]
    assert income.get("revenue").period_end == Y23  # latest period by default


def test_a_missing_statement_is_explained(tmp_path: Path) -> None:
    pages = [
        prose_page(["FORM 10-K", "For the fiscal year ended December 31, 2023"]),
        statement_page(
            "CONSOLIDATED BALANCE SHEETS",
            ["(In thousands)"],
            YEARS_2,
            BALANCE_ROWS,
            layout=TWO_COLUMNS,
        ),
    ]
    found = extract_statements(write_pdf(tmp_path / "only_bs.pdf", pages))
    assert [s.kind for s in found] == [Statement.BALANCE]
    assert set(found.missing) == {Statement.INCOME, Statement.CASH_FLOW}
    with pytest.raises(KeyError, match="income_statement"):
        found[Statement.INCOME]


def test_a_bare_total_takes_the_heading_it_closes(tmp_path: Path) -> None:
    # "Total" alone under "Current liabilities:" (and the subtotal of current assets
    # printed with no caption at all) still mean total current liabilities and assets,
    # because the rows above foot to them: 900 + 600 + 500 = 2,000.
    renamed = {"Total current liabilities": "Total", "Total current assets": ""}
    rows = [(renamed.get(row[0], row[0]), *row[1:]) for row in BALANCE_ROWS]
    found = extract_statements(write_synthetic_filing(tmp_path / "bare.pdf", balance_rows=rows))
    liabilities = found.balance_sheet.get("total_current_liabilities", Y23)
    assert (liabilities.label, liabilities.value) == ("Total", 2_000_000.0)
    assets = found.balance_sheet.get("total_current_assets", Y22)
    assert (assets.label, assets.value) == ("", 4_000_000.0)
