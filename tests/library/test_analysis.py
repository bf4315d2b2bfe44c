import numpy as np
import pytest
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

from linace.analysis import (
    DIMER_GRID,
    DimerCurve,
    curve_distance,
    curve_minimum,
    dimer_curve,
    dimer_descriptors,
    error_table,
    predict,
)
from linace.basis import ACEBasis
from linace.fit import ACEModel, DesignCache, FitError

from conftest import BODY_ORDERS, random_carbon


def random_model(K, seed=0, covariance=False):
    basis = ACEBasis(K)
    rng = np.random.default_rng(seed)
    c = rng.normal(size=len(basis)) / len(basis)
    cov = None
    if covariance:
        M = rng.normal(size=(len(basis), len(basis))) / len(basis)
        cov = M @ M.T
    return ACEModel(basis.parameters(), c, e0=-7.0, covariance=cov)


@pytest.mark.parametrize("K", BODY_ORDERS)
def test_dimer_curve_equals_calculator_and_decomposes(K):
    model = random_model(K, seed=K)
    r = np.array([0.95, 1.3, 2.0, 3.1, 4.4, 4.99])
    curve = dimer_curve(model, r)
    calc = model.calculator()
    for k, distance in enumerate(r):
        atoms = Atoms("C2", positions=[[0, 0, 0], [0.3 * distance, -0.4 * distance, np.sqrt(0.75) * distance]])
        atoms.calc = calc
        assert curve.energy[k] == pytest.approx(atoms.get_potential_energy() - 2 * model.e0, rel=1e-10, abs=1e-12)
    assert sorted(curve.contributions) == list(range(2, K + 1))
    np.testing.assert_allclose(sum(curve.contributions.values()), curve.energy, rtol=1e-12, atol=1e-14)


def test_dimer_curve_vanishes_beyond_cutoff():
    curve = dimer_curve(random_model(3), np.array([5.0, 5.5, 7.0]))
    np.testing.assert_array_equal(curve.energy, 0.0)


def test_dimer_descriptors_do_not_see_each_other():
    basis = ACEBasis(3)
    r = np.array([1.2, 1.5])
    packed = dimer_descriptors(basis, r)
    single = basis.descriptors(Atoms("C2", positions=[[0, 0, 0], [1.5, 0, 0]]))[0]
    np.testing.assert_allclose(packed[1], single, rtol=1e-13)
    with pytest.raises(ValueError, match="positive"):
        dimer_descriptors(basis, np.array([1.0, -1.0]))


def test_posterior_band_and_round_trip():
    model = random_model(3, covariance=True)
    curve = dimer_curve(model, DIMER_GRID)
    assert curve.std.shape == DIMER_GRID.shape and np.all(curve.std >= 0)
    # a direct Monte Carlo estimate of the band at one distance
    rng = np.random.default_rng(0)
    samples = rng.multivariate_normal(model.coefficients, model.covariance, size=4000)
    B = 2 * dimer_descriptors(model.basis, DIMER_GRID[[10]])
    assert np.std(samples @ B[0]) == pytest.approx(curve.std[10], rel=0.05)
    again = DimerCurve.from_dict(curve.as_dict())
    np.testing.assert_array_equal(again.energy, curve.energy)
    np.testing.assert_array_equal(again.contribution_std[3], curve.contribution_std[3])


def test_curve_measures():
    r = np.linspace(0.9, 5.0, 300)
    morse = (1 - np.exp(-2 * (r - 1.3))) ** 2 - 1
    assert curve_distance(r, morse, r, morse) == pytest.approx(0, abs=1e-12)
    assert curve_distance(r, morse, r, morse + 0.25) == pytest.approx(0.25, rel=1e-9)
    position, value = curve_minimum(r, morse)
    assert position == pytest.approx(1.3, abs=2e-3) and value == pytest.approx(-1, abs=1e-4)
    with pytest.raises(ValueError, match="cover"):
        curve_distance(r[r > 1.2], morse[r > 1.2], r, morse)


def test_predictions_and_errors(tmp_path):
    model = random_model(2)
    structures = []
    for seed in range(4):
        atoms = random_carbon(4, True, seed)
        atoms.calc = model.calculator()
        e, f = atoms.get_potential_energy(), atoms.get_forces()
        atoms.calc = SinglePointCalculator(atoms, energy=e + 0.004 * len(atoms), forces=f + 0.1)
        atoms.info["config_type"] = "a" if seed < 2 else "b"
        structures.append(atoms)
    table = error_table(predict(model, structures))
    assert table["all"]["energy_rmse_meV_per_atom"] == pytest.approx(4.0)
    cached = predict(model, structures, DesignCache(tmp_path))  # from design rows, stored then reused
    assert len(list(tmp_path.glob("design-*.npz"))) == 1
    again = predict(model, structures, DesignCache(tmp_path))
    direct = predict(model, structures)
    for name in ("energy_pred", "forces_pred", "energy_ref", "forces_ref"):
        np.testing.assert_allclose(getattr(cached, name), getattr(direct, name), rtol=1e-10, atol=1e-10)
        np.testing.assert_array_equal(getattr(again, name), getattr(cached, name))
    np.testing.assert_array_equal(cached.atom_config_types, direct.atom_config_types)
    assert table["all"]["force_mae_eV_per_A"] == pytest.approx(0.1)
    assert table["a"]["n_structures"] == 2 and set(table) == {"all", "a", "b"}
    unlabelled = structures[2].copy()  # no calculator: the error names it, no KeyError
    with pytest.raises(FitError, match=r"structure 1 \(C4, config_type 'b'\) has no energy label"):
        predict(model, [structures[0], unlabelled])
    with pytest.raises(ValueError, match="no structures"):
        predict(model, [])


def test_band_coverage():
    from linace.analysis import DimerCurve, band_coverage

    r = np.linspace(0.9, 5.0, 200)
    reference = np.exp(-r)
    shifted = DimerCurve(r, reference + 0.1, {2: reference + 0.1}, std=np.full_like(r, 0.1), contribution_std={2: r})
    assert band_coverage(shifted, r, reference) == 1.0  # 0.1 eV off, band ±0.2 eV
    assert band_coverage(shifted, r, reference, n_sigma=0.5) == 0.0
    half = DimerCurve(r, reference + 0.1, {2: reference}, std=np.where(r < 2.75, 0.1, 0.01), contribution_std={2: r})
    assert band_coverage(half, r, reference) == pytest.approx(0.5, abs=0.02)  # 1.0-2.75 of 1.0-4.5 A
    with pytest.raises(ValueError, match="no posterior"):
        band_coverage(DimerCurve(r, reference, {2: reference}), r, reference)


def test_cancellation_ratio():
    from linace.analysis import cancellation_ratio

    r = np.linspace(0.9, 5.0, 400)
    total = -np.exp(-((r - 1.5) ** 2))
    same_sign = DimerCurve(r, total, {2: 0.7 * total, 3: 0.3 * total})
    assert cancellation_ratio(same_sign) == pytest.approx(1.0)  # no cancellation
    cancelling = DimerCurve(r, total, {2: 2.0 * total, 3: -1.0 * total})  # |2| + |-1| = 3 x |total|
    assert cancellation_ratio(cancelling) == pytest.approx(3.0)
    assert cancellation_ratio(cancelling, r_range=(1.0, 2.0)) == pytest.approx(3.0)


def test_span_residual():
    from linace.analysis import span_residual

    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    inside = X @ rng.normal(size=(4, 3))
    orthogonal = rng.normal(size=(50, 1))
    orthogonal -= X @ np.linalg.lstsq(X, orthogonal, rcond=None)[0]
    mixed = inside[:, :1] + orthogonal  # half-way in norm terms only if the parts are equal in length
    residual = span_residual(X, np.hstack([inside, orthogonal, mixed]))
    assert residual[:3].max() < 1e-12
    assert residual[3] == pytest.approx(1.0, abs=1e-12)
    expected = np.linalg.norm(orthogonal) / np.linalg.norm(mixed)
    assert residual[4] == pytest.approx(expected, rel=1e-10)
    with pytest.raises(ValueError, match="same number of rows"):
        span_residual(X, X[:10])
