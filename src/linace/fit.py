r"""Fitting linear ACE potentials: weighted least squares, priors, Bayesian regression.

The model is :math:`E = N E_0 + \sum_B c_B \sum_i B(i)`. Each labelled structure gives rows of a
linear system :math:`X c \approx y` (:func:`structure_rows`):

* one energy row per structure, per atom: :math:`(E - N E_0)/N` in eV/atom;
* 3N force rows in eV/A;
* for cells periodic in all directions with a stress label, 6 virial rows per atom,
  :math:`-\sigma V / N` in eV/atom (Voigt order).

Rows are weighted (:class:`Weights`, settable per ``config_type``) and the coefficients minimise

.. math::

    \| W^{1/2} (X c - y) \|^2 + \alpha \| \Gamma c \|^2

with Γ = I (``prior="none"``, ridge) or the algebraic smoothness prior of ACEpotentials.jl kind
(``prior="smoothness"``, :func:`smoothness_prior`). The least-squares solvers work on the stacked,
scaled system (``scipy.linalg.lstsq``), never on the normal matrix. :func:`bayesian_regression`
instead treats α and the noise precision β as hyper-parameters, maximises the evidence and returns
the posterior covariance. For datasets whose design matrix does not fit in memory,
:mod:`linace.streaming` assembles the normal equations chunk by chunk, in parallel, and solves them
with the same solvers and priors.

Design rows of a (basis, dataset) pair can be cached on disk (:class:`DesignCache`), within a byte
budget (least recently used entries go first; default :data:`DEFAULT_CACHE_BYTES`, or
``$LINACE_CACHE_SIZE``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import scipy.linalg
from ase import Atoms

from . import __version__, source_digest
from .basis import VOIGT, ACEBasis, BasisSpec, DesignRows
from .calculator import ACECalculator
from .io import write_atomic

__all__ = [
    "ACEModel",
    "CACHE_SIZE_VARIABLE",
    "DEFAULT_CACHE_BYTES",
    "DesignCache",
    "FitInfo",
    "LinearSystem",
    "Weights",
    "bayesian_regression",
    "cache_budget",
    "evidence_maximisation",
    "fit",
    "linear_system",
    "scaled_spectrum",
    "select_structures",
    "smoothness_prior",
    "solve_least_squares",
    "structure_labels",
    "structure_rows",
]

ENERGY, FORCE, VIRIAL = 0, 1, 2
KINDS = ("energy", "forces", "virial")
PRIORS = ("none", "smoothness")
SOLVERS = ("lstsq", "blr")


class FitError(ValueError):
    """The data or the options do not define a well-posed fit."""


# --------------------------------------------------------------------------- weights and rows
@dataclass(frozen=True)
class Weights:
    """Row weights w = 1/σ of the observations: energy per atom (1/(eV/atom)), force components
    (1/(eV/A)) and virial per atom (1/(eV/atom)). The loss is the sum of the squared weighted
    residuals, Σ_r (w_r (X c - y)_r)^2: a weight multiplies its rows, and its square (1/σ^2, the
    diagonal of W, :meth:`loss_of`) weighs the squared residuals.

    ``per_config_type`` overrides any of them for structures of a given ``config_type``, e.g.
    ``Weights(per_config_type={"dimer": {"energy": 100.0}})``. Defaults follow ACEpotentials.jl
    (E 30, F 1, V 1), which multiplies its rows by the weights in the same way; its energy row is
    the total energy over √N where ours is the energy per atom.
    """

    energy: float = 30.0
    forces: float = 1.0
    virial: float = 1.0
    per_config_type: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def __post_init__(self):
        checks = [("", kind, getattr(self, kind)) for kind in KINDS]
        for config_type, overrides in self.per_config_type.items():
            unknown = set(overrides) - set(KINDS)
            if unknown:
                raise FitError(f"unknown weight kind(s) {sorted(unknown)} for {config_type!r}; known: {KINDS}")
            checks += [(config_type, kind, value) for kind, value in overrides.items()]
        for config_type, kind, value in checks:
            if not (np.isfinite(value) and value >= 0):
                where = f" of config_type {config_type!r}" if config_type else ""
                raise FitError(f"weight {kind!r}{where} must be finite and >= 0, got {value}")

    def of(self, config_type: str) -> np.ndarray:
        """(3,) weights w = 1/σ (energy, forces, virial) for one config_type."""
        overrides = self.per_config_type.get(config_type, {})
        return np.array([overrides.get(kind, getattr(self, kind)) for kind in KINDS])

    def loss_of(self, config_type: str) -> np.ndarray:
        """(3,) factors w^2 = 1/σ^2 of the squared residuals (energy, forces, virial) in the loss."""
        return self.of(config_type) ** 2


def config_type(atoms: Atoms) -> str:
    """The structure's ``info['config_type']`` (its family), or ``'default'``."""
    return str(atoms.info.get("config_type", "default"))


def structure_labels(atoms: Atoms, index: int = 0):
    """Energy (eV), forces (N, 3) eV/A and stress (6,) eV/A^3 (Voigt) or None of a labelled
    structure, checked: a :class:`FitError` names structure ``index`` if a label is missing, of the
    wrong shape or not finite."""
    calc = atoms.calc
    results = getattr(calc, "results", None) or {}
    where = f"structure {index} ({atoms.get_chemical_formula()}, config_type {atoms.info.get('config_type', '?')!r})"
    if "energy" not in results:
        raise FitError(f"{where} has no energy label")
    if "forces" not in results:
        raise FitError(f"{where} has no forces label")
    energy = float(results["energy"])
    forces = np.asarray(results["forces"], dtype=float)
    stress = results.get("stress")
    stress = None if stress is None or not atoms.pbc.all() else np.asarray(stress, dtype=float).reshape(-1)
    if stress is not None and stress.shape == (9,):
        stress = stress.reshape(3, 3)[VOIGT]
    if stress is not None and stress.shape != (6,):
        raise FitError(f"{where}: the stress label has {stress.size} components, expected 6 (Voigt) or 3 x 3")
    if forces.shape != (len(atoms), 3):
        raise FitError(f"{where}: forces have shape {forces.shape}, expected {(len(atoms), 3)}")
    for name, value in (("energy", energy), ("forces", forces), ("stress", stress)):
        if value is not None and not np.all(np.isfinite(value)):
            raise FitError(f"{where}: the {name} label contains NaN or inf")
    return energy, forces, stress


def structure_rows(basis: ACEBasis, atoms: Atoms, e0: float, index: int = 0, rows=None):
    """Unweighted rows of one labelled structure.

    Parameters
    ----------
    rows : DesignRows, optional
        Precomputed ``basis.design(atoms)`` (e.g. from a cache).

    Returns
    -------
    X : (n_rows, n_basis) array; y : (n_rows,) targets; kind : (n_rows,) int (0 energy, 1 force, 2 virial)
    """
    if len(atoms) == 0:
        raise FitError(f"structure {index} is empty")
    energy, forces, stress = structure_labels(atoms, index)
    rows = basis.design(atoms) if rows is None else rows
    n = len(atoms)
    blocks = [rows.energy[None] / n, rows.forces.reshape(3 * n, -1)]
    targets = [[(energy - n * e0) / n], forces.ravel()]
    kinds = [[ENERGY], np.full(3 * n, FORCE)]
    if stress is not None and rows.stress is not None:
        per_atom_volume = atoms.get_volume() / n
        blocks.append(-rows.stress * per_atom_volume)
        targets.append(-stress * per_atom_volume)
        kinds.append(np.full(6, VIRIAL))
    return np.vstack(blocks), np.concatenate(targets), np.concatenate(kinds).astype(int)


@dataclass
class LinearSystem:
    """The stacked, unweighted linear system of a dataset.

    X (n_rows, n_basis); y (n_rows,); kind (n_rows,) 0/1/2 for energy/force/virial rows;
    structure (n_rows,) index of the structure of each row; config_types (n_structures,);
    n_atoms (n_structures,).
    """

    X: np.ndarray
    y: np.ndarray
    kind: np.ndarray
    structure: np.ndarray
    config_types: list[str]
    n_atoms: np.ndarray

    def row_weights(self, weights: Weights) -> np.ndarray:
        """(n_rows,) weight w = 1/σ of every row (the factor that multiplies the row)."""
        per_structure = np.array([weights.of(c) for c in self.config_types]).reshape(-1, 3)
        return per_structure[self.structure, self.kind]

    def loss_weights(self, weights: Weights) -> np.ndarray:
        """(n_rows,) w^2 = 1/σ^2 of every row: the diagonal of W in the loss |W^1/2 (X c - y)|^2."""
        return self.row_weights(weights) ** 2


def _npz_bytes(arrays: dict) -> bytes:
    """The ``np.savez`` file of ``arrays`` (uncompressed: the rows do not compress), as bytes."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _save_npz_atomic(path: str | os.PathLike, arrays: dict) -> None:
    """``np.savez`` of ``arrays`` written atomically (:func:`linace.io.write_atomic`): an interrupted
    write leaves no truncated file."""
    write_atomic(path, _npz_bytes(arrays))


def structures_checksum(structures: Sequence[Atoms]) -> str:
    """SHA-256 of the geometry of a list of structures (numbers, positions, cell, pbc): identifies
    the dataset of a design-row cache entry, whose rows depend on the geometry only (not on the
    labels)."""
    digest = hashlib.sha256()
    for atoms in structures:
        for array in (atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc):
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


#: byte budget of a :class:`DesignCache` unless given or set in the environment: 1 GB (10^9 bytes).
#: The study's default sweep on carbon keeps 0.78 GB of rows (44 entries, K = 2..5), so it runs
#: without eviction; silicon's sweep, the chapters and every change of the code (a new key) add more.
DEFAULT_CACHE_BYTES = 10**9
#: environment variable with the byte budget of every :class:`DesignCache` built without one:
#: a number of bytes with an optional decimal suffix k, M, G or T (and B), e.g. ``500M``, ``2G``;
#: ``0`` stores nothing
CACHE_SIZE_VARIABLE = "LINACE_CACHE_SIZE"
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?)\s*([kmgt]?)b?\s*", re.IGNORECASE)
_SUFFIX = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
#: a temporary file of a cache write older than this (s) belongs to a writer that died (a write takes seconds)
STALE_TEMPORARY_SECONDS = 3600.0

try:  # advisory locks mark the entries being read (POSIX); without them nothing is marked in use
    import fcntl
except ImportError:  # pragma: no cover  (Windows)
    fcntl = None


def _lock(stream, exclusive: bool) -> bool | None:
    """Take an advisory lock on an open file: shared, or exclusive without waiting. True if taken,
    False if another holder stops it (in use), None where the file system has no locks (e.g. some
    NFS mounts) or the platform none: the cache then works without marking entries in use."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(stream, (fcntl.LOCK_EX | fcntl.LOCK_NB) if exclusive else fcntl.LOCK_SH)
    except BlockingIOError:
        return False
    except OSError:  # ENOLCK, EINVAL: no locks here
        return None
    return True


def cache_budget(text: str | None = None) -> int:
    """The byte budget of the design-row cache: ``text`` (default ``$LINACE_CACHE_SIZE``, else
    :data:`DEFAULT_CACHE_BYTES`), a number of bytes with an optional decimal suffix, e.g. ``500M``.

    >>> cache_budget("2.5G")
    2500000000
    """
    if text is None:
        text = os.environ.get(CACHE_SIZE_VARIABLE)
        if text is None:
            return DEFAULT_CACHE_BYTES
    match = _SIZE.fullmatch(text)
    if match is None:
        raise FitError(
            f"{CACHE_SIZE_VARIABLE}={text!r} is not a size: expected a number of bytes with an optional "
            f"suffix k, M, G or T (powers of 1000), e.g. 500M or 2G; 0 caches nothing"
        )
    return int(float(match[1]) * _SUFFIX[match[2].lower()])


class DesignCache:
    """On-disk cache of design rows, keyed by basis parameters, dataset checksum and library source,
    within a byte budget.

    One ``design-<key>.npz`` file per (basis, dataset); written atomically (a temporary file and
    ``os.replace``), so an interrupted write leaves no corrupt entry. A file that cannot be read is
    recomputed (and replaced).

    **Budget.** The entries together take at most ``max_bytes`` (default :func:`cache_budget`: 1 GB,
    or ``$LINACE_CACHE_SIZE``). After each store the least recently used entries are removed until
    they fit: an entry's use is its file's modification time, set when it is stored and each time it
    is loaded. An entry larger than the whole budget is not stored (its rows are returned all the
    same). An entry *in use* is never removed: a process reading one holds a shared advisory lock on
    it (``flock``) and eviction takes only entries it can lock exclusively, so while other processes
    read, the total may exceed the budget until the next store (on a file system without locks
    entries are not marked, and one removed under a reader is still read whole: POSIX unlink).
    Temporary files of writers that died (older than :data:`STALE_TEMPORARY_SECONDS`) are removed
    with the evicted entries. Nothing here
    can leave the cache inconsistent: there is no index besides the files themselves, a removal is
    one ``unlink``, and an entry removed under a reader is read whole or computed again. Evicted rows
    are recomputed identically (the same code on the same structures), so results do not depend on
    the budget.
    """

    def __init__(self, directory: str | os.PathLike, max_bytes: int | None = None):
        self.directory = Path(directory)
        self.max_bytes = cache_budget() if max_bytes is None else int(max_bytes)
        if self.max_bytes < 0:
            raise FitError(f"the byte budget of a design cache must be non-negative, got {max_bytes}")

    def key(self, basis: ACEBasis, structures: Sequence[Atoms]) -> str:
        payload = json.dumps(
            {"basis": basis.parameters(), "data": structures_checksum(structures), "linace": source_digest()},
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:24]

    def path(self, basis: ACEBasis, structures: Sequence[Atoms]) -> Path:
        return self.directory / f"design-{self.key(basis, structures)}.npz"

    @staticmethod
    def encode(arrays: dict) -> bytes:
        """The bytes an entry of ``arrays`` takes on disk."""
        return _npz_bytes(arrays)

    def load(self, basis: ACEBasis, structures: Sequence[Atoms]):
        """Cached (energy, forces, stress) row arrays, or None; a hit marks the entry as used now."""
        path = self.path(basis, structures)
        try:
            with open(path, "rb") as stream:
                _lock(stream, exclusive=False)  # in use: eviction passes it over
                with np.load(stream) as stored:
                    arrays = {name: stored[name] for name in stored.files}
        except Exception:  # absent, corrupted or truncated: recompute
            return None
        try:
            os.utime(path)  # least recently used: this one was used now
        except OSError:
            pass
        return arrays

    def store(self, basis: ACEBasis, structures: Sequence[Atoms], arrays: dict) -> None:
        """Write an entry (unless it alone exceeds the budget), then evict down to the budget."""
        data = self.encode(arrays)
        if len(data) > self.max_bytes:
            return
        path = self.path(basis, structures)
        write_atomic(path, data)
        self.evict(keep=path)

    def entries(self) -> list[tuple[Path, int, int]]:
        """(path, size in bytes, time of last use in ns) of every entry, least recently used first."""
        found = []
        for path in self.directory.glob("design-*.npz"):
            try:
                status = path.stat()
            except FileNotFoundError:  # evicted meanwhile
                continue
            found.append((status.st_mtime_ns, path.name, path, status.st_size))
        return [(path, size, used) for used, _, path, size in sorted(found)]

    def size(self) -> int:
        """Bytes taken by the entries."""
        return sum(size for _, size, _ in self.entries())

    def evict(self, keep: Path | None = None) -> list[Path]:
        """Remove least recently used entries until they fit the budget, passing over ``keep`` and
        every entry in use (see the class docstring), and stale temporary files; returns the
        entries removed."""
        self._remove_stale_temporaries()
        entries = self.entries()
        total = sum(size for _, size, _ in entries)
        removed = []
        for path, size, _ in entries:
            if total <= self.max_bytes:
                break
            if path == keep or not self._remove_unless_in_use(path):
                continue
            total -= size
            removed.append(path)
        return removed

    @staticmethod
    def _remove_unless_in_use(path: Path) -> bool:
        """Unlink the entry at ``path`` if no process holds a lock on it; True if it is gone."""
        try:
            with open(path, "rb") as stream:
                if _lock(stream, exclusive=True) is False:  # a reader holds it: in use
                    return False
                if os.stat(path).st_ino != os.fstat(stream.fileno()).st_ino:
                    return False  # replaced by a fresh entry since it was listed
                os.unlink(path)
        except FileNotFoundError:  # removed by another process
            pass
        return True

    def _remove_stale_temporaries(self) -> None:
        cutoff = time.time() - STALE_TEMPORARY_SECONDS
        for path in self.directory.glob(".design-*.npz.*.tmp"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:  # finished or removed meanwhile
                continue


def _design_arrays(basis: ACEBasis, structures: Sequence[Atoms], progress: bool) -> dict:
    """Energy, force and stress rows of every structure, concatenated (the cacheable part)."""
    # the console bar: tqdm.auto would pick the widget bar in a Jupyter kernel, which needs ipywidgets
    # (not a dependency) and, without it, warns (TqdmWarning) into the notebook on import, bar or not
    from tqdm import tqdm

    energies, forces, stresses = [], [], []
    for atoms in tqdm(structures, desc=f"design rows (K={basis.body_order})", disable=not progress, leave=False):
        rows = basis.design(atoms)
        energies.append(rows.energy)
        forces.append(rows.forces.reshape(-1, len(basis)))
        stresses.append(rows.stress if rows.stress is not None else np.full((6, len(basis)), np.nan))
    return {
        "energy": np.array(energies).reshape(len(structures), len(basis)),
        "forces": np.vstack(forces) if forces else np.zeros((0, len(basis))),
        "stress": np.array(stresses).reshape(len(structures), 6, len(basis)),
    }


def design_arrays(
    basis: ACEBasis,
    structures: Sequence[Atoms],
    cache: DesignCache | str | os.PathLike | None = None,
    progress: bool = False,
) -> dict:
    """Design rows of every structure, from ``cache`` if it has them (else computed and stored).

    Returns {"energy": (n_structures, n_basis), "forces": (3 n_atoms_total, n_basis) with rows
    (atom, x) in structure order, "stress": (n_structures, 6, n_basis), NaN where not periodic}.
    """
    cache = DesignCache(cache) if isinstance(cache, (str, os.PathLike)) else cache
    arrays = cache.load(basis, structures) if cache else None
    if arrays is None:
        arrays = _design_arrays(basis, structures, progress)
        if cache:
            cache.store(basis, structures, arrays)
    return arrays


def select_structures(arrays: dict, n_atoms: Sequence[int], indices: Sequence[int]) -> dict:
    """The design arrays (:func:`design_arrays`) of a subset of the structures, in the order of ``indices``.

    ``n_atoms`` (n_structures,) are the atom counts of all structures the arrays belong to. A
    resampled training set (a random draw of a data set) takes its rows from the arrays of the whole
    set this way, so that its fit costs only a solve.
    """
    n_atoms = np.asarray(n_atoms, dtype=int)
    indices = np.asarray(indices, dtype=int)
    if len(n_atoms) != len(arrays["energy"]):
        raise ValueError(f"{len(n_atoms)} atom counts for design arrays of {len(arrays['energy'])} structures")
    if indices.size and (indices.min() < 0 or indices.max() >= len(n_atoms)):
        raise IndexError(f"structure indices must lie in 0..{len(n_atoms) - 1}")
    first_row = np.concatenate([[0], np.cumsum(3 * n_atoms)])[indices]  # first force row of each chosen structure
    count = 3 * n_atoms[indices]
    shift = first_row - np.concatenate([[0], np.cumsum(count)[:-1]])
    force_rows = np.repeat(shift, count) + np.arange(count.sum())
    return {
        "energy": arrays["energy"][indices],
        "forces": arrays["forces"][force_rows],
        "stress": arrays["stress"][indices],
    }


def linear_system(
    basis: ACEBasis,
    structures: Sequence[Atoms],
    e0: float,
    cache: DesignCache | str | os.PathLike | None = None,
    progress: bool = False,
    arrays: dict | None = None,
) -> LinearSystem:
    """Stack the rows of every structure (see :func:`structure_rows`).

    The design rows come from ``arrays`` if given (as returned by :func:`design_arrays`, e.g. a
    subset taken with :func:`select_structures`), else from ``cache`` (computed if missing).
    """
    if len(structures) == 0:
        raise FitError("the training set is empty")
    if not np.isfinite(e0):
        raise FitError(f"E0 must be finite, got {e0}")
    for index, atoms in enumerate(structures):  # fail on bad labels before the expensive part
        basis.check_structure(atoms)
        if len(atoms) == 0:
            raise FitError(f"structure {index} is empty")
        structure_labels(atoms, index)
    if arrays is None:
        arrays = design_arrays(basis, structures, cache, progress)
    elif len(arrays["energy"]) != len(structures):
        raise FitError(f"design arrays of {len(arrays['energy'])} structures given for {len(structures)} structures")
    X, y, kind, owner = [], [], [], []
    offset = 0
    for index, atoms in enumerate(structures):
        n = len(atoms)
        stress = arrays["stress"][index]
        rows = DesignRows(
            arrays["energy"][index],
            arrays["forces"][offset : offset + 3 * n].reshape(n, 3, -1),
            None if np.isnan(stress).all() else stress,
        )
        offset += 3 * n
        Xs, ys, ks = structure_rows(basis, atoms, e0, index, rows)
        X.append(Xs), y.append(ys), kind.append(ks), owner.append(np.full(len(ys), index))
    return LinearSystem(
        X=np.vstack(X),
        y=np.concatenate(y),
        kind=np.concatenate(kind),
        structure=np.concatenate(owner),
        config_types=[config_type(a) for a in structures],
        n_atoms=np.array([len(a) for a in structures]),
    )


# --------------------------------------------------------------------------- priors and solvers
def smoothness_prior(basis: ACEBasis, p: float = 2.0, l_weight: float = 1.0) -> np.ndarray:
    r"""Diagonal of an algebraic smoothness prior Γ, (n_basis,).

    .. math:: \gamma_B = 1 + \sum_t \big[(n_t - 1)^p + (w_L\, l_t)^p\big]

    Functions with more radial nodes or higher angular degree are penalised more, so that
    :math:`\alpha\|\Gamma c\|^2` favours smooth potentials (cf. ``algebraic_smoothness_prior`` of
    ACEpotentials.jl). The constant pair function (n = 1, l = 0) has γ = 1. ``l_weight`` is the
    prior's own weight of the angular degree, independent of the basis's truncation weight
    (:attr:`linace.basis.ACEBasis.l_weight`); :func:`fit` uses the defaults.
    """
    return np.array([1.0 + sum((n - 1) ** p + (l_weight * l) ** p for n, l in f.nl) for f in basis.functions])


def _prior_diagonal(basis: ACEBasis, prior: str) -> np.ndarray:
    if prior not in PRIORS:
        raise FitError(f"unknown prior {prior!r}; known: {PRIORS}")
    return np.ones(len(basis)) if prior == "none" else smoothness_prior(basis)


def _check_rows(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> None:
    """A weighted linear system is well formed: X (n_rows, n_basis), y and w (n_rows,), all finite,
    w >= 0; else a :class:`FitError` naming the first bad row."""
    if X.ndim != 2 or np.shape(y) != (X.shape[0],) or np.shape(w) != (X.shape[0],):
        raise FitError(
            f"a design matrix of shape {X.shape} needs targets and weights of shape ({X.shape[0]},), "
            f"got {np.shape(y)} and {np.shape(w)}"
        )
    for name, values in (("design matrix", X), ("targets", y), ("weights", w)):
        bad = np.flatnonzero(~np.isfinite(values.reshape(X.shape[0], -1)).all(axis=1))
        if bad.size:
            raise FitError(f"row {bad[0]} of the {name} is not finite (NaN or inf)")
    negative = np.flatnonzero(w < 0)
    if negative.size:
        raise FitError(f"row {negative[0]} has a negative weight ({w[negative[0]]:g})")


def solve_least_squares(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, alpha: float = 0.0, gamma: np.ndarray | None = None
) -> tuple[np.ndarray, dict]:
    """argmin_c |W^1/2 (X c - y)|^2 + alpha |Γ c|^2 by ``scipy.linalg.lstsq`` on the stacked system;
    ``w`` (n_rows,) is the diagonal of W, the squared row weights 1/σ^2 (:meth:`LinearSystem.loss_weights`).

    Columns are scaled to unit norm first (better conditioning; the solution is scaled back).
    Raises :class:`FitError` if the system is rank deficient and ``alpha == 0``.
    """
    n_basis = X.shape[1]
    gamma = np.ones(n_basis) if gamma is None else np.asarray(gamma, dtype=float)
    if alpha < 0 or not np.isfinite(alpha):
        raise FitError(f"alpha must be finite and >= 0, got {alpha}")
    _check_rows(X, y, w)
    sqrt_w = np.sqrt(w)
    A = X * sqrt_w[:, None]
    b = y * sqrt_w
    if alpha > 0:
        A = np.vstack([A, np.sqrt(alpha) * np.diag(gamma)])
        b = np.concatenate([b, np.zeros(n_basis)])
    scale = np.linalg.norm(A, axis=0)
    scale[scale == 0] = 1.0
    c, _, rank, singular = scipy.linalg.lstsq(A / scale, b, lapack_driver="gelsd")
    if rank < n_basis:
        raise FitError(
            f"the weighted design matrix has rank {rank} < {n_basis} basis functions: add data or "
            f"regularise (alpha > 0)"
        )
    return c / scale, {"rank": int(rank), "condition_number": float(singular[0] / singular[-1])}


def bayesian_regression(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    gamma: np.ndarray | None = None,
    max_iterations: int = 1000,
    tolerance: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, dict]:
    r"""Bayesian linear regression with evidence maximisation (MacKay's fixed-point updates).

    Likelihood :math:`y \sim \mathcal N(X c, (\beta W)^{-1})` with ``w`` (n_rows,) the diagonal of
    W, the squared row weights 1/σ^2 (:meth:`LinearSystem.loss_weights`); prior
    :math:`c \sim \mathcal N(0, (\alpha \Gamma^2)^{-1})`. With :math:`\tilde X = W^{1/2} X \Gamma^{-1}
    = U S V^T`, iterate :math:`\gamma = \sum_k \beta s_k^2 / (\alpha + \beta s_k^2)`,
    :math:`\alpha = \gamma / |\tilde m|^2`, :math:`\beta = (N - \gamma) / |\tilde y - \tilde X \tilde m|^2`.

    Returns
    -------
    mean : (n_basis,) posterior mean of c
    covariance : (n_basis, n_basis) posterior covariance of c
    info : dict with alpha, beta, effective number of parameters, log evidence (of the weighted
        targets :math:`W^{1/2} y`; that of y itself adds :math:`\tfrac12 \sum_r \log w_r`, a constant
        for fixed weights), iterations, converged
    """
    _check_rows(X, y, w)
    n_rows, n_basis = X.shape
    gamma = np.ones(n_basis) if gamma is None else np.asarray(gamma, dtype=float)
    sqrt_w = np.sqrt(w)
    Xt = X * sqrt_w[:, None] / gamma[None, :]
    yt = y * sqrt_w
    s, Vt, projections, residual = scaled_spectrum(Xt, yt)
    return evidence_maximisation(
        s, Vt, projections, residual, n_rows, gamma, float(np.var(yt)), max_iterations, tolerance
    )


def scaled_spectrum(Xt: np.ndarray, yt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    r"""The spectral data :func:`evidence_maximisation` needs of the scaled system
    :math:`\tilde X = U S V^T` (n_rows, n_basis), :math:`\tilde y` (n_rows,): the singular values
    ``s`` (k,), the right singular vectors ``Vt`` (k, n_basis), the projections :math:`U^T \tilde y`
    (k,) of the targets on the left vectors, and the residual :math:`\rho^2 = |\tilde y - U U^T
    \tilde y|^2`, the part of :math:`|\tilde y|^2` no coefficients can fit; k = min(n_rows, n_basis).

    A tall system (more rows than columns, every fit to forces) is first reduced by the QR
    decomposition of :math:`[\tilde X \,|\, \tilde y]`, whose triangular factor R holds
    :math:`R_x` (n_basis, n_basis) with :math:`\tilde X = Q R_x`, :math:`r_y = Q^T \tilde y` and
    :math:`\rho = R_{n n}` (n = n_basis): :math:`R_x = U_R S V^T` has the singular values and right
    vectors of :math:`\tilde X`, and :math:`U_R^T r_y` are the projections. Householder QR is
    backward stable like the SVD itself (no Gram matrix, whose round-off grows with the square of
    the condition number), never forms the (n_rows, n_basis) left vectors, and gives the residual
    directly rather than as a difference of two large numbers; it agrees with the SVD of
    :math:`\tilde X` to round-off, 1.4-1.8 times faster on the study's K = 4, 5 systems
    (``benchmarks/solver.py``). The triangular factor of a streamed fit (:mod:`linace.streaming`)
    goes through the same function.
    """
    n_rows, n_basis = Xt.shape
    if n_rows <= n_basis:
        U, s, Vt = scipy.linalg.svd(Xt, full_matrices=False, lapack_driver="gesdd", check_finite=False)
        projections = U.T @ yt
        return s, Vt, projections, float(np.sum((yt - U @ projections) ** 2))
    R = scipy.linalg.qr(np.column_stack([Xt, yt]), mode="r", check_finite=False)[0]
    U, s, Vt = scipy.linalg.svd(R[:n_basis, :n_basis], full_matrices=False, lapack_driver="gesdd", check_finite=False)
    return s, Vt, U.T @ R[:n_basis, n_basis], float(R[n_basis, n_basis] ** 2)


def evidence_maximisation(
    s: np.ndarray,
    Vt: np.ndarray,
    projections: np.ndarray,
    residual: float,
    n_rows: int,
    gamma: np.ndarray,
    target_variance: float,
    max_iterations: int = 1000,
    tolerance: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, dict]:
    r"""The fixed-point iteration of :func:`bayesian_regression`, from the spectral data of the scaled
    design matrix :math:`\tilde X = W^{1/2} X \Gamma^{-1} = U S V^T`.

    Parameters
    ----------
    s : (k,) singular values of :math:`\tilde X` (k <= n_basis; zeros allowed; the rest of the
        coefficient space is its null space); Vt : (k, n_basis) the right singular vectors;
    projections : (k,) :math:`z = U^T \tilde y`; residual : :math:`\rho^2 = |\tilde y|^2 - |z|^2`,
    what no coefficients can fit; n_rows : number of rows; gamma : (n_basis,) prior diagonal;
    target_variance : variance of :math:`\tilde y` (starting values of the iteration).

    These are all a solver needs (:func:`scaled_spectrum`, from the rows or from the triangular
    factor of a streamed fit). Nothing is divided by a singular value, so directions the data hardly
    determine keep their posterior (:math:`1/(\alpha + \beta s^2)`). The misfit is a sum of
    squares, :math:`|\tilde y - \tilde X m|^2 = \rho^2 + \sum_k (z_k - s_k m_k)^2` with
    :math:`z_k - s_k m_k = \alpha z_k / (\alpha + \beta s_k^2)` (m in the V basis), not the
    difference :math:`|\tilde y|^2 - 2 m^T S z + m^T S^2 m`, which loses the digits of a small misfit
    to those of :math:`|\tilde y|^2`. ``info["converged"]`` is False (and a warning is issued) if
    the iteration stopped at ``max_iterations``.
    """
    n_basis = Vt.shape[1]
    s = np.asarray(s, dtype=float)
    s2 = s**2

    def mean_and_misfit(alpha, beta):
        shrink = alpha + beta * s2
        m_coords = beta * s * projections / shrink  # posterior mean in the V basis
        misfit = residual + float(np.sum((alpha * projections / shrink) ** 2))
        return m_coords, misfit

    alpha = 1.0 / max(target_variance, 1e-300) * 1e-3
    beta = 1.0 / max(target_variance, 1e-300)
    converged = False
    for iteration in range(1, max_iterations + 1):  # noqa: B007  (the count is reported after the loop)
        effective = float(np.sum(beta * s2 / (alpha + beta * s2)))
        m_coords, misfit = mean_and_misfit(alpha, beta)
        new_alpha = effective / max(float(m_coords @ m_coords), 1e-300)
        new_beta = max(n_rows - effective, 1e-12) / max(misfit, 1e-300)
        converged = abs(np.log(new_alpha / alpha)) < tolerance and abs(np.log(new_beta / beta)) < tolerance
        alpha, beta = new_alpha, new_beta
        if converged:
            break
    if not converged:
        warnings.warn(
            f"evidence maximisation did not converge in {max_iterations} iterations "
            f"(alpha = {alpha:.3g}, beta = {beta:.3g}); the posterior is that of the last iterate",
            RuntimeWarning,
            stacklevel=3,
        )
    m_coords, misfit = mean_and_misfit(alpha, beta)
    mean = (Vt.T @ m_coords) / gamma
    # posterior covariance in the scaled coordinates: V diag(1/(alpha + beta s^2)) V^T + null space / alpha
    posterior = (Vt.T / (alpha + beta * s2)) @ Vt
    if len(s2) < n_basis:
        posterior += (np.eye(n_basis) - Vt.T @ Vt) / alpha
    covariance = posterior / gamma[:, None] / gamma[None, :]
    log_evidence = 0.5 * (
        n_basis * np.log(alpha)
        + n_rows * np.log(beta)
        - beta * misfit
        - alpha * float(m_coords @ m_coords)
        - np.sum(np.log(alpha + beta * s2))
        - (n_basis - len(s2)) * np.log(alpha)
        - n_rows * np.log(2 * np.pi)
    )
    return (
        mean,
        covariance,
        {
            "alpha": float(alpha),
            "beta": float(beta),
            "noise_rmse_weighted": float(1 / np.sqrt(beta)),
            "effective_parameters": float(effective),
            "log_evidence": float(log_evidence),
            "iterations": iteration,
            "converged": bool(converged),
        },
    )


# --------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class FitInfo:
    r"""How a fit went: what :func:`fit` (and :func:`linace.streaming.fit_streaming`) record next to the
    coefficients. A field is None when the fit does not define it (e.g. ``rank`` for the Bayesian
    solver); :meth:`as_dict` leaves those out, in field order, which is the order the fit records them in
    (run records store that dict under ``"fit"``).

    Attributes
    ----------
    rank : int
        ``lstsq``: rank of the weighted, column-scaled (and regularised) design matrix.
    condition_number : float
        ``lstsq``: largest over smallest singular value of that matrix.
    alpha : float
        Regularisation strength in the loss :math:`|W^{1/2}(Xc - y)|^2 + \alpha |\Gamma c|^2`, in 1/eV^2 per
        squared coefficient: ``lstsq``, the relative ``alpha`` of :func:`fit` times the mean squared column
        norm of the weighted design matrix; ``blr``, the prior precision found by evidence maximisation.
    beta : float
        ``blr``: the noise precision of the weighted residuals (dimensionless, 1 if the weights are 1/σ).
    noise_rmse_weighted : float
        ``blr``: 1/sqrt(beta), the RMS of the weighted residuals the evidence implies (dimensionless).
    effective_parameters : float
        ``blr``: γ, the number of parameters the data determine.
    log_evidence : float
        ``blr``: the log evidence of the weighted targets (nats).
    iterations : int
        ``blr``: iterations of the evidence maximisation.
    converged : bool
        ``blr``: whether it converged within its iterations.
    solver : str
        ``"lstsq"`` or ``"blr"``.
    prior : str
        ``"none"`` or ``"smoothness"``.
    assembly : str
        ``"normal equations"`` for a streamed fit (:mod:`linace.streaming`); None for a dense one.
    n_structures : int
        Structures fitted.
    n_rows : int
        Rows of the linear system (energies, force components, virials).
    design_seconds : float
        Wall time (s) of the design rows (streamed: of assembling the normal equations).
    solve_seconds : float
        Wall time (s) of the solve.
    energy_zero : str
        ``"atom"`` or ``"fit"`` (dense fits; :func:`fit`).
    energy_zero_shift_eV : float
        ``energy_zero="fit"``: the fitted per-atom constant (eV) added to the isolated atom's energy.
    isolated_atom_e0_eV : float
        ``energy_zero="fit"``: the isolated atom's energy given to the fit (eV).
    fit_seconds : float
        Wall time (s) of the whole fit, as its caller measured it (:func:`linace.study.runs.train`).
    """

    rank: int | None = None
    condition_number: float | None = None
    alpha: float | None = None
    beta: float | None = None
    noise_rmse_weighted: float | None = None
    effective_parameters: float | None = None
    log_evidence: float | None = None
    iterations: int | None = None
    converged: bool | None = None
    solver: str | None = None
    prior: str | None = None
    assembly: str | None = None
    n_structures: int | None = None
    n_rows: int | None = None
    design_seconds: float | None = None
    solve_seconds: float | None = None
    energy_zero: str | None = None
    energy_zero_shift_eV: float | None = None
    isolated_atom_e0_eV: float | None = None
    fit_seconds: float | None = None

    def as_dict(self) -> dict:
        """The fields that are set, in field order: the ``info`` dict of a fit as it was always recorded."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if getattr(self, f.name) is not None}

    @classmethod
    def from_dict(cls, info: Mapping) -> FitInfo:
        """The fit information of an ``info`` dict (:meth:`as_dict`, or a saved model's header)."""
        unknown = set(info) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            known = [f.name for f in dataclasses.fields(cls)]
            raise FitError(f"unknown fit information {sorted(unknown)}; known: {known}")
        return cls(**info)


@dataclass
class ACEModel:
    r"""A fitted linear ACE potential :math:`E = N e_0 + \sum_b c_b \sum_i B_b(i)`.

    ``save``/``load`` use one ``.npz`` file whose header holds the spec, e0 and the fit information;
    files saved before the spec existed (a ``basis_parameters`` header) load as well.

    Attributes
    ----------
    spec : BasisSpec
        The basis (:class:`linace.spec.BasisSpec`); a mapping of basis parameters
        (``ACEBasis.parameters()``) is accepted and converted.
    coefficients : (n_basis,) array
        c_b in eV.
    e0 : float
        The one-body energy per atom (eV).
    covariance : (n_basis, n_basis) array or None
        Posterior covariance of the coefficients (eV^2) when the fit was Bayesian.
    fit_info : FitInfo
        How the fit went; a dict of its fields is accepted and converted. ``info`` is its
        :meth:`FitInfo.as_dict`, read-only.
    """

    spec: BasisSpec
    coefficients: np.ndarray
    e0: float
    covariance: np.ndarray | None = None
    fit_info: FitInfo = field(default_factory=FitInfo)

    def __post_init__(self):
        if not isinstance(self.spec, BasisSpec):
            self.spec = BasisSpec.from_dict(self.spec)
        if not isinstance(self.fit_info, FitInfo):
            self.fit_info = FitInfo.from_dict(self.fit_info)
        self.coefficients = np.asarray(self.coefficients, dtype=float)
        self._basis = None

    @property
    def basis(self) -> ACEBasis:
        """The basis of :attr:`spec` (built once)."""
        if self._basis is None or self._basis.spec != self.spec:
            self._basis = ACEBasis.from_spec(self.spec)
        return self._basis

    @property
    def basis_parameters(self) -> dict:
        """The basis's constructor arguments, ``spec.to_dict()``."""
        return self.spec.to_dict()

    @property
    def info(self) -> Mapping:
        """The fit information as a read-only dict (:meth:`FitInfo.as_dict`)."""
        return MappingProxyType(self.fit_info.as_dict())

    def calculator(self) -> ACECalculator:
        """An ASE calculator of this potential."""
        return ACECalculator(self.basis, self.coefficients, self.e0)

    def save(self, path: str | os.PathLike) -> None:
        header = json.dumps(
            {"basis_spec": self.spec.to_dict(), "e0": self.e0, "info": self.fit_info.as_dict(), "linace": __version__}
        )
        arrays = {"header": np.array(header), "coefficients": self.coefficients}
        if self.covariance is not None:
            arrays["covariance"] = self.covariance
        _save_npz_atomic(path, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike) -> ACEModel:
        try:
            with np.load(path) as stored:
                header = json.loads(str(stored["header"]))
                coefficients = stored["coefficients"]
                covariance = stored["covariance"] if "covariance" in stored.files else None
            spec = header["basis_spec"] if "basis_spec" in header else header["basis_parameters"]  # before the spec
        except (OSError, ValueError, KeyError) as error:
            raise FitError(f"{path} is not a readable linace model file: {error}") from error
        return cls(BasisSpec.from_dict(spec), coefficients, header["e0"], covariance, header.get("info", {}))


#: conventions of the one-body term (:func:`fit`): the isolated atom's energy, or fitted
ENERGY_ZEROS = ("atom", "fit")
#: the prior of a fitted energy zero is this many times wider than the widest coefficient prior (flat)
FLAT_PRIOR_SCALE = 1e-6


def fit(
    basis: ACEBasis,
    structures: Sequence[Atoms],
    e0: float,
    weights: Weights | None = None,
    solver: str = "lstsq",
    prior: str = "none",
    alpha: float = 1e-8,
    cache: DesignCache | str | os.PathLike | None = None,
    progress: bool = False,
    arrays: dict | None = None,
    energy_zero: str = "atom",
) -> ACEModel:
    """Fit a linear ACE potential to labelled structures.

    Parameters
    ----------
    e0 : the one-body energy (eV): the isolated atom's energy, the energy zero of the site energies.
    energy_zero : "atom" (the one-body term is ``e0``, as in ACEpotentials.jl: every potential tends to
        the isolated atoms) or "fit" (a per-atom constant is fitted with the coefficients, as pacemaker
        fits its reference energy: the model's one-body term is ``e0 + shift``, so its dimer curve
        tends to ``2 (e0 + shift)``, not to two isolated atoms). The shift (eV) is recorded in
        ``info['energy_zero_shift_eV']``; its prior is flat (a Gaussian 10^6 times wider than the
        coefficients').
    solver : "lstsq" (regularised least squares with fixed ``alpha``) or "blr" (Bayesian regression;
        ``alpha`` and the noise level are chosen by evidence maximisation, the posterior covariance is kept).
    prior : "none" (Γ = I, ridge) or "smoothness" (:func:`smoothness_prior`).
    alpha : regularisation strength of the ``lstsq`` solver, relative to the mean squared column norm
        of the weighted design matrix (so it does not depend on the units of the weights).
    cache, arrays : where the design rows come from (see :func:`linear_system`).
    """
    if solver not in SOLVERS:
        raise FitError(f"unknown solver {solver!r}; known: {SOLVERS}")
    if energy_zero not in ENERGY_ZEROS:
        raise FitError(f"unknown energy zero {energy_zero!r}; known: {ENERGY_ZEROS}")
    weights = Weights() if weights is None else weights
    gamma = _prior_diagonal(basis, prior)
    start = time.perf_counter()
    system = linear_system(basis, structures, e0, cache=cache, progress=progress, arrays=arrays)
    design_seconds = time.perf_counter() - start
    if energy_zero == "fit":  # one more unknown: a per-atom constant, 1 in every per-atom energy row
        system = dataclasses.replace(system, X=np.hstack([system.X, (system.kind == ENERGY)[:, None].astype(float)]))
        gamma = np.append(gamma, FLAT_PRIOR_SCALE * gamma.min())
    w = system.loss_weights(weights)
    covariance = None
    if solver == "lstsq":
        column_scale = float(np.mean(np.sum(system.X**2 * w[:, None], axis=0)))
        coefficients, info = solve_least_squares(system.X, system.y, w, alpha * column_scale, gamma)
        info["alpha"] = alpha * column_scale
    else:
        coefficients, covariance, info = bayesian_regression(system.X, system.y, w, gamma)
    info.update(
        solver=solver,
        prior=prior,
        n_structures=len(structures),
        n_rows=len(system.y),
        design_seconds=design_seconds,
        solve_seconds=time.perf_counter() - start - design_seconds,
        energy_zero=energy_zero,
    )
    if energy_zero == "fit":
        shift = float(coefficients[-1])
        coefficients = coefficients[:-1]
        covariance = None if covariance is None else covariance[:-1, :-1]  # the coefficients' marginal
        info["energy_zero_shift_eV"] = shift
        return ACEModel(
            basis.spec,
            coefficients,
            float(e0) + shift,
            covariance,
            FitInfo.from_dict({**info, "isolated_atom_e0_eV": float(e0)}),
        )
    return ACEModel(basis.spec, coefficients, float(e0), covariance, FitInfo.from_dict(info))
