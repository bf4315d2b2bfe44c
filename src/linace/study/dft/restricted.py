"""The spin-restricted reference of the molecules: the isolated atom and the dimer curve, not spin-polarised.

Convention (:func:`convention`): **spin-restricted (non-spin-polarised), Fermi-Dirac smearing
<w> eV, E extrapolated to zero width** (w = ``DFTSettings.width``, 0.05 eV for C and Si). One GPAW
run per geometry (``spinpol=False``: the same orbitals for both spins, no moment, no state search),
from scratch, with every other setting of the element's reference (:class:`DFTSettings`: xc, PAW
setups, plane-wave cut-off, SCF convergence) and the same boxed geometries as the committed
spin-polarised sets (:func:`restricted_tasks`: the atom in its non-cubic box, the dimers at exactly
the committed separations, every dimer in the box of the longest one). The committed reference
(``data/<element>/isolated_atom.extxyz``, ``dimers.extxyz``) is spin-polarised: the Hund's-rule
atom and the lowest solution of a state search; this second reference shows what a spin-restricted
calculation, as some published dimer curves may have used, gives instead.

A spin-restricted atom cannot polarise: C and Si (s^2 p^2) keep two p electrons spread over three
p orbitals (fractional occupations, which the smearing allows and the extrapolation to zero width
keeps); E0_restricted - E0_polarised is the atom's spin-polarisation energy.

Workflow (resumable, one process by default)::

    python -m linace.study.dft generate-restricted --element C --set isolated_atom
    python -m linace.study.dft generate-restricted --element C --set dimers
    python -m linace.study.dft export-restricted --element C

Each finished geometry is written at once to an ASE SQLite cache of its own,
``data/<element>/restricted/dft_cache.db`` (:data:`RESTRICTED_DIR`; the committed cache of the
polarised data is never written), keyed by the geometry, the settings and :class:`SpinRestricted`;
re-running skips what is cached. :func:`export_restricted` writes
``data/<element>/restricted/<set>.extxyz`` and the ``references`` section of the element's
``manifest.json`` (:data:`REFERENCE_KEY`; never its ``sets``, which the sweep reads as training
and test sets). The loaders are in :mod:`linace.study.reference`
(:func:`~linace.study.reference.restricted_dimer_curve`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from concurrent.futures import Executor, as_completed
from pathlib import Path

import numpy as np
from ase import Atoms

from linace.study.dft.cache import CACHE_NAME, Cache
from linace.study.dft.calculations import _gpaw_calculator, format_error, gpaw_executor
from linace.study.dft.generation import data_dir as element_data_dir
from linace.study.dft.generation import tasks
from linace.study.dft.settings import DFTSettings, default_settings, geometry_digest, short_digest
from linace.study.dft.states import _linear_axis, configuration, configuration_string, orbital_symmetry

__all__ = [
    "REFERENCE_KEY",
    "RESTRICTED_DIR",
    "RESTRICTED_GROUPS",
    "SpinRestricted",
    "convention",
    "export_restricted",
    "generate_restricted",
    "internal_energy",
    "occupation_class",
    "restricted_tasks",
    "run_restricted",
]

#: directory (under ``data/<element>/``) of the spin-restricted reference: its cache and files
RESTRICTED_DIR = "restricted"
#: the molecular sets of the reference computed spin-restricted
RESTRICTED_GROUPS = ("isolated_atom", "dimers")
#: key of this reference in the ``references`` section of the element's manifest
REFERENCE_KEY = "spin_restricted"


def convention(width: float) -> str:
    """The name of the convention, as every file and table gives it (``width`` in eV)."""
    return f"spin-restricted (non-spin-polarised), Fermi-Dirac smearing {width:g} eV, E extrapolated to zero width"


@dataclasses.dataclass(frozen=True)
class SpinRestricted:
    """The method of the spin-restricted reference (recorded in the manifest; part of the cache key).

    It has no free parameter: the smearing width and every other setting come from
    :class:`DFTSettings`. ``integer_tolerance`` only names the occupations of a finished run
    ('integer' if every band holds within it of 0 or 2 electrons) and is not part of the key.
    """

    integer_tolerance: float = 0.02

    def to_dict(self) -> dict:
        return {
            "spinpol": False,
            "occupations": "fermi-dirac, width of the settings",
            "energy": "extrapolated to zero width",
            "runs": "one run per geometry, from scratch",
            "nbands": "GPAW default",
            "integer_tolerance": self.integer_tolerance,
        }

    def digest(self) -> str:
        """Short SHA-256 of what decides a run's result (the cache key; the tolerance left out)."""
        return short_digest({k: v for k, v in self.to_dict().items() if k != "integer_tolerance"})


def occupation_class(occupations: np.ndarray, tol: float = 0.02) -> str:
    """'integer' if every band of a spin-restricted run holds within ``tol`` of 0 or 2 electrons,
    else 'fractional'. ``occupations``: shape (n_bands,), electrons per band (0 to 2)."""
    f = np.asarray(occupations, float) / 2
    if f.ndim != 1 or np.any(f < -1e-9) or np.any(f > 1 + 1e-9):
        raise ValueError(f"occupations must be a 1-d array of numbers in [0, 2], got {np.asarray(occupations)!r}")
    return "integer" if bool(np.all(np.minimum(f, 1 - f) <= tol)) else "fractional"


def restricted_tasks(
    group: str, settings: DFTSettings, element: str = "C", committed_dir: str | os.PathLike | None = None
) -> list[tuple[str, Atoms]]:
    """[(sid, atoms as computed)] of a restricted set: the geometries of the polarised set.

    The structures are those of :func:`linace.study.dft.generation.tasks` (the atom in its
    non-cubic box, every dimer in the box of the longest one). If the element's polarised set is
    committed (``committed_dir``, default ``data/<element>/``, holds ``<group>.extxyz``), every
    geometry must be the committed one (same sids, positions and cell to 1e-6 A): a ValueError
    naming the first difference is raised before any calculation.
    """
    from ase.io import read

    if group not in RESTRICTED_GROUPS:
        raise ValueError(f"no spin-restricted reference for set {group!r}; sets: {', '.join(RESTRICTED_GROUPS)}")
    todo = tasks(group, settings, element)
    path = Path(committed_dir or element_data_dir(element)) / f"{group}.extxyz"
    if path.exists():
        committed = {a.info["sid"]: a for a in read(path, index=":", format="extxyz")}
        ours = {sid for sid, _ in todo}
        if ours != set(committed):
            raise ValueError(
                f"{group} of {element}: the structures to compute ({len(ours)}) are not those "
                f"of {path} ({len(committed)}): only ours {sorted(ours - set(committed))[:5]}, "
                f"only committed {sorted(set(committed) - ours)[:5]}"
            )
        for sid, atoms in todo:
            c = committed[sid]
            if not (
                np.allclose(c.positions, atoms.positions, atol=1e-6)
                and np.allclose(c.cell.array, atoms.cell.array, atol=1e-6)
            ):
                raise ValueError(
                    f"{group} of {element}: {sid} is not the geometry committed in {path} "
                    "(positions or box differ by more than 1e-6 A)"
                )
    return todo


def _describe(calc, atoms: Atoms, tol: float) -> dict:
    """Occupations (electrons per band), eigenvalues (eV), their class and, for a dimer, the
    electrons per orbital symmetry (``configuration``)."""
    nb = calc.get_number_of_bands()
    f = np.asarray(calc.get_occupation_numbers(), float)[:nb]
    out = {
        "occupations": np.round(f, 4).tolist(),
        "eigenvalues": np.round(calc.get_eigenvalues()[:nb], 4).tolist(),
        "fermi_level": float(calc.get_fermi_level()),
        "occupation": occupation_class(f, tol),
        "niter": int(calc.get_number_of_iterations()),
    }
    axis = _linear_axis(atoms)
    if axis is not None and len(atoms) == 2:
        orbitals = [
            (orbital_symmetry(calc.get_pseudo_wave_function(n), axis), float(f[n])) for n in range(nb) if f[n] > 1e-3
        ]
        out["orbitals"] = [[label, round(occ, 4)] for label, occ in orbitals]
        out["configuration"] = configuration_string(configuration([orbitals]))
    return out


def run_restricted(atoms: Atoms, settings: DFTSettings, method: SpinRestricted | None = None) -> dict:
    """One spin-restricted GPAW run of a molecule in its box; never raises.

    Gamma point, ``spinpol=False``, Fermi-Dirac smearing of ``settings.width`` (eV), GPAW's default
    number of bands. Returns the dict :meth:`Cache.write` stores: ``status`` ('ok' or 'failed'),
    ``error``, ``wall_time`` (s), and for 'ok' ``energy`` (eV, extrapolated to zero width),
    ``free_energy`` (eV, the force-consistent Mermin energy), ``forces`` (N, 3) eV/A, ``kpts``,
    ``occupations`` (electrons per band), ``eigenvalues`` (eV), ``fermi_level`` (eV),
    ``occupation`` (class), ``niter``, and for a dimer ``orbitals`` and ``configuration``.
    """
    from linace.study.executors import limit_threads

    limit_threads(1)  # a GPAW worker: one thread
    method = method or SpinRestricted()
    if any(atoms.pbc):
        return {
            "status": "failed",
            "error": "the spin-restricted reference is for molecules (pbc all False)",
            "wall_time": 0.0,
        }
    t0 = time.perf_counter()
    work = atoms.copy()
    work.pbc = True  # plane waves: the box is periodic (the stored copy keeps pbc False)
    work.set_initial_magnetic_moments(None)
    try:
        work.calc = _gpaw_calculator(settings, (1, 1, 1), spinpol=False, fixmagmom=False)
        energy = float(work.get_potential_energy())
        out = {
            "status": "ok",
            "error": "",
            "energy": energy,
            "free_energy": float(work.get_potential_energy(force_consistent=True)),
            "forces": np.asarray(work.get_forces()),
            "kpts": [1, 1, 1],
            **_describe(work.calc, work, method.integer_tolerance),
        }
    except Exception as exc:  # SCF non-convergence and anything else: record, do not crash
        out = {"status": "failed", "error": format_error(exc)}
    out["wall_time"] = time.perf_counter() - t0
    return out


def _cache_path(element: str, cache_path=None) -> Path:
    if cache_path is not None:
        return Path(cache_path)
    folder = element_data_dir(element) / RESTRICTED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder / CACHE_NAME


def generate_restricted(
    group: str,
    settings: DFTSettings | None = None,
    element: str = "C",
    workers: int = 1,
    executor: Executor | None = None,
    cache_path: str | os.PathLike | None = None,
    retry_failed: bool = False,
    progress: bool = True,
    committed_dir: str | os.PathLike | None = None,
    run=run_restricted,
) -> dict:
    """Compute every not yet cached geometry of a restricted set (resumable, crash-safe).

    Parameters
    ----------
    group : str
        'isolated_atom' or 'dimers' (:data:`RESTRICTED_GROUPS`).
    settings : DFTSettings, optional
        Default: the element's (:func:`default_settings`).
    element : str
    workers : int
        Processes of the default pool (one BLAS thread each; ignored if ``executor`` is given).
    executor : concurrent.futures.Executor, optional
    cache_path : path, optional
        Default ``data/<element>/restricted/dft_cache.db``.
    retry_failed : bool
        Recompute geometries whose cached run failed.
    committed_dir : path, optional
        Where the committed polarised sets are (default ``data/<element>/``), see
        :func:`restricted_tasks`.
    run : callable
        ``run(atoms, settings) -> result`` (default :func:`run_restricted`; tests pass a fake).

    Returns
    -------
    dict
        ``total``, ``skipped``, ``ok``, ``failed``, ``wall_time`` (s of this call).
    """
    from tqdm import tqdm

    settings = settings or default_settings(element)
    method = SpinRestricted()
    todo_all = restricted_tasks(group, settings, element, committed_dir)
    cache = Cache(_cache_path(element, cache_path))
    done = cache.finished(settings, method)
    todo = []
    for sid, atoms in todo_all:
        geom = geometry_digest(atoms)
        if sid in done and done[sid][0] == geom and (done[sid][1] == "ok" or not retry_failed):
            continue
        todo.append((sid, atoms, geom))
    if group == "dimers":  # shortest separation first, so that a partial curve is a contiguous stretch
        todo.sort(key=lambda t: t[1].get_distance(0, 1))
    counts = {"total": len(todo_all), "skipped": len(todo_all) - len(todo), "ok": 0, "failed": 0}
    t0 = time.perf_counter()
    if todo:
        own = executor is None
        executor = executor or gpaw_executor(workers)
        try:
            futures = {executor.submit(run, atoms, settings): (sid, atoms, geom) for sid, atoms, geom in todo}
            bar = tqdm(
                total=len(todo_all),
                initial=counts["skipped"],
                desc=f"{element} {group} (spin-restricted)",
                unit="structure",
                disable=not progress,
                smoothing=0.05,
            )
            for fut in as_completed(futures):
                sid, atoms, geom = futures[fut]
                try:
                    result = fut.result()
                except Exception as exc:  # the worker died (killed, out of memory)
                    result = {"status": "failed", "error": format_error(exc)}
                try:
                    cache.write(sid, group, atoms, geom, settings, result, method)
                except Exception as exc:  # keep the others running; this one is redone next time
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


def internal_energy(energy: float, free_energy: float) -> float:
    """The internal energy E_int = F + TS (eV) of a Fermi-Dirac run, from GPAW's ``energy`` (E, the
    extrapolation F + TS/2) and ``free_energy`` (F): E_int = 2 E - F.

    For a smooth density of states E -> E(sigma = 0) to O(sigma^2). Where the occupations do not
    change as the width goes to zero (fractionally occupied degenerate levels, as the p shell of a
    spin-restricted C or Si atom) the zero-width limit is E_int instead, and E lies TS/2 below it.
    """
    return 2.0 * energy - free_energy


def _row_atoms(row, sid: str, width: float):
    """The exported structure of a cached row: energies, forces and the run's description."""
    from ase.calculators.singlepoint import SinglePointCalculator

    atoms = row.toatoms()
    atoms.info = {
        "sid": sid,
        "config_type": row.config_type,
        "spin": "restricted",
        "convention": convention(width),
        "occupation": str(row.data["occupation"]),
        "free_minus_energy": float(row.data["free_energy"]) - float(row.energy),
        "energy_internal": internal_energy(float(row.energy), float(row.data["free_energy"])),
        "fermi_level": float(row.data["fermi_level"]),
        "niter": int(row.data["niter"]),
        "occupations": np.asarray(row.data["occupations"], float),
    }
    if row.data.get("configuration"):
        atoms.info["configuration"] = str(row.data["configuration"])
    atoms.calc = SinglePointCalculator(
        atoms, energy=row.energy, free_energy=float(row.data["free_energy"]), forces=row.forces
    )
    return atoms


def export_restricted(
    element: str = "C",
    settings: DFTSettings | None = None,
    cache_path: str | os.PathLike | None = None,
    data_dir: str | os.PathLike | None = None,
) -> dict:
    """Write ``<data_dir>/restricted/<set>.extxyz`` of every complete set and the ``references``
    section of ``<data_dir>/manifest.json``; return that section's entry.

    A set is written when every geometry of it is cached (failures dropped and listed); a set
    still missing geometries is listed under ``incomplete`` and its previous file, if its checksum
    is the recorded one, is kept with its entry. Nothing of the manifest but
    ``references[REFERENCE_KEY]`` is changed. The entry holds the convention, the settings and
    method, the code versions, per set file, sha256, counts, failures and separations, E0 both ways
    and their difference (the atom's spin-polarisation energy, eV), and the compute time.
    """
    from ase.io import read, write

    from linace.study import datasets
    from linace.study.dft.export import provenance

    settings = settings or default_settings(element)
    method = SpinRestricted()
    data_dir = Path(data_dir or element_data_dir(element))
    manifest_path = data_dir / datasets.MANIFEST
    if not manifest_path.exists():
        raise FileNotFoundError(
            f"{manifest_path} is missing: export the polarised data first (python -m linace.study.dft export)"
        )
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("element", element) != element:
        raise ValueError(f"{manifest_path} is the manifest of {manifest.get('element')}, not of {element}")
    previous = manifest.get("references", {}).get(REFERENCE_KEY, {})
    cache = Cache(Path(cache_path) if cache_path else data_dir / RESTRICTED_DIR / CACHE_NAME)
    ok, failed = cache.rows(settings, "ok", method), cache.rows(settings, "failed", method)
    folder = data_dir / RESTRICTED_DIR
    folder.mkdir(parents=True, exist_ok=True)

    sets, incomplete, failures, wall = {}, {}, {}, {}
    for group in RESTRICTED_GROUPS:
        todo = restricted_tasks(group, settings, element, data_dir)
        geometry = {sid: geometry_digest(a) for sid, a in todo}
        wall.update({s: float(ok[s].wall_time) for s in geometry if s in ok and ok[s].geometry == geometry[s]})
        wall.update(
            {s: float(failed[s].wall_time) for s in geometry if s in failed and failed[s].geometry == geometry[s]}
        )
        missing = [
            s
            for s in geometry
            if not (s in ok and ok[s].geometry == geometry[s])
            and not (s in failed and failed[s].geometry == geometry[s])
        ]
        if missing:
            incomplete[group] = {"missing": len(missing), "of": len(geometry)}
            entry = previous.get("sets", {}).get(group)
            kept = data_dir / entry["file"] if entry else None
            if kept is not None and kept.exists() and datasets.sha256(kept) == entry["sha256"]:
                sets[group] = entry
                incomplete[group]["previous_export_kept"] = True
            continue
        bad = [s for s in geometry if s not in ok]
        failures.update({s: failed[s].data.get("error", "") for s in bad})
        images = [_row_atoms(ok[s], s, settings.width) for s, _ in todo if s in ok]
        path = folder / f"{group}.extxyz"
        write(path, images, format="extxyz")
        entry = {
            "file": f"{RESTRICTED_DIR}/{path.name}",
            "sha256": datasets.sha256(path),
            "n_structures": len(images),
            "n_atoms": int(sum(len(a) for a in images)),
            "failed": bad,
            "occupations": {c: sum(a.info["occupation"] == c for a in images) for c in ("integer", "fractional")},
        }
        if group == "dimers":
            r = [float(a.get_distance(0, 1)) for a in images]
            entry.update(
                separations_A=[round(min(r), 6), round(max(r), 6)],
                same_separations_as="dimers.extxyz (the spin-polarised curve)",
            )
        sets[group] = entry

    atoms_entry = None
    if "isolated_atom" in sets:
        (atom,) = read(data_dir / sets["isolated_atom"]["file"], index=":", format="extxyz")
        e_restricted = float(atom.get_potential_energy())
        polarised = (manifest.get("isolated_atom") or {}).get("E0")
        free = float(atom.get_potential_energy(force_consistent=True))
        atoms_entry = {
            "E0_restricted": e_restricted,
            "E0_polarised": polarised,
            "spin_polarisation_energy_eV": None if polarised is None else e_restricted - polarised,
            "occupation": atom.info["occupation"],
            "occupations": np.atleast_1d(atom.info["occupations"]).tolist(),
            "E0_restricted_free_energy": free,
            "E0_restricted_internal_energy": internal_energy(e_restricted, free),
            "note": "spin_polarisation_energy_eV = E0_restricted - E0_polarised (the committed "
            "Hund's-rule atom, integer occupations, so its three energies coincide): what "
            "the atom gains by polarising its spin. E0_restricted is GPAW's energy "
            "extrapolated to zero width, F + TS/2 (the convention); the free energy F and "
            "the internal energy F + TS are given beside it because the restricted atom's "
            "p shell is fractionally occupied, so its zero-width limit is the internal "
            "energy and the extrapolation lies TS/2 below it (linace.study.dft.restricted."
            "internal_energy)",
        }
    entry = {
        "convention": convention(settings.width),
        "description": "The isolated atom and the dimer curve computed spin-restricted (spinpol=False, one "
        "GPAW run per geometry from scratch, no state search), at the geometries of the "
        "committed spin-polarised isolated_atom.extxyz and dimers.extxyz (same boxes, same "
        "separations), with the element's DFT settings ('dft'). Binding energies of this "
        "reference are E - 2 E0_restricted. Not a training set: deliberately outside 'sets'.",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "code": provenance(element),
        "dft": {**settings.to_dict(), "settings_digest": settings.digest()},
        "method": {**method.to_dict(), "digest": method.digest()},
        "cache": f"{RESTRICTED_DIR}/{CACHE_NAME}",
        "isolated_atom": atoms_entry,
        "sets": sets,
        "incomplete": incomplete,
        "failures": failures,
        "compute": {
            "cpu_core_seconds": round(float(sum(wall.values())), 1),
            "n_runs": len(wall),
            "note": "sum of the wall times of the single-threaded GPAW runs (one BLAS thread, "
            "one process at a time, at nice 10 on a shared 2-core machine)",
        },
    }
    manifest.setdefault("references", {})[REFERENCE_KEY] = entry
    tmp = manifest_path.with_suffix(".json.tmp")
    with open(tmp, "w") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, manifest_path)
    return entry
