"""The smoothness-prior refits of chapter 06 in the sweep: linace.study.sweep.PRIOR_COMPARISON and
``python -m linace.study.sweep --prior-comparison`` (run by make sweep after the default sweep)."""

import pytest

from linace.study import runs, sweep


def test_the_prior_comparison_refits_default_runs_with_the_smoothness_prior():
    grid = sweep.prior_comparison_grid()
    assert [sweep.run_id(run) for run in grid] == [
        "K4-diverse-standard-blr-smooth",
        "K4-diverse-pure-blr-smooth",
        "K4-clusters_dimers-standard-blr-smooth",
        "K4-clusters_dimers-pure-blr-smooth",
    ]
    assert {run["regularisation"] for run in grid} == {"blr-smooth"} <= set(runs.REGULARISATIONS)
    default = {(run["body_order"], run["training_set"], run["variant"]) for run in sweep.default_grid()}
    assert all((run["body_order"], run["training_set"], run["variant"]) in default for run in grid)  # flat runs exist
    assert not {sweep.run_id(run) for run in grid} & {sweep.run_id(run) for run in sweep.default_grid()}


def _captured(monkeypatch, available):
    captured = {}

    def fake_run_sweep(parameter_grid, **options):
        captured["grid"] = parameter_grid
        return sweep.SweepReport(executed=[], skipped=[], failed=[])

    monkeypatch.setattr(sweep, "run_sweep", fake_run_sweep)
    monkeypatch.setattr(
        sweep,
        "allowed_values",
        lambda: {
            "body_orders": [2, 3, 4, 5],
            "training_sets": available,
            "variants": ["standard", "pure"],
            "regularisations": ["blr", "blr-smooth"],
        },
    )
    return captured


def test_the_command_line_runs_the_prior_comparison_on_the_sets_there_are(monkeypatch):
    captured = _captured(monkeypatch, ["dimers", "narrow", "crystals", "diverse", "clusters", "clusters+dimers"])
    assert sweep.main(["--prior-comparison"]) == 0
    assert captured["grid"] == sweep.prior_comparison_grid()
    captured = _captured(monkeypatch, ["diverse"])
    assert sweep.main(["--prior-comparison"]) == 0
    assert captured["grid"] == [run for run in sweep.prior_comparison_grid() if run["training_set"] == "diverse"]


def test_the_prior_comparison_takes_no_grid_option(monkeypatch, capsys):
    _captured(monkeypatch, ["diverse"])
    with pytest.raises(SystemExit) as exit_info:
        sweep.main(["--prior-comparison", "--body-orders", "3"])
    assert exit_info.value.code == 2 and "give no grid option" in capsys.readouterr().err
