"""The KPI template's hidden metadata is signed: an edited template cannot write elsewhere.

Issue 13, item 5. Each attack edits what an attacker (or a careless company)
could edit in the returned file: the very hidden sheet's company id, its
periods (with the visible period headers changed to match), the signature
row itself, or a file signed under another installation's key. Every one
must be refused with nothing stored; before the fix each of these imported.
The metadata is edited the way openpyxl (or Excel's VBA editor) would, by
finding the key in column A and rewriting the JSON in column B.
"""

from __future__ import annotations

import io
import json
import stat
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from portfolio_kit import Database
from portfolio_kit.errors import ConfigurationError, PermissionDeniedError
from portfolio_kit.excel import TemplateImportError, export_kpi_template, import_kpi_template
from portfolio_kit.models import CompanyKPI, FinancialMetric, Fund, User
from portfolio_kit.security import grant_fund
from portfolio_kit.settings import ENV_PREFIX, get_settings, load_settings
from tests.excel.test_templates import FIGURES, Q3, Q4, _export, _fill
from tests.support.portfolio import SmallPortfolio, seed_small_portfolio
from tests.support.snapshot import table_snapshot

METADATA_SHEET = "_portfolio_kit"


@pytest.fixture
def portfolio(sqlite_db: Database) -> SmallPortfolio:
    return seed_small_portfolio(sqlite_db)


def _metadata_row(ws, key: str) -> int:
    return next(row for row in range(1, ws.max_row + 1) if ws.cell(row, 1).value == key)


def _edit_metadata(key: str, value):
    def edit(wb):
        ws = wb[METADATA_SHEET]
        ws.cell(_metadata_row(ws, key), 2).value = json.dumps(value)

    return edit


def _refused_by_signature(database: Database, portfolio: SmallPortfolio, filled: bytes) -> str:
    """Import ``filled`` as the analyst; it must be refused by its signature, storing nothing."""
    before = table_snapshot(database)
    with (
        database.session(portfolio.analyst) as session,
        pytest.raises(TemplateImportError) as caught,
    ):
        import_kpi_template(session, filled, file_name="returned.xlsx")
    assert table_snapshot(database) == before
    assert type(caught.value).__name__ == "TemplateSignatureError"
    message = str(caught.value)
    assert "returned.xlsx" in message and "nothing was imported" in message
    return message


def test_an_untouched_template_imports(sqlite_db, portfolio):
    filled = _fill(_export(sqlite_db, portfolio), FIGURES)
    with sqlite_db.session(portfolio.analyst) as session:
        assert import_kpi_template(session, filled).inserted == len(FIGURES)


def test_an_edited_company_id_is_refused(sqlite_db, portfolio):
    filled = _fill(
        _export(sqlite_db, portfolio),
        FIGURES,
        edit=_edit_metadata("company_id", portfolio.second_company_id),
    )
    message = _refused_by_signature(sqlite_db, portfolio, filled)
    assert "does not match its signature" in message
    with sqlite_db.session() as session:
        assert session.scalars(select(FinancialMetric)).all() == []


def test_an_edited_period_is_refused(sqlite_db, portfolio):
    """The attacker moves both the hidden periods and the visible headers a year on."""
    later = {Q3: date(2026, 9, 30), Q4: date(2026, 12, 31)}

    def move_periods(wb):
        ws = wb[METADATA_SHEET]
        row = _metadata_row(ws, "periods")
        periods = json.loads(ws.cell(row, 2).value)
        moved = [[column, later[date.fromisoformat(iso)].isoformat()] for column, iso in periods]
        ws.cell(row, 2).value = json.dumps(moved)
        data = wb["Data"]
        for column, iso in moved:
            data.cell(5, column).value = datetime.fromisoformat(iso)

    filled = _fill(_export(sqlite_db, portfolio), FIGURES, edit=move_periods)
    assert "does not match its signature" in _refused_by_signature(sqlite_db, portfolio, filled)


def test_a_removed_signature_is_refused(sqlite_db, portfolio):
    def remove_signature(wb):
        ws = wb[METADATA_SHEET]
        ws.delete_rows(_metadata_row(ws, "signature"))

    filled = _fill(_export(sqlite_db, portfolio), FIGURES, edit=remove_signature)
    assert "has no signature" in _refused_by_signature(sqlite_db, portfolio, filled)


def test_a_template_signed_with_another_key_is_refused(sqlite_db, portfolio, monkeypatch):
    """Exported by another installation (its own generated key); imported here with a set key."""
    filled = _fill(_export(sqlite_db, portfolio), FIGURES)
    monkeypatch.setenv(f"{ENV_PREFIX}TEMPLATE_SIGNING_KEY", "k" * 40)
    get_settings.cache_clear()
    assert "does not match its signature" in _refused_by_signature(sqlite_db, portfolio, filled)

    resigned = _fill(_export(sqlite_db, portfolio), FIGURES)
    with sqlite_db.session(portfolio.analyst) as session:
        assert import_kpi_template(session, resigned).inserted == len(FIGURES)


def test_a_partner_with_a_grant_to_the_fund_cannot_import(sqlite_db, portfolio):
    with sqlite_db.session() as session:
        partner = session.get(User, portfolio.partner_id)
        grant_fund(session, partner, session.get(Fund, portfolio.fund_id))
    filled = _fill(_export(sqlite_db, portfolio), FIGURES)
    before = table_snapshot(sqlite_db)
    with sqlite_db.session(portfolio.partner) as session, pytest.raises(PermissionDeniedError):
        import_kpi_template(session, filled)
    assert table_snapshot(sqlite_db) == before


@pytest.mark.parametrize("change", ["deactivated", "made a partner"])
def test_an_analyst_who_lost_write_access_cannot_import(sqlite_db, portfolio, change):
    """A widget opened as the analyst stays open while an admin removes their right to write."""
    filled = _fill(_export(sqlite_db, portfolio), FIGURES)
    with sqlite_db.session() as session:
        analyst = session.get(User, portfolio.analyst_id)
        if change == "deactivated":
            analyst.active = False
        else:
            analyst.role = "partner"
    before = table_snapshot(sqlite_db)
    with (
        sqlite_db.session(portfolio.analyst) as session,
        pytest.raises(PermissionDeniedError, match="Acme Software"),
    ):
        import_kpi_template(session, filled)
    assert table_snapshot(sqlite_db) == before
    with sqlite_db.session() as session:
        assert session.scalars(select(CompanyKPI)).all() == []


def test_the_generated_key_is_private_and_kept(sqlite_db, portfolio, _isolated_settings):
    first = _export(sqlite_db, portfolio)
    key_file = _isolated_settings / "keys" / "template_signing_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    kept = key_file.read_text()
    get_settings.cache_clear()
    _export(sqlite_db, portfolio)
    assert key_file.read_text() == kept
    filled = _fill(first, FIGURES)
    with sqlite_db.session(portfolio.analyst) as session:
        assert import_kpi_template(session, filled).inserted == len(FIGURES)


def test_a_key_file_others_can_read_is_refused(sqlite_db, portfolio, _isolated_settings):
    _export(sqlite_db, portfolio)
    key_file = _isolated_settings / "keys" / "template_signing_key"
    key_file.chmod(0o644)
    with sqlite_db.session() as session, pytest.raises(ConfigurationError, match="chmod 600"):
        export_kpi_template(session, "Acme Software", [Q4])


def test_a_short_configured_key_is_refused(monkeypatch):
    monkeypatch.setenv(f"{ENV_PREFIX}TEMPLATE_SIGNING_KEY", "short")
    with pytest.raises(ConfigurationError, match="TEMPLATE_SIGNING_KEY: .*at least 32"):
        load_settings()


def test_the_edit_helpers_change_what_they_claim(sqlite_db, portfolio):
    """Guard for the tests above: the edited file really names the other company."""
    edit = _edit_metadata("company_id", portfolio.second_company_id)
    filled = _fill(_export(sqlite_db, portfolio), {}, edit=edit)
    ws = openpyxl.load_workbook(io.BytesIO(filled))[METADATA_SHEET]
    recorded = json.loads(ws.cell(_metadata_row(ws, "company_id"), 2).value)
    assert recorded == portfolio.second_company_id
