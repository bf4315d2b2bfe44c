"""The claims under the alternatives to the study's defaults (linace.study.robustness)."""

from __future__ import annotations

import pytest

from linace.study import data_worlds, robustness
from linace.study.records import as_record, as_records

from test_claims import DFT, record


def test_every_alternative_changes_one_thing():
    grid = robustness.alternative_grid("E:F 10")
    assert len(grid) == 4 * 6 and all(run["energy_weight"] == 10.0 for run in grid)
    assert {(run["variant"], run["training_set"]) for run in grid} == {
        (v, s) for v, sets in robustness.PLAN.items() for s in sets
    }
    assert robustness.alternative_grid("reference: restricted") == []  # a regrading, no runs
    assert all(run["basis_size"] == 2.0 for run in robustness.alternative_grid("basis: x2", body_orders=[2]))
    with pytest.raises(ValueError, match="unknown alternative"):
        robustness.alternative_grid("E:F 20")
    assert robustness.alternative_results_dir("E:F 10").parts[-2:] == ("robustness", "E_F_10")


def _world(offsets):
    records = []
    for K, offset in zip((2, 3, 4, 5), offsets):
        for training_set, rmse in (("narrow", 0.5), ("crystals", 0.4), ("diverse", 0.2)):
            records.append(record(K, training_set, rmse, 0.3 / K, offset))
    return data_worlds.grade(records, DFT)


def test_a_verdict_is_robust_only_if_every_alternative_that_grades_it_agrees():
    default = _world((2.0, -1.5, 2.5, -2.0))  # paper-like: 1a, 1b, 2, 3 reproduced
    same = _world((1.8, -1.6, 2.4, -2.1))
    converging = _world((1.0, 0.3, 0.1, 0.03))  # claim 2 and 3 refuted
    untested = data_worlds.grade([], DFT)
    rows = robustness.robustness_rows(default, {"A": same, "B": converging, "C": untested}, ["1b", "2", "v2c"])
    by_claim = {row["claim"]: row for row in rows}
    assert by_claim["2"]["robust"] is False and by_claim["2"]["changed"] == ["B"]
    assert by_claim["1b"]["changed"] == ["B"]  # 'partly' under B
    assert by_claim["v2c"]["robust"] is False and by_claim["v2c"]["default"].startswith("not tested")
    table = robustness.robustness_markdown(rows, ["A", "B", "C"]).splitlines()
    assert table[0] == "| claim | default verdict | robust? | what changes it |"
    assert table[3] == "| 2 | reproduced | no | B: not reproduced |"
    assert table[4] == "| v2c | not tested (no runs) | – | – |"
    matrix = robustness.robustness_matrix_markdown(rows, ["A", "B", "C"]).splitlines()
    assert matrix[0] == "| alternative | 1b | 2 | v2c |" and matrix[4] == "| B | partly | no | – |"
    rows = robustness.robustness_rows(default, {"A": same, "C": untested}, ["2"])
    assert rows[0]["robust"] is True  # an alternative without runs neither confirms nor refutes


def test_an_alternative_on_fewer_body_orders_is_compared_with_the_default_on_the_same_ones():
    default = _world((2.0, -1.5, 2.5, -2.0))
    baseline = _world((2.0, -1.5, 2.5, -2.0))
    baseline["2"] = type(baseline["2"])(baseline["2"].claim, "", "partly", "")  # as if graded on K = 2..4 only
    short = _world((2.0, -1.5, 2.5, -2.0))
    short["2"] = type(short["2"])(short["2"].claim, "", "partly", "")
    rows = robustness.robustness_rows(default, {"basis": short}, ["2"], baselines={"basis": baseline})
    assert rows[0]["robust"] is True and rows[0]["baseline"] == {"basis": "partly"}
    assert robustness.robustness_markdown(rows, ["basis"]).splitlines()[2] == "| 2 | reproduced | yes | nothing |"


def test_grade_alternatives_and_the_headline():
    """The default runs against the default reference and, for the reference alternative, against a
    shifted one; an alternative on K = 2..4 compared with the default on K = 2..4."""
    from test_claims import record as make

    offsets = (2.0, -1.5, 2.5, -2.0)
    default_records = [
        make(K, s, rmse, 0.3 / K, o)
        for K, o in zip((2, 3, 4, 5), offsets)
        for s, rmse in (("narrow", 0.5), ("crystals", 0.4), ("diverse", 0.2))
    ]
    short = [r for r in as_records(default_records) if r.body_order < 5]
    shifted = (DFT[0], DFT[1] + 2.0)
    rows = robustness.grade_alternatives(
        default_records, DFT, {"basis: x2": short, "E:F 10": default_records}, shifted, (1.0, 4.5)
    )
    by_claim = {row["claim"]: row for row in rows}
    assert by_claim["2"]["robust"] and by_claim["2"]["basis: x2"] == by_claim["2"]["default"]
    assert by_claim["1b"]["reference: restricted"] == "partly" and "reference: restricted" in by_claim["1b"]["changed"]
    assert by_claim["1a"]["E0: fitted"].startswith("not tested")  # no runs for it: neither confirms nor refutes
    line = robustness.robust_headline(rows)
    assert line.startswith("3 of 7 verdicts are the same under every alternative (1a, 2, 3)")
    assert "1b (reference: restricted)" in line


def test_energy_zero_table():
    from test_claims import record as make

    run = as_record(make(3, "diverse", 0.2, 0.1, 0.5))
    fitted = run.updated(
        dimer_summary={**run.dimer_summary, "energy_zero_offset_eV": -0.4},
        dimer_summary_absolute={"distance_to_dft_eV": 0.9},
    )
    lines = robustness.energy_zero_markdown([fitted, make(2, "diverse", 0.2, 0.1, 0.5)]).splitlines()
    assert lines[2] == "| diverse, standard, K = 3 | -0.200 | 0.50 | 0.90 |" and len(lines) == 3


def test_without_a_restricted_reference_that_alternative_is_not_tested():
    from test_claims import record as make

    records = [make(K, "diverse", 0.2, 0.1, 1.0) for K in (2, 3)]
    rows = robustness.grade_alternatives(records, DFT, {}, None, (1.0, 4.5))
    assert all(row["reference: restricted"].startswith("not tested") for row in rows)
