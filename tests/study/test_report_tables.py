"""The tables chapters 03 and 04 take from linace.study.report: the label changes of the state search and
the errors of one run."""

from synthetic_records import make_record

from linace.study import report


def test_the_label_change_table_in_mev_per_atom():
    changes = {
        "n": 40,
        "n_changed": 12,
        "n_moment_changed": 3,
        "median_eV_per_atom": -0.00004,
        "max_eV_per_atom": 0.0512,
        "rms_eV_per_atom": 0.0101,
    }
    lines = report.label_changes_markdown(changes).splitlines()
    assert lines[0].startswith("| compared | moved by more than 1 meV/atom | other moment won |")
    assert lines[2] == "| 40 | 12 | 3 | 0.0 meV/atom | 51 meV/atom | 10 meV/atom |"  # -0.04 rounds to 0.0, not -0.0
    changes["median_eV_per_atom"] = -0.00251
    assert "| -2.5 meV/atom |" in report.label_changes_markdown(changes)


def test_the_run_error_table_lists_both_splits_and_every_group():
    record = make_record(4, "diverse", energy_rmse=44.13, force_rmse=0.6362)
    record.data["errors"]["test"] = {
        "all": {"n_structures": 5, "energy_rmse_meV_per_atom": 58.18, "force_rmse_eV_per_A": 0.641},
        "chain": {"n_structures": 2, "energy_rmse_meV_per_atom": 81.04, "force_rmse_eV_per_A": 1.3311},
    }
    lines = report.run_errors_markdown(record).splitlines()
    assert lines[0] == "| set | config_type | structures | E RMSE (meV/atom) | F RMSE (eV/Å) |"
    assert lines[2:] == [
        "| train | all | 10 | 44.1 | 0.636 |",
        "| test | all | 5 | 58.2 | 0.641 |",
        "| test | chain | 2 | 81.0 | 1.331 |",
    ]
