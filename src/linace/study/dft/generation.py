"""Generation of the reference sets: every structure computed once, resumable, in parallel.

:func:`generate` computes the structures of a set that the cache (:mod:`linace.study.dft.cache`)
does not hold yet, on a process pool or any executor (a Dask client's ``get_executor()``);
molecular sets (:data:`MOLECULAR_GROUPS`) go through the state search instead
(:func:`search_states`, :mod:`linace.study.dft.states`), whose every SCF run is logged, and are
labelled by their lowest run (:func:`label`). Killing a run loses only the structures in flight.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Executor, as_completed
from pathlib import Path

import numpy as np
from ase import Atoms

from linace.study import structures
from linace.study.datasets import element_dir
from linace.study.dft import states
from linace.study.dft.cache import CACHE_NAME, Cache
from linace.study.dft.calculations import compute, format_error, gpaw_executor
from linace.study.dft.settings import DFTSettings, default_settings, geometry_digest, prepare
from linace.study.dft.states import StateSearch

__all__ = [
    "MOLECULAR_GROUPS",
    "SCAN_GROUPS",
    "STATE_SEARCH_DIR",
    "data_dir",
    "generate",
    "group_tasks",
    "label",
    "pool_split",
    "search_states",
    "tasks",
]

#: directory (under ``data/<element>/``) of the state-search run logs, one subdirectory per group
STATE_SEARCH_DIR = "state_search"


def data_dir(element: str) -> Path:
    """The data directory of an element (``data/<element>/``), created."""
    path = element_dir(element)
    path.mkdir(parents=True, exist_ok=True)
    return path


def pool_split(config_types: Sequence[str], element: str = "C") -> dict[str, list[int]]:
    """The fixed split of an element's pool (:func:`linace.study.datasets.make_split` with the
    element's crystalline families and test fraction)."""
    from linace.study import datasets

    module = structures.element_module(element)
    return datasets.make_split(
        config_types,
        crystalline=module.CRYSTALLINE,
        test_fraction=getattr(module, "TEST_FRACTION", datasets.TEST_FRACTION),
    )


#: generation groups of molecules, labelled by the state search (:mod:`linace.study.dft.states`)
MOLECULAR_GROUPS = ("isolated_atom", "dimers", "clusters")
#: groups whose structures share one box (a scan: continuation reuses wave functions)
SCAN_GROUPS = ("dimers",)


def tasks(group: str, settings: DFTSettings, element: str = "C") -> list[tuple[str, Atoms]]:
    """[(sid, atoms as computed)] of a generation set of an element (see
    :func:`linace.study.structures.generate`).

    The structures of a scan group (:data:`SCAN_GROUPS`) share the box of the largest one.
    """
    generated = structures.generate(group, element)
    extent = None
    if group in SCAN_GROUPS:
        extent = np.max([np.ptp(a.positions, axis=0) for _, a in generated], axis=0)
    return [(sid, prepare(atoms, settings, extent)) for sid, atoms in generated]


def generate(
    group: str,
    settings: DFTSettings | None = None,
    workers: int = 2,
    executor: Executor | None = None,
    cache_path: str | os.PathLike | None = None,
    retry_failed: bool = False,
    progress: bool = True,
    element: str = "C",
) -> dict:
    """Compute every not yet cached structure of a generation set of an element (resumable).

    Parameters
    ----------
    group : str
        A name of :data:`linace.study.structures.GROUPS` ('isolated_atom', 'dimers', 'clusters',
        'pool') or of a pool subset ('narrow', 'crystals', 'diverse', 'test').
    settings : DFTSettings, optional
    workers : int
        Processes of the default pool (ignored if ``executor`` is given).
    executor : concurrent.futures.Executor, optional
        E.g. ``distributed.Client(...).get_executor()``; must run :func:`compute`.
    cache_path : path, optional
        SQLite cache, default ``data/<element>/dft_cache.db``.
    retry_failed : bool
        Recompute structures whose cached status is 'failed'.
    element : str
        The element (:data:`linace.study.structures.ELEMENT_MODULES`); its data directory is
        :func:`linace.study.datasets.element_dir` (``data/<element>/``)
        and its default settings :func:`default_settings`.

    Returns
    -------
    dict
        Counts: ``total``, ``skipped``, ``ok``, ``failed``, and ``wall_time`` (s).
    """
    from tqdm import tqdm

    settings = settings or default_settings(element)
    if group in MOLECULAR_GROUPS:
        return search_states(
            group,
            settings,
            workers=workers,
            executor=executor,
            cache_path=cache_path,
            progress=progress,
            element=element,
        )
    cache = Cache(cache_path or data_dir(element) / CACHE_NAME)
    todo_all = group_tasks(group, settings, element)
    done = cache.finished(settings)
    todo = []
    for sid, atoms, grp in todo_all:
        geom = geometry_digest(atoms)
        if sid in done and done[sid][0] == geom and (done[sid][1] == "ok" or not retry_failed):
            continue
        todo.append((sid, atoms, grp, geom))
    counts = {"total": len(todo_all), "skipped": len(todo_all) - len(todo), "ok": 0, "failed": 0}
    t0 = time.perf_counter()
    if not todo:
        counts["wall_time"] = 0.0
        return counts
    own = executor is None
    executor = executor or gpaw_executor(workers)
    try:
        futures = {executor.submit(compute, atoms, settings): (sid, atoms, grp, geom) for sid, atoms, grp, geom in todo}
        bar = tqdm(total=len(todo), desc=group, unit="structure", disable=not progress, smoothing=0.05)
        for fut in as_completed(futures):
            sid, atoms, grp, geom = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # worker died (e.g. killed, out of memory)
                result = {"status": "failed", "error": format_error(exc)}
            try:
                cache.write(sid, grp, atoms, geom, settings, result)
            except Exception as exc:  # keep the other structures running; this one is redone later
                print(f"\n{sid}: not cached: {format_error(exc)}", file=sys.stderr)
                result = {"status": "failed"}
            counts[result["status"]] += 1
            bar.set_postfix(ok=counts["ok"], failed=counts["failed"])
            bar.update()
        bar.close()
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
    counts["wall_time"] = time.perf_counter() - t0
    return counts


def search_states(
    group: str,
    settings: DFTSettings | None = None,
    search: StateSearch | None = None,
    workers: int = 2,
    executor: Executor | None = None,
    cache_path: str | os.PathLike | None = None,
    log_dir: str | os.PathLike | None = None,
    progress: bool = True,
    element: str = "C",
) -> dict:
    """Run (or resume) the state search of a molecular group and cache the labelled structures.

    Every SCF run goes to the group's run logs (``data/<element>/state_search/<group>/*.jsonl``, one file
    per task, appended as each run finishes, so an interrupted search loses only the runs in
    flight); the tasks are those of :func:`linace.study.dft.states.plan`. When every task has finished,
    each structure's lowest run labels it (:func:`linace.study.dft.states.summary`) and is written to
    the cache under the key of ``settings`` and ``search``.

    Returns counts: ``total`` structures, ``ok``, ``failed``, ``runs`` (SCF runs in the logs),
    ``runs_failed``, ``wall_time`` (s of this call).
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    from tqdm import tqdm

    settings = settings or default_settings(element)
    search = search or StateSearch()
    cache = Cache(cache_path or data_dir(element) / CACHE_NAME)
    log_dir = Path(log_dir or data_dir(element) / STATE_SEARCH_DIR / group)
    items = [(sid, atoms, geometry_digest(atoms)) for sid, atoms in tasks(group, settings, element)]
    work = states.plan(group, items, search, log_dir)
    t0 = time.perf_counter()

    def runs_logged() -> int:
        return sum(len(v) for v in states.collect(log_dir, settings, search).values())

    own = executor is None
    executor = executor or gpaw_executor(workers)
    expected = sum(len(t.structures) for t in work if t.kind != "cluster") + sum(
        8 * len(t.structures) for t in work if t.kind == "cluster"
    )  # clusters: an estimate
    bar = tqdm(
        total=expected,
        initial=runs_logged(),
        desc=f"{group} state search",
        unit="run",
        disable=not progress,
        smoothing=0.05,
    )
    errors = {}
    try:
        pending = {executor.submit(states.run_task, t, settings, search): t for t in work}
        while pending:
            done, _ = wait(pending, timeout=10, return_when=FIRST_COMPLETED)
            for fut in done:
                task = pending.pop(fut)
                try:
                    fut.result()
                except Exception as exc:  # a worker died: its logged runs are kept
                    errors[task.name] = format_error(exc)
            bar.n = runs_logged()
            bar.refresh()
    finally:
        bar.close()
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
    if errors:
        raise RuntimeError(
            f"state search of {group!r}: tasks failed (their finished runs are "
            f"kept in {log_dir}; run again to resume): {errors}"
        )
    counts = label(group, settings, search, cache_path=cache.path, log_dir=log_dir, element=element)
    counts["wall_time"] = time.perf_counter() - t0
    return counts


def label(
    group: str,
    settings: DFTSettings | None = None,
    search: StateSearch | None = None,
    cache_path: str | os.PathLike | None = None,
    log_dir: str | os.PathLike | None = None,
    element: str = "C",
) -> dict:
    """Label every structure of a molecular group by its lowest logged run and cache it.

    Called by :func:`search_states` when the search has finished. Called on its own
    (``python -m linace.study.dft label``) it labels from the runs logged so far: each structure's row
    then records the planned runs not yet in the logs (``runs_missing``; for a cluster, those its
    stop rule still requires; the export sums them per set), so a partly searched set is never
    mistaken for a finished one.
    Returns counts: ``total``, ``ok``, ``failed``, ``runs``, ``runs_failed``, ``runs_missing``.
    """
    settings = settings or default_settings(element)
    search = search or StateSearch()
    cache = Cache(cache_path or data_dir(element) / CACHE_NAME)
    log_dir = Path(log_dir or data_dir(element) / STATE_SEARCH_DIR / group)
    items = [(sid, atoms, geometry_digest(atoms)) for sid, atoms in tasks(group, settings, element)]
    expected: dict[str, set] = {}  # sid -> planned (moment, start); clusters plan adaptively
    for task in states.plan(group, items, search, log_dir):
        if task.kind != "cluster":
            for sid, _, _ in task.structures:
                expected.setdefault(sid, set()).add((task.moment, task.start))
    runs = states.collect(log_dir, settings, search)
    counts = {
        "total": len(items),
        "ok": 0,
        "failed": 0,
        "runs": sum(len(v) for v in runs.values()),
        "runs_failed": sum(r["status"] != "ok" for v in runs.values() for r in v),
        "runs_missing": 0,
    }
    for sid, atoms, geom in items:
        mine = [r for r in runs.get(sid, []) if r["geometry"] == geom]
        result = states.summary(mine)
        done = {(r["moment"], r["start"]) for r in mine}
        if group == "clusters":  # planned adaptively: missing until the stop rule is met
            result["runs_missing"] = states.cluster_runs_missing(mine, atoms.get_chemical_symbols(), search)
        else:
            result["runs_missing"] = len(expected.get(sid, set()) - done)
        counts["runs_missing"] += result["runs_missing"]
        cache.write(sid, group, atoms, geom, settings, result, search)
        counts[result["status"]] += 1
    return counts


def group_tasks(group: str, settings: DFTSettings, element: str = "C") -> list[tuple[str, Atoms, str]]:
    """[(sid, atoms, generation group)] for a generation group or a pool subset."""
    if group in structures.GROUPS:
        return [(sid, a, group) for sid, a in tasks(group, settings, element)]
    pool = tasks("pool", settings, element)
    split = pool_split([a.info["config_type"] for _, a in pool], element)
    if group not in split:
        raise ValueError(f"unknown set {group!r}; known: {list(structures.GROUPS) + list(split)}")
    return [(pool[i][0], pool[i][1], "pool") for i in split[group]]
