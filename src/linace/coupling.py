r"""Clebsch-Gordan coefficients and generalised rotation-invariant coupling coefficients.

For a tuple of degrees :math:`(l_1, \dots, l_\nu)` a *coupling* is a real tensor
:math:`C[\mu_1, \dots, \mu_\nu]` (each :math:`\mu_t = -l_t..l_t`, in the real-harmonics order of
:mod:`linace.harmonics`) such that

.. math::

    \sum_{\mu} C[\mu_1..\mu_\nu] \prod_t Y_{l_t \mu_t}(Q \hat r_t)
    = \sum_{\mu} C[\mu_1..\mu_\nu] \prod_t Y_{l_t \mu_t}(\hat r_t)
    \quad \text{for every rotation } Q.

All such tensors are produced by coupling the factors left to right with (complex) Clebsch-Gordan
coefficients, :math:`l_1 \otimes l_2 \to L_2`, :math:`L_2 \otimes l_3 \to L_3`, ...,
:math:`L_{\nu-1} \otimes l_\nu \to 0`; the intermediate :math:`L_2..L_{\nu-2}` label the
different couplings (none for :math:`\nu \le 3`, one free intermediate for :math:`\nu = 4`). The
complex tensors are transformed to the real basis; their real and imaginary parts are real
invariant tensors. If :math:`\sum_t l_t` is even the invariants are also invariant under inversion,
hence under all of O(3).

:func:`coupling_coefficients` then symmetrises over the permutations of slots that carry the same
one-particle function (equal (n, l), whose product is symmetric anyway) and keeps an orthonormal,
linearly independent set (SVD, rank reduction in coefficient space).
"""

from __future__ import annotations

import itertools
from functools import cache
from math import factorial, sqrt

import numpy as np

__all__ = [
    "clebsch_gordan",
    "complex_to_real",
    "coupling_coefficients",
    "invariant_couplings",
]

#: Singular values below this (relative to the coupling tensors' unit norm) count as zero.
RANK_TOLERANCE = 1e-10


@cache
def clebsch_gordan(j1: int, m1: int, j2: int, m2: int, J: int, M: int) -> float:
    r"""Clebsch-Gordan coefficient :math:`\langle j_1 m_1 j_2 m_2 | J M\rangle` (Condon-Shortley).

    Racah's closed formula, for integer angular momenta. Zero unless M = m1 + m2, the triangle
    condition holds and every |m| <= j.

    >>> round(clebsch_gordan(1, 0, 1, 0, 0, 0), 6)   # <1 0 1 0 | 0 0> = -1/sqrt(3)
    -0.57735
    >>> clebsch_gordan(1, 1, 1, 1, 0, 0)              # M != m1 + m2
    0.0
    """
    if M != m1 + m2 or not abs(j1 - j2) <= J <= j1 + j2:
        return 0.0
    if abs(m1) > j1 or abs(m2) > j2 or abs(M) > J:
        return 0.0
    prefactor = sqrt(
        (2 * J + 1)
        * factorial(J + j1 - j2)
        * factorial(J - j1 + j2)
        * factorial(j1 + j2 - J)
        / factorial(j1 + j2 + J + 1)
    ) * sqrt(
        factorial(J + M)
        * factorial(J - M)
        * factorial(j1 - m1)
        * factorial(j1 + m1)
        * factorial(j2 - m2)
        * factorial(j2 + m2)
    )
    k_min = max(0, j2 - J - m1, j1 + m2 - J)
    k_max = min(j1 + j2 - J, j1 - m1, j2 + m2)
    total = 0
    for k in range(k_min, k_max + 1):
        total += (-1) ** k / (
            factorial(k)
            * factorial(j1 + j2 - J - k)
            * factorial(j1 - m1 - k)
            * factorial(j2 + m2 - k)
            * factorial(J - j2 + m1 + k)
            * factorial(J - j1 - m2 + k)
        )
    return prefactor * total


@cache
def _cg_tensor(j1: int, j2: int, J: int) -> np.ndarray:
    """CG[m1 + j1, m2 + j2, M + J] as a dense (2j1+1, 2j2+1, 2J+1) array."""
    out = np.zeros((2 * j1 + 1, 2 * j2 + 1, 2 * J + 1))
    for m1 in range(-j1, j1 + 1):
        for m2 in range(-j2, j2 + 1):
            if abs(m1 + m2) <= J:
                out[m1 + j1, m2 + j2, m1 + m2 + J] = clebsch_gordan(j1, m1, j2, m2, J, m1 + m2)
    out.flags.writeable = False
    return out


@cache
def complex_to_real(l: int) -> np.ndarray:
    r"""Unitary U with :math:`Y_l^m = \sum_\mu U[m+l, \mu+l]\, Y_{l\mu}` (complex from real).

    The complex :math:`Y_l^m` carry the Condon-Shortley phase; the real ones are those of
    :mod:`linace.harmonics`. For m > 0: :math:`Y_l^m = (-1)^m (Y_{lm} + i Y_{l,-m})/\sqrt2` and
    :math:`Y_l^{-m} = (Y_{lm} - i Y_{l,-m})/\sqrt2`.
    """
    U = np.zeros((2 * l + 1, 2 * l + 1), dtype=complex)
    U[l, l] = 1.0
    for m in range(1, l + 1):
        U[l + m, l + m] = (-1) ** m / sqrt(2)
        U[l + m, l - m] = 1j * (-1) ** m / sqrt(2)
        U[l - m, l + m] = 1 / sqrt(2)
        U[l - m, l - m] = -1j / sqrt(2)
    U.flags.writeable = False
    return U


def _intermediate_sequences(ls: tuple[int, ...]):
    """All (L_2, ..., L_{nu-1}) of the left-to-right coupling tree that end with L_{nu-1} = l_nu."""
    if len(ls) == 1:
        if ls[0] == 0:
            yield ()
        return
    partial = [(ls[0],)]
    for l_next in ls[1:-1]:
        partial = [seq + (L,) for seq in partial for L in range(abs(seq[-1] - l_next), seq[-1] + l_next + 1)]
    for seq in partial:
        if seq[-1] == ls[-1]:
            yield seq[1:]


@cache
def invariant_couplings(ls: tuple[int, ...]) -> np.ndarray:
    """Real rotation-invariant tensors for the degrees ``ls``, one per coupling tree.

    Returns
    -------
    (n_trees, 2*l_1+1, ..., 2*l_nu+1) array (before any symmetrisation or rank reduction). May be
    linearly dependent; may be empty (first axis 0) if the degrees cannot couple to 0.
    """
    ls = tuple(int(l) for l in ls)
    shape = tuple(2 * l + 1 for l in ls)
    tensors = []
    for intermediates in _intermediate_sequences(ls):
        # T[m_1, ..., m_t, M_t]: l_1 coupled with l_2..l_t to L_t
        T = np.eye(2 * ls[0] + 1)
        L_prev = ls[0]
        for l_t, L_t in zip(ls[1:-1], intermediates):
            T = np.tensordot(T, _cg_tensor(L_prev, l_t, L_t), axes=([-1], [0]))
            L_prev = L_t
        if len(ls) > 1:
            T = np.tensordot(T, _cg_tensor(L_prev, ls[-1], 0)[:, :, 0], axes=([-1], [0]))
        else:
            T = T.reshape(1)  # l = 0
        # complex -> real basis in every slot
        for axis, l in enumerate(ls):
            T = np.moveaxis(np.tensordot(T, complex_to_real(l), axes=([axis], [0])), -1, axis)
        tensors.extend([T.real, T.imag])
    out = np.array([t for t in tensors if np.linalg.norm(t) > RANK_TOLERANCE]).reshape((-1,) + shape)
    out.flags.writeable = False
    return out


def _symmetrise(tensor: np.ndarray, groups: tuple[int, ...]) -> np.ndarray:
    """Average ``tensor`` over all permutations of axes that carry the same group label."""
    slots = range(len(groups))
    perms = [p for p in itertools.permutations(slots) if all(groups[p[t]] == groups[t] for t in slots)]
    return sum(np.transpose(tensor, p) for p in perms) / len(perms)


@cache
def coupling_coefficients(ls: tuple[int, ...], groups: tuple[int, ...] | None = None) -> np.ndarray:
    """Orthonormal, linearly independent invariant couplings for one product of factors.

    Parameters
    ----------
    ls : tuple of int
        Degrees (l_1, ..., l_nu) of the factors.
    groups : tuple of int, optional
        Label per slot; slots with equal labels carry the same one-particle function (same (n, l)),
        so only couplings symmetric under exchanging them give independent functions. Default: all
        slots distinct.

    Returns
    -------
    (n_couplings, 2*l_1+1, ..., 2*l_nu+1) array, orthonormal when flattened (Frobenius inner
    product). Empty first axis if no invariant exists (e.g. odd sum of l, or l_1 != l_2 for nu = 2).

    Examples
    --------
    >>> coupling_coefficients((1, 1)).shape         # Y_1 . Y_1: one invariant
    (1, 3, 3)
    >>> coupling_coefficients((1, 2)).shape         # odd sum of l: none under inversion
    (0, 3, 5)
    >>> coupling_coefficients((2, 2, 2, 2)).shape   # nu = 4: one per intermediate L = 0..4
    (5, 5, 5, 5, 5)
    >>> coupling_coefficients((2, 2, 2, 2), groups=(0, 0, 0, 0)).shape  # one function four times
    (1, 5, 5, 5, 5)
    """
    ls = tuple(int(l) for l in ls)
    groups = tuple(range(len(ls))) if groups is None else tuple(groups)
    if len(groups) != len(ls):
        raise ValueError(f"groups {groups} must have one label per factor of {ls}")
    if any(groups[a] == groups[b] and ls[a] != ls[b] for a in range(len(ls)) for b in range(len(ls))):
        raise ValueError(f"slots with the same group label must have the same l: {ls}, {groups}")
    shape = tuple(2 * l + 1 for l in ls)
    if sum(ls) % 2:  # odd parity: invariant under rotations but not under inversion
        return np.zeros((0,) + shape)
    candidates = invariant_couplings(ls)
    if len(candidates) == 0:
        return np.zeros((0,) + shape)
    candidates = np.array([_symmetrise(c, groups) for c in candidates])
    flat = candidates.reshape(len(candidates), -1)
    _, singular_values, vt = np.linalg.svd(flat, full_matrices=False)
    rank = int(np.sum(singular_values > RANK_TOLERANCE * max(1.0, singular_values[0])))
    basis = vt[:rank]
    # fix signs deterministically: first non-negligible entry positive
    for row in basis:
        lead = row[np.argmax(np.abs(row) > 1e-8)]
        if lead < 0:
            row *= -1
    # clean round-off so that exact zeros are exact (sparser products downstream)
    basis[np.abs(basis) < 1e-13] = 0.0
    out = basis.reshape((rank,) + shape)
    out.flags.writeable = False
    return out
