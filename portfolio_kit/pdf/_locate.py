"""Find the pages that hold the primary statements, from plain text only.

A 10-K mentions "consolidated balance sheets" on dozens of pages: the table of
contents, the auditor's report, MD&A, the notes. A statement page is one whose
heading *is* the title (not prose mentioning it), whose body has the rows
typical of that statement, and which is dense with figures. When several
pages qualify, the best-scoring one wins, with a preference for the cluster
where the other statements sit (the primary statements are printed together).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from portfolio_kit.pdf._numbers import is_dash, parse_amount
from portfolio_kit.pdf._titles import (
    CLOSING_ROWS,
    CONTENT_PATTERNS,
    SUPPLEMENTARY,
    is_other_title,
    normalise_text,
    title_kind,
)
from portfolio_kit.vocabulary import Statement

_HEADING_LINES = 12
_MIN_CONTENT_HITS = 3
_MIN_FIGURES = 12
_MAX_CONTINUATION_PAGES = 2
_CLUSTER_SPAN = 15
_STRONG_SCORE = 12.0
_LOOKAHEAD = 6
_YEAR_TOKEN = re.compile(r"^(?:19|20)\d\d$")
_MID_PAGE_PENALTY = 1.0
_COMPANION_REACH = 2
_ENTITY_LINE = re.compile(r"[a-z]")
_NOT_ENTITY = re.compile(
    r"table\s+of\s+contents|^\(?unaudited\)?$|^\d+$|^page\s+\d+|^part\s+[iv]+|item\s+\d|^index\b"
)


@dataclass(frozen=True, slots=True)
class PageScore:
    """Evidence that ``page`` holds statement ``kind``."""

    kind: Statement
    page: int
    score: float
    content_hits: int
    figures: int
    title: str
    entity: str = ""
    title_above: bool = False


@dataclass(frozen=True, slots=True)
class Location:
    """Where one statement was found: its first page and any continuation pages.

    ``entity`` is the company name printed over the title ("PG&E CORPORATION"),
    "" when none is printed; ``registrants`` names every company of the filing
    that heads a set of statements, in print order (two in a combined filing).
    ``companions`` are neighbouring pages that print the same statement, under
    the same title, complete on one page, for other periods (an earnings
    release prints the quarter on one page and the year to date on the next).
    ``spill`` is the next page when the statement's closing rows ran over onto
    its top, above the next statement's title (see ``_spill_page``).
    """

    kind: Statement
    pages: tuple[int, ...]
    score: float
    title: str
    entity: str = ""
    registrants: tuple[str, ...] = ()
    title_above: bool = False
    companions: tuple[int, ...] = ()
    spill: int | None = None


def score_page(index: int, text: str) -> PageScore | None:
    """Evidence that page ``index`` holds a primary statement, or None if it does not qualify.

    The title is looked for in the page's heading first; an earnings release
    starts a statement part way down a page (after the end of the previous
    one or after prose), so a title line further down counts too, scored a
    little lower, with only the text after it as the statement's body.
    Supplementary statements (guarantor, consolidating, parent-only, segment,
    non-GAAP) are not primary even when titled like one.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    heading = lines[:_HEADING_LINES]
    found = _title_in(heading)
    start = 0
    penalty = 0.0
    if found is not None:
        start = next((i for i, line in enumerate(lines) if found[1].startswith(line)), 0)
    else:
        found, start = _title_below(lines)
        penalty = _MID_PAGE_PENALTY
    if found is None:
        return None
    kind, title = found
    if SUPPLEMENTARY.search(normalise_text(" ".join(lines[max(0, start - 3) : start + 3]))):
        return None
    body_text = "\n".join(lines[start:])
    body = normalise_text(body_text)
    hits = sum(bool(p.search(body)) for p in CONTENT_PATTERNS[kind])
    figures = _count_figures(body_text)
    if hits < _MIN_CONTENT_HITS or figures < _MIN_FIGURES:
        return None
    score = 4.0 + hits + min(figures / 25.0, 3.0) - penalty
    return PageScore(kind, index, score, hits, figures, title, _entity(lines, start))


def _title_below(lines: list[str]) -> tuple[tuple[Statement, str] | None, int]:
    """A title line below the heading: a short line that is a statement title, standing alone."""
    for index in range(_HEADING_LINES, len(lines)):
        line = lines[index]
        if len(line) <= 100 and title_kind(line) is not None and not _count_figures(line):
            kind = title_kind(line)
            assert kind is not None
            return (kind, line), index
    return None, 0


def _entity(lines: list[str], title_index: int) -> str:
    """The company name printed just above a statement's title, as printed ("" if none)."""
    for line in reversed(lines[max(0, title_index - 3) : title_index]):
        text = normalise_text(line)
        if (
            _ENTITY_LINE.search(text)
            and not _NOT_ENTITY.search(text)
            and len(text) <= 80
            and title_kind(line) is None
            and not _count_figures(line)
        ):
            return line.strip()
    return ""


def score_with_previous(index: int, text: str, previous: str | None) -> PageScore | None:
    """``score_page``, or, failing that, with a title that ends the previous page.

    An earnings release may print a statement's title as the last line of a
    page and its table on the next one; such a page counts, and its
    ``title_above`` says where the title is.
    """
    found = score_page(index, text)
    if found is not None or previous is None:
        return found
    carried = _trailing_title(previous)
    if carried is None:
        return None
    found = score_page(index, f"{carried}\n{text}")
    if found is None:
        return None
    return PageScore(
        found.kind, index, found.score, found.content_hits, found.figures, found.title,
        found.entity, title_above=True,
    )  # fmt: skip


def _trailing_title(text: str) -> str | None:
    """A statement title among the last lines of a page (after it only a page number)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    tail = lines[-3:]
    for position, line in enumerate(tail):
        rest = tail[position + 1 :]
        if title_kind(line) is not None and all(re.fullmatch(r"\d{1,3}", r) for r in rest):
            return "\n".join(lines[max(0, len(lines) - 3 - 2) : len(lines) - len(rest)])
    return None


def score_pages(texts: Sequence[str]) -> list[PageScore]:
    """Every page that qualifies as a statement page, with its score."""
    return [
        s
        for i, text in enumerate(texts)
        if (s := score_with_previous(i, text, texts[i - 1] if i else None)) is not None
    ]


def find_statements(pages: Sequence[str]) -> tuple[dict[Statement, Location], int]:
    """Scan pages in order and locate the statements, stopping once they are all found.

    The primary statements are printed together, before the notes. Once each
    of the three has a strong page (title, most of its typical rows, many
    figures) and a few more pages have been read for continuations, the rest
    of the document is not read: later pages are notes, schedules and
    exhibits, whose condensed or consolidating statements would only compete
    with the real ones.

    Returns
    -------
    (locations, pages_read)
    """
    scores: list[PageScore] = []
    best: dict[Statement, PageScore] = {}
    read = 0
    for index in range(len(pages)):
        read = index + 1
        score = score_with_previous(index, pages[index], pages[index - 1] if index else None)
        if score is not None:
            scores.append(score)
            if score.kind not in best or score.score > best[score.kind].score:
                best[score.kind] = score
        if (
            len(best) == len(Statement)
            and all(s.score >= _STRONG_SCORE for s in best.values())
            and index >= max(s.page for s in best.values()) + _LOOKAHEAD
        ):
            break
    texts = [pages[i] for i in range(read)]
    return locate_statements(texts, scores), read


def locate_statements(
    texts: Sequence[str], scores: list[PageScore] | None = None
) -> dict[Statement, Location]:
    """The best page for each statement found, plus its continuation pages.

    Parameters
    ----------
    texts : sequence of str
        Plain text of every page read, in order.
    scores : list of PageScore, optional
        ``score_pages(texts)`` when already computed.

    Returns
    -------
    dict
        Only the statements that were found; an empty dict when none was.
    """
    by_kind: dict[Statement, list[PageScore]] = {}
    for score in scores if scores is not None else score_pages(texts):
        by_kind.setdefault(score.kind, []).append(score)
    names = tuple(registrants([s for found in by_kind.values() for s in found]))
    by_kind = _first_registrant(by_kind)
    best = {kind: max(found, key=lambda s: (s.score, s.figures)) for kind, found in by_kind.items()}
    best = _prefer_cluster(best, by_kind)
    locations = {}
    for kind, choice in best.items():
        first = _first_page(texts, kind, choice.page, {s.page for s in by_kind[kind]})
        pages = [first, *_continuations(texts, kind, first)]
        companions = tuple(
            s.page
            for s in by_kind[kind]
            if s.page not in pages
            and abs(s.page - first) <= _COMPANION_REACH
            and normalise_text(s.title) == normalise_text(choice.title)
            and not s.title_above
            and CLOSING_ROWS[kind].search(_body_after_title(texts[s.page]))
            and CLOSING_ROWS[kind].search(_body_after_title(texts[first]))
        )
        locations[kind] = Location(
            kind, tuple(pages), choice.score, choice.title, choice.entity, names,
            title_above=choice.title_above and first == choice.page, companions=companions,
            spill=_spill_page(texts, kind, pages[-1]),
        )  # fmt: skip
    return locations


def registrants(scores: list[PageScore]) -> list[str]:
    """Company names that head a full set of statements (two or more kinds), in print order.

    A combined filing (a holding company and its subsidiary, e.g. a utility
    and its parent) prints one set per registrant, each headed by its name.
    """
    kinds: dict[str, set[Statement]] = {}
    first: dict[str, tuple[int, str]] = {}
    for score in scores:
        if score.entity:
            key = normalise_text(score.entity)
            kinds.setdefault(key, set()).add(score.kind)
            first.setdefault(key, (score.page, score.entity))
    names = sorted((first[key] for key in kinds if len(kinds[key]) >= 2))
    return [name for _, name in names]


def _first_registrant(by_kind: dict[Statement, list[PageScore]]) -> dict[Statement, list[PageScore]]:
    """With several registrants' statements, keep those of the one printed first.

    Combined filings print the parent (the holding company, listed first on
    the cover) before its subsidiary; pages without a printed name are kept.
    """
    names = registrants([s for found in by_kind.values() for s in found])
    if len(names) < 2:
        return by_kind
    others = {normalise_text(name) for name in names[1:]}
    kept = {
        kind: [s for s in found if normalise_text(s.entity) not in others]
        for kind, found in by_kind.items()
    }
    return {kind: found for kind, found in kept.items() if found}


def _first_page(texts: Sequence[str], kind: Statement, page: int, qualifying: set[int]) -> int:
    """Step back over earlier pages of the same statement ("... (continued)" won on content)."""
    while page - 1 in qualifying and not CLOSING_ROWS[kind].search(
        _body_after_title(texts[page - 1])
    ):
        page -= 1
    return page


def _prefer_cluster(
    best: dict[Statement, PageScore], by_kind: dict[Statement, list[PageScore]]
) -> dict[Statement, PageScore]:
    """Move an outlier to a nearly as good page next to the other statements."""
    if len(best) < 2:
        return best
    chosen = dict(best)
    for kind, choice in best.items():
        others = [s.page for k, s in chosen.items() if k is not kind]
        centre = sorted(others)[len(others) // 2]
        if abs(choice.page - centre) <= _CLUSTER_SPAN:
            continue
        near = [
            s
            for s in by_kind[kind]
            if abs(s.page - centre) <= _CLUSTER_SPAN and s.score >= choice.score - 2.0
        ]
        if near:
            chosen[kind] = max(near, key=lambda s: (s.score, s.figures))
    return chosen


def _continuations(texts: Sequence[str], kind: Statement, page: int) -> list[int]:
    """Following pages that carry on the same statement (e.g. liabilities after assets)."""
    extra: list[int] = []
    current = page
    while len(extra) < _MAX_CONTINUATION_PAGES:
        if CLOSING_ROWS[kind].search(_body_after_title(texts[current])):
            break
        nxt = current + 1
        if nxt >= len(texts):
            break
        heading = _heading(texts[nxt])
        found = _title_in(heading)
        if found is not None and found[0] is not kind:
            break
        if any(is_other_title(line) for line in heading):
            break
        body = normalise_text(texts[nxt])
        hits = sum(bool(p.search(body)) for p in CONTENT_PATTERNS[kind])
        if hits < 2 or _count_figures(texts[nxt]) < 15:
            break
        extra.append(nxt)
        current = nxt
    return extra


def _spill_page(texts: Sequence[str], kind: Statement, last: int) -> int | None:
    """The next page, when the statement's closing rows spilled onto it above another title.

    A statement that fills its page may print its last row (a balance sheet's
    "Total liabilities and stockholders' equity") at the top of the next page,
    above the title of the next statement. That page is no continuation (its
    heading titles another statement), but without those lines the statement
    has no closing total: it is the page only when its closing row comes before
    the first title on it and the statement's own pages have no closing row.
    """
    if CLOSING_ROWS[kind].search(_body_after_title(texts[last])) or last + 1 >= len(texts):
        return None
    above: list[str] = []
    for line in texts[last + 1].splitlines():
        if title_kind(line) is not None or is_other_title(line):
            break
        above.append(line)
    else:
        return None
    spilled = normalise_text("\n".join(above))
    if CLOSING_ROWS[kind].search(spilled) and _count_figures("\n".join(above)) > 0:
        return last + 1
    return None


def _count_figures(text: str) -> int:
    """Tokens that read as printed amounts (years excluded): statement pages are dense."""
    return sum(
        1
        for token in text.split()
        if parse_amount(token) is not None and not _YEAR_TOKEN.match(token) and not is_dash(token)
    )


def _heading(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[:_HEADING_LINES]


def _title_in(heading: list[str]) -> tuple[Statement, str] | None:
    """The first title among the heading lines; a title may wrap onto a second line."""
    for index, line in enumerate(heading):
        if is_other_title(line):
            return None
        kind = title_kind(line)
        if kind is not None:
            return kind, line
        if index + 1 < len(heading) and title_kind(line) is None:
            joined = f"{line} {heading[index + 1]}"
            if is_other_title(joined):
                return None
            kind = title_kind(joined)
            if kind is not None and title_kind(heading[index + 1]) is None:
                return kind, joined
    return None


def _body_after_title(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return normalise_text("\n".join(lines[2:]))
