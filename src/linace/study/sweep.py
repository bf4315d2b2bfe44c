"""Papermill sweeps of the training notebook over parameter grids, on local processes or a Dask cluster.

One *run* executes the template notebook with papermill for one point of a parameter grid
(:mod:`linace.study.notebook_runs`: the run's result ``<results_dir>/<run-id>.json`` and its book
page ``<notebooks_dir>/<run-id>.ipynb``)::

    params = {"body_order": 3, "training_set": "diverse", "variant": "standard", "regularisation": "ridge"}
    run_id(params)     # 'K3-diverse-standard-ridge' (the default regularisation is 'blr')
    run_title(params)  # 'K = 3, diverse'

A run is *skipped* when its result exists, its recorded ``input_hash`` equals the current one
(:func:`input_hash`: parameters, template source, ``linace.__version__``, the source of the library
and the study, and the data manifest without its documentation, :data:`DOCUMENTATION_KEYS`) and its
executed notebook exists; ``force=True`` re-runs everything. Results and notebooks are written
through a temporary file and ``os.replace`` (:func:`linace.io.write_atomic`: the mode the umask
gives, e.g. 0644; the notebook itself executes in a private scratch folder, where its
``result_path`` points), so an interrupted sweep leaves every finished run intact and the next
sweep resumes with the missing ones. A failing run (the notebook raises, or writes no result) is
reported, its executed notebook is kept in ``<notebooks_dir>/failed/`` for inspection (outside the
book), and it neither aborts the other runs nor touches the previous result or page of that run.

Runs are independent tasks (:func:`~linace.study.notebook_runs.execute_run`, a picklable top-level
function) submitted to a :class:`concurrent.futures.Executor`: local processes by default, or a Dask cluster
(``distributed.Client(address).get_executor()``; all paths must then be on a file system shared
with the workers, and the workers need linace, papermill and a ``python3`` Jupyter kernel).

The grid. Without grid options the sweep is :data:`DEFAULT_PLAN` (:func:`default_grid`): for each basis
variant its training sets, the standard basis on ``dimers``, ``narrow``, ``crystals``, ``diverse``,
``clusters`` and ``clusters+dimers`` and the pure basis on ``diverse``, ``clusters`` and
``clusters+dimers``, at every K of :data:`BODY_ORDERS` (2..5), regularisation ``blr``: 36 runs; with
``--data-dir`` less the sets the folder does not have, plus its own training sets with the standard
basis. Any grid option (``--body-orders``, ``--training-sets``, ``--variants``, ``--regularisations``)
replaces the plan by the full product of the values given (:func:`grid`), the others taking their
defaults (:data:`BODY_ORDERS`; :data:`TRAINING_SETS`, or every training set of ``--data-dir``;
``standard``; ``blr``). The further axes of :data:`EXTRA_AXES` (``--energy-weights``,
``--energy-zeros``, ``--basis-sizes``, ``--compare-range``) multiply either; a run at the default value
of such an axis keeps the id it always had. ``make sweep`` runs the default plan on carbon's data, then
on silicon's once it is complete (``--data-dir data/Si --if-complete --notebooks-dir book/sweep/Si``),
each followed by its resampled runs (:mod:`linace.study.resample`).

Command line (``python -m linace.study.sweep --help``)::

    python -m linace.study.sweep                               # the default plan: 36 runs
    python -m linace.study.sweep --body-orders 2 3 --training-sets diverse --workers 2
    python -m linace.study.sweep --scheduler tcp://10.0.0.1:8786   # run on a Dask cluster
    python -m linace.study.sweep --data-dir my_data --body-orders 2 3 4   # your own data (any element)

With ``--data-dir`` the folder is checked first (:func:`linace.study.datasets.check_data_dir`: a bad
folder is a usage error naming the file), every run gets the parameter ``data_dir``, its manifest
enters the input hash, and results go to ``results/<folder name>-<digest>/`` (:func:`results_dir_of`:
the digest tells apart two folders of the same name; notebooks in its ``notebooks/``), apart from
the committed study and outside the book; the repository's own ``data/Si`` goes to ``results/Si``.

Where things are, whatever the working directory: the default template is the repository's
``book/04_train.py`` and the default output folders are the repository's ``results/`` and
``book/sweep/`` (:data:`RESULTS_ROOT`, :data:`BOOK_SWEEP_DIR`); paths given on the command line are
relative to the working directory. A results folder holds the runs of one data directory: its
:data:`RESULTS_MARKER` names it, and runs of another one are refused (:func:`check_results_dir`).
Before any run starts, the results and notebooks folders must be writable, and scratch folders left
by sweeps killed with -9 are removed (:func:`linace.study.notebook_runs.remove_stale_scratch`).

The exit code is 1 if any run failed or the Dask scheduler did not answer (within
``--scheduler-timeout`` seconds, one line on stderr), 2 for invalid arguments or output folders that
cannot take the runs (one line), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import itertools
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import linace

from . import source_digest
from .datasets import ATTRIBUTION_SETS, BULK_SETS, STUDY_SETS, TAILORED_SET
from .executors import ExecutorError, SchedulerError, dask_client, default_executor, execute_tasks
from .notebook_runs import KERNEL, RunTask, execute_run, remove_stale_scratch
from .records import read_record

__all__ = [
    "BODY_ORDERS",
    "DEFAULT_NOTEBOOK",
    "RunFailure",
    "RunTask",
    "SweepError",
    "SweepReport",
    "TRAINING_SETS",
    "allowed_values",
    "check_kernel",
    "check_results_dir",
    "claim_results_dir",
    "default_grid",
    "default_manifest",
    "ensure_writable",
    "execute_run",
    "grid",
    "input_hash",
    "main",
    "manifest_content",
    "path_digest",
    "prior_comparison_grid",
    "results_dir_of",
    "run_id",
    "run_sweep",
    "run_title",
]

#: the repository this module belongs to (``src/linace/study/`` -> the checkout; as
#: :data:`linace.study.datasets.REPOSITORY_DATA_DIR`), whatever the working directory
REPOSITORY = Path(__file__).resolve().parents[3]
#: the training notebook run by default (a jupytext py:percent file of the repository)
DEFAULT_NOTEBOOK = REPOSITORY / "book" / "04_train.py"
#: where the runs go by default, whatever the working directory: the committed study's records in
#: ``results/`` (read by the chapters as ``../results``), a data directory's in a folder of it
#: (:func:`results_dir_of`); the executed notebooks of the committed study are book pages
RESULTS_ROOT = REPOSITORY / "results"
BOOK_SWEEP_DIR = REPOSITORY / "book" / "sweep"
#: the repository's own data: its element folders data/<element> write to results/<element>
REPOSITORY_DATA_DIR = REPOSITORY / "data"
#: file in a results folder naming the data directory whose runs it holds (JSON: ``data_dir``, the
#: absolute path, and ``manifest_sha256``, of its manifest when runs were last written there); not
#: ``*.json``, so no reader takes it for a run record
RESULTS_MARKER = "data-dir.marker"
#: keys of a data manifest that document and never change a result (free text, the export's
#: timestamp, its known issues, compute accounting, the import's record of where files came from, and
#: the further references no run reads, e.g. the spin-restricted dimer curve: the sets' checksums say
#: what the data are): left out of the input hash. ``description``
#: is left out of the manifest, of every set and of every section; the others at the top level only
DOCUMENTATION_KEYS = ("description", "created", "known_issues", "compute", "import", "references")
#: body orders of the default grid (also the ones :class:`~linace.basis.ACEBasis` supports)
BODY_ORDERS = (2, 3, 4, 5)
#: training sets of the product grid (:func:`grid`; the command line's default with grid options):
#: the dimers and the bulk sets
TRAINING_SETS = ("dimers",) + BULK_SETS
#: the default sweep (:func:`default_grid`): training sets per basis variant, every K of BODY_ORDERS:
#: the standard basis on every set of the study, the pure one on the sets that separate the
#: ingredients of the convergence in K
DEFAULT_PLAN = {"standard": STUDY_SETS, "pure": ATTRIBUTION_SETS}
DEFAULT_VARIANT = "standard"
DEFAULT_REGULARISATION = "blr"
#: chapter 06's comparison of priors (``--prior-comparison``, run by ``make sweep`` after the default
#: sweep): the potentials of :data:`DEFAULT_PLAN` at these K on these sets, with both basis variants,
#: refitted with the smoothness prior (regularisation ``blr-smooth``); the flat-prior runs they are
#: compared with are the default sweep's (:func:`prior_comparison_grid`)
PRIOR_COMPARISON = {
    "body_orders": (4,),
    "training_sets": ("diverse", TAILORED_SET),
    "variants": ("standard", "pure"),
    "regularisations": ("blr-smooth",),
}
DEFAULT_WORKERS = 2
#: seconds to wait for a Dask scheduler to answer (``--scheduler-timeout``)
SCHEDULER_TIMEOUT = 30.0


class SweepError(RuntimeError):
    """A sweep cannot start (duplicate run ids, missing template, no Jupyter kernel, an output folder
    that is not writable or holds the runs of another data directory)."""


# ----------------------------------------------------------------------------- grid, ids, titles
def grid(
    body_orders: Iterable[int] = BODY_ORDERS,
    training_sets: Iterable[str] = TRAINING_SETS,
    variants: Iterable[str] = (DEFAULT_VARIANT,),
    regularisations: Iterable[str] = (DEFAULT_REGULARISATION,),
) -> list[dict]:
    """All combinations of the parameter values, body order varying slowest.

    Parameters
    ----------
    body_orders : iterable of int
        Body orders K (the basis holds correlation orders nu = 1..K-1).
    training_sets : iterable of str
        Training sets of :mod:`linace.study.datasets`.
    variants, regularisations : iterable of str
        Basis variants and regularisation schemes (keys of :data:`linace.study.runs.VARIANTS` and
        :data:`linace.study.runs.REGULARISATIONS` for the training notebook).

    Returns
    -------
    list of dict
        One parameter dict per run, with keys ``body_order`` (int), ``training_set``, ``variant``
        and ``regularisation``.

    Examples
    --------
    >>> len(grid())
    16
    >>> grid([3], ["diverse"])
    [{'body_order': 3, 'training_set': 'diverse', 'variant': 'standard', 'regularisation': 'blr'}]
    """
    combinations = itertools.product(body_orders, training_sets, variants, regularisations)
    return [
        {"body_order": int(K), "training_set": str(s), "variant": str(v), "regularisation": str(r)}
        for K, s, v, r in combinations
    ]


def default_grid(plan: Mapping[str, Iterable[str]] | None = None) -> list[dict]:
    """The default sweep of ``make book``: for each basis variant of ``plan`` (default
    :data:`DEFAULT_PLAN`) its training sets, for every K in :data:`BODY_ORDERS`, regularisation
    :data:`DEFAULT_REGULARISATION`. Not a full product: the pure basis is run on the sets the
    paper's second version asks about.

    >>> len(default_grid())
    36
    """
    runs = [run for variant, sets in (plan or DEFAULT_PLAN).items() for run in grid(BODY_ORDERS, sets, [variant])]
    return sorted(runs, key=lambda run: run["body_order"])  # stable: body order varies slowest


def prior_comparison_grid() -> list[dict]:
    """The runs of :data:`PRIOR_COMPARISON` (K varying slowest): the smoothness-prior refits that chapter
    06 sets beside the default sweep's flat-prior runs.

    >>> [run_id(run) for run in prior_comparison_grid()][:2]
    ['K4-diverse-standard-blr-smooth', 'K4-diverse-pure-blr-smooth']
    """
    return grid(**PRIOR_COMPARISON)


def _safe(value: object) -> str:
    """``value`` as a file-name component: characters other than letters, digits, ``._-`` become ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(value))


def run_id(params: Mapping) -> str:
    """File-system safe id of a run, e.g. ``'K3-diverse-standard-blr'``.

    Parameters
    ----------
    params : mapping
        Needs ``body_order`` and ``training_set``; ``variant`` and ``regularisation`` default to
        ``'standard'`` and ``'blr'``. Other keys do not enter the id.

    Returns
    -------
    str
        ``K<body_order>-<training_set>-<variant>-<regularisation>``, characters other than letters,
        digits and ``._-`` replaced by ``_``. Ids always start with ``K`` (the book's sweep part
        relies on it: its committed introduction page ``00_about`` sorts first).
    """
    parts = [
        f"K{params['body_order']}",
        params["training_set"],
        params.get("variant", DEFAULT_VARIANT),
        params.get("regularisation", DEFAULT_REGULARISATION),
    ]
    parts += [
        f"{tag}{_format_axis(params[key])}"
        for key, tag, default in EXTRA_AXES
        if key in params and params[key] != default
    ]
    return "-".join(_safe(part) for part in parts)


#: Further axes of a run (parameter, tag in the run id, default): a run whose value is the default has
#: the id it always had. ``energy_weight`` is the energy:force weight (forces 1, per eV/atom : per eV/A),
#: ``energy_zero`` the one-body convention (:func:`linace.fit.fit`), ``basis_size`` the basis as a factor
#: on the default's number of functions at that K (:func:`linace.study.runs.scaled_truncation`),
#: ``compare_range`` the range (A) of
#: the dimer-curve comparison (default: the data directory's).
EXTRA_AXES = (
    ("energy_weight", "w", 30.0),
    ("energy_zero", "e0", "atom"),
    ("basis_size", "b", 1.0),
    ("compare_range", "r", None),
)


def _format_axis(value) -> str:
    if isinstance(value, (list, tuple)):
        return "-".join(f"{float(x):g}" for x in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def run_title(params: Mapping) -> str:
    """Human-readable title of a run, e.g. ``'K = 3, diverse'``.

    Parameters
    ----------
    params : mapping
        As for :func:`run_id`. The variant and the regularisation are appended when they differ
        from the defaults: ``'K = 3, diverse, pure, ridge'``.

    Returns
    -------
    str
        The title; the executed notebook's first cell is ``# <title>``.
    """
    parts = [f"K = {params['body_order']}", str(params["training_set"])]
    for key, default in (("variant", DEFAULT_VARIANT), ("regularisation", DEFAULT_REGULARISATION)):
        if params.get(key, default) != default:
            parts.append(str(params[key]))
    labels = {
        "energy_weight": "E:F = {}",
        "energy_zero": "E0 {}",
        "basis_size": "basis x{}",
        "compare_range": "compared over {} A",
    }
    for key, _, default in EXTRA_AXES:
        if key in params and params[key] != default:
            parts.append(labels[key].format(_format_axis(params[key])))
    return ", ".join(parts)


# ----------------------------------------------------------------------------- inputs of a run
def default_manifest() -> Path:
    """``manifest.json`` of the default data directory, carbon's
    (:func:`linace.study.datasets.element_dir`: ``data/C``, or ``$LINACE_DATA/C``)."""
    from linace.study.datasets import MANIFEST, element_dir

    return element_dir() / MANIFEST


def input_hash(params: Mapping, notebook_source: str, manifest: str | os.PathLike | None = None) -> str:
    """SHA-256 (hex) of everything a run's result depends on.

    Parameters
    ----------
    params : mapping
        The run's parameters (JSON-serialisable; ``result_path`` is a location, not an input, and
        must not be included).
    notebook_source : str
        Source text of the template notebook.
    manifest : path, optional
        The data manifest; its content (:func:`manifest_content`: without the keys that only
        document, :data:`DOCUMENTATION_KEYS`) is included if the file exists.

    Returns
    -------
    str
        64 hex digits; also covers ``linace.__version__`` and the source of the library and the
        study (:func:`linace.study.source_digest`), so any change of the code re-runs the sweep.
    """
    inputs = {
        "parameters": dict(params),
        "notebook": notebook_source,
        "linace": linace.__version__,
        "source": source_digest(),
        "data_manifest": manifest_content(manifest),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def manifest_content(manifest: str | os.PathLike | None) -> object:
    """What of a data manifest a run's result depends on: the parsed JSON without the keys of
    :data:`DOCUMENTATION_KEYS` (``description`` also inside every set and every section, never a set
    *named* ``description``); the raw text if the file is not a JSON object; None if there is no file."""
    if manifest is None or not Path(manifest).is_file():
        return None
    text = Path(manifest).read_text()
    try:
        meta = json.loads(text)
    except ValueError:
        return text
    if not isinstance(meta, dict):
        return text

    def undocumented(section: object) -> object:
        return {k: v for k, v in section.items() if k != "description"} if isinstance(section, dict) else section

    content = {key: undocumented(value) for key, value in meta.items() if key not in DOCUMENTATION_KEYS}
    if isinstance(meta.get("sets"), dict):  # set names are data: only each set's own description goes
        content["sets"] = {name: undocumented(entry) for name, entry in meta["sets"].items()}
    return content


# ----------------------------------------------------------------------------- the sweep
@dataclass(frozen=True)
class RunFailure:
    """A run that failed: its id, the error message, and the executed notebook to inspect (or None)."""

    run_id: str
    error: str
    notebook: str | None


@dataclass
class SweepReport:
    """Outcome of :func:`run_sweep`, in grid order.

    Attributes
    ----------
    executed : list of str
        Ids of the runs executed successfully in this sweep.
    skipped : list of str
        Ids of the runs whose result was up to date.
    failed : list of RunFailure
        Runs that were executed and failed.
    """

    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[RunFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if no run failed."""
        return not self.failed

    def summary(self) -> str:
        """One line: how many runs were executed, skipped and failed."""
        return f"sweep: {len(self.executed)} executed, {len(self.skipped)} up to date, {len(self.failed)} failed"


def _up_to_date(task: RunTask) -> bool:
    """True if the run's result records the current input hash and its executed notebook exists."""
    try:
        recorded = read_record(task.locate(task.result)).input_hash("sweep")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return recorded == task.input_hash and task.locate(task.notebook).is_file()


def _tasks(
    parameter_grid: Sequence[Mapping],
    notebook: Path,
    results_dir: Path,
    notebooks_dir: Path,
    manifest: str | os.PathLike | None,
    kernel_name: str,
) -> list[RunTask]:
    """One :class:`RunTask` per grid point; raises :class:`SweepError` for a missing template or
    duplicate run ids."""
    if not notebook.is_file():
        raise SweepError(
            f"template notebook {notebook} not found"
            + ("" if notebook.is_absolute() else f" (relative to the working directory {os.getcwd()})")
        )
    source = notebook.read_text()
    ids = [run_id(params) for params in parameter_grid]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SweepError(f"the grid gives the same run id to several runs: {', '.join(duplicates)}")
    return [
        RunTask(
            run_id=identifier,
            title=run_title(params),
            parameters=dict(params),
            template=str(notebook),
            base_dir=os.getcwd(),
            notebook_source=source,
            input_hash=input_hash(params, source, manifest),
            result=str(results_dir / f"{identifier}.json"),
            notebook=str(notebooks_dir / f"{identifier}.ipynb"),
            kernel_name=kernel_name,
        )
        for identifier, params in zip(ids, parameter_grid, strict=True)
    ]


def path_digest(folder: str | os.PathLike) -> str:
    """Eight hex digits of the SHA-256 of a folder's absolute path (symbolic links resolved): what
    tells apart the results folders of two data directories of the same name."""
    return hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:8]


def results_dir_of(data_dir: str | os.PathLike) -> Path:
    """Where the runs on a data directory go by default, apart from the committed study's records.

    ``RESULTS_ROOT/<folder name>-<digest>`` (:func:`path_digest` of the absolute path: ``a/si_base``
    and ``b/si_base`` get two folders); the repository's own element folders ``data/<element>``
    (``data/Si``) go to ``results/<element>`` (``results/Si``, which chapter 07 reads).
    """
    folder = Path(data_dir).resolve()
    if folder.parent == REPOSITORY_DATA_DIR.resolve():
        return RESULTS_ROOT / _safe(folder.name)
    return RESULTS_ROOT / f"{_safe(folder.name)}-{path_digest(folder)}"


def _marker(data_dir: Path, manifest: Path) -> dict:
    """The content of a results folder's :data:`RESULTS_MARKER` for runs of ``data_dir``."""
    try:
        digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
    except OSError:
        digest = None
    return {"data_dir": str(data_dir), "manifest_sha256": digest}


def _recorded_data_dirs(results_dir: Path, data_dir: Path | None = None, manifest: Path | None = None) -> set[str]:
    """The data directories the run records in ``results_dir`` name (``provenance.data_dir``, absolute;
    None in a record means the committed carbon data); records that name none are not counted.

    A record made in another checkout of the repository from the same data counts as ``data_dir``'s:
    its folder lies at the same place inside its ``data/`` tree (e.g. ``data/paper/Si``) and its sets'
    checksums (``provenance.data_sha256``) are those of ``manifest`` (committed records, such as
    ``data/paper/<element>/runs``, made in one clone and extended in another)."""
    from .datasets import element_dir

    checksums, tail = None, None
    if data_dir is not None and manifest is not None:
        try:
            checksums = {name: entry.get("sha256") for name, entry in json.loads(manifest.read_text())["sets"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            checksums = None
        parts = data_dir.parts
        tail = parts[len(parts) - 1 - parts[::-1].index("data") :] if "data" in parts else None
    found = set()
    for path in results_dir.glob("*.json"):
        try:
            provenance = read_record(path).provenance
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not (isinstance(provenance, dict) and "data_dir" in provenance):
            continue
        recorded = Path(provenance["data_dir"] or element_dir()).resolve()
        if (
            checksums is not None
            and tail is not None
            and provenance.get("data_sha256") == checksums
            and recorded.parts[-len(tail) :] == tail
        ):
            recorded = data_dir  # the same data at the same place of another checkout
        found.add(str(recorded))
    return found


def check_results_dir(
    results_dir: str | os.PathLike, data_dir: str | os.PathLike, manifest: str | os.PathLike | None = None
) -> None:
    """Raise :class:`SweepError` if ``results_dir`` holds the runs of another data directory than
    ``data_dir`` (whose manifest is ``manifest``, default ``data_dir/manifest.json``): its
    :data:`RESULTS_MARKER` names another one, or (a folder written before the marker) one of its run
    records does. A marked folder that no longer exists, with the same manifest (SHA-256), is this
    one moved (a moved checkout) and not refused. Reads only; a folder that does not exist holds no
    runs."""
    results_dir, data_dir = Path(results_dir), Path(data_dir).resolve()
    marker = results_dir / RESULTS_MARKER
    if marker.is_file():
        try:
            marked = json.loads(marker.read_text())
            owners = {str(marked["data_dir"])}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise SweepError(
                f"{marker} is unreadable ({error}): it should name the data directory whose runs "
                f"{results_dir} holds; remove it if the folder is empty"
            ) from None
        manifest = data_dir / "manifest.json" if manifest is None else Path(manifest)
        moved = (
            not Path(marked["data_dir"]).exists()
            and marked.get("manifest_sha256") is not None
            and marked.get("manifest_sha256") == _marker(data_dir, manifest)["manifest_sha256"]
        )
        if moved:  # the same data (same manifest) whose folder has moved, e.g. with a moved checkout
            return
    elif results_dir.is_dir():
        owners = _recorded_data_dirs(
            results_dir, data_dir, data_dir / "manifest.json" if manifest is None else Path(manifest)
        )
    else:
        return
    others = sorted(owners - {str(data_dir)})
    if others:
        raise SweepError(
            f"{results_dir} holds the runs of the data directory {others[0]}, not of {data_dir}: "
            "give the runs of this one a folder of their own (--results-dir, or no --results-dir "
            "for the default, which is one per data directory)"
        )


def claim_results_dir(results_dir: str | os.PathLike, data_dir: str | os.PathLike, manifest: str | os.PathLike) -> None:
    """Write (or refresh) ``results_dir``'s :data:`RESULTS_MARKER`: the folder holds the runs of
    ``data_dir`` (absolute path, and the SHA-256 of its manifest); unchanged content is not rewritten.
    Call :func:`check_results_dir` first."""
    from linace.io import write_atomic

    path = Path(results_dir) / RESULTS_MARKER
    content = json.dumps(_marker(Path(data_dir).resolve(), Path(manifest)), indent=1) + "\n"
    try:
        if path.read_text() == content:
            return
    except OSError:
        pass
    write_atomic(path, content)


def ensure_writable(folder: str | os.PathLike, what: str) -> None:
    """Create ``folder`` if needed and check that a file can be written in it; raise
    :class:`SweepError` (one line: which folder, why) if not. ``what`` names it in the message."""
    import tempfile

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        reason = error.strerror or str(error)
        raise SweepError(f"the {what} {folder} is not writable ({reason}); nothing was run") from None


def check_kernel(kernel_name: str = KERNEL) -> None:
    """Raise :class:`SweepError` with the fix if Jupyter has no kernel ``kernel_name``."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        raise SweepError(
            f"no Jupyter kernel named {kernel_name!r}; install one for this interpreter with "
            f"`{sys.executable} -m ipykernel install --sys-prefix --name {kernel_name}`"
        ) from None


def run_sweep(
    grid: Sequence[Mapping],
    notebook: str | os.PathLike = DEFAULT_NOTEBOOK,
    results_dir: str | os.PathLike = RESULTS_ROOT,
    notebooks_dir: str | os.PathLike = BOOK_SWEEP_DIR,
    executor: concurrent.futures.Executor | None = None,
    force: bool = False,
    progress: bool = True,
    *,
    workers: int = DEFAULT_WORKERS,
    data_manifest: str | os.PathLike | None = None,
    kernel_name: str = KERNEL,
) -> SweepReport:
    """Execute the template notebook once per grid point (skipping up-to-date runs).

    Parameters
    ----------
    grid : sequence of mappings
        Parameter dicts, e.g. from :func:`grid`; each is injected into the notebook together with
        ``result_path``.
    notebook : path
        The template: a jupytext-readable notebook (py:percent) with a cell tagged ``parameters``
        that writes a JSON object to ``result_path``. Its kernel runs in the template's folder.
        Default: the repository's ``book/04_train.py`` (:data:`DEFAULT_NOTEBOOK`).
    results_dir, notebooks_dir : path
        Where ``<run-id>.json`` and the executed ``<run-id>.ipynb`` go (created if missing; relative
        paths are relative to the working directory). Default: the repository's ``results/`` and
        ``book/sweep/``. Before any run both must be writable, and ``results_dir`` must not hold
        the runs of another data directory (:func:`check_results_dir`); it is then marked as the
        data directory's (:data:`RESULTS_MARKER`).
    executor : concurrent.futures.Executor, optional
        Where runs execute, e.g. ``distributed.Client(address).get_executor()``; it is not shut
        down. Default: a ``ProcessPoolExecutor`` with ``workers`` processes, shut down at the end.
    force : bool
        Re-run every run, up to date or not.
    progress : bool
        Show a tqdm progress bar over the executed runs.
    workers : int
        Processes of the default executor.
    data_manifest : path, optional
        Data manifest covered by the input hash; default :func:`default_manifest`. Its folder is
        the data directory the runs belong to.
    kernel_name : str
        Jupyter kernel executing the runs.

    Returns
    -------
    SweepReport
        Executed, skipped and failed runs. Failures are also printed to stderr with the path of
        their executed notebook; they never raise.

    Raises
    ------
    SweepError
        Missing template, duplicate run ids, no such Jupyter kernel, an output folder that is not
        writable or that holds the runs of another data directory: all before any run starts.
    KeyboardInterrupt
        Propagated after cancelling the runs not yet started; finished results stay valid.
    """
    notebook, results_dir, notebooks_dir = Path(notebook), Path(results_dir), Path(notebooks_dir)
    manifest = default_manifest() if data_manifest is None else Path(data_manifest)
    tasks = _tasks(grid, notebook, results_dir, notebooks_dir, manifest, kernel_name)
    check_results_dir(results_dir, manifest.parent, manifest)
    pending = [task for task in tasks if force or not _up_to_date(task)]
    pending_ids = {task.run_id for task in pending}
    report = SweepReport(skipped=[task.run_id for task in tasks if task.run_id not in pending_ids])
    if not pending:
        return report
    ensure_writable(results_dir, "results folder")
    ensure_writable(notebooks_dir, "notebooks folder")
    check_kernel(kernel_name)
    claim_results_dir(results_dir, manifest.parent, manifest)
    removed = remove_stale_scratch()
    if removed:
        print(
            f"sweep: removed {len(removed)} scratch folder(s) of ended sweeps in {removed[0].parent}", file=sys.stderr
        )
    own_executor = executor is None
    executor = default_executor(min(workers, len(pending))) if own_executor else executor
    try:
        outcomes = {outcome.run_id: outcome for outcome in execute_tasks(pending, executor, progress, execute_run)}
    finally:
        if own_executor:
            executor.shutdown(wait=True, cancel_futures=True)
    for task in pending:  # grid order
        outcome = outcomes[task.run_id]
        if outcome.error is None:
            report.executed.append(task.run_id)
        else:
            report.failed.append(RunFailure(task.run_id, outcome.error, outcome.notebook))
    return report


# ----------------------------------------------------------------------------- command line
def _known_training_sets(data_dir: str | os.PathLike | None = None) -> list[str] | None:
    """Training sets of a data directory (default the committed data), or None if unknown."""
    try:
        from linace.study.runs import training_sets

        return training_sets(data_dir)
    except (ImportError, AttributeError, OSError, ValueError):  # no data module or no manifest yet
        return None


def _known_study_choices(name: str) -> list[str] | None:
    """Keys of ``linace.study.runs.<name>`` (``VARIANTS``, ``REGULARISATIONS``), or None if unknown."""
    try:
        from linace.study import runs

        return list(getattr(runs, name))
    except (ImportError, AttributeError):
        return None


def allowed_values(data_dir: str | os.PathLike | None = None) -> dict[str, list | None]:
    """Allowed command-line values per option (None: not known, not validated); the training sets
    are those of ``data_dir`` (default the committed data)."""
    return {
        "body_orders": list(BODY_ORDERS),
        "training_sets": _known_training_sets() if data_dir is None else _known_training_sets(data_dir),
        "variants": _known_study_choices("VARIANTS"),
        "regularisations": _known_study_choices("REGULARISATIONS"),
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m linace.study.sweep",
        description="Run the training notebook with papermill over a grid of (K, training set, variant, "
        "regularisation); skip runs whose result is up to date. Without grid options: the default "
        f"sweep (linace.study.sweep.DEFAULT_PLAN, {len(default_grid())} runs: the standard basis on "
        f"{', '.join(DEFAULT_PLAN['standard'])} and the pure basis on {', '.join(DEFAULT_PLAN['pure'])}, "
        f"K = {BODY_ORDERS[0]}..{BODY_ORDERS[-1]}, {DEFAULT_REGULARISATION}). With any grid option: the "
        "full product of the given values, the others taking the defaults shown.",
        epilog=CACHE_HELP,
    )
    parser.add_argument(
        "--body-orders", nargs="+", type=int, metavar="K", help=f"default {' '.join(map(str, BODY_ORDERS))}"
    )
    parser.add_argument(
        "--training-sets",
        nargs="+",
        metavar="SET",
        help=f"default {' '.join(TRAINING_SETS)}; with --data-dir, every training set of that folder",
    )
    parser.add_argument("--variants", nargs="+", metavar="VARIANT", help=f"default {DEFAULT_VARIANT}")
    parser.add_argument("--regularisations", nargs="+", metavar="REG", help=f"default {DEFAULT_REGULARISATION}")
    parser.add_argument(
        "--energy-weights",
        nargs="+",
        type=float,
        metavar="W",
        help="energy:force weights to sweep (forces 1; default 30, the study's)",
    )
    parser.add_argument(
        "--energy-zeros",
        nargs="+",
        choices=("atom", "fit"),
        metavar="E0",
        help="one-body conventions to sweep: atom (the isolated atom's energy, default) or fit "
        "(a fitted per-atom constant, as pacemaker)",
    )
    parser.add_argument(
        "--basis-sizes",
        nargs="+",
        type=float,
        metavar="X",
        help="basis sizes to sweep, as factors on the default's number of functions at each K "
        "(default 1; e.g. 0.5 1 2)",
    )
    parser.add_argument(
        "--compare-range",
        nargs=2,
        type=float,
        metavar=("LO", "HI"),
        help="range (A) over which dimer curves are compared (default: the data directory's, "
        "its manifest's compare_range or the element's)",
    )
    parser.add_argument(
        "--prior-comparison",
        action="store_true",
        help="instead of the default sweep, the runs of chapter 06's comparison of priors "
        "(linace.study.sweep.PRIOR_COMPARISON: K = 4, diverse and clusters+dimers, standard "
        "and pure, blr-smooth); not with grid options",
    )
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="local worker processes (default 2)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on this Dask scheduler instead of local processes")
    parser.add_argument(
        "--scheduler-timeout",
        type=float,
        default=SCHEDULER_TIMEOUT,
        metavar="SECONDS",
        help=f"give up if the Dask scheduler does not answer within this time (default {SCHEDULER_TIMEOUT:g})",
    )
    parser.add_argument("--force", action="store_true", help="re-run up-to-date runs too")
    parser.add_argument(
        "--notebook",
        default=str(DEFAULT_NOTEBOOK),
        help=f"template notebook (default the repository's book/04_train.py, {DEFAULT_NOTEBOOK})",
    )
    parser.add_argument(
        "--data-dir",
        metavar="PATH",
        help="sweep a data directory of your own (extended XYZ sets and a manifest.json: "
        "python -m linace.study.datasets manifest PATH --element X); default: the "
        "committed carbon data",
    )
    parser.add_argument(
        "--if-complete",
        action="store_true",
        help="with --data-dir: do nothing (exit 0, saying why) while the folder has no manifest "
        "or its manifest lists sets still being computed ('incomplete')",
    )
    parser.add_argument(
        "--results-dir",
        help="where the run records go (a relative path is relative to the working directory). "
        "Default, whatever the working directory: the repository's results/ "
        f"({RESULTS_ROOT}); with --data-dir, results/<folder name>-<digest>, the digest "
        "being 8 hex digits of the SHA-256 of the folder's absolute path (two folders of "
        "the same name never share one), and for the repository's own data/<element> "
        "results/<element>. A results folder holds the runs of one data directory "
        f"(its {RESULTS_MARKER} names it): runs of another one are refused",
    )
    parser.add_argument(
        "--notebooks-dir",
        help="where the executed notebooks go: default the repository's book/sweep, or "
        "<results-dir>/notebooks with --data-dir",
    )
    return parser


def _output_dirs(args: argparse.Namespace) -> tuple[Path, Path]:
    """Where results and executed notebooks go, as absolute paths: the folders given (relative to
    the working directory), else the repository's (:data:`RESULTS_ROOT`, :data:`BOOK_SWEEP_DIR`);
    runs on a data directory of one's own never overwrite the committed study's
    (:func:`results_dir_of`) nor enter the book."""
    if args.results_dir is not None:
        results = Path(args.results_dir).absolute()
    else:
        results = RESULTS_ROOT if args.data_dir is None else results_dir_of(args.data_dir)
    if args.notebooks_dir is not None:
        return results, Path(args.notebooks_dir).absolute()
    return results, BOOK_SWEEP_DIR if args.data_dir is None else results / "notebooks"


def _allowed(args: argparse.Namespace) -> dict[str, list | None]:
    """:func:`allowed_values` of the data directory the command line names (the committed one by default)."""
    return allowed_values() if args.data_dir is None else allowed_values(args.data_dir)


def _incomplete(data_dir: str | os.PathLike) -> str | None:
    """Why a data directory is not ready for a sweep (no manifest, or sets still being computed), or None."""
    from linace.study.datasets import MANIFEST

    path = Path(data_dir) / MANIFEST
    if not path.is_file():
        return f"{path} does not exist"
    import json

    try:
        pending = json.loads(path.read_text()).get("incomplete") or {}
    except (OSError, ValueError):
        return None  # a broken manifest is a usage error of check_data_dir, not 'incomplete'
    return f"sets still being computed: {', '.join(pending)}" if pending else None


#: what the command lines of the sweep and the resampled runs say about the design-row cache
CACHE_HELP = (
    "The runs share a cache of design rows: $LINACE_CACHE (default .cache/design in the repository), "
    "at most $LINACE_CACHE_SIZE bytes (default 1G; e.g. 500M, 2G; 0 caches nothing), the least recently "
    "used entries removed first (linace.fit.DesignCache)."
)


def check_cache_budget(parser: argparse.ArgumentParser) -> None:
    """A usage error if ``$LINACE_CACHE_SIZE`` is not a size (before any run, not in every run)."""
    from linace.fit import FitError, cache_budget

    try:
        cache_budget()
    except FitError as error:
        parser.error(str(error))


def _validate(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit with a usage error naming the unknown values and the allowed ones."""
    check_cache_budget(parser)
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    if not args.scheduler_timeout > 0:
        parser.error(f"--scheduler-timeout must be positive, got {args.scheduler_timeout:g}")
    if args.prior_comparison and any(
        option is not None for option in (args.body_orders, args.training_sets, args.variants, args.regularisations)
    ):
        parser.error("--prior-comparison runs a fixed grid (PRIOR_COMPARISON): give no grid option with it")
    if args.if_complete and args.data_dir is None:
        parser.error("--if-complete needs --data-dir")
    if args.if_complete and (reason := _incomplete(args.data_dir)):
        parser.exit(0, f"sweep: {args.data_dir} is not complete ({reason}); nothing to do\n")
    if args.data_dir is not None:
        from linace.study.datasets import DatasetError, check_data_dir

        try:
            check_data_dir(args.data_dir)
        except DatasetError as error:
            parser.error(f"--data-dir {args.data_dir}: {error}")
    for option, allowed in _allowed(args).items():
        if allowed is None or getattr(args, option) is None:
            continue
        unknown = [value for value in getattr(args, option) if value not in allowed]
        if unknown:
            flag = "--" + option.replace("_", "-")
            parser.error(
                f"{flag}: unknown value(s) {', '.join(map(str, unknown))}; "
                f"allowed: {', '.join(map(str, allowed)) or 'none known yet'}"
            )


def _parameter_grid(args: argparse.Namespace) -> list[dict]:
    """The runs a command line asks for: with ``--prior-comparison`` :func:`prior_comparison_grid` (less
    the sets a ``--data-dir`` does not have); without grid options the default sweep, less the sets a
    ``--data-dir`` does not have and plus, with the standard basis at K = 2..5, the training sets of
    the folder that the default sweep does not name; else the product of the given values and the
    defaults (the training sets: the study's, or every one of ``--data-dir``)."""
    options = (args.body_orders, args.training_sets, args.variants, args.regularisations)
    if args.prior_comparison:  # chapter 06's smoothness-prior refits, on the sets the data directory has
        known = _allowed(args)["training_sets"]
        return [run for run in prior_comparison_grid() if known is None or run["training_set"] in known]
    if all(option is None for option in options):  # no grid option given: the default sweep
        parameter_grid = default_grid()
        known = _allowed(args)["training_sets"]
        if known is not None:  # leave out the sets this data directory does not have, and say so
            missing = sorted({run["training_set"] for run in parameter_grid} - set(known))
            if missing:
                print(
                    f"sweep: training set(s) {', '.join(missing)} not in the data directory; their runs are left out",
                    file=sys.stderr,
                )
            parameter_grid = [run for run in parameter_grid if run["training_set"] in known]
            # a folder's own training sets that the study's plan does not name: K = 2..5, standard, blr
            own = [name for name in known if name not in {run["training_set"] for run in default_grid()}]
            parameter_grid += grid(BODY_ORDERS, own, [DEFAULT_VARIANT], [DEFAULT_REGULARISATION]) if own else []
    else:  # without --training-sets: the committed study's sets, or every training set of --data-dir
        parameter_grid = grid(
            args.body_orders or BODY_ORDERS,
            args.training_sets or (TRAINING_SETS if args.data_dir is None else _allowed(args)["training_sets"]),
            args.variants or [DEFAULT_VARIANT],
            args.regularisations or [DEFAULT_REGULARISATION],
        )
    return parameter_grid


def _with_extra_axes(parameter_grid: list[dict], args: argparse.Namespace) -> list[dict]:
    """Every run of the grid once per value of the extra axes asked for (:data:`EXTRA_AXES`); a
    default value is left out of the parameters (the run keeps its id and input hash)."""
    axes = {
        "energy_weight": args.energy_weights,
        "energy_zero": args.energy_zeros,
        "basis_size": args.basis_sizes,
        "compare_range": [list(args.compare_range)] if args.compare_range else None,
    }
    for key, _tag, default in EXTRA_AXES:
        values = axes[key]
        if not values:
            continue
        parameter_grid = [
            {**run, **({} if value == default else {key: value})} for run in parameter_grid for value in values
        ]
    return parameter_grid


def _sweep_from_args(args: argparse.Namespace) -> SweepReport:
    parameter_grid = _with_extra_axes(_parameter_grid(args), args)
    results_dir, notebooks_dir = _output_dirs(args)
    options = dict(
        notebook=args.notebook,
        results_dir=results_dir,
        notebooks_dir=notebooks_dir,
        force=args.force,
        workers=args.workers,
    )
    if args.data_dir is not None:  # every run reads the folder; its manifest enters the input hash
        data_dir = str(Path(args.data_dir).resolve())
        parameter_grid = [{**run, "data_dir": data_dir} for run in parameter_grid]
        from linace.study.datasets import MANIFEST

        options["data_manifest"] = Path(data_dir) / MANIFEST
    if args.scheduler is None:
        return run_sweep(parameter_grid, **options)
    with dask_client(args.scheduler, args.scheduler_timeout) as client:
        return run_sweep(parameter_grid, executor=client.get_executor(), **options)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (0 ok, 1 a run failed or the Dask scheduler did not
    answer, 2 invalid arguments, 130 interrupted)."""
    parser = _parser()
    args = parser.parse_args(argv)
    _validate(parser, args)
    try:
        report = _sweep_from_args(args)
    except SchedulerError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    except (SweepError, ExecutorError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    except KeyboardInterrupt:
        print("sweep: interrupted; finished runs are kept, run again to resume", file=sys.stderr)
        return 130
    print(report.summary())
    for failure in report.failed:
        print(
            f"  FAILED {failure.run_id}: {failure.error}"
            + (f" (notebook: {failure.notebook})" if failure.notebook else ""),
            file=sys.stderr,
        )
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
