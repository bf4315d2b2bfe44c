"""linace.study.descriptors: the map of configuration space of chapter 03."""

import numpy as np

from linace.basis import ACEBasis
from linace.study import descriptors

from conftest import random_carbon


def test_mean_descriptors_are_the_mean_over_each_structure_s_atoms():
    basis = ACEBasis(2)
    structures = [random_carbon(n, periodic=True, seed=n) for n in (4, 6)]
    values = descriptors.mean_descriptors(basis, structures)
    assert values.shape == (2, len(basis))
    np.testing.assert_allclose(values[1], basis.descriptors(structures[1]).mean(axis=0))


def test_the_principal_map_standardises_and_projects_on_the_leading_directions():
    rng = np.random.default_rng(0)
    direction = np.array([3.0, 0.0, 0.0, 1.0])  # columns 0 and 3 vary together, 1 and 2 are noise
    line = rng.normal(size=(2000, 1)) * direction + 0.01 * rng.normal(size=(2000, 4)) + [5, 0, 0, -2]
    vectors = {"a": line[:800], "b": line[800:]}
    pca = descriptors.principal_map(vectors)
    assert pca.components.shape == (2, 4)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(2), atol=1e-12)  # orthonormal
    everything = pca.project(line)
    np.testing.assert_allclose(everything.mean(axis=0), 0, atol=1e-12)  # centred
    # standardised, the two correlated columns make the first component (1, 0, 0, 1)/sqrt(2), of variance 2
    np.testing.assert_allclose(np.abs(pca.components[0]), [2**-0.5, 0, 0, 2**-0.5], atol=0.05)
    assert abs(everything[:, 0].var() - 2) < 0.01
    np.testing.assert_allclose(pca.project(vectors["b"]), everything[800:])  # the same map for every set
    split_otherwise = descriptors.principal_map({"all": line})
    np.testing.assert_allclose(np.abs(split_otherwise.project(line)), np.abs(everything), atol=1e-10)


def test_a_constant_function_does_not_break_the_map():
    vectors = {"x": np.column_stack([np.arange(5.0), np.ones(5)])}
    projected = descriptors.principal_map(vectors, n_components=1).project(vectors["x"])
    assert projected.shape == (5, 1) and np.all(np.isfinite(projected))
