"""Standard and pure bases on bulk, cluster and tailored data: what chapters 06 and 07 read from the runs
of one element.

The default sweep runs the pure basis on the sets of the paper's second-version test
(:data:`linace.study.sweep.DEFAULT_PLAN`); the chapters compare the variants on the sets both were run on
(:func:`compared_sets`), quote the convergence numbers of each (:func:`convergence_glue`,
:func:`successive_chain`), set the standard and the pure curve of one (K, set) against the change from
one K to the next (:func:`variant_gaps`) and an element's verdicts beside another's
(:func:`verdicts_beside_markdown`), and how the body orders of the two bases share the dimer's energy
(:func:`decomposition_figure`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from linace.analysis import cancellation_ratio, curve_distance

from .claims import CLAIM_TITLES, Verdict, claim_id, convergence_steps
from .records import RunRecord, by_body_order, select
from .results import convergence_table, record_range

__all__ = [
    "compared_sets",
    "convergence_glue",
    "decomposition_figure",
    "successive_chain",
    "variant_gaps",
    "variants_of",
    "verdicts_beside_markdown",
]


def variants_of(records: Sequence[RunRecord]) -> list[str]:
    """The basis variants the records hold, in the order of :data:`linace.study.runs.VARIANTS`."""
    from .runs import VARIANTS

    return [variant for variant in VARIANTS if select(records, variant=variant)]


def compared_sets(records: Sequence[RunRecord], variants: Sequence[str]) -> list[str]:
    """The training sets of the pure basis in the default sweep (:data:`linace.study.sweep.DEFAULT_PLAN`,
    in its order) that the records hold for every one of ``variants``."""
    from .sweep import DEFAULT_PLAN

    return [s for s in DEFAULT_PLAN["pure"] if all(select(records, variant=v, training_set=s) for v in variants)]


def _chain(values: Sequence[float]) -> str:
    return " → ".join(f"{v:.2f}" for v in values)


def convergence_glue(
    records: Sequence[RunRecord],
    variants: Sequence[str],
    training_sets: Sequence[str],
    dft_curve: tuple[np.ndarray, np.ndarray],
) -> dict[str, str]:
    """The convergence numbers chapter 06's conclusion quotes, by glue name, per (variant, training set)
    at K >= 3 (key ``<variant>_<set>``, ``+`` as ``_``; eV, two decimals): ``prev_<key>`` the successive-K
    distances ('1.39 → 0.16 → 0.05'), ``dft_<key>`` the distances to DFT, ``prev_max_<key>`` the
    largest successive-K distance, ``dft_range_<key>`` the range of the distances to DFT
    ('0.02–0.13'), ``last_<key>`` the last successive-K distance. Every (variant, set) needs runs at K >= 3
    (ValueError otherwise: there would be no number to quote)."""
    values = {}
    for variant in variants:
        for training_set in training_sets:
            table = convergence_table(select(records, variant=variant, training_set=training_set), dft_curve)
            rows = [row for row in table if row["body_order"] >= 3]
            previous = [row["distance_to_previous_K_eV"] for row in rows]
            to_dft = [row["distance_to_dft_eV"] for row in rows]
            key = f"{variant}_{training_set.replace('+', '_')}"
            values[f"prev_{key}"] = _chain(previous)
            values[f"dft_{key}"] = _chain(to_dft)
            values[f"prev_max_{key}"] = f"{max(previous):.2f}"
            values[f"dft_range_{key}"] = f"{min(to_dft):.2f}–{max(to_dft):.2f}"
            values[f"last_{key}"] = f"{previous[-1]:.2f}"
    return values


def successive_chain(
    records: Sequence[RunRecord], variant: str, training_set: str, dft_curve: tuple[np.ndarray, np.ndarray]
) -> str:
    """The successive-K distances (eV) of one (variant, training set) as '0.62 → 0.05 → 0.01', or
    'no runs'."""
    runs = by_body_order(select(records, variant=variant, training_set=training_set))
    return _chain(convergence_steps(runs, dft_curve)) if runs else "no runs"


def variant_gaps(
    records: Sequence[RunRecord], training_sets: Sequence[str], dft_curve: tuple[np.ndarray, np.ndarray]
) -> list[dict]:
    """How far apart the standard and the pure dimer curve of one (training set, K) are, beside the
    standard basis's change from K - 1 to K and its distance to DFT (eV, over the comparison range of
    the records): one row {training_set, K, standard_vs_pure, successive, to_dft} per pair of runs
    (``successive`` NaN at the lowest K)."""
    rows = []
    for training_set in training_sets:
        standard = select(records, variant="standard", training_set=training_set)
        table = {row["body_order"]: row for row in convergence_table(standard, dft_curve)}
        for record in by_body_order(standard):
            pure = select(records, variant="pure", training_set=training_set, body_order=record.body_order)
            if not pure:
                continue
            a, b = record.dimer, pure[0].dimer
            row = table[record.body_order]
            rows.append(
                {
                    "training_set": training_set,
                    "K": record.body_order,
                    "standard_vs_pure": curve_distance(a.r, a.energy, b.r, b.energy, record_range(record)),
                    "successive": row["distance_to_previous_K_eV"],
                    "to_dft": row["distance_to_dft_eV"],
                }
            )
    return rows


def verdicts_beside_markdown(
    verdicts: Sequence[Verdict], others: Mapping[str, str], element: str, other_element: str = "C"
) -> str:
    """The verdicts of one element's claims beside another's (``others``: {claim id: verdict}, 'no
    carbon runs' where it has none): a Markdown table | claim | the paper says | element | other |."""
    missing = f"no {'carbon' if other_element == 'C' else other_element} runs"
    lines = [f"| claim | the paper says | {element} | {other_element} |", "|---|---|---|---|"]
    lines += [
        f"| {claim_id(v.claim)} | {CLAIM_TITLES[claim_id(v.claim)]} | **{v.verdict}** "
        f"| {others.get(claim_id(v.claim), missing)} |"
        for v in verdicts
    ]
    return "\n".join(lines)


def decomposition_figure(
    records: Sequence[RunRecord],
    variants: Sequence[str],
    training_set: str,
    body_order: int,
    dft_curve: tuple[np.ndarray, np.ndarray],
    r_range: tuple[float, float],
    element: str = "C",
):
    """One panel per variant: the dimer curve at K = ``body_order`` trained on ``training_set`` (black) with its
    body-order contributions 2 V_nu beside DFT, the energy axis scaled to the largest contribution from
    ``r_range[0]`` on (A); a variant without that run leaves its panel hidden. Returns (figure, {variant:
    :func:`linace.analysis.cancellation_ratio` over ``r_range``})."""
    import matplotlib.pyplot as plt

    from .plotting import PAGE_WIDTH_IN, dimer_axes, figure_legend, plot_dft_dimer, plot_dimer_curve

    ratios = {}
    fig, axes = plt.subplots(
        1, len(variants), figsize=(PAGE_WIDTH_IN, 3.6), squeeze=False, sharey=True, constrained_layout=True
    )
    for ax, variant in zip(axes[0], variants):
        match = select(records, variant=variant, training_set=training_set, body_order=body_order)
        if not match:
            ax.set_visible(False)
            continue
        curve = match[0].dimer
        plot_dft_dimer(ax, *dft_curve)
        plot_dimer_curve(ax, curve, label="total", color="k", band=False)
        inside = curve.r >= r_range[0]
        scale = max(8.0, 1.1 * max(np.abs(v[inside]).max() for v in curve.contributions.values()))
        dimer_axes(ax, ylim=(-scale, scale), title=f"{variant}, {training_set}, K = {body_order}", element=element)
        ax.label_outer()
        ratios[variant] = cancellation_ratio(curve, r_range)
    figure_legend(fig, axes[0][0], ncol=3)
    return fig, ratios
