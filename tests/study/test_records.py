"""The typed view of run records: properties, selection, grouping."""

import json

import numpy as np
import pytest

from linace.study.records import RunRecord, as_records, body_orders, by_body_order, group_by, load_records, select


def record(K, training_set="diverse", variant="standard", **extra):
    return {
        "parameters": {
            "body_order": K,
            "training_set": training_set,
            "variant": variant,
            "regularisation": "blr",
            **extra,
        },
        "basis": {
            "parameters": {"element": "Si", "rcut": 7.6},
            "size": 10 * K,
            "functions_per_body_order": {"2": 8, str(K): 2},
        },
        "fit": {"alpha": 1.0},
        "errors": {
            "train": {"all": {"energy_rmse_meV_per_atom": 1.0 * K}},
            "test": {"all": {"energy_rmse_meV_per_atom": 10.0 * K, "force_rmse_eV_per_A": 0.1 * K}},
        },
        "dimer": {"r": [1.0, 2.0], "energy": [1.0, -1.0], "contributions": {"2": [1.0, -1.0]}},
        "dimer_summary": {"distance_to_dft_eV": 0.5 / K, "range_A": [1.5, 5.0]},
        "provenance": {"linace_source_sha256": "abc", "data_dir": None},
    }


def test_properties_name_the_json():
    r = RunRecord(record(3, train_size=40, draw=2))
    assert (r.body_order, r.training_set, r.variant, r.regularisation) == (3, "diverse", "standard", "blr")
    assert (r.train_size, r.draw, r.basis_size, r.element) == (40, 2, 30, "Si")
    assert r.functions_per_body_order == {2: 8, 3: 2}
    assert r.test_error() == 30.0 and r.test_error("force_rmse_eV_per_A") == pytest.approx(0.3)
    assert r.train_errors["energy_rmse_meV_per_atom"] == 3.0
    assert r.held_out == {}
    assert r.distance_to_dft == pytest.approx(0.5 / 3) and r.comparison_range == (1.5, 5.0)
    np.testing.assert_array_equal(r.dimer.r, [1.0, 2.0])
    assert r.source_digest == "abc" and r.data_dir is None
    assert r["fit"] == {"alpha": 1.0}  # the read-only mapping over the JSON
    with pytest.raises(TypeError):
        r["fit"] = {}  # a record is read-only


def test_whole_set_runs_have_no_size_or_draw():
    r = RunRecord(record(2))
    assert r.train_size is None and r.draw is None and r.parameter("energy_zero", "atom") == "atom"


def test_select_group_and_sort():
    raw = [record(4), record(2), record(3, "narrow"), record(2, "narrow", "pure"), record(3)]
    records = as_records(raw)
    assert [r.body_order for r in select(records, training_set="diverse")] == [4, 2, 3]
    assert [r.body_order for r in by_body_order(select(raw, training_set="diverse"))] == [2, 3, 4]
    assert select(records, energy_zero=None) == records  # an unset parameter matches None
    groups = group_by(records, "training_set")
    assert list(groups) == ["diverse", "narrow"]
    assert [r.body_order for r in groups["diverse"]] == [2, 3, 4]
    pairs = group_by(records, "training_set", "variant")
    assert set(pairs) == {("diverse", "standard"), ("narrow", "standard"), ("narrow", "pure")}
    assert list(group_by(records, lambda r: r.body_order > 2)) == [True, False]
    assert body_orders(records) == [2, 3, 4]
    with pytest.raises(ValueError, match="at least one"):
        group_by(records)


def test_records_are_equal_only_to_themselves():
    a, b = RunRecord(record(2)), RunRecord(record(2))
    assert a != b and len({a, b}) == 2 and a == a


def test_load_records_keeps_the_path(tmp_path):
    (tmp_path / "K2.json").write_text(json.dumps(record(2)))
    (tmp_path / "broken.json").write_text("{")
    with pytest.warns(UserWarning, match="broken.json"):
        (loaded,) = load_records(tmp_path)
    assert isinstance(loaded, RunRecord) and loaded.path.endswith("K2.json") and loaded.body_order == 2


def test_a_record_file_is_read_with_its_path_and_must_be_a_json_object(tmp_path):
    from linace.study.records import read_record
    from linace.study.results import load_results

    (tmp_path / "K3.json").write_text(json.dumps(record(3)))
    (tmp_path / "list.json").write_text("[1, 2]")
    loaded = read_record(tmp_path / "K3.json")
    assert loaded.body_order == 3 and loaded.path == str(tmp_path / "K3.json") and loaded["path"] == loaded.path
    with pytest.raises(ValueError, match="JSON object, not a list"):
        read_record(tmp_path / "list.json")
    with pytest.warns(UserWarning, match="list.json"):
        (only,) = load_results(tmp_path)  # the results module's loader is the records' one
    assert isinstance(only, RunRecord) and only.path.endswith("K3.json")


def test_a_single_record_is_wrapped_once():
    from linace.study.records import as_record

    raw = {**record(2), "path": "results/K2.json"}
    wrapped = as_record(raw)
    assert isinstance(wrapped, RunRecord) and wrapped.path == "results/K2.json" and as_record(wrapped) is wrapped


def test_runner_blocks_and_input_hashes():
    r = RunRecord({**record(2), "sweep": {"input_hash": "abc", "notebook": "book/sweep/K2.ipynb"}})
    assert r.input_hash("sweep") == "abc" and r.runner("sweep")["notebook"] == "book/sweep/K2.ipynb"
    assert r.input_hash("resample") is None and r.runner("robustness") == {}
    with pytest.raises(ValueError, match="unknown runner"):
        r.runner("elsewhere")


def test_an_updated_record_is_a_new_one():
    original = RunRecord(record(3), "results/K3.json")
    moved = original.updated(dimer_summary={"distance_to_dft_eV": 2.0})
    assert moved.distance_to_dft == 2.0 and moved.path == original.path and moved.body_order == 3
    assert original.distance_to_dft == pytest.approx(0.5 / 3)  # unchanged


def test_the_split_tables_optional_blocks_and_records_without_them():
    r = RunRecord({**record(2), "dimer_summary_absolute": {"distance_to_dft_eV": 0.9}})
    assert r.errors("test", group=None) == {"all": {"energy_rmse_meV_per_atom": 20.0, "force_rmse_eV_per_A": 0.2}}
    assert r.errors("train")["energy_rmse_meV_per_atom"] == 2.0
    assert r.dimer_summary_absolute == {"distance_to_dft_eV": 0.9}
    bare = RunRecord({"parameters": record(2)["parameters"], "dimer_summary": {"distance_to_dft_eV": 1.0}})
    assert bare.element == "C" and bare.source_digest is None and bare.created == ""  # written before those keys
    assert bare.dimer_summary_absolute == {} and bare.comparison_range is None
    dated = RunRecord({**record(2), "provenance": {"created": "2026-12-06T05:18:38+00:00"}})
    assert dated.created == "2026-12-06T05:18:38+00:00"
