"""The analyst's review of extracted figures, and committing the accepted ones.

Each staged line is accepted (optionally with a corrected value) or rejected;
decisions use the line's version so two reviewers cannot silently overwrite
each other. Committing writes accepted lines as ``FinancialMetric`` rows with
source ``pdf``, keeping the document, page and printed label, through ORM
objects so every written figure has its own audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio_kit.audit import actor_of
from portfolio_kit.errors import ConflictError, ValidationError
from portfolio_kit.models import (
    Document,
    DocumentStatus,
    ExtractedLine,
    FinancialMetric,
    MetricSource,
    PeriodType,
    PortfolioCompany,
    ReviewStatus,
    Scenario,
)
from portfolio_kit.models.base import utcnow
from portfolio_kit.services.records import get_record


def set_line_decision(
    session: Session,
    line_id: int,
    *,
    expected_version: int,
    decision: ReviewStatus | str,
    corrected_value: Decimal | float | None = None,
) -> ExtractedLine:
    """Accept or reject one staged figure (or put it back to pending)."""
    line = get_record(session, ExtractedLine, line_id)
    if line.version != expected_version:
        raise ConflictError(
            f"{line.label!r} ({line.period_end}) was reviewed by someone else after you loaded it; "
            "nothing was saved: reload the review"
        )
    if line.document.status is DocumentStatus.COMMITTED:
        raise ValidationError("decision", f"{line.document.file_name} is already committed")
    decision = ReviewStatus(decision)
    if corrected_value is not None:
        if decision is not ReviewStatus.ACCEPTED:
            raise ValidationError("corrected_value", "only an accepted line can carry a corrected value")
        corrected = Decimal(str(corrected_value))
        if not corrected.is_finite():
            raise ValidationError("corrected_value", f"must be a finite number (got {corrected_value!r})")
        line.corrected_value = corrected
    elif decision is not ReviewStatus.ACCEPTED:
        line.corrected_value = None
    line.review_status = decision
    line.reviewed_by_id = actor_of(session).user_id
    line.reviewed_at = None if decision is ReviewStatus.PENDING else utcnow()
    _update_document_status(line.document)
    session.flush()
    return line


def set_line_item(session: Session, line_id: int, *, expected_version: int, line_item: str | None) -> ExtractedLine:
    """Map a staged line to a different canonical item (or none)."""
    from portfolio_kit.vocabulary import LINE_ITEMS

    line = get_record(session, ExtractedLine, line_id)
    if line.version != expected_version:
        raise ConflictError(f"{line.label!r} was changed by someone else; reload the review")
    if line_item is not None and line_item not in LINE_ITEMS:
        raise ValidationError("line_item", f"unknown line item {line_item!r}")
    line.line_item = line_item
    session.flush()
    return line


def _update_document_status(document: Document) -> None:
    if document.status in (DocumentStatus.EXTRACTED, DocumentStatus.REVIEWED):
        pending = any(line.review_status is ReviewStatus.PENDING for line in document.lines)
        document.status = DocumentStatus.EXTRACTED if pending else DocumentStatus.REVIEWED


@dataclass(frozen=True, slots=True)
class CommitResult:
    inserted: int
    updated: int
    unchanged: int

    @property
    def written(self) -> int:
        return self.inserted + self.updated


def commit_document(
    session: Session,
    document_id: int,
    *,
    company_id: int,
    period_type: PeriodType | str = PeriodType.YEAR,
    scenario: Scenario | str = Scenario.ACTUAL,
) -> CommitResult:
    """Write the accepted lines of a reviewed document as the company's figures.

    A figure already stored for the same company, period, scenario and item
    is updated (its audit row shows old and new value); an identical one is
    left alone. Lines still pending are not written.
    """
    document = get_record(session, Document, document_id)
    if document.status not in (DocumentStatus.EXTRACTED, DocumentStatus.REVIEWED):
        raise ValidationError(
            "document", f"{document.file_name} is {document.status.value}; only an extracted document can be committed"
        )
    company = get_record(session, PortfolioCompany, company_id)
    accepted = [line for line in document.lines if line.review_status is ReviewStatus.ACCEPTED]
    if not accepted:
        raise ValidationError("document", f"no line of {document.file_name} is accepted yet: nothing to commit")
    unmapped = [line.label for line in accepted if line.line_item is None]
    if unmapped:
        raise ValidationError(
            "line_item", f"accepted line(s) without a canonical item: {', '.join(repr(u) for u in unmapped[:5])}"
        )
    seen: dict[tuple[date, str], ExtractedLine] = {}
    for line in accepted:
        key = (line.period_end, line.line_item or "")
        if key in seen:
            raise ValidationError(
                "line_item",
                f"{line.line_item} for {line.period_end} is accepted twice "
                f"({seen[key].label!r} and {line.label!r}); reject one",
            )
        seen[key] = line

    period_type = PeriodType(period_type)
    scenario = Scenario(scenario)
    existing = {
        (metric.period_end, metric.line_item): metric
        for metric in session.scalars(
            select(FinancialMetric).where(
                FinancialMetric.company_id == company.id,
                FinancialMetric.period_type == period_type,
                FinancialMetric.scenario == scenario,
                FinancialMetric.period_end.in_({line.period_end for line in accepted}),
            )
        )
    }
    inserted = updated = unchanged = 0
    for (period_end, item), line in seen.items():
        value = line.final_value
        metric = existing.get((period_end, item))
        if metric is None:
            session.add(
                FinancialMetric(
                    company_id=company.id,
                    period_end=period_end,
                    period_type=period_type,
                    scenario=scenario,
                    line_item=item,
                    value=value,
                    currency=line.currency,
                    source=MetricSource.PDF,
                    document_id=document.id,
                    page=line.page,
                    source_label=line.label,
                )
            )
            inserted += 1
        elif metric.value == value and metric.currency == line.currency:
            unchanged += 1
        else:
            metric.value = value
            metric.currency = line.currency
            metric.source = MetricSource.PDF
            metric.document_id = document.id
            metric.page = line.page
            metric.source_label = line.label
            updated += 1
    document.company_id = company.id
    document.status = DocumentStatus.COMMITTED
    session.flush()
    return CommitResult(inserted, updated, unchanged)
