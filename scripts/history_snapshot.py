"""Write the study's numbers as they stand to ``data/C/history/<name>.json``, for a before/after.

Before a change of the reference data, run ``make sweep`` on the data as committed, then this script:
it summarises the default sweep's records (every convergence number and every verdict,
:func:`linace.study.claims.study_summary`) and the resampled runs (each claim graded over the
draws of every training-set size, :func:`linace.study.claims.grade_over_draws`). The book's
results chapters set the numbers of the new data beside such a snapshot.

    python scripts/history_snapshot.py study_before_pool_growth --description "..."
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from linace.study import datasets
from linace.study.claims import grade_over_draws, select, snapshot_draws, study_summary
from linace.study.results import dft_dimer_curve, load_results, write_json_atomic


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/history_snapshot.py", description=__doc__.split("\n")[0])
    parser.add_argument("name", help="file name (without .json) under data/C/history/")
    parser.add_argument("--description", required=True, help="what data and code the numbers come from")
    parser.add_argument("--results-dir", default="results")
    parser.add_argument("--resampled-dir", default="results/resampled")
    parser.add_argument("--regularisation", default="blr")
    args = parser.parse_args(argv)
    path = datasets.element_dir() / "history" / f"{args.name}.json"
    if path.exists():
        parser.error(f"{path} exists; a snapshot is never overwritten")
    records = load_results(args.results_dir)
    resampled = load_results(args.resampled_dir) if Path(args.resampled_dir).is_dir() else []
    if not records:
        parser.error(f"no run records in {args.results_dir}: run `make sweep` first")
    dft = dft_dimer_curve(datasets.load("dimers"), datasets.e0())[:2]
    sizes = sorted({r["parameters"]["train_size"] for r in resampled})
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    snapshot = {
        "description": args.description,
        "data_commit": commit,
        "E0_eV": datasets.e0(),
        "n_runs": len(select(records, regularisation=args.regularisation)),  # not the smoothness-prior refits
        "n_resampled_runs": len(resampled),
        "set_sizes": {name: entry["n_structures"] for name, entry in datasets.manifest()["sets"].items()},
        "summary": study_summary(records, dft, regularisation=args.regularisation),
        "draws": snapshot_draws({size: grade_over_draws(resampled, dft, size, args.regularisation) for size in sizes}),
    }
    write_json_atomic(path, snapshot)
    print(f"{path}: {len(records)} runs, {len(resampled)} resampled runs, sizes {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
