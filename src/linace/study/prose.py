"""The book's sentences held to the numbers: the claim criteria the chapters paste into their text,
and whether a chapter reads the study's own data and runs (where its hidden checks of a sentence apply).

A threshold typed into a chapter's prose can drift from the one the claims are graded with
(:mod:`linace.study.claims`); a chapter glues them instead::

    for name, value in threshold_glue("converged_eV").items():
        glue(name, value, display=False)          # text: "below {glue:text}`converged_eV` eV"

A sentence that depends on the numbers ("the smoothness prior hardly matters here") is checked by a
hidden cell that fails the book's build when it stops being true, on the study's runs only
(:func:`reads_study_data`): on other data, such as a test's synthetic folder, the text does not
describe the numbers.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import datasets
from .claims import CONVERGED_EV, FAR_FROM_DFT_EV, REPRODUCED_FRACTION

__all__ = ["reads_study_data", "threshold_glue"]


def threshold_glue(*names: str) -> dict[str, float | int]:
    """The claim criteria as the chapters' prose states them, by glue name (all, or those of ``names``):
    ``converged_eV`` (:data:`~linace.study.claims.CONVERGED_EV`, eV), ``far_from_dft_eV``
    (:data:`~linace.study.claims.FAR_FROM_DFT_EV`, eV), ``reproduced_percent`` and
    ``not_reproduced_percent`` (:data:`~linace.study.claims.REPRODUCED_FRACTION` and its complement, in
    whole per cent)."""
    values = {
        "converged_eV": CONVERGED_EV,
        "far_from_dft_eV": FAR_FROM_DFT_EV,
        "reproduced_percent": round(100 * REPRODUCED_FRACTION),
        "not_reproduced_percent": round(100 * (1 - REPRODUCED_FRACTION)),
    }
    unknown = sorted(set(names) - set(values))
    if unknown:
        raise KeyError(f"no threshold named {', '.join(unknown)}; known: {', '.join(values)}")
    return {name: values[name] for name in names} if names else values


def reads_study_data(results_dir: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None) -> bool:
    """Whether a chapter reads the study's own data (and runs): the data registry is the repository's
    (no ``$LINACE_DATA`` elsewhere), ``data_dir`` (if given and not empty) is one of its element folders,
    and ``results_dir`` (if given) is the repository's ``results`` folder or a folder in it
    (``results/Si``). The chapters check their sentences against the numbers only then."""
    from .sweep import RESULTS_ROOT

    repository_data = datasets.REPOSITORY_DATA_DIR.resolve()
    if datasets.DATA_ROOT.resolve() != repository_data:
        return False
    if data_dir and Path(data_dir).resolve().parent != repository_data:
        return False
    if results_dir is None:
        return True
    results, root = Path(results_dir).resolve(), RESULTS_ROOT.resolve()
    return results == root or root in results.parents
