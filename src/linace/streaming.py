r"""Least-squares statistics of a linear ACE fit, assembled chunk by chunk and in parallel, in bounded memory.

A fit of n structures has a design matrix of about :math:`\sum (1 + 3 N_s + 6)` rows by M basis
functions: at :math:`10^5` atoms and M = 439 (K = 4) that is 1.3e8 numbers, 1 GB. The weighted
least-squares problem :math:`\min_c \|W^{1/2}(Xc - y)\|^2 + \alpha\|\Gamma c\|^2` depends on the
data only through the triangular factor R of the scaled rows,

.. math::

    [W^{1/2} X \,|\, W^{1/2} y] = Q R, \qquad R^T R = [X\,y]^T W [X\,y]
    \;\; ((M + 1) \times (M + 1)),

whose blocks are the normal equations :math:`G = X^T W X`, :math:`h = X^T W y`, :math:`t = y^T W y`,
with :math:`u = \textstyle\sum_r \sqrt{w_r}\, y_r` and :math:`n_\text{rows}` (:class:`NormalEquations`).
Chunks of structures can be mapped to factors anywhere and merged by the QR decomposition of the
stacked factors (a tall-skinny QR; :func:`assemble`): on any :class:`concurrent.futures.Executor`
(local processes, or a Dask cluster's ``client.get_executor()``), with at most a few chunks in
flight, so the memory is O(M^2 + one chunk per worker) whatever the number of structures. A chunk
that fails does not stop the others: :class:`AssemblyError` names its structures and carries the
factor of the chunks that succeeded.

:func:`fit_streaming` solves with the solvers and priors of :func:`linace.fit.fit`: ``"lstsq"`` by a
Cholesky factorisation of :math:`G + \alpha\Gamma^2` (the normal matrix squares the condition
number; the dense path is preferred whenever the rows fit) and ``"blr"`` by evidence maximisation
from the SVD of :math:`R_x \Gamma^{-1}`, which has the singular values and right vectors of the
scaled rows themselves: the posterior of the dense path to round-off (:func:`linace.fit.scaled_spectrum`,
:func:`linace.fit.evidence_maximisation`). Until 2026-12-03 the factor was the Gram matrix G and the
posterior came from its eigendecomposition, which squares the condition number: on the study's
ill-conditioned K = 5 ``narrow`` system (7059 rows by 1243 functions) that mean differed from the
dense one by 1.2e-2 of its largest coefficient; from the triangular factor it differs by 1.2e-11
(``benchmarks/solver.py``).
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import json
import multiprocessing
import time
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import scipy.linalg
from ase import Atoms

from .basis import ACEBasis
from .fit import (
    SOLVERS,
    ACEModel,
    FitError,
    FitInfo,
    Weights,
    _prior_diagonal,
    config_type,
    evidence_maximisation,
    scaled_spectrum,
    structure_rows,
)

__all__ = ["AssemblyError", "NormalEquations", "assemble", "chunk_normal_equations", "fit_streaming"]


class NormalEquations:
    r"""What a weighted least-squares fit needs of its rows, accumulated block by block in memory
    O(n_basis^2): the triangular factor R ((n_basis + 1) columns, at most n_basis + 1 rows) of the
    scaled rows :math:`[W^{1/2} X \,|\, W^{1/2} y]`, u = sum sqrt(w) y and the row count.

    :math:`R^T R = [X\,y]^T W [X\,y]`, so the normal equations are its blocks: the Gram matrix
    :attr:`gram` = X^T W X (n_basis, n_basis), :attr:`rhs` = X^T W y (n_basis,), :attr:`target_norm`
    = y^T W y. R itself is kept because it is as accurate as the rows: blocks are merged by the QR
    decomposition of the stacked factor and rows (a tall-skinny QR), backward stable like the dense
    path, where forming X^T W X squares the condition number. Rows are buffered and merged every
    :data:`MERGE_ROWS` times (n_basis + 1) rows; partial results add up (``+=`` merges two factors).

    Examples
    --------
    Rows added in two blocks give the least-squares solution of all of them at once:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(40, 3)), rng.normal(size=40)    # 40 rows, 3 functions
    >>> normal = NormalEquations(3)
    >>> normal.add(X[:25], y[:25], np.ones(25))
    >>> normal.add(X[25:], y[25:], np.ones(15))
    >>> normal.factor.shape, normal.gram.shape, normal.rhs.shape   # R: (n_basis + 1) columns
    ((4, 4), (3, 3), (3,))
    >>> bool(np.allclose(normal.solve(), np.linalg.lstsq(X, y, rcond=None)[0]))
    True
    """

    #: rows buffered before a merge, in units of n_basis + 1 (larger: fewer, taller QRs)
    MERGE_ROWS = 4

    def __init__(self, n_basis: int):
        self.n_basis = n_basis
        self._factor = np.zeros((0, n_basis + 1))
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        self.target_sum = 0.0
        self.n_rows = 0
        self.n_structures = 0

    def add(self, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> None:
        """Accumulate a block of rows: X (n, n_basis), y (n,), w (n,) the diagonal of W (the squared
        row weights 1/σ^2, :meth:`linace.fit.Weights.loss_of`)."""
        if X.shape[1] != self.n_basis:
            raise ValueError(f"rows of {X.shape[1]} functions cannot be added to normal equations of {self.n_basis}")
        sqrt_w = np.sqrt(w)
        self._pending.append(np.column_stack([X * sqrt_w[:, None], y * sqrt_w]))
        self._pending_rows += len(y)
        self.target_sum += float(sqrt_w @ y)
        self.n_rows += len(y)
        if self._pending_rows >= self.MERGE_ROWS * (self.n_basis + 1):
            self._merge()

    def _merge(self, *blocks: np.ndarray) -> None:
        """Fold the buffered rows (and ``blocks``, e.g. another factor) into the triangular factor."""
        stacked = np.vstack([self._factor, *self._pending, *blocks])
        self._pending, self._pending_rows = [], 0
        if len(stacked):
            self._factor = scipy.linalg.qr(stacked, mode="r", check_finite=False)[0][: self.n_basis + 1]

    @property
    def factor(self) -> np.ndarray:
        r"""R, (k, n_basis + 1) upper triangular, k <= n_basis + 1: :math:`R^T R = [X\,y]^T W [X\,y]`."""
        if self._pending:
            self._merge()
        return self._factor

    @property
    def gram(self) -> np.ndarray:
        """X^T W X, (n_basis, n_basis)."""
        rx = self.factor[:, : self.n_basis]
        return rx.T @ rx

    @property
    def rhs(self) -> np.ndarray:
        """X^T W y, (n_basis,)."""
        return self.factor[:, : self.n_basis].T @ self.factor[:, self.n_basis]

    @property
    def target_norm(self) -> float:
        """y^T W y."""
        return float(np.sum(self.factor[:, self.n_basis] ** 2))

    def __iadd__(self, other: NormalEquations) -> NormalEquations:
        if other.n_basis != self.n_basis:
            raise ValueError(f"cannot add normal equations of {other.n_basis} functions to {self.n_basis}")
        self._merge(other.factor)
        self.target_sum += other.target_sum
        self.n_rows += other.n_rows
        self.n_structures += other.n_structures
        return self

    def __getstate__(self) -> dict:
        """Pickled (sent back from a worker) with its buffered rows merged: O(n_basis^2) numbers."""
        if self._pending:
            self._merge()
        return self.__dict__.copy()

    def _check(self) -> None:
        if self.n_rows == 0:
            raise FitError("no rows were accumulated")

    def solve(self, alpha: float = 0.0, gamma: np.ndarray | None = None) -> np.ndarray:
        """argmin_c |W^1/2 (X c - y)|^2 + alpha |Γ c|^2 from the normal equations (Cholesky), (n_basis,)."""
        self._check()
        gamma = np.ones(self.n_basis) if gamma is None else np.asarray(gamma, dtype=float)
        matrix = self.gram + alpha * np.diag(gamma**2)
        scale = np.sqrt(np.diag(matrix))
        scale[scale == 0] = 1.0
        try:
            factor = scipy.linalg.cho_factor(matrix / scale[:, None] / scale[None, :])
        except np.linalg.LinAlgError as error:
            raise FitError("the normal matrix is singular: add data or regularise (alpha > 0)") from error
        return scipy.linalg.cho_solve(factor, self.rhs / scale) / scale

    def bayesian_regression(self, gamma: np.ndarray | None = None, **options) -> tuple[np.ndarray, np.ndarray, dict]:
        r"""Posterior mean (n_basis,), covariance (n_basis, n_basis) and info, as
        :func:`linace.fit.bayesian_regression` on the rows, from the SVD of the triangular factor
        (:func:`linace.fit.scaled_spectrum` of :math:`R_x \Gamma^{-1}` and :math:`r_y`: the singular
        values and right vectors of the scaled rows themselves, every direction kept)."""
        self._check()
        gamma = np.ones(self.n_basis) if gamma is None else np.asarray(gamma, dtype=float)
        factor = self.factor
        s, Vt, projections, residual = scaled_spectrum(
            factor[:, : self.n_basis] / gamma[None, :], factor[:, self.n_basis]
        )
        variance = self.target_norm / self.n_rows - (self.target_sum / self.n_rows) ** 2
        return evidence_maximisation(s, Vt, projections, residual, self.n_rows, gamma, variance, **options)


# ----------------------------------------------------------------------------- one chunk (worker side)
@functools.lru_cache(maxsize=4)
def _basis(parameters_json: str) -> ACEBasis:
    """The basis of a worker process, built once per parameter set (coupling coefficients are costly)."""
    return ACEBasis(**json.loads(parameters_json))


def chunk_normal_equations(
    basis_parameters: dict, structures: Sequence[Atoms], e0: float, weights: Weights, first_index: int = 0
) -> NormalEquations:
    """The partial sums of a chunk of labelled structures (picklable, runs in a worker).

    ``first_index`` is the position of the chunk's first structure in the whole data set (error
    messages name structures by it).
    """
    basis = _basis(json.dumps(basis_parameters, sort_keys=True))
    normal = NormalEquations(len(basis))
    for offset, atoms in enumerate(structures):
        index = first_index + offset
        basis.check_structure(atoms)
        X, y, kind = structure_rows(basis, atoms, e0, index)
        normal.add(X, y, weights.loss_of(config_type(atoms))[kind])
        normal.n_structures += 1
    return normal


class _InProcess(concurrent.futures.Executor):
    """Runs each submitted call at once in this process (the executor of ``workers=1``)."""

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # noqa: BLE001  (delivered through the future, as a pool does)
            future.set_exception(error)
        return future


class AssemblyError(FitError):
    """Some chunks failed. ``failures``: [(first, last structure index, error message)];
    ``partial``: the :class:`NormalEquations` of every chunk that succeeded (add the failed chunks'
    sums to it once they are fixed, instead of starting again)."""

    def __init__(self, failures: list[tuple[int, int, str]], partial: NormalEquations):
        self.failures, self.partial = failures, partial
        lines = "; ".join(f"structures {a}-{b}: {message}" for a, b, message in failures[:5])
        more = f" (and {len(failures) - 5} more chunks)" if len(failures) > 5 else ""
        super().__init__(f"{len(failures)} chunk(s) failed, {partial.n_structures} structures assembled: {lines}{more}")


def _chunks(structures: Iterable[Atoms], size: int) -> Iterator[tuple[int, list[Atoms]]]:
    iterator, start = iter(structures), 0
    while chunk := list(itertools.islice(iterator, size)):
        yield start, chunk
        start += len(chunk)


def assemble(
    basis: ACEBasis,
    structures: Iterable[Atoms],
    e0: float,
    weights: Weights | None = None,
    executor: concurrent.futures.Executor | None = None,
    workers: int = 1,
    chunk_size: int = 32,
    progress: bool = False,
) -> NormalEquations:
    """Map chunks of ``chunk_size`` structures to :class:`NormalEquations` and add them up.

    Parameters
    ----------
    structures : any iterable of labelled structures (a generator over a file is read lazily: at
        most ``2 * workers`` chunks are held at a time).
    executor : where chunks are assembled (e.g. ``distributed.Client(address).get_executor()``; not
        shut down). Default: ``workers`` spawned local processes (each single-threaded BLAS is up
        to the caller), or this process for ``workers=1``.
    progress : a tqdm bar over structures.

    Raises
    ------
    AssemblyError
        One or more chunks failed (bad labels, wrong element, a lost worker): every other chunk is
        assembled and returned in the error's ``partial``.
    """
    from tqdm import tqdm

    if chunk_size < 1 or workers < 1:
        raise ValueError(f"chunk_size and workers must be positive, got {chunk_size} and {workers}")
    weights = Weights() if weights is None else weights
    parameters = basis.parameters()
    own = executor is None
    if own:
        executor = (
            _InProcess()
            if workers == 1
            else concurrent.futures.ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn")
            )
        )
    total, failures = NormalEquations(len(basis)), []
    pending: dict[concurrent.futures.Future, tuple[int, int]] = {}

    def collect(done) -> None:
        for future in done:
            first, last = pending.pop(future)
            try:
                part = future.result()
            except Exception as error:  # noqa: BLE001  (reported with its structures, the rest goes on)
                failures.append((first, last, f"{type(error).__name__}: {error}"))
                continue
            total.__iadd__(part)
            bar.update(part.n_structures)

    try:
        with tqdm(desc=f"normal equations (K={basis.body_order})", unit="structure", disable=not progress) as bar:
            for first, chunk in _chunks(structures, chunk_size):
                if len(pending) >= 2 * workers:
                    done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
                    collect(done)
                future = executor.submit(chunk_normal_equations, parameters, chunk, e0, weights, first)
                pending[future] = (first, first + len(chunk) - 1)
            collect(concurrent.futures.wait(pending).done)
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
    if failures:
        raise AssemblyError(sorted(failures), total)
    if total.n_structures == 0:
        raise FitError("the training set is empty")
    return total


def fit_streaming(
    basis: ACEBasis,
    structures: Iterable[Atoms],
    e0: float,
    weights: Weights | None = None,
    solver: str = "lstsq",
    prior: str = "none",
    alpha: float = 1e-8,
    executor: concurrent.futures.Executor | None = None,
    workers: int = 1,
    chunk_size: int = 32,
    progress: bool = False,
) -> ACEModel:
    """Like :func:`linace.fit.fit`, from the normal equations :func:`assemble`-d in bounded memory
    (``structures`` may be a generator over a dataset larger than memory).

    ``solver``, ``prior`` and ``alpha`` as for :func:`linace.fit.fit` (``alpha`` of ``lstsq`` relative
    to the mean diagonal of the Gram matrix, i.e. the mean squared column norm: the same scale as
    the dense path); ``executor``, ``workers``, ``chunk_size``, ``progress`` as for :func:`assemble`.
    """
    if solver not in SOLVERS:
        raise FitError(f"unknown solver {solver!r}; known: {SOLVERS}")
    gamma = _prior_diagonal(basis, prior)
    start = time.perf_counter()
    normal = assemble(basis, structures, e0, weights, executor, workers, chunk_size, progress)
    assembly_seconds = time.perf_counter() - start
    covariance = None
    if solver == "lstsq":
        scaled_alpha = alpha * float(np.mean(np.diag(normal.gram)))
        coefficients, info = normal.solve(scaled_alpha, gamma), {"alpha": scaled_alpha}
    else:
        coefficients, covariance, info = normal.bayesian_regression(gamma)
    info.update(
        solver=solver,
        prior=prior,
        assembly="normal equations",
        n_structures=normal.n_structures,
        n_rows=normal.n_rows,
        design_seconds=assembly_seconds,
        solve_seconds=time.perf_counter() - start - assembly_seconds,
    )
    return ACEModel(basis.spec, coefficients, float(e0), covariance, FitInfo.from_dict(info))
