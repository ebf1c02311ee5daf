"""Fund and deal multiples: hand calculations, pyxirr.pe, and TVPI = DPI + RVPI."""

from __future__ import annotations

import pytest
import pyxirr.pe
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portfolio_kit.analytics import dpi, moic, paid_in_to_committed, rvpi, tvpi


def test_multiples_by_hand() -> None:
    # Paid in 10 + 20 = 30, distributed 15 + 30 = 45, NAV 15:
    # DPI = 45/30 = 1.5, RVPI = 15/30 = 0.5, TVPI = 60/30 = 2.0.
    contributions, distributions = [10.0, 20.0], [15.0, 30.0]
    assert dpi(contributions, distributions) == pytest.approx(1.5, abs=1e-15)
    assert rvpi(contributions, distributions, 15.0) == pytest.approx(0.5, abs=1e-15)
    assert tvpi(contributions, distributions, 15.0) == pytest.approx(2.0, abs=1e-15)


def test_scalars_and_arrays_mean_the_same() -> None:
    assert tvpi(30.0, 45.0, 15.0) == tvpi([10.0, 20.0], [15.0, 30.0], 15.0)


def test_multiples_agree_with_pyxirr_pe() -> None:
    # pyxirr.pe takes signed flows (contributions negative); ours take magnitudes.
    signed = [-10.0, -20.0, 15.0, 30.0]
    assert dpi([10.0, 20.0], [15.0, 30.0]) == pytest.approx(pyxirr.pe.dpi(signed), abs=1e-15)
    assert tvpi([10.0, 20.0], [15.0, 30.0], 15.0) == pytest.approx(
        pyxirr.pe.tvpi(signed, 15.0), abs=1e-15
    )
    assert rvpi([10.0, 20.0], [15.0, 30.0], 15.0) == pytest.approx(
        pyxirr.pe.rvpi([10.0, 20.0], 15.0), abs=1e-15
    )


def test_paid_in_to_committed_and_moic_by_hand() -> None:
    assert paid_in_to_committed([25.0, 35.0], 100.0) == pytest.approx(0.6, abs=1e-15)
    # 50 invested, 40 back so far, stake worth 35: (40 + 35) / 50 = 1.5x.
    assert moic(50.0, 40.0, 35.0) == pytest.approx(1.5, abs=1e-15)


magnitudes = st.lists(
    st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=20
)


@settings(max_examples=200, deadline=None)
@given(
    contributions=magnitudes, distributions=magnitudes, nav=st.floats(min_value=0, max_value=1e9)
)
def test_tvpi_is_dpi_plus_rvpi(
    contributions: list[float], distributions: list[float], nav: float
) -> None:
    # Multiples of nothing paid in are undefined (a ValueError, tested below): draw again.
    assume(sum(contributions) > 0)
    total = tvpi(contributions, distributions, nav)
    parts = dpi(contributions, distributions, nav) + rvpi(contributions, distributions, nav)
    assert total == pytest.approx(parts, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: tvpi([10.0, -5.0], [1.0], 0.0),
            r"contributions: must be positive magnitudes, got -5.0 at position 1",
        ),
        (lambda: tvpi([0.0], [1.0], 0.0), "contributions: total is zero"),
        (lambda: tvpi([10.0], [float("nan")], 0.0), "distributions: contains NaN at position 0"),
        (lambda: rvpi([10.0], [1.0], -1.0), "nav: must not be negative"),
        (lambda: dpi([], [1.0]), "contributions: is empty"),
        (lambda: paid_in_to_committed([1.0], 0.0), "commitment: must be positive"),
        (lambda: moic(0.0, 5.0), "invested: total is zero"),
    ],
)
def test_bad_input_names_the_argument(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()
