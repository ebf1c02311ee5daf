"""Portfolio companies: create, lifecycle status, soft delete and restore."""

from __future__ import annotations

from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.audit import Actor
from portfolio_kit.models import CompanyStatus, PortfolioCompany, Role
from portfolio_kit.services.records import update_record
from portfolio_kit.widgets.companies import CompanyForm
from portfolio_kit.widgets.session import ActingUser
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio
from tests.support.snapshot import table_snapshot
from tests.widgets.conftest import AuditTrail


def test_a_new_company_enters_the_pipeline(
    db: Database, analyst: ActingUser, audit_trail: AuditTrail
) -> None:
    form = CompanyForm(db, user=analyst)
    form.fields["name"].value = "Cobalt Analytics"
    form.fields["status"].value = "pipeline"
    form.fields["sector"].value = "Software"
    form.fields["geography"].value = "Nordics"
    form.fields["fiscal_year_end_month"].value = "6"
    form.save_button.click()

    assert form.status.text == "Saved PortfolioCompany 'Cobalt Analytics'."
    with db.session() as session:
        company = session.scalars(
            select(PortfolioCompany).where(PortfolioCompany.name == "Cobalt Analytics")
        ).one()
        assert (company.status, company.currency, company.fiscal_year_end_month) == (
            CompanyStatus.PIPELINE,
            "USD",
            6,
        )
    assert [(r["actor"], r["action"]) for r in audit_trail.rows()] == [(ANALYST_EMAIL, "insert")]


def test_moving_through_the_lifecycle_is_an_audited_update(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = CompanyForm(db, user=analyst)
    form.picker.value = portfolio.second_company_id
    assert form.fields["status"].value == "pipeline"
    form.fields["status"].value = "diligence"
    form.save_button.click()
    assert form.status.kind == "ok"
    assert audit_trail.rows()[0]["changes"] == {"status": ["pipeline", "diligence"]}


def test_fiscal_month_outside_the_year_is_refused() -> None:
    errors = CompanyForm.validate(
        {
            "name": "X",
            "status": "pipeline",
            "sector": "S",
            "geography": "G",
            "currency": "USD",
            "fiscal_year_end_month": "13",
        }
    )
    assert errors == {"fiscal_year_end_month": "must be a month number 1-12 (got 13)"}


def test_soft_delete_hides_the_company_and_restore_brings_it_back(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = CompanyForm(db, user=analyst)
    form.picker.value = portfolio.company_id
    assert form.restore_button.disabled and not form.delete_button.disabled
    form.delete_button.click()

    assert form.status.text == "Deleted Acme Software."
    assert portfolio.company_id not in [value for _label, value in form.picker.options]
    with db.session() as session:
        assert session.get(PortfolioCompany, portfolio.company_id) is None
        hidden = session.get(
            PortfolioCompany, portfolio.company_id, execution_options={"include_deleted": True}
        )
        assert hidden is not None and hidden.deleted_at is not None

    form.include_deleted.value = True
    assert ("Acme Software (deleted)", portfolio.company_id) in form.picker.options
    form.picker.value = portfolio.company_id
    assert form.status.text == "This company is deleted: restore it to edit it."
    assert form.save_button.disabled and not form.restore_button.disabled
    form.restore_button.click()

    assert form.status.text == "Restored Acme Software."
    with db.session() as session:
        assert session.get(PortfolioCompany, portfolio.company_id) is not None
    rows = audit_trail.rows()
    assert [(r["actor"], r["action"], list(r["changes"])) for r in rows] == [
        (ANALYST_EMAIL, "update", ["deleted_at"]),
        (ANALYST_EMAIL, "update", ["deleted_at"]),
    ]
    assert rows[0]["changes"]["deleted_at"][0] is None
    assert rows[1]["changes"]["deleted_at"][1] is None


def test_deleting_a_company_someone_just_edited_is_refused(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    form = CompanyForm(db, user=analyst)
    form.picker.value = portfolio.company_id
    with db.session(Actor("colleague@example.com", Role.ANALYST)) as session:
        update_record(
            session,
            PortfolioCompany,
            portfolio.company_id,
            expected_version=1,
            changes={"sector": "SaaS"},
        )
    before = table_snapshot(db)

    assert form.delete() is False
    assert "was changed by colleague@example.com" in form.status.text
    assert form.status.reload_offered
    assert table_snapshot(db) == before


def test_a_duplicate_name_is_a_readable_refusal(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    form = CompanyForm(db, user=analyst)
    form.fields["name"].value = "Borealis Logistics"
    form.fields["sector"].value = "Logistics"
    form.fields["geography"].value = "Europe"
    assert not form.save()
    assert form.status.text.startswith("Could not save: a record with the same key already exists")
    assert table_snapshot(db) == before


def test_a_partner_can_neither_delete_nor_restore(
    db: Database, partner: ActingUser, portfolio: SmallPortfolio
) -> None:
    before = table_snapshot(db)
    form = CompanyForm(db, user=partner)
    form.picker.value = portfolio.company_id
    assert form.delete_button.disabled and form.restore_button.disabled
    assert form.delete() is False
    assert table_snapshot(db) == before
