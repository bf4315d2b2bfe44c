r"""Radial basis :math:`R_n(r)`, n = 1..n_max, and its derivative.

.. math::

    R_n(r) = T_{n-1}\big(x(r)\big)\, f_{\rm env}(r)

* :math:`T_k` are Chebyshev polynomials of the first kind.
* :math:`x(r)` is the *Agnesi distance transform* (as in ACEpotentials.jl), mapping
  :math:`[0, r_{\rm cut}]` monotonically onto :math:`[-1, 1]`:

  .. math::

      y(r) = \Big(1 + a \frac{s^q}{1 + s^{q-p}}\Big)^{-1},\quad s = r / r_0, \qquad
      x(r) = -1 + 2\,\frac{1 - y(r)}{1 - y(r_{\rm cut})}.

  It behaves like :math:`1 - a s^q` at short distance (little resolution below ~0.5 r_0, where
  there is no data) and like :math:`s^{-p}` at long distance, so that the polynomial resolution is
  concentrated around the typical bond length :math:`r_0`. Because :math:`|x| \le 1` on
  :math:`(0, r_{\rm cut}]`, every :math:`R_n` is bounded by 1 there: the basis is finite for every
  r > 0 (and even at r = 0).
* :math:`f_{\rm env}(r) = (1 - r/r_{\rm cut})^2` for r < r_cut and 0 beyond: R_n and dR_n/dr
  vanish at the cut-off, so energies and forces are continuous when a neighbour leaves the sphere.

Units: r in A, R_n dimensionless, dR_n/dr in 1/A.

Per element (:func:`element_scales`): the default cut-off and transform centre are carbon's, 5.0 A
and 1.5 A, in units of the element's nearest-neighbour distance, so that every element gets the
same radial basis measured in its own bond lengths (Si: 7.61 A and 2.28 A).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CARBON_CUTOFF", "CARBON_R0", "RadialBasis", "element_scales", "nearest_neighbour_distance"]

#: Carbon's cut-off and transform centre (A), the defaults every element's are scaled from.
CARBON_CUTOFF, CARBON_R0 = 5.0, 1.5


def nearest_neighbour_distance(element: str) -> float:
    """Nearest-neighbour distance (A) of the element's reference state in ASE's tables
    (``ase.data.reference_states``: the ground-state crystal at its experimental lattice constant,
    or the bond length of a diatomic reference). C (diamond): 1.546 A; Si (diamond): 2.351 A."""
    from ase.build import bulk
    from ase.data import atomic_numbers, reference_states

    if element not in atomic_numbers:
        raise ValueError(f"unknown chemical element {element!r}")
    state = reference_states[atomic_numbers[element]]
    if not state:
        raise ValueError(f"ASE has no reference crystal for {element}: give rcut and r0 explicitly")
    if state["symmetry"] == "diatom":
        return float(state["d"])
    try:
        crystal = bulk(element).repeat(3)
    except (ValueError, KeyError, NotImplementedError) as error:
        raise ValueError(
            f"cannot build the reference crystal of {element} ({error}): give rcut and r0 explicitly"
        ) from None
    distances = crystal.get_distances(0, range(1, len(crystal)), mic=True)
    return float(distances.min())


def element_scales(element: str) -> tuple[float, float]:
    """Default (rcut, r0) in A of an element: carbon's (5.0, 1.5) times the ratio of the element's
    nearest-neighbour distance to carbon's (exactly carbon's values for C)."""
    if element == "C":
        return CARBON_CUTOFF, CARBON_R0
    ratio = nearest_neighbour_distance(element) / nearest_neighbour_distance("C")
    return CARBON_CUTOFF * ratio, CARBON_R0 * ratio


@dataclass(frozen=True)
class RadialBasis:
    """Chebyshev polynomials of the Agnesi-transformed distance times a quadratic envelope.

    Parameters
    ----------
    n_max : int
        Number of radial functions; they are indexed n = 1..n_max (polynomial degree n - 1).
    rcut : float
        Cut-off radius in A.
    r0 : float
        Centre of the transform in A (a typical nearest-neighbour distance; 1.5 A for carbon).
    p, q, a : float
        Shape of the Agnesi transform (defaults 2, 4, 1).
    """

    n_max: int
    rcut: float = CARBON_CUTOFF
    r0: float = CARBON_R0
    p: float = 2.0
    q: float = 4.0
    a: float = 1.0

    def __post_init__(self):
        if int(self.n_max) != self.n_max or self.n_max < 1:
            raise ValueError(f"n_max must be a positive integer, got {self.n_max!r}")
        if not (np.isfinite(self.rcut) and self.rcut > 0):
            raise ValueError(f"rcut must be a positive distance in A, got {self.rcut!r}")
        if not (0 < self.r0 < self.rcut):
            raise ValueError(f"r0 must lie in (0, rcut = {self.rcut}), got {self.r0!r}")
        if not (self.q > self.p > 0 and self.a > 0):
            raise ValueError(f"the transform needs q > p > 0 and a > 0, got p={self.p}, q={self.q}, a={self.a}")

    def _agnesi(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """y(r) and dy/dr."""
        s = r / self.r0
        t = s ** (self.q - self.p)
        g = self.a * s**self.q / (1.0 + t)
        dg_ds = self.a * s ** (self.q - 1) * (self.q + self.p * t) / (1.0 + t) ** 2
        y = 1.0 / (1.0 + g)
        return y, -(y**2) * dg_ds / self.r0

    def transform(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The transformed distance x(r) in [-1, 1] on [0, rcut] and dx/dr (1/A); shapes of r."""
        r = np.asarray(r, dtype=float)
        y, dy = self._agnesi(r)
        y_cut, _ = self._agnesi(np.asarray(self.rcut))
        scale = 2.0 / (1.0 - y_cut)
        return -1.0 + scale * (1.0 - y), -scale * dy

    def envelope(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """f_env(r) = (1 - r/rcut)^2 inside the cut-off, 0 outside, and its derivative (1/A)."""
        r = np.asarray(r, dtype=float)
        gap = np.clip(1.0 - r / self.rcut, 0.0, None)
        return gap**2, -2.0 * gap / self.rcut

    def __call__(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Evaluate the basis.

        Parameters
        ----------
        r : (P,) array of distances in A (r >= 0).

        Returns
        -------
        R : (P, n_max) array, ``R[p, n-1] = R_n(r_p)``
        dR : (P, n_max) array, ``dR[p, n-1] = dR_n/dr (r_p)`` in 1/A
        """
        r = np.asarray(r, dtype=float)
        if r.ndim != 1:
            raise ValueError(f"r must be a 1-d array of distances, got shape {r.shape}")
        if r.size and (not np.all(np.isfinite(r)) or r.min() < 0):
            raise ValueError("distances must be finite and non-negative")
        x, dx = self.transform(np.minimum(r, self.rcut))
        f, df = self.envelope(r)
        # T_k(x) and dT_k/dx = k U_{k-1}(x), by the three-term recurrences
        T = np.empty((len(r), self.n_max))
        dT = np.empty((len(r), self.n_max))
        T[:, 0], dT[:, 0] = 1.0, 0.0
        u_prev, u_cur = np.zeros_like(x), np.ones_like(x)  # U_{-1}, U_0
        if self.n_max > 1:
            T[:, 1], dT[:, 1] = x, 1.0
        for k in range(2, self.n_max):
            T[:, k] = 2.0 * x * T[:, k - 1] - T[:, k - 2]
            u_prev, u_cur = u_cur, 2.0 * x * u_cur - u_prev  # U_{k-1}
            dT[:, k] = k * u_cur
        R = T * f[:, None]
        dR = dT * (dx * f)[:, None] + T * df[:, None]
        return R, dR
