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
# structures of N = 40 are among the 80 of N = 80). Where N is more than 90 % of the set (320 of
# 327), ten draws would be near-copies of one fit, and one draw is made. Every potential is
# validated on the same test set.
#
# **Criterion, fixed before the runs:** every claim is graded on each draw with the criterion of the
# results chapter; over draws a claim is *reproduced* if it holds in at least 80 % of the draws,
# *not reproduced* if it holds in at most 20 %, and otherwise *depends on the draw*
# (`linace.study.claims.grade_over_draws`). A claim that holds fully in at most 20 % of the draws but
# at least partly in every one of them is graded *partly (in every draw)*: no draw refutes it, and
# none confirms it in full. Intervals are the 10–90 % range over draws, around the median.

# %% tags=["parameters", "hide-input"]
results_dir = "../results/resampled"  # the resampled runs (python -m linace.study.resample)
full_results_dir = "../results"  # the sweep's runs on the whole sets (for the single-draw verdicts)
regularisation = "blr"  # regularisation of the runs shown
focus_body_order = 4  # K of the learning curves that compare training sets

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from linace.study import datasets, report
from linace.study.claims import assess_claims, assess_v2_claims, claim_id, grade_over_draws, select
from linace.study.plotting import (BODY_ORDER_COLOURS, LEARNING_LABELS, TRAINING_SET_COLOURS, figure_legend,
                                   learning_axes, panel_grid, plot_learning_curve, use_book_style)
from linace.study.resample import convergence_over_draws, draw_overlap, learning_curves
from linace.study.results import dft_dimer_curve, load_results

use_book_style()
records = select(load_results(results_dir), regularisation=regularisation)
if not records:
    raise RuntimeError(f"no resampled run records in {results_dir}: run `make sweep` "
                       "(or `python -m linace.study.resample`) first")
dft = dft_dimer_curve(datasets.load("dimers"), datasets.e0())[:2]
curves = learning_curves(records)
sizes = sorted({r["parameters"]["train_size"] for r in records})
orders = sorted({r["parameters"]["body_order"] for r in records})
SET_ORDER = ("narrow", "crystals", "diverse", "clusters", "clusters+dimers")  # by diversity, then tailored
combos = sorted({(r["parameters"]["variant"], r["parameters"]["training_set"]) for r in records},
                key=lambda c: (c[0] != "standard", SET_ORDER.index(c[1]) if c[1] in SET_ORDER else len(SET_ORDER), c[1]))
bulk = [c for c in combos if c[1] in ("narrow", "crystals", "diverse")]
n_draws = max(row["draws"] for row in curves)
glue("focus_K", focus_body_order, display=False)
display(Markdown(f"{len(records)} resampled runs: K = {', '.join(map(str, orders))}; N = {', '.join(map(str, sizes))}; "
                 f"up to {n_draws} draws; " + "; ".join(f"{v} basis on `{s}`" for v, s in combos) + "."))

# %% [markdown]
# ## How often each verdict holds
#
# One row per claim, one column per training-set size N: the verdict over the draws of that N and in
# how many draws the claim holds (fully + partly, of all draws). The second column is the verdict of
# the single potential per (K, set) trained on the whole set (previous chapter). A dash: that size
# cannot test the claim (a training set smaller than N).

# %% tags=["hide-input"]
full = select(load_results(full_results_dir), regularisation=regularisation)
single = {v.claim: v.verdict for v in assess_claims(select(full, variant="standard"), dft) + assess_v2_claims(full, dft)}
graded = {size: grade_over_draws(records, dft, size, regularisation) for size in sizes}
display(Markdown(report.verdicts_over_draws_markdown(graded, single)))

moving = []  # claims whose verdict over draws is not the same at every N with several draws
for claim in single:
    tested = [v for size in sizes for v in graded[size] if v.claim == claim and v.draws > 1]
    if len({v.verdict for v in tested}) > 1:
        moving.append(f"{claim_id(claim)}: " + " → ".join(f"{v.verdict} at N = {v.train_size}" for v in tested))
display(Markdown(f"**{len(moving)} of {len(single)} verdicts over draws change with N**"
                 + (" (sizes with several draws): " + "; ".join(moving) + "." if moving else ".")))

# %% [markdown]
# Which condition of each criterion fails, and in how many draws, at the largest N with several
# draws (a claim that holds in every draw fails on nothing):

# %% tags=["hide-input"]
display(Markdown(report.failing_over_draws_markdown(graded, list(single))))

# %% [markdown]
# A verdict that changes with N is a statement about the amount of data as much as about the basis.
# Claims 1b and 3 both say that the dimer curve of a bulk-trained potential stays far from DFT
# (more than 0.5 eV on average over 1.0–4.5 Å); if they hold at small N and not at large N, the curve
# of the diverse potentials has moved to within that distance as data were added, and the
# learning curves below show how fast.
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
fig, axes = panel_grid(len(LEARNING_LABELS), 2.9, columns=3)
for ax, quantity in zip(axes, LEARNING_LABELS):
    for variant, training_set in bulk:
        rows = [r for r in curves if (r["variant"], r["training_set"], r["body_order"]) ==
                (variant, training_set, focus_body_order)]
        plot_learning_curve(ax, rows, quantity, label=f"{training_set}, {variant}",
                            ls="-" if variant == "standard" else "--", color=TRAINING_SET_COLOURS.get(training_set))
    learning_axes(ax, sizes, quantity)
figure_legend(fig, axes[0], ncol=4)
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
fig, axes = panel_grid(len(combos), 2.4, columns=3, sharex=True, sharey=True)
for ax, (variant, training_set) in zip(axes, combos):
    for k, K in enumerate(orders):
        rows = [r for r in curves if (r["variant"], r["training_set"], r["body_order"]) == (variant, training_set, K)]
        plot_learning_curve(ax, rows, "distance_to_dft_eV", label=f"K = {K}", color=BODY_ORDER_COLOURS[K],
                            band=False, dodge=1 + 0.05 * (k - (len(orders) - 1) / 2))
    learning_axes(ax, sizes, "distance_to_dft_eV", title=f"{training_set}, {variant}")
    ax.set_ylabel("to DFT (eV)" if ax.get_subplotspec().is_first_col() else "")
    ax.label_outer()
figure_legend(fig, axes[0], ncol=4)
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
def interval(q, digits=2):
    return f"{q['median']:.{digits}f} [{q['p10']:.{digits}f}, {q['p90']:.{digits}f}]" if q["n"] else "–"


rows = convergence_over_draws(records, dft)
lines = ["| basis, training set | N | " + " | ".join(f"\\|K{K}−K{K - 1}\\| (eV)" for K in orders[1:])
         + f" | K{orders[-1]} to DFT (eV) |", "|---|---|" + "---|" * len(orders)]
for variant, training_set in combos:
    for size in sizes:
        row = {r["body_order"]: r for r in rows if (r["variant"], r["training_set"], r["train_size"]) ==
               (variant, training_set, size)}
        if row:
            lines.append(f"| {variant}, {training_set} | {size} | "
                         + " | ".join(interval(row[K]["distance_to_previous_K_eV"]) for K in orders[1:])
                         + f" | {interval(row[orders[-1]]['distance_to_dft_eV'])} |")
display(Markdown("\n".join(lines)))

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
import numpy as np

for quantity in ("test_energy_rmse_meV_per_atom", "distance_to_dft_eV"):
    rows = [r for r in curves if (r["variant"], r["training_set"], r["body_order"]) ==
            ("standard", "diverse", focus_body_order) and r[quantity]["n"]]
    if len(rows) >= 2:
        n = np.log([r["train_size"] for r in rows])
        slope = np.polyfit(n, np.log([r[quantity]["median"] for r in rows]), 1)[0]
        print(f"{quantity}: alpha = {-slope:.2f} over N = {[r['train_size'] for r in rows]}")
    else:
        print(f"{quantity}: fewer than two sizes, no exponent")

# %% [markdown]
# The test error of bulk structures falls as the training set grows: more of the same kind of data
# teaches the model the bulk. If the dimer's distance to DFT falls much more slowly (a smaller
# $\alpha$, or none), bulk data do not teach the two-body curve, whatever their amount: the
# two-body part of a linear ACE fitted to bulk data is fixed by what it must do in bulk, not by
# the isolated pair.
# ```{solution-end}
# ```
