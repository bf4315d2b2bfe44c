r"""Analysis of fitted potentials: errors, dimer curves, their body-order decomposition, convergence.

Dimer curve and its decomposition (docs/design.md, section 2). On an isolated C2 both atoms have one
neighbour, and

.. math::

    E_\mathrm{dimer}(r) - 2E_0 = 2 \sum_{\nu} V_\nu(r), \qquad
    V_\nu(r) = \sum_{B:\ \nu(B) = \nu} c_B\, B(r)

where B(r) is the descriptor of either atom. :func:`dimer_curve` returns the total and the
contributions :math:`2 V_\nu(r)` keyed by body order :math:`\nu + 1`; they sum to the total.

Convergence measures (one definition, used everywhere): on :data:`CONVERGENCE_RANGE` = 1.0..4.5 A
for carbon (:func:`convergence_range`: the same range in units of the element's length scale),

* :func:`curve_distance` — mean absolute difference of two curves in eV,
  :math:`\frac{1}{r_b - r_a}\int_{r_a}^{r_b} |E_1(r) - E_2(r)|\,dr`;
* :func:`curve_minimum` — position (A) and value (eV) of the minimum of a curve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from scipy.integrate import trapezoid
from scipy.interpolate import CubicSpline

from .fit import ACEModel, DesignCache, config_type, design_arrays, structure_labels

__all__ = [
    "CONVERGENCE_RANGE",
    "convergence_range",
    "dimer_grid",
    "length_scale",
    "DIMER_GRID",
    "DimerCurve",
    "band_coverage",
    "cancellation_ratio",
    "span_residual",
    "Predictions",
    "curve_distance",
    "curve_minimum",
    "dimer_curve",
    "dimer_descriptors",
    "error_table",
    "predict",
]

#: Distances (A) on which carbon dimer curves are evaluated and stored: 0.9 .. 5.0 A every 0.02 A.
DIMER_GRID = np.round(np.arange(0.90, 5.0 + 1e-9, 0.02), 4)

#: Range of distances (A) over which carbon curves are compared.
CONVERGENCE_RANGE = (1.0, 4.5)


def length_scale(element: str = "C") -> float:
    """Lengths of an element in units of carbon's: the ratio of its default cut-off to carbon's
    (:func:`linace.radial.element_scales`; 1 for C, 1.52 for Si)."""
    from .radial import CARBON_CUTOFF, element_scales

    return element_scales(element)[0] / CARBON_CUTOFF


def dimer_grid(element: str = "C") -> np.ndarray:
    """:data:`DIMER_GRID` scaled to an element (A, (n,)); exactly :data:`DIMER_GRID` for carbon."""
    return np.round(DIMER_GRID * length_scale(element), 4)


def convergence_range(element: str = "C") -> tuple[float, float]:
    """:data:`CONVERGENCE_RANGE` scaled to an element (A); exactly carbon's 1.0..4.5 A for C.

    >>> convergence_range("C"), convergence_range("Si")
    ((1.0, 4.5), (1.521, 6.8445))
    """
    scale = length_scale(element)
    return (round(CONVERGENCE_RANGE[0] * scale, 4), round(CONVERGENCE_RANGE[1] * scale, 4))


#: Separation (A) of the dimers packed into one evaluation (far beyond any cut-off used here).
_DIMER_SPACING = 50.0


# --------------------------------------------------------------------------- errors
@dataclass
class Predictions:
    """Reference and predicted labels of a set of structures.

    energy_ref, energy_pred : (n_structures,) eV/atom; forces_ref, forces_pred : (n_atoms_total, 3)
    eV/A; config_types : (n_structures,); atom_config_types : (n_atoms_total,).
    """

    energy_ref: np.ndarray
    energy_pred: np.ndarray
    forces_ref: np.ndarray
    forces_pred: np.ndarray
    config_types: np.ndarray
    atom_config_types: np.ndarray

    def errors(self, config_type: str | None = None) -> dict:
        """RMSE and MAE of energies (meV/atom) and force components (eV/A), optionally of one config_type."""
        if config_type is None:
            structures, atoms = np.ones(len(self.config_types), bool), np.ones(len(self.atom_config_types), bool)
        else:
            structures, atoms = self.config_types == config_type, self.atom_config_types == config_type
        de = 1000 * (self.energy_pred[structures] - self.energy_ref[structures])
        df = (self.forces_pred[atoms] - self.forces_ref[atoms]).ravel()
        return {
            "n_structures": int(structures.sum()),
            "energy_rmse_meV_per_atom": float(np.sqrt(np.mean(de**2))) if de.size else float("nan"),
            "energy_mae_meV_per_atom": float(np.mean(np.abs(de))) if de.size else float("nan"),
            "force_rmse_eV_per_A": float(np.sqrt(np.mean(df**2))) if df.size else float("nan"),
            "force_mae_eV_per_A": float(np.mean(np.abs(df))) if df.size else float("nan"),
        }


def predict(
    model: ACEModel, structures: Sequence[Atoms], cache: DesignCache | None = None, arrays: dict | None = None
) -> Predictions:
    """Evaluate ``model`` on labelled structures (labels from their single-point calculators).

    With design ``arrays`` of these structures (:func:`~linace.fit.design_arrays`, or a subset by
    :func:`~linace.fit.select_structures`) or a design-row ``cache`` (:class:`~linace.fit.DesignCache`;
    rows computed and stored if missing) the predictions are the rows times the coefficients;
    without either, the model's ASE calculator evaluates every structure. Both give the same
    numbers (tested).
    """
    if len(structures) == 0:
        raise ValueError("no structures to evaluate")
    n_atoms = np.array([len(atoms) for atoms in structures])
    labels = [structure_labels(atoms, index) for index, atoms in enumerate(structures)]
    energy_ref = np.array([energy for energy, _, _ in labels]) / n_atoms
    forces_ref = np.vstack([forces for _, forces, _ in labels])
    if arrays is not None or cache is not None:
        rows = design_arrays(model.basis, structures, cache) if arrays is None else arrays
        energy_pred = model.e0 + rows["energy"] @ model.coefficients / n_atoms
        forces_pred = (rows["forces"] @ model.coefficients).reshape(-1, 3)
    else:
        calc = model.calculator()
        energy_pred, forces_pred = [], []
        for atoms in structures:
            trial = atoms.copy()
            trial.calc = calc
            energy_pred.append(trial.get_potential_energy() / len(atoms))
            forces_pred.append(trial.get_forces())
        energy_pred, forces_pred = np.array(energy_pred), np.vstack(forces_pred)
    config_types = np.array([config_type(atoms) for atoms in structures])
    return Predictions(energy_ref, energy_pred, forces_ref, forces_pred, config_types, np.repeat(config_types, n_atoms))


def error_table(predictions: Predictions) -> dict:
    """Errors of all structures ("all") and of every config_type: {name: :meth:`Predictions.errors`}
    (energy RMSE/MAE in meV/atom, force RMSE/MAE in eV/A, structure counts)."""
    table = {"all": predictions.errors()}
    for family in sorted(set(predictions.config_types)):
        table[family] = predictions.errors(family)
    return table


# --------------------------------------------------------------------------- the dimer
def dimer_descriptors(basis, r: np.ndarray) -> np.ndarray:
    """Descriptors B(r) of one atom of an isolated dimer of the basis's element at each distance,
    (len(r), n_basis).

    All dimers are evaluated in one call, packed far apart (> r_cut) in a single structure.

    >>> import numpy as np
    >>> from linace.basis import ACEBasis
    >>> basis = ACEBasis(body_order=3)              # 102 functions
    >>> r = np.linspace(1.0, 4.0, 7)                # A
    >>> dimer_descriptors(basis, r).shape           # (len(r), n_basis)
    (7, 102)
    """
    r = np.asarray(r, dtype=float)
    if r.ndim != 1 or np.any(~np.isfinite(r)) or np.any(r <= 0):
        raise ValueError("dimer distances must be a 1-d array of positive, finite values (A)")
    if basis.rcut >= _DIMER_SPACING / 2:
        raise ValueError(f"cut-off {basis.rcut} A too large for the dimer packing")
    origins = np.zeros((len(r), 3))
    origins[:, 1] = _DIMER_SPACING * np.arange(len(r))
    partners = origins.copy()
    partners[:, 0] = r
    atoms = Atoms(f"{basis.element}{2 * len(r)}", positions=np.concatenate([origins, partners]))
    return basis.descriptors(atoms, centres=np.arange(len(r)))


@dataclass
class DimerCurve:
    """E(r) - 2 E0 of an isolated C2 and its decomposition by body order.

    r : (n,) A; energy : (n,) eV; contributions : {body order: (n,) eV}, 2 V_nu(r) with body order
    nu + 1, summing to ``energy``; std, contribution_std : posterior standard deviations (eV) when the
    model has a coefficient covariance, else None.
    """

    r: np.ndarray
    energy: np.ndarray
    contributions: dict[int, np.ndarray]
    std: np.ndarray | None = None
    contribution_std: dict[int, np.ndarray] | None = None

    def as_dict(self) -> dict:
        """JSON-ready dictionary (lists of floats)."""
        out = {
            "r": self.r.tolist(),
            "energy": self.energy.tolist(),
            "contributions": {str(k): v.tolist() for k, v in self.contributions.items()},
        }
        if self.std is not None:
            out["std"] = self.std.tolist()
            out["contribution_std"] = {str(k): v.tolist() for k, v in self.contribution_std.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict) -> DimerCurve:
        """The curve stored by :meth:`as_dict` (a run record's ``dimer`` entry): lists of floats
        (r in A, energies in eV) and contributions keyed by body order (JSON keys are strings)."""
        std = data.get("std")
        return cls(
            np.array(data["r"]),
            np.array(data["energy"]),
            {int(k): np.array(v) for k, v in data["contributions"].items()},
            None if std is None else np.array(std),
            None if std is None else {int(k): np.array(v) for k, v in data["contribution_std"].items()},
        )


def _standard_deviation(rows: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """sqrt(diag(rows @ covariance @ rows.T)), clipped at 0 against round-off."""
    return np.sqrt(np.maximum(np.sum((rows @ covariance) * rows, axis=1), 0.0))


def dimer_curve(model: ACEModel, r: np.ndarray = DIMER_GRID) -> DimerCurve:
    """Dimer curve E(r) - 2 E0 (eV) of a fitted model at separations ``r`` (A, shape (n,); default
    carbon's :data:`DIMER_GRID`, :func:`dimer_grid` for another element) and its per-body-order
    contributions 2 V_nu(r) (see module docstring), each of shape (n,)."""
    basis = model.basis
    B = 2.0 * dimer_descriptors(basis, r)  # both atoms
    orders = basis.body_orders
    contributions = {int(k): B[:, orders == k] @ model.coefficients[orders == k] for k in np.unique(orders)}
    energy = B @ model.coefficients
    std = contribution_std = None
    if model.covariance is not None:
        std = _standard_deviation(B, model.covariance)
        contribution_std = {}
        for k in contributions:
            mask = orders == k
            sub = model.covariance[np.ix_(mask, mask)]
            contribution_std[k] = _standard_deviation(B[:, mask], sub)
    return DimerCurve(np.asarray(r, dtype=float), energy, contributions, std, contribution_std)


# --------------------------------------------------------------------------- convergence measures
def _on_grid(r: np.ndarray, energy: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """A curve sampled at ``r`` (increasing) evaluated on ``grid`` by a cubic spline."""
    r, energy = np.asarray(r, float), np.asarray(energy, float)
    if grid.min() < r.min() - 1e-9 or grid.max() > r.max() + 1e-9:
        raise ValueError(f"curve sampled on {r.min()}..{r.max()} A does not cover {grid.min()}..{grid.max()} A")
    return CubicSpline(r, energy)(grid)


def curve_distance(
    r1, energy1, r2, energy2, r_range: tuple[float, float] = CONVERGENCE_RANGE, points: int = 701
) -> float:
    """Mean absolute difference (eV) of two curves over ``r_range`` (A), on a common fine grid.

    The curves may be sampled on different grids (r1 and energy1 of shape (n1,), r2 and energy2 of
    shape (n2,)), each covering ``r_range``; both are interpolated by cubic splines.

    >>> import numpy as np
    >>> r = np.linspace(0.9, 5.0, 42)                               # A
    >>> round(curve_distance(r, (r - 1.5) ** 2, r, (r - 1.5) ** 2 + 0.2), 6)   # a rigid shift, eV
    0.2
    """
    grid = np.linspace(*r_range, points)
    difference = np.abs(_on_grid(r1, energy1, grid) - _on_grid(r2, energy2, grid))
    return float(trapezoid(difference, grid) / (r_range[1] - r_range[0]))


def curve_minimum(
    r, energy, r_range: tuple[float, float] = CONVERGENCE_RANGE, points: int = 3501
) -> tuple[float, float]:
    """Position (A) and value (eV) of the minimum of a curve within ``r_range``.

    >>> r = np.linspace(0.9, 5.0, 42)                               # A
    >>> curve_minimum(r, (r - 1.5) ** 2 - 6.0)
    (1.5, -6.0)
    """
    grid = np.linspace(*r_range, points)
    values = _on_grid(r, energy, grid)
    k = int(np.argmin(values))
    return float(grid[k]), float(values[k])


def cancellation_ratio(curve: DimerCurve, r_range: tuple[float, float] = CONVERGENCE_RANGE, points: int = 701) -> float:
    """How much the body-order contributions of a dimer curve cancel: the integral over ``r_range``
    (A) of sum_nu |2 V_nu(r)| divided by that of |E(r)| (both eV, on a common fine grid).

    1 means no cancellation (every contribution has the sign of the total, or there is one); 3
    means the contributions add up, in absolute value, to three times the curve they sum to.
    """
    grid = np.linspace(*r_range, points)
    parts = sum(np.abs(_on_grid(curve.r, values, grid)) for values in curve.contributions.values())
    total = np.abs(_on_grid(curve.r, curve.energy, grid))
    return float(trapezoid(parts, grid) / trapezoid(total, grid))


def band_coverage(
    curve: DimerCurve,
    r_reference,
    energy_reference,
    n_sigma: float = 2.0,
    r_range: tuple[float, float] = CONVERGENCE_RANGE,
    points: int = 701,
) -> float:
    """Fraction of ``r_range`` (A) where the reference curve lies inside the model's ±n_sigma band.

    A calibrated posterior at ±2σ covers about 95 % of the reference; a much smaller fraction means
    the band reflects only the noise the fit sees, not the error of the model away from its data.
    Raises ValueError if the curve has no posterior standard deviation.
    """
    if curve.std is None:
        raise ValueError("the dimer curve has no posterior standard deviation (fit without covariance)")
    grid = np.linspace(*r_range, points)
    error = np.abs(_on_grid(curve.r, curve.energy, grid) - _on_grid(r_reference, energy_reference, grid))
    return float(np.mean(error <= n_sigma * _on_grid(curve.r, curve.std, grid)))


# --------------------------------------------------------------------------- comparing bases
def span_residual(reference: np.ndarray, other: np.ndarray, rcond: float = 1e-12) -> np.ndarray:
    """How far each column of ``other`` lies outside the column span of ``reference``.

    Both are (n_samples, n) arrays of function values on the same samples (e.g. descriptors B(i) of
    the same atoms for two bases). Returns (n_other,): ||(1 - P) y|| / ||y|| per column y, with P the
    orthogonal projector on the span of ``reference`` (columns normalised, singular values below
    ``rcond`` times the largest dropped). 0: inside the span; 1: orthogonal to it.
    """
    reference, other = np.asarray(reference, float), np.asarray(other, float)
    if reference.ndim != 2 or other.ndim != 2 or reference.shape[0] != other.shape[0]:
        raise ValueError(
            f"expected two 2-d arrays with the same number of rows, got {reference.shape} and {other.shape}"
        )
    norms = np.linalg.norm(reference, axis=0)
    u, s, _ = np.linalg.svd(reference[:, norms > 0] / norms[norms > 0], full_matrices=False)
    q = u[:, s > rcond * s[0]] if s.size else u[:, :0]
    outside = other - q @ (q.T @ other)
    length = np.linalg.norm(other, axis=0)
    return np.linalg.norm(outside, axis=0) / np.where(length > 0, length, 1.0)
