"""How the three primary statements are titled, and what their pages contain.

Shared by the fast page finder (plain text) and the layout reader (which must
stop a table where the next statement's title begins). Patterns are matched
against lower-cased text with curly quotes straightened.
"""

from __future__ import annotations

import re

from portfolio_kit.vocabulary import Statement

TITLE_PATTERNS: dict[Statement, re.Pattern[str]] = {
    Statement.INCOME: re.compile(
        r"statements?\s+of\s+(?:consolidated\s+)?(?:operations|income|earnings|\(?loss\)?"
        r"|(?:net\s+)?income\s+\(loss\)|operations\s+and\s+comprehensive)"
        r"|\bincome\s+statements?\b|\bstatements?\s+of\s+profit\s+or\s+loss"
    ),
    Statement.BALANCE: re.compile(
        r"\bbalance\s+sheets?\b|statements?\s+of\s+(?:consolidated\s+)?financial\s+(?:position|condition)"
    ),
    Statement.CASH_FLOW: re.compile(
        r"statements?\s+of\s+(?:consolidated\s+)?cash\s+flows?|\bcash\s+flows?\s+statements?\b"
    ),
}
"""A line that titles each statement ("Consolidated Statements of Operations")."""

OTHER_TITLES = re.compile(
    r"statements?\s+of\s+(?:consolidated\s+)?(?:comprehensive\s+(?:income|loss|earnings)"
    r"|(?:changes\s+in\s+)?(?:stockholders|shareholders|shareowners)?'?\s*equity"
    r"|changes\s+in\s+equity|retained\s+earnings)"
    r"|notes\s+to\s+(?:the\s+)?(?:consolidated\s+)?financial\s+statements"
)
"""Titles of pages that end a primary statement (comprehensive income, equity, notes)."""

NOT_A_TITLE = re.compile(
    r"notes\s+to|analysis|\bdata\b|\bindex\b|selected|summary|supplement"
    r"|parent\s+company|registrant|quarterly|\bsee\b|accompanying|included|"
    r"the\s+following|\bour\b|\bwe\b|\bin\s+the\b|\bon\s+the\b|\bpage\b|reported|restate|"
    r"segment|pro\s+forma|non-gaap|reconciliation|\badjusted\b"
)
"""Words that show a line mentions a statement rather than titling one."""

SUPPLEMENTARY = re.compile(
    r"guarantor|obligor|consolidating|parent[\s-]+(?:company|only)|\bissuers?\b"
    r"|condensed\s+financial\s+information\s+of|combined\s+(?:debtor|non-?debtor)"
    r"|\bsegments?\b|non-gaap|reconciliation"
)
"""Heading words of supplementary statements that repeat a primary statement's
title: guarantor and obligor-group statements, consolidating schedules,
parent-company-only statements, segment tables, non-GAAP reconciliations."""

CONTENT_PATTERNS: dict[Statement, tuple[re.Pattern[str], ...]] = {
    Statement.INCOME: tuple(
        re.compile(p)
        for p in (
            r"\bnet\s+(?:income|earnings|loss)\b",
            r"per\s+(?:common\s+)?share|earnings\s+per",
            r"\brevenues?\b|\bnet\s+sales\b|\bsales\b",
            r"income\s+tax|taxes\s+on\s+income|provision\s+for\s+taxes",
            r"operating\s+income|income\s+from\s+operations|operating\s+expenses|costs\s+and\s+expenses",
            r"cost\s+of\s+(?:sales|revenues?|goods|products)|gross\s+(?:profit|margin)",
            r"before\s+(?:provision\s+for\s+)?(?:income\s+)?taxes|before\s+.*taxes",
            r"weighted[\s-]+average|shares\s+used|average\s+shares",
        )
    ),
    Statement.BALANCE: tuple(
        re.compile(p)
        for p in (
            r"total\s+assets",
            r"total\s+liabilities",
            r"current\s+assets",
            r"current\s+liabilities",
            r"(?:stockholders|shareholders|shareowners)'?\s+equity|\btotal\s+equity",
            r"retained\s+earnings|accumulated\s+deficit",
            r"cash\s+and\s+(?:cash\s+)?equivalents",
            r"accounts\s+payable",
            r"property|goodwill",
        )
    ),
    Statement.CASH_FLOW: tuple(
        re.compile(p)
        for p in (
            r"operating\s+activities|from\s+operations|operating\s+activities",
            r"investing\s+activities",
            r"financing\s+activities",
            r"depreciation",
            r"net\s+cash|cash\s+(?:provided|used|generated)",
            r"beginning\s+of\s+(?:the\s+)?(?:period|year)|beginning\s+balance",
            r"end\s+of\s+(?:the\s+)?(?:period|year)|ending\s+balance",
            r"dividends|repurchase|proceeds",
        )
    ),
}
"""Phrases typical of each statement's rows; a page needs several of them."""

CLOSING_ROWS: dict[Statement, re.Pattern[str]] = {
    Statement.INCOME: re.compile(r"per\s+(?:common\s+)?share|weighted[\s-]+average|shares\s+used"),
    Statement.BALANCE: re.compile(r"total\s+liabilities,?\s+.*equity|total\s+liabilities\s+and"),
    Statement.CASH_FLOW: re.compile(
        r"end\s+of\s+(?:the\s+)?(?:period|year)|ending\s+balances?|at\s+end\s+of"
    ),
}
"""Rows that show a statement is complete on its page (no continuation needed)."""


def normalise_text(text: str) -> str:
    """Lower-case with typographic quotes and dashes made plain, spaces collapsed.

    Line breaks are kept (as single newlines), so that a pattern such as
    "total liabilities ... equity" cannot match across two rows of a page.
    """
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"[^\S\n]+", " ", text)
    return re.sub(r" ?\n[\s]*", "\n", text).strip()


def title_kind(line: str) -> Statement | None:
    """Which primary statement a heading line titles, if any.

    The phrase must start the line or follow a short prefix (a company name,
    "Consolidated"), and the line must not be prose that merely mentions a
    statement ("... recorded in the consolidated statements of operations").
    """
    text = normalise_text(line)
    if not text or len(text) > 140 or NOT_A_TITLE.search(text):
        return None
    if OTHER_TITLES.search(text):
        return None
    for kind, pattern in TITLE_PATTERNS.items():
        match = pattern.search(text)
        if match is not None and match.start() <= 60:
            return kind
    return None


def is_other_title(line: str) -> bool:
    """True for a heading that starts another statement or the notes."""
    text = normalise_text(line)
    if len(text) > 140:
        return False
    match = OTHER_TITLES.search(text)
    if match is None or match.start() > 60:
        return False
    return not NOT_A_TITLE.search(text.replace("notes to", ""))
