"""The tables and figures of the results chapters (05, 05b) in linace.study.report, on synthetic records."""

import math

import matplotlib
import numpy as np
import pytest

from linace.study import report
from linace.study.claims import DrawVerdict

from test_claims import DFT, R, record

matplotlib.use("Agg")


def _errors(K, training_set, energy, force):
    rec = record(K, training_set, 0.1, 0.1, 0.0)
    rec["errors"]["test"]["all"].update(energy_rmse_meV_per_atom=energy, force_rmse_eV_per_A=force)
    return rec


def _split(K, training_set, parts):
    """A record whose dimer curve is the sum of ``parts`` ({body order: curve}) on the DFT grid."""
    rec = record(K, training_set, 0.1, 0.1, 0.0)
    rec["dimer"] = {
        "r": R.tolist(),
        "energy": sum(parts.values()).tolist(),
        "contributions": {str(k): v.tolist() for k, v in parts.items()},
    }
    return rec


def test_present_training_sets_keep_the_order_given():
    records = [record(2, s, 0.1, 0.1, 0.0) for s in ("diverse", "dimers", "other")]
    assert report.present_training_sets(records, ("dimers", "narrow", "diverse")) == ["dimers", "diverse"]
    assert report.present_training_sets([], ("dimers",)) == []


def test_the_decomposition_grid_has_a_panel_per_k_scaled_to_its_largest_contribution():
    total = DFT[1]
    records = [
        _split(3, "diverse", {2: 2 * total, 3: -total}),
        _split(2, "diverse", {2: total}),
        _split(2, "narrow", {2: total}),
    ]
    fig = report.dimer_decomposition_grid(records, "diverse", DFT)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["K = 2, diverse", "K = 3, diverse"]  # by K, one set
    assert visible[0].get_ylim() == (-15, 15)  # at least ±15 eV
    largest = 1.1 * np.abs(2 * total[R >= 1.0]).max()
    assert visible[1].get_ylim() == pytest.approx((-largest, largest))  # 2 x a 7 eV well
    assert [len(ax.get_lines()) for ax in visible] == [4, 5]  # zero line, DFT, total, one line per body order
    assert len(fig.legends) == 1


def test_the_cancellation_ratio_is_one_without_cancellation_and_three_for_2_minus_1():
    total = DFT[1]
    records = [_split(3, "diverse", {2: 2 * total, 3: -total}), _split(2, "diverse", {2: total})]
    assert report.cancellation_markdown(records, "diverse") == (
        "Cancellation ratio on `diverse`: K = 2: 1.00, K = 3: 3.00."
    )


def test_the_lowest_errors_per_k_name_the_best_set_in_energy_and_in_force():
    records = [
        _errors(2, "narrow", 300.0, 1.0),
        _errors(2, "diverse", 400.0, 0.9),
        _errors(3, "diverse", 90.0, 0.5),
        _errors(3, "crystals", 95.0, 0.4),
        _errors(4, "dimers", 5.0, 0.1),
    ]
    rows = report.lowest_errors_by_order(records, ("narrow", "crystals", "diverse"))
    assert rows == [
        {
            "body_order": 2,
            "lowest_energy": "narrow",
            "lowest_force": "diverse",
            "energy": {"narrow": 300.0, "diverse": 400.0},
            "force": {"narrow": 1.0, "diverse": 0.9},
        },
        {
            "body_order": 3,
            "lowest_energy": "diverse",
            "lowest_force": "crystals",
            "energy": {"crystals": 95.0, "diverse": 90.0},
            "force": {"crystals": 0.4, "diverse": 0.5},
        },
    ]


def test_the_threshold_lines_say_when_a_set_would_converge():
    shrinking = [record(K, "diverse", 0.1, 0.1, offset) for K, offset in ((2, 0.0), (3, 1.0), (4, 1.5), (5, 1.7))]
    jumping = [record(K, "narrow", 0.1, 0.1, offset) for K, offset in ((2, 0.0), (3, 1.0), (4, -0.5))]
    lines = report.convergence_threshold_lines(
        shrinking + jumping + [record(2, "crystals", 0.1, 0.1, 0.0)], DFT, ("narrow", "crystals", "diverse")
    )
    assert lines == [
        "narrow: successive-K distances 1.00 -> 1.50 eV; never shrinks at every K",
        "crystals: too few runs to judge convergence",
        "diverse: successive-K distances 1.00 -> 0.50 -> 0.20 eV; would converge for a threshold above 0.20 eV",
    ]


def test_the_verdicts_changing_with_n_are_counted():
    graded = {
        40: [
            DrawVerdict("1b. Far.", "c", 40, 9, 0, 10, "reproduced"),
            DrawVerdict("2. No.", "c", 40, 9, 0, 10, "reproduced"),
        ],
        80: [DrawVerdict("1b. Far.", "c", 80, 5, 0, 10, "depends on the draw")],
    }
    assert report.verdicts_changing_markdown(graded, ["1b. Far.", "2. No."]) == (
        "**1 of 2 verdicts over draws change with N** (sizes with several draws): "
        "1b: reproduced at N = 40 → depends on the draw at N = 80."
    )
    assert report.verdicts_changing_markdown(graded, ["2. No."]) == "**0 of 1 verdicts over draws change with N**."


def _q(median, low, high, n=10):
    return {"median": median, "p10": low, "p90": high, "n": n}


def test_the_convergence_over_draws_table_has_an_interval_per_step():
    assert report.interval_text(_q(0.123, 0.1, 0.2)) == "0.12 [0.10, 0.20]"
    assert report.interval_text(_q(5.0, 4.0, 6.0), digits=0) == "5 [4, 6]"
    assert report.interval_text(_q(math.nan, math.nan, math.nan, n=0)) == "–"
    rows = [
        {
            "variant": "standard",
            "training_set": "diverse",
            "train_size": 40,
            "body_order": K,
            "distance_to_previous_K_eV": _q(1.0 / K, 0.5 / K, 2.0 / K) if K > 2 else _q(math.nan, 0, 0, n=0),
            "distance_to_dft_eV": _q(K, K - 1, K + 1),
        }
        for K in (2, 3, 4)
    ]
    table = report.convergence_over_draws_markdown(
        rows, [("standard", "diverse"), ("pure", "diverse")], [40, 80], [2, 3, 4]
    ).splitlines()
    assert table[0] == "| basis, training set | N | \\|K3−K2\\| (eV) | \\|K4−K3\\| (eV) | K4 to DFT (eV) |"
    assert table[1] == "|---|---|---|---|---|"
    assert table[2:] == ["| standard, diverse | 40 | 0.33 [0.17, 0.67] | 0.25 [0.12, 0.50] | 4.00 [3.00, 5.00] |"]


def _learning_rows(variant, training_set, K, sizes=(40, 80)):
    quantities = ("test_energy_rmse_meV_per_atom", "test_force_rmse_eV_per_A", "distance_to_dft_eV")
    return [
        {
            "variant": variant,
            "training_set": training_set,
            "body_order": K,
            "train_size": N,
            "draws": 10,
            **{q: _q(10.0 / N, 5.0 / N, 20.0 / N) for q in quantities},
        }
        for N in sizes
    ]


def test_the_learning_figures_have_a_panel_per_quantity_and_per_run():
    curves = [
        row
        for v, s in (("standard", "narrow"), ("standard", "diverse"), ("pure", "diverse"))
        for K in (2, 3)
        for row in _learning_rows(v, s, K)
    ]
    fig = report.learning_curves_figure(curves, [("standard", "narrow"), ("pure", "diverse")], 3, [40, 80])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3 and visible[0].get_xlabel() == "training structures N"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["narrow, standard", "diverse, pure"]
    assert [line.get_linestyle() for line in visible[0].get_lines()] == ["-", "--"]
    combos = [("standard", "narrow"), ("standard", "diverse"), ("pure", "diverse")]
    fig = report.distance_learning_figure(curves, combos, [2, 3], [40, 80])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["narrow, standard", "diverse, standard", "diverse, pure"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["K = 2", "K = 3"]
    assert visible[0].get_ylabel() == "to DFT (eV)" and visible[1].get_ylabel() == ""
    # the markers of K = 2 and K = 3 are set 5 % of N apart
    x = [np.asarray(c.get_children()[0].get_xdata()) for c in visible[0].containers]
    assert x[0] == pytest.approx([40 * 0.975, 80 * 0.975]) and x[1] == pytest.approx([40 * 1.025, 80 * 1.025])
