"""Self-interaction: why every body order of a standard ACE basis reaches the dimer, and what the pure
basis changes (chapters 01 and 06).

A standard correlation of order nu sums over nu neighbours without excluding repeats, so on an
isolated dimer (one neighbour) every function is kappa_B prod_t R_{n_t}(r) with a constant kappa_B
(:func:`dimer_values`). The pure basis sums over distinct neighbours only: an atom with m neighbours has
every pure nu-correlation with nu > m equal to zero (:func:`molecule_correlations`); it costs an
enlarged one-particle basis (:func:`one_particle_sizes`), and its functions lie (nearly) inside the
span of the standard ones (:func:`span_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from linace.analysis import span_residual
from linace.basis import ACEBasis

__all__ = [
    "DimerValues",
    "correlations_markdown",
    "dimer_values",
    "kappa_markdown",
    "molecule_correlations",
    "one_particle_sizes",
    "random_dimer",
    "span_markdown",
    "span_rows",
]


def random_dimer(distance: float, rng: np.random.Generator, element: str = "C") -> Atoms:
    """An isolated pair at ``distance`` (A), atom 0 at the origin, the axis drawn from ``rng`` (one
    normal 3-vector)."""
    direction = rng.normal(size=3)
    return Atoms(f"{element}2", positions=[[0, 0, 0], distance * direction / np.linalg.norm(direction)])


@dataclass(frozen=True)
class DimerValues:
    """The basis on dimers of random orientation, against the radial products of its functions.

    ``distances``: (n,) A; ``values``: (n, n_functions) B of atom 0; ``radial_products``: (n,
    n_functions) prod_t R_{n_t}(r) of each function's one-particle tuple; ``kappa``: (n_functions,) the
    constants B / prod_t R_{n_t} fitted at one distance.
    """

    distances: np.ndarray
    values: np.ndarray
    radial_products: np.ndarray
    kappa: np.ndarray

    @property
    def mismatch(self) -> float:
        """max |B(r) - kappa_B prod_t R(r)| over every distance and function, over max |B|: round-off
        if every function is kappa_B times its radial product on the dimer."""
        return float(np.abs(self.values - self.kappa * self.radial_products).max() / np.abs(self.values).max())


def dimer_values(
    basis: ACEBasis, distances: Sequence[float], rng: np.random.Generator, reference_distance: float = 1.3
) -> DimerValues:
    """``basis`` on a dimer at each of ``distances`` (A; each in a random orientation from ``rng``), its
    radial products, and kappa_B fitted at the distance closest to ``reference_distance``."""
    distances = np.asarray(distances, float)
    values = np.array([basis.descriptors(random_dimer(d, rng, basis.element))[0] for d in distances])
    radial, _ = basis.radial(distances)
    products = np.array([[np.prod([R[n - 1] for n, _ in f.nl]) for f in basis.functions] for R in radial])
    reference = np.argmin(np.abs(distances - reference_distance))
    return DimerValues(distances, values, products, values[reference] / products[reference])


def kappa_markdown(basis: ACEBasis, kappa: np.ndarray) -> str:
    """Markdown table per body order (2 and up) of ``basis``: its functions, how many have
    |kappa_B| > 1e-10 (are non-zero on the dimer), and the largest |kappa_B|."""
    rows = ["| body order | functions | non-zero on the dimer | max abs(kappa_B) |", "|---|---|---|---|"]
    for order in range(2, int(basis.body_orders.max()) + 1):
        k = kappa[basis.body_orders == order]
        rows.append(f"| {order} | {k.size} | {np.sum(np.abs(k) > 1e-10)} | {np.abs(k).max():.3f} |")
    return "\n".join(rows)


def molecule_correlations(
    body_order: int, sizes: Iterable[int] = (2, 3, 4), seed: int = 0, bond: float = 1.5, element: str = "C"
) -> list[dict]:
    """The largest |B| of each correlation order nu = 1..K-1 at atom 0 of small molecules, standard and pure
    bases at K = ``body_order``: one molecule per size in ``sizes`` (atom 0 at the origin, the others at
    ``bond`` A from it in random directions, seeded by ``seed``). Rows {molecule, neighbours, nu,
    standard, pure}; the pure values vanish (round-off) for nu > neighbours."""
    pure_basis = ACEBasis(body_order, pure=True, element=element)
    standard_basis = ACEBasis(body_order, element=element)
    nu = pure_basis.body_orders - 1
    rng = np.random.default_rng(seed)
    rows = []
    for n_atoms in sizes:
        directions = rng.normal(size=(n_atoms - 1, 3))
        positions = np.vstack([np.zeros(3), bond * directions / np.linalg.norm(directions, axis=1)[:, None]])
        molecule = Atoms(f"{element}{n_atoms}", positions=positions)
        b_standard, b_pure = standard_basis.descriptors(molecule, [0])[0], pure_basis.descriptors(molecule, [0])[0]
        for order in range(1, body_order):
            rows.append(
                {
                    "molecule": f"{element}{n_atoms}",
                    "neighbours": n_atoms - 1,
                    "nu": order,
                    "standard": float(np.abs(b_standard[nu == order]).max()),
                    "pure": float(np.abs(b_pure[nu == order]).max()),
                }
            )
    return rows


def correlations_markdown(rows: Sequence[dict]) -> str:
    """Markdown table of :func:`molecule_correlations`."""
    lines = [
        "| molecule | neighbours of atom 0 | ν | max \\|B\\| standard | max \\|B\\| pure |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {row['molecule']} | {row['neighbours']} | {row['nu']} | {row['standard']:.2e} | {row['pure']:.2e} |"
        for row in rows
    ]
    return "\n".join(lines)


def one_particle_sizes(body_orders: Iterable[int]) -> dict[int, tuple[int, int]]:
    """{K: (one-particle functions of the standard basis, of the pure basis's enlarged one)} per K."""
    return {K: tuple(len(ACEBasis(K, pure=pure).features) for pure in (False, True)) for K in body_orders}


def span_rows(environments: Sequence[Atoms], body_orders: Iterable[int]) -> list[dict]:
    """How far the pure functions lie outside the span of the standard ones and the reverse
    (:func:`linace.analysis.span_residual`: 0 inside, 1 orthogonal), both bases evaluated on every atom of
    ``environments``. One row per K and correlation order nu: {K, nu, functions, pure_outside_median,
    pure_outside_max, standard_outside_median, standard_outside_max}."""
    rows = []
    for K in body_orders:
        standard_values = np.vstack([ACEBasis(K).descriptors(atoms) for atoms in environments])
        pure_values = np.vstack([ACEBasis(K, pure=True).descriptors(atoms) for atoms in environments])
        pure_outside = span_residual(standard_values, pure_values)
        standard_outside = span_residual(pure_values, standard_values)
        nu = ACEBasis(K).body_orders - 1
        for order in range(1, K):
            mask = nu == order
            rows.append(
                {
                    "K": K,
                    "nu": order,
                    "functions": int(mask.sum()),
                    "pure_outside_median": float(np.median(pure_outside[mask])),
                    "pure_outside_max": float(pure_outside[mask].max()),
                    "standard_outside_median": float(np.median(standard_outside[mask])),
                    "standard_outside_max": float(standard_outside[mask].max()),
                }
            )
    return rows


def span_markdown(rows: Sequence[dict]) -> str:
    """Markdown table of :func:`span_rows`."""
    lines = [
        "| K | ν | functions | pure outside standard: median | max | standard outside pure: median | max |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {row['K']} | {row['nu']} | {row['functions']} | {row['pure_outside_median']:.1e} "
        f"| {row['pure_outside_max']:.1e} | {row['standard_outside_median']:.1e} "
        f"| {row['standard_outside_max']:.1e} |"
        for row in rows
    ]
    return "\n".join(lines)
