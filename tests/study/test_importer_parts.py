"""The named parts of linace.study.importer.import_data, each on its own (the whole import: test_importer.py)."""

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

from linace.radial import element_scales
from linace.study import importer
from linace.study.datasets import DatasetError


def cu(k: int, x: float = 0.0) -> Atoms:
    """A labelled Cu dimer, its source index k and geometry set by x."""
    atoms = Atoms("Cu2", positions=[[0, 0, 0], [0, 0, 2.2 + x]])
    atoms.calc = SinglePointCalculator(atoms, energy=-1.0, forces=np.zeros((2, 3)))
    atoms.info["source_index"] = k
    return atoms


def test_checked_request_refuses_before_anything_is_read(tmp_path):
    for name in ("b.xyz", "a.xyz", "d.xyz"):
        (tmp_path / name).write_text("not read")
    b, a, d = (str(tmp_path / name) for name in ("b.xyz", "a.xyz", "d.xyz"))
    args = dict(
        folder=tmp_path / "out",
        element="Cu",
        e0=None,
        dimer_table=None,
        table_zero="absolute",
        split=None,
        test_fraction=0.1,
        rcut=None,
        overwrite=False,
        check=False,
    )
    parsed, rcut = importer._checked_request([f"bulk={b}"], **args)
    assert [source.name for source in parsed] == ["bulk"] and rcut == element_scales("Cu")[0]  # Cu's cut-off
    with pytest.raises(DatasetError, match="given twice"):
        importer._checked_request([f"isolated_atom={a}"], **{**args, "e0": -1.0})
    absent = r"needs isolated_atom \(a file, or --e0\), test \(a file, or --split SET\); give them"
    with pytest.raises(DatasetError, match=absent):
        importer._checked_request([f"dimers={d}"], **{**args, "check": True})
    with pytest.raises(DatasetError, match="cannot split 'x': no such source set"):
        importer._checked_request([f"bulk={b}"], **{**args, "split": "x"})
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "bulk.extxyz").write_text("")
    with pytest.raises(DatasetError, match="already holds bulk.extxyz"):
        importer._checked_request([f"bulk={b}"], **args)
    assert importer._checked_request([f"bulk={b}"], **{**args, "overwrite": True, "rcut": 4})[1] == 4.0


def test_split_off_test_takes_a_seeded_share_and_records_both_halves():
    sets = {"bulk": [cu(k, 0.01 * k) for k in range(10)]}
    provenance = {"bulk": {"source": "b.xyz"}}
    importer._split_off_test(sets, provenance, "bulk", 0.3, seed=4)
    test, train = provenance["test"]["indices"], provenance["bulk"]["indices"]
    assert len(test) == 3 and sorted(test + train) == list(range(10))
    assert test == sorted(np.random.default_rng(4).permutation(10)[:3].tolist())
    assert [a.info["source_index"] for a in sets["test"]] == test and provenance["test"]["split_from"] == "bulk"
    with pytest.raises(DatasetError, match="cannot split 'one' of 1 structures"):
        importer._split_off_test({"one": [cu(0)]}, {"one": {}}, "one", 0.5, seed=0)


@pytest.mark.parametrize("drop, kept_bulk, kept_test", [("training", [0, 2], [0, 1]), ("test", [0, 1, 2], [0])])
def test_drop_shared_takes_the_shared_geometries_out_of_one_kind(drop, kept_bulk, kept_test):
    sets = {"bulk": [cu(0, 0.0), cu(1, 0.1), cu(2, 0.2)], "val": [cu(0, 0.3), cu(1, 0.1)]}
    provenance = {"bulk": {}, "val": {}}
    importer._drop_shared(sets, provenance, {"val": "test"}, drop)
    assert [a.info["source_index"] for a in sets["bulk"]] == kept_bulk
    assert [a.info["source_index"] for a in sets["val"]] == kept_test
    assert provenance["bulk" if drop == "training" else "val"]["dropped_as_shared"] == [1]
    with pytest.raises(DatasetError, match="every structure of the test set 'val'"):
        importer._drop_shared({"bulk": [cu(0)], "val": [cu(5)]}, {"bulk": {}, "val": {}}, {"val": "test"}, "test")


def test_the_isolated_atom_and_the_dimer_curve_of_numbers_and_a_table(tmp_path):
    from ase import units

    sets, provenance = {}, {}
    importer._add_isolated_atom(sets, provenance, "Cu", -0.25, "rydberg")
    assert sets["isolated_atom"][0].get_potential_energy() == pytest.approx(-0.25 * units.Ry)
    assert provenance["isolated_atom"]["factor_eV_per_unit"] == pytest.approx(units.Ry)
    table = tmp_path / "curve.dat"
    np.savetxt(table, np.c_[[2.0, 2.5, 3.0], [0.3, -0.5, -0.1]])
    importer._add_dimer_curve(sets, provenance, "Cu", table, ("angstrom", "ev"), "2e0")
    energies = [a.get_potential_energy() for a in sets["dimer_curve"]]
    np.testing.assert_allclose(energies, np.array([0.3, -0.5, -0.1]) - 0.5 * units.Ry)  # 2 E0 added
    assert provenance["dimer_curve"]["energy_zero"] == "relative to 2 E0 (2 E0 added)"


def test_write_data_dir_leaves_the_folder_as_it_was_when_the_check_fails(tmp_path):
    folder = tmp_path / "data"
    sets = {"bulk": [cu(0)]}
    with pytest.raises(DatasetError) as failure:
        importer._write_data_dir(folder, "Cu", sets, {}, {"sets": {}}, "", None, 0.1, check=True)
    assert str(folder) in str(failure.value) and not folder.exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no scratch folder left
    meta = importer._write_data_dir(folder, "Cu", sets, {}, {"sets": {}}, "", None, 0.1, check=False)
    assert meta["sets"]["bulk"]["n_structures"] == 1 and meta["import"] == {"sets": {}}
    assert sorted(p.name for p in folder.iterdir()) == ["bulk.extxyz", "manifest.json"]
