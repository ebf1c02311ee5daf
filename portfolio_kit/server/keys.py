"""The secret that signs session cookies, kept in a file only the server's user can read.

``portfolio-kit serve`` creates it on first start (32 random bytes,
permissions 0600, in ``<data_dir>/server/``) and keeps it across restarts, so
partners stay signed in when the server is restarted. Kernels learn only the
file's path, through ``PORTFOLIO_KIT_SESSION_SECRET_FILE``; the secret itself
never travels in an environment variable, a command line or a log.
Deleting the file and restarting signs everybody out.
"""

from __future__ import annotations

import os
from pathlib import Path

from portfolio_kit.keyfile import KEY_BYTES, load_or_create_key, read_key

SECRET_FILE_ENV = "PORTFOLIO_KIT_SESSION_SECRET_FILE"
"""Set by ``portfolio-kit serve`` for its kernels: where the signing secret is."""

SECRET_BYTES = KEY_BYTES
_WHAT = "the session secret"


def default_secret_path(data_dir: Path) -> Path:
    return data_dir / "server" / "session_secret"


def load_or_create_secret(path: Path) -> bytes:
    """The secret stored at ``path``, created (0600, parent 0700) if absent.

    The file handling is ``keyfile``'s, shared with the template signing key.
    """
    return load_or_create_key(path, _WHAT)


def read_secret(path: Path) -> bytes:
    """Read an existing secret file, refusing one that others can read."""
    return read_key(path, _WHAT)


def kernel_secret() -> bytes | None:
    """The signing secret as a dashboard kernel finds it, or None outside ``serve``."""
    location = os.environ.get(SECRET_FILE_ENV)
    if not location:
        return None
    return read_secret(Path(location))
