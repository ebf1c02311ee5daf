"""Storing PDFs, staging extracted figures, reviewing and committing them."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portfolio_kit.audit import Actor
from portfolio_kit.errors import ConflictError, PermissionDeniedError, ValidationError
from portfolio_kit.models import (
    AuditLog,
    Document,
    DocumentStatus,
    ExtractedLine,
    FinancialMetric,
    MetricSource,
    PortfolioCompany,
    ReviewStatus,
    Role,
)
from portfolio_kit.services.documents import document_path, extract_document, store_document
from portfolio_kit.services.review import commit_document, set_line_decision
from tests.support.corpus import corpus_file, require_corpus

ANALYST = Actor(email="analyst@example.com", role=Role.ANALYST)
PARTNER = Actor(email="partner@example.com", role=Role.PARTNER)


def _company(db) -> int:
    with db.session(ANALYST) as session:
        company = PortfolioCompany(name="Acme", sector="Software", geography="North America", currency="USD", status="invested")
        session.add(company)
        session.flush()
        return company.id


def _staged_document(db, lines: list[tuple[str, str, date, str]]) -> int:
    """A stored document with hand-made staged lines (item, label, period, value)."""
    with db.session(ANALYST) as session:
        document = store_document(session, b"%PDF-1.4 fake annual report", "acme-2024.pdf", kind="annual_report")
        for item, label, period_end, value in lines:
            session.add(
                ExtractedLine(
                    document=document, statement="income_statement", line_item=item, label=label,
                    period_end=period_end, value=Decimal(value), currency="USD", page=41,
                    bbox=[10.0, 20.0, 60.0, 30.0], confidence=0.95,
                )
            )
        document.status = DocumentStatus.EXTRACTED
        session.flush()
        return document.id


def test_the_same_file_twice_is_one_document(sqlite_db, _isolated_settings):
    data = b"%PDF-1.7 some bytes"
    with sqlite_db.session(ANALYST) as session:
        first = store_document(session, data, "board-pack.pdf", kind="board_pack")
        second = store_document(session, data, "renamed copy.pdf", kind="board_pack")
        assert first.id == second.id
        assert first.content_hash == hashlib.sha256(data).hexdigest()
        stored = document_path(first)
        assert stored.read_bytes() == data
        assert _isolated_settings in stored.parents
    with sqlite_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1


def test_an_empty_upload_is_refused(sqlite_db):
    with pytest.raises(ValidationError, match="empty"), sqlite_db.session(ANALYST) as session:
        store_document(session, b"", "blank.pdf", kind="other")


def test_a_file_that_is_not_a_pdf_fails_on_record(sqlite_db):
    from portfolio_kit.pdf.errors import PdfError

    with sqlite_db.session(ANALYST) as session:
        document_id = store_document(session, b"quarterly numbers attached", "q3.pdf", kind="quarterly_report").id
    with pytest.raises(PdfError), sqlite_db.session(ANALYST) as session:
        extract_document(session, session.get(Document, document_id))
    with sqlite_db.session() as session:
        document = session.get(Document, document_id)
        assert document.status is DocumentStatus.FAILED
        assert "q3.pdf" in document.error
        assert session.scalar(select(func.count()).select_from(ExtractedLine)) == 0


def test_review_then_commit_writes_accepted_lines_with_provenance(sqlite_db):
    company_id = _company(sqlite_db)
    document_id = _staged_document(
        sqlite_db,
        [
            ("revenue", "Net sales", date(2024, 12, 31), "1577000000"),
            ("net_income", "Net income", date(2024, 12, 31), "120000000"),
            ("cost_of_revenue", "Cost of sales", date(2024, 12, 31), "900000000"),
        ],
    )
    with sqlite_db.session(ANALYST) as session:
        lines = {line.line_item: line for line in session.scalars(select(ExtractedLine))}
        set_line_decision(session, lines["revenue"].id, expected_version=1, decision="accepted")
        set_line_decision(session, lines["net_income"].id, expected_version=1, decision="accepted", corrected_value=125_000_000)
        set_line_decision(session, lines["cost_of_revenue"].id, expected_version=1, decision="rejected")
        assert session.get(Document, document_id).status is DocumentStatus.REVIEWED
    with sqlite_db.session(ANALYST) as session:
        result = commit_document(session, document_id, company_id=company_id)
    assert (result.inserted, result.updated, result.unchanged) == (2, 0, 0)
    with sqlite_db.session() as session:
        metrics = {m.line_item: m for m in session.scalars(select(FinancialMetric))}
        assert set(metrics) == {"revenue", "net_income"}
        assert metrics["revenue"].value == Decimal("1577000000")
        assert metrics["net_income"].value == Decimal("125000000")
        assert metrics["revenue"].source is MetricSource.PDF
        assert metrics["revenue"].document_id == document_id
        assert metrics["revenue"].page == 41
        assert metrics["revenue"].source_label == "Net sales"
        assert session.get(Document, document_id).status is DocumentStatus.COMMITTED
        audited = session.scalars(
            select(AuditLog).where(AuditLog.entity_type == "FinancialMetric", AuditLog.action == "insert")
        ).all()
        assert len(audited) == 2
        assert {row.actor for row in audited} == {"analyst@example.com"}
    with pytest.raises(ValidationError, match="committed"), sqlite_db.session(ANALYST) as session:
        commit_document(session, document_id, company_id=company_id)


def test_a_stale_review_decision_is_a_conflict(sqlite_db):
    _staged_document(sqlite_db, [("revenue", "Revenues", date(2024, 12, 31), "10")])
    with sqlite_db.session(ANALYST) as session:
        line_id = session.scalar(select(ExtractedLine.id))
        set_line_decision(session, line_id, expected_version=1, decision="rejected")
    with pytest.raises(ConflictError), sqlite_db.session(ANALYST) as session:
        set_line_decision(session, line_id, expected_version=1, decision="accepted")
    with sqlite_db.session() as session:
        assert session.get(ExtractedLine, line_id).review_status is ReviewStatus.REJECTED


def test_a_partner_cannot_review(sqlite_db):
    _staged_document(sqlite_db, [("revenue", "Revenues", date(2024, 12, 31), "10")])
    with pytest.raises(PermissionDeniedError), sqlite_db.session(PARTNER) as session:
        line_id = session.scalar(select(ExtractedLine.id))
        set_line_decision(session, line_id, expected_version=1, decision="accepted")
    with sqlite_db.session() as session:
        assert session.scalar(select(ExtractedLine.review_status)) is ReviewStatus.PENDING


def test_two_accepted_lines_for_one_item_are_refused(sqlite_db):
    company_id = _company(sqlite_db)
    document_id = _staged_document(
        sqlite_db,
        [
            ("revenue", "Net sales", date(2024, 12, 31), "10"),
            ("revenue", "Total revenues", date(2024, 12, 31), "11"),
        ],
    )
    with sqlite_db.session(ANALYST) as session:
        for line in session.scalars(select(ExtractedLine)).all():
            set_line_decision(session, line.id, expected_version=1, decision="accepted")
    with pytest.raises(ValidationError, match="accepted twice"), sqlite_db.session(ANALYST) as session:
        commit_document(session, document_id, company_id=company_id)
    with sqlite_db.session() as session:
        assert session.scalar(select(func.count()).select_from(FinancialMetric)) == 0


@pytest.mark.slow
def test_extracting_a_real_filing_stages_but_does_not_write_metrics(sqlite_db):
    filing = require_corpus(corpus_file("10k", "APPLE_2019_10K.pdf"))
    with sqlite_db.session(ANALYST) as session:
        document = store_document(session, filing.read_bytes(), filing.name, kind="annual_report")
        lines = extract_document(session, document)
        assert document.status is DocumentStatus.EXTRACTED
        # Apple's 2019 10-K, consolidated statements of operations: "Net sales"
        # for fiscal 2019 (ended 28 September 2019) printed as $ 260,174 million.
        revenue = [
            line for line in lines if line.line_item == "revenue" and line.period_end == date(2019, 9, 28)
        ]
        assert [line.value for line in revenue] == [Decimal("260174000000.0")]
    with sqlite_db.session() as session:
        assert session.scalar(select(func.count()).select_from(FinancialMetric)) == 0


QUARTERLY = corpus_file("10q", "SALESFORCE_2023Q3_10Q.pdf")


def test_a_10q_commits_its_quarter_and_year_to_date_as_two_figures(any_db, _isolated_settings):
    """Salesforce's 10-Q for the quarter ended 31 Oct 2022, page 4 (statements of
    operations, USD millions): total revenues 7,837 for the three months and
    22,968 for the nine months ending that day. Both must land, as 'quarter' 3
    months and 'ytd' 9 months; the balance sheet's cash is an instant (0) filed
    under the document's cadence, 'quarter'."""
    require_corpus(QUARTERLY)
    company_id = _company(any_db)
    with any_db.session(ANALYST) as session:
        document = store_document(session, QUARTERLY.read_bytes(), QUARTERLY.name, kind="quarterly_report")
        extract_document(session, document)
        document_id = document.id
    october = date(2022, 10, 31)
    with any_db.session(ANALYST) as session:
        lines = session.scalars(
            select(ExtractedLine).where(ExtractedLine.period_end == october)
        ).all()
        chosen = {}
        for line in lines:
            key = (line.line_item, line.period_months)
            if key in {("revenue", 3), ("revenue", 9), ("cash_and_equivalents", 0)} and key not in chosen:
                chosen[key] = line
        assert set(chosen) == {("revenue", 3), ("revenue", 9), ("cash_and_equivalents", 0)}
        for line in chosen.values():
            set_line_decision(session, line.id, expected_version=line.version, decision="accepted")
    with any_db.session(ANALYST) as session:
        result = commit_document(session, document_id, company_id=company_id)
    assert result.inserted == 3
    with any_db.session() as session:
        stored = {
            (m.line_item, m.period_type.value, m.period_months): m.value
            for m in session.scalars(select(FinancialMetric))
        }
    assert stored[("revenue", "quarter", 3)] == Decimal("7837000000")
    assert stored[("revenue", "ytd", 9)] == Decimal("22968000000")
    assert set(stored) == {("revenue", "quarter", 3), ("revenue", "ytd", 9), ("cash_and_equivalents", "quarter", 0)}
