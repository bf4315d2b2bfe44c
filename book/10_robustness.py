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
# # Do the verdicts survive the silent choices?
#
# :::{admonition} Learning objectives
# :class: tip
# After this chapter you can
# * name the choices behind a dimer-curve verdict that a paper rarely states: the spin of the DFT
#   reference, the energy zero, the basis size at each K, the energy:force weights;
# * read which of the paper's claims hold under every reasonable choice, and which turn on one.
# :::
#
# Every verdict of chapters {doc}`05_results` and {doc}`06_beyond` was graded at one set of choices:
# the spin-polarised DFT reference, the isolated atom as the energy zero, one truncation per K and
# energy:force weights of 30:1. Each alternative below changes exactly one of them; they were written
# down (`linace.study.robustness.ALTERNATIVES`) before any of their runs was made, and every claim is
# graded under each with the same fixed criteria. A verdict is **robust** when the default and every
# alternative that can grade it agree.
#
# | alternative | what changes (default) | why |
# |---|---|---|
# | reference: restricted | the DFT dimer curve: spin-restricted (spin-polarised lowest states) | the authors' curves look restricted (chapter {doc}`09_paper_data`) |
# | E0: fitted | a fitted per-atom constant (the isolated atom's energy) | pacemaker fits its reference energy |
# | basis: x0.5, x2 | half, twice the default's functions at every K | "no convergence in K" could be "too small a basis at that K" |
# | E:F 10, E:F 50 | energy:force weight (30) | the authors' ACEpotentials.jl (10) and pacemaker (50) runs |
#
# The alternatives' runs (120, about 5 minutes) are more than `make book` can spend: `make sweep-full`
# makes them, and they are committed (`data/robustness/C`) with the code that made each; the cell
# below says which.
#
# **What we found** (pasted from the runs when the book is built): {glue:md}`robust_headline`

# %% tags=["parameters", "hide-input"]
results_dir = "../results"  # the default sweep's records (carbon)
robustness_dir = "../data/robustness/C"  # the alternatives' records (make sweep-full; committed)
regularisation = "blr"

# %% tags=["hide-input"]
from pathlib import Path

from IPython.display import Markdown, display
from myst_nb import glue

from linace.study import datasets, robustness
from linace.study.plotting import use_book_style
from linace.study.records import load_records, select

use_book_style()

dft = datasets.dimer_reference()
restricted = robustness.restricted_curve_or_none("C")
default_records = select(load_records(results_dir), regularisation=regularisation)
records_of = robustness.alternative_records(robustness_dir, regularisation)
for line in robustness.runs_made_lines(default_records, records_of):
    print(line)

# %% tags=["remove-cell"]
# "The alternatives' runs (120, ...)", on the committed runs
if Path(robustness_dir).resolve() == robustness.COMMITTED_ROOT.resolve():
    assert sum(len(records) for records in records_of.values()) == 120, {k: len(v) for k, v in records_of.items()}

# %% [markdown]
# ## Every claim under every alternative

# %% tags=["hide-input"]
rows = robustness.grade_alternatives(default_records, dft, records_of, restricted, datasets.comparison_range())
display(Markdown(robustness.alternatives_markdown(rows, default_records, records_of)))
headline = robustness.robust_headline(rows)
glue("robust_headline", Markdown(headline), display=False)
print(headline)

# %% [markdown]
# ## Basis size at fixed K
#
# Claim 2 ("the curves do not converge in K") mixes the body order with the size of the basis at each
# order. Three sizes per K (half, default, twice the default's functions): the test error and the
# distance of the dimer curve to DFT against the number of functions, per K, for the `diverse` set
# and the tailored set `clusters+dimers`.

# %% tags=["hide-input"]
robustness.basis_size_figure(default_records, records_of);

# %% [markdown]
# **Figure 1.** Test error (left) and the dimer curve's distance to DFT (right) against the number of
# basis functions, three sizes per K (solid: `diverse`; dashed: the tailored set). Where the error falls
# with size while the distance to DFT does not, a larger basis fits the bulk better without learning
# the dimer.

# %% tags=["hide-input"]
display(Markdown(robustness.basis_size_steps_markdown(default_records, records_of, dft)))

# %% [markdown]
# ## The energy zero
#
# With a fitted one-body constant (pacemaker's convention) the potential's dimer still tends to twice
# its own atom, but that atom is no longer the DFT atom. The table gives the fitted shift and the
# distance to DFT of the binding curve (what the claims read) and of the same curve against two DFT
# atoms, which the shift offsets.

# %% tags=["hide-input"]
fitted = records_of.get("E0: fitted", [])
display(Markdown(robustness.energy_zero_markdown(select(fitted, variant="standard", training_set="diverse")
                                                 + select(fitted, training_set="clusters+dimers"))
                 if fitted else "No runs with a fitted energy zero (`python -m linace.study.robustness`)."))
