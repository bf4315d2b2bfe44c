"""The self-interaction-free (pure) basis: inclusion-exclusion, purity, and its relation to the standard one.

The invariances, finite-difference forces and stress and the linear independence of the pure basis
are tested with the standard one (the ``bases`` fixture of conftest.py runs both variants).
"""

import itertools

import numpy as np
import pytest
from ase import Atoms

from linace.analysis import dimer_curve
from linace.basis import ACEBasis, set_partitions
from linace.fit import ACEModel

from conftest import random_orthogonal


@pytest.fixture(scope="module")
def pair():
    """Standard and pure basis at K = 5 (all correlation orders nu = 1..4)."""
    return ACEBasis(5), ACEBasis(5, pure=True)


def correlation_orders(basis):
    return basis.body_orders - 1


def star(n_neighbours: int, seed: int) -> np.ndarray:
    """Positions (1 + n, 3) of a centre at the origin and n neighbours at 1.2-2.4 A in random directions."""
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(n_neighbours, 3))
    directions /= np.linalg.norm(directions, axis=1)[:, None]
    return np.vstack([np.zeros(3), directions * rng.uniform(1.2, 2.4, size=(n_neighbours, 1))])


def centre_descriptors(basis, positions, neighbours) -> np.ndarray:
    """B of atom 0 when only the listed neighbours (indices into positions) are present."""
    neighbours = list(neighbours)
    return basis.descriptors(Atoms(f"C{1 + len(neighbours)}", positions=positions[[0, *neighbours]]))[0]


def top_order_component(basis_or_function, positions, neighbours) -> np.ndarray:
    """The part of B(centre) that depends on every one of ``neighbours`` (cluster expansion):
    sum over subsets U of (-1)^(|T| - |U|) B(U). Zero for any function of fewer neighbours."""
    evaluate = (
        basis_or_function
        if callable(basis_or_function)
        else (lambda U: centre_descriptors(basis_or_function, positions, U))
    )
    total = 0.0
    for k in range(len(neighbours) + 1):
        for U in itertools.combinations(neighbours, k):
            total = total + (-1) ** (len(neighbours) - k) * evaluate(U)
    return total


# --------------------------------------------------------------------------- set partitions
def test_set_partitions_are_counted_by_bell_numbers():
    assert [len(set_partitions(nu)) for nu in range(1, 6)] == [1, 2, 5, 15, 52]
    for nu in range(1, 6):
        for blocks, _ in set_partitions(nu):
            assert sorted(t for block in blocks for t in block) == list(range(nu))


@pytest.mark.parametrize("nu", [1, 2, 3, 4, 5])
def test_moebius_inclusion_exclusion_gives_the_sum_over_distinct_neighbours(nu):
    rng = np.random.default_rng(nu)
    x = rng.normal(size=(nu, 6))  # x[t, j]: factor t on neighbour j
    distinct = sum(np.prod([x[t, j] for t, j in enumerate(js)]) for js in itertools.permutations(range(6), nu))
    partitioned = sum(
        mu * np.prod([np.sum(np.prod(x[list(block)], axis=0)) for block in blocks]) for blocks, mu in set_partitions(nu)
    )
    assert partitioned == pytest.approx(distinct, rel=1e-12)


# --------------------------------------------------------------------------- purity
def test_pure_basis_is_the_sum_over_distinct_neighbours(pair):
    """Independent reference: the distinct-neighbour sum of a nu-correlation is the sum over all
    nu-subsets T of the neighbours of the top-order cluster component of the *standard* function."""
    standard, pure = pair
    positions = star(5, seed=1)
    nu = correlation_orders(standard)
    reference = np.zeros(len(standard))
    for order in range(1, standard.body_order):
        for T in itertools.combinations(range(1, 6), order):
            reference[nu == order] += top_order_component(standard, positions, T)[nu == order]
    got = centre_descriptors(pure, positions, range(1, 6))
    np.testing.assert_allclose(got, reference, rtol=0, atol=1e-12 * np.abs(reference).max())
    assert np.abs(got - centre_descriptors(standard, positions, range(1, 6))).max() > 1e-3, "pure differs from standard"


@pytest.mark.parametrize("n_atoms", [2, 3, 4])
@pytest.mark.parametrize("seed", [0, 1])
def test_pure_functions_vanish_with_fewer_neighbours_than_factors(pair, n_atoms, seed):
    """Dimers, trimers and tetramers in random orientations: an atom with m neighbours has every
    pure nu-correlation with nu > m equal to zero, while those with nu <= m are not all zero."""
    _, pure = pair
    positions = star(n_atoms - 1, seed=10 * n_atoms + seed) @ random_orthogonal(seed, reflect=bool(seed)).T
    atoms = Atoms(f"C{n_atoms}", positions=positions + 3.0)
    B = pure.descriptors(atoms)
    distances = atoms.get_all_distances()
    nu = correlation_orders(pure)
    scale = np.abs(B).max()
    for i in range(n_atoms):
        m = int(np.sum((distances[i] > 0) & (distances[i] < pure.rcut)))
        assert np.abs(B[i, nu > m]).max(initial=0.0) < 1e-10 * scale, f"atom {i}, {m} neighbours"
        assert np.abs(B[i, nu <= m]).max() > 1e-3 * scale


def test_pure_dimer_curve_is_its_two_body_part(pair):
    _, pure = pair
    rng = np.random.default_rng(3)
    model = ACEModel(pure.parameters(), rng.normal(size=len(pure)) / np.sqrt(len(pure)), e0=-1.0)
    curve = dimer_curve(model, np.linspace(0.9, 5.2, 60))
    np.testing.assert_array_equal(sorted(curve.contributions), [2, 3, 4, 5])
    assert np.abs(curve.contributions[2]).max() > 1e-2
    np.testing.assert_allclose(curve.energy, curve.contributions[2], rtol=0, atol=1e-12)
    for order in (3, 4, 5):
        assert np.abs(curve.contributions[order]).max() < 1e-12


# --------------------------------------------------------------------------- relation to the standard basis
@pytest.mark.parametrize("K", [3, 4, 5])
def test_pure_and_standard_differ_only_by_lower_body_orders(K):
    """For each nu-correlation function, pure - standard depends on at most nu - 1 neighbours at once:
    its top-order cluster component on nu neighbours vanishes, while that of each basis is not zero.
    The two bases span the same functions up to terms of lower body order."""
    standard, pure = ACEBasis(K), ACEBasis(K, pure=True)
    nu = correlation_orders(standard)
    top = nu == K - 1
    positions = star(K - 1, seed=K)
    neighbours = tuple(range(1, K))

    def difference(U):
        return (centre_descriptors(pure, positions, U) - centre_descriptors(standard, positions, U))[top]

    scale = np.abs(centre_descriptors(standard, positions, neighbours)[top]).max()
    assert np.abs(top_order_component(difference, positions, neighbours)).max() < 1e-10 * scale
    assert np.abs(difference(neighbours)).max() > 1e-3 * scale, "the lower-order parts do differ"
    assert np.abs(top_order_component(pure, positions, neighbours)[top]).max() > 1e-3 * scale


def test_same_functions_and_parameters(pair):
    standard, pure = pair
    assert pure.describe() == standard.describe()
    assert pure.parameters() == {**standard.parameters(), "pure": True}
    assert ACEBasis(**pure.parameters()).pure
    assert "pure=True" in repr(pure)


def test_pure_must_be_a_boolean():
    with pytest.raises(TypeError, match="pure must be True or False"):
        ACEBasis(3, pure="yes")
