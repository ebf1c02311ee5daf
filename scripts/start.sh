#!/usr/bin/env bash
# The main job: set up, load the demo portfolio into the embedded SQLite
# database (only if it is empty), print a summary, and serve the partner
# dashboards. Stop with Ctrl-C.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" dashboards lab
portfolio-kit demo --if-empty
exec portfolio-kit serve "$@"
