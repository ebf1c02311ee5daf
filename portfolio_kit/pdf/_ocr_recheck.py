"""A second, digit-only Tesseract read of the figures a page-level OCR read may have got wrong.

Tesseract reads a statement page as a page of text. On figures that costs
what a page layout analysis cannot see: the parentheses of a negative total
touching the rules printed above and below it are dropped ("(182)" read
"182", conf 96: the sign flips), a thousands comma is read as a point
("8,211" as "8.211") and a speck after a figure becomes part of it ("323.").
Read alone, as one line of digits (``--psm 7`` with a digit-only whitelist),
the same crop gives "(182)", "8,211", "323".

The suspect figures of a page (``needs_recheck``) are re-read together,
in one Tesseract process per round, so a page costs one or two Tesseract
starts (about 0.2 s each) rather than one per figure. A re-read replaces the first read only when it
changes signs and separators, never the digits (``accept_reread``): a crop
re-read can correct how a number is written but cannot invent one.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from portfolio_kit.pdf._numbers import decimals_of, parse_amount

REREAD_CONFIG = "--psm 7 -c tessedit_char_whitelist=0123456789,.()$-"
"""One text line (psm 7), only the glyphs a printed figure is made of."""

LOW_CONFIDENCE = 50.0
"""Tesseract's word confidence (0-100) below which a figure is re-read: below even odds by
Tesseract's own estimate that the word is what it printed."""

INK_LEVEL = 128
"""Grey level below which a pixel is ink: halfway between black print (0) and paper (255),
so that the light grey of a shaded (zebra) row, 200 to 240, is paper."""

STROKE_REACH = 0.5
"""How far beside a figure's digits a parenthesis is looked for, as a fraction of the digits'
height: in the sans-serif faces of filings a parenthesis is about 0.35 of the digit height wide
and set 0.05 to 0.1 away, so it lies within half a digit height of the digits."""

STROKE_ROWS = (0.2, 0.8)
"""The band of the digits' height in which a parenthesis stroke must show ink on every row:
the middle, away from the rules that touch a total's figures from above and below."""

_AMBIGUOUS_POINT = re.compile(r"^\(?\$?\d{1,3}\.\d{3}\)?$")
_DIGIT = re.compile(r"\d")
# Letters, footnote stars and percent signs are printed, not misread figure glyphs: "10-Q",
# "2022*", "15%" are words and are left as read.
_NOT_A_FIGURE_GLYPH = re.compile(r"[^\W\d_]|[*%]")


def needs_recheck(
    text: str, confidence: float, strokes_beside: bool, row_decimals: int | None = None
) -> bool:
    """Whether a word read on an OCR page should be read again alone, digit-only.

    ``text`` is the first read, ``confidence`` Tesseract's (0-100), and
    ``strokes_beside`` whether ink strokes stand on both sides of its box
    (``ink_on_both_sides``); ``row_decimals`` the decimals that every other
    figure on its line is printed with, if they agree (``row_decimals``).
    Words without a digit, or with a letter, a star or a percent sign, are
    never re-read.
    """
    if not _DIGIT.search(text) or _NOT_A_FIGURE_GLYPH.search(text):
        return False
    value = parse_amount(text)
    if value is None:
        # Digits, but no clean figure ("323.", "322)", "1,01"). A trailing comma, semicolon or
        # colon is the punctuation of running text ("October 29,", "99,338,704 shares;"),
        # which Tesseract reads well; a figure column never prints one.
        return not text.endswith((",", ";", ":"))
    if _AMBIGUOUS_POINT.match(text):
        return True  # "8.211": a thousands comma read as a point gives this shape
    if confidence < LOW_CONFIDENCE:
        return True
    if row_decimals and decimals_of(text) == 0:
        return True  # "985" among "10.02" and "3.77": a per-share figure lost its point
    return strokes_beside and value >= 0 and "(" not in text


def ink_on_both_sides(ink: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """True when a vertical stroke of ink stands just left and just right of a word's box.

    ``ink`` is the page as a boolean array (True = ink), ``box`` the word's
    tight pixel box (left, top, width, height) from Tesseract. A side has a
    stroke when every pixel row of the middle band (``STROKE_ROWS``) holds
    ink within ``STROKE_REACH`` of the box, outside it: what a pair of
    parentheses leaves when Tesseract read only the digits between them.
    """
    left, top, width, height = box
    if height < 4:
        return False
    reach = max(2, round(STROKE_REACH * height))
    first, last = top + round(STROKE_ROWS[0] * height), top + round(STROKE_ROWS[1] * height)
    rows = ink[max(0, first) : last]
    if rows.shape[0] == 0:
        return False
    # Two pixels of margin: Tesseract's box may sit a pixel inside the glyphs' anti-aliasing.
    before = rows[:, max(0, left - reach) : max(0, left - 2)]
    after = rows[:, left + width + 2 : left + width + reach]
    return bool(
        before.shape[1] and after.shape[1] and before.any(axis=1).all() and after.any(axis=1).all()
    )


def reread(
    image: Any, boxes: list[tuple[int, int, int, int]], type_height: float, timeout: float
) -> list[str]:
    """The crops around word boxes, each read alone as one line of figure glyphs.

    All crops go to one Tesseract process (a list file of images, one page
    each): a Tesseract start and model load cost about 0.2 s, the read of
    one crop a few milliseconds. The margin around a box (room for a pair
    of parentheses beside it, a little above and below) is measured in
    ``type_height``, the page's typical word height in pixels, not in the
    box's own height: a box that Tesseract stretched over a rule above the
    figure would otherwise take the rule into the crop, and the rule reads
    as glyphs. Returns one text per box, or empty texts if Tesseract's
    output cannot be split into one per crop.
    """
    if not boxes:
        return []
    import pytesseract

    pad_x, pad_y = round(0.6 * type_height), round(0.25 * type_height)
    with tempfile.TemporaryDirectory(prefix="pk-reread-") as folder:
        paths = []
        for n, (left, top, width, height) in enumerate(boxes):
            crop = image.crop(
                (
                    max(0, left - pad_x),
                    max(0, top - pad_y),
                    min(image.width, left + width + pad_x),
                    min(image.height, top + height + pad_y),
                )
            )
            path = Path(folder) / f"{n:04d}.png"
            crop.save(path)
            paths.append(str(path))
        listing = Path(folder) / "crops.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        command = [pytesseract.pytesseract.tesseract_cmd, str(listing), "stdout"]
        try:
            done = subprocess.run(
                [*command, *REREAD_CONFIG.split()],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            # The words of pytesseract's own timeout, which the OCR pages turn into
            # ExtractionTimeoutError.
            raise RuntimeError("Tesseract process timeout") from None
    pages = done.stdout.split("\f")
    if done.returncode != 0 or len(pages) != len(boxes):
        return [""] * len(boxes)
    # A separator before the first digit is a speck beside the figure (".$198"): figures
    # are printed "0.5", never ".5".
    return ["".join(page.split()).lstrip(".,") for page in pages]


def accept_reread(first: str, second: str, row_decimals: int | None = None) -> str | None:
    """The re-read if it may replace the first read, else None.

    It may only change how the number is written: it must be a clean figure
    with the first read's digits in the same order and its separators in the
    same places counted from the right (a point may become a comma, a
    separator with no digit after it may go); it may add a pair of
    parentheses or a currency symbol, but not drop a parenthesis the first
    read saw, nor add a minus (a rule under a figure reads as one). One
    more separator is allowed: a decimal point that gives a figure with no
    decimals the ``row_decimals`` of the rest of its line.
    """
    if not second or second == first or parse_amount(second) is None:
        return None
    if _digits(second) != _digits(first):
        return None
    places = _separators(first.rstrip(".,"))
    lost_point = not places and row_decimals and decimals_of(second) == row_decimals
    if places != _separators(second) and not (lost_point and "," not in second):
        return None
    if ("(" in first or ")" in first) and "(" not in second:
        return None
    if "-" in second and "-" not in first:
        return None
    return second


def _digits(text: str) -> str:
    return "".join(_DIGIT.findall(text))


def _separators(text: str) -> list[int]:
    """Each separator's place as the count of digits after it ("8,211" -> [3])."""
    places = []
    digits_after = 0
    for char in reversed(text):
        if char.isdigit():
            digits_after += 1
        elif char in ",.":
            places.append(digits_after)
    return places


def recheck_figures(image: Any, data: dict[str, list[Any]], kept: list[int], timeout: float) -> int:
    """Re-read the suspect figures of one page in place (``data["text"]``); how many changed.

    ``data`` is pytesseract's ``image_to_data`` dictionary for ``image`` and
    ``kept`` the indexes of its words. Ink inside any word's box is not
    counted as a stroke beside another word: a "$" before a figure is a word
    of its own, not a parenthesis.
    """
    ink = np.asarray(image.convert("L")) < INK_LEVEL
    free = ink.copy()
    boxes = {i: _box(data, i) for i in kept}
    for left, top, width, height in boxes.values():
        free[top : top + height, left : left + width] = False
    type_height = float(np.median([b[3] for b in boxes.values()])) if boxes else 0.0
    reads: dict[int, str] = {}  # each word is re-read at most once
    original = list(data["text"])
    changed = 0
    # Two rounds: the first repairs what each word shows on its own, so that the second can
    # compare a figure with the (now clean) figures on its line.
    for by_row in (False, True):
        figures = [i for i in kept if parse_amount(str(data["text"][i]).strip()) is not None]
        wanted_now: list[tuple[int, str, int | None]] = []
        for i in kept:
            text = str(data["text"][i]).strip()
            if not _DIGIT.search(text) or (by_row and data["text"][i] != original[i]):
                continue
            if by_row:
                decimals = row_decimals(data, boxes, figures, i)
                wanted = bool(decimals) and needs_recheck(text, 100.0, False, decimals)
            else:
                decimals = None
                strokes = parse_amount(text) is not None and ink_on_both_sides(free, boxes[i])
                wanted = needs_recheck(text, float(data["conf"][i]), strokes)
            if wanted:
                wanted_now.append((i, text, decimals))
        fresh = [i for i, _, _ in wanted_now if i not in reads]
        reads.update(
            zip(fresh, reread(image, [boxes[i] for i in fresh], type_height, timeout), strict=True)
        )
        for i, text, decimals in wanted_now:
            better = accept_reread(text, reads[i], decimals)
            if better is not None:
                data["text"][i] = better
                changed += 1
    return changed


def row_decimals(
    data: dict[str, list[Any]],
    boxes: dict[int, tuple[int, int, int, int]],
    figures: list[int],
    i: int,
) -> int | None:
    """The decimals every other figure on word ``i``'s line has, when they agree and are some.

    A statement row prints its figures alike: per-share rows with two
    decimals, amounts with none. Figures on the line are those whose middle
    lies within half the word's height of its middle.
    """
    _, top, _, height = boxes[i]
    middle = top + height / 2
    places = {
        decimals_of(str(data["text"][j]).strip())
        for j in figures
        if j != i and abs(boxes[j][1] + boxes[j][3] / 2 - middle) <= height / 2
    }
    if len(places) != 1:
        return None
    (only,) = places
    return only or None


def _box(data: dict[str, list[Any]], i: int) -> tuple[int, int, int, int]:
    return (
        int(data["left"][i]),
        int(data["top"][i]),
        int(data["width"][i]),
        int(data["height"][i]),
    )
