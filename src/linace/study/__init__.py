"""The study: body-order convergence of the dimer curve of linear ACE (arXiv:2502.16125).

This subpackage is the study's own code, built on the library (:mod:`linace`), which never imports
it:

* :mod:`linace.study.structures`  deterministic generators of the reference structures: the common
  part, the molecules of any element, one module per element (``carbon``, ``silicon``)
* :mod:`linace.study.dft`         the GPAW reference workflow and the molecular state search
* :mod:`linace.study.datasets`    the registry of the committed data (checksummed loaders)
* :mod:`linace.study.importer`    published datasets brought in as data directories, with provenance
* :mod:`linace.study.data_commands` the command line of data directories (``python -m linace.study.datasets``)
* :mod:`linace.study.reference`   sanity numbers of the reference: EOS, dimer states, literature
* :mod:`linace.study.runs`        one training run: data -> basis -> fit -> errors and dimer curve
* :mod:`linace.study.results`     the JSON record of a run and tables over many runs
* :mod:`linace.study.claims`      the paper's claims (v1 and v2) graded on the run records
* :mod:`linace.study.sweep`       the papermill sweep over (K, training set, basis variant, ...)
* :mod:`linace.study.resample`    the resampled runs: learning curves and verdicts over draws
* :mod:`linace.study.paper`       the authors' published fits (errors, dimer curves) read from their repository
* :mod:`linace.study.plotting`    the figures shared by the chapters
* :mod:`linace.study.report`      the tables and figures the chapters of every element share
"""

from functools import lru_cache as _lru_cache
from pathlib import Path as _Path

import linace as _linace


@_lru_cache(maxsize=1)
def source_digest() -> str:
    """SHA-256 (hex) of the code behind a run record: the library's source
    (:func:`linace.source_digest`) and the study's (every ``*.py`` of :mod:`linace.study`), so
    that a change of either re-runs the sweep."""
    study = _Path(__file__).resolve().parent
    return _linace.files_digest(study.parent, [*_linace.library_files(), *sorted(study.rglob("*.py"))])
