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
# # Sweep runs: every trained potential
#
# Each potential of the sweep is one run of the training notebook ({doc}`04_train`) for one body order
# $K$, training set and basis variant, executed by papermill; its page shows the outputs stored when
# it ran (building the book does not execute it again). The grids below link every run of carbon and
# of silicon. A cell reads: test energy RMSE (meV/atom) · test force RMSE (eV/Å) · mean distance of
# the dimer curve to DFT (eV); *failed* where the potential does not describe the bulk test set at all
# (energy RMSE above {glue:md}`failed_energy_eV` eV/atom or force RMSE above
# {glue:md}`failed_force_eV_per_A` eV/Å: for potentials trained on molecules alone, a failed
# extrapolation to bulk). Every run uses Bayesian regression (`blr`).
#
# The runs are made by `make sweep` (or `python -m linace.study.sweep --help`), which writes one
# JSON record per run to `results/` (`results/Si/` for silicon; read by the results chapters) and the
# executed notebook to `book/sweep/` (`book/sweep/Si/`). A run whose inputs (its parameters, the
# training notebook, the library and the data manifest) have not changed since its last successful
# execution is skipped; a run that fails is kept in `book/sweep/failed/`, outside the book.

# %% tags=["parameters", "remove-cell"]
results_dirs = {"C": "../results", "Si": "../results/Si"}  # the sweep's run records per element
book_dir = "."  # the book's folder (where book/sweep/ holds the run pages)
regularisation = "blr"  # regularisation of the runs listed

# %% tags=["remove-cell"]
from IPython.display import Markdown, display
from myst_nb import glue

from linace.study import report
from linace.study.records import load_records, select

glue("failed_energy_eV", Markdown(f"{report.FAILED_ENERGY_MEV_PER_ATOM / 1000:g}"), display=False)
glue("failed_force_eV_per_A", Markdown(f"{report.FAILED_FORCE_EV_PER_A:g}"), display=False)

# %% tags=["remove-input"]
SETS = ("dimers", "narrow", "crystals", "diverse", "clusters", "clusters+dimers")  # by diversity, then tailored
for element, results_dir in results_dirs.items():
    records = select(load_records(results_dir), regularisation=regularisation)
    display(Markdown(f"## {report.ELEMENT_NAMES.get(element, element).capitalize()}"))
    if not records:
        display(Markdown(f"No runs in `{results_dir}`: run `make sweep` first."))
        continue
    for variant in ("standard", "pure"):
        table = report.runs_index_markdown(records, book_dir, variant, SETS)
        if table:
            display(Markdown(f"**{variant.capitalize()} basis**\n\n" + table))
