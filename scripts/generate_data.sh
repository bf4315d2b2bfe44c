#!/usr/bin/env bash
# Compute (or resume) every reference set with GPAW, in priority order, exporting after each set.
# Resumable: re-run the same command after an interruption (finished structures are cached in
# data/<element>/dft_cache.db and skipped; state-search runs are logged in
# data/<element>/state_search/). Usage: scripts/generate_data.sh [WORKERS] [ELEMENT ...]
# (default elements: C Si; carbon first; the molecules first, as the tailored-data claims need only them).
# Then the second, spin-restricted reference of the atom and the dimers (scripts/generate_restricted.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
W=${1:-2}
shift || true
ELEMENTS=${*:-C Si}
for element in $ELEMENTS; do
    if [ "$element" != C ]; then  # carbon's check is committed (data/C/convergence.json)
        "$PY" -m linace.study.dft converge --element "$element" --workers "$W"
    fi
    for set in isolated_atom dimers clusters test narrow crystals diverse pool; do
        "$PY" -m linace.study.dft generate --element "$element" --set "$set" --workers "$W"
        "$PY" -m linace.study.dft export --element "$element"
    done
done
scripts/generate_restricted.sh 1 $ELEMENTS
