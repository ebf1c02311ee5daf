"""A hostile PDF uploaded through the review screen's path stages nothing and says why.

``store_document`` then ``extract_document`` run in a child process
(``tests.pdf.measure ingest``) on a migrated SQLite file, so that the peak
RSS measured is the upload's own and a regression cannot take the test
process's memory. Afterwards every table is counted: the only rows added are
the document itself, marked ``failed`` with the reason (the failure is on
record by design, see ``extract_document``), and its audit entries; no
staged line, metric or anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portfolio_kit.models import Document, DocumentStatus
from portfolio_kit.models.base import Base
from portfolio_kit.pdf import errors
from tests.pdf import hostile_files as hostile
from tests.pdf.measure import measure

CASES: list[tuple[Callable[[Path], Path], type[errors.PdfError], str]] = [
    (hostile.content_bomb, errors.ContentTooLargeError, "holds more than 64 MiB"),
    (hostile.hex_wrapped_bomb, errors.ContentTooLargeError, "holds more than 64 MiB"),
    (hostile.shared_kids_million_pages, errors.PdfTooLargeError, "1,000,000 pages"),
    (hostile.encrypted, errors.EncryptedPdfError, "encrypted with a password"),
    (hostile.truncated, errors.CorruptPdfError, "truncated"),
    (hostile.no_statements, errors.NoStatementsFoundError, "no income statement"),
]
_ON_RECORD = {"documents", "audit_log"}


def _counts(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize(
    ("build", "error", "fragment"), CASES, ids=[case[0].__name__ for case in CASES]
)
def test_a_hostile_upload_stages_nothing(
    sqlite_db, tmp_path: Path, build: Callable[[Path], Path], error: type, fragment: str
) -> None:
    path = build(tmp_path / "upload.pdf")
    before = _counts(sqlite_db)
    outcome = measure("ingest", str(path), str(sqlite_db.engine.url))
    assert outcome.error == error.__name__, outcome.message
    assert fragment in outcome.message
    assert outcome.peak_rss_mib < 1024, f"{outcome.peak_rss_mib:.0f} MiB"
    assert outcome.seconds < 60
    after = _counts(sqlite_db)
    assert {k: v for k, v in after.items() if k not in _ON_RECORD} == {
        k: v for k, v in before.items() if k not in _ON_RECORD
    }
    assert after["documents"] == before["documents"] + 1
    with sqlite_db.session() as session:
        document = session.scalars(select(Document)).one()
        assert document.status is DocumentStatus.FAILED
        assert document.error.startswith("upload.pdf: ")
        assert fragment in document.error
