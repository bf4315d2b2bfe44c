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
# # Beyond the paper: pure bases, cluster data and the uncertainty of the dimer curve
#
# :::{admonition} Learning objectives
# :class: tip
# After this chapter you can
# * compare standard and self-interaction-free (pure) bases trained on bulk data and on clusters;
# * read the posterior uncertainty of a dimer curve and where training data constrain it;
# * test the claims of the paper's second version on carbon.
#
# **Assumes:** {doc}`04_train`, {doc}`05_results`; Bayesian linear regression (a posterior covariance).
# **Time:** about 45 minutes, with the exercises.
# :::
#
# The second version of Tan, Pellegrini & de Gironcoli asks whether the body-order expansion
# converges once two things change: the basis has no self-interactions, and the training data are
# *tailored* to the expansion (dimers to pentamers). The paper made that test on **silicon**; this
# chapter transfers it to our carbon data (chapter {doc}`07_silicon` repeats it on silicon), and
# asks a question the paper does not: how much does data without dimers
# constrain the two-body part at all? Everything below comes from the sweep's run records (`results/*.json`), except the
# smoothness-prior fits at the end, which are made here (their design rows come from the sweep's
# cache).

# %% tags=["parameters", "hide-input"]
results_dir = "../results"  # folder with the sweep's JSON run records
regularisation = "blr"  # regularisation of the runs compared here
focus_body_order = 4  # K of the uncertainty and prior comparisons
prior_sets = ["diverse", "clusters+dimers"]  # training sets of the smoothness-prior comparison
span_body_orders = [3, 4]  # K of the span comparison (K = 5 adds about a minute)
span_sets = ["pool", "clusters"]  # data sets whose atomic environments the span comparison uses

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np
from ase import Atoms
from IPython.display import Markdown, display
from myst_nb import glue


from linace.analysis import DimerCurve, band_coverage, curve_distance, span_residual
from linace.basis import ACEBasis
from linace.study import datasets, runs
from linace.study.claims import TAILORED_SET, assess_v2_claims, select
from linace.study.plotting import (BODY_ORDER_COLOURS, PAGE_WIDTH_IN, TRAINING_SET_COLOURS, dimer_axes, figure_legend,
                                   plot_dft_dimer, plot_dimer_curve, use_book_style)
from linace.study.report import (convergence_by_run, dimer_curve_grid, standard_vs_pure_markdown, test_error_markdown,
                                 verdicts_markdown)
from linace.study.results import convergence_table, dft_dimer_curve, load_results

use_book_style()
records = select(load_results(results_dir), regularisation=regularisation)
if not records:
    raise RuntimeError(f"no run records for regularisation {regularisation!r} in {results_dir}: run `make sweep` first")
orders = sorted({r["parameters"]["body_order"] for r in records})
variants = [v for v in ("standard", "pure") if select(records, variant=v)]
compared_sets = [s for s in ("diverse", "clusters", TAILORED_SET)
                 if all(select(records, variant=v, training_set=s) for v in variants)]
r_dft, e_dft, _ = dft_dimer_curve(datasets.load("dimers"), datasets.e0())
display(Markdown(f"{len(records)} runs; basis variants {', '.join(variants)}; training sets run with every variant: "
                 f"{', '.join(f'`{s}`' for s in compared_sets)}; K = {', '.join(map(str, orders))}."))

# %% [markdown]
# ## The pure basis
#
# A standard ACE function $B = \sum_\mu C_\mu \prod_{t=1}^{\nu} A_{n_t l_t \mu_t}$ multiplies
# neighbour sums, so it also contains the terms in which one neighbour is counted several times
# (self-interactions). The pure basis {cite:p}`ho2024pure` keeps the same functions but sums over distinct neighbours
# only. `linace` obtains it by inclusion–exclusion over the set partitions $\pi$ of the $\nu$
# factors,
#
# $$
# \sum_{j_1 \ne \dots \ne j_\nu} \prod_t \phi_{a_t}(\mathbf r_{ij_t})
#   = \sum_\pi \mu(\pi) \prod_{b \in \pi} \sum_j \prod_{t \in b} \phi_{a_t}(\mathbf r_{ij}),
# \qquad \mu(\pi) = \prod_{b\in\pi} (-1)^{|b|-1} (|b|-1)!,
# $$
#
# which needs the neighbour sums of *products* of one-particle functions; forces and stress follow
# analytically as for the standard basis (`ACEBasis(..., pure=True)`; see `linace.basis`).
#
# The defining property, checked live: an atom with $m$ neighbours has every pure
# $\nu$-correlation with $\nu > m$ equal to zero. On a dimer, therefore, only the two-body
# functions survive, and the dimer curve of a pure potential *is* its two-body part $2V_1(r)$.

# %% tags=["hide-input"]
pure_basis = ACEBasis(focus_body_order, pure=True)
standard_basis = ACEBasis(focus_body_order)
nu = pure_basis.body_orders - 1
rng = np.random.default_rng(0)
lines = ["| molecule | neighbours of atom 0 | ν | max \\|B\\| standard | max \\|B\\| pure |", "|---|---|---|---|---|"]
for n_atoms in (2, 3, 4):
    directions = rng.normal(size=(n_atoms - 1, 3))
    positions = np.vstack([np.zeros(3), 1.5 * directions / np.linalg.norm(directions, axis=1)[:, None]])
    molecule = Atoms(f"C{n_atoms}", positions=positions)
    b_standard, b_pure = standard_basis.descriptors(molecule, [0])[0], pure_basis.descriptors(molecule, [0])[0]
    for order in range(1, focus_body_order):
        lines.append(f"| C{n_atoms} | {n_atoms - 1} | {order} | {np.abs(b_standard[nu == order]).max():.2e} "
                     f"| {np.abs(b_pure[nu == order]).max():.2e} |")
display(Markdown("\n".join(lines)))

# %% [markdown]
# The price is speed. Each block of a set partition is a product of one-particle functions on one
# neighbour, which expands exactly into products of radial functions times harmonics
# $Y_{LM}$ (Gaunt coefficients): the pure basis is a sparse combination of standard products of an
# *enlarged* one-particle basis (printed below: a few hundred functions instead of 136); the
# benchmark `benchmarks/design_matrix.py --variants standard pure` measures the cost of the design
# rows (the pure basis at about 45 % of the standard one's speed at $K = 4$, 23 % at $K = 5$; measured 2026-12
# on rattled 64-atom diamond cells, one thread).

# %% tags=["hide-input"]
for K in (3, 4, 5):
    if K > max(orders):
        break
    sizes = [len(ACEBasis(K, pure=pure).features) for pure in (False, True)]
    print(f"K = {K}: {sizes[0]} one-particle functions (standard), {sizes[1]} in the enlarged basis (pure)")

# %% [markdown]
# Do the two variants describe different functions, or the same ones written differently? A pure
# function is its standard counterpart minus terms of lower body order, and those terms are built
# from products of one-particle functions on one neighbour, which the standard basis may already
# (nearly) contain. The table evaluates both bases on every atom of the sets `span_sets` (by
# default the bulk pool and the clusters) and gives, per correlation order ν, how far the pure
# functions lie outside the span of the standard ones (and the reverse): the norm of the part
# orthogonal to the other span relative to the function's norm (`linace.analysis.span_residual`;
# 0 = inside, 1 = orthogonal).

# %% tags=["hide-input"]
environments = [atoms for name in span_sets for atoms in datasets.load(name)]
lines = ["| K | ν | functions | pure outside standard: median | max | standard outside pure: median | max |",
         "|---|---|---|---|---|---|---|"]
for K in span_body_orders:
    standard_values = np.vstack([ACEBasis(K).descriptors(atoms) for atoms in environments])
    pure_values = np.vstack([ACEBasis(K, pure=True).descriptors(atoms) for atoms in environments])
    pure_outside, standard_outside = span_residual(standard_values, pure_values), span_residual(pure_values, standard_values)
    orders_nu = ACEBasis(K).body_orders - 1
    for order in range(1, K):
        mask = orders_nu == order
        lines.append(f"| {K} | {order} | {mask.sum()} | {np.median(pure_outside[mask]):.1e} | {pure_outside[mask].max():.1e} "
                     f"| {np.median(standard_outside[mask]):.1e} | {standard_outside[mask].max():.1e} |")
print(f"{len(standard_values)} atomic environments")
display(Markdown("\n".join(lines)))

# %% [markdown]
# ## Dimer curves: standard vs pure, bulk vs cluster data
#
# Rows: basis variant; columns: training set. `clusters` holds isolated C₃, C₄ and C₅ and no
# dimers; `clusters+dimers` is our version of the paper's tailored data. The pure potentials show
# only $2V_1$ on the dimer, by construction.

# %% tags=["hide-input"]
dimer_curve_grid(records, variants, compared_sets, (r_dft, e_dft))
plt.show()

# %% [markdown]
# **Figure 1.** Dimer curves for K = 2..5 (one colour per K) of the standard (top) and pure (bottom) bases, trained on bulk data (`diverse`), clusters, and clusters plus dimers, against DFT (black).

# %% [markdown]
# ## Convergence in K
#
# The same measures as in the results chapter (mean absolute differences over 1.0–4.5 Å): between
# the curves of successive $K$, and to DFT. A curve that converges in $K$ has shrinking successive
# differences; below 0.1 eV we call it converged (`linace.study.claims.CONVERGED_EV`).

# %% tags=["hide-input"]
table, fig = convergence_by_run(records, variants, compared_sets, (r_dft, e_dft))
display(Markdown(table))
plt.show()

# %% [markdown]
# **Figure 2.** Distance between successive-K dimer curves (left) and to DFT (right) for both bases and the three training sets. A line falling steadily towards zero on the left means convergence in K.

# %% [markdown]
# How different are the two variants' dimer curves? Mean absolute difference between the standard
# and the pure curve of the same (K, training set), over 1.0–4.5 Å:

# %% tags=["hide-input"]
if set(variants) == {"standard", "pure"}:
    display(Markdown("**Standard vs pure, mean |ΔE| of the dimer curves (eV)**\n\n"
                     + standard_vs_pure_markdown(records, compared_sets)))

# %% [markdown]
# Test-set errors of the same potentials (the common bulk test set: it holds no dimers and no
# clusters, so cluster-trained potentials are extrapolating there).

# %% tags=["hide-input"]
display(Markdown("**Test RMSE, energy (meV/atom) / force (eV/Å)**\n\n"
                 + test_error_markdown(records, variants, compared_sets)))

# %% [markdown]
# ## Where does the data constrain the dimer curve?
#
# Every run is a Bayesian linear regression, so its coefficients have a posterior covariance
# $\Sigma$, and the dimer curve $E(r) = \mathbf b(r)^\top \mathbf c$ a standard deviation
# $\sigma(r) = \sqrt{\mathbf b(r)^\top \Sigma\, \mathbf b(r)}$. Where $\sigma$ is small, the training
# data pin the curve down; where it is large, the curve is whatever the prior and the other body
# orders leave it. Left: the curves at K = {glue:text}`focus_K` with ±2σ bands; right: σ(r) on a
# log scale for every training set.

# %% tags=["hide-input"]
glue("focus_K", focus_body_order, display=False)
band_sets = [s for s in ("dimers", "narrow", "crystals", "diverse", "clusters", TAILORED_SET)
             if select(records, training_set=s, body_order=focus_body_order)]
fig, axes = plt.subplots(len(variants), 2, figsize=(PAGE_WIDTH_IN, 3.0 * len(variants) + 0.6), squeeze=False,
                         sharex=True, constrained_layout=True)
for (ax_curve, ax_sigma), variant in zip(axes, variants):
    plot_dft_dimer(ax_curve, r_dft, e_dft)
    for training_set in band_sets:
        match = select(records, variant=variant, training_set=training_set, body_order=focus_body_order)
        if not match:
            continue
        curve = DimerCurve.from_dict(match[0]["dimer"])
        colour = TRAINING_SET_COLOURS[training_set]  # one colour per training set in every panel
        if training_set in compared_sets:
            plot_dimer_curve(ax_curve, curve, label=training_set, contributions=False, color=colour)
        if curve.std is not None:
            ax_sigma.semilogy(curve.r, np.maximum(curve.std, 1e-6), label=training_set, color=colour)
    dimer_axes(ax_curve, ylim=(min(e_dft.min(), -10) - 5, 20), title=f"{variant}, K = {focus_body_order}, ±2σ")
    ax_sigma.set(xlabel="C–C distance r (Å)", ylabel="posterior σ of E(r) (eV)", title=f"{variant}, K = {focus_body_order}")
for ax in axes[0]:
    ax.set_xlabel("")  # the columns share the bottom row's distance axis
figure_legend(fig, axes[0][1], ncol=4)
plt.show()

# %% [markdown]
# **Figure 3.** Left: dimer curves at K = {glue:text}`focus_K` with their ±2σ posterior bands; right: the posterior standard deviation σ(r) of the dimer energy (log scale) for every training set (one colour per training set in all panels). Where σ is large the data say little about the two-body curve.

# %% [markdown]
# Is the band honest? If the posterior were calibrated, the DFT curve would lie inside ±2σ over
# about 95 % of 1.0–4.5 Å (`linace.analysis.band_coverage`). The table gives that fraction with the
# median σ and the actual distance to DFT.

# %% tags=["hide-input"]
lines = ["| variant | training set | median σ (eV) | median σ, 1.0–1.2 Å (eV) | mean \\|E − E_DFT\\| (eV) | DFT inside ±2σ |",
         "|---|---|---|---|---|---|"]
for variant in variants:
    for training_set in band_sets:
        match = select(records, variant=variant, training_set=training_set, body_order=focus_body_order)
        if not match:
            continue
        curve = DimerCurve.from_dict(match[0]["dimer"])
        if curve.std is None:
            continue
        inside = (curve.r >= 1.0) & (curve.r <= 4.5)
        short = (curve.r >= 1.0) & (curve.r <= 1.2)
        lines.append(f"| {variant} | {training_set} | {np.median(curve.std[inside]):.3g} | {np.median(curve.std[short]):.3g} | "
                     f"{match[0]['dimer_summary']['distance_to_dft_eV']:.3f} | "
                     f"{100 * band_coverage(curve, r_dft, e_dft):.0f} % |")
display(Markdown("\n".join(lines)))

# %% [markdown]
# The band of each body-order contribution $2V_\nu$ of the standard potential trained on `diverse`
# (its own posterior marginal). A contribution less certain than the sum is one the data fix only in
# combination with other body orders; the line under the figure says which contributions are.

# %% tags=["hide-input"]
match = select(records, variant="standard", training_set="diverse", body_order=focus_body_order)
if match and DimerCurve.from_dict(match[0]["dimer"]).contribution_std is not None:
    curve = DimerCurve.from_dict(match[0]["dimer"])
    fig, ax = plt.subplots(figsize=(6.4, 4), constrained_layout=True)
    for order, values in sorted(curve.contributions.items()):
        sigma = curve.contribution_std[order]
        ax.plot(curve.r, values, color=BODY_ORDER_COLOURS[order], label=f"2V$_{order - 1}$ (body order {order})")
        ax.fill_between(curve.r, values - 2 * sigma, values + 2 * sigma, color=BODY_ORDER_COLOURS[order], alpha=0.2, lw=0)
    ax.plot(curve.r, curve.energy, "k", label="total")
    scale = max(15, 1.1 * max(np.abs(v[curve.r >= 1.0]).max() for v in curve.contributions.values()))
    dimer_axes(ax, ylim=(-scale, scale), title=f"standard, diverse, K = {focus_body_order}: $2V_\\nu \\pm 2\\sigma$")
    ax.legend()
    plt.show()
    inside = (curve.r >= 1.0) & (curve.r <= 4.5)
    ratios = {order: np.median(curve.contribution_std[order][inside]) for order in curve.contributions}
    total = np.median(curve.std[inside])
    display(Markdown(
        f"Median σ over 1.0–4.5 Å: {total:.3g} eV for the total; "
        + ", ".join(f"$2V_{order - 1}$ {value:.3g} eV ({value / total:.1f} × the total's)" for order, value in ratios.items())
        + ". Less certain than the sum: "
        + (", ".join(f"$2V_{order - 1}$" for order, v in ratios.items() if v > total) or "none")
        + "; more certain: " + (", ".join(f"$2V_{order - 1}$" for order, v in ratios.items() if v <= total) or "none")
        + "."))

# %% [markdown]
# **Figure 4.** The body-order contributions $2V_\nu(r)$ of the standard potential trained on `diverse`, each with its ±2σ posterior band: how well the data fix each order's share of the dimer curve.

# %% [markdown]
# ## The smoothness prior
#
# ACEpotentials.jl {cite:p}`witt2023acepotentials` regularises with a prior that penalises rough basis functions more:
# coefficient $c_B$ gets prior precision $\propto \gamma_B^2$ with
# $\gamma_B = 1 + \sum_t [(n_t - 1)^2 + (w_L l_t)^2]$ (`linace.fit.smoothness_prior`). Here the
# potentials at K = {glue:text}`focus_K` are refitted with that prior (Bayesian, evidence
# maximised as before) and their dimer curves compared with the flat-prior ones of the sweep.

# %% tags=["hide-input"]
fig, axes = plt.subplots(len(variants), len(prior_sets), figsize=(PAGE_WIDTH_IN, 2.8 * len(variants) + 0.6),
                         squeeze=False, sharex=True, sharey=True, constrained_layout=True)
lines = ["| variant | training set | prior | to DFT (eV) | flat vs smooth (eV) | test E / F RMSE |", "|---|---|---|---|---|---|"]
for row, variant in zip(axes, variants):
    for ax, training_set in zip(row, prior_sets):
        if training_set not in runs.training_sets():
            continue
        flat = runs.train(focus_body_order, training_set, variant, "blr", progress=False)
        smooth = runs.train(focus_body_order, training_set, variant, "blr-smooth", progress=False)
        plot_dft_dimer(ax, r_dft, e_dft)
        for run, name in ((flat, "flat prior"), (smooth, "smoothness prior")):
            plot_dimer_curve(ax, run.curve, label=name, contributions=False)
            errors = run.record["errors"]["test"]["all"]
            lines.append(f"| {variant} | {training_set} | {name} | {run.record['dimer_summary']['distance_to_dft_eV']:.3f} | "
                         f"{curve_distance(flat.curve.r, flat.curve.energy, smooth.curve.r, smooth.curve.energy):.3f} | "
                         f"{errors['energy_rmse_meV_per_atom']:.3g} / {errors['force_rmse_eV_per_A']:.3g} |")
        dimer_axes(ax, ylim=(min(e_dft.min(), -10) - 5, 20), title=f"{variant}, {training_set}, K = {focus_body_order}")
        ax.label_outer()
figure_legend(fig, axes[0][0], ncol=3)
plt.show()
display(Markdown("\n".join(lines)))

# %% [markdown]
# **Figure 5.** Dimer curves with the flat prior and with the smoothness prior (both Bayesian, evidence maximised), against DFT. The table below gives the distances and the test errors.

# %% [markdown]
# ## The paper's second-version claims, tested
#
# Criteria fixed in `linace.study.claims.assess_v2_claims`; the evidence are the convergence numbers above.

# %% tags=["hide-input"]
display(Markdown(verdicts_markdown(assess_v2_claims(records, (r_dft, e_dft)))))

# %% tags=["hide-input"]
from linace.study.claims import claim_id


def _arrow(values):
    return " → ".join(f"{v:.2f}" for v in values)


def _numbers(variant, training_set):
    """Successive-K and to-DFT distances (eV) of one (variant, training set), K = 3..5."""
    table = convergence_table(select(records, variant=variant, training_set=training_set), (r_dft, e_dft))
    rows = [row for row in table if row["body_order"] >= 3]
    return ([row["distance_to_previous_K_eV"] for row in rows], [row["distance_to_dft_eV"] for row in rows])


for variant in variants:
    for training_set in compared_sets:
        previous, to_dft = _numbers(variant, training_set)
        key = f"{variant}_{training_set.replace('+', '_')}"
        glue(f"prev_{key}", _arrow(previous), display=False)
        glue(f"dft_{key}", _arrow(to_dft), display=False)
        glue(f"prev_max_{key}", f"{max(previous):.2f}", display=False)
        glue(f"dft_range_{key}", f"{min(to_dft):.2f}–{max(to_dft):.2f}", display=False)
        glue(f"last_{key}", f"{previous[-1]:.2f}", display=False)
for verdict in assess_v2_claims(records, (r_dft, e_dft)):
    glue(f"v2_{claim_id(verdict.claim)}", verdict.verdict, display=False)


# %% [markdown]
# ## Conclusion
#
# What our carbon data say, read from the tables above (every number in this section is pasted from
# the run records when the book is built; the verdicts in it follow the runs):
#
# * **The pure basis changes the decomposition, much less the model.** On every training set the
#   standard and the pure potentials give similar dimer curves (the standard-vs-pure table above),
#   small next to the changes from one K to the next and to the distance to DFT. Removing
#   self-interactions moves energy between the $V_\nu$, so that the pure dimer curve is exactly
#   $2V_1$, but the *total* energy of a dimer is a prediction of the fitted function, and the two
#   bases of the same truncation span almost the same functions: they differ only by lower-order
#   terms (tested in `test_pure.py`), and on our environments each pure function lies inside the
#   span of the standard basis up to a small residual (span table above), and vice versa. So on
#   bulk data (`diverse`) the pure basis does not converge either (claim v2b: {glue:text}`v2_v2b:s`):
#   successive-K distances {glue:text}`prev_pure_diverse:s` eV (K = 3, 4, 5) and
#   {glue:text}`dft_range_pure_diverse:s` eV from DFT, as for the standard basis
#   ({glue:text}`prev_standard_diverse:s` eV).
# * **Tailored data are what make the expansion converge.** Trained on clusters *and* dimers, the
#   pure basis approaches DFT ({glue:text}`dft_pure_clusters_dimers:s` eV from K = 3 to 5) and its
#   successive-K distances shrink ({glue:text}`prev_pure_clusters_dimers:s` eV), to be compared with
#   our 0.1 eV convergence threshold: v2c is {glue:text}`v2_v2c:s`. The standard basis does the same
#   ({glue:text}`prev_standard_clusters_dimers:s` eV successive, {glue:text}`dft_standard_clusters_dimers:s` eV
#   to DFT), so v2a (standard bases unstable even on tailored data) is {glue:text}`v2_v2a:s`: the
#   part of the paper's v2 conclusion that says pure bases are needed is not supported by our
#   data. The dimers in the training set carry the result: trained on clusters alone, neither
#   variant converges (successive-K distances up to {glue:text}`prev_max_standard_clusters:s` eV
#   standard and {glue:text}`prev_max_pure_clusters:s` eV pure, {glue:text}`dft_range_standard_clusters:s` eV
#   from DFT).
# * **The verdicts on the tailored set are close to the threshold.** How the last successive-K
#   distance of the standard basis on `clusters+dimers` ({glue:text}`last_standard_clusters_dimers:s` eV
#   now) and the v2 verdicts moved as the two-body reference and the fit's weights were corrected is
#   in {doc}`history`. A verdict that turns on a few hundredths of an eV against a fixed threshold is
#   fragile, which is why chapter {doc}`05b_evidence` grades every claim over resampled draws.
# * **The posterior band is not an error bar for the dimer curve.** Trained on `diverse`, the
#   ±2σ band is narrow (the band table above), yet the DFT curve lies inside it over only a small
#   part of 1.0–4.5 Å (a calibrated band would hold it over 95 %): the data without dimers fix
#   the model's dimer curve tightly, to the wrong curve. Bayesian regression sees the noise of the
#   fit, not the error of extrapolating from bulk environments to an isolated pair. Only the sets
#   that contain dimers have bands that cover DFT to a useful degree.
# * **The smoothness prior hardly matters here**: at K = 4 the dimer curves with and without it
#   differ much less than their distance to DFT (the prior table above).
#
# Caveats: the paper's tailored set is silicon's Si₂ to Si₅, ours here the carbon analogue C₂ to C₅
# (so a verdict here tests whether the paper's silicon result carries over to carbon), and its dimers come
# from the same DFT curve that is the reference (so "distance to DFT" is partly a training error
# for those runs). How the clusters are labelled (state search or single runs) is recorded in
# `data/C/manifest.json` (`sets.clusters.labelled_by`) and shown in chapter {doc}`03_training_sets`.

# %% [markdown]
# ## Exercises
#
# ```{exercise-start}
# :label: ex-06-coverage
# ```
# **Which data give an honest band?** Using `linace.analysis.band_coverage`, compute for every
# training set of the band table the fraction of 1.0–4.5 Å over which DFT lies inside the ±2σ band, for
# both bases at K = {glue:text}`focus_K`. Which sets reach half? What do they have in common, and what
# does that say about what a Bayesian posterior can and cannot know?
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-06-coverage
# :class: dropdown
# ```

# %%
for variant in variants:
    for training_set in band_sets:
        match = select(records, variant=variant, training_set=training_set, body_order=focus_body_order)
        curve = DimerCurve.from_dict(match[0]["dimer"]) if match else None
        if curve is not None and curve.std is not None:
            print(f"{variant:>8}, {training_set:<16} DFT inside ±2σ over {100 * band_coverage(curve, r_dft, e_dft):3.0f} %")

# %% [markdown]
# The sets whose band covers DFT over a useful part of the range are those that contain dimers: there
# the data constrain the dimer curve directly, and the posterior's spread measures how well. Trained
# without dimers, the posterior is narrow because the bulk data fix the coefficients tightly, but what
# they fix is the curve the bulk fit needs, not the DFT dimer curve. The posterior knows the noise of
# the data it was given, not the error of extrapolating to a configuration it never saw.
# ```{solution-end}
# ```
#
# ```{exercise-start}
# :label: ex-06-same-model
# ```
# **The same model in another basis?** The span table says that each pure function lies (nearly)
# inside the span of the standard ones. If so, the two fits of the same data should agree on
# everything, not only on the dimer. For `diverse`, compare the test energy and force RMSE of the two
# bases at every K, and set the mean |ΔE| between their dimer curves beside the successive-K distance of
# the standard basis. Which difference is larger?
# ```{exercise-end}
# ```
#
# ```{solution-start} ex-06-same-model
# :class: dropdown
# ```

# %%
standard_steps = dict(zip(orders[1:], convergence_table(select(records, variant="standard", training_set="diverse"),
                                                        (r_dft, e_dft))[1:]))
for K in orders:
    pair = [select(records, variant=v, training_set="diverse", body_order=K) for v in ("standard", "pure")]
    if all(pair):
        (a,), (b,) = pair
        ea, eb = a["errors"]["test"]["all"], b["errors"]["test"]["all"]
        ca, cb = DimerCurve.from_dict(a["dimer"]), DimerCurve.from_dict(b["dimer"])
        step = standard_steps.get(K)
        print(f"K = {K}: test E {ea['energy_rmse_meV_per_atom']:.0f} vs {eb['energy_rmse_meV_per_atom']:.0f} meV/atom, "
              f"F {ea['force_rmse_eV_per_A']:.2f} vs {eb['force_rmse_eV_per_A']:.2f} eV/A; standard vs pure dimer "
              f"{curve_distance(ca.r, ca.energy, cb.r, cb.energy):.2f} eV"
              + (f", standard K-1 to K {step['distance_to_previous_K_eV']:.2f} eV" if step else ""))

# %% [markdown]
# The test errors of the two bases agree closely at every $K$, and their dimer curves differ by much
# less than the curve of one basis changes from one $K$ to the next: removing self-interactions
# rewrites the same fitted function in other coordinates (energy moves between the $V_\nu$), it does
# not make a different model. What changes the model is the data, which is what the conclusion above
# reads from the convergence table.
# ```{solution-end}
# ```
