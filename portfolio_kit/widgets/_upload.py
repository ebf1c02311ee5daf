"""Reading what a ``FileUpload`` widget received.

ipywidgets 8 holds uploads as a tuple of dicts (``name``, ``type``,
``size``, ``content`` as a memoryview, ``last_modified``); screens want the
bytes and the file name of the one file they accept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def uploaded_file(value: Sequence[Mapping[str, Any]] | None) -> tuple[bytes, str] | None:
    """``(content, file name)`` of the last uploaded file, or None when empty."""
    if not value:
        return None
    entry = value[-1]
    content = entry.get("content")
    if content is None:
        return None
    return bytes(content), str(entry.get("name") or "upload")
