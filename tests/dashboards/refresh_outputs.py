"""Re-execute the dashboard notebooks and store their outputs (for nbval).

Run after a deliberate change to what a dashboard shows::

    python -m tests.dashboards.refresh_outputs

Each notebook in ``dashboards/`` runs in a fresh kernel against a new demo
database, with the same environment ``dashboards/conftest.py`` gives nbval
(the demo partner's view), and is written back with its outputs. Widget state
is not stored: it would hold every chart's SVG, and nbval compares only the
plain-text summary a dashboard prints beside its widget.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "dashboards"


def _conftest():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("dashboards_conftest", DASHBOARDS / "conftest.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def refresh(notebooks: list[Path]) -> None:
    conftest = _conftest()
    with tempfile.TemporaryDirectory(prefix="pk_refresh_") as folder:
        env = {
            key: value for key, value in os.environ.items() if key not in conftest._SERVED_MARKERS
        }
        env.update(conftest.demo_environment(Path(folder)))
        previous = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            for path in notebooks:
                notebook = nbformat.read(path, as_version=4)
                client = NotebookClient(
                    notebook,
                    timeout=600,
                    kernel_name="python3",
                    resources={"metadata": {"path": str(DASHBOARDS)}},
                    store_widget_state=False,
                )
                client.execute()
                for cell in notebook.cells:
                    cell.metadata.pop("execution", None)
                nbformat.write(notebook, path)
                print(f"refreshed {path.relative_to(ROOT)}")
        finally:
            os.environ.clear()
            os.environ.update(previous)


if __name__ == "__main__":
    chosen = [Path(arg).resolve() for arg in sys.argv[1:]] or sorted(DASHBOARDS.glob("*.ipynb"))
    refresh(chosen)
