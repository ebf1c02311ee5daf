"""The shared cache files (``portfolio_kit/file_cache.py``): whole or absent,
owner-only, newest kept, and a refusing disk is no error."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from portfolio_kit import file_cache


def test_a_written_file_is_whole_and_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "deeper" / "page.html"
    assert file_cache.write_private(target, "<p>Fund III</p>")
    assert target.read_text(encoding="utf-8") == "<p>Fund III</p>"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [item.name for item in target.parent.iterdir()] == ["page.html"]


def test_a_refusing_disk_is_false_and_leaves_no_partial(tmp_path: Path) -> None:
    # A name taken by a non-empty folder: renaming a file over it fails for
    # root too (CI runs as root, whom a read-only folder does not stop).
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "page.html").mkdir()
    (folder / "page.html" / "inside").write_text("x")
    assert not file_cache.write_private(folder / "page.html", "text")
    assert sorted(item.name for item in folder.iterdir()) == ["page.html"]


def test_only_the_newest_files_of_the_pattern_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    now = time.time()
    for age, name in enumerate(["e.svg", "d.svg", "c.svg", "b.svg", "a.svg"]):
        path = folder / name
        path.write_text(name)
        os.utime(path, (now - age * 60, now - age * 60))
    (folder / "other.html").write_text("not a chart")
    file_cache.keep_newest(folder, "*.svg", 2)
    assert sorted(item.name for item in folder.iterdir()) == ["d.svg", "e.svg", "other.html"]
