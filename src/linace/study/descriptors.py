"""How much of configuration space a set of structures covers: a map of their mean ACE descriptors
(chapter 03).

Each structure is represented by the mean over its atoms of the descriptors B(i)
(:func:`mean_descriptors`); the vectors of several sets together are standardised and projected on their
leading principal components (:func:`principal_map`), so that every set can be drawn on the same map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from linace.basis import ACEBasis

__all__ = ["PrincipalMap", "mean_descriptors", "principal_map"]


def mean_descriptors(basis: ACEBasis, structures: Sequence[Atoms]) -> np.ndarray:
    """The mean descriptor vector of each structure, (n_structures, n_functions)."""
    return np.array([basis.descriptors(atoms).mean(axis=0) for atoms in structures])


@dataclass(frozen=True)
class PrincipalMap:
    """A projection on principal components: ``mean`` and ``scale`` (n_functions,) standardise a
    vector, ``components`` (n_components, n_functions) are the leading right singular vectors of the
    standardised vectors it was made from."""

    mean: np.ndarray
    scale: np.ndarray
    components: np.ndarray

    def project(self, values: np.ndarray) -> np.ndarray:
        """Vectors (n, n_functions) on the map, (n, n_components) (dimensionless)."""
        return ((values - self.mean) / self.scale) @ self.components.T


def principal_map(vectors: Mapping[str, np.ndarray], n_components: int = 2) -> PrincipalMap:
    """The principal-component map of the vectors of every set together ({name: (n, n_functions)}):
    each function standardised over all vectors (a constant one is left unscaled: 1e-12 is added to
    its standard deviation), then the ``n_components`` leading components."""
    stacked = np.vstack(list(vectors.values()))
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0) + 1e-12
    _, _, components = np.linalg.svd((stacked - mean) / scale, full_matrices=False)
    return PrincipalMap(mean, scale, components[:n_components])
