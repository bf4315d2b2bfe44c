"""Tests of the GPAW workflow plumbing that need no GPAW: k-points, boxes, cache, export."""

import collections

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

from linace.study import datasets, dft, structures


def test_kpoint_grid_density_and_vacuum_axes():
    a = bulk("C", "diamond", a=3.567, cubic=True)
    assert dft.kpoint_grid(a, 2.0) == (4, 4, 4)  # ceil(2 pi 2 / 3.567) = ceil(3.52)
    layer = structures.carbon.graphene()
    n = dft.kpoint_grid(layer, 2.0)
    assert n[2] == 1 and n[0] == n[1] > 1
    chain = structures.carbon.chain((1.3,))
    assert dft.kpoint_grid(chain, 2.0)[:2] == (1, 1)


def test_box_molecule_non_cubic_and_centred():
    mol = dft.box_molecule(structures.dimer(1.25), 4.0)
    lengths = mol.cell.lengths()
    np.testing.assert_allclose(lengths, [1.25 + 8.0, 8.25, 8.5])
    assert not any(mol.pbc)
    np.testing.assert_allclose(mol.positions.mean(axis=0), lengths / 2)


def test_digests_are_stable_and_not_numeric():
    s = dft.DFTSettings()
    assert s.digest() == dft.DFTSettings().digest()
    assert s.digest() != dft.DFTSettings(ecut=s.ecut + 1).digest()
    a = structures.carbon.diamond()
    g = dft.geometry_digest(a)
    assert g == dft.geometry_digest(a.copy()) and g.startswith("g")
    b = a.copy()
    b.positions[0, 0] += 1e-4
    assert dft.geometry_digest(b) != g


def _fake_result(atoms, molecule):
    n = len(atoms)
    out = {
        "status": "ok",
        "error": "",
        "energy": -9.0 * n,
        "free_energy": -9.01 * n,
        "forces": np.zeros((n, 3)),
        "kpts": [1, 1, 1],
        "wall_time": 1.0,
    }
    if all(atoms.pbc):
        out["stress"] = np.zeros(6)
    if molecule:
        out.update(moment=2, energies_by_moment={"0": -8.9 * n, "2": -9.0 * n, "4": -8.0 * n})
    return out


def test_cache_and_export_round_trip(tmp_path, monkeypatch):
    """Fake results through the cache and export, then read back with the loaders."""
    small = {
        "isolated_atom": structures.isolated_atom(),
        "dimers": structures.dimers()[:3],
        "clusters": structures.clusters()[:2],
        "pool": [p for i, p in enumerate(structures.carbon.pool()) if i % 25 == 0],
    }
    monkeypatch.setattr(structures, "generate", lambda group, element="C": small[group])
    settings = dft.DFTSettings()
    cache = dft.Cache(tmp_path / "cache.db")
    for group in structures.GROUPS:
        for sid, atoms in dft.tasks(group, settings):
            result = _fake_result(atoms, dft.is_molecule(atoms))
            if sid == small["pool"][-1][0]:
                result = {"status": "failed", "error": "KohnShamConvergenceError"}
            cache.write(sid, group, atoms, dft.geometry_digest(atoms), settings, result)
    assert len(cache.finished(settings)) == sum(len(v) for v in small.values())
    manifest = dft.export(settings, cache_path=tmp_path / "cache.db", data_dir=tmp_path)
    assert small["pool"][-1][0] in manifest["failures"]
    assert set(datasets.names(tmp_path)) == set(datasets.SET_ORDER) - set(manifest["incomplete"])
    (atom,) = datasets.load("isolated_atom", tmp_path)
    assert datasets.e0(tmp_path) == pytest.approx(-9.0)
    assert atom.get_potential_energy(force_consistent=True) == pytest.approx(-9.01)
    dimers = datasets.load("dimers", tmp_path)
    assert [a.info["spin_moment"] for a in dimers] == [2, 2, 2]
    assert dimers[0].info["energy_m4"] == pytest.approx(-16.0)
    assert not any(dimers[0].pbc)
    pool = datasets.load("pool", tmp_path)
    assert len(pool) == len(small["pool"]) - 1
    for a in pool:
        assert ("stress" in a.calc.results) == all(a.pbc)
    # compute time per family: every labelled structure (1 s each here) counted once, in its family
    by_family = manifest["compute"]["by_family"]
    assert sum(f["structures"] for f in by_family.values()) == manifest["compute"]["n_rows"]
    assert manifest["compute"]["cpu_core_seconds"] == pytest.approx(
        sum(f["cpu_core_seconds"] for f in by_family.values())
    )
    families = collections.Counter(a.info["config_type"] for a in pool)
    assert {k: by_family[k]["structures"] for k in families} == dict(families)
    assert by_family["dimer"]["structures"] == 3 and by_family["dimer"]["cpu_core_seconds"] == pytest.approx(3.0)


def _small_plan(tmp_path, monkeypatch, pool):
    """A small generation plan (the atom, 3 dimers, 2 clusters and ``pool``) behind
    structures.generate (``small``, a dict the test may change), the default settings, and
    label(sids=None): fake results in tmp_path/cache.db for those structures (default: all)."""
    small = {
        "isolated_atom": structures.isolated_atom(),
        "dimers": structures.dimers()[:3],
        "clusters": structures.clusters()[:2],
        "pool": pool,
    }
    monkeypatch.setattr(structures, "generate", lambda group, element="C": small[group])
    settings = dft.DFTSettings()
    cache = dft.Cache(tmp_path / "cache.db")

    def label(sids=None):
        for group in structures.GROUPS:
            for sid, atoms in dft.tasks(group, settings):
                if sids is None or sid in sids:
                    cache.write(
                        sid,
                        group,
                        atoms,
                        dft.geometry_digest(atoms),
                        settings,
                        _fake_result(atoms, dft.is_molecule(atoms)),
                    )

    return small, settings, label


def test_a_grown_set_keeps_the_previous_export_until_it_is_labelled(tmp_path, monkeypatch):
    """Growing the pool (new structures not yet computed) must not remove the committed pool sets."""
    full_pool = structures.carbon.pool()
    small, settings, label = _small_plan(tmp_path, monkeypatch, full_pool[:40:4])
    label()
    first = dft.export(settings, cache_path=tmp_path / "cache.db", data_dir=tmp_path)
    assert not first["incomplete"] and "pool" in first["sets"]
    small["pool"] = full_pool[:40:4] + full_pool[40:60:4]  # grown: five structures without labels
    second = dft.export(settings, cache_path=tmp_path / "cache.db", data_dir=tmp_path)
    for name in ("pool", "narrow", "crystals", "diverse", "test"):
        assert second["incomplete"][name]["missing"] > 0 and second["incomplete"][name]["previous_export_kept"]
        assert second["sets"][name]["sha256"] == first["sets"][name]["sha256"]
        assert second["sets"][name]["kept_from_export"] == first["created"]
    assert second["split"]["members"] == first["split"]["members"]
    assert len(datasets.load("pool", tmp_path)) == len(full_pool[:40:4])  # still readable, checksums match


def test_a_completed_test_set_waits_for_the_training_sets_of_its_split(tmp_path, monkeypatch):
    """The split is drawn anew when the pool grows: a grown test set exported beside the previous
    training sets would share structures with them. So a complete test set is held back (file,
    manifest entry and split kept) until every set of the split is complete."""
    full_pool = structures.carbon.pool()
    small, settings, label = _small_plan(tmp_path, monkeypatch, full_pool[:80:4])
    label()
    first = dft.export(settings, cache_path=tmp_path / "cache.db", data_dir=tmp_path)
    small["pool"] = full_pool[:80:2]  # grown, and the split drawn anew over it
    pool = dft.tasks("pool", settings)
    split = dft.pool_split([a.info["config_type"] for _, a in pool])
    new_test = {pool[i][0] for i in split["test"]}
    training = {pool[i][0] for name in ("narrow", "crystals", "diverse") for i in split[name]}
    done = set(dft.Cache(tmp_path / "cache.db").finished(settings))
    assert new_test - done and training - new_test - done  # both grew
    label(new_test)  # the test set is complete, the training sets are not
    second = dft.export(settings, cache_path=tmp_path / "cache.db", data_dir=tmp_path)
    assert "held_back" in second["incomplete"]["test"]
    assert second["sets"]["test"]["sha256"] == first["sets"]["test"]["sha256"]
    assert second["split"]["members"] == first["split"]["members"]
    test = {a.info["sid"] for a in datasets.load("test", tmp_path)}
    for name in ("narrow", "crystals", "diverse"):
        assert not test & {a.info["sid"] for a in datasets.load(name, tmp_path)}
    label()  # everything labelled: the whole new split is exported
    third = dft.export(settings, cache_path=tmp_path / "cache.db", data_dir=tmp_path)
    assert not third["incomplete"]
    assert {a.info["sid"] for a in datasets.load("test", tmp_path)} == new_test


def test_failed_compute_is_recorded_not_raised():
    """A structure GPAW cannot handle gives status 'failed' (here: GPAW missing or bad input)."""
    bad = Atoms("C", positions=[[0, 0, 0]], cell=[0, 0, 0], pbc=True)
    out = dft.compute(bad, dft.DFTSettings())
    # GPAW's own complaint where it is installed, the missing module where it is not (as in CI)
    assert out["status"] == "failed" and (
        "3 lattice vectors" in out["error"] or "No module named 'gpaw'" in out["error"]
    )
