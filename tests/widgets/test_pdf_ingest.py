"""The PDF ingest screen, on a real filing: Apple's 10-K for fiscal 2019.

Expected figures are the ones printed in the filing (Consolidated Statements
of Operations, page 32 of the PDF): total net sales of $260,174 million and
net income of $55,256 million for the year ended 28 September 2019.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from portfolio_kit import Database, pdf
from portfolio_kit.audit import Actor
from portfolio_kit.models import (
    AuditLog,
    Document,
    DocumentStatus,
    ExtractedLine,
    FinancialMetric,
    ReviewStatus,
    Role,
)
from portfolio_kit.pdf import StatementSet, extract_statements
from portfolio_kit.services.review import set_line_decision
from portfolio_kit.widgets.pdf_ingest import PdfIngest
from portfolio_kit.widgets.session import ActingUser
from tests.support.corpus import corpus_file, require_corpus
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio
from tests.support.snapshot import table_snapshot

APPLE_10K = corpus_file("10k", "APPLE_2019_10K.pdf")
FY2019 = date(2019, 9, 28)


@pytest.fixture(scope="module")
def apple_pdf() -> bytes:
    return require_corpus(APPLE_10K).read_bytes()


def pick_upload(screen: PdfIngest, data: bytes, name: str) -> None:
    """What the browser sends when a file is picked."""
    screen.upload.value = (
        {
            "name": name,
            "type": "application/pdf",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": datetime(2026, 1, 10, 9, 0),
        },
    )


@pytest.fixture(scope="module")
def apple_statements(apple_pdf: bytes) -> StatementSet:
    """The extractor's reading of the filing, done once for the module."""
    return extract_statements(APPLE_10K)


@pytest.fixture
def reuse_extraction(
    monkeypatch: pytest.MonkeyPatch, apple_pdf: bytes, apple_statements: StatementSet
) -> None:
    """Serve the module's reading of the same bytes instead of reading the PDF again
    (about two seconds a test); other files still go through the extractor."""
    real = pdf.extract_statements

    def extract(path: str | Path, **limits: object) -> StatementSet:
        # The upload path passes its limits (max_content_bytes from settings).
        return apple_statements if Path(path).read_bytes() == apple_pdf else real(path, **limits)

    monkeypatch.setattr(pdf, "extract_statements", extract)


@pytest.fixture
def screen(
    db: Database,
    analyst: ActingUser,
    portfolio: SmallPortfolio,
    apple_pdf: bytes,
    reuse_extraction: None,
) -> PdfIngest:
    screen = PdfIngest(db, user=analyst, company_id=portfolio.company_id)
    pick_upload(screen, apple_pdf, "APPLE_2019_10K.pdf")
    screen.extract_button.click()
    return screen


def select_line(screen: PdfIngest, item: str, period_end: date) -> ExtractedLine:
    line = next(
        line
        for line in screen.staged.values()
        if line.line_item == item and line.period_end == period_end and line.confidence >= 0.9
    )
    screen.statement.value = line.statement
    screen.lines.value = line.id
    return line


def test_extracting_stages_rows_per_statement_with_confidence(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, apple_pdf: bytes
) -> None:
    screen = PdfIngest(db, user=analyst, company_id=portfolio.company_id)
    pick_upload(screen, apple_pdf, "APPLE_2019_10K.pdf")
    assert not screen.extract_button.disabled
    screen.extract_button.click()

    assert screen.status.kind == "ok", screen.status.text
    assert screen.document_status == "extracted"
    assert "status <b>extracted</b>" in screen.document_info.value
    statements = {line.statement for line in screen.staged.values()}
    assert statements == {"income_statement", "balance_sheet", "cash_flow"}
    assert all(0 <= line.confidence <= 1 for line in screen.staged.values())
    screen.statement.value = "income_statement"
    assert screen.lines.options and all(" → " in label for label, _id in screen.lines.options)


def test_the_selected_row_shows_its_page_crop(screen: PdfIngest) -> None:
    line = select_line(screen, "revenue", FY2019)
    assert line.value == Decimal("260174000000")
    assert screen.crop.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Total net sales" in screen.detail.value
    assert "page 32" in screen.detail.value


def test_accept_correct_reject_and_commit(
    db: Database, screen: PdfIngest, portfolio: SmallPortfolio
) -> None:
    revenue = select_line(screen, "revenue", FY2019)
    screen.accept_button.click()
    net_income = select_line(screen, "net_income", FY2019)
    screen.corrected.value = "55,256,000,001"
    screen.accept_button.click()
    assert screen.staged[net_income.id].corrected_value == Decimal("55256000001")
    screen.corrected.value = ""
    screen.accept_button.click()
    assert screen.staged[net_income.id].corrected_value is None
    other = next(line for line in screen.staged.values() if line.line_item is None)
    screen.statement.value = other.statement
    screen.lines.value = other.id
    screen.reject_button.click()
    assert screen.summary() == {"pending": len(screen.staged) - 3, "accepted": 2, "rejected": 1}

    screen.period_type.value = "year"
    screen.commit_button.click()

    assert screen.status.text == "Committed: 2 figure(s) added, 0 updated, 0 unchanged."
    assert screen.document_status == "committed"
    with db.session() as session:
        stored = {
            (m.line_item, m.period_end): (m.value, m.source.value, m.page, m.source_label)
            for m in session.scalars(
                select(FinancialMetric).where(FinancialMetric.company_id == portfolio.company_id)
            )
        }
    assert stored == {
        ("revenue", FY2019): (Decimal("260174000000.000000"), "pdf", revenue.page, revenue.label),
        ("net_income", FY2019): (
            Decimal("55256000000.000000"),
            "pdf",
            net_income.page,
            net_income.label,
        ),
    }
    assert screen.commit_button.disabled


def test_a_row_can_be_mapped_to_another_item_before_accepting(screen: PdfIngest) -> None:
    line = next(
        line
        for line in screen.staged.values()
        if line.line_item is None and line.statement == "income_statement"
    )
    screen.statement.value = line.statement
    screen.lines.value = line.id
    screen.item.value = "cost_of_revenue"
    screen.accept_button.click()
    saved = screen.staged[line.id]
    assert (saved.line_item, saved.review_status) == ("cost_of_revenue", ReviewStatus.ACCEPTED)


def test_accepting_the_confident_rows_takes_one_row_per_item_and_period(screen: PdfIngest) -> None:
    accepted = screen.accept_confident(0.9)
    keys = [
        (line.period_end, line.line_item)
        for line in screen.staged.values()
        if line.review_status is ReviewStatus.ACCEPTED
    ]
    assert accepted == len(keys) > 0
    assert len(set(keys)) == len(keys)
    assert all(
        line.confidence >= 0.9
        for line in screen.staged.values()
        if line.review_status is ReviewStatus.ACCEPTED
    )


def test_a_decision_somebody_else_made_first_is_not_overwritten(
    db: Database, screen: PdfIngest
) -> None:
    line = select_line(screen, "revenue", FY2019)
    with db.session(Actor("colleague@example.com", Role.ANALYST)) as session:
        set_line_decision(session, line.id, expected_version=line.version, decision="rejected")
    before = table_snapshot(db)
    assert screen.decide(ReviewStatus.ACCEPTED) is False
    assert "was reviewed by someone else" in screen.status.text
    assert screen.status.reload_offered
    assert table_snapshot(db) == before
    screen.status.reload_button.click()
    assert screen.staged[line.id].review_status is ReviewStatus.REJECTED


def test_a_file_that_is_not_a_pdf_fails_visibly(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    screen = PdfIngest(db, user=analyst)
    pick_upload(screen, b"quarterly numbers, typed in a text file", "numbers.pdf")
    screen.extract_button.click()

    assert screen.status.kind == "error"
    assert screen.status.text.startswith("Could not extract the statements: ")
    assert screen.document_status == "failed"
    assert "Extraction failed: numbers.pdf:" in screen.document_info.value
    with db.session() as session:
        document = session.scalars(select(Document)).all()[-1]
        assert document.status is DocumentStatus.FAILED
        assert document.error and document.error.startswith("numbers.pdf:")


def test_a_partner_can_look_but_not_extract(
    db: Database, partner: ActingUser, portfolio: SmallPortfolio, apple_pdf: bytes
) -> None:
    before = table_snapshot(db)
    screen = PdfIngest(db, user=partner)
    pick_upload(screen, apple_pdf, "APPLE_2019_10K.pdf")
    assert screen.extract_button.disabled
    assert screen.extract() is False
    assert screen.status.text.startswith("Not extracted: pat.partner@example.com is a partner")
    assert table_snapshot(db) == before


def test_uploads_are_attributed(db: Database, screen: PdfIngest) -> None:
    with db.session() as session:
        document = session.scalars(
            select(Document).where(Document.file_name == "APPLE_2019_10K.pdf")
        ).one()
        row = session.scalars(
            select(AuditLog)
            .where(AuditLog.entity_type == "Document", AuditLog.entity_id == str(document.id))
            .order_by(AuditLog.id)
        ).first()
        assert row is not None and row.actor == ANALYST_EMAIL
