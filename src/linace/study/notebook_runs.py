"""One run of the training notebook: papermill executes the template with the run's parameters,
and the executed notebook becomes the run's book page.

The template (default ``book/04_train.py``, a jupytext py:percent file with a cell tagged
``parameters``) runs once per point of a parameter grid of :mod:`linace.study.sweep`. It receives
the run's parameters plus ``result_path`` and must write a JSON object there. Each run leaves two
files:

``<results_dir>/<run-id>.json``
    the notebook's JSON result plus a ``"sweep"`` block: ``input_hash``, ``run_id``, ``template``,
    ``notebook`` (the executed notebook), ``wall_time_s`` and ``timestamp`` (UTC, ISO 8601).
``<notebooks_dir>/<run-id>.ipynb``
    the executed notebook as a book page (:func:`_run_page`): a first markdown cell ``# <run title>``
    listing the run's parameters is its only title (the template's own level-1 headings are dropped),
    and the template's ``parameters`` cell and papermill's ``injected-parameters`` cell (defaults,
    and the private ``result_path``) are tagged ``remove-cell``. The book shows these pages (part
    "Sweep runs", ``glob: book/sweep/*``) from their stored outputs, without re-executing.

Results and notebooks are written through a temporary file and ``os.replace``
(:func:`linace.io.write_atomic`: the mode the umask gives, e.g. 0644; the notebook itself executes
in a private scratch folder, where its ``result_path`` points), so an interrupted run leaves the
previous result and page intact. The scratch folder (:func:`scratch_folder`,
``<tmp>/linace-sweep-<pid>-<random>``) names the process that owns it: a sweep killed with -9 leaves
its folders behind, and the next sweep removes those whose process has ended
(:func:`remove_stale_scratch`). A failing run (the notebook raises, or writes no result) is
returned as an error, never raised; its executed notebook is kept in ``<notebooks_dir>/failed/``
for inspection (outside the book).

The kernels run with their own log silenced (:data:`KERNEL_ARGUMENTS`): what a run prints is in its
notebook, and the sweep's terminal shows only the progress bar and the sweep's own messages.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from linace.io import write_atomic

from .executors import RunOutcome

__all__ = [
    "FAILED_DIR",
    "KERNEL",
    "KERNEL_ARGUMENTS",
    "PARAMETER_TAGS",
    "REMOVE_TAG",
    "RESULT_PARAMETER",
    "RunTask",
    "SCRATCH_PREFIX",
    "execute_run",
    "remove_stale_scratch",
    "scratch_folder",
]

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
#: cell tag of a template's cells that speak as the book's chapter (learning objectives, "in the
#: book it runs with the default parameters"): a run's page leaves them out
CHAPTER_ONLY_TAG = "chapter-only"
FAILED_DIR = "failed"
#: start of the name of a run's scratch folder, ``<tmp>/linace-sweep-<pid>-<random>`` (short: the
#: kernel's sockets live in it, and a Unix socket path has at most 107 characters)
SCRATCH_PREFIX = "linace-sweep-"
_SCRATCH_NAME = re.compile(rf"{re.escape(SCRATCH_PREFIX)}(\d+)-[A-Za-z0-9_]+")


def scratch_folder() -> tempfile.TemporaryDirectory:
    """A new private scratch folder for one run, ``<tmp>/linace-sweep-<pid>-<random>`` (``<tmp>``:
    :func:`tempfile.gettempdir`, ``$TMPDIR`` if set), removed when the returned object is cleaned up or
    used as a context manager; ``<pid>`` is the process that owns it (:func:`remove_stale_scratch`)."""
    return tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")


def _process_alive(pid: int) -> bool:
    """True if a process ``pid`` exists (it may belong to another user); pid 0 or below never is ours."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    return True


def remove_stale_scratch(directory: str | os.PathLike | None = None) -> list[Path]:
    """Remove the scratch folders (:func:`scratch_folder`) whose owner process has ended; returns them.

    A run's scratch folder is removed by the run itself, even when it fails; a sweep killed with -9
    (or a machine losing power) leaves it behind. Only folders named ``linace-sweep-<pid>-<random>``,
    owned by this user, whose ``<pid>`` names no running process are removed: never one of a live
    process (a pid taken again by another process keeps its folder: the safe side), never an older
    sweep's ``linace-sweep-<random>``, which names no process. ``directory`` defaults to
    :func:`tempfile.gettempdir`.
    """
    import shutil

    folder = Path(tempfile.gettempdir() if directory is None else directory)
    removed = []
    for path in sorted(folder.glob(f"{SCRATCH_PREFIX}*")):
        match = _SCRATCH_NAME.fullmatch(path.name)
        try:
            if match is None or path.is_symlink() or not path.is_dir() or path.stat().st_uid != os.getuid():
                continue
        except OSError:  # removed meanwhile
            continue
        if _process_alive(int(match[1])):
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed


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
    run's, and papermill's injected values with the private ``result_path``) and the cells that speak
    as the template's chapter (:data:`CHAPTER_ONLY_TAG`) are tagged :data:`REMOVE_TAG`, so the book
    leaves them out. Outputs are not touched.
    """
    import nbformat

    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = _LEADING_TITLE.sub("", cell.source, count=1)
            if not cell.source.strip():
                continue
        tags = cell.metadata.get("tags", [])
        if any(tag in (*PARAMETER_TAGS, CHAPTER_ONLY_TAG) for tag in tags) and REMOVE_TAG not in tags:
            cell.metadata["tags"] = [*tags, REMOVE_TAG]
        cells.append(cell)
    title = nbformat.v4.new_markdown_cell(
        f"# {task.title}\n\n{_parameters_line(task.parameters)}", metadata={"tags": ["sweep-title"]}
    )
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
        return None, (
            f"the notebook ran without error but wrote no result (does the template write a JSON "
            f"object to the path in its `{RESULT_PARAMETER}` parameter?)"
        )
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
    with scratch_folder() as scratch:
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
