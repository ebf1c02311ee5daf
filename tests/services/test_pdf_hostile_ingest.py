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


@pytest.mark.parametrize(("limit_mib", "refused"), [(2, True), (4, False)])
def test_the_page_content_limit_comes_from_settings(
    sqlite_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit_mib: int, refused: bool
) -> None:
    # One page whose content stream inflates to 3 MiB of zeros (hostile_files.content_bomb):
    # over a 2 MiB limit, under a 4 MiB one (where the page is read, and found to hold
    # no text: another error, but not the limit's).
    from portfolio_kit.services.documents import extract_document, store_document
    from portfolio_kit.settings import get_settings
    from tests.support.portfolio import seed_small_portfolio

    monkeypatch.setenv("PORTFOLIO_KIT_PDF_MAX_PAGE_CONTENT_MIB", str(limit_mib))
    get_settings.cache_clear()
    analyst = seed_small_portfolio(sqlite_db).analyst
    path = hostile.content_bomb(tmp_path / "upload.pdf", size=3 * 2**20)
    with pytest.raises(errors.PdfError) as raised:
        with sqlite_db.session(analyst) as session:
            document = store_document(session, path.read_bytes(), path.name, kind="annual_report")
            extract_document(session, document)
    assert isinstance(raised.value, errors.ContentTooLargeError) is refused, raised.value
    if refused:
        assert f"holds more than {limit_mib} MiB" in str(raised.value)
        assert "PORTFOLIO_KIT_PDF_MAX_PAGE_CONTENT_MIB" in str(raised.value)
    get_settings.cache_clear()
