"""The ``portfolio-kit`` command line, as a user runs it.

Most commands run in this process through ``portfolio_kit.cli.main`` (the
entry point itself, with its error handling and exit statuses) under
click's stream isolation: a subprocess costs a second or more of imports
each on this machine, and two dozen of them were the bulk of this file's
time. The installed ``portfolio-kit`` script is still run as a real
subprocess for ``--help`` and for a bad setting (exit status 1 from the
process itself), so the entry point and a clean interpreter stay covered.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio_kit.cli import main
from portfolio_kit.settings import get_settings


@dataclass(frozen=True)
class Ran:
    """What a command left: its exit status and its two streams, as a subprocess would."""

    returncode: int
    stdout: str
    stderr: str


def run(*args: str, env_extra: dict[str, str] | None = None, input: str | None = None) -> Ran:
    """``portfolio-kit ARGS`` in this process: ``main`` with stdout and stderr captured
    apart, ``SystemExit`` read as the exit status, settings read afresh."""
    with CliRunner().isolation(input=input, env=env_extra) as (stdout, stderr, _):
        get_settings.cache_clear()
        returncode = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
            returncode = code if isinstance(code, int) else (0 if code is None else 1)
        finally:
            get_settings.cache_clear()
        return Ran(returncode, stdout.getvalue().decode(), stderr.getvalue().decode())


def run_installed(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed ``portfolio-kit`` script in a subprocess (the console entry point)."""
    script = Path(sys.executable).parent / "portfolio-kit"
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from portfolio_kit.cli import main; main()"]
    )
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env_extra or {})},
        timeout=120,
    )


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/cli.db"


def test_help_is_everywhere():
    installed = run_installed("--help")
    assert installed.returncode == 0, installed.stderr
    assert "Usage: portfolio-kit" in installed.stdout
    for command in ([], ["db"], ["db", "upgrade"], ["demo"], ["user"], ["user", "add"], ["user", "grant"], ["info"], ["init"]):
        result = run(*command, "--help")
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage: portfolio-kit" in result.stdout


def test_init_creates_the_default_database_in_the_data_dir(_isolated_settings):
    result = run("init")
    assert result.returncode == 0, result.stderr
    assert (_isolated_settings / "portfolio_kit.db").exists()
    assert "database ready" in result.stdout


def test_demo_then_info_then_refusal(db_url):
    loaded = run("--database-url", db_url, "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert "3 funds, 25 companies" in loaded.stdout
    assert "partner@example.com" in loaded.stdout

    info = run("--database-url", db_url, "info")
    assert info.returncode == 0
    assert "funds" in info.stdout and "financial_metrics" in info.stdout

    again = run("--database-url", db_url, "demo")
    assert again.returncode == 1
    assert "already holds data" in again.stderr
    assert "Traceback" not in again.stderr

    kept = run("--database-url", db_url, "demo", "--if-empty")
    assert kept.returncode == 0
    assert "leaving it as it is" in kept.stdout


def test_user_add_and_grant(db_url):
    assert run("--database-url", db_url, "demo").returncode == 0
    added = run(
        "--database-url", db_url, "user", "add", "--email", "Lp.One@Example.com", "--name", "LP One",
        "--role", "partner", "--password", "correct horse battery",
    )
    assert added.returncode == 0, added.stderr
    assert "lp.one@example.com" in added.stdout
    granted = run("--database-url", db_url, "user", "grant", "--email", "lp.one@example.com", "--fund", "Alder Ridge Growth IV")
    assert granted.returncode == 0, granted.stderr
    listed = run("--database-url", db_url, "user", "list")
    assert "lp.one@example.com" in listed.stdout and "Alder Ridge Growth IV" in listed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "--email", "not-an-email", "--name", "X", "--role", "analyst", "--password", "long enough pw"], "email"),
        (["user", "add", "--email", "x@example.com", "--name", "X", "--role", "analyst", "--password", "short"], "password"),
        (["user", "grant", "--email", "nobody@example.com", "--fund", "Fund"], "no user"),
        (["user", "add", "--email", "x@example.com", "--name", "X", "--role", "wizard", "--password", "long enough pw"], "wizard"),
    ],
)
def test_user_mistakes_are_one_sentence_on_stderr(db_url, args, message):
    result = run("--database-url", db_url, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_names_the_variable():
    result = run_installed("info", env_extra={"PORTFOLIO_KIT_DATABASE_URL": "mysql://somewhere/db"})
    assert result.returncode == 1
    assert "PORTFOLIO_KIT_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_user_unlock_lifts_a_sign_in_lock(db_url):
    from portfolio_kit import connect
    from portfolio_kit.server.throttle import SignInThrottle, ThrottleLimits

    assert run("--database-url", db_url, "demo").returncode == 0
    throttle = SignInThrottle(connect(db_url).engine, ThrottleLimits(max_failures=2))
    assert [throttle.reserve("partner@example.com", "10.0.0.1").allowed for _ in range(3)] == [True, True, False]
    lifted = run("--database-url", db_url, "user", "unlock", "--email", "Partner@Example.com")
    assert lifted.returncode == 0, lifted.stderr
    assert "sign-in lock lifted (3 attempts counted)" in lifted.stdout
    assert throttle.reserve("partner@example.com", "10.0.0.2").allowed
    again = run("--database-url", db_url, "user", "unlock", "--email", "partner@example.com")
    assert again.returncode == 1
    assert "partner@example.com: no sign-in lock to lift" in again.stderr
    assert "Traceback" not in again.stderr
