"""What the structure generators of every element share: reproducible random streams, geometry
helpers (rattles, strains, volume scans), one-atom lattices, random packings and neighbour counts.

Randomness comes from :func:`family_rng` (``numpy.random.default_rng([SEED, family code])``), so each
family is reproducible on its own and adding a family never changes another one; :func:`tagged`
names a structure's family in ``atoms.info["config_type"]``. The default distances (:data:`CUTOFF`,
:data:`MIN_DISTANCE`) are carbon's, the study's first element (:mod:`linace.study.structures.carbon`);
silicon's module passes its own. Lengths in A.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.neighborlist import neighbor_list

__all__ = [
    "CUTOFF",
    "LAYER_VACUUM",
    "MIN_DISTANCE",
    "SEED",
    "SLAB_VACUUM",
    "coordination",
    "cubic_lattice",
    "family_rng",
    "min_distance",
    "nearest_neighbour_distances",
    "nn_from_volume",
    "random_packing",
    "random_strain",
    "rattle",
    "scale_volume",
    "strain",
    "tagged",
    "vacancy",
]

#: the seed of every random stream (:func:`family_rng`)
SEED = 20250222
#: distance (A) within which every atom of carbon's pool has at least two neighbours, and the default of
#: the neighbour counts below (silicon's own: :data:`linace.study.structures.silicon.CUTOFF`)
CUTOFF = 5.0
#: smallest interatomic distance (A) allowed in carbon's random, rattled and cluster structures, and the
#: default of :func:`rattle`
MIN_DISTANCE = 1.1
LAYER_VACUUM = 12.0  # A, period across a layer or between chains
SLAB_VACUUM = 12.0  # A, total vacuum gap of a slab


def family_rng(family: str) -> np.random.Generator:
    """The random stream of a family (or any named draw): seeded by :data:`SEED` and a code of the name."""
    code = sum((i + 1) * ord(c) for i, c in enumerate(family))  # stable across runs and platforms
    return np.random.default_rng([SEED, code])


def tagged(atoms: Atoms, config_type: str) -> Atoms:
    """``atoms`` with ``info`` set to ``{"config_type": config_type}`` (its family)."""
    atoms.info = {"config_type": config_type}
    return atoms


def min_distance(atoms: Atoms) -> float:
    """Smallest interatomic distance (A), periodic images included (inf for one isolated atom)."""
    if len(atoms) == 1 and not any(atoms.pbc):
        return float("inf")
    i, d = neighbor_list("id", atoms, 4.0)
    if len(d) == 0:
        return float("inf")
    return float(d.min())


def coordination(atoms: Atoms, cutoff: float = CUTOFF) -> np.ndarray:
    """Number of neighbours of each atom within ``cutoff`` (A), periodic images included; (N,)."""
    i = neighbor_list("i", atoms, cutoff)
    return np.bincount(i, minlength=len(atoms))


def rattle(
    atoms: Atoms, stdev: float, rng: np.random.Generator, dmin: float = MIN_DISTANCE, attempts: int = 200
) -> Atoms:
    """Copy with Gaussian displacements (``stdev`` A per Cartesian component), redrawn until all
    interatomic distances (periodic images included) are at least ``dmin`` A."""
    for _ in range(attempts):
        out = atoms.copy()
        out.positions += rng.normal(0.0, stdev, size=(len(out), 3))
        if min_distance(out) >= dmin:
            return out
    raise RuntimeError(f"could not rattle by {stdev} A with distances >= {dmin} A")


def strain(atoms: Atoms, eps: np.ndarray) -> Atoms:
    """Copy with the cell (and atoms) deformed by (1 + eps); ``eps`` symmetric (3, 3)."""
    out = atoms.copy()
    out.set_cell(np.asarray(atoms.cell) @ (np.eye(3) + eps), scale_atoms=True)
    return out


def random_strain(rng: np.random.Generator, scale: float, axes=(0, 1, 2)) -> np.ndarray:
    """Symmetric strain (3, 3), components ~ N(0, scale), restricted to the given axes."""
    e = rng.normal(0.0, scale, size=(3, 3))
    e = 0.5 * (e + e.T)
    mask = np.zeros((3, 3), bool)
    mask[np.ix_(axes, axes)] = True
    return np.where(mask, e, 0.0)


def scale_volume(atoms: Atoms, factor: float) -> Atoms:
    """Copy scaled isotropically along its periodic axes; the volume changes by ``factor``."""
    per = [i for i in range(3) if atoms.pbc[i]]
    eps = np.zeros((3, 3))
    for i in per:
        eps[i, i] = factor ** (1.0 / len(per)) - 1.0
    return strain(atoms, eps)


def cubic_lattice(kind: str, nn: float, element: str = "C") -> Atoms:
    """One-atom sc, bcc, fcc or simple hexagonal (c/a = 1) cell with nearest-neighbour distance
    ``nn`` (A)."""
    if kind == "sc":
        return bulk(element, "sc", a=nn)
    if kind == "bcc":
        return bulk(element, "bcc", a=2 * nn / np.sqrt(3))
    if kind == "fcc":
        return bulk(element, "fcc", a=nn * np.sqrt(2))
    if kind == "sh":
        cell = [[nn, 0, 0], [-nn / 2, nn * np.sqrt(3) / 2, 0], [0, 0, nn]]
        return Atoms(element, positions=[[0, 0, 0]], cell=cell, pbc=True)
    raise ValueError(f"unknown lattice {kind!r}")


def nn_from_volume(kind: str, volume: float) -> float:
    """Nearest-neighbour distance (A) of a one-atom sc, bcc, fcc or sh (c/a = 1) lattice with
    ``volume`` (A^3 per atom)."""
    factor = {"sc": 1.0, "bcc": 4 / (3 * np.sqrt(3)), "fcc": 1 / np.sqrt(2), "sh": np.sqrt(3) / 2}[
        kind
    ]  # volume per atom / nn^3
    return float((volume / factor) ** (1 / 3))


def random_packing(
    n: int, density: float, rng: np.random.Generator, dmin: float = 1.25, attempts: int = 2000, element: str = "C"
) -> Atoms:
    """AIRSS-like random cell: ``n`` atoms at mass ``density`` (g/cm^3), all distances >= ``dmin``.

    The cell has random lengths (ratio <= 1.6) and angles (70-110 degrees) before scaling to the
    volume of the density; atoms are inserted uniformly one by one, rejecting too close ones.
    """
    from ase.data import atomic_masses, atomic_numbers
    from ase.units import _amu

    volume = n * atomic_masses[atomic_numbers[element]] * _amu * 1e3 / density * 1e24  # A^3
    for _ in range(attempts):
        lengths = rng.uniform(1.0, 1.6, 3)
        angles = rng.uniform(70.0, 110.0, 3)
        atoms = Atoms(cell=np.concatenate([lengths, angles]), pbc=True)
        if not np.isfinite(atoms.cell.volume) or atoms.cell.volume < 0.3 * np.prod(lengths):
            continue
        atoms.set_cell(atoms.cell * (volume / atoms.cell.volume) ** (1 / 3), scale_atoms=False)
        placed = 0
        for _ in range(200 * n):
            trial = atoms.copy()
            trial.append(element)
            trial.positions[-1] = rng.uniform(0, 1, 3) @ np.asarray(atoms.cell)
            if min_distance(trial) >= dmin:
                atoms = trial
                placed += 1
                if placed == n:
                    return atoms
        # too crowded for this cell shape: draw another one
    raise RuntimeError(f"could not pack {n} atoms at {density} g/cm^3")


def vacancy(atoms: Atoms, index: int) -> Atoms:
    """Copy without atom ``index``."""
    out = atoms.copy()
    del out[index]
    return out


def nearest_neighbour_distances(atoms: Atoms, cutoff: float = CUTOFF) -> np.ndarray:
    """Distance (A) from each atom to its nearest neighbour, periodic images included; (N,).

    ``inf`` for an atom without a neighbour within ``cutoff`` (A).
    """
    i, d = neighbor_list("id", atoms, cutoff)
    nearest = np.full(len(atoms), np.inf)
    np.minimum.at(nearest, i, d)
    return nearest
