"""linace.study.uncertainty: the posterior band of dimer curves read from run records (chapter 06)."""

import matplotlib
import numpy as np
import pytest
from synthetic_records import DFT, R, make_record

from linace.analysis import DimerCurve
from linace.study import uncertainty

matplotlib.use("Agg")


def test_band_sets_follow_the_default_plan_then_the_others_by_name():
    records = [make_record(4, s) for s in ("zeta", "diverse", "clusters+dimers", "dimers", "alpha")]
    records.append(make_record(3, "narrow"))  # not at K = 4
    assert uncertainty.band_sets(records, 4) == ["dimers", "diverse", "clusters+dimers", "alpha", "zeta"]


@pytest.fixture()
def records():
    return [
        make_record(4, "dimers", offset=0.05, std=0.1),  # DFT inside its band everywhere
        make_record(4, "diverse", offset=1.0, std=0.1, distance=0.9),  # narrow band, far from DFT
        make_record(4, "diverse", "pure", offset=0.25, std=0.1),  # 0.25 > 2 sigma: outside too
        make_record(4, "narrow", offset=1.0),  # no posterior: left out
        make_record(3, "dimers", offset=0.0, std=0.1),
    ]  # another K


def test_band_rows_give_sigma_distance_and_coverage(records):
    rows = uncertainty.band_rows(records, ["standard", "pure"], ["dimers", "diverse", "narrow"], 4, DFT)
    assert [(row["variant"], row["training_set"]) for row in rows] == [
        ("standard", "dimers"),
        ("standard", "diverse"),
        ("pure", "diverse"),
    ]
    dimers, diverse, pure = rows
    assert dimers["median_sigma"] == pytest.approx(0.1) and dimers["median_sigma_short"] == pytest.approx(0.1)
    assert dimers["coverage"] == 1.0 and diverse["coverage"] == 0.0 and pure["coverage"] == 0.0
    assert diverse["distance_to_dft"] == 0.9  # the record's, as recorded


def test_median_sigma_is_taken_over_each_range():
    record = make_record(4, "diverse", std=0.1)
    std = np.where(R <= 1.2, 1.0, 0.1)  # uncertain at short range only
    record.data["dimer"]["std"] = std.tolist()
    (row,) = uncertainty.band_rows([record], ["standard"], ["diverse"], 4, DFT)
    assert row["median_sigma_short"] == 1.0 and row["median_sigma"] == pytest.approx(0.1)
    assert row["coverage"] == 1.0


def test_the_band_table_has_a_row_per_run_with_coverage_in_per_cent(records):
    rows = uncertainty.band_rows(records, ["standard"], ["dimers", "diverse"], 4, DFT)
    lines = uncertainty.band_markdown(rows).splitlines()
    assert lines[0] == (
        "| variant | training set | median σ (eV) | median σ, 1.0–1.2 Å (eV) "
        "| mean \\|E − E_DFT\\| (eV) | DFT inside ±2σ |"
    )
    assert lines[2] == "| standard | dimers | 0.1 | 0.1 | 0.050 | 100 % |"
    assert lines[3] == "| standard | diverse | 0.1 | 0.1 | 0.900 | 0 % |"


def test_the_band_figure_has_a_curve_and_a_sigma_panel_per_variant(records):
    fig = uncertainty.band_figure(records, ["standard", "pure"], ["dimers", "diverse", "narrow"], ["diverse"], DFT, 4)
    (curve_std, sigma_std), (curve_pure, sigma_pure) = np.reshape(fig.axes, (2, 2))
    assert [line.get_label() for line in sigma_std.get_lines()] == ["dimers", "diverse"]  # narrow has no sigma
    assert "diverse" in [line.get_label() for line in curve_std.get_lines()]  # only the compared sets' curves
    assert "dimers" not in [line.get_label() for line in curve_std.get_lines()]
    assert curve_pure.get_title() == "pure, K = 4, ±2σ" and len(fig.legends) == 1


def _split_curve():
    parts = {2: 2 * DFT[1], 3: -DFT[1]}
    std = {2: np.full(len(R), 0.3), 3: np.full(len(R), 0.05)}
    return DimerCurve(R, DFT[1], parts, np.full(len(R), 0.1), std)


def test_contribution_sigmas_and_which_parts_are_less_certain_than_the_sum():
    total, medians = uncertainty.contribution_sigmas(_split_curve())
    assert total == pytest.approx(0.1) and medians == pytest.approx({2: 0.3, 3: 0.05})
    text = uncertainty.contribution_sigma_markdown(_split_curve())
    assert text == (
        "Median σ over 1.0–4.5 Å: 0.1 eV for the total; $2V_1$ 0.3 eV (3.0 × the total's), "
        "$2V_2$ 0.05 eV (0.5 × the total's). Less certain than the sum: $2V_1$; more certain: $2V_2$."
    )


def test_the_contribution_figure_draws_each_part_with_its_band():
    fig = uncertainty.contribution_band_figure(_split_curve(), "title")
    (ax,) = fig.axes
    assert "total" in [line.get_label() for line in ax.get_lines()] and len(ax.collections) == 2
    assert ax.get_title() == "title" and ax.get_ylim()[1] >= 15
