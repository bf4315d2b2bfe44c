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
# # Body-order convergence of linear ACE: carbon and silicon

# %% tags=["parameters", "remove-cell"]
carbon_results_dir = "../results"  # the sweep's run records on carbon
carbon_resampled_dir = "../results/resampled"  # carbon's resampled runs (draws of N structures)
silicon_results_dir = "../results/Si"  # the same sweep on silicon's data
silicon_resampled_dir = "../results/Si/resampled"  # silicon's resampled runs
regularisation = "blr"  # regularisation of the runs read

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from linace.study import overview, prose, report
from linace.study.claims import REPRODUCED_FRACTION
from linace.study.plotting import use_book_style

use_book_style()
glue("reproduced_percent", round(100 * REPRODUCED_FRACTION), display=False)
studies = {"C": overview.element_study("C", carbon_results_dir, carbon_resampled_dir, regularisation),
           "Si": overview.element_study("Si", silicon_results_dir, silicon_resampled_dir, regularisation)}
if studies["C"] is None:
    raise RuntimeError(f"no run records in {carbon_results_dir}: run `make sweep` first")
studies = {element: study for element, study in studies.items() if study is not None}
carbon = studies["C"]

# %% tags=["remove-input"]
display(Markdown("**The bottom line.** " + " ".join(overview.bottom_line(studies))))

# %% [markdown]
# A linear Atomic Cluster Expansion (ACE) potential writes the energy of every atom as a sum of
# many-body terms, truncated at some *body order* $K$. If it were a converging cluster expansion,
# its two-body part, the energy $E(r)$ of two isolated atoms at distance $r$ (the *dimer curve*),
# would settle on the DFT curve as $K$ grows. Tan, Pellegrini and de Gironcoli
# {cite:p}`tan2025convergence` found that for carbon it does not, and, in their second version, that
# silicon trained on dimers to pentamers with a basis free of self-interactions shows signs of
# convergence. This book repeats both tests on DFT data it computes itself.
#
# ## The claims, tested
#
# Each claim of the paper is graded by a criterion fixed before the runs, first on one potential per
# body order and training set (*one fit*), then on ten random draws of N training structures
# (*over draws*: reproduced if it holds in at least {glue:text}`reproduced_percent` % of the draws; the
# largest N with ten draws is shown, every N in {doc}`05b_evidence`). The last two columns say which
# number decides the verdict and, where the claim is not fully reproduced, which condition of its
# criterion fails.

# %% tags=["remove-input"]
display(Markdown(report.claims_overview_markdown(overview.claims_overview_rows(studies))))

# %% [markdown]
# ## On the paper's own data, and under the choices it did not state
#
# The same code and criteria on the data the authors published ({doc}`09_paper_data`), and the
# claims under each alternative to the study's silent choices: the spin of the DFT reference, the
# energy zero, the basis size at each K, the weights ({doc}`10_robustness`).

# %% tags=["remove-input"]
from linace.study import data_worlds, datasets, robustness

worlds = data_worlds.grade_beside_theirs({element: (study.records, study.dft) for element, study in studies.items()},
                                         regularisation)
lines = [f"* **The paper's data.** {data_worlds.two_worlds_headline(worlds, elements=list(studies))}"]
alternative_records = robustness.alternative_records(robustness.COMMITTED_ROOT, regularisation)
if any(alternative_records.values()):
    rows = robustness.grade_alternatives(carbon.records, carbon.dft, alternative_records,
                                         robustness.restricted_curve_or_none("C"), datasets.comparison_range())
    lines.append(f"* **The silent choices** (carbon). {robustness.robust_headline(rows)}")
display(Markdown("\n".join(lines)))

# %% [markdown]
# ## The study in one figure

# %% tags=["remove-input"]
report.convergence_summary_figure({element: (study.records, study.dft) for element, study in studies.items()})
plt.show()

# %% tags=["remove-cell"]
# Figure 1's caption, on the study's runs: only the runs with dimers in their training data fall below the line
if prose.reads_study_data(carbon_results_dir):
    for study in studies.values():
        converging = overview.converging_runs(study)
        assert converging and all(below == ("dimers" in key[1]) for key, below in converging.items()), converging

# %% [markdown]
# **Figure 1.** How much the dimer curve still changes from body order $K-1$ to $K$ (mean over the
# comparison range), for potentials trained on bulk structures (`diverse`), on clusters of three to
# five atoms alone (`clusters`) and on the clusters plus dimers (`clusters+dimers`), with the standard
# basis (solid) and the self-interaction-free *pure* basis (dashed). A converging expansion falls
# below the dotted line; only the runs with dimers in their training data do, with either basis.
#
# ## How good the potentials are

# %% tags=["remove-input"]
best_bulk = overview.best_bulk_potentials(studies)
display(Markdown(report.potential_quality_markdown(best_bulk)))

# %% [markdown]
# Errors on held-out bulk structures (the common test set of each element) of the best potential
# trained on bulk data, and the mean distance of its dimer curve to DFT over the comparison range
# ({doc}`05_results`).

# %% tags=["remove-input"]
display(Markdown(report.best_potentials_dimer_sentence(best_bulk)))

# %% [markdown]
# ## How to read this book
#
# The chapters build on each other; each opens with its learning objectives, what it assumes and
# how long it takes, and most end with exercises (solutions folded).
#
# | chapter | what it does | assumes | time |
# |---|---|---|---|
# | {doc}`01_theory` | the ACE basis: radial functions, harmonics, the products $B$; why every body order touches the dimer | linear algebra, angular momentum | 60 min |
# | {doc}`02_basis_truncation` | what the truncation gives, how well the fits are conditioned | the theory; least squares | 30 min |
# | {doc}`03_training_sets` | the DFT reference: settings, the states of C$_2$, the training sets | Kohn–Sham DFT | 45 min |
# | {doc}`04_train` | one potential: fit, errors, dimer curve and its parts by body order | the three before | 30 min |
# | {doc}`05_results` | every run of the sweep; the claims of the paper, tested | one potential | 45 min |
# | {doc}`05b_evidence` | the same on random draws: learning curves, how often each verdict holds | the results; percentiles | 30 min |
# | {doc}`06_beyond` | the self-interaction-free basis, tailored data, uncertainty of the dimer curve | the results; Bayesian regression | 45 min |
# | {doc}`07_silicon` | the second-version test on silicon, where the paper made it | beyond the paper | 30 min |
# | {doc}`09_paper_data` | the claims on the authors' published data; our errors and curves beside theirs; the spin of the reference | the results, silicon | 30 min |
# | {doc}`10_robustness` | the claims under each alternative to the silent choices (spin, energy zero, basis size, weights) | the results | 20 min |
# | {doc}`08_own_data` | the same pipeline on a folder of one's own data | one potential | 20 min |
#
# {doc}`history` sets out how the verdicts moved with each change of the data and the code;
# {doc}`runs` links every trained potential; {doc}`rerun` gives the one-liners to run any chapter
# with other parameters; the works cited are in {doc}`bibliography`.
#
# ## How to run it
#
# From a clone of the repository, with Python 3.11 and `make`:
#
# ```bash
# make book   # creates .venv, installs, runs the sweep, builds this book into _build/html
# make test   # creates .venv if needed, runs the test suite
# ```
#
# Each chapter is a Jupyter notebook stored as a plain Python file (`book/*.py`, jupytext "percent"
# format); the code cells call a small, tested library (`linace`) and the text narrates. Reference
# energies come from the project's own GPAW calculations; every number in this book is produced
# from the runs when it is built.
