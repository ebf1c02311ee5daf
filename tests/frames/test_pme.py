"""fund_pme: the database-to-PME convenience, checked on a fund worked out by hand."""

from __future__ import annotations

import math

import pytest

from portfolio_kit import frames
from portfolio_kit.errors import ValidationError


def test_fund_that_exactly_tracked_the_index(hand_db):
    """Test Fund II called 5,000,000 on 2022-04-01 (index 200) and reported a NAV
    of 5,100,000 on 2022-06-30 (index 204), 90 days later.

    By hand: KS-PME = (NAV) / (call * 204 / 200) = 5,100,000 / 5,100,000 = 1.
    The fund's IRR (ACT/365) = (5.1 / 5.0) ** (365 / 90) - 1. The LN-PME
    replica grows the call with the index to the same 5,100,000, so its IRR
    equals the fund's. Direct alpha compounds the flows to the end date:
    -5,100,000 and +5,100,000 on the same day, an excess return of 0.
    """
    measures = frames.fund_pme(hand_db.db, hand_db.ids.fund_ii)
    assert measures.name == "Test Fund II"
    irr = 1.02 ** (365 / 90) - 1
    assert measures["ks_pme"] == pytest.approx(1.0, abs=1e-12)
    assert measures["fund_irr"] == pytest.approx(irr, rel=1e-9)
    assert measures["ln_pme"] == pytest.approx(irr, rel=1e-9)
    assert measures["direct_alpha"] == pytest.approx(0.0, abs=1e-9)


def test_as_of_before_any_nav_is_refused(hand_db):
    with pytest.raises(ValidationError, match="no NAV"):
        frames.fund_pme(hand_db.db, hand_db.ids.fund_ii, as_of="2022-05-31")


@pytest.mark.parametrize("fund_id", [[1], "1", True])
def test_fund_id_must_be_one_integer(hand_db, fund_id):
    with pytest.raises(ValidationError) as caught:
        frames.fund_pme(hand_db.db, fund_id)
    assert caught.value.field == "fund_id"


def test_unknown_fund_is_refused(hand_db):
    with pytest.raises(ValidationError, match="no cash flow"):
        frames.fund_pme(hand_db.db, 10_000)
    assert math.isfinite(frames.fund_pme(hand_db.db, hand_db.ids.fund_i)["ks_pme"])
