"""Where the study's long work runs: local worker processes that share the cores, or a Dask cluster.

The sweep (:mod:`linace.study.sweep`), the resampled runs (:mod:`linace.study.resample`) and the DFT
workflow (:mod:`linace.study.dft`) all submit picklable tasks to a
:class:`concurrent.futures.Executor`:

* :func:`default_executor`: spawned local processes (safe whatever threads the caller runs), each
  with its share of the cores for BLAS/OpenMP threads (:func:`share_cores`), or a fixed number of
  threads each (:func:`limit_threads`, e.g. one per GPAW worker);
* :func:`dask_client`: a ``distributed.Client`` whose ``get_executor()`` runs the same tasks on a
  Dask cluster; a scheduler that does not answer is one :class:`SchedulerError`, not a traceback.

:func:`execute_tasks` submits the tasks, collects a :class:`RunOutcome` per task as they finish
(with a tqdm bar), and reports failures without stopping the other tasks.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "BLAS_THREAD_VARIABLES",
    "ExecutorError",
    "RunOutcome",
    "SchedulerError",
    "dask_client",
    "default_executor",
    "execute_tasks",
    "limit_threads",
    "share_cores",
]

#: Environment variables that set the number of BLAS/OpenMP threads of a process.
BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class ExecutorError(RuntimeError):
    """The place to run the work was given wrongly (e.g. not a Dask address)."""


class SchedulerError(ExecutorError):
    """The Dask scheduler did not answer, or what answered is not a Dask scheduler."""


@dataclass(frozen=True)
class RunOutcome:
    """What one task reports back (picklable): its id, the error message or None, the executed
    notebook to inspect (or None), and its wall time (s)."""

    run_id: str
    error: str | None
    notebook: str | None
    wall_time_s: float


# ----------------------------------------------------------------------------- local processes
def share_cores(workers: int) -> int:
    """Give each of ``workers`` local worker processes an equal share of the cores for its BLAS
    threads (at least one), through the environment the spawned workers and their notebook kernels
    inherit; variables the user has set are kept. Returns the threads per worker.

    Without it every worker's OpenBLAS starts one thread per core: two workers on two cores each
    run two threads, and a dense SVD of the fits takes 4.4 times as long as with one thread each
    (measured: four 2000 x 1243 SVDs in 26.5 s against 6.0 s).
    """
    threads = max(1, (os.cpu_count() or 1) // max(int(workers), 1))
    for variable in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(variable, str(threads))
    return threads


def limit_threads(threads: int = 1) -> None:
    """Set every BLAS/OpenMP thread variable to ``threads``, whatever the user set (for workers
    whose throughput is best single-threaded, e.g. one GPAW calculation per core). Takes effect in
    processes that import numpy afterwards: spawned workers, or a worker before its first import."""
    for variable in BLAS_THREAD_VARIABLES:
        os.environ[variable] = str(int(threads))


def default_executor(workers: int, threads_per_worker: int | None = None) -> concurrent.futures.ProcessPoolExecutor:
    """``workers`` spawned local processes, each with its share of the cores for BLAS threads
    (:func:`share_cores`), or exactly ``threads_per_worker`` threads each (:func:`limit_threads`)."""
    if threads_per_worker is None:
        share_cores(workers)
    else:
        limit_threads(threads_per_worker)
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


# ----------------------------------------------------------------------------- a Dask cluster
def dask_client(address: str, timeout: float):
    """A ``distributed.Client`` connected to the scheduler at ``address``.

    Raises
    ------
    SchedulerError
        The scheduler did not answer within ``timeout`` seconds (distributed retries a refused
        connection until then), or what answered is not a Dask scheduler.
    ExecutorError
        ``address`` is not a Dask address.
    """
    import distributed  # only needed for a Dask cluster

    try:
        return distributed.Client(address, timeout=timeout)
    except ValueError as error:  # distributed's own message names the known schemes
        raise ExecutorError(f"--scheduler {address}: {error}") from None
    except OSError:  # refused, unreachable or timed out
        raise SchedulerError(f"the Dask scheduler at {address} did not answer within {timeout:g} s") from None
    except Exception as error:  # noqa: BLE001  (something answered, but not a Dask scheduler)
        raise SchedulerError(
            f"could not connect to a Dask scheduler at {address}: {type(error).__name__}: {error}"
        ) from None


# ----------------------------------------------------------------------------- running tasks
def _outcome(future: concurrent.futures.Future, task) -> RunOutcome:
    """The outcome of a finished future; an exception of the executor itself (a dead worker, a
    lost Dask connection) counts as a failure of that task."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001
        return RunOutcome(task.run_id, f"the executor failed: {type(error).__name__}: {error}", None, 0.0)


def _failure_line(outcome: RunOutcome, desc: str) -> str:
    """One line naming the failed task, the error and the executed notebook to inspect."""
    where = f"; inspect {outcome.notebook}" if outcome.notebook else ""
    return f"{desc}: run {outcome.run_id} FAILED: {outcome.error}{where}"


def execute_tasks(
    tasks: Sequence,
    executor: concurrent.futures.Executor,
    progress: bool,
    function: Callable[..., RunOutcome],
    desc: str = "sweep",
) -> list[RunOutcome]:
    """Submit ``function(task)`` for every task (tasks have a ``run_id``; the function returns a
    :class:`RunOutcome`), collect the outcomes as they finish (tqdm bar ``desc`` on stderr), and
    report failures on stderr as they come.

    On KeyboardInterrupt the tasks not yet started are cancelled and the interrupt propagates.
    """
    from tqdm import tqdm

    futures = {executor.submit(function, task): task for task in tasks}
    outcomes = []
    with tqdm(total=len(tasks), desc=desc, unit="run", disable=not progress, file=sys.stderr) as bar:
        try:
            for future in concurrent.futures.as_completed(futures):
                outcome = _outcome(future, futures[future])
                if outcome.error is not None:
                    tqdm.write(_failure_line(outcome, desc), file=sys.stderr)
                outcomes.append(outcome)
                bar.set_postfix_str(f"{outcome.run_id} {'failed' if outcome.error else 'done'}")
                bar.update()
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            raise
    return outcomes
