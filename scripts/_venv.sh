# Shared by start.sh and test.sh: create or reuse .venv and install the package
# with the extras given as arguments. pyproject.toml is the only dependency list.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${PORTFOLIO_KIT_VENV:-$ROOT/.venv}"

"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "portfolio_kit needs Python 3.11 or newer")'
if [ ! -x "$VENV/bin/python" ]; then
    echo "creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
EXTRAS="$(IFS=,; echo "$*")"
"$VENV/bin/python" -m pip install --quiet -e "$ROOT[$EXTRAS]"
export PATH="$VENV/bin:$PATH"
