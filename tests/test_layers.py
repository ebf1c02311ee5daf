"""The package's imports point one way: the import-linter contracts in pyproject.toml.

The contracts are run as a user would run them (``lint-imports``), on the
real package and on small fake copies of it in ``tmp_path``: one tidy, which
must pass, and ones with the cycles this repository once had (the server
reading the dashboards' catalog while the dashboards verify the server's
sessions; the Alembic environment importing ``db`` while ``db`` runs the
migrations), which must fail. So the check is shown to be able to fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "portfolio_kit"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _layer_contract() -> dict:
    (contract,) = [c for c in _config()["contracts"] if c["type"] == "layers"]
    return contract


def _placed() -> list[str]:
    return [
        name.strip() for layer in _layer_contract()["layers"] for name in layer.split("|")
    ]


def _lint(cwd: Path, python_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    if python_path is not None:
        environment["PYTHONPATH"] = str(python_path)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_package_keeps_its_contracts() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_subpackage_and_module_has_a_layer() -> None:
    # A module left out of the list would be free to import anything.
    present = sorted(
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    )
    placed = _placed()
    assert len(placed) == len(set(placed)), "a module is placed on two layers"
    assert sorted(placed) == present


def _fake_package(root: Path, imports: dict[str, str]) -> Path:
    """A copy of the package's shape, one empty module per placed name, where
    ``imports`` maps a module (``server.pages``) to the module it imports, and
    the repository's own contracts as its pyproject.toml."""
    package = root / "portfolio_kit"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in _placed():
        (package / name).mkdir()
        (package / name / "__init__.py").write_text("")
    for module, target in imports.items():
        parent, _, leaf = module.rpartition(".")
        (package / parent / f"{leaf}.py").write_text(f"import portfolio_kit.{target}\n")
    (root / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    return root


DOWNWARD = {"server.pages": "db", "dashboards.access": "server", "db.session": "migrations"}


def test_a_fake_package_importing_only_downwards_passes(tmp_path: Path) -> None:
    root = _fake_package(tmp_path, DOWNWARD)
    result = _lint(root, python_path=root)
    assert result.returncode == 0, result.stdout + result.stderr
    # The fake, not the installed package, was analysed.
    assert f"Analyzed {len(_placed()) + 1 + len(DOWNWARD)} files" in result.stdout


@pytest.mark.parametrize(
    ("upward", "importer", "imported"),
    [
        ("server.identity", "portfolio_kit.server.identity", "portfolio_kit.dashboards"),
        ("migrations.env", "portfolio_kit.migrations.env", "portfolio_kit.db"),
        ("analytics.returns", "portfolio_kit.analytics.returns", "portfolio_kit.frames"),
    ],
)
def test_an_upward_import_closing_a_cycle_breaks_the_contract(
    tmp_path: Path, upward: str, importer: str, imported: str
) -> None:
    target = imported.removeprefix("portfolio_kit.")
    root = _fake_package(tmp_path, {**DOWNWARD, "frames.load": "analytics", upward: target})
    result = _lint(root, python_path=root)
    assert result.returncode == 1, result.stdout
    assert "Layers point one way BROKEN" in result.stdout
    assert f"{importer} -> {imported}" in result.stdout


def test_analytics_importing_the_database_breaks_the_purity_contract(tmp_path: Path) -> None:
    root = _fake_package(tmp_path, {"analytics.returns": "models"})
    (root / "portfolio_kit" / "analytics" / "fast.py").write_text("import sqlalchemy\n")
    result = _lint(root, python_path=root)
    assert result.returncode == 1, result.stdout
    assert "Analytics stay pure: no database, widget or file-format code BROKEN" in result.stdout
    assert "portfolio_kit.analytics.fast -> sqlalchemy" in result.stdout
