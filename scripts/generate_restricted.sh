#!/usr/bin/env bash
# Compute (or resume) the spin-restricted reference of the molecules: the isolated atom and the dimer curve at the
# committed separations, spin-restricted (non-spin-polarised), Fermi-Dirac smearing of the settings' width, E
# extrapolated to zero width (linace.study.dft.restricted). One GPAW process (WORKERS, default 1), one BLAS thread.
# Resumable: finished geometries are cached in data/<element>/restricted/dft_cache.db and skipped; each set is
# exported to data/<element>/restricted/<set>.extxyz and the manifest's 'references' entry when it is complete.
# Usage: scripts/generate_restricted.sh [WORKERS] [ELEMENT ...]   (default elements: C Si)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
W=${1:-1}
shift || true
ELEMENTS=${*:-C Si}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
for element in $ELEMENTS; do
    for set in isolated_atom dimers; do
        "$PY" -m linace.study.dft generate-restricted --element "$element" --set "$set" --workers "$W"
        "$PY" -m linace.study.dft export-restricted --element "$element"
    done
done
