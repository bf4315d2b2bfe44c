"""The saved earlier states of the study, and how the verdicts moved from one to the next.

Before each change of the reference data or of the fitting code, ``scripts/history_snapshot.py``
saved the study's numbers as they stood, with the code of that time, as
``data/<element>/history/<name>.json`` (a *snapshot*). :data:`STATES` lists them in the order they
were made, each with a title, the change that followed it and a short description; the book's
appendix ``history`` sets them beside the current runs::

    snapshots = load_snapshots()                         # {name: snapshot}, the saved ones, in order
    verdicts = summary_verdicts(snapshots[FIRST_REFERENCE]["summary"])   # {"1a": "partly", ...}

A snapshot is the JSON ``{"description", "data_commit", "E0_eV", "n_runs", "summary"}`` and, from
the second state on, ``"draws"`` (every claim graded over the resampled draws,
:func:`linace.study.claims.snapshot_draws`), then also ``"n_resampled_runs"`` and ``"set_sizes"``
({set name: number of structures}). ``summary`` is :func:`linace.study.claims.study_summary`: every
convergence number of the default sweep (``convergence``: {"<variant>, <training set>": rows}) and
every verdict (``verdicts``: [{claim, verdict, ...}]).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import datasets, report
from .claims import TAILORED_SET, claim_id, compare_over_draws

__all__ = [
    "BEFORE_POOL_GROWTH",
    "BEFORE_WEIGHT_FIX",
    "FIRST_REFERENCE",
    "STATES",
    "State",
    "changes_markdown",
    "draws_history_markdown",
    "history_dir",
    "load_snapshots",
    "state",
    "state_verdicts",
    "summary_verdicts",
    "tailored_convergence_markdown",
    "verdict_history_markdown",
]


@dataclass(frozen=True)
class State:
    """One saved state: ``name`` (the snapshot's file name without ``.json``), ``title`` (the state
    in a few words, a column title), ``change`` (the change that followed it, completing "... n of m
    verdicts changed") and ``description`` (what data and code its numbers come from)."""

    name: str
    title: str
    change: str
    description: str


#: Every saved state, oldest first (the current data and code, "now", follow the last).
STATES = (
    State(
        "study_before_state_search",
        "first reference",
        "when the atom and the dimers were searched",
        "the isolated atom a spherical, fractionally occupied atom; the dimer curve single fixed-moment runs",
    ),
    State(
        "study_before_cluster_search",
        "atom and dimers searched",
        "when the clusters were searched",
        "the atom and the dimers labelled by the state search; the clusters still single runs",
    ),
    State(
        "study_before_pool_growth",
        "clusters searched",
        "when the training sets grew and were drawn anew",
        "the clusters labelled by the state search too; the training sets drawn from a pool of 333 bulk structures",
    ),
    State(
        "study_before_weight_fix",
        "sets grown",
        "when the fit's weights became 1/σ as documented",
        "the pool grown to 1002 structures and the sets drawn anew from it; the fit's row weights used "
        "unsquared as the factors of the squared residuals",
    ),
)

#: The first reference (before the state search of the atom and the dimers).
FIRST_REFERENCE = STATES[0].name
#: The last state with the small training sets (before the pool grew).
BEFORE_POOL_GROWTH = STATES[2].name
#: The last state with the unsquared weights (before the weights were corrected).
BEFORE_WEIGHT_FIX = STATES[3].name


def state(name: str) -> State:
    """The :class:`State` of a snapshot name; ValueError for a name that is not one."""
    for entry in STATES:
        if entry.name == name:
            return entry
    raise ValueError(f"no saved state {name!r}; known: {', '.join(s.name for s in STATES)}")


def history_dir(element: str = datasets.DEFAULT_ELEMENT) -> Path:
    """Where an element's snapshots are: ``<data registry>/<element>/history``."""
    return datasets.element_dir(element) / "history"


def load_snapshots(directory: str | os.PathLike | None = None) -> dict[str, dict]:
    """The saved snapshots of :data:`STATES` found in ``directory`` (default :func:`history_dir`),
    {name: snapshot}, oldest first; states without a file are left out."""
    folder = Path(directory) if directory is not None else history_dir()
    return {
        entry.name: json.loads((folder / f"{entry.name}.json").read_text())
        for entry in STATES
        if (folder / f"{entry.name}.json").exists()
    }


def summary_verdicts(summary: Mapping | None) -> dict[str, str]:
    """{claim id: verdict} of a study summary (:func:`linace.study.claims.study_summary`, a
    snapshot's ``summary``); {} for none."""
    return {claim_id(v["claim"]): v["verdict"] for v in summary["verdicts"]} if summary else {}


def state_verdicts(snapshots: Mapping[str, Mapping], name: str) -> dict[str, str]:
    """{claim id: verdict} of the one fit per (K, set) in a saved state; {} when it is not saved."""
    return summary_verdicts(snapshots.get(name, {}).get("summary"))


def verdict_history_markdown(snapshots: Mapping[str, Mapping], now: tuple[str, Mapping[str, str]]) -> str:
    """Every claim's one-fit verdict in every state of :data:`STATES` and ``now`` (column title,
    {claim id: verdict}): :func:`linace.study.report.verdict_history_markdown` from the first
    reference on (a state not saved: an empty column)."""
    steps = [(entry.title, state_verdicts(snapshots, entry.name)) for entry in STATES[1:]]
    return report.verdict_history_markdown(state_verdicts(snapshots, FIRST_REFERENCE), steps, now)


def changes_markdown(snapshots: Mapping[str, Mapping], now_verdicts: Mapping[str, str]) -> str:
    """What each change did to the one-fit verdicts: a Markdown list, one item per change between two
    states both graded (the last change leads to ``now_verdicts``), e.g. "* when the clusters were
    searched: 1 of 7 verdicts changed (v2a: partly → reproduced)"."""
    following = [state_verdicts(snapshots, entry.name) for entry in STATES[1:]] + [dict(now_verdicts)]
    lines = []
    for entry, after in zip(STATES, following):
        before = state_verdicts(snapshots, entry.name)
        if before and after:
            moved = report.verdict_changes(before, after)
            lines.append(
                f"* {entry.change}: {len(moved)} of {len(after)} verdicts changed"
                + (f" ({'; '.join(moved)})" if moved else "")
            )
    return "\n".join(lines)


def _v2_verdicts(verdicts: Mapping[str, str]) -> str:
    return ", ".join(f"{cid} {verdict}" for cid, verdict in verdicts.items() if cid.startswith("v2"))


def tailored_convergence_markdown(snapshots: Mapping[str, Mapping], now: Mapping) -> str:
    """The last successive-K distance (eV) of the standard basis on the tailored set, the number claim
    v2a turns on, in every state and ``now`` (a study summary), with the second-version verdicts of
    each: a Markdown table ('–' for a state not saved or without that run)."""
    lines = ["| state | last successive-K distance (eV) | v2 verdicts |", "|---|---|---|"]
    for entry in STATES:
        summary = snapshots.get(entry.name, {}).get("summary") or {}
        rows = summary.get("convergence", {}).get(f"standard, {TAILORED_SET}", [])
        last = [row["distance_to_previous_K_eV"] for row in rows][-1:]
        lines.append(
            f"| {entry.title} | {f'{last[0]:.2f}' if last else '–'} | "
            f"{_v2_verdicts(summary_verdicts(summary or None)) or '–'} |"
        )
    rows = now["convergence"].get(f"standard, {TAILORED_SET}", [])
    lines.append(f"| now | {rows[-1]['distance_to_previous_K_eV']:.2f} | {_v2_verdicts(summary_verdicts(now))} |")
    return "\n".join(lines)


def draws_history_markdown(
    snapshots: Mapping[str, Mapping],
    graded: Mapping[int, Sequence],
    now_single: Mapping[str, str],
    now_sizes: tuple[int, int],
) -> list[str]:
    """The verdicts over draws before and after the last two changes, as Markdown blocks: the table of
    the growth of the training sets (both states saved), then, with ``graded`` draws now ({N:
    :func:`linace.study.claims.grade_over_draws`}), the table of the weight correction and a sentence
    counting the verdicts over draws it changed. ``now_single``: {claim id: one-fit verdict now};
    ``now_sizes``: (training-set size, test-set size) now
    (:func:`linace.study.report.draws_comparison_markdown`)."""
    blocks = []
    if BEFORE_POOL_GROWTH in snapshots and BEFORE_WEIGHT_FIX in snapshots:
        grown = snapshots[BEFORE_WEIGHT_FIX]
        blocks.append(
            report.draws_comparison_markdown(
                snapshots[BEFORE_POOL_GROWTH],
                grown["draws"],
                summary_verdicts(grown["summary"]),
                (grown["set_sizes"].get("diverse"), grown["set_sizes"].get("test")),
                "The training sets grew",
            )
        )
    if BEFORE_WEIGHT_FIX in snapshots and graded:
        before = snapshots[BEFORE_WEIGHT_FIX]
        blocks.append(
            report.draws_comparison_markdown(before, graded, now_single, now_sizes, "The weights were corrected")
        )
        moved = report.changes_over_draws(before["draws"], graded)
        compared = [r for r in compare_over_draws(before["draws"], graded) if r["before"] and r["now"]]
        blocks.append(
            f"The weight correction changed {len(moved)} of the {len(compared)} verdicts over draws "
            "tested before and after."
        )
    return blocks
