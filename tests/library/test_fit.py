import numpy as np
import pytest
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

from linace.basis import ACEBasis
from linace.calculator import ACECalculator
from linace.fit import (
    ACEModel,
    DesignCache,
    FitError,
    Weights,
    bayesian_regression,
    design_arrays,
    evidence_maximisation,
    fit,
    linear_system,
    scaled_spectrum,
    select_structures,
    smoothness_prior,
)

from conftest import random_carbon

E0 = -1.25


@pytest.fixture(scope="module")
def basis():
    return ACEBasis(3, truncation={1: (6, 0), 2: (6, 2)})


def labelled(structures, calc, noise=0.0, seed=0):
    """Copies of ``structures`` labelled by ``calc`` (+ Gaussian noise) as single-point results."""
    rng = np.random.default_rng(seed)
    out = []
    for atoms in structures:
        atoms = atoms.copy()
        atoms.calc = calc
        energy = atoms.get_potential_energy() + noise * rng.normal() * len(atoms)
        forces = atoms.get_forces() + noise * rng.normal(size=(len(atoms), 3))
        stress = atoms.get_stress() if atoms.pbc.all() else None
        atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=forces, stress=stress)
        atoms.info["config_type"] = "bulk" if atoms.pbc.all() else "cluster"
        out.append(atoms)
    return out


@pytest.fixture(scope="module")
def truth(basis):
    rng = np.random.default_rng(1)
    coefficients = rng.normal(size=len(basis)) / np.arange(1, len(basis) + 1)
    structures = [
        random_carbon(n, periodic, seed)
        for seed, (n, periodic) in enumerate([(4, True), (6, True), (5, False), (3, True), (7, False)] * 4)
    ]
    return coefficients, labelled(structures, ACECalculator(basis, coefficients, E0))


def test_fit_recovers_known_coefficients(basis, truth):
    coefficients, data = truth
    model = fit(basis, data, E0, alpha=0.0)
    np.testing.assert_allclose(model.coefficients, coefficients, rtol=1e-6, atol=1e-8)
    assert model.info["rank"] == len(basis)


def test_blr_recovers_coefficients_and_noise(basis, truth):
    coefficients, data = truth
    noisy = labelled(data, ACECalculator(basis, coefficients, E0), noise=1e-3, seed=3)
    model = fit(basis, noisy, E0, solver="blr", weights=Weights(energy=1, forces=1, virial=1))
    assert model.covariance.shape == (len(basis), len(basis))
    np.testing.assert_allclose(model.covariance, model.covariance.T, atol=1e-14)
    assert np.all(np.linalg.eigvalsh(model.covariance) > 0)
    # the estimated noise level is the injected one (force noise dominates the rows)
    assert model.info["noise_rmse_weighted"] == pytest.approx(1e-3, rel=0.3)
    error = np.abs(model.coefficients - coefficients)
    assert np.all(error < 6 * np.sqrt(np.diag(model.covariance)) + 1e-9)


def test_bayesian_regression_on_a_textbook_problem():
    """Polynomial fit with known noise: evidence maximisation finds beta ~ 1/sigma^2."""
    rng = np.random.default_rng(0)
    x = np.linspace(-1, 1, 400)
    X = np.vander(x, 6, increasing=True)
    y = X @ np.array([0.3, -1.0, 0.5, 0.0, 0.2, 0.0]) + 0.05 * rng.normal(size=x.size)
    mean, covariance, info = bayesian_regression(X, y, np.ones_like(y))
    assert 1 / np.sqrt(info["beta"]) == pytest.approx(0.05, rel=0.1)
    assert 3 < info["effective_parameters"] <= 6
    np.testing.assert_allclose(mean[:3], [0.3, -1.0, 0.5], atol=0.05)


@pytest.mark.parametrize("n_rows", [300, 40, 12])
def test_scaled_spectrum_equals_the_svd_of_the_system(n_rows):
    """The QR reduction of a tall system (and the plain SVD of a wide one) gives the singular values,
    right vectors and correlations of the SVD of the whole system, to round-off, even when the system
    is ill-conditioned (singular values over 12 decades, beyond what a Gram matrix resolves)."""
    rng = np.random.default_rng(7)
    n_basis = 25
    left, _ = np.linalg.qr(rng.normal(size=(n_rows, min(n_rows, n_basis))))
    right, _ = np.linalg.qr(rng.normal(size=(n_basis, n_basis)))
    singular = np.logspace(3, -9, min(n_rows, n_basis))
    X = (left * singular) @ right[:, : min(n_rows, n_basis)].T
    y = rng.normal(size=n_rows)
    s, Vt, projections, residual = scaled_spectrum(X, y)
    U_ref, s_ref, Vt_ref = np.linalg.svd(X, full_matrices=False)
    np.testing.assert_allclose(s, s_ref, rtol=1e-9, atol=1e-12 * s_ref[0])
    np.testing.assert_allclose(s, singular, rtol=1e-6, atol=1e-12 * s_ref[0])
    # the vectors up to sign; compared through what the solver uses: V^T X^T y and V diag(s^2) V^T
    np.testing.assert_allclose(Vt.T @ (s * projections), X.T @ y, rtol=1e-9, atol=1e-9 * np.abs(X.T @ y).max())
    # the residual is what the left vectors do not span (zero for a wide system), |y|^2 - |z|^2; the
    # directions of singular values near round-off (s < 1e-6 s_max) are ill-determined, so the split
    # between them and the residual is compared as a whole (what the solver sees of them: z_k^2)
    assert residual >= 0 and residual + projections @ projections == pytest.approx(y @ y, rel=1e-12)
    z_ref = U_ref.T @ y
    weak, weak_ref = s < 1e-6 * s[0], s_ref < 1e-6 * s_ref[0]
    assert residual + np.sum(projections[weak] ** 2) == pytest.approx(
        np.sum((y - U_ref @ z_ref) ** 2) + np.sum(z_ref[weak_ref] ** 2), rel=1e-9, abs=1e-20
    )
    np.testing.assert_allclose((Vt.T * s**2) @ Vt, X.T @ X, atol=1e-9 * s_ref[0] ** 2)
    np.testing.assert_allclose(np.abs(np.sum(Vt * Vt_ref, axis=1))[s_ref > 1e-6 * s_ref[0]], 1.0, atol=1e-8)


def test_bayesian_regression_of_a_tall_system_equals_the_svd_route():
    """The posterior from the QR-reduced spectrum is the one from the SVD of the whole scaled system."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(500, 30)) @ np.diag(np.logspace(0, -6, 30))
    y = X @ rng.normal(size=30) + 1e-3 * rng.normal(size=500)
    w, gamma = rng.uniform(0.5, 2.0, size=500), np.linspace(1.0, 3.0, 30)
    mean, covariance, info = bayesian_regression(X, y, w, gamma)
    Xt, yt = X * np.sqrt(w)[:, None] / gamma, y * np.sqrt(w)
    U, s, Vt = np.linalg.svd(Xt, full_matrices=False)
    z = U.T @ yt
    ref_mean, ref_covariance, ref_info = evidence_maximisation(
        s, Vt, z, float(np.sum((yt - U @ z) ** 2)), 500, gamma, float(np.var(yt))
    )
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-8, atol=1e-10 * np.abs(ref_mean).max())
    np.testing.assert_allclose(covariance, ref_covariance, rtol=1e-7, atol=1e-10 * np.abs(ref_covariance).max())
    assert info["alpha"] == pytest.approx(ref_info["alpha"], rel=1e-8)
    assert info["beta"] == pytest.approx(ref_info["beta"], rel=1e-8)


def test_ridge_and_smoothness_priors_shrink(basis, truth):
    _, data = truth
    free = fit(basis, data, E0, alpha=0.0)
    ridge = fit(basis, data, E0, alpha=1e-2)
    smooth = fit(basis, data, E0, alpha=1e-2, prior="smoothness")
    gamma = smoothness_prior(basis)
    assert np.linalg.norm(ridge.coefficients) < np.linalg.norm(free.coefficients)
    assert np.linalg.norm(gamma * smooth.coefficients) < np.linalg.norm(gamma * ridge.coefficients)
    assert gamma.min() == 1.0 and gamma[0] == 1.0
    # the closed form of the regularised normal equations, alpha relative to the mean squared
    # column norm of the weighted design matrix (as documented in fit())
    system = linear_system(basis, data, E0)
    w = system.loss_weights(Weights())
    G = system.X.T @ (w[:, None] * system.X)
    scale = np.trace(G) / len(basis)
    expected = np.linalg.solve(G + 1e-2 * scale * np.diag(gamma**2), system.X.T @ (w * system.y))
    np.testing.assert_allclose(smooth.coefficients, expected, rtol=1e-6, atol=1e-9 * np.abs(expected).max())


def test_weights_per_config_type(basis, truth):
    _, data = truth
    system = linear_system(basis, data, E0)
    w = system.row_weights(Weights(energy=30, forces=1, virial=2, per_config_type={"cluster": {"forces": 5}}))
    clusters = np.array([system.config_types[s] == "cluster" for s in system.structure])
    assert set(w[(system.kind == 1) & clusters]) == {5.0}
    assert set(w[(system.kind == 1) & ~clusters]) == {1.0}
    assert set(w[system.kind == 0]) == {30.0}
    assert set(w[system.kind == 2]) == {2.0}
    assert np.sum(system.kind == 2) == 6 * sum(a.pbc.all() for a in data)


def test_a_weight_multiplies_its_rows_in_the_loss(basis, truth):
    """A weight is 1/σ: the fit minimises Σ (w_r r_r)^2, as ACEpotentials.jl's. Closed form on a
    toy system, then the fitted coefficients of noisy data make the gradient of that loss vanish
    (and not the gradient of Σ w_r r_r^2)."""
    from linace.fit import solve_least_squares

    toy = linear_system(basis, truth[1][:1], E0)
    toy.X, toy.y, toy.kind = np.ones((2, 1)), np.array([0.0, 1.0]), np.array([0, 1])
    toy.structure = np.zeros(2, dtype=int)
    loss_weights = toy.loss_weights(Weights(energy=1.0, forces=4.0))
    np.testing.assert_allclose(loss_weights, [1.0, 16.0])
    c, _ = solve_least_squares(toy.X, toy.y, loss_weights)
    assert c[0] == pytest.approx(16 / 17, rel=1e-12)  # argmin (c - 0)^2 + 4^2 (c - 1)^2

    noisy = labelled([a.copy() for a in truth[1]], ACECalculator(basis, truth[0], E0), noise=0.05, seed=7)
    weights = Weights(energy=30.0, forces=1.0, virial=0.5)
    model = fit(basis, noisy, E0, weights=weights, alpha=0.0)
    system = linear_system(basis, noisy, E0)
    residual = system.X @ model.coefficients - system.y
    w = system.row_weights(weights)
    scale = np.linalg.norm(system.X.T @ (w**2 * system.y))
    assert np.linalg.norm(system.X.T @ (w**2 * residual)) < 1e-8 * scale
    assert np.linalg.norm(system.X.T @ (w * residual)) > 1e-3 * np.linalg.norm(system.X.T @ (w * system.y))


def test_design_cache_round_trip_and_corruption(basis, truth, tmp_path):
    _, data = truth
    cache = DesignCache(tmp_path)
    first = linear_system(basis, data, E0, cache=cache)
    (path,) = tmp_path.glob("design-*.npz")
    with pytest.MonkeyPatch.context() as patch:  # the second call reads the cache, computes nothing
        patch.setattr(ACEBasis, "design", lambda *args: pytest.fail("design rows recomputed despite the cache"))
        second = linear_system(basis, data, E0, cache=cache)
    np.testing.assert_array_equal(first.X, second.X)
    moved = [a.copy() for a in data]
    moved[3].positions[0, 0] += 1e-6  # another dataset: another entry
    assert cache.key(basis, moved) != cache.key(basis, data)
    path.write_bytes(b"truncated")  # a corrupted entry is recomputed, not trusted
    third = linear_system(basis, data, E0, cache=cache)
    np.testing.assert_allclose(third.X, first.X)
    other = ACEBasis(3, truncation={1: (5, 0), 2: (6, 2)})
    assert cache.key(other, data) != cache.key(basis, data)


def test_rows_of_a_subset_are_the_rows_of_its_structures(basis, truth):
    _, structures = truth
    arrays = design_arrays(basis, structures)
    n_atoms = [len(a) for a in structures]
    chosen = [7, 2, 3, 19]  # any order; mixed periodic and molecular structures
    subset = select_structures(arrays, n_atoms, chosen)
    direct = design_arrays(basis, [structures[i] for i in chosen])
    for name in ("energy", "forces", "stress"):
        np.testing.assert_array_equal(subset[name], direct[name])
    picked = [structures[i] for i in chosen]
    np.testing.assert_array_equal(
        fit(basis, picked, E0, arrays=subset).coefficients, fit(basis, picked, E0).coefficients
    )
    assert select_structures(arrays, n_atoms, [])["forces"].shape == (0, len(basis))
    with pytest.raises(IndexError, match="0..19"):
        select_structures(arrays, n_atoms, [20])
    with pytest.raises(ValueError, match="3 atom counts for design arrays of 20 structures"):
        select_structures(arrays, n_atoms[:3], [0])
    with pytest.raises(FitError, match="design arrays of 4 structures given for 20 structures"):
        fit(basis, structures, E0, arrays=subset)


def test_model_save_load(basis, truth, tmp_path):
    _, data = truth
    model = fit(basis, data[:10], E0, solver="blr")
    model.save(tmp_path / "model.npz")
    loaded = ACEModel.load(tmp_path / "model.npz")
    np.testing.assert_array_equal(loaded.coefficients, model.coefficients)
    np.testing.assert_array_equal(loaded.covariance, model.covariance)
    assert loaded.e0 == E0 and loaded.basis.describe() == basis.describe()
    atoms = data[0].copy()
    atoms.calc = loaded.calculator()
    assert atoms.get_potential_energy() == pytest.approx(data[0].get_potential_energy(), rel=1e-3)
    (tmp_path / "bad.npz").write_bytes(b"not a model")
    with pytest.raises(FitError, match="bad.npz"):
        ACEModel.load(tmp_path / "bad.npz")


def test_bad_input(basis, truth):
    _, data = truth
    with pytest.raises(FitError, match="empty"):
        fit(basis, [], E0)
    unlabelled = data[0].copy()
    unlabelled.calc = None
    with pytest.raises(FitError, match="structure 1 .* no energy"):
        fit(basis, [data[1], unlabelled], E0)
    no_forces = data[0].copy()
    no_forces.calc = SinglePointCalculator(no_forces, energy=1.0)
    with pytest.raises(FitError, match="no forces"):
        fit(basis, [no_forces], E0)
    nan = data[0].copy()
    nan.calc = SinglePointCalculator(nan, energy=np.nan, forces=np.zeros((len(nan), 3)))
    with pytest.raises(FitError, match="NaN"):
        fit(basis, [nan], E0)
    wrong_forces, wrong_stress = data[0].copy(), data[0].copy()
    assert wrong_stress.pbc.all()
    wrong_forces.calc = SinglePointCalculator(wrong_forces, energy=1.0, forces=np.zeros((len(wrong_forces) + 1, 3)))
    with pytest.raises(FitError, match=r"structure 0 .*forces have shape \(5, 3\), expected \(4, 3\)"):
        fit(basis, [wrong_forces], E0)
    wrong_stress.calc = SinglePointCalculator(
        wrong_stress, energy=1.0, forces=np.zeros((len(wrong_stress), 3)), stress=np.zeros(5)
    )
    with pytest.raises(FitError, match="the stress label has 5 components, expected 6"):
        fit(basis, [wrong_stress], E0)
    with pytest.raises(FitError, match="rank"):
        fit(basis, data[:1], E0, alpha=0.0)  # far fewer rows than functions
    with pytest.raises(FitError, match="unknown solver"):
        fit(basis, data, E0, solver="magic")
    with pytest.raises(FitError, match="unknown prior"):
        fit(basis, data, E0, prior="magic")
    with pytest.raises(FitError, match="weight 'forces'"):
        Weights(forces=-1)
    with pytest.raises(FitError, match="unknown weight kind"):
        Weights(per_config_type={"bulk": {"charge": 1}})
    empty_structure = Atoms(cell=np.eye(3) * 3, pbc=True)
    empty_structure.calc = SinglePointCalculator(empty_structure, energy=0.0, forces=np.zeros((0, 3)))
    with pytest.raises(FitError, match="empty"):
        fit(basis, [empty_structure], E0)
    silicon = data[0].copy()
    silicon.symbols[0] = "Si"
    with pytest.raises(ValueError, match="Si"):
        fit(basis, [silicon], E0)


@pytest.mark.parametrize("solver", ["lstsq", "blr"])
def test_solvers_name_the_first_bad_row(solver):
    from linace.fit import solve_least_squares

    solve = solve_least_squares if solver == "lstsq" else bayesian_regression
    X, y, w = np.ones((4, 2)), np.zeros(4), np.ones(4)
    with pytest.raises(FitError, match=r"row 2 of the targets is not finite"):
        solve(X, np.array([0.0, 1.0, np.nan, 0.0]), w)
    with pytest.raises(FitError, match=r"row 1 has a negative weight \(-1\)"):
        solve(X, y, np.array([1.0, -1.0, 1.0, 1.0]))
    with pytest.raises(FitError, match=r"needs targets and weights of shape \(4,\), got \(4,\) and \(3,\)"):
        solve(X, y, np.ones(3))


@pytest.mark.parametrize("solver", ["lstsq", "blr"])
def test_a_fitted_energy_zero_recovers_the_one_body_term(basis, truth, solver):
    """energy_zero='fit' (pacemaker's convention): given a wrong E0, the fitted per-atom constant
    puts it right, exactly where the data pin it (an isolated atom, whose basis functions all
    vanish), and the coefficients are those of the truth; 'atom' keeps E0 as given."""
    coefficients, data = truth
    atom = labelled([Atoms("C", positions=[[0, 0, 0]])], ACECalculator(basis, coefficients, E0))
    wrong = E0 + 0.75
    model = fit(basis, data + atom, wrong, solver=solver, alpha=0.0, energy_zero="fit")
    assert model.info["energy_zero"] == "fit" and model.info["isolated_atom_e0_eV"] == wrong
    assert model.info["energy_zero_shift_eV"] == pytest.approx(-0.75, abs=1e-6)
    assert model.e0 == pytest.approx(E0, abs=1e-6)
    np.testing.assert_allclose(model.coefficients, coefficients, rtol=1e-4, atol=1e-6)
    assert model.coefficients.shape == (len(basis),)
    if solver == "blr":
        assert model.covariance.shape == (len(basis), len(basis))
    kept = fit(basis, data + atom, E0, solver=solver, alpha=0.0)
    assert kept.info["energy_zero"] == "atom" and kept.e0 == E0 and "energy_zero_shift_eV" not in kept.info
    with pytest.raises(FitError, match="unknown energy zero 'free'"):
        fit(basis, data, E0, energy_zero="free")


# --------------------------------------------------------------------------- the design cache's byte budget
def _entries(cache):
    return sorted(path.name for path in cache.directory.glob("design-*.npz"))


def _blocks(data):
    """Four datasets of five structures each, of equal composition: equal entries in the cache."""
    return [data[i : i + 5] for i in range(0, 20, 5)]


def test_the_design_cache_keeps_to_its_byte_budget_least_recently_used_first(basis, truth, tmp_path):
    import time

    _, data = truth
    blocks = _blocks(data)
    entry = len(DesignCache(tmp_path / "probe").encode(design_arrays(basis, blocks[0])))
    cache = DesignCache(tmp_path / "cache", max_bytes=2 * entry + entry // 2)  # room for two entries
    names = [cache.path(basis, block).name for block in blocks]
    for k in range(3):
        design_arrays(basis, blocks[k], cache)
        assert cache.size() <= cache.max_bytes
        time.sleep(0.01)  # distinct access times
    assert _entries(cache) == sorted(names[1:3])  # the oldest went
    assert cache.load(basis, blocks[1]) is not None  # used again: now the most recent
    time.sleep(0.01)
    design_arrays(basis, blocks[3], cache)
    assert _entries(cache) == sorted([names[1], names[3]]) and cache.size() <= cache.max_bytes  # block 2 went

    small = DesignCache(tmp_path / "small", max_bytes=entry - 1)  # an entry larger than the budget: not stored
    arrays = design_arrays(basis, blocks[0], small)
    assert _entries(small) == [] and small.size() == 0
    np.testing.assert_array_equal(arrays["forces"], design_arrays(basis, blocks[0])["forces"])


def test_an_entry_in_use_is_never_evicted(basis, truth, tmp_path):
    """Another process reading an entry holds a shared lock on it: eviction passes it over (the budget
    is exceeded meanwhile) and takes it once it is free."""
    import fcntl
    import time

    _, data = truth
    blocks = _blocks(data)
    entry = len(DesignCache(tmp_path / "probe").encode(design_arrays(basis, blocks[0])))
    cache = DesignCache(tmp_path / "cache", max_bytes=entry + entry // 2)  # room for one entry
    design_arrays(basis, blocks[0], cache)
    held = open(cache.path(basis, blocks[0]), "rb")
    fcntl.flock(held, fcntl.LOCK_SH)  # in use elsewhere
    time.sleep(0.01)
    design_arrays(basis, blocks[1], cache)
    assert cache.path(basis, blocks[0]).is_file() and cache.path(basis, blocks[1]).is_file()
    held.close()  # released
    time.sleep(0.01)
    design_arrays(basis, blocks[2], cache)
    assert _entries(cache) == [cache.path(basis, blocks[2]).name] and cache.size() <= cache.max_bytes


def test_results_are_bitwise_the_same_with_and_without_eviction(basis, truth, tmp_path):
    """Evicted rows are computed again, identical to the bit: fits and predictions do not depend on
    the budget."""
    from linace.analysis import predict

    _, data = truth
    train, test = data[:15], data[15:]
    entry = max(len(DesignCache(tmp_path / "probe").encode(design_arrays(basis, s))) for s in (train, test))
    outcomes = {}
    for name, budget in (("unbounded", 10**12), ("one entry", entry + 1), ("nothing stored", 0)):
        cache = DesignCache(tmp_path / name, max_bytes=budget)
        first = fit(basis, train, E0, solver="blr", cache=cache)
        tested = predict(first, test, cache)  # with one entry of room: evicts the training rows
        assert cache.path(basis, train).is_file() == (name == "unbounded")
        again = fit(basis, train, E0, solver="blr", cache=cache)  # rows read back, or computed again
        outcomes[name] = (first.coefficients, again.coefficients, tested.energy_pred, tested.forces_pred)
        assert cache.size() <= budget
    reference = outcomes["unbounded"]
    for name, arrays in outcomes.items():
        for got, expected in zip(arrays, reference, strict=True):
            assert np.array_equal(got, expected), name
    assert np.array_equal(reference[0], reference[1])


def test_the_budget_comes_from_the_environment(monkeypatch, tmp_path):
    from linace import fit as fitting

    monkeypatch.delenv(fitting.CACHE_SIZE_VARIABLE, raising=False)
    assert DesignCache(tmp_path).max_bytes == fitting.DEFAULT_CACHE_BYTES == 10**9
    for text, size in (
        ("2.5M", 2_500_000),
        ("1G", 10**9),
        ("750k", 750_000),
        ("123", 123),
        ("0", 0),
        (" 2 GB ", 2 * 10**9),
    ):
        monkeypatch.setenv(fitting.CACHE_SIZE_VARIABLE, text)
        assert DesignCache(tmp_path).max_bytes == size, text
    assert DesignCache(tmp_path, max_bytes=5).max_bytes == 5  # an explicit budget wins
    monkeypatch.setenv(fitting.CACHE_SIZE_VARIABLE, "lots")
    with pytest.raises(FitError, match=r"LINACE_CACHE_SIZE='lots'.*e.g. 500M"):
        DesignCache(tmp_path)
    with pytest.raises(FitError, match="non-negative"):
        DesignCache(tmp_path, max_bytes=-1)


def test_temporary_files_of_a_killed_writer_are_removed_once_stale(basis, truth, tmp_path):
    import os
    import time

    _, data = truth
    cache = DesignCache(tmp_path, max_bytes=10**9)
    stale, fresh = tmp_path / ".design-aaaa.npz.0123456789ab.tmp", tmp_path / ".design-bbbb.npz.ba9876543210.tmp"
    stale.write_bytes(b"half an entry")
    fresh.write_bytes(b"being written")
    hour_ago = time.time() - 3700
    os.utime(stale, (hour_ago, hour_ago))
    design_arrays(basis, data[:5], cache)
    assert not stale.exists() and fresh.exists()


def test_the_cache_works_where_the_file_system_has_no_locks(basis, truth, tmp_path, monkeypatch):
    """Some NFS mounts refuse flock (ENOLCK): entries are then read and evicted without marks, never
    recomputed for want of a lock."""
    import errno
    import fcntl

    def no_locks(*args):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    _, data = truth
    blocks = _blocks(data)
    entry = len(DesignCache(tmp_path / "probe").encode(design_arrays(basis, blocks[0])))
    cache = DesignCache(tmp_path / "cache", max_bytes=entry + entry // 2)
    design_arrays(basis, blocks[0], cache)
    assert cache.load(basis, blocks[0]) is not None  # a hit, not a miss
    design_arrays(basis, blocks[1], cache)
    assert _entries(cache) == [cache.path(basis, blocks[1]).name]  # evicted to the budget all the same
