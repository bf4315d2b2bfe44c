r"""The linear ACE basis of one element: descriptors B(i) and the linear rows of a structure.

Mathematics (docs/design.md, section 2). For atom i with neighbours j (r_ij < r_cut):

.. math::

    \phi_{nlm}(\mathbf r_{ij}) &= R_n(r_{ij})\, Y_{lm}(\hat r_{ij})              \\
    A_{nlm}(i)                 &= \sum_j \phi_{nlm}(\mathbf r_{ij})              \\
    B(i)                       &= \sum_{\mu} C[\mu_1..\mu_\nu] \prod_{t=1}^{\nu} A_{n_t l_t \mu_t}(i)

A function B with :math:`\nu` factors (correlation order) has body order :math:`\nu + 1`. The
basis truncated at body order K holds every B with :math:`\nu \le K - 1` whose sorted
one-particle tuple :math:`((n_1,l_1) \le \dots \le (n_\nu,l_\nu))` satisfies

* :math:`\sum_t (n_t + w_L\, l_t) \le D_\nu` (total degree; n = 1, 2, ...),
* :math:`l_t \le l_{\max}(\nu)`, :math:`\sum_t l_t` even, and :math:`l = 0` for :math:`\nu = 1`,

with one function per linearly independent coupling C (:func:`linace.coupling.coupling_coefficients`).

The *pure* (self-interaction-free) basis, ``ACEBasis(..., pure=True)``, keeps the same functions
but sums every product over distinct neighbours only. By inclusion-exclusion over the set partitions
:math:`\pi` of the :math:`\nu` factors (:func:`linace.expansion.set_partitions`),

.. math::

    \sum_{j_1 \ne \dots \ne j_\nu} \prod_t \phi_{a_t}(\mathbf r_{ij_t})
        = \sum_\pi \mu(\pi) \prod_{b \in \pi} A_{S_b}(i), \qquad
    A_S(i) = \sum_j \psi_S(\mathbf r_{ij}), \quad \psi_S = \prod_{a \in S} \phi_a,

with :math:`\mu(\pi) = \prod_b (-1)^{|b|-1} (|b|-1)!`.

*Evaluation route: an enlarged one-particle basis.* A block merges its factors on one neighbour,
and a product of harmonics is a short sum of harmonics (generalised real Gaunt coefficients G,
:func:`linace.expansion.gaunt`):

.. math::

    \psi_S = \prod_{t \in S} R_{n_t} Y_{l_t m_t} = R_\rho \sum_{LM} G_S[m_S, LM]\, Y_{LM},
    \qquad R_\rho = \prod_{t \in S} R_{n_t},

so :math:`A_S = \sum_{LM} G_S[m_S, LM]\, A_{(\rho, L, M)}` with the atomic base of the one-particle
function :math:`\phi_{(\rho, L, M)} = R_\rho Y_{LM}`, and every pure function is a sparse linear
combination of *standard* products :math:`\prod_b A_{(\rho_b, L_b, M_b)}` of this enlarged
one-particle basis (:func:`linace.expansion.expand`: the coupling C contracted with the G of every
block). Rotation invariance makes the combination short: the m-sum of a block coupled to a scalar
keeps only L = 0, that of a block coupled to one more factor of degree l only L = l. The standard
basis is the special case rho = (n,), (L, M) = (l, m); both variants share one evaluation path, and
the one-particle functions alpha = (rho, L, M) are called the *features* of the basis.

The route was chosen by measurement over the alternative of taking the products of one-particle
functions on one neighbour, psi_S for every multiset S, as features ("sharing the set-partition
products across functions"): at K = 4 and 5 that needs 4545 and 22388 features, 12123 and 96469
Jacobian entries and 15694 and 176267 products of atomic bases, the enlarged basis 457 and 913
one-particle functions, 6399 and 36281 Jacobian entries and 5717 and 42661 products (standard: 136
one-particle functions, 3242 and 11080 entries, 4546 and 22357 products).

Evaluation (pairs and work arrays in :mod:`linace.neighbourhood`) is vectorised over neighbour
pairs and atoms, every per-pair and per-atom array with pairs or atoms on its last axis (so that
gathering the factors of a product takes whole rows):

1. pairs from vesin's ASE-compatible neighbour list (periodic images included, so cells smaller
   than r_cut are fine), sorted by centre and neighbour;
2. the one-particle functions :math:`\phi_{(\rho, L, M)}` (radial products each from its prefix)
   and their gradients per pair, summed into A per atom;
3. all products :math:`\prod_t A_{f_t}` ("nodes") level by level, each a product of its prefix
   and one more factor; B = C @ nodes (sparse);
4. derivative rows (:meth:`ACEBasis.design`), per chunk of centre atoms c that see the atoms k
   (all of them in a small cell; chunks follow a space-filling order in a large one): the pairs
   laid out in slots (c, k), so that the one-particle gradients are the slot gradients
   :math:`S[f, x, c, k] = \partial A_f(c)/\partial r_k[x]` (periodic images folded, plus three
   virial columns); the Jacobian :math:`J[b, f](c) = \partial B_b(c)/\partial A_f(c)` on its fixed
   sparsity pattern, dense per feature; the rows :math:`\sum_c \sum_f J[b, f](c) S[f, x, c, k]` by
   one BLAS product per run of features (contracting the centres) and a sparse sum over f.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import scipy.sparse as sp
from ase import Atoms
from ase.data import atomic_numbers
from vesin import ase_neighbor_list as neighbor_list

from .coupling import coupling_coefficients
from .expansion import expand, set_partitions
from .harmonics import lm_index, real_sph_harm
from .neighbourhood import (CHUNK_BYTES, WORKSPACE_KEPT_BYTES, FeatureBlock, Neighbourhood, SlotNeighbourhood, Workspace,
                            compact_order, design_workspace, work_array)
from .radial import RadialBasis, element_scales

__all__ = ["DEFAULT_TRUNCATION", "ACEBasis", "BasisFunction", "DesignRows", "set_partitions"]

#: Default truncation per correlation order nu = 1..4: (max total degree D_nu, l_max(nu)).
#: With l_weight = 1 this gives 12, 102, 439 and 1243 functions for K = 2, 3, 4, 5.
DEFAULT_TRUNCATION = {1: (12, 0), 2: (12, 4), 3: (13, 3), 4: (14, 3)}

#: Distances below this (A) are treated as two atoms on top of each other (an input error).
MIN_DISTANCE = 1e-3
#: row and column indices of the Voigt order (xx, yy, zz, yz, xz, xy) of a 3 x 3 tensor (ASE's stress)
VOIGT = ([0, 1, 2, 1, 0, 0], [0, 1, 2, 2, 2, 1])

#: Target size (bytes) of the work arrays of one chunk of centre atoms in :meth:`ACEBasis.design`
#: (chunks of equal size). The arrays of one feature block (:data:`BLOCK_FEATURES`) stay in the CPU
#: cache; larger chunks give longer matrix products and fewer numpy calls per atom.
DESIGN_CHUNK_BYTES = 32 * 2**20


#: Fixed cost of one chunk of centres in :meth:`ACEBasis.design` (numpy calls), in slots of one centre
#: (:meth:`ACEBasis._design_chunk_size`).
CHUNK_OVERHEAD_SLOTS = 800

#: Largest number of one-particle functions evaluated together (:class:`~linace.neighbourhood.FeatureBlock`): their
#: derivatives for a chunk of centres should stay in the CPU cache until the force rows are made.
BLOCK_FEATURES = 16

#: Pairs per call of :func:`real_sph_harm` (its temporaries, about 100 values per pair at l_max = 4,
#: should stay in the CPU cache).
PAIR_PIECE = 1024

#: Cost of one more batched matrix product in :meth:`ACEBasis._force_rows`, in padded Jacobian rows
#: (:func:`_feature_runs`): a product call costs about as much as this many rows of multiply-adds.
RUN_OVERHEAD_ROWS = 8


#: Index tables of recently built bases, shared by equal bases (read-only once built).
_TABLES: dict[tuple, dict] = {}
_TABLES_KEPT = 8


@dataclass(frozen=True)
class BasisFunction:
    """One basis function: its sorted one-particle tuple ((n_1, l_1), ...) and coupling index."""

    nl: tuple[tuple[int, int], ...]
    coupling: int
    n_couplings: int

    @property
    def correlation_order(self) -> int:
        """nu, the number of factors A."""
        return len(self.nl)

    @property
    def body_order(self) -> int:
        """nu + 1."""
        return len(self.nl) + 1

    def __str__(self) -> str:
        factors = " ".join(f"A[n={n},l={l}]" for n, l in self.nl)
        coupling = f", coupling {self.coupling + 1}/{self.n_couplings}" if self.n_couplings > 1 else ""
        return f"B{self.body_order}: {factors}{coupling}"


@dataclass
class DesignRows:
    """Linear rows of one structure: E = e0 * n_atoms + energy @ c, F = forces @ c, ...

    Attributes
    ----------
    energy : (n_basis,) array, sum_i B(i)
    forces : (n_atoms, 3, n_basis) array, -d/dr_k sum_i B(i), in 1/A per unit coefficient
    stress : (6, n_basis) array or None
        (1/V) d/d(strain) sum_i B(i) in Voigt order (xx, yy, zz, yz, xz, xy), ASE's sign
        convention; None unless the cell is periodic in all three directions.
    """

    energy: np.ndarray
    forces: np.ndarray
    stress: np.ndarray | None


def _sorted_tuples(nu: int, max_degree: float, l_max: int, l_weight: float):
    """Sorted (n, l) tuples of length nu inside the total-degree and l_max limits, with an even sum of
    l (parity) and l = 0 when nu = 1, in lexicographic order.

    A depth-first walk over non-decreasing tuples that drops a branch as soon as its degree
    sum_t (n_t + w_L l_t) exceeds ``max_degree``: the same tuples, in the same order, as filtering
    ``itertools.combinations_with_replacement`` of the single (n, l), without visiting the many
    combinations (millions at nu = 4) that the degree limit rules out.
    """
    singles = sorted(
        (n, l)
        for l in range(l_max + 1)
        for n in range(1, int(max_degree - l_weight * l) + 1)
        if n + l_weight * l <= max_degree
    )
    degrees = [n + l_weight * l for n, l in singles]
    limit = max_degree + 1e-12
    lightest = min(degrees, default=0.0)  # every later slot adds at least this much

    def extend(prefix: tuple, first: int, degree: float):
        if len(prefix) == nu:
            if sum(l for _, l in prefix) % 2 == 0 and not (nu == 1 and prefix[0][1] != 0):
                yield prefix
            return
        for index in range(first, len(singles)):
            if degree + degrees[index] + (nu - len(prefix) - 1) * lightest <= limit:
                yield from extend(prefix + (singles[index],), index, degree + degrees[index])

    yield from extend((), 0, 0.0)


@lru_cache(maxsize=_TABLES_KEPT)
def _enumerate_functions(truncation: tuple, l_weight: float) -> tuple[tuple, tuple]:
    """The basis functions of a truncation ((nu, (max_degree, l_max)), ...) and their coupling
    coefficients, in basis order; kept for the last few truncations (bases are built once per fit,
    prediction and dimer curve). The coupling arrays are read-only: every basis shares them."""
    functions, coupling_arrays = [], []
    for nu, (max_degree, l_max) in truncation:
        for nl in _sorted_tuples(nu, max_degree, l_max, l_weight):
            groups = tuple(nl.index(f) for f in nl)  # equal (n, l) -> same label
            couplings = coupling_coefficients(tuple(l for _, l in nl), groups)
            for k, c in enumerate(couplings):
                c = np.array(c)
                c.flags.writeable = False
                functions.append(BasisFunction(nl, k, len(couplings)))
                coupling_arrays.append(c)
    return tuple(functions), tuple(coupling_arrays)


class ACEBasis:
    """Linear ACE basis for one element, truncated at body order K.

    Parameters
    ----------
    body_order : int
        K in 2..5: the basis holds correlation orders nu = 1..K-1.
    rcut : float, optional
        Cut-off radius in A; default from the element (:func:`linace.radial.element_scales`:
        5.0 A for C, 7.61 A for Si).
    truncation : dict {nu: (max_degree, l_max)}, optional
        Overrides of :data:`DEFAULT_TRUNCATION` per correlation order.
    l_weight : float
        w_L in the total degree sum_t (n_t + w_L l_t).
    element : str
        The chemical symbol the basis describes.
    r0 : float, optional
        Centre of the distance transform of the radial basis (A); default from the element
        (1.5 A for C, 2.28 A for Si).
    pure : bool
        If True, the self-interaction-free basis: each product of nu atomic bases runs over nu
        *distinct* neighbours (inclusion-exclusion over set partitions, :func:`set_partitions`), so a
        nu-correlation function vanishes on every atom with fewer than nu neighbours and on a dimer
        only the two-body functions survive. Same functions (labels, truncation) as the standard basis.

    Examples
    --------
    >>> from ase.build import bulk
    >>> basis = ACEBasis(body_order=3)
    >>> basis.descriptors(bulk("C", "diamond", a=3.567)).shape
    (2, 102)
    """

    def __init__(
        self,
        body_order: int,
        rcut: float | None = None,
        truncation: dict[int, tuple[float, int]] | None = None,
        l_weight: float = 1.0,
        element: str = "C",
        r0: float | None = None,
        pure: bool = False,
    ):
        if isinstance(body_order, bool) or int(body_order) != body_order or not 2 <= body_order <= 5:
            raise ValueError(f"body_order must be an integer in 2..5, got {body_order!r}")
        if element not in atomic_numbers:
            raise ValueError(f"unknown chemical element {element!r}")
        if not (np.isfinite(l_weight) and l_weight >= 0):
            raise ValueError(f"l_weight must be finite and >= 0, got {l_weight}")
        if not isinstance(pure, (bool, np.bool_)):
            raise TypeError(f"pure must be True or False, got {pure!r}")
        self.body_order = int(body_order)
        self.pure = bool(pure)
        self.element = element
        self.l_weight = float(l_weight)
        self.truncation = {nu: DEFAULT_TRUNCATION[nu] for nu in range(1, self.body_order)}
        for nu, limits in (truncation or {}).items():
            nu = int(nu)  # keys may be strings after a JSON round trip
            if nu not in self.truncation:
                raise ValueError(
                    f"truncation given for correlation order nu = {nu}, but body order "
                    f"{self.body_order} has nu = 1..{self.body_order - 1}"
                )
            try:
                max_degree, l_max = limits
            except (TypeError, ValueError):
                raise ValueError(f"truncation for nu = {nu} must be a pair (max_degree, l_max), got {limits!r}") from None
            if not (np.isfinite(max_degree) and max_degree >= 1) or int(l_max) != l_max or l_max < 0:
                raise ValueError(f"truncation for nu = {nu} must have a finite max_degree >= 1 and an integer "
                                 f"l_max >= 0, got {limits!r}")
            self.truncation[nu] = (max_degree, int(l_max))

        functions, couplings = _enumerate_functions(tuple(sorted(self.truncation.items())), self.l_weight)
        self.functions: list[BasisFunction] = list(functions)
        self._couplings: list[np.ndarray] = list(couplings)
        if not self.functions:
            raise ValueError("the truncation leaves no basis function")
        n_max = max(n for f in self.functions for n, _ in f.nl)
        self.l_max = max(l for f in self.functions for _, l in f.nl)
        default_rcut, default_r0 = element_scales(element) if rcut is None or r0 is None else (rcut, r0)
        self.radial = RadialBasis(n_max=n_max, rcut=default_rcut if rcut is None else rcut,
                                  r0=default_r0 if r0 is None else r0)
        # the tables depend only on the functions and the variant; the pure K = 5 ones take seconds
        key = (tuple(sorted(self.truncation.items())), self.l_weight, self.pure)
        if key not in _TABLES:
            before = set(vars(self))
            self._build_tables()
            _TABLES[key] = {name: value for name, value in vars(self).items() if name not in before}
            while len(_TABLES) > _TABLES_KEPT:
                _TABLES.pop(next(iter(_TABLES)))
        vars(self).update(_TABLES[key])

    # ------------------------------------------------------------------ set-up
    @property
    def rcut(self) -> float:
        """Cut-off radius in A."""
        return self.radial.rcut

    def __len__(self) -> int:
        return len(self.functions)

    def __repr__(self) -> str:
        return (
            f"ACEBasis(body_order={self.body_order}, rcut={self.rcut}, element={self.element!r}, "
            f"truncation={self.truncation}, l_weight={self.l_weight}, r0={self.radial.r0}, "
            f"pure={self.pure}) "
            f"# {len(self)} functions"
        )

    @cached_property
    def body_orders(self) -> np.ndarray:
        """(n_basis,) int array: body order (nu + 1) of every function."""
        return np.array([f.body_order for f in self.functions], dtype=int)

    def describe(self) -> list[str]:
        """One readable line per function, e.g. ``'B3: A[n=1,l=1] A[n=2,l=1]'``."""
        return [str(f) for f in self.functions]

    def parameters(self) -> dict:
        """Constructor arguments that rebuild this basis: ``ACEBasis(**basis.parameters())``."""
        return {
            "body_order": self.body_order,
            "rcut": self.rcut,
            "truncation": {nu: list(v) for nu, v in self.truncation.items()},
            "l_weight": self.l_weight,
            "element": self.element,
            "r0": self.radial.r0,
            "pure": self.pure,
        }

    def _build_tables(self) -> None:
        """Index the one-particle functions, the products of their atomic bases the basis needs, and
        the maps from those products to B and to the Jacobian dB/dA.

        Every function is a sparse linear combination of products of atomic bases A_alpha(i) =
        sum_j phi_alpha(r_ij) with phi_alpha = R_rho Y_LM (:func:`linace.expansion.expand`): the one-particle
        functions alpha = (rho, L, M) are the ``features`` of the basis, ((n,), l, m) for the
        standard one.
        """
        terms = expand(self.functions, self._couplings, self.pure)
        # alpha = (rho, L, M), ordered by L, then rho, then M
        self.features = sorted({alpha for key, _ in terms for alpha in key}, key=lambda a: (a[1], a[0], a[2]))
        feature_of = {alpha: f for f, alpha in enumerate(self.features)}
        # radial products R_rho = R_rho[:-1] * R_rho[-1], closed under prefixes; the R_n first
        rhos = {rho[:k] for rho, _, _ in self.features for k in range(1, len(rho) + 1)}
        rhos |= {(n,) for n in range(1, self.radial.n_max + 1)}
        self._radial_products = sorted(rhos, key=lambda rho: (len(rho), rho))
        rho_of = {rho: k for k, rho in enumerate(self._radial_products)}
        assert all(self._radial_products[n - 1] == (n,) for n in range(1, self.radial.n_max + 1))
        self._radial_parent = np.array([rho_of[rho[:-1]] if len(rho) > 1 else -1 for rho in self._radial_products])
        self._radial_last = np.array([rho[-1] - 1 for rho in self._radial_products])
        sizes = np.array([len(rho) for rho in self._radial_products])
        self._radial_levels = [
            slice(np.searchsorted(sizes, k), np.searchsorted(sizes, k, side="right")) for k in range(2, sizes.max() + 1)
        ]
        self._phi_radial = np.array([rho_of[rho] for rho, _, _ in self.features])
        self._phi_lm = np.array([lm_index(L, M) for _, L, M in self.features])
        self._harmonics_l_max = max(L for _, L, _ in self.features)
        terms = {(tuple(sorted(feature_of[alpha] for alpha in key)), b): c for (key, b), c in terms.items()}

        # nodes: every needed product, every product with one factor removed (derivatives),
        # closed under taking prefixes (recursive evaluation); node 0 is the empty product = 1
        needed = {key for key, _ in terms}
        needed |= {key[:t] + key[t + 1 :] for key in needed for t in range(len(key))}
        closed = set()
        for key in needed:
            closed.update(key[:k] for k in range(len(key) + 1))
        nodes = sorted(closed, key=lambda key: (len(key), key))
        node_of = {key: q for q, key in enumerate(nodes)}
        self._node_parent = np.array([node_of[key[:-1]] if key else -1 for key in nodes])
        self._node_last = np.array([key[-1] if key else -1 for key in nodes])
        lengths = np.array([len(key) for key in nodes])
        self._level_slices = [
            slice(np.searchsorted(lengths, k), np.searchsorted(lengths, k, side="right"))
            for k in range(1, lengths.max() + 1)
        ]

        rows, cols, vals = [], [], []
        z_node, z_f, z_b, z_val = [], [], [], []
        for (key, b), c in terms.items():
            rows.append(node_of[key])
            cols.append(b)
            vals.append(c)
            for t in range(len(key)):
                z_node.append(node_of[key[:t] + key[t + 1 :]])
                z_f.append(key[t])
                z_b.append(b)
                z_val.append(c)
        n_nodes, n_basis = len(nodes), len(self.functions)
        #: B = nodes @ _product_to_basis, (n_nodes, n_basis)
        self._product_to_basis = sp.csr_matrix((vals, (rows, cols)), shape=(n_nodes, n_basis))
        #: B = _basis_from_nodes @ nodes for node-major nodes (n_nodes, atoms)
        self._basis_from_nodes = self._product_to_basis.T.tocsr()
        # dB_b/dA_f = sum_q nodes[q] Z[q, (f, b)]; kept as COO pieces to also contract with c
        self._z_node = np.array(z_node)
        self._z_f = np.array(z_f)
        self._z_b = np.array(z_b)
        self._z_val = np.array(z_val)
        # the Jacobian J[f, b] = dB_b/dA_f is sparse with a fixed pattern: its entries k = (f_k, b_k),
        # ordered by b, are J = nodes @ Z[:, entry], summed from the z-terms of equal (f, b)
        entries, entry_of_z = np.unique(np.c_[self._z_b, self._z_f], axis=0, return_inverse=True)
        self._jacobian_b, self._jacobian_f = entries[:, 0], entries[:, 1]
        # Evaluation blocks (:class:`FeatureBlock`): for every L the features (rho, L, M) are the
        # full product (radial products rho) x (M = -L..L), rho-major; a block is the features of one
        # L and a few consecutive rho, at most BLOCK_FEATURES. For the force rows (:meth:`_force_rows`)
        # the Jacobian entries are grouped by feature, those of feature f the rows of a dense (M, C)
        # block for a chunk of C centres; runs of consecutive features of a block share one padded row
        # count M (:func:`_feature_runs`), so that one batched matrix product serves each run.
        counts = np.bincount(self._jacobian_f, minlength=len(self.features))
        first_row = np.zeros(len(self.features), dtype=np.intp)  # padded row of the first entry of f
        self._feature_blocks = []
        n_padded = 0
        for L in sorted({L for _, L, _ in self.features}):
            of_L = [f for f, (_, l, _) in enumerate(self.features) if l == L]
            rhos_of_L = self._phi_radial[of_L[:: 2 * L + 1]]
            assert [self.features[f] for f in of_L] == [
                (self._radial_products[k], L, M) for k in rhos_of_L for M in range(-L, L + 1)
            ], "the features of one L are not the full product (rho) x (M)"
            per_block = max(1, BLOCK_FEATURES // (2 * L + 1))
            for first in range(0, len(rhos_of_L), per_block):
                rhos = rhos_of_L[first : first + per_block]
                f0 = of_L[0] + first * (2 * L + 1)
                features = slice(f0, f0 + len(rhos) * (2 * L + 1))
                runs, block_start = [], n_padded
                for r0, r1 in _feature_runs(counts[features], RUN_OVERHEAD_ROWS):
                    rows = int(counts[f0 + r0 : f0 + r1].max())
                    runs.append((slice(r0, r1), rows, slice(n_padded, n_padded + (r1 - r0) * rows)))
                    first_row[f0 + r0 : f0 + r1] = n_padded + rows * np.arange(r1 - r0)
                    n_padded += (r1 - r0) * rows
                self._feature_blocks.append(FeatureBlock(L, features, rhos, tuple(runs), slice(block_start, n_padded)))
        by_feature = np.argsort(self._jacobian_f, kind="stable")  # the entries of each f in b order
        rank = np.empty(len(entries), dtype=np.intp)
        rank[by_feature] = np.arange(len(entries)) - np.searchsorted(self._jacobian_f[by_feature],
                                                                     self._jacobian_f[by_feature])
        padded_row = first_row[self._jacobian_f] + rank
        #: J in the padded layout, (n_padded, n_nodes): J_padded = _padded_jacobian_from_nodes @ nodes
        self._padded_jacobian_from_nodes = sp.csr_matrix(
            (self._z_val, (padded_row[entry_of_z.ravel()], self._z_node)), shape=(n_padded, n_nodes)
        )
        #: sums the padded rows of every function b, per block: (n_basis, rows of the block), one 1 per entry
        rows_to_basis = sp.csc_matrix((np.ones(len(entries)), (self._jacobian_b, padded_row)),
                                      shape=(n_basis, n_padded))
        self._block_rows_to_basis = [rows_to_basis[:, block.padded].tocsr() for block in self._feature_blocks]

    # ------------------------------------------------------------ evaluation
    def check_structure(self, atoms: Atoms) -> None:
        """Raise ValueError with a specific message if ``atoms`` cannot be evaluated by this basis."""
        if not isinstance(atoms, Atoms):
            raise TypeError(f"expected an ase.Atoms object, got {type(atoms).__name__}")
        symbols = np.array(atoms.get_chemical_symbols())
        foreign = np.flatnonzero(symbols != self.element)
        if foreign.size:
            found = sorted(set(symbols[foreign]))
            raise ValueError(
                f"this basis describes only {self.element}, but the structure contains "
                f"{', '.join(found)} (atom indices {foreign[:10].tolist()}{' ...' if foreign.size > 10 else ''})"
            )
        positions = atoms.positions
        bad = np.flatnonzero(~np.all(np.isfinite(positions), axis=1))
        if bad.size:
            raise ValueError(f"non-finite (NaN or inf) positions at atom indices {bad[:10].tolist()}")
        if atoms.pbc.any():
            cell = atoms.cell.array
            if not np.all(np.isfinite(cell)):
                raise ValueError("the cell contains NaN or inf")
            if np.any(np.linalg.norm(cell[atoms.pbc], axis=1) < 1e-8) or (
                atoms.pbc.all() and abs(np.linalg.det(cell)) < 1e-8
            ):
                raise ValueError(f"the cell is degenerate along a periodic direction: {cell.tolist()}")

    def _pairs(self, atoms: Atoms, original_index: np.ndarray | None = None):
        """Neighbour pairs sorted by centre atom i, then neighbour j: i (P,), j (P,), r (P,) in A,
        vectors (P, 3) = r_j - r_i (+ the cell shift of the image). ``original_index`` (N,): the index
        of each atom in the structure the caller was given (for the error message of a reordered copy)."""
        i, j, r, vectors = neighbor_list("ijdD", atoms, self.rcut)
        order = np.lexsort((j, i))
        i, j, r, vectors = i[order].astype(np.intp), j[order].astype(np.intp), r[order], vectors[order]
        close = np.flatnonzero(r < MIN_DISTANCE)
        if close.size:
            p = close[0]
            first, second = (i[p], j[p]) if original_index is None else sorted((original_index[i[p]], original_index[j[p]]))
            raise ValueError(
                f"atoms {first} and {second} are {r[p]:.2e} A apart (at the same position); "
                f"distances below {MIN_DISTANCE} A are not physical"
            )
        return i, j, r, vectors

    def _neighbourhood(self, atoms: Atoms, gradient: bool, centres: np.ndarray | None = None) -> Neighbourhood:
        """Pairs of a checked, non-empty structure (of the ``centres`` only, if given) with their
        radial and angular factors, pair-last."""
        i, j, r, vectors = self._pairs(atoms)
        if centres is not None:
            keep = np.isin(i, centres)
            i, j, r, vectors = i[keep], j[keep], r[keep], vectors[keep]
        return Neighbourhood(self, len(atoms), i, j, r, vectors, *self._pair_factors(r, vectors, gradient))

    def _pair_factors(self, r: np.ndarray, vectors: np.ndarray, gradient: bool, workspace: Workspace | None = None):
        """R, dR (n_max, P) and Y (n_lm, P), dY (n_lm, 3, P) or None of pairs at distances r (P,) with
        vectors (P, 3), pair-last and contiguous. The harmonics in pieces of :data:`PAIR_PIECE`
        pairs, whose temporaries stay in the CPU cache."""
        R, dR = self.radial(r)
        n_lm, n_pairs = (self._harmonics_l_max + 1) ** 2, len(r)
        Y = work_array(workspace, "Y", (n_lm, n_pairs))
        dY = work_array(workspace, "dY", (n_lm, 3, n_pairs)) if gradient else None
        for first in range(0, n_pairs, PAIR_PIECE):
            piece = slice(first, min(first + PAIR_PIECE, n_pairs))
            if gradient:
                Y_piece, dY_piece = real_sph_harm(vectors[piece], self._harmonics_l_max, gradient=True)
                dY[:, :, piece] = dY_piece.transpose(1, 2, 0)  # (n_lm, 3, P'), as real_sph_harm builds it
            else:
                Y_piece = real_sph_harm(vectors[piece], self._harmonics_l_max)
            Y[:, piece] = Y_piece.T
        return np.ascontiguousarray(R.T), np.ascontiguousarray(dR.T), Y, dY

    def _slot_neighbourhood(self, pairs: tuple, first_pair: np.ndarray, centres: slice,
                            workspace: Workspace | None = None) -> SlotNeighbourhood:
        """The pairs of the centre atoms ``centres`` in the slot layout of :class:`SlotNeighbourhood`,
        with their factors and derivatives. ``pairs`` = (i, j, r, vectors) of the whole structure,
        sorted by centre, then neighbour; ``first_pair`` (n_atoms + 1,) where each centre's pairs start."""
        i, j, r, vectors = (array[first_pair[centres.start] : first_pair[centres.stop]] for array in pairs)
        n_chunk, n_pairs = centres.stop - centres.start, len(i)
        c = i - centres.start
        columns = np.unique(np.r_[j, np.arange(centres.start, centres.stop)])
        column = np.searchsorted(columns, j)
        # images: the rank of a pair among the pairs of the same (c, j) (consecutive, as sorted)
        first_image = np.r_[True, (i[1:] != i[:-1]) | (j[1:] != j[:-1])] if n_pairs else np.zeros(0, bool)
        image = np.arange(n_pairs) - np.maximum.accumulate(np.where(first_image, np.arange(n_pairs), 0))
        overflow = np.flatnonzero(image > 0)  # sorted by centre
        per_centre = np.bincount(c[overflow], minlength=n_chunk)
        n_slots = len(columns) + 3
        width = n_slots + int(per_centre.max(initial=0))
        position = c * width + column
        target = position[overflow]
        position[overflow] = c[overflow] * width + n_slots + (
            np.arange(len(overflow)) - np.r_[0, np.cumsum(per_centre)][c[overflow]]
        )
        folds = [(position[overflow][image[overflow] == level], target[image[overflow] == level])
                 for level in range(1, int(image.max(initial=0)) + 1)]
        # items: the pairs at their positions, pads (r_cut, 0, 0) elsewhere
        item_i = np.repeat(np.arange(centres.start, centres.stop), width)
        item_j = item_i.copy()
        item_j[position] = j
        item_r = np.full(n_chunk * width, self.rcut)
        item_r[position] = r
        item_vectors = np.zeros((n_chunk * width, 3))
        item_vectors[:, 0] = self.rcut
        item_vectors[position] = vectors
        return SlotNeighbourhood(
            self, n_chunk, item_i, item_j, item_r, item_vectors,
            *self._pair_factors(item_r, item_vectors, True, workspace), workspace=workspace,
            columns=columns, width=width, folds=folds,
            centre_slot=np.searchsorted(columns, np.arange(centres.start, centres.stop)),
        )

    def _products(self, A: np.ndarray, workspace: Workspace | None = None) -> np.ndarray:
        """All nodes prod_t A[a_t], (n_nodes, n) for A (n_features, n) of n atoms, level by level
        from their prefixes (node-major, so that every step gathers whole rows)."""
        nodes = work_array(workspace, "nodes", (len(self._node_parent), A.shape[1]))
        nodes[0] = 1.0
        for level in self._level_slices:
            np.multiply(nodes[self._node_parent[level]], A[self._node_last[level]], out=nodes[level])
        return nodes

    def _product_chunks(self, A: np.ndarray, atoms_per_chunk: int | None = None):
        """Yield (atom slice, nodes (n_nodes, atoms) of those atoms) for A (n_features, n_atoms),
        bounding the memory of the node arrays."""
        if atoms_per_chunk is None:
            atoms_per_chunk = max(1, CHUNK_BYTES // (8 * len(self._node_parent)))
        for first in range(0, A.shape[1], atoms_per_chunk):
            chunk = slice(first, min(first + atoms_per_chunk, A.shape[1]))
            yield chunk, self._products(A[:, chunk])

    def _design_chunk_size(self, j: np.ndarray, first_pair: np.ndarray) -> int:
        """Centre atoms per chunk of :meth:`design`, for the neighbours j (P,) of the pairs sorted by
        centre (in the space-filling order) and the first pair of every centre (n_atoms + 1,).

        The work per centre is about proportional to the slots per centre, the K atoms its chunk sees
        (:class:`SlotNeighbourhood`), and K grows with the chunk in a large cell; every chunk also
        costs a fixed number of numpy calls. Among C = n_atoms, n_atoms / 2, ..., 1 whose work arrays
        fit :data:`DESIGN_CHUNK_BYTES`, the one of least K + CHUNK_OVERHEAD_SLOTS / C, with K the
        mean over (up to 8) sample chunks; the search stops when that cost grows again.
        """
        n_atoms = len(first_pair) - 1
        # bytes per centre: its nodes and padded Jacobian; per slot the radial products and their
        # derivatives, Y, dY, Y r_hat, and the values, gradients and scratch of a feature block
        per_centre = 8 * (len(self._node_parent) + self._padded_jacobian_from_nodes.shape[0])
        per_slot = 8 * (2 * len(self._radial_products) + 7 * (self._harmonics_l_max + 1) ** 2 + 7 * BLOCK_FEATURES)
        best, best_cost, size = 1, np.inf, n_atoms
        while True:
            n_chunks = -(-n_atoms // size)
            step = -(-n_atoms // n_chunks)  # chunks of equal size
            sample = np.unique(np.linspace(0, n_chunks - 1, min(n_chunks, 8)).astype(int)) * step
            seen = 3 + np.mean([  # the columns of a chunk: its neighbours and its centres (at most)
                len(np.unique(j[first_pair[a] : first_pair[min(a + step, n_atoms)]])) + min(step, n_atoms - a)
                for a in sample
            ])
            seen = min(seen, n_atoms + 3)
            cost = seen + CHUNK_OVERHEAD_SLOTS / step
            if step * (per_centre + seen * per_slot) <= DESIGN_CHUNK_BYTES:
                if cost >= best_cost:
                    return best
                best, best_cost = step, cost
            if size == 1:
                return best
            size = (size + 1) // 2

    def _force_rows(self, nodes: np.ndarray, hood: SlotNeighbourhood,
                    workspace: Workspace | None = None) -> np.ndarray:
        r"""rows[b, x, s] = sum_c sum_f J[b, f](c) S[f, x, c, s], (n_basis, 3, K + 3), for the nodes
        (n_nodes, C) of a chunk of C centres and its slot gradients S (:meth:`SlotNeighbourhood.slot_gradients`).

        The Jacobian :math:`J[b, f](c) = \partial B_b(c)/\partial A_f(c)` is evaluated in the padded
        layout (n_padded, C), the entries of each feature f a dense block (M, C). Per feature block
        (:class:`FeatureBlock`), per run of its features one batched matrix product (BLAS) gives, for
        every entry (b, f), sum_c J[b, f](c) S[f, :, c, :]; a sparse sum over the entries of each b adds
        them to the rows.
        """
        n_chunk, n_slots = nodes.shape[1], len(hood.columns) + 3
        jacobian = self._padded_jacobian_from_nodes @ nodes  # (n_padded, C), dimensionless
        rows = np.zeros((len(self), 3 * n_slots))
        for block, to_basis in zip(self._feature_blocks, self._block_rows_to_basis):
            slots = hood.slot_gradients(block)  # (block.size, 3, C, K + 3)
            products = work_array(workspace, "products", (block.padded.stop - block.padded.start, 3, n_slots))
            for features, n_rows, padded in block.runs:
                n = features.stop - features.start
                into = slice(padded.start - block.padded.start, padded.stop - block.padded.start)
                np.matmul(jacobian[padded].reshape(n, 1, n_rows, n_chunk), slots[features],
                          out=products[into].reshape(n, n_rows, 3, n_slots).transpose(0, 2, 1, 3))
            rows += to_basis @ products.reshape(len(products), 3 * n_slots)
        return rows.reshape(len(self), 3, n_slots)

    def descriptors(self, atoms: Atoms, centres: np.ndarray | None = None) -> np.ndarray:
        """B(i) of every atom, or of the atoms ``centres`` (indices): (n_centres, n_basis), dimensionless."""
        self.check_structure(atoms)
        if centres is not None:
            centres = np.asarray(centres)
            if centres.ndim != 1 or not np.issubdtype(centres.dtype, np.integer) and centres.size:
                raise ValueError("centres must be a 1-d array of atom indices")
            if centres.size and (centres.min() < -len(atoms) or centres.max() >= len(atoms)):
                raise IndexError(f"centres out of range for a structure of {len(atoms)} atoms")
            centres = centres % max(len(atoms), 1)  # negative indices count from the end, as in numpy
        n_centres = len(atoms) if centres is None else len(centres)
        if len(atoms) == 0 or n_centres == 0:
            return np.zeros((n_centres, len(self)))
        A = self._neighbourhood(atoms, gradient=False, centres=centres).atomic_base()
        if centres is not None:
            A = A[:, centres]
        return np.concatenate([(self._basis_from_nodes @ nodes).T for _, nodes in self._product_chunks(A)])

    def design(self, atoms: Atoms) -> DesignRows:
        r"""Linear rows of the energy, forces and stress of one structure (see :class:`DesignRows`).

        Chunks of C centre atoms, consecutive in a space-filling order (:func:`compact_order`), so
        that they see mostly the same K atoms (for a cell of a few dozen atoms: all of them; C from
        :meth:`_design_chunk_size`). For a chunk:

        1. :meth:`_slot_neighbourhood` lays its pairs out in slots (c, k): the pair (c, j) at the
           column of j, further periodic images of j in an overflow region, pads (R = 0) elsewhere,
           and evaluates R_n, Y_lm and their derivatives on them;
        2. A_f(c) (sums over the slots), the nodes, B (energy row) and, in the padded layout
           (n_padded, C), the Jacobian :math:`J[b, f](c) = \partial B_b(c)/\partial A_f(c)`;
        3. per feature block (:class:`FeatureBlock`, a few one-particle functions of one L),
           :meth:`SlotNeighbourhood.slot_gradients` gives :math:`S[f, x, c, k] = \partial
           A_f(c)/\partial r_k[x]` for every atom k the chunk sees (images folded onto their slot,
           the centre's own column :math:`-\sum_j \partial\psi_f(\mathbf r_{cj})`) and three
           virial columns :math:`\sum_j \partial\psi_f(\mathbf r_{cj})[x]\, r_{cj,y}`, and
           :meth:`_force_rows` adds :math:`\sum_c \sum_f J[b, f](c) S[f, x, c, :]` to the rows,
           (n_basis, 3, K + 3): one batched BLAS product over the centres per run of features with the
           same number of Jacobian entries, then a sparse sum of the entries of each b.

        The work arrays are reused between chunks and calls (:class:`Workspace`).
        """
        self.check_structure(atoms)
        n_atoms, n_basis = len(atoms), len(self)
        periodic = bool(atoms.pbc.all())
        if n_atoms == 0:
            return DesignRows(np.zeros(n_basis), np.zeros((0, 3, n_basis)), np.zeros((6, n_basis)) if periodic else None)
        order = compact_order(atoms, self.rcut / 2)
        pairs = self._pairs(atoms[order], order)
        first_pair = np.searchsorted(pairs[0], np.arange(n_atoms + 1))
        step = self._design_chunk_size(pairs[1], first_pair)
        energy = np.zeros(n_basis)
        forces = np.zeros((n_atoms, 3, n_basis))
        virial = np.zeros((3, 3, n_basis))  # [y, x, b]: sum_p dB/dr_p[x] r_p[y]
        workspace = design_workspace()
        for first in range(0, n_atoms, step):
            hood = self._slot_neighbourhood(pairs, first_pair, slice(first, min(first + step, n_atoms)), workspace)
            nodes = self._products(hood.atomic_base(), workspace)
            energy += self._basis_from_nodes @ nodes.sum(axis=1)
            rows = self._force_rows(nodes, hood, workspace)  # (n_basis, 3, K + 3)
            n_columns = len(hood.columns)
            forces[order[hood.columns]] -= rows[:, :, :n_columns].transpose(2, 1, 0)  # columns count in `order`
            virial += rows[:, :, n_columns:].transpose(2, 1, 0)
        workspace.trim(WORKSPACE_KEPT_BYTES)
        stress = None
        if periodic:
            virial = 0.5 * (virial + virial.transpose(1, 0, 2)) / atoms.get_volume()
            stress = virial[VOIGT]
        return DesignRows(energy, forces, stress)

    def energy_forces_stress(self, atoms: Atoms, coefficients: np.ndarray):
        """Site energies, forces and stress of the linear model sum_b c_b B_b (without E0).

        Contracts the coefficients before differentiating, so it costs O(pairs x n_features) instead
        of O(pairs x n_features x n_basis) as :meth:`design` does.

        Returns
        -------
        site_energies : (n_atoms,) eV
        forces : (n_atoms, 3) eV/A
        stress : (6,) eV/A^3 in Voigt order, or None unless periodic in all directions
        """
        coefficients = np.asarray(coefficients, dtype=float)
        if coefficients.shape != (len(self),):
            raise ValueError(f"expected {len(self)} coefficients, got shape {coefficients.shape}")
        self.check_structure(atoms)
        n_atoms = len(atoms)
        periodic = bool(atoms.pbc.all())
        if n_atoms == 0:
            return np.zeros(0), np.zeros((0, 3)), np.zeros(6) if periodic else None
        hood = self._neighbourhood(atoms, gradient=True)
        A = hood.atomic_base()
        # site energies and w[f, i] = sum_b c_b dB_b(i)/dA_f(i)
        node_weights = self._product_to_basis @ coefficients
        contracted = sp.csr_matrix(
            (self._z_val * coefficients[self._z_b], (self._z_f, self._z_node)),
            shape=(len(self.features), len(self._node_parent)),
        )
        site_energies = np.empty(n_atoms)
        w = np.empty(A.shape)
        for chunk, nodes in self._product_chunks(A):
            site_energies[chunk] = node_weights @ nodes
            w[:, chunk] = contracted @ nodes
        i, j = hood.i, hood.j
        grad = np.empty((3, len(i)))  # dE/dr_ij
        step = max(1, CHUNK_BYTES // (32 * len(self.features)))
        for first in range(0, len(i), step):
            pairs = slice(first, min(first + step, len(i)))
            grad[:, pairs] = hood.contracted_gradient(pairs, w[:, i[pairs]])
        forces = np.zeros((n_atoms, 3))
        for x in range(3):
            forces[:, x] = np.bincount(i, grad[x], n_atoms) - np.bincount(j, grad[x], n_atoms)
        stress = None
        if periodic:
            virial = grad @ hood.vectors
            virial = 0.5 * (virial + virial.T) / atoms.get_volume()
            stress = virial[VOIGT]
        return site_energies, forces, stress


def _feature_runs(counts: np.ndarray, overhead: float) -> list[tuple[int, int]]:
    """Split the features 0..F-1 into runs [f0, f1) of consecutive features that minimise
    sum over runs of ((f1 - f0) * max(counts[f0:f1]) + overhead): every feature of a run is padded
    to the run's largest count of Jacobian entries, and every run costs one batched product.
    Dynamic programming over the end of the last run, O(F^2) (vectorised over its start)."""
    n = len(counts)
    best = np.zeros(n + 1)  # best[e]: cost of the features 0..e-1
    start = np.zeros(n + 1, dtype=np.intp)
    for end in range(1, n + 1):
        largest = np.maximum.accumulate(counts[end - 1 :: -1])[::-1]  # largest[s] = max(counts[s:end])
        cost = best[:end] + (end - np.arange(end)) * largest + overhead
        start[end] = np.argmin(cost)
        best[end] = cost[start[end]]
    runs, end = [], n
    while end > 0:
        runs.append((int(start[end]), end))
        end = start[end]
    return runs[::-1]


