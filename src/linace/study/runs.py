"""The study's training run: one potential for (K, training set, basis variant, regularisation).

This is the pipeline of docs/design.md (section 4) for one point of the sweep grid, shared by the training
notebook (``book/04_train.py``), the sweep and the tests:

    data ──> basis(K, variant) ──> fit(regularisation) ──> errors on train and on the common test set
         ──> dimer curve + V_nu decomposition ──> run record (:mod:`linace.study.results`)
"""

from __future__ import annotations

import os
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from linace.analysis import DimerCurve, Predictions, dimer_curve, dimer_grid, error_table, predict
from linace.basis import ACEBasis
from linace.fit import ACEModel, DesignCache, Weights, design_arrays, fit, select_structures

from . import datasets
from .results import dft_dimer_curve, dimer_summary, run_record

__all__ = [
    "COMBINED_SETS",
    "DRAW_SEED",
    "REGULARISATIONS",
    "VARIANTS",
    "TrainingRun",
    "covering_grid",
    "dft_reference",
    "BASIS_SIZES",
    "load_training_set",
    "make_basis",
    "scaled_truncation",
    "train",
    "training_sets",
    "training_subset",
    "weights_of",
]

#: Basis variants: keyword arguments of :class:`~linace.basis.ACEBasis`. "pure" is the
#: self-interaction-free basis (same functions, products over distinct neighbours only).
VARIANTS = {"standard": {}, "pure": {"pure": True}}

#: Regularisation schemes: keyword arguments of :func:`linace.fit.fit`.
REGULARISATIONS = {
    "blr": {"solver": "blr", "prior": "none"},
    "blr-smooth": {"solver": "blr", "prior": "smoothness"},
    "ridge": {"solver": "lstsq", "prior": "none", "alpha": 1e-6},
    "smoothness": {"solver": "lstsq", "prior": "smoothness", "alpha": 1e-6},
}


#: Row weights of the study's fits. Energies and forces as in ACEpotentials.jl (30 per eV/atom,
#: 1 per eV/A); virials down-weighted to 0.1 per eV/atom because the reference stresses are not
#: converged at the plane-wave cut-off of the data (5-6 GPa for diamond, ~0.2 eV/atom of virial;
#: see ``known_issues`` in data/C/manifest.json).
DEFAULT_WEIGHTS = Weights(energy=30.0, forces=1.0, virial=0.1)


def weights_of(energy_weight: float = DEFAULT_WEIGHTS.energy) -> Weights:
    """The study's row weights with another energy:force ratio (forces 1, virials as
    :data:`DEFAULT_WEIGHTS`); the default ratio gives :data:`DEFAULT_WEIGHTS` itself."""
    if not np.isfinite(energy_weight) or energy_weight <= 0:
        raise ValueError(f"the energy weight must be a positive number, got {energy_weight}")
    return Weights(energy=float(energy_weight), forces=DEFAULT_WEIGHTS.forces, virial=DEFAULT_WEIGHTS.virial)


def _check_choice(kind: str, value: str, known) -> None:
    if value not in known:
        raise ValueError(f"unknown {kind} {value!r}; known: {', '.join(known)}")


#: Sets of :mod:`linace.study.datasets` that are never trained on.
NOT_TRAINING_SETS = datasets.NOT_TRAINING_SETS


#: Training sets made of several data sets ("a+b": the structures of a, then those of b).
COMBINED_SETS = datasets.COMBINED_SETS


def training_sets(data_dir: str | os.PathLike | None = None) -> list[str]:
    """Names of the sets a potential may be trained on: the data sets whose role is ``training``
    (:func:`linace.study.datasets.training_set_names`: every set but the atom, the test, reference
    and analysis sets), and the :data:`COMBINED_SETS` whose parts are all available."""
    single = datasets.training_set_names(data_dir)
    return single + [name for name in COMBINED_SETS if all(part in single for part in name.split("+"))]


def load_training_set(name: str, data_dir: str | os.PathLike | None = None) -> list:
    """The structures of a training set of :func:`training_sets` (a combined set concatenates its parts)."""
    _check_choice("training set", name, training_sets(data_dir))
    return [atoms for part in name.split("+") for atoms in datasets.load(part, data_dir)]


#: Seed of the random draws of training subsets (:func:`training_subset`); fixed, recorded in every
#: resampled run's parameters.
DRAW_SEED = 20250222


def training_subset(training_set: str, n_available: int, size: int, draw: int) -> np.ndarray:
    """Indices of a random training subset of ``size`` of the ``n_available`` structures of a set, (size,).

    Draw ``draw`` of a set is one fixed random permutation (seeded by :data:`DRAW_SEED`, the set's
    name and the draw number) and every size takes its first ``size`` entries, so the subsets of one
    draw are nested: the 40 structures of size 40 are among the 80 of size 80. Different draws and
    different sets are independent. Indices are returned sorted (the order of the data set).
    """
    if not 0 < size <= n_available:
        raise ValueError(f"training set {training_set!r} has {n_available} structures; cannot draw {size}")
    if draw < 0:
        raise ValueError(f"draw must be a non-negative integer, got {draw}")
    seed = [DRAW_SEED, zlib.crc32(training_set.encode()), draw]
    return np.sort(np.random.default_rng(seed).permutation(n_available)[:size])


#: Basis sizes of a run, as a factor on the number of functions of the default truncation at its K
#: (:func:`scaled_truncation`): a second axis beside K, so that "the curves do not converge in K" can
#: be told apart from "the basis at that K is too small".
BASIS_SIZES = (0.5, 1.0, 2.0)


def scaled_truncation(body_order: int, factor: float) -> dict[int, tuple[int, int]]:
    """The truncation {nu: (total degree D_nu, l_max)} whose basis at ``body_order`` has about
    ``factor`` times the functions of the default (:data:`linace.basis.DEFAULT_TRUNCATION`).

    Every D_nu moves by one offset d (l_max unchanged), d the smallest with at least ``factor`` x the
    default's functions for ``factor >= 1`` (the largest with at most that many for ``factor < 1``).
    A uniform offset keeps the default's balance between the orders. Returns the default for 1.
    Examples (carbon): K = 2: 12 functions, x2 -> 24 (d = 12); K = 5: 1243, x2 -> 2733 (d = 2).
    """
    from linace.basis import DEFAULT_TRUNCATION

    if not factor > 0:
        raise ValueError(f"a basis-size factor must be positive, got {factor}")
    default = {nu: DEFAULT_TRUNCATION[nu] for nu in range(1, body_order)}
    if factor == 1.0:
        return default
    target = factor * _basis_length(body_order, default)
    step = 1 if factor > 1 else -1
    offset = 0
    while True:
        offset += step
        truncation = {nu: (degree + offset, l_max) for nu, (degree, l_max) in default.items()}
        if min(degree for degree, _ in truncation.values()) < 1:
            raise ValueError(f"no truncation at K = {body_order} has {factor} x the default's functions")
        length = _basis_length(body_order, truncation)
        if (factor > 1 and length >= target) or (factor < 1 and length <= target):
            return truncation


_LENGTHS: dict[tuple, int] = {}


def _basis_length(body_order: int, truncation: dict) -> int:
    key = (body_order, tuple(sorted(truncation.items())))
    if key not in _LENGTHS:
        _LENGTHS[key] = len(ACEBasis(body_order=body_order, truncation=truncation))
    return _LENGTHS[key]


def make_basis(body_order: int, variant: str = "standard", **overrides) -> ACEBasis:
    """The basis of a run (default truncation of :class:`~linace.basis.ACEBasis`)."""
    _check_choice("basis variant", variant, VARIANTS)
    return ACEBasis(body_order=body_order, **VARIANTS[variant], **overrides)


def default_cache() -> DesignCache:
    """Design-row cache: ``$LINACE_CACHE`` or ``.cache/design`` next to the data registry, within the
    byte budget ``$LINACE_CACHE_SIZE`` (default 1 GB; :class:`~linace.fit.DesignCache`)."""
    return DesignCache(os.environ.get("LINACE_CACHE", Path(datasets.DATA_ROOT).parent / ".cache" / "design"))


def _checked_range(compare_range) -> tuple[float, float]:
    low, high = (float(x) for x in compare_range)
    if not 0 < low < high:
        raise ValueError(f"compare range {low}-{high} A: expected 0 < low < high")
    return low, high


def covering_grid(grid: np.ndarray, r_range: tuple[float, float]) -> np.ndarray:
    """``grid`` (A, increasing, evenly spaced), extended at the same spacing to cover ``r_range``
    where it does not already; the same array when it does."""
    step = float(grid[1] - grid[0])
    low = grid[0] - step * np.ceil(max(grid[0] - r_range[0], 0.0) / step - 1e-9)
    high = grid[-1] + step * np.ceil(max(r_range[1] - grid[-1], 0.0) / step - 1e-9)
    if low == grid[0] and high == grid[-1]:
        return grid
    return np.round(np.arange(low, high + step / 2, step), 4)


def dft_reference(data_dir: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The DFT dimer curve of a data directory: r (A), E - 2 E0 (eV) and the winning spin moment
    (mu_B; NaN where not recorded), (n,) each (:func:`linace.study.datasets.dimer_reference`; the
    moments from the ``dimers`` set when the curve is theirs)."""
    if "dimer_curve" in datasets.manifest(data_dir)["sets"]:
        r, energy = datasets.dimer_reference(data_dir)
        return r, energy, np.full(len(r), np.nan)
    return dft_dimer_curve(datasets.load("dimers", data_dir), datasets.e0(data_dir))


@dataclass
class TrainingRun:
    """Everything one run produced: the model, predictions, the dimer curves and the JSON record."""

    parameters: dict
    model: ACEModel
    train: Predictions
    test: Predictions
    curve: DimerCurve
    dft_curve: tuple[np.ndarray, np.ndarray, np.ndarray]
    record: dict


def train(
    body_order: int,
    training_set: str,
    variant: str = "standard",
    regularisation: str = "blr",
    weights: Weights | None = None,
    truncation: dict | None = None,
    data_dir: str | os.PathLike | None = None,
    cache: DesignCache | None = None,
    progress: bool = True,
    train_size: int | None = None,
    draw: int = 0,
    compare_range: tuple[float, float] | None = None,
    energy_zero: str = "atom",
    basis_size: float = 1.0,
) -> TrainingRun:
    """Train and validate one potential.

    Parameters
    ----------
    body_order : K in 2..5.
    training_set : a training set of :mod:`linace.study.datasets` (e.g. "diverse", "dimers").
    variant : basis variant, one of :data:`VARIANTS`.
    regularisation : one of :data:`REGULARISATIONS`.
    weights : row weights (default :data:`DEFAULT_WEIGHTS`).
    truncation : overrides of the basis truncation (see :class:`~linace.basis.ACEBasis`).
    data_dir : a data directory (:mod:`linace.study.datasets`; default the committed carbon data);
        the basis is built for its element, its dimer curve on the element's grid.
    train_size, draw : train on the random subset :func:`training_subset` of ``train_size``
        structures of the set (draw number ``draw``) instead of the whole set. Its design rows are
        taken from the cached rows of the whole set, so a draw costs a solve. Both are recorded in
        the run's parameters (with the seed and the chosen indices).
    compare_range : (lo, hi) A over which the dimer curve is compared with the DFT curve (default:
        the data directory's, :func:`linace.study.datasets.comparison_range`); recorded in the run's
        ``dimer_summary``, and in its parameters when given.
    energy_zero : "atom" (the one-body term is the isolated atom's energy E0) or "fit" (a per-atom
        constant fitted with the coefficients, as pacemaker does: :func:`linace.fit.fit`). The
        record's dimer curve and ``dimer_summary`` are the potential's binding curve
        E(dimer) - 2 E(atom), both of the potential; with "fit" the record adds
        ``dimer_summary_absolute``, the same curve shifted by the offset 2 x shift
        (``energy_zero_offset_eV``) that the fitted constant puts between the potential's far-apart
        dimer and two DFT atoms. Recorded in the parameters when not "atom".
    basis_size : the basis as a factor on the default's number of functions at this K
        (:func:`scaled_truncation`; ignored where ``truncation`` is given). Recorded when not 1.

    Raises
    ------
    ValueError
        An unknown choice, or a training set that cannot fit a potential
        (:func:`linace.study.datasets.check_trainable`), before any work.
    """
    _check_choice("regularisation", regularisation, REGULARISATIONS)
    structures = load_training_set(training_set, data_dir)  # checks the name first
    element = datasets.element(data_dir)
    if truncation is None and basis_size != 1.0:
        truncation = scaled_truncation(body_order, basis_size)
    basis = make_basis(body_order, variant, element=element, **({"truncation": truncation} if truncation else {}))
    datasets.check_trainable(structures, training_set, basis.rcut)
    r_range = datasets.comparison_range(data_dir) if compare_range is None else _checked_range(compare_range)
    e0 = datasets.e0(data_dir)
    test_structures = datasets.load("test", data_dir)
    cache = cache or default_cache()
    parameters = {
        "body_order": body_order,
        "training_set": training_set,
        "variant": variant,
        "regularisation": regularisation,
    }
    if compare_range is not None:
        parameters["compare_range"] = list(r_range)
    if energy_zero != "atom":
        parameters["energy_zero"] = energy_zero
    if basis_size != 1.0:
        parameters["basis_size"] = float(basis_size)
    if weights is not None and weights != DEFAULT_WEIGHTS:
        parameters["energy_weight"] = float(weights.energy)
        parameters["weights"] = {"energy": weights.energy, "forces": weights.forces, "virial": weights.virial}
    arrays = None  # design rows from the cache of the training structures
    train_structures = structures
    if train_size is not None:
        chosen = training_subset(training_set, len(structures), train_size, draw)
        arrays = select_structures(
            design_arrays(basis, structures, cache, progress), [len(atoms) for atoms in structures], chosen
        )
        train_structures = [structures[i] for i in chosen]
        parameters.update(
            train_size=int(train_size), draw=int(draw), draw_seed=DRAW_SEED, train_indices=chosen.tolist()
        )
    start = time.perf_counter()
    model = fit(
        basis,
        train_structures,
        e0,
        weights=weights or DEFAULT_WEIGHTS,
        cache=cache,
        progress=progress,
        arrays=arrays,
        energy_zero=energy_zero,
        **REGULARISATIONS[regularisation],
    )
    model.fit_info = replace(model.fit_info, fit_seconds=time.perf_counter() - start)
    train_predictions = predict(model, train_structures, cache, arrays)  # rows from the cache: the test set's
    test_predictions = predict(model, test_structures, cache)  # are computed once per basis
    curve = dimer_curve(model, covering_grid(dimer_grid(element), r_range))
    dft = dft_reference(data_dir)
    record = run_record(
        parameters, model, train_predictions, test_predictions, curve, dft[:2], datasets.manifest(data_dir), r_range
    )
    if energy_zero == "fit":
        offset = 2.0 * model.info["energy_zero_shift_eV"]
        record["dimer_summary"]["energy_zero_offset_eV"] = offset
        record["dimer_summary_absolute"] = dimer_summary(curve.r, curve.energy + offset, *dft[:2], r_range)
    meta = datasets.manifest(data_dir)
    other_held_out = [
        name for name in datasets.names(data_dir) if name != "test" and datasets.role(name, meta) == "test"
    ]
    if other_held_out:  # further held-out sets (e.g. a published diamond-like validation set): their errors too
        record["errors"]["held_out"] = {
            name: error_table(predict(model, datasets.load(name, data_dir), cache)) for name in other_held_out
        }
    record["provenance"]["data_dir"] = None if data_dir is None else str(Path(data_dir).resolve())
    return TrainingRun(parameters, model, train_predictions, test_predictions, curve, dft, record)
