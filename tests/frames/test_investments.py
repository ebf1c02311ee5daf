"""Investments and deal cash flows: columns, fund-side signs, as-of views, soft delete."""

from __future__ import annotations

import pandas as pd
import pytest

from portfolio_kit import frames
from tests.frames.dtypes import dtype_names

INVESTMENT_COLUMNS = {
    "investment_id": "int64",
    "fund_id": "int64",
    "fund_name": "str",
    "vintage_year": "int64",
    "company_id": "int64",
    "company_name": "str",
    "sector": "category",
    "geography": "category",
    "status": "category",
    "entry_date": "datetime64[ns]",
    "exit_date": "datetime64[ns]",
    "currency": "str",
    "ownership": "float64",
    "entry_enterprise_value": "float64",
    "entry_ebitda": "float64",
    "entry_revenue": "float64",
    "entry_net_debt": "float64",
    "equity_invested": "float64",
    "exit_proceeds": "float64",
}
DEAL_FLOW_COLUMNS = {
    "investment_id": "int64",
    "fund_id": "int64",
    "company_id": "int64",
    "date": "datetime64[ns]",
    "kind": "category",
    "amount": "float64",
    "currency": "str",
}


@pytest.mark.parametrize("fund_ids", [None, []], ids=["all", "none"])
def test_columns_and_dtypes_hold_for_full_and_empty_frames(hand_db, fund_ids):
    assert dtype_names(frames.investments(hand_db.db, fund_ids)) == INVESTMENT_COLUMNS
    assert dtype_names(frames.investment_cash_flows(hand_db.db, fund_ids)) == DEAL_FLOW_COLUMNS


def test_investments_carry_fund_and_company_attributes(hand_db):
    ids = hand_db.ids
    table = frames.investments(hand_db.db).set_index("investment_id")
    acme = table.loc[ids.acme_investment]
    assert acme["fund_name"] == "Test Fund I"
    assert acme["vintage_year"] == 2020
    assert acme["company_name"] == "Acme Software"
    assert acme["sector"] == "Software"
    assert acme["status"] == "realized"
    assert acme["ownership"] == pytest.approx(0.6)
    assert acme["entry_enterprise_value"] == 20_000_000.0
    assert acme["equity_invested"] == 6_000_000.0
    assert acme["exit_date"] == pd.Timestamp("2023-01-31")
    assert acme["exit_proceeds"] == 15_000_000.0
    assert pd.isna(table.loc[ids.cobalt_investment, "exit_date"])
    assert pd.isna(table.loc[ids.cobalt_investment, "entry_ebitda"])


def test_soft_deleted_companies_and_their_flows_are_left_out(hand_db):
    ids = hand_db.ids
    table = frames.investments(hand_db.db)
    assert ids.deleted_investment not in set(table["investment_id"])
    assert len(table) == 4
    flows = frames.investment_cash_flows(hand_db.db)
    assert ids.deleted not in set(flows["company_id"])


def test_deal_flows_are_signed_from_the_funds_side(hand_db):
    ids = hand_db.ids
    flows = frames.investment_cash_flows(hand_db.db)
    acme = flows[flows["investment_id"] == ids.acme_investment]
    # Investment and transaction cost go out; the dividend and the exit come back.
    assert acme["amount"].tolist() == [-6_000_000.0, -120_000.0, 500_000.0, 15_000_000.0]
    borealis = flows[flows["investment_id"] == ids.borealis_i_investment]
    assert borealis["amount"].tolist() == [-3_000_000.0, -400_000.0, 25_000.0]
    assert borealis["kind"].tolist() == ["investment", "follow_on", "interest"]
    cobalt = flows[flows["investment_id"] == ids.cobalt_investment]
    assert cobalt["amount"].tolist() == [-1_500_000.0, 300_000.0]
    assert set(cobalt["fund_id"]) == {ids.fund_ii}


def test_fund_filter_selects_positions_of_those_funds(hand_db):
    ids = hand_db.ids
    fund_ii = frames.investments(hand_db.db, [ids.fund_ii])
    assert set(fund_ii["investment_id"]) == {ids.borealis_ii_investment, ids.cobalt_investment}
    both = frames.investments(hand_db.db, [ids.fund_i, ids.fund_ii])
    assert list(both["company_id"]).count(ids.borealis) == 2
    assert frames.investment_cash_flows(hand_db.db, []).empty


def test_as_of_shows_the_portfolio_as_it_stood(hand_db):
    ids = hand_db.ids
    table = frames.investments(hand_db.db, as_of="2022-12-31").set_index("investment_id")
    # Acme exits on 2023-01-31: at the end of 2022 it was still held.
    assert table.loc[ids.acme_investment, "status"] == "invested"
    assert pd.isna(table.loc[ids.acme_investment, "exit_date"])
    assert pd.isna(table.loc[ids.acme_investment, "exit_proceeds"])
    on_exit_day = frames.investments(hand_db.db, as_of="2023-01-31").set_index("investment_id")
    assert on_exit_day.loc[ids.acme_investment, "status"] == "realized"
    assert on_exit_day.loc[ids.acme_investment, "exit_proceeds"] == 15_000_000.0
    # Cobalt is entered on 2022-06-01.
    before_cobalt = frames.investments(hand_db.db, as_of="2022-05-31")
    assert ids.cobalt_investment not in set(before_cobalt["investment_id"])
    flows = frames.investment_cash_flows(hand_db.db, as_of="2022-12-31")
    assert flows["date"].max() == pd.Timestamp("2022-12-31")
    assert len(flows) == 8
