"""Funds, LP cash flows and NAVs: columns, dtypes, signs, fund filters and as-of cuts."""

from __future__ import annotations

import pandas as pd
import pytest

from portfolio_kit import frames
from portfolio_kit.errors import ValidationError
from tests.frames.dtypes import dtype_names
from tests.frames.hand_portfolio import FUND_I_SIGNED

FUND_COLUMNS = {
    "fund_id": "int64",
    "name": "str",
    "vintage_year": "int64",
    "currency": "str",
    "strategy": "category",
    "status": "category",
    "target_size": "float64",
    "total_commitments": "float64",
    "first_close_date": "datetime64[ns]",
    "final_close_date": "datetime64[ns]",
    "management_fee_rate": "float64",
    "carried_interest_rate": "float64",
    "hurdle_rate": "float64",
}
CASH_FLOW_COLUMNS = {
    "fund_id": "int64",
    "fund_name": "str",
    "date": "datetime64[ns]",
    "kind": "category",
    "amount": "float64",
    "currency": "str",
}
NAV_COLUMNS = {"fund_id": "int64", "as_of": "datetime64[ns]", "nav": "float64", "currency": "str"}


@pytest.mark.parametrize("fund_ids", [None, []], ids=["all", "none"])
def test_columns_and_dtypes_hold_for_full_and_empty_frames(hand_db, fund_ids):
    assert dtype_names(frames.funds(hand_db.db, fund_ids)) == FUND_COLUMNS
    assert dtype_names(frames.fund_cash_flows(hand_db.db, fund_ids)) == CASH_FLOW_COLUMNS
    assert dtype_names(frames.fund_navs(hand_db.db, fund_ids)) == NAV_COLUMNS


def test_funds_lists_each_fund_with_its_terms(hand_db):
    table = frames.funds(hand_db.db).set_index("name")
    assert list(table.index) == ["Test Fund I", "Test Fund II"]
    assert table.loc["Test Fund I", "total_commitments"] == 100_000_000.0
    assert table.loc["Test Fund I", "management_fee_rate"] == pytest.approx(0.02)
    assert pd.isna(table.loc["Test Fund II", "management_fee_rate"])
    assert table.loc["Test Fund II", "first_close_date"] == pd.Timestamp("2022-03-01")
    assert table.loc["Test Fund I", "strategy"] == "buyout"


def test_lp_cash_flows_are_signed_from_the_lps_side(hand_db):
    flows = frames.fund_cash_flows(hand_db.db, hand_db.ids.fund_i)
    assert flows["amount"].tolist() == FUND_I_SIGNED
    assert flows["kind"].tolist() == [
        "capital_call",
        "management_fee",
        "expense",
        "distribution",
        "recallable_distribution",
        "capital_call",
    ]
    # By hand: paid in 10,000,000 + 500,000 + 100,000 + 2,500,000.50; out 4,000,000 + 1,000,000.
    assert -flows.loc[flows["amount"] < 0, "amount"].sum() == 13_100_000.50
    assert flows.loc[flows["amount"] > 0, "amount"].sum() == 5_000_000.0
    assert set(flows["fund_name"]) == {"Test Fund I"}
    assert flows["date"].is_monotonic_increasing


def test_fund_filter_takes_one_id_a_list_none_or_nothing(hand_db):
    ids = hand_db.ids
    assert sorted(set(frames.fund_cash_flows(hand_db.db)["fund_id"])) == sorted(
        [ids.fund_i, ids.fund_ii]
    )
    assert set(frames.fund_cash_flows(hand_db.db, [ids.fund_ii])["fund_id"]) == {ids.fund_ii}
    assert len(frames.fund_cash_flows(hand_db.db, [ids.fund_i, ids.fund_ii])) == 7
    assert frames.fund_cash_flows(hand_db.db, []).empty
    assert frames.funds(hand_db.db, []).empty
    assert frames.fund_navs(hand_db.db, ids.fund_ii)["nav"].tolist() == [5_100_000.0]


def test_as_of_leaves_out_later_flows_and_navs(hand_db):
    flows = frames.fund_cash_flows(hand_db.db, hand_db.ids.fund_i, as_of="2021-12-31")
    assert flows["amount"].tolist() == FUND_I_SIGNED[:4]
    navs = frames.fund_navs(hand_db.db, hand_db.ids.fund_i, as_of=pd.Timestamp("2021-12-31"))
    assert navs["as_of"].tolist() == [pd.Timestamp("2020-12-31"), pd.Timestamp("2021-12-31")]
    assert navs["nav"].tolist() == [9_800_000.0, 7_000_000.0]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda db: frames.fund_cash_flows(db, "1"), "fund_ids"),
        (lambda db: frames.fund_cash_flows(db, [1, "2"]), "fund_ids"),
        (lambda db: frames.fund_cash_flows(db, [True]), "fund_ids"),
        (lambda db: frames.fund_navs(db, as_of="2021-13-01"), "as_of"),
        (lambda db: frames.fund_navs(db, as_of=3.5), "as_of"),
    ],
)
def test_bad_arguments_are_refused_by_name(hand_db, call, field):
    with pytest.raises(ValidationError) as caught:
        call(hand_db.db)
    assert caught.value.field == field
