"""The shared test set-up itself: the skip/fail rule, the corpus location and the postgres marker."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from portfolio_kit import Database
from tests.support.components import require, running_in_ci
from tests.support.corpus import CORPUS_ENV, corpus_file, corpus_root, require_corpus


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


def test_corpus_defaults_to_the_shared_folder_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CORPUS_ENV, raising=False)
    repo = Path(__file__).resolve().parents[2]
    assert corpus_root() == repo.parent / "shared" / "corpus"


def test_corpus_location_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "10k").mkdir()
    monkeypatch.setenv(CORPUS_ENV, str(tmp_path))
    assert corpus_file("10k", "X.pdf") == tmp_path / "10k" / "X.pdf"
    assert require_corpus(corpus_file("10k")) == tmp_path / "10k"


def test_a_missing_corpus_skips_outside_ci_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(CORPUS_ENV, str(tmp_path / "nowhere"))
    missing = corpus_file("10q")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=CORPUS_ENV):
        require_corpus(missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="nowhere"):
        require_corpus(missing)


_OWN_CORPUS_PATH = re.compile(r"""["']shared["']\s*/\s*["']corpus["']|["'][^"'\n]*shared/corpus""")


def test_only_the_corpus_helper_builds_the_corpus_path() -> None:
    # A module that joins "shared" / "corpus" itself ignores PORTFOLIO_KIT_CORPUS_DIR.
    repo = Path(__file__).resolve().parents[2]
    allowed = {repo / "tests" / "support" / "corpus.py", Path(__file__).resolve()}
    offenders = [
        f"{path.relative_to(repo)}:{number}"
        for folder in ("tests", "benchmarks", "notebooks", "scripts")
        for path in sorted((repo / folder).rglob("*.py"))
        if path not in allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _OWN_CORPUS_PATH.search(line)
    ]
    assert not offenders, f"use tests.support.corpus instead: {offenders}"
