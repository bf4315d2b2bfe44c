"""Registry and loaders of the committed reference data (``data/*.extxyz``), and the fixed split.

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
which). The sets and how they were computed are described in ``data/manifest.json``.

Sets: ``dimers`` and ``clusters`` (molecules), the equally sized training sets of graded
diversity ``narrow`` (diamond only), ``crystals`` (all crystalline families) and ``diverse`` (all
families), the common held-out ``test`` set, ``pool`` (every bulk/slab structure with
``info['sets']``, for analysis only: it contains the test set) and ``isolated_atom``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from ase import Atoms

from linace.study.structures import CRYSTALLINE

MANIFEST = "manifest.json"
#: the data directory: ``$LINACE_DATA`` if set, else ``data/`` of the repository
DATA_DIR = Path(os.environ.get("LINACE_DATA", Path(__file__).resolve().parents[3] / "data"))
SET_ORDER = ("isolated_atom", "dimers", "clusters", "narrow", "crystals", "diverse", "test", "pool")
TRAINING_SETS = ("narrow", "crystals", "diverse", "dimers", "clusters")
SPLIT_SEED = 3
TEST_FRACTION = 0.15
NARROW_TYPES = ("diamond",)

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


def _dir(data_dir) -> Path:
    return Path(data_dir) if data_dir is not None else DATA_DIR


def manifest(data_dir: str | os.PathLike | None = None) -> dict:
    """The parsed ``manifest.json`` (DFT settings, convergence numbers, sets, checksums, split)."""
    path = _dir(data_dir) / MANIFEST
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise DatasetError(f"no manifest at {path}; run `python -m linace.study.dft export`") from None
    except json.JSONDecodeError as exc:
        raise DatasetError(f"corrupted manifest {path}: {exc}") from None


def names(data_dir: str | os.PathLike | None = None) -> list[str]:
    """Names of the available sets, in the order of :data:`SET_ORDER`."""
    sets = manifest(data_dir)["sets"]
    return [n for n in SET_ORDER if n in sets] + sorted(n for n in sets if n not in SET_ORDER)


def sha256(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def validate(images: Sequence[Atoms], name: str = "dataset") -> None:
    """Raise :class:`DatasetError` unless every structure is pure carbon with finite positions,
    cell, energy and forces (and stress if present)."""
    for k, atoms in enumerate(images):
        where = f"{name}[{k}] ({atoms.info.get('sid', 'no sid')})"
        other = sorted(set(atoms.get_chemical_symbols()) - {"C"})
        if other:
            raise DatasetError(f"{where}: species other than C: {other}")
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


def load(name: str, data_dir: str | os.PathLike | None = None) -> list[Atoms]:
    """Load a set after checking its SHA-256 and contents.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    data_dir : path, optional
        Directory with the manifest and files (default :data:`DATA_DIR`).

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

    meta = manifest(data_dir)
    sets = meta["sets"]
    if name not in sets:
        raise DatasetError(f"unknown dataset {name!r}; known: {', '.join(names(data_dir))}")
    entry = sets[name]
    path = _dir(data_dir) / entry["file"]
    if not path.exists():
        raise DatasetError(f"dataset {name!r}: file {path} is missing")
    digest = sha256(path)
    if digest != entry["sha256"]:
        raise DatasetError(f"dataset {name!r}: checksum mismatch for {path} (file corrupted or "
                           f"truncated; expected {entry['sha256'][:12]}..., got {digest[:12]}...)")
    try:
        images = read(path, index=":", format="extxyz")
    except Exception as exc:
        raise DatasetError(f"dataset {name!r}: cannot parse {path}: {exc}") from None
    if len(images) != entry["n_structures"]:
        raise DatasetError(f"dataset {name!r}: {len(images)} structures in {path}, manifest says "
                           f"{entry['n_structures']} (truncated file?)")
    validate(images, name)
    return images


def e0(data_dir: str | os.PathLike | None = None) -> float:
    """Energy (eV) of the isolated C atom (spin-polarised triplet), the reference of all
    binding energies."""
    (atom,) = load("isolated_atom", data_dir)
    energy = float(atom.get_potential_energy())
    if not math.isfinite(energy):
        raise DatasetError("isolated atom energy is not finite")
    return energy
