"""A small made-up 10-K ("Acme Corp.") whose statements foot by hand.

Every total below was added up by hand when the table was written (the sums
are spelled out beside each total), so the tests can assert exact values
without running the extractor first. Figures are "(In thousands, except per
share data)". The layout exercises what real filings do: "$" in its own
column, parentheses and a trailing minus for negatives, an em dash for zero,
a label wrapped over two lines, a label with amounts inside it, headings
without figures, a footnote marker, a table of contents and prose mentioning
the statements before them, notes after them.
"""

from __future__ import annotations

from pathlib import Path

from tests.pdf.pdf_files import Layout, Text, prose_page, statement_page, write_pdf

YEARS_3 = [["Year Ended December 31,", "", ""], ["2023", "2022", "2021"]]
YEARS_2 = [["December 31,", "December 31,"], ["2023", "2022"]]

INCOME_ROWS = [
    ("Net revenues", ["$ 10,000", "$ 8,000", "$ 6,500"]),
    ("Cost of revenues", ["4,000", "3,300", "2,800"]),
    # 10,000 - 4,000 = 6,000; 8,000 - 3,300 = 4,700; 6,500 - 2,800 = 3,700
    ("Gross profit", ["6,000", "4,700", "3,700"]),
    ("Operating expenses:", []),
    ("Research and development", ["1,500", "1,200", "1,000"], 1),
    ("Selling, general and administrative", ["2,000", "1,800", "1,500"], 1),
    ("Restructuring (1)", ["\u2014", "100", "\u2014"], 1),
    # 1,500 + 2,000 + 0 = 3,500; 1,200 + 1,800 + 100 = 3,100; 1,000 + 1,500 + 0 = 2,500
    ("Total operating expenses", ["3,500", "3,100", "2,500"]),
    # 6,000 - 3,500 = 2,500; 4,700 - 3,100 = 1,600; 3,700 - 2,500 = 1,200
    ("Operating income", ["2,500", "1,600", "1,200"]),
    ("Interest expense", ["(200)", "(150)", "(100)"]),
    ("Other income (expense), net", ["50", "30-", "20"]),
    # 2,500 - 200 + 50 = 2,350; 1,600 - 150 - 30 = 1,420; 1,200 - 100 + 20 = 1,120
    ("Income before income taxes", ["2,350", "1,420", "1,120"]),
    ("Provision for income taxes", ["470", "284", "224"]),
    # 2,350 - 470 = 1,880; 1,420 - 284 = 1,136; 1,120 - 224 = 896
    ("Net income", ["$ 1,880", "$ 1,136", "$ 896"]),
    ("Net income per share:", []),
    # 1,880 / 1,000 = 1.88; 1,136 / 1,000 = 1.136; 896 / 1,000 = 0.896
    ("Basic", ["$ 1.88", "$ 1.14", "$ 0.90"], 1),
    # 1,880 / 1,020 = 1.843; 1,136 / 1,020 = 1.114; 896 / 1,020 = 0.878
    ("Diluted", ["$ 1.84", "$ 1.11", "$ 0.88"], 1),
    ("Weighted-average shares used in computing net income per share:", []),
    ("Basic", ["1,000", "1,000", "1,000"], 1),
    ("Diluted", ["1,020", "1,020", "1,020"], 1),
]

BALANCE_ROWS = [
    ("ASSETS", []),
    ("Current assets:", []),
    ("Cash and cash equivalents", ["$ 3,000", "$ 2,000"], 1),
    ("Accounts receivable, net of allowances of $50 and $40", ["1,500", "1,200"], 1),
    ("Inventories", ["800", "700"], 1),
    ("Prepaid expenses and other current assets", ["200", "100"], 1),
    # 3,000 + 1,500 + 800 + 200 = 5,500; 2,000 + 1,200 + 700 + 100 = 4,000
    ("Total current assets", ["5,500", "4,000"]),
    ("Property and equipment, net", ["2,500", "2,200"]),
    ("Goodwill", ["1,000", "1,000"]),
    # 5,500 + 2,500 + 1,000 = 9,000; 4,000 + 2,200 + 1,000 = 7,200
    ("Total assets", ["$ 9,000", "$ 7,200"]),
    ("LIABILITIES AND STOCKHOLDERS' EQUITY", []),
    ("Current liabilities:", []),
    ("Accounts payable", ["$ 900", "$ 700"], 1),
    ("Accrued expenses", ["600", "500"], 1),
    ("Current portion of long-term debt", ["500", "\u2014"], 1),
    # 900 + 600 + 500 = 2,000; 700 + 500 + 0 = 1,200
    ("Total current liabilities", ["2,000", "1,200"]),
    ("Long-term debt", ["3,000", "3,500"]),
    # 2,000 + 3,000 = 5,000; 1,200 + 3,500 = 4,700
    ("Total liabilities", ["5,000", "4,700"]),
    ("Stockholders' equity:", []),
    ("Common stock, $0.01 par value; 10,000 shares authorized; 1,000 shares issued and", [], 1),
    ("outstanding", ["10", "10"], 1),
    ("Additional paid-in capital", ["2,990", "2,990"], 1),
    ("Retained earnings (accumulated deficit)", ["1,000", "(500)"], 1),
    # 10 + 2,990 + 1,000 = 4,000; 10 + 2,990 - 500 = 2,500
    ("Total stockholders' equity", ["4,000", "2,500"]),
    # 5,000 + 4,000 = 9,000; 4,700 + 2,500 = 7,200
    ("Total liabilities and stockholders' equity", ["$ 9,000", "$ 7,200"]),
]

CASH_FLOW_ROWS = [
    ("Cash flows from operating activities:", []),
    ("Net income", ["$ 1,880", "$ 1,136", "$ 896"], 1),
    ("Adjustments to reconcile net income to net cash provided by operating", [], 1),
    ("activities:", [], 1),
    ("Depreciation and amortization", ["400", "350", "300"], 2),
    ("Changes in operating assets and liabilities:", [], 1),
    ("Accounts receivable", ["(300)", "(200)", "(100)"], 2),
    ("Inventories", ["(100)", "(50)", "\u2014"], 2),
    ("Accounts payable", ["200", "100", "50"], 2),
    # 1,880 + 400 - 300 - 100 + 200 = 2,080; 1,136 + 350 - 200 - 50 + 100 = 1,336;
    # 896 + 300 - 100 + 0 + 50 = 1,146
    ("Net cash provided by operating activities", ["2,080", "1,336", "1,146"]),
    ("Cash flows from investing activities:", []),
    ("Purchases of property and equipment", ["(700)", "(600)", "(500)"], 1),
    ("Acquisitions, net of cash acquired", ["\u2014", "(300)", "\u2014"], 1),
    # -700 + 0 = -700; -600 - 300 = -900; -500 + 0 = -500
    ("Net cash used in investing activities", ["(700)", "(900)", "(500)"]),
    ("Cash flows from financing activities:", []),
    ("Repayments of long-term debt", ["\u2014", "(500)", "(200)"], 1),
    ("Dividends paid", ["(380)", "(200)", "(100)"], 1),
    # 0 - 380 = -380; -500 - 200 = -700; -200 - 100 = -300
    ("Net cash used in financing activities", ["(380)", "(700)", "(300)"]),
    # 2,080 - 700 - 380 = 1,000; 1,336 - 900 - 700 = -264; 1,146 - 500 - 300 = 346
    ("Net increase (decrease) in cash and cash equivalents", ["1,000", "(264)", "346"]),
    ("Cash and cash equivalents at beginning of year", ["2,000", "2,264", "1,918"]),
    # 2,000 + 1,000 = 3,000; 2,264 - 264 = 2,000; 1,918 + 346 = 2,264
    ("Cash and cash equivalents at end of year", ["$ 3,000", "$ 2,000", "$ 2,264"]),
]

HEADING = "(In thousands, except per share data)"
TWO_COLUMNS = Layout(columns=(510.0, 590.0))


def synthetic_pages(
    income_rows: list = INCOME_ROWS,
    balance_rows: list = BALANCE_ROWS,
    cash_flow_rows: list = CASH_FLOW_ROWS,
) -> list[list[Text]]:
    """Cover, contents, MD&A, the three statements (pages 3 to 5) and a note."""
    return [
        prose_page(
            [
                "UNITED STATES SECURITIES AND EXCHANGE COMMISSION",
                "FORM 10-K",
                "For the fiscal year ended December 31, 2023",
                "ACME CORP.",
            ]
        ),
        prose_page(
            [
                "INDEX TO CONSOLIDATED FINANCIAL STATEMENTS",
                "Consolidated Statements of Operations 4",
                "Consolidated Balance Sheets 5",
                "Consolidated Statements of Cash Flows 6",
                "Notes to Consolidated Financial Statements 7",
            ]
        ),
        prose_page(
            [
                "MANAGEMENT'S DISCUSSION AND ANALYSIS",
                "Revenue grew 25% to $10.0 million in 2023 from $8.0 million in 2022,",
                "as shown in our consolidated statements of operations. Total assets in",
                "the consolidated balance sheets rose to $9.0 million. Net cash provided",
                "by operating activities was $2.1 million.",
            ]
        ),
        statement_page(
            "CONSOLIDATED STATEMENTS OF OPERATIONS", ["Acme Corp.", HEADING], YEARS_3, income_rows
        ),
        statement_page(
            "CONSOLIDATED BALANCE SHEETS",
            ["Acme Corp.", "(In thousands, except par value)"],
            YEARS_2,
            balance_rows,
            layout=TWO_COLUMNS,
        ),
        statement_page(
            "CONSOLIDATED STATEMENTS OF CASH FLOWS",
            ["Acme Corp.", "(In thousands)"],
            YEARS_3,
            cash_flow_rows,
        ),
        prose_page(
            [
                "NOTES TO CONSOLIDATED FINANCIAL STATEMENTS",
                "1. Summary of significant accounting policies. The consolidated balance sheets",
                "include the accounts of Acme Corp. and its subsidiaries as of December 31, 2023.",
            ]
        ),
    ]


def write_synthetic_filing(path: Path, **pages: list) -> Path:
    """Write the synthetic filing (optionally with other rows for one statement)."""
    return write_pdf(path, synthetic_pages(**pages))
