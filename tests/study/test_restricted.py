"""The spin-restricted reference's workflow (linace.study.dft.restricted) and the dimer-curve
comparison (linace.study.reference), with fake GPAW results: no GPAW needed."""

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from ase.io import write

from linace.study import datasets, dft, reference, structures
from linace.study.dft import restricted


def _morse(r, depth, a, r_e):
    return depth * (1 - np.exp(-a * (r - r_e))) ** 2 - depth


def test_the_convention_is_named_with_its_width():
    assert restricted.convention(0.05) == (
        "spin-restricted (non-spin-polarised), Fermi-Dirac smearing 0.05 eV, E extrapolated to zero width"
    )


def test_occupation_class_of_spin_paired_bands():
    assert restricted.occupation_class([2.0, 2.0, 0.0]) == "integer"
    assert restricted.occupation_class([2.0, 1.99, 0.01]) == "integer"  # within 0.02 of 0 or 1 per spin
    assert restricted.occupation_class([2.0, 2 / 3, 2 / 3, 2 / 3]) == "fractional"  # the restricted C atom's p shell
    with pytest.raises(ValueError, match=r"in \[0, 2\]"):
        restricted.occupation_class([2.5, 0.0])


def test_internal_energy_undoes_the_extrapolation():
    """GPAW's Fermi-Dirac energy is F + TS/2; the internal energy F + TS is 2 E - F."""
    free, ts = -1.0, 0.2
    assert restricted.internal_energy(free + ts / 2, free) == pytest.approx(free + ts)


def test_the_method_key_is_its_own():
    method = restricted.SpinRestricted()
    assert method.digest() == restricted.SpinRestricted(integer_tolerance=0.1).digest()  # naming only
    assert method.digest() != dft.StateSearch().digest()
    assert method.to_dict()["spinpol"] is False


def _fake_run(calls, fail=()):
    """A run_restricted stand-in: a Morse dimer (4 eV deep at 1.3 A) on atoms of -1 eV each,
    recording the separations it was called with; separations (A, to 1e-3) in ``fail`` fail."""

    def run(atoms, settings):
        calls.append(atoms.get_distance(0, 1) if len(atoms) == 2 else 0.0)
        if round(calls[-1], 3) in fail:
            return {"status": "failed", "error": "KohnShamConvergenceError", "wall_time": 2.0}
        if len(atoms) == 1:
            energy, occupations, extra = -1.0, [2.0, 2 / 3, 2 / 3, 2 / 3], {}
        else:
            energy = -2.0 + _morse(atoms.get_distance(0, 1), 4.0, 2.0, 1.3)
            occupations, extra = [2.0, 2.0, 2.0, 2.0, 0.0], {"configuration": "pi_u4 sigma_g2 sigma_u2"}
        return {
            "status": "ok",
            "error": "",
            "energy": energy,
            "free_energy": energy - 0.01,
            "forces": np.zeros((len(atoms), 3)),
            "kpts": [1, 1, 1],
            "occupations": occupations,
            "eigenvalues": [-10.0] * len(occupations),
            "fermi_level": -5.0,
            "occupation": restricted.occupation_class(occupations),
            "niter": 12,
            "wall_time": 2.0,
            **extra,
        }

    return run


def _separation(plan, k):
    return round(plan["dimers"][k][1].get_distance(0, 1), 3)


@pytest.fixture
def small_plan(monkeypatch):
    """The atom and six dimers behind structures.generate."""
    dimers = structures.dimers()[::13][:6]
    small = {"isolated_atom": structures.isolated_atom(), "dimers": dimers}
    monkeypatch.setattr(structures, "generate", lambda group, element="C": small[group])
    return small


def _generate(tmp_path, group, calls, fail=(), **kwargs):
    with ThreadPoolExecutor(1) as pool:  # one worker: the calls come in the order submitted
        return restricted.generate_restricted(
            group,
            dft.DFTSettings(),
            executor=pool,
            progress=False,
            cache_path=tmp_path / "restricted" / "cache.db",
            committed_dir=tmp_path,
            run=_fake_run(calls, fail),
            **kwargs,
        )


def test_generation_resumes_and_retries_failures(tmp_path, small_plan):
    (tmp_path / "restricted").mkdir()
    calls = []
    sids = [sid for sid, _ in small_plan["dimers"]]
    counts = _generate(tmp_path, "dimers", calls, fail={_separation(small_plan, 2)})
    assert counts["ok"] == 5 and counts["failed"] == 1 and counts["skipped"] == 0
    assert calls == sorted(calls)  # shortest separation first
    calls.clear()
    again = _generate(tmp_path, "dimers", calls)
    assert again["skipped"] == 6 and calls == []  # everything cached, the failure too
    retried = _generate(tmp_path, "dimers", calls, retry_failed=True)
    assert retried["ok"] == 1 and len(calls) == 1
    rows = dft.Cache(tmp_path / "restricted" / "cache.db").rows(dft.DFTSettings(), "ok", restricted.SpinRestricted())
    assert len(rows) == 6 and rows[sids[0]].data["occupations"] == [2.0, 2.0, 2.0, 2.0, 0.0]
    # the polarised keys do not see these rows
    assert dft.Cache(tmp_path / "restricted" / "cache.db").finished(dft.DFTSettings()) == {}


def test_a_geometry_other_than_the_committed_one_is_refused_before_any_run(tmp_path, small_plan):
    settings = dft.DFTSettings()
    boxed = [a for _, a in dft.tasks("dimers", settings)]
    for a, (sid, _) in zip(boxed, small_plan["dimers"]):
        a.info["sid"] = sid
    write(tmp_path / "dimers.extxyz", boxed, format="extxyz")
    assert len(restricted.restricted_tasks("dimers", settings, committed_dir=tmp_path)) == 6  # the same: accepted
    boxed[3].positions[1, 0] += 0.01
    write(tmp_path / "dimers.extxyz", boxed, format="extxyz")
    calls = []
    with pytest.raises(ValueError, match=f"{small_plan['dimers'][3][0]} is not the geometry committed"):
        _generate(tmp_path, "dimers", calls)
    assert calls == []
    write(tmp_path / "dimers.extxyz", boxed[:5], format="extxyz")
    with pytest.raises(ValueError, match="are not those of"):
        restricted.restricted_tasks("dimers", settings, committed_dir=tmp_path)
    with pytest.raises(ValueError, match="no spin-restricted reference for set 'clusters'"):
        restricted.restricted_tasks("clusters", settings)


def test_the_committed_geometries_are_those_computed():
    """The tasks of both elements reproduce the committed polarised atoms and dimers exactly."""
    for element in ("C", "Si"):
        settings = dft.default_settings(element)
        for group in restricted.RESTRICTED_GROUPS:
            committed = datasets.load(group, element=element)
            assert len(restricted.restricted_tasks(group, settings, element)) == len(committed)


def _polarised_manifest(tmp_path):
    """A data directory with a polarised manifest (as dft.export writes it, with extra keys)."""
    meta = {
        "schema": 1,
        "element": "C",
        "isolated_atom": {"E0": -2.5},
        "sets": {"dimers": {"file": "dimers.extxyz"}},
        "compute": {"cpu_core_seconds": 1.0},
    }
    (tmp_path / "manifest.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def test_export_writes_beside_the_data_and_only_the_references_entry(tmp_path, small_plan):
    before = _polarised_manifest(tmp_path)
    (tmp_path / "restricted").mkdir()
    calls = []
    _generate(tmp_path, "isolated_atom", calls)
    sids = [sid for sid, _ in small_plan["dimers"]]
    _generate(tmp_path, "dimers", calls, fail={_separation(small_plan, -1)})
    settings = dft.DFTSettings()
    entry = restricted.export_restricted(
        "C", settings, cache_path=tmp_path / "restricted" / "cache.db", data_dir=tmp_path
    )
    after = json.loads((tmp_path / "manifest.json").read_text())
    assert {k: v for k, v in after.items() if k != "references"} == before  # nothing else changed
    assert after["references"]["spin_restricted"] == entry and "dimers" not in after["sets"].get("restricted", {})
    assert entry["convention"] == restricted.convention(settings.width)
    assert entry["sets"]["dimers"]["file"] == "restricted/dimers.extxyz"
    assert entry["sets"]["dimers"]["n_structures"] == 5 and entry["failures"] == {sids[-1]: "KohnShamConvergenceError"}
    assert entry["isolated_atom"]["E0_restricted"] == pytest.approx(-1.0)
    assert entry["isolated_atom"]["spin_polarisation_energy_eV"] == pytest.approx(1.5)
    assert entry["isolated_atom"]["E0_restricted_internal_energy"] == pytest.approx(-0.99)
    assert entry["compute"]["n_runs"] == 7 and entry["compute"]["cpu_core_seconds"] == pytest.approx(14.0)
    # read back through the loaders, checked against the manifest
    assert reference.restricted_e0(data_dir=tmp_path) == pytest.approx(-1.0)
    r, e = reference.restricted_dimer_curve(data_dir=tmp_path)
    assert np.all(np.diff(r) > 0) and len(r) == 5
    np.testing.assert_allclose(e, _morse(r, 4.0, 2.0, 1.3), atol=1e-9)
    (atom,) = reference.load_restricted("isolated_atom", data_dir=tmp_path)
    assert atom.info["convention"] == entry["convention"] and atom.info["occupation"] == "fractional"
    path = tmp_path / "restricted" / "dimers.extxyz"
    path.write_text(path.read_text().replace("pi_u4", "pi_u3"))
    with pytest.raises(datasets.DatasetError, match="checksum mismatch"):
        reference.restricted_dimer_curve(data_dir=tmp_path)


def test_an_incomplete_set_keeps_its_previous_export(tmp_path, small_plan, monkeypatch):
    _polarised_manifest(tmp_path)
    (tmp_path / "restricted").mkdir()
    calls = []
    for group in restricted.RESTRICTED_GROUPS:
        _generate(tmp_path, group, calls)
    cache = tmp_path / "restricted" / "cache.db"
    first = restricted.export_restricted("C", dft.DFTSettings(), cache_path=cache, data_dir=tmp_path)
    grown = structures.dimers()[::13][:6] + [structures.dimers()[70]]  # a longer seventh, not computed yet
    monkeypatch.setattr(structures, "generate", lambda group, element="C": {**small_plan, "dimers": grown}[group])
    second = restricted.export_restricted("C", dft.DFTSettings(), cache_path=cache, data_dir=tmp_path)
    assert second["incomplete"] == {"dimers": {"missing": 7, "of": 7, "previous_export_kept": True}}  # new box: all
    assert second["sets"]["dimers"] == first["sets"]["dimers"]
    assert len(reference.restricted_dimer_curve(data_dir=tmp_path)[0]) == 6


def test_the_polarised_export_keeps_the_references(tmp_path, small_plan, monkeypatch):
    """Re-exporting the polarised data rewrites the manifest; the references section survives."""
    from ase.build import bulk

    small_plan["clusters"] = structures.clusters()[:1]
    small_plan["pool"] = []  # five diamond cells (building the real pool takes a minute)
    for k, a in enumerate((3.50, 3.53, 3.56, 3.59, 3.62)):
        cell = bulk("C", "diamond", a=a)
        cell.info["config_type"] = "diamond"
        small_plan["pool"].append((f"diamond-volume-{k}", cell))
    settings = dft.DFTSettings()
    cache = dft.Cache(tmp_path / "cache.db")
    for group in structures.GROUPS:
        for sid, atoms in dft.tasks(group, settings):
            n = len(atoms)
            result = {"status": "ok", "energy": -2.0 * n, "free_energy": -2.0 * n, "forces": np.zeros((n, 3))}
            if all(atoms.pbc):
                result["stress"] = np.zeros(6)
            cache.write(sid, group, atoms, dft.geometry_digest(atoms), settings, result)
    dft.export(settings, cache_path=tmp_path / "cache.db", data_dir=tmp_path)
    (tmp_path / "restricted").mkdir()
    calls = []
    for group in restricted.RESTRICTED_GROUPS:
        _generate(tmp_path, group, calls)
    entry = restricted.export_restricted(
        "C", settings, cache_path=tmp_path / "restricted" / "cache.db", data_dir=tmp_path
    )
    manifest = dft.export(settings, cache_path=tmp_path / "cache.db", data_dir=tmp_path)
    assert manifest["references"]["spin_restricted"] == entry
    assert "restricted" not in " ".join(s["file"] for s in manifest["sets"].values())
    assert reference.restricted_e0(data_dir=tmp_path) == pytest.approx(-1.0)


def test_loaders_say_when_there_is_no_restricted_reference(tmp_path):
    _polarised_manifest(tmp_path)
    with pytest.raises(datasets.DatasetError, match="no spin-restricted reference"):
        reference.restricted_dimer_curve(data_dir=tmp_path)


# ----------------------------------------------------------------------------- comparing curves


def test_dimer_curve_features_of_a_morse_curve():
    r = np.linspace(0.9, 6.0, 300)
    e = _morse(r, 6.0, 2.0, 1.25)
    f = reference.dimer_curve_features(r[::-1], e[::-1], tail_at=(3.0, 5.0, 7.0))  # any order
    assert f["r_e"] == pytest.approx(1.25, abs=1e-3) and f["depth"] == pytest.approx(-6.0, abs=1e-3)
    assert f["r_first"] == pytest.approx(0.9) and f["r_last"] == pytest.approx(6.0)
    assert f["far_value"] == pytest.approx(e[-1])
    assert f["tail"][3.0] == pytest.approx(_morse(3.0, 6.0, 2.0, 1.25), abs=1e-3)
    assert f["tail"][7.0] is None  # beyond the samples
    with pytest.raises(ValueError, match="same length"):
        reference.dimer_curve_features(r, e[:-1])
    with pytest.raises(ValueError, match="finite"):
        reference.dimer_curve_features(r, np.where(r > 3, np.nan, e))
    with pytest.raises(ValueError, match="bracket"):
        reference.dimer_curve_features(r[r > 2], e[r > 2])


def test_compare_dimer_curves_against_a_reference():
    r = np.linspace(1.0, 6.0, 201)  # 0.025 A apart: 5.0 A is a sample
    shallow, deep = _morse(r, 3.5, 1.8, 2.29), _morse(r, 4.6, 1.5, 2.21)
    rows = reference.compare_dimer_curves(
        {"polarised": (r, shallow), "authors": (r[r <= 5.0], deep[r <= 5.0])}, "polarised", tail_at=(5.0, 5.5)
    )
    assert [row["name"] for row in rows] == ["polarised", "authors"]
    assert rows[0]["delta_depth"] == 0.0 and rows[0]["delta_r_e"] == 0.0
    assert rows[1]["delta_depth"] == pytest.approx(-1.1, abs=2e-3)
    assert rows[1]["delta_r_e"] == pytest.approx(-0.08, abs=2e-3)
    assert rows[1]["delta_tail"][5.0] == pytest.approx(
        _morse(5.0, 4.6, 1.5, 2.21) - _morse(5.0, 3.5, 1.8, 2.29), abs=2e-3
    )
    assert rows[1]["delta_tail"][5.5] is None  # the authors' curve stops at 5.0 A
    with pytest.raises(ValueError, match="reference curve 'restricted' is not among"):
        reference.compare_dimer_curves({"polarised": (r, shallow)}, "restricted")
