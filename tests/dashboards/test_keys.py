"""The cookie-signing secret file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from portfolio_kit.errors import ConfigurationError
from portfolio_kit.server.keys import (
    SECRET_FILE_ENV,
    kernel_secret,
    load_or_create_secret,
    read_secret,
)


def test_created_once_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "server" / "session_secret"
    first = load_or_create_secret(path)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_or_create_secret(path) == first


def test_a_secret_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "session_secret"
    load_or_create_secret(path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        read_secret(path)


def test_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "session_secret"
    path.write_text("not hex")
    os.chmod(path, 0o600)
    with pytest.raises(ConfigurationError, match="not hex"):
        read_secret(path)


def test_kernels_find_the_secret_through_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_FILE_ENV, raising=False)
    assert kernel_secret() is None
    path = tmp_path / "session_secret"
    secret = load_or_create_secret(path)
    monkeypatch.setenv(SECRET_FILE_ENV, str(path))
    assert kernel_secret() == secret
