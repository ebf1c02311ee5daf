"""Uploaded .xlsx files are checked as zip archives before openpyxl opens them.

Issue 13, item 6 (the xlsx part). The bomb is real: a 6 GiB member of zeros
in a 6 MB file (``tests/support/zipbomb.py``), which openpyxl used to try to
inflate (a MemoryError traceback). The import runs in a child process so
its peak memory can be read on its own; it must stay under 1 GiB (the bound
issue 13 sets for bad input) and answer with a named error that names the
file and the member, with the database unchanged.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest

from portfolio_kit import Database
from portfolio_kit.excel import (
    ArchiveTooLargeError,
    DamagedArchiveError,
    ModelImportError,
    TemplateImportError,
    check_kpi_template,
    check_xlsx,
    import_kpi_template,
    read_model,
)
from portfolio_kit.settings import ENV_PREFIX, get_settings
from tests.excel.test_templates import FIGURES, _export, _fill
from tests.support.portfolio import SmallPortfolio, seed_small_portfolio
from tests.support.snapshot import table_snapshot
from tests.support.zipbomb import write_zero_bomb

ROOT = Path(__file__).resolve().parents[2]
BOMB_MEMBER = "xl/styles.xml"
"""openpyxl reads the styles part whole (``archive.read``), so before the fix
this member was inflated into one 6 GiB bytes object."""
BOMB_SIZE = 6 << 30
MAX_CHILD_RSS_MIB = 1024


def _plain_workbook() -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "figures"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "returned_kpis.xlsx"
    write_zero_bomb(path, _plain_workbook(), BOMB_MEMBER, BOMB_SIZE)
    return path


@pytest.fixture
def portfolio(sqlite_db: Database) -> SmallPortfolio:
    return seed_small_portfolio(sqlite_db)


def test_the_bomb_builder_makes_a_real_archive(tmp_path):
    """A small bomb from the same builder inflates, CRC checked, to exactly its zeros."""
    path = write_zero_bomb(tmp_path / "small.xlsx", _plain_workbook(), BOMB_MEMBER, 8 << 20)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        inflated = archive.read(BOMB_MEMBER)
    assert len(inflated) == 8 << 20 and inflated.count(0) == len(inflated)
    assert path.stat().st_size < 64 * 1024


def test_the_big_bomb_is_small_on_disk_and_huge_inside(bomb):
    with zipfile.ZipFile(bomb) as archive:
        member = archive.getinfo(BOMB_MEMBER)
    assert member.file_size == BOMB_SIZE
    assert bomb.stat().st_size < 16 * 1024 * 1024


_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from portfolio_kit import connect
    from portfolio_kit.audit import Actor
    from portfolio_kit.models import Role
    from portfolio_kit.excel import import_kpi_template, read_model

    url, path, user_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
    outcome = {}
    database = connect(url)
    analyst = Actor(email="ann.analyst@example.com", role=Role.ANALYST, user_id=user_id)


    def template():
        with database.session(analyst) as session:
            import_kpi_template(session, path)

    for name, run in (("template", template), ("model", lambda: read_model(path))):
        try:
            run()
            outcome[name] = {"error": None}
        except Exception as exc:
            outcome[name] = {
                "error": type(exc).__name__,
                "message": str(exc),
                "member": getattr(exc, "member", None),
            }
    outcome["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(outcome))
    """
)


def test_a_decompression_bomb_is_refused_in_bounded_memory(sqlite_db, portfolio, bomb):
    before = table_snapshot(sqlite_db)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _CHILD,
            sqlite_db.engine.url.render_as_string(hide_password=False),
            str(bomb),
            str(portfolio.analyst_id),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("template", "model"):
        refusal = outcome[name]
        assert refusal["error"] == "ArchiveTooLargeError", refusal
        assert refusal["member"] == BOMB_MEMBER
        assert "returned_kpis.xlsx" in refusal["message"]
        assert BOMB_MEMBER in refusal["message"] and "inflates" in refusal["message"]
    print(f"child peak RSS: {outcome['max_rss_mib']:.0f} MiB")
    assert outcome["max_rss_mib"] < MAX_CHILD_RSS_MIB, outcome
    assert table_snapshot(sqlite_db) == before


def test_the_check_lists_the_bomb_as_a_problem(sqlite_db, portfolio, bomb):
    with sqlite_db.session(portfolio.analyst) as session:
        contents = check_kpi_template(session, bomb)
    assert [p.message for p in contents.errors] == [contents.archive_refused.reason]
    assert "inflates" in contents.errors[0].message


def test_the_total_size_limit_comes_from_the_settings(sqlite_db, portfolio, monkeypatch):
    """A plain (not bomb-like) file over PORTFOLIO_KIT_XLSX_MAX_UNCOMPRESSED_MB is refused."""
    template = _export(sqlite_db, portfolio)
    filled = _fill(template, FIGURES)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(filled)).infolist())
    assert unpacked > 30_000
    with pytest.raises(ArchiveTooLargeError, match=r"more than 0.03 MB \(reached at member "):
        check_xlsx(filled, "returned.xlsx", max_uncompressed_bytes=30_000)
    monkeypatch.setenv(f"{ENV_PREFIX}XLSX_MAX_UNCOMPRESSED_MB", "1")
    get_settings.cache_clear()
    with sqlite_db.session(portfolio.analyst) as session:
        assert import_kpi_template(session, filled).inserted == len(FIGURES)


def test_the_ratio_limit_comes_from_the_settings(bomb, monkeypatch):
    monkeypatch.setenv(f"{ENV_PREFIX}XLSX_MAX_COMPRESSION_RATIO", "5000")
    monkeypatch.setenv(f"{ENV_PREFIX}XLSX_MAX_UNCOMPRESSED_MB", "100000")
    get_settings.cache_clear()
    small = bomb.parent / "small_bomb.xlsx"
    write_zero_bomb(small, _plain_workbook(), BOMB_MEMBER, 4 << 20)
    check_xlsx(small.read_bytes(), small.name)
    monkeypatch.setenv(f"{ENV_PREFIX}XLSX_MAX_COMPRESSION_RATIO", "200")
    get_settings.cache_clear()
    with pytest.raises(ArchiveTooLargeError) as caught:
        check_xlsx(small.read_bytes(), small.name)
    assert caught.value.member == BOMB_MEMBER


def _member_data_offset(data: bytes, member: str) -> tuple[int, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    return info.header_offset + 30 + name_length + extra_length, info.compress_size


def test_a_corrupt_member_is_named_and_nothing_is_stored(sqlite_db, portfolio):
    filled = bytearray(_fill(_export(sqlite_db, portfolio), FIGURES))
    with zipfile.ZipFile(io.BytesIO(bytes(filled))) as archive:
        data_sheet = max(
            (i for i in archive.infolist() if i.filename.startswith("xl/worksheets/")),
            key=lambda i: i.file_size,
        ).filename
    start, length = _member_data_offset(bytes(filled), data_sheet)
    middle = start + length // 2
    filled[middle : middle + 16] = bytes(16)
    before = table_snapshot(sqlite_db)
    with (
        sqlite_db.session(portfolio.analyst) as session,
        pytest.raises(TemplateImportError) as caught,
    ):
        import_kpi_template(session, bytes(filled), file_name="corrupt.xlsx")
    assert table_snapshot(sqlite_db) == before
    message = str(caught.value)
    assert "corrupt.xlsx" in message and f"member {data_sheet} cannot be read" in message
    with pytest.raises(DamagedArchiveError, match=data_sheet):
        check_xlsx(bytes(filled), "corrupt.xlsx")


def test_a_truncated_file_is_refused_and_nothing_is_stored(sqlite_db, portfolio):
    filled = _fill(_export(sqlite_db, portfolio), FIGURES)
    truncated = filled[: len(filled) // 2]
    before = table_snapshot(sqlite_db)
    with (
        sqlite_db.session(portfolio.analyst) as session,
        pytest.raises(TemplateImportError, match=r"not an Excel workbook \(\.xlsx\).*truncated"),
    ):
        import_kpi_template(session, truncated, file_name="half.xlsx")
    assert table_snapshot(sqlite_db) == before
    with pytest.raises(ModelImportError, match="half.xlsx: .*truncated"):
        read_model(truncated, file_name="half.xlsx")


def test_a_file_that_is_not_a_zip_is_named(sqlite_db, portfolio):
    with pytest.raises(DamagedArchiveError, match="notes.xlsx: is not an .xlsx file"):
        check_xlsx(b"Revenue,12\n", "notes.xlsx")
