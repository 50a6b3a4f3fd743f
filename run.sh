#!/usr/bin/env bash
# One entry point for a fresh machine with Python >= 3.11:
#   ./run.sh            set up .venv (pinned) if needed, then run the whole pipeline
#   ./run.sh test       set up .venv if needed, then run the test suite
#   ./run.sh [snakemake options...]   e.g. ./run.sh --keep-going, ./run.sh -n, ./run.sh --verbose
# Environment: PYTHON (the Python >= 3.11 that makes the venv), VENV (where it lives, default .venv)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
STAMP="$VENV/.requirements.sha256"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "error: $PYTHON is missing or older than Python 3.11; set PYTHON=/path/to/python3.11" >&2
    exit 1
fi

want="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$VENV/bin/python" || ! -f "$STAMP" || "$(cat "$STAMP")" != "$want" ]]; then
    echo "Setting up $VENV (pinned requirements) ..." >&2
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r requirements.txt
    "$VENV/bin/python" -m pip install --quiet --no-deps -e .
    echo "$want" > "$STAMP"
fi
# VENV may be absolute (VENV=/opt/peermentor-venv ./run.sh) or relative to this folder
[[ "$VENV" == /* ]] || VENV="$PWD/$VENV"
export PATH="$VENV/bin:$PATH"

if [[ "${1:-}" == "test" ]]; then
    shift
    exec python -m pytest "$@"
fi
# Quiet progress (one line per cohort), full log in results/logs/snakemake/; see
# src/peermentor/run/progress.py. ./run.sh --verbose shows Snakemake's own output.
exec python -m peermentor.run.progress "$@"
