"""Words and lines with positions, from PDFium's character boxes or from pdfplumber.

Both engines give the same thing: words in pdfplumber's coordinate system
(points, origin at the page's top-left, ``top`` < ``bottom``). PDFium reads a
dense statement page in about 10 ms; pdfplumber (pdfminer, pure Python) takes
0.3 to 1.2 s for the same page on this hardware, which alone would break the
3-second budget for a 10-K, so PDFium is the default and pdfplumber stays
available as a cross-check (``engine="pdfplumber"``).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pypdfium2 as pdfium

from portfolio_kit.pdf._numbers import parse_amount

_WORD_GAP = 2.0
_OVERLAP = 1.0
_CHAR_FIXES = {"\x02": "-", "\u00ad": "-", "\u00a0": " "}
_UNMAPPED = "\ufffe"
_LIGATURES = ("fi", "fl", "ff", "ffi", "ffl")


@dataclass(frozen=True, slots=True)
class Word:
    """One word as pdfplumber places it (points, origin at the page's top-left)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class Line:
    """Words that share a baseline, left to right."""

    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


def pdfium_words(document: pdfium.PdfDocument, index: int) -> tuple[list[Word], float]:
    """Words of page ``index`` and the page height, from PDFium character boxes.

    Characters are joined into a word until a space, a line break, a gap of
    more than 2 points or a jump backwards; boxes are PDFium's "loose" boxes
    (font ascent to descent), flipped to a top-left origin.
    """
    page = document[index]
    try:
        height = page.get_height()
        textpage = page.get_textpage()
        try:
            words = _group_chars(textpage, height)
        finally:
            textpage.close()
    finally:
        page.close()
    return rejoin_split_figures(words), float(height)


def pdfplumber_words(page: Any) -> tuple[list[Word], float]:
    """Words of a pdfplumber page and its height (slower; used to cross-check PDFium)."""
    raw = page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=_WORD_GAP)
    words = [
        Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]))
        for w in raw
    ]
    return rejoin_split_figures(words), float(page.height)


def _group_chars(textpage: pdfium.PdfTextPage, height: float) -> list[Word]:
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:
        text = "".join(textpage.get_text_range(i, 1) or " " for i in range(count))
    words: list[Word] = []
    chars: list[str] = []
    left = right = top = bottom = 0.0
    for i in range(count):
        char = _CHAR_FIXES.get(text[i], text[i])
        if char.isspace() or not char.isprintable():
            if chars:
                words.append(Word("".join(chars), left, right, top, bottom))
                chars = []
            continue
        x0, y0, x1, y1 = textpage.get_charbox(i, loose=True)
        char_top, char_bottom = height - y1, height - y0
        if chars and (
            x0 - right > _WORD_GAP
            or x0 < left - 0.5
            or abs((char_top + char_bottom) / 2 - (top + bottom) / 2) > 0.5 * (bottom - top)
        ):
            words.append(Word("".join(chars), left, right, top, bottom))
            chars = []
        if not chars:
            left, right, top, bottom = x0, x1, char_top, char_bottom
        else:
            right = max(right, x1)
            top = min(top, char_top)
            bottom = max(bottom, char_bottom)
        chars.append(char)
    if chars:
        words.append(Word("".join(chars), left, right, top, bottom))
    return [w if _UNMAPPED not in w.text else _repair(w) for w in words]


def _repair(word: Word) -> Word:
    """An unmapped glyph (U+FFFE): a ligature inside a word, else a dash.

    Some producers emit U+FFFE for a dash ("per share \ufffe basic"); inside
    letters it is a ligature glyph the font maps to nothing ("Gross pro\ufffet",
    "Cash \ufffeows"), repaired to the ligature that makes a known word
    (``ligature_words.csv``), else "fi", the most common one.
    """
    text = word.text
    while _UNMAPPED in text:
        at = text.index(_UNMAPPED)
        beside = text[at - 1 : at] + text[at + 1 : at + 2]
        if not any(c.isalpha() for c in beside):
            text = text[:at] + "-" + text[at + 1 :]
            continue
        options = [text[:at] + lig + text[at + 1 :] for lig in _LIGATURES]
        known = [o for o in options if _has_known_word(o.replace(_UNMAPPED, ""))]
        text = known[0] if known else options[0]
    return Word(text, word.x0, word.x1, word.top, word.bottom)


@cache
def _ligature_words() -> tuple[str, ...]:
    """Stems of statement words printed with a ligature (data: ``ligature_words.csv``).

    Add a stem when a filing shows "Gross pro-t" or "Cash ows"; a stem covers
    its forms ("financ": financing, financial, finance).
    """
    text = resources.files("portfolio_kit.pdf").joinpath("ligature_words.csv").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines()[1:] if line.strip())


def _has_known_word(text: str) -> bool:
    lowered = text.lower()
    return any(stem in lowered for stem in _ligature_words() if any(l in stem for l in _LIGATURES))


def group_lines(words: list[Word]) -> list[Line]:
    """Words grouped into lines by vertical centre (labels and figures may sit a point apart)."""
    if not words:
        return []
    heights = [w.bottom - w.top for w in words if w.bottom > w.top]
    tolerance = 0.45 * (statistics.median(heights) if heights else 8.0)
    lines: list[list[Word]] = []
    centre = 0.0
    for word in sorted(words, key=lambda w: (w.middle, w.x0)):
        if lines and abs(word.middle - centre) <= tolerance:
            lines[-1].append(word)
            centre = sum(w.middle for w in lines[-1]) / len(lines[-1])
        else:
            lines.append([word])
            centre = word.middle
    return [Line(sorted(group, key=lambda w: w.x0)) for group in lines]


def rejoin_split_figures(words: list[Word]) -> list[Word]:
    """Join "(1,017" + ")" and "(" + "1,017)" that some producers emit as separate words.

    The closing parenthesis may start a fraction of a point before the figure
    ends (its box overlaps the last digit's when the producer typed "(541 )"
    with a kerned space), so a small overlap counts as touching.
    """
    joined: list[Word] = []
    for word in sorted(words, key=lambda w: (round(w.middle), w.x0)):
        if joined:
            last = joined[-1]
            same_line = abs(last.middle - word.middle) < 2.0
            close = -_OVERLAP <= word.x0 - last.x1 < 3.0
            candidate = last.text + word.text
            if (
                same_line
                and close
                and (word.text in (")", ")-") or last.text in ("(", "$(", "($"))
                and parse_amount(candidate) is not None
            ):
                joined[-1] = Word(
                    candidate,
                    last.x0,
                    word.x1,
                    min(last.top, word.top),
                    max(last.bottom, word.bottom),
                )
                continue
        joined.append(word)
    return joined
