# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Evidence over draws: learning curves and how often each verdict holds
#
# The verdicts of the previous chapter come from one potential per (K, training set, basis), trained
# on one fixed set of structures. Would they survive another choice of structures, or more of them?
# Here every potential is trained again on random subsets of N structures of its training set
# (N = 40, 80, 160, 320 where the set is large enough), in ten independent draws per N
# (`python -m linace.study.resample`, run by `make sweep`; the subsets of one draw are nested, the 40
# structures of N = 40 are among the 80 of N = 80). Every potential is validated on the same test set.
#
# **Criterion, fixed before the runs:** every claim is graded on each draw with the criterion of the
# results chapter; over draws a claim is *reproduced* if it holds in at least 80 % of the draws,
# *not reproduced* if it holds in at most 20 %, and otherwise *depends on the draw*
# (`linace.study.claims.grade_over_draws`). Intervals are the 10–90 % range over draws, around the median.

# %% tags=["parameters"]
results_dir = "../results/resampled"  # the resampled runs (python -m linace.study.resample)
full_results_dir = "../results"  # the sweep's runs on the whole sets (for the single-draw verdicts)
regularisation = "blr"  # regularisation of the runs shown
focus_body_order = 4  # K of the learning curves that compare training sets

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from linace.study import datasets
from linace.study.claims import assess_claims, assess_v2_claims, grade_over_draws, select
from linace.study.plotting import BODY_ORDER_COLOURS, LEARNING_LABELS, plot_learning_curve
from linace.study.resample import convergence_over_draws, learning_curves
from linace.study.results import dft_dimer_curve, load_results

records = select(load_results(results_dir), regularisation=regularisation)
if not records:
    raise RuntimeError(f"no resampled run records in {results_dir}: run `make sweep` "
                       "(or `python -m linace.study.resample`) first")
dft = dft_dimer_curve(datasets.load("dimers"), datasets.e0())[:2]
curves = learning_curves(records)
sizes = sorted({r["parameters"]["train_size"] for r in records})
orders = sorted({r["parameters"]["body_order"] for r in records})
combos = sorted({(r["parameters"]["variant"], r["parameters"]["training_set"]) for r in records})
n_draws = max(row["draws"] for row in curves)
print(f"{len(records)} resampled runs: K = {orders}, N = {sizes}, up to {n_draws} draws; "
      f"(variant, training set) = {combos}")

# %% [markdown]
# ## How often each verdict holds
#
# One row per claim and training-set size N: in how many draws the claim holds, and the verdict
# over draws. The last column is the verdict of the single potential per (K, set) trained on the
# whole set (previous chapter). Claims a size cannot test (a training set smaller than N) are left out.

# %% tags=["hide-input"]
full = select(load_results(full_results_dir), regularisation=regularisation)
single = {v.claim: v.verdict for v in assess_claims(select(full, variant="standard"), dft) + assess_v2_claims(full, dft)}
lines = ["| claim | N | holds in | partly in | verdict over draws | whole set, one fit |", "|---|---|---|---|---|---|"]
graded = {size: grade_over_draws(records, dft, size, regularisation) for size in sizes}
for claim in single:
    for size in sizes:
        for v in graded[size]:
            if v.claim == claim and v.draws:
                lines.append(f"| {claim} | {size} | {v.holds} of {v.draws} | {v.partly} of {v.draws} | "
                             f"**{v.verdict}** | {single[claim]} |")
display(Markdown("\n".join(lines)))

# %% [markdown]
# ## Learning curves
#
# Test errors and the distance of the dimer curve to DFT against the number of training structures,
# at K = 4 (the largest K of the paper's first version), one line per training set: the median over
# draws, the band the 10–90 % range. If the dimer curve were learned from bulk data, its distance to
# DFT would fall with N like the test errors do.

# %% tags=["hide-input"]
quantities = list(LEARNING_LABELS)
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), constrained_layout=True)
for ax, quantity in zip(axes, quantities):
    for variant, training_set in combos:
        rows = [r for r in curves if (r["variant"], r["training_set"], r["body_order"]) ==
                (variant, training_set, focus_body_order)]
        if rows:
            plot_learning_curve(ax, rows, quantity, label=f"{training_set}, {variant}",
                                ls="-" if variant == "standard" else "--")
    ax.set(xlabel="training structures N", ylabel=LEARNING_LABELS[quantity])
axes[0].legend(fontsize=8)
fig.suptitle(f"Figure 1. Learning curves at K = {focus_body_order}: median over draws, 10–90 % band", fontsize=10)
plt.show()

# %% [markdown]
# The same distance to DFT for every K, one panel per training set (at most three per row):

# %% tags=["hide-input"]
n_panels = len(combos)
n_rows = (n_panels + 2) // 3
fig, axes = plt.subplots(n_rows, 3, figsize=(13, 3.6 * n_rows), constrained_layout=True, squeeze=False)
for ax, (variant, training_set) in zip(axes.flat, combos):
    for K in orders:
        rows = [r for r in curves if (r["variant"], r["training_set"], r["body_order"]) == (variant, training_set, K)]
        plot_learning_curve(ax, rows, "distance_to_dft_eV", label=f"K = {K}", color=BODY_ORDER_COLOURS[K])
    ax.set(xlabel="training structures N", ylabel=LEARNING_LABELS["distance_to_dft_eV"], title=f"{training_set}, {variant}")
    ax.legend(fontsize=8)
for ax in list(axes.flat)[n_panels:]:
    ax.set_visible(False)
fig.suptitle("Figure 2. Distance of the dimer curve to DFT against N, per K: median over draws, 10–90 % band",
             fontsize=10)
plt.show()

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
