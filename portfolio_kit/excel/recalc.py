"""Recalculate workbooks with LibreOffice headless, so formula results can be read.

openpyxl writes formulas without their results; a file only holds computed
values after a spreadsheet program has opened and saved it. ``recalculate``
runs ``soffice --headless --convert-to xlsx`` over one or many workbooks in a
single LibreOffice start (each start costs about 2 seconds, a new profile
about 6), then ``openpyxl.load_workbook(path, data_only=True)`` reads the
values. The tests use it to check every model against
``portfolio_kit.analytics``; users can use it to refresh a generated file
before sending it to somebody whose viewer does not calculate.

LibreOffice keeps its settings in a user profile. Each call gets a private
profile (or the ``profile_dir`` you pass, which is reused across calls for
speed), with recalculation on load forced on: by default LibreOffice trusts
the cached results of an xlsx file saved by Excel and would return stale
values. A profile must not be used by two LibreOffice processes at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from portfolio_kit.errors import PortfolioKitError

SOFFICE_CANDIDATES = (
    "soffice",
    "libreoffice",
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
)

_NAMESPACES = (
    'xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
_RECALC_SETTING = (
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="{name}" oor:op="fuse"><value>0</value></prop></item>'
)
_RECALC_ALWAYS = "\n".join(
    [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<oor:items {_NAMESPACES}>",
        _RECALC_SETTING.format(name="OOXMLRecalcMode"),
        _RECALC_SETTING.format(name="ODFRecalcMode"),
        "</oor:items>",
        "",
    ]
)
"""LibreOffice's user settings: recalculate xlsx and ods files on load (0 = always)."""


class RecalculationError(PortfolioKitError):
    """LibreOffice is missing, failed, or produced no output for a workbook."""


def find_soffice() -> str | None:
    """The path of the LibreOffice ``soffice`` executable, or None if none is installed.

    ``PORTFOLIO_KIT_SOFFICE`` overrides the search (a LibreOffice outside PATH).
    """
    override = os.environ.get("PORTFOLIO_KIT_SOFFICE")
    if override:
        return override if Path(override).is_file() else None
    for candidate in SOFFICE_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def prepare_profile(profile_dir: Path) -> Path:
    """Create (or reuse) a LibreOffice user profile that recalculates on load."""
    user = profile_dir / "user"
    user.mkdir(parents=True, exist_ok=True)
    settings = user / "registrymodifications.xcu"
    if not settings.exists():
        settings.write_text(_RECALC_ALWAYS, encoding="utf-8")
    return profile_dir


def recalculate(
    workbooks: str | Path | Sequence[str | Path],
    out_dir: str | Path | None = None,
    *,
    profile_dir: str | Path | None = None,
    soffice: str | None = None,
    timeout: float = 180.0,
) -> list[Path]:
    """Open each workbook in LibreOffice, recalculate every formula and save a copy.

    Parameters
    ----------
    workbooks
        One path or several; all are converted by one LibreOffice process.
        File names must be distinct, since the copies share ``out_dir``.
    out_dir
        Where the recalculated copies go (same file names). Default: a new
        temporary directory, which the caller owns.
    profile_dir
        LibreOffice user profile to use (created if missing). Reusing one
        across calls saves about 4 seconds per call; it must not be in use
        by another LibreOffice process at the same time.
    soffice
        The executable; default ``find_soffice()``.
    timeout
        Seconds before the LibreOffice process is killed.

    Returns
    -------
    list of Path
        The recalculated copies, in the order given.

    Raises
    ------
    RecalculationError
        When LibreOffice is not installed, fails, times out, or writes no copy
        of some workbook (the message names it).
    FileNotFoundError
        When an input workbook does not exist.
    """
    paths = [Path(workbooks)] if isinstance(workbooks, str | Path) else [Path(p) for p in workbooks]
    if not paths:
        return []
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"workbook {path} does not exist")
    names = [path.name for path in paths]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RecalculationError(
            f"workbooks: file names must be distinct, {duplicates} appear twice"
        )
    executable = soffice or find_soffice()
    if executable is None:
        raise RecalculationError(
            "LibreOffice is not installed (no soffice on PATH): install libreoffice-calc-nogui "
            "or set PORTFOLIO_KIT_SOFFICE to the soffice executable"
        )
    target = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="pkit-recalc-"))
    target.mkdir(parents=True, exist_ok=True)
    clashing = [str(path) for path in paths if path.parent.resolve() == target.resolve()]
    if clashing:
        raise RecalculationError(
            f"out_dir: {target} holds the input workbook(s) {clashing}; choose another folder "
            "so the originals are not overwritten"
        )
    for name in names:
        (target / name).unlink(missing_ok=True)

    own_profile = profile_dir is None
    profile = (
        Path(profile_dir) if profile_dir is not None else Path(tempfile.mkdtemp(prefix="pkit-lo-"))
    )
    try:
        prepare_profile(profile)
        home = profile / "home"
        home.mkdir(exist_ok=True)
        env = {**os.environ, "HOME": str(home)}
        command = [
            executable,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(target),
            *[str(path) for path in paths],
        ]
        try:
            result = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise RecalculationError(
                f"LibreOffice did not finish converting {len(paths)} workbook(s) within "
                f"{timeout:.0f} s"
            ) from None
        except OSError as exc:
            raise RecalculationError(
                f"soffice: cannot run {executable}: {exc.strerror or exc}"
            ) from None
    finally:
        if own_profile:
            shutil.rmtree(profile, ignore_errors=True)

    outputs = [target / name for name in names]
    missing = [path.name for path in outputs if not path.is_file()]
    if result.returncode != 0 or missing:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise RecalculationError(
            f"LibreOffice (exit code {result.returncode}) wrote no recalculated copy of "
            f"{', '.join(missing) or 'some workbooks'}: {' '.join(detail[-3:]) or 'no message'}"
        )
    return outputs
