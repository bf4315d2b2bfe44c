"""The authors' published fits: their error files and dimer curves, read from their repository.

Tan, Pellegrini and de Gironcoli (arXiv:2502.16125) published their inputs and outputs in the
GitHub repository ``apolmiguel/aceconverge2025`` (the snapshot read here: commit c0719c89ef0f,
2025-07-09). This package reads the numbers they published about their fits, one parser per file
format, into typed records with provenance (file path, commit, SHA-256 of the file), so that our
runs can be set beside theirs. Only derived numbers are kept (errors and dimer curves, with their
source); structure files and code are never copied (``data/README.md``, "The paper's published
data", says why).

The formats, and what their numbers mean:

``acejulia/<set>[_purify]/<degrees>/ecost<w>/[damp<d>/]`` - one ACEpotentials.jl fit (v0.6.7).
    ``<degrees>`` (e.g. ``24.20.16``) are ACE1x's ``totaldegree`` per correlation order
    ν = 1..K-1, so the body order is K = (number of fields) + 1 (``trainmodel.jl``: ``order =
    len(degrees)``; ``plots_response.ipynb`` labels 24.20, 24.20.16, 24.20.16.12 as K = 3, 4, 5).
    ``_purify``: ACE1x ``pure=true`` (self-interaction-free basis), else the standard basis.
    ``ecost<w>``: energy weight w with force weight 1 (``weights = Dict("default" => Dict("E" =>
    w, "F" => 1.0))``; ACEpotentials multiplies the row E_total/√N by w). ``damp<d>``: the LSQR
    exploration with a smoothness prior (``acejulia/Tr100_n/ecost50.out``); files ``*_BLR.*`` in
    those folders are Bayesian-regression fits. ``border<N>`` folders: body order K = N (older
    runs; ``acejulia/Tr1k_n_purify/purify_border3to5.out`` gives their degrees).
``errors.dat``, ``trainerrors.dat``, ``testerrors.dat`` (:func:`parse_julia_errors`)
    ``writedlm`` of ACEpotentials' ``linear_errors``: lines ``rmse<TAB>Dict(...)`` and
    ``mae<TAB>Dict(...)``, per config type and ``set``; E is the error of the energy per atom
    (eV/atom), F of the force components (eV/A). A value of exactly 0 means "not evaluated" (the
    force key was not found: several silicon files were written with ``force_key = "force"``
    while the silicon files call it ``forces``) and is read as missing. The carbon ``errors.dat``
    hold TRAINING errors (checked against the tables of ``julia_tests_response.ipynb``); the
    silicon ``testerrors.dat`` are errors on ``datasets/Si5.xyz`` (checked against
    ``acejulia/si_errors``).
``dimercurve*.dat`` (:func:`parse_dimer_curve`)
    ``r E`` per line from ``ACEpotentials.dimers``: r in A, E = E_pot(dimer) - 2 E_pot(atom) in eV
    (the potential's dimer energy minus two isolated atoms; the isolated atom's energy is the
    potential's one-body term E0, the DFT atom). ``dimercurve_v2.dat``: the same with only the
    pair part kept (the first 24 coefficients, "Keeping only 2-body coefficients", cell 26 of
    ``julia_tests_response.ipynb``).
``acejulia/si_errors/{ind,ood}_vset<V>_{en,f}_err[_pure].dat`` (:func:`parse_error_matrix`)
    4 x 3 matrices of mean ABSOLUTE errors (not RMSE) on the set ``V``: energy (eV/atom) or force
    components (eV/A); columns the degrees 24.20, 24.20.16, 24.20.16.12; rows the training sets
    (``ind``: Si2, Si23, Si234, Si2345; ``ood``: Si345, Si3, Si4, Si5; with ``_train`` when ``V``
    is a ``_val`` set), as the notebook that wrote them orders its keys (cells 11 and 20).
``julia_tests_response.ipynb`` (:func:`parse_julia_tables`)
    the printed ``linear_errors`` tables (RMSE then MAE, E in meV/atom, F in eV/A, 3 decimals):
    the only published carbon test errors (Tr1k_n on Val1k_n, ecost 10) and the only RMSE of the
    silicon train/validation splits.
``pacemaker/.../input.yaml`` (:func:`parse_pacemaker_input`) and ``[test_]{ladder,cycle}_metrics.txt``
    (:func:`parse_pacemaker_metrics`): pacemaker (pyace 0.3.0) fits; the last row is the final
    potential: ``rmse_epa`` (eV/atom), ``rmse_f_comp``, ``mae_f_comp`` (eV/A), ``nfuncs``.
    ``kappa`` is pacemaker's relative force weight (energy:force = (1 - κ):κ in its loss).
    pacemaker fits its own per-atom reference energy (``log.txt``: "Computed single-atom reference
    energy", read by :func:`parse_pacemaker_reference_energy`).

Units of every record: energies meV/atom, forces eV/A (per Cartesian component), distances A,
dimer energies eV. ::

    python -m linace.study.paper extract /work/.mirror/apolmiguel+aceconverge2025/repo \\
        --out data/paper/published_fits.json

    from linace.study import paper
    paper.published_fits(element="Si", split="test")       # list[PublishedErrors]
    paper.published_dimer_curves(element="C")               # list[PublishedDimerCurve]
    paper.matching(paper.published_fits(), element="C", training_set="diverse",
                   body_order=4, variant="pure")

The package, in the order of the extraction:

* :mod:`~linace.study.paper.records`    the records (:class:`Source`, :class:`FitSetup`,
  :class:`PublishedErrors`, :class:`PublishedDimerCurve`) and the collector an extraction fills
* :mod:`~linace.study.paper.parsers`    one parser per file format (above)
* :mod:`~linace.study.paper.snapshot`   the git snapshot, read at one commit (:class:`Snapshot`)
* :mod:`~linace.study.paper.acejulia`   the ACE.jl run folders (their setups, error files and dimer
  curves) and the silicon error matrices of ``acejulia/si_errors``
* :mod:`~linace.study.paper.notebook`   the errors printed in ``julia_tests_response.ipynb``
* :mod:`~linace.study.paper.pacemaker`  the pacemaker runs
* :mod:`~linace.study.paper.extraction` every reader in turn (:func:`extract`) and the command line
  (:func:`main`)
* :mod:`~linace.study.paper.published`  the JSON: written (:func:`write_published`), read
  (:func:`read_published`), selected (:func:`published_fits`, :func:`matching`)
"""

from __future__ import annotations

from linace.study.paper.extraction import extract, is_damping_scan, main
from linace.study.paper.parsers import (
    parse_dimer_curve,
    parse_error_matrix,
    parse_julia_errors,
    parse_julia_tables,
    parse_pacemaker_input,
    parse_pacemaker_metrics,
    parse_pacemaker_reference_energy,
)
from linace.study.paper.published import (
    CITATION,
    DEFAULT_ALIASES,
    FORMAT_VERSION,
    PUBLISHED_FITS,
    REPOSITORY,
    matches,
    matching,
    published_dimer_curves,
    published_fits,
    read_published,
    write_published,
)
from linace.study.paper.records import (
    WEIGHT_CONVENTIONS,
    FitSetup,
    PaperFormatError,
    PublishedDimerCurve,
    PublishedErrors,
    Source,
)
from linace.study.paper.snapshot import Snapshot

__all__ = [
    "CITATION",
    "DEFAULT_ALIASES",
    "FORMAT_VERSION",
    "FitSetup",
    "PUBLISHED_FITS",
    "PaperFormatError",
    "PublishedDimerCurve",
    "PublishedErrors",
    "REPOSITORY",
    "Snapshot",
    "Source",
    "extract",
    "is_damping_scan",
    "main",
    "matches",
    "matching",
    "parse_dimer_curve",
    "parse_error_matrix",
    "parse_julia_errors",
    "parse_julia_tables",
    "parse_pacemaker_input",
    "parse_pacemaker_metrics",
    "parse_pacemaker_reference_energy",
    "published_dimer_curves",
    "published_fits",
    "read_published",
    "write_published",
    "WEIGHT_CONVENTIONS",
]
