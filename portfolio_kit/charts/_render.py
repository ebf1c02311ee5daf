"""Rendering charts with no network: static SVG through vl-convert.

Altair's default renderer loads Vega from a CDN, which a closed network (and
an investment committee's laptop on a plane) cannot reach. Two renderers work
offline in JupyterLab, Voila and nbconvert alike:

- ``svg`` (the default here): vl-convert runs Vega inside the kernel and the
  notebook receives finished SVG. No JavaScript reaches the browser, the
  output is byte-identical from run to run (so nbval can compare it), and a
  page shows its charts the moment its HTML arrives. The price is no
  tooltips or zooming, which is why every chart here labels its key values.
- ``jupyter`` with ``offline=True``: the interactive anywidget renderer with
  Vega inlined (about 900 KB of JavaScript sent to every kernel's page).
  Analysts who want to hover may pick it with ``interactive=True``.

The dashboards always use :func:`to_svg`, whatever renderer a notebook enabled.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

import altair as alt

from portfolio_kit import file_cache
from portfolio_kit.charts._theme import THEME_NAME, register_theme

Renderer = Literal["svg", "jupyter"]


def enable_offline_rendering(*, interactive: bool = False) -> Renderer:
    """Make Altair render without any network access, with the house theme.

    Parameters
    ----------
    interactive
        False (default): static SVG rendered in the kernel (see the module
        docstring for why). True: the ``jupyter`` renderer with Vega inlined,
        which needs ``anywidget`` and ``vl-convert-python`` (both installed
        with portfolio_kit).

    Returns
    -------
    The name of the renderer now enabled: ``"svg"`` or ``"jupyter"``.
    """
    register_theme()
    alt.theme.enable(THEME_NAME)
    if interactive:
        alt.renderers.enable("jupyter", offline=True)
        return "jupyter"
    alt.renderers.enable("svg")
    return "svg"


def to_svg(
    chart: alt.TopLevelMixin, *, validate: bool = True, cache_dir: Path | None = None
) -> str:
    """The chart as a standalone SVG document, drawn with the house theme.

    Runs Vega in-process through vl-convert: no browser, no network. The
    first call in a process starts vl-convert's JavaScript engine (about two
    seconds); later calls take 0.1 to 0.5 s per chart, the largest part of
    drawing a dashboard.

    Parameters
    ----------
    validate
        False skips Altair's JSON-schema check of the specification (tens of
        milliseconds a chart); the dashboards use it for their fixed
        builders, whose specifications the unit tests validate.
    cache_dir
        Where to keep drawn charts, named by a SHA-256 of the complete
        specification (data, theme, Vega-Lite and vl-convert versions). A
        drawing depends on nothing else, so a stored one is never stale: the
        same fund page seen again, by anyone allowed to see it, is not
        redrawn. None draws every time.

    Raises
    ------
    ValueError
        If the chart specification is invalid (Altair's schema validation).
    """
    import vl_convert

    register_theme()
    with alt.theme.enable(THEME_NAME):
        spec = chart.to_dict(validate=validate)
    version = _vl_convert_version()
    cached = None
    if cache_dir is not None:
        digest = hashlib.sha256(
            json.dumps(
                [spec, version, vl_convert.__version__], sort_keys=True, default=str
            ).encode()
        ).hexdigest()
        cached = cache_dir / f"{digest}.svg"
        try:
            return cached.read_text(encoding="utf-8")
        except OSError:
            pass
    svg = str(vl_convert.vegalite_to_svg(spec, vl_version=version, format_locale="en-US"))
    if cached is not None:
        _store(cached, svg)
    return svg


CACHE_LIMIT = 2000
"""Drawings kept per cache folder; the oldest go first beyond that."""


def _store(path: Path, svg: str) -> None:
    """Other kernels may read the same file; a full or read-only disk only
    costs the next page a redraw (``file_cache``)."""
    if file_cache.write_private(path, svg):
        file_cache.keep_newest(path.parent, "*.svg", CACHE_LIMIT)


def _vl_convert_version() -> str:
    """vl-convert names Vega-Lite versions ``v6_1``; Altair's schema is ``v6.1.0``."""
    return "_".join(alt.SCHEMA_VERSION.split(".")[:2])


def warm_up() -> None:
    """Start vl-convert's engine now, so the first real chart does not pay for it.

    Dashboards call this while a preheated kernel waits for its request.
    """
    import pandas as pd

    frame = pd.DataFrame({"x": [0, 1], "y": [0.0, 1.0]})
    to_svg(alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q"))
