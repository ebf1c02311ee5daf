"""pyproject.toml is the one dependency list; environment.yml and the wheel follow it."""

from __future__ import annotations

import ast
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!\[ ;]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def _bound(requirement: str) -> str | None:
    match = re.search(r">=\s*([\w.]+)", requirement)
    return match.group(1) if match else None


def _conda_dependencies() -> list[str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    deps, in_deps = [], False
    for line in lines:
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and re.match(r"^  - [^ ]", line) and not line.strip().startswith("- pip"):
            deps.append(line.strip()[2:])
    return deps


def test_environment_yml_mirrors_the_core_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {_name(r): _bound(r) for r in project["dependencies"]}
    conda = {_name(r): _bound(r) for r in _conda_dependencies() if _name(r) not in ("python", "pip")}
    # conda also ships the non-Python programs that pip cannot: each one here is
    # a Debian package that .ci/run installs for the same reason.
    assert {name: conda.pop(name, None) for name in SYSTEM_PROGRAMS} == SYSTEM_PROGRAMS
    assert conda == core


SYSTEM_PROGRAMS = {"tesseract": "5.0"}  # pytesseract drives it (scanned PDFs)


def test_system_programs_in_environment_yml_are_installed_by_ci():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "tesseract-ocr" in ci and "tesseract-ocr-eng" in ci


def test_environment_yml_installs_the_package_with_pip():
    assert '-e ".[dashboards,lab]"' in (ROOT / "environment.yml").read_text()


def test_every_data_file_the_package_needs_ships_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = config["portfolio_kit"]
    package = ROOT / "portfolio_kit"
    for path in package.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(package).as_posix()
        in_python_package = path.suffix == ".py" and (path.parent / "__init__.py").exists()
        if in_python_package:
            continue
        assert any(fnmatch(relative, pattern) for pattern in patterns), f"{relative} would be missing from the wheel"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_test_only_dependencies_are_not_imported_by_the_package():
    # pyxirr is the tests' oracle (a second implementation of our maths); if the
    # package imported it, an installed wheel without the test extra would break.
    test_only = {_name(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())[
        "project"]["optional-dependencies"]["test"]} - {"portfolio-kit"}
    assert "pyxirr" in test_only
    for path in (ROOT / "portfolio_kit").rglob("*.py"):
        leaked = _imported_modules(path) & test_only
        assert not leaked, f"{path.relative_to(ROOT)} imports test-only {sorted(leaked)}"
