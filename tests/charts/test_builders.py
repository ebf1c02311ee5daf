"""Chart builders: the data they plot, their labels, and offline rendering.

Expected values are hand calculations from the literal frames below.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import altair as alt
import pandas as pd
import pytest

from portfolio_kit import charts
from portfolio_kit.charts._theme import BRICK, TEAL


@pytest.fixture
def restore_altair() -> Iterator[None]:
    renderer, theme = alt.renderers.active, alt.theme.active
    yield
    alt.renderers.enable(renderer)
    alt.theme.enable(theme)


QUARTERS = pd.DataFrame(
    {
        "contributions": [100e6, 50e6, 0.0],
        "distributions": [0.0, 0.0, 40e6],
        "cumulative_net_cash_flow": [-100e6, -150e6, -110e6],
        "nav": [90e6, 140e6, 120e6],
    },
    index=pd.DatetimeIndex(["2020-03-31", "2020-06-30", "2020-09-30"], name="quarter_end"),
)


def _values(chart: alt.TopLevelMixin) -> list[dict]:
    spec = chart.to_dict()
    datasets = spec["datasets"]
    return [row for rows in datasets.values() for row in rows]


def test_j_curve_plots_cash_and_net_value_in_millions() -> None:
    rows = [row for row in _values(charts.j_curve(QUARTERS)) if "series" in row]
    cash = [row["value"] for row in rows if row["series"] == "Net cash flow"]
    net = [row["value"] for row in rows if row["series"] == "Net value"]
    assert cash == [-100.0, -150.0, -110.0]
    # net value = cumulative net cash flow + NAV: -100+90, -150+140, -110+120
    assert net == [-10.0, -10.0, 10.0]
    assert {row["date"] for row in rows} == {"2020-03-31", "2020-06-30", "2020-09-30"}


def test_cash_flow_bars_put_contributions_below_zero() -> None:
    rows = _values(charts.cash_flows_by_quarter(QUARTERS))
    assert sorted((row["series"], row["value"]) for row in rows) == [
        ("Contributions", -100.0),
        ("Contributions", -50.0),
        ("Distributions", 40.0),
    ]


def test_house_colours_follow_the_quantity_not_the_order() -> None:
    spec = charts.cash_flows_by_quarter(QUARTERS).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        "Contributions": BRICK,
        "Distributions": TEAL,
    }


def test_nav_bridge_value_change_closes_the_bridge() -> None:
    # 250 + 20 - 30 + change = 260, so the change is +20.
    svg = charts.to_svg(
        charts.nav_bridge(250e6, 20e6, 30e6, 260e6, opening_label="Start", closing_label="End")
    )
    for text in ("$250.0m", "+$20.0m", "-$30.0m", "$260.0m", "Value", "change"):
        assert text in svg


def test_nav_bridge_refuses_signed_flows() -> None:
    with pytest.raises(ValueError, match="positive magnitudes"):
        charts.nav_bridge(100.0, -5.0, 0.0, 90.0)


def test_kpi_lines_draws_one_panel_per_kpi() -> None:
    frame = pd.DataFrame(
        {
            "period_end": ["2024-03-31", "2024-06-30"] * 3,
            "label": [
                "ARR",
                "ARR",
                "Customers",
                "Customers",
                "Net revenue retention",
                "Net revenue retention",
            ],
            "unit": ["currency", "currency", "count", "count", "percent", "percent"],
            "value": [10e6, 12e6, 100, 120, 1.05, 1.1],
        }
    )
    spec = charts.kpi_lines(frame).to_dict()
    assert len(spec["concat"]) == 3
    arr_values = [row["value"] for row in _values(charts.kpi_lines(frame[frame["label"] == "ARR"]))]
    assert arr_values == [10.0, 12.0]


def test_moic_bars_are_sorted_best_first_and_labelled() -> None:
    chart = charts.moic_by_company(
        pd.DataFrame({"company": ["A", "B", "C"], "moic": [2.1, 0.6, float("nan")]})
    )
    rows = [row for row in _values(chart) if "company" in row]
    assert [row["company"] for row in rows] == ["A", "B"]
    assert [row["text"] for row in rows] == ["2.10x", "0.60x"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: charts.j_curve(QUARTERS.drop(columns="nav")), "quarters: missing column"),
        (
            lambda: charts.financial_trends(
                pd.DataFrame(columns=["period_end", "series", "value"])
            ),
            "no rows",
        ),
        (
            lambda: charts.valuation_history(
                pd.DataFrame({"valuation_date": ["x"], "equity_value": [1.0]})
            ),
            "unreadable",
        ),
    ],
)
def test_bad_frames_are_refused_with_the_argument_named(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        build()


def test_svg_is_static_and_identical_from_run_to_run() -> None:
    chart = charts.valuation_history(
        pd.DataFrame(
            {
                "valuation_date": [date(2024, 12, 31), date(2025, 12, 31)],
                "equity_value": [100e6, 120e6],
            }
        )
    )
    first, second = charts.to_svg(chart), charts.to_svg(chart)
    assert first == second
    assert first.startswith("<svg")
    assert "<script" not in first and "http" not in first.replace("http://www.w3.org", "")


def test_offline_rendering_never_uses_the_cdn_renderer(restore_altair: None) -> None:
    assert charts.enable_offline_rendering() == "svg"
    assert alt.renderers.active == "svg"
    assert alt.theme.active == charts.THEME_NAME
    bundle = alt.renderers.get()(charts.j_curve(QUARTERS).to_dict())
    assert set(bundle) == {"image/svg+xml"} or "image/svg+xml" in bundle[0]
    assert charts.enable_offline_rendering(interactive=True) == "jupyter"
    assert alt.renderers.active == "jupyter"


def test_drawn_charts_are_kept_by_content(tmp_path) -> None:  # type: ignore[no-untyped-def]
    chart = charts.j_curve(QUARTERS)
    first = charts.to_svg(chart, cache_dir=tmp_path)
    stored = list(tmp_path.glob("*.svg"))
    assert len(stored) == 1 and stored[0].read_text() == first
    stored[0].write_text("<svg>kept</svg>")
    assert charts.to_svg(chart, cache_dir=tmp_path) == "<svg>kept</svg>"
    # Other data is another drawing, under another name.
    changed = QUARTERS.assign(nav=QUARTERS["nav"] * 2)
    assert charts.to_svg(charts.j_curve(changed), cache_dir=tmp_path) != "<svg>kept</svg>"
    assert len(list(tmp_path.glob("*.svg"))) == 2
