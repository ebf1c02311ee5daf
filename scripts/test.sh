#!/usr/bin/env bash
# The whole test suite: set up, then pytest (arguments pass through).
# Tests that need PostgreSQL, Chromium or LibreOffice skip with a reason when
# those are missing, except under CI=true, where they fail instead.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" test lab
cd "$ROOT"
exec python -m pytest "$@"
