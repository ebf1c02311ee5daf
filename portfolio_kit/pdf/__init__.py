"""Read the primary financial statements out of PDF filings.

``extract_statements(path)`` finds the income statement, balance sheet and
cash-flow statement in a text-based PDF of any length and returns a
``StatementSet`` whose ``to_frame()`` has one tidy row per figure, mapped to
the canonical line items of ``portfolio_kit.vocabulary``. ``render_crop``
draws the page region around a figure for a review screen. Failures raise the
``PdfError`` subclasses in ``portfolio_kit.pdf.errors``, each naming the file.
"""

from __future__ import annotations

from portfolio_kit.pdf._document import Limits
from portfolio_kit.pdf._extract import extract_statements
from portfolio_kit.pdf._model import FRAME_COLUMNS, ExtractedStatement, Figure, StatementSet
from portfolio_kit.pdf._render import render_crop
from portfolio_kit.pdf.errors import (
    CorruptPdfError,
    EncryptedPdfError,
    ExtractionTimeoutError,
    NoStatementsFoundError,
    NotAPdfError,
    PdfError,
    PdfNotFoundError,
    PdfTooLargeError,
    ScannedPdfError,
)

__all__ = [
    "FRAME_COLUMNS",
    "CorruptPdfError",
    "EncryptedPdfError",
    "ExtractedStatement",
    "ExtractionTimeoutError",
    "Figure",
    "Limits",
    "NoStatementsFoundError",
    "NotAPdfError",
    "PdfError",
    "PdfNotFoundError",
    "PdfTooLargeError",
    "ScannedPdfError",
    "StatementSet",
    "extract_statements",
    "render_crop",
]
