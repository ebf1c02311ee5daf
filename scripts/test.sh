#!/usr/bin/env bash
# The whole test suite: set up, then pytest (arguments pass through).
# Tests that need PostgreSQL, Chromium or LibreOffice skip with a reason when
# those are missing, except under CI=true, where they fail instead.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" test lab
cd "$ROOT"
# Two workers, each test file whole in one worker (--dist loadfile): the live
# tests spend most of their time waiting on servers and kernels, so two files
# at a time take about two thirds of the wall time of one (526 s against
# 812 s on the 2-core machine, 2026-12-07), and a file's module-scoped server
# and its test order stay as written. Pass -n 0 to run in one process.
exec python -m pytest -n 2 --dist loadfile "$@"
