"""The audit trail frame behind the audit browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portfolio_kit import frames
from portfolio_kit.errors import ValidationError
from tests.frames.dtypes import dtype_names

AUDIT_COLUMNS = {
    "audit_id": "int64",
    "at": "datetime64[ns, UTC]",
    "user_id": "Int64",
    "actor": "str",
    "action": "category",
    "entity_type": "category",
    "entity_id": "str",
    "summary": "str",
    "changes": "object",
}


def test_columns_and_dtypes(hand_db):
    assert dtype_names(frames.audit_log(hand_db.db)) == AUDIT_COLUMNS
    assert dtype_names(frames.audit_log(hand_db.db, actor="nobody@example.com")) == AUDIT_COLUMNS


def test_inserts_and_the_soft_delete_are_in_the_trail(hand_db):
    funds = frames.audit_log(hand_db.db, entity_type="Fund")
    assert len(funds) == 2
    assert set(funds["action"]) == {"insert"}
    assert {row["name"][1] for row in funds["changes"]} == {"Test Fund I", "Test Fund II"}
    company = frames.audit_log(
        hand_db.db, entity_type="PortfolioCompany", entity_id=hand_db.ids.deleted
    )
    assert company["action"].tolist() == ["update", "insert"]
    old, new = company["changes"].iloc[0]["deleted_at"]
    assert old is None and new is not None
    assert company["user_id"].isna().all()
    assert set(company["actor"]) == {"system"}


def test_time_bounds_limit_and_order(hand_db):
    everything = frames.audit_log(hand_db.db)
    assert everything["at"].is_monotonic_decreasing
    first = everything["at"].min().to_pydatetime()
    assert len(frames.audit_log(hand_db.db, since=first)) == len(everything)
    assert frames.audit_log(hand_db.db, until=first - timedelta(microseconds=1)).empty
    assert frames.audit_log(hand_db.db, until=(first - timedelta(days=1)).date()).empty
    assert (
        len(frames.audit_log(hand_db.db, until=first.date()))
        == (everything["at"].dt.date == first.date()).sum()
    )
    assert frames.audit_log(hand_db.db, since=datetime.now(UTC) + timedelta(hours=1)).empty
    newest = frames.audit_log(hand_db.db, limit=3)
    assert newest["audit_id"].tolist() == everything["audit_id"].head(3).tolist()


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"since": datetime(2025, 1, 1)}, "since"),
        ({"until": "yesterday"}, "until"),
        ({"limit": 0}, "limit"),
    ],
)
def test_bad_bounds_are_refused(hand_db, arguments, field):
    with pytest.raises(ValidationError) as caught:
        frames.audit_log(hand_db.db, **arguments)
    assert caught.value.field == field
