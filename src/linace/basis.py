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

*The basis is made of named parts* (as ACEpotentials.jl's model): its definition, the readable and
serialisable :class:`~linace.spec.BasisSpec` (:attr:`ACEBasis.spec`, what a saved model stores); the
functions B and their couplings C (:meth:`linace.spec.BasisSpec.functions`); the radial basis
(:class:`~linace.radial.RadialBasis`); and the frozen index tables of the evaluation chain
(:class:`~linace.tables.BasisTables`: radial products, one-particle functions, products of atomic
bases, coupling map, Jacobian layout), shared by every basis of the same truncation. The evaluation
code below reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from ase import Atoms
from vesin import ase_neighbor_list as neighbor_list

from .expansion import set_partitions
from .harmonics import real_sph_harm
from .neighbourhood import (
    CHUNK_BYTES,
    WORKSPACE_KEPT_BYTES,
    Neighbourhood,
    SlotNeighbourhood,
    Workspace,
    compact_order,
    design_workspace,
    slot_layout,
    work_array,
)
from .radial import RadialBasis
from .spec import DEFAULT_TRUNCATION, BasisFunction, BasisSpec
from .tables import BLOCK_FEATURES, BasisTables, ProductTree, tables_of

__all__ = ["DEFAULT_TRUNCATION", "ACEBasis", "BasisFunction", "BasisSpec", "DesignRows", "set_partitions"]

#: Distances below this (A) are treated as two atoms on top of each other (an input error).
MIN_DISTANCE = 1e-3
#: row and column indices of the Voigt order (xx, yy, zz, yz, xz, xy) of a 3 x 3 tensor (ASE's stress)
VOIGT = ([0, 1, 2, 1, 0, 0], [0, 1, 2, 2, 2, 1])

#: Target size (bytes) of the work arrays of one chunk of centre atoms in :meth:`ACEBasis.design`
#: (chunks of equal size). The arrays of one feature block (:data:`linace.tables.BLOCK_FEATURES`) stay in
#: the CPU cache; larger chunks give longer matrix products and fewer numpy calls per atom.
DESIGN_CHUNK_BYTES = 32 * 2**20


#: Fixed cost of one chunk of centres in :meth:`ACEBasis.design` (numpy calls), in slots of one centre
#: (:func:`design_chunk_size`).
CHUNK_OVERHEAD_SLOTS = 800

#: Pairs per call of :func:`real_sph_harm` (its temporaries, about 100 values per pair at l_max = 4,
#: should stay in the CPU cache).
PAIR_PIECE = 1024


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
    p, q, a : float
        Shape of the Agnesi distance transform of the radial basis (:class:`~linace.radial.RadialBasis`;
        q > p > 0, a > 0; defaults 2, 4, 1).

    The parameters are the fields of the basis's :class:`~linace.spec.BasisSpec`;
    ``ACEBasis.from_spec(spec)`` builds the basis of a spec.

    Attributes
    ----------
    spec : BasisSpec
        The definition of the basis (:meth:`parameters` is ``spec.to_dict()``).
    functions : list of BasisFunction
        The basis functions in basis order.
    couplings : tuple of arrays
        The coupling coefficients C of every function, (2 l_1 + 1, ..., 2 l_nu + 1) each, read-only.
    radial : RadialBasis
        R_n, n = 1..n_max.
    tables : BasisTables
        The index tables of the evaluation (:mod:`linace.tables`), read-only and shared.

    Examples
    --------
    >>> from ase.build import bulk
    >>> basis = ACEBasis(body_order=3)
    >>> basis.descriptors(bulk("C", "diamond", a=3.567)).shape
    (2, 102)
    >>> ACEBasis.from_spec(basis.spec).describe() == basis.describe()
    True
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
        p: float = 2.0,
        q: float = 4.0,
        a: float = 1.0,
    ):
        self._assemble(BasisSpec(body_order, rcut, truncation, l_weight, element, r0, pure, p, q, a))

    @classmethod
    def from_spec(cls, spec: BasisSpec) -> ACEBasis:
        """The basis a :class:`~linace.spec.BasisSpec` defines."""
        basis = cls.__new__(cls)
        basis._assemble(spec)
        return basis

    def _assemble(self, spec: BasisSpec) -> None:
        """The parts of the basis of ``spec``: its functions and couplings, radial basis and tables."""
        functions, self.couplings = spec.functions()
        if not functions:
            raise ValueError("the truncation leaves no basis function")
        self.spec = spec
        self.functions: list[BasisFunction] = list(functions)
        n_max = max(n for f in functions for n, _ in f.nl)
        self.radial = RadialBasis(n_max=n_max, rcut=spec.rcut, r0=spec.r0, p=spec.p, q=spec.q, a=spec.a)
        self.tables: BasisTables = tables_of(spec)

    # ------------------------------------------------------------------ what the basis is
    @property
    def body_order(self) -> int:
        """K: the basis holds correlation orders nu = 1..K-1."""
        return self.spec.body_order

    @property
    def element(self) -> str:
        """The chemical symbol the basis describes."""
        return self.spec.element

    @property
    def pure(self) -> bool:
        """True for the self-interaction-free basis."""
        return self.spec.pure

    @property
    def l_weight(self) -> float:
        """w_L in the total degree sum_t (n_t + w_L l_t)."""
        return self.spec.l_weight

    @property
    def truncation(self) -> dict[int, tuple[float, int]]:
        """{nu: (max_degree, l_max)} for nu = 1..K-1."""
        return dict(self.spec.truncation)

    @property
    def rcut(self) -> float:
        """Cut-off radius in A."""
        return self.radial.rcut

    @property
    def l_max(self) -> int:
        """The largest l of any factor of any function."""
        return max(l for f in self.functions for _, l in f.nl)

    @property
    def features(self) -> list[tuple]:
        """The one-particle functions alpha = (rho, L, M) (:class:`linace.tables.Features`)."""
        return list(self.tables.features.alphas)

    def __len__(self) -> int:
        return len(self.functions)

    def __repr__(self) -> str:
        return (
            f"ACEBasis(body_order={self.body_order}, rcut={self.rcut}, element={self.element!r}, "
            f"truncation={self.truncation}, l_weight={self.l_weight}, r0={self.radial.r0}, "
            f"pure={self.pure}, p={self.spec.p}, q={self.spec.q}, a={self.spec.a}) "
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
        """Constructor arguments that rebuild this basis: ``ACEBasis(**basis.parameters())``
        (``spec.to_dict()``)."""
        return self.spec.to_dict()

    # ------------------------------------------------------------ evaluation
    def check_structure(self, atoms: Atoms) -> None:
        """Raise ValueError with a specific message if ``atoms`` cannot be evaluated by this basis."""
        check_structure(atoms, self.element)

    def _neighbourhood(self, atoms: Atoms, gradient: bool, centres: np.ndarray | None = None) -> Neighbourhood:
        """Pairs of a checked, non-empty structure (of the ``centres`` only, if given) with their
        radial and angular factors, pair-last."""
        i, j, r, vectors = neighbour_pairs(atoms, self.rcut)
        if centres is not None:
            keep = np.isin(i, centres)
            i, j, r, vectors = i[keep], j[keep], r[keep], vectors[keep]
        return Neighbourhood(
            self.tables,
            len(atoms),
            i,
            j,
            r,
            vectors,
            *pair_factors(self.radial, self.tables.features.l_max, r, vectors, gradient),
        )

    def _slot_neighbourhood(
        self, pairs: tuple, first_pair: np.ndarray, centres: slice, workspace: Workspace | None = None
    ) -> SlotNeighbourhood:
        """The pairs of the centre atoms ``centres`` in the slot layout of :class:`SlotNeighbourhood`
        (:func:`linace.neighbourhood.slot_layout`), with their factors and derivatives."""
        layout = slot_layout(pairs, first_pair, centres, self.rcut)
        factors = pair_factors(self.radial, self.tables.features.l_max, layout.r, layout.vectors, True, workspace)
        return SlotNeighbourhood(
            self.tables,
            layout.n_centres,
            layout.i,
            layout.j,
            layout.r,
            layout.vectors,
            *factors,
            workspace=workspace,
            columns=layout.columns,
            width=layout.width,
            folds=layout.folds,
            centre_slot=layout.centre_slot,
        )

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
        basis_from_nodes = self.tables.coupling.basis_from_nodes
        return np.concatenate([(basis_from_nodes @ nodes).T for _, nodes in product_chunks(self.tables.products, A)])

    def design(self, atoms: Atoms) -> DesignRows:
        r"""Linear rows of the energy, forces and stress of one structure (see :class:`DesignRows`).

        Chunks of C centre atoms, consecutive in a space-filling order (:func:`compact_order`), so
        that they see mostly the same K atoms (for a cell of a few dozen atoms: all of them; C from
        :func:`design_chunk_size`). For a chunk:

        1. :meth:`_slot_neighbourhood` lays its pairs out in slots (c, k): the pair (c, j) at the
           column of j, further periodic images of j in an overflow region, pads (R = 0) elsewhere,
           and evaluates R_n, Y_lm and their derivatives on them;
        2. A_f(c) (sums over the slots), the nodes, B (energy row) and, in the padded layout
           (n_padded, C), the Jacobian :math:`J[b, f](c) = \partial B_b(c)/\partial A_f(c)`;
        3. per feature block (:class:`~linace.tables.FeatureBlock`, a few one-particle functions of one
           L), :meth:`SlotNeighbourhood.slot_gradients` gives :math:`S[f, x, c, k] = \partial
           A_f(c)/\partial r_k[x]` for every atom k the chunk sees (images folded onto their slot,
           the centre's own column :math:`-\sum_j \partial\psi_f(\mathbf r_{cj})`) and three
           virial columns :math:`\sum_j \partial\psi_f(\mathbf r_{cj})[x]\, r_{cj,y}`, and
           :func:`force_rows` adds :math:`\sum_c \sum_f J[b, f](c) S[f, x, c, :]` to the rows,
           (n_basis, 3, K + 3): one batched BLAS product over the centres per run of features with
           the same number of Jacobian entries, then a sparse sum of the entries of each b.

        The work arrays are reused between chunks and calls (:class:`Workspace`).
        """
        self.check_structure(atoms)
        n_atoms, n_basis = len(atoms), len(self)
        periodic = bool(atoms.pbc.all())
        if n_atoms == 0:
            stress = np.zeros((6, n_basis)) if periodic else None
            return DesignRows(np.zeros(n_basis), np.zeros((0, 3, n_basis)), stress)
        order = compact_order(atoms, self.rcut / 2)
        pairs = neighbour_pairs(atoms[order], self.rcut, order)
        first_pair = np.searchsorted(pairs[0], np.arange(n_atoms + 1))
        step = design_chunk_size(self.tables, pairs[1], first_pair)
        energy = np.zeros(n_basis)
        forces = np.zeros((n_atoms, 3, n_basis))
        virial = np.zeros((3, 3, n_basis))  # [y, x, b]: sum_p dB/dr_p[x] r_p[y]
        workspace = design_workspace()
        for first in range(0, n_atoms, step):
            hood = self._slot_neighbourhood(pairs, first_pair, slice(first, min(first + step, n_atoms)), workspace)
            nodes = evaluate_products(self.tables.products, hood.atomic_base(), workspace)
            energy += self.tables.coupling.basis_from_nodes @ nodes.sum(axis=1)
            rows = force_rows(self.tables, nodes, hood, workspace)  # (n_basis, 3, K + 3)
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
        site_energies, w = contracted_weights(self.tables, hood.atomic_base(), coefficients)
        i, j = hood.i, hood.j
        grad = np.empty((3, len(i)))  # dE/dr_ij
        step = max(1, CHUNK_BYTES // (32 * len(self.tables.features)))
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


# ------------------------------------------------------------------------ the structure and its pairs
def check_structure(atoms: Atoms, element: str) -> None:
    """Raise ValueError with a specific message if ``atoms`` cannot be evaluated by a basis of
    ``element``: another element, non-finite positions, a degenerate or non-finite periodic cell."""
    if not isinstance(atoms, Atoms):
        raise TypeError(f"expected an ase.Atoms object, got {type(atoms).__name__}")
    symbols = np.array(atoms.get_chemical_symbols())
    foreign = np.flatnonzero(symbols != element)
    if foreign.size:
        found = sorted(set(symbols[foreign]))
        raise ValueError(
            f"this basis describes only {element}, but the structure contains "
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


def neighbour_pairs(atoms: Atoms, rcut: float, original_index: np.ndarray | None = None):
    """Neighbour pairs within ``rcut`` (A) sorted by centre atom i, then neighbour j: i (P,), j (P,),
    r (P,) in A, vectors (P, 3) = r_j - r_i (+ the cell shift of the image). ``original_index`` (N,): the
    index of each atom in the structure the caller was given (for the error message of a reordered copy).
    Raises ValueError if two atoms are closer than :data:`MIN_DISTANCE`."""
    i, j, r, vectors = neighbor_list("ijdD", atoms, rcut)
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


def pair_factors(
    radial: RadialBasis,
    l_max: int,
    r: np.ndarray,
    vectors: np.ndarray,
    gradient: bool,
    workspace: Workspace | None = None,
):
    """R, dR (n_max, P) and Y (n_lm, P), dY (n_lm, 3, P) or None (l <= ``l_max``) of pairs at distances
    r (P,) with vectors (P, 3), pair-last and contiguous. The harmonics in pieces of :data:`PAIR_PIECE`
    pairs, whose temporaries stay in the CPU cache."""
    R, dR = radial(r)
    n_lm, n_pairs = (l_max + 1) ** 2, len(r)
    Y = work_array(workspace, "Y", (n_lm, n_pairs))
    dY = work_array(workspace, "dY", (n_lm, 3, n_pairs)) if gradient else None
    for first in range(0, n_pairs, PAIR_PIECE):
        piece = slice(first, min(first + PAIR_PIECE, n_pairs))
        if gradient:
            Y_piece, dY_piece = real_sph_harm(vectors[piece], l_max, gradient=True)
            dY[:, :, piece] = dY_piece.transpose(1, 2, 0)  # (n_lm, 3, P'), as real_sph_harm builds it
        else:
            Y_piece = real_sph_harm(vectors[piece], l_max)
        Y[:, piece] = Y_piece.T
    return np.ascontiguousarray(R.T), np.ascontiguousarray(dR.T), Y, dY


# ------------------------------------------------------------------------ products, basis and force rows
def evaluate_products(tree: ProductTree, A: np.ndarray, workspace: Workspace | None = None) -> np.ndarray:
    """All nodes prod_t A[a_t], (n_nodes, n) for A (n_features, n) of n atoms, level by level
    from their prefixes (node-major, so that every step gathers whole rows)."""
    nodes = work_array(workspace, "nodes", (len(tree), A.shape[1]))
    nodes[0] = 1.0
    for level in tree.levels:
        np.multiply(nodes[tree.parent[level]], A[tree.last[level]], out=nodes[level])
    return nodes


def product_chunks(tree: ProductTree, A: np.ndarray, atoms_per_chunk: int | None = None):
    """Yield (atom slice, nodes (n_nodes, atoms) of those atoms) for A (n_features, n_atoms),
    bounding the memory of the node arrays (:data:`CHUNK_BYTES`)."""
    if atoms_per_chunk is None:
        atoms_per_chunk = max(1, CHUNK_BYTES // (8 * len(tree)))
    for first in range(0, A.shape[1], atoms_per_chunk):
        chunk = slice(first, min(first + atoms_per_chunk, A.shape[1]))
        yield chunk, evaluate_products(tree, A[:, chunk])


def contracted_weights(tables: BasisTables, A: np.ndarray, coefficients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Site energies sum_b c_b B_b(i) (n_atoms,) and the weights w[f, i] = sum_b c_b dB_b(i)/dA_f(i)
    (n_features, n_atoms) of the atomic bases A (n_features, n_atoms) and coefficients c (n_basis,)."""
    coupling = tables.coupling
    node_weights = coupling.product_to_basis @ coefficients
    contracted = sp.csr_matrix(
        (coupling.z_val * coefficients[coupling.z_b], (coupling.z_f, coupling.z_node)),
        shape=(len(tables.features), len(tables.products)),
    )
    site_energies = np.empty(A.shape[1])
    w = np.empty(A.shape)
    for chunk, nodes in product_chunks(tables.products, A):
        site_energies[chunk] = node_weights @ nodes
        w[:, chunk] = contracted @ nodes
    return site_energies, w


def design_chunk_size(tables: BasisTables, j: np.ndarray, first_pair: np.ndarray) -> int:
    """Centre atoms per chunk of :meth:`ACEBasis.design`, for the neighbours j (P,) of the pairs sorted by
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
    per_centre = 8 * (len(tables.products) + tables.jacobian.padded_from_nodes.shape[0])
    per_slot = 8 * (2 * len(tables.radial_products) + 7 * (tables.features.l_max + 1) ** 2 + 7 * BLOCK_FEATURES)
    best, best_cost, size = 1, np.inf, n_atoms
    while True:
        n_chunks = -(-n_atoms // size)
        step = -(-n_atoms // n_chunks)  # chunks of equal size
        sample = np.unique(np.linspace(0, n_chunks - 1, min(n_chunks, 8)).astype(int)) * step
        seen = (
            3
            + np.mean(
                [  # the columns of a chunk: its neighbours and its centres (at most)
                    len(np.unique(j[first_pair[a] : first_pair[min(a + step, n_atoms)]])) + min(step, n_atoms - a)
                    for a in sample
                ]
            )
        )
        seen = min(seen, n_atoms + 3)
        cost = seen + CHUNK_OVERHEAD_SLOTS / step
        if step * (per_centre + seen * per_slot) <= DESIGN_CHUNK_BYTES:
            if cost >= best_cost:
                return best
            best, best_cost = step, cost
        if size == 1:
            return best
        size = (size + 1) // 2


def force_rows(
    tables: BasisTables, nodes: np.ndarray, hood: SlotNeighbourhood, workspace: Workspace | None = None
) -> np.ndarray:
    r"""rows[b, x, s] = sum_c sum_f J[b, f](c) S[f, x, c, s], (n_basis, 3, K + 3), for the nodes
    (n_nodes, C) of a chunk of C centres and its slot gradients S (:meth:`SlotNeighbourhood.slot_gradients`).

    The Jacobian :math:`J[b, f](c) = \partial B_b(c)/\partial A_f(c)` is evaluated in the padded
    layout (n_padded, C) (:class:`~linace.tables.JacobianLayout`), the entries of each feature f a dense
    block (M, C). Per feature block, per run of its features one batched matrix product (BLAS) gives, for
    every entry (b, f), sum_c J[b, f](c) S[f, :, c, :]; a sparse sum over the entries of each b adds
    them to the rows.
    """
    layout = tables.jacobian
    n_basis = tables.coupling.basis_from_nodes.shape[0]
    n_chunk, n_slots = nodes.shape[1], len(hood.columns) + 3
    jacobian = layout.padded_from_nodes @ nodes  # (n_padded, C), dimensionless
    rows = np.zeros((n_basis, 3 * n_slots))
    for block, to_basis in zip(layout.blocks, layout.block_rows_to_basis):
        slots = hood.slot_gradients(block)  # (block.size, 3, C, K + 3)
        products = work_array(workspace, "products", (block.padded.stop - block.padded.start, 3, n_slots))
        for features, n_rows, padded in block.runs:
            n = features.stop - features.start
            into = slice(padded.start - block.padded.start, padded.stop - block.padded.start)
            np.matmul(
                jacobian[padded].reshape(n, 1, n_rows, n_chunk),
                slots[features],
                out=products[into].reshape(n, n_rows, 3, n_slots).transpose(0, 2, 1, 3),
            )
        rows += to_basis @ products.reshape(len(products), 3 * n_slots)
    return rows.reshape(n_basis, 3, n_slots)
