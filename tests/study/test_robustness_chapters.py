"""What chapter 10 and the landing page read of the alternatives (linace.study.robustness:
alternative_records, runs_made_lines, alternatives_markdown, the basis-size figure and table)."""

import json

import matplotlib
import pytest

from linace.study import robustness

from test_claims import DFT, record

matplotlib.use("Agg")


def _run(K, training_set, size, energy, distance, variant="standard", offset=0.0):
    rec = record(K, training_set, 0.1, 0.1, offset)
    rec["parameters"]["variant"] = variant
    rec["basis"] = {"size": size, "parameters": {"element": "C"}}
    rec["errors"]["test"]["all"]["energy_rmse_meV_per_atom"] = energy
    rec["dimer_summary"] = {**rec["dimer_summary"], "distance_to_dft_eV": distance}
    return rec


def test_the_alternatives_records_are_read_from_their_folders(tmp_path):
    folder = robustness.alternative_results_dir("E:F 10", root=tmp_path)
    folder.mkdir(parents=True)
    (folder / "K2-diverse.json").write_text(json.dumps(record(2, "diverse", 0.1, 0.1, 0.0)))
    ridge = record(3, "diverse", 0.1, 0.1, 0.0)
    ridge["parameters"]["regularisation"] = "ridge"
    (folder / "K3-diverse-ridge.json").write_text(json.dumps(ridge))
    records = robustness.alternative_records(tmp_path)
    assert list(records) == [name for name, change in robustness.ALTERNATIVES.items() if "reference" not in change]
    assert [r.body_order for r in records["E:F 10"]] == [2]
    assert all(records[name] == [] for name in records if name != "E:F 10")
    assert [r.body_order for r in robustness.alternative_records(tmp_path, "ridge")["E:F 10"]] == [3]


def test_the_lines_on_the_runs_count_them_and_name_the_code_that_made_them():
    made = {
        **record(2, "diverse", 0.1, 0.1, 0.0),
        "provenance": {"linace_source_sha256": "cd" * 32, "created": "2026-12-06T10:00:00"},
    }
    lines = robustness.runs_made_lines([record(2, "diverse", 0.1, 0.1, 0.0)] * 3, {"E0: fitted": [made], "E:F 10": []})
    assert lines == [
        "3 default runs; E0: fitted: 1 runs, E:F 10: 0 runs",
        "the alternatives' runs were made 2026-12-06 by linace source cdcdcdcdcdcd "
        "(the code has changed since; make sweep-full makes them again)",
    ]
    assert robustness.runs_made_lines([], {"E:F 10": []}) == ["0 default runs; E:F 10: 0 runs"]


def test_the_alternatives_table_names_those_on_fewer_body_orders():
    default = [record(K, "diverse", 0.1, 0.1, 0.0) for K in (2, 3, 4, 5)]
    records_of = {"basis: x2": default[:3], "E:F 10": default, "E:F 50": []}
    rows = robustness.grade_alternatives(default, DFT, records_of, None, (1.0, 4.5))
    text = robustness.alternatives_markdown(rows, default, records_of)
    assert text.startswith(robustness.robustness_markdown(rows, list(robustness.ALTERNATIVES)))
    assert (
        "An alternative on fewer body orders is compared with the default on the same ones: "
        "basis: x2: K = 2, 3, 4 only (`make sweep-full` adds the rest)."
    ) in text
    assert text.endswith(robustness.robustness_matrix_markdown(rows, list(robustness.ALTERNATIVES)))
    assert "fewer body orders" not in robustness.alternatives_markdown(rows, default, {"E:F 10": default})


def _sizes():
    default = [_run(K, s, 100 * K, 50.0 / K, 1.0) for K in (2, 3) for s in ("diverse", "clusters+dimers")]
    records_of = {
        "basis: x0.5": [_run(2, "diverse", 50, 60.0, 1.2), _run(3, "diverse", 150, 20.0, 1.1)],
        "basis: x2": [_run(2, "diverse", 400, 20.0, 0.9, offset=0.5), _run(2, "diverse", 400, 1.0, 0.1, "pure")],
    }
    return default, records_of


def test_the_basis_size_points_are_sorted_by_size_and_skip_missing_runs():
    default, records_of = _sizes()
    assert robustness.basis_size_points(default, records_of, "diverse", 2) == [
        (50, 60.0, 1.2),
        (200, 25.0, 1.0),
        (400, 20.0, 0.9),
    ]
    assert robustness.basis_size_points(default, records_of, "clusters+dimers", 3) == [(300, 50.0 / 3, 1.0)]
    assert robustness.basis_size_points(default, records_of, "diverse", 2, "pure") == [(400, 1.0, 0.1)]
    assert robustness.basis_size_points(default, records_of, "diverse", 5) == []


def test_the_basis_size_figure_draws_a_line_per_k_and_training_set():
    default, records_of = _sizes()
    fig = robustness.basis_size_figure(default, records_of)
    error, distance = [ax for ax in fig.axes if ax.get_visible()]
    assert [line.get_label() for line in error.get_lines()] == [
        "K = 2, diverse",
        "K = 3, diverse",
        "K = 2, clusters+dimers",
        "K = 3, clusters+dimers",
    ]
    assert [line.get_linestyle() for line in error.get_lines()] == ["-", "-", "--", "--"]
    assert list(error.get_lines()[0].get_xdata()) == [50, 200, 400] and len(distance.get_lines()) == 4
    assert error.get_xscale() == "log" and distance.get_yscale() == "linear" and len(fig.legends) == 1


def test_the_successive_k_distances_at_each_basis_size():
    default = [record(K, "diverse", 0.1, 0.1, offset) for K, offset in ((2, 0.0), (3, 1.0), (4, 1.5))]
    table = robustness.basis_size_steps_markdown(
        default, {"basis: x0.5": [], "basis: x2": default[:1]}, DFT, runs=[("standard", "diverse")]
    ).splitlines()
    assert table == [
        "| run | basis | successive-K distances (eV) |",
        "|---|---|---|",
        "| standard, diverse | basis: x0.5 | no runs |",
        "| standard, diverse | default | 1.00 → 0.50 |",
        "| standard, diverse | basis: x2 | no runs |",
    ]
    assert robustness.BASIS_SIZES == ("basis: x0.5", "default", "basis: x2")
    with pytest.raises(KeyError):  # an alternative the chapter shows must have been read
        robustness.basis_size_steps_markdown(default, {}, DFT)
