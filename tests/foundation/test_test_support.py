"""The shared test set-up itself: the skip/fail rule and the postgres marker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portfolio_kit import Database
from tests.support.components import require, running_in_ci


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE"])
def test_require_fails_under_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert running_in_ci()
    with pytest.raises(pytest.fail.Exception, match="libreoffice"):
        require("libreoffice", "soffice not on PATH")


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_require_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert not running_in_ci()
    with pytest.raises(pytest.skip.Exception, match="soffice not on PATH"):
        require("libreoffice", "soffice not on PATH")


def test_any_db_is_marked_postgres_only_on_postgres(any_db: Database, request: pytest.FixtureRequest) -> None:
    marked = request.node.get_closest_marker("postgres") is not None
    assert marked is (any_db.dialect == "postgresql")


def test_settings_are_isolated(_isolated_settings: Path, tmp_path: Path) -> None:
    assert os.environ["PORTFOLIO_KIT_DATA_DIR"] == str(_isolated_settings)
    assert _isolated_settings.is_relative_to(tmp_path)
    assert "PORTFOLIO_KIT_DATABASE_URL" not in os.environ
    assert "PORTFOLIO_KIT_USER" not in os.environ
