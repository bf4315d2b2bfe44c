"""Deterministic structure generators for the reference data (fixed seeds), one module per element.

* :mod:`~linace.study.structures.common` what every element's generators share: the random stream of
  a family, rattles, strains, volume scans, one-atom lattices, random packings, neighbour counts;
* :mod:`~linace.study.structures.molecules` the molecules of any element: the isolated atom, the dimer
  curve, the X3-X5 clusters;
* :mod:`~linace.study.structures.carbon` and :mod:`~linace.study.structures.silicon` each element's
  periodic pool (``POOL_FAMILIES``, ``CRYSTALLINE``, ``pool()``) and the cells and molecules of its DFT
  convergence check (``convergence_structures()``, ``convergence_molecules()``).

:func:`generate` gives the structures of a generation group of an element, :func:`element_module` an
element's module (:data:`ELEMENT_MODULES`). This package holds the common and molecular generators
under its own name too (``structures.rattle``, ``structures.dimers("Si")``).

Every generator returns a list of ``(sid, atoms)``: a unique structure id and an :class:`ase.Atoms`
with ``atoms.info["config_type"]`` (the family). Randomness comes from
``numpy.random.default_rng([SEED, family code])`` (:func:`~linace.study.structures.common.family_rng`),
so each family is reproducible on its own and adding a family never changes another one.

Generation groups (:data:`GROUPS`, computed by :mod:`linace.study.dft`):

* ``isolated_atom``: one atom (no cell; the DFT workflow puts molecules in a box).
* ``dimers``: X2 at the element's separations (:data:`~linace.study.structures.molecules.DIMER_RANGES`;
  carbon: 0.9 to 6.0 A, 0.02 A apart up to 1.6 A).
* ``clusters``: isolated X3, X4, X5 of varied shapes and bond lengths.
* ``pool``: the element's periodic structures; never a dimer (every atom has at least two neighbours
  within the element's ``CUTOFF``). The training/test split of the pool lives in
  :mod:`linace.study.datasets`.
"""

from __future__ import annotations

from ase import Atoms

from . import carbon, silicon
from .common import (
    CUTOFF,
    LAYER_VACUUM,
    MIN_DISTANCE,
    SEED,
    SLAB_VACUUM,
    coordination,
    cubic_lattice,
    family_rng,
    min_distance,
    nearest_neighbour_distances,
    nn_from_volume,
    random_packing,
    random_strain,
    rattle,
    scale_volume,
    strain,
    tagged,
    vacancy,
)
from .molecules import DIMER_RANGES, clusters, dimer, dimer_distances, dimers, isolated_atom, random_cluster

__all__ = [
    "CUTOFF",
    "DIMER_RANGES",
    "ELEMENT_MODULES",
    "GROUPS",
    "LAYER_VACUUM",
    "MIN_DISTANCE",
    "SEED",
    "SLAB_VACUUM",
    "carbon",
    "clusters",
    "coordination",
    "cubic_lattice",
    "dimer",
    "dimer_distances",
    "dimers",
    "element_module",
    "family_rng",
    "generate",
    "isolated_atom",
    "min_distance",
    "nearest_neighbour_distances",
    "nn_from_volume",
    "random_cluster",
    "random_packing",
    "random_strain",
    "rattle",
    "scale_volume",
    "silicon",
    "strain",
    "tagged",
    "vacancy",
]

GROUPS = ("isolated_atom", "dimers", "clusters", "pool")

#: elements with reference-data generators: the module holding each one's pool
#: (``POOL_FAMILIES``, ``CRYSTALLINE``, ``pool()``, ``convergence_structures()``, ``convergence_molecules()``)
ELEMENT_MODULES = {"C": carbon, "Si": silicon}


def element_module(element: str = "C"):
    """The generator module of an element (:data:`ELEMENT_MODULES`)."""
    if element not in ELEMENT_MODULES:
        raise ValueError(f"no structure generators for {element!r}; known: {', '.join(ELEMENT_MODULES)}")
    return ELEMENT_MODULES[element]


def generate(group: str, element: str = "C") -> list[tuple[str, Atoms]]:
    """Structures of a generation group (one of :data:`GROUPS`) of an element, in a fixed order."""
    makers = {
        "isolated_atom": isolated_atom,
        "dimers": dimers,
        "clusters": clusters,
        "pool": lambda element: element_module(element).pool(),
    }
    if group not in makers:
        raise ValueError(f"unknown group {group!r}; known: {list(makers)}")
    return makers[group](element)
