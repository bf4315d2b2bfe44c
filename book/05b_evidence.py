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
# # Evidence over draws: learning curves and how often each verdict holds
#
# :::{admonition} Learning objectives
# :class: tip
# After this chapter you can
# * read a learning curve and the spread of a quantity over random draws of the training data;
# * tell a verdict that holds in most draws from one that depends on the draw;
# * judge when draws are too similar to say much about a fresh data set.
#
# **Assumes:** {doc}`05_results`; medians and percentiles. **Time:** about 30 minutes, with the exercise.
# :::
#
# The verdicts of the previous chapter come from one potential per (K, training set, basis), trained
# on one fixed set of structures. Would they survive another choice of structures, or more of them?
# Here every potential is trained again on random subsets of N structures of its training set
# (N = 40, 80, 160, 320 where the set is large enough), in ten independent draws per N
# (`python -m linace.study.resample`, run by `make sweep`; the subsets of one draw are nested, the 40
# structures of N = 40 are among the 80 of N = 80). Where N is more than
# {glue:text}`max_shared_percent` % of the set (320 of 327), ten draws would be near-copies of one fit,
# and one draw is made. Every potential is validated on the same test set.
#
# **Criterion, fixed before the runs:** every claim is graded on each draw with the criterion of the
# results chapter; over draws a claim is *reproduced* if it holds in at least
# {glue:text}`reproduced_percent` % of the draws, *not reproduced* if it holds in at most
# {glue:text}`not_reproduced_percent` %, and otherwise *depends on the draw*
# (`linace.study.claims.grade_over_draws`). A claim that holds fully in at most
# {glue:text}`not_reproduced_percent` % of the draws but at least partly in every one of them is graded
# *partly (in every draw)*: no draw refutes it, and none confirms it in full. Intervals are the
# 10–90 % range over draws, around the median.

# %% tags=["parameters", "hide-input"]
results_dir = "../results/resampled"  # the resampled runs (python -m linace.study.resample)
full_results_dir = "../results"  # the sweep's runs on the whole sets (for the single-draw verdicts)
regularisation = "blr"  # regularisation of the runs shown
focus_body_order = 4  # K of the learning curves that compare training sets

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from linace.study import datasets, evidence, prose, report
from linace.study.claims import FAR_FROM_DFT_EV, REPRODUCED_FRACTION
from linace.study.records import body_orders, load_records, select
from linace.study.resample import MAX_SHARED_FRACTION, convergence_over_draws, draw_overlap, learning_curves
from linace.study.plotting import use_book_style
from linace.study.results import dft_dimer_curve

use_book_style()
records = select(load_records(results_dir), regularisation=regularisation)
if not records:
    raise RuntimeError(f"no resampled run records in {results_dir}: run `make sweep` "
                       "(or `python -m linace.study.resample`) first")

# %% tags=["remove-cell"]
glue("focus_K", focus_body_order, display=False)
glue("reproduced_percent", round(100 * REPRODUCED_FRACTION), display=False)
glue("not_reproduced_percent", round(100 * (1 - REPRODUCED_FRACTION)), display=False)
glue("far_from_dft_eV", FAR_FROM_DFT_EV, display=False)
glue("max_shared_percent", round(100 * MAX_SHARED_FRACTION), display=False)

# %% tags=["hide-input"]
dft = dft_dimer_curve(datasets.load("dimers"), datasets.e0())[:2]
curves = learning_curves(records)
sizes, orders = evidence.train_sizes(records), body_orders(records)
combos = evidence.resampled_combinations(records, ("narrow", "crystals", "diverse", "clusters", "clusters+dimers"))
bulk = [c for c in combos if c[1] in ("narrow", "crystals", "diverse")]
n_draws = max(row["draws"] for row in curves)
display(Markdown(f"{len(records)} resampled runs: K = {', '.join(map(str, orders))}; N = {', '.join(map(str, sizes))}; "
                 f"up to {n_draws} draws; " + "; ".join(f"{v} basis on `{s}`" for v, s in combos) + "."))

# %% tags=["remove-cell"]
if prose.reads_study_data(full_results_dir):  # the opening paragraph's numbers, on the study's runs
    one_draw = {row["train_size"] for row in draw_overlap(records) if row["draws"] == 1}
    assert (sizes, n_draws, one_draw) == ([40, 80, 160, 320], 10, {320}), (sizes, n_draws, one_draw)
    assert len(datasets.load("diverse")) == 327 and 320 / 327 > MAX_SHARED_FRACTION > 160 / 327

# %% [markdown]
# ## How often each verdict holds
#
# One row per claim, one column per training-set size N: the verdict over the draws of that N and in
# how many draws the claim holds (fully + partly, of all draws). The second column is the verdict of
# the single potential per (K, set) trained on the whole set (previous chapter). A dash: that size
# cannot test the claim (a training set smaller than N).

# %% tags=["hide-input"]
full = select(load_records(full_results_dir), regularisation=regularisation)
single = evidence.one_fit_verdicts(full, dft)
graded = evidence.grade_by_size(records, dft, regularisation)
display(Markdown(report.verdicts_over_draws_markdown(graded, single)))
display(Markdown(report.verdicts_changing_markdown(graded, list(single))))

# %% [markdown]
# Which condition of each criterion fails, and in how many draws, at the largest N with several
# draws (a claim that holds in every draw fails on nothing):

# %% tags=["hide-input"]
display(Markdown(report.failing_over_draws_markdown(graded, list(single))))

# %% [markdown]
# A verdict that changes with N is a statement about the amount of data as much as about the basis.
# Claims 1b and 3 both say that the dimer curve of a bulk-trained potential stays far from DFT
# (more than {glue:text}`far_from_dft_eV` eV on average over 1.0–4.5 Å); if they hold at small N and
# not at large N, the curve of the diverse potentials has moved to within that distance as data were
# added, and the learning curves below show how fast.
#
# How independent are the draws? Two draws of N structures from a set of n share N/n of them on
# average: where N is close to n, the draws are nearly the same data and their agreement says little
# about a fresh data set.

# %% tags=["hide-input"]
display(Markdown(report.draw_overlap_markdown(draw_overlap(records))))

# %% [markdown]
# ## Learning curves
#
# Test errors and the distance of the dimer curve to DFT against the number of training structures,
# for the potentials trained on bulk data, one line per training set (dashed: the pure basis).

# %% tags=["hide-input"]
report.learning_curves_figure(curves, bulk, focus_body_order, sizes)
plt.show()

# %% [markdown]
# **Figure 1.** Learning curves at K = {glue}`focus_K` on the bulk training sets: median over draws
# (markers) and 10–90 % range (band). Compare the slope of the test errors (left, middle) with that
# of the dimer's distance to DFT (right): if bulk data taught the two-body physics, the distance would
# fall with N as the test errors do.
#
# The distance to DFT for every K, one panel per (basis, training set), tailored set included; the
# markers of the body orders are set slightly apart along N so that their ranges (bars) do not hide
# each other:

# %% tags=["hide-input"]
report.distance_learning_figure(curves, combos, orders, sizes)
plt.show()

# %% [markdown]
# **Figure 2.** Distance of the dimer curve to DFT (mean |E − E$_\mathrm{DFT}$| over 1.0–4.5 Å, eV)
# against N, one colour per K: median over draws (marker) and 10–90 % range (bar). Convergence towards
# the DFT two-body curve would show as markers ordered by K (higher K closer to DFT) that fall with N.

# %% [markdown]
# ## Convergence in K, with intervals over draws
#
# For every (basis, training set, N): the distance between the dimer curves of successive K (the
# convergence number of the results chapter) as median [10 %, 90 %] over draws, and the distance to DFT.

# %% tags=["hide-input"]
display(Markdown(report.convergence_over_draws_markdown(convergence_over_draws(records, dft), combos, sizes, orders)))

# %% [markdown]
# These verdicts over draws are on the current data and code; how they moved as the training sets
# grew and as the fit's weights were corrected is set out in {doc}`history`.

# %% [markdown]
# ## Exercise
#
# ```{exercise-start}
# :label: ex-05b-slopes
# ```
# **How fast does each error fall?** A learning curve that falls as a power law, error $\propto
# N^{-\alpha}$, is a straight line on log–log axes. Fit $\alpha$ to the medians over draws for the
# `diverse` set at K = {glue:text}`focus_K`, for the test energy error and for the dimer's distance
# to DFT. What does the difference between the two exponents say about what more bulk data teach?
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-05b-slopes
# :class: dropdown
# ```

# %%
for quantity in ("test_energy_rmse_meV_per_atom", "distance_to_dft_eV"):
    fitted = evidence.learning_exponent(curves, quantity, "standard", "diverse", focus_body_order)
    print(f"{quantity}: alpha = {fitted[0]:.2f} over N = {fitted[1]}" if fitted
          else f"{quantity}: fewer than two sizes, no exponent")

# %% [markdown]
# The test error of bulk structures falls as the training set grows: more of the same kind of data
# teaches the model the bulk. If the dimer's distance to DFT falls much more slowly (a smaller
# $\alpha$, or none), bulk data do not teach the two-body curve, whatever their amount: the
# two-body part of a linear ACE fitted to bulk data is fixed by what it must do in bulk, not by
# the isolated pair.
# ```{solution-end}
# ```
