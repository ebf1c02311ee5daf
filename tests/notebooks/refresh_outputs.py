"""Re-execute the analyst notebooks and store their outputs (for nbval).

Run after a deliberate change to what a notebook shows::

    python -m tests.notebooks.refresh_outputs                 # every notebook
    python -m tests.notebooks.refresh_outputs notebooks/04_fund_performance.ipynb

Each notebook runs top to bottom in a fresh ``python3`` kernel against its
own fresh database, with exactly the environment ``notebooks/conftest.py``
gives nbval, and is written back with its outputs. Widget state is not
stored (it would carry every crop image and download link); nbval compares
the plain-text line each form prints beside its widget. A cell that raises
stops the refresh with the notebook left unchanged.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


def _conftest() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebooks_conftest", NOTEBOOKS / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def execute(path: Path, folder: Path, templates: dict[str, Path], conftest: ModuleType) -> None:
    """Run one notebook in a clean kernel and write it back with its outputs."""
    kind = conftest.template_kind(path)
    if kind not in templates:
        templates[kind] = conftest.build_template(
            folder / f"template_{kind}.db", with_demo=kind == "demo"
        )
    variables = conftest.notebook_environment(path, folder / path.stem, templates[kind])
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    with conftest.applied(variables):
        NotebookClient(
            notebook,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOKS)}},
            store_widget_state=False,
        ).execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)


def refresh(paths: list[Path]) -> None:
    conftest = _conftest()
    folder = Path(tempfile.mkdtemp(prefix="pk_refresh_notebooks_"))
    templates: dict[str, Path] = {}
    try:
        for path in paths:
            execute(path, folder, templates, conftest)
            print(f"refreshed {path.relative_to(ROOT)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    chosen = [Path(arg).resolve() for arg in sys.argv[1:]] or sorted(NOTEBOOKS.glob("*.ipynb"))
    refresh(chosen)
