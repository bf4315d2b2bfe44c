"""One element of the user's choice: default scales per element, and silicon through the basis
(invariance, finite differences, purity), the calculator, the dimer curve and a saved model."""

import numpy as np
import pytest
from ase.build import bulk

from linace.analysis import dimer_descriptors
from linace.basis import ACEBasis
from linace.calculator import ACECalculator
from linace.fit import ACEModel
from linace.radial import CARBON_CUTOFF, CARBON_R0, element_scales, nearest_neighbour_distance

from conftest import assert_fd_converges, fd_errors, random_orthogonal, transformed


def test_carbon_keeps_its_scales_and_other_elements_scale_with_their_bond_length():
    assert element_scales("C") == (CARBON_CUTOFF, CARBON_R0) == (5.0, 1.5)
    assert nearest_neighbour_distance("C") == pytest.approx(3.57 * np.sqrt(3) / 4)  # diamond, ASE's a
    assert nearest_neighbour_distance("Si") == pytest.approx(5.43 * np.sqrt(3) / 4)
    assert nearest_neighbour_distance("Cu") == pytest.approx(3.61 / np.sqrt(2))  # fcc
    rcut, r0 = element_scales("Si")
    ratio = nearest_neighbour_distance("Si") / nearest_neighbour_distance("C")
    assert (rcut, r0) == pytest.approx((5.0 * ratio, 1.5 * ratio)) and rcut == pytest.approx(7.605, abs=1e-3)
    carbon = ACEBasis(3)
    assert (carbon.rcut, carbon.radial.r0) == (5.0, 1.5)
    explicit = ACEBasis(3, element="Si", rcut=6.0)  # an explicit value wins, the other stays the default
    assert (explicit.rcut, explicit.radial.r0) == pytest.approx((6.0, r0))


def test_bad_elements_are_named():
    with pytest.raises(ValueError, match="unknown chemical element 'Xx'"):
        ACEBasis(2, element="Xx")
    with pytest.raises(ValueError, match="unknown chemical element 'Qq'"):
        element_scales("Qq")


@pytest.fixture(scope="module")
def silicon():
    basis = ACEBasis(4, element="Si")
    atoms = bulk("Si", "diamond", a=5.43, cubic=True)
    atoms.rattle(0.1, seed=3)
    return basis, atoms


def test_silicon_descriptors_are_rotation_and_reflection_invariant(silicon):
    basis, atoms = silicon
    B = basis.descriptors(atoms)
    for reflect in (False, True):
        moved = transformed(atoms, random_orthogonal(7, reflect), shift=np.array([0.3, -1.2, 2.0]))
        np.testing.assert_allclose(basis.descriptors(moved), B, rtol=1e-9, atol=1e-10 * np.abs(B).max())


def test_silicon_forces_against_finite_differences(silicon):
    basis, atoms = silicon
    rng = np.random.default_rng(1)
    calc = ACECalculator(basis, rng.normal(size=len(basis)) / np.sqrt(len(basis)), e0=-0.8)
    atoms = atoms.copy()
    atoms.calc = calc
    forces = atoms.get_forces()
    direction = rng.normal(size=forces.size)

    def energy(x):
        trial = atoms.copy()
        trial.positions = x.reshape(-1, 3)
        trial.calc = calc
        return trial.get_potential_energy()

    errors = fd_errors(energy, lambda x: -forces.ravel(), atoms.positions.ravel(), direction)
    assert_fd_converges(errors, np.abs(forces).max() * np.abs(direction).max(), "Si forces")


def test_a_pure_silicon_basis_leaves_only_two_body_functions_on_the_dimer():
    pure = ACEBasis(4, element="Si", pure=True)
    B = dimer_descriptors(pure, np.array([2.0, 2.25, 3.0]))
    assert np.abs(B[:, pure.body_orders > 2]).max() < 1e-12
    assert np.abs(B[:, pure.body_orders == 2]).max() > 1e-3


def test_a_carbon_structure_is_refused_by_a_silicon_basis_and_a_silicon_model_round_trips(silicon, tmp_path):
    basis, atoms = silicon
    with pytest.raises(ValueError, match=r"only Si.*contains C"):
        basis.descriptors(bulk("C", "diamond", a=3.567))
    model = ACEModel(basis.parameters(), np.linspace(0, 1, len(basis)), -0.8)
    model.save(tmp_path / "si.npz")
    loaded = ACEModel.load(tmp_path / "si.npz")
    assert loaded.basis.element == "Si" and loaded.basis.rcut == pytest.approx(basis.rcut)
    np.testing.assert_allclose(loaded.basis.descriptors(atoms), basis.descriptors(atoms))
