r"""Every basis function as a sparse linear combination of products of atomic bases.

A function B with factors (n_t, l_t) and coupling C (:mod:`linace.coupling`) is
:math:`\sum_m C[m] \prod_t A_{n_t l_t m_t}`: a product of atomic bases. The *pure*
(self-interaction-free) function sums over distinct neighbours only; by inclusion-exclusion over the
set partitions :math:`\pi` of its factors (:func:`set_partitions`),

.. math::

    \sum_{j_1 \ne \dots \ne j_\nu} \prod_t \phi_{a_t}(\mathbf r_{ij_t})
        = \sum_\pi \mu(\pi) \prod_{b \in \pi} A_{S_b}(i), \qquad
    A_S(i) = \sum_j \psi_S(\mathbf r_{ij}), \quad \psi_S = \prod_{a \in S} \phi_a,

with :math:`\mu(\pi) = \prod_b (-1)^{|b|-1} (|b|-1)!`. A block merges its factors on one neighbour,
and a product of harmonics is a short sum of harmonics (generalised real Gaunt coefficients,
:func:`gaunt`), so every block is the atomic base of one function :math:`\phi_{(\rho, L, M)} =
R_\rho Y_{LM}` of an enlarged one-particle basis, and every function, standard or pure, is a sparse
linear combination of products of those (:func:`expand`). :class:`linace.basis.ACEBasis` builds its
evaluation tables from this expansion.
"""

from __future__ import annotations

from functools import cache
from math import factorial

import numpy as np

from .harmonics import real_sph_harm

__all__ = ["EXPANSION_TOLERANCE", "expand", "gaunt", "set_partitions"]

#: Coefficients of the expansion of a function in products of atomic bases (:func:`expand`)
#: below this are round-off of exact zeros and dropped (the couplings are orthonormal, so the
#: coefficients that are not zero are of order 1e-4 or more).
EXPANSION_TOLERANCE = 1e-13


def expand(functions, couplings, pure: bool) -> dict[tuple[tuple, int], float]:
    r"""Every function as a sparse linear combination of products of atomic bases A_alpha.

    Function b with factors (n_t, l_t) and coupling C is a sum over set partitions pi of its
    factors (for the standard basis only the partition into singletons, mu = 1) of
    :math:`\mu(\pi) \sum_m C[m] \prod_{S \in \pi} A_S(m_S)`. A block S merges its factors on
    one neighbour, and :math:`\prod_{t \in S} R_{n_t} Y_{l_t m_t} = R_\rho \sum_{LM}
    G_S[m_S, LM]\, Y_{LM}` with :math:`R_\rho = \prod_{t \in S} R_{n_t}` (:func:`gaunt`), so
    :math:`A_S(m_S) = \sum_{LM} G_S[m_S, LM] A_{(\rho, L, M)}` and the partition contributes
    :math:`\mu \sum_{(LM)_S} K[(LM)_{S_1}, \dots] \prod_S A_{(\rho_S, L_S, M_S)}`, K = C contracted
    with every G_S. Rotation invariance makes K sparse: a block coupled to a scalar keeps L = 0,
    a block coupled to one more factor of degree l keeps L = l.

    ``functions``: the :class:`~linace.basis.BasisFunction` s; ``couplings``: their coupling
    tensors (one axis of size 2 l_t + 1 per factor); ``pure``: sums over distinct neighbours only.

    Returns {(sorted tuple of alpha = (rho, L, M), b): coefficient}; coefficients below
    :data:`EXPANSION_TOLERANCE` (round-off of exact zeros) are dropped.
    """
    terms: dict[tuple[tuple, int], float] = {}
    for b, (function, coupling) in enumerate(zip(functions, couplings)):
        nu = function.correlation_order
        partitions = set_partitions(nu) if pure else ((tuple((t,) for t in range(nu)), 1),)
        for blocks, mu in partitions:
            order = [t for block in blocks for t in block]
            tensor = coupling.transpose(order).reshape(
                [int(np.prod([2 * function.nl[t][1] + 1 for t in block])) for block in blocks]
            )
            labels = []
            for block in blocks:
                G, lms = gaunt(tuple(function.nl[t][1] for t in block))
                tensor = np.tensordot(tensor, G, axes=([0], [0]))  # the block's axis -> (L, M)
                rho = tuple(sorted(function.nl[t][0] for t in block))
                labels.append([(rho, L, M) for L, M in lms])
            for index in np.argwhere(np.abs(tensor) > EXPANSION_TOLERANCE):
                key = tuple(sorted(labels[k][q] for k, q in enumerate(index)))
                terms[key, b] = terms.get((key, b), 0.0) + mu * tensor[tuple(index)]
    return {kb: c for kb, c in terms.items() if abs(c) > EXPANSION_TOLERANCE}


@cache
def set_partitions(nu: int) -> tuple[tuple[tuple[tuple[int, ...], ...], int], ...]:
    r"""Set partitions of the slots 0..nu-1 with their Moebius coefficients.

    Returns ((blocks, mu), ...) with mu = prod over blocks b of (-1)^(|b|-1) (|b|-1)!, so that for
    any one-particle values x_t(j) the sum over distinct neighbours is

    .. math:: \sum_{j_1 \ne \dots \ne j_\nu} \prod_t x_t(j_t)
              = \sum_\pi \mu(\pi) \prod_{b \in \pi} \sum_j \prod_{t \in b} x_t(j).

    There are Bell(nu) partitions: 1, 2, 5, 15 for nu = 1..4.

    >>> set_partitions(2)    # sum_{j != k} x_0(j) x_1(k) = A_0 A_1 - A_{01}: mu = 1 and -1
    ((((0,), (1,)), 1), (((0, 1),), -1))
    >>> [len(set_partitions(nu)) for nu in (1, 2, 3, 4)]
    [1, 2, 5, 15]
    """

    def partitions(slots):
        if not slots:
            yield []
            return
        first, rest = slots[0], slots[1:]
        for smaller in partitions(rest):
            yield [(first,)] + smaller
            for k in range(len(smaller)):
                yield smaller[:k] + [(first,) + smaller[k]] + smaller[k + 1 :]

    result = []
    for blocks in partitions(tuple(range(nu))):
        mu = 1
        for block in blocks:
            mu *= (-1) ** (len(block) - 1) * factorial(len(block) - 1)
        result.append((tuple(sorted(blocks)), mu))
    return tuple(result)


@cache
def gaunt(ls: tuple[int, ...]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    r"""Expansion of a product of real harmonics: :math:`\prod_t Y_{l_t m_t} = \sum_{LM} G[m, LM]\, Y_{LM}`.

    ``ls`` = (l_1, ..., l_q). Returns G, (prod_t (2 l_t + 1), n_LM) with the m-tuples in C order
    (m_t = -l_t..l_t), and the (L, M) of its columns: every L <= sum l_t of the parity of sum l_t
    that occurs. :math:`G[m, LM] = \int \prod_t Y_{l_t m_t} Y_{LM}\, d\Omega`, exact by a product
    quadrature (Gauss-Legendre in cos theta, uniform in phi) of the polynomial of degree
    2 sum l_t; entries below 1e-14 (round-off of exact zeros) are set to 0. One factor: the identity.

    >>> G, lms = gaunt((1, 1))     # Y_1m Y_1m' = sum over L = 0 and 2 (the parity of l_1 + l_2)
    >>> G.shape                    # (prod_t (2 l_t + 1), number of (L, M))
    (9, 6)
    >>> lms
    [(0, 0), (2, -2), (2, -1), (2, 0), (2, 1), (2, 2)]
    """
    if len(ls) == 1:
        return np.eye(2 * ls[0] + 1), [(ls[0], m) for m in range(-ls[0], ls[0] + 1)]
    degree = sum(ls)
    z, z_weights = np.polynomial.legendre.leggauss(degree + 1)
    azimuths = 2 * np.pi * np.arange(2 * degree + 2) / (2 * degree + 2)
    sine = np.sqrt(1.0 - z**2)
    points = np.stack(
        [
            np.outer(sine, np.cos(azimuths)).ravel(),
            np.outer(sine, np.sin(azimuths)).ravel(),
            np.repeat(z, len(azimuths)),
        ],
        axis=1,
    )
    weights = np.repeat(z_weights, len(azimuths)) * (2 * np.pi / len(azimuths))
    Y = real_sph_harm(points, degree)
    product = np.ones((len(points), 1))
    for l in ls:
        product = (product[:, :, None] * Y[:, l * l : (l + 1) ** 2][:, None, :]).reshape(len(points), -1)
    gaunt = (product * weights[:, None]).T @ Y
    gaunt[np.abs(gaunt) < 1e-14] = 0.0
    lms = [(L, M) for L in range(degree + 1) for M in range(-L, L + 1)]
    keep = np.flatnonzero(np.any(gaunt != 0.0, axis=0))
    return gaunt[:, keep], [lms[k] for k in keep]
