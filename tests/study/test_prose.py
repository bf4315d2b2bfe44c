"""linace.study.prose: the claim criteria the chapters glue, and where their hidden checks apply."""

import pytest

from linace.study import claims, datasets, prose, sweep


def test_the_glued_thresholds_are_the_claims_criteria_as_the_text_states_them():
    values = prose.threshold_glue()
    assert values == {
        "converged_eV": claims.CONVERGED_EV,
        "far_from_dft_eV": claims.FAR_FROM_DFT_EV,
        "reproduced_percent": 80,
        "not_reproduced_percent": 20,
    }
    assert str(values["converged_eV"]) == "0.1" and str(values["far_from_dft_eV"]) == "0.5"  # as the text reads
    assert isinstance(values["reproduced_percent"], int)  # "80 %", not "80.0 %" nor "79.99999 %"
    assert prose.threshold_glue("converged_eV") == {"converged_eV": claims.CONVERGED_EV}
    with pytest.raises(KeyError, match="no threshold named eighty"):
        prose.threshold_glue("eighty")


def test_the_percentages_follow_the_fraction(monkeypatch):
    monkeypatch.setattr(prose, "REPRODUCED_FRACTION", 0.7)
    assert prose.threshold_glue("reproduced_percent", "not_reproduced_percent") == {
        "reproduced_percent": 70,
        "not_reproduced_percent": 30,
    }


def test_the_study_s_data_and_runs_are_told_from_others(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "DATA_ROOT", datasets.REPOSITORY_DATA_DIR)
    assert prose.reads_study_data()
    assert prose.reads_study_data(sweep.RESULTS_ROOT) and prose.reads_study_data(sweep.RESULTS_ROOT / "Si")
    assert prose.reads_study_data(sweep.RESULTS_ROOT / "Si" / "resampled", datasets.REPOSITORY_DATA_DIR / "Si")
    assert prose.reads_study_data(data_dir="")  # a chapter's empty parameter: the committed data
    assert not prose.reads_study_data(tmp_path / "results")  # a test's records
    assert not prose.reads_study_data(sweep.RESULTS_ROOT.parent)  # the repository itself is not a results folder
    assert not prose.reads_study_data(sweep.RESULTS_ROOT, tmp_path / "Si")  # another data directory
    monkeypatch.setattr(datasets, "DATA_ROOT", tmp_path)  # LINACE_DATA elsewhere: synthetic data
    assert not prose.reads_study_data() and not prose.reads_study_data(sweep.RESULTS_ROOT)
