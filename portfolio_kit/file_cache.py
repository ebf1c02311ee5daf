"""Files that several processes of one installation share as a cache.

Drawn charts (``charts/_render.py``) and shared dashboard pages
(``server/page_cache.py``) are written by one kernel while other kernels and
the server may be reading them, and both hold a fund's figures. So a file
appears whole or not at all (written beside its final name, then renamed
over it), is readable by its owner only, and a folder keeps only its newest
files. A cache that cannot be written costs the next reader a redraw, never
an error: every failure here is swallowed and the partial file removed.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically with mode 0600; False when the
    disk refused (full, read-only, gone)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        return False
    return True


def keep_newest(directory: Path, pattern: str, limit: int) -> None:
    """Delete all but the ``limit`` most recently written files matching
    ``pattern``; files another process removes meanwhile are skipped."""
    dated = []
    for item in directory.glob(pattern):
        try:
            dated.append((item.stat().st_mtime, item))
        except OSError:
            continue
    dated.sort()
    for _, stale in dated[: max(0, len(dated) - limit)]:
        try:
            stale.unlink(missing_ok=True)
        except OSError:
            continue
