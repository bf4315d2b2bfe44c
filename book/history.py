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
# # Changes and their effect on the verdicts
#
# The chapters state the results on the current data and code. This appendix sets out how those
# results moved as the reference data and the fitting code were corrected, with the numbers before
# and after each change: a verdict that moves with a change of a few hundredths of an eV against a
# fixed threshold is fragile, and a reader should be able to see which ones did. The criteria never
# changed; the data and the code did.
#
# Each earlier state was saved by `scripts/history_snapshot.py` with the code of its time, as
# `data/C/history/<name>.json` (every convergence number and every verdict of the default sweep,
# and, from the second on, every claim graded over the resampled draws):
#
# 1. **The first reference** (`study_before_state_search`): the isolated atom $E_0$ a spherical,
#    fractionally occupied atom (0.09 eV above the symmetry-broken triplet, so that the dimer curve
#    sat 0.16–0.18 eV below zero at 4–4.5 Å) and a dimer curve of single fixed-moment runs, with jumps
#    of about 0.1 eV between SCF solutions.
# 2. **Atom and dimers searched** (`study_before_cluster_search`): the state search of
#    {doc}`03_training_sets` replaced the atom and the dimers; the clusters were still single runs.
# 3. **Clusters searched** (`study_before_pool_growth`): the clusters of the tailored set labelled by
#    the state search too; the training sets still drawn from a pool of 333 bulk structures (81 per
#    set, a test set of 49).
# 4. **The sets grown** (`study_before_weight_fix`): the pool grown to 1002 structures with the same
#    DFT settings, the training sets (327 each) and the test set (152) drawn anew from it.
# 5. **The weights corrected** (now): `linace.fit.Weights` documents a weight as $1/\sigma$ of its
#    rows (30 per eV/atom for energies, 1 per eV/Å for forces, as in ACEpotentials.jl), so that the
#    loss weighs a squared residual by $1/\sigma^2$. The code had used the weight itself as that
#    factor, so that a squared energy residual counted 30 times as much as a squared force residual
#    instead of 900 times (and the virials' 0.1 per eV/atom counted 0.1 instead of 0.01). The code
#    now does what the documentation says (tested in `tests/test_fit.py`), and every run was repeated.
#
# The bulk DFT data were never recomputed: only $E_0$, and with it every binding energy, moved with
# the state search.

# %% tags=["parameters", "remove-cell"]
results_dir = "../results"  # the sweep's run records on the current data
resampled_dir = "../results/resampled"  # the resampled runs on the current data
regularisation = "blr"  # regularisation of the runs compared

# %% tags=["remove-cell"]
import json

from IPython.display import Markdown, display

from linace.study import datasets, report
from linace.study.claims import (TAILORED_SET, assess_claims, assess_v2_claims, claim_id, compare_over_draws,
                                 compare_summaries, grade_over_draws, select, study_summary)
from linace.study.results import dft_dimer_curve, load_results

history = datasets.element_dir() / "history"
SNAPSHOTS = {  # file: (column title, the change that followed it)
    "study_before_state_search": ("first reference", "when the atom and the dimers were searched"),
    "study_before_cluster_search": ("atom and dimers searched", "when the clusters were searched"),
    "study_before_pool_growth": ("clusters searched", "when the training sets grew and were drawn anew"),
    "study_before_weight_fix": ("sets grown", "when the fit's weights became 1/σ as documented"),
}
snapshots = {name: json.loads((history / f"{name}.json").read_text())
             for name in SNAPSHOTS if (history / f"{name}.json").exists()}
records = select(load_results(results_dir), regularisation=regularisation)
resampled = select(load_results(resampled_dir), regularisation=regularisation)
dft = dft_dimer_curve(datasets.load("dimers"), datasets.e0())[:2]
if not records:
    raise RuntimeError(f"no run records in {results_dir}: run `make sweep` first")
now = study_summary(records, dft, regularisation=regularisation)
now_verdicts = {claim_id(v["claim"]): v["verdict"] for v in now["verdicts"]}
sizes = sorted({r["parameters"]["train_size"] for r in resampled})
graded = {size: grade_over_draws(resampled, dft, size, regularisation) for size in sizes}

# %% [markdown]
# ## The verdicts of one fit, state by state
#
# Each claim's verdict on one potential per body order and training set (chapter {doc}`05_results`),
# in every saved state; bold where the verdict differs now from the first reference.

# %% tags=["remove-input"]
if snapshots:
    def verdicts_of(name):
        summary = snapshots.get(name, {}).get("summary")
        return {claim_id(v["claim"]): v["verdict"] for v in summary["verdicts"]} if summary else {}

    names = list(SNAPSHOTS)
    display(Markdown(report.verdict_history_markdown(
        verdicts_of(names[0]), [(SNAPSHOTS[name][0], verdicts_of(name)) for name in names[1:]],
        (f"now ({len(datasets.load('diverse'))} per training set)", now_verdicts))))
    following = [verdicts_of(name) for name in names[1:]] + [now_verdicts]
    lines = []
    for name, after in zip(names, following):
        before = verdicts_of(name)
        if before and after:
            moved = report.verdict_changes(before, after)
            lines.append(f"* {SNAPSHOTS[name][1]}: {len(moved)} of {len(after)} verdicts changed"
                         + (f" ({'; '.join(moved)})" if moved else ""))
    display(Markdown("\n".join(lines)))
else:
    display(Markdown(f"No earlier state is saved in `{history}`."))

# %% [markdown]
# ## Every convergence number, first reference and now
#
# The distance between the dimer curves of successive $K$, the distance to DFT (both mean absolute
# differences over 1.0–4.5 Å), and the position and depth of the minimum of every run of the default
# sweep, on the first reference → now.

# %% tags=["remove-input"]
if "study_before_state_search" in snapshots:
    display(Markdown(report.summary_comparison_markdown(
        compare_summaries(snapshots["study_before_state_search"]["summary"], now))))

# %% [markdown]
# The last successive-K distance of the standard basis on the tailored set (`clusters+dimers`), the
# number claim v2a turns on, state by state (eV), with the second-version verdicts of that state:

# %% tags=["remove-input"]
lines = ["| state | last successive-K distance (eV) | v2 verdicts |", "|---|---|---|"]
for name, (title, _) in SNAPSHOTS.items():
    summary = snapshots.get(name, {}).get("summary") or {}
    rows = summary.get("convergence", {}).get(f"standard, {TAILORED_SET}", [])
    last = [row["distance_to_previous_K_eV"] for row in rows][-1:]
    v2 = ", ".join(f"{claim_id(v['claim'])} {v['verdict']}" for v in summary.get("verdicts", [])
                   if claim_id(v["claim"]).startswith("v2"))
    lines.append(f"| {title} | {f'{last[0]:.2f}' if last else '–'} | {v2 or '–'} |")
rows = now["convergence"].get(f"standard, {TAILORED_SET}", [])
lines.append(f"| now | {rows[-1]['distance_to_previous_K_eV']:.2f} | "
             + ", ".join(f"{cid} {verdict}" for cid, verdict in now_verdicts.items() if cid.startswith("v2")) + " |")
display(Markdown("\n".join(lines)))

# %% [markdown]
# ## The verdicts over draws, before and after the last two changes
#
# Each claim graded over the resampled draws (chapter {doc}`05b_evidence`) before and after the
# training sets grew, and before and after the weights were corrected, at every N both states have
# (a verdict over draws that changed at a size tested both times is bold, and listed under its table).
# The draws of an earlier state are read in today's labels: a claim that held at least partly in
# every draw is "partly (in every draw)", as it would be graded now.

# %% tags=["remove-input"]
now_single = {claim_id(v.claim): v.verdict
              for v in assess_claims(select(records, variant="standard"), dft) + assess_v2_claims(records, dft)}
now_sizes = (len(datasets.load("diverse")), len(datasets.load("test")))
if "study_before_pool_growth" in snapshots and "study_before_weight_fix" in snapshots:
    grown = snapshots["study_before_weight_fix"]
    grown_single = {claim_id(v["claim"]): v["verdict"] for v in grown["summary"]["verdicts"]}
    display(Markdown(report.draws_comparison_markdown(
        snapshots["study_before_pool_growth"], grown["draws"], grown_single,
        (grown["set_sizes"].get("diverse"), grown["set_sizes"].get("test")), "The training sets grew")))
if "study_before_weight_fix" in snapshots and graded:
    display(Markdown(report.draws_comparison_markdown(snapshots["study_before_weight_fix"], graded, now_single,
                                                      now_sizes, "The weights were corrected")))
    moved = report.changes_over_draws(snapshots["study_before_weight_fix"]["draws"], graded)
    compared = [r for r in compare_over_draws(snapshots["study_before_weight_fix"]["draws"], graded)
                if r["before"] and r["now"]]
    display(Markdown(f"The weight correction changed {len(moved)} of the {len(compared)} verdicts over draws "
                     "tested before and after."))
