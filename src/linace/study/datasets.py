"""Registry and loaders of the committed reference data (``data/<element>/*.extxyz``), and the fixed split.

Only ase is needed (never GPAW)::

    from linace.study import datasets
    datasets.names()               # ['isolated_atom', 'dimers', 'clusters', 'narrow', ...]
    train = datasets.load("diverse")   # list of ase.Atoms with energy (eV), forces (eV/A)
    e0 = datasets.e0()             # energy of the isolated atom (eV)

Every loaded structure carries a :class:`~ase.calculators.singlepoint.SinglePointCalculator`
with ``energy`` (eV, extrapolated to zero smearing), ``forces`` (N, 3) eV/A and, for fully periodic
cells, ``stress`` (6,) eV/A^3 (Voigt, ASE sign convention), ``free_energy`` (eV, the
force-consistent Mermin energy: ``atoms.get_potential_energy(force_consistent=True)``), and
``atoms.info`` with ``sid`` (the structure id), ``config_type`` (family) and, for molecules
labelled by the state search (:mod:`linace.study.dft.states`), the winning run's ``spin_moment``
(total moment, Bohr magnetons), ``start``, ``occupation`` ('integer' or 'fractional'),
``configuration`` and ``state`` (the molecular term it resembles), ``free_minus_energy`` (eV), and
every run's ``energy_m<M>_<start>`` (eV, NaN if it failed), ``occupation_m<M>_<start>`` and
``state_m<M>_<start>``. Molecular sets still labelled by single fixed-moment runs carry
``spin_moment`` and ``energy_m<M>`` instead (``manifest['sets'][name]['labelled_by']`` says
which). The sets and how they were computed are described in ``data/C/manifest.json``.

Sets: ``dimers`` and ``clusters`` (molecules), the equally sized training sets of graded
diversity ``narrow`` (diamond only), ``crystals`` (all crystalline families) and ``diverse`` (all
families), the common held-out ``test`` set, ``pool`` (every bulk/slab structure with
``info['sets']``, for analysis only: it contains the test set) and ``isolated_atom``.

**Elements and data folders.** Every element has its own folder ``data/<element>/`` with its own
manifest: carbon's ``data/C/`` (the default of every loader), silicon's ``data/Si/``
(``load("clusters", element="Si")``). Any folder of the same form is a data directory
(``data_dir=...``; ``python -m linace.study.sweep --data-dir PATH``): extended XYZ files and a
``manifest.json`` whose ``element`` names the one chemical element of all its structures and whose
``sets`` map each set name to ``{"file", "sha256", "n_structures", "n_atoms"}``. A study needs the
sets :data:`REQUIRED_SETS` (the isolated atom, whose energy is E0; the dimer curve; the held-out
test set) and at least one training set. :func:`write_manifest` writes the manifest of a folder of
your own files and :func:`check_data_dir` checks a folder before a sweep::

    python -m linace.study.datasets manifest PATH --element Cu   # every PATH/*.extxyz a set
    python -m linace.study.datasets check PATH
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from ase import Atoms

from linace.study.structures import CRYSTALLINE

MANIFEST = "manifest.json"
#: the committed data of the repository (``data/``): a folder per element (``data/C``, ``data/Si``)
#: and the published values the book compares with (``data/literature.json``)
REPOSITORY_DATA_DIR = Path(__file__).resolve().parents[3] / "data"
#: the registry the loaders read, a folder per element: ``$LINACE_DATA`` if set, else ``data/``
DATA_ROOT = Path(os.environ.get("LINACE_DATA", REPOSITORY_DATA_DIR))
SET_ORDER = ("isolated_atom", "dimers", "clusters", "narrow", "crystals", "diverse", "test", "pool")
TRAINING_SETS = ("narrow", "crystals", "diverse", "dimers", "clusters")
SPLIT_SEED = 3
TEST_FRACTION = 0.15
NARROW_TYPES = ("diamond",)
#: the element of a manifest that names none (the committed carbon data predate the key)
DEFAULT_ELEMENT = "C"
#: sets every data directory needs: E0, the DFT dimer curve, the common test set
REQUIRED_SETS = ("isolated_atom", "dimers", "test")
#: sets that are never trained on (the rest of a data directory's sets are training sets)
NOT_TRAINING_SETS = ("isolated_atom", "test", "pool")

DESCRIPTIONS = {
    "isolated_atom": "one C atom, the integer-occupation Hund's-rule triplet (lowest of the state "
                     "search) in a non-cubic box; its energy is E0",
    "dimers": "C2 from 0.9 to 6.0 A (77 separations), the lowest state of the state search at "
              "each (the DFT two-body curve)",
    "clusters": "isolated C3, C4, C5 of varied shapes, lowest energy over total moments",
    "narrow": "training set: diamond family only (volume scan, strains, rattles)",
    "crystals": "training set, same size as narrow: balanced over the crystalline families",
    "diverse": "training set, same size as narrow: balanced over all pool families",
    "test": "held-out test set: a fixed fraction of every pool family; in no training set",
    "pool": "every bulk/layer/chain/slab structure, info['sets'] lists its sets; contains the test "
            "set, so never train on it",
}


def describe(name: str, element: str = DEFAULT_ELEMENT) -> str:
    """One line on what a set of an element's committed data holds (:data:`DESCRIPTIONS` for carbon)."""
    if element == DEFAULT_ELEMENT:
        return DESCRIPTIONS[name]
    generic = {
        "isolated_atom": f"one {element} atom, the lowest state of the state search in a non-cubic box; "
                         "its energy is E0",
        "dimers": f"{element}2 at every separation of linace.study.structures.DIMER_RANGES['{element}'], "
                  "the lowest state of the state search at each (the DFT two-body curve)",
        "clusters": f"isolated {element}3, {element}4, {element}5 of varied shapes, lowest state of the state search",
        "narrow": "training set: diamond-structure family only",
    }
    return generic.get(name, DESCRIPTIONS[name])


class DatasetError(ValueError):
    """A dataset is unknown, missing, corrupted or invalid."""


# ----------------------------------------------------------------------------- split


def _balanced(families: dict[str, list[int]], size: int) -> list[int]:
    """Take ``size`` items as evenly as possible over families (water-filling), each family's
    items in its given order."""
    total = sum(len(v) for v in families.values())
    if size > total:
        raise ValueError(f"cannot take {size} of {total} structures")
    take = {f: 0 for f in families}
    left = size
    while left:
        open_ = [f for f in families if take[f] < len(families[f])]
        share = max(1, left // len(open_))
        for f in open_:
            k = min(share, len(families[f]) - take[f], left)
            take[f] += k
            left -= k
            if not left:
                break
    return [i for f in families for i in families[f][: take[f]]]


def make_split(config_types: Sequence[str], seed: int = SPLIT_SEED,
               test_fraction: float = TEST_FRACTION,
               crystalline: Sequence[str] = CRYSTALLINE,
               narrow_types: Sequence[str] = NARROW_TYPES) -> dict[str, list[int]]:
    """Fixed split of the pool into a common test set and three equally sized training sets.

    Parameters
    ----------
    config_types : sequence of str
        Family of each pool structure (length P).
    seed : int
        Seed of the permutation inside every family.
    test_fraction : float
        Fraction of every family held out for ``test`` (at least one structure per family).
    crystalline, narrow_types : sequence of str
        Families of ``crystals`` and of ``narrow``.

    Returns
    -------
    dict
        ``{'test', 'narrow', 'crystals', 'diverse'}`` -> sorted pool indices. ``narrow`` is every
        non-test structure of ``narrow_types``; ``crystals`` and ``diverse`` have the same size,
        spread as evenly as possible over the crystalline, respectively all, families. The test set
        is disjoint from every training set.
    """
    rng = np.random.default_rng(seed)
    families: dict[str, list[int]] = {}
    for i, t in enumerate(config_types):
        families.setdefault(t, []).append(i)
    test, train = [], {}
    for f, idx in families.items():
        perm = [idx[j] for j in rng.permutation(len(idx))]
        n_test = max(1, int(round(test_fraction * len(idx))))
        test += perm[:n_test]
        train[f] = perm[n_test:]
    narrow = [i for f in narrow_types for i in train.get(f, [])]
    size = len(narrow)
    crystals = _balanced({f: v for f, v in train.items() if f in crystalline}, size)
    diverse = _balanced(train, size)
    return {"narrow": sorted(narrow), "crystals": sorted(crystals), "diverse": sorted(diverse),
            "test": sorted(test)}


# ----------------------------------------------------------------------------- registry


def element_dir(element: str = DEFAULT_ELEMENT) -> Path:
    """The data directory of an element in the registry, ``DATA_ROOT/<element>`` (``data/C``,
    ``data/Si``); carbon's is the default of every loader."""
    return DATA_ROOT / element


def _dir(data_dir, element: str | None = None) -> Path:
    if data_dir is not None and element is not None:
        raise ValueError("give data_dir or element, not both")
    if data_dir is not None:
        return Path(data_dir)
    return element_dir(element or DEFAULT_ELEMENT)


def manifest(data_dir: str | os.PathLike | None = None, element: str | None = None) -> dict:
    """The parsed ``manifest.json`` (DFT settings, convergence numbers, sets, checksums, split)."""
    path = _dir(data_dir, element) / MANIFEST
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError:
        raise DatasetError(f"no manifest at {path}; run `python -m linace.study.dft export`, or "
                           f"`python -m linace.study.datasets manifest {path.parent}` for your own "
                           "files") from None
    except json.JSONDecodeError as exc:
        raise DatasetError(f"corrupted manifest {path}: {exc}") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("sets"), dict):
        raise DatasetError(f"manifest {path}: no 'sets' mapping (set name -> file, sha256, n_structures)")
    if element is not None and meta.get("element", DEFAULT_ELEMENT) != element:
        raise DatasetError(f"manifest {path}: the data of {element} were asked for, the manifest says "
                           f"{meta.get('element', DEFAULT_ELEMENT)}" + ("" if "element" in meta else " (no 'element' key)"))
    return meta


def element(data_dir: str | os.PathLike | None = None) -> str:
    """The chemical element of a data directory (its manifest's ``element``; carbon if absent)."""
    return manifest(data_dir).get("element", DEFAULT_ELEMENT)


def names(data_dir: str | os.PathLike | None = None, element: str | None = None) -> list[str]:
    """Names of the available sets, in the order of :data:`SET_ORDER`."""
    sets = manifest(data_dir, element)["sets"]
    return [n for n in SET_ORDER if n in sets] + sorted(n for n in sets if n not in SET_ORDER)


def sha256(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def validate(images: Sequence[Atoms], name: str = "dataset", element: str = DEFAULT_ELEMENT) -> None:
    """Raise :class:`DatasetError` unless every structure holds atoms of ``element`` only, with
    finite positions, cell, energy and forces (and stress if present)."""
    if len(images) == 0:
        raise DatasetError(f"{name}: no structures")
    for k, atoms in enumerate(images):
        where = f"{name}[{k}] ({atoms.info.get('sid', 'no sid')})"
        if len(atoms) == 0:
            raise DatasetError(f"{where}: no atoms")
        other = sorted(set(atoms.get_chemical_symbols()) - {element})
        if other:
            raise DatasetError(f"{where}: species other than {element}: {other}")
        if not np.all(np.isfinite(atoms.positions)) or not np.all(np.isfinite(atoms.cell.array)):
            raise DatasetError(f"{where}: non-finite positions or cell")
        results = atoms.calc.results if atoms.calc is not None else {}
        for key in ("energy", "forces"):
            if key not in results or results[key] is None:
                raise DatasetError(f"{where}: no {key}")
        if np.shape(results["forces"]) != (len(atoms), 3):
            raise DatasetError(f"{where}: forces of shape {np.shape(results['forces'])}, "
                               f"expected {(len(atoms), 3)}")
        for key in ("energy", "forces", "stress"):
            if key in results and not np.all(np.isfinite(results[key])):
                raise DatasetError(f"{where}: NaN or infinite {key}")


#: Parsed and checked sets, pickled, keyed by (file, SHA-256, set, size, element): a set loaded again
#: (each resampled run loads its training and test sets) is unpickled instead of parsed; a changed
#: file has another checksum and is parsed again. At most :data:`_PARSED_KEPT` sets are kept.
_PARSED: dict[tuple, bytes] = {}
_PARSED_KEPT = 16


def load(name: str, data_dir: str | os.PathLike | None = None, element: str | None = None) -> list[Atoms]:
    """Load a set after checking its SHA-256 and contents.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    data_dir : path, optional
        Directory with the manifest and files (default: carbon's, :func:`element_dir`).
    element : str, optional
        Instead of ``data_dir``: the committed data of this element (:func:`element_dir`).

    Returns
    -------
    list of ase.Atoms
        Each with energy (eV), forces (N, 3) eV/A, stress if fully periodic, and ``info``.

    Raises
    ------
    DatasetError
        Unknown name (the message lists the known ones), missing file, checksum mismatch
        (corrupted or truncated file), unreadable file, wrong number of structures, or an invalid
        structure (see :func:`validate`).
    """
    from ase.io import read

    folder = _dir(data_dir, element)
    meta = manifest(data_dir, element)  # with element: checks that the manifest is that element's
    sets = meta["sets"]
    if name not in sets:
        raise DatasetError(f"unknown dataset {name!r} in {folder}; known: {', '.join(names(folder))}")
    entry = sets[name]
    missing = [key for key in ("file", "sha256", "n_structures") if key not in entry]
    if missing:
        raise DatasetError(f"manifest {folder / MANIFEST}: set {name!r} lacks {', '.join(missing)}")
    path = folder / entry["file"]
    if not path.exists():
        raise DatasetError(f"dataset {name!r}: file {path} is missing")
    digest = sha256(path)
    if digest != entry["sha256"]:
        raise DatasetError(f"dataset {name!r}: checksum mismatch for {path} (file corrupted or "
                           f"truncated; expected {entry['sha256'][:12]}..., got {digest[:12]}...)")
    key = (str(path.resolve()), digest, name, entry["n_structures"], meta.get("element", DEFAULT_ELEMENT))
    if key in _PARSED:  # the same file, checked before: a fresh copy of its structures
        return pickle.loads(_PARSED[key])
    try:
        images = read(path, index=":", format="extxyz")
    except Exception as exc:
        raise DatasetError(f"dataset {name!r}: cannot parse {path}: {exc}") from None
    if len(images) != entry["n_structures"]:
        raise DatasetError(f"dataset {name!r}: {len(images)} structures in {path}, manifest says "
                           f"{entry['n_structures']} (truncated file?)")
    validate(images, f"{name} ({path})", meta.get("element", DEFAULT_ELEMENT))
    _PARSED[key] = pickle.dumps(images)
    while len(_PARSED) > _PARSED_KEPT:
        _PARSED.pop(next(iter(_PARSED)))
    return images


def e0(data_dir: str | os.PathLike | None = None, element: str | None = None) -> float:
    """Energy (eV) of the isolated atom (for the committed data: the spin-polarised Hund's-rule
    ground state), the reference of all binding energies."""
    atoms = load("isolated_atom", data_dir, element)
    if len(atoms) != 1 or len(atoms[0]) != 1:
        raise DatasetError(f"isolated_atom of {_dir(data_dir, element)}: expected one structure of one "
                           f"atom, got {len(atoms)} structure(s) of {[len(a) for a in atoms]} atoms")
    energy = float(atoms[0].get_potential_energy())
    if not math.isfinite(energy):
        raise DatasetError("isolated atom energy is not finite")
    return energy


# ----------------------------------------------------------------------------- your own data


def write_manifest(data_dir: str | os.PathLike, element: str, files: dict[str, str] | None = None,
                   description: str = "") -> dict:
    """Write ``data_dir/manifest.json`` for a folder of extended XYZ files; returns the manifest.

    Parameters
    ----------
    data_dir : path
        The folder.
    element : str
        The chemical element of every structure (checked).
    files : dict, optional
        Set name -> file name inside ``data_dir``; default every ``*.extxyz`` file, named by its
        stem (``dimers.extxyz`` is the set ``dimers``).
    description : str
        Free text recorded in the manifest (where the data come from: code, functional, settings).

    Raises
    ------
    DatasetError
        A file is missing or unreadable, or a structure is invalid (:func:`validate`).
    """
    from ase.data import atomic_numbers
    from ase.io import read

    folder = Path(data_dir)
    if element not in atomic_numbers:
        raise DatasetError(f"unknown chemical element {element!r}")
    if files is None:
        files = {path.stem: path.name for path in sorted(folder.glob("*.extxyz"))}
    if not files:
        raise DatasetError(f"{folder}: no *.extxyz files")
    sets = {}
    for name, file in files.items():
        path = folder / file
        if not path.is_file():
            raise DatasetError(f"set {name!r}: file {path} is missing")
        try:
            images = read(path, index=":", format="extxyz")
        except Exception as exc:
            raise DatasetError(f"set {name!r}: cannot parse {path}: {exc}") from None
        validate(images, f"{name} ({path})", element)
        sets[name] = {"file": file, "sha256": sha256(path), "n_structures": len(images),
                      "n_atoms": sum(len(a) for a in images)}
    meta = {"schema": 1, "element": element, "description": description, "sets": sets}
    (folder / MANIFEST).write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def check_data_dir(data_dir: str | os.PathLike) -> dict:
    """Check a data directory before a study runs on it; returns its manifest.

    Every set is loaded (checksum, counts, one element, finite labels: :func:`load`); the folder
    must hold the sets of :data:`REQUIRED_SETS` and at least one training set; the isolated atom
    must be one atom; every dimer two atoms of an isolated (non-periodic) pair.

    Raises
    ------
    DatasetError
        Naming the folder, set or file at fault.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise DatasetError(f"data directory {folder} does not exist")
    meta = manifest(folder)
    absent = [name for name in REQUIRED_SETS if name not in meta["sets"]]
    if absent:
        raise DatasetError(f"{folder / MANIFEST}: no {', '.join(absent)} set(s); a study needs "
                           f"{', '.join(REQUIRED_SETS)} and at least one training set")
    if not [name for name in meta["sets"] if name not in NOT_TRAINING_SETS]:
        raise DatasetError(f"{folder / MANIFEST}: no training set (every set but "
                           f"{', '.join(NOT_TRAINING_SETS)} is one)")
    images = {name: load(name, folder) for name in meta["sets"]}
    e0(folder)
    where = f"dimers ({folder / meta['sets']['dimers']['file']})"
    for k, dimer in enumerate(images["dimers"]):
        if len(dimer) != 2 or any(dimer.pbc):
            raise DatasetError(f"{where}[{k}]: a dimer is two atoms without periodic boundaries, got "
                               f"{len(dimer)} atoms, pbc={dimer.pbc.tolist()}")
    from linace.analysis import convergence_range

    r = [dimer.get_distance(0, 1) for dimer in images["dimers"]]
    try:
        r_range = convergence_range(meta.get("element", DEFAULT_ELEMENT))
    except ValueError as error:  # an element without default length scales
        raise DatasetError(f"{folder / MANIFEST}: {error}") from None
    if min(r) > r_range[0] + 1e-6 or max(r) < r_range[1] - 1e-6:
        raise DatasetError(f"{where}: separations {min(r):.3f}-{max(r):.3f} A do not cover the range "
                           f"{r_range[0]:.3f}-{r_range[1]:.3f} A over which dimer curves are compared")
    return meta


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m linace.study.datasets {manifest,check} PATH``: write or check a data directory."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m linace.study.datasets",
                                     description="Write or check the manifest of a data directory.")
    sub = parser.add_subparsers(dest="command", required=True)
    write = sub.add_parser("manifest", help="write PATH/manifest.json: every PATH/*.extxyz is a set")
    write.add_argument("path")
    write.add_argument("--element", required=True, help="the chemical element of every structure")
    write.add_argument("--description", default="")
    check = sub.add_parser("check", help="check PATH as a study's data directory")
    check.add_argument("path")
    args = parser.parse_args(argv)
    try:
        if args.command == "manifest":
            meta = write_manifest(args.path, args.element, description=args.description)
            print(f"wrote {Path(args.path) / MANIFEST}: " + ", ".join(
                f"{name} ({entry['n_structures']})" for name, entry in meta["sets"].items()))
        meta = check_data_dir(args.path)
    except DatasetError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    print(f"{args.path}: a data directory of {meta.get('element', DEFAULT_ELEMENT)} with sets "
          + ", ".join(names(args.path)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
