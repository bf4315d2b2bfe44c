#!/usr/bin/env bash
# Compute (or resume) every reference set with GPAW, in priority order, exporting after each set.
# Resumable: re-run the same command after an interruption (finished structures are cached in
# data/dft_cache.db and skipped). Usage: scripts/generate_data.sh [WORKERS]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
W=${1:-2}
for set in isolated_atom dimers test narrow crystals diverse pool clusters; do
    "$PY" -m linace.study.dft generate --set "$set" --workers "$W"
    "$PY" -m linace.study.dft export
done
