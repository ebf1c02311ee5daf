"""The analyst's review of extracted figures, and committing the accepted ones.

Each staged line is accepted (optionally with a corrected value) or rejected;
decisions use the line's version so two reviewers cannot silently overwrite
each other. Committing writes accepted lines as ``FinancialMetric`` rows with
source ``pdf``, keeping the document, page and printed label, through ORM
objects so every written figure has its own audit row.

Each line keeps the length of the column it was printed in, so a 10-Q's
three-month and six-month revenue land as two figures: a flow's period type
follows from its length (3 months a quarter, 12 a year, 6 or 9 year to date,
see ``portfolio_kit.period_length``); a balance-sheet instant (0 months) is
filed under the cadence of the document, which is its shortest flow column (a
10-Q's balance sheet under 'quarter', a 10-K's under 'year') unless the
analyst names one.
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
from portfolio_kit.period_length import INSTANT, derived_period_months, period_type_for_months
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


PeriodKey = tuple[date, PeriodType, int, str]
"""(period end, period type, months, line item): one stored figure per key and scenario."""


def _cadence(lines: list[ExtractedLine], chosen: PeriodType | None) -> PeriodType:
    """The period type of instants and of lines staged without a length."""
    if chosen is not None:
        return chosen
    lengths = [line.period_months for line in lines if line.period_months]
    return PeriodType(period_type_for_months(min(lengths))) if lengths else PeriodType.YEAR


def _period_key(line: ExtractedLine, cadence: PeriodType) -> PeriodKey:
    item = line.line_item or ""
    months = line.period_months
    if months is None or months == INSTANT:
        kind = cadence
        months = derived_period_months(kind, item) if months is None else INSTANT
    else:
        kind = PeriodType(period_type_for_months(months))
    if months is None:
        raise ValidationError("period_months", f"{line.label!r} ({line.period_end}) has no period length")
    return line.period_end, kind, months, item


def commit_document(
    session: Session,
    document_id: int,
    *,
    company_id: int,
    period_type: PeriodType | str | None = None,
    scenario: Scenario | str = Scenario.ACTUAL,
) -> CommitResult:
    """Write the accepted lines of a reviewed document as the company's figures.

    A figure already stored for the same company, period (end, type and
    length), scenario and item is updated (its audit row shows old and new
    value); an identical one is left alone. Lines still pending are not
    written.

    ``period_type`` files the balance-sheet instants (and lines staged before
    extraction read column lengths, which are taken to have that type's
    length); by default it is the document's shortest flow column. Flow
    lines always take the type their length gives.
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
    cadence = _cadence(list(document.lines), None if period_type is None else PeriodType(period_type))
    seen: dict[PeriodKey, ExtractedLine] = {}
    for line in accepted:
        key = _period_key(line, cadence)
        if key in seen:
            raise ValidationError(
                "line_item",
                f"{line.line_item} for the {key[2]} months to {line.period_end} is accepted twice "
                f"({seen[key].label!r} and {line.label!r}); reject one",
            )
        seen[key] = line

    scenario = Scenario(scenario)
    existing = {
        (metric.period_end, metric.period_type, metric.period_months, metric.line_item): metric
        for metric in session.scalars(
            select(FinancialMetric).where(
                FinancialMetric.company_id == company.id,
                FinancialMetric.scenario == scenario,
                FinancialMetric.period_end.in_({line.period_end for line in accepted}),
            )
        )
    }
    inserted = updated = unchanged = 0
    for key, line in seen.items():
        period_end, kind, months, item = key
        value = line.final_value
        metric = existing.get(key)
        if metric is None:
            session.add(
                FinancialMetric(
                    company_id=company.id,
                    period_end=period_end,
                    period_type=kind,
                    period_months=months,
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
