"""Streamed and parallel normal equations: equal to the dense fit (lstsq and BLR), on local processes
and a Dask cluster, in bounded memory, with failing chunks reported and the rest kept."""

import concurrent.futures

import numpy as np
import pytest
from ase.calculators.singlepoint import SinglePointCalculator

from linace.basis import ACEBasis
from linace.calculator import ACECalculator
from linace.fit import FitError, Weights, bayesian_regression, fit, linear_system
from linace.streaming import AssemblyError, NormalEquations, assemble, fit_streaming

from conftest import random_carbon

E0 = -1.25
WEIGHTS = Weights(energy=30.0, forces=1.0, virial=0.1)


@pytest.fixture(scope="module")
def basis():
    return ACEBasis(3, truncation={1: (6, 0), 2: (6, 2)})


@pytest.fixture(scope="module")
def data(basis):
    """Noisy labels of a random potential on periodic and molecular structures."""
    rng = np.random.default_rng(1)
    calc = ACECalculator(basis, rng.normal(size=len(basis)) / np.arange(1, len(basis) + 1), E0)
    out = []
    for seed, (n, periodic) in enumerate([(4, True), (6, True), (5, False), (3, True), (7, False)] * 5):
        atoms = random_carbon(n, periodic, seed)
        atoms.calc = calc
        energy = atoms.get_potential_energy() + 1e-2 * rng.normal() * n
        forces = atoms.get_forces() + 1e-2 * rng.normal(size=(n, 3))
        stress = atoms.get_stress() if periodic else None
        atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=forces, stress=stress)
        atoms.info["config_type"] = "bulk" if periodic else "cluster"
        out.append(atoms)
    return out


def relative(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


@pytest.mark.parametrize("prior", ["none", "smoothness"])
def test_streamed_least_squares_equals_the_dense_fit(basis, data, prior):
    dense = fit(basis, data, E0, WEIGHTS, prior=prior, alpha=1e-6)
    streamed = fit_streaming(basis, iter(data), E0, WEIGHTS, prior=prior, alpha=1e-6, chunk_size=7)
    assert relative(streamed.coefficients, dense.coefficients) < 1e-8
    assert streamed.info["n_structures"] == len(data) and streamed.info["n_rows"] == dense.info["n_rows"]


def test_streamed_bayesian_regression_equals_the_dense_one(basis, data):
    dense = fit(basis, data, E0, WEIGHTS, solver="blr")
    streamed = fit_streaming(basis, data, E0, WEIGHTS, solver="blr", chunk_size=4)
    assert relative(streamed.coefficients, dense.coefficients) < 1e-8
    assert relative(streamed.covariance, dense.covariance) < 1e-8
    for key in ("alpha", "beta", "effective_parameters", "log_evidence"):
        assert streamed.info[key] == pytest.approx(dense.info[key], rel=1e-8)


def test_blr_from_normal_equations_with_a_rank_deficient_design():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 6))
    X[:, 5] = X[:, 0] - X[:, 1]  # one column is a combination of two others: a null direction
    y = X @ rng.normal(size=6) + 0.1 * rng.normal(size=40)  # a signal and noise: the evidence has a maximum
    w = rng.uniform(0.5, 2.0, 40)
    gamma = np.linspace(1, 2, 6)
    normal = NormalEquations(6)
    for block in np.array_split(np.arange(40), 3):
        normal.add(X[block], y[block], w[block])
    mean, covariance, info = normal.bayesian_regression(gamma)
    dense_mean, dense_covariance, dense_info = bayesian_regression(X, y, w, gamma)
    assert relative(mean, dense_mean) < 1e-8 and relative(covariance, dense_covariance) < 1e-6
    assert info["alpha"] == pytest.approx(dense_info["alpha"], rel=1e-8)


def test_two_local_processes_give_the_same_sums(basis, data):
    one = assemble(basis, data, E0, WEIGHTS, chunk_size=5)
    two = assemble(basis, data, E0, WEIGHTS, workers=2, chunk_size=5)
    assert relative(two.gram, one.gram) < 1e-12 and relative(two.rhs, one.rhs) < 1e-12
    assert (two.n_rows, two.n_structures) == (one.n_rows, one.n_structures) == (one.n_rows, len(data))
    system = linear_system(basis, data, E0)
    w = system.loss_weights(WEIGHTS)
    assert relative(one.gram, system.X.T @ (system.X * w[:, None])) < 1e-12


def test_a_dask_local_cluster_executor(basis, data):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        model = fit_streaming(basis, data, E0, WEIGHTS, alpha=1e-6, executor=client.get_executor(), chunk_size=6)
    assert relative(model.coefficients, fit(basis, data, E0, WEIGHTS, alpha=1e-6).coefficients) < 1e-8


def test_a_failing_chunk_names_its_structures_and_keeps_the_rest(basis, data):
    broken = [atoms.copy() for atoms in data]
    for index, atoms in enumerate(data):
        broken[index].calc = atoms.calc
    broken[12].calc = None  # no labels
    with pytest.raises(
        AssemblyError, match=r"structures 10-14: FitError: structure 12 .* has no energy label"
    ) as caught:
        assemble(basis, broken, E0, WEIGHTS, chunk_size=5)
    partial = caught.value.partial
    assert partial.n_structures == len(data) - 5 and caught.value.failures[0][:2] == (10, 14)
    partial += assemble(basis, data[10:15], E0, WEIGHTS)  # redo only the failed chunk
    whole = assemble(basis, data, E0, WEIGHTS, chunk_size=5)
    assert relative(partial.gram, whole.gram) < 1e-12


def test_at_most_two_chunks_per_worker_are_held(basis, data):
    consumed, finished = [], []

    class Recording(concurrent.futures.ThreadPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            future = super().submit(fn, *args, **kwargs)
            future.add_done_callback(lambda f: finished.append(1))
            return future

    def lazily():
        for atoms in data:
            consumed.append(len(consumed) - 2 * len(finished))  # structures read ahead of finished chunks
            yield atoms

    with Recording(max_workers=1) as executor:
        assemble(basis, lazily(), E0, WEIGHTS, executor=executor, workers=1, chunk_size=2)
    assert max(consumed) <= 2 * 2 * 1 + 2  # two chunks in flight plus the chunk being read


def test_bad_input(basis, data):
    with pytest.raises(FitError, match="the training set is empty"):
        fit_streaming(basis, [], E0)
    with pytest.raises(FitError, match="unknown solver"):
        fit_streaming(basis, data, E0, solver="magic")
    with pytest.raises(ValueError, match="chunk_size and workers must be positive"):
        assemble(basis, data, E0, chunk_size=0)
    with pytest.raises(FitError, match="no rows"):
        NormalEquations(3).solve()


def test_blr_from_normal_equations_keeps_the_weakly_determined_directions():
    """A design with singular values down to 1e-7 of the largest (condition numbers of 1e7 are
    common for ACE at K >= 3): the normal equations would square them to 1e-14; the streamed
    triangular factor keeps them, and the streamed posterior is the dense one to round-off. (With
    the Gram matrix's eigendecomposition, used until 2026-12-03, predictions agreed to 1e-3 only;
    dropping the eigenvalues below 1e-12 of the largest, 5 of 30 directions here, moved them by 12 %.)"""
    rng = np.random.default_rng(5)
    n_rows, n_basis = 300, 30
    U = np.linalg.qr(rng.normal(size=(n_rows, n_basis)))[0]
    V = np.linalg.qr(rng.normal(size=(n_basis, n_basis)))[0]
    X = (U * np.logspace(0, -7, n_basis)) @ V.T
    y = X @ rng.normal(size=n_basis) + 1e-6 * rng.normal(size=n_rows)
    w, gamma = rng.uniform(0.5, 2.0, n_rows), np.linspace(1, 3, n_basis)
    normal = NormalEquations(n_basis)
    for block in np.array_split(np.arange(n_rows), 4):
        normal.add(X[block], y[block], w[block])
    mean, _, info = normal.bayesian_regression(gamma)
    dense_mean, _, dense_info = bayesian_regression(X, y, w, gamma)
    new_rows = rng.normal(size=(50, n_basis))  # predictions away from the data, like a dimer curve
    assert info["converged"] and dense_info["converged"]
    assert np.abs(new_rows @ (mean - dense_mean)).max() < 1e-8 * np.abs(new_rows @ dense_mean).max()
    assert info["alpha"] == pytest.approx(dense_info["alpha"], rel=1e-8)
    assert info["beta"] == pytest.approx(dense_info["beta"], rel=1e-8)


def test_evidence_maximisation_says_when_it_does_not_converge():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 30)), rng.normal(size=10)  # more functions than rows, no signal
    with pytest.warns(RuntimeWarning, match="did not converge in 5 iterations"):
        _, _, info = bayesian_regression(X, y, np.ones(10), max_iterations=5)
    assert info["converged"] is False and info["iterations"] == 5
