r"""The frozen index tables a linear ACE basis is evaluated with, built once per truncation.

Every function of a basis is a sparse linear combination of products of atomic bases
:math:`A_\alpha(i) = \sum_j \phi_\alpha(\mathbf r_{ij})`, :math:`\phi_\alpha = R_\rho Y_{LM}`
(:func:`linace.expansion.expand`; docs/design.md and :mod:`linace.basis` give the maths). The tables
say which one-particle functions, radial products and products of atomic bases that needs, and how
they combine; they are the parts of the evaluation chain, each a small frozen dataclass (after
ACEpotentials.jl's model of named parts: radial basis, one-particle basis, product basis, coupling):

* :class:`RadialProducts` the radial products :math:`R_\rho = \prod_{n \in \rho} R_n`, each from its prefix;
* :class:`Features` the one-particle functions alpha = (rho, L, M) (the *features*);
* :class:`ProductTree` the products :math:`\prod_t A_{f_t}` (*nodes*) the basis and its derivatives need,
  each the product of a shorter node (its parent) and one more factor;
* :class:`CouplingMap` B = C @ nodes and the terms of the Jacobian dB/dA;
* :class:`JacobianLayout` the padded layout of that Jacobian for the force rows, in feature blocks
  (:class:`FeatureBlock`).

:func:`tables_of` builds them from a :class:`~linace.spec.BasisSpec` and keeps the last few: they depend
only on the truncation, l_weight and pure (not on the element, cut-off or radial shape), and every
basis of those shares them (read-only).

>>> from linace.spec import BasisSpec
>>> tables = tables_of(BasisSpec(body_order=3))
>>> len(tables.features), len(tables.products), tables.coupling.basis_from_nodes.shape
(136, 427, (102, 427))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from .expansion import expand
from .harmonics import lm_index
from .spec import BasisFunction, BasisSpec

__all__ = [
    "BLOCK_FEATURES",
    "BasisTables",
    "CouplingMap",
    "FeatureBlock",
    "Features",
    "JacobianLayout",
    "ProductTree",
    "RadialProducts",
    "build_tables",
    "tables_of",
]

#: Largest number of one-particle functions evaluated together (:class:`FeatureBlock`): their
#: derivatives for a chunk of centres should stay in the CPU cache until the force rows are made.
BLOCK_FEATURES = 16

#: Cost of one more batched matrix product in :func:`linace.basis.force_rows`, in padded Jacobian rows
#: (:func:`_feature_runs`): a product call costs about as much as this many rows of multiply-adds.
RUN_OVERHEAD_ROWS = 8

#: The tables of this many recent (truncation, l_weight, pure) are kept (the pure K = 5 ones take seconds).
TABLES_KEPT = 8


def _read_only(values, dtype=None) -> np.ndarray:
    """A new read-only array of ``values`` (the tables are shared by every basis of a truncation)."""
    array = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


def _levels(sizes: np.ndarray, first: int) -> tuple[slice, ...]:
    """The slices of the entries of size first, first + 1, ..., max(sizes) of ``sizes`` (sorted)."""
    return tuple(
        slice(np.searchsorted(sizes, k), np.searchsorted(sizes, k, side="right")) for k in range(first, sizes.max() + 1)
    )


@dataclass(frozen=True, eq=False)
class RadialProducts:
    r"""The radial products :math:`R_\rho = \prod_{n \in \rho} R_n` the features need, closed under
    prefixes, sorted by length then rho: the R_n (n = 1..n_max) first, at index n - 1.

    rhos (n_rho,) tuples of n; parent (n_rho,) the index of rho[:-1] (-1 for one factor); last (n_rho,)
    rho[-1] - 1; levels: the slices of the products of 2, 3, ... factors (each from its parent).
    """

    rhos: tuple[tuple[int, ...], ...]
    parent: np.ndarray
    last: np.ndarray
    levels: tuple[slice, ...]

    def __len__(self) -> int:
        return len(self.rhos)


@dataclass(frozen=True, eq=False)
class Features:
    """The one-particle functions alpha = (rho, L, M), phi_alpha = R_rho Y_LM, ordered by L, then rho,
    then M (((n,), l, m) for the standard basis).

    alphas (n_features,) tuples; radial (n_features,) index of R_rho in :class:`RadialProducts`;
    lm (n_features,) index of Y_LM (:func:`linace.harmonics.lm_index`); l_max the largest L.
    """

    alphas: tuple[tuple, ...]
    radial: np.ndarray
    lm: np.ndarray
    l_max: int

    def __len__(self) -> int:
        return len(self.alphas)


@dataclass(frozen=True, eq=False)
class ProductTree:
    """The products prod_t A[f_t] of atomic bases (*nodes*) the basis needs: every product of a function,
    every one with a factor removed (derivatives), closed under prefixes, sorted by length then by the
    sorted features f_t. Node 0 is the empty product (1).

    parent (n_nodes,) the node without the last factor (-1 for node 0); last (n_nodes,) the last
    feature (-1 for node 0); levels: the slices of the nodes of 1, 2, ... factors.
    """

    parent: np.ndarray
    last: np.ndarray
    levels: tuple[slice, ...]

    def __len__(self) -> int:
        return len(self.parent)


@dataclass(frozen=True, eq=False)
class CouplingMap:
    r"""The maps from the nodes to the basis functions and to the Jacobian dB/dA.

    basis_from_nodes (n_basis, n_nodes) sparse: B = basis_from_nodes @ nodes for node-major nodes
    (n_nodes, atoms); product_to_basis (n_nodes, n_basis), its transpose. The Jacobian
    :math:`\partial B_b / \partial A_f = \sum_k z_{val,k}\, \text{nodes}[z_{node,k}]` over the terms k with
    :math:`(z_{f,k}, z_{b,k}) = (f, b)`: z_node, z_f, z_b, z_val (n_terms,).
    """

    basis_from_nodes: sp.csr_matrix
    product_to_basis: sp.csr_matrix
    z_node: np.ndarray
    z_f: np.ndarray
    z_b: np.ndarray
    z_val: np.ndarray


@dataclass(frozen=True)
class FeatureBlock:
    """The one-particle functions (rho, L, M) of one L and the radial products ``rhos`` (rho-major:
    the features ``features`` = rhos x (M = -L..L)), evaluated by one broadcast product; with the
    ``runs`` of its features in the padded Jacobian (features of the block f0:f1, padded rows per
    feature M, padded rows of the run) and the padded rows of the whole block."""

    L: int
    features: slice
    rhos: np.ndarray
    runs: tuple
    padded: slice

    @property
    def size(self) -> int:
        return self.features.stop - self.features.start


@dataclass(frozen=True, eq=False)
class JacobianLayout:
    r"""The Jacobian :math:`J[b, f](c) = \partial B_b(c)/\partial A_f(c)` in its padded layout for the
    force rows (:func:`linace.basis.force_rows`).

    The entries of each feature f are the rows of a dense block (M, C) for a chunk of C centres; runs of
    consecutive features of a block share one padded row count M (:func:`_feature_runs`), so that one
    batched matrix product serves each run. blocks: the :class:`FeatureBlock` s (the features of one L
    and a few consecutive rho, at most :data:`BLOCK_FEATURES`); padded_from_nodes (n_padded, n_nodes)
    sparse: J_padded = padded_from_nodes @ nodes; block_rows_to_basis: per block (n_basis, rows of the
    block) sparse, one 1 per entry, summing the padded rows of every function b.
    """

    blocks: tuple[FeatureBlock, ...]
    padded_from_nodes: sp.csr_matrix
    block_rows_to_basis: tuple[sp.csr_matrix, ...]


@dataclass(frozen=True, eq=False)
class BasisTables:
    """The index tables of a basis, by part of the evaluation chain (see the module docstring)."""

    radial_products: RadialProducts
    features: Features
    products: ProductTree
    coupling: CouplingMap
    jacobian: JacobianLayout


def tables_of(spec: BasisSpec) -> BasisTables:
    """The tables of the basis ``spec`` defines, shared with every spec of the same truncation,
    l_weight and pure (the last :data:`TABLES_KEPT` are kept)."""
    return _cached_tables(spec.truncation, spec.l_weight, spec.pure)


@lru_cache(maxsize=TABLES_KEPT)
def _cached_tables(truncation: tuple, l_weight: float, pure: bool) -> BasisTables:
    spec = BasisSpec(body_order=len(truncation) + 1, truncation=truncation, l_weight=l_weight, pure=pure)
    return build_tables(*spec.functions(), pure)


def build_tables(functions: tuple[BasisFunction, ...], couplings: tuple[np.ndarray, ...], pure: bool) -> BasisTables:
    """The tables of the basis of ``functions`` with their ``couplings`` (:meth:`BasisSpec.functions`),
    standard or pure."""
    terms = expand(functions, couplings, pure)
    alphas = sorted({alpha for key, _ in terms for alpha in key}, key=lambda a: (a[1], a[0], a[2]))
    n_max = max(n for f in functions for n, _ in f.nl)
    radial_products = _radial_products(alphas, n_max)
    features = _features(alphas, radial_products)
    feature_of = {alpha: f for f, alpha in enumerate(alphas)}
    terms = {(tuple(sorted(feature_of[alpha] for alpha in key)), b): c for (key, b), c in terms.items()}
    products, node_of = _product_tree(terms)
    coupling = _coupling_map(terms, node_of, len(products), len(functions))
    jacobian = _jacobian_layout(features, radial_products, coupling, len(products), len(functions))
    return BasisTables(radial_products, features, products, coupling, jacobian)


def _radial_products(alphas: list[tuple], n_max: int) -> RadialProducts:
    """The radial products of the features ``alphas`` and their prefixes, the R_n (n = 1..n_max) first."""
    rhos = {rho[:k] for rho, _, _ in alphas for k in range(1, len(rho) + 1)}
    rhos |= {(n,) for n in range(1, n_max + 1)}
    rhos = sorted(rhos, key=lambda rho: (len(rho), rho))
    rho_of = {rho: k for k, rho in enumerate(rhos)}
    assert all(rhos[n - 1] == (n,) for n in range(1, n_max + 1))
    return RadialProducts(
        rhos=tuple(rhos),
        parent=_read_only([rho_of[rho[:-1]] if len(rho) > 1 else -1 for rho in rhos]),
        last=_read_only([rho[-1] - 1 for rho in rhos]),
        levels=_levels(np.array([len(rho) for rho in rhos]), 2),
    )


def _features(alphas: list[tuple], radial_products: RadialProducts) -> Features:
    rho_of = {rho: k for k, rho in enumerate(radial_products.rhos)}
    return Features(
        alphas=tuple(alphas),
        radial=_read_only([rho_of[rho] for rho, _, _ in alphas]),
        lm=_read_only([lm_index(L, M) for _, L, M in alphas]),
        l_max=max(L for _, L, _ in alphas),
    )


def _product_tree(terms: dict) -> tuple[ProductTree, dict]:
    """The nodes of the ``terms`` {(sorted features, b): c} and the index of every node (a tuple of features)."""
    needed = {key for key, _ in terms}
    needed |= {key[:t] + key[t + 1 :] for key in needed for t in range(len(key))}
    closed = set()
    for key in needed:
        closed.update(key[:k] for k in range(len(key) + 1))
    nodes = sorted(closed, key=lambda key: (len(key), key))
    node_of = {key: q for q, key in enumerate(nodes)}
    tree = ProductTree(
        parent=_read_only([node_of[key[:-1]] if key else -1 for key in nodes]),
        last=_read_only([key[-1] if key else -1 for key in nodes]),
        levels=_levels(np.array([len(key) for key in nodes]), 1),
    )
    return tree, node_of


def _coupling_map(terms: dict, node_of: dict, n_nodes: int, n_basis: int) -> CouplingMap:
    """B_b = sum of c nodes[key] over the terms (key, b): c, and the terms of its derivative by each factor."""
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
    product_to_basis = sp.csr_matrix((vals, (rows, cols)), shape=(n_nodes, n_basis))
    return CouplingMap(
        basis_from_nodes=product_to_basis.T.tocsr(),
        product_to_basis=product_to_basis,
        z_node=_read_only(z_node),
        z_f=_read_only(z_f),
        z_b=_read_only(z_b),
        z_val=_read_only(z_val),
    )


def _jacobian_layout(
    features: Features, radial_products: RadialProducts, coupling: CouplingMap, n_nodes: int, n_basis: int
) -> JacobianLayout:
    """The padded layout of the Jacobian: its entries k = (f_k, b_k), ordered by b, are the sums of the
    z-terms of equal (f, b); those of each feature f occupy consecutive padded rows, in b order."""
    entries, entry_of_z = np.unique(np.c_[coupling.z_b, coupling.z_f], axis=0, return_inverse=True)
    jacobian_b, jacobian_f = entries[:, 0], entries[:, 1]
    counts = np.bincount(jacobian_f, minlength=len(features))
    blocks, first_row, n_padded = _feature_blocks(features, radial_products, counts)
    by_feature = np.argsort(jacobian_f, kind="stable")  # the entries of each f in b order
    rank = np.empty(len(entries), dtype=np.intp)
    rank[by_feature] = np.arange(len(entries)) - np.searchsorted(jacobian_f[by_feature], jacobian_f[by_feature])
    padded_row = first_row[jacobian_f] + rank
    padded_from_nodes = sp.csr_matrix(
        (coupling.z_val, (padded_row[entry_of_z.ravel()], coupling.z_node)), shape=(n_padded, n_nodes)
    )
    rows_to_basis = sp.csc_matrix((np.ones(len(entries)), (jacobian_b, padded_row)), shape=(n_basis, n_padded))
    return JacobianLayout(blocks, padded_from_nodes, tuple(rows_to_basis[:, block.padded].tocsr() for block in blocks))


def _feature_blocks(
    features: Features, radial_products: RadialProducts, counts: np.ndarray
) -> tuple[tuple[FeatureBlock, ...], np.ndarray, int]:
    """The feature blocks, the padded row of the first Jacobian entry of every feature (n_features,) and
    the number of padded rows, for ``counts`` (n_features,) Jacobian entries per feature.

    For every L the features (rho, L, M) are the full product (radial products rho) x (M = -L..L),
    rho-major; a block is the features of one L and a few consecutive rho, at most :data:`BLOCK_FEATURES`.
    """
    alphas = features.alphas
    first_row = np.zeros(len(alphas), dtype=np.intp)
    blocks, n_padded = [], 0
    for L in sorted({L for _, L, _ in alphas}):
        of_L = [f for f, (_, l, _) in enumerate(alphas) if l == L]
        rhos_of_L = features.radial[of_L[:: 2 * L + 1]]
        assert [alphas[f] for f in of_L] == [
            (radial_products.rhos[k], L, M) for k in rhos_of_L for M in range(-L, L + 1)
        ], "the features of one L are not the full product (rho) x (M)"
        per_block = max(1, BLOCK_FEATURES // (2 * L + 1))
        for first in range(0, len(rhos_of_L), per_block):
            rhos = rhos_of_L[first : first + per_block]
            f0 = of_L[0] + first * (2 * L + 1)
            runs, block_start = [], n_padded
            for r0, r1 in _feature_runs(counts[f0 : f0 + len(rhos) * (2 * L + 1)], RUN_OVERHEAD_ROWS):
                rows = int(counts[f0 + r0 : f0 + r1].max())
                runs.append((slice(r0, r1), rows, slice(n_padded, n_padded + (r1 - r0) * rows)))
                first_row[f0 + r0 : f0 + r1] = n_padded + rows * np.arange(r1 - r0)
                n_padded += (r1 - r0) * rows
            blocks.append(
                FeatureBlock(
                    L, slice(f0, f0 + len(rhos) * (2 * L + 1)), rhos, tuple(runs), slice(block_start, n_padded)
                )
            )
    return tuple(blocks), first_row, n_padded


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
