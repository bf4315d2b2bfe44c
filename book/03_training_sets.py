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
# # Reference data and training sets
#
# :::{admonition} Learning objectives
# :class: tip
# After this chapter you can
# * read the DFT settings of the reference and the convergence numbers that justify them;
# * name the electronic states along the C$_2$ dimer curve and compare them with spectroscopy;
# * compare training sets by the configurations they cover.
# :::
#
# Every energy in this book comes from DFT calculations the project runs itself with GPAW
# {cite:p}`mortensen2024gpaw` (PBE {cite:p}`perdew1996pbe`, PAW setups {cite:p}`blochl1994paw`)
# (`linace.study.dft`; the committed results are in `data/C/`, described by `data/C/manifest.json`). This
# chapter shows the settings and their convergence check, the DFT dimer curve that every
# potential will be compared with, and what the training sets contain and how much of
# configuration space each covers. Loading the data needs only ASE {cite:p}`larsen2017ase`; the tests never run GPAW.

# %% tags=["parameters", "hide-input"]
descriptor_body_order = 3  # body order of the ACE descriptors used for the map of configuration space

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from linace.basis import ACEBasis
from linace.study import datasets, reference, report, structures
from linace.study.plotting import panel_grid, plot_dimer_states
from linace.study.results import dft_dimer_curve

manifest = datasets.manifest()
settings = manifest["dft"]
e0 = datasets.e0()
print(f"GPAW {manifest['code'].get('gpaw')}, gpaw-data {manifest['code'].get('gpaw_data')}, ASE {manifest['code'].get('ase')}")
print(f"E0 (isolated C atom, integer-occupation triplet) = {e0:.4f} eV")

# %% [markdown]
# ## DFT settings
#
# One set of settings for every structure, so that all energies are comparable:

# %% tags=["hide-input"]
display(Markdown(report.settings_markdown(manifest)))

# %% [markdown]
# ### Convergence check
#
# The settings were chosen by `python -m linace.study.dft converge`: each scan varies one setting with
# the others at converged values, and reports the largest error (against the most accurate
# value of the scan) of energy differences (meV/atom) and forces (eV/Å) over a panel of test
# structures. The targets were about 2 meV/atom and 0.02 eV/Å.

# %% tags=["hide-input"]
convergence = manifest.get("convergence") or {}
for table in report.convergence_scan_markdown(convergence):
    display(Markdown(table))
if not convergence:
    print("no convergence summary in the manifest")

# %% [markdown]
# At the values used for the data (not always the converged ones: the settings were chosen so that
# all carbon data fit in about 28 core-hours, the compute table below), the errors of each scan are
# below. The k-point density misses the targets on metallic cells (about 10 meV/atom and
# 0.2 eV/Å). It does not touch the molecules (one k-point), hence not the dimer curve that every
# claim is about, and it is more than ten times smaller than the test errors of the potentials
# (above 100 meV/atom and 0.7 eV/Å, chapter {doc}`05b_evidence`).

# %% tags=["hide-input"]
display(Markdown("\n".join(f"* {line}" for line in report.chosen_setting_errors(convergence, settings))))

# %% [markdown]
# ## The DFT dimer curve and its electronic states
#
# C$_2$ is the hardest molecule of this study for DFT: it has several low-lying states of
# different spin, and at each separation a single SCF run can land in any of several
# self-consistent solutions. The dimer curve is therefore the result of a **state search**
# (`linace.study.dft.states`; the runs are in `data/C/state_search/dimers/`): at every one of the 77
# separations, for total moments $M$ = 0, 2 and 4 $\mu_B$ (singlet, triplet, quintet),
# independent runs from four starts — integer (aufbau) occupations from broken-symmetry initial
# moments, small-smearing (0.01 eV) fractional occupations, and continuation from the converged
# neighbouring separation scanning $r$ upwards and downwards. Every converged run is kept; the
# curve is the lowest. Each run's state is named from the symmetry of its occupied orbitals
# ($\sigma$/$\pi$ from the rotation about the axis, g/u from the inversion) and its moment.
# The isolated atom $E_0$ is found the same way: the integer-occupation, symmetry-broken
# Hund's-rule triplet ($2p_x^1 2p_y^1$), below the spherical, fractionally occupied atom (the
# search's fractional start, Fermi-Dirac width 0.01 eV; the reference used before the search, one
# spherical run at width 0.05 eV, lay 0.09 eV above the triplet).

# %% tags=["hide-input"]
atom_states = manifest.get("isolated_atom") or {}
if "spherical_minus_integer_eV" in atom_states:
    print(f"E0 = {atom_states['E0']:.4f} eV ({atom_states['E0_state']}); the spherical atom "
          f"(fractional start) lies {atom_states['spherical_minus_integer_eV']:.3f} eV higher")
dimers = datasets.load("dimers")
r_dft, e_dft, moment = dft_dimer_curve(dimers, e0)
labelled = manifest["sets"]["dimers"].get("labelled_by", "single run") == "state search"

# %% [markdown]
# In the figure the markers are the labelled curve, one colour per winning state; the faint lines
# behind are the lowest solution found at each total moment. Where the winner changes, the curve
# has a kink (two states cross), never a step.

# %% tags=["hide-input"]
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2))
if labelled:
    plot_dimer_states(ax0, dimers, e0)
    plot_dimer_states(ax1, dimers, e0, legend=False)
else:  # data labelled by single fixed-moment runs: colour by moment only
    for m in sorted(set(moment[np.isfinite(moment)])):
        for ax in (ax0, ax1):
            ax.plot(r_dft[moment == m], e_dft[moment == m], "o", ms=4, label=f"M = {m:g} μ$_B$")
    ax0.legend()
ax0.set_title("C$_2$, PBE: the labelled curve and every moment")
ax0.set_ylim(e_dft.min() - 0.5, 4)
ax1.set(xlim=(1.0, 2.2), ylim=(e_dft.min() - 0.3, e_dft.min() + 3), title="near the minimum")
fig.tight_layout()

# %% [markdown]
# **Figure 1.** The DFT dimer curve $E(r) - 2E_0$ coloured by its lowest electronic state, with the lowest solution of every total moment $M$ faint behind it (left), and the region of the minimum (right). Where the colour changes, states cross: the curve has a kink there, never a step.

# %% [markdown]
# The states, with the spectroscopic constants of each state's own curve (a quartic fitted
# within 0.07 Å of its lowest point; $\omega_e$ for $^{12}$C$_2$) beside experiment
# {cite:p}`huber1979constants` and published PBE values. The KS determinants of open-shell states are not eigenfunctions of the orbital
# angular momentum: a name says which state the configuration resembles.

# %% tags=["hide-input"]
if labelled:
    display(Markdown(report.dimer_state_markdown(dimers, e0)))

# %% [markdown]
# What to read from the table: spin-polarised PBE puts the triplet a$^3\Pi_u$-like state below the
# singlet (experiment: X$^1\Sigma_g^+$ lies 0.09 eV below a$^3\Pi_u$), a known failure of
# single-determinant DFT for the multi-reference C$_2$ ground state; each state's own $r_e$ and
# $\omega_e$ are close to its spectroscopic values. Where a moment's line breaks, no run of that
# moment converged there. The singlet between about 1.4 and 2.1 Å has no integer aufbau solution
# (the highest occupied and lowest empty levels exchange at every SCF step); its
# fractional-occupation solutions lie about 0.85 eV above the triplet. The labelled curve is made
# only of converged runs; the runs still missing, if any, are counted in the manifest's
# `known_issues`.

# %% tags=["hide-input"]
dimer = reference.dimer_minimum(dimers, e0)
print(f"labelled curve: minimum r = {dimer['r_e']:.3f} A, E - 2E0 = {dimer['E_b']:.3f} eV "
      f"(moment {dimer['moment_at_minimum']} mu_B)")
far = r_dft >= 4.5
print(f"dissociation: max |E - 2E0| for r >= 4.5 A = {1000 * np.abs(e_dft[far]).max():.1f} meV")

# %% [markdown]
# ## Sanity numbers
#
# Properties of the reference data next to published values. Small differences to the published
# PBE numbers are expected (PAW setups, plane-wave cut-off, k-points, smearing); large ones would
# point to a problem in the settings.

# %% tags=["hide-input"]
# the whole pool if it has been generated, else every structure of the training and test sets
if "pool" in datasets.names():
    pool = datasets.load("pool")
else:
    available = [name for name in ("narrow", "crystals", "diverse", "test") if name in datasets.names()]
    pool = list({a.info["sid"]: a for name in available for a in datasets.load(name)}.values())
display(Markdown(report.sanity_markdown(pool, e0, "C")))

# %% [markdown]
# The cohesive energy is measured from the integer-occupation atom; with the spherical atom
# used before the state search it came out 0.09 eV too large (7.81 eV/atom). Published PBE values
# are the often-quoted 7.72 eV/atom and 7.706 eV/atom from Paier et al. (2006) as transcribed in
# GPAW's bulk tests (`data/literature.json` gives the provenance of each number); the reference
# data lie within 0.02 eV of both. The C$_2$ states are compared with experiment in the state table above.
#
# ## The sets
#
# The pool of bulk, layer, chain, tube and slab structures (no dimers anywhere: every atom has at
# least two neighbours within 5 Å; at most 16 atoms per cell) is split once, with a fixed seed,
# into a common test set (held out from every family) and three training sets of **equal size**
# and graded diversity, so that diversity and size are not confused: `narrow` holds diamond only,
# `crystals` the crystalline families, `diverse` every family. `dimers` and `clusters` are sets of
# their own. The families (`linace.study.structures`):
#
# * crystalline: `diamond`, `lonsdaleite` (hexagonal diamond), `graphite`, `graphene`, `chain`
#   (sp carbon: cumulene, polyyne, zigzag), `sc`, `bcc`, `fcc`, `sh` (simple hexagonal), each in
#   volume scans, strains and rattled cells;
# * disordered and defective: `random` (random packings), `amorphous` (random packings at
#   1.4–3.6 g/cm³: sp-rich at low, sp³-rich at high density), `rattled` (cells displaced by
#   several tenths of an ångström), `defect` (vacancies in diamond and graphene, Stone–Wales
#   rotations);
# * curved and surfaces: `nanotube` (thin (2,2), (3,3), (3,0), (4,0) tubes periodic along their
#   axis, the curved sp² carbon of fullerenes and tubes in cells of at most 16 atoms), `slab`
#   (diamond (100), (111) and graphite slabs), `surface` (diamond (110) slabs, zigzag and
#   armchair graphene ribbons).

# %% tags=["hide-input"]
sets = ["narrow", "crystals", "diverse", "test", "clusters", "dimers"]
loaded = {name: datasets.load(name) for name in sets if name in datasets.names()}
families = sorted({a.info["config_type"] for images in loaded.values() for a in images})
display(Markdown(report.families_markdown(loaded)))
for name in loaded:
    print(f"{name}: {datasets.DESCRIPTIONS.get(name, '')}")
display(Markdown("**DFT compute per family** (core time of the runs that label the committed structures; "
                 "molecules: the whole state search)\n\n" + report.compute_markdown(manifest)))
growing = datasets.manifest().get("incomplete", {})
if growing:  # a grown pool is being labelled: say which sets the book still reads from the previous export
    missing = max(entry.get("missing", 0) for entry in growing.values())
    display(Markdown(f"*Being grown:* {', '.join(growing)} ({missing} structures of the grown pool not yet "
                     "labelled). Until the whole split is labelled, the book reads the previous export of "
                     "these sets (the tables above), so that no structure is in a training set and the "
                     "test set at once."))

# %% [markdown]
# ### Energy per atom against volume per atom
#
# Binding energy $E/N - E_0$ of every structure of the training and test sets that is periodic in
# all three directions. Layers, chains, tubes and slabs are left out: their cell volume is mostly
# vacuum.

# %% tags=["hide-input"]
periodic_sets = [name for name in ("narrow", "crystals", "diverse", "test") if name in loaded]
fig, axes = panel_grid(len(periodic_sets), 4.2, 3.6, sharey=True)
colours = {family: plt.cm.tab20(k % 20) for k, family in enumerate(families)}  # a colour of its own per family
for ax, name in zip(axes, periodic_sets):
    for family in families:
        members = [a for a in loaded[name] if a.info["config_type"] == family and a.pbc.all()]
        if members:
            ax.scatter([a.get_volume() / len(a) for a in members],
                       [a.get_potential_energy() / len(a) - e0 for a in members], s=10, label=family,
                       color=colours[family])
    ax.set(xlabel="volume per atom (Å$^3$)", ylabel="E/N − E$_0$ (eV/atom)", title=name, xscale="log")
fig.legend(*axes[-1].get_legend_handles_labels(), fontsize=7, loc="outside right upper")
plt.show()

# %% [markdown]
# **Figure 2.** Binding energy per atom against volume per atom of the fully periodic structures of each set (no layers, chains, tubes or slabs), one colour per family. The narrow set covers one branch (diamond); the diverse set spans the range of the test set.

# %% [markdown]
# ### The clusters
#
# Isolated C₃, C₄ and C₅ (the tailored data of the chapter "Beyond the paper"): binding energy per
# atom against the mean distance to the nearest neighbour, marked by the total magnetic moment
# of the lowest state found.

# %% tags=["hide-input"]
if "clusters" in loaded:
    clusters = loaded["clusters"]
    moments = sorted({int(a.info.get("spin_moment", 0)) for a in clusters})
    markers = dict(zip(moments, "os^vDPX*"))
    fig, ax = plt.subplots(figsize=(6, 4))
    for moment in moments:
        for size, colour in ((3, "tab:blue"), (4, "tab:orange"), (5, "tab:green")):
            members = [a for a in clusters if len(a) == size and a.info.get("spin_moment", 0) == moment]
            if members:
                ax.scatter([structures.nearest_neighbour_distances(a).mean() for a in members],
                           [a.get_potential_energy() / size - e0 for a in members], marker=markers[moment],
                           color=colour, s=14, label=f"C{size}, moment {moment}")
    ax.set(xlabel="mean nearest-neighbour distance (Å)", ylabel="E/N − E$_0$ (eV/atom)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()

# %% [markdown]
# **Figure 3.** The clusters C$_3$–C$_5$: binding energy per atom against the mean nearest-neighbour distance, by size (colour) and by the total moment (μ_B) of the lowest state (marker).
#
# How the clusters are labelled: by the state search (every total moment from 0 upwards until the
# lowest energy has risen, each from integer-occupation and fractional starts; the label is the
# lowest converged run) when it is complete, else by one Fermi-Dirac run per fixed moment 0, 2, 4.
# Where the search labels them, each cluster also keeps its earlier single-run energy, and the
# table below says how much the search moved the labels (a few move up: the single runs used a
# wider smearing, whose extrapolated energy is not that of one occupation).

# %% tags=["hide-input"]
if "clusters" in loaded:
    entry = manifest["sets"]["clusters"]
    print(f"clusters labelled by: {entry.get('labelled_by', 'single run')}")
    if any("energy_single_run" in a.info for a in loaded["clusters"]):
        changes = reference.label_changes(loaded["clusters"])
        display(Markdown(
            "| compared | moved by more than 1 meV/atom | other moment won | median change | "
            "largest lowering | RMS change |\n|---|---|---|---|---|---|\n"
            f"| {changes['n']} | {changes['n_changed']} | {changes['n_moment_changed']} | "
            f"{round(1e3 * changes['median_eV_per_atom'], 1) + 0.0:.1f} meV/atom | {1e3 * changes['max_eV_per_atom']:.0f} meV/atom | "
            f"{1e3 * changes['rms_eV_per_atom']:.0f} meV/atom |"))
    else:
        print("the clusters carry only their single-run labels (no before/after to show)")

# %% [markdown]
# ### Nearest-neighbour distances and coordination
#
# Distribution over atoms of the distance to the nearest neighbour and of the number of
# neighbours within 1.85 Å (a C–C bond).

# %% tags=["hide-input"]
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 3.8))
for name, images in loaded.items():
    nearest = np.concatenate([structures.nearest_neighbour_distances(a) for a in images])
    bonds = np.concatenate([structures.coordination(a, 1.85) for a in images])
    ax0.hist(nearest, bins=np.linspace(0.8, 3.0, 45), histtype="step", density=True, label=name)
    ax1.hist(bonds, bins=np.arange(-0.5, 13.5), histtype="step", density=True, label=name)
ax0.set(xlabel="nearest-neighbour distance (Å)", ylabel="probability density (1/Å)")
ax1.set(xlabel="neighbours within 1.85 Å", ylabel="fraction of atoms")
ax1.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# **Figure 4.** Left: distribution of nearest-neighbour distances per set. Right: coordination (neighbours within 1.85 Å). Compare how wide each set's distributions are with those of the test set.

# %% [markdown]
# ### How much of configuration space each set covers
#
# Each structure is represented by the mean of its atoms' ACE descriptors $B(i)$ (of body order
# 3 by default, each standardised), projected on the two leading principal
# components of all structures together. The narrow set fills a small patch; the diverse set
# spreads over the region the test set occupies.

# %% tags=["hide-input"]
basis = ACEBasis(body_order=descriptor_body_order)
fingerprints = {name: np.array([basis.descriptors(a).mean(axis=0) for a in images]) for name, images in loaded.items()}
stacked = np.vstack(list(fingerprints.values()))
mean, scale = stacked.mean(axis=0), stacked.std(axis=0) + 1e-12
_, _, components = np.linalg.svd((stacked - mean) / scale, full_matrices=False)
fig, axes = panel_grid(len(loaded), 3.6, 3.4, sharex=True, sharey=True)
everything = ((stacked - mean) / scale) @ components[:2].T
for ax, (name, values) in zip(axes, fingerprints.items()):
    projected = ((values - mean) / scale) @ components[:2].T
    ax.scatter(everything[:, 0], everything[:, 1], s=4, color="lightgrey")
    ax.scatter(projected[:, 0], projected[:, 1], s=8)
    ax.set(title=name, xlabel="PC 1 (dimensionless)", ylabel="PC 2 (dimensionless)")
plt.show()

# %% [markdown]
# **Figure 5.** Each set (coloured) on the first two principal components of the mean ACE descriptors of all structures (grey). A set that covers more of the grey cloud samples more of configuration space.
