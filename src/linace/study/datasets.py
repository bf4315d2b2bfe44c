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

(the command line: :mod:`linace.study.data_commands`).
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

from linace.study.structures.carbon import CRYSTALLINE

MANIFEST = "manifest.json"
#: the committed data of the repository (``data/``): a folder per element (``data/C``, ``data/Si``)
#: and the published values the book compares with (``data/literature.json``)
REPOSITORY_DATA_DIR = Path(__file__).resolve().parents[3] / "data"
#: the registry the loaders read, a folder per element: ``$LINACE_DATA`` if set, else ``data/``
DATA_ROOT = Path(os.environ.get("LINACE_DATA", REPOSITORY_DATA_DIR))
# -- the sets of a data directory and their roles in the study: every module and chapter imports these names
#: the molecular sets: the dimer curve (required: the two-body reference) and the clusters (trimers to pentamers)
MOLECULAR_SETS = ("dimers", "clusters")
#: the bulk training sets, by growing diversity: the diamond family only, the crystalline families,
#: every family (the sets the bulk claims compare; the pool's split, :func:`make_split`)
BULK_SETS = ("narrow", "crystals", "diverse")
#: our version of the paper's tailored data (dimers to pentamers): the clusters plus the dimers, a
#: training set made of two data sets ("a+b": the structures of a, then those of b)
TAILORED_SET = "clusters+dimers"
#: training sets made of several data sets (:func:`linace.study.runs.training_sets`)
COMBINED_SETS = (TAILORED_SET,)
#: the training sets that separate the two ingredients of the convergence in K (claim v2c): bulk data,
#: the molecules without the dimer, and with it (the tailored set)
ATTRIBUTION_SETS = ("diverse", "clusters", TAILORED_SET)
#: every training set the study trains on, in the order tables show them: the dimers, the bulk sets by
#: diversity, the clusters, the tailored set (the standard basis's runs of the default sweep)
STUDY_SETS = ("dimers",) + BULK_SETS + ("clusters", TAILORED_SET)
#: the pool and the sets of its fixed split (:func:`make_split`): exported together, never from two splits
SPLIT_SETS = BULK_SETS + ("test", "pool")
#: every set of the committed data, in the order of a manifest
SET_ORDER = ("isolated_atom",) + MOLECULAR_SETS + SPLIT_SETS
#: the training sets of the committed data (data sets only, see :data:`COMBINED_SETS`)
TRAINING_SETS = BULK_SETS + MOLECULAR_SETS
SPLIT_SEED = 3
TEST_FRACTION = 0.15
NARROW_TYPES = ("diamond",)
#: the element of a manifest that names none (the committed carbon data predate the key)
DEFAULT_ELEMENT = "C"
#: sets every data directory needs: E0, the DFT dimer curve, the common test set
REQUIRED_SETS = ("isolated_atom", "dimers", "test")
#: sets that are never trained on (the rest of a data directory's sets are training sets, unless the
#: manifest gives them another ``role``: see :data:`ROLES`)
NOT_TRAINING_SETS = ("isolated_atom", "test", "pool", "dimer_curve")
#: what a set is for (``manifest['sets'][name]['role']``; by default from its name, :func:`role`):
#: ``atom`` (E0), ``reference`` (an energy-only reference such as the DFT dimer curve ``dimer_curve``),
#: ``test`` (held out), ``analysis`` (never trained on, e.g. ``pool``) or ``training``
ROLES = ("atom", "reference", "test", "analysis", "training")
_ROLE_BY_NAME = {"isolated_atom": "atom", "dimer_curve": "reference", "test": "test", "pool": "analysis"}
#: eV: the far end of the reference dimer curve must lie within this of 2 E0 (a larger gap is almost
#: always an E0 from another code, unit or convention); a manifest's ``dimer_tail_tolerance`` may
#: raise it for a curve that genuinely ends unbound
DIMER_TAIL_TOLERANCE = 0.05

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
    take = dict.fromkeys(families, 0)
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


def make_split(
    config_types: Sequence[str],
    seed: int = SPLIT_SEED,
    test_fraction: float = TEST_FRACTION,
    crystalline: Sequence[str] = CRYSTALLINE,
    narrow_types: Sequence[str] = NARROW_TYPES,
) -> dict[str, list[int]]:
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
    return {"narrow": sorted(narrow), "crystals": sorted(crystals), "diverse": sorted(diverse), "test": sorted(test)}


# ----------------------------------------------------------------------------- reading extended XYZ
def _frames(path: Path) -> list[tuple[int, int, str]]:
    """Split an (extended) XYZ file into frames: (structure index, first line number, text).

    Raises DatasetError naming the file and line where a frame's atom count is missing or the file
    ends inside a frame."""
    lines = path.read_text().splitlines(keepends=True)
    frames, k, index = [], 0, 0
    while k < len(lines):
        if not lines[k].strip():  # blank lines between frames (and at the end)
            k += 1
            continue
        try:
            count = int(lines[k].split()[0])
        except (ValueError, IndexError):
            raise DatasetError(
                f"{path}, line {k + 1} (structure {index}): expected the number of atoms, "
                f"found {lines[k].strip()[:60]!r}"
            ) from None
        if count < 0 or k + 2 + count > len(lines):
            raise DatasetError(
                f"{path}, line {k + 1} (structure {index}): {count} atoms announced, the file "
                f"ends after {max(len(lines) - k - 2, 0)}"
            )
        frames.append((index, k + 1, "".join(lines[k : k + 2 + count])))
        k += 2 + count
        index += 1
    return frames


def _bad_atom_line(text: str, first_line: int) -> tuple[int, str] | None:
    """The first per-atom line of a frame whose columns do not match its ``Properties`` (line, reason)."""
    import re

    lines = text.splitlines()
    match = re.search(r"Properties=(\S+)", lines[1])
    spec = match.group(1).split(":") if match else ["species", "S", "1", "pos", "R", "3"]
    columns = []
    for name, kind, count in zip(spec[0::3], spec[1::3], spec[2::3]):
        columns += [(name, kind)] * int(count)
    for offset, line in enumerate(lines[2:]):
        tokens = line.split()
        if len(tokens) != len(columns):
            return first_line + 2 + offset, f"{len(tokens)} columns, Properties announce {len(columns)}"
        for token, (name, kind) in zip(tokens, columns):
            try:
                (float if kind == "R" else int if kind == "I" else str)(token)
            except ValueError:
                return first_line + 2 + offset, (
                    f"{name} value {token!r} is not {'a number' if kind == 'R' else 'an integer'}"
                )
    return None


def read_extxyz(path: str | os.PathLike, what: str | None = None) -> list[Atoms]:
    """Every structure of an extended XYZ file (``.extxyz`` or ``.xyz``), read by ASE.

    A file ASE cannot parse is read again frame by frame to say where: the
    :class:`DatasetError` names the file, the line and the structure's index (and ``what``, e.g.
    the set)."""
    import io

    from ase.io import read

    path = Path(path)
    prefix = f"{what}: " if what else ""
    try:
        return read(path, index=":", format="extxyz")
    except Exception as exc:  # locate the fault
        error = str(exc)
    for index, first_line, text in _frames(path):  # raises on a broken frame structure
        try:
            read(io.StringIO(text), index=0, format="extxyz")
        except Exception as exc:
            bad = _bad_atom_line(text, first_line)
            where = f"line {bad[0]}" if bad else f"lines {first_line}-{first_line + text.count(chr(10)) - 1}"
            raise DatasetError(
                f"{prefix}{path}, {where} (structure {index}): cannot parse: {bad[1] if bad else exc}"
            ) from None
    raise DatasetError(f"{prefix}cannot parse {path}: {error}")


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
        raise DatasetError(
            f"no manifest at {path}; run `python -m linace.study.dft export`, or "
            f"`python -m linace.study.datasets manifest {path.parent}` for your own "
            "files"
        ) from None
    except json.JSONDecodeError as exc:
        raise DatasetError(f"corrupted manifest {path}: {exc}") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("sets"), dict):
        raise DatasetError(f"manifest {path}: no 'sets' mapping (set name -> file, sha256, n_structures)")
    if element is not None and meta.get("element", DEFAULT_ELEMENT) != element:
        raise DatasetError(
            f"manifest {path}: the data of {element} were asked for, the manifest says "
            f"{meta.get('element', DEFAULT_ELEMENT)}" + ("" if "element" in meta else " (no 'element' key)")
        )
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


def role(name: str, meta: dict) -> str:
    """What the set ``name`` of a manifest is for (:data:`ROLES`): its ``role`` entry, else by name."""
    entry = meta["sets"].get(name, {})
    value = entry.get("role", _ROLE_BY_NAME.get(name, "training"))
    if value not in ROLES:
        raise DatasetError(f"manifest: set {name!r} has the role {value!r}; known roles: {', '.join(ROLES)}")
    return value


def validate(
    images: Sequence[Atoms], name: str = "dataset", element: str = DEFAULT_ELEMENT, forces: bool = True
) -> None:
    """Raise :class:`DatasetError` unless every structure holds atoms of ``element`` only, with
    finite positions, cell, energy and forces (and stress if present); ``forces=False`` for an
    energy-only reference set."""
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
        for key in ("energy", "forces") if forces else ("energy",):
            if key not in results or results[key] is None:
                found = (
                    f"info keys: {', '.join(sorted(atoms.info)) or 'none'}; per-atom arrays: "
                    f"{', '.join(sorted(set(atoms.arrays) - {'numbers', 'positions'})) or 'none'}"
                )
                raise DatasetError(
                    f"{where}: no {key}; it has {found} (files that keep labels under other names "
                    "come in with `python -m linace.study.datasets import ... --energy-key K "
                    "--forces-key K`)"
                )
        if "forces" in results and np.shape(results["forces"]) != (len(atoms), 3):
            raise DatasetError(f"{where}: forces of shape {np.shape(results['forces'])}, expected {(len(atoms), 3)}")
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
        raise DatasetError(
            f"dataset {name!r}: checksum mismatch for {path} (file corrupted or "
            f"truncated; expected {entry['sha256'][:12]}..., got {digest[:12]}...)"
        )
    key = (str(path.resolve()), digest, name, entry["n_structures"], meta.get("element", DEFAULT_ELEMENT))
    if key in _PARSED:  # the same file, checked before: a fresh copy of its structures
        return pickle.loads(_PARSED[key])
    images = read_extxyz(path, f"dataset {name!r}")
    if len(images) != entry["n_structures"]:
        raise DatasetError(
            f"dataset {name!r}: {len(images)} structures in {path}, manifest says "
            f"{entry['n_structures']} (truncated file?)"
        )
    validate(images, f"{name} ({path})", meta.get("element", DEFAULT_ELEMENT), forces=role(name, meta) != "reference")
    _PARSED[key] = pickle.dumps(images)
    while len(_PARSED) > _PARSED_KEPT:
        _PARSED.pop(next(iter(_PARSED)))
    return images


def e0(data_dir: str | os.PathLike | None = None, element: str | None = None) -> float:
    """Energy (eV) of the isolated atom (for the committed data: the spin-polarised Hund's-rule
    ground state), the reference of all binding energies."""
    atoms = load("isolated_atom", data_dir, element)
    if len(atoms) != 1 or len(atoms[0]) != 1:
        raise DatasetError(
            f"isolated_atom of {_dir(data_dir, element)}: expected one structure of one "
            f"atom, got {len(atoms)} structure(s) of {[len(a) for a in atoms]} atoms"
        )
    energy = float(atoms[0].get_potential_energy())
    if not math.isfinite(energy):
        raise DatasetError("isolated atom energy is not finite")
    return energy


# ----------------------------------------------------------------------------- your own data
def training_set_names(data_dir: str | os.PathLike | None = None, element: str | None = None) -> list[str]:
    """The sets of a data directory whose role (:func:`role`) is ``training``, in :func:`names` order."""
    meta = manifest(data_dir, element)
    return [name for name in names(data_dir, element) if role(name, meta) == "training"]


def comparison_range(data_dir: str | os.PathLike | None = None, element: str | None = None) -> tuple[float, float]:
    """The range (A) over which dimer curves of a data directory are compared: its manifest's
    ``compare_range``, else its element's (:func:`linace.analysis.convergence_range`)."""
    from linace.analysis import convergence_range

    meta = manifest(data_dir, element)
    if "compare_range" in meta:
        low, high = (float(x) for x in meta["compare_range"])
        return low, high
    return convergence_range(meta.get("element", DEFAULT_ELEMENT))


def dimer_reference(
    data_dir: str | os.PathLike | None = None, element: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The DFT dimer curve of a data directory: r (A, increasing) and E(r) - 2 E0 (eV), (n,) each.

    From the energy-only reference set ``dimer_curve`` when the folder has one (e.g. a published
    table brought in by :mod:`linace.study.importer`), else from the ``dimers`` set."""
    source = "dimer_curve" if "dimer_curve" in manifest(data_dir, element)["sets"] else "dimers"
    images = load(source, data_dir, element)
    r = np.array([atoms.get_distance(0, 1) for atoms in images])
    energy = np.array([atoms.get_potential_energy() for atoms in images]) - 2 * e0(data_dir, element)
    order = np.argsort(r)
    return r[order], energy[order]


def geometry_digest(atoms: Atoms, decimals: int = 4) -> str:
    """A digest of a structure's geometry: species, positions (wrapped into the cell where periodic)
    and cell, rounded to ``decimals`` (A). Equal digests mean the same structure, up to round-off."""
    positions = atoms.get_positions(wrap=bool(any(atoms.pbc)))
    h = hashlib.sha256()
    for array in (
        atoms.numbers.astype(np.int64),
        np.round(positions, decimals) + 0.0,
        np.round(atoms.cell.array, decimals) + 0.0,
        np.asarray(atoms.pbc, dtype=np.int8),
    ):
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()[:16]


def check_trainable(images: Sequence[Atoms], name: str, rcut: float) -> None:
    """Refuse a training set that cannot fit a potential, with a sentence saying why.

    A potential of cut-off ``rcut`` (A) sees only atoms with a neighbour within ``rcut``: a set in
    which no atom has one (a lone atom, atoms far apart) makes every basis function zero. And the
    fit needs something to fit: energies per atom that differ between structures, or a non-zero
    force.

    Raises
    ------
    DatasetError
    """
    from ase.neighborlist import neighbor_list

    if not any(len(neighbor_list("i", atoms, rcut)) for atoms in images):
        raise DatasetError(
            f"training set {name!r} ({len(images)} structure(s)) cannot fit a potential: no atom has a "
            f"neighbour within the cut-off {rcut:.3f} A, so every basis function is zero on it"
        )
    per_atom = np.array([atoms.get_potential_energy() / len(atoms) for atoms in images])
    moving = any(np.abs(atoms.get_forces()).max() > 1e-8 for atoms in images)
    if np.ptp(per_atom) < 1e-10 and not moving:
        raise DatasetError(
            f"training set {name!r} ({len(images)} structure(s)) cannot fit a potential: every "
            f"structure has the same energy per atom ({per_atom[0]:.6f} eV) and no force, so there "
            "is nothing to fit"
        )


def _source_files(folder: Path) -> dict[str, str]:
    """Set name -> file of every ``*.extxyz`` and ``*.xyz`` in a folder (named by the stem)."""
    files: dict[str, str] = {}
    for path in sorted([*folder.glob("*.extxyz"), *folder.glob("*.xyz")]):
        if path.stem in files:
            raise DatasetError(f"{folder}: two files for the set {path.stem!r}: {files[path.stem]} and {path.name}")
        files[path.stem] = path.name
    return files


def write_manifest(
    data_dir: str | os.PathLike,
    element: str,
    files: dict[str, str] | None = None,
    description: str = "",
    roles: dict[str, str] | None = None,
    compare_range: Sequence[float] | None = None,
    dimer_tail_tolerance: float | None = None,
    extra: dict | None = None,
    check: bool = True,
) -> dict:
    """Write ``data_dir/manifest.json`` for a folder of extended XYZ files; returns the manifest.

    Parameters
    ----------
    data_dir : path
        The folder.
    element : str
        The chemical element of every structure (checked).
    files : dict, optional
        Set name -> file name inside ``data_dir``; default every ``*.extxyz`` and ``*.xyz`` file,
        named by its stem (``dimers.extxyz`` is the set ``dimers``).
    description : str
        Free text recorded in the manifest (where the data come from: code, functional, settings).
    roles : dict, optional
        Set name -> role (:data:`ROLES`) where it differs from the default by name (:func:`role`).
    compare_range : (lo, hi), optional
        A; the range over which dimer curves are compared (default: the element's,
        :func:`linace.analysis.convergence_range`). Recorded as ``compare_range``.
    dimer_tail_tolerance : float, optional
        eV; recorded when it differs from :data:`DIMER_TAIL_TOLERANCE` (see :func:`check_data_dir`).
    extra : dict, optional
        Further top-level entries (e.g. the ``import`` record of :mod:`linace.study.importer`).
    check : bool
        Check the folder as a study's data directory (:func:`check_data_dir`) once written; if the
        check fails, the manifest that was there before (or none) is put back, and the error raised.

    Raises
    ------
    DatasetError
        A file is missing or unreadable, a structure is invalid (:func:`validate`), or the check fails.
    """
    from ase.data import atomic_numbers

    from linace.analysis import convergence_range

    folder = Path(data_dir)
    if element not in atomic_numbers:
        raise DatasetError(f"unknown chemical element {element!r}")
    if files is None:
        files = _source_files(folder)
    if not files:
        raise DatasetError(f"{folder}: no *.extxyz or *.xyz files")
    roles = dict(roles or {})
    unknown = {name: value for name, value in roles.items() if value not in ROLES}
    if unknown:
        raise DatasetError(f"unknown role(s) {unknown}; known: {', '.join(ROLES)}")
    if compare_range is None:
        try:
            compare_range = convergence_range(element)
        except ValueError as error:  # an element without default length scales
            raise DatasetError(
                f"{folder / MANIFEST}: {error}; give the range over which dimer curves are compared "
                "(compare_range, --compare-range LO HI)"
            ) from None
    low, high = (float(x) for x in compare_range)
    if not 0 < low < high:
        raise DatasetError(f"compare range {low}-{high} A: expected 0 < low < high")
    sets = {}
    for name, file in files.items():
        path = folder / file
        if not path.is_file():
            raise DatasetError(f"set {name!r}: file {path} is missing")
        images = read_extxyz(path, f"set {name!r}")
        set_role = roles.get(name, _ROLE_BY_NAME.get(name, "training"))
        validate(images, f"{name} ({path})", element, forces=set_role != "reference")
        sets[name] = {
            "file": file,
            "sha256": sha256(path),
            "n_structures": len(images),
            "n_atoms": sum(len(a) for a in images),
        }
        if name in roles:
            sets[name]["role"] = roles[name]
    meta = {"schema": 1, "element": element, "description": description, "compare_range": [low, high]}
    if dimer_tail_tolerance is not None and dimer_tail_tolerance != DIMER_TAIL_TOLERANCE:
        meta["dimer_tail_tolerance"] = float(dimer_tail_tolerance)
    meta.update(extra or {})
    meta["sets"] = sets
    path = folder / MANIFEST
    previous = path.read_bytes() if path.exists() else None
    path.write_text(json.dumps(meta, indent=1) + "\n")
    if check:
        try:
            check_data_dir(folder)
        except DatasetError:
            if previous is None:
                path.unlink()
            else:
                path.write_bytes(previous)
            raise
    return meta


def check_data_dir(data_dir: str | os.PathLike) -> dict:
    """Check a data directory before a study runs on it; returns its manifest.

    Every set is loaded (checksum, counts, one element, finite labels: :func:`load`); the folder
    must hold the isolated atom (one atom), the held-out ``test`` set, a reference dimer curve
    (``dimers``: isolated pairs, no periodic boundaries; or the energy-only ``dimer_curve``) and at
    least one training set. The reference curve must cover the comparison range
    (:func:`comparison_range`) and end within the tolerance (:data:`DIMER_TAIL_TOLERANCE`, or the
    manifest's ``dimer_tail_tolerance``) of 2 E0. No structure of a test set may be one of a training
    set (:func:`geometry_digest`), and every training set must be able to fit a potential
    (:func:`check_trainable`).

    Raises
    ------
    DatasetError
        Naming the folder, set, structure or file at fault.
    """
    from linace.radial import element_scales

    folder = Path(data_dir)
    if not folder.is_dir():
        raise DatasetError(f"data directory {folder} does not exist")
    meta = manifest(folder)
    element_name = meta.get("element", DEFAULT_ELEMENT)
    absent = [name for name in ("isolated_atom", "test") if name not in meta["sets"]]
    if not {"dimers", "dimer_curve"} & set(meta["sets"]):
        absent.append("dimers (or dimer_curve)")
    if absent:
        raise DatasetError(
            f"{folder / MANIFEST}: no {', '.join(absent)} set(s); a study needs the isolated atom, "
            "a dimer curve, a test set and at least one training set"
        )
    roles = {name: role(name, meta) for name in meta["sets"]}
    training = [name for name, value in roles.items() if value == "training"]
    if not training:
        raise DatasetError(
            f"{folder / MANIFEST}: no training set (every set but the atom, the test, reference and "
            "analysis sets is one)"
        )
    images = {name: load(name, folder) for name in meta["sets"]}
    energy_atom = e0(folder)
    if "dimers" in images:
        where = f"dimers ({folder / meta['sets']['dimers']['file']})"
        for k, dimer in enumerate(images["dimers"]):
            if len(dimer) != 2 or any(dimer.pbc):
                raise DatasetError(
                    f"{where}[{k}]: a dimer is two atoms without periodic boundaries, got "
                    f"{len(dimer)} atoms, pbc={dimer.pbc.tolist()} (a published dimer in a periodic "
                    "box comes in through `python -m linace.study.datasets import`, which takes it "
                    "out of its box)"
                )
    source = "dimer_curve" if "dimer_curve" in images else "dimers"
    where = f"{source} ({folder / meta['sets'][source]['file']})"
    for k, dimer in enumerate(images[source]):
        if len(dimer) != 2:
            raise DatasetError(f"{where}[{k}]: a dimer is two atoms, got {len(dimer)}")
    r, energy = dimer_reference(folder)
    low, high = comparison_range(folder)
    if r.min() > low + 1e-6 or r.max() < high - 1e-6:
        raise DatasetError(
            f"{where}: separations {r.min():.3f}-{r.max():.3f} A do not cover the range "
            f"{low:.3f}-{high:.3f} A over which dimer curves are compared (set the folder's range "
            f"with --compare-range LO HI inside {r.min():.3f}-{r.max():.3f} A)"
        )
    tolerance = float(meta.get("dimer_tail_tolerance", DIMER_TAIL_TOLERANCE))
    if abs(energy[-1]) > tolerance:
        raise DatasetError(
            f"{where}: at its far end ({r[-1]:.3f} A) the dimer curve lies {energy[-1]:+.3f} eV from "
            f"2 E0 (E0 = {energy_atom:.6f} eV), more than {tolerance * 1000:.0f} meV: the isolated atom "
            "and the dimers do not share an energy zero (another code, unit or convention?); if the "
            "curve truly ends unbound there, raise the manifest's dimer_tail_tolerance and say why"
        )
    held_out = [name for name, value in roles.items() if value == "test"]
    digests = {name: [geometry_digest(atoms) for atoms in images[name]] for name in held_out + training}
    for test_name in held_out:
        seen = {digest: k for k, digest in enumerate(digests[test_name])}
        for train_name in training:
            for k, digest in enumerate(digests[train_name]):
                if digest in seen:
                    raise DatasetError(
                        f"{folder}: structure {seen[digest]} of the test set {test_name!r} is structure "
                        f"{k} of the training set {train_name!r} (same geometry): a held-out set must "
                        "share no structure with a training set"
                    )
    try:
        rcut = element_scales(element_name)[0]
    except ValueError as error:  # an element without default length scales
        raise DatasetError(f"{folder / MANIFEST}: {error}") from None
    for name in training:
        check_trainable(images[name], name, rcut)
    return meta


def command_parser():
    """The parser of ``python -m linace.study.datasets {import,manifest,check}`` (run by
    :func:`linace.study.data_commands.main`)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m linace.study.datasets",
        description="Bring published data in (import), or write (manifest) or check (check) a data directory.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    write = sub.add_parser(
        "manifest",
        help="write PATH/manifest.json: every PATH/*.extxyz and *.xyz is a set; "
        "it is checked, and no manifest is left if the check fails",
    )
    write.add_argument("path")
    write.add_argument("--element", required=True, help="the chemical element of every structure")
    write.add_argument(
        "--description", default="", help="free text: code, functional, settings (not hashed into the runs' inputs)"
    )
    write.add_argument(
        "--compare-range",
        nargs=2,
        type=float,
        metavar=("LO", "HI"),
        help="range (A) over which dimer curves are compared (default: the element's)",
    )
    write.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="SET=ROLE",
        help=f"the role of a set where its name does not say it ({', '.join(ROLES)})",
    )
    write.add_argument(
        "--dimer-tail-tolerance",
        type=float,
        default=None,
        metavar="EV",
        help=f"the dimer curve's far end must lie within EV of 2 E0 (default {DIMER_TAIL_TOLERANCE})",
    )
    check = sub.add_parser("check", help="check PATH as a study's data directory")
    check.add_argument("path")
    imp = sub.add_parser(
        "import",
        help="convert published files into a data directory (linace.study.importer)",
        description="Convert published structure files (extended XYZ .xyz/.extxyz, pacemaker pickles), an isolated-"
        "atom energy given as a number and a dimer curve given as a table into a checked data directory, "
        "recording every conversion in its manifest. Example: import diverse=Tr1k_n.xyz "
        "test=Val1k_n.xyz dimers=Tr124_dim.xyz --into my_C --element C --forces-key force --e0 "
        "-18.03977639 --e0-units rydberg",
    )
    imp.add_argument("sources", nargs="+", metavar="[NAME=]FILE", help="a set per file (named by the stem, or NAME)")
    imp.add_argument("--into", required=True, metavar="DIR", help="the data directory to write")
    imp.add_argument("--element", required=True)
    imp.add_argument("--energy-key", default="energy", help="info key of the energy in eV (default energy)")
    imp.add_argument("--forces-key", default="forces", help="per-atom column of the forces in eV/A (default forces)")
    imp.add_argument("--stress-key", default="stress", help="info key of the stress in eV/A^3 (default stress)")
    imp.add_argument(
        "--molecules",
        nargs="+",
        default=list(MOLECULAR_SETS),
        metavar="SET",
        help="sets of molecules, taken out of a periodic box when isolated within the cut-off "
        "('*' for every set; default: dimers clusters)",
    )
    imp.add_argument("--rcut", type=float, default=None, help="cut-off (A) of that test (default: the element's)")
    imp.add_argument("--e0", type=float, default=None, help="the isolated atom's energy, as a number")
    imp.add_argument("--e0-units", default="ev", help="unit of --e0: ev, rydberg, hartree, ... or eV per unit")
    imp.add_argument("--dimer-table", default=None, metavar="FILE", help="the DFT dimer curve as two columns r, E")
    imp.add_argument(
        "--table-units",
        "--units",
        default=None,
        metavar="LENGTH,ENERGY",
        help="units of the table, e.g. bohr,rydberg or 0.529177,13.605703976 (default angstrom,ev)",
    )
    imp.add_argument(
        "--table-zero",
        choices=("absolute", "2e0"),
        default="absolute",
        help="the table's energies: absolute, or relative to two isolated atoms (2e0)",
    )
    imp.add_argument("--split", default=None, metavar="SET", help="split SET into itself and a test set")
    imp.add_argument("--test-fraction", type=float, default=0.1)
    imp.add_argument("--seed", type=int, default=0, help="seed of the split's permutation")
    imp.add_argument(
        "--compare-range",
        nargs=2,
        type=float,
        metavar=("LO", "HI"),
        help="range (A) over which dimer curves are compared (default: the element's)",
    )
    imp.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="SET=ROLE",
        help=f"the role of a set where its name does not say it ({', '.join(ROLES)}), e.g. "
        "test_narrow=test for a second held-out set",
    )
    imp.add_argument(
        "--drop-shared",
        choices=("training", "test"),
        default=None,
        help="structures a held-out set shares with a training set (same geometry) are an error; or "
        "take them out of the training sets (for a validation split drawn from their union) or "
        "out of the held-out sets (keeping the training sets as published); recorded",
    )
    imp.add_argument(
        "--dimer-tail-tolerance",
        type=float,
        default=DIMER_TAIL_TOLERANCE,
        metavar="EV",
        help=f"the dimer curve's far end must lie within EV of 2 E0 (default {DIMER_TAIL_TOLERANCE})",
    )
    imp.add_argument("--trust-pickle", action="store_true", help="allow pacemaker pickles (unpickling runs code)")
    imp.add_argument("--description", default="")
    imp.add_argument("--source-note", default="", help="where the files come from (repository, commit, DOI)")
    imp.add_argument("--overwrite", action="store_true", help="replace existing set files of the same names")
    imp.add_argument(
        "--partial",
        action="store_true",
        help="write even if the folder is not yet a complete study data directory (every set is still validated)",
    )
    return parser


if __name__ == "__main__":  # the command line of data directories (linace.study.data_commands)
    from linace.study.data_commands import main as _main

    raise SystemExit(_main())
