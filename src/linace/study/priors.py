"""The smoothness prior against the flat one, read from run records (chapter 06).

ACEpotentials.jl's smoothness prior gives coefficient c_B the prior precision ~ gamma_B^2 with
gamma_B = 1 + sum_t [(n_t - 1)^2 + (w_L l_t)^2] (:func:`linace.fit.smoothness_prior`); the regularisation
``blr-smooth`` fits with it, ``blr`` with a flat prior, both by evidence maximisation. The sweep runs
both on the sets of :data:`linace.study.sweep.PRIOR_COMPARISON`; :func:`prior_pairs` pairs the two runs
of one (variant, training set, K), :func:`prior_markdown` and :func:`prior_figure` set them side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from linace.analysis import curve_distance

from .records import RunRecord, select

__all__ = ["FLAT", "SMOOTH", "PriorPair", "prior_figure", "prior_markdown", "prior_pairs"]

#: The regularisations compared (keys of :data:`linace.study.runs.REGULARISATIONS`).
FLAT, SMOOTH = "blr", "blr-smooth"


@dataclass(frozen=True)
class PriorPair:
    """The runs of one (variant, training set, K) with the flat prior and with the smoothness prior."""

    variant: str
    training_set: str
    flat: RunRecord
    smooth: RunRecord

    @property
    def difference(self) -> float:
        """Mean |E_flat(r) - E_smooth(r)| of the two dimer curves (eV) over carbon's comparison range
        1.0-4.5 A (:func:`linace.analysis.curve_distance`)."""
        flat, smooth = self.flat.dimer, self.smooth.dimer
        return curve_distance(flat.r, flat.energy, smooth.r, smooth.energy)


def prior_pairs(
    records: Sequence[RunRecord], variants: Sequence[str], training_sets: Sequence[str], body_order: int
) -> list[PriorPair]:
    """The :class:`PriorPair` of every (variant, training set) at K = ``body_order`` that has both runs,
    variants slowest. ``records`` of every regularisation (e.g. :func:`linace.study.records.load_records`)."""
    pairs = []
    for variant in variants:
        for training_set in training_sets:
            runs = [
                select(
                    records,
                    variant=variant,
                    training_set=training_set,
                    body_order=body_order,
                    regularisation=regularisation,
                )
                for regularisation in (FLAT, SMOOTH)
            ]
            if all(runs):
                pairs.append(PriorPair(variant, training_set, runs[0][0], runs[1][0]))
    return pairs


def prior_markdown(pairs: Sequence[PriorPair]) -> str:
    """Two rows per pair (flat, smoothness prior): distance to DFT (eV), the distance between the two
    curves (eV) and the test RMSE of energy (meV/atom) and forces (eV/A). A Markdown table."""
    lines = [
        "| variant | training set | prior | to DFT (eV) | flat vs smooth (eV) | test E / F RMSE |",
        "|---|---|---|---|---|---|",
    ]
    for pair in pairs:
        for record, name in ((pair.flat, "flat prior"), (pair.smooth, "smoothness prior")):
            errors = record.test_errors
            lines.append(
                f"| {pair.variant} | {pair.training_set} | {name} | {record.distance_to_dft:.3f} | "
                f"{pair.difference:.3f} | "
                f"{errors['energy_rmse_meV_per_atom']:.3g} / {errors['force_rmse_eV_per_A']:.3g} |"
            )
    return "\n".join(lines)


def prior_figure(
    pairs: Sequence[PriorPair],
    variants: Sequence[str],
    training_sets: Sequence[str],
    dft_curve: tuple[np.ndarray, np.ndarray],
    body_order: int,
):
    """One panel per (variant, training set), variants down: the dimer curves with the flat and the
    smoothness prior (with their +-2 sigma bands) beside DFT; a panel without its pair stays empty. One
    legend below. Returns the figure."""
    import matplotlib.pyplot as plt

    from .plotting import PAGE_WIDTH_IN, dimer_axes, figure_legend, plot_dft_dimer, plot_dimer_curve

    r_dft, e_dft = dft_curve
    by_panel = {(pair.variant, pair.training_set): pair for pair in pairs}
    fig, axes = plt.subplots(
        len(variants),
        len(training_sets),
        figsize=(PAGE_WIDTH_IN, 2.8 * len(variants) + 0.6),
        squeeze=False,
        sharex=True,
        sharey=True,
        constrained_layout=True,
    )
    for row, variant in zip(axes, variants):
        for ax, training_set in zip(row, training_sets):
            pair = by_panel.get((variant, training_set))
            if pair is None:
                continue
            plot_dft_dimer(ax, r_dft, e_dft)
            for record, name in ((pair.flat, "flat prior"), (pair.smooth, "smoothness prior")):
                plot_dimer_curve(ax, record.dimer, label=name, contributions=False)
            dimer_axes(ax, ylim=(min(e_dft.min(), -10) - 5, 20), title=f"{variant}, {training_set}, K = {body_order}")
            ax.label_outer()
    figure_legend(fig, axes[0][0], ncol=3)
    return fig
