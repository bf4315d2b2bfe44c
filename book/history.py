# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Changes and their effect on the verdicts
#
# The chapters state the results on the current data and code. This appendix sets out how those
# results moved as the reference data and the fitting code were corrected, with the numbers before
# and after each change: a verdict that moves with a change of a few hundredths of an eV against a
# fixed threshold is fragile, and a reader should be able to see which ones did. The criteria never
# changed; the data and the code did.
#
# Each earlier state was saved by `scripts/history_snapshot.py` with the code of its time, as
# `data/C/history/<name>.json` (every convergence number and every verdict of the default sweep,
# and, from the second on, every claim graded over the resampled draws):
#
# 1. **The first reference** (`study_before_state_search`): the isolated atom $E_0$ a spherical,
#    fractionally occupied atom (0.09 eV above the symmetry-broken triplet, so that the dimer curve
#    sat 0.16–0.18 eV below zero at 4–4.5 Å) and a dimer curve of single fixed-moment runs, with jumps
#    of about 0.1 eV between SCF solutions.
# 2. **Atom and dimers searched** (`study_before_cluster_search`): the state search of
#    {doc}`03_training_sets` replaced the atom and the dimers; the clusters were still single runs.
# 3. **Clusters searched** (`study_before_pool_growth`): the clusters of the tailored set labelled by
#    the state search too; the training sets still drawn from a pool of 333 bulk structures (81 per
#    set, a test set of 49).
# 4. **The sets grown** (`study_before_weight_fix`): the pool grown to 1002 structures with the same
#    DFT settings, the training sets (327 each) and the test set (152) drawn anew from it.
# 5. **The weights corrected** (now): `linace.fit.Weights` documents a weight as $1/\sigma$ of its
#    rows (30 per eV/atom for energies, 1 per eV/Å for forces, as in ACEpotentials.jl), so that the
#    loss weighs a squared residual by $1/\sigma^2$. The code had used the weight itself as that
#    factor, so that a squared energy residual counted 30 times as much as a squared force residual
#    instead of 900 times (and the virials' 0.1 per eV/atom counted 0.1 instead of 0.01). The code
#    now does what the documentation says (tested in `tests/library/test_fit.py`), and every run was repeated.
#
# The bulk DFT data were never recomputed: only $E_0$, and with it every binding energy, moved with
# the state search.

# %% tags=["parameters", "remove-cell"]
results_dir = "../results"  # the sweep's run records on the current data
resampled_dir = "../results/resampled"  # the resampled runs on the current data
regularisation = "blr"  # regularisation of the runs compared

# %% tags=["remove-cell"]
from IPython.display import Markdown, display

from linace.study import datasets, history, report
from linace.study.claims import compare_summaries, study_summary
from linace.study.evidence import grade_by_size, one_fit_verdicts
from linace.study.records import load_records, select
from linace.study.results import dft_dimer_curve

snapshots = history.load_snapshots()
records = select(load_records(results_dir), regularisation=regularisation)
resampled = select(load_records(resampled_dir), regularisation=regularisation)
dft = dft_dimer_curve(datasets.load("dimers"), datasets.e0())[:2]
if not records:
    raise RuntimeError(f"no run records in {results_dir}: run `make sweep` first")

# %% tags=["remove-cell"]
now = study_summary(records, dft, regularisation=regularisation)
now_verdicts = history.summary_verdicts(now)
graded = grade_by_size(resampled, dft, regularisation)

# %% [markdown]
# ## The verdicts of one fit, state by state
#
# Each claim's verdict on one potential per body order and training set (chapter {doc}`05_results`),
# in every saved state; bold where the verdict differs now from the first reference.

# %% tags=["remove-input"]
if snapshots:
    now_title = f"now ({len(datasets.load('diverse'))} per training set)"
    display(Markdown(history.verdict_history_markdown(snapshots, (now_title, now_verdicts))))
    display(Markdown(history.changes_markdown(snapshots, now_verdicts)))
else:
    display(Markdown(f"No earlier state is saved in `{history.history_dir()}`."))

# %% [markdown]
# ## Every convergence number, first reference and now
#
# The distance between the dimer curves of successive $K$, the distance to DFT (both mean absolute
# differences over 1.0–4.5 Å), and the position and depth of the minimum of every run of the default
# sweep, on the first reference → now.

# %% tags=["remove-input"]
if history.FIRST_REFERENCE in snapshots:
    display(Markdown(report.summary_comparison_markdown(
        compare_summaries(snapshots[history.FIRST_REFERENCE]["summary"], now))))

# %% [markdown]
# The last successive-K distance of the standard basis on the tailored set (`clusters+dimers`), the
# number claim v2a turns on, state by state (eV), with the second-version verdicts of that state:

# %% tags=["remove-input"]
display(Markdown(history.tailored_convergence_markdown(snapshots, now)))

# %% [markdown]
# ## The verdicts over draws, before and after the last two changes
#
# Each claim graded over the resampled draws (chapter {doc}`05b_evidence`) before and after the
# training sets grew, and before and after the weights were corrected, at every N both states have
# (a verdict over draws that changed at a size tested both times is bold, and listed under its table).
# The draws of an earlier state are read in today's labels: a claim that held at least partly in
# every draw is "partly (in every draw)", as it would be graded now.

# %% tags=["remove-input"]
now_sizes = (len(datasets.load("diverse")), len(datasets.load("test")))
for block in history.draws_history_markdown(snapshots, graded, one_fit_verdicts(records, dft, by_id=True), now_sizes):
    display(Markdown(block))
