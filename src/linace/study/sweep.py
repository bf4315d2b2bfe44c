"""Papermill sweeps of the training notebook over parameter grids, on local processes or a Dask cluster.

One *run* executes the template notebook (default ``book/04_train.py``, a jupytext py:percent file
with a cell tagged ``parameters``) with papermill for one point of a parameter grid::

    params = {"body_order": 3, "training_set": "diverse", "variant": "standard", "regularisation": "ridge"}
    run_id(params)     # 'K3-diverse-standard-ridge' (the default regularisation is 'blr')
    run_title(params)  # 'K = 3, diverse'

The notebook receives the run's parameters plus ``result_path`` and must write a JSON object there.
Each run leaves two files:

``<results_dir>/<run-id>.json``
    the notebook's JSON result plus a ``"sweep"`` block: ``input_hash``, ``run_id``, ``template``,
    ``notebook`` (the executed notebook), ``wall_time_s`` and ``timestamp`` (UTC, ISO 8601).
``<notebooks_dir>/<run-id>.ipynb``
    the executed notebook as a book page (:func:`_run_page`): a first markdown cell ``# <run title>``
    listing the run's parameters is its only title (the template's own level-1 headings are dropped),
    and the template's ``parameters`` cell and papermill's ``injected-parameters`` cell (defaults,
    and the private ``result_path``) are tagged ``remove-cell``. The book shows these pages (part
    "Sweep runs", ``glob: book/sweep/*``) from their stored outputs, without re-executing.

A run is *skipped* when its result exists, its recorded ``input_hash`` equals the current one
(:func:`input_hash`: parameters, template source, ``linace.__version__``, the library source and the data manifest) and
its executed notebook exists; ``force=True`` re-runs everything. Results and notebooks are written
through a temporary file and ``os.replace`` (:func:`linace.io.write_atomic`: the mode the umask
gives, e.g. 0644; the notebook itself executes in a private scratch folder, where its
``result_path`` points), so an interrupted sweep leaves every finished run intact and the next
sweep resumes with the missing ones. A failing run (the notebook raises, or
writes no result) is reported, its executed notebook is kept in ``<notebooks_dir>/failed/`` for
inspection (outside the book), and it neither aborts the other runs nor touches the previous result
or page of that run.

Runs are independent tasks (:func:`execute_run`, a picklable top-level function) submitted to a
:class:`concurrent.futures.Executor`: local processes by default, or a Dask cluster
(``distributed.Client(address).get_executor()``; all paths must then be on a file system shared
with the workers, and the workers need linace, papermill and a ``python3`` Jupyter kernel).

The kernels run with their own log silenced (:data:`KERNEL_ARGUMENTS`): what a run prints is in its
notebook, and the sweep's terminal shows only the progress bar and the sweep's own messages.

Command line (``python -m linace.study.sweep --help``)::

    python -m linace.study.sweep                               # K = 2..5 x {dimers, narrow, crystals, diverse}
    python -m linace.study.sweep --body-orders 2 3 --training-sets diverse --workers 2
    python -m linace.study.sweep --scheduler tcp://10.0.0.1:8786   # run on a Dask cluster
    python -m linace.study.sweep --data-dir my_data --body-orders 2 3 4   # your own data (any element)

With ``--data-dir`` the folder is checked first (:func:`linace.study.datasets.check_data_dir`: a bad
folder is a usage error naming the file), every run gets the parameter ``data_dir``, its manifest
enters the input hash, and results go to ``results/<folder name>/`` (notebooks in its
``notebooks/``), apart from the committed study and outside the book.

The exit code is 1 if any run failed or the Dask scheduler did not answer (within
``--scheduler-timeout`` seconds, one line on stderr), 2 for invalid arguments, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import hashlib
import itertools
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import linace
from linace.io import write_atomic

from .executors import ExecutorError, RunOutcome, SchedulerError, dask_client, default_executor, execute_tasks

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
    "default_grid",
    "default_manifest",
    "execute_run",
    "grid",
    "input_hash",
    "main",
    "run_id",
    "run_sweep",
    "run_title",
]

#: the training notebook run by default (a jupytext py:percent file)
DEFAULT_NOTEBOOK = "book/04_train.py"
#: body orders of the default grid (also the ones :class:`~linace.basis.ACEBasis` supports)
BODY_ORDERS = (2, 3, 4, 5)
#: training sets of the product grid (:func:`grid`)
TRAINING_SETS = ("dimers", "narrow", "crystals", "diverse")
#: the default sweep (:func:`default_grid`): training sets per basis variant, every K of BODY_ORDERS
DEFAULT_PLAN = {
    "standard": ("dimers", "narrow", "crystals", "diverse", "clusters", "clusters+dimers"),
    "pure": ("diverse", "clusters", "clusters+dimers"),
}
DEFAULT_VARIANT = "standard"
DEFAULT_REGULARISATION = "blr"
#: Jupyter kernel that executes the runs
KERNEL = "python3"
#: command-line options of every run's kernel. Its own log is silenced: jupyter_client interrupts
#: (SIGINT) every kernel it shuts down, and a kernel hit while it still finishes papermill's last
#: ``kernel_info`` request logs "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." to the
#: sweep's terminal; a run's own output and errors are in its notebook
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=CRITICAL",)
#: name of the notebook parameter that receives the path of the JSON result
RESULT_PARAMETER = "result_path"
#: notebook cells that hold parameters: the template's defaults and papermill's injected values
PARAMETER_TAGS = ("parameters", "injected-parameters")
#: cell tag that makes Jupyter Book leave a cell out of the page
REMOVE_TAG = "remove-cell"
FAILED_DIR = "failed"
DEFAULT_WORKERS = 2
#: seconds to wait for a Dask scheduler to answer (``--scheduler-timeout``)
SCHEDULER_TIMEOUT = 30.0


class SweepError(RuntimeError):
    """A sweep cannot start (duplicate run ids, missing template, no Jupyter kernel)."""


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
        Basis variants and regularisation schemes (keys of :data:`linace.study.VARIANTS` and
        :data:`linace.study.REGULARISATIONS` for the training notebook).

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
    return "-".join(_safe(part) for part in parts)


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
    return ", ".join(parts)


# ----------------------------------------------------------------------------- inputs of a run
def default_manifest() -> Path:
    """``manifest.json`` of the data directory (:data:`linace.study.datasets.DATA_DIR`, i.e. ``$LINACE_DATA``
    or ``data/`` of the repository)."""
    from linace.study.datasets import DATA_DIR, MANIFEST

    return Path(DATA_DIR) / MANIFEST


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
        The data manifest; its contents are included if the file exists.

    Returns
    -------
    str
        64 hex digits; also covers ``linace.__version__`` and the library's source
        (:func:`linace.source_digest`), so any change of the code re-runs the sweep.
    """
    manifest_text = None
    if manifest is not None and Path(manifest).is_file():
        manifest_text = Path(manifest).read_text()
    inputs = {
        "parameters": dict(params),
        "notebook": notebook_source,
        "linace": linace.__version__,
        "library_source": linace.source_digest(),
        "data_manifest": manifest_text,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


# ----------------------------------------------------------------------------- one run (worker side)
@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs to execute one run (picklable).

    ``template``, ``result`` and ``notebook`` are the paths as the sweep was given them (recorded
    and reported like that); relative ones are relative to ``base_dir``, the sweep's working
    directory (see :meth:`locate`). ``notebook_source`` is the template text read once by the
    sweep, so the executed notebook is exactly the one that ``input_hash`` describes even if the
    file is edited meanwhile.
    """

    run_id: str
    title: str
    parameters: dict
    template: str
    notebook_source: str
    input_hash: str
    result: str
    notebook: str
    base_dir: str
    kernel_name: str = KERNEL

    def locate(self, path: str | os.PathLike) -> Path:
        """``path`` (one of the task's paths) as an absolute path, wherever the worker runs."""
        return Path(self.base_dir, path)

    @property
    def failed_notebook(self) -> str:
        """Where the executed notebook of a failed run goes: ``<notebooks_dir>/failed/<run-id>.ipynb``."""
        notebook = Path(self.notebook)
        return str(notebook.parent / FAILED_DIR / notebook.name)


def _describe(error: BaseException) -> str:
    """One-line description of why a run failed."""
    import papermill

    if isinstance(error, papermill.PapermillExecutionError):
        return f"{error.ename}: {error.evalue} (in cell [{error.exec_count}])"
    return f"{type(error).__name__}: {error}"


def _kernel_config(scratch: Path):
    """Kernel manager configuration of one run: on POSIX, the kernel talks over Unix sockets in the
    run's scratch folder instead of TCP ports (kernels started at the same moment by different
    worker processes can otherwise pick the same free port and fail to start)."""
    from traitlets.config import Config

    if os.name != "posix":
        return Config()
    return Config({"KernelManager": {"transport": "ipc", "ip": str(scratch / "kernel")}})


def _execute_notebook(task: RunTask, output: Path, result: Path) -> str | None:
    """Execute the template with papermill into ``output``; returns an error message or None.

    The kernel runs in the template's folder (as in the book build) through nbclient's
    ``resources``, not papermill's ``cwd`` (which would ``chdir`` the whole worker process);
    ``output`` lies in the run's private scratch folder, which also holds the kernel's sockets.
    """
    import jupytext
    import papermill

    template = task.locate(task.template)
    notebook = jupytext.reads(task.notebook_source, fmt=template.suffix)
    try:
        papermill.execute_notebook(
            notebook,
            str(output),
            parameters={**task.parameters, RESULT_PARAMETER: str(result)},
            kernel_name=task.kernel_name,
            language="python",
            progress_bar=False,
            resources={"metadata": {"path": str(template.parent)}},
            config=_kernel_config(output.parent),
            extra_arguments=list(KERNEL_ARGUMENTS),
        )
    except Exception as error:  # noqa: BLE001  (any failure of one run is reported, never raised)
        return _describe(error)
    return None


#: a level-1 ATX heading on the first line of a markdown cell, with the blank lines after it
_LEADING_TITLE = re.compile(r"\A#[ \t]+[^\n]*\n*")


def _parameters_line(parameters: Mapping) -> str:
    """The run's parameters as one markdown line, e.g. ``Parameters: `body_order = 3`, ...``."""
    return "Parameters: " + ", ".join(f"`{name} = {value!r}`" for name, value in parameters.items())


def _run_page(task: RunTask, notebook) -> None:
    """Turn the executed notebook (an ``nbformat`` notebook, changed in place) into the run's book page.

    One title: a first markdown cell ``# <run title>`` with the run's parameters; a level-1 heading
    opening a markdown cell of the template (its own title) is dropped, and so is a cell left
    empty. The parameter cells (:data:`PARAMETER_TAGS`: the template's defaults, which are not the
    run's, and papermill's injected values with the private ``result_path``) are tagged
    :data:`REMOVE_TAG`, so the book leaves them out. Outputs are not touched.
    """
    import nbformat

    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = _LEADING_TITLE.sub("", cell.source, count=1)
            if not cell.source.strip():
                continue
        tags = cell.metadata.get("tags", [])
        if any(tag in PARAMETER_TAGS for tag in tags) and REMOVE_TAG not in tags:
            cell.metadata["tags"] = [*tags, REMOVE_TAG]
        cells.append(cell)
    title = nbformat.v4.new_markdown_cell(f"# {task.title}\n\n{_parameters_line(task.parameters)}",
                                          metadata={"tags": ["sweep-title"]})
    notebook.cells = [title, *cells]


def _finish_notebook(task: RunTask, partial: Path, destination: str) -> None:
    """Make the executed notebook the run's page (:func:`_run_page`), clean its metadata and move it
    to ``destination`` (one of the task's paths)."""
    import nbformat

    notebook = nbformat.read(partial, as_version=4)
    _run_page(task, notebook)
    # an output, not a jupytext pair: opening it must not create book/sweep/<id>.py beside it
    notebook.metadata.pop("jupytext", None)
    # record the run's places, not the private scratch folder it executed in
    papermill_metadata = notebook.metadata.setdefault("papermill", {})
    papermill_metadata.update(input_path=task.template, output_path=destination)
    if RESULT_PARAMETER in papermill_metadata.get("parameters", {}):
        papermill_metadata["parameters"][RESULT_PARAMETER] = task.result
    write_atomic(task.locate(destination), nbformat.writes(notebook))


def _read_result(partial: Path) -> tuple[dict | None, str | None]:
    """The JSON object the notebook wrote to ``partial``, or None and why it is not usable."""
    try:
        record = json.loads(partial.read_text())
    except FileNotFoundError:
        return None, (f"the notebook ran without error but wrote no result (does the template write a JSON "
                      f"object to the path in its `{RESULT_PARAMETER}` parameter?)")
    except (OSError, ValueError) as error:
        return None, f"the result written by the notebook is not valid JSON: {error}"
    if not isinstance(record, dict):
        return None, f"the result written by the notebook is a JSON {type(record).__name__}, not an object"
    return record, None


def _write_result(task: RunTask, record: dict, wall_time: float) -> None:
    """Add the ``"sweep"`` block to the notebook's result and write it to ``task.result``."""
    record["sweep"] = {
        "input_hash": task.input_hash,
        "run_id": task.run_id,
        "template": task.template,
        "notebook": task.notebook,
        "wall_time_s": round(wall_time, 3),
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    write_atomic(task.locate(task.result), json.dumps(record, indent=1))


def execute_run(task: RunTask) -> RunOutcome:
    """Execute one run, then write its notebook and finally its result (the commit point) in place.

    The notebook executes into a private temporary folder (its ``result_path`` points there too),
    so nothing in the results or notebooks folders changes until the run has succeeded. Never
    raises for a failing run (the notebook raises, or writes no JSON object): the error is returned
    in the :class:`RunOutcome`, the executed notebook goes to ``failed/`` beside the notebooks,
    and the previous result and page of the run are left untouched. This is the task submitted to
    the executor (a top-level function: picklable).
    """
    with tempfile.TemporaryDirectory(prefix="linace-sweep-") as scratch:  # short: socket paths
        partial_notebook = Path(scratch, f"{task.run_id}.ipynb")
        partial_result = Path(scratch, f"{task.run_id}.json")
        start = time.perf_counter()
        error = _execute_notebook(task, partial_notebook, partial_result)
        wall_time = time.perf_counter() - start
        record = None
        if error is None:
            record, error = _read_result(partial_result)
        if not partial_notebook.is_file():
            return RunOutcome(task.run_id, error or "papermill wrote no executed notebook", None, wall_time)
        if error is not None:
            _finish_notebook(task, partial_notebook, task.failed_notebook)
            return RunOutcome(task.run_id, error, task.failed_notebook, wall_time)
        _finish_notebook(task, partial_notebook, task.notebook)
        _write_result(task, record, wall_time)
        task.locate(task.failed_notebook).unlink(missing_ok=True)  # an earlier failure is resolved
        return RunOutcome(task.run_id, None, task.notebook, wall_time)


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
        record = json.loads(task.locate(task.result).read_text())
        recorded = record["sweep"]["input_hash"]
    except (OSError, ValueError, KeyError, TypeError):
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
        raise SweepError(f"template notebook {notebook} not found")
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
    results_dir: str | os.PathLike = "results",
    notebooks_dir: str | os.PathLike = "book/sweep",
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
    results_dir, notebooks_dir : path
        Where ``<run-id>.json`` and the executed ``<run-id>.ipynb`` go (created if missing).
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
        Data manifest covered by the input hash; default :func:`default_manifest`.
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
        Missing template, duplicate run ids, or no such Jupyter kernel.
    KeyboardInterrupt
        Propagated after cancelling the runs not yet started; finished results stay valid.
    """
    notebook, results_dir, notebooks_dir = Path(notebook), Path(results_dir), Path(notebooks_dir)
    manifest = default_manifest() if data_manifest is None else Path(data_manifest)
    tasks = _tasks(grid, notebook, results_dir, notebooks_dir, manifest, kernel_name)
    notebooks_dir.mkdir(parents=True, exist_ok=True)
    pending = [task for task in tasks if force or not _up_to_date(task)]
    pending_ids = {task.run_id for task in pending}
    report = SweepReport(skipped=[task.run_id for task in tasks if task.run_id not in pending_ids])
    if not pending:
        return report
    check_kernel(kernel_name)
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
                    "sweep (linace.study.sweep.DEFAULT_PLAN, 36 runs: the standard basis on dimers, narrow, crystals, "
                    "diverse, clusters, clusters+dimers and the pure basis on diverse, clusters, clusters+dimers, "
                    "K = 2..5, blr). With any grid option: the full product of the given values, the others "
                    "taking the defaults shown.",
    )
    parser.add_argument("--body-orders", nargs="+", type=int, metavar="K",
                        help=f"default {' '.join(map(str, BODY_ORDERS))}")
    parser.add_argument("--training-sets", nargs="+", metavar="SET", help=f"default {' '.join(TRAINING_SETS)}")
    parser.add_argument("--variants", nargs="+", metavar="VARIANT", help=f"default {DEFAULT_VARIANT}")
    parser.add_argument("--regularisations", nargs="+", metavar="REG", help=f"default {DEFAULT_REGULARISATION}")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="local worker processes (default 2)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on this Dask scheduler instead of local processes")
    parser.add_argument("--scheduler-timeout", type=float, default=SCHEDULER_TIMEOUT, metavar="SECONDS",
                        help=f"give up if the Dask scheduler does not answer within this time "
                             f"(default {SCHEDULER_TIMEOUT:g})")
    parser.add_argument("--force", action="store_true", help="re-run up-to-date runs too")
    parser.add_argument("--notebook", default=DEFAULT_NOTEBOOK, help=f"template notebook (default {DEFAULT_NOTEBOOK})")
    parser.add_argument("--data-dir", metavar="PATH",
                        help="sweep a data directory of your own (extended XYZ sets and a manifest.json: "
                             "python -m linace.study.datasets manifest PATH --element X); default: the "
                             "committed carbon data")
    parser.add_argument("--results-dir", help="default results, or results/<data-dir name> with --data-dir")
    parser.add_argument("--notebooks-dir",
                        help="default book/sweep, or <results-dir>/notebooks with --data-dir")
    return parser


def _output_dirs(args: argparse.Namespace) -> tuple[str, str]:
    """Where results and executed notebooks go: runs on a data directory of one's own never
    overwrite the committed study's (``results/<folder name>``) nor enter the book."""
    if args.data_dir is None:
        results = args.results_dir or "results"
        return results, args.notebooks_dir or "book/sweep"
    results = args.results_dir or str(Path("results") / _safe(Path(args.data_dir).resolve().name))
    return results, args.notebooks_dir or str(Path(results) / "notebooks")


def _allowed(args: argparse.Namespace) -> dict[str, list | None]:
    """:func:`allowed_values` of the data directory the command line names (the committed one by default)."""
    return allowed_values() if args.data_dir is None else allowed_values(args.data_dir)


def _validate(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit with a usage error naming the unknown values and the allowed ones."""
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    if not args.scheduler_timeout > 0:
        parser.error(f"--scheduler-timeout must be positive, got {args.scheduler_timeout:g}")
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
            parser.error(f"{flag}: unknown value(s) {', '.join(map(str, unknown))}; "
                         f"allowed: {', '.join(map(str, allowed)) or 'none known yet'}")


def _sweep_from_args(args: argparse.Namespace) -> SweepReport:
    options = (args.body_orders, args.training_sets, args.variants, args.regularisations)
    if all(option is None for option in options):  # no grid option given: the default sweep
        parameter_grid = default_grid()
        known = _allowed(args)["training_sets"]
        if known is not None:  # leave out the sets this data directory does not have, and say so
            missing = sorted({run["training_set"] for run in parameter_grid} - set(known))
            if missing:
                print(f"sweep: training set(s) {', '.join(missing)} not in the data directory; "
                      "their runs are left out", file=sys.stderr)
            parameter_grid = [run for run in parameter_grid if run["training_set"] in known]
    else:
        parameter_grid = grid(
            args.body_orders or BODY_ORDERS,
            args.training_sets or TRAINING_SETS,
            args.variants or [DEFAULT_VARIANT],
            args.regularisations or [DEFAULT_REGULARISATION],
        )
    results_dir, notebooks_dir = _output_dirs(args)
    options = dict(notebook=args.notebook, results_dir=results_dir, notebooks_dir=notebooks_dir,
                   force=args.force, workers=args.workers)
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
        print(f"  FAILED {failure.run_id}: {failure.error}"
              + (f" (notebook: {failure.notebook})" if failure.notebook else ""), file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
