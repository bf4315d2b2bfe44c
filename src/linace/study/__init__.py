"""The study: body-order convergence of the dimer curve of linear ACE (arXiv:2502.16125).

This subpackage is the study's own code, built on the library (:mod:`linace`), which never imports
it:

* :mod:`linace.study.structures`    deterministic generators of the reference structures (a package: the
                                     common part, the molecules of any element, ``carbon``, ``silicon``)
* :mod:`linace.study.dft`           the GPAW reference workflow and the molecular state search
* :mod:`linace.study.datasets`      the registry of the committed data (checksummed loaders) and data
                                     directories of one's own
* :mod:`linace.study.importer`      published datasets brought in as data directories, with provenance
* :mod:`linace.study.data_commands` the command line of data directories (``python -m linace.study.datasets``)
* :mod:`linace.study.example_data`  an example data directory of an fcc metal labelled by ASE's EMT
* :mod:`linace.study.reference`     sanity numbers of the reference: EOS, dimer states, literature
* :mod:`linace.study.runs`          one training run: data -> basis -> fit -> errors and dimer curve
* :mod:`linace.study.results`       the JSON record of a run and tables over many runs
* :mod:`linace.study.records`       a typed, read-only view of a run record (:class:`~linace.study.records.RunRecord`)
* :mod:`linace.study.executors`     where the long work runs: local processes or a Dask cluster
* :mod:`linace.study.sweep`         the papermill sweep over (K, training set, basis variant, ...)
* :mod:`linace.study.notebook_runs` one run of the training notebook and its book page
* :mod:`linace.study.resample`      the resampled runs: learning curves and verdicts over draws
* :mod:`linace.study.claims`        the paper's claims (v1 and v2) graded on the run records
* :mod:`linace.study.paper`         the authors' published fits (errors, dimer curves) read from their repository
                                     (a package: the records, the parsers, the snapshot, one reader per source of
                                     their files, the JSON)
* :mod:`linace.study.data_worlds`   the claims graded on our data and on the authors' (chapter 09)
* :mod:`linace.study.robustness`    the claims under the alternatives to the study's silent choices (chapter 10)
* :mod:`linace.study.plotting`      the figures shared by the chapters
* :mod:`linace.study.report`        the tables and figures the chapters of every element share

The chapters' own tables and figures, each module one concept (the chapters only narrate and call them):

* :mod:`linace.study.truncation`    how a truncation sizes the basis and how well data determine it (01, 02)
* :mod:`linace.study.self_interaction` why every body order reaches the dimer; the pure basis's span (01, 06)
* :mod:`linace.study.descriptors`   a map of the mean ACE descriptors of a set of structures (03)
* :mod:`linace.study.evidence`      the verdicts of one fit and over draws, at every training-set size (05b)
* :mod:`linace.study.uncertainty`   the posterior band of a dimer curve and where data constrain it (06)
* :mod:`linace.study.priors`        the smoothness prior against the flat one, from run records (06)
* :mod:`linace.study.comparison`    standard and pure bases on bulk, cluster and tailored data (06, 07)
* :mod:`linace.study.own_data`      the tables of the page on running the study on one's own data (08)
* :mod:`linace.study.history`       the saved earlier states of the study and how the verdicts moved
* :mod:`linace.study.overview`      the study at a glance: the landing page's bottom line and claims
* :mod:`linace.study.prose`         the claim criteria the chapters paste into their text, and when to check them

docs/design.md (sections 4 and 5) says how these parts make the pipeline from data to verdict.
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
