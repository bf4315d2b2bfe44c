"""linace.study.self_interaction: every body order on the dimer (chapter 01), the pure basis's vanishing
correlations, its enlarged one-particle basis and the span of the two bases (chapter 06)."""

import numpy as np
import pytest

from linace.basis import ACEBasis
from linace.study import self_interaction

from conftest import random_carbon


def test_a_random_dimer_has_its_distance_and_a_direction_drawn_from_the_generator():
    a = self_interaction.random_dimer(1.7, np.random.default_rng(3))
    b = self_interaction.random_dimer(1.7, np.random.default_rng(3), element="Si")
    assert a.get_distance(0, 1) == pytest.approx(1.7) and np.allclose(a.positions[0], 0)
    np.testing.assert_allclose(a.positions, b.positions)  # same draw, same axis
    assert b.get_chemical_formula() == "Si2"
    assert not np.allclose(self_interaction.random_dimer(1.7, np.random.default_rng(4)).positions, a.positions)


@pytest.fixture(scope="module")
def basis():
    return ACEBasis(3)


def test_on_the_dimer_every_function_is_kappa_times_its_radial_product(basis):
    distances = np.linspace(0.9, 4.9, 12)
    dimer = self_interaction.dimer_values(basis, distances, np.random.default_rng(0))
    assert dimer.values.shape == dimer.radial_products.shape == (12, len(basis)) and dimer.kappa.shape == (len(basis),)
    assert dimer.mismatch < 1e-12  # the whole point: one constant per function, whatever r and the orientation
    reference = np.argmin(np.abs(distances - 1.3))
    np.testing.assert_allclose(dimer.kappa * dimer.radial_products[reference], dimer.values[reference])
    for order in (2, 3):  # every body order reaches the dimer
        assert np.abs(dimer.kappa[basis.body_orders == order]).max() > 1e-3
    spoiled = self_interaction.DimerValues(
        dimer.distances, dimer.values * (1 + 0.1 * dimer.distances[:, None]), dimer.radial_products, dimer.kappa
    )
    assert spoiled.mismatch > 1e-2  # a value that is not kappa x the product shows


def test_the_kappa_table_counts_the_functions_that_reach_the_dimer(basis):
    kappa = np.ones(len(basis))
    kappa[np.flatnonzero(basis.body_orders == 3)[:5]] = 0.0
    lines = self_interaction.kappa_markdown(basis, 0.5 * kappa).splitlines()
    n2, n3 = (int(np.sum(basis.body_orders == k)) for k in (2, 3))
    assert lines[2:] == [f"| 2 | {n2} | {n2} | 0.500 |", f"| 3 | {n3} | {n3 - 5} | 0.500 |"]


def test_pure_correlations_vanish_beyond_the_number_of_neighbours():
    rows = self_interaction.molecule_correlations(3, sizes=(2, 3))
    by_key = {(row["molecule"], row["nu"]): row for row in rows}
    assert [(row["molecule"], row["neighbours"], row["nu"]) for row in rows] == [
        ("C2", 1, 1),
        ("C2", 1, 2),
        ("C3", 2, 1),
        ("C3", 2, 2),
    ]
    assert by_key["C2", 2]["pure"] < 1e-12 < by_key["C2", 2]["standard"]  # one neighbour: no pure 3-body term
    assert by_key["C3", 2]["pure"] > 1e-3  # two neighbours: there is one
    assert by_key["C2", 1]["pure"] == pytest.approx(by_key["C2", 1]["standard"])  # the two-body functions agree
    assert self_interaction.molecule_correlations(3, sizes=(2, 3)) == rows  # seeded
    table = self_interaction.correlations_markdown(rows).splitlines()
    assert len(table) == 6 and table[3].startswith("| C2 | 1 | 2 | ")


def test_the_pure_basis_needs_an_enlarged_one_particle_basis():
    sizes = self_interaction.one_particle_sizes([3, 4])
    assert list(sizes) == [3, 4]
    assert sizes[3][0] == sizes[4][0] == len(ACEBasis(3).features)  # the standard one-particle basis
    assert sizes[3][0] < sizes[3][1] < sizes[4][1]


def test_pure_functions_lie_in_the_span_of_the_standard_ones():
    environments = [random_carbon(8, periodic=True, seed=seed) for seed in range(3)]
    rows = self_interaction.span_rows(environments, [3])
    assert [(row["K"], row["nu"], row["functions"]) for row in rows] == [
        (3, 1, int(np.sum(ACEBasis(3).body_orders == 2))),
        (3, 2, int(np.sum(ACEBasis(3).body_orders == 3))),
    ]
    two_body = rows[0]
    assert max(two_body["pure_outside_max"], two_body["standard_outside_max"]) < 1e-10  # the same functions
    for row in rows:
        assert 0 <= row["pure_outside_median"] <= row["pure_outside_max"] <= 1
    table = self_interaction.span_markdown(rows).splitlines()
    assert table[0].startswith("| K | ν | functions |") and table[2].startswith("| 3 | 1 | ")
