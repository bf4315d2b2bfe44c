"""The study on a data directory of one's own: the example copper folder labelled by ASE's EMT.

EMT gives energies, forces and stresses of Cu in milliseconds, so the folder
(:func:`linace.study.example_data.emt_folder`: an isolated atom, a dimer curve, rattled fcc cells for
training and a disjoint test set) is generated here. Checked:
the manifest writer, the folder check and its errors (each naming the file at fault), a training
run on the folder (basis of the folder's element, dimer curve on the element's grid), and one
sweep run through the command line with the real training notebook.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.io import write

from linace.analysis import convergence_range, dimer_grid
from linace.study import datasets, example_data, runs, sweep
from linace.study.example_data import labelled
from linace.study.records import as_record, read_record

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def copper(tmp_path_factory):
    return example_data.emt_folder(tmp_path_factory.mktemp("copper"), "Cu")


def test_manifest_and_check(copper):
    meta = datasets.check_data_dir(copper)
    assert meta["element"] == "Cu" and datasets.element(copper) == "Cu"
    assert set(meta["sets"]) == {"isolated_atom", "dimers", "bulk", "test"}
    assert meta["sets"]["bulk"]["n_structures"] == 8 and meta["sets"]["bulk"]["n_atoms"] == 32
    assert runs.training_sets(copper) == ["dimers", "bulk"]
    assert datasets.e0(copper) == pytest.approx(labelled(Atoms("Cu", positions=[[0, 0, 0]])).get_potential_energy())


def test_training_run_on_the_folder(copper, tmp_path):
    from linace.fit import DesignCache

    run = runs.train(2, "bulk", data_dir=copper, cache=DesignCache(tmp_path / "cache"), progress=False)
    assert run.model.basis.element == "Cu"
    np.testing.assert_allclose(run.curve.r, dimer_grid("Cu"))
    record = as_record(run.record)
    assert record.dimer_summary["range_A"] == list(convergence_range("Cu"))
    assert np.isfinite(record.distance_to_dft)
    assert record.test_error("energy_rmse_meV_per_atom") < 50  # a pair potential fits EMT bulk


def test_carbon_grid_and_range_unchanged():
    from linace.analysis import CONVERGENCE_RANGE, DIMER_GRID

    np.testing.assert_array_equal(dimer_grid("C"), DIMER_GRID)
    assert convergence_range("C") == CONVERGENCE_RANGE
    assert convergence_range("Si")[0] == pytest.approx(1.0 * 2.351 / 1.546, rel=2e-3)


def _cells(count: int, seed: int) -> list[Atoms]:
    cells = []
    for k in range(count):
        cell = bulk("Cu", "fcc", a=3.61, cubic=True)
        cell.rattle(0.05, seed=seed + k)
        cells.append(labelled(cell))
    return cells


def _copy(copper: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(copper, tmp_path / "copy"))


def test_missing_manifest(copper, tmp_path):
    folder = _copy(copper, tmp_path)
    (folder / "manifest.json").unlink()
    with pytest.raises(datasets.DatasetError, match=r"no manifest at .*copy/manifest.json"):
        datasets.check_data_dir(folder)


def test_no_dimer_curve(copper, tmp_path):
    folder = _copy(copper, tmp_path)
    (folder / "dimers.extxyz").unlink()
    before = (folder / "manifest.json").read_bytes()
    with pytest.raises(datasets.DatasetError, match=r"manifest.json: no dimers \(or dimer_curve\) set"):
        datasets.write_manifest(folder, "Cu")
    assert (folder / "manifest.json").read_bytes() == before  # the failed check put the old manifest back


def test_mixed_elements(copper, tmp_path):
    folder = _copy(copper, tmp_path)
    cells = _cells(2, seed=7)
    cells[1].symbols[0] = "Ag"
    write(folder / "bulk.extxyz", cells)
    with pytest.raises(datasets.DatasetError, match=r"bulk \(.*bulk.extxyz\)\[1\].*species other than Cu: \['Ag'\]"):
        datasets.write_manifest(folder, "Cu")


def test_checksum_mismatch(copper, tmp_path):
    folder = _copy(copper, tmp_path)
    with open(folder / "test.extxyz", "a") as stream:
        stream.write("\n")
    with pytest.raises(datasets.DatasetError, match=r"checksum mismatch for .*test.extxyz"):
        datasets.check_data_dir(folder)


def test_dimers_must_cover_the_comparison_range(copper, tmp_path):
    folder = _copy(copper, tmp_path)
    write(folder / "dimers.extxyz", [labelled(Atoms("Cu2", positions=[[0, 0, 0], [0, 0, r]])) for r in (2.0, 2.5, 3.0)])
    with pytest.raises(
        datasets.DatasetError, match=r"dimers \(.*dimers.extxyz\): separations 2.000-3.000 A do not cover"
    ):
        datasets.write_manifest(folder, "Cu")


def test_load_by_element_of_the_committed_registry():
    assert datasets.element_dir() == datasets.element_dir("C") == datasets.DATA_ROOT / "C"
    assert datasets.element_dir("Si") == datasets.DATA_ROOT / "Si"
    assert datasets.manifest().get("element", "C") == "C" and datasets.manifest(element="Si")["element"] == "Si"
    with pytest.raises(ValueError, match="not both"):
        datasets.load("dimers", data_dir=datasets.element_dir(), element="C")


def test_sweep_refuses_a_bad_folder(copper, tmp_path, capsys):
    folder = _copy(copper, tmp_path)
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(SystemExit) as exit_info:
        sweep.main(["--data-dir", str(folder)])
    assert exit_info.value.code == 2
    assert "corrupted manifest" in capsys.readouterr().err


def test_sweep_if_complete_waits_for_a_folder_being_computed(copper, tmp_path, capsys):
    """--if-complete: nothing to do (exit 0, saying why) without a manifest or while sets are being
    computed; a complete folder is checked as without the option (a bad one is still an error)."""
    missing = tmp_path / "nothing"
    with pytest.raises(SystemExit) as stop:
        sweep.main(["--data-dir", str(missing), "--if-complete"])
    assert stop.value.code == 0
    assert f"sweep: {missing} is not complete ({missing / 'manifest.json'} does not exist)" in capsys.readouterr().err
    folder = _copy(copper, tmp_path)
    meta = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**meta, "incomplete": {"clusters": {"missing": 3}}}))
    with pytest.raises(SystemExit) as stop:
        sweep.main(["--data-dir", str(folder), "--if-complete"])
    assert stop.value.code == 0 and "sets still being computed: clusters" in capsys.readouterr().err
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(SystemExit) as stop:
        sweep.main(["--data-dir", str(folder), "--if-complete"])
    assert stop.value.code == 2 and "corrupted manifest" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        sweep.main(["--if-complete"])
    assert stop.value.code == 2 and "--if-complete needs --data-dir" in capsys.readouterr().err


def test_a_grid_option_with_a_folder_sweeps_the_folders_training_sets(copper):
    """--data-dir with --body-orders but no --training-sets: every training set of the folder
    (here dimers and bulk), not the committed study's (narrow, crystals, ...)."""
    args = sweep._parser().parse_args(["--data-dir", str(copper), "--body-orders", "2"])
    assert sorted({run["training_set"] for run in sweep._parameter_grid(args)}) == ["bulk", "dimers"]
    args = sweep._parser().parse_args(["--body-orders", "2"])  # the committed study: its own sets
    assert sorted({run["training_set"] for run in sweep._parameter_grid(args)}) == sorted(sweep.TRAINING_SETS)
    # no grid option: the study's plan on the sets the folder shares with it (dimers), and the
    # folder's own sets (bulk) with the standard basis at K = 2..5
    runs = sweep._parameter_grid(sweep._parser().parse_args(["--data-dir", str(copper)]))
    assert sorted((run["training_set"], run["body_order"]) for run in runs) == sorted(
        (name, K) for name in ("dimers", "bulk") for K in sweep.BODY_ORDERS
    )
    assert {run["variant"] for run in runs} == {"standard"}
    committed = sweep._parameter_grid(sweep._parser().parse_args([]))
    assert committed == sweep.default_grid()  # the committed study: exactly the default plan


def test_an_element_without_length_scales_is_a_clear_error(copper, tmp_path, capsys):
    from ase.io import read

    folder = _copy(copper, tmp_path)
    for path in folder.glob("*.extxyz"):  # the copper folder turned into boron (labels kept)
        images = read(path, index=":")
        for atoms in images:
            atoms.symbols[:] = "B"
        write(path, images)
    with pytest.raises(datasets.DatasetError, match=r"manifest.json: cannot build the reference crystal of B"):
        datasets.write_manifest(folder, "B")
    datasets.write_manifest(folder, "B", compare_range=(2.0, 4.0), check=False)  # a range given: the basis still
    with pytest.raises(datasets.DatasetError, match=r"manifest.json: cannot build the reference crystal of B"):
        datasets.check_data_dir(folder)  # needs the element's length scales
    with pytest.raises(SystemExit) as stop:
        sweep.main(["--data-dir", str(folder)])
    assert stop.value.code == 2 and "manifest.json" in capsys.readouterr().err


def test_loading_an_element_checks_the_manifest_says_so(copper, tmp_path, monkeypatch):
    folder = tmp_path / "registry"
    (folder / "Si").mkdir(parents=True)
    for path in copper.iterdir():
        (folder / "Si" / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(datasets, "DATA_ROOT", folder)
    with pytest.raises(datasets.DatasetError, match=r"the data of Si were asked for, the manifest says Cu"):
        datasets.load("bulk", element="Si")


def test_sweep_on_the_folder(copper, tmp_path, monkeypatch):
    """One run of the real training notebook (the default template, found from outside the repository)."""
    monkeypatch.chdir(tmp_path)  # not the repository: its book/04_train.py is found all the same
    monkeypatch.setenv("LINACE_CACHE", str(tmp_path / "cache"))
    results = tmp_path / "results"
    code = sweep.main(
        [
            "--data-dir",
            str(copper),
            "--body-orders",
            "2",
            "--training-sets",
            "bulk",
            "--workers",
            "1",
            "--results-dir",
            str(results),
        ]
    )
    assert code == 0
    (path,) = results.glob("*.json")
    record = read_record(path)
    assert record.data_dir == str(copper.resolve())
    assert record.basis_parameters["element"] == "Cu"
    assert (results / "notebooks" / f"{path.stem}.ipynb").is_file()  # outside the book
    written = path.stat().st_mtime_ns
    again = sweep.main(
        [
            "--data-dir",
            str(copper),
            "--body-orders",
            "2",
            "--training-sets",
            "bulk",
            "--workers",
            "1",
            "--results-dir",
            str(results),
        ]
    )
    assert again == 0 and path.stat().st_mtime_ns == written  # up to date: skipped, not re-run
