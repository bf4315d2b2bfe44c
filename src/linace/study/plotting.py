"""Figures shared by the chapters: parity plots and dimer curves with their body-order decomposition.

Every function draws on a given matplotlib ``Axes`` and labels its axes with units.
"""

from __future__ import annotations

import numpy as np
from cycler import cycler

from linace.analysis import CONVERGENCE_RANGE, DimerCurve

__all__ = [
    "BODY_ORDER_COLOURS",
    "BOOK_STYLE",
    "FAMILY_GROUPS",
    "GROUP_STYLES",
    "LEARNING_LABELS",
    "MAX_PANELS_PER_ROW",
    "OKABE_ITO",
    "PAGE_WIDTH_IN",
    "TRAINING_SET_COLOURS",
    "VARIANT_STYLES",
    "convergence_axes",
    "dimer_axes",
    "energy_volume_panels",
    "family_group",
    "figure_legend",
    "learning_axes",
    "panel_grid",
    "parity",
    "plot_convergence",
    "plot_dft_dimer",
    "plot_dimer_curve",
    "plot_dimer_states",
    "plot_learning_curve",
    "use_book_style",
]

#: The colour-blind-safe palette of Okabe and Ito (2008), black left out: blue, orange, bluish green,
#: vermillion, reddish purple, sky blue, yellow (the yellow last: it is faint on white).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")

#: One colour per body order, used consistently across chapters.
BODY_ORDER_COLOURS = {2: OKABE_ITO[0], 3: OKABE_ITO[1], 4: OKABE_ITO[2], 5: OKABE_ITO[3]}

#: One colour per training set, used consistently across chapters (pool and test in greys).
TRAINING_SET_COLOURS = {
    "dimers": OKABE_ITO[4],
    "narrow": OKABE_ITO[5],
    "crystals": OKABE_ITO[1],
    "diverse": OKABE_ITO[0],
    "clusters": OKABE_ITO[3],
    "clusters+dimers": OKABE_ITO[2],
    "test": "0.35",
    "pool": "0.6",
}

#: Line style and marker of each basis variant.
VARIANT_STYLES = {"standard": {"ls": "-", "marker": "o"}, "pure": {"ls": "--", "marker": "s"}}

#: Width (inches) of a figure that fills the book's text column at 100 dpi (about 770 px at a 1400 px
#: window): shown at its own size, so that 10-pt text reads as 10 pt.
PAGE_WIDTH_IN = 7.6

#: The book's figure style: page-wide figures at 100 dpi, text of at least 9 pt, the Okabe-Ito colours.
BOOK_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (PAGE_WIDTH_IN, 3.6),
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "figure.titlesize": 10,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
    "lines.markersize": 5,
}


def use_book_style() -> None:
    """Set :data:`BOOK_STYLE` for the figures that follow (a chapter calls it once, after its imports)."""
    import matplotlib

    matplotlib.rcParams.update(BOOK_STYLE)


def figure_legend(fig, ax=None, ncol: int = 3, **kwargs) -> None:
    """One legend for the whole figure, below its panels: the labelled artists of ``ax`` (default: every
    axis of the figure, each label once)."""
    handles, labels = [], []
    for axis in [ax] if ax is not None else fig.axes:
        for handle, label in zip(*axis.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol, frameon=False, **kwargs)


def parity(ax, reference: np.ndarray, predicted: np.ndarray, quantity: str, unit: str, **scatter) -> None:
    """Predicted vs reference values with the diagonal and the RMSE in the legend."""
    reference, predicted = np.ravel(reference), np.ravel(predicted)
    rmse = float(np.sqrt(np.mean((predicted - reference) ** 2)))
    ax.scatter(
        reference,
        predicted,
        s=scatter.pop("s", 6),
        alpha=scatter.pop("alpha", 0.5),
        label=scatter.pop("label", f"RMSE {rmse:.3g} {unit}"),
        **scatter,
    )
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
        ax.plot(
            grid,
            [best[x] for x in grid],
            lw=1.0,
            alpha=0.35,
            color="grey",
            ls=("-", "--", ":", "-.")[(moment // 2) % 4],
            label=f"lowest at M = {moment} μ$_B$",
        )
    r_all = np.array([a.get_distance(0, 1) for a in dimers])
    e_all = np.array([a.get_potential_energy() - 2 * e_atom for a in dimers])
    seen: dict[str, str] = {}
    for segment in state_segments(dimers):
        inside = (r_all >= segment["r_min"] - 1e-9) & (r_all <= segment["r_max"] + 1e-9)
        name = f"{state_markup(segment['state'])} (M = {segment['moment']}, {segment['occupation']})"
        first = name not in seen
        colour = seen.setdefault(name, f"C{len(seen)}")
        ax.plot(r_all[inside], e_all[inside], "o", ms=3.5, color=colour, label=name if first else None)
    dimer_axes(
        ax,
        ylim=(min(e_all.min(), 0) - 0.5, max(2.0, min(e_all.max(), 6.0))),
        element=dimers[0].get_chemical_symbols()[0],
    )
    if legend:
        ax.legend(fontsize=8)


def plot_dft_dimer(ax, r: np.ndarray, energy: np.ndarray, **style) -> None:
    """The DFT reference curve (black markers)."""
    ax.plot(r, energy, "o", color="k", ms=3, label=style.pop("label", "DFT (PBE)"), **style)


def plot_dimer_curve(
    ax, curve: DimerCurve, label: str = "ACE", contributions: bool = True, band: bool = True, **style
) -> None:
    """A model's dimer curve; optionally its 2 V_nu contributions (dashed) and a ±2σ posterior band."""
    (line,) = ax.plot(curve.r, curve.energy, label=label, **style)
    if band and curve.std is not None:
        ax.fill_between(
            curve.r,
            curve.energy - 2 * curve.std,
            curve.energy + 2 * curve.std,
            color=line.get_color(),
            alpha=0.2,
            lw=0,
            label=f"{label} ±2σ",
        )
    if contributions:
        for order, values in sorted(curve.contributions.items()):
            ax.plot(
                curve.r,
                values,
                ls="--",
                lw=1,
                color=BODY_ORDER_COLOURS.get(order),
                label=f"2 V$_{{{order - 1}}}$ (body order {order})",
            )


def plot_convergence(ax_steps, ax_dft, table, label: str, style: str = "", **kwargs) -> None:
    """One convergence table (:func:`linace.study.results.convergence_table`) on two log axes: the distance
    between successive-K curves, and the distance to DFT, against K. ``style``: a matplotlib format
    string (e.g. "o-"), or line style and marker as keywords (:data:`VARIANT_STYLES`)."""
    fmt = (style or "o-",) if style or "marker" not in kwargs else ()
    orders = [row["body_order"] for row in table]
    ax_steps.semilogy(orders[1:], [row["distance_to_previous_K_eV"] for row in table[1:]], *fmt, label=label, **kwargs)
    ax_dft.semilogy(orders, [row["distance_to_dft_eV"] for row in table], *fmt, label=label, **kwargs)


def convergence_axes(
    ax_steps,
    ax_dft,
    orders,
    fontsize: float | None = None,
    r_range: tuple[float, float] = CONVERGENCE_RANGE,
    legend: bool = True,
) -> None:
    """Labels (with units), ticks and (with ``legend``) legends of the two axes of :func:`plot_convergence`;
    the comparison range ``r_range`` (A) is said in the titles."""
    over = f"{r_range[0]:.1f}–{r_range[1]:.1f} Å"
    ax_steps.set(xlabel="body order K", ylabel="mean $|E_K - E_{K-1}|$ (eV)", title=f"successive K, over {over}")
    ax_dft.set(xlabel="body order K", ylabel="mean $|E_K - E_\\mathrm{DFT}|$ (eV)", title=f"to DFT, over {over}")
    for ax in (ax_steps, ax_dft):
        ax.set_xticks(list(orders))
        if legend:
            ax.legend(fontsize=fontsize)


def plot_learning_curve(
    ax, rows, quantity: str, label: str | None = None, band: bool = True, dodge: float = 1.0, **style
) -> None:
    """A learning curve: the median over draws of ``quantity`` against the training-set size N (log
    axes), with the 10-90 % range over draws as a band (``band``) or as error bars at each N, the
    points set at ``dodge`` x N so that the bars of several curves on one axis do not overlap.

    ``rows``: rows of :func:`linace.study.resample.learning_curves` for one (variant, training set, K),
    any order; ``quantity``: one of :data:`linace.study.resample.LEARNING_QUANTITIES`.
    """
    rows = sorted(rows, key=lambda row: row["train_size"])
    sizes = np.array([row["train_size"] for row in rows], dtype=float) * dodge
    median, low, high = (np.array([row[quantity][q] for row in rows], dtype=float) for q in ("median", "p10", "p90"))
    style.setdefault("marker", "o")
    if band:
        (line,) = ax.loglog(sizes, median, label=label, **style)
        ax.fill_between(sizes, low, high, color=line.get_color(), alpha=0.2, lw=0)
    else:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.errorbar(sizes, median, yerr=[median - low, high - median], label=label, capsize=2, lw=1, **style)


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


def panel_grid(n_panels: int, panel_height: float = 2.8, columns: int | None = None, **subplots):
    """A figure of ``n_panels`` axes as wide as the page (:data:`PAGE_WIDTH_IN`), ``columns`` per row
    (default: 2, or 3 for 3, 5, 6 and 9 panels; never more than :data:`MAX_PANELS_PER_ROW`; unused
    slots hidden), each row ``panel_height`` inches high. Returns (figure, flat list of the
    ``n_panels`` axes)."""
    import matplotlib.pyplot as plt

    if columns is None:
        columns = 3 if n_panels in (3, 5, 6, 9) else 2
    columns = max(1, min(n_panels, columns, MAX_PANELS_PER_ROW))
    rows = max(1, -(-n_panels // columns))
    fig, axes = plt.subplots(
        rows, columns, figsize=(PAGE_WIDTH_IN, panel_height * rows), squeeze=False, constrained_layout=True, **subplots
    )
    flat = list(axes.flat)
    for ax in flat[n_panels:]:
        ax.set_visible(False)
    return fig, flat[:n_panels]


#: Families of structures (``info['config_type']``) in the groups a figure tells apart, in order; a
#: family not listed joins the last group.
FAMILY_GROUPS = {
    "diamond": ("diamond",),
    "lonsdaleite": ("lonsdaleite",),
    "graphite": ("graphite",),
    "dense phases": ("sc", "bcc", "fcc", "sh", "hcp", "betatin", "bc8"),
    "disordered, defective": ("random", "amorphous", "rattled", "defect", "open"),
}
#: colour and marker of each group of :data:`FAMILY_GROUPS` (diamond and lonsdaleite, close in energy
#: and volume, differ in both)
GROUP_STYLES = {
    "diamond": (OKABE_ITO[0], "o"),
    "lonsdaleite": (OKABE_ITO[1], "^"),
    "graphite": (OKABE_ITO[2], "s"),
    "dense phases": (OKABE_ITO[4], "D"),
    "disordered, defective": (OKABE_ITO[3], "x"),
}


def family_group(family: str) -> str:
    """The group of :data:`FAMILY_GROUPS` a family belongs to (the last group if none lists it)."""
    return next((group for group, members in FAMILY_GROUPS.items() if family in members), list(FAMILY_GROUPS)[-1])


def energy_volume_panels(sets, e0: float):
    """Binding energy per atom E/N - E0 (eV/atom) against volume per atom (A^3, linear axis) of the
    structures of each set (``{name: images}``) that are periodic in all three directions, one panel
    per set (two per row, shared axes), the families in the groups of :data:`FAMILY_GROUPS`, one legend
    below. Returns the figure."""
    fig, axes = panel_grid(len(sets), 2.6, columns=2, sharex=True, sharey=True)
    for ax, (name, images) in zip(axes, sets.items()):
        periodic = [a for a in images if a.pbc.all()]
        for group, (colour, marker) in GROUP_STYLES.items():
            members = [a for a in periodic if family_group(a.info["config_type"]) == group]
            volumes = [a.get_volume() / len(a) for a in members]
            ax.scatter(
                volumes,
                [a.get_potential_energy() / len(a) - e0 for a in members],
                s=14,
                color=colour,
                marker=marker,
                label=group,
                lw=1 if marker == "x" else 0.5,
                edgecolors="white" if marker != "x" else None,
            )
        ax.set(
            title=f"{name} ({len(periodic)} structures)",
            xlabel="volume per atom (Å$^3$)",
            ylabel="E/N − E$_0$ (eV/atom)",
        )
        ax.label_outer()
    figure_legend(fig, axes[0], ncol=3, markerscale=1.5)
    return fig
