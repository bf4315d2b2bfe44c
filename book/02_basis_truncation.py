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
# # Basis truncation
#
# :::{admonition} Learning objectives
# :class: tip
# After this chapter you can
# * choose a truncation (body order $K$, total degree $D_\nu$, $l_\max$) and predict the basis size it gives;
# * measure how well a linear fitting problem is conditioned (singular values of the weighted design matrix);
# * judge whether a larger basis can be determined by a given training set.
#
# **Assumes:** {doc}`01_theory`; linear least squares and the singular value decomposition.
# **Time:** about 30 minutes, with the exercises.
# :::
#
# A linear ACE basis is infinite; a potential uses a finite piece of it. Three choices fix the
# piece: the largest body order $K$ (correlation orders $\nu = 1..K-1$), and within each order a
# total degree $D_\nu$ bounding $\sum_t (n_t + w_L l_t)$ and a largest angular degree
# $l_\max(\nu)$. This chapter shows what these choices give, how well the resulting linear
# problems are conditioned on our training data, and why the sweep uses the defaults it does.

# %% tags=["parameters"]
training_set = "diverse"  # the set whose design matrix is analysed
body_orders = [2, 3, 4, 5]

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from linace.basis import DEFAULT_TRUNCATION, ACEBasis
from linace.study import datasets, prose, truncation
from linace.study.plotting import use_book_style
from linace.study.runs import DEFAULT_WEIGHTS, default_cache

use_book_style()
study = prose.reads_study_data()  # the text's sentences are checked on the study's data only

# %% [markdown]
# ## Sizes per body order
#
# The defaults of `ACEBasis` (the ones every run of the sweep uses), with $w_L = 1$:

# %%
display(Markdown(truncation.truncation_markdown(DEFAULT_TRUNCATION)))
print("basis sizes for K = 2..5:", {K: len(ACEBasis(K)) for K in body_orders})

# %% [markdown]
# The number of functions grows steeply with the degree at high correlation order: below, the
# size of each order as a function of its total degree, at the default $l_\max$.

# %%
fig, ax = plt.subplots(figsize=(6.5, 4), constrained_layout=True)
for nu in range(2, 5):
    default_degree, l_max = DEFAULT_TRUNCATION[nu]
    degrees = np.arange(nu + 2, default_degree + 3)
    sizes = truncation.order_sizes(nu, degrees, l_max)  # functions of body order nu + 1 at each D_nu
    ax.semilogy(degrees, sizes, "o-", label=f"body order {nu + 1} (l_max = {l_max})")
    ax.plot(default_degree, sizes[list(degrees).index(default_degree)], "k*", ms=12)
ax.set(xlabel="total degree D_ν", ylabel="number of functions of that order", title="size vs degree (★ = default)")
ax.legend()
plt.show()

# %% [markdown]
# **Figure 1.** Functions of one body order against its total degree $D_\nu$ (log scale; ★ the default). The size grows the faster the higher the body order.

# %% [markdown]
# ## Conditioning of the design matrix
#
# Each training structure contributes one energy row, 3N force rows and, for periodic cells,
# six virial rows (see `linace.fit`). We weight them as in the fits (`linace.study.runs.DEFAULT_WEIGHTS`:
# 30 per eV/atom for energies and 1 per eV/Å for forces as in ACEpotentials.jl, 0.1 per eV/atom for
# virials because the reference stresses are not converged at the data's cut-off), scale every
# column to unit norm and look at the singular values: their spread (the condition number) says
# how many directions of coefficient space the data actually determines.

# %%
train, e0 = datasets.load(training_set), datasets.e0()
spectra = {K: truncation.design_spectrum(ACEBasis(K), train, e0, DEFAULT_WEIGHTS, default_cache()) for K in body_orders}
display(Markdown(truncation.conditioning_markdown(spectra)))

# %% tags=["remove-cell"]
# "the singular values above fall by many orders of magnitude"; "rows ≫ functions on `diverse`"
if study:
    assert all(s.condition_number > 1e3 and s.n_rows > 5 * s.n_functions for s in spectra.values()), spectra

# %%
fig, ax = plt.subplots(figsize=(6.5, 4), constrained_layout=True)
for K, spectrum in spectra.items():
    values = spectrum.relative  # σ_k / σ_max
    ax.semilogy(np.arange(1, len(values) + 1), values, label=f"K = {K}")
ax.set(xlabel="index of singular value", ylabel="σ_k / σ_max (column-scaled, weighted)",
       title=f"singular values of the design matrix ({training_set})")
ax.legend()
plt.show()

# %% [markdown]
# **Figure 2.** Singular values of the weighted, column-scaled design matrix, largest first. The steeper the fall, the more directions of coefficient space the data determine only weakly.

# %% [markdown]
# ## How the sweep's truncation was chosen
#
# * **Body orders 2..5**, as in the second version of the paper.
# * **The same defaults for every run**, so that a potential truncated at $K$ contains exactly
#   the functions of the one truncated at $K-1$ plus the new order: the curves of successive $K$
#   differ only by the added body order and the refit of the others.
# * **Sizes** of a few hundred functions at $K = 4$ and below 2000 at $K = 5$ keep the design
#   matrices of the bulk and cluster training sets taller than wide (the table: rows ≫ functions
#   on `diverse`), and every run of the default sweep within the time budget of the book build.
#   The dimers alone are the exception: 77 dimers give 539 rows (energies and forces), against
#   439 functions at $K = 4$ and 1243 at $K = 5$, so those fits are barely determined, resp.
#   underdetermined, and rest on the regularisation.
# * **Regularisation** is chosen per run by evidence maximisation (Bayesian linear regression):
#   the singular values above fall by many orders of magnitude, so an unregularised solve would
#   fit noise in the poorly determined directions.

# %% tags=["remove-cell"]
# "a few hundred functions at K = 4 and below 2000 at K = 5"; "77 dimers give 539 rows (energies and forces), against
# 439 functions at K = 4 and 1243 at K = 5"
if study:
    dimers = datasets.load("dimers")
    dimer_rows = truncation.design_spectrum(ACEBasis(2), dimers, e0, DEFAULT_WEIGHTS, default_cache()).n_rows
    assert (len(dimers), dimer_rows, len(ACEBasis(4)), len(ACEBasis(5))) == (77, 539, 439, 1243), dimer_rows

# %% [markdown]
# ## Exercises
#
# Solutions are folded; the computational ones run when the book is built.
#
# ```{exercise-start}
# :label: ex-02-degree
# ```
# **A smaller three-body part.** Lower the total degree $D_2$ of the three-body functions by two
# (keep $l_\max = 4$) and count the functions of a $K = 3$ basis. What fraction of the three-body
# part is left?
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-02-degree
# :class: dropdown
# ```

# %%
degree, l_max = DEFAULT_TRUNCATION[2]
default_3 = int(np.sum(ACEBasis(3).body_orders == 3))
smaller_3 = int(np.sum(ACEBasis(3, truncation={1: DEFAULT_TRUNCATION[1], 2: (degree - 2, l_max)}).body_orders == 3))
print(f"three-body functions: D_2 = {degree}: {default_3}; D_2 = {degree - 2}: {smaller_3} "
      f"({100 * smaller_3 / default_3:.0f} %)")

# %% [markdown]
# ```{solution-end}
# ```
#
# ```{exercise-start}
# :label: ex-02-rows
# ```
# **Which rows carry the information?** An 8-atom periodic cell gives one energy row, 24 force rows
# and 6 virial rows. Why do force rows dominate the design matrix, and why does the energy row still
# get a weight of 30 per eV/atom?
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-02-rows
# :class: dropdown
# ```
# Every atom gives three force rows, so forces outnumber energies by $3N$ to 1 and, unweighted, set
# the fit. Forces are derivatives: they fix the *shape* of the energy landscape, not the energy
# differences between distant structures (different phases, densities), which only the energy rows
# see. Weighting the energy row by 30 per eV/atom against 1 per eV/Å for forces (the
# ACEpotentials.jl default) makes a 1 meV/atom energy error cost as much as a 30 meV/Å force error,
# so that the few energy rows still count.
# ```{solution-end}
# ```
#
# ```{exercise-start}
# :label: ex-02-narrow
# ```
# **Less diverse data, fewer determined directions.** Compute the rank and the condition number of
# the weighted, column-scaled design matrix at $K = 3$ for the `narrow` set (diamond only) and
# compare them with the `diverse` set of the table above.
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-02-narrow
# :class: dropdown
# ```

# %%
narrow_vs_diverse = {}
for set_name in ("narrow", "diverse"):
    if set_name in datasets.names():
        spectrum = truncation.design_spectrum(ACEBasis(3), datasets.load(set_name), e0, DEFAULT_WEIGHTS,
                                              default_cache())
        s = narrow_vs_diverse[set_name] = spectrum.relative  # σ_k / σ_max
        print(f"{set_name:8s} K = 3: rank {int(np.sum(s > 1e-10))} of {len(s)}, condition number {1 / s[-1]:.2e}")

# %% tags=["remove-cell"]
# "its condition number is larger (at K = 3 both matrices still have full rank)"
if study:
    narrow, diverse = narrow_vs_diverse["narrow"], narrow_vs_diverse["diverse"]
    assert narrow[-1] < diverse[-1] and min(narrow[-1], diverse[-1]) > 1e-10, (narrow[-1], diverse[-1])

# %% [markdown]
# Diamond alone probes a narrow range of distances and angles: its condition number is larger
# (at $K = 3$ both matrices still have full rank), so more directions of coefficient space are
# determined only weakly by the data and are left to the prior.
# ```{solution-end}
# ```
