"""A throwaway PostgreSQL cluster for tests and benchmarks.

The test session and ``benchmarks/load_metrics.py`` both need a real server
without touching any installed one, so this module runs ``initdb`` into a
temporary directory, starts ``postgres`` on a free localhost port with trust
authentication and durability switched off (``fsync``, ``synchronous_commit``
and ``full_page_writes``: nothing here must survive a crash), and removes
everything on ``stop()``.

PostgreSQL refuses to run as root. When the process is root, the server runs
as an unprivileged system user (``postgres`` if the Debian package created
it, else ``pkit_pg``, created on demand, else ``nobody``) through
``runuser``, and that user is given the data and socket directories.
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

ROLE = "pkit"
"""The database superuser that ``initdb`` creates and every URL connects as."""

TEMPLATE_DATABASE = "pkit_template"

_START_ATTEMPTS = 3


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the cluster could not start; the
    message says what was looked for."""


def find_bindir() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or None.

    ``pg_config --bindir`` first; Debian installs the server under
    ``/usr/lib/postgresql/<major>/bin`` without putting it on PATH, so the
    newest such directory is the fallback, then PATH itself.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out:
            candidates.append(Path(out))
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(Path(p) for p in debian)
    initdb_on_path = shutil.which("initdb")
    if initdb_on_path:
        candidates.append(Path(initdb_on_path).parent)
    for directory in candidates:
        if all((directory / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> str | None:
    """The OS account the server runs as: None means "this process's own user"."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "pkit_pg"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    created = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "pkit_pg"],
        capture_output=True,
        text=True,
        check=False,
    )
    return "pkit_pg" if created.returncode == 0 else "nobody"


class PostgresCluster:
    """A running throwaway cluster.

    Use :meth:`start` to create one; ``url`` is the base URL
    (``postgresql+psycopg://pkit@localhost:PORT/postgres``). Databases are
    created and dropped through the ``postgres`` maintenance database.
    """

    def __init__(self, bindir: Path, root: Path, port: int, os_user: str | None) -> None:
        self.bindir = bindir
        self.root = root
        self.data_dir = root / "data"
        self.socket_dir = root / "socket"
        self.log_file = root / "server.log"
        self.port = port
        self.os_user = os_user
        self._names = itertools.count(1)
        self._running = False
        self._template_ready = False

    @classmethod
    def start(cls, bindir: Path | None = None) -> PostgresCluster:
        """initdb into a fresh temporary directory and start the server.

        Raises
        ------
        PostgresUnavailable
            No server binaries were found, or initdb/pg_ctl failed (the
            message carries their output and the server log).
        """
        bindir = bindir or find_bindir()
        if bindir is None:
            raise PostgresUnavailable(
                "no initdb/pg_ctl/postgres found via `pg_config --bindir`, "
                "/usr/lib/postgresql/*/bin or PATH (install the Debian package `postgresql`)"
            )
        os_user = _server_user()
        root = Path(tempfile.mkdtemp(prefix="pkit-pg-"))
        # The server's user must be able to traverse into the directory mkdtemp made private.
        root.chmod(0o755)
        cluster = cls(bindir, root, _free_port(), os_user)
        try:
            cluster._initdb()
            cluster._start_server()
        except BaseException:
            cluster._remove_files()
            raise
        atexit.register(cluster.stop)
        return cluster

    @property
    def url(self) -> str:
        """Base URL, connected to the ``postgres`` maintenance database."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql+psycopg://{ROLE}@localhost:{self.port}/{name}"

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        command = args if self.os_user is None else ["runuser", "-u", self.os_user, "--", *args]
        result = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, check=False, timeout=120
        )
        if result.returncode != 0:
            log = self.log_file.read_text(errors="replace")[-4000:] if self.log_file.exists() else ""
            raise PostgresUnavailable(
                f"{' '.join(args[:2])} failed with exit code {result.returncode}:\n"
                f"{result.stdout}{result.stderr}{log}"
            )
        return result

    def _initdb(self) -> None:
        for directory in (self.data_dir, self.socket_dir):
            directory.mkdir(mode=0o700)
        self.log_file.touch()
        if self.os_user is not None:
            entry = pwd.getpwnam(self.os_user)
            for path in (self.data_dir, self.socket_dir, self.log_file):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D", str(self.data_dir),
                "-U", ROLE,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ]
        )

    def _start_server(self) -> None:
        last_error: PostgresUnavailable | None = None
        for _attempt in range(_START_ATTEMPTS):
            options = (
                f"-p {self.port} -k {self.socket_dir} -c listen_addresses=localhost "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self._run(
                    [
                        str(self.bindir / "pg_ctl"),
                        "-D", str(self.data_dir),
                        "-l", str(self.log_file),
                        "-o", options,
                        "-w", "-t", "60",
                        "start",
                    ]
                )
            except PostgresUnavailable as exc:
                # The port probe and the server's bind race with other processes: try another port.
                last_error = exc
                self.port = _free_port()
                continue
            self._running = True
            return
        assert last_error is not None
        raise last_error

    def server_pid(self) -> int:
        """The postmaster's process id (first line of ``postmaster.pid``); every
        backend serving a connection is its child."""
        return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])

    def execute(self, sql: str) -> None:
        """Run one statement in autocommit mode on the maintenance database
        (CREATE/DROP DATABASE cannot run inside a transaction)."""
        import psycopg

        with psycopg.connect(
            f"host=localhost port={self.port} user={ROLE} dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(sql)

    def create_database(self, name: str | None = None, *, template: str | None = None) -> str:
        """Create an empty database (or a copy of ``template``) and return its URL."""
        name = name or f"test_{os.getpid()}_{next(self._names)}"
        clause = f" TEMPLATE {template}" if template else ""
        self.execute(f'CREATE DATABASE "{name}"{clause}')
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting anything a test left open."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def migrated_template(self) -> str:
        """The name of a database holding the package's migrated schema, made once.

        ``CREATE DATABASE ... TEMPLATE`` copies it in milliseconds, where
        running the migrations takes about a second per database.
        """
        if not self._template_ready:
            from portfolio_kit import connect

            self.drop_database(TEMPLATE_DATABASE)
            url = self.create_database(TEMPLATE_DATABASE)
            database = connect(url)
            database.dispose()
            self._template_ready = True
        return TEMPLATE_DATABASE

    def create_migrated_database(self, name: str | None = None) -> str:
        """A fresh database at the newest migration; returns its URL."""
        return self.create_database(name, template=self.migrated_template())

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its files; safe to call twice."""
        if self._running:
            pg_ctl = str(self.bindir / "pg_ctl")
            try:
                self._run([pg_ctl, "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])
            except PostgresUnavailable:
                # A client stuck in a long statement can outlast a fast shutdown.
                self._run([pg_ctl, "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"])
            self._running = False
        self._remove_files()

    def _remove_files(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
