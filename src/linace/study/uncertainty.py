"""The posterior uncertainty of a dimer curve: where training data constrain it (chapter 06).

Every Bayesian run records its dimer curve E(r) with the posterior standard deviation
sigma(r) = sqrt(b(r)^T Sigma b(r)) of the total and of each body-order contribution 2 V_nu
(:class:`linace.analysis.DimerCurve`). This module reads them from run records: per training set the
median sigma and how much of the comparison range the DFT curve lies inside the +-2 sigma band
(:func:`band_rows`; a calibrated band holds it over about 95 %), the bands as figures
(:func:`band_figure`, :func:`contribution_band_figure`) and which contributions the data fix only in
combination (:func:`contribution_sigma_markdown`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from linace.analysis import CONVERGENCE_RANGE, DimerCurve, band_coverage

from .records import RunRecord, select

__all__ = [
    "SHORT_RANGE",
    "band_figure",
    "band_markdown",
    "band_rows",
    "band_sets",
    "contribution_band_figure",
    "contribution_sigma_markdown",
    "contribution_sigmas",
]

#: The short-distance end of carbon's comparison range (A), where bulk data hold no pair: the band
#: table gives its median sigma apart.
SHORT_RANGE = (1.0, 1.2)


def band_sets(records: Sequence[RunRecord], body_order: int) -> list[str]:
    """The training sets with a run at K = ``body_order``, in the order of the default sweep's plan for
    the standard basis (:data:`linace.study.sweep.DEFAULT_PLAN`), any others after it in name order."""
    from .sweep import DEFAULT_PLAN

    present = {record.training_set for record in select(records, body_order=body_order)}
    order = list(DEFAULT_PLAN["standard"])
    return [s for s in order if s in present] + sorted(present - set(order))


def _curve(records: Sequence[RunRecord], variant: str, training_set: str, body_order: int) -> RunRecord | None:
    match = select(records, variant=variant, training_set=training_set, body_order=body_order)
    return match[0] if match else None


def band_rows(
    records: Sequence[RunRecord],
    variants: Sequence[str],
    training_sets: Sequence[str],
    body_order: int,
    dft_curve: tuple[np.ndarray, np.ndarray],
    r_range: tuple[float, float] = CONVERGENCE_RANGE,
    short_range: tuple[float, float] = SHORT_RANGE,
) -> list[dict]:
    """Per (variant, training set) with a run at K = ``body_order`` whose curve has a posterior: the
    median sigma (eV) over ``r_range`` and over ``short_range`` (A), the record's mean distance to DFT
    (eV) and the fraction of ``r_range`` over which the DFT curve (r in A, E - 2E0 in eV) lies inside
    the +-2 sigma band (:func:`linace.analysis.band_coverage`). Rows {variant, training_set,
    median_sigma, median_sigma_short, distance_to_dft, coverage}."""
    rows = []
    for variant in variants:
        for training_set in training_sets:
            record = _curve(records, variant, training_set, body_order)
            curve = record.dimer if record is not None else None
            if curve is None or curve.std is None:
                continue
            inside = (curve.r >= r_range[0]) & (curve.r <= r_range[1])
            short = (curve.r >= short_range[0]) & (curve.r <= short_range[1])
            rows.append(
                {
                    "variant": variant,
                    "training_set": training_set,
                    "median_sigma": float(np.median(curve.std[inside])),
                    "median_sigma_short": float(np.median(curve.std[short])),
                    "distance_to_dft": record.distance_to_dft,
                    "coverage": band_coverage(curve, *dft_curve, r_range=r_range),
                }
            )
    return rows


def band_markdown(
    rows: Sequence[dict],
    r_range: tuple[float, float] = CONVERGENCE_RANGE,
    short_range: tuple[float, float] = SHORT_RANGE,
) -> str:
    """Markdown table of :func:`band_rows` (the ranges name the columns; A)."""
    lines = [
        f"| variant | training set | median σ (eV) | median σ, {short_range[0]:.1f}–{short_range[1]:.1f} Å (eV) "
        "| mean \\|E − E_DFT\\| (eV) | DFT inside ±2σ |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {row['variant']} | {row['training_set']} | {row['median_sigma']:.3g} | "
        f"{row['median_sigma_short']:.3g} | {row['distance_to_dft']:.3f} | {100 * row['coverage']:.0f} % |"
        for row in rows
    ]
    return "\n".join(lines)


def band_figure(
    records: Sequence[RunRecord],
    variants: Sequence[str],
    training_sets: Sequence[str],
    curve_sets: Sequence[str],
    dft_curve: tuple[np.ndarray, np.ndarray],
    body_order: int,
):
    """One row per variant: left, the dimer curves at K = ``body_order`` of the sets ``curve_sets`` with
    their +-2 sigma bands beside DFT; right, sigma(r) (log scale) of every set of ``training_sets``. One
    colour per training set in every panel, one legend below. Returns the figure."""
    import matplotlib.pyplot as plt

    from .plotting import (
        PAGE_WIDTH_IN,
        TRAINING_SET_COLOURS,
        dimer_axes,
        figure_legend,
        plot_dft_dimer,
        plot_dimer_curve,
    )

    r_dft, e_dft = dft_curve
    fig, axes = plt.subplots(
        len(variants),
        2,
        figsize=(PAGE_WIDTH_IN, 3.0 * len(variants) + 0.6),
        squeeze=False,
        sharex=True,
        constrained_layout=True,
    )
    for (ax_curve, ax_sigma), variant in zip(axes, variants):
        plot_dft_dimer(ax_curve, r_dft, e_dft)
        for training_set in training_sets:
            record = _curve(records, variant, training_set, body_order)
            if record is None:
                continue
            curve, colour = record.dimer, TRAINING_SET_COLOURS[training_set]
            if training_set in curve_sets:
                plot_dimer_curve(ax_curve, curve, label=training_set, contributions=False, color=colour)
            if curve.std is not None:
                ax_sigma.semilogy(curve.r, np.maximum(curve.std, 1e-6), label=training_set, color=colour)
        dimer_axes(ax_curve, ylim=(min(e_dft.min(), -10) - 5, 20), title=f"{variant}, K = {body_order}, ±2σ")
        ax_sigma.set(
            xlabel="C–C distance r (Å)", ylabel="posterior σ of E(r) (eV)", title=f"{variant}, K = {body_order}"
        )
    for ax in axes[0]:
        ax.set_xlabel("")  # the columns share the bottom row's distance axis
    figure_legend(fig, axes[0][1], ncol=4)
    return fig


def contribution_band_figure(curve: DimerCurve, title: str):
    """The body-order contributions 2 V_nu(r) of a dimer curve, each with its +-2 sigma band, and the
    total (black). Returns the figure; the curve must have ``contribution_std``."""
    import matplotlib.pyplot as plt

    from .plotting import BODY_ORDER_COLOURS, dimer_axes

    fig, ax = plt.subplots(figsize=(6.4, 4), constrained_layout=True)
    for order, values in sorted(curve.contributions.items()):
        sigma = curve.contribution_std[order]
        ax.plot(curve.r, values, color=BODY_ORDER_COLOURS[order], label=f"2V$_{order - 1}$ (body order {order})")
        ax.fill_between(
            curve.r, values - 2 * sigma, values + 2 * sigma, color=BODY_ORDER_COLOURS[order], alpha=0.2, lw=0
        )
    ax.plot(curve.r, curve.energy, "k", label="total")
    scale = max(15, 1.1 * max(np.abs(v[curve.r >= 1.0]).max() for v in curve.contributions.values()))
    dimer_axes(ax, ylim=(-scale, scale), title=title)
    ax.legend()
    return fig


def contribution_sigmas(
    curve: DimerCurve, r_range: tuple[float, float] = CONVERGENCE_RANGE
) -> tuple[float, dict[int, float]]:
    """Median sigma (eV) over ``r_range`` (A) of the total and {body order: median sigma} of each
    contribution 2 V_nu."""
    inside = (curve.r >= r_range[0]) & (curve.r <= r_range[1])
    return (
        float(np.median(curve.std[inside])),
        {order: float(np.median(curve.contribution_std[order][inside])) for order in curve.contributions},
    )


def contribution_sigma_markdown(curve: DimerCurve, r_range: tuple[float, float] = CONVERGENCE_RANGE) -> str:
    """One sentence: the median sigma of the total and of each contribution (and its ratio to the
    total's) over ``r_range``, and which contributions are less certain than the sum."""
    total, medians = contribution_sigmas(curve, r_range)
    less = ", ".join(f"$2V_{order - 1}$" for order, value in medians.items() if value > total) or "none"
    more = ", ".join(f"$2V_{order - 1}$" for order, value in medians.items() if value <= total) or "none"
    return (
        f"Median σ over {r_range[0]:.1f}–{r_range[1]:.1f} Å: {total:.3g} eV for the total; "
        + ", ".join(
            f"$2V_{order - 1}$ {value:.3g} eV ({value / total:.1f} × the total's)" for order, value in medians.items()
        )
        + f". Less certain than the sum: {less}; more certain: {more}."
    )
