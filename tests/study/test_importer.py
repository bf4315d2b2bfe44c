"""The import of published datasets (linace.study.importer) and the data-directory checks it relies on.

The sources are written by the tests themselves in other codes' conventions (as the paper's authors
and other public datasets publish them): the energy under ``dft_energy``, forces in a per-atom
column ``force``, molecules in a periodic box, ``.xyz`` files, the isolated atom as a number in
Rydberg, the dimer curve as a table in Bohr and Rydberg. Labels come from ASE's EMT (copper), so
everything is fast and the numbers are known exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms, units
from ase.build import bulk
from ase.io import write

from linace.analysis import convergence_range
from linace.study import data_commands, datasets, importer, runs
from linace.study.example_data import labelled
from linace.study.records import as_record

E_ATOM = labelled(Atoms("Cu", positions=[[0, 0, 0]])).get_potential_energy()


def _other_code(images: list[Atoms], box: float | None = None) -> list[Atoms]:
    """Copies carrying their labels the way other codes write them: info 'dft_energy', array 'force'."""
    out = []
    for atoms in images:
        energy, forces = atoms.get_potential_energy(), atoms.get_forces()
        copy = Atoms(atoms.numbers, positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
        if box is not None:
            copy.cell, copy.pbc = [box, box, box], True
        copy.info["dft_energy"] = energy
        copy.info["config_type"] = atoms.info.get("config_type", "bulk")
        copy.arrays["force"] = forces
        out.append(copy)
    return out


def _cells(count: int, seed: int) -> list[Atoms]:
    cells = []
    for k in range(count):
        cell = bulk("Cu", "fcc", a=3.61 * (1 + 0.02 * np.sin(k + seed)), cubic=True)
        cell.rattle(0.05, seed=seed + k)
        cells.append(labelled(cell))
    return cells


def _dimers(separations, box: float | None = 30.0) -> list[Atoms]:
    return _other_code([labelled(Atoms("Cu2", positions=[[0, 0, 0], [0, 0, r]])) for r in separations], box=box)


R_MIN, R_MAX = convergence_range("Cu")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A folder of files as another code publishes them."""
    folder = tmp_path_factory.mktemp("published")
    write(folder / "train.xyz", _other_code(_cells(8, seed=1)), format="extxyz")
    write(folder / "val.xyz", _other_code(_cells(4, seed=100)), format="extxyz")
    write(folder / "dimers.xyz", _dimers(np.linspace(R_MIN - 0.2, R_MAX + 0.2, 30)), format="extxyz")
    r = np.linspace(R_MIN - 0.2, R_MAX + 0.3, 40)
    energy = np.array([labelled(Atoms("Cu2", positions=[[0, 0, 0], [0, 0, x]])).get_potential_energy() for x in r])
    np.savetxt(folder / "dimer_bohr_ry.dat", np.c_[r / units.Bohr, energy / units.Ry], header="r (Bohr) E (Ry)")
    np.savetxt(folder / "dimer_relative.dat", np.c_[r, energy - 2 * E_ATOM])
    return folder


def _import(published: Path, into: Path, *extra: str, sources=None) -> int:
    sources = sources or [
        f"bulk={published / 'train.xyz'}",
        f"test={published / 'val.xyz'}",
        f"dimers={published / 'dimers.xyz'}",
    ]
    return data_commands.main(
        [
            "import",
            *sources,
            "--into",
            str(into),
            "--element",
            "Cu",
            "--energy-key",
            "dft_energy",
            "--forces-key",
            "force",
            "--e0",
            str(E_ATOM / units.Ry),
            "--e0-units",
            "rydberg",
            *extra,
        ]
    )


def test_import_of_another_codes_files(published, tmp_path, capsys):
    into = tmp_path / "cu"
    assert _import(published, into) == 0
    out = capsys.readouterr().out
    assert "imported into" in out and "training sets dimers, bulk" in out
    meta = datasets.check_data_dir(into)
    assert datasets.e0(into) == pytest.approx(E_ATOM, abs=1e-9)
    # the forces came from the 'force' column, the energy from 'dft_energy', unchanged
    source = _other_code(_cells(8, seed=1))
    loaded = datasets.load("bulk", into)
    np.testing.assert_allclose(loaded[3].get_forces(), source[3].arrays["force"], atol=1e-7)
    assert loaded[3].get_potential_energy() == pytest.approx(source[3].info["dft_energy"], abs=1e-9)
    # the dimers were taken out of their 30 A box (isolated within the cut-off)
    dimers = datasets.load("dimers", into)
    assert not any(atoms.pbc.any() for atoms in dimers) and all(atoms.info["box_removed"] for atoms in dimers)
    # every conversion is in the manifest
    record = meta["import"]
    assert record["keys"] == {"energy": "dft_energy", "forces": "force", "stress": "stress"}
    assert record["sets"]["bulk"]["source_sha256"] == datasets.sha256(published / "train.xyz")
    assert record["sets"]["dimers"]["molecules_taken_out_of_box"] == 30
    assert record["sets"]["isolated_atom"] == {
        "source": "given as a number",
        "value": E_ATOM / units.Ry,
        "units": "rydberg",
        "factor_eV_per_unit": units.Ry,
    }
    assert meta["compare_range"] == list(convergence_range("Cu"))
    assert runs.training_sets(into) == ["dimers", "bulk"]


def test_missing_keys_are_listed(published, tmp_path):
    with pytest.raises(
        datasets.DatasetError,
        match=r"train.xyz, structure 0: no energy under 'energy'; the file has "
        r"info keys: config_type, dft_energy.*per-atom arrays: force.*"
        r"--energy-key",
    ):
        importer.import_data([f"bulk={published / 'train.xyz'}"], tmp_path / "x", "Cu", check=False)
    with pytest.raises(datasets.DatasetError, match=r"no forces under 'forces'.*per-atom arrays: force.*--forces-key"):
        importer.import_data(
            [f"bulk={published / 'train.xyz'}"], tmp_path / "x", "Cu", energy_key="dft_energy", check=False
        )
    assert not (tmp_path / "x").exists()


def test_a_molecule_in_a_small_box_is_refused_with_the_reason(published, tmp_path):
    write(tmp_path / "boxed.xyz", _dimers([2.2, 2.6], box=7.0), format="extxyz")
    with pytest.raises(
        datasets.DatasetError,
        match=r"set 'dimers', structure 0 \(boxed.xyz\[0\]\): a molecule in a "
        r"periodic box must be isolated within the cut-off 8.256 A.*an atom is "
        r"4.800 A from a periodic image",
    ):
        importer.import_data(
            [f"dimers={tmp_path / 'boxed.xyz'}"],
            tmp_path / "x",
            "Cu",
            energy_key="dft_energy",
            forces_key="force",
            check=False,
        )
    # with a smaller cut-off the same box holds an isolated molecule
    meta = importer.import_data(
        [f"dimers={tmp_path / 'boxed.xyz'}"],
        tmp_path / "y",
        "Cu",
        energy_key="dft_energy",
        forces_key="force",
        rcut=4.0,
        check=False,
    )
    assert meta["import"]["sets"]["dimers"]["molecules_taken_out_of_box"] == 2


def test_isolated_within_cutoff():
    dimer = Atoms("C2", positions=[[0, 0, 0], [0.8, 0.8, 0.8]], cell=[9.075] * 3, pbc=True)
    assert importer.isolated_within_cutoff(dimer, 5.0) == (True, float("inf"))
    isolated, distance = importer.isolated_within_cutoff(dimer, 9.0)
    assert not isolated and distance == pytest.approx(np.linalg.norm([9.075 - 0.8, 0.8, 0.8]))
    assert importer.isolated_within_cutoff(Atoms("C"), 5.0)[0]


def test_dimer_curve_from_a_table_in_bohr_and_rydberg(published, tmp_path):
    into = tmp_path / "cu"
    assert (
        _import(published, into, "--dimer-table", str(published / "dimer_bohr_ry.dat"), "--units", "bohr,rydberg") == 0
    )
    meta = datasets.manifest(into)
    assert meta["sets"]["dimer_curve"]["role"] == "reference"
    assert "dimer_curve" not in runs.training_sets(into)
    r, energy = datasets.dimer_reference(into)  # the table is the reference curve now
    assert r[0] == pytest.approx(R_MIN - 0.2) and len(r) == 40
    exact = labelled(Atoms("Cu2", positions=[[0, 0, 0], [0, 0, r[7]]])).get_potential_energy() - 2 * E_ATOM
    assert energy[7] == pytest.approx(exact, abs=1e-6)
    assert meta["import"]["sets"]["dimer_curve"]["factors"] == [units.Bohr, units.Ry]
    # the same curve relative to 2 E0 in A and eV, and with the factors a paper states
    other = tmp_path / "relative"
    assert _import(published, other, "--dimer-table", str(published / "dimer_relative.dat"), "--table-zero", "2e0") == 0
    np.testing.assert_allclose(datasets.dimer_reference(other)[1], energy, atol=1e-6)


def test_dimer_table_errors_name_the_line(tmp_path):
    (tmp_path / "bad.dat").write_text("# r E\n1.0 -2.0\n1.1 oops\n")
    with pytest.raises(datasets.DatasetError, match=r"bad.dat, line 3: expected two numbers"):
        importer.read_dimer_table(tmp_path / "bad.dat")
    with pytest.raises(ValueError, match=r"unknown energy unit 'furlong'"):
        importer.unit_factor("furlong", "energy")
    assert importer.unit_factor("13.605703976", "energy") == 13.605703976


def test_split_of_a_single_file(published, tmp_path):
    into = tmp_path / "cu"
    assert (
        _import(
            published,
            into,
            "--split",
            "bulk",
            "--test-fraction",
            "0.25",
            "--seed",
            "7",
            sources=[f"bulk={published / 'train.xyz'}", f"dimers={published / 'dimers.xyz'}"],
        )
        == 0
    )
    meta = datasets.manifest(into)
    assert meta["sets"]["test"]["n_structures"] == 2 and meta["sets"]["bulk"]["n_structures"] == 6
    split = meta["import"]["sets"]
    assert sorted(split["test"]["indices"] + split["bulk"]["indices"]) == list(range(8))
    assert meta["import"]["split"] == {
        "set": "bulk",
        "test_fraction": 0.25,
        "seed": 7,
        "generator": "numpy.random.default_rng(seed).permutation",
    }
    expected = np.sort(np.random.default_rng(7).permutation(8)[:2]).tolist()
    assert split["test"]["indices"] == expected


def test_nothing_is_written_when_the_import_fails_and_nothing_is_overwritten(published, tmp_path, capsys):
    into = tmp_path / "cu"
    # no test set: refused before anything is read
    assert (
        _import(published, into, sources=[f"bulk={published / 'train.xyz'}", f"dimers={published / 'dimers.xyz'}"]) == 1
    )
    assert "needs test (a file, or --split SET)" in capsys.readouterr().err
    assert not into.exists() or not any(into.iterdir())
    # a dimer curve with an E0 of another convention: the check fails, nothing is left behind
    assert (
        data_commands.main(
            [
                "import",
                f"bulk={published / 'train.xyz'}",
                f"test={published / 'val.xyz'}",
                f"dimers={published / 'dimers.xyz'}",
                "--into",
                str(into),
                "--element",
                "Cu",
                "--energy-key",
                "dft_energy",
                "--forces-key",
                "force",
                "--e0",
                str(E_ATOM + 3.0),
            ]
        )
        == 1
    )
    assert "lies -6.000 eV from 2 E0" in capsys.readouterr().err
    assert not into.exists() or not any(into.iterdir())
    assert not list(tmp_path.glob(".cu-import-*"))  # no scratch folder left
    # a good import, then the same again: refused, the first one intact
    assert _import(published, into) == 0
    before = (into / "manifest.json").read_bytes()
    assert _import(published, into) == 1
    assert "already holds" in capsys.readouterr().err and (into / "manifest.json").read_bytes() == before
    assert _import(published, into, "--overwrite") == 0


def test_compare_range_belongs_to_the_data_directory(published, tmp_path, capsys):
    into = tmp_path / "cu"
    short = [f"bulk={published / 'train.xyz'}", f"test={published / 'val.xyz'}"]
    write(tmp_path / "short.xyz", _dimers(np.linspace(2.0, 7.0, 20)), format="extxyz")
    assert _import(published, into, sources=short + [f"dimers={tmp_path / 'short.xyz'}"]) == 1
    assert "set the folder's range with --compare-range LO HI inside 2.000-7.000 A" in capsys.readouterr().err
    assert (
        _import(published, into, "--compare-range", "2.0", "5.0", sources=short + [f"dimers={tmp_path / 'short.xyz'}"])
        == 0
    )
    assert datasets.comparison_range(into) == (2.0, 5.0)
    assert datasets.comparison_range(element="C") == convergence_range("C")  # committed data: the element's


def test_check_refuses_a_test_set_that_repeats_training_structures(published, tmp_path, capsys):
    into = tmp_path / "cu"
    assert (
        _import(
            published,
            into,
            sources=[
                f"bulk={published / 'train.xyz'}",
                f"test={published / 'train.xyz'}",
                f"dimers={published / 'dimers.xyz'}",
            ],
        )
        == 1
    )
    assert (
        "structure 0 of the test set 'test' is structure 0 of the training set 'bulk' (same geometry)"
        in capsys.readouterr().err
    )


def test_geometry_digest_sees_round_off_not_differences():
    a = bulk("Cu", "fcc", a=3.61, cubic=True)
    b = a.copy()
    b.positions += 1e-7
    assert datasets.geometry_digest(a) == datasets.geometry_digest(b)
    b.positions[0] += 0.01
    assert datasets.geometry_digest(a) != datasets.geometry_digest(b)
    c = a.copy()
    c.positions[1] += a.cell[0]  # the same periodic structure, an atom written one cell further
    assert datasets.geometry_digest(a) == datasets.geometry_digest(c)


def test_dimer_tail_tolerance(published, tmp_path, capsys):
    """A curve that ends unbound (as the paper's Si2 curve at 5 A) needs the tolerance raised, on record."""
    into = tmp_path / "cu"
    sources = [f"bulk={published / 'train.xyz'}", f"test={published / 'val.xyz'}", f"dimers={published / 'dimers.xyz'}"]
    e0 = str((E_ATOM + 0.1) / units.Ry)  # 0.1 eV per atom off: the curve ends 0.2 eV from 2 E0
    args = [
        "import",
        *sources,
        "--into",
        str(into),
        "--element",
        "Cu",
        "--energy-key",
        "dft_energy",
        "--forces-key",
        "force",
        "--e0",
        e0,
        "--e0-units",
        "rydberg",
    ]
    assert data_commands.main(args) == 1
    err = capsys.readouterr().err
    assert "lies -0.200 eV from 2 E0" in err and "more than 50 meV" in err
    assert data_commands.main(args + ["--dimer-tail-tolerance", "0.3", "--description", "ends unbound"]) == 0
    assert datasets.manifest(into)["dimer_tail_tolerance"] == 0.3


def test_parse_errors_name_file_line_and_structure(published, tmp_path):
    text = (published / "val.xyz").read_text().splitlines()
    count = int(text[0])
    line = 2 * (count + 2) + 2 + 3  # structure 2, its 4th atom (1-based line numbers: +1 below)
    text[line] = text[line].replace(text[line].split()[2], "x.yz", 1)
    (tmp_path / "broken.xyz").write_text("\n".join(text) + "\n")
    with pytest.raises(
        datasets.DatasetError,
        match=rf"broken.xyz, line {line + 1} \(structure 2\): cannot parse: "
        r"pos value 'x.yz' is not a number",
    ):
        datasets.read_extxyz(tmp_path / "broken.xyz")
    (tmp_path / "short.xyz").write_text("\n".join(text[: count + 2 + 3]) + "\n")
    with pytest.raises(
        datasets.DatasetError,
        match=rf"short.xyz, line {count + 3} \(structure 1\): {count} atoms "
        r"announced, the file ends after 1",
    ):
        datasets.read_extxyz(tmp_path / "short.xyz")


def test_manifest_command_reads_xyz_and_leaves_no_manifest_when_the_check_fails(published, tmp_path, capsys):
    import shutil

    folder = tmp_path / "own"
    folder.mkdir()
    for name in ("train", "val", "dimers"):
        shutil.copy(published / f"{name}.xyz", folder / f"{name}.xyz")
    # other codes' keys: refused (the manifest command reads energy/forces only), and no manifest written
    assert data_commands.main(["manifest", str(folder), "--element", "Cu"]) == 1
    err = capsys.readouterr().err
    assert "no energy; it has info keys: config_type, dft_energy" in err and "datasets import" in err
    assert not (folder / "manifest.json").exists()
    into = tmp_path / "imported"
    assert _import(published, into) == 0
    (into / "test.extxyz").rename(into / "heldout.xyz")  # a .xyz set is read too ...
    assert data_commands.main(["manifest", str(into), "--element", "Cu"]) == 1  # ... but then there is no test set
    assert "no test set" in capsys.readouterr().err
    assert json.loads((into / "manifest.json").read_text())["sets"]["test"]  # the previous manifest is back


def test_a_training_set_that_cannot_fit_is_refused_before_any_work(published, tmp_path, capsys):
    into = tmp_path / "cu"
    write(tmp_path / "atom.xyz", _other_code([labelled(Atoms("Cu", positions=[[0, 0, 0]]))]), format="extxyz")
    assert (
        _import(
            published,
            into,
            sources=[
                f"lonely={tmp_path / 'atom.xyz'}",
                f"test={published / 'val.xyz'}",
                f"dimers={published / 'dimers.xyz'}",
            ],
        )
        == 1
    )
    assert (
        "training set 'lonely' (1 structure(s)) cannot fit a potential: no atom has a neighbour within the cut-off"
    ) in capsys.readouterr().err
    with pytest.raises(datasets.DatasetError, match="nothing to fit"):
        cells = [labelled(bulk("Cu", "fcc", a=3.61, cubic=True)) for _ in range(3)]  # identical, no force
        datasets.check_trainable(cells, "same", 5.0)


def test_train_refuses_an_untrainable_set_before_the_basis_is_evaluated(published, tmp_path, monkeypatch):
    into = tmp_path / "cu"
    assert _import(published, into) == 0
    monkeypatch.setattr(runs, "fit", lambda *a, **k: pytest.fail("fit must not start"))
    monkeypatch.setattr(datasets, "load", _replace_bulk_by_an_atom(datasets.load))
    with pytest.raises(ValueError, match="cannot fit a potential"):
        runs.train(2, "bulk", data_dir=into, progress=False)


def _replace_bulk_by_an_atom(load):
    def patched(name, data_dir=None, element=None):
        if name == "bulk":
            return [labelled(Atoms("Cu", positions=[[0, 0, 0]]))]
        return load(name, data_dir, element)

    return patched


def test_a_run_on_an_imported_folder_uses_its_range_and_reference(published, tmp_path):
    from linace.fit import DesignCache

    into = tmp_path / "cu"
    assert (
        _import(
            published,
            into,
            "--dimer-table",
            str(published / "dimer_bohr_ry.dat"),
            "--units",
            "bohr,rydberg",
            "--compare-range",
            "2.0",
            str(R_MAX + 0.25),
        )
        == 0
    )
    run = runs.train(2, "bulk", data_dir=into, cache=DesignCache(tmp_path / "cache"), progress=False)
    assert as_record(run.record).dimer_summary["range_A"] == [2.0, R_MAX + 0.25]
    assert run.curve.r.max() >= R_MAX + 0.25  # the grid was extended to cover the range
    assert len(run.dft_curve[0]) == 40  # the table, not the 30 dimers
    from linace.study.results import record_range

    assert record_range(run.record) == (2.0, R_MAX + 0.25)
    run = runs.train(
        2, "bulk", data_dir=into, cache=DesignCache(tmp_path / "cache"), progress=False, compare_range=(2.1, 4.0)
    )
    assert as_record(run.record).dimer_summary["range_A"] == [2.1, 4.0]
    assert run.parameters["compare_range"] == [2.1, 4.0]


def test_pickles_need_trust(tmp_path):
    (tmp_path / "set.pckl.gzip").write_bytes(b"not read")
    with pytest.raises(datasets.DatasetError, match="a pickle runs code from the file"):
        importer.import_data([f"dia={tmp_path / 'set.pckl.gzip'}"], tmp_path / "x", "C", check=False)
    with pytest.raises(datasets.DatasetError, match="cannot read this kind of file"):
        importer.parse_sources([str(tmp_path / "set.csv")])


def test_the_books_published_sample_imports_as_the_book_says(tmp_path):
    """example_data.published_sample (chapter 08's second example): refused as it is, brought in by
    the import command alone."""
    from linace.study import example_data

    sample = example_data.published_sample(tmp_path / "paper")
    with pytest.raises(datasets.DatasetError, match="no energy; it has info keys: config_type, dft_energy"):
        datasets.write_manifest(sample.folder, "Cu")
    meta = importer.import_data(
        [f"bulk={sample.train}", f"test={sample.test}", f"dimers={sample.dimers}"],
        tmp_path / "cu",
        "Cu",
        energy_key="dft_energy",
        forces_key="force",
        e0=sample.e0_rydberg,
        e0_units="rydberg",
        dimer_table=sample.dimer_table,
        table_units=("bohr", "rydberg"),
    )
    assert set(meta["sets"]) == {"bulk", "test", "dimers", "isolated_atom", "dimer_curve"}
    assert datasets.e0(tmp_path / "cu") == pytest.approx(E_ATOM, abs=1e-9)
    r, energy = datasets.dimer_reference(tmp_path / "cu")
    assert r[0] == pytest.approx(datasets.load("dimers", tmp_path / "cu")[0].get_distance(0, 1))
    assert abs(energy[-1]) < datasets.DIMER_TAIL_TOLERANCE


def test_held_out_structures_dropped_from_training_sets_on_request(published, tmp_path, capsys):
    """The paper's silicon validation split was drawn from the union of its training sets: without
    --drop-shared the overlap is an error; with 'training', the shared structures leave the
    training sets and their source indices are recorded (here 'test' would empty the test set). A
    second held-out set (role test) is
    validated on by every run."""
    union = tmp_path / "union.xyz"
    train = _other_code(_cells(8, seed=1))
    write(union, train, format="extxyz")
    write(tmp_path / "val.xyz", [train[2], train[5]], format="extxyz")
    write(tmp_path / "val2.xyz", _other_code(_cells(3, seed=300)), format="extxyz")
    sources = [
        f"bulk={union}",
        f"test={tmp_path / 'val.xyz'}",
        f"test_more={tmp_path / 'val2.xyz'}",
        f"dimers={published / 'dimers.xyz'}",
    ]
    into = tmp_path / "cu"
    assert _import(published, into, "--role", "test_more=test", sources=sources) == 1
    assert "structure 0 of the test set 'test' is structure 2 of the training set 'bulk'" in capsys.readouterr().err
    assert _import(published, into, "--role", "test_more=test", "--drop-shared", "test", sources=sources) == 1
    assert "every structure of the test set 'test' is shared with a training set" in capsys.readouterr().err
    assert _import(published, into, "--role", "test_more=test", "--drop-shared", "training", sources=sources) == 0
    meta = datasets.manifest(into)
    assert meta["sets"]["bulk"]["n_structures"] == 6 and meta["import"]["sets"]["bulk"]["dropped_as_shared"] == [2, 5]
    assert datasets.role("test_more", meta) == "test" and runs.training_sets(into) == ["dimers", "bulk"]
    from linace.fit import DesignCache

    run = runs.train(2, "bulk", data_dir=into, cache=DesignCache(tmp_path / "cache"), progress=False)
    held_out = as_record(run.record).held_out
    assert list(held_out) == ["test_more"] and held_out["test_more"]["all"]["n_structures"] == 3


def test_shared_structures_dropped_from_the_held_out_set(published, tmp_path):
    """The paper's carbon validation sets share a few structures with the other training set: taken
    out of the held-out set, the training set stays as published."""
    train = _other_code(_cells(8, seed=1))
    val = _other_code(_cells(4, seed=100))
    write(tmp_path / "train.xyz", train, format="extxyz")
    write(tmp_path / "val.xyz", val[:3] + [train[6]], format="extxyz")
    meta = importer.import_data(
        [f"bulk={tmp_path / 'train.xyz'}", f"test={tmp_path / 'val.xyz'}", f"dimers={published / 'dimers.xyz'}"],
        tmp_path / "cu",
        "Cu",
        energy_key="dft_energy",
        forces_key="force",
        e0=E_ATOM,
        drop_shared="test",
    )
    assert meta["sets"]["bulk"]["n_structures"] == 8 and meta["sets"]["test"]["n_structures"] == 3
    assert meta["import"]["sets"]["test"]["dropped_as_shared"] == [3] and meta["import"]["drop_shared"] == "test"


def test_a_run_with_a_fitted_energy_zero_records_both_conventions(published, tmp_path):
    """energy_zero='fit' (pacemaker's convention) in a run: the binding curve of the potential
    (E(dimer) - 2 E(atom), both of the potential) and the same curve against two DFT atoms, offset
    by twice the fitted shift."""
    from linace.fit import DesignCache

    into = tmp_path / "cu"
    assert _import(published, into) == 0
    cache = DesignCache(tmp_path / "cache")
    atom = runs.train(2, "bulk", data_dir=into, cache=cache, progress=False)
    fitted = runs.train(2, "bulk", data_dir=into, cache=cache, progress=False, energy_zero="fit")
    assert "energy_zero" not in atom.parameters and fitted.parameters["energy_zero"] == "fit"
    shift = fitted.model.info["energy_zero_shift_eV"]
    assert fitted.model.e0 == pytest.approx(datasets.e0(into) + shift)
    summary, absolute = as_record(fitted.record).dimer_summary, as_record(fitted.record).dimer_summary_absolute
    assert summary["energy_zero_offset_eV"] == pytest.approx(2 * shift)
    assert absolute["minimum_energy_eV"] == pytest.approx(summary["minimum_energy_eV"] + 2 * shift, abs=1e-9)
    assert "dimer_summary_absolute" not in atom.record and abs(shift) > 1e-6


def test_a_run_with_a_larger_basis(published, tmp_path):
    from linace.fit import DesignCache

    into = tmp_path / "cu"
    assert _import(published, into) == 0
    run = runs.train(2, "bulk", data_dir=into, cache=DesignCache(tmp_path / "cache"), progress=False, basis_size=2.0)
    assert as_record(run.record).basis_size == 24 and run.parameters["basis_size"] == 2.0
