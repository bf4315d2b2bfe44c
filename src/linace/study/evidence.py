"""The evidence behind a verdict: the claims graded on the one fit per (K, training set) and at every
size N of the resampled draws, and how fast the learning curves fall.

The resampled runs (:mod:`linace.study.resample`) train every potential again on random subsets of
N structures, in several draws per N. This module collects what the chapters read from them::

    graded = grade_by_size(resampled, dft)              # {N: [DrawVerdict per claim]}
    single = one_fit_verdicts(records, dft)             # {claim: verdict of the one fit}
    verdicts_changing_with_size(graded, single)         # ['1b: reproduced at N = 40 → ...', ...]
    learning_exponent(learning_curves(resampled), "distance_to_dft_eV", body_order=4)

Records are run records (:class:`linace.study.records.RunRecord` or their JSON); DFT curves are
(r in A, E(r) - 2 E0 in eV).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from .claims import DrawVerdict, assess_claims, assess_v2_claims, claim_id, grade_over_draws
from .records import as_records, select

__all__ = [
    "grade_by_size",
    "learning_exponent",
    "learning_rows",
    "one_fit_verdicts",
    "resampled_combinations",
    "train_sizes",
    "verdicts_changing_with_size",
]


def train_sizes(records: Iterable[Mapping]) -> list[int]:
    """The training-set sizes N of resampled runs, ascending (runs on the whole set are left out)."""
    return sorted({r.train_size for r in as_records(records) if r.train_size is not None})


def grade_by_size(
    records: Iterable[Mapping], dft_curve: tuple[np.ndarray, np.ndarray], regularisation: str = "blr"
) -> dict[int, list[DrawVerdict]]:
    """Every claim graded over the draws of each size N of the resampled runs:
    {N: :func:`linace.study.claims.grade_over_draws`}, N ascending ({} without resampled runs)."""
    records = as_records(records)
    return {size: grade_over_draws(records, dft_curve, size, regularisation) for size in train_sizes(records)}


def one_fit_verdicts(
    records: Iterable[Mapping], dft_curve: tuple[np.ndarray, np.ndarray], by_id: bool = False
) -> dict[str, str]:
    """Every claim graded on the one fit per (K, training set), records of one regularisation: claims
    1-3 on the standard basis (:func:`linace.study.claims.assess_claims`), the v2 claims on both
    (:func:`linace.study.claims.assess_v2_claims`). {claim: verdict}, the claim by its text, or by its
    id ('1a', 'v2c') with ``by_id``."""
    records = as_records(records)
    verdicts = assess_claims(select(records, variant="standard"), dft_curve) + assess_v2_claims(records, dft_curve)
    return {claim_id(v.claim) if by_id else v.claim: v.verdict for v in verdicts}


def verdicts_changing_with_size(graded: Mapping[int, Sequence[DrawVerdict]], claims: Iterable[str]) -> list[str]:
    """The claims whose verdict over draws is not the same at every N with several draws, each with its
    verdicts in order of N, e.g. '1b: reproduced at N = 40 → depends on the draw at N = 80'.
    ``graded``: {N: :func:`linace.study.claims.grade_over_draws`}; ``claims``: the claim texts, in
    the order listed."""
    moving = []
    for claim in claims:
        tested = [v for verdicts in graded.values() for v in verdicts if v.claim == claim and v.draws > 1]
        if len({v.verdict for v in tested}) > 1:
            moving.append(f"{claim_id(claim)}: " + " → ".join(f"{v.verdict} at N = {v.train_size}" for v in tested))
    return moving


def resampled_combinations(records: Iterable[Mapping], order: Sequence[str]) -> list[tuple[str, str]]:
    """The (basis variant, training set) pairs of the runs: the standard basis first, the training sets
    in ``order`` (sets it does not name last, alphabetically)."""
    pairs = {(r.variant, r.training_set) for r in as_records(records)}
    return sorted(pairs, key=lambda c: (c[0] != "standard", order.index(c[1]) if c[1] in order else len(order), c[1]))


def learning_rows(curves: Sequence[Mapping], variant: str, training_set: str, body_order: int) -> list[dict]:
    """The rows of :func:`linace.study.resample.learning_curves` of one (variant, training set, K), in
    order of N."""
    return [
        row
        for row in curves
        if (row["variant"], row["training_set"], row["body_order"]) == (variant, training_set, body_order)
    ]


def learning_exponent(
    curves: Sequence[Mapping],
    quantity: str,
    variant: str = "standard",
    training_set: str = "diverse",
    body_order: int = 4,
) -> tuple[float, list[int]] | None:
    """The exponent alpha of a learning curve that falls as a power law, quantity ~ N^-alpha: minus the
    slope of the least-squares line through (log N, log median over draws) of ``quantity`` (a key of
    :data:`linace.study.resample.LEARNING_QUANTITIES`) for one (variant, training set, K). Returns
    (alpha, the sizes N fitted), or None with fewer than two sizes that have a median."""
    rows = [row for row in learning_rows(curves, variant, training_set, body_order) if row[quantity]["n"]]
    if len(rows) < 2:
        return None
    sizes = [row["train_size"] for row in rows]
    slope = np.polyfit(np.log(sizes), np.log([row[quantity]["median"] for row in rows]), 1)[0]
    return float(-slope), sizes
