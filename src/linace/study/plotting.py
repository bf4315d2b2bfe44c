"""Figures shared by the chapters: parity plots and dimer curves with their body-order decomposition.

Every function draws on a given matplotlib ``Axes`` and labels its axes with units.
"""

from __future__ import annotations

import numpy as np

from linace.analysis import DimerCurve

__all__ = ["BODY_ORDER_COLOURS", "LEARNING_LABELS", "MAX_PANELS_PER_ROW", "panel_grid", "convergence_axes", "dimer_axes", "learning_axes",
           "plot_convergence", "plot_dimer_curve", "plot_dft_dimer", "plot_dimer_states", "plot_learning_curve", "parity"]

#: One colour per body order, used consistently across chapters.
BODY_ORDER_COLOURS = {2: "tab:blue", 3: "tab:orange", 4: "tab:green", 5: "tab:red"}


def parity(ax, reference: np.ndarray, predicted: np.ndarray, quantity: str, unit: str, **scatter) -> None:
    """Predicted vs reference values with the diagonal and the RMSE in the legend."""
    reference, predicted = np.ravel(reference), np.ravel(predicted)
    rmse = float(np.sqrt(np.mean((predicted - reference) ** 2)))
    ax.scatter(reference, predicted, s=scatter.pop("s", 6), alpha=scatter.pop("alpha", 0.5),
               label=scatter.pop("label", f"RMSE {rmse:.3g} {unit}"), **scatter)
    low, high = min(reference.min(), predicted.min()), max(reference.max(), predicted.max())
    ax.plot([low, high], [low, high], color="k", lw=0.8)
    ax.set(xlabel=f"DFT {quantity} ({unit})", ylabel=f"ACE {quantity} ({unit})")
    ax.legend(loc="upper left", fontsize=8)


def dimer_axes(ax, ylim: tuple[float, float] = (-10.0, 10.0), title: str | None = None, element: str = "C") -> None:
    """Axis labels and limits of a dimer-curve plot of ``element``."""
    ax.axhline(0.0, color="grey", lw=0.6)
    ax.set(xlabel=f"{element}–{element} distance r (Å)", ylabel="E(r) − 2E$_0$ (eV)", ylim=ylim)
    if title:
        ax.set_title(title)


def plot_dimer_states(ax, dimers, e_atom: float, legend: bool = True) -> None:
    """The labelled DFT dimer curve, each winning state in its own colour (markers), with the
    lowest curve of every total moment faint behind it (lines), E - 2 E0 in eV against r in A.

    ``dimers``: the exported dimers (state-search info, see :func:`linace.study.reference.dimer_runs`).
    """
    from .reference import dimer_runs, state_markup, state_segments

    runs = dimer_runs(dimers, e_atom)
    grid = sorted({row["r"] for row in runs})
    for moment in sorted({row["moment"] for row in runs}):
        best = dict.fromkeys(grid, np.nan)  # NaN: no run converged there, the line breaks
        for row in runs:
            if row["moment"] == moment:
                best[row["r"]] = np.nanmin([best[row["r"]], row["binding"]])
        ax.plot(grid, [best[x] for x in grid], lw=1.0, alpha=0.35, color="grey",
                ls=("-", "--", ":", "-.")[(moment // 2) % 4], label=f"lowest at M = {moment} μ$_B$")
    r_all = np.array([a.get_distance(0, 1) for a in dimers])
    e_all = np.array([a.get_potential_energy() - 2 * e_atom for a in dimers])
    seen: dict[str, str] = {}
    for segment in state_segments(dimers):
        inside = (r_all >= segment["r_min"] - 1e-9) & (r_all <= segment["r_max"] + 1e-9)
        name = f"{state_markup(segment['state'])} (M = {segment['moment']}, {segment['occupation']})"
        first = name not in seen
        colour = seen.setdefault(name, f"C{len(seen)}")
        ax.plot(r_all[inside], e_all[inside], "o", ms=3.5, color=colour,
                label=name if first else None)
    dimer_axes(ax, ylim=(min(e_all.min(), 0) - 0.5, max(2.0, min(e_all.max(), 6.0))),
               element=dimers[0].get_chemical_symbols()[0])
    if legend:
        ax.legend(fontsize=8)


def plot_dft_dimer(ax, r: np.ndarray, energy: np.ndarray, **style) -> None:
    """The DFT reference curve (black markers)."""
    ax.plot(r, energy, "o", color="k", ms=3, label=style.pop("label", "DFT (PBE)"), **style)


def plot_dimer_curve(ax, curve: DimerCurve, label: str = "ACE", contributions: bool = True,
                     band: bool = True, **style) -> None:
    """A model's dimer curve; optionally its 2 V_nu contributions (dashed) and a ±2σ posterior band."""
    line, = ax.plot(curve.r, curve.energy, label=label, **style)
    if band and curve.std is not None:
        ax.fill_between(curve.r, curve.energy - 2 * curve.std, curve.energy + 2 * curve.std,
                        color=line.get_color(), alpha=0.2, lw=0, label=f"{label} ±2σ")
    if contributions:
        for order, values in sorted(curve.contributions.items()):
            ax.plot(curve.r, values, ls="--", lw=1, color=BODY_ORDER_COLOURS.get(order),
                    label=f"2 V$_{{{order - 1}}}$ (body order {order})")


def plot_convergence(ax_steps, ax_dft, table, label: str, style: str = "o-", **kwargs) -> None:
    """One convergence table (:func:`linace.study.results.convergence_table`) on two log axes: the distance
    between successive-K curves, and the distance to DFT, against K."""
    orders = [row["body_order"] for row in table]
    ax_steps.semilogy(orders[1:], [row["distance_to_previous_K_eV"] for row in table[1:]], style, label=label, **kwargs)
    ax_dft.semilogy(orders, [row["distance_to_dft_eV"] for row in table], style, label=label, **kwargs)


def convergence_axes(ax_steps, ax_dft, orders, fontsize: float = 8, r_range: tuple[float, float] = (1.0, 4.5)) -> None:
    """Labels (with units), ticks and legends of the two axes of :func:`plot_convergence`."""
    over = f"over {r_range[0]:.1f}–{r_range[1]:.1f} Å"
    ax_steps.set(xlabel="body order K", ylabel=f"mean $|E_K - E_{{K-1}}|$ {over} (eV)", title="successive K")
    ax_dft.set(xlabel="body order K", ylabel=f"mean $|E_K - E_\\mathrm{{DFT}}|$ {over} (eV)", title="distance to DFT")
    for ax in (ax_steps, ax_dft):
        ax.set_xticks(list(orders))
        ax.legend(fontsize=fontsize)


def plot_learning_curve(ax, rows, quantity: str, label: str | None = None, **style) -> None:
    """A learning curve: the median over draws of ``quantity`` against the training-set size N (log
    axes), with the 10-90 % range over draws as a band.

    ``rows``: rows of :func:`linace.study.resample.learning_curves` for one (variant, training set, K),
    any order; ``quantity``: one of :data:`linace.study.resample.LEARNING_QUANTITIES`.
    """
    rows = sorted(rows, key=lambda row: row["train_size"])
    sizes = [row["train_size"] for row in rows]
    median, low, high = ([row[quantity][q] for row in rows] for q in ("median", "p10", "p90"))
    style.setdefault("marker", "o")
    line, = ax.loglog(sizes, median, label=label, **style)
    ax.fill_between(sizes, low, high, color=line.get_color(), alpha=0.2, lw=0)


#: Axis labels (with units) of the quantities of a learning curve.
LEARNING_LABELS = {
    "test_energy_rmse_meV_per_atom": "test energy RMSE (meV/atom)",
    "test_force_rmse_eV_per_A": "test force RMSE (eV/Å)",
    "distance_to_dft_eV": "dimer: mean |E − E$_{DFT}$| (eV)",
}


def learning_axes(ax, sizes, quantity: str, title: str | None = None) -> None:
    """Labels (with units) and the size ticks of a :func:`plot_learning_curve` panel."""
    from matplotlib.ticker import LogFormatter, NullLocator

    class PlainLogFormatter(LogFormatter):
        """The ticks matplotlib's LogFormatter labels, written as plain numbers (0.6, 2, 4000)."""

        def _num_to_string(self, x, vmin, vmax):
            return f"{x:g}"

    ax.set_xticks(list(sizes), [str(n) for n in sizes])
    ax.xaxis.set_minor_locator(NullLocator())  # the y axis keeps its (labelled) minor ticks
    if ax.get_yscale() == "log":
        ax.yaxis.set_major_formatter(PlainLogFormatter(labelOnlyBase=False))
        ax.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
    ax.set(xlabel="training structures N", ylabel=LEARNING_LABELS[quantity])
    if title:
        ax.set_title(title, fontsize=10)


#: At most this many panels per row: at the book's page width each panel stays readable.
MAX_PANELS_PER_ROW = 3


def panel_grid(n_panels: int, panel_width: float = 4.0, panel_height: float = 3.5, **subplots):
    """A figure of ``n_panels`` axes, at most :data:`MAX_PANELS_PER_ROW` per row (unused slots
    hidden). Returns (figure, flat list of the ``n_panels`` axes)."""
    import matplotlib.pyplot as plt

    columns = max(1, min(n_panels, MAX_PANELS_PER_ROW))
    rows = max(1, -(-n_panels // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(panel_width * columns, panel_height * rows),
                             squeeze=False, constrained_layout=True, **subplots)
    flat = list(axes.flat)
    for ax in flat[n_panels:]:
        ax.set_visible(False)
    return fig, flat[:n_panels]
