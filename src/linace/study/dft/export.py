"""Export of the cache to the committed data: ``<set>.extxyz`` files and ``manifest.json``.

A set is written only when all of its structures are computed (failures dropped and listed);
a set still growing keeps its previous file and manifest entry. The manifest records the code
and setup versions, the settings, the convergence check, the state search, E0 both ways, the
fixed split, per-set counts and checksums, failures, known issues and the compute time.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

from linace.study import datasets, structures
from linace.study.datasets import BULK_SETS, REPOSITORY_DATA_DIR, SPLIT_SETS, sha256
from linace.study.dft.cache import CACHE_NAME, Cache
from linace.study.dft.convergence import CONVERGENCE_NAME
from linace.study.dft.generation import (
    MOLECULAR_GROUPS,
    STATE_SEARCH_DIR,
    pool_split,
    tasks,
)
from linace.study.dft.generation import (
    data_dir as element_data_dir,
)
from linace.study.dft.settings import BOX_ASYMMETRY, DFTSettings, default_settings, geometry_digest
from linace.study.dft.states import StateSearch

__all__ = ["KNOWN_ISSUES", "SPLIT_SETS", "export", "provenance"]


#: caveats of each element's data found by inspection, copied into its manifest (an element without
#: an entry gets the first, general one until its own data have been inspected)
KNOWN_ISSUES = {
    "C": [
        "Kohn-Sham DFT with one determinant: the integer-occupation, symmetry-broken solutions that "
        "label the molecules (the Hund's-rule atom, a3Pi_u-like C2) are the lowest PBE solutions the "
        "state search found, not spin or angular-momentum eigenstates; states are named by the "
        "configuration they resemble. Before the state search (until 2026-11), E0 was the spherical, "
        "fractionally occupied atom (0.09 eV higher) and the dimer curve mixed occupation classes "
        "from point to point (0.1 eV steps); see the git history of data/C/.",
        "Cut-off: at 450 eV energy differences are converged to ~3 meV/atom for diamond/graphite "
        "(5.6 meV/atom for strongly compressed fcc), C2 binding to 2.3 meV/atom, forces to 0.026 eV/A, "
        "but the stress is NOT converged: errors of 5-6 GPa for diamond (Pulay stress, 1 GPa at "
        "500 eV) and 11 GPa for compressed fcc - fit stresses with a low weight or not at all.",
        "k-points: the density 2.5/A converges insulating and semiconducting structures (diamond: "
        "0.5 meV/atom, 0.001 eV/A) but not compressed metallic phases (sc/fcc/graphite: up to "
        "~10 meV/atom, 0.2 eV/A, tens of GPa in the stress of a rattled metallic sc cell) - see "
        "convergence.scans.kpt_density_*; chosen for cost (2 cores, ~2 h).",
    ],
    "Si": [
        "Kohn-Sham DFT with one determinant: the molecules (the 3P atom, Si2, Si3-Si5) are labelled by "
        "the lowest PBE solution the state search found (integer-occupation, symmetry-broken "
        "solutions included), not by spin or angular-momentum eigenstates; states are named by the "
        "configuration they resemble.",
        "Si2 state search: 147 of 984 runs did not converge, 140 of them the three integer-occupation "
        "starts at M = 0 (fresh, and continued from either neighbouring separation; 30 SCF "
        "iterations each) at 46-47 of the 82 separations (1.875-3.20 A), "
        "where the triplets 3Pi_u and 3Sigma_g- are lowest; there the converged M = 0 solution "
        "(fractional start) lies 0.33-0.62 eV above the label, so an integer-occupation singlet would "
        "have to lie that much below it to change a label. Beyond 5.0 A the quintet's pi_u/pi_g "
        "occupations drift off the integers (0.01-0.16 e): it is named '5-plet, fractional' at "
        "5.25-5.50 A, the same smooth solution as 5Pi_g; from 5.75 A a broken-symmetry singlet is "
        "lowest, reaching 2 E0 (-1.2 meV at 7.0 A).",
        "Settings from silicon's convergence check ('convergence'): 300 eV (energy differences within "
        "0.7 meV/atom of 800 eV), Fermi-Dirac 0.05 eV, 5 A of vacuum around molecules (binding within "
        "1.7 meV/atom of 6 A). k-density 4.5/A: diamond within 0.8 meV/atom of 6.0/A, but metallic "
        "cells (2-atom sc, beta-tin) within only 17 meV/atom and 0.07 eV/A - chosen for cost, as for "
        "carbon's metals; see convergence.scans.kpt_density_*.",
    ],
}

#: caveats of molecular sets still labelled by single fixed-moment runs (added while they are)
LEGACY_ISSUES = {
    "clusters": "clusters are still labelled by single Fermi-Dirac runs (width 0.05 eV) per fixed "
    "moment 0, 2, 4, ... (stop when the energy rises), not yet by the state search: "
    "26 of 150 carry the fractional-occupation signature (free_energy - energy below "
    "-5 meV, down to -48 meV), so their labels may lie above the integer-occupation "
    "states the search would find, as the spherical atom lies above the Hund's-rule "
    "one. Compute with `python -m linace.study.dft generate --set clusters` (resumable: "
    "the run logs go to data/<element>/state_search/clusters).",
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
    "info['free_minus_energy'] is the smearing signature (0 for integer occupations)."
)


def _row_atoms(row, sid: str) -> Atoms:
    """Atoms with a SinglePointCalculator and the info written to the extxyz files."""
    atoms = row.toatoms()
    results = {"energy": row.energy, "free_energy": float(row.data["free_energy"]), "forces": row.forces}
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
    out = {
        "E0": float(row.energy),
        "E0_state": f"{row.data['occupation']} occupations, start '{row.data['start']}', moment {row.moment}",
    }
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

    info = {
        "linace": linace.__version__,
        "ase": ase.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPOSITORY_DATA_DIR.parent, capture_output=True, text=True, check=True
        ).stdout.strip()
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


#: the labels of the cache by method ('single run', 'state search'): ({sid: ok row}, {sid: failed row})
Labels = dict[str, tuple[dict, dict]]


def export(
    settings: DFTSettings | None = None,
    cache_path: str | os.PathLike | None = None,
    data_dir: str | os.PathLike | None = None,
    element: str = "C",
) -> dict:
    """Write ``<set>.extxyz`` and ``manifest.json`` of an element's data directory from the cache.

    Every set whose structures are all cached is written; failed structures are dropped and
    listed under ``failures``. A set with missing structures is listed under ``incomplete``; if the
    previous export wrote it (its file unchanged: same SHA-256), that file and its manifest entry
    are kept (``kept_from_export``: the date of that export), together with the recorded split if
    a pool set is kept, so that growing a set never removes the data already committed. The pool
    and the sets of its split (:data:`linace.study.datasets.SPLIT_SETS`) are written together or
    not at all: while one of them is incomplete, the complete ones are held back too
    (``incomplete[name]['held_back']``), so that a grown test set never sits beside training sets
    of an earlier split. Returns the manifest.
    """
    settings = settings or default_settings(element)
    search = StateSearch()
    data_dir = Path(data_dir or element_data_dir(element))
    previous = _json_or(data_dir / datasets.MANIFEST, {})
    cache = Cache(cache_path or data_dir / CACHE_NAME)
    labels: Labels = {
        "single run": (cache.rows(settings, "ok"), cache.rows(settings, "failed")),
        "state search": (cache.rows(settings, "ok", search), cache.rows(settings, "failed", search)),
    }
    members, geometry = _set_members(settings, element)
    sets, incomplete, failures, labelled_by = _write_complete_sets(labels, members, geometry, data_dir, element)
    kept = _keep_previous_sets(previous, incomplete, data_dir)
    written_or_kept = {**sets, **kept}
    sets = {name: written_or_kept[name] for name in datasets.SET_ORDER if name in written_or_kept}
    manifest = {
        "schema": 1,
        "element": element,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "code": provenance(element),
        "dft": _dft_record(settings),
        "convergence": _json_or(data_dir / CONVERGENCE_NAME, None),
        "state_search": _state_search_record(search),
        "isolated_atom": _atom_states(labels["state search"][0].get("atom")),
        "known_issues": _known_issues(element, labelled_by, sets),
        "split": _split_record(element, _split_members(members, previous, kept)),
        "sets": sets,
        "incomplete": incomplete,
        "failures": failures,
        "compute": _compute_time(labels, labelled_by, members),
    }
    if "references" in previous:  # second references beside the data (linace.study.dft.restricted): kept
        manifest["references"] = previous["references"]
    with open(data_dir / datasets.MANIFEST, "w") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    return manifest


def _json_or(path: Path, default):
    """The content of the JSON file ``path``, or ``default`` if there is no such file."""
    return json.loads(path.read_text()) if path.exists() else default


def _set_members(settings: DFTSettings, element: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The structures of every set: ``members`` ({set name: [sid]}: the molecular groups, the sets
    of the pool's fixed split (:func:`~linace.study.dft.generation.pool_split`) and the pool) and
    ``geometry`` ({sid: geometry digest} of every planned structure, as computed)."""
    groups = {g: tasks(g, settings, element) for g in structures.GROUPS}
    pool_types = [a.info["config_type"] for _, a in groups["pool"]]
    split = pool_split(pool_types, element)
    members = {g: [sid for sid, _ in groups[g]] for g in MOLECULAR_GROUPS}
    pool_sids = [sid for sid, _ in groups["pool"]]
    for name, idx in split.items():
        members[name] = [pool_sids[i] for i in idx]
    members["pool"] = pool_sids
    geometry = {sid: geometry_digest(a) for g in groups.values() for sid, a in g}
    return members, geometry


def _missing_and_stale(
    sids: list[str], ok: dict, failed: dict, geometry: dict[str, str]
) -> tuple[list[str], list[str]]:
    """The structures of ``sids`` with neither an ok nor a failed row (missing), and those whose ok
    row was computed for another geometry (stale)."""
    missing = [s for s in sids if s not in ok and s not in failed]
    stale = [s for s in sids if s in ok and ok[s].geometry != geometry[s]]
    return missing, stale


def _incomplete_split_sets(members: dict[str, list[str]], geometry: dict[str, str], labels: Labels) -> list[str]:
    """The sets of the pool's split (:data:`SPLIT_SETS`, in that order) with missing or stale labels.

    The split's sets are exported together or not at all: a grown test set beside the previous
    training sets would share structures with them (the split is drawn anew).
    """
    ok, failed = labels["single run"]
    return [name for name in SPLIT_SETS if any(_missing_and_stale(members[name], ok, failed, geometry))]


def _labelling_method(
    name: str, sids: list[str], labels: Labels, geometry: dict[str, str]
) -> tuple[str | None, dict[str, int] | None]:
    """The method whose labels of a set are complete, and what the set lacks if none is.

    Molecules take the state search if it is complete, else the earlier single fixed-moment runs;
    the other sets the single runs. Returns ``(method, None)``, or ``(None, {'missing': n, 'stale':
    n})`` counted for the first method tried.
    """
    methods = ("state search", "single run") if name in MOLECULAR_GROUPS else ("single run",)
    lacking = None
    for method in methods:
        missing, stale = _missing_and_stale(sids, *labels[method], geometry)
        if not (missing or stale):
            return method, None
        if lacking is None:
            lacking = {"missing": len(missing), "stale": len(stale)}
    return None, lacking


def _write_complete_sets(
    labels: Labels, members: dict[str, list[str]], geometry: dict[str, str], data_dir: Path, element: str
) -> tuple[dict, dict, dict, dict]:
    """Write ``<set>.extxyz`` of every complete set (those of the pool's split only if all of them are).

    Returns, each in the order of :data:`linace.study.datasets.SET_ORDER`: ``sets`` (the manifest
    entries of the sets written), ``incomplete`` ({name: {'missing': n, 'stale': n}}, with
    ``'held_back'`` for a complete set of an incomplete split), ``failures`` ({sid: error} of the
    structures dropped from the sets written) and ``labelled_by`` ({name: method} of the sets written).
    """
    sets, incomplete, failures, labelled_by = {}, {}, {}, {}
    split_incomplete = _incomplete_split_sets(members, geometry, labels)
    for name in datasets.SET_ORDER:
        sids = members[name]
        if name in SPLIT_SETS and split_incomplete and name not in split_incomplete:
            incomplete[name] = {
                "missing": 0,
                "stale": 0,
                "held_back": f"complete, but {', '.join(split_incomplete)} of the same split are not",
            }
            continue
        method, lacking = _labelling_method(name, sids, labels, geometry)
        if method is None:
            incomplete[name] = lacking
            continue
        ok, failed = labels[method]
        labelled_by[name] = method
        bad = [s for s in sids if s not in ok]
        failures.update({s: failed[s].data.get("error", "") for s in bad})
        images = _set_images(name, sids, method, labels, geometry, members)
        sets[name] = {
            **_write_extxyz(data_dir / f"{name}.extxyz", images),
            "failed": bad,
            "description": datasets.describe(name, element),
            "labelled_by": method,
        }
        if method == "state search":  # only molecular sets are labelled by it
            runs_missing = sum(int(ok[s].data.get("runs_missing", 0)) for s in sids if s in ok)
            sets[name]["state_search_runs_missing"] = runs_missing
    return sets, incomplete, failures, labelled_by


def _set_images(
    name: str, sids: list[str], method: str, labels: Labels, geometry: dict[str, str], members: dict[str, list[str]]
) -> list[Atoms]:
    """The structures of a complete set labelled by ``method``, failed ones dropped, in the set's order.

    A set labelled by the state search carries the earlier single-run label beside it, for the
    before/after (``info['energy_single_run']``, ``['spin_moment_single_run']``: when that row's
    geometry is the same); the pool's structures carry the sets of the split they belong to
    (``info['sets']``, comma-separated, ``'none'`` for none).
    """
    ok = labels[method][0]
    images = [_row_atoms(ok[s], s) for s in sids if s in ok]
    if method == "state search":
        single = labels["single run"][0]
        for a in images:
            row = single.get(a.info["sid"])
            if row is not None and row.geometry == geometry[a.info["sid"]]:
                a.info["energy_single_run"] = float(row.energy)
                if row.get("moment") is not None:
                    a.info["spin_moment_single_run"] = int(row.moment)
    if name == "pool":
        where = {s: [n for n in BULK_SETS + ("test",) if s in members[n]] for s in sids}
        for a in images:
            a.info["sets"] = ",".join(where[a.info["sid"]]) or "none"
    return images


def _write_extxyz(path: Path, images: list[Atoms]) -> dict:
    """Write ``images`` to the extxyz file ``path``; its manifest entry: file name, SHA-256, numbers of
    structures and atoms, and structures per config type (in the order of first appearance)."""
    from ase.io import write

    write(path, images, format="extxyz")
    types: dict[str, int] = {}
    for a in images:
        types[a.info["config_type"]] = types.get(a.info["config_type"], 0) + 1
    return {
        "file": path.name,
        "sha256": sha256(path),
        "n_structures": len(images),
        "n_atoms": int(sum(len(a) for a in images)),
        "config_types": types,
    }


def _keep_previous_sets(previous: dict, incomplete: dict, data_dir: Path) -> dict[str, dict]:
    """The previous export's manifest entries of the incomplete sets whose file it wrote is unchanged
    (same SHA-256), with ``kept_from_export`` (the date of the export that wrote the file); marks
    each of those sets ``previous_export_kept`` in ``incomplete``."""
    kept = {}
    for name in incomplete:
        entry = previous.get("sets", {}).get(name)
        if entry and (data_dir / entry["file"]).exists() and sha256(data_dir / entry["file"]) == entry["sha256"]:
            kept[name] = {**entry, "kept_from_export": entry.get("kept_from_export", previous.get("created"))}
            incomplete[name]["previous_export_kept"] = True
    return kept


def _split_members(members: dict[str, list[str]], previous: dict, kept: dict[str, dict]) -> dict[str, list[str]]:
    """The split the manifest records ({set: [sid]} of the bulk sets and the test set): the previous
    export's if a set of the split was kept from it, else this one's."""
    if "split" in previous and any(name in SPLIT_SETS for name in kept):
        return previous["split"]["members"]
    return {n: members[n] for n in BULK_SETS + ("test",)}


def _compute_time(labels: Labels, labelled_by: dict[str, str], members: dict[str, list[str]]) -> dict:
    """The manifest's ``compute``: CPU core-seconds (s, summed wall times of the rows) and number of
    rows, in all and per config type (``by_family``: structures and CPU core-seconds, rounded to 0.1 s).

    Each structure counted once: for every set written but the pool, the rows of the method that
    labelled it; for the pool, its single-run rows (whether or not the pool is written).
    """
    wall: dict[str, float] = {}
    family: dict[str, str] = {}
    for method, (ok, _) in labels.items():
        for name in datasets.SET_ORDER:
            if labelled_by.get(name) == method and name != "pool":
                wall.update({s: ok[s].wall_time for s in members[name] if s in ok})
                family.update({s: ok[s].config_type for s in members[name] if s in ok})
    single_ok = labels["single run"][0]
    wall.update({s: single_ok[s].wall_time for s in members["pool"] if s in single_ok})
    family.update({s: single_ok[s].config_type for s in members["pool"] if s in single_ok})
    by_family: dict[str, dict] = {}
    for sid, seconds in wall.items():
        entry = by_family.setdefault(family[sid], {"structures": 0, "cpu_core_seconds": 0.0})
        entry["structures"] += 1
        entry["cpu_core_seconds"] = round(entry["cpu_core_seconds"] + seconds, 1)
    return {
        "cpu_core_seconds": float(sum(wall.values())),
        "n_rows": len(wall),
        "by_family": dict(sorted(by_family.items())),
    }


def _dft_record(settings: DFTSettings) -> dict:
    """The manifest's ``dft``: the settings, their digest and what they mean."""
    return {
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
    }


def _state_search_record(search: StateSearch) -> dict:
    """The manifest's ``state_search``: its settings, their digest, what it does, where its run logs are."""
    return {
        **search.to_dict(),
        "settings_digest": search.digest(),
        "description": STATE_SEARCH_DESCRIPTION,
        "run_logs": f"{STATE_SEARCH_DIR}/<group>/*.jsonl",
    }


def _known_issues(element: str, labelled_by: dict[str, str], sets: dict[str, dict]) -> list[str]:
    """The element's caveats, those of molecular sets still labelled by single runs, and one for each
    set (written or kept) labelled from a state search with planned runs not yet done."""
    return (
        KNOWN_ISSUES[element]
        + [issue for name, issue in LEGACY_ISSUES.items() if labelled_by.get(name) == "single run"]
        + [
            f"{name} is labelled from a state search with {info['state_search_runs_missing']} "
            "planned SCF runs not yet done (each structure's missing runs: info of its cache "
            f"row); finish with `python -m linace.study.dft generate --set {name}`"
            for name, info in sets.items()
            if info.get("state_search_runs_missing")
        ]
    )


def _split_record(element: str, split_members: dict[str, list[str]]) -> dict:
    """The manifest's ``split``: the seed, test fraction and crystalline families it is drawn with, and its members."""
    module = structures.element_module(element)
    return {
        "seed": datasets.SPLIT_SEED,
        "test_fraction": getattr(module, "TEST_FRACTION", datasets.TEST_FRACTION),
        "crystalline_types": list(module.CRYSTALLINE),
        "members": split_members,
    }
