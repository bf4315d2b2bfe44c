"""Neighbour pairs of a structure and the one-particle functions evaluated on them.

:class:`Neighbourhood` holds the pairs (i, j) within the cut-off of one structure, sorted by centre,
with R_n(r_ij), Y_lm(r_ij) and their derivatives, pair-last (every per-pair array has the pairs on
its last axis, so that gathering the factors of a one-particle function takes whole rows); it gives
the atomic bases A_f(i) = sum_j phi_f(r_ij) and the gradients of the one-particle functions.
:class:`SlotNeighbourhood` lays the pairs of a chunk of centre atoms out in *slots* (centre, atom
seen) for the force rows of :meth:`linace.basis.ACEBasis.design` (:func:`slot_layout`). Both read the
basis's index tables (:class:`linace.tables.BasisTables`). The work arrays of the force rows are kept
per thread between calls (:class:`Workspace`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from math import prod

import numpy as np
from ase import Atoms

from .tables import BasisTables, FeatureBlock

__all__ = [
    "CHUNK_BYTES",
    "Neighbourhood",
    "SlotLayout",
    "SlotNeighbourhood",
    "WORKSPACE_KEPT_BYTES",
    "Workspace",
    "compact_order",
    "design_workspace",
    "slot_layout",
    "work_array",
]

#: Upper bound (bytes) for the node arrays of one chunk of centre atoms.
CHUNK_BYTES = 64 * 2**20

#: The work arrays of :meth:`~linace.basis.ACEBasis.design` (a few times
#: :data:`linace.basis.DESIGN_CHUNK_BYTES`) are kept per thread between calls, unless together larger than this (bytes).
WORKSPACE_KEPT_BYTES = 256 * 2**20


class Workspace:
    """Work arrays kept between chunks and calls, by name.

    ``empty(name, shape)`` returns an uninitialised float array of that shape, a view of the buffer
    of that name (grown when too small). The first touch of freshly allocated memory costs a page
    fault per 4 kB, on a loaded virtual machine about 1 ms per MB, as much as the arithmetic on it;
    reusing the buffers of the previous chunk avoids it. A buffer's content is valid until its name
    is asked for again.
    """

    def __init__(self):
        self._buffers: dict[str, np.ndarray] = {}

    def empty(self, name: str, shape: tuple) -> np.ndarray:
        size = prod(shape)
        buffer = self._buffers.get(name)
        if buffer is None or buffer.size < size:
            buffer = self._buffers[name] = np.empty(size)
        return buffer[:size].reshape(shape)

    def trim(self, max_bytes: int) -> None:
        """Drop every buffer if together they hold more than ``max_bytes``."""
        if sum(buffer.nbytes for buffer in self._buffers.values()) > max_bytes:
            self._buffers.clear()


_THREAD_STATE = threading.local()


def design_workspace() -> Workspace:
    """The work arrays of :meth:`linace.basis.ACEBasis.design` in this thread, kept between calls
    (trimmed to :data:`WORKSPACE_KEPT_BYTES` after each)."""
    if not hasattr(_THREAD_STATE, "workspace"):
        _THREAD_STATE.workspace = Workspace()
    return _THREAD_STATE.workspace


def work_array(workspace: Workspace | None, name: str, shape: tuple) -> np.ndarray:
    """``workspace.empty(name, shape)``, or a fresh array without a workspace."""
    return np.empty(shape) if workspace is None else workspace.empty(name, shape)


def compact_order(atoms: Atoms, spacing: float) -> np.ndarray:
    """An order of the atoms in which consecutive atoms are close in space: the Morton (Z) order
    of the cubes of side ``spacing`` (A) that hold their (wrapped) positions. Consecutive centres
    then see mostly the same neighbours, which keeps the columns of a chunk in
    :meth:`linace.basis.ACEBasis.design` few."""
    positions = atoms.get_positions(wrap=True) if atoms.pbc.any() else atoms.positions
    cubes = np.floor((positions - positions.min(axis=0)) / spacing).astype(np.int64)
    code = np.zeros(len(atoms), dtype=np.int64)
    for bit in range(20):
        for axis in range(3):
            code |= ((cubes[:, axis] >> bit) & 1) << (3 * bit + axis)
    return np.argsort(code, kind="stable")


@dataclass
class Neighbourhood:
    """Neighbour pairs of one structure (sorted by centre atom i, then j) and their R_n, Y_lm factors,
    with the index tables of the basis they are evaluated for.

    Pair-last (every per-pair array has the pairs on its last axis), so that gathering the factors of
    a one-particle function or a feature takes whole rows. i, j (P,) atom indices; r (P,) distances
    (A); vectors (P, 3) = r_j - r_i + shift (A); R, dR (n_max, P) in 1 and 1/A; Y (n_lm, P);
    dY (n_lm, 3, P) in 1/A, or None.
    """

    tables: BasisTables
    n_atoms: int
    i: np.ndarray
    j: np.ndarray
    r: np.ndarray
    vectors: np.ndarray
    R: np.ndarray
    dR: np.ndarray
    Y: np.ndarray
    dY: np.ndarray | None
    workspace: Workspace | None = None  # work arrays of the results, reused from chunk to chunk

    def radial_products(self, pairs: slice, gradient: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """R_rho = prod_{n in rho} R_n of every radial product of the basis for the pairs in
        ``pairs``, (n_rho, P'), each from its prefix, and its r-derivative (1/A) if ``gradient``."""
        products = self.tables.radial_products
        n_max, n_pairs = self.R.shape[0], pairs.stop - pairs.start
        R = work_array(self.workspace, "R_rho", (len(products), n_pairs))
        R[:n_max] = self.R[:, pairs]
        dR = None
        if gradient:
            dR = work_array(self.workspace, "dR_rho", R.shape)
            dR[:n_max] = self.dR[:, pairs]
        for level in products.levels:
            parent, last = products.parent[level], products.last[level]
            np.multiply(R[parent], R[last], out=R[level])
            if gradient:
                np.multiply(dR[parent], R[last], out=dR[level])
                dR[level] += R[parent] * dR[last]
        return R, dR

    def one_particle(self, pairs: slice) -> np.ndarray:
        """phi[f, p] = R_rho(r_p) Y_LM(r_p) of every one-particle function f = (rho, L, M) for the
        pairs in ``pairs``, (n_features, P')."""
        R, _ = self.radial_products(pairs, gradient=False)
        phi = work_array(self.workspace, "phi", (len(self.tables.features), R.shape[1]))
        for block in self.tables.jacobian.blocks:
            _block_values(block, R, self.Y[:, pairs], out=phi[block.features])
        return phi

    def atomic_base(self) -> np.ndarray:
        """A[f, i] = sum_j phi_f(r_ij), (n_features, n_atoms); pair chunks bound the memory."""
        n_features = len(self.tables.features)
        A = np.zeros((n_features, self.n_atoms))
        step = max(1, CHUNK_BYTES // (8 * n_features))
        for first in range(0, len(self.i), step):
            pairs = slice(first, min(first + step, len(self.i)))
            centres, starts = np.unique(self.i[pairs], return_index=True)  # pairs are sorted by centre
            A[:, centres] += np.add.reduceat(self.one_particle(pairs), starts, axis=1)
        return A

    def one_particle_gradient(self, pairs: slice) -> np.ndarray:
        """dphi[f, x, p] = d phi_f(r_p) / d r_p[x] for the pairs in ``pairs``, (n_features, 3, P'), 1/A."""
        R, dR = self.radial_products(pairs, gradient=True)
        Y_unit = _direction_harmonics(self.Y[:, pairs], self.vectors[pairs], self.r[pairs])
        dphi = np.empty((len(self.tables.features), 3, R.shape[1]))
        for block in self.tables.jacobian.blocks:
            _block_gradients(block, R, dR, self.dY[:, :, pairs], Y_unit, out=dphi[block.features])
        return dphi

    def contracted_gradient(self, pairs: slice, weights: np.ndarray) -> np.ndarray:
        """g[x, p] = sum_f weights[f, p] d phi_f(r_p) / d r_p[x], (3, P'), for weights (n_features, P')."""
        return np.einsum("fxp,fp->xp", self.one_particle_gradient(pairs), weights)


def _direction_harmonics(
    Y: np.ndarray, vectors: np.ndarray, r: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Y_LM(r_p) r_hat_p[x], (n_lm, 3, P), for harmonics Y (n_lm, P), vectors (P, 3) and distances (P,)."""
    return np.multiply(Y[:, None, :], vectors.T / r, out=out)


def _block_values(block: FeatureBlock, R: np.ndarray, Y: np.ndarray, out: np.ndarray) -> np.ndarray:
    """phi[f, p] = R_rho(r_p) Y_LM(r_p) of the features of ``block`` into ``out`` (block.size, P),
    from the radial products R (n_rho, P) and harmonics Y (n_lm, P): one broadcast product."""
    L = block.L
    np.multiply(
        R[block.rhos][:, None, :], Y[None, L * L : (L + 1) ** 2], out=out.reshape(len(block.rhos), 2 * L + 1, -1)
    )
    return out


def _block_gradients(
    block: FeatureBlock,
    R: np.ndarray,
    dR: np.ndarray,
    dY: np.ndarray,
    Y_unit: np.ndarray,
    out: np.ndarray,
    scratch: np.ndarray | None = None,
) -> np.ndarray:
    """d phi_f(r_p)/d r_p[x] = R_rho grad Y_LM + R_rho' Y_LM r_hat of the features of ``block`` into
    ``out`` (block.size, 3, P), 1/A, from R, dR (n_rho, P) (1, 1/A), dY (n_lm, 3, P) (1/A) and
    Y_unit = Y r_hat (n_lm, 3, P): two broadcast products (radial) x (angular) and their sum.
    ``scratch``: optional work array of out's size."""
    L = block.L
    lm = slice(L * L, (L + 1) ** 2)
    shape = (len(block.rhos), 2 * L + 1, 3, out.shape[-1])
    gradient = out.reshape(shape)
    radial_term = np.empty(shape) if scratch is None else scratch.reshape(shape)
    np.multiply(R[block.rhos][:, None, None, :], dY[None, lm], out=gradient)
    np.multiply(dR[block.rhos][:, None, None, :], Y_unit[None, lm], out=radial_term)
    gradient += radial_term
    return out


@dataclass
class SlotNeighbourhood(Neighbourhood):
    """The pairs of a chunk of C consecutive centre atoms, laid out in *slots* for the force rows.

    Every centre c has ``width`` Q item positions (the pair arrays of the base class hold C * Q items,
    centre-major). The first K = len(columns) positions are the atoms k the chunk sees: the pair (c, j)
    with j = columns[k] sits at position k; if c sees j through several periodic images, the first
    image sits there and the others at positions K + 3, K + 4, ... ("overflow"), to be added to it
    (``folds``). Positions K..K+2 will hold the virial columns. Every position without a pair holds a
    *pad*: the vector (r_cut, 0, 0), where R_n = dR_n/dr = 0, so that it adds nothing to A or its
    derivatives.

    n_atoms is C; columns (K,) atom indices (sorted, the centres included); width Q; centre_slot (C,)
    the position of every centre among the columns; folds [(source, target)], flat item indices of one
    overflow level each (no target twice within a level).
    """

    columns: np.ndarray = None
    width: int = 0
    centre_slot: np.ndarray = None
    folds: list = None

    @property
    def n_centres(self) -> int:
        return len(self.centre_slot)

    @cached_property
    def _factors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """R_rho, dR_rho (n_rho, C * Q) and Y r_hat (n_lm, 3, C * Q) of the items, computed once."""
        R, dR = self.radial_products(slice(0, len(self.i)), gradient=True)
        Y_unit = _direction_harmonics(
            self.Y, self.vectors, self.r, out=work_array(self.workspace, "Y_unit", self.dY.shape)
        )
        return R, dR, Y_unit

    def atomic_base(self) -> np.ndarray:
        """A[f, c] = sum_j phi_f(r_cj) of the chunk's centres, (n_features, C): per centre the
        product (radial products, items) @ (items, harmonics), one batched matmul, of which the
        features (rho, L, M) are picked."""
        R, _, _ = self._factors
        n_chunk, width = self.n_centres, self.width
        sums = np.matmul(
            R.reshape(len(R), n_chunk, width).transpose(1, 0, 2),
            self.Y.reshape(len(self.Y), n_chunk, width).transpose(1, 2, 0),
        )  # (C, n_rho, n_lm)
        features = self.tables.features
        return sums[:, features.radial, features.lm].T

    def slot_gradients(self, block: FeatureBlock) -> np.ndarray:
        """Derivatives of the atomic bases of the features of ``block`` of the chunk's centres,
        (block.size, 3, C, K + 3), 1/A.

        ``slots[f, x, c, s] = d A_f(c) / d r_k[x]`` for k = columns[s] (every pair (c, j) adds d psi_f(r_cj)
        to k = j, periodic images summed, and subtracts it from k = c), and for s = K + y the virial
        sum_j d psi_f(r_cj)[x] r_cj[y] (A^0). A strided view (row stride Q) into a work array.
        """
        n_chunk, width, n_columns, n_items = self.n_centres, self.width, len(self.columns), len(self.i)
        R, dR, Y_unit = self._factors
        dphi = _block_gradients(
            block,
            R,
            dR,
            self.dY,
            Y_unit,
            out=work_array(self.workspace, "dphi", (block.size, 3, n_items)),
            scratch=work_array(self.workspace, "scratch", (block.size, 3, n_items)),
        )
        # per centre, over all its items (overflow included, before folding): sum_j dphi r_cj[y] and sum_j dphi
        sums = np.matmul(dphi.reshape(3 * block.size, n_chunk, width).transpose(1, 0, 2), self._levers)  # (C, 3F', 4)
        sums = sums.reshape(n_chunk, block.size, 3, 4).transpose(1, 2, 0, 3)  # (F', 3, C, 4)
        flat = dphi.reshape(3 * block.size, n_items)
        for source, target in self.folds:
            folded = work_array(self.workspace, "fold", (len(flat), len(target)))
            np.take(flat, target, axis=1, mode="clip", out=folded)
            folded += np.take(flat, source, axis=1, mode="clip", out=work_array(self.workspace, "images", folded.shape))
            flat[:, target] = folded
        slots = dphi.reshape(block.size, 3, n_chunk, width)
        slots[:, :, :, n_columns : n_columns + 3] = sums[..., :3]
        slots[:, :, np.arange(n_chunk), self.centre_slot] -= sums[..., 3]
        return slots[..., : n_columns + 3]

    @cached_property
    def _levers(self) -> np.ndarray:
        """(C, Q, 4): the items' vectors r_cj (A) and a 1, to sum the virial and the derivatives per centre."""
        return np.concatenate(
            [self.vectors.reshape(self.n_centres, self.width, 3), np.ones((self.n_centres, self.width, 1))], axis=2
        )


@dataclass(frozen=True, eq=False)
class SlotLayout:
    """The items of the slot layout of a chunk of C centre atoms (see :class:`SlotNeighbourhood`):
    i, j (C * Q,) atom indices, r (C * Q,) distances (A), vectors (C * Q, 3) (A), pads (r_cut, 0, 0)
    included; columns (K,), width Q, centre_slot (C,) and folds as in :class:`SlotNeighbourhood`."""

    i: np.ndarray
    j: np.ndarray
    r: np.ndarray
    vectors: np.ndarray
    columns: np.ndarray
    width: int
    centre_slot: np.ndarray
    folds: list

    @property
    def n_centres(self) -> int:
        return len(self.centre_slot)


def slot_layout(pairs: tuple, first_pair: np.ndarray, centres: slice, rcut: float) -> SlotLayout:
    """The pairs of the centre atoms ``centres`` laid out in slots (:class:`SlotNeighbourhood`).

    ``pairs`` = (i, j, r, vectors) of the whole structure (P,), (P,), (P,) and (P, 3), sorted by centre,
    then neighbour; ``first_pair`` (n_atoms + 1,) where each centre's pairs start; ``rcut`` (A) the
    distance of the pads.
    """
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
    position[overflow] = (
        c[overflow] * width + n_slots + (np.arange(len(overflow)) - np.r_[0, np.cumsum(per_centre)][c[overflow]])
    )
    folds = [
        (position[overflow][image[overflow] == level], target[image[overflow] == level])
        for level in range(1, int(image.max(initial=0)) + 1)
    ]
    # items: the pairs at their positions, pads (r_cut, 0, 0) elsewhere
    item_i = np.repeat(np.arange(centres.start, centres.stop), width)
    item_j = item_i.copy()
    item_j[position] = j
    item_r = np.full(n_chunk * width, rcut)
    item_r[position] = r
    item_vectors = np.zeros((n_chunk * width, 3))
    item_vectors[:, 0] = rcut
    item_vectors[position] = vectors
    return SlotLayout(
        item_i,
        item_j,
        item_r,
        item_vectors,
        columns,
        width,
        np.searchsorted(columns, np.arange(centres.start, centres.stop)),
        folds,
    )
