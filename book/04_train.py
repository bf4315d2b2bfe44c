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
# # Training one potential

# %% [markdown] tags=["chapter-only"]
# :::{admonition} Learning objectives
# :class: tip
# After this chapter you can
# * fit a linear ACE potential by Bayesian regression and validate it on a held-out test set;
# * compute the dimer curve of a potential and split it into the contributions $2V_\nu(r)$ of its body orders;
# * run the same notebook with other parameters (papermill) as the sweep does.
#
# **Assumes:** {doc}`01_theory`, {doc}`03_training_sets`; weighted least squares. **Time:** about 30
# minutes, with the exercises.
# :::

# %% [markdown]
# This notebook trains one linear ACE potential, truncated at body order $K$, on one training
# set, validates it on the common held-out test set and extracts its dimer curve, decomposed
# into the contributions $2V_\nu(r)$ of each body order $\nu + 1$.
#
# It is the template of the sweep: `python -m linace.study.sweep` runs it once per point of the grid
# (K × training set × basis variant × regularisation) with papermill and collects the JSON record
# each run writes.

# %% [markdown] tags=["chapter-only"]
# In the book it runs with the default parameters below; the executed sweep runs are in the part
# "Sweep runs".

# %% tags=["parameters"]
body_order = 4  # K: the basis holds correlation orders 1..K-1
training_set = "diverse"  # dimers | narrow | crystals | diverse | clusters | clusters+dimers
variant = "standard"  # standard | pure
regularisation = "blr"  # blr | blr-smooth | ridge | smoothness
energy_weight = 30.0  # energy:force weight (per eV/atom : per eV/A), the study's default 30
energy_zero = "atom"  # atom (the one-body term is the isolated atom's energy) | fit (a fitted constant, as pacemaker)
basis_size = 1.0  # the basis as a factor on the default's number of functions at this K (e.g. 0.5, 2)
compare_range = []  # [lo, hi] A over which the dimer curve is compared with DFT; empty: the data directory's
data_dir = ""  # a data directory of your own (see "Run the study on your own data"); empty: the committed carbon data
result_path = ""  # where to write the JSON run record (empty: do not write)

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from linace.study import report, runs
from linace.study.plotting import (PAGE_WIDTH_IN, dimer_axes, figure_legend, parity, plot_dft_dimer, plot_dimer_curve,
                                   use_book_style)
from linace.study.records import RunRecord
from linace.study.results import write_json_atomic

use_book_style()
run = runs.train(body_order, training_set, variant, regularisation, data_dir=data_dir or None, progress=False,
                 weights=runs.weights_of(energy_weight), energy_zero=energy_zero, basis_size=basis_size,
                 compare_range=tuple(compare_range) if compare_range else None)
basis, model, record = run.model.basis, run.model, RunRecord(run.record)
print(f"K = {body_order}: {len(basis)} functions", {str(k): n for k, n in record.functions_per_body_order.items()})
print(f"fit: {model.info['solver']} / prior {model.info['prior']}, {model.info['n_rows']} rows "
      f"from {model.info['n_structures']} structures, {model.info['fit_seconds']:.1f} s")

# %% [markdown]
# ## Errors
#
# Energies per atom (meV/atom) and force components (eV/Å) on the training set and on the
# common test set, which holds structures of every family and is the same for all runs.

# %%
display(Markdown(report.run_errors_markdown(record)))

# %%
fig, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH_IN, 3.6), constrained_layout=True)
for predictions, name in ((run.train, "train"), (run.test, "test")):
    parity(axes[0], predictions.energy_ref, predictions.energy_pred, "energy", "eV/atom", label=name)
    parity(axes[1], predictions.forces_ref, predictions.forces_pred, "force component", "eV/Å", label=name)
axes[0].set_title("energies per atom")
axes[1].set_title("forces")
plt.show()

# %% [markdown]
# **Figure 1.** Parity of energies per atom (left) and force components (right), training (blue) and test (orange) structures: points on the diagonal are predicted exactly; the table above gives the RMSE of each.

# %% [markdown]
# ## The dimer curve
#
# $E(r) - 2E_0$ of an isolated C$_2$ predicted by the potential (solid), the DFT reference
# (markers) and the contribution $2V_\nu(r)$ of each body order (dashed), which sum to the
# solid curve. For Bayesian fits the shaded band is ±2 posterior standard deviations: where the
# training data does not constrain the dimer curve, the band is wide.

# %%
fig, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH_IN, 3.8), constrained_layout=True)
r_dft, e_dft, _ = run.dft_curve
for ax, ylim in zip(axes, [(-15, 25), (-8, 4)]):
    plot_dft_dimer(ax, r_dft, e_dft)
    plot_dimer_curve(ax, run.curve, label=f"ACE K = {body_order}")
    dimer_axes(ax, ylim=ylim, element=basis.element)
axes[0].set_title(f"K = {body_order}, trained on {training_set}")
axes[1].set_title("zoom")
figure_legend(fig, axes[0], ncol=4)
plt.show()

(low, high), summary = record.comparison_range, record.dimer_summary
print(f"mean |E_ACE - E_DFT| over {low:.2f}-{high:.2f} A: {record.distance_to_dft:.3f} eV; "
      f"minimum at {summary['minimum_position_A']:.3f} A, {summary['minimum_energy_eV']:.3f} eV")

# %% [markdown]
# **Figure 2.** The dimer curve of the potential (solid), its body-order contributions $2V_\nu(r)$ (dashed), the ±2σ posterior band, and DFT (black markers); right: around the minimum. The potential never saw a dimer unless it was trained on a set containing them.

# %%
if result_path:  # the JSON run record; not printed: in a sweep the path is a temporary scratch file
    write_json_atomic(result_path, run.record)

# %% [markdown] tags=["chapter-only"]
# ## Exercises
#
# ```{exercise-start}
# :label: ex-04-sum
# ```
# **The parts add up.** The dimer curve is split into the contributions $2V_\nu(r)$ of the body orders
# (the dashed lines of Figure 2). Check that they sum to the total at every distance, to round-off,
# using `run.curve.contributions` and `run.curve.energy`. Why must they, for a linear model?
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-04-sum
# :class: dropdown
# ```

# %% tags=["chapter-only"]
parts = sum(run.curve.contributions.values())
print(f"largest |sum of 2V_nu - E(r)| = {abs(parts - run.curve.energy).max():.1e} eV "
      f"(E(r) up to {abs(run.curve.energy).max():.1f} eV)")

# %% [markdown] tags=["chapter-only"]
# The energy is a sum over basis functions times their coefficients, and each function belongs to
# exactly one body order: grouping the terms by body order splits the sum without remainder. The
# difference is round-off. (The split itself depends on the basis: the pure basis of
# {doc}`06_beyond` moves energy between the $V_\nu$ without changing the total much.)
# ```{solution-end}
# ```
#
# ```{exercise-start}
# :label: ex-04-family
# ```
# **Which structures are hard?** The error table gives the test RMSE per family (`config_type`).
# Which family has the largest force error, and which the largest energy error? Is it a family that
# the training set holds?
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-04-family
# :class: dropdown
# ```

# %% tags=["chapter-only"]
test_errors = {family: e for family, e in record.errors("test", group=None).items() if family != "all"}
for key, unit in (("force_rmse_eV_per_A", "eV/A"), ("energy_rmse_meV_per_atom", "meV/atom")):
    worst = max(test_errors, key=lambda family: test_errors[family][key])
    print(f"largest {key.split('_')[0]} error: {worst} ({test_errors[worst][key]:.3g} {unit})")

# %% [markdown] tags=["chapter-only"]
# The answer depends on the training set: set it beside the family table of
# {doc}`03_training_sets`. The largest force errors tend to be on families whose atoms see the widest
# range of neighbourhoods (chains, disordered cells); a potential trained on `narrow` (diamond only)
# fails by orders of magnitude on the families it never saw (tubes, slabs, surfaces). Rerun this
# notebook with `training_set = "narrow"` to compare.
# ```{solution-end}
# ```
