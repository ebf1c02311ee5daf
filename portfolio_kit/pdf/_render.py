"""Draw the page region around a figure, so a reviewer sees it where it was printed."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

from portfolio_kit.pdf._document import Limits, check_file, open_pdfium
from portfolio_kit.pdf._limits import ContentGuard

_MAX_SCALE = 8.0


def render_crop(
    path: str | Path,
    page: int,
    bbox: Sequence[float],
    padding: float = 24.0,
    scale: float = 2.0,
) -> bytes:
    """A PNG of the page region around ``bbox``, for the review screen.

    Parameters
    ----------
    path : str or Path
        The PDF the figure came from.
    page : int
        0-based page index (``Figure.page``).
    bbox : sequence of 4 floats
        (x0, top, x1, bottom) in pdfplumber coordinates: points from the
        page's top-left corner (``Figure.bbox``). Assumes the page's crop box
        starts at the media box origin, as it does in filings.
    padding : float, default 24
        Points of context added on every side (clipped at the page edge); 24
        points is about two lines of a statement.
    scale : float, default 2
        Pixels per point (2 is 144 dpi), at most 8.

    Returns
    -------
    bytes
        PNG image data.

    Raises
    ------
    ValueError
        A page out of range, a malformed bbox, negative padding or a scale
        outside (0, 8], each naming the argument.
    PdfError
        The file cannot be opened (same errors as ``extract_statements``);
        ``ContentTooLargeError`` when the page's content inflates past the
        limit (a decompression bomb).
    """
    if len(bbox) != 4 or not all(isinstance(v, int | float) and math.isfinite(v) for v in bbox):
        raise ValueError(f"bbox: expected four finite numbers (x0, top, x1, bottom), got {bbox!r}")
    x0, top, x1, bottom = (float(v) for v in bbox)
    if x1 < x0 or bottom < top:
        raise ValueError(f"bbox: x1 must be >= x0 and bottom >= top, got {tuple(bbox)!r}")
    if not padding >= 0:
        raise ValueError(f"padding: must be zero or more points, got {padding!r}")
    if not 0 < scale <= _MAX_SCALE:
        raise ValueError(f"scale: must be in (0, {_MAX_SCALE:g}], got {scale!r}")
    source = Path(path)
    check_file(source, Limits())
    document = open_pdfium(source)
    try:
        count = len(document)
        if not isinstance(page, int) or isinstance(page, bool) or not 0 <= page < count:
            raise ValueError(
                f"page: {page!r} is out of range; {source.name} has pages 0 to {count - 1}"
            )
        guard = ContentGuard(source)
        try:
            guard.check(page, only=True)  # before PDFium inflates the page to draw it
        finally:
            guard.close()
        pdf_page = document[page]
        try:
            width, height = pdf_page.get_size()
            if x0 > width or top > height or x1 < 0 or bottom < 0:
                raise ValueError(
                    f"bbox: {tuple(bbox)!r} lies outside page {page} "
                    f"({width:.0f} x {height:.0f} points)"
                )
            left = max(0.0, x0 - padding)
            right = min(width, x1 + padding)
            upper = max(0.0, top - padding)
            lower = min(height, bottom + padding)
            bitmap = pdf_page.render(scale=scale, crop=(left, height - lower, width - right, upper))
            image = bitmap.to_pil()
        finally:
            pdf_page.close()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
