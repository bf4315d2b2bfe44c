"""The study's training run: one potential for (K, training set, basis variant, regularisation).

This is the pipeline of DESIGN.md section 4 for one point of the sweep grid, shared by the training
notebook (``book/04_train.py``), the sweep and the tests:

    data ──> basis(K, variant) ──> fit(regularisation) ──> errors on train and on the common test set
         ──> dimer curve + V_nu decomposition ──> run record (:mod:`linace.study.results`)
"""

from __future__ import annotations

import os
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from linace.analysis import DimerCurve, Predictions, dimer_curve, dimer_grid, predict
from linace.basis import ACEBasis
from linace.fit import ACEModel, DesignCache, Weights, design_arrays, fit, select_structures

from . import datasets
from .results import dft_dimer_curve, run_record

__all__ = ["COMBINED_SETS", "DRAW_SEED", "REGULARISATIONS", "VARIANTS", "TrainingRun", "load_training_set", "make_basis",
           "train", "training_sets", "training_subset"]

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


def _check_choice(kind: str, value: str, known) -> None:
    if value not in known:
        raise ValueError(f"unknown {kind} {value!r}; known: {', '.join(known)}")


#: Sets of :mod:`linace.study.datasets` that are never trained on.
NOT_TRAINING_SETS = datasets.NOT_TRAINING_SETS


#: Training sets made of several data sets ("a+b": the structures of a, then those of b).
COMBINED_SETS = ("clusters+dimers",)


def training_sets(data_dir: str | os.PathLike | None = None) -> list[str]:
    """Names of the sets a potential may be trained on: every data set but the atom, test and pool,
    and the :data:`COMBINED_SETS` whose parts are all available."""
    single = [name for name in datasets.names(data_dir) if name not in NOT_TRAINING_SETS]
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


def make_basis(body_order: int, variant: str = "standard", **overrides) -> ACEBasis:
    """The basis of a run (default truncation of :class:`~linace.basis.ACEBasis`)."""
    _check_choice("basis variant", variant, VARIANTS)
    return ACEBasis(body_order=body_order, **VARIANTS[variant], **overrides)


def default_cache() -> DesignCache:
    """Design-row cache: ``$LINACE_CACHE`` or ``.cache/design`` next to the data registry, within the
    byte budget ``$LINACE_CACHE_SIZE`` (default 1 GB; :class:`~linace.fit.DesignCache`)."""
    return DesignCache(os.environ.get("LINACE_CACHE", Path(datasets.DATA_ROOT).parent / ".cache" / "design"))


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
    """
    _check_choice("regularisation", regularisation, REGULARISATIONS)
    structures = load_training_set(training_set, data_dir)  # checks the name first
    element = datasets.element(data_dir)
    basis = make_basis(body_order, variant, element=element, **({"truncation": truncation} if truncation else {}))
    e0 = datasets.e0(data_dir)
    test_structures = datasets.load("test", data_dir)
    cache = cache or default_cache()
    parameters = {"body_order": body_order, "training_set": training_set, "variant": variant,
                  "regularisation": regularisation}
    arrays = None  # design rows from the cache of the training structures
    train_structures = structures
    if train_size is not None:
        chosen = training_subset(training_set, len(structures), train_size, draw)
        arrays = select_structures(design_arrays(basis, structures, cache, progress),
                                   [len(atoms) for atoms in structures], chosen)
        train_structures = [structures[i] for i in chosen]
        parameters.update(train_size=int(train_size), draw=int(draw), draw_seed=DRAW_SEED,
                          train_indices=chosen.tolist())
    start = time.perf_counter()
    model = fit(basis, train_structures, e0, weights=weights or DEFAULT_WEIGHTS, cache=cache, progress=progress,
                arrays=arrays, **REGULARISATIONS[regularisation])
    model.info["fit_seconds"] = time.perf_counter() - start
    train_predictions = predict(model, train_structures, cache, arrays)  # rows from the cache: the test set's
    test_predictions = predict(model, test_structures, cache)  # are computed once per basis
    curve = dimer_curve(model, dimer_grid(element))
    dft = dft_dimer_curve(datasets.load("dimers", data_dir), e0)
    record = run_record(parameters, model, train_predictions, test_predictions, curve, dft[:2],
                        datasets.manifest(data_dir))
    record["provenance"]["data_dir"] = None if data_dir is None else str(Path(data_dir).resolve())
    return TrainingRun(parameters, model, train_predictions, test_predictions, curve, dft, record)
