"""Companies, valuations, diligence items and initiatives: columns, filters, soft delete."""

from __future__ import annotations

import pandas as pd
import pytest

from portfolio_kit import frames
from tests.frames.dtypes import dtype_names

COMPANY_COLUMNS = {
    "company_id": "int64",
    "name": "str",
    "sector": "category",
    "geography": "category",
    "currency": "str",
    "status": "category",
    "fiscal_year_end_month": "int64",
    "description": "str",
    "deleted_at": "datetime64[ns, UTC]",
}
VALUATION_COLUMNS = {
    "valuation_id": "int64",
    "company_id": "int64",
    "valuation_date": "datetime64[ns]",
    "method": "category",
    "enterprise_value": "float64",
    "equity_value": "float64",
    "implied_multiple": "float64",
    "is_mark": "bool",
    "currency": "str",
}
DILIGENCE_COLUMNS = {
    "item_id": "int64",
    "company_id": "int64",
    "company_name": "str",
    "category": "category",
    "status": "category",
    "risk_level": "category",
    "title": "str",
    "owner": "str",
    "due_date": "datetime64[ns]",
    "notes": "str",
}
INITIATIVE_COLUMNS = {
    "initiative_id": "int64",
    "company_id": "int64",
    "company_name": "str",
    "lever": "category",
    "status": "category",
    "title": "str",
    "target_impact": "float64",
    "currency": "str",
    "progress": "float64",
    "owner": "str",
    "start_date": "datetime64[ns]",
    "target_date": "datetime64[ns]",
    "notes": "str",
}


@pytest.mark.parametrize("fund_ids", [None, []], ids=["all", "none"])
def test_columns_and_dtypes_hold_for_full_and_empty_frames(hand_db, fund_ids):
    db = hand_db.db
    assert dtype_names(frames.companies(db, fund_ids=fund_ids)) == COMPANY_COLUMNS
    assert dtype_names(frames.valuations(db, fund_ids=fund_ids)) == VALUATION_COLUMNS
    assert dtype_names(frames.diligence_items(db, fund_ids=fund_ids)) == DILIGENCE_COLUMNS
    assert dtype_names(frames.initiatives(db, fund_ids=fund_ids)) == INITIATIVE_COLUMNS


def test_companies_belong_to_funds_through_investments(hand_db):
    ids = hand_db.ids
    everyone = frames.companies(hand_db.db)
    assert list(everyone["name"]) == [
        "Acme Software",
        "Borealis Logistics",
        "Cobalt Robotics",
        "Pipeline Partners",
    ]
    fund_ii = frames.companies(hand_db.db, fund_ids=ids.fund_ii)
    assert set(fund_ii["company_id"]) == {ids.borealis, ids.cobalt}
    fund_i = frames.companies(hand_db.db, fund_ids=[ids.fund_i])
    assert set(fund_i["company_id"]) == {ids.acme, ids.borealis}
    assert frames.companies(hand_db.db, fund_ids=[]).empty
    assert set(frames.companies(hand_db.db, company_ids=[ids.acme, ids.deleted])["company_id"]) == {
        ids.acme
    }


def test_deleted_companies_appear_only_when_asked_for(hand_db):
    ids = hand_db.ids
    with_deleted = frames.companies(hand_db.db, include_deleted=True).set_index("company_id")
    assert ids.deleted in with_deleted.index
    assert pd.notna(with_deleted.loc[ids.deleted, "deleted_at"])
    assert pd.isna(with_deleted.loc[ids.acme, "deleted_at"])


def test_valuations_filter_by_company_fund_date_and_mark(hand_db):
    ids = hand_db.ids
    db = hand_db.db
    table = frames.valuations(db)
    assert ids.deleted not in set(table["company_id"])
    assert len(table) == 5
    acme = frames.valuations(db, company_ids=ids.acme)
    assert acme["equity_value"].tolist() == [12_000_000.0, 13_000_000.0, 20_000_000.0]
    assert acme["is_mark"].tolist() == [True, False, True]
    assert acme["enterprise_value"].iloc[0] == 25_000_000.0
    assert pd.isna(acme["enterprise_value"].iloc[1])
    marks = frames.valuations(db, company_ids=ids.acme, marks_only=True)
    assert marks["method"].tolist() == ["trading_comparables", "trading_comparables"]
    early = frames.valuations(db, as_of="2021-12-31")
    assert early["valuation_date"].max() == pd.Timestamp("2021-12-31")
    assert len(early) == 2
    fund_ii = frames.valuations(db, fund_ids=[ids.fund_ii])
    assert set(fund_ii["company_id"]) == {ids.borealis, ids.cobalt}


def test_diligence_and_initiatives_leave_out_deleted_companies(hand_db):
    ids = hand_db.ids
    items = frames.diligence_items(hand_db.db)
    assert set(items["company_name"]) == {"Acme Software", "Pipeline Partners"}
    assert items["risk_level"].cat.ordered
    assert (items.loc[items["company_id"] == ids.acme, "risk_level"] > "medium").all()
    assert frames.diligence_items(hand_db.db, fund_ids=[ids.fund_i])["company_id"].tolist() == [
        ids.acme
    ]
    plans = frames.initiatives(hand_db.db)
    assert plans["title"].tolist() == ["Procurement"]
    assert plans["progress"].tolist() == [pytest.approx(0.4)]
    assert plans["target_impact"].tolist() == [250_000.0]
