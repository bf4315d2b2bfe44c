"""The book's figure style and shared figures: sized for the page, one legend, colours that separate."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from ase import Atoms  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from linace.study import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_the_book_style_makes_page_wide_figures_with_readable_text():
    with matplotlib.rc_context():
        plotting.use_book_style()
        fig = plt.figure()
        width_px = fig.get_figwidth() * fig.dpi
        assert width_px <= 772  # the text column at a 1400 px window: shown at its own size, not shrunk
        assert min(matplotlib.rcParams[key] for key in ("font.size", "legend.fontsize", "xtick.labelsize")) >= 9
        assert [c.lower() for c in matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]][:4] == [
            c.lower() for c in plotting.OKABE_ITO[:4]
        ]


def test_consistent_colours_are_distinct():
    for palette in (
        plotting.BODY_ORDER_COLOURS,
        plotting.TRAINING_SET_COLOURS,
        {group: colour for group, (colour, _) in plotting.GROUP_STYLES.items()},
    ):
        colours = [to_rgb(c) for c in palette.values()]
        assert len(set(colours)) == len(colours)
    markers = [marker for _, marker in plotting.GROUP_STYLES.values()]
    assert len(set(markers)) == len(markers)


@pytest.mark.parametrize(
    "n_panels, shape", [(1, (1, 1)), (2, (1, 2)), (3, (1, 3)), (4, (2, 2)), (6, (2, 3)), (7, (4, 2)), (9, (3, 3))]
)
def test_panel_grid_puts_two_or_three_panels_in_a_row_at_page_width(n_panels, shape):
    fig, axes = plotting.panel_grid(n_panels)
    assert len(axes) == n_panels and fig.get_figwidth() == plotting.PAGE_WIDTH_IN
    grid = axes[0].get_subplotspec().get_gridspec()
    assert (grid.nrows, grid.ncols) == shape
    assert sum(ax.get_visible() for ax in fig.axes) == n_panels
    assert plotting.panel_grid(7, columns=3)[0].axes[0].get_subplotspec().get_gridspec().ncols == 3
    assert plotting.panel_grid(7, columns=5)[0].axes[0].get_subplotspec().get_gridspec().ncols == 3  # at most 3


def test_one_legend_below_all_panels_each_label_once():
    fig, axes = plt.subplots(1, 2)
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="DFT")
        ax.plot([0, 1], [1, 0], label="K = 2")
    axes[1].plot([0, 1], [0.5, 0.5], label="K = 3")
    plotting.figure_legend(fig)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["DFT", "K = 2", "K = 3"]
    assert not any(ax.get_legend() for ax in axes)


def test_families_fall_in_groups_and_unknown_ones_join_the_last():
    assert plotting.family_group("lonsdaleite") == "lonsdaleite"
    assert plotting.family_group("betatin") == "dense phases"
    assert plotting.family_group("something new") == "disordered, defective"


def test_energy_volume_panels_plot_only_fully_periodic_structures_on_linear_axes():
    def cell(family, volume, energy, pbc=True):
        atoms = Atoms("C2", positions=[[0, 0, 0], [1, 1, 1]], cell=np.eye(3) * (2 * volume) ** (1 / 3), pbc=pbc)
        atoms.info["config_type"] = family
        from ase.calculators.singlepoint import SinglePointCalculator

        atoms.calc = SinglePointCalculator(atoms, energy=2 * energy)
        return atoms

    sets = {
        "narrow": [cell("diamond", 5.7, -9.0), cell("diamond", 6.0, -8.9)],
        "diverse": [
            cell("diamond", 5.7, -9.0),
            cell("lonsdaleite", 5.8, -8.95),
            cell("random", 9.0, -6.0),
            cell("graphite", 30.0, -9.0, pbc=(True, True, False)),
        ],
    }
    fig = plotting.energy_volume_panels(sets, e0=-1.0)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["narrow (2 structures)", "diverse (3 structures)"]
    assert all(ax.get_xscale() == "linear" for ax in axes)
    points = sum(len(c.get_offsets()) for c in axes[1].collections)
    assert points == 3  # the layered cell is left out
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(plotting.GROUP_STYLES)


def test_learning_curve_as_bars_set_apart_along_n():
    rows = [
        {"train_size": n, "q": {"median": m, "p10": m * 0.8, "p90": m * 1.2, "n": 10}}
        for n, m in ((40, 2.0), (80, 1.0))
    ]
    fig, ax = plt.subplots()
    plotting.plot_learning_curve(ax, rows, "q", label="K = 2", band=False, dodge=1.1)
    line = ax.get_lines()[0]
    assert np.allclose(line.get_xdata(), [44, 88]) and ax.get_xscale() == "log"
    assert not any(isinstance(c, PolyCollection) for c in ax.collections)  # bars, no band
    fig, ax = plt.subplots()
    plotting.plot_learning_curve(ax, rows, "q", label="K = 2")
    assert any(isinstance(c, PolyCollection) for c in ax.collections)  # the default: a band
