import numpy as np
import pytest
from ase import Atoms
from ase.calculators.fd import calculate_numerical_stress

from linace.calculator import ACECalculator

from conftest import BODY_ORDERS, assert_fd_converges, fd_errors, random_carbon


def calculator(basis, seed=0, e0=-1.5):
    rng = np.random.default_rng(seed)
    return ACECalculator(basis, rng.normal(size=len(basis)) / np.sqrt(len(basis)), e0=e0)


def energy_at(atoms, calc, positions):
    trial = atoms.copy()
    trial.positions = positions.reshape(-1, 3)
    trial.calc = calc
    return trial.get_potential_energy()


@pytest.mark.parametrize("K", BODY_ORDERS)
@pytest.mark.parametrize("periodic", [False, True])
def test_forces_against_finite_differences(bases, K, periodic):
    atoms = random_carbon(6, periodic, seed=40 + K)
    calc = calculator(bases[K], seed=K)
    atoms.calc = calc
    forces = atoms.get_forces()
    direction = np.random.default_rng(K).normal(size=forces.size)
    errors = fd_errors(
        lambda x: energy_at(atoms, calc, x), lambda x: -forces.ravel(), atoms.positions.ravel(), direction
    )
    assert_fd_converges(errors, np.abs(forces).max() * np.abs(direction).max(), f"forces K={K}")


@pytest.mark.parametrize("K", BODY_ORDERS)
def test_stress_against_finite_differences(bases, K):
    atoms = random_carbon(5, True, seed=50 + K)
    calc = calculator(bases[K], seed=K)
    atoms.calc = calc
    stress = atoms.get_stress(voigt=False)
    volume = atoms.get_volume()
    rng = np.random.default_rng(K)
    strain_direction = rng.normal(size=(3, 3))

    def energy_of_strain(eps):
        trial = atoms.copy()
        trial.set_cell(atoms.cell.array @ (np.eye(3) + eps.reshape(3, 3)), scale_atoms=True)
        trial.calc = calc
        return trial.get_potential_energy()

    errors = fd_errors(energy_of_strain, lambda eps: volume * stress.ravel(), np.zeros(9), strain_direction.ravel())
    assert_fd_converges(errors, volume * np.abs(stress).max() * 3, f"stress K={K}")


@pytest.mark.parametrize("K", BODY_ORDERS)
def test_calculator_agrees_with_design_rows(bases, K):
    atoms = random_carbon(7, True, seed=60 + K)
    calc = calculator(bases[K], seed=K, e0=-3.0)
    atoms.calc = calc
    rows = bases[K].design(atoms)
    c = calc.coefficients
    assert atoms.get_potential_energy() == pytest.approx(-3.0 * 7 + rows.energy @ c, rel=1e-12, abs=1e-10)
    np.testing.assert_allclose(atoms.get_forces(), rows.forces @ c, atol=1e-12 * (1 + np.abs(rows.forces @ c).max()))
    np.testing.assert_allclose(atoms.get_stress(), rows.stress @ c, atol=1e-12 * (1 + np.abs(rows.stress @ c).max()))
    energies = atoms.get_potential_energies()
    assert energies.shape == (7,)
    assert energies.sum() == pytest.approx(atoms.get_potential_energy(), rel=1e-12)
    assert atoms.get_potential_energy(force_consistent=True) == pytest.approx(atoms.get_potential_energy())


def test_stress_sign_convention_matches_ase(bases):
    atoms = random_carbon(4, True, seed=7)
    atoms.calc = calculator(bases[3], seed=3)
    numerical = calculate_numerical_stress(atoms, eps=1e-5, voigt=True)
    np.testing.assert_allclose(atoms.get_stress(), numerical, atol=1e-7)


def test_isolated_atom_energy_is_e0(bases):
    atoms = Atoms("C", positions=[[0, 0, 0]])
    atoms.calc = calculator(bases[4], e0=-7.25)
    assert atoms.get_potential_energy() == pytest.approx(-7.25)
    np.testing.assert_array_equal(atoms.get_forces(), 0.0)


def test_no_stress_without_periodicity(bases):
    from ase.calculators.calculator import PropertyNotImplementedError

    atoms = random_carbon(3, False, 1)
    atoms.calc = calculator(bases[2])
    with pytest.raises(PropertyNotImplementedError, match="periodic"):
        atoms.get_stress()


def test_bad_coefficients(bases):
    with pytest.raises(ValueError, match="functions"):
        ACECalculator(bases[2], np.zeros(3))
    with pytest.raises(ValueError, match="finite"):
        ACECalculator(bases[2], np.full(len(bases[2]), np.nan))


def test_wrong_element_through_the_calculator(bases):
    atoms = Atoms("CO", positions=[[0, 0, 0], [1.2, 0, 0]])
    atoms.calc = calculator(bases[2])
    with pytest.raises(ValueError, match="O"):
        atoms.get_potential_energy()


def test_the_calculator_keeps_its_own_coefficients(bases):
    """Changing the array the calculator was made from (e.g. drawing posterior samples into it)
    does not change the calculator behind its cached results."""
    coefficients = np.random.default_rng(2).normal(size=len(bases[2]))
    calc = ACECalculator(bases[2], coefficients)
    atoms = Atoms("C2", positions=[[0, 0, 0], [1.3, 0, 0]])
    atoms.calc = calc
    energy = atoms.get_potential_energy()
    coefficients *= 2
    atoms.positions[1, 0] += 0.0  # no change of the atoms either: the cached energy stands
    assert atoms.get_potential_energy() == energy
    assert ACECalculator(bases[2], coefficients).get_potential_energy(atoms) == pytest.approx(2 * energy)
    with pytest.raises(ValueError, match="read-only"):
        calc.coefficients[0] = 1.0
