"""Storing source documents and staging what the PDF extractor reads from them.

A document is stored once per content (SHA-256): uploading the same file
twice returns the first ``Document``. Extraction stages every figure as an
``ExtractedLine`` for review; nothing becomes a ``FinancialMetric`` until an
analyst commits it (``portfolio_kit.services.review``).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portfolio_kit.audit import actor_of
from portfolio_kit.errors import ValidationError
from portfolio_kit.models import Document, DocumentKind, DocumentStatus, ExtractedLine, ReviewStatus
from portfolio_kit.settings import get_settings

MAX_DOCUMENT_BYTES = 200 * 1024 * 1024


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_path(document: Document) -> Path:
    """Where the stored copy lives (``storage_path`` is relative to the data dir)."""
    return get_settings().data_dir / document.storage_path


def store_document(
    session: Session,
    data: bytes,
    file_name: str,
    *,
    kind: DocumentKind | str,
    company_id: int | None = None,
    fund_id: int | None = None,
) -> Document:
    """Keep a copy of an uploaded file and record it; the same bytes twice are
    one document (the existing row is returned unchanged)."""
    if not isinstance(data, bytes | bytearray) or len(data) == 0:
        raise ValidationError("file", f"{file_name or 'the upload'} is empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            "file", f"{file_name} is {len(data) / 2**20:.0f} MiB; the limit is {MAX_DOCUMENT_BYTES // 2**20} MiB"
        )
    digest = content_hash(bytes(data))
    existing = session.scalar(select(Document).where(Document.content_hash == digest))
    if existing is not None:
        return existing
    suffix = Path(file_name).suffix.lower()[:10]
    relative = Path("documents") / digest[:2] / f"{digest}{suffix}"
    target = get_settings().data_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        temporary = target.with_suffix(target.suffix + ".part")
        temporary.write_bytes(bytes(data))
        temporary.replace(target)
    actor = actor_of(session)
    document = Document(
        file_name=Path(file_name).name or "upload",
        content_hash=digest,
        size_bytes=len(data),
        storage_path=relative.as_posix(),
        kind=kind,
        status=DocumentStatus.UPLOADED,
        company_id=company_id,
        fund_id=fund_id,
        uploaded_by_id=actor.user_id,
    )
    session.add(document)
    session.flush()
    return document


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _period_months(value: Any) -> int | None:
    """The column's length as the extractor read it; None when it gave none."""
    return None if value is None or pd.isna(value) else int(value)


def _line_from_row(document: Document, row: Any) -> ExtractedLine:
    bbox = row.get("bbox")
    flags = row.get("flags")
    return ExtractedLine(
        document=document,
        statement=str(row["statement"]),
        line_item=None if row.get("item") is None or pd.isna(row.get("item")) else str(row["item"]),
        label=str(row["label"])[:500],
        period_end=pd.Timestamp(row["period_end"]).date(),
        period_months=_period_months(row.get("period_months")),
        value=_decimal(row["value"]),
        currency=str(row.get("currency") or "USD"),
        page=int(row["page"]),
        bbox=None if bbox is None else [float(x) for x in bbox],
        confidence=min(max(float(row["confidence"]), 0.0), 1.0),
        flags=list(flags) if isinstance(flags, list | tuple) else None,
        review_status=ReviewStatus.PENDING,
    )


def max_page_content_bytes() -> int:
    """The per-page content limit for PDFs read on a user's behalf, from settings."""
    return get_settings().pdf_max_page_content_mib * 2**20


def extract_document(session: Session, document: Document) -> list[ExtractedLine]:
    """Run the statement extractor on a stored PDF and stage its figures.

    Re-running replaces the lines still pending review. On failure the
    document is marked ``failed`` with the reason, that status is committed
    (so the failure is on record even though the caller's transaction ends
    in an error), and the ``PdfError`` is raised for the caller to show.
    """
    from portfolio_kit.pdf import extract_statements
    from portfolio_kit.pdf.errors import PdfError

    if document.status is DocumentStatus.COMMITTED:
        raise ValidationError("document", f"{document.file_name} was already committed; upload a new version instead")
    path = document_path(document)
    try:
        statements = extract_statements(path, max_content_bytes=max_page_content_bytes())
        frame = statements.to_frame()
    except PdfError as exc:
        _record_failure(session, document, f"{document.file_name}: {exc.reason}")
        raise
    except Exception as exc:
        message = f"{document.file_name}: could not be read ({type(exc).__name__}: {exc})"
        _record_failure(session, document, message)
        raise PdfError(path, f"could not be read ({type(exc).__name__}: {exc})") from exc

    session.execute(
        delete(ExtractedLine).where(
            ExtractedLine.document_id == document.id, ExtractedLine.review_status == ReviewStatus.PENDING
        )
    )
    lines = [_line_from_row(document, row) for row in frame.to_dict("records")]
    session.add_all(lines)
    pages = getattr(statements, "page_count", None)
    if pages:
        document.pages = int(pages)
    document.status = DocumentStatus.EXTRACTED
    document.error = None
    session.flush()
    return lines


def _record_failure(session: Session, document: Document, message: str) -> None:
    document.status = DocumentStatus.FAILED
    document.error = message[:4000]
    session.commit()
