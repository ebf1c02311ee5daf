"""Secret keys kept in files only the owner can read, created on first use.

The dashboard's session secret (``server/keys.py``) and the KPI template
signing key: 32 random bytes written as hex, mode 0600 in a 0700 folder of
the data dir, kept across restarts, never a built-in default, so a fresh
installation gets its own key and two installations never share one by
accident.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from portfolio_kit.errors import ConfigurationError

KEY_BYTES = 32
MIN_KEY_BYTES = 16


def load_or_create_key(path: Path, what: str) -> bytes:
    """The key stored at ``path``, created (0600, parent 0700) if absent.

    ``what`` names the key in error messages ("the template signing key").

    Raises
    ------
    ConfigurationError
        The file is readable by other users, too short, not hex, or cannot
        be created.
    """
    if path.exists():
        return read_key(path, what)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        key = secrets.token_bytes(KEY_BYTES)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(path, what)
    except OSError as exc:
        raise ConfigurationError(f"cannot create {what} {path}: {exc.strerror}") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.hex().encode("ascii"))
    return key


def read_key(path: Path, what: str) -> bytes:
    """Read an existing key file, refusing one that others can read.

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
        raise ConfigurationError(f"cannot read {what} {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            f"{what} {path} is readable by other users (mode {stat.S_IMODE(mode):o}): "
            f"run chmod 600 {path}"
        )
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ConfigurationError(
            f"{what} {path} is not hex text: delete it to make a new one"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise ConfigurationError(f"{what} {path} is too short: delete it to make a new one")
    return key
