import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.neighborlist import neighbor_list

from linace.basis import DEFAULT_TRUNCATION, ACEBasis, neighbour_pairs

from conftest import BODY_ORDERS, random_carbon, random_orthogonal, transformed

STRUCTURES = [(5, False, 11), (8, True, 12), (3, True, 13)]  # (atoms, periodic, seed)


def relative_error(a, b):
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-300)


# --------------------------------------------------------------------------- size and description
def test_sizes_per_body_order(bases):
    sizes = {K: len(b) for K, b in bases.items()}
    assert sizes[2] == DEFAULT_TRUNCATION[1][0]  # nu = 1: one function per radial n
    assert sizes == {2: 12, 3: 102, 4: 439, 5: 1243}  # the sizes documented in linace.basis (both variants)
    for K, basis in bases.items():
        assert basis.body_orders.shape == (len(basis),)
        assert set(basis.body_orders) == set(range(2, K + 1))
        # a basis truncated at K is the one at K - 1 plus the new order
        if K > 2:
            assert basis.describe()[: sizes[K - 1]] == bases[K - 1].describe()


def test_descriptions_follow_the_truncation(bases):
    basis = bases[5]
    lines = basis.describe()
    assert len(set(lines)) == len(lines), "every function is described uniquely"
    assert lines[0] == "B2: A[n=1,l=0]"
    for f in basis.functions:
        max_degree, l_max = basis.truncation[f.correlation_order]
        assert sum(n + basis.l_weight * l for n, l in f.nl) <= max_degree
        assert max(l for _, l in f.nl) <= l_max
        assert sum(l for _, l in f.nl) % 2 == 0
        assert list(f.nl) == sorted(f.nl)


def test_parameters_rebuild_the_same_basis():
    basis = ACEBasis(3, rcut=4.5, truncation={2: (8, 2)})
    clone = ACEBasis(**basis.parameters())
    assert clone.describe() == basis.describe() and clone.rcut == 4.5


# --------------------------------------------------------------------------- invariances
@pytest.mark.parametrize("K", BODY_ORDERS)
@pytest.mark.parametrize("n, periodic, seed", STRUCTURES)
@pytest.mark.parametrize("reflect", [False, True])
def test_rotation_and_reflection_invariance(bases, K, n, periodic, seed, reflect):
    atoms = random_carbon(n, periodic, seed)
    B = bases[K].descriptors(atoms)
    B_rotated = bases[K].descriptors(transformed(atoms, random_orthogonal(seed, reflect)))
    assert relative_error(B_rotated, B) < 1e-10


@pytest.mark.parametrize("K", BODY_ORDERS)
@pytest.mark.parametrize("n, periodic, seed", STRUCTURES)
def test_permutation_and_translation_invariance(bases, K, n, periodic, seed):
    atoms = random_carbon(n, periodic, seed)
    B = bases[K].descriptors(atoms)
    perm = np.random.default_rng(seed).permutation(n)
    assert relative_error(bases[K].descriptors(atoms[perm]), B[perm]) < 1e-10
    shifted = transformed(atoms, np.eye(3), shift=np.array([0.37, -1.9, 12.4]))
    assert relative_error(bases[K].descriptors(shifted), B) < 1e-10


def test_small_cell_sees_its_own_images(bases):
    """A 2-atom diamond cell (every atom sees ~90 images of itself and its partner) gives the same
    environments as the 2x2x2 supercell, and a 1-atom simple cubic cell as its 3x3x3 repetition."""
    for K in BODY_ORDERS:
        basis = bases[K]
        for cell in (bulk("C", "diamond", a=3.567), bulk("C", "sc", a=1.7)):
            cell.rattle(0.05, seed=1)
            big = cell.repeat((2, 2, 2))
            B_small = basis.descriptors(cell)
            B_big = basis.descriptors(big)
            assert relative_error(B_big, np.tile(B_small, (8, 1))) < 1e-10
            rows_small, rows_big = basis.design(cell), basis.design(big)
            assert relative_error(rows_big.energy, 8 * rows_small.energy) < 1e-10
            assert relative_error(rows_big.stress, rows_small.stress) < 1e-9


def test_neighbour_pairs_agree_with_ase(bases):
    """The fast neighbour list (vesin) against ASE's own, on a skewed cell smaller than the cut-off."""
    atoms = random_carbon(3, True, 5)
    i, j, r, _ = neighbour_pairs(atoms, bases[2].rcut)
    ia, ja, ra = neighbor_list("ijd", atoms, bases[2].rcut)
    assert len(i) == len(ia)
    np.testing.assert_allclose(np.sort(r), np.sort(ra), atol=1e-12)
    np.testing.assert_array_equal(np.bincount(i, minlength=3), np.bincount(ia, minlength=3))


# --------------------------------------------------------------------------- linear independence
def random_environments(n_envs: int, seed: int) -> Atoms:
    """Isolated clusters (a centre at the origin plus 2..10 neighbours within 0.9..4.6 A), placed far
    apart in one Atoms object; returns the atoms and the indices of the centres."""
    rng = np.random.default_rng(seed)
    positions, centres = [], []
    for e in range(n_envs):
        origin = np.array([20.0 * e, 0.0, 0.0])
        m = rng.integers(2, 11)
        directions = rng.normal(size=(m, 3))
        directions /= np.linalg.norm(directions, axis=1)[:, None]
        neighbours = directions * rng.uniform(0.9, 4.6, size=(m, 1))
        centres.append(len(positions))
        positions.extend([origin, *(origin + neighbours)])
    return Atoms(f"C{len(positions)}", positions=positions), np.array(centres)


@pytest.mark.parametrize("K", BODY_ORDERS)
def test_basis_is_linearly_independent(bases, K):
    basis = bases[K]
    atoms, centres = random_environments(int(1.5 * len(basis)) + 50, seed=K)
    B = basis.descriptors(atoms, centres)
    B /= np.linalg.norm(B, axis=0)
    s = np.linalg.svd(B, compute_uv=False)
    assert s.min() / s.max() > 1e-8, f"numerically rank deficient: sigma_min/sigma_max = {s.min() / s.max():.1e}"


# --------------------------------------------------------------------------- the dimer
@pytest.mark.parametrize("K", BODY_ORDERS)
def test_dimer_functions_are_radial_products_times_a_constant(bases, K):
    """On an isolated C2: B(i) = prod_t R_{n_t}(r) * kappa_B, kappa_B independent of r and orientation."""
    basis = bases[K]
    rng = np.random.default_rng(K)

    def dimer(r):
        u = rng.normal(size=3)
        B = basis.descriptors(Atoms("C2", positions=[[0, 0, 0], r * u / np.linalg.norm(u)]))
        np.testing.assert_allclose(B[0], B[1], rtol=1e-12, atol=1e-14)  # both atoms see the same
        R, _ = basis.radial(np.array([r]))
        products = np.array([np.prod([R[0, n - 1] for n, _ in f.nl]) for f in basis.functions])
        return B[0], products

    B, products = dimer(1.3)
    assert np.abs(products).min() > 1e-6, "choose r away from the zeros of R_n"
    kappa = B / products
    for r in (0.9, 1.7, 2.3, 3.4, 4.6):
        B, products = dimer(r)
        np.testing.assert_allclose(B, kappa * products, rtol=1e-9, atol=1e-12 * np.abs(B).max())
    for order in range(2, K + 1):
        kappa_order = np.abs(kappa[basis.body_orders == order]).max()
        if basis.pure and order > 2:  # one neighbour: every pure correlation with nu >= 2 vanishes
            assert kappa_order < 1e-10, f"pure body order {order} term on the dimer: {kappa_order:.1e}"
        else:
            assert kappa_order > 1e-3, f"no body order {order} term on the dimer"


# --------------------------------------------------------------------------- design rows
def test_descriptors_of_chosen_centres(bases):
    atoms = random_carbon(8, True, 5)
    np.testing.assert_array_equal(bases[4].descriptors(atoms, [6, 1, 1]), bases[4].descriptors(atoms)[[6, 1, 1]])
    assert bases[4].descriptors(atoms, []).shape == (0, len(bases[4]))
    with pytest.raises(IndexError, match="out of range"):
        bases[4].descriptors(atoms, [8])
    np.testing.assert_array_equal(bases[4].descriptors(atoms, [-1, -8]), bases[4].descriptors(atoms)[[7, 0]])


def test_design_rows_shapes(bases):
    basis = bases[3]
    periodic = random_carbon(6, True, 3)
    rows = basis.design(periodic)
    assert rows.energy.shape == (len(basis),)
    assert rows.forces.shape == (6, 3, len(basis))
    assert rows.stress.shape == (6, len(basis))
    np.testing.assert_allclose(rows.energy, basis.descriptors(periodic).sum(0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rows.forces.sum(0), 0.0, atol=1e-10)  # momentum conservation
    molecule = random_carbon(4, False, 3)
    assert basis.design(molecule).stress is None


def test_chunked_design_equals_unchunked(bases, monkeypatch):
    import linace.basis

    atoms = random_carbon(8, True, 21)
    reference = bases[4].design(atoms)
    monkeypatch.setattr(linace.basis, "CHUNK_BYTES", 1)  # one atom per chunk
    monkeypatch.setattr(linace.basis, "DESIGN_CHUNK_BYTES", 1)
    chunked = bases[4].design(atoms)
    for name in ("energy", "forces", "stress"):
        np.testing.assert_allclose(getattr(chunked, name), getattr(reference, name), rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- bad input
def test_bad_body_order():
    for K in (1, 6, 2.5, "3", True):
        with pytest.raises((ValueError, TypeError), match="body_order"):
            ACEBasis(K)


def test_bad_truncation():
    with pytest.raises(ValueError, match="nu = 3"):
        ACEBasis(3, truncation={3: (6, 2)})
    with pytest.raises(ValueError, match="max_degree"):
        ACEBasis(3, truncation={2: (0, 2)})
    with pytest.raises(ValueError, match=r"nu = 2 must be a pair \(max_degree, l_max\), got 12"):
        ACEBasis(3, truncation={2: 12})
    for limits in ((np.nan, 2), (6, 2.7), (6, -1)):
        with pytest.raises(ValueError, match=r"finite max_degree >= 1 and an integer l_max >= 0"):
            ACEBasis(3, truncation={2: limits})
    with pytest.raises(ValueError, match="l_weight must be finite"):
        ACEBasis(3, l_weight=np.nan)


def test_wrong_element_is_named(bases):
    atoms = random_carbon(4, False, 1)
    atoms.symbols[2] = "Si"
    with pytest.raises(ValueError, match=r"only C.*Si.*\[2\]"):
        bases[2].descriptors(atoms)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_positions(bases, bad):
    atoms = random_carbon(4, True, 1)
    atoms.positions[1, 2] = bad
    with pytest.raises(ValueError, match=r"non-finite.*\[1\]"):
        bases[2].design(atoms)


def test_atoms_on_top_of_each_other(bases):
    atoms = Atoms("C3", positions=[[0, 0, 0], [1.4, 0, 0], [1.4, 0, 0]])
    with pytest.raises(ValueError, match="atoms 1 and 2 .* same position"):
        bases[3].descriptors(atoms)
    crowded = random_carbon(8, True, 5)  # design() reorders the atoms: the message names the given ones
    crowded.positions[5] = crowded.positions[0] + 1e-5
    for evaluate in (bases[3].descriptors, bases[3].design):
        with pytest.raises(ValueError, match="atoms 0 and 5 .* same position"):
            evaluate(crowded)


def test_degenerate_cell(bases):
    atoms = Atoms("C2", positions=[[0, 0, 0], [1, 1, 1]], cell=[[2, 0, 0], [0, 2, 0], [1, 1, 0]], pbc=True)
    with pytest.raises(ValueError, match="degenerate"):
        bases[2].design(atoms)


def test_empty_structure_gives_empty_rows(bases):
    basis = bases[4]
    for pbc in (False, True):
        empty = Atoms(cell=np.eye(3) * 5, pbc=pbc)
        assert basis.descriptors(empty).shape == (0, len(basis))
        rows = basis.design(empty)
        assert rows.forces.shape == (0, 3, len(basis))
        assert np.all(rows.energy == 0)
        assert (rows.stress is not None) == pbc


def test_isolated_atom_has_zero_descriptors(bases):
    B = bases[5].descriptors(Atoms("C", positions=[[0, 0, 0]]))
    assert np.all(B == 0)


@pytest.mark.parametrize(
    "nu, max_degree, l_max, l_weight",
    [
        (1, 12, 0, 1.0),
        (2, 12, 4, 1.0),
        (3, 13, 3, 1.0),
        (4, 14, 3, 1.0),
        (3, 9, 2, 1.5),
        (4, 8, 3, 0.0),
        (2, 6.5, 3, 0.5),
    ],
)
def test_sorted_tuples_match_the_filtered_combinations(nu, max_degree, l_max, l_weight):
    """The pruned walk lists exactly the tuples, in the same order, of the brute-force definition:
    every non-decreasing tuple of single (n, l) inside the degree limit, with even sum of l."""
    import itertools

    from linace.spec import _sorted_tuples

    singles = sorted((n, l) for l in range(l_max + 1) for n in range(1, 40) if n + l_weight * l <= max_degree)
    expected = [
        combo
        for combo in itertools.combinations_with_replacement(singles, nu)
        if sum(n + l_weight * l for n, l in combo) <= max_degree + 1e-12
        and sum(l for _, l in combo) % 2 == 0
        and not (nu == 1 and combo[0][1] != 0)
    ]
    assert list(_sorted_tuples(nu, max_degree, l_max, l_weight)) == expected
    assert expected  # the cases are not empty
