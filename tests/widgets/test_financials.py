"""The statement grid and the KPI form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.audit import Actor
from portfolio_kit.models import CompanyKPI, FinancialMetric, MetricSource, Role
from portfolio_kit.services.records import update_record
from portfolio_kit.widgets.financials import (
    KpiForm,
    MetricsGrid,
    period_columns,
    validate_metric_cells,
)
from portfolio_kit.widgets.session import ActingUser
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio
from tests.support.snapshot import table_snapshot
from tests.widgets.conftest import AuditTrail

Q4, Q3 = date(2024, 12, 31), date(2024, 9, 30)


def test_period_columns_step_back_from_the_last_period_end() -> None:
    assert period_columns(Q4, "quarter", 4) == [date(2024, 3, 31), date(2024, 6, 30), Q3, Q4]
    assert period_columns(date(2024, 6, 30), "year", 3) == [
        date(2022, 6, 30),
        date(2023, 6, 30),
        date(2024, 6, 30),
    ]
    assert period_columns(date(2024, 3, 31), "month", 2) == [date(2024, 2, 29), date(2024, 3, 31)]
    # A 52/53-week year: Apple's fiscal 2019 ended on Saturday 28 September.
    assert period_columns(date(2019, 9, 28), "quarter", 2) == [date(2019, 6, 28), date(2019, 9, 28)]
    with pytest.raises(ValueError, match="count: must be at least 1"):
        period_columns(Q4, "quarter", 0)


def test_cells_are_validated_without_the_database() -> None:
    errors = validate_metric_cells(
        {
            ("revenue", Q4): "1,000",
            ("revenue", Q3): "lots",
            ("ebitda", Q4): "5",
            ("cost_of_revenue", date(2024, 12, 15)): "1",
        }
    )
    assert errors == {
        "revenue 2024-09-30": "must be a number such as 1,250,000.50 (got 'lots')",
        "ebitda 2024-12-31": "unknown line item 'ebitda'",
        "cost_of_revenue 2024-12-15": (
            "2024-12-15 is not a period end: use the last day of the month "
            "(or, for a 52/53-week fiscal calendar, a date in the month's last week)"
        ),
    }


@pytest.fixture
def grid(db: Database, analyst: ActingUser, portfolio: SmallPortfolio) -> MetricsGrid:
    return MetricsGrid(db, user=analyst, company_id=portfolio.company_id, last_period=Q4, periods=2)


def test_the_grid_has_every_line_item_for_each_period(grid: MetricsGrid) -> None:
    assert grid.columns == [Q3, Q4]
    # DESIGN.md lists 15 income-statement, 14 balance-sheet and 6 cash-flow items; the
    # pdfx branch added a 7th cash-flow item, cash_flow_depreciation_and_amortization.
    assert len(grid.cells) == (15 + 14 + 7) * 2
    assert grid.save_button.disabled is False


def test_typing_figures_adds_updates_and_deletes_them(
    db: Database, grid: MetricsGrid, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    grid.cell("revenue", Q3).value = "1,200.5"
    grid.cell("revenue", Q4).value = "1,350"
    grid.cell("capital_expenditure", Q4).value = "(80)"
    grid.save_button.click()
    assert grid.status.text == "Saved 3 figures (3 added)."
    assert grid.cell("revenue", Q3).value == "1,200.50"

    grid.cell("revenue", Q4).value = "1,400"
    grid.cell("revenue", Q3).value = ""
    grid.save_button.click()
    assert grid.status.text == "Saved 2 figures (1 updated, 1 deleted)."

    with db.session() as session:
        rows = session.scalars(select(FinancialMetric).order_by(FinancialMetric.line_item)).all()
        assert [
            (
                r.line_item,
                r.period_end,
                r.value,
                r.currency,
                r.source,
                r.period_type.value,
                r.scenario.value,
            )
            for r in rows
        ] == [
            (
                "capital_expenditure",
                Q4,
                Decimal("-80.000000"),
                "USD",
                MetricSource.MANUAL,
                "quarter",
                "actual",
            ),
            (
                "revenue",
                Q4,
                Decimal("1400.000000"),
                "USD",
                MetricSource.MANUAL,
                "quarter",
                "actual",
            ),
        ]
    actions = [(r["actor"], r["action"], r["entity_type"]) for r in audit_trail.rows()]
    assert actions == [(ANALYST_EMAIL, "insert", "FinancialMetric")] * 3 + [
        (ANALYST_EMAIL, "update", "FinancialMetric"),
        (ANALYST_EMAIL, "delete", "FinancialMetric"),
    ]


def test_a_bad_cell_blocks_the_save(db: Database, grid: MetricsGrid) -> None:
    before = table_snapshot(db)
    grid.cell("revenue", Q4).value = "12 apples"
    assert grid.save_button.disabled
    assert "revenue 2024-12-31: must be a number" in grid.errors_box.value
    assert grid.save() == 0
    assert table_snapshot(db) == before


def test_a_figure_changed_by_someone_else_is_not_overwritten(
    db: Database, grid: MetricsGrid, portfolio: SmallPortfolio
) -> None:
    grid.cell("revenue", Q4).value = "100"
    grid.save()
    with db.session(Actor("colleague@example.com", Role.ANALYST)) as session:
        metric_id = session.scalar(select(FinancialMetric.id))
        update_record(
            session,
            FinancialMetric,
            metric_id,
            expected_version=1,
            changes={"value": Decimal("110")},
        )
    before = table_snapshot(db)

    grid.cell("revenue", Q4).value = "120"
    grid.cell("revenue", Q3).value = "90"
    assert grid.save() == 0

    assert "was changed by colleague@example.com" in grid.status.text
    assert grid.status.reload_offered
    assert table_snapshot(db) == before
    grid.status.reload_button.click()
    assert grid.cell("revenue", Q4).value == "110"
    assert grid.cell("revenue", Q3).value == ""


def test_switching_scenario_shows_that_scenarios_figures(db: Database, grid: MetricsGrid) -> None:
    grid.cell("revenue", Q4).value = "100"
    grid.save()
    grid.scenario.value = "budget"
    assert grid.cell("revenue", Q4).value == ""
    grid.scenario.value = "actual"
    assert grid.cell("revenue", Q4).value == "100"


def test_a_partner_sees_figures_but_cannot_change_them(
    db: Database, partner: ActingUser, portfolio: SmallPortfolio
) -> None:
    grid = MetricsGrid(db, user=partner, company_id=portfolio.company_id, last_period=Q4, periods=1)
    assert grid.save_button.disabled
    assert all(cell.disabled for cell in grid.cells.values())
    grid.cell("revenue", Q4).value = "1"
    assert grid.save() == 0


def test_choosing_a_known_kpi_sets_its_unit_and_currency(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio, audit_trail: AuditTrail
) -> None:
    form = KpiForm(db, user=analyst, scope_id=portfolio.company_id)
    form.fields["kpi"].value = "net_revenue_retention"
    assert form.fields["unit"].value == "percent"
    form.fields["kpi"].value = "arr"
    assert (form.fields["unit"].value, form.fields["currency"].value) == ("currency", "USD")
    form.fields["period_end"].value = Q4
    form.fields["value"].value = "12,500,000"
    form.save_button.click()

    assert form.status.kind == "ok", form.status.text
    with db.session() as session:
        kpi = session.scalars(select(CompanyKPI)).one()
        assert (kpi.kpi, kpi.value, kpi.unit, kpi.currency, kpi.period_type.value) == (
            "arr",
            Decimal("12500000.000000"),
            "currency",
            "USD",
            "quarter",
        )
    assert [(r["actor"], r["action"]) for r in audit_trail.rows()] == [(ANALYST_EMAIL, "insert")]


def test_a_known_kpi_in_the_wrong_unit_is_refused() -> None:
    errors = KpiForm.validate(
        {
            "company_id": 1,
            "kpi": "customers",
            "period_end": Q4,
            "period_type": "quarter",
            "scenario": "actual",
            "value": "10",
            "unit": "currency",
            "currency": "USD",
        }
    )
    assert errors == {"unit": "customers is measured in count, not currency"}


def test_a_custom_kpi_name_must_be_snake_case() -> None:
    errors = KpiForm.validate(
        {
            "company_id": 1,
            "kpi": "Net Promoter Score",
            "period_end": Q4,
            "period_type": "quarter",
            "scenario": "actual",
            "value": "40",
            "unit": "ratio",
        }
    )
    assert errors == {"kpi": "must be a snake_case name such as 'arr' (got 'Net Promoter Score')"}
