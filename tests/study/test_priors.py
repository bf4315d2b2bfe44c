"""linace.study.priors: the smoothness prior against the flat one, from the sweep's run records (chapter 06)."""

import matplotlib
import numpy as np
import pytest
from synthetic_records import DFT, make_record

from linace.analysis import curve_distance
from linace.study import priors

matplotlib.use("Agg")


@pytest.fixture()
def records():
    return [
        make_record(4, "diverse", offset=0.5, energy_rmse=118.0, force_rmse=0.774),
        make_record(4, "diverse", regularisation="blr-smooth", offset=0.6, energy_rmse=116.0, force_rmse=0.787),
        make_record(4, "diverse", "pure", offset=0.4),
        make_record(4, "diverse", "pure", regularisation="blr-smooth", offset=0.3),
        make_record(4, "clusters+dimers", offset=0.05),  # no smoothness-prior run: no pair
        make_record(3, "diverse", regularisation="blr-smooth", offset=0.0),
    ]  # another K


def test_pairs_join_the_flat_and_the_smooth_run_of_one_variant_set_and_k(records):
    pairs = priors.prior_pairs(records, ["standard", "pure"], ["diverse", "clusters+dimers"], 4)
    assert [(p.variant, p.training_set) for p in pairs] == [("standard", "diverse"), ("pure", "diverse")]
    first = pairs[0]
    assert (first.flat.regularisation, first.smooth.regularisation) == (priors.FLAT, priors.SMOOTH)
    assert first.difference == pytest.approx(0.1)  # two curves 0.1 eV apart everywhere
    flat, smooth = first.flat.dimer, first.smooth.dimer
    assert first.difference == curve_distance(flat.r, flat.energy, smooth.r, smooth.energy)
    assert priors.prior_pairs(records, ["standard"], ["diverse"], 5) == []


def test_the_table_has_a_flat_and_a_smooth_row_per_pair(records):
    pairs = priors.prior_pairs(records, ["standard"], ["diverse"], 4)
    lines = priors.prior_markdown(pairs).splitlines()
    assert lines[0] == "| variant | training set | prior | to DFT (eV) | flat vs smooth (eV) | test E / F RMSE |"
    assert lines[2:] == [
        "| standard | diverse | flat prior | 0.500 | 0.100 | 118 / 0.774 |",
        "| standard | diverse | smoothness prior | 0.600 | 0.100 | 116 / 0.787 |",
    ]


def test_the_figure_has_a_panel_per_variant_and_set_left_empty_without_its_pair(records):
    pairs = priors.prior_pairs(records, ["standard", "pure"], ["diverse", "clusters+dimers"], 4)
    fig = priors.prior_figure(pairs, ["standard", "pure"], ["diverse", "clusters+dimers"], DFT, 4)
    panels = np.reshape(fig.axes, (2, 2))
    assert panels[0, 0].get_title() == "standard, diverse, K = 4" and panels[1, 0].get_title() == "pure, diverse, K = 4"
    assert not panels[0, 1].get_lines() and not panels[1, 1].get_lines()  # no clusters+dimers pair
    labels = [line.get_label() for line in panels[0, 0].get_lines()]
    assert "flat prior" in labels and "smoothness prior" in labels and len(fig.legends) == 1
