"""Tests of the dataset registry and loaders on the committed files (no GPAW needed)."""

import json
import shutil

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write

from linace.study import datasets, structures

EXPECTED = ("isolated_atom", "dimers", "clusters", "narrow", "crystals", "diverse", "test", "pool")


def _available(name):
    meta = datasets.manifest()
    if name not in meta["sets"]:
        if name in meta.get("incomplete", {}):
            pytest.skip(f"set {name!r} not generated yet: {meta['incomplete'][name]}")
        pytest.fail(f"set {name!r} neither exported nor listed as incomplete")
    return datasets.load(name)


@pytest.fixture(scope="module")
def meta():
    return datasets.manifest()


def test_manifest_records_settings_and_provenance(meta):
    dft = meta["dft"]
    for key in ("xc", "ecut", "kpt_density", "width", "vacuum", "molecule_moments", "spin"):
        assert key in dft
    assert dft["xc"] == "PBE"
    assert "gpaw" in meta["code"] and "setup_C" in meta["code"]
    assert meta["convergence"] is not None and "scans" in meta["convergence"]
    assert set(meta["sets"]) | set(meta["incomplete"]) == set(EXPECTED)
    assert meta["known_issues"]  # caveats are recorded with the data
    for name, entry in meta["sets"].items():
        assert entry["sha256"] == datasets.sha256(datasets.element_dir() / entry["file"]), name


def test_names_order(meta):
    assert datasets.names() == [n for n in EXPECTED if n in meta["sets"]]


@pytest.mark.parametrize("name", EXPECTED)
def test_load_every_set(name, meta):
    images = _available(name)
    entry = meta["sets"][name]
    assert len(images) == entry["n_structures"] > 0
    assert sum(len(a) for a in images) == entry["n_atoms"]
    for a in images:
        assert set(a.get_chemical_symbols()) == {"C"}
        assert np.isfinite(a.get_potential_energy())
        assert a.get_forces().shape == (len(a), 3)
        assert a.info["config_type"] and a.info["sid"]
        if all(a.pbc):
            assert a.get_stress().shape == (6,)
        if not any(a.pbc):
            moment = a.info["spin_moment"]  # total moment of the lowest state: even, at most 4 per C atom
            assert moment % 2 == 0 and 0 <= moment <= 4 * len(a)
            assert a.get_potential_energy(force_consistent=True) <= a.get_potential_energy() + 1e-9
            if entry.get("labelled_by") == "state search":  # the label is the winning run
                winner = f"energy_m{a.info['spin_moment']}_{a.info['start']}"
                assert a.info[winner] == pytest.approx(a.get_potential_energy())
                runs = [v for k, v in a.info.items() if k.startswith("energy_m")]
                assert a.get_potential_energy() == pytest.approx(np.nanmin(runs))
                if len(a) == 2:  # dimers try every moment
                    assert {int(k.split("_")[1][1:]) for k in a.info if k.startswith("energy_m")} == {0, 2, 4}
            else:
                assert a.info[f"energy_m{a.info['spin_moment']}"] == pytest.approx(a.get_potential_energy())


def test_e0():
    _available("isolated_atom")
    e0 = datasets.e0()
    assert np.isfinite(e0) and e0 < 0
    (atom,) = datasets.load("isolated_atom")
    assert atom.info["spin_moment"] == 2 and not any(atom.pbc)
    assert len(set(np.round(atom.cell.lengths(), 3))) == 3  # non-cubic box


def test_dimer_curve_is_physical():
    dimers = _available("dimers")
    e0 = datasets.e0()
    r = np.array([a.get_distance(0, 1) for a in dimers])
    eb = np.array([a.get_potential_energy() - 2 * e0 for a in dimers])
    np.testing.assert_allclose(r, structures.dimer_distances(), atol=1e-6)
    r_min = r[np.argmin(eb)]
    assert 1.15 < r_min < 1.40  # C2 bond length ~1.25 A
    assert -8.0 < eb.min() < -4.0  # PBE binding ~ -6 eV
    assert abs(eb[-1]) < 0.2  # dissociated at 5 A
    f = np.array([a.get_forces() for a in dimers])
    np.testing.assert_allclose(f[:, 0], -f[:, 1], atol=1e-3)  # Newton's third law


def test_split_disjoint_and_recorded(meta):
    test = {a.info["sid"] for a in _available("test")}
    sizes = set()
    for name in ("narrow", "crystals", "diverse"):
        sids = [a.info["sid"] for a in _available(name)]
        sizes.add(len(sids))
        assert not test & set(sids), name
        assert sids == meta["split"]["members"][name]
    assert len(sizes) == 1  # equal sizes (no failed structure dropped)
    # the recorded split is the one make_split gives for the committed pool
    pool = _available("pool")
    split = datasets.make_split([a.info["config_type"] for a in pool])
    sids = [a.info["sid"] for a in pool]
    for name, idx in split.items():
        assert [sids[i] for i in idx] == meta["split"]["members"][name]
    for a in pool:
        member = a.info["sets"].split(",")
        assert ("test" in member) == (a.info["sid"] in test)
        assert not ("test" in member and len(member) > 1)


def test_pool_reproducible_from_generators():
    """The committed pool is exactly what the deterministic generators give."""
    pool = _available("pool")
    generated = dict(structures.carbon.pool())
    for a in pool:
        g = generated[a.info["sid"]]
        np.testing.assert_allclose(a.positions, g.positions, atol=1e-6)
        np.testing.assert_allclose(a.cell.array, g.cell.array, atol=1e-6)
        assert tuple(a.pbc) == tuple(g.pbc)


# ----------------------------------------------------------------------------- bad inputs


def _structure(**results):
    a = Atoms("C2", positions=[[0, 0, 0], [0, 0, 1.4]], cell=[6, 6.5, 7], pbc=False)
    a.info = {"sid": "x", "config_type": "dimer"}
    if results:
        a.calc = SinglePointCalculator(a, **results)
    return a


def _make_set(tmp_path, images, name="toy"):
    """Write ``images`` as set ``name`` with a correct manifest entry; return the file path."""
    path = tmp_path / f"{name}.extxyz"
    write(path, images, format="extxyz")
    manifest = {"sets": {name: {"file": path.name, "sha256": datasets.sha256(path), "n_structures": len(images)}}}
    (tmp_path / datasets.MANIFEST).write_text(json.dumps(manifest))
    return path


GOOD = dict(energy=-10.0, forces=np.zeros((2, 3)))


def test_good_toy_set_loads(tmp_path):
    _make_set(tmp_path, [_structure(**GOOD)])
    (a,) = datasets.load("toy", tmp_path)
    assert a.get_potential_energy() == -10.0
    assert datasets.names(tmp_path) == ["toy"]


def test_loading_again_gives_fresh_copies_and_sees_changed_files(tmp_path):
    """A set loaded twice comes from the in-memory cache: a caller that changes its structures does
    not change the next load, and a rewritten file (new checksum) is read again."""
    _make_set(tmp_path, [_structure(**GOOD)])
    (first,) = datasets.load("toy", tmp_path)
    first.positions += 1.0
    first.info["touched"] = True
    (second,) = datasets.load("toy", tmp_path)
    assert "touched" not in second.info
    assert not np.allclose(second.positions, first.positions)
    assert second.get_potential_energy() == -10.0
    _make_set(tmp_path, [_structure(energy=-12.0, forces=np.zeros((2, 3)))])
    (third,) = datasets.load("toy", tmp_path)
    assert third.get_potential_energy() == -12.0


def test_unknown_name_lists_known(tmp_path):
    _make_set(tmp_path, [_structure(**GOOD)])
    with pytest.raises(datasets.DatasetError, match="unknown dataset 'nope'.*toy"):
        datasets.load("nope", tmp_path)


def test_unknown_name_in_committed_registry():
    with pytest.raises(datasets.DatasetError, match="known: .*isolated_atom"):
        datasets.load("not-a-set")


def test_missing_manifest(tmp_path):
    with pytest.raises(datasets.DatasetError, match="no manifest"):
        datasets.load("toy", tmp_path)


def test_missing_file(tmp_path):
    path = _make_set(tmp_path, [_structure(**GOOD)])
    path.unlink()
    with pytest.raises(datasets.DatasetError, match="missing"):
        datasets.load("toy", tmp_path)


def test_checksum_mismatch(tmp_path):
    path = _make_set(tmp_path, [_structure(**GOOD)])
    text = path.read_text().replace("-10.0", "-11.0")
    path.write_text(text)
    with pytest.raises(datasets.DatasetError, match="checksum mismatch"):
        datasets.load("toy", tmp_path)


def test_truncated_file(tmp_path):
    path = _make_set(tmp_path, [_structure(**GOOD)] * 3)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(datasets.DatasetError, match="checksum mismatch.*truncated"):
        datasets.load("toy", tmp_path)


def test_truncated_file_with_matching_checksum(tmp_path):
    """A truncated file whose checksum was (wrongly) updated is still caught."""
    path = _make_set(tmp_path, [_structure(**GOOD)] * 3)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]))
    meta = json.loads((tmp_path / datasets.MANIFEST).read_text())
    meta["sets"]["toy"]["sha256"] = datasets.sha256(path)
    (tmp_path / datasets.MANIFEST).write_text(json.dumps(meta))
    with pytest.raises(datasets.DatasetError, match="cannot parse|truncated"):
        datasets.load("toy", tmp_path)


def test_committed_file_corruption_detected(tmp_path):
    """Copy a committed set, flip one byte: the loader refuses it."""
    _available("isolated_atom")
    src = datasets.element_dir()
    shutil.copy(src / datasets.MANIFEST, tmp_path / datasets.MANIFEST)
    data = bytearray((src / "isolated_atom.extxyz").read_bytes())
    data[len(data) // 2] ^= 1
    (tmp_path / "isolated_atom.extxyz").write_bytes(bytes(data))
    with pytest.raises(datasets.DatasetError, match="checksum mismatch"):
        datasets.e0(tmp_path)


@pytest.mark.parametrize(
    "results, message",
    [
        ({}, "no energy"),
        ({"forces": np.zeros((2, 3))}, "no energy"),
        ({"energy": -10.0}, "no forces"),
        ({"energy": float("nan"), "forces": np.zeros((2, 3))}, "NaN or infinite energy"),
        ({"energy": -10.0, "forces": np.array([[0, 0, np.nan], [0, 0, 0]])}, "NaN or infinite forces"),
    ],
)
def test_invalid_results(tmp_path, results, message):
    _make_set(tmp_path, [_structure(**GOOD), _structure(**results)])
    with pytest.raises(datasets.DatasetError, match=message):
        datasets.load("toy", tmp_path)


def test_other_species(tmp_path):
    a = _structure(**GOOD)
    a.symbols[1] = "Si"
    a.calc = SinglePointCalculator(a, **GOOD)
    _make_set(tmp_path, [a])
    with pytest.raises(datasets.DatasetError, match=r"species other than C: \['Si'\]"):
        datasets.load("toy", tmp_path)


def test_dataset_error_is_value_error():
    assert issubclass(datasets.DatasetError, ValueError)
