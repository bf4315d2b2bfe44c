"""Resampled runs: every (K, training set, basis variant) trained on random subsets of N structures.

The default sweep (:mod:`linace.study.sweep`) trains each potential once, on the whole set. A verdict
drawn from it rests on that one draw of structures. Resampled runs train the same potentials on
nested random subsets (:func:`linace.study.runs.training_subset`: draw ``d`` of a set is one fixed
permutation, size N takes its first N structures) of sizes :data:`TRAIN_SIZES`, each size in
:data:`N_DRAWS` independent draws (one draw when N is more than :data:`MAX_SHARED_FRACTION` of the
set: such draws would share nearly all their structures). They give

* learning curves: test errors and the distance of the dimer curve to DFT against N, with the
  spread over draws (:func:`learning_curves`);
* every convergence number with an interval over draws (:func:`convergence_over_draws`);
* every claim graded per draw (:func:`linace.study.claims.grade_over_draws`).

A resampled run is not a notebook: it is :func:`linace.study.runs.train` with ``train_size`` and
``draw``, whose design rows come from the cached rows of the whole set, so a draw costs a solve. The
runs of one (K, training set, variant, regularisation) form a *group*, one task on the executor (local
processes, or a Dask cluster as for the sweep). Each run writes ``<results_dir>/<run-id>.json``
(e.g. ``K3-diverse-standard-blr-N40-d2.json``: the run record of :mod:`linace.study.results` plus a
``"resample"`` block with its ``input_hash``), atomically and as soon as it is done; a run whose
record has the current input hash (parameters, library source, data manifest: as for the sweep) is
skipped, so an interrupted grid resumes where it stopped.

Command line (``python -m linace.study.resample --help``)::

    python -m linace.study.resample                         # the default plan (DEFAULT_PLAN)
    python -m linace.study.resample --sizes 40 80 --draws 5 --training-sets diverse
    python -m linace.study.resample --scheduler tcp://10.0.0.1:8786
    python -m linace.study.resample --data-dir data/Si      # another data directory (results/Si/resampled)
    python -m linace.study.resample --data-dir my_data      # results/my_data-<digest>/resampled
    python -m linace.study.resample --summary 4             # print learning curves at K = 4, claims over draws

With ``--data-dir`` and no ``--training-sets``, the plan is :func:`default_plan` of the folder's
training sets: the sets of :data:`DEFAULT_PLAN` it has and its own sets (a folder's ``train``), said
on the terminal; a folder or ``--sizes`` that leave no run is an error. Records go where
:func:`default_results_dir` says, whatever the working directory (the repository's
``results/resampled`` for the committed data; beside the sweep's records of a data directory,
:func:`linace.study.sweep.results_dir_of`); a results folder holds the runs of one data directory
and must be writable, both checked before any run (:func:`linace.study.sweep.check_results_dir`).

Exit codes as for the sweep: 1 if a run failed or the Dask scheduler did not answer, 2 for invalid
arguments or a results folder that cannot take the runs, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import executors, sweep
from .claims import CLAIM_PLAN, REPRODUCED_FRACTION
from .records import RunRecord, as_records, group_by, read_record
from .results import write_json_atomic

__all__ = [
    "DEFAULT_PLAN",
    "MAX_SHARED_FRACTION",
    "N_DRAWS",
    "TRAIN_SIZES",
    "ResampleTask",
    "convergence_over_draws",
    "default_plan",
    "default_results_dir",
    "draw_overlap",
    "execute_group",
    "learning_curves",
    "main",
    "quantiles",
    "resample_grid",
    "resample_id",
    "run_resampling",
    "summary",
]

#: Nested training-set sizes N (structures); sizes larger than a set are left out.
TRAIN_SIZES = (40, 80, 160, 320)
#: Random draws per (training set, N) when N is smaller than the set.
N_DRAWS = 10
#: Largest N / (set size) drawn several times: two draws of N of n structures share N / n of them
#: on average, so above this fraction the draws are near-copies of one fit (e.g. 320 of 327: 98 %)
#: and one draw is made.
MAX_SHARED_FRACTION = 0.9
#: The default plan: the (variant, training sets) whose runs the claims grade
#: (:data:`linace.study.claims.CLAIM_PLAN`: v1 on the bulk sets with the standard basis; v2 on the
#: tailored set with both bases and on `diverse` with the pure one).
DEFAULT_PLAN = CLAIM_PLAN
#: the folder of the committed study's resampled runs, in the repository's results folder
#: (:data:`linace.study.sweep.RESULTS_ROOT`); a data directory's go to ``<its results folder>/resampled``
RESAMPLED = "resampled"
#: Quantiles of the intervals over draws (10 %, median, 90 %).
QUANTILES = (0.1, 0.5, 0.9)


def resample_id(params: Mapping) -> str:
    """``<sweep run id>-N<train_size>-d<draw>``, e.g. ``'K3-diverse-standard-blr-N40-d2'``."""
    return f"{sweep.run_id(params)}-N{params['train_size']}-d{params['draw']}"


def resample_grid(
    plan: Mapping[str, Iterable[str]] | None = None,
    body_orders: Iterable[int] = sweep.BODY_ORDERS,
    sizes: Iterable[int] = TRAIN_SIZES,
    draws: int = N_DRAWS,
    regularisation: str = sweep.DEFAULT_REGULARISATION,
    set_sizes: Mapping[str, int] | None = None,
    data_dir: str | os.PathLike | None = None,
) -> list[dict]:
    """Parameters of every resampled run of ``plan`` ({variant: training sets}).

    ``set_sizes`` ({training set: number of structures}, default: read from ``data_dir``, the
    committed data if None) decide which
    sizes a set allows: every N up to :data:`MAX_SHARED_FRACTION` of the set's size in ``draws``
    draws, larger N up to the set's size in one draw (several draws would be near-copies, or the
    same set), N above the set's size not at all.
    """
    plan = DEFAULT_PLAN if plan is None else plan
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    if set_sizes is None:
        from .runs import load_training_set

        set_sizes = {name: len(load_training_set(name, data_dir)) for names in plan.values() for name in names}
    runs = []
    for variant, training_sets in plan.items():
        for training_set in training_sets:
            available = set_sizes[training_set]
            for K in body_orders:
                for size in sorted(set(sizes)):
                    if size > available:
                        continue
                    for draw in range(draws if size <= MAX_SHARED_FRACTION * available else 1):
                        runs.append(
                            {
                                "body_order": K,
                                "training_set": training_set,
                                "variant": variant,
                                "regularisation": regularisation,
                                "train_size": size,
                                "draw": draw,
                            }
                        )
    return runs


# ----------------------------------------------------------------------------- one group (worker side)
@dataclass(frozen=True)
class ResampleTask:
    """The runs of one (K, training set, variant, regularisation): picklable, executed by
    :func:`execute_group`. ``runs`` are (parameters, input hash, result path) of the runs to do."""

    run_id: str
    runs: tuple
    data_dir: str | None = None


def execute_group(task: ResampleTask) -> executors.RunOutcome:
    """Train every run of the group, writing each record as soon as it is done. A run that raises is
    reported in the outcome's error (with how many failed) and does not stop the others."""
    from linace.study import runs as training

    start, failures = time.perf_counter(), []
    cache = training.default_cache()
    for params, digest, path in task.runs:
        run_start = time.perf_counter()
        try:
            run = training.train(
                params["body_order"],
                params["training_set"],
                params["variant"],
                params["regularisation"],
                data_dir=task.data_dir,
                cache=cache,
                progress=False,
                train_size=params["train_size"],
                draw=params["draw"],
            )
        except Exception as error:  # noqa: BLE001  (reported, the other runs go on)
            failures.append(f"{resample_id(params)}: {type(error).__name__}: {error}")
            continue
        write_json_atomic(
            path,
            {
                **run.record,
                "resample": {
                    "run_id": resample_id(params),
                    "input_hash": digest,
                    "wall_time_s": time.perf_counter() - run_start,
                },
            },
        )
    error = None
    if failures:
        error = f"{len(failures)} of {len(task.runs)} runs failed; first: {failures[0]}"
    return executors.RunOutcome(task.run_id, error, None, time.perf_counter() - start)


# ----------------------------------------------------------------------------- the grid
def _up_to_date(path: Path, digest: str) -> bool:
    try:
        return read_record(path).input_hash("resample") == digest
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def default_results_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Where the resampled runs go by default, whatever the working directory: the repository's
    ``results/resampled`` for the committed data, ``<results folder of data_dir>/resampled``
    (:func:`linace.study.sweep.results_dir_of`) for a data directory."""
    return (sweep.RESULTS_ROOT if data_dir is None else sweep.results_dir_of(data_dir)) / RESAMPLED


def default_plan(training_sets: Sequence[str], variants: Sequence[str] | None = None) -> dict[str, tuple[str, ...]]:
    """The resampled runs of a data directory whose training sets are ``training_sets``
    (:func:`linace.study.runs.training_sets`): per basis variant (default those of :data:`DEFAULT_PLAN`)
    the sets of :data:`DEFAULT_PLAN` it has (a variant the plan does not name takes the standard
    basis's), and the folder's own sets, those the study's sweep does not name
    (:data:`linace.study.sweep.DEFAULT_PLAN`: e.g. ``train``), with the standard basis, or with every
    variant given. Variants left without a set are left out.

    >>> default_plan(["dimers", "train"])
    {'standard': ('train',)}
    >>> default_plan(["diverse", "train"], variants=["pure"])
    {'pure': ('diverse', 'train')}
    """
    study_sets = {name for names in sweep.DEFAULT_PLAN.values() for name in names}
    own = tuple(name for name in training_sets if name not in study_sets)
    chosen = list(DEFAULT_PLAN) if variants is None else list(variants)
    plan = {
        variant: tuple(
            name for name in DEFAULT_PLAN.get(variant, DEFAULT_PLAN[sweep.DEFAULT_VARIANT]) if name in training_sets
        )
        for variant in chosen
    }
    for variant in [sweep.DEFAULT_VARIANT] if variants is None else chosen:
        plan[variant] = plan.get(variant, ()) + own
    return {variant: names for variant, names in plan.items() if names}


def run_resampling(
    grid: Sequence[Mapping],
    results_dir: str | os.PathLike | None = None,
    executor: concurrent.futures.Executor | None = None,
    force: bool = False,
    progress: bool = True,
    *,
    workers: int = sweep.DEFAULT_WORKERS,
    data_dir: str | os.PathLike | None = None,
    data_manifest: str | os.PathLike | None = None,
) -> sweep.SweepReport:
    """Run every resampled run of ``grid`` (from :func:`resample_grid`) that is not up to date.

    Runs are grouped by (K, training set, variant, regularisation), one task each, on ``executor``
    (default: ``workers`` local processes) with a progress bar over groups. The report lists run ids
    (executed and skipped) and failed groups. ``results_dir`` defaults to :func:`default_results_dir`;
    it holds the runs of one data directory (as for the sweep: :func:`linace.study.sweep.check_results_dir`).

    Raises
    ------
    linace.study.sweep.SweepError
        Before any run: duplicate run ids, a results folder that is not writable or holds the runs
        of another data directory.
    """
    results_dir = default_results_dir(data_dir) if results_dir is None else Path(results_dir)
    manifest = sweep.default_manifest() if data_manifest is None else Path(data_manifest)
    ids = [resample_id(params) for params in grid]
    if len(set(ids)) != len(ids):
        raise sweep.SweepError(
            "the grid gives the same run id to several runs: " + ", ".join(sorted({i for i in ids if ids.count(i) > 1}))
        )
    sweep.check_results_dir(results_dir, manifest.parent, manifest)
    sweep.ensure_writable(results_dir, "results folder")
    sweep.claim_results_dir(results_dir, manifest.parent, manifest)
    report = sweep.SweepReport()
    groups: dict[str, list] = {}
    for identifier, params in zip(ids, grid, strict=True):
        digest = sweep.input_hash(params, "linace.study.resample", manifest)
        path = results_dir / f"{identifier}.json"
        if not force and _up_to_date(path, digest):
            report.skipped.append(identifier)
        else:
            groups.setdefault(sweep.run_id(params), []).append((dict(params), digest, str(path.resolve())))
    tasks = [
        ResampleTask(group, tuple(runs), None if data_dir is None else str(data_dir)) for group, runs in groups.items()
    ]
    if not tasks:
        return report
    own_executor = executor is None
    if own_executor:
        executor = executors.default_executor(min(workers, len(tasks)))
    try:
        outcomes = {
            o.run_id: o for o in executors.execute_tasks(tasks, executor, progress, execute_group, "resampled runs")
        }
    finally:
        if own_executor:
            executor.shutdown(wait=True, cancel_futures=True)
    for task in tasks:
        outcome = outcomes[task.run_id]
        done = [resample_id(params) for params, digest, path in task.runs if _up_to_date(Path(path), digest)]
        report.executed.extend(done)
        if outcome.error is not None:
            report.failed.append(sweep.RunFailure(task.run_id, outcome.error, None))
    return report


# ----------------------------------------------------------------------------- summaries over draws
def quantiles(values: Sequence[float]) -> dict:
    """{"median", "p10", "p90", "n"} of finite values (NaN when there are none)."""
    values = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if values.size == 0:
        return {"median": float("nan"), "p10": float("nan"), "p90": float("nan"), "n": 0}
    low, median, high = np.quantile(values, QUANTILES)
    return {"median": float(median), "p10": float(low), "p90": float(high), "n": int(values.size)}


#: Quantities of a learning curve: name -> how to read it from a run record.
LEARNING_QUANTITIES = {
    "test_energy_rmse_meV_per_atom": lambda r: r.test_error("energy_rmse_meV_per_atom"),
    "test_force_rmse_eV_per_A": lambda r: r.test_error("force_rmse_eV_per_A"),
    "distance_to_dft_eV": lambda r: r.distance_to_dft,
}


def _resampled(records: Sequence[RunRecord | Mapping]) -> list[RunRecord]:
    """The records of resampled runs (those with a ``train_size``)."""
    return [record for record in as_records(records) if record.train_size is not None]


def learning_curves(records: Sequence[RunRecord]) -> list[dict]:
    """One row per (variant, training set, K, N): :func:`quantiles` over draws of every quantity of
    :data:`LEARNING_QUANTITIES` (keys ``<quantity>``), sorted by variant, set, K and N."""
    groups = group_by(_resampled(records), "variant", "training_set", "body_order", "train_size")
    rows = []
    for (variant, training_set, K, size), group in sorted(groups.items()):
        row = {
            "variant": variant,
            "training_set": training_set,
            "body_order": K,
            "train_size": size,
            "draws": len(group),
        }
        row.update({name: quantiles([read(r) for r in group]) for name, read in LEARNING_QUANTITIES.items()})
        rows.append(row)
    return rows


def by_draw(records: Sequence[RunRecord], train_size: int) -> dict[int, list[RunRecord]]:
    """{draw: the resampled records of size ``train_size`` of that draw}: each is one 'sweep' on
    subsets of N structures, the unit the claims are graded on."""
    out: dict[int, list[RunRecord]] = {}
    for record in as_records(records):
        if record.train_size == train_size:
            out.setdefault(record.draw, []).append(record)
    return dict(sorted(out.items()))


def draw_overlap(records: Sequence[RunRecord]) -> list[dict]:
    """How independent the draws are: one row per (training set, N) with the number of draws and the
    mean fraction of structures two different draws share (N / set size on average; 1 when N is the
    whole set). Draws that share most structures have a spread that understates the variability of
    a fresh data set."""
    subsets: dict[tuple, dict[int, frozenset]] = {}
    for record in as_records(records):
        indices = record.parameter("train_indices")
        if indices is not None:
            subsets.setdefault((record.training_set, record.train_size), {})[record.draw] = frozenset(indices)
    rows = []
    for (training_set, size), by_number in sorted(subsets.items()):
        chosen = list(by_number.values())
        pairs = [len(a & b) / size for i, a in enumerate(chosen) for b in chosen[i + 1 :]]
        rows.append(
            {
                "training_set": training_set,
                "train_size": size,
                "draws": len(chosen),
                "shared_fraction": float(np.mean(pairs)) if pairs else 1.0,
            }
        )
    return rows


def convergence_over_draws(records: Sequence[RunRecord], dft_curve: tuple[np.ndarray, np.ndarray]) -> list[dict]:
    """Every convergence number with its interval over draws: one row per (variant, training set, N,
    K) with :func:`quantiles` of ``distance_to_previous_K_eV`` and ``distance_to_dft_eV``."""
    from .results import convergence_table

    values: dict[tuple, dict[str, list]] = {}
    records = _resampled(records)
    for size in sorted({r.train_size for r in records}):
        for draw_records in by_draw(records, size).values():
            for (variant, training_set), runs in group_by(draw_records, "variant", "training_set").items():
                for row in convergence_table(runs, dft_curve):
                    slot = values.setdefault(
                        (variant, training_set, size, row["body_order"]),
                        {"distance_to_previous_K_eV": [], "distance_to_dft_eV": []},
                    )
                    for name in slot:
                        slot[name].append(row[name])
    return [
        {
            "variant": v,
            "training_set": s,
            "train_size": n,
            "body_order": K,
            **{name: quantiles(vals) for name, vals in slot.items()},
        }
        for (v, s, n, K), slot in sorted(values.items())
    ]


def summary(
    records: Sequence[RunRecord], dft_curve: tuple[np.ndarray, np.ndarray], body_order: int, regularisation: str = "blr"
) -> str:
    """Plain-text summary of resampled runs: the learning curves at ``body_order`` (median [10 %,
    90 %] over draws of the test energy and force RMSE and of the dimer's distance to DFT, per
    variant, training set and N) and every claim graded over the draws of each N
    (:func:`linace.study.claims.grade_over_draws`)."""
    from .claims import claim_id, grade_over_draws
    from .records import select

    records = select(records, regularisation=regularisation)

    def cell(q, digits):
        return f"{q['median']:.{digits}f} [{q['p10']:.{digits}f}, {q['p90']:.{digits}f}]" if q["n"] else "-"

    lines = [
        f"Learning curves at K = {body_order} (median [10 %, 90 %] over draws):",
        f"{'variant, training set':<28}{'N':>5}{'draws':>7}  {'test E (meV/atom)':<34}"
        f"{'test F (eV/A)':<30}{'dimer to DFT (eV)'}",
    ]
    for row in learning_curves(records):
        if row["body_order"] == body_order:
            lines.append(
                f"{row['variant'] + ', ' + row['training_set']:<28}{row['train_size']:>5}{row['draws']:>7}  "
                f"{cell(row['test_energy_rmse_meV_per_atom'], 1):<34}"
                f"{cell(row['test_force_rmse_eV_per_A'], 3):<30}{cell(row['distance_to_dft_eV'], 2)}"
            )
    sizes = sorted({r.train_size for r in _resampled(records)})
    lines += ["", f"Claims over draws (reproduced: holds in at least {100 * REPRODUCED_FRACTION:g} % of the draws):"]
    for size in sizes:
        for v in grade_over_draws(records, dft_curve, size, regularisation):
            if v.draws:
                lines.append(
                    f"  N = {size:<4} {claim_id(v.claim):<4} holds in {v.holds:>2} of {v.draws:<2} "
                    f"(partly in {v.partly}): {v.verdict}"
                )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- command line
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m linace.study.resample",
        description="Train every (K, training set, basis variant) on random nested subsets of N structures, "
        "in several draws (learning curves and verdicts per draw); skip runs that are up to date. "
        "Without --training-sets: the default plan ("
        + "; ".join(f"{variant}: {', '.join(sets)}" for variant, sets in DEFAULT_PLAN.items())
        + ") on the sets the data directory has, plus "
        "the data directory's own training sets (any other name, e.g. 'train') with the standard "
        "basis; the sets taken are printed.",
        epilog=sweep.CACHE_HELP,
    )
    parser.add_argument("--body-orders", nargs="+", type=int, metavar="K", default=list(sweep.BODY_ORDERS))
    parser.add_argument("--training-sets", nargs="+", metavar="SET", help="replace the plan's sets (every variant)")
    parser.add_argument("--variants", nargs="+", metavar="VARIANT", help="replace the plan's variants")
    parser.add_argument("--regularisation", default=sweep.DEFAULT_REGULARISATION)
    parser.add_argument("--sizes", nargs="+", type=int, metavar="N", default=list(TRAIN_SIZES))
    parser.add_argument("--draws", type=int, default=N_DRAWS, help=f"draws per (set, N) (default {N_DRAWS})")
    parser.add_argument("--workers", type=int, default=sweep.DEFAULT_WORKERS)
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on this Dask scheduler instead of local processes")
    parser.add_argument("--scheduler-timeout", type=float, default=sweep.SCHEDULER_TIMEOUT, metavar="SECONDS")
    parser.add_argument("--force", action="store_true", help="re-run up-to-date runs too")
    parser.add_argument(
        "--data-dir",
        metavar="PATH",
        help="resample the runs of a data directory of your own (as for python -m "
        "linace.study.sweep --data-dir); default: the committed carbon data",
    )
    parser.add_argument(
        "--results-dir",
        help="where the run records go (a relative path is relative to the working directory). "
        "Default, whatever the working directory: the repository's results/resampled "
        f"({sweep.RESULTS_ROOT / RESAMPLED}); with --data-dir, <its sweep's results "
        "folder>/resampled, i.e. results/<folder name>-<digest>/resampled, the digest being "
        "8 hex digits of the SHA-256 of the folder's absolute path (results/<element>/"
        "resampled for the repository's own data/<element>). A results folder holds the "
        f"runs of one data directory (its {sweep.RESULTS_MARKER} names it)",
    )
    parser.add_argument(
        "--summary",
        type=int,
        metavar="K",
        help="run nothing: print the learning curves at body order K and the claims over "
        "draws of the records in the results directory",
    )
    return parser


def _results_dir(args: argparse.Namespace) -> Path:
    """Where the records go (absolute): runs on another data directory never overwrite the committed study's."""
    if args.results_dir is not None:
        return Path(args.results_dir).absolute()
    return default_results_dir(args.data_dir)


def _plan_from_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> dict:
    sweep.check_cache_budget(parser)
    if args.data_dir is not None:
        from .datasets import DatasetError, check_data_dir

        try:
            check_data_dir(args.data_dir)
        except DatasetError as error:
            parser.error(f"--data-dir {args.data_dir}: {error}")
    allowed = sweep.allowed_values() if args.data_dir is None else sweep.allowed_values(args.data_dir)
    for option in ("body_orders", "training_sets", "variants"):
        known, given = allowed[option], getattr(args, option)
        unknown = [v for v in (given or []) if known is not None and v not in known]
        if unknown:
            parser.error(
                f"--{option.replace('_', '-')}: unknown value(s) {', '.join(map(str, unknown))}; "
                f"allowed: {', '.join(map(str, known))}"
            )
    if allowed["regularisations"] is not None and args.regularisation not in allowed["regularisations"]:
        parser.error(
            f"--regularisation: unknown value {args.regularisation}; allowed: {', '.join(allowed['regularisations'])}"
        )
    for option in ("sizes", "draws", "workers"):
        values = getattr(args, option)
        if min(values if isinstance(values, list) else [values]) < 1:
            parser.error(f"--{option} must be positive integers, got {values}")
    if not args.scheduler_timeout > 0:
        parser.error(f"--scheduler-timeout must be positive, got {args.scheduler_timeout:g}")
    known = allowed["training_sets"]
    if args.training_sets is not None:
        return {v: tuple(args.training_sets) for v in (args.variants or list(DEFAULT_PLAN))}
    if known is None:  # the data directory's sets are not known: the study's plan
        return {v: DEFAULT_PLAN.get(v, DEFAULT_PLAN[sweep.DEFAULT_VARIANT]) for v in (args.variants or DEFAULT_PLAN)}
    plan = default_plan(known, args.variants)  # the study's plan on the sets the folder has, and its own sets
    missing = sorted({n for v in (args.variants or DEFAULT_PLAN) for n in DEFAULT_PLAN.get(v, ())} - set(known))
    if missing:
        print(
            f"resample: training set(s) {', '.join(missing)} not in the data directory; their runs are left out",
            file=sys.stderr,
        )
    where = "the committed data" if args.data_dir is None else args.data_dir
    if not plan:
        parser.error(
            f"no training set of {where} to resample (its training sets: {', '.join(known) or 'none'}); "
            "name some with --training-sets"
        )
    print(
        f"resample: training sets of {where}: "
        + "; ".join(f"{variant}: {', '.join(names)}" for variant, names in plan.items()),
        file=sys.stderr,
    )
    return plan


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    plan = _plan_from_args(parser, args)
    if args.summary is not None:
        from . import datasets
        from .results import dft_dimer_curve, load_results

        results_dir = _results_dir(args)
        records = load_results(results_dir) if Path(results_dir).is_dir() else []
        if not records:
            parser.exit(1, f"{parser.prog}: no run records in {results_dir}: run the resampled runs first\n")
        dft = dft_dimer_curve(datasets.load("dimers", args.data_dir), datasets.e0(args.data_dir))[:2]
        print(summary(records, dft, args.summary, args.regularisation))
        return 0
    grid = resample_grid(plan, args.body_orders, args.sizes, args.draws, args.regularisation, data_dir=args.data_dir)
    if not grid:
        from .runs import load_training_set

        sizes = {name: len(load_training_set(name, args.data_dir)) for names in plan.values() for name in names}
        parser.error(
            f"no resampled run: every size of --sizes {' '.join(map(str, args.sizes))} is larger than "
            "the training sets (" + ", ".join(f"{n} ({k} structures)" for n, k in sizes.items()) + ")"
        )
    try:
        options = dict(results_dir=_results_dir(args), force=args.force, workers=args.workers)
        if args.data_dir is not None:  # every run reads the folder; its manifest enters the input hash
            from .datasets import MANIFEST

            data_dir = Path(args.data_dir).resolve()
            options.update(data_dir=str(data_dir), data_manifest=data_dir / MANIFEST)
        if args.scheduler is None:
            report = run_resampling(grid, **options)
        else:
            with executors.dask_client(args.scheduler, args.scheduler_timeout) as client:
                report = run_resampling(grid, executor=client.get_executor(), **options)
    except executors.SchedulerError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    except (sweep.SweepError, executors.ExecutorError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    except KeyboardInterrupt:
        print("resample: interrupted; finished runs are kept, run again to resume", file=sys.stderr)
        return 130
    print(report.summary().replace("sweep:", "resampled runs:"))
    for failure in report.failed:
        print(f"  FAILED {failure.run_id}: {failure.error}", file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
