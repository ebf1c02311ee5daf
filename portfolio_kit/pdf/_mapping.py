"""Map printed labels to canonical line items, using the table in ``line_items.csv``.

The mapping is data: each CSV row says "in this statement, a label matching
this pattern (under a heading matching that pattern) means this item, with
this weight". A person extends the table, not the code. The code adds only
what a table cannot say well:

* labels are normalised first (case, quotes, dashes, footnote markers,
  "(Note 5)", "(loss)"), so patterns stay short;
* per-share rows (under "Earnings per share:" or saying "per share") can only
  be per-share items, and share counts ("Weighted-average shares") are never
  money items;
* each item goes to at most one row of a statement: the best candidate wins
  (weight, then identity evidence, then the first row), and the loser may
  still take its next-best item.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from portfolio_kit.vocabulary import LINE_ITEMS, Statement

_TABLE = "line_items.csv"
_FOOTNOTES = re.compile(r"\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)|\((?:see\s+)?notes?\s+[^)]*\)|\*+|[†‡]")
_LOSS_WORDS = re.compile(r"\((?:loss|losses|deficit|deficiency)\)")
_QUALIFIERS = re.compile(
    r"\s*\((?:including|includes|included|excluding|excludes|exclusive|inclusive|net of|less)"
    r"\b[^)]*\)?"
)
_PER_SHARE = re.compile(r"per\s+(?:common\s+|ordinary\s+)?share|per\s+(?:basic|diluted)\s+share")
_SHARE_COUNT = re.compile(r"\bshares\b|\bunits outstanding\b")


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the mapping table."""

    statement: Statement
    item: str
    label: re.Pattern[str]
    section: re.Pattern[str] | None
    weight: float
    note: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A row that could carry an item, with how strongly its label says so."""

    row: int
    item: str
    weight: float
    evidence: float = 0.0


def normalise_label(label: str) -> str:
    """The label as the mapping table sees it.

    Lower case; curly quotes and typographic dashes made plain; commas,
    footnote markers, "(Note 5)", "(loss)" and trailing colons removed; a
    parenthetical qualifier such as "(including net gain on sale ...)" cut
    off. Patterns in ``line_items.csv`` are written against this form, so they
    never contain commas.
    """
    text = label.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[\u2010-\u2015\u2212]+", "-", text)
    text = text.replace("$", " ").replace(",", " ")
    text = _FOOTNOTES.sub(" ", text)
    text = _LOSS_WORDS.sub(" ", text)
    text = _QUALIFIERS.sub(" ", text)
    text = re.sub(r"\s*-\s*", "-", text) if re.search(r"\w-\s|\s-\w", text) else text
    text = re.sub(r"\s+", " ", text)
    return text.strip(" :;,.")


def row_nature(label: str, section: str, statement: Statement) -> str:
    """``"per_share"``, ``"shares"`` or ``"money"``: how a row's figures are measured.

    Only the income statement has per-share amounts and share counts (a
    balance-sheet label such as "Common stock, 4,443,236 shares issued" is
    money). The label decides first ("Basic earnings per share",
    "Weighted-average shares outstanding"), then the heading the row sits
    under ("Earnings per share:" / "Shares used in computing earnings per
    share:").
    """
    if statement is not Statement.INCOME:
        return "money"
    if _PER_SHARE.search(label) and not re.search(r"\bshares\b", label.split("per")[0]):
        return "per_share"
    if _SHARE_COUNT.search(label):
        return "shares"
    if section:
        if _SHARE_COUNT.search(section):
            return "shares"
        if _PER_SHARE.search(section):
            return "per_share"
    return "money"


@cache
def load_rules(path: str | None = None) -> tuple[Rule, ...]:
    """Read and check the mapping table (the packaged ``line_items.csv`` by default).

    Raises
    ------
    ValueError
        Naming the file and line of an unknown item, a statement that does not
        own the item, a pattern that does not compile or a weight outside (0, 1].
    """
    if path is None:
        text = resources.files("portfolio_kit.pdf").joinpath(_TABLE).read_text(encoding="utf-8")
        source = _TABLE
    else:
        text = Path(path).read_text(encoding="utf-8")
        source = str(path)
    rules = []
    for number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        where = f"{source} line {number}"
        item = row["item"].strip()
        if item not in LINE_ITEMS:
            raise ValueError(f"{where}: item {item!r} is not a canonical line item")
        try:
            statement = Statement(row["statement"].strip())
        except ValueError:
            raise ValueError(f"{where}: statement {row['statement']!r} is unknown") from None
        if LINE_ITEMS[item].statement is not statement:
            raise ValueError(
                f"{where}: item {item!r} belongs to {LINE_ITEMS[item].statement.value}"
            )
        try:
            label = re.compile(row["label"])
            section = re.compile(row["section"]) if row["section"].strip() else None
        except re.error as err:
            raise ValueError(f"{where}: pattern does not compile ({err})") from None
        try:
            weight = float(row["weight"])
        except ValueError:
            raise ValueError(f"{where}: weight {row['weight']!r} is not a number") from None
        if not 0 < weight <= 1:
            raise ValueError(f"{where}: weight must be in (0, 1], got {weight}")
        rules.append(Rule(statement, item, label, section, weight, row.get("note") or ""))
    return tuple(rules)


def match_label(
    statement: Statement,
    label: str,
    section: str,
    nature: str,
    rules: tuple[Rule, ...] | None = None,
) -> list[tuple[str, float]]:
    """Items a normalised label may mean, best first, each with its weight.

    Parameters
    ----------
    statement : Statement
    label : str
        Normalised label (``normalise_label``).
    section : str
        Normalised heading the row sits under ("" if none).
    nature : str
        ``row_nature`` of the row: per-share rows only match per-share items,
        share counts match nothing.
    """
    if nature == "shares" or not label:
        return []
    best: dict[str, float] = {}
    for rule in rules if rules is not None else load_rules():
        if rule.statement is not statement:
            continue
        if LINE_ITEMS[rule.item].per_share != (nature == "per_share"):
            continue
        if rule.section is not None and not rule.section.search(section):
            continue
        if rule.label.fullmatch(label) and rule.weight > best.get(rule.item, 0.0):
            best[rule.item] = rule.weight
    return sorted(best.items(), key=lambda pair: -pair[1])


def assign(candidates: list[Candidate]) -> dict[int, Candidate]:
    """Give each item to at most one row and each row at most one item.

    Strongest first: label weight, then identity evidence (a row that foots
    with its neighbours is more likely the real total), then the earlier row.
    """
    ranked = sorted(candidates, key=lambda c: (-c.weight, -c.evidence, c.row))
    taken_items: set[str] = set()
    chosen: dict[int, Candidate] = {}
    for candidate in ranked:
        if candidate.row in chosen or candidate.item in taken_items:
            continue
        chosen[candidate.row] = candidate
        taken_items.add(candidate.item)
    return chosen
