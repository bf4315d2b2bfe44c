import json

import numpy as np
import pytest

from linace.fit import DesignCache
from linace.study import runs
from linace.study.records import as_record
from linace.study.results import (
    CONVERGENCE_COLUMNS,
    convergence_rows,
    convergence_table,
    load_results,
    write_json_atomic,
)

from conftest import SYNTHETIC_E0


@pytest.fixture(scope="module")
def trained(synthetic_data, tmp_path_factory):
    cache = DesignCache(tmp_path_factory.mktemp("cache"))
    return {
        K: runs.train(K, "diverse", regularisation="blr", data_dir=synthetic_data, cache=cache, progress=False)
        for K in (2, 3)
    }


def test_run_record_contents(trained):
    written = trained[3].record  # the JSON the writer made (its layout is checked where the view names no key)
    record = as_record(written)
    assert record.parameters == {
        "body_order": 3,
        "training_set": "diverse",
        "variant": "standard",
        "regularisation": "blr",
    }
    assert record.basis_size == sum(record.functions_per_body_order.values())
    assert set(written["errors"]) == {"train", "test"}
    assert record.test_errors["n_structures"] == 4
    dimer = written["dimer"]
    assert len(dimer["r"]) == len(dimer["energy"]) == len(dimer["std"])
    assert set(dimer["contributions"]) == {"2", "3"}
    assert np.isfinite(record.distance_to_dft)
    assert set(record.provenance["data_sha256"]) >= {"diverse", "test", "dimers"}
    json.dumps(written)  # serialisable


def test_dimers_fit_reproduces_the_reference_curve(synthetic_data, tmp_path):
    """A K = 2 fit to the (synthetic) dimers reproduces them to a few meV."""
    run = runs.train(
        2, "dimers", regularisation="ridge", data_dir=synthetic_data, cache=DesignCache(tmp_path), progress=False
    )
    record = as_record(run.record)
    assert record.train_errors["energy_rmse_meV_per_atom"] < 5.0
    assert record.distance_to_dft < 0.01


def test_results_round_trip_and_convergence(trained, synthetic_data, tmp_path):
    for K, run in trained.items():
        write_json_atomic(tmp_path / f"K{K}.json", run.record)
    (tmp_path / "broken.json").write_text("{ not json")
    with pytest.warns(UserWarning, match="broken.json"):
        records = load_results(tmp_path)
    assert [r.body_order for r in records] == [2, 3]
    table = convergence_table(records, trained[2].dft_curve[:2])
    assert [row["body_order"] for row in table] == [2, 3]
    assert np.isnan(table[0]["distance_to_previous_K_eV"])
    # the distance between the K = 2 and K = 3 curves, computed here on a plain fine grid over 1.0-4.5 A
    grid = np.linspace(1.0, 4.5, 3501)
    dimers = [as_record(trained[K].record).dimer for K in (2, 3)]
    curves = [np.interp(grid, dimer.r, dimer.energy) for dimer in dimers]
    assert table[1]["distance_to_previous_K_eV"] == pytest.approx(np.mean(np.abs(curves[1] - curves[0])), rel=2e-3)
    assert table[1]["distance_to_previous_K_eV"] > 0
    rows = convergence_rows(table)
    assert [len(cells) for cells in rows] == [len(CONVERGENCE_COLUMNS)] * 2
    assert (
        rows[0][0] == "2"
        and rows[0][1] == "–"
        and float(rows[1][2]) == pytest.approx(table[1]["distance_to_dft_eV"], abs=5e-4)
    )


def test_bad_choices(synthetic_data):
    with pytest.raises(ValueError, match="unknown training set 'bogus'; known: .*diverse"):
        runs.train(2, "bogus", data_dir=synthetic_data)
    with pytest.raises(ValueError, match="unknown regularisation"):
        runs.train(2, "diverse", regularisation="lasso", data_dir=synthetic_data)
    with pytest.raises(ValueError, match="unknown basis variant"):
        runs.make_basis(2, "exotic")


def test_e0_is_read_from_the_isolated_atom(synthetic_data):
    from linace.study import datasets

    assert datasets.e0(synthetic_data) == pytest.approx(SYNTHETIC_E0)


def test_pure_run_on_a_combined_set(synthetic_data, tmp_path):
    """The pure basis trained on clusters + dimers: the combined set holds both parts, and the dimer
    curve is exactly its two-body part."""
    run = runs.train(
        4, "clusters+dimers", variant="pure", data_dir=synthetic_data, cache=DesignCache(tmp_path), progress=False
    )
    assert "clusters+dimers" in runs.training_sets(synthetic_data)
    n_parts = sum(len(runs.load_training_set(name, synthetic_data)) for name in ("clusters", "dimers"))
    record = as_record(run.record)
    assert record.train_errors["n_structures"] == n_parts
    assert run.model.basis.pure and record.basis_parameters["pure"] is True
    np.testing.assert_allclose(run.curve.energy, run.curve.contributions[2], atol=1e-12)
    assert np.abs(run.curve.contributions[3]).max() < 1e-12 and np.abs(run.curve.contributions[4]).max() < 1e-12


def test_unknown_combined_part_is_named(synthetic_data):
    with pytest.raises(ValueError, match="unknown training set 'diverse\\+nothing'"):
        runs.load_training_set("diverse+nothing", synthetic_data)
