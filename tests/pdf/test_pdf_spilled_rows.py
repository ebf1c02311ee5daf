"""A balance sheet whose last row spills onto the top of the next statement's page.

The figures are those of EBAY_2023Q2_EARNINGS p. 6 (0-based), "Unaudited Condensed
Consolidated Balance Sheet (In millions)", June 30, 2023 and December 31, 2022, whose
last row, "Total liabilities and stockholders' equity $ 19,956 $ 20,850", is printed at
the top of p. 7 above "eBay Inc." and the income statement's title; the page number "7"
is printed at the right margin under p. 6's table. Rows typed from the pages.
"""

from __future__ import annotations

from pathlib import Path

from portfolio_kit.pdf import extract_statements
from tests.pdf.pdf_files import Layout, Text, statement_page, write_pdf

_TWO = Layout(columns=(450.0, 560.0))
_HEADER = [["June 30,", "December 31,"], ["2023", "2022"]]

BALANCE = [
    ("ASSETS", []),
    ("Current assets:", []),
    ("Cash and cash equivalents", ["$ 2,268", "$ 2,154"], 1),
    ("Short-term investments", ["2,208", "2,625"], 1),
    ("Other current assets", ["4,241", "4,511"], 1),
    ("Total current assets", ["8,717", "9,290"], 2),  # 2,268 + 2,208 + 4,241 = 8,717
    ("Property and equipment, net", ["1,227", "1,238"]),
    ("Goodwill", ["4,244", "4,262"]),
    ("Other assets", ["5,768", "6,060"]),
    ("Total assets", ["$ 19,956", "$ 20,850"], 2),  # 8,717 + 1,227 + 4,244 + 5,768
    ("LIABILITIES AND STOCKHOLDERS' EQUITY", []),
    ("Current liabilities:", []),
    ("Short-term debt", ["$ \u2014", "$ 1,150"], 1),
    ("Accounts payable", ["294", "261"], 1),
    ("Other current liabilities", ["3,261", "2,860"], 1),
    ("Total current liabilities", ["3,555", "4,271"], 2),  # 0 + 294 + 3,261 = 3,555
    ("Long-term debt", ["7,721", "7,721"]),
    ("Other liabilities", ["3,412", "3,705"]),
    ("Total liabilities", ["14,688", "15,697"], 2),  # 3,555 + 7,721 + 3,412 = 14,688
    ("Total stockholders' equity", ["5,268", "5,153"]),  # 14,688 + 5,268 = 19,956
]
INCOME = [
    ("Net revenues", ["$ 2,540", "$ 2,422"]),
    ("Cost of net revenues", ["718", "663"]),
    ("Gross profit", ["1,822", "1,759"], 2),
    ("Total operating expenses", ["1,304", "1,234"], 2),
    ("Income from operations", ["518", "525"]),
    ("Income before income taxes", ["285", "(727)"]),
    ("Income tax provision", ["(113)", "191"]),
    ("Net income", ["$ 172", "$ (536)"]),
    ("Net income per share:", []),
    ("Basic", ["$ 0.33", "$ (0.98)"], 1),
    ("Diluted", ["$ 0.33", "$ (0.98)"], 1),
]


def test_the_closing_row_on_the_next_page_is_read_and_the_page_number_is_not(
    tmp_path: Path,
) -> None:
    balance = statement_page(
        "Unaudited Condensed Consolidated Balance Sheet",
        ["(In millions)"],
        _HEADER,
        BALANCE,
        layout=_TWO,
        footer=None,
    )
    balance.append(Text(562.5, 721.5, "7", size=7.0, align="right"))
    spilled = [
        Text(40.0, 72.0, "Total liabilities and stockholders' equity"),
        Text(395.0, 72.0, "$"),
        Text(450.0, 72.0, "19,956", align="right"),
        Text(505.0, 72.0, "$"),
        Text(560.0, 72.0, "20,850", align="right"),
        Text(250.0, 190.0, "eBay Inc."),
    ]
    income = statement_page(
        "Unaudited Condensed Consolidated Statement of Income",
        ["(In millions, except per share amounts)"],
        [["Three Months Ended", "Three Months Ended"], ["June 30, 2023", "June 30, 2022"]],
        INCOME,
        layout=_TWO,
        top=205.0,
        footer=None,
    )
    frame = extract_statements(write_pdf(tmp_path / "release.pdf", [balance, spilled + income]))
    frame = frame.to_frame()
    sheet = frame[frame["statement"] == "balance_sheet"]
    closing = sheet[sheet["item"] == "total_liabilities_and_equity"]
    assert sorted(closing["value"]) == [19_956e6, 20_850e6]
    assert set(closing["page"]) == {1}
    assert (closing["confidence"] >= 0.9).all()
    assert set(closing["label"]) == {"Total liabilities and stockholders' equity"}
    assert 7e6 not in set(sheet["value"])
