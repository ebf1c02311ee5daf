"""What nbval cannot see: the committed notebooks themselves.

nbval re-executes the notebooks and compares outputs; these checks read the
files as committed (``notebooks/`` and ``dashboards/``): they are valid
nbformat (Altair's ``vnd.vegalite`` output is not, and Voila cannot draw
it), they were saved with their outputs and with the portable ``python3``
kernel, no output loads a script from the network (charts must work on a
closed network and in Voila), no cell stored an error, and they stay small.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "dashboards").glob("*.ipynb")
)
ANALYST_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

MAX_NOTEBOOK_BYTES = 400_000
"""Outputs are committed; a notebook above this has stored something it should
not (widget state, big images)."""

EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*['\"]?(https?:)?//", re.IGNORECASE)
EXTERNAL_MODULE = re.compile(r"""(import\s*\(|from\s+)['"](https?:)?//""", re.IGNORECASE)
CDN_HOSTS = re.compile(
    r"cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|esm\.sh", re.IGNORECASE
)
REFUSED_MIME = re.compile(
    r"^application/vnd\.vega(lite)?\.v\d+\+?json$|^application/vnd\.vegalite\.v\d+\.json$"
)


def _ids(paths: list[Path]) -> list[str]:
    return [f"{path.parent.name}/{path.name}" for path in paths]


def _outputs(notebook: Any) -> list[dict[str, Any]]:
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    ]


def _texts(output: dict[str, Any]) -> list[str]:
    texts = []
    if "text" in output:
        texts.append(str(output["text"]))
    for value in output.get("data", {}).values():
        texts.append(value if isinstance(value, str) else json.dumps(value))
    return texts


def test_there_are_analyst_notebooks() -> None:
    names = [path.name for path in ANALYST_NOTEBOOKS]
    for story in (
        "getting_started",
        "data_entry",
        "pdf_ingest",
        "fund_performance",
        "company_deep_dive",
        "model_building",
        "quarterly_report",
    ):
        assert any(story in name for name in names), f"no notebook for {story} in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_valid_and_portable(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3", (
        f"{path.name}: save with the python3 kernel, or nbval fails on machines without your kernel"
    )
    assert "widgets" not in notebook.metadata, (
        f"{path.name}: widget state is stored; save without it"
    )
    assert path.stat().st_size <= MAX_NOTEBOOK_BYTES, (
        f"{path.name} is {path.stat().st_size:,} bytes"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_committed_executed_without_errors(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, f"{path.name} has no code"
    assert all(cell.get("execution_count") for cell in code), (
        f"{path.name}: run every cell before committing"
    )
    errors = [output for output in _outputs(notebook) if output.get("output_type") == "error"]
    assert not errors, (
        f"{path.name} stored an error: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    )
    assert _outputs(notebook), f"{path.name} has no outputs for nbval to compare"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_no_output_loads_anything_from_the_network(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for output in _outputs(notebook):
        for mime in output.get("data", {}):
            assert not REFUSED_MIME.match(mime), (
                f"{path.name}: {mime} output (use the svg renderer)"
            )
        for text in _texts(output):
            assert not EXTERNAL_SCRIPT.search(text), (
                f"{path.name}: an output loads a script from the network"
            )
            assert not EXTERNAL_MODULE.search(text), (
                f"{path.name}: an output imports a module from the network"
            )
            assert not CDN_HOSTS.search(text), f"{path.name}: an output refers to a CDN"


def test_the_checks_catch_what_they_look_for() -> None:
    """The patterns above recognise the outputs Altair's default renderers produce."""
    altair_default = (
        '<script type="text/javascript" src="https://cdn.jsdelivr.net/npm/vega@5"></script>'
    )
    assert EXTERNAL_SCRIPT.search(altair_default) and CDN_HOSTS.search(altair_default)
    assert EXTERNAL_MODULE.search('import("https://cdn.jsdelivr.net/npm/vega-embed@6?noext")')
    assert REFUSED_MIME.match("application/vnd.vegalite.v6.json")
    assert not EXTERNAL_SCRIPT.search('<svg xmlns="http://www.w3.org/2000/svg"></svg>')


def test_charts_render_offline_as_svg() -> None:
    """The renderer the notebooks enable gives a self-contained SVG bundle."""
    import altair as alt
    import pandas as pd

    from portfolio_kit import charts

    renderer, theme = alt.renderers.active, alt.theme.active
    try:
        assert charts.enable_offline_rendering() == "svg"
        chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_line().encode(x="x", y="y")
        bundle = chart._repr_mimebundle_()
    finally:
        alt.renderers.enable(renderer)
        alt.theme.enable(theme)
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "image/svg+xml" in data
    svg = data["image/svg+xml"]
    assert svg.lstrip().startswith("<svg")
    assert not EXTERNAL_SCRIPT.search(svg) and not CDN_HOSTS.search(svg)
    assert not any(REFUSED_MIME.match(mime) for mime in data)
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "chart", outputs=[nbformat.v4.new_output("display_data", data=data)]
            )
        ]
    )
    nbformat.validate(notebook)
