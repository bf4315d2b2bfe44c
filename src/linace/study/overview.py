"""The study at a glance (the book's landing page): for each element its runs, the claims graded on
them and over the resampled draws, and the few numbers the result rests on.

    studies = {"C": element_study("C", "results", "results/resampled")}
    bottom_line(studies)                 # three sentences, following the verdicts and numbers
    claims_overview_rows(studies)        # one row per claim and element, for report.claims_overview_markdown

Carbon (:data:`CARBON`) must be among the studies the functions that state the paper's carbon claims
read. DFT curves are (r in A, E(r) - 2 E0 in eV).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from . import datasets, report
from .claims import (
    CONVERGED_EV,
    DrawVerdict,
    Verdict,
    assess_claims,
    assess_v2_claims,
    claim_id,
    convergence_by_ingredient,
    convergence_origin,
    key_numbers,
)
from .evidence import grade_by_size
from .records import RunRecord, load_records, select
from .results import dft_dimer_curve

__all__ = [
    "CARBON",
    "ElementStudy",
    "best_bulk_potentials",
    "bottom_line",
    "claims_overview_rows",
    "converging_runs",
    "element_study",
]

#: The element of the paper's first-version claims (1a-3), made on carbon only.
CARBON = "C"


@dataclass(frozen=True)
class ElementStudy:
    """What the landing page reads of one element: its run ``records`` (one regularisation), the DFT
    dimer curve ``dft``, the one-fit verdicts of claims 1-3 (``v1``, standard basis) and of the v2
    claims (``v2``), every claim over the draws of each size N (``graded``: {N: [DrawVerdict]}) and
    the numbers each claim turns on (``numbers``, :func:`linace.study.claims.key_numbers`)."""

    element: str
    records: list[RunRecord]
    dft: tuple[np.ndarray, np.ndarray]
    v1: list[Verdict]
    v2: list[Verdict]
    graded: dict[int, list[DrawVerdict]]
    numbers: dict[str, str]

    @property
    def verdicts(self) -> list[Verdict]:
        """The one-fit verdicts of the claims the paper made on this element: claims 1-3 on carbon only,
        the v2 claims on every element."""
        return (self.v1 if self.element == CARBON else []) + self.v2


def element_study(
    element: str, results_dir: str | os.PathLike, resampled_dir: str | os.PathLike, regularisation: str = "blr"
) -> ElementStudy | None:
    """The :class:`ElementStudy` of one element from its sweep's records (``results_dir``) and resampled
    runs (``resampled_dir``, may be empty or absent), those of ``regularisation``; None without records."""
    records = select(load_records(results_dir), regularisation=regularisation)
    if not records:
        return None
    folder = datasets.element_dir(element)
    dft = dft_dimer_curve(datasets.load("dimers", folder), datasets.e0(folder))[:2]
    resampled = select(load_records(resampled_dir), regularisation=regularisation)
    return ElementStudy(
        element,
        records,
        dft,
        assess_claims(select(records, variant="standard"), dft),
        assess_v2_claims(records, dft),
        grade_by_size(resampled, dft, regularisation),
        key_numbers(records, dft),
    )


def best_bulk_potentials(studies: Mapping[str, ElementStudy]) -> dict[str, dict | None]:
    """{element: :func:`linace.study.report.best_bulk_potential` of its standard-basis runs}."""
    return {
        element: report.best_bulk_potential(select(study.records, variant="standard"))
        for element, study in studies.items()
    }


def bottom_line(studies: Mapping[str, ElementStudy]) -> list[str]:
    """The study's result in three sentences (:func:`linace.study.report.bottom_line`): carbon's bulk
    verdicts and the distances to DFT of its `diverse` potentials, where each element's convergence in
    K comes from (:func:`linace.study.claims.convergence_origin`), the best bulk potentials."""
    carbon = studies[CARBON]
    diverse = select(carbon.records, variant="standard", training_set="diverse")
    return report.bottom_line(
        {claim_id(v.claim): v.verdict for v in carbon.v1},
        {r.body_order: r.distance_to_dft for r in diverse},
        {
            element: convergence_origin(convergence_by_ingredient(study.records, study.dft))
            for element, study in studies.items()
        },
        best_bulk_potentials(studies),
    )


def claims_overview_rows(studies: Mapping[str, ElementStudy]) -> list[dict]:
    """The rows of :func:`linace.study.report.claims_overview_markdown`: every claim of every element
    (:attr:`ElementStudy.verdicts`), elements in the order given."""
    rows = []
    for element, study in studies.items():
        rows += report.claims_overview_rows(study.verdicts, study.graded, study.numbers, element)
    return rows


def converging_runs(study: ElementStudy) -> dict[tuple[str, str], bool]:
    """For each (basis variant, training set) of :func:`linace.study.claims.convergence_by_ingredient`
    with at least one successive-K distance: does its last distance fall below
    :data:`linace.study.claims.CONVERGED_EV` (the dotted line of the landing page's figure)?"""
    return {
        key: steps[-1] < CONVERGED_EV
        for key, (_, steps) in convergence_by_ingredient(study.records, study.dft).items()
        if steps
    }
