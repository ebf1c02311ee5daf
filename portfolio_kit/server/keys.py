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
import secrets
import stat
from pathlib import Path

from portfolio_kit.errors import ConfigurationError

SECRET_FILE_ENV = "PORTFOLIO_KIT_SESSION_SECRET_FILE"
"""Set by ``portfolio-kit serve`` for its kernels: where the signing secret is."""

SECRET_BYTES = 32
_MIN_SECRET_BYTES = 16


def default_secret_path(data_dir: Path) -> Path:
    return data_dir / "server" / "session_secret"


def load_or_create_secret(path: Path) -> bytes:
    """The secret stored at ``path``, created (0600, parent 0700) if absent.

    Raises
    ------
    ConfigurationError
        The file is readable by other users, too short, or cannot be created.
    """
    if path.exists():
        return read_secret(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        secret = secrets.token_bytes(SECRET_BYTES)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_secret(path)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot create the session secret {path}: {exc.strerror}"
        ) from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secret.hex().encode("ascii"))
    return secret


def read_secret(path: Path) -> bytes:
    """Read an existing secret file, refusing one that others can read.

    Raises
    ------
    ConfigurationError
        Missing or unreadable file, permissions wider than 0600, or content
        that is not at least 16 bytes of hex.
    """
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the session secret {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            f"the session secret {path} is readable by other users (mode {stat.S_IMODE(mode):o}): "
            f"run chmod 600 {path}"
        )
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise ConfigurationError(
            f"the session secret {path} is not hex text: delete it to make a new one"
        ) from None
    if len(secret) < _MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"the session secret {path} is too short: delete it to make a new one"
        )
    return secret


def kernel_secret() -> bytes | None:
    """The signing secret as a dashboard kernel finds it, or None outside ``serve``."""
    location = os.environ.get(SECRET_FILE_ENV)
    if not location:
        return None
    return read_secret(Path(location))
