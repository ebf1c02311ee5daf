"""Round 3 rules, found on the pages of the filings held out until round 2.

See "Round 3" in docs/pdf_accuracy.md.

Each case is a synthetic layout or a label typed from the page named beside it; the
expected values were read from that page, not from the extractor.
"""

from __future__ import annotations

import pytest

from portfolio_kit.pdf._layout import read_page
from portfolio_kit.pdf._mapping import Candidate, assign, match_label, normalise_label, row_nature
from portfolio_kit.vocabulary import Statement
from tests.pdf.test_pdf_layout import line

BALANCE, CASH = Statement.BALANCE, Statement.CASH_FLOW


def _items(statement: Statement, label: str, section: str = "") -> list[tuple[str, float]]:
    norm, sect = normalise_label(label), normalise_label(section)
    return match_label(statement, norm, sect, row_nature(norm, sect, statement))


def test_a_footnote_star_after_a_header_year_keeps_the_column() -> None:
    # FOOTLOCKER_2022Q3_10Q p. 3 (0-based): three balance-sheet columns, the third
    # headed "January 29, 2022*" (the star refers to a footnote: derived from the
    # audited statements). Figures as printed: cash 351, 1,339, 804; inventories
    # 1,685, 1,301, 1,266.
    words = line(40, (200, "CONDENSED CONSOLIDATED BALANCE SHEETS"))
    words += line(55, (300, ">October 29,"), (400, ">October 30,"), (500, ">January 29,"))
    words += line(67, (40, "($ in millions)"), (300, ">2022"), (400, ">2021"), (500, ">2022*"))
    words += line(83, (40, "Current assets:"))
    words += line(
        95, (50, "Cash and cash equivalents"), (300, ">351"), (400, ">1,339"), (500, ">804")
    )
    words += line(
        107, (50, "Merchandise inventories"), (300, ">1,685"), (400, ">1,301"), (500, ">1,266")
    )
    table = read_page(words, 3, 792.0, BALANCE, True, None)
    assert table is not None
    assert [h.full_date for h in table.headers] == [(2022, 10, 29), (2021, 10, 30), (2022, 1, 29)]
    values = {r.label: [c.value if c else None for c in r.cells] for r in table.rows}
    assert values["Cash and cash equivalents"] == [351.0, 1339.0, 804.0]
    assert values["Merchandise inventories"] == [1685.0, 1301.0, 1266.0]


@pytest.mark.parametrize(
    ("statement", "label", "item"),
    [
        # "(included $... at fair value)" is a qualifier like "(including ...)":
        # JPMORGAN_2023Q2_10Q p. 97
        (BALANCE, "Long-term debt (included $78,609 and $72,281 at fair value)", "long_term_debt"),
        # common stockholders' equity / investment: FEDEX_2023_10K p. 79
        (BALANCE, "Total common stockholders\u2019 investment", "total_equity"),
        # a lessor's receivables, net of allowance: BOSTONPROPERTIES_2015_10K p. 110
        (
            BALANCE,
            "Tenant and other receivables (net of allowance for doubtful accounts of $1,197 "
            "and $1,142, respectively)",
            "accounts_receivable",
        ),
        (BALANCE, "Trade and other receivables", "accounts_receivable"),  # IFRS caption
        # dividends with distributions to unit holders: BOSTONPROPERTIES_2015_10K p. 116
        (CASH, "Dividends and distributions", "dividends_paid"),
    ],
)
def test_general_captions_of_the_studied_filings(
    statement: Statement, label: str, item: str
) -> None:
    found = _items(statement, label)
    assert found and found[0][0] == item


def test_the_net_receivable_row_wins_over_the_gross_row_above_it() -> None:
    # VERIZON_2022_10K p. 55: "Accounts receivable 25,332 / Less Allowance for credit
    # losses 826 / Accounts receivable, net 24,506" (25,332 - 826 = 24,506). The
    # balance sheet's receivable is the net row (row 2), not the gross one (row 0).
    labels = ["Accounts receivable", "Less Allowance for credit losses", "Accounts receivable, net"]
    candidates = [
        Candidate(row, item, weight)
        for row, label in enumerate(labels)
        for item, weight in _items(BALANCE, label)
    ]
    chosen = assign(candidates)
    assert {c.item: row for row, c in chosen.items()}["accounts_receivable"] == 2
