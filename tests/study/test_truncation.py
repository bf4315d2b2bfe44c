"""linace.study.truncation: basis sizes per body order and the spectrum of a weighted design matrix
(chapters 01, 02)."""

import numpy as np
import pytest
from ase.calculators.singlepoint import SinglePointCalculator

from linace.basis import DEFAULT_TRUNCATION, ACEBasis
from linace.fit import Weights, linear_system
from linace.study import truncation

from conftest import random_carbon


def test_functions_per_order_count_the_basis_by_body_order():
    basis = ACEBasis(3)
    counts = truncation.functions_per_order(basis, [2, 3, 4])
    assert counts[2] == 0 and sum(counts) == len(basis) and counts[0] == DEFAULT_TRUNCATION[1][0]  # n = 1..D_1, l = 0


def test_the_size_table_has_a_row_per_k_and_a_dash_where_an_order_is_absent():
    table = truncation.sizes_markdown([2, 3])
    lines = table.splitlines()
    assert lines[0] == "| K | functions | body order 2 | body order 3 |" and lines[1] == "|---|---|---|---|"
    twelve, both = len(ACEBasis(2)), len(ACEBasis(3))
    assert lines[2] == f"| 2 | {twelve} | {twelve} | – |"
    assert lines[3] == f"| 3 | {both} | {twelve} | {both - twelve} |"


def test_the_truncation_table_gives_degree_lmax_and_size_of_each_order():
    table = truncation.truncation_markdown({1: (12, 0), 2: (12, 4)}).splitlines()
    assert len(table) == 4 and table[2] == "| 1 | 2 | 12 | 0 | 12 |"
    assert table[3] == f"| 2 | 3 | 12 | 4 | {len(ACEBasis(3)) - 12} |"


def test_order_sizes_grow_with_the_degree_and_meet_the_default_basis_at_the_default_degree():
    degree, l_max = DEFAULT_TRUNCATION[2]
    sizes = truncation.order_sizes(2, range(degree - 3, degree + 1), l_max)
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    assert sizes[-1] == truncation.functions_per_order(ACEBasis(3), [3])[0]


def test_a_spectrum_s_rank_and_condition_number():
    spectrum = truncation.DesignSpectrum(np.array([4.0, 2.0, 1e-12]), n_rows=9, n_functions=3)
    np.testing.assert_allclose(spectrum.relative, [1.0, 0.5, 2.5e-13])
    assert spectrum.condition_number == pytest.approx(4e12)
    assert spectrum.rank() == 2 and spectrum.rank(rtol=1e-14) == 3


@pytest.fixture(scope="module")
def structures():
    """Four random periodic cells and a cluster, labelled with arbitrary energies, forces and stresses."""
    rng = np.random.default_rng(0)
    out = [random_carbon(6, periodic=True, seed=seed) for seed in range(4)] + [random_carbon(4, False, 9)]
    for atoms in out:
        stress = rng.normal(size=6) if atoms.pbc.all() else None
        atoms.calc = SinglePointCalculator(
            atoms, energy=-7.0 * len(atoms) + rng.normal(), forces=rng.normal(size=(len(atoms), 3)), stress=stress
        )
    return out


def test_the_design_spectrum_is_that_of_the_weighted_column_scaled_matrix(structures):
    basis, weights = ACEBasis(2), Weights(energy=30.0, forces=1.0, virial=0.1)
    spectrum = truncation.design_spectrum(basis, structures, -1.0, weights)
    system = linear_system(basis, structures, -1.0)
    A = system.X * system.row_weights(weights)[:, None]
    expected = np.linalg.svd(A / np.linalg.norm(A, axis=0), compute_uv=False)
    np.testing.assert_allclose(spectrum.singular_values, expected, rtol=1e-12)
    assert (spectrum.n_rows, spectrum.n_functions) == (len(system.y), len(basis))
    # columns are scaled to unit norm: a common factor on every weight leaves the spectrum as it is
    scaled = truncation.design_spectrum(basis, structures, -1.0, Weights(energy=300.0, forces=10.0, virial=1.0))
    np.testing.assert_allclose(scaled.singular_values, spectrum.singular_values, rtol=1e-10)
    # but another ratio of energies to forces does not
    other = truncation.design_spectrum(basis, structures, -1.0, Weights(energy=1.0, forces=1.0, virial=0.1))
    assert not np.allclose(other.singular_values, spectrum.singular_values)


def test_the_conditioning_table_has_a_row_per_k():
    spectra = {
        2: truncation.DesignSpectrum(np.array([2.0, 1.0]), 40, 2),
        3: truncation.DesignSpectrum(np.array([1.0, 1e-3, 1e-11]), 40, 3),
    }
    lines = truncation.conditioning_markdown(spectra).splitlines()
    assert lines[0] == "| K | functions | rows | rank (σ > 1e-10 σ_max) | condition number |"
    assert lines[2:] == ["| 2 | 2 | 40 | 2 | 2.00e+00 |", "| 3 | 3 | 40 | 2 | 1.00e+11 |"]
