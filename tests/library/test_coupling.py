import itertools

import numpy as np
import pytest
from sympy.physics.quantum.cg import CG

from linace.coupling import clebsch_gordan, complex_to_real, coupling_coefficients
from linace.harmonics import real_sph_harm

from conftest import random_orthogonal


def test_clebsch_gordan_against_sympy():
    for j1, j2 in itertools.product(range(4), repeat=2):
        for J in range(abs(j1 - j2), j1 + j2 + 1):
            for m1, m2 in itertools.product(range(-j1, j1 + 1), range(-j2, j2 + 1)):
                if abs(m1 + m2) > J:
                    continue
                expected = float(CG(j1, m1, j2, m2, J, m1 + m2).doit())
                assert clebsch_gordan(j1, m1, j2, m2, J, m1 + m2) == pytest.approx(expected, abs=1e-13)


def test_clebsch_gordan_large_and_forbidden():
    assert clebsch_gordan(6, 2, 5, -3, 7, -1) == pytest.approx(float(CG(6, 2, 5, -3, 7, -1).doit()), abs=1e-13)
    assert clebsch_gordan(1, 0, 1, 0, 3, 0) == 0.0  # triangle
    assert clebsch_gordan(1, 1, 1, 0, 2, 0) == 0.0  # M != m1 + m2


def test_complex_to_real_is_unitary_and_matches_harmonics():
    from scipy import special

    rng = np.random.default_rng(0)
    v = rng.normal(size=(30, 3))
    theta = np.arccos(v[:, 2] / np.linalg.norm(v, axis=1))
    phi = np.arctan2(v[:, 1], v[:, 0])
    for l in range(5):
        U = complex_to_real(l)
        np.testing.assert_allclose(U @ U.conj().T, np.eye(2 * l + 1), atol=1e-14)
        Y_real = real_sph_harm(v, l)[:, l * l :]
        for m in range(-l, l + 1):
            if hasattr(special, "sph_harm_y"):
                Y_complex = special.sph_harm_y(l, m, theta, phi)
            else:
                Y_complex = special.sph_harm(m, l, phi, theta)
            np.testing.assert_allclose(Y_real @ U[m + l], Y_complex, atol=1e-12)


def coupled_product(C, ls, vectors):
    """sum_mu C[mu] prod_t Y_{l_t mu_t}(v_t) for each coupling in C."""
    values = C
    for l, v in reversed(list(zip(ls, vectors))):
        values = values @ real_sph_harm(v[None], l)[0, l * l :]
    return values


TUPLES = [
    (0,),
    (1, 1),
    (3, 3),
    (1, 1, 2),
    (1, 2, 3),
    (2, 2, 2),
    (3, 3, 4),
    (2, 2, 0),
    (1, 1, 1, 1),
    (1, 1, 2, 2),
    (2, 2, 2, 2),
    (1, 2, 3, 4),
    (3, 3, 3, 3),
    (0, 2, 2, 2),
]


@pytest.mark.parametrize("ls", TUPLES)
@pytest.mark.parametrize("reflect", [False, True])
def test_every_coupling_is_invariant(ls, reflect):
    C = coupling_coefficients(ls)
    assert len(C) > 0
    rng = np.random.default_rng(len(ls) * 10 + sum(ls))
    for trial in range(3):
        vectors = rng.normal(size=(len(ls), 3))
        Q = random_orthogonal(trial, reflect)
        np.testing.assert_allclose(coupled_product(C, ls, vectors @ Q.T), coupled_product(C, ls, vectors), atol=1e-12)


@pytest.mark.parametrize("ls", TUPLES)
def test_couplings_are_orthonormal(ls):
    C = coupling_coefficients(ls).reshape(len(coupling_coefficients(ls)), -1)
    np.testing.assert_allclose(C @ C.T, np.eye(len(C)), atol=1e-12)


def count_so3_invariants(ls):
    """Multiplicity of L = 0 in l_1 x ... x l_nu by repeated angular-momentum addition."""
    multiplicity = {ls[0]: 1}
    for l in ls[1:]:
        new = {}
        for L, k in multiplicity.items():
            for L2 in range(abs(L - l), L + l + 1):
                new[L2] = new.get(L2, 0) + k
        multiplicity = new
    return multiplicity.get(0, 0)


@pytest.mark.parametrize("ls", [ls for ls in itertools.product(range(4), repeat=4) if sum(ls) % 2 == 0][::7])
def test_number_of_couplings_equals_number_of_invariants(ls):
    assert len(coupling_coefficients(ls)) == count_so3_invariants(ls)


def test_odd_parity_and_impossible_couplings_are_empty():
    assert len(coupling_coefficients((1, 1, 1))) == 0  # the triple product is a pseudo-scalar
    assert len(coupling_coefficients((1, 2))) == 0
    assert len(coupling_coefficients((1,))) == 0
    assert len(coupling_coefficients((0, 0, 4))) == 0


@pytest.mark.parametrize(
    "ls, groups, expected",
    [
        ((1, 1, 1, 1), (0, 0, 0, 0), 1),  # (v.v)^2 only
        ((2, 2, 2, 2), (0, 0, 0, 0), 1),  # tr(M^2)^2 = 2 tr(M^4) for traceless symmetric 3x3 M
        ((2, 2, 2), (0, 0, 0), 1),  # tr(M^3)
        ((1, 1, 2), (0, 0, 1), 1),  # v.M.v
        ((1, 1, 1, 1), (0, 0, 1, 1), 2),  # (u.u)(v.v), (u.v)^2
        ((1, 1, 1, 1), (0, 1, 2, 3), 3),
    ],
)
def test_symmetrised_couplings_are_independent_and_symmetric(ls, groups, expected):
    C = coupling_coefficients(ls, groups)
    assert len(C) == expected
    for perm in itertools.permutations(range(len(ls))):
        if all(groups[p] == groups[t] for t, p in enumerate(perm)):
            np.testing.assert_allclose(np.transpose(C, (0,) + tuple(p + 1 for p in perm)), C, atol=1e-12)


def test_group_labels_must_match_degrees():
    with pytest.raises(ValueError, match="same l"):
        coupling_coefficients((1, 2), (0, 0))
    with pytest.raises(ValueError, match="one label per factor"):
        coupling_coefficients((1, 1), (0,))
