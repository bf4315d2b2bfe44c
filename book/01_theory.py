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
# # Theory of the atomic cluster expansion
#
# :::{admonition} Learning objectives
# :class: tip
# After this chapter you can
# * build the linear ACE basis from its pieces — radial functions, real spherical harmonics, the atomic base $A$ and the invariant products $B$ — and evaluate each with `linace`;
# * state what body order and correlation order mean, and count the functions a truncation gives;
# * explain, and show numerically, why every body order contributes to the energy of an isolated dimer (self-interaction), which the pure basis of {doc}`06_beyond` removes.
#
# **Assumes:** linear algebra, angular momentum as in a first course in quantum mechanics
# (spherical harmonics, Clebsch–Gordan coefficients), basic Python. **Time:** about 60 minutes, with
# the exercises.
# :::
#
# ACE was introduced by Drautz {cite:p}`drautz2019`; the construction here follows the
# linear-algebra presentation of Dusson et al. {cite:p}`dusson2022`. This chapter builds the linear
# ACE basis of `linace` piece by piece and ends with the fact
# the whole study turns on: **on an isolated dimer, basis functions of every body order are
# non-zero**, so the dimer curve of a linear ACE potential is a sum of contributions from all
# body orders, not only from its two-body part.
#
# The cell below holds the parameters of the chapter (papermill can override them).

# %% tags=["parameters"]
body_order = 5  # largest body order K shown in the dimer demonstration (2..5)
rcut = 5.0  # cut-off radius, A

# %%
import matplotlib.pyplot as plt
import numpy as np
from ase import Atoms
from ase.build import bulk
from IPython.display import Markdown, display

import linace
from linace.basis import ACEBasis
from linace.harmonics import lm_index, real_sph_harm
from linace.radial import RadialBasis
from linace.study import self_interaction, truncation
from linace.study.plotting import PAGE_WIDTH_IN, use_book_style

use_book_style()
print(f"linace {linace.__version__}")

# %% [markdown]
# ## The cluster expansion and body order
#
# A cluster expansion writes the energy of $N$ atoms as a sum of terms that each depend on a
# few atoms only:
#
# $$
# E = N E_0 + \frac{1}{2!}\sum_{i \ne j} V_2(\mathbf r_i, \mathbf r_j)
#           + \frac{1}{3!}\sum_{i \ne j \ne k} V_3(\mathbf r_i, \mathbf r_j, \mathbf r_k) + \dots
# $$ (eq-cluster-expansion)
#
# The term $V_K$ is a $K$-body interaction. If the expansion converges, truncating it at body
# order $K$ gives a systematically improvable model, and its two-body term $V_2$ is *the* energy
# of a pair of atoms in vacuum: the dimer curve.
#
# ACE regroups the same expansion, Eq. {eq}`eq-cluster-expansion`, into *site energies*
# $E = \sum_i E_i$, each a function of the neighbourhood of atom $i$ (all neighbours $j$ with
# $r_{ij} < r_\mathrm{cut}$):
#
# $$
# E_i = E_0 + \sum_{B} c_B\, B(i),
# $$ (eq-site-energy)
#
# with a basis of functions $B$ that are invariant under rotations, reflections and permutations
# of the neighbours. A linear ACE potential is linear in the coefficients $c_B$, which are fitted
# to DFT energies, forces and stresses.
#
# ## The one-particle basis
#
# Each neighbour $j$ of atom $i$ contributes through
#
# $$
# \phi_{nlm}(\mathbf r_{ij}) = R_n(r_{ij})\, Y_{lm}(\hat{\mathbf r}_{ij}).
# $$ (eq-one-particle)
#
# **Radial functions.** $R_n(r) = T_{n-1}(x(r))\, f_\mathrm{env}(r)$: Chebyshev polynomials of a
# transformed distance $x(r) \in [-1, 1]$ (the Agnesi transform of ACEpotentials.jl {cite:p}`witt2023acepotentials`, centred on
# the typical C–C bond length $r_0 = 1.5$ Å) times the envelope $(1 - r/r_\mathrm{cut})^2$, which
# takes value and slope to zero at the cut-off.

# %%
radial = RadialBasis(n_max=6, rcut=rcut)
r = np.linspace(0.01, rcut, 500)
R, dR = radial(r)
x, _ = radial.transform(r)

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(PAGE_WIDTH_IN, 3.4), constrained_layout=True)
ax0.plot(r, x, color="k")
ax0.set(xlabel="distance r (Å)", ylabel="transformed distance x(r)", title="Agnesi distance transform")
ax0.axvline(radial.r0, ls=":", color="grey")
for n in range(1, 7):
    ax1.plot(r, R[:, n - 1], label=f"n = {n}")
ax1.set(xlabel="distance r (Å)", ylabel="$R_n(r)$ (dimensionless)", title="radial basis")
ax1.legend(ncol=2)
plt.show()

# %% [markdown]
# **Figure 1.** Left: the Agnesi transform maps a distance in [0, $r_\mathrm{cut}$] to $x \in [-1, 1]$, with most of its resolution around typical bond lengths. Right: the radial functions $R_n(r)$, polynomials of $x$ times an envelope; all go smoothly to zero at the cut-off.

# %% [markdown]
# **Angular functions.** $Y_{lm}$ are the real spherical harmonics, orthonormal on the unit
# sphere; `linace.harmonics` stores all $(l, m)$ with $l \le l_\max$ along one axis at index
# $l^2 + l + m$. Below: $Y_{lm}$ on the sphere, as a function of the polar angle $\theta$ and the
# azimuth $\varphi$.

# %%
theta, phi = np.meshgrid(np.linspace(0, np.pi, 90), np.linspace(0, 2 * np.pi, 180), indexing="ij")
directions = np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)], -1)
Y = real_sph_harm(directions.reshape(-1, 3), 3).reshape(90, 180, -1)

shown = [(0, 0), (1, 0), (1, 1), (2, 0), (2, -2), (3, 1)]
fig, axes = plt.subplots(2, 3, figsize=(PAGE_WIDTH_IN, 4.6), sharex=True, sharey=True, constrained_layout=True)
for ax, (l, m) in zip(axes.flat, shown):
    image = ax.pcolormesh(np.degrees(phi), np.degrees(theta), Y[..., lm_index(l, m)], cmap="RdBu_r", shading="auto")
    ax.set_title(f"$Y_{{{l},{m}}}$")
    fig.colorbar(image, ax=ax)
for ax in axes[-1]:
    ax.set_xlabel("azimuth φ (degrees)")
for ax in axes[:, 0]:
    ax.set_ylabel("polar angle θ (degrees)")
plt.show()

# %% [markdown]
# **Figure 2.** Six real spherical harmonics on the sphere (colour: value; red positive, blue negative). $l$ counts the nodal lines: $Y_{00}$ has none; $Y_{3,1} \propto \sin\theta\,(5\cos^2\theta - 1)\cos\varphi$ has $l - |m| = 2$ nodal cones (it changes sign twice along θ) and $|m| = 1$ nodal plane ($\varphi = \pm 90°$), three in all.

# %% [markdown]
# ## The atomic base $A$ and the invariant products $B$
#
# Summing the one-particle basis over the neighbours projects the neighbour density of atom $i$
# onto it. This *atomic base* costs one pass over the neighbours, whatever the body order:
#
# $$
# A_{nlm}(i) = \sum_{j} \phi_{nlm}(\mathbf r_{ij}).
# $$ (eq-atomic-base)
#
# Products of $\nu$ factors $A$ are $(\nu + 1)$-body functions (the centre plus $\nu$
# neighbours). Coupling the $m$ indices with generalised Clebsch–Gordan coefficients makes them
# rotation invariant:
#
# $$
# B(i) = \sum_{m_1 \dots m_\nu} C^{l_1 \dots l_\nu}_{m_1 \dots m_\nu}
#        \prod_{t=1}^{\nu} A_{n_t l_t m_t}(i).
# $$ (eq-invariant-products)
#
# * $\nu = 1$: $B = A_{n00}$, a pair potential (body order 2);
# * $\nu = 2$: $B = \sum_m A_{nlm} A_{n'lm}$, the power spectrum (body order 3);
# * $\nu = 3$: the bispectrum (body order 4); $\nu = 4$ needs an intermediate coupling $L$
#   and may have several independent couplings for one $(n, l)$ tuple (body order 5).
#
# Reflections are handled by requiring $\sum_t l_t$ even. `linace.coupling` symmetrises the
# couplings over permutations of identical factors and keeps an orthonormal, linearly
# independent set (an SVD in coefficient space).
#
# **Truncation.** A basis "truncated at body order $K$" holds every $B$ with $\nu \le K - 1$, and
# within each order the tuples with total degree $\sum_t (n_t + w_L l_t) \le D_\nu$ and
# $l_t \le l_\max(\nu)$. The defaults of `ACEBasis` give the sizes below.

# %%
display(Markdown(truncation.sizes_markdown(range(2, 6), rcut=rcut)))
basis = ACEBasis(body_order=5, rcut=rcut)
print("truncation (nu: (max total degree, l_max)):", basis.truncation)
print("l_weight =", basis.l_weight)

# %% [markdown]
# Every function has a readable description: its sorted one-particle tuple and, when one tuple
# has several couplings, which one.

# %%
basis = ACEBasis(body_order=body_order, rcut=rcut)
for order in range(2, body_order + 1):
    first = int(np.flatnonzero(basis.body_orders == order)[0])
    print(f"function {first:5d}: {basis.describe()[first]}")

# %% [markdown]
# The descriptors $B(i)$ of a structure are one call; e.g. the two atoms of the diamond primitive
# cell see identical environments:

# %%
diamond = bulk("C", "diamond", a=3.567)
B = basis.descriptors(diamond)
print("descriptor matrix:", B.shape, "(atoms, functions)")
print("max |B(0) - B(1)| =", np.abs(B[0] - B[1]).max())

# %% [markdown]
# ## Every body order contributes to the dimer: self-interaction
#
# The product $\prod_t A_{n_t l_t m_t}(i)$ in Eq. {eq}`eq-invariant-products` is, by
# Eq. {eq}`eq-atomic-base`, a sum over $\nu$ neighbours $j_1, \dots, j_\nu$
# that does **not** exclude $j_1 = j_2 = \dots$. For an isolated dimer each atom has a single
# neighbour, so $A_{nlm} = R_n(r) Y_{lm}(\hat{\mathbf r})$ and
#
# $$
# B(i) = \kappa_B \prod_t R_{n_t}(r), \qquad
# \kappa_B = \sum_m C_{m_1\dots m_\nu} \prod_t Y_{l_t m_t}(\hat{\mathbf r}),
# $$ (eq-self-interaction)
#
# where $\kappa_B$ is a constant (rotation invariance makes it independent of the direction).
# A $\nu$-correlation function is therefore not a pure $(\nu+1)$-body term: it also carries
# two-body (and all lower) contributions {cite:p}`ho2024pure`. The dimer curve of a potential truncated at $K$ is
#
# $$
# E_\mathrm{dimer}(r) - 2E_0 = 2 \sum_{\nu=1}^{K-1} V_\nu(r), \qquad
# V_\nu(r) = \sum_{B:\,\nu} c_B\, \kappa_B \prod_t R_{n_t}(r).
# $$ (eq-dimer-decomposition)
#
# Let us check Eq. {eq}`eq-self-interaction` live: evaluate the basis on dimers in random
# orientations and fit $\kappa_B$ from one distance.

# %%
rng = np.random.default_rng(0)
distances = np.linspace(0.9, rcut - 0.05, 60)
dimer = self_interaction.dimer_values(basis, distances, rng, reference_distance=1.3)  # each in a random orientation
print(f"max |B(r) - kappa_B prod R(r)| / max |B| over {len(distances)} random dimers: {dimer.mismatch:.1e}")
display(Markdown(self_interaction.kappa_markdown(basis, dimer.kappa)))

# %% tags=["remove-cell"]
# "Functions of every body order are non-zero on the dimer"
assert all(np.any(np.abs(dimer.kappa[basis.body_orders == order]) > 1e-10) for order in range(2, body_order + 1))

# %% [markdown]
# Functions of every body order are non-zero on the dimer. The plot shows, for each body
# order, the largest $|B(r)|$ over its functions: all of them can shape the dimer curve, and
# the higher orders do so with products of several radial functions, i.e. with more rapidly
# varying terms.

# %%
fig, ax = plt.subplots(figsize=(6.5, 4), constrained_layout=True)
for order in range(2, body_order + 1):
    largest = np.abs(dimer.values[:, basis.body_orders == order]).max(axis=1)  # over the order's functions
    ax.semilogy(distances, largest, label=f"body order {order}")
ax.set(xlabel="C–C distance r (Å)", ylabel="max |B(r)| over the order's functions",
       title="ACE basis functions on an isolated C$_2$")
ax.legend()
plt.show()

# %% [markdown]
# **Figure 3.** The largest $|B(r)|$ of each body order on an isolated C$_2$: none is zero. Every body order can therefore shape the dimer curve of a potential.

# %% [markdown]
# This is why the dimer curve of a linear ACE potential trained on bulk data without a single
# dimer is not simply its "two-body part": all body orders contribute, with coefficients that
# were fitted to reproduce many-body environments. The following chapters fit such potentials
# and decompose their dimer curves into the $V_\nu$.

# %% [markdown]
# ## Exercises
#
# Solutions are folded: try first, then open them. The computational solutions run when the book
# is built, so they always match the library.
#
# ```{exercise-start}
# :label: ex-01-count
# ```
# **Counting functions.** With the default truncation, how many basis functions of each body order
# does a potential truncated at $K = 4$ contain? Check that the two-body ($\nu = 1$) count equals
# the number of radial functions with $l = 0$ allowed by the truncation of $\nu = 1$.
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-01-count
# :class: dropdown
# ```

# %%
from linace.basis import DEFAULT_TRUNCATION

exercise_basis = ACEBasis(body_order=4, rcut=rcut)
orders, counts = np.unique(exercise_basis.body_orders, return_counts=True)
print({int(k): int(c) for k, c in zip(orders, counts)})
print("nu = 1 truncation (total degree, l_max):", DEFAULT_TRUNCATION[1])

# %% [markdown]
# The two-body functions are the radial functions $R_n$, $n = 1..D_1$, times $Y_{00}$: as many as
# the total degree $D_1$ of $\nu = 1$ allows (its $l_\max$ is 0).
# ```{solution-end}
# ```
#
# ```{exercise-start}
# :label: ex-01-parity
# ```
# **Why even $\sum_t l_t$?** The products $B$ keep only tuples whose angular degrees add up to an
# even number. Which symmetry removes the others, and what would an odd product do under it?
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-01-parity
# :class: dropdown
# ```
# Inversion $\mathbf r \to -\mathbf r$ multiplies $Y_{lm}$ by $(-1)^l$, so a product changes sign by
# $(-1)^{\sum_t l_t}$. A potential energy must not change under inversion (a rotation combined with
# a reflection maps every environment to an equivalent one), so products with an odd sum are
# pseudoscalars and are left out; the coupling coefficients of such tuples would describe
# chirality, not energy.
# ```{solution-end}
# ```
#
# ```{exercise-start}
# :label: ex-01-dimer
# ```
# **The dimer is one-dimensional.** Evaluate the descriptors of one atom of C$_2$ at $r = 1.3$ Å for
# two different orientations of the molecule and show that they agree, then show that a function of
# body order 3 on the dimer is proportional to a product of two radial functions at every distance.
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-01-dimer
# :class: dropdown
# ```

# %%
def c2(r, direction):
    direction = np.asarray(direction, float) / np.linalg.norm(direction)
    return Atoms("C2", positions=[np.zeros(3), r * direction])


along_x = exercise_basis.descriptors(c2(1.3, [1, 0, 0]))[0]
tilted = exercise_basis.descriptors(c2(1.3, [1, 2, -0.5]))[0]
print(f"orientation: max |B_x - B_tilted| = {np.abs(along_x - tilted).max():.1e}")

# %%
three_body = np.flatnonzero(exercise_basis.body_orders == 3)[0]
(n1, _), (n2, _) = exercise_basis.functions[three_body].nl
ratios = []
for r in (1.1, 1.5, 2.0, 3.0):
    R = exercise_basis.radial(np.array([r]))[0][0]  # R_n(r) of every n, (n_max,)
    ratios.append(exercise_basis.descriptors(c2(r, [0, 0, 1]))[0][three_body] / (R[n1 - 1] * R[n2 - 1]))
print("B / (R_n1 R_n2) at 1.1, 1.5, 2.0, 3.0 A:", np.round(ratios, 6))

# %% [markdown]
# The descriptors do not depend on the orientation, and the ratio is the same constant
# $\kappa_B$ at every distance: on the dimer a three-body function is a product of two radial
# functions, i.e. a two-body term.
# ```{solution-end}
# ```
