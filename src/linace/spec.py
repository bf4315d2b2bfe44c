r"""What a linear ACE basis is: its readable, serialisable specification and the functions it holds.

A :class:`BasisSpec` names everything that defines a basis of one element (every field below), and
nothing about how it is evaluated. It is what a saved model stores (:meth:`BasisSpec.to_dict`,
:meth:`BasisSpec.from_dict`) and what :class:`linace.basis.ACEBasis` is built from
(:meth:`linace.basis.ACEBasis.from_spec`).

The functions of a spec (:meth:`BasisSpec.functions`): for the correlation orders
:math:`\nu = 1 .. K-1`, every sorted one-particle tuple :math:`((n_1,l_1) \le \dots \le (n_\nu,l_\nu))`
with

* :math:`\sum_t (n_t + w_L\, l_t) \le D_\nu` (total degree; n = 1, 2, ...),
* :math:`l_t \le l_{\max}(\nu)`, :math:`\sum_t l_t` even, and :math:`l = 0` for :math:`\nu = 1`,

and one function per linearly independent coupling C (:func:`linace.coupling.coupling_coefficients`).

>>> spec = BasisSpec(body_order=3)
>>> spec.rcut, spec.r0, spec.truncation
(5.0, 1.5, ((1, (12, 0)), (2, (12, 4))))
>>> functions, couplings = spec.functions()
>>> len(functions), str(functions[12])
(102, 'B3: A[n=1,l=0] A[n=1,l=0]')
>>> BasisSpec.from_dict(spec.to_dict()) == spec
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from ase.data import atomic_numbers

from .coupling import coupling_coefficients
from .radial import RadialBasis, element_scales

__all__ = ["DEFAULT_TRUNCATION", "BasisFunction", "BasisSpec"]

#: Default truncation per correlation order nu = 1..4: (max total degree D_nu, l_max(nu)).
#: With l_weight = 1 this gives 12, 102, 439 and 1243 functions for K = 2, 3, 4, 5.
DEFAULT_TRUNCATION = {1: (12, 0), 2: (12, 4), 3: (13, 3), 4: (14, 3)}

#: The truncations whose functions and couplings are kept (bases are built once per fit, prediction
#: and dimer curve).
FUNCTIONS_KEPT = 8


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


@dataclass(frozen=True)
class BasisSpec:
    """The definition of a linear ACE basis of one element, truncated at body order K.

    The fields are the keywords of :class:`linace.basis.ACEBasis`, in its order. ``rcut`` and ``r0``
    left None become the element's (:func:`linace.radial.element_scales`); ``truncation`` is completed
    with :data:`DEFAULT_TRUNCATION` and held as ``((nu, (max_degree, l_max)), ...)`` for nu = 1..K-1,
    so that two specs of the same basis compare (and hash) equal.

    Attributes
    ----------
    body_order : int
        K in 2..5: the basis holds correlation orders nu = 1..K-1.
    rcut : float
        Cut-off radius in A (5.0 A for C, 7.61 A for Si by default).
    truncation : tuple of (nu, (max_degree, l_max))
        Total-degree limit D_nu and largest l of every correlation order; given as a mapping
        {nu: (max_degree, l_max)} of overrides (keys may be strings, as after a JSON round trip).
    l_weight : float
        w_L in the total degree sum_t (n_t + w_L l_t), >= 0.
    element : str
        The chemical symbol the basis describes.
    r0 : float
        Centre of the distance transform of the radial basis in A (1.5 A for C, 2.28 A for Si).
    pure : bool
        The self-interaction-free basis (products over distinct neighbours only).
    p, q, a : float
        Shape of the Agnesi distance transform of the radial basis (:class:`linace.radial.RadialBasis`):
        q > p > 0, a > 0; defaults 2, 4, 1.
    """

    body_order: int
    rcut: float | None = None
    truncation: Mapping | tuple | None = None
    l_weight: float = 1.0
    element: str = "C"
    r0: float | None = None
    pure: bool = False
    p: float = 2.0
    q: float = 4.0
    a: float = 1.0

    def __post_init__(self):
        set_field = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731  (frozen)
        body_order = self.body_order
        if isinstance(body_order, bool) or int(body_order) != body_order or not 2 <= body_order <= 5:
            raise ValueError(f"body_order must be an integer in 2..5, got {body_order!r}")
        if self.element not in atomic_numbers:
            raise ValueError(f"unknown chemical element {self.element!r}")
        if not (np.isfinite(self.l_weight) and self.l_weight >= 0):
            raise ValueError(f"l_weight must be finite and >= 0, got {self.l_weight}")
        if not isinstance(self.pure, (bool, np.bool_)):
            raise TypeError(f"pure must be True or False, got {self.pure!r}")
        set_field("body_order", int(body_order))
        set_field("l_weight", float(self.l_weight))
        set_field("pure", bool(self.pure))
        for name in ("p", "q", "a"):
            set_field(name, float(getattr(self, name)))
        set_field("truncation", _complete_truncation(self.body_order, self.truncation))
        if self.rcut is None or self.r0 is None:
            default_rcut, default_r0 = element_scales(self.element)
            set_field("rcut", default_rcut if self.rcut is None else self.rcut)
            set_field("r0", default_r0 if self.r0 is None else self.r0)
        RadialBasis(n_max=1, rcut=self.rcut, r0=self.r0, p=self.p, q=self.q, a=self.a)  # checks the radial fields

    # ------------------------------------------------------------------ the functions
    def limits(self, nu: int) -> tuple[float, int]:
        """(max_degree, l_max) of correlation order ``nu``."""
        return dict(self.truncation)[nu]

    def functions(self) -> tuple[tuple[BasisFunction, ...], tuple[np.ndarray, ...]]:
        """The basis functions in basis order and their coupling coefficients (read-only arrays, one
        per function, of shape (2 l_1 + 1, ..., 2 l_nu + 1)); shared by every basis of the same
        truncation and l_weight."""
        return _enumerate_functions(self.truncation, self.l_weight)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict:
        """The fields as plain values, truncation as {nu: [max_degree, l_max]} (JSON-serialisable);
        ``ACEBasis(**spec.to_dict())`` builds the basis and :meth:`from_dict` the spec again."""
        return {
            "body_order": self.body_order,
            "rcut": self.rcut,
            "truncation": {nu: list(limits) for nu, limits in self.truncation},
            "l_weight": self.l_weight,
            "element": self.element,
            "r0": self.r0,
            "pure": self.pure,
            "p": self.p,
            "q": self.q,
            "a": self.a,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> BasisSpec:
        """The spec of a :meth:`to_dict` dict, also after a JSON round trip, and of the basis parameters
        models and run records saved before the spec existed (without ``p``, ``q``, ``a``: the
        defaults they were made with)."""
        unknown = set(data) - {field.name for field in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown basis parameter(s) {sorted(unknown)}")
        return cls(**data)


def _complete_truncation(body_order: int, overrides: Mapping | tuple | None) -> tuple:
    """((nu, (max_degree, l_max)), ...) for nu = 1..K-1: :data:`DEFAULT_TRUNCATION` with the checked
    ``overrides`` (a mapping, or pairs as a spec holds them) in place."""
    truncation = {nu: DEFAULT_TRUNCATION[nu] for nu in range(1, body_order)}
    items = overrides.items() if isinstance(overrides, Mapping) else (overrides or ())
    for nu, limits in items:
        nu = int(nu)  # keys may be strings after a JSON round trip
        if nu not in truncation:
            raise ValueError(
                f"truncation given for correlation order nu = {nu}, but body order "
                f"{body_order} has nu = 1..{body_order - 1}"
            )
        try:
            max_degree, l_max = limits
        except (TypeError, ValueError):
            raise ValueError(f"truncation for nu = {nu} must be a pair (max_degree, l_max), got {limits!r}") from None
        if not (np.isfinite(max_degree) and max_degree >= 1) or int(l_max) != l_max or l_max < 0:
            raise ValueError(
                f"truncation for nu = {nu} must have a finite max_degree >= 1 and an integer l_max >= 0, got {limits!r}"
            )
        truncation[nu] = (max_degree, int(l_max))
    return tuple(sorted(truncation.items()))


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


@lru_cache(maxsize=FUNCTIONS_KEPT)
def _enumerate_functions(truncation: tuple, l_weight: float) -> tuple[tuple, tuple]:
    """The basis functions of a truncation ((nu, (max_degree, l_max)), ...) and their coupling
    coefficients, in basis order; kept for the last few truncations. The coupling arrays are
    read-only: every basis shares them."""
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
