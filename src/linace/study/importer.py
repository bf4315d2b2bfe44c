"""Bring published datasets into a data directory: other codes' conventions, converted by tested code.

A data directory (:mod:`linace.study.datasets`) is a folder of extended XYZ files, one per set, with
energies (eV), forces (eV/A) and a ``manifest.json``. Published datasets rarely look like that: the
energy sits under another key (``dft_energy``), forces in a per-atom column ``force``, molecules
were computed in a periodic box, the isolated atom is a number in a paper, the dimer curve a table
in Bohr and Rydberg. :func:`import_data` converts all of it, checks the result as a study's data
directory (:func:`linace.study.datasets.check_data_dir`) and records every conversion in the
manifest's ``import`` section (source files with SHA-256, the keys and units used, what was changed),
so a reader knows where every number came from::

    python -m linace.study.datasets import diverse=Tr1k_n.xyz test=Val1k_n.xyz dimers=Tr124_dim.xyz \\
        --into my_carbon --element C --forces-key force \\
        --e0 -18.03977639 --e0-units rydberg --dimer-table es01_dimer250.dat --table-units bohr,rydberg

Conventions of the conversion (each one written in the manifest):

* **Sets.** Every source is ``NAME=PATH`` (the set ``NAME``) or ``PATH`` (the set named by the
  file's stem). ``.xyz`` and ``.extxyz`` are read as extended XYZ; pacemaker's DataFrame pickles
  (``.pckl.gzip``, ``.pkl.gz``: columns ``ase_atoms``, ``energy``, ``forces``) with pandas, and only
  with ``trust_pickle=True`` (unpickling runs code from the file).
* **Labels.** The energy (eV) is the info key ``energy_key`` (default ``energy``), the forces (eV/A)
  the per-atom array ``forces_key`` (default ``forces``), the stress (eV/A^3, Voigt or 3x3) the info
  key ``stress_key`` (default ``stress``, optional; kept for fully periodic cells only). When a key is
  absent the error lists the keys the file has.
* **Molecules in a box.** Structures of the *molecular* sets (default ``dimers`` and ``clusters``)
  are made non-periodic when they are isolated within the cut-off ``rcut`` (default the element's,
  :func:`linace.radial.element_scales`): no atom within ``rcut`` of a periodic image of any atom,
  so the potential's energy is the same with or without the box. Otherwise the import is refused,
  naming the structure and the distance found. (The reference energy remains that of the periodic
  DFT calculation, which the box's size may have affected.)
* **The isolated atom from a number.** ``e0`` (in ``e0_units``) becomes the set ``isolated_atom``:
  one atom, no box, that energy, zero forces (exact by symmetry).
* **A dimer curve from a table.** Two columns (r, E), ``#`` comments, in ``table_units``
  (length, energy: a unit name of :data:`LENGTH_UNITS`, :data:`ENERGY_UNITS`, or the number of A /
  eV per unit, e.g. the factors a paper states); E absolute, or relative to 2 E0 with
  ``table_zero='2e0'``. It becomes the set ``dimer_curve``: energy-only reference structures (role
  ``reference``; never a training set), which the study takes as the DFT dimer curve in place of
  the ``dimers`` set's energies.
* **A split.** ``split=NAME`` with ``test_fraction`` and ``seed``: the set ``NAME`` is split into
  ``NAME`` (training) and ``test`` by a seeded permutation; the indices are recorded.
* **Comparison range.** ``compare_range=(lo, hi)`` (A) is the range over which dimer curves are
  compared (default: the element's, :func:`linace.analysis.convergence_range`); the reference curve
  must cover it.

Nothing is written unless the whole import succeeds: the sets are converted into a scratch folder
next to ``into``, checked, and only then moved in; existing files are never replaced unless
``overwrite=True``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

from . import datasets
from .datasets import DatasetError

__all__ = [
    "ENERGY_UNITS",
    "LENGTH_UNITS",
    "MOLECULAR_SETS",
    "READABLE_SUFFIXES",
    "SetSource",
    "import_data",
    "isolated_within_cutoff",
    "parse_sources",
    "read_dimer_table",
    "read_structures",
    "unit_factor",
]

#: Length units of a table, by name (A per unit; ASE's CODATA constants, ``ase.units``).
LENGTH_UNITS = ("angstrom", "a", "bohr", "nm")
#: Energy units of a table or of E0, by name (eV per unit; ASE's CODATA constants).
ENERGY_UNITS = ("ev", "mev", "rydberg", "ry", "hartree", "ha", "kcal/mol", "kj/mol")
#: Sets whose structures are molecules (made non-periodic when isolated within the cut-off):
#: :data:`linace.study.datasets.MOLECULAR_SETS`.
MOLECULAR_SETS = datasets.MOLECULAR_SETS
#: File name endings read as structures.
READABLE_SUFFIXES = (".extxyz", ".xyz", ".pckl.gzip", ".pkl.gz", ".pckl.gz", ".pkl.gzip")
_PICKLE_SUFFIXES = (".pckl.gzip", ".pkl.gz", ".pckl.gz", ".pkl.gzip")
#: Set names: letters, digits, ``_`` and ``-`` (``+`` joins sets into a combined training set).
_SET_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def unit_factor(unit: str | float, kind: str) -> float:
    """A / unit (``kind='length'``) or eV / unit (``kind='energy'``) of a unit name or number.

    Names are those of :data:`LENGTH_UNITS` / :data:`ENERGY_UNITS` (case-insensitive; ASE's CODATA
    constants); a number is taken as the factor itself (e.g. ``13.605703976`` when a paper states
    its Rydberg). Raises ValueError naming the known units.
    """
    from ase import units

    try:
        value = float(unit)
    except (TypeError, ValueError):
        value = None
    if value is not None:
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"a {kind} unit factor must be a positive number, got {unit!r}")
        return value
    name = str(unit).strip().lower()
    known = {
        "length": {"angstrom": 1.0, "a": 1.0, "bohr": units.Bohr, "nm": 10.0},
        "energy": {
            "ev": 1.0,
            "mev": 1e-3,
            "rydberg": units.Ry,
            "ry": units.Ry,
            "hartree": units.Hartree,
            "ha": units.Hartree,
            "kcal/mol": units.kcal / units.mol,
            "kj/mol": units.kJ / units.mol,
        },
    }[kind]
    if name not in known:
        raise ValueError(
            f"unknown {kind} unit {unit!r}; known: {', '.join(known)} (or a number: "
            f"{'A' if kind == 'length' else 'eV'} per unit)"
        )
    return float(known[name])


# ----------------------------------------------------------------------------- reading structures
@dataclass(frozen=True)
class SetSource:
    """One source of a set: ``name`` (the set) and ``path`` (the file)."""

    name: str
    path: Path


def parse_sources(sources: Sequence[str]) -> list[SetSource]:
    """``NAME=PATH`` or ``PATH`` (named by the file's stem, without ``.pckl.gzip`` and the like) -> sources.

    Raises DatasetError for an unreadable suffix, an invalid or repeated set name, or a missing file.
    """
    parsed = []
    for item in sources:
        name, sep, path = item.partition("=")
        if not sep:
            name, path = "", item
        path = Path(path)
        suffix = next((s for s in READABLE_SUFFIXES if path.name.lower().endswith(s)), None)
        if suffix is None:
            raise DatasetError(f"{path}: cannot read this kind of file; readable: {', '.join(READABLE_SUFFIXES)}")
        name = name or path.name[: -len(suffix)]
        if not _SET_NAME.match(name):
            raise DatasetError(
                f"{item}: the set name {name!r} must start with a letter and hold only letters, "
                "digits, '_' and '-' (give another one as NAME=PATH)"
            )
        if not path.is_file():
            raise DatasetError(f"{path}: no such file")
        parsed.append(SetSource(name, path))
    seen: dict[str, Path] = {}
    for source in parsed:
        if source.name in seen:
            raise DatasetError(f"two sources for the set {source.name!r}: {seen[source.name]} and {source.path}")
        seen[source.name] = source.path
    return parsed


def _read_xyz(path: Path) -> list[Atoms]:
    """Every structure of an (extended) XYZ file, parse errors naming file, line and structure index."""
    images = datasets.read_extxyz(path)
    if not images:
        raise DatasetError(f"{path}: no structures")
    return images


def _read_pickle(path: Path, trust_pickle: bool) -> list[Atoms]:
    """The structures of a pacemaker DataFrame pickle (columns ase_atoms, energy, forces)."""
    if not trust_pickle:
        raise DatasetError(
            f"{path}: a pickle runs code from the file when it is read; convert it only if you "
            "trust its source (trust_pickle=True, --trust-pickle), and record that source"
        )
    try:
        import pandas
    except ImportError:
        raise DatasetError(
            f"{path}: reading a pacemaker DataFrame pickle needs pandas "
            "(pip install pandas); it is not needed for anything else"
        ) from None
    frame = pandas.read_pickle(path, compression="gzip")
    missing = [column for column in ("ase_atoms", "energy") if column not in frame.columns]
    if missing:
        raise DatasetError(
            f"{path}: a pacemaker dataset has the columns ase_atoms, energy and forces; this one "
            f"lacks {', '.join(missing)} (columns: {', '.join(map(str, frame.columns))})"
        )
    images = []
    for k, (atoms, energy) in enumerate(zip(frame["ase_atoms"], frame["energy"])):
        atoms = atoms.copy()
        atoms.info["energy"] = float(energy)
        if "forces" in frame.columns:
            atoms.arrays["forces"] = np.asarray(frame["forces"].iloc[k], dtype=float).reshape(len(atoms), 3)
        images.append(atoms)
    return images


def _keys_found(images: Sequence[Atoms]) -> str:
    info = sorted({key for atoms in images for key in atoms.info})
    arrays = sorted({key for atoms in images for key in atoms.arrays} - {"numbers", "positions"})
    calc = sorted({key for atoms in images if atoms.calc is not None for key in atoms.calc.results})
    parts = [f"info keys: {', '.join(info) or 'none'}", f"per-atom arrays: {', '.join(arrays) or 'none'}"]
    if calc:
        parts.append(f"results parsed by ASE: {', '.join(calc)}")
    return "; ".join(parts)


def _label(atoms: Atoms, keys: str, per_atom: bool):
    """The value of a label: the first of the comma-separated ``keys`` found in ASE's parsed results,
    the info dict or the arrays (None if absent)."""
    results = atoms.calc.results if atoms.calc is not None else {}
    source = atoms.arrays if per_atom else atoms.info
    for key in keys.split(","):
        if key in results:
            return results[key]
        if key in source:
            return source[key]
    return None


def read_structures(
    path: str | os.PathLike,
    energy_key: str = "energy",
    forces_key: str = "forces",
    stress_key: str = "stress",
    trust_pickle: bool = False,
) -> list[Atoms]:
    """The structures of a file, each with a single-point result of energy (eV), forces (N, 3) eV/A
    and, if the file has it for a fully periodic cell, stress (6,) eV/A^3.

    A key may list alternatives, the first one present is taken (``forces_key="force,forces"`` for
    sources that differ).

    Other info keys and per-atom arrays are kept (the label keys are moved into the result); each
    structure's ``info`` gains ``source_file`` (the file's name) and ``source_index`` (its index).

    Raises
    ------
    DatasetError
        Parse errors (file, line, structure index); a structure without the energy or forces key
        (listing the keys the file has, so the right ``energy_key`` / ``forces_key`` can be given).
    """
    path = Path(path)
    pickled = path.name.lower().endswith(_PICKLE_SUFFIXES)
    images = _read_pickle(path, trust_pickle) if pickled else _read_xyz(path)
    labelled = []
    for k, atoms in enumerate(images):
        energy = _label(atoms, energy_key, per_atom=False)
        forces = _label(atoms, forces_key, per_atom=True)
        for label, value, key in (("energy", energy, energy_key), ("forces", forces, forces_key)):
            if value is None:
                option = "--energy-key" if label == "energy" else "--forces-key"
                raise DatasetError(
                    f"{path}, structure {k}: no {label} under {key!r}; the file has {_keys_found(images)} "
                    f"(name the right one with {option})"
                )
        try:
            energy = float(energy)
            forces = np.asarray(forces, dtype=float).reshape(len(atoms), 3)
        except (TypeError, ValueError):
            raise DatasetError(
                f"{path}, structure {k}: {energy_key!r} is not a number or {forces_key!r} not {len(atoms)} x 3 numbers"
            ) from None
        results = {"energy": energy, "forces": forces}
        stress = _label(atoms, stress_key, per_atom=False)
        if stress is not None and all(atoms.pbc):
            stress = np.asarray(stress, dtype=float)
            results["stress"] = stress if stress.shape == (6,) else _voigt(stress, path, k)
        clean = Atoms(atoms.numbers, positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
        moved = {*energy_key.split(","), *stress_key.split(","), "energy", "free_energy", "stress", "forces"}
        clean.info.update({key: value for key, value in atoms.info.items() if key not in moved})
        for key, value in atoms.arrays.items():
            if key not in ("numbers", "positions", "forces", *forces_key.split(",")):
                clean.arrays[key] = value.copy()
        extra = _label(atoms, "free_energy", per_atom=False)
        if extra is not None and "free_energy" != energy_key:
            results["free_energy"] = float(extra)
        clean.info.update(source_file=path.name, source_index=k)
        clean.calc = SinglePointCalculator(clean, **results)
        labelled.append(clean)
    return labelled


def _voigt(stress: np.ndarray, path: Path, k: int) -> np.ndarray:
    if stress.size != 9:
        raise DatasetError(f"{path}, structure {k}: stress of shape {stress.shape}, expected (6,) or (3, 3)")
    s = stress.reshape(3, 3)
    return np.array([s[0, 0], s[1, 1], s[2, 2], s[1, 2], s[0, 2], s[0, 1]])


# ----------------------------------------------------------------------------- molecules in a box
def isolated_within_cutoff(atoms: Atoms, rcut: float) -> tuple[bool, float]:
    """Whether no atom lies within ``rcut`` (A) of a periodic image of any atom, and the smallest
    such image distance (A; ``inf`` when there is none within reach, or no periodic axis).

    Then a potential of cut-off ``rcut`` gives the structure the same energy and forces with or
    without its box: it is a molecule in a box."""
    from ase.neighborlist import neighbor_list

    if not any(atoms.pbc):
        return True, float("inf")
    i, j, d, shifts = neighbor_list("ijdS", atoms, rcut)
    images = np.any(shifts != 0, axis=1)
    if not images.any():
        return True, float("inf")
    return False, float(d[images].min())


def _unbox(images: list[Atoms], name: str, rcut: float) -> int:
    """Make the molecules of a set non-periodic in place; returns how many had a box."""
    boxed = 0
    for k, atoms in enumerate(images):
        if not any(atoms.pbc):
            continue
        isolated, distance = isolated_within_cutoff(atoms, rcut)
        if not isolated:
            raise DatasetError(
                f"set {name!r}, structure {k} ({atoms.info.get('source_file')}[{atoms.info.get('source_index')}]): "
                f"a molecule in a periodic box must be isolated within the cut-off {rcut:.3f} A to be taken out of "
                f"it, but an atom is {distance:.3f} A from a periodic image (box lengths "
                f"{', '.join(f'{x:.3f}' for x in atoms.cell.lengths())} A); give a smaller rcut if the potential's "
                "is smaller, or do not list the set among the molecular ones"
            )
        results = dict(atoms.calc.results)
        results.pop("stress", None)  # the stress of a molecule in a box is not a property of the molecule
        atoms.pbc = False
        atoms.calc = SinglePointCalculator(atoms, **results)
        atoms.info["box_removed"] = True
        boxed += 1
    return boxed


# ----------------------------------------------------------------------------- the atom and the dimer table
def _isolated_atom(element: str, energy_eV: float) -> Atoms:
    atom = Atoms(element, positions=[[0.0, 0.0, 0.0]])
    atom.info.update(config_type="isolated_atom", source_file="given as a number")
    atom.calc = SinglePointCalculator(atom, energy=float(energy_eV), forces=np.zeros((1, 3)))
    return atom


def read_dimer_table(
    path: str | os.PathLike, units: tuple[str | float, str | float] = ("angstrom", "ev")
) -> tuple[np.ndarray, np.ndarray]:
    """A dimer curve from a text table of two columns (r, E): r in A and E in eV, (n,) each, sorted by r.

    Lines starting with ``#`` and blank lines are skipped; further columns are ignored. Raises
    DatasetError naming the file and line of a malformed row, fewer than 3 rows, repeated separations
    or a non-positive separation.
    """
    path = Path(path)
    to_A, to_eV = unit_factor(units[0], "length"), unit_factor(units[1], "energy")
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        tokens = text.replace(",", " ").split()
        try:
            r, e = float(tokens[0]), float(tokens[1])
        except (ValueError, IndexError):
            raise DatasetError(
                f"{path}, line {number}: expected two numbers (r, E), found {line.strip()[:60]!r}"
            ) from None
        if not (np.isfinite(r) and np.isfinite(e)) or r <= 0:
            raise DatasetError(f"{path}, line {number}: separation {r} and energy {e} must be finite, r > 0")
        rows.append((r * to_A, e * to_eV))
    if len(rows) < 3:
        raise DatasetError(f"{path}: a dimer curve needs at least 3 rows, found {len(rows)}")
    table = np.array(sorted(rows))
    if np.any(np.diff(table[:, 0]) <= 0):
        raise DatasetError(f"{path}: a separation appears twice")
    return table[:, 0], table[:, 1]


def _table_structures(element: str, r: np.ndarray, energy: np.ndarray, source: Path) -> list[Atoms]:
    images = []
    for k, (distance, value) in enumerate(zip(r, energy)):
        dimer = Atoms(f"{element}2", positions=[[0.0, 0.0, 0.0], [0.0, 0.0, float(distance)]])
        dimer.info.update(config_type="dimer", source_file=source.name, source_index=k)
        dimer.calc = SinglePointCalculator(dimer, energy=float(value))
        images.append(dimer)
    return images


# ----------------------------------------------------------------------------- the import
def _write_set(folder: Path, name: str, images: list[Atoms]) -> str:
    from ase.io import write

    file = f"{name}.extxyz"
    write(folder / file, images, format="extxyz")
    return file


def import_data(
    sources: Sequence[str],
    into: str | os.PathLike,
    element: str,
    *,
    energy_key: str = "energy",
    forces_key: str = "forces",
    stress_key: str = "stress",
    molecular_sets: Sequence[str] = MOLECULAR_SETS,
    rcut: float | None = None,
    e0: float | None = None,
    e0_units: str | float = "ev",
    dimer_table: str | os.PathLike | None = None,
    table_units: tuple[str | float, str | float] = ("angstrom", "ev"),
    table_zero: str = "absolute",
    split: str | None = None,
    test_fraction: float = 0.1,
    seed: int = 0,
    roles: dict[str, str] | None = None,
    drop_shared: str | None = None,
    compare_range: tuple[float, float] | None = None,
    dimer_tail_tolerance: float = datasets.DIMER_TAIL_TOLERANCE,
    trust_pickle: bool = False,
    description: str = "",
    source_note: str = "",
    overwrite: bool = False,
    check: bool = True,
) -> dict:
    """Convert published files into the data directory ``into``; returns its manifest.

    Parameters
    ----------
    sources : ``NAME=PATH`` or ``PATH`` per set (:func:`parse_sources`).
    into : the data directory to write (created; existing set files are not replaced unless
        ``overwrite``).
    element : the chemical element of every structure.
    energy_key, forces_key, stress_key : where the labels are (:func:`read_structures`).
    molecular_sets : sets whose structures are molecules (taken out of their periodic box when
        isolated within ``rcut``; :func:`isolated_within_cutoff`); ``("*",)`` for every set.
    rcut : cut-off (A) of that test; default the element's (:func:`linace.radial.element_scales`).
    e0, e0_units : the isolated atom's energy as a number (becomes the set ``isolated_atom``).
    dimer_table, table_units, table_zero : the DFT dimer curve as a table (becomes ``dimer_curve``;
        ``table_zero`` 'absolute' or '2e0', energies relative to two isolated atoms).
    split, test_fraction, seed : split the set ``split`` into itself and ``test`` (seeded).
    roles : set name -> role (:data:`linace.study.datasets.ROLES`) where the name does not say it,
        e.g. ``{"test_narrow": "test"}`` for a second held-out set.
    drop_shared : what to do with structures that a held-out set shares with a training set (same
        geometry, :func:`linace.study.datasets.geometry_digest`): ``None`` (an error, the default),
        ``"training"`` (take them out of the training sets: for a validation split drawn from the
        union of the training sets) or ``"test"`` (take them out of the held-out sets, keeping the
        training sets as published). The dropped source indices are recorded per set.
    compare_range : (lo, hi) A over which dimer curves are compared (default: the element's).
    dimer_tail_tolerance : eV; the reference curve's far end must be within it of 2 E0 (the default
        catches an E0 of another code or unit; raise it only for a curve that genuinely ends
        unbound, and say why in ``description``).
    trust_pickle : allow reading pacemaker pickles (they run code when read).
    description, source_note : free text (what the data are; where the files come from: repository,
        commit, DOI), recorded in the manifest.
    check : check the result as a study's data directory (:func:`linace.study.datasets.check_data_dir`);
        ``False`` writes a folder that may still lack sets (each set is still validated).

    Raises
    ------
    DatasetError
        Anything wrong with the inputs (naming the file, line, structure or key), found before
        anything is written in ``into``.
    """
    parsed, rcut = _checked_request(
        sources, Path(into), element, e0, dimer_table, table_zero, split, test_fraction, rcut, overwrite, check
    )
    sets, provenance = _read_sources(
        parsed, element, (energy_key, forces_key, stress_key), molecular_sets, rcut, trust_pickle
    )
    if e0 is not None:
        _add_isolated_atom(sets, provenance, element, e0, e0_units)
    if dimer_table is not None:
        _add_dimer_curve(sets, provenance, element, dimer_table, table_units, table_zero)
    if split is not None:
        _split_off_test(sets, provenance, split, test_fraction, seed)
    roles = dict(roles or {})
    unknown = sorted(set(roles) - set(sets))
    if unknown:
        raise DatasetError(f"roles given for sets that are not imported: {', '.join(unknown)}")
    if drop_shared not in (None, "training", "test"):
        raise DatasetError(f"drop_shared must be None, 'training' or 'test', got {drop_shared!r}")
    if drop_shared is not None:
        _drop_shared(sets, provenance, roles, drop_shared)
    record = {
        "element": element,
        "source_note": source_note,
        "drop_shared": drop_shared,
        "keys": {"energy": energy_key, "forces": forces_key, "stress": stress_key},
        "molecular_sets": list(molecular_sets),
        "rcut_for_molecules_A": rcut,
        "split": None
        if split is None
        else {
            "set": split,
            "test_fraction": test_fraction,
            "seed": seed,
            "generator": "numpy.random.default_rng(seed).permutation",
        },
        "sets": provenance,
    }
    return _write_data_dir(
        Path(into),
        element,
        sets,
        {"dimer_curve": "reference", **roles},
        record,
        description,
        compare_range,
        dimer_tail_tolerance,
        check,
    )


def _checked_request(
    sources: Sequence[str],
    folder: Path,
    element: str,
    e0: float | None,
    dimer_table: str | os.PathLike | None,
    table_zero: str,
    split: str | None,
    test_fraction: float,
    rcut: float | None,
    overwrite: bool,
    check: bool,
) -> tuple[list, float]:
    """The parsed sources (:func:`parse_sources`) and the cut-off (A) of the molecule test of an import
    (:func:`import_data`), once its arguments are checked against each other and against the folder:
    before anything is read."""
    from ase.data import atomic_numbers

    from linace.radial import element_scales

    if element not in atomic_numbers:
        raise DatasetError(f"unknown chemical element {element!r}")
    if table_zero not in ("absolute", "2e0"):
        raise DatasetError(f"table_zero must be 'absolute' or '2e0', got {table_zero!r}")
    if not 0 < test_fraction < 1:
        raise DatasetError(f"test_fraction must lie between 0 and 1, got {test_fraction}")
    parsed = parse_sources(sources)
    names = [source.name for source in parsed]
    generated = (["isolated_atom"] if e0 is not None else []) + (["dimer_curve"] if dimer_table is not None else [])
    clash = sorted(set(names) & set(generated))
    if clash:
        raise DatasetError(f"the set(s) {', '.join(clash)} are given twice: as a file and by --e0 / --dimer-table")
    if split is not None and split not in names:
        raise DatasetError(f"cannot split {split!r}: no such source set (sets: {', '.join(names)})")
    if split is not None and "test" in names:
        raise DatasetError(f"cannot split {split!r} into a test set: a set 'test' is already given")
    if table_zero == "2e0" and e0 is None and "isolated_atom" not in names:
        raise DatasetError("a dimer table relative to 2 E0 needs the isolated atom (--e0 or an isolated_atom file)")
    rcut = float(rcut) if rcut is not None else element_scales(element)[0]
    final_sets = names + generated + (["test"] if split else [])
    files = [f"{name}.extxyz" for name in final_sets] + [datasets.MANIFEST]
    if check:  # what a study needs, said before anything is read
        absent = [name for name in ("isolated_atom", "test") if name not in final_sets]
        if not {"dimers", "dimer_curve"} & set(final_sets):
            absent.append("dimers (a file) or dimer_curve (--dimer-table)")
        if not set(final_sets) - {"isolated_atom", "test", "dimer_curve", "pool"}:
            absent.append("a training set")
        if absent:
            hints = {"isolated_atom": "isolated_atom (a file, or --e0)", "test": "test (a file, or --split SET)"}
            raise DatasetError(
                f"a study's data directory needs {', '.join(hints.get(a, a) for a in absent)}; "
                "give them, or import with --partial"
            )
    existing = [file for file in files if (folder / file).exists()]
    if existing and not overwrite:
        raise DatasetError(
            f"{folder} already holds {', '.join(existing)}; import into another folder or give "
            "overwrite=True (--overwrite) to replace them"
        )
    return parsed, rcut


def _read_sources(
    parsed: list,
    element: str,
    keys: tuple[str, str, str],
    molecular_sets: Sequence[str],
    rcut: float,
    trust_pickle: bool,
) -> tuple[dict[str, list[Atoms]], dict[str, dict]]:
    """The structures of every source set, validated, molecules taken out of their box (within ``rcut``, A),
    and the provenance of each set: {name: structures}, {name: {source, source_sha256, ...}}."""
    sets: dict[str, list[Atoms]] = {}
    provenance: dict[str, dict] = {}
    for source in parsed:
        images = read_structures(source.path, *keys, trust_pickle)
        datasets.validate(images, f"{source.name} ({source.path})", element)
        unboxed = 0
        if "*" in molecular_sets or source.name in molecular_sets:
            unboxed = _unbox(images, source.name, rcut)
        sets[source.name] = images
        provenance[source.name] = {
            "source": str(source.path),
            "source_sha256": datasets.sha256(source.path),
            "molecules_taken_out_of_box": unboxed,
        }
    return sets, provenance


def _add_isolated_atom(sets: dict, provenance: dict, element: str, e0: float, e0_units: str | float) -> None:
    """The set ``isolated_atom`` of an energy given as a number in ``e0_units``, with its provenance."""
    factor = unit_factor(e0_units, "energy")
    sets["isolated_atom"] = [_isolated_atom(element, float(e0) * factor)]
    provenance["isolated_atom"] = {
        "source": "given as a number",
        "value": float(e0),
        "units": str(e0_units),
        "factor_eV_per_unit": factor,
    }


def _add_dimer_curve(
    sets: dict,
    provenance: dict,
    element: str,
    dimer_table: str | os.PathLike,
    table_units: tuple[str | float, str | float],
    table_zero: str,
) -> None:
    """The set ``dimer_curve`` of a table of r, E (absolute, or relative to 2 E0 of the set ``isolated_atom``),
    with its provenance."""
    r, energy = read_dimer_table(dimer_table, table_units)
    if table_zero == "2e0":
        energy = energy + 2 * float(sets["isolated_atom"][0].get_potential_energy())
    sets["dimer_curve"] = _table_structures(element, r, energy, Path(dimer_table))
    provenance["dimer_curve"] = {
        "source": str(dimer_table),
        "source_sha256": datasets.sha256(dimer_table),
        "units": [str(u) for u in table_units],
        "factors": [unit_factor(table_units[0], "length"), unit_factor(table_units[1], "energy")],
        "energy_zero": "absolute" if table_zero == "absolute" else "relative to 2 E0 (2 E0 added)",
    }


def _split_off_test(sets: dict, provenance: dict, split: str, test_fraction: float, seed: int) -> None:
    """Split the set ``split`` into itself and ``test`` (a seeded permutation; ``test_fraction`` of it, at
    least one structure), recording the indices of both."""
    order = np.random.default_rng(seed).permutation(len(sets[split]))
    n_test = max(1, int(round(test_fraction * len(order))))
    if n_test >= len(order):
        raise DatasetError(f"cannot split {split!r} of {len(order)} structures with test fraction {test_fraction}")
    test_indices, train_indices = np.sort(order[:n_test]), np.sort(order[n_test:])
    whole = sets[split]
    sets["test"] = [whole[i] for i in test_indices]
    sets[split] = [whole[i] for i in train_indices]
    provenance["test"] = {**provenance[split], "split_from": split, "indices": test_indices.tolist()}
    provenance[split] = {**provenance[split], "split_into_test": True, "indices": train_indices.tolist()}


def _drop_shared(sets: dict, provenance: dict, roles: dict[str, str], drop_shared: str) -> None:
    """Take the structures that a held-out set shares with a training set (same geometry) out of the sets of
    the kind ``drop_shared`` ('training' or 'test'), recording their source indices."""
    meta_roles = {"sets": {name: ({"role": roles[name]} if name in roles else {}) for name in sets}}
    kinds = {name: datasets.role(name, meta_roles) for name in sets}
    digests = {name: [datasets.geometry_digest(atoms) for atoms in images] for name, images in sets.items()}
    other = "test" if drop_shared == "training" else "training"
    shared = {digest for name in sets if kinds[name] == other for digest in digests[name]}
    for name in [name for name in sets if kinds[name] == drop_shared]:
        keep = [k for k, digest in enumerate(digests[name]) if digest not in shared]
        dropped = sorted(set(range(len(sets[name]))) - set(keep))
        provenance[name]["dropped_as_shared"] = [int(sets[name][k].info["source_index"]) for k in dropped]
        sets[name] = [sets[name][k] for k in keep]
        if not sets[name]:
            raise DatasetError(f"every structure of the {drop_shared} set {name!r} is shared with a {other} set")


def _write_data_dir(
    folder: Path,
    element: str,
    sets: dict[str, list[Atoms]],
    roles: dict[str, str],
    record: dict,
    description: str,
    compare_range: tuple[float, float] | None,
    dimer_tail_tolerance: float,
    check: bool,
) -> dict:
    """Write the sets and their manifest (with the import ``record``) into a scratch folder beside ``folder``,
    check it if asked, then move the files into ``folder``: an import that fails leaves ``folder`` as it was.
    Returns the manifest."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}-import-", dir=folder.parent))
    try:
        files_written = {name: _write_set(scratch, name, images) for name, images in sets.items()}
        meta = datasets.write_manifest(
            scratch,
            element,
            files=files_written,
            description=description,
            roles=roles,
            compare_range=compare_range,
            dimer_tail_tolerance=dimer_tail_tolerance,
            extra={"import": record},
            check=False,
        )
        if check:
            try:
                datasets.check_data_dir(scratch)
            except DatasetError as error:  # name the folder the user asked for, not the scratch one
                raise DatasetError(str(error).replace(str(scratch), str(folder))) from None
        folder.mkdir(parents=True, exist_ok=True)
        for file in list(files_written.values()) + [datasets.MANIFEST]:
            os.replace(scratch / file, folder / file)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return meta


def main_import(args) -> dict:
    """The ``import`` command of ``python -m linace.study.datasets`` (arguments parsed there)."""
    return import_data(
        args.sources,
        args.into,
        args.element,
        energy_key=args.energy_key,
        forces_key=args.forces_key,
        stress_key=args.stress_key,
        molecular_sets=args.molecules,
        rcut=args.rcut,
        e0=args.e0,
        e0_units=args.e0_units,
        dimer_table=args.dimer_table,
        table_units=tuple(args.table_units.split(",")) if args.table_units else ("angstrom", "ev"),
        table_zero=args.table_zero,
        split=args.split,
        test_fraction=args.test_fraction,
        seed=args.seed,
        roles=dict(item.partition("=")[::2] for item in args.role),
        drop_shared=args.drop_shared,
        compare_range=tuple(args.compare_range) if args.compare_range else None,
        dimer_tail_tolerance=args.dimer_tail_tolerance,
        trust_pickle=args.trust_pickle,
        description=args.description,
        source_note=args.source_note,
        overwrite=args.overwrite,
        check=not args.partial,
    )
