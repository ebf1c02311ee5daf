"""The line-item table (portfolio_kit/pdf/line_items.csv) names no company.

The project's rule is that no rule names a company: a pattern or a note that
does reads as tuned to one filing. The names below are the issuers of the
corpus filings, typed from the corpus folder's file names; the check reads
every column, so a note ("seen in a bank's statements") is held to it too.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

LINE_ITEMS = Path(__file__).resolve().parents[2] / "portfolio_kit" / "pdf" / "line_items.csv"

CORPUS_ISSUERS = (
    "American Express", "Amex", "Apple", "Boston Properties", "eBay", "FedEx", "Foot Locker",
    "Intel", "Johnson & Johnson", "J&J", "McDonald", "Oracle", "Pfizer", "PG&E", "Salesforce",
    "Verizon", "JPMorgan", "PayPal", "Ulta",
)


def test_no_cell_of_the_line_item_table_names_a_corpus_issuer() -> None:
    alternatives = "|".join(rf"\b{re.escape(name)}\b" for name in CORPUS_ISSUERS)
    names = re.compile(alternatives, re.IGNORECASE)
    with LINE_ITEMS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, f"{LINE_ITEMS} has no rows"
    named = [
        (number, column, cell)
        for number, row in enumerate(rows, start=2)
        for column, cell in row.items()
        if cell and names.search(cell)
    ]
    assert not named, f"line_items.csv names a company (line, column, cell): {named}"
