"""Words with positions, from PDFium's character boxes or from pdfplumber.

Both engines give the same thing: words in pdfplumber's coordinate system
(points, origin at the page's top-left, ``top`` < ``bottom``). PDFium reads a
dense statement page in about 10 ms; pdfplumber (pdfminer, pure Python) takes
0.3 to 1.2 s for the same page on this hardware, which alone would break the
3-second budget for a 10-K, so PDFium is the default and pdfplumber stays
available as a cross-check (``engine="pdfplumber"``).
"""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium

from portfolio_kit.pdf._layout import Word, rejoin_split_figures

_WORD_GAP = 2.0
_CHAR_FIXES = {"\x02": "-", "\ufffe": "-", "\u00ad": "-", "\u00a0": " "}


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
    return words
