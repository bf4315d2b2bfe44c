"""GPAW reference workflow: compute, cache and export the carbon DFT data in ``data/``.

This is the only module that needs GPAW (the ``dft`` extra); the loaders in
:mod:`linace.study.datasets` read the exported files with ase alone.

Physics (one set of settings for every structure, :class:`DFTSettings`)

* PBE, PAW setups of ``gpaw-data``, plane waves with cut-off ``ecut`` (eV).
* Periodic structures: Gamma-centred Monkhorst-Pack grid from a k-point density ``kpt_density``
  (points per 1/A, ASE convention: ``N_i = ceil(2 pi |b_i| kpt_density)`` with ``b_i`` the
  reciprocal vectors without the 2 pi; one point along non-periodic axes). Not spin-polarised.
* Periodic structures: Fermi-Dirac smearing of width ``width`` (eV). ``energy`` is GPAW's energy
  extrapolated to zero width; ``free_energy`` (the force-consistent Mermin energy) is stored too.
* Molecules (isolated atom, dimers, clusters): Gamma point, a slightly non-cubic box with ``vacuum``
  (A) on every side (every dimer in the box of the longest one), spin-polarised at fixed total
  moments, labelled by the state search of :mod:`linace.study.dft.states` (``generate`` of a molecular
  group). :func:`compute` with a molecule (one Fermi-Dirac run per moment of
  ``molecule_moments``) serves only the convergence check.

Workflow (``python -m linace.study.dft --help``)::

    python -m linace.study.dft converge                 # convergence check -> data/convergence.json
    python -m linace.study.dft generate --set dimers --workers 2
    python -m linace.study.dft export                   # data/*.extxyz + data/manifest.json

``generate`` is resumable: each finished structure is written at once to an ASE SQLite database
(``data/dft_cache.db``); re-running skips every structure whose geometry and settings match a stored
row. Structures in flight when the run is killed are lost, nothing else. Calculations run in a
:class:`concurrent.futures.Executor` (a process pool by default; a Dask client's
``client.get_executor()`` can be passed to :func:`generate` instead).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

from linace.study import structures
from linace.study.datasets import DATA_DIR, element_dir, sha256
from linace.study.sweep import BLAS_THREAD_VARIABLES
from linace.study.dft import states
from linace.study.dft.states import StateSearch

CACHE_NAME = "dft_cache.db"
CONVERGENCE_NAME = "convergence.json"
#: directory (under ``data/``) of the state-search run logs, one subdirectory per group
STATE_SEARCH_DIR = "state_search"

#: caveats of each element's data found by inspection, copied into its manifest (an element without
#: an entry gets the first, general one until its own data have been inspected)
KNOWN_ISSUES = {"C": [
    "Kohn-Sham DFT with one determinant: the integer-occupation, symmetry-broken solutions that "
    "label the molecules (the Hund's-rule atom, a3Pi_u-like C2) are the lowest PBE solutions the "
    "state search found, not spin or angular-momentum eigenstates; states are named by the "
    "configuration they resemble. Before the state search (until 2026-11), E0 was the spherical, "
    "fractionally occupied atom (0.09 eV higher) and the dimer curve mixed occupation classes "
    "from point to point (0.1 eV steps); see the git history of data/.",
    "Cut-off: at 450 eV energy differences are converged to ~3 meV/atom for diamond/graphite "
    "(5.6 meV/atom for strongly compressed fcc), C2 binding to 2.3 meV/atom, forces to 0.026 eV/A, "
    "but the stress is NOT converged: errors of 5-6 GPa for diamond (Pulay stress, 1 GPa at "
    "500 eV) and 11 GPa for compressed fcc - fit stresses with a low weight or not at all.",
    "k-points: the density 2.5/A converges insulating and semiconducting structures (diamond: "
    "0.5 meV/atom, 0.001 eV/A) but not compressed metallic phases (sc/fcc/graphite: up to "
    "~10 meV/atom, 0.2 eV/A, tens of GPa in the stress of a rattled metallic sc cell) - see "
    "convergence.scans.kpt_density_*; chosen for cost (2 cores, ~2 h).",
], "Si": [
    "Kohn-Sham DFT with one determinant: the molecules (the 3P atom, Si2, Si3-Si5) are labelled by "
    "the lowest PBE solution the state search found (integer-occupation, symmetry-broken "
    "solutions included), not by spin or angular-momentum eigenstates; states are named by the "
    "configuration they resemble.",
    "Settings: carbon's (450 eV, k-density 2.5/A, Fermi-Dirac 0.05 eV for periodic cells) with "
    "5 A of vacuum around molecules; see 'convergence' for silicon's own check of them.",
]}

#: caveats of molecular sets still labelled by single fixed-moment runs (added while they are)
LEGACY_ISSUES = {
    "clusters": "clusters are still labelled by single Fermi-Dirac runs (width 0.05 eV) per fixed "
                "moment 0, 2, 4, ... (stop when the energy rises), not yet by the state search: "
                "26 of 150 carry the fractional-occupation signature (free_energy - energy below "
                "-5 meV, down to -48 meV), so their labels may lie above the integer-occupation "
                "states the search would find, as the spherical atom lies above the Hund's-rule "
                "one. Compute with `python -m linace.study.dft generate --set clusters` (resumable: "
                "the run logs go to data/state_search/clusters).",
}

#: one paragraph for the manifest; the module docstring of :mod:`linace.study.dft.states` has the rest
STATE_SEARCH_DESCRIPTION = (
    "For every molecule and every total moment that can win (dimers: all of dimer_moments; "
    "the atom: its Hund moment; clusters: 0, 2, 4, ... until the lowest energy has risen for two "
    "consecutive moments), independent SCF runs from several starts: 'integer' (fixed integer "
    "aufbau occupations, broken-symmetry initial moments), 'fractional' (Fermi-Dirac of width "
    "'width', symmetric initial moments), and for dimers 'up'/'down' (continuation from the "
    "converged wave functions of the neighbouring separation, scanning r upwards/downwards). "
    "Every run is kept (info['energy_m<M>_<start>'], info['occupation_m<M>_<start>'], "
    "info['state_m<M>_<start>'] and the run logs); the label is the lowest energy; the winner's "
    "moment, start, occupation class ('integer' if all occupations are within "
    "integer_tolerance of 0 or 1), orbital configuration and the term it resembles are in "
    "info['spin_moment'], ['start'], ['occupation'], ['configuration'], ['state']; "
    "info['free_minus_energy'] is the smearing signature (0 for integer occupations).")

#: extra box length (A) added along x, y, z to every molecular box, so that no box is cubic
BOX_ASYMMETRY = (0.0, 0.25, 0.5)


@dataclasses.dataclass(frozen=True)
class DFTSettings:
    """All DFT settings of the reference data (the same for every structure).

    Attributes
    ----------
    xc : str
        Exchange-correlation functional.
    ecut : float
        Plane-wave cut-off (eV).
    kpt_density : float
        k-point density (points per 1/A) of the Gamma-centred grid of periodic structures.
    width : float
        Fermi-Dirac smearing width (eV).
    vacuum : float
        Vacuum (A) on each side of a molecule in its box.
    molecule_moments : tuple of int
        Fixed total magnetic moments (Bohr magnetons) tried for dimers and clusters.
    atom_moment : int
        Fixed total moment of the isolated atom (2: triplet).
    moment_shortcut : bool
        For molecules of three or more atoms, try the moments in increasing order and stop as
        soon as the energy rises (assumes E(M) convex in M; dimers always try every moment).
    scf_energy, scf_density : float
        SCF convergence criteria (eV per valence electron; electrons per valence electron).
    maxiter : int
        Maximum number of SCF iterations before a structure is recorded as failed.
    """

    xc: str = "PBE"
    ecut: float = 450.0
    kpt_density: float = 2.5
    width: float = 0.05
    vacuum: float = 4.0
    molecule_moments: tuple[int, ...] = (0, 2, 4)
    atom_moment: int = 2
    moment_shortcut: bool = True
    scf_energy: float = 1e-5
    scf_density: float = 1e-5
    maxiter: int = 200

    def to_dict(self) -> dict:
        """Plain JSON-serialisable dictionary of the settings."""
        d = dataclasses.asdict(self)
        d["molecule_moments"] = list(self.molecule_moments)
        return d

    def digest(self) -> str:
        """Short SHA-256 of the settings; a cached row is reused only if its digest matches."""
        return states.short_digest(self.to_dict())


#: default settings per element. Carbon's were chosen by its convergence check
#: (data/convergence.json); silicon's are carbon's with 5 A of vacuum (its atom and dimer are more
#: diffuse) until its own check (data/Si/convergence.json) confirms or replaces them
DEFAULT_SETTINGS = {"C": DFTSettings(), "Si": DFTSettings(vacuum=5.0)}


def default_settings(element: str = "C") -> DFTSettings:
    """The DFT settings of an element's reference data (:data:`DEFAULT_SETTINGS`)."""
    if element not in DEFAULT_SETTINGS:
        raise ValueError(f"no DFT settings for {element!r}; known: {', '.join(DEFAULT_SETTINGS)}")
    return DEFAULT_SETTINGS[element]


def _data_dir(element: str) -> Path:
    """The data directory of an element (``data/`` for carbon, ``data/<element>/`` else), created."""
    path = element_dir(element)
    path.mkdir(parents=True, exist_ok=True)
    return path


def pool_split(config_types: Sequence[str], element: str = "C") -> dict[str, list[int]]:
    """The fixed split of an element's pool (:func:`linace.study.datasets.make_split` with the
    element's crystalline families and test fraction)."""
    from linace.study import datasets

    module = structures.element_module(element)
    return datasets.make_split(config_types, crystalline=module.CRYSTALLINE,
                               test_fraction=getattr(module, "TEST_FRACTION", datasets.TEST_FRACTION))


# ----------------------------------------------------------------------------- single calculations


def kpoint_grid(atoms: Atoms, density: float) -> tuple[int, int, int]:
    """Monkhorst-Pack grid size for a k-point density.

    Parameters
    ----------
    atoms : ase.Atoms
        Structure; axes with ``pbc`` False get one k-point.
    density : float
        Points per 1/A: ``N_i = ceil(2 pi |b_i| density)``, ``b_i`` reciprocal vectors (1/A,
        without the 2 pi). Equivalently a spacing of at most ``1 / density`` (1/A, 2 pi included).

    Returns
    -------
    tuple of 3 int
    """
    recip = atoms.cell.reciprocal()
    sizes = []
    for i in range(3):
        if atoms.pbc[i]:
            n = np.ceil(2 * np.pi * np.linalg.norm(recip[i]) * density - 1e-9)
            sizes.append(max(1, int(n)))
        else:
            sizes.append(1)
    return tuple(sizes)


def box_molecule(atoms: Atoms, vacuum: float, extent=None) -> Atoms:
    """A copy of a molecule in an orthorhombic, non-cubic box, centred, ``pbc`` False.

    The box is the extent of the molecule (or ``extent``, shape (3,) A, if given: a common box
    for a scan) plus ``2 * vacuum`` (A) plus :data:`BOX_ASYMMETRY` along x, y, z.
    """
    mol = atoms.copy()
    mol.pbc = False
    pos = mol.get_positions()
    if extent is None:
        extent = pos.max(axis=0) - pos.min(axis=0) if len(mol) else np.zeros(3)
    mol.set_cell(np.diag(extent + 2 * vacuum + np.asarray(BOX_ASYMMETRY)))
    mol.center()
    return mol


def is_molecule(atoms: Atoms) -> bool:
    """True for a structure without any periodic axis (atom, dimer, cluster)."""
    return not any(atoms.pbc)


def _gpaw_calculator(settings: DFTSettings, kpts, spinpol: bool, fixmagmom: bool):
    from gpaw import GPAW, PW

    return GPAW(
        mode=PW(settings.ecut),
        xc=settings.xc,
        kpts={"size": kpts, "gamma": True},
        occupations={"name": "fermi-dirac", "width": settings.width, "fixmagmom": fixmagmom},
        spinpol=spinpol,
        convergence={"energy": settings.scf_energy, "density": settings.scf_density},
        maxiter=settings.maxiter,
        txt=None,
    )


def _single_point(atoms: Atoms, settings: DFTSettings, moment: float | None) -> dict:
    """One GPAW run. ``moment`` None: spin-paired periodic; else fixed total moment (molecule)."""
    work = atoms.copy()
    molecule = moment is not None
    work.pbc = True  # plane waves: a molecule's box is periodic (the stored copy keeps pbc False)
    if molecule:
        work.set_initial_magnetic_moments(np.full(len(work), moment / len(work)))
        kpts = (1, 1, 1)
    else:
        kpts = kpoint_grid(atoms, settings.kpt_density)
    work.calc = _gpaw_calculator(settings, kpts, spinpol=molecule, fixmagmom=molecule)
    t0 = time.perf_counter()
    energy = work.get_potential_energy()
    result = {
        "energy": float(energy),
        "free_energy": float(work.get_potential_energy(force_consistent=True)),
        "forces": work.get_forces(),
        "kpts": list(kpts),
    }
    if all(atoms.pbc):
        result["stress"] = work.get_stress(voigt=True)
    if molecule:
        result["magmom"] = float(work.get_magnetic_moment())
    result["wall_time"] = time.perf_counter() - t0
    return result


def compute(atoms: Atoms, settings: DFTSettings, moments: Sequence[int] | None = None) -> dict:
    """Compute one structure; never raises (a failure is reported in the result).

    Parameters
    ----------
    atoms : ase.Atoms
        Periodic structure, or a molecule already in its box (``pbc`` all False).
    settings : DFTSettings
    moments : sequence of int, optional
        Fixed total moments (Bohr magnetons) to try for a molecule; the lowest energy wins.
        Defaults to ``settings.molecule_moments`` (``settings.atom_moment`` for one atom).

    Returns
    -------
    dict
        ``status`` ('ok' or 'failed'), ``error`` (str), ``wall_time`` (s, all runs), and for 'ok':
        ``energy``, ``free_energy`` (eV), ``forces`` (N, 3) eV/A, ``stress`` (6,) eV/A^3 (Voigt,
        fully periodic only), ``kpts``; molecules also ``moment`` (winning fixed moment),
        ``energies_by_moment`` {moment: energy or None if that run failed; moments skipped by
        the shortcut are absent}.
    """
    t0 = time.perf_counter()
    if not is_molecule(atoms):
        try:
            out = _single_point(atoms, settings, None)
            out.update(status="ok", error="")
        except Exception as exc:  # SCF non-convergence and anything else: record, do not crash
            out = {"status": "failed", "error": _format_error(exc)}
        out["wall_time"] = time.perf_counter() - t0
        return out

    if moments is None:
        moments = (settings.atom_moment,) if len(atoms) == 1 else settings.molecule_moments
    runs, errors = {}, {}
    shortcut = settings.moment_shortcut and len(atoms) >= 3
    for m in sorted(moments):
        try:
            runs[m] = _single_point(atoms, settings, float(m))
        except Exception as exc:
            errors[m] = _format_error(exc)
            continue
        lower = [e["energy"] for k, e in runs.items() if k < m]
        if shortcut and lower and runs[m]["energy"] > min(lower):
            break  # energy rises with the moment: higher moments are not tried
    out = {"energies_by_moment": {str(m): (runs[m]["energy"] if m in runs else None)
                                  for m in moments if m in runs or m in errors}}
    if runs:
        best = min(runs, key=lambda m: runs[m]["energy"])
        out.update(runs[best])
        out.update(status="ok", moment=int(best))
    else:
        out["status"] = "failed"
    out["error"] = "; ".join(f"M={m}: {e}" for m, e in errors.items())
    out["wall_time"] = time.perf_counter() - t0
    return out


def _format_error(exc: BaseException) -> str:
    tb = traceback.format_exception_only(type(exc), exc)
    return "".join(tb).strip()[-500:]


# ----------------------------------------------------------------------------- task list and cache


def geometry_digest(atoms: Atoms) -> str:
    """Short SHA-256 ('g' + 16 hex digits) of numbers, positions (1e-6 A), cell and pbc: identifies
    a cached structure."""
    h = hashlib.sha256()
    h.update(np.asarray(atoms.numbers, dtype=np.int64).tobytes())
    h.update(np.round(atoms.get_positions(), 6).astype(np.float64).tobytes())
    h.update(np.round(np.asarray(atoms.cell), 6).astype(np.float64).tobytes())
    h.update(np.asarray(atoms.pbc, dtype=np.int8).tobytes())
    return "g" + h.hexdigest()[:16]  # a letter first: ase.db refuses strings that parse as floats


def prepare(atoms: Atoms, settings: DFTSettings, extent=None) -> Atoms:
    """The structure as computed and stored: molecules boxed (in a box for ``extent`` if given,
    see :func:`box_molecule`), info kept."""
    if is_molecule(atoms):
        boxed = box_molecule(atoms, settings.vacuum, extent)
        boxed.info = dict(atoms.info)
        return boxed
    return atoms.copy()


def _settings_key(settings: DFTSettings, search: StateSearch | None = None) -> str:
    """Cache key of the settings (and, for molecules, of the state search)."""
    if search is None:
        return "s" + settings.digest()  # a letter first: ase.db refuses strings that parse as floats
    both = hashlib.sha256((settings.digest() + search.digest()).encode()).hexdigest()[:16]
    return "m" + both


class Cache:
    """Crash-safe result cache: one ASE SQLite row per finished structure.

    Row key-value pairs: ``sid`` (structure id), ``group`` (generation set), ``config_type``,
    ``status``, ``geometry`` and ``settings`` digests (for molecules the key of the settings and
    of the :class:`~linace.study.dft.states.StateSearch`), ``wall_time`` (s), ``moment`` (molecules).
    Row data: ``free_energy``, ``kpts``, ``error``; molecules: ``energies_by_moment`` (older
    fixed-moment rows) or ``runs`` and ``state`` (state search, see
    :func:`linace.study.dft.states.summary`). Rows of other settings are kept beside the current ones.
    Only the main process writes, so SQLite sees no concurrent writers.
    """

    def __init__(self, path: str | os.PathLike):
        from ase.db import connect

        self.path = Path(path)
        self.db = connect(str(self.path), type="db", append=True)

    def finished(self, settings: DFTSettings,
                 search: StateSearch | None = None) -> dict[str, tuple[str, str]]:
        """{sid: (geometry digest, status)} of rows computed with ``settings`` (and ``search``)."""
        out = {}
        for row in self.db.select(settings=_settings_key(settings, search)):
            out[row.sid] = (row.geometry, row.status)
        return out

    def write(self, sid: str, group: str, atoms: Atoms, geometry: str,
              settings: DFTSettings, result: dict, search: StateSearch | None = None) -> None:
        """Store one result (replacing older rows of the same ``sid`` and settings)."""
        key = _settings_key(settings, search)
        stale = [row.id for row in self.db.select(sid=sid, settings=key)]
        atoms = atoms.copy()
        kvp = {
            "sid": sid,
            "group": group,
            "config_type": atoms.info.get("config_type", group),
            "status": result["status"],
            "geometry": geometry,
            "settings": key,
            "wall_time": float(result.get("wall_time", 0.0)),
        }
        data = {"error": result.get("error", ""), "kpts": result.get("kpts", [])}
        for extra in ("energies_by_moment", "runs", "state", "occupation", "start",
                      "configuration", "runs_missing"):
            if extra in result:
                data[extra] = result[extra]
        if result["status"] == "ok":
            atoms.calc = SinglePointCalculator(
                atoms, energy=result["energy"], free_energy=result["free_energy"],
                forces=np.asarray(result["forces"]),
                **({"stress": np.asarray(result["stress"])} if "stress" in result else {}))
            data["free_energy"] = result["free_energy"]
            if "moment" in result:
                kvp["moment"] = int(result["moment"])
        with self.db:
            self.db.write(atoms, key_value_pairs=kvp, data=data)
            if stale:
                self.db.delete(stale)

    def rows(self, settings: DFTSettings, status: str = "ok",
             search: StateSearch | None = None) -> dict:
        """{sid: row} of rows with ``settings`` (and ``search``) and ``status``."""
        rows = self.db.select(settings=_settings_key(settings, search), status=status)
        return {row.sid: row for row in rows}


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


def _limit_threads() -> None:
    for var in BLAS_THREAD_VARIABLES:  # GPAW workers: one thread each, whatever the user set
        os.environ[var] = "1"


def default_executor(workers: int) -> Executor:
    """Process pool of ``workers`` single-threaded processes (spawned, BLAS limited to 1 thread)."""
    _limit_threads()  # inherited by the spawned workers before they import numpy
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def generate(group: str, settings: DFTSettings | None = None, workers: int = 2,
             executor: Executor | None = None, cache_path: str | os.PathLike | None = None,
             retry_failed: bool = False, progress: bool = True, element: str = "C") -> dict:
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
        SQLite cache, default ``data/dft_cache.db``.
    retry_failed : bool
        Recompute structures whose cached status is 'failed'.
    element : str
        The element (:data:`linace.study.structures.ELEMENT_MODULES`); its data directory is
        :func:`linace.study.datasets.element_dir` (``data/`` for carbon, ``data/<element>/`` else)
        and its default settings :func:`default_settings`.

    Returns
    -------
    dict
        Counts: ``total``, ``skipped``, ``ok``, ``failed``, and ``wall_time`` (s).
    """
    from tqdm import tqdm

    settings = settings or default_settings(element)
    if group in MOLECULAR_GROUPS:
        return search_states(group, settings, workers=workers, executor=executor,
                             cache_path=cache_path, progress=progress, element=element)
    cache = Cache(cache_path or _data_dir(element) / CACHE_NAME)
    todo_all = _group_tasks(group, settings, element)
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
    executor = executor or default_executor(workers)
    try:
        futures = {executor.submit(compute, atoms, settings): (sid, atoms, grp, geom)
                   for sid, atoms, grp, geom in todo}
        bar = tqdm(total=len(todo), desc=group, unit="structure", disable=not progress,
                   smoothing=0.05)
        for fut in as_completed(futures):
            sid, atoms, grp, geom = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # worker died (e.g. killed, out of memory)
                result = {"status": "failed", "error": _format_error(exc)}
            try:
                cache.write(sid, grp, atoms, geom, settings, result)
            except Exception as exc:  # keep the other structures running; this one is redone later
                print(f"\n{sid}: not cached: {_format_error(exc)}", file=sys.stderr)
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


def search_states(group: str, settings: DFTSettings | None = None,
                  search: StateSearch | None = None, workers: int = 2,
                  executor: Executor | None = None, cache_path: str | os.PathLike | None = None,
                  log_dir: str | os.PathLike | None = None, progress: bool = True,
                  element: str = "C") -> dict:
    """Run (or resume) the state search of a molecular group and cache the labelled structures.

    Every SCF run goes to the group's run logs (``data/state_search/<group>/*.jsonl``, one file
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
    cache = Cache(cache_path or _data_dir(element) / CACHE_NAME)
    log_dir = Path(log_dir or _data_dir(element) / STATE_SEARCH_DIR / group)
    items = [(sid, atoms, geometry_digest(atoms)) for sid, atoms in tasks(group, settings, element)]
    work = states.plan(group, items, search, log_dir)
    t0 = time.perf_counter()

    def runs_logged() -> int:
        return sum(len(v) for v in states.collect(log_dir, settings, search).values())

    own = executor is None
    executor = executor or default_executor(workers)
    expected = sum(len(t.structures) for t in work if t.kind != "cluster") + sum(
        8 * len(t.structures) for t in work if t.kind == "cluster")  # clusters: an estimate
    bar = tqdm(total=expected, initial=runs_logged(), desc=f"{group} state search", unit="run",
               disable=not progress, smoothing=0.05)
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
                    errors[task.name] = _format_error(exc)
            bar.n = runs_logged()
            bar.refresh()
    finally:
        bar.close()
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
    if errors:
        raise RuntimeError(f"state search of {group!r}: tasks failed (their finished runs are "
                           f"kept in {log_dir}; run again to resume): {errors}")
    counts = label(group, settings, search, cache_path=cache.path, log_dir=log_dir, element=element)
    counts["wall_time"] = time.perf_counter() - t0
    return counts


def label(group: str, settings: DFTSettings | None = None, search: StateSearch | None = None,
          cache_path: str | os.PathLike | None = None,
          log_dir: str | os.PathLike | None = None, element: str = "C") -> dict:
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
    cache = Cache(cache_path or _data_dir(element) / CACHE_NAME)
    log_dir = Path(log_dir or _data_dir(element) / STATE_SEARCH_DIR / group)
    items = [(sid, atoms, geometry_digest(atoms)) for sid, atoms in tasks(group, settings, element)]
    expected: dict[str, set] = {}  # sid -> planned (moment, start); clusters plan adaptively
    for task in states.plan(group, items, search, log_dir):
        if task.kind != "cluster":
            for sid, _, _ in task.structures:
                expected.setdefault(sid, set()).add((task.moment, task.start))
    runs = states.collect(log_dir, settings, search)
    counts = {"total": len(items), "ok": 0, "failed": 0,
              "runs": sum(len(v) for v in runs.values()),
              "runs_failed": sum(r["status"] != "ok" for v in runs.values() for r in v),
              "runs_missing": 0}
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


def _group_tasks(group: str, settings: DFTSettings, element: str = "C") -> list[tuple[str, Atoms, str]]:
    """[(sid, atoms, generation group)] for a generation group or a pool subset."""
    if group in structures.GROUPS:
        return [(sid, a, group) for sid, a in tasks(group, settings, element)]
    pool = tasks("pool", settings, element)
    split = pool_split([a.info["config_type"] for _, a in pool], element)
    if group not in split:
        raise ValueError(f"unknown set {group!r}; known: {list(structures.GROUPS) + list(split)}")
    return [(pool[i][0], pool[i][1], "pool") for i in split[group]]


# ----------------------------------------------------------------------------- export


def _row_atoms(row, sid: str) -> Atoms:
    """Atoms with a SinglePointCalculator and the info written to the extxyz files."""
    atoms = row.toatoms()
    results = {"energy": row.energy, "free_energy": float(row.data["free_energy"]),
               "forces": row.forces}
    if all(atoms.pbc) and row.get("stress") is not None:
        results["stress"] = row.stress
    atoms.info = {"sid": sid, "config_type": row.config_type}
    if row.get("moment") is not None:
        atoms.info["spin_moment"] = int(row.moment)
        for m, e in row.data.get("energies_by_moment", {}).items():
            atoms.info[f"energy_m{m}"] = float("nan") if e is None else float(e)
    if "runs" in row.data:  # labelled by the state search: the winner and every run
        for key in ("state", "occupation", "start", "configuration"):
            if row.data.get(key):  # extxyz cannot hold an empty value
                atoms.info[key] = str(row.data[key])
        atoms.info["free_minus_energy"] = float(row.data["free_energy"]) - float(row.energy)
        for run in row.data["runs"]:
            tag = f"m{run['moment']}_{run['start']}"
            ok = run["status"] == "ok"
            atoms.info[f"energy_{tag}"] = float(run["energy"]) if ok else float("nan")
            atoms.info[f"occupation_{tag}"] = run["occupation"] if ok else "failed"
            atoms.info[f"state_{tag}"] = run["state"] if ok else "failed"
            if ok and run.get("configuration"):
                atoms.info[f"configuration_{tag}"] = run["configuration"]
    atoms.calc = SinglePointCalculator(atoms, **results)
    return atoms


def _atom_states(row) -> dict | None:
    """E0 both ways: the integer (Hund's-rule, symmetry-broken) and the spherical (fractional)
    atom, from the state-search row of the isolated atom (None if not computed)."""
    if row is None:
        return None
    runs = {r["start"]: r for r in row.data["runs"] if r["status"] == "ok"}
    out = {"E0": float(row.energy), "E0_state": f"{row.data['occupation']} occupations, "
           f"start '{row.data['start']}', moment {row.moment}"}
    for start, run in runs.items():
        out[f"energy_{start}"] = run["energy"]
        out[f"occupation_{start}"] = run["occupation"]
        out[f"free_minus_energy_{start}"] = run["free_minus_energy"]
    if "integer" in runs and "fractional" in runs:
        out["spherical_minus_integer_eV"] = runs["fractional"]["energy"] - runs["integer"]["energy"]
    return out


def provenance(element: str = "C") -> dict:
    """Versions of the code, of GPAW and of its PAW setup for ``element``."""
    import ase

    import linace

    info = {"linace": linace.__version__, "ase": ase.__version__, "numpy": np.__version__,
            "python": platform.python_version()}
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=DATA_DIR.parent,
                                capture_output=True, text=True, check=True).stdout.strip()
        info["git_commit"] = commit
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        import gpaw
        import gpaw_data

        info["gpaw"] = gpaw.__version__
        info["gpaw_data"] = gpaw_data.__version__
        setups = sorted(Path(gpaw_data.datapath()).glob(f"{element}.PBE*"))
        info[f"setup_{element}"] = {p.name: sha256(p) for p in setups}
    except ImportError:
        pass
    return info


def export(settings: DFTSettings | None = None, cache_path: str | os.PathLike | None = None,
           data_dir: str | os.PathLike | None = None, element: str = "C") -> dict:
    """Write ``<set>.extxyz`` and ``manifest.json`` of an element's data directory from the cache.

    Every set whose structures are all cached is written; failed structures are dropped and
    listed under ``failures``. A set with missing structures is listed under ``incomplete``; if the
    previous export wrote it (its file unchanged: same SHA-256), that file and its manifest entry
    are kept (``kept_from_export``: the date of that export), together with the recorded split if
    a pool set is kept, so that growing a set never removes the data already committed. Returns the
    manifest.
    """
    from ase.io import write

    from linace.study import datasets

    settings = settings or default_settings(element)
    search = StateSearch()
    data_dir = Path(data_dir or _data_dir(element))
    previous_path = data_dir / datasets.MANIFEST
    previous = json.loads(previous_path.read_text()) if previous_path.exists() else {}
    cache = Cache(cache_path or data_dir / CACHE_NAME)
    keyed = {"single run": (cache.rows(settings, "ok"), cache.rows(settings, "failed")),
             "state search": (cache.rows(settings, "ok", search),
                              cache.rows(settings, "failed", search))}

    groups = {g: tasks(g, settings, element) for g in structures.GROUPS}
    pool_types = [a.info["config_type"] for _, a in groups["pool"]]
    split = pool_split(pool_types, element)
    members = {g: [sid for sid, _ in groups[g]] for g in ("isolated_atom", "dimers", "clusters")}
    pool_sids = [sid for sid, _ in groups["pool"]]
    for name, idx in split.items():
        members[name] = [pool_sids[i] for i in idx]
    members["pool"] = pool_sids

    geometry = {sid: geometry_digest(a) for g in groups.values() for sid, a in g}
    sets, incomplete, failures = {}, {}, {}
    labelled_by = {}
    for name in datasets.SET_ORDER:
        sids = members[name]
        # molecules: the state search if complete, else the earlier single fixed-moment runs
        methods = ("state search", "single run") if name in MOLECULAR_GROUPS else ("single run",)
        for method in methods:
            ok, failed = keyed[method]
            missing = [s for s in sids if s not in ok and s not in failed]
            stale = [s for s in sids if s in ok and ok[s].geometry != geometry[s]]
            if not (missing or stale):
                break
            incomplete.setdefault(name, {"missing": len(missing), "stale": len(stale)})
        else:
            continue
        incomplete.pop(name, None)
        labelled_by[name] = method
        bad = [s for s in sids if s not in ok]
        failures.update({s: failed[s].data.get("error", "") for s in bad})
        images = [_row_atoms(ok[s], s) for s in sids if s in ok]
        if method == "state search":  # the earlier single-run label beside it, for the before/after
            single = keyed["single run"][0]
            for a in images:
                row = single.get(a.info["sid"])
                if row is not None and row.geometry == geometry[a.info["sid"]]:
                    a.info["energy_single_run"] = float(row.energy)
                    if row.get("moment") is not None:
                        a.info["spin_moment_single_run"] = int(row.moment)
        if name == "pool":
            where = {s: [n for n in ("narrow", "crystals", "diverse", "test") if s in members[n]]
                     for s in sids}
            for a in images:
                a.info["sets"] = ",".join(where[a.info["sid"]]) or "none"
        path = data_dir / f"{name}.extxyz"
        write(path, images, format="extxyz")
        types: dict[str, int] = {}
        for a in images:
            types[a.info["config_type"]] = types.get(a.info["config_type"], 0) + 1
        sets[name] = {
            "file": path.name,
            "sha256": sha256(path),
            "n_structures": len(images),
            "n_atoms": int(sum(len(a) for a in images)),
            "config_types": types,
            "failed": bad,
            "description": datasets.describe(name, element),
            "labelled_by": labelled_by[name],
        }
        if labelled_by[name] == "state search" and name in MOLECULAR_GROUPS:
            missing = sum(int(ok[s].data.get("runs_missing", 0)) for s in sids if s in ok)
            sets[name]["state_search_runs_missing"] = missing

    split_members = {n: members[n] for n in ("narrow", "crystals", "diverse", "test")}
    for name in incomplete:  # keep what the previous export wrote (if its file is unchanged)
        entry = previous.get("sets", {}).get(name)
        if entry and (data_dir / entry["file"]).exists() and sha256(data_dir / entry["file"]) == entry["sha256"]:
            sets[name] = {**entry, "kept_from_export": entry.get("kept_from_export", previous.get("created"))}
            incomplete[name]["previous_export_kept"] = True
            if name in ("narrow", "crystals", "diverse", "test", "pool") and "split" in previous:
                split_members = previous["split"]["members"]
    sets = {name: sets[name] for name in datasets.SET_ORDER if name in sets}

    wall: dict[str, float] = {}
    for method, (ok, _) in keyed.items():
        for name in datasets.SET_ORDER:
            if labelled_by.get(name) == method and name != "pool":
                wall.update({s: ok[s].wall_time for s in members[name] if s in ok})
    wall.update({s: keyed["single run"][0][s].wall_time for s in members["pool"]
                 if s in keyed["single run"][0]})
    conv_path = data_dir / CONVERGENCE_NAME
    module = structures.element_module(element)
    manifest = {
        "schema": 1,
        "element": element,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "code": provenance(element),
        "dft": {
            **settings.to_dict(),
            "settings_digest": settings.digest(),
            "code": "GPAW (plane waves), PAW setups from gpaw-data",
            "kpoints": "Gamma-centred Monkhorst-Pack, N_i = ceil(2 pi |b_i| kpt_density) along "
                       "periodic axes, 1 along vacuum axes; Gamma only for molecules",
            "smearing": "Fermi-Dirac",
            "energy": "energy extrapolated to zero smearing width (GPAW/ASE default); the "
                      "force-consistent free energy is the calculator's 'free_energy' "
                      "(atoms.get_potential_energy(force_consistent=True))",
            "spin": "periodic structures (bulk, slabs, layers, chains): not spin-polarised; "
                    "molecules (atom, dimers, clusters): spin-polarised, labelled by the state "
                    "search (see 'state_search'; sets[<name>]['labelled_by'] says which method "
                    "labelled each molecular set; 'single run' = one Fermi-Dirac run per fixed "
                    f"moment {list(settings.molecule_moments)}, width {settings.width} eV)",
            "molecule_box": f"orthorhombic, extent + 2*vacuum + {list(BOX_ASYMMETRY)} A, pbc "
                            "False; every dimer in the box of the longest one",
        },
        "convergence": json.loads(conv_path.read_text()) if conv_path.exists() else None,
        "state_search": {**search.to_dict(), "settings_digest": search.digest(),
                         "description": STATE_SEARCH_DESCRIPTION,
                         "run_logs": f"{STATE_SEARCH_DIR}/<group>/*.jsonl"},
        "isolated_atom": _atom_states(keyed["state search"][0].get("atom")),
        "known_issues": KNOWN_ISSUES[element] + [issue for name, issue in LEGACY_ISSUES.items()
                                        if labelled_by.get(name) == "single run"] + [
            f"{name} is labelled from a state search with {info['state_search_runs_missing']} "
            "planned SCF runs not yet done (each structure's missing runs: info of its cache "
            f"row); finish with `python -m linace.study.dft generate --set {name}`"
            for name, info in sets.items() if info.get("state_search_runs_missing")],
        "split": {
            "seed": datasets.SPLIT_SEED,
            "test_fraction": getattr(module, "TEST_FRACTION", datasets.TEST_FRACTION),
            "crystalline_types": list(module.CRYSTALLINE),
            "members": split_members,
        },
        "sets": sets,
        "incomplete": incomplete,
        "failures": failures,
        "compute": {"cpu_core_seconds": float(sum(wall.values())), "n_rows": len(wall)},
    }
    with open(data_dir / datasets.MANIFEST, "w") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    return manifest


# ----------------------------------------------------------------------------- convergence check


#: reference settings of the convergence check (each scan varies one of them)
CONVERGENCE_REFERENCE = DFTSettings(ecut=500.0, kpt_density=3.0, width=0.05, vacuum=5.0,
                                    maxiter=300)


#: periodic cases of the convergence scans per element: (cut-off scan, k-point and width scans);
#: the forces scan uses 'diamond_displaced' and 'sc_rattled' of every element
CONVERGENCE_PERIODIC = {
    "C": (("diamond", "diamond_0.85", "graphite", "fcc", "diamond_rattled8"), ("diamond", "graphite", "fcc", "sc")),
    "Si": (("diamond", "diamond_0.85", "betatin", "fcc", "diamond_rattled8"), ("diamond", "betatin", "fcc", "sc")),
}


def convergence_cases(reference: DFTSettings = CONVERGENCE_REFERENCE, element: str = "C") -> list[tuple]:
    """The runs of the convergence check: [(scan, case, value, atoms, settings, moments)].

    Each scan varies one setting of ``reference``; the most accurate value is the reference.
    In order of execution:

    * ``ecut_molecule``: C2 at 1.25 A (moments 0, 2), at 5.0 A (moment 4) and the triplet atom
      at vacuum 4 A versus the cut-off (binding energies per atom, forces).
    * ``vacuum``: the same molecules versus the vacuum (reference 6 A; C2 at 5 A up to 5 A).
    * ``ecut``: cut-off at k-density 1.5; diamond at V0 and 0.85 V0, graphite, fcc (energy
      differences per atom) and a rattled 8-atom diamond cell (forces, stress).
    * ``kpt_density_w0.05``, ``kpt_density_w0.1``: k-density at two widths; diamond, graphite,
      fcc, sc (energy differences per atom).
    * ``kpt_density_forces``: forces of a 2-atom diamond cell with a displaced atom and of a
      rattled 2-atom sc cell (metallic) versus the k-density (reference 3.5).
    * ``width``: smearing widths at k-density 4.5 (reference: the smallest width), energies.
    """
    module = structures.element_module(element)
    periodic = module.convergence_structures()
    molecules = module.convergence_molecules()
    long_dimer = list(molecules)[-1]  # too long a box at the largest vacuum
    ecut_cases, ecases = CONVERGENCE_PERIODIC[element]
    cases = []
    for e in [350.0, 400.0, 450.0, 500.0, 550.0, 600.0, 800.0]:
        s = dataclasses.replace(reference, ecut=e, vacuum=4.0)
        for case, (mol, moments) in molecules.items():
            cases.append(("ecut_molecule", case, e, box_molecule(mol, 4.0), s, moments))
    for v in [3.0, 4.0, 5.0, 6.0]:
        s = dataclasses.replace(reference, vacuum=v)
        for case, (mol, moments) in molecules.items():
            if v < 6.0 or case != long_dimer:
                cases.append(("vacuum", case, v, box_molecule(mol, v), s, moments))
    for e in [350.0, 400.0, 450.0, 500.0, 600.0, 800.0]:
        s = dataclasses.replace(reference, ecut=e, kpt_density=1.5)
        for case in ecut_cases:
            cases.append(("ecut", case, e, periodic[case], s, None))
    fcases = ("diamond_displaced", "sc_rattled")
    for w in (0.05, 0.1):
        for d in [1.5, 2.0, 2.5, 3.0, 4.5]:
            s = dataclasses.replace(reference, kpt_density=d, width=w)
            for case in ecases:
                cases.append((f"kpt_density_w{w}", case, d, periodic[case], s, None))
    for d in [1.5, 2.0, 2.5, 3.5]:
        s = dataclasses.replace(reference, kpt_density=d)
        for case in fcases:
            cases.append(("kpt_density_forces", case, d, periodic[case], s, None))
    for w in (0.2, 0.1, 0.05, 0.02):
        s = dataclasses.replace(reference, width=w, kpt_density=4.5)
        for case in ecases:
            cases.append(("width", case, w, periodic[case], s, None))
    return cases


def _energy_differences(res: dict, value) -> dict[str, float]:
    """Energy differences (eV/atom) of one scan value: periodic vs diamond, or molecule binding."""
    def ok(case):
        r = res.get((case, value))
        return r if r is not None and r["status"] == "ok" else None

    out = {}
    cases = sorted({case for case, v in res if v == value})
    if ok("atom"):
        for case in cases:
            if case != "atom" and ok(case):
                out[f"E({case})-2E0 per atom"] = (ok(case)["energy"] - 2 * ok("atom")["energy"]) / 2
    elif ok("diamond"):
        e_dia = ok("diamond")["energy"] / ok("diamond")["natoms"]
        for case in cases:
            if case not in ("diamond", "diamond_rattled8", "diamond_displaced", "sc_rattled") and ok(case):
                e = ok(case)["energy"] / ok(case)["natoms"]
                out[f"E({case})-E(diamond) per atom"] = e - e_dia
    return out


def _scan_summary(res: dict, values: list) -> dict:
    """Errors versus ``values[-1]`` (the reference) of one scan.

    Per value: every energy difference (eV/atom) and its error (meV/atom), the largest error of an
    energy difference (meV/atom; None if the scan has no differences), of a force component (eV/A)
    and of a stress component (GPa), the largest |free - extrapolated energy| (meV/atom), the
    failed cases, the summed wall time (s), and ``per_case`` errors (total energy per atom in
    meV/atom, forces, stress).
    """
    from ase.units import GPa

    ref = values[-1]
    ref_diff = _energy_differences(res, ref)
    rows = []
    for v in values:
        diff = _energy_differences(res, v)
        row = {"value": v}
        row.update({k: round(x, 6) for k, x in diff.items()})
        errs = [1000 * (diff[k] - ref_diff[k]) for k in diff if k in ref_diff]
        complete = len(ref_diff) > 0 and all(k in diff for k in ref_diff)
        row["max_energy_difference_error_meV_per_atom"] = (
            round(max(map(abs, errs)), 3) if complete else None)  # None: a difference is missing
        ferr = serr = smear = 0.0
        per_case = {}
        for (case, vv), r in res.items():
            if vv != v or r["status"] != "ok":
                continue
            smear = max(smear, 1000 * abs(r["free_energy"] - r["energy"]) / r["natoms"])
            r0 = res.get((case, ref))
            if r0 is None or r0["status"] != "ok":
                continue
            df = float(np.abs(np.asarray(r["forces"]) - r0["forces"]).max())
            ferr = max(ferr, df)
            per_case[case] = {"energy_error_meV_per_atom":
                              round(1000 * (r["energy"] - r0["energy"]) / r["natoms"], 3),
                              "max_force_error_eV_per_A": round(df, 4)}
            if "stress" in r and "stress" in r0:
                ds = float(np.abs(np.asarray(r["stress"]) - r0["stress"]).max()) / GPa
                serr = max(serr, ds)
                per_case[case]["max_stress_error_GPa"] = round(ds, 3)
        row["max_force_error_eV_per_A"] = round(ferr, 4)
        row["max_stress_error_GPa"] = round(serr, 3)
        row["max_free_minus_extrapolated_meV_per_atom"] = round(smear, 3)
        row["failed"] = sorted(c for (c, vv), r in res.items() if vv == v and r["status"] != "ok")
        row["wall_time_s"] = round(sum(r["wall_time"] for (c, vv), r in res.items() if vv == v), 1)
        row["per_case"] = per_case
        rows.append(row)
    return {"reference_value": ref, "rows": rows}


def _convergence_job(atoms: Atoms, settings: DFTSettings, moments) -> dict:
    out = compute(atoms, settings, moments)
    out["natoms"] = len(atoms)
    out.pop("kpts", None)
    for key in ("forces", "stress"):
        if key in out:
            out[key] = np.asarray(out[key]).tolist()
    return out


def converge(reference: DFTSettings | None = None, workers: int = 2,
             path: str | os.PathLike | None = None, scans: Sequence[str] | None = None,
             element: str = "C") -> dict:
    """Run the convergence check (:func:`convergence_cases`) and write ``data/convergence.json``.

    Resumable: every finished run is appended at once to ``data/convergence_runs.jsonl`` and
    skipped when the check is run again. ``scans`` restricts the runs to some scans (the summary
    covers every scan with results). Returns the summary: per scan, the fixed settings and, per
    value, the errors of :func:`_scan_summary`.
    """
    from tqdm import tqdm

    reference = reference or CONVERGENCE_REFERENCE
    path = Path(path or _data_dir(element) / CONVERGENCE_NAME)
    path.parent.mkdir(parents=True, exist_ok=True)
    runs_path = path.with_name("convergence_runs.jsonl")
    cases = convergence_cases(reference, element)
    fixed: dict[str, dict] = {}
    for scan, case, v, atoms, s, moments in cases:
        param = "kpt_density" if scan.startswith("kpt") else scan.replace("_molecule", "")
        fixed.setdefault(scan, {k: x for k, x in s.to_dict().items() if k != param})
    done = {}
    if runs_path.exists():
        for line in runs_path.read_text().splitlines():
            if line.strip():
                rec = json.loads(line)
                done[(rec["scan"], rec["case"], rec["value"], rec["settings"])] = rec["result"]
    todo = [c for c in cases if (c[0], c[1], c[2], c[4].digest()) not in done
            and (scans is None or c[0] in scans)]
    if todo:
        with default_executor(workers) as ex, open(runs_path, "a") as log:
            futs = {ex.submit(_convergence_job, atoms, s, moments): (scan, case, v, s)
                    for scan, case, v, atoms, s, moments in todo}
            for fut in tqdm(as_completed(futs), total=len(futs), desc="convergence"):
                scan, case, v, s = futs[fut]
                result = fut.result()
                done[(scan, case, v, s.digest())] = result
                log.write(json.dumps({"scan": scan, "case": case, "value": v,
                                      "settings": s.digest(), "result": result}) + "\n")
                log.flush()
    results: dict[str, dict] = {}
    for scan, case, v, atoms, s, moments in cases:
        key = (scan, case, v, s.digest())
        if key in done:
            results.setdefault(scan, {})[(case, v)] = done[key]
    summary = {"reference_settings": reference.to_dict(), "scans": {}}
    for scan, res in results.items():
        values = sorted({v for _, v in res})
        if scan == "width":
            values = values[::-1]  # reference: the smallest width
        summary["scans"][scan] = {"fixed": fixed[scan], **_scan_summary(res, values)}
    summary["wall_time_s"] = round(sum(r["wall_time"] for r in done.values()), 1)
    with open(path, "w") as fh:
        json.dump(summary, fh, indent=1)
        fh.write("\n")
    return summary


# ----------------------------------------------------------------------------- command line


def main(argv: Iterable[str] | None = None) -> int:
    """Command line: ``python -m linace.study.dft {generate,export,converge}``."""
    parser = argparse.ArgumentParser(prog="python -m linace.study.dft",
                                     description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="compute a set (resumable; cached in data/dft_cache.db)")
    g.add_argument("--set", required=True, dest="group",
                   help="isolated_atom, dimers, clusters, pool "
                        "(or a pool subset: narrow, crystals, diverse, test)")
    g.add_argument("--workers", type=int, default=2)
    g.add_argument("--retry-failed", action="store_true")
    g.add_argument("--cache", default=None, help="SQLite cache (default data/dft_cache.db)")
    lab = sub.add_parser("label", help="label a molecular set from the state-search runs logged "
                                       "so far (missing runs are recorded)")
    lab.add_argument("--set", required=True, dest="group", choices=MOLECULAR_GROUPS)
    lab.add_argument("--cache", default=None)
    e = sub.add_parser("export", help="write data/*.extxyz and data/manifest.json from the cache")
    e.add_argument("--cache", default=None)
    c = sub.add_parser("converge", help="convergence check -> data/convergence.json (resumable)")
    c.add_argument("--workers", type=int, default=2)
    c.add_argument("--scans", nargs="*", default=None, help="only these scans (default: all)")
    for command in (g, lab, e, c):
        command.add_argument("--element", default="C", choices=list(structures.ELEMENT_MODULES),
                             help="the element (default C: data/; others: data/<element>/)")
    args = parser.parse_args(list(argv) if argv is not None else None)

    if args.command == "generate":
        counts = generate(args.group, workers=args.workers, cache_path=args.cache,
                          retry_failed=args.retry_failed, element=args.element)
        print(json.dumps(counts))
    elif args.command == "label":
        print(json.dumps(label(args.group, cache_path=args.cache, element=args.element)))
    elif args.command == "export":
        manifest = export(cache_path=args.cache, element=args.element)
        print(json.dumps({n: s["n_structures"] for n, s in manifest["sets"].items()}),
              "incomplete:", json.dumps(manifest["incomplete"]))
    elif args.command == "converge":
        summary = converge(workers=args.workers, scans=args.scans, element=args.element)
        print(json.dumps(summary["scans"], indent=1))
    return 0

