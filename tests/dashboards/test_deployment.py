"""The scaled-out deployment (deploy/): several workers behind nginx, on PostgreSQL.

This machine reaches no container registry, so the containers themselves are
not started here. What is tested for real: the compose file's shape (every
worker on the same database and the same secret volume, the proxy listing
every worker), and the same topology run without containers: two
``portfolio-kit serve`` workers sharing one PostgreSQL database and one data
directory, behind nginx running deploy/nginx.conf with local addresses.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from tests.dashboards import harness
from tests.support.components import require

DEPLOY = harness.ROOT / "deploy"
PARTNER = "partner@example.com"
PARTNER_FUND = "Alder Ridge Capital III"
OTHER_FUND = "Alder Ridge Growth IV"


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def _nginx_upstreams(conf: str) -> list[str]:
    block = re.search(r"upstream dashboards \{(.*?)\}", conf, re.S)
    assert block, "nginx.conf has no 'upstream dashboards' block"
    return re.findall(r"^\s*server\s+([^\s;]+)", block.group(1), re.M)


def test_every_worker_shares_the_database_and_the_signing_secret() -> None:
    services = _compose()["services"]
    workers = sorted(name for name in services if name.startswith("worker"))
    assert len(workers) >= 2
    urls = {services[w]["environment"]["PORTFOLIO_KIT_DATABASE_URL"] for w in workers}
    assert len(urls) == 1 and next(iter(urls)).startswith("postgresql+psycopg://")
    for worker in workers:
        # The secret lives in <data_dir>/server/session_secret: one volume for all.
        assert services[worker]["environment"]["PORTFOLIO_KIT_DATA_DIR"] == "/data"
        assert "data:/data" in services[worker]["volumes"]
        assert services[worker]["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert services["init"]["command"] == ["portfolio-kit", "init"]
    proxy = services["proxy"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert sorted(u.split(":")[0] for u in _nginx_upstreams(conf)) == workers
    assert (DEPLOY / services[workers[0]]["build"]["dockerfile"].split("/")[-1]).exists()


def _podman_compose() -> str:
    import sys

    found = shutil.which("podman-compose") or str(Path(sys.executable).parent / "podman-compose")
    if not Path(found).exists():
        require("podman-compose", "pip install podman-compose (in the test extra)")
    if not shutil.which("podman"):
        require("podman", "podman not found: apt-get install podman")
    return found


def test_podman_compose_reads_the_file_and_insists_on_a_database_password() -> None:
    """podman-compose's own parser (anchors, merges, interpolation) reads the file as
    the runtime will; without POSTGRES_PASSWORD it refuses instead of starting a
    database with no password."""
    command = [_podman_compose(), "-f", str(DEPLOY / "compose.yaml"), "config"]
    base = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": "/tmp"}
    answer = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env={**base, "POSTGRES_PASSWORD": "pw"}
    )
    assert answer.returncode == 0, answer.stderr
    resolved = yaml.safe_load(answer.stdout)["services"]
    for worker in ("worker1", "worker2"):
        assert resolved[worker]["environment"]["PORTFOLIO_KIT_DATABASE_URL"] == (
            "postgresql+psycopg://portfolio:pw@postgres:5432/portfolio_kit"
        )
    refused = subprocess.run(command, capture_output=True, text=True, timeout=120, env=base)
    assert refused.returncode != 0
    assert "POSTGRES_PASSWORD" in refused.stdout + refused.stderr


def _local_nginx_conf(conf: str, workers: list[str], port: int, prefix: Path) -> str:
    """deploy/nginx.conf with local upstreams and listen port, runnable by a non-daemon nginx."""
    upstream = "".join(f"        server {w} max_fails=1 fail_timeout=10s;\n" for w in workers)
    conf = re.sub(r"(upstream dashboards \{\n(?:.*\n)*?)((?:\s*server .*\n)+)", rf"\g<1>{upstream}", conf)
    conf = re.sub(r"listen 8080;", f"listen 127.0.0.1:{port};", conf)
    temp = prefix / "temp"
    temp.mkdir(mode=0o777, parents=True, exist_ok=True)
    temp.chmod(0o777)
    paths = "".join(
        f"    {name}_temp_path {temp / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = conf.replace("http {\n", f"http {{\n    access_log off;\n{paths}", 1)
    return f"pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'};\n" + conf


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        require("nginx", "nginx not found: apt-get install nginx")
    return found


@pytest.fixture(scope="module")
def two_workers(
    postgres_server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[harness.RunningServer]]:
    """Two workers on one demo database, shared by this module's two live tests
    (starting them costs some 10 s): the anonymous test runs first, then the
    partner test, which stops one of them, as the last user."""
    from portfolio_kit import connect
    from portfolio_kit.demo import load_demo

    tmp_path = tmp_path_factory.mktemp("two_workers")
    reason = harness.missing_browser()
    if reason and "playwright" in reason:
        require("playwright", reason)
    url = postgres_server.create_migrated_database()
    database = connect(url, migrate=False)
    load_demo(database)
    database.dispose()
    shared = tmp_path / "shared-data"
    env = {"PORTFOLIO_KIT_DATABASE_URL": url, "PORTFOLIO_KIT_DATA_DIR": str(shared)}
    workers: list[harness.RunningServer] = []
    try:
        for number in (1, 2):
            workers.append(
                harness.start_server(
                    tmp_path / "unused.db", tmp_path / f"worker{number}", preheat=False, extra_env=env
                )
            )
        yield workers
    finally:
        for worker in workers:
            worker.stop()


@pytest.fixture(scope="module")
def proxy(nginx_binary: str, two_workers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    prefix = tmp_path_factory.mktemp("nginx")
    port = harness.free_port()
    upstreams = [w.url.removeprefix("http://").rstrip("/") for w in two_workers]
    conf = _local_nginx_conf((DEPLOY / "nginx.conf").read_text(encoding="utf-8"), upstreams, port, prefix)
    (prefix / "nginx.conf").write_text(conf, encoding="utf-8")
    process = subprocess.Popen(
        [nginx_binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(base + "health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"nginx did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _overview(session: requests.Session, base: str) -> requests.Response:
    return session.get(
        base + "voila/render/fund_overview.ipynb", allow_redirects=False, timeout=300
    )


@pytest.mark.e2e
def test_the_proxy_refuses_anonymous_viewers_on_every_worker(proxy: str) -> None:
    answer = requests.get(proxy + "voila/render/fund_overview.ipynb", allow_redirects=False, timeout=60)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


@pytest.mark.e2e
@pytest.mark.slow
def test_a_partner_signed_in_through_the_proxy_is_served_by_either_worker(
    proxy: str, two_workers: list[harness.RunningServer]
) -> None:
    session = harness.requests_session(proxy, PARTNER, harness.DEMO_PASSWORDS[PARTNER])
    first = _overview(session, proxy)
    assert first.status_code == 200
    chosen = first.headers["X-Dashboard-Worker"]
    addresses = [w.url.removeprefix("http://").rstrip("/") for w in two_workers]
    assert chosen in addresses
    assert PARTNER_FUND in first.text and OTHER_FUND not in first.text

    # The other worker never saw the sign-in, yet knows the partner and their grants.
    other = two_workers[1 - addresses.index(chosen)]
    direct = _overview(session, other.url)
    assert direct.status_code == 200
    assert PARTNER_FUND in direct.text and OTHER_FUND not in direct.text

    # The worker that served the partner goes away: the proxy moves them to the
    # other one and they are still signed in, with the same grants.
    two_workers[addresses.index(chosen)].stop()
    after = _overview(session, proxy)
    assert after.status_code == 200, after.headers.get("Location")
    assert after.headers["X-Dashboard-Worker"].split(", ")[-1] == other.url.removeprefix("http://").rstrip("/")
    assert PARTNER_FUND in after.text and OTHER_FUND not in after.text
