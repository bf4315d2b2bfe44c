r"""Real spherical harmonics :math:`Y_{lm}(\hat r)` and their Cartesian gradients.

Convention
----------
The harmonics are the real, orthonormal ones (on the unit sphere,
:math:`\int Y_{lm} Y_{l'm'} d\Omega = \delta_{ll'}\delta_{mm'}`), *without* the Condon-Shortley
phase:

.. math::

    Y_{l0}      &= N_{l0}\, P_l(z) \\
    Y_{l,m>0}   &= \sqrt2\, N_{lm}\, \bar P_l^m(z)\, \mathrm{Re}\,(x + i y)^m \\
    Y_{l,-m<0}  &= \sqrt2\, N_{lm}\, \bar P_l^m(z)\, \mathrm{Im}\,(x + i y)^m

with :math:`(x, y, z) = \mathbf r / |\mathbf r|`, :math:`N_{lm} = \sqrt{\frac{2l+1}{4\pi}
\frac{(l-m)!}{(l+m)!}}` and :math:`\bar P_l^m(z) = P_l^m(z) / (1 - z^2)^{m/2}` a polynomial in z
(the associated Legendre function without the phase, divided by :math:`\sin^m\theta`). In terms of
the complex harmonics with the phase (as in physics texts and :mod:`scipy.special`):
:math:`Y_{l,m} = \sqrt2 (-1)^m \mathrm{Re}\, Y_l^m` and :math:`Y_{l,-m} = \sqrt2 (-1)^m
\mathrm{Im}\, Y_l^m` for m > 0.

Ordering
--------
All (l, m) with 0 <= l <= l_max are stored in one axis of length ``(l_max + 1)**2``, at index
:func:`lm_index` ``(l, m) = l*l + l + m``, i.e. (0,0), (1,-1), (1,0), (1,1), (2,-2), ...

Because :math:`Y_{lm}(\mathbf r/|\mathbf r|)` is written as a polynomial :math:`F(\mathbf u)` of the
unit vector, its gradient with respect to the (non-normalised) vector is
:math:`\nabla_{\mathbf r} Y = (I - \mathbf u \mathbf u^T) \nabla_{\mathbf u} F / |\mathbf r|`.
"""

from __future__ import annotations

from functools import cache
from math import factorial, pi, sqrt

import numpy as np

__all__ = ["lm_index", "n_harmonics", "real_sph_harm"]


def lm_index(l: int, m: int) -> int:
    """Position of (l, m) along the harmonics axis: ``l*l + l + m`` (requires -l <= m <= l).

    >>> [lm_index(l, m) for l, m in [(0, 0), (1, -1), (1, 0), (1, 1), (2, -2)]]
    [0, 1, 2, 3, 4]
    >>> n_harmonics(2)                             # (l_max + 1)**2 harmonics with l <= l_max
    9
    """
    if not -l <= m <= l:
        raise ValueError(f"m = {m} is outside -l..l for l = {l}")
    return l * l + l + m


def n_harmonics(l_max: int) -> int:
    """Number of real harmonics with l <= l_max: ``(l_max + 1)**2``."""
    return (l_max + 1) ** 2


def _double_factorial(k: int) -> float:
    """k!! = k (k-2) (k-4) ... (1 for k <= 0)."""
    return float(np.prod(np.arange(k, 0, -2))) if k > 0 else 1.0


@cache
def _normalisation(l: int, m: int) -> float:
    """sqrt(2) N_lm for m > 0 and N_l0 for m = 0 (m >= 0)."""
    n_lm = sqrt((2 * l + 1) / (4 * pi) * factorial(l - m) / factorial(l + m))
    return n_lm if m == 0 else sqrt(2.0) * n_lm


def real_sph_harm(
    vectors: np.ndarray, l_max: int, gradient: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Real spherical harmonics of the directions of ``vectors``.

    Parameters
    ----------
    vectors : (P, 3) array
        Non-zero Cartesian vectors (any length; only the direction enters Y).
    l_max : int
        Largest degree l.
    gradient : bool
        Also return the gradient with respect to the Cartesian components of ``vectors``.

    Returns
    -------
    Y : (P, (l_max+1)**2) array
        ``Y[p, lm_index(l, m)]``.
    dY : (P, (l_max+1)**2, 3) array, only if ``gradient``
        ``dY[p, lm, a] = d Y_lm(r_p / |r_p|) / d r_{p,a}`` in 1/A if vectors are in A.

    Examples
    --------
    >>> import numpy as np
    >>> vectors = np.array([[0.0, 0.0, 2.0], [1.0, 1.0, 0.0], [0.0, -3.0, 0.5]])  # (P, 3), A
    >>> Y = real_sph_harm(vectors, l_max=2)
    >>> Y.shape                                    # (P, (l_max + 1)**2)
    (3, 9)
    >>> round(float(Y[0, lm_index(1, 0)]), 6)      # Y_10 on the z axis: sqrt(3 / (4 pi))
    0.488603
    >>> Y, dY = real_sph_harm(vectors, l_max=2, gradient=True)
    >>> dY.shape                                   # (P, (l_max + 1)**2, 3), 1/A
    (3, 9, 3)
    """
    vectors = np.asarray(vectors, dtype=float)
    if vectors.ndim != 2 or vectors.shape[1] != 3:
        raise ValueError(f"vectors must have shape (P, 3), got {vectors.shape}")
    if l_max < 0:
        raise ValueError(f"l_max must be >= 0, got {l_max}")
    r = np.linalg.norm(vectors, axis=1)
    if np.any(r == 0.0) or not np.all(np.isfinite(r)):
        raise ValueError("real_sph_harm needs finite, non-zero vectors")
    u = np.ascontiguousarray(vectors.T) / r  # (3, P), contiguous components
    x, y, z = u
    n_pts = len(r)

    # c_m + i s_m = (x + i y)^m, m = 0..l_max
    c = np.empty((l_max + 1, n_pts))
    s = np.empty((l_max + 1, n_pts))
    c[0], s[0] = 1.0, 0.0
    for m in range(1, l_max + 1):
        c[m] = x * c[m - 1] - y * s[m - 1]
        s[m] = x * s[m - 1] + y * c[m - 1]

    # Pbar[l][m] (polynomial in z) and its z-derivative, by the standard three-term recurrence
    pbar = {}
    dpbar = {}
    for m in range(l_max + 1):
        pbar[m, m] = np.full(n_pts, _double_factorial(2 * m - 1))
        dpbar[m, m] = np.zeros(n_pts)
        if m + 1 <= l_max:
            pbar[m + 1, m] = (2 * m + 1) * z * pbar[m, m]
            dpbar[m + 1, m] = (2 * m + 1) * pbar[m, m]
        for l in range(m + 2, l_max + 1):
            pbar[l, m] = ((2 * l - 1) * z * pbar[l - 1, m] - (l + m - 1) * pbar[l - 2, m]) / (l - m)
            dpbar[l, m] = ((2 * l - 1) * (pbar[l - 1, m] + z * dpbar[l - 1, m]) - (l + m - 1) * dpbar[l - 2, m]) / (
                l - m
            )

    # built component-major, (lm, P) and (lm, xyz, P), so that every write is contiguous
    Y = np.empty((n_harmonics(l_max), n_pts))
    dF = np.zeros((n_harmonics(l_max), 3, n_pts)) if gradient else None
    for l in range(l_max + 1):
        for m in range(l + 1):
            k = _normalisation(l, m)
            kp = k * pbar[l, m]
            Y[lm_index(l, m)] = kp * c[m]
            if m > 0:
                Y[lm_index(l, -m)] = kp * s[m]
            if not gradient:
                continue
            # d(c_m)/dx = m c_{m-1}, d(c_m)/dy = -m s_{m-1}; d(s_m)/dx = m s_{m-1}, d(s_m)/dy = m c_{m-1}
            kdp = k * dpbar[l, m]
            dF[lm_index(l, m), 2] = kdp * c[m]
            if m > 0:
                mkp = m * kp
                dF[lm_index(l, m), 0] = mkp * c[m - 1]
                dF[lm_index(l, m), 1] = -mkp * s[m - 1]
                dF[lm_index(l, -m), 0] = mkp * s[m - 1]
                dF[lm_index(l, -m), 1] = mkp * c[m - 1]
                dF[lm_index(l, -m), 2] = kdp * s[m]
    if not gradient:
        return Y.T
    # project onto the tangent plane and divide by |r|: dY = (dF - (dF . u) u) / r
    radial_part = dF[:, 0] * x + dF[:, 1] * y + dF[:, 2] * z
    dF -= radial_part[:, None, :] * u[None, :, :]
    dF /= r
    return Y.T, dF.transpose(2, 0, 1)
