"""The audit browser: filter by record, user and date; field-level changes."""

from __future__ import annotations

from datetime import date, timedelta

from portfolio_kit import Database
from portfolio_kit.models.base import utcnow
from portfolio_kit.widgets.audit_browser import AuditBrowser, change_rows
from portfolio_kit.widgets.funds import FundForm
from portfolio_kit.widgets.session import ActingUser
from tests.support.portfolio import ANALYST_EMAIL, SmallPortfolio


def test_change_rows_read_inserts_updates_deletes_and_imports() -> None:
    assert change_rows({"nav": ["100.00", "120.00"], "notes": [None, "restated"]}) == [
        ("nav", "100.00", "120.00"),
        ("notes", "", "restated"),
    ]
    assert change_rows({"name": ["Old Co", None]}) == [("name", "Old Co", "")]
    assert change_rows({"rows": 17308, "source": "demo"}) == [
        ("rows", "", "17308"),
        ("source", "", "demo"),
    ]
    assert change_rows(None) == []


def edit_fund(db: Database, analyst: ActingUser, fund_id: int) -> None:
    form = FundForm(db, user=analyst)
    form.picker.value = fund_id
    form.fields["total_commitments"].value = "525,000,000"
    assert form.save()


def test_one_records_history_with_its_field_changes(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    edit_fund(db, analyst, portfolio.fund_id)
    browser = AuditBrowser(db)
    browser.show_record("Fund", portfolio.fund_id)

    assert browser.count.value == "2 changes (newest first)"
    newest, first = [label for label, _index in browser.rows.options]
    assert f"{ANALYST_EMAIL}  update  Fund #{portfolio.fund_id}" in newest
    assert f"system  insert  Fund #{portfolio.fund_id}" in first
    assert browser.rows.value == 0
    assert (
        "<code>total_commitments</code></td><td>500000000.00</td><td>525000000.00</td>"
        in browser.detail.value
    )


def test_filtering_by_user_and_date(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    edit_fund(db, analyst, portfolio.fund_id)
    browser = AuditBrowser(db)
    assert ANALYST_EMAIL in [value for _label, value in browser.actor.options]
    browser.actor.value = ANALYST_EMAIL
    browser.show_button.click()
    assert browser.count.value == "1 change (newest first)"

    tomorrow = utcnow().date() + timedelta(days=1)
    browser.between(tomorrow, None)
    assert browser.count.value == "0 changes (newest first)"
    assert browser.detail.value == ""
    browser.between(date(2000, 1, 1), utcnow().date())
    assert browser.count.value == "1 change (newest first)"


def test_a_bad_record_id_is_a_sentence(db: Database, portfolio: SmallPortfolio) -> None:
    browser = AuditBrowser(db)
    browser.record_id.value = "three"
    browser.show_button.click()
    assert (
        browser.status.text
        == "Could not read the audit log: id: must be a record number such as 42 (got 'three')"
    )


def test_the_limit_keeps_the_newest(
    db: Database, analyst: ActingUser, portfolio: SmallPortfolio
) -> None:
    edit_fund(db, analyst, portfolio.fund_id)
    browser = AuditBrowser(db, limit=1)
    assert browser.count.value == "1 change (newest first); showing the newest 1"
    assert f"{ANALYST_EMAIL}  update" in browser.rows.options[0][0]
