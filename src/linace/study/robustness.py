"""Do the verdicts survive the choices the paper made silently? The claims graded under alternatives.

A verdict about "the DFT two-body interaction" rests on choices that neither the paper nor most
readers see. Each is an *alternative* to the study's default, written down here before any of its
runs was made (issue 28), and the claims are graded under each with the fixed criteria of
:mod:`linace.study.claims`:

=============================  =================================================================
alternative                    what changes (default)
=============================  =================================================================
``reference: restricted``      the DFT dimer curve the potentials are measured against: the
                               spin-restricted one (``data/<el>/restricted``) instead of the
                               spin-polarised lowest states; the same runs, graded again
``E0: fitted``                 the one-body term is a fitted per-atom constant, as pacemaker fits
                               its reference energy (the isolated atom's energy)
``basis: x0.5``, ``basis: x2``  every K with half, or twice, the default's number of functions
                               (:func:`linace.study.runs.scaled_truncation`): three sizes per K
``E:F 10``, ``E:F 50``         the energy:force weight (30), as the authors' ACEpotentials.jl (10)
                               and pacemaker (50) runs
=============================  =================================================================

The runs are those the claims read (:data:`PLAN`),
trained directly (no notebook), reusing the sweep's cached design rows where the basis is the
default's, and written to ``results/robustness/<alternative>/``. They take about 5 minutes, more than
``make book`` can spend: ``make sweep-full`` writes them to :data:`COMMITTED_ROOT`
(``data/robustness/C``), where they are committed with the code digest that made each record::

    python -m linace.study.robustness                  # every alternative, the committed carbon data
    python -m linace.study.robustness --alternatives "E:F 10" --data-dir data/Si

A verdict is *robust* when it is the same under the default and every alternative
(:func:`robustness_rows`).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import executors, sweep
from .claims import CLAIM_PLAN
from .records import RunRecord, as_records, body_orders, read_record
from .results import write_json_atomic

__all__ = [
    "ALTERNATIVES",
    "COMMITTED_ROOT",
    "DEFAULT_BASIS_BODY_ORDERS",
    "PLAN",
    "alternative_grid",
    "alternative_results_dir",
    "energy_zero_markdown",
    "grade_alternatives",
    "restricted_curve_or_none",
    "robust_headline",
    "robustness_markdown",
    "robustness_matrix_markdown",
    "robustness_rows",
    "run_alternatives",
]

#: The alternatives (name -> what changes): run parameters of :func:`linace.study.runs.train`, or
#: ``{"reference": "restricted"}`` for a regrading of the default runs against another reference.
ALTERNATIVES: dict[str, dict] = {
    "reference: restricted": {"reference": "restricted"},
    "E0: fitted": {"energy_zero": "fit"},
    "basis: x0.5": {"basis_size": 0.5},
    "basis: x2": {"basis_size": 2.0},
    "E:F 10": {"energy_weight": 10.0},
    "E:F 50": {"energy_weight": 50.0},
}
#: The runs every alternative makes: {variant: training sets} at K = 2..5, those the seven claims read
#: (:data:`linace.study.claims.CLAIM_PLAN`: v1: the standard basis on the bulk sets; v2: the standard
#: and pure bases on the tailored set, the pure basis on `diverse`)
PLAN = CLAIM_PLAN
#: What ``make book`` runs (``make sweep``): every alternative at K = 2..5 but the basis sizes, which
#: run at K = 2..4 (their K = 5 design rows, 2733 functions at x2, take minutes: ``make sweep-full``)
DEFAULT_BASIS_BODY_ORDERS = (2, 3, 4)
ROBUSTNESS = "robustness"


def _folder_name(alternative: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", alternative).strip("_")


#: Where the committed runs of the alternatives on the committed carbon data are (``make sweep-full``
#: writes them; chapter 10 and the landing page read them): they take about 5 minutes, more than
#: ``make book`` can spend, and are stored with the code digest that made each record.
COMMITTED_ROOT = sweep.REPOSITORY_DATA_DIR / ROBUSTNESS / "C"


def alternative_results_dir(
    alternative: str, data_dir: str | os.PathLike | None = None, root: str | os.PathLike | None = None
) -> Path:
    """``<root>/<alternative>``: ``root`` default ``results/robustness`` (or under the data
    directory's results folder); :data:`COMMITTED_ROOT` for the committed runs."""
    if root is None:
        root = (sweep.RESULTS_ROOT if data_dir is None else sweep.results_dir_of(data_dir)) / ROBUSTNESS
    return Path(root) / _folder_name(alternative)


def alternative_grid(
    alternative: str, plan: Mapping[str, Sequence[str]] | None = None, body_orders: Sequence[int] = sweep.BODY_ORDERS
) -> list[dict]:
    """The run parameters of an alternative (empty for a regrading alternative)."""
    if alternative not in ALTERNATIVES:
        raise ValueError(f"unknown alternative {alternative!r}; known: {', '.join(ALTERNATIVES)}")
    change = ALTERNATIVES[alternative]
    if "reference" in change:
        return []
    return [
        {**run, **change}
        for variant, sets in (plan or PLAN).items()
        for run in sweep.grid(body_orders, sets, [variant])
    ]


@dataclass(frozen=True)
class AlternativeTask:
    """The runs of one (K, training set, variant) under an alternative: (parameters, input hash,
    result path) each; picklable."""

    run_id: str
    runs: tuple
    data_dir: str | None = None


def execute_task(task: AlternativeTask) -> executors.RunOutcome:
    """Train the runs of a task (:func:`linace.study.runs.train` with the alternative's change),
    writing each record as soon as it is done."""
    from linace.study import runs as training

    start, failures = time.perf_counter(), []
    cache = training.default_cache()
    for params, digest, path in task.runs:
        try:
            run = training.train(
                params["body_order"],
                params["training_set"],
                params["variant"],
                params["regularisation"],
                data_dir=task.data_dir,
                cache=cache,
                progress=False,
                weights=training.weights_of(params.get("energy_weight", training.DEFAULT_WEIGHTS.energy)),
                energy_zero=params.get("energy_zero", "atom"),
                basis_size=params.get("basis_size", 1.0),
            )
        except Exception as error:  # noqa: BLE001  (reported, the others go on)
            failures.append(f"{sweep.run_id(params)}: {type(error).__name__}: {error}")
            continue
        write_json_atomic(path, {**run.record, "robustness": {"input_hash": digest}})
    error = f"{len(failures)} of {len(task.runs)} failed; first: {failures[0]}" if failures else None
    return executors.RunOutcome(task.run_id, error, None, time.perf_counter() - start)


def _up_to_date(path: Path, digest: str) -> bool:
    try:
        return read_record(path).input_hash("robustness") == digest
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def run_alternatives(
    alternatives: Sequence[str] = tuple(ALTERNATIVES),
    data_dir: str | os.PathLike | None = None,
    workers: int = sweep.DEFAULT_WORKERS,
    force: bool = False,
    progress: bool = True,
    plan: Mapping[str, Sequence[str]] | None = None,
    body_orders: Sequence[int] = sweep.BODY_ORDERS,
    root: str | os.PathLike | None = None,
) -> sweep.SweepReport:
    """Make the runs of the alternatives that are not up to date (their input hash: parameters,
    the study's source, the data manifest); one task per (alternative, K, set, variant) on
    ``workers`` local processes. The results folders are checked writable before any run."""
    manifest = sweep.default_manifest() if data_dir is None else Path(data_dir) / "manifest.json"
    report, tasks = sweep.SweepReport(), []
    for alternative in alternatives:
        folder = alternative_results_dir(alternative, data_dir, root)
        sweep.ensure_writable(folder, "results folder")
        for params in alternative_grid(alternative, plan, body_orders):
            digest = sweep.input_hash(params, "linace.study.robustness", manifest)
            path = folder / f"{sweep.run_id(params)}.json"
            identifier = f"{_folder_name(alternative)}/{sweep.run_id(params)}"
            if not force and _up_to_date(path, digest):
                report.skipped.append(identifier)
            else:
                tasks.append(
                    AlternativeTask(
                        identifier, ((params, digest, str(path)),), None if data_dir is None else str(data_dir)
                    )
                )
    if not tasks:
        return report
    executor = executors.default_executor(min(workers, len(tasks)))
    try:
        outcomes = executors.execute_tasks(tasks, executor, progress, execute_task, "robustness runs")
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    for outcome in outcomes:
        (
            report.failed.append(sweep.RunFailure(outcome.run_id, outcome.error, None))
            if outcome.error
            else report.executed.append(outcome.run_id)
        )
    return report


# ----------------------------------------------------------------------------- the table
def robustness_rows(
    default: Mapping[str, object],
    alternatives: Mapping[str, Mapping[str, object]],
    claims: Sequence[str],
    baselines: Mapping[str, Mapping[str, object]] | None = None,
) -> list[dict]:
    """Each claim under the default and every alternative, and whether it is robust.

    ``default`` and each of ``alternatives`` map claim id -> :class:`~linace.study.claims.Verdict`
    (e.g. :func:`linace.study.data_worlds.grade`). An alternative is compared with its baseline:
    ``baselines[name]`` where given (the default graded on the same body orders as the alternative's
    runs, e.g. K = 2..4 where an alternative ran only those), else ``default``. A claim is ``robust``
    when every alternative that could grade it (not "not tested") gives its baseline's verdict;
    ``changed`` names those that do not, ``baseline`` the baselines' verdicts that differ from the
    default's."""
    baselines = baselines or {}
    rows = []
    for claim in claims:
        base = default[claim].verdict
        verdicts = {name: verdicts[claim].verdict for name, verdicts in alternatives.items()}
        against = {name: baselines[name][claim].verdict if name in baselines else base for name in alternatives}
        tested = {name: v for name, v in verdicts.items() if not v.startswith("not tested")}
        changed = [name for name, v in tested.items() if v != against[name]]
        rows.append(
            {
                "claim": claim,
                "statement": default[claim].claim,
                "default": base,
                **verdicts,
                "baseline": {name: v for name, v in against.items() if v != base},
                "robust": not base.startswith("not tested") and not changed,
                "changed": changed,
            }
        )
    return rows


def robustness_markdown(rows: Sequence[dict], alternatives: Sequence[str]) -> str:
    """:func:`robustness_rows` as a Markdown table narrow enough for a book column: claim, the default
    verdict, robust or not, and the alternatives that change it with the verdict each gives (a
    baseline on fewer body orders named); alternatives that cannot grade a claim are not listed."""
    lines = ["| claim | default verdict | robust? | what changes it |", "|---|---|---|---|"]
    for row in rows:
        if row["default"].startswith("not tested"):
            lines.append(f"| {row['claim']} | not tested (no runs) | – | – |")
            continue
        changes = [
            f"{name}: {row[name]}"
            + (f" (default on its K: {row['baseline'][name]})" if name in row["baseline"] else "")
            for name in alternatives
            if name in row["changed"]
        ]
        lines.append(
            f"| {row['claim']} | {row['default']} | {'yes' if row['robust'] else 'no'} | "
            f"{'; '.join(changes) or 'nothing'} |"
        )
    return "\n".join(lines)


def robustness_matrix_markdown(rows: Sequence[dict], alternatives: Sequence[str]) -> str:
    """Every verdict under every alternative, one row per alternative and one column per claim."""
    claims = [row["claim"] for row in rows]
    lines = ["| alternative | " + " | ".join(claims) + " |", "|---|" + "---|" * len(claims)]
    short = {"reproduced": "yes", "not reproduced": "no", "partly": "partly"}
    for name in ["default", *alternatives]:
        cells = [short.get(row[name], "–") for row in rows]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- command line
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m linace.study.robustness",
        description="Train the runs of the alternatives to the study's defaults "
        "(linace.study.robustness.ALTERNATIVES); up-to-date runs are skipped.",
    )
    parser.add_argument(
        "--alternatives",
        nargs="+",
        default=list(ALTERNATIVES),
        choices=list(ALTERNATIVES),
        metavar="ALT",
        help=f"default every one: {', '.join(repr(a) for a in ALTERNATIVES)}",
    )
    parser.add_argument("--body-orders", nargs="+", type=int, default=list(sweep.BODY_ORDERS), metavar="K")
    parser.add_argument("--data-dir", metavar="PATH", help="a data directory (default the committed carbon data)")
    parser.add_argument("--workers", type=int, default=sweep.DEFAULT_WORKERS)
    parser.add_argument("--force", action="store_true")
    parser.add_argument(
        "--results-root",
        metavar="DIR",
        help=f"where the alternatives' folders go (default results/robustness; the committed ones: {COMMITTED_ROOT})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        report = run_alternatives(
            args.alternatives,
            args.data_dir,
            args.workers,
            args.force,
            body_orders=args.body_orders,
            root=args.results_root,
        )
    except sweep.SweepError as error:
        print(f"robustness: {error}", file=sys.stderr)
        return 2
    print(f"robustness: {report.summary()}", file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())


def grade_alternatives(
    default_records: Sequence[RunRecord],
    dft_curve,
    alternative_records: Mapping[str, Sequence[RunRecord]],
    restricted_curve,
    r_range: tuple[float, float],
) -> list[dict]:
    """The robustness rows (:func:`robustness_rows`) of one element: the default runs graded against
    ``dft_curve``, each alternative's runs (``alternative_records``: name -> records) likewise, the
    reference alternative by grading the default runs against ``restricted_curve`` over ``r_range``
    (None where the data have no such reference: that alternative is then not tested), and an
    alternative that ran on fewer body orders compared with the default on the same ones."""
    from .data_worlds import CLAIM_IDS, grade, with_reference

    default_records = as_records(default_records)
    default = grade(default_records, dft_curve)
    orders = body_orders(default_records)
    graded, baselines = {}, {}
    for name, change in ALTERNATIVES.items():
        if "reference" in change:
            graded[name] = (
                grade([], dft_curve)
                if restricted_curve is None  # no such reference: not tested
                else grade(with_reference(default_records, restricted_curve, r_range), restricted_curve)
            )
            continue
        records = as_records(alternative_records.get(name, []))
        graded[name] = grade(records, dft_curve)
        alt_orders = body_orders(records)
        if records and alt_orders != orders:
            baselines[name] = grade([r for r in default_records if r.body_order in alt_orders], dft_curve)
    return robustness_rows(default, graded, CLAIM_IDS, baselines)


def robust_headline(rows: Sequence[dict]) -> str:
    """One sentence: how many verdicts are robust, naming them, and what changes the others."""
    robust = [row["claim"] for row in rows if row["robust"]]
    fragile = [f"{row['claim']} ({', '.join(row['changed'])})" for row in rows if row["changed"]]
    return (
        f"{len(robust)} of {len(rows)} verdicts are the same under every alternative"
        + (f" ({', '.join(robust)})" if robust else "")
        + (f"; {len(fragile)} change under at least one: {'; '.join(fragile)}." if fragile else ".")
    )


def energy_zero_markdown(records: Sequence[RunRecord]) -> str:
    """The runs with a fitted energy zero: per training set, variant and K the fitted shift of the
    one-body term (eV/atom) and the dimer curve's distance to DFT in both conventions (eV): as the
    potential's binding curve E(dimer) - 2 E(atom) and against two DFT atoms (offset by 2 x shift)."""
    lines = [
        "| run | fitted shift (eV/atom) | to DFT, binding curve (eV) | to DFT, against two DFT atoms (eV) |",
        "|---|---|---|---|",
    ]
    for record in sorted(as_records(records), key=lambda r: (r.training_set, r.variant, r.body_order)):
        summary, absolute = record.dimer_summary, record.dimer_summary_absolute
        if "energy_zero_offset_eV" not in summary:
            continue
        lines.append(
            f"| {record.training_set}, {record.variant}, K = {record.body_order} | "
            f"{summary['energy_zero_offset_eV'] / 2:+.3f} | {summary['distance_to_dft_eV']:.2f} | "
            f"{absolute.get('distance_to_dft_eV', float('nan')):.2f} |"
        )
    return "\n".join(lines)


def restricted_curve_or_none(element: str = "C"):
    """The spin-restricted dimer curve of an element's committed data
    (:func:`linace.study.reference.restricted_dimer_curve`), or None where the data directory has none."""
    from .datasets import DatasetError
    from .reference import restricted_dimer_curve

    try:
        return restricted_dimer_curve(element)
    except (DatasetError, FileNotFoundError, KeyError):
        return None


# ----------------------------------------------------------------------------- what the chapters read
def alternative_records(root: str | os.PathLike = COMMITTED_ROOT, regularisation: str = "blr") -> dict[str, list]:
    """The records of every alternative that has runs of its own (all but the regrading ones), read
    from ``<root>/<alternative>`` (:func:`alternative_results_dir`), those of ``regularisation``:
    {alternative: [:class:`~linace.study.records.RunRecord`]} (empty lists where there are none)."""
    from .records import load_records, select

    return {
        name: select(load_records(alternative_results_dir(name, root=root)), regularisation=regularisation)
        for name, change in ALTERNATIVES.items()
        if "reference" not in change
    }


def runs_made_lines(default_records: Sequence[Mapping], records_of: Mapping[str, Sequence[Mapping]]) -> list[str]:
    """How many runs the default and each alternative have and, if the alternatives have any, when and by
    which code they were made (:func:`linace.study.data_worlds.records_provenance`): lines to print."""
    from .data_worlds import records_provenance

    lines = [
        f"{len(default_records)} default runs; "
        + ", ".join(f"{name}: {len(records)} runs" for name, records in records_of.items())
    ]
    made = records_provenance([r for records in records_of.values() for r in records])
    if made["n_records"]:
        lines.append(
            f"the alternatives' runs were made {made['created'][0][:10]} by linace source "
            f"{', '.join(made['digests'])}"
            f"{'' if made['current'] else ' (the code has changed since; make sweep-full makes them again)'}"
        )
    return lines


def alternatives_markdown(
    rows: Sequence[dict], default_records: Sequence[Mapping], records_of: Mapping[str, Sequence[Mapping]]
) -> str:
    """Every claim under every alternative: :func:`robustness_markdown`, a note naming the alternatives
    that ran on fewer body orders than the default (compared with the default on the same ones), and
    :func:`robustness_matrix_markdown`."""
    from .records import body_orders

    all_orders = body_orders(default_records)
    notes = [
        f"{name}: K = {', '.join(map(str, orders))} only (`make sweep-full` adds the rest)"
        for name, records in records_of.items()
        if records and (orders := body_orders(records)) != all_orders
    ]
    return (
        robustness_markdown(rows, list(ALTERNATIVES))
        + (
            "\n\nAn alternative on fewer body orders is compared with the default on the same ones: "
            + "; ".join(notes)
            + "."
            if notes
            else ""
        )
        + "\n\nEvery verdict under every alternative (yes: reproduced, no: not reproduced, –: no runs):\n\n"
        + robustness_matrix_markdown(rows, list(ALTERNATIVES))
    )


#: The three basis sizes at each K compared in chapter 10: half, the default's and twice its functions.
BASIS_SIZES = ("basis: x0.5", "default", "basis: x2")


def _runs_of(name: str, default_records: Sequence[Mapping], records_of: Mapping[str, Sequence[Mapping]]):
    return default_records if name == "default" else records_of[name]


def basis_size_points(
    default_records: Sequence[Mapping],
    records_of: Mapping[str, Sequence[Mapping]],
    training_set: str,
    body_order: int,
    variant: str = "standard",
) -> list[tuple[int, float, float]]:
    """The runs of one (training set, K, variant) at the sizes of :data:`BASIS_SIZES` that have one:
    (number of basis functions, test energy RMSE in meV/atom, distance of the dimer curve to DFT in
    eV), by growing size."""
    from .records import select

    points = []
    for name in BASIS_SIZES:
        found = select(
            _runs_of(name, default_records, records_of),
            training_set=training_set,
            body_order=body_order,
            variant=variant,
        )
        if found:
            record = found[0]
            points.append((record.basis_size, record.test_error(), record.distance_to_dft))
    return sorted(points)


def basis_size_figure(
    default_records: Sequence[Mapping],
    records_of: Mapping[str, Sequence[Mapping]],
    training_sets: Sequence[str] = PLAN["pure"],
):
    """Test energy RMSE (left) and the dimer curve's distance to DFT (right) against the number of basis
    functions, the three sizes of :data:`BASIS_SIZES` per K (standard basis; solid: the first training
    set, dashed: the others; markers by training set). Returns the figure."""
    import numpy as np

    from .plotting import BODY_ORDER_COLOURS, figure_legend, panel_grid

    fig, axes = panel_grid(2, panel_height=3.0)
    for training_set, marker in zip(training_sets, ("o", "s", "^", "D")):
        style = {"marker": marker, "ls": "-" if training_set == training_sets[0] else "--"}
        for K, colour in BODY_ORDER_COLOURS.items():
            points = basis_size_points(default_records, records_of, training_set, K)
            if points:
                n, error, distance = np.array(points).T
                axes[0].plot(n, error, color=colour, label=f"K = {K}, {training_set}", **style)
                axes[1].plot(n, distance, color=colour, **style)
    axes[0].set(xscale="log", yscale="log", xlabel="basis functions", ylabel="test energy RMSE (meV/atom)")
    axes[1].set(xscale="log", xlabel="basis functions", ylabel="dimer curve: distance to DFT (eV)")
    figure_legend(fig, axes[0], ncol=4)
    return fig


def basis_size_steps_markdown(
    default_records: Sequence[Mapping],
    records_of: Mapping[str, Sequence[Mapping]],
    dft_curve,
    runs: Sequence[tuple[str, str]] = (
        ("standard", "diverse"),
        ("standard", "clusters+dimers"),
        ("pure", "clusters+dimers"),
    ),
) -> str:
    """The successive-K distances (:func:`linace.study.claims.convergence_steps`, eV) of each (variant,
    training set) of ``runs`` at each size of :data:`BASIS_SIZES`: a Markdown table ("no runs" where
    there are none)."""
    from .claims import convergence_steps
    from .records import select

    lines = ["| run | basis | successive-K distances (eV) |", "|---|---|---|"]
    for variant, training_set in runs:
        for name in BASIS_SIZES:
            records = select(_runs_of(name, default_records, records_of), variant=variant, training_set=training_set)
            steps = convergence_steps(records, dft_curve) if records else []
            lines.append(
                f"| {variant}, {training_set} | {name} | " + (" → ".join(f"{x:.2f}" for x in steps) or "no runs") + " |"
            )
    return "\n".join(lines)
