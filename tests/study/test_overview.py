"""The study at a glance (linace.study.overview): an element's study from its records, the bottom
line, the claims rows, the runs that converge, and whether a folder holds the study's own runs."""

import json

import numpy as np
import pytest

from linace.study import datasets, overview, report
from linace.study.claims import ATTRIBUTION_SETS, CONVERGED_EV

from test_claims import record

needs_carbon = pytest.mark.skipif("dimers" not in datasets.names(), reason="committed carbon data absent")


def _write(folder, records):
    folder.mkdir(parents=True, exist_ok=True)
    for k, rec in enumerate(records):
        (folder / f"run{k:03d}.json").write_text(json.dumps(rec))
    return folder


def _runs():
    """Bulk runs far from DFT at K = 2..4 and, per variant, clusters that do not converge and clusters
    plus dimers that do."""
    out = [
        record(K, s, rmse, 0.3 / K, wobble)
        for K, wobble in ((2, 2.0), (3, -1.5), (4, 2.5))
        for s, rmse in (("narrow", 0.5), ("crystals", 0.4), ("diverse", 0.2))
    ]
    for variant in ("standard", "pure"):
        for training_set, offsets in (("clusters", (1.0, -1.0, 1.0)), ("clusters+dimers", (1.0, 0.3, 0.25))):
            for K, offset in zip((2, 3, 4), offsets):
                rec = record(K, training_set, 0.3, 0.1, offset)
                rec["parameters"]["variant"] = variant
                out.append(rec)
    pure_bulk = [{**r, "parameters": {**r["parameters"], "variant": "pure"}} for r in out[6:9]]  # K = 4 only
    return out + pure_bulk


@needs_carbon
def test_an_element_study_grades_its_runs_once_and_over_draws(tmp_path):
    assert overview.element_study("C", tmp_path / "none", tmp_path / "none") is None
    runs = _write(tmp_path / "runs", _runs())
    resampled = []
    for draw in range(2):
        for rec in _runs()[:9]:
            rec["parameters"].update(train_size=40, draw=draw)
            resampled.append(rec)
    study = overview.element_study("C", runs, _write(tmp_path / "resampled", resampled))
    assert len(study.records) == len(_runs()) and study.element == "C"
    assert [v.claim.split(".")[0] for v in study.v1] == ["1a", "1b", "2", "3"]
    assert [v.claim.split(".")[0] for v in study.v2] == ["v2a", "v2b", "v2c"]
    assert study.verdicts == study.v1 + study.v2
    assert list(study.graded) == [40] and {v.draws for v in study.graded[40] if v.draws} == {2}
    assert set(study.numbers) >= {"1a", "1b", "2", "3"}
    r, energy = study.dft
    assert np.all(np.diff(r) > 0) and energy.shape == r.shape
    silicon = overview.ElementStudy("Si", study.records, study.dft, study.v1, study.v2, {}, {})
    assert silicon.verdicts == study.v2  # claims 1-3 were made on carbon only
    assert overview.element_study("C", runs, tmp_path / "none", regularisation="ridge") is None


@needs_carbon
def test_the_bottom_line_and_the_claims_rows_follow_the_studies(tmp_path):
    study = overview.element_study("C", _write(tmp_path / "runs", _runs()), tmp_path / "none")
    studies = {"C": study, "Si": overview.ElementStudy("Si", study.records, study.dft, study.v1, study.v2, {}, {})}
    best = overview.best_bulk_potentials(studies)
    assert best["C"]["training_set"] == "diverse" and best["C"]["variant"] == "standard"
    sentences = overview.bottom_line(studies)
    diverse = [r for r in study.records if r.training_set == "diverse" and r.variant == "standard"]
    assert sentences == report.bottom_line(
        {v.claim.split(".")[0]: v.verdict for v in study.v1},
        {r.body_order: r.distance_to_dft for r in diverse},
        {"C": "dimers", "Si": "dimers"},
        best,
    )
    assert "on carbon and silicon alike the convergence in K comes from the dimers" in sentences[1]
    rows = overview.claims_overview_rows(studies)
    assert [(row["claim"], row["element"]) for row in rows] == (
        [(c, "C") for c in ("1a", "1b", "2", "3", "v2a", "v2b", "v2c")] + [(c, "Si") for c in ("v2a", "v2b", "v2c")]
    )
    with pytest.raises(KeyError):
        overview.bottom_line({"Si": studies["Si"]})  # the bottom line states carbon's claims


@needs_carbon
def test_the_converging_runs_are_those_whose_last_step_falls_below_the_threshold(tmp_path):
    study = overview.element_study("C", _write(tmp_path / "runs", _runs()), tmp_path / "none")
    converging = overview.converging_runs(study)
    assert set(converging) == {(v, s) for v in ("standard", "pure") for s in ATTRIBUTION_SETS} - {("pure", "diverse")}
    assert converging[("standard", "clusters+dimers")] and converging[("pure", "clusters+dimers")]
    assert not converging[("standard", "clusters")] and not converging[("standard", "diverse")]
    assert 0.05 < CONVERGED_EV  # the last step of clusters+dimers, 0.05 eV, is below it
