"""How a truncation sizes the basis, and how well training data determine it (chapters 01 and 02).

The size of a basis per body order (:func:`sizes_markdown`, :func:`order_sizes`) and the singular values
of the design matrix of a training set, weighted as in the study's fits and scaled column by column
(:func:`design_spectrum`): their spread, the condition number, says how many directions of
coefficient space the data determine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from linace.basis import ACEBasis
from linace.fit import DesignCache, Weights, linear_system

__all__ = [
    "DesignSpectrum",
    "conditioning_markdown",
    "design_spectrum",
    "functions_per_order",
    "order_sizes",
    "sizes_markdown",
    "truncation_markdown",
]


def functions_per_order(basis: ACEBasis, orders: Iterable[int]) -> list[int]:
    """The number of functions of ``basis`` of each body order in ``orders`` (0 where it has none)."""
    return [int(np.sum(basis.body_orders == order)) for order in orders]


def sizes_markdown(body_orders: Iterable[int], **basis_options) -> str:
    """Markdown table of the basis size at each K of ``body_orders`` and its functions per body order
    2..max(K) ('–' where none); ``basis_options`` go to :class:`~linace.basis.ACEBasis` (e.g. ``rcut``)."""
    body_orders = list(body_orders)
    orders = range(2, max(body_orders) + 1)
    rows = [
        "| K | functions | " + " | ".join(f"body order {k}" for k in orders) + " |",
        "|" + "---|" * (len(orders) + 2),
    ]
    for K in body_orders:
        basis = ACEBasis(body_order=K, **basis_options)
        counts = functions_per_order(basis, orders)
        rows.append(f"| {K} | {len(basis)} | " + " | ".join(str(c) if c else "–" for c in counts) + " |")
    return "\n".join(rows)


def truncation_markdown(truncation: Mapping[int, tuple[int, int]]) -> str:
    """Markdown table of a truncation {nu: (D_nu, l_max)}: per correlation order nu its body order,
    total degree, l_max and number of functions (in the basis of the largest body order it defines)."""
    full = ACEBasis(body_order=max(truncation) + 1, truncation=dict(truncation))
    rows = ["| ν | body order | max total degree D_ν | l_max(ν) | functions |", "|---|---|---|---|---|"]
    for nu, (degree, l_max) in truncation.items():
        rows.append(f"| {nu} | {nu + 1} | {degree} | {l_max} | {functions_per_order(full, [nu + 1])[0]} |")
    return "\n".join(rows)


def order_sizes(nu: int, degrees: Iterable[int], l_max: int) -> list[int]:
    """The number of functions of correlation order ``nu`` (body order nu + 1) at each total degree
    D_nu of ``degrees``, with that ``l_max``."""
    return [functions_per_order(ACEBasis(nu + 1, truncation={nu: (int(D), l_max)}), [nu + 1])[0] for D in degrees]


@dataclass(frozen=True)
class DesignSpectrum:
    """The singular values of a weighted, column-scaled design matrix.

    ``singular_values``: (min(n_rows, n_functions),), descending; ``n_rows``: rows of the matrix
    (energies, force components, virials); ``n_functions``: its columns, the basis size.
    """

    singular_values: np.ndarray
    n_rows: int
    n_functions: int

    @property
    def relative(self) -> np.ndarray:
        """sigma_k / sigma_max, descending (dimensionless)."""
        return self.singular_values / self.singular_values[0]

    @property
    def condition_number(self) -> float:
        """sigma_max / sigma_min."""
        return float(self.singular_values[0] / self.singular_values[-1])

    def rank(self, rtol: float = 1e-10) -> int:
        """The number of singular values above ``rtol`` x sigma_max."""
        return int(np.sum(self.relative > rtol))


def design_spectrum(
    basis: ACEBasis, structures: Sequence[Atoms], e0: float, weights: Weights, cache: DesignCache | None = None
) -> DesignSpectrum:
    """The singular values of the design matrix of ``structures`` (:func:`linace.fit.linear_system`,
    E0 ``e0`` in eV): each row times its weight 1/sigma (``weights``, e.g. the study's
    :data:`linace.study.runs.DEFAULT_WEIGHTS`), each column scaled to unit norm (columns that vanish
    are left as they are)."""
    system = linear_system(basis, structures, e0, cache=cache)
    A = system.X * system.row_weights(weights)[:, None]
    A /= np.where(np.linalg.norm(A, axis=0) > 0, np.linalg.norm(A, axis=0), 1)
    return DesignSpectrum(np.linalg.svd(A, compute_uv=False), len(system.y), len(basis))


def conditioning_markdown(spectra: Mapping[int, DesignSpectrum]) -> str:
    """Markdown table of :func:`design_spectrum` results by K: functions, rows, rank (sigma > 1e-10
    sigma_max) and condition number."""
    table = ["| K | functions | rows | rank (σ > 1e-10 σ_max) | condition number |", "|---|---|---|---|---|"]
    for K, spectrum in spectra.items():
        table.append(
            f"| {K} | {spectrum.n_functions} | {spectrum.n_rows} | {spectrum.rank()} "
            f"| {spectrum.condition_number:.2e} |"
        )
    return "\n".join(table)
