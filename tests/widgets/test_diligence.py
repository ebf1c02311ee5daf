"""Due-diligence items, the checklist and value-creation initiatives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.audit import Actor
from portfolio_kit.models import DiligenceStatus, DueDiligenceItem, Role, ValueCreationInitiative
from portfolio_kit.services.records import update_record
from portfolio_kit.widgets.diligence import DiligenceChecklist, DiligenceItemForm, InitiativeForm
from portfolio_kit.widgets.session import ActingUser
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio
from tests.support.snapshot import table_snapshot
from tests.widgets.conftest import AuditTrail


def add_items(db: Database, analyst: ActingUser, company_id: int, titles: list[str]) -> None:
    form = DiligenceItemForm(db, user=analyst, scope_id=company_id)
    for title in titles:
        form.new()
        form.fields["category"].value = "financial"
        form.fields["title"].value = title
        assert form.save(), form.status.text


def test_an_item_is_created_with_its_owner_and_due_date(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = DiligenceItemForm(db, user=analyst, scope_id=portfolio.second_company_id)
    form.fields["category"].value = "legal"
    form.fields["title"].value = "Change-of-control clauses"
    form.fields["risk_level"].value = "high"
    form.fields["owner"].value = "External counsel"
    form.fields["due_date"].value = date(2025, 2, 28)
    form.save_button.click()

    with db.session() as session:
        item = session.scalars(select(DueDiligenceItem)).one()
        assert (
            item.company_id,
            item.category.value,
            item.status,
            item.risk_level.value,
            item.owner,
            item.due_date,
        ) == (
            portfolio.second_company_id,
            "legal",
            DiligenceStatus.OPEN,
            "high",
            "External counsel",
            date(2025, 2, 28),
        )
    assert [(r["actor"], r["action"]) for r in audit_trail.rows()] == [(ANALYST_EMAIL, "insert")]


def test_statuses_are_changed_in_place_and_saved_together(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    add_items(
        db,
        analyst,
        portfolio.company_id,
        ["Quality of earnings", "Working capital peg", "Debt-like items"],
    )
    trail = AuditTrail(db)
    checklist = DiligenceChecklist(db, user=analyst, company_id=portfolio.company_id)
    assert len(checklist.statuses) == 3
    assert checklist.save_button.disabled

    ids = list(checklist.statuses)
    checklist.statuses[ids[0]].value = "complete"
    checklist.statuses[ids[2]].value = "waived"
    assert checklist.save_button.description == "Save 2 statuses"
    checklist.save_button.click()

    assert checklist.status.text == "Saved 2 statuses."
    with db.session() as session:
        statuses = dict(session.execute(select(DueDiligenceItem.id, DueDiligenceItem.status)).all())
    assert [statuses[i].value for i in ids] == ["complete", "open", "waived"]
    assert [(r["actor"], r["action"], r["changes"]) for r in trail.rows()] == [
        (ANALYST_EMAIL, "update", {"status": ["open", "complete"]}),
        (ANALYST_EMAIL, "update", {"status": ["open", "waived"]}),
    ]


def test_a_stale_status_fails_the_whole_batch(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    add_items(db, analyst, portfolio.company_id, ["Item A", "Item B"])
    checklist = DiligenceChecklist(db, user=analyst, company_id=portfolio.company_id)
    first, second = list(checklist.statuses)
    with db.session(Actor("colleague@example.com", Role.ANALYST)) as session:
        update_record(
            session, DueDiligenceItem, second, expected_version=1, changes={"owner": "Colleague"}
        )
    before = table_snapshot(db)

    checklist.statuses[first].value = "complete"
    checklist.statuses[second].value = "complete"
    assert checklist.save() == 0

    assert "was changed by colleague@example.com" in checklist.status.text
    assert checklist.status.reload_offered
    assert table_snapshot(db) == before


def test_a_partner_cannot_tick_items(
    db: Database, analyst: ActingUser, partner: ActingUser, portfolio: SmallPortfolio
) -> None:
    add_items(db, analyst, portfolio.company_id, ["Item A"])
    before = table_snapshot(db)
    checklist = DiligenceChecklist(db, user=partner, company_id=portfolio.company_id)
    (dropdown,) = checklist.statuses.values()
    assert dropdown.disabled
    dropdown.value = "complete"
    assert checklist.save_button.disabled
    assert checklist.save() == 0
    assert table_snapshot(db) == before


def test_an_initiative_with_progress_as_a_percentage(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = InitiativeForm(db, user=analyst, scope_id=portfolio.company_id)
    form.fields["title"].value = "Pricing and packaging review"
    form.fields["lever"].value = "revenue_growth"
    form.fields["status"].value = "in_progress"
    form.fields["progress"].value = "40"
    form.fields["target_impact"].value = "4,000,000"
    form.fields["start_date"].value = date(2024, 1, 1)
    form.fields["target_date"].value = date(2025, 12, 31)
    form.save_button.click()

    with db.session() as session:
        initiative = session.scalars(select(ValueCreationInitiative)).one()
        assert (initiative.progress, initiative.target_impact, initiative.currency) == (
            Decimal("0.4"),
            Decimal("4000000.00"),
            "USD",
        )
    assert [(r["actor"], r["action"]) for r in audit_trail.rows()] == [(ANALYST_EMAIL, "insert")]


def test_initiative_dates_and_progress_are_checked() -> None:
    base = {"company_id": 1, "title": "T", "lever": "margin", "status": "planned", "progress": "0"}
    assert InitiativeForm.validate({**base, "progress": "140"}) == {
        "progress": "must be a percentage from 0 to 100 (got 140)"
    }
    assert InitiativeForm.validate(
        {**base, "start_date": date(2025, 1, 1), "target_date": date(2024, 1, 1)}
    ) == {"target_date": "2024-01-01 is before the start date 2025-01-01"}
