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
# # Run the study on your own data
#
# :::{admonition} Learning objectives
# :class: tip
# After this page you can
# * arrange your own labelled structures (any one element, any code) as a data directory;
# * check it, and train and grade potentials on it exactly as the study does for carbon;
# * sweep it over body orders and bases from the command line.
#
# **Assumes:** {doc}`04_train`. **Time:** about 20 minutes.
# :::
#
# The study needs, for one chemical element: the energy of the isolated atom ($E_0$), a dimer
# curve (the two-body reference every potential is graded against), at least one training set
# and a held-out test set. Put them in a folder as extended XYZ files (energies in eV, forces in
# eV/Å, stresses of periodic cells in eV/Å$^3$, as ASE writes them):
#
# | file | what it holds |
# |---|---|
# | `isolated_atom.extxyz` | one structure of one atom: its energy is $E_0$ |
# | `dimers.extxyz` | isolated pairs (no periodic boundaries) covering the comparison range of the element |
# | `test.extxyz` | the held-out test set every potential is validated on |
# | `<name>.extxyz` | any other file is a training set called `<name>` |
#
# The comparison range is carbon's 1.0–4.5 Å scaled by the ratio of the element's nearest-neighbour
# distance in its ground-state crystal to carbon's (diamond); print it with
# `python -c "from linace.analysis import convergence_range; print(convergence_range('Cu'))"`
# (copper: 1.65–7.43 Å). The dimer curves are compared over that range only, so the dimers must cover it.
#
# One command writes the manifest (checksums and counts; the element is checked in every
# structure) and checks the folder: it refuses a folder without a dimer curve, with a second
# element, a changed file (checksum) or a non-finite label, and names the file at fault.
#
# ```bash
# .venv/bin/python -m linace.study.datasets manifest my_data --element Cu --description "PBE, VASP 6.4, 520 eV"
# .venv/bin/python -m linace.study.sweep --data-dir my_data                 # K = 2..5 on every training set
# .venv/bin/python -m linace.study.sweep --data-dir my_data --body-orders 2 3 4 --variants standard pure
# .venv/bin/python -m linace.study.resample --data-dir my_data --sizes 40 80 --draws 10   # learning curves
# ```
#
# The sweep writes its records to `results/my_data-<digest>/` (the digest is 8 hex digits of the
# folder's absolute path, so two folders of the same name never share one; executed notebooks in its
# `notebooks/`), the resampled runs to `results/my_data-<digest>/resampled/`, apart from the committed
# study. Below, the same steps in Python on an example folder: copper
# labelled by ASE's effective-medium theory (EMT) in a few seconds, a stand-in for your DFT data.
# To run this page on your own folder, from the repository's root (the first command writes the
# notebook `book/08_own_data.ipynb` from its source, as `make book` does; see {doc}`rerun`):
#
# ```bash
# .venv/bin/jupytext --to ipynb book/08_own_data.py
# .venv/bin/papermill --cwd book book/08_own_data.ipynb /tmp/own_data.ipynb -p data_dir "$PWD/my_data" -p training_set <name>
# ```

# %% tags=["parameters"]
data_dir = ""  # your data directory; empty: write the EMT copper example into a temporary folder
training_set = "bulk"  # a training set of the folder
body_orders = [2, 3, 4]  # K of the potentials trained below

# %%
import tempfile

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from linace.analysis import convergence_range
from linace.fit import DesignCache
from linace.study import datasets, example_data, own_data, runs
from linace.study.plotting import BODY_ORDER_COLOURS, dimer_axes, plot_dft_dimer, plot_dimer_curve, use_book_style

use_book_style()

# %%
scratch = tempfile.TemporaryDirectory()
folder = data_dir or example_data.emt_folder(f"{scratch.name}/copper", "Cu")
meta = datasets.check_data_dir(folder)
element = meta["element"]
display(Markdown(own_data.data_dir_markdown(meta)))

# %% tags=["remove-cell"]
# "(copper: 1.65–7.43 Å)"; Figure 1 on the example folder: "8 training cells of one phase (rattled fcc)"
assert "{:.2f}–{:.2f}".format(*convergence_range("Cu")) == "1.65–7.43", convergence_range("Cu")
if not data_dir:
    assert meta["sets"]["bulk"]["n_structures"] == 8, meta["sets"]

# %% [markdown]
# ## Training and grading
#
# `runs.train` is what every sweep run calls: the basis is built for the folder's element (its
# cut-off and radial scale follow from the element's nearest-neighbour distance), fitted by
# Bayesian linear regression, validated on the test set, and its dimer curve compared with the
# folder's over the element's comparison range.

# %%
cache = DesignCache(f"{scratch.name}/design-cache")
trained = {K: runs.train(K, training_set, data_dir=folder, cache=cache, progress=False) for K in body_orders}
r_ref, e_ref, _ = next(iter(trained.values())).dft_curve  # the folder's own dimer curve
display(Markdown(own_data.convergence_markdown([run.record for run in trained.values()], (r_ref, e_ref))))

# %%
fig, ax = plt.subplots(figsize=(6.4, 4.2), constrained_layout=True)
plot_dft_dimer(ax, r_ref, e_ref, label="reference (the folder's dimers)")
for K, run in trained.items():
    plot_dimer_curve(ax, run.curve, label=f"K = {K}", contributions=False, color=BODY_ORDER_COLOURS[K])
depth = float(e_ref.min())
dimer_axes(ax, ylim=(2.5 * depth, -2.0 * depth), element=element)
ax.set_xlim(r_ref.min(), r_ref.max())
ax.legend()
plt.show()

# %% [markdown]
# **Figure 1.** The dimer curves of potentials of increasing body order trained on the folder's
# `bulk` set (lines, ±2σ posterior bands) against the folder's own dimer curve (markers): see how
# far each K's curve lies from the reference, and whether the curves of successive K approach one
# another. The EMT example is a toy that shows the pipeline, not a finding: 8 training cells of
# one phase (rattled fcc) fit almost exactly (the test errors above), yet say little about an
# isolated pair, so the curves need not follow EMT's.

# %% [markdown]
# ## Bringing in a published dataset
#
# Published data rarely come as a data directory. The carbon and silicon data published with the
# paper, for instance, keep the forces in a per-atom column `force`, compute the dimers in a
# periodic box, give the isolated atom's energy only as a number in Rydberg in a notebook, and the
# DFT dimer curve as a table in Bohr and Rydberg. The import command converts all of that, checks
# the result as above, and records every conversion (source files with their SHA-256, keys,
# units, what was changed) in the manifest's `import` section; nothing is written unless the whole
# import passes:
#
# ```bash
# .venv/bin/python -m linace.study.datasets import bulk=train.xyz test=val.xyz dimers=dimers.xyz \
#     --into my_data --element Cu --energy-key dft_energy --forces-key force \
#     --e0 0.2580 --e0-units rydberg --dimer-table dimer_curve.dat --units bohr,rydberg
# .venv/bin/python -m linace.study.sweep --data-dir my_data
# .venv/bin/python -m linace.study.resample --data-dir my_data --sizes 4 8
# ```
#
# Below, a small sample written in those conventions (copper by EMT again,
# `linace.study.example_data.published_sample`), first refused by `manifest` with the keys it has,
# then brought in by the import alone. A molecule in a periodic box is taken out of it only if no
# atom lies within the cut-off of a periodic image (the potential then cannot tell the
# difference); the table becomes an energy-only reference set `dimer_curve`, which the study
# takes as the DFT dimer curve and never trains on.

# %%
from linace.study import importer

sample = example_data.published_sample(f"{scratch.name}/published", "Cu")
try:
    datasets.write_manifest(sample.folder, "Cu")
except datasets.DatasetError as error:
    print("manifest refuses the files as published:\n ", str(error).replace(str(sample.folder) + "/", ""))
imported_dir = f"{scratch.name}/imported"
imported = importer.import_data(
    [f"bulk={sample.train}", f"test={sample.test}", f"dimers={sample.dimers}"], imported_dir, "Cu",
    energy_key="dft_energy", forces_key="force", e0=sample.e0_rydberg, e0_units="rydberg",
    dimer_table=sample.dimer_table, table_units=("bohr", "rydberg"), description="copper by EMT, as published")
display(Markdown(own_data.import_markdown(imported, imported_dir, sample.box)))

# %%
scratch.cleanup()
