"""How long a dashboard kernel killed mid-view stays on the server.

Starts ``portfolio-kit serve`` on the demo (one preheated kernel per
dashboard, idle kernels culled after ``--cull-idle`` seconds), then
``--rounds`` times: signs in as the demo partner, streams the fund overview,
kills (SIGKILL) the page's kernel once the second of its three cells has
arrived, and prints how long the page took to end after the kill and how
long until the kernel left the server (no process, ``/api/kernels/<id>``
404). The load average is printed beside each figure.

    python benchmarks/dead_kernel.py --rounds 3
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.dashboards import harness  # noqa: E402

PARTNER = "partner@example.com"


def kernel_processes(server: harness.RunningServer) -> dict[int, str]:
    """pid -> kernel id of the server's kernel processes (from ``kernel-<id>.json``)."""
    import psutil

    found = {}
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            command = " ".join(child.cmdline())
            if child.status() != psutil.STATUS_ZOMBIE and "ipykernel" in command:
                found[child.pid] = command.split("kernel-")[-1].split(".json")[0]
        except psutil.Error:
            continue
    return found


def kill_mid_view(server: harness.RunningServer) -> tuple[float, float]:
    """(seconds until the page ended, seconds until the kernel was gone), from the kill."""
    session = harness.requests_session(server.url, PARTNER, harness.DEMO_PASSWORDS[PARTNER])
    received = b""
    with session.get(
        server.url + "voila/render/fund_overview.ipynb", stream=True, timeout=120
    ) as answer:
        chunks = answer.iter_content(chunk_size=None)
        while b"voila_process(2, 3)" not in received:
            received += next(chunks)
        kernel_id = received.split(b'"kernelId": "')[1].split(b'"')[0].decode()
        (pid,) = [pid for pid, kid in kernel_processes(server).items() if kid == kernel_id]
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        for _ in chunks:
            pass
        ended = time.monotonic() - killed
    api = f"{server.url}api/kernels/{kernel_id}"
    while kernel_id in kernel_processes(server).values() or session.get(api).status_code != 404:
        if time.monotonic() - killed > 3600:
            raise TimeoutError(f"kernel {kernel_id} still listed after an hour")
        time.sleep(0.25)
    return ended, time.monotonic() - killed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cull-idle", type=int, default=10)
    args = parser.parse_args()
    from portfolio_kit import connect
    from portfolio_kit.demo import load_demo

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        database_path = work / "demo.db"
        database = connect(f"sqlite:///{database_path}")
        load_demo(database)
        database.dispose()
        server = harness.start_server(
            database_path,
            work,
            pool_size=1,
            extra_env={"PORTFOLIO_KIT_DASHBOARD_CULL_IDLE_SECONDS": str(args.cull_idle)},
        )
        try:
            server.wait_until_preheated()
            for number in range(args.rounds):
                # Each round on a freshly preheated pool, with no other kernel left.
                deadline = time.monotonic() + 300
                while (
                    len(kernel_processes(server)) > server.notebooks
                    or server.kernels_waiting() < server.notebooks + number
                ):
                    if time.monotonic() > deadline:
                        raise TimeoutError("the pool did not settle within 300 s")
                    time.sleep(0.5)
                ended, gone = kill_mid_view(server)
                print(
                    f"round {number + 1}: page ended {ended:.1f} s after the kill, "
                    f"kernel gone after {gone:.1f} s (load average {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
