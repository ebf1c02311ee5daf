"""The page crop a reviewer sees beside a figure."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from portfolio_kit.pdf import NotAPdfError, extract_statements, render_crop


def test_crop_around_a_figure(synthetic_filing: Path) -> None:
    revenue = extract_statements(synthetic_filing).income_statement.get("revenue")
    x0, top, x1, bottom = revenue.bbox
    png = render_crop(synthetic_filing, revenue.page, revenue.bbox, padding=10, scale=2)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    # (width + 2 * padding) points at 2 pixels a point, give or take a pixel of rounding.
    assert abs(image.width - (x1 - x0 + 20) * 2) <= 2
    assert abs(image.height - (bottom - top + 20) * 2) <= 2
    # The figure is printed there: the crop is not blank.
    assert image.convert("L").getextrema()[0] < 100


def test_crop_is_clipped_at_the_page_edge(synthetic_filing: Path) -> None:
    png = render_crop(synthetic_filing, 0, (0, 0, 10, 10), padding=50, scale=1)
    image = Image.open(io.BytesIO(png))
    assert (image.width, image.height) == (60, 60)


@pytest.mark.parametrize(
    ("page", "bbox", "padding", "scale", "argument"),
    [
        (99, (10, 10, 20, 20), 5, 2, "page"),
        (-1, (10, 10, 20, 20), 5, 2, "page"),
        (0, (10, 10, 20), 5, 2, "bbox"),
        (0, (20, 10, 10, 20), 5, 2, "bbox"),
        (0, (10, 10, 20, float("nan")), 5, 2, "bbox"),
        (0, (900, 10, 950, 20), 5, 2, "bbox"),
        (0, (10, 10, 20, 20), -1, 2, "padding"),
        (0, (10, 10, 20, 20), 5, 0, "scale"),
        (0, (10, 10, 20, 20), 5, 50, "scale"),
    ],
)
def test_bad_arguments_are_named(
    synthetic_filing: Path, page: int, bbox: tuple, padding: float, scale: float, argument: str
) -> None:
    with pytest.raises(ValueError, match=f"^{argument}:"):
        render_crop(synthetic_filing, page, bbox, padding=padding, scale=scale)


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_text("hello")
    with pytest.raises(NotAPdfError):
        render_crop(path, 0, (0, 0, 10, 10))
