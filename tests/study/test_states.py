"""The molecular state search (linace.study.dft.states) without GPAW: occupation classes, orbital
symmetries on model orbitals, term names, the cluster stopping rule, resumable tasks, and the
labelled structures through the cache, the export and the loaders."""

import json

import numpy as np
import pytest

from linace.study import datasets, dft, structures
from linace.study.dft import states


def test_electron_counts_and_fixed_occupations():
    assert states.electron_counts(["C", "C"], 2) == (5, 3)
    assert states.fixed_occupations(["C"], 2, 6) == [[1, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0]]
    with pytest.raises(ValueError, match="moment 3 impossible for 8"):
        states.electron_counts(["C", "C"], 3)
    with pytest.raises(ValueError, match=r"no valence count for element\(s\) \['Xx'\]"):
        states.electron_counts(["C", "Xx"], 0)
    with pytest.raises(ValueError, match="cannot hold 5"):
        states.fixed_occupations(["C", "C"], 2, 4)


def test_initial_moments():
    assert states.initial_moments(["C", "C"], 0, broken=True).tolist() == [2, -2]
    assert states.initial_moments(["C"] * 3, 0, broken=True).tolist() == [2, -2, 0]
    assert states.initial_moments(["C", "C"], 2, broken=True).sum() == pytest.approx(2)
    assert states.initial_moments(["C", "C"], 4, broken=False).tolist() == [2, 2]


def test_occupation_class():
    assert states.occupation_class([[1, 1, 0.999, 0.0], [1, 0.01, 0, 0]]) == "integer"
    assert states.occupation_class([[1, 0.667, 0.667, 0.666], [1, 0, 0, 0]]) == "fractional"
    assert states.occupation_class([[1, 0.97, 0.03]], tol=0.05) == "integer"


def _grid(n=(24, 20, 22), length=(12.0, 10.0, 11.0)):
    """Periodic grid coordinates relative to the box centre (A)."""
    axes = [np.arange(k) * ell / k - ell / 2 for k, ell in zip(n, length)]
    return np.meshgrid(*axes, indexing="ij")


def test_orbital_symmetry_of_model_orbitals():
    """s and p Gaussians on two atoms along x at +-0.6 A: the textbook combinations."""
    x, y, z = _grid()

    def g(x0):
        return np.exp(-((x - x0) ** 2 + y**2 + z**2) / 0.5)

    left, right = g(-0.6), g(0.6)
    assert states.orbital_symmetry(left + right) == "sigma_g"
    assert states.orbital_symmetry(left - right) == "sigma_u"
    assert states.orbital_symmetry(y * (left + right)) == "pi_u"
    assert states.orbital_symmetry(z * (left - right)) == "pi_g"
    # a rotated pi orbital keeps its symmetry; an orbital on one atom loses its inversion parity
    assert states.orbital_symmetry((0.6 * y + 0.8 * z) * (left + right)) == "pi_u"
    assert states.orbital_symmetry(left) == "sigma"
    assert states.orbital_symmetry(y * left) == "pi"
    # the molecular axis may be any Cartesian axis
    assert states.orbital_symmetry(np.transpose(y * (left + right), (1, 0, 2)), axis=1) == "pi_u"
    # a global complex phase (Gamma-point orbitals from GPAW may carry one) changes nothing
    assert states.orbital_symmetry(1j * y * (left - right)) == "pi_g"


def test_configuration_and_terms():
    up = [("sigma_g", 1), ("sigma_u", 1), ("pi_u", 1), ("pi_u", 1), ("sigma_g", 1)]
    down = [("sigma_g", 1), ("sigma_u", 1), ("pi_u", 1)]
    counts = states.configuration([up, down])
    assert counts == {"pi_u": 3.0, "sigma_g": 3.0, "sigma_u": 2.0}
    assert states.configuration_string(counts) == "pi_u3 sigma_g3 sigma_u2"
    assert states.term_symbol(counts, 2) == "3Πu"
    assert states.term_symbol(counts, 0) == "1Πu"
    closed = states.configuration([up[:4], up[:4]])
    assert states.term_symbol(closed, 0) == "1Σg+"  # no spectroscopic letter: X in C2, not in Si2
    assert states.term_symbol({"sigma": 2, "sigma_g": 2, "pi_u": 4}, 0) == "broken-symmetry singlet"
    assert states.term_symbol({"sigma_g": 2, "sigma_u": 2, "pi_u": 3.5}, 0) == "1-plet, fractional"
    assert states.term_symbol({"sigma_g": 2, "sigma_u": 0, "pi_u": 4, "pi_g": 2}, 0).startswith("1-plet, pi_g2")


def test_cluster_moment_stopping_rule():
    assert not states.cluster_moments_done({0: -10.0, 2: -11.0})
    assert not states.cluster_moments_done({0: -10.0, 2: -11.0, 4: -10.5})  # one rise: go on
    assert states.cluster_moments_done({0: -10.0, 2: -11.0, 4: -10.5, 6: -10.8})
    assert not states.cluster_moments_done({0: -10.0, 2: -11.0, 4: -10.5, 6: -11.2})
    assert states.cluster_moments_done({0: -12.0, 2: -11.0, 4: -10.0})


def test_winner_and_summary():
    runs = [
        {
            "moment": 0,
            "start": "integer",
            "status": "ok",
            "energy": -9.0,
            "free_energy": -9.0,
            "forces": [[0, 0, 0]] * 2,
            "occupation": "integer",
            "state": "X1Σg+",
        },
        {"moment": 2, "start": "fractional", "status": "failed", "error": "SCF"},
        {
            "moment": 2,
            "start": "up",
            "status": "ok",
            "energy": -9.5,
            "free_energy": -9.5,
            "forces": [[0, 0, 0]] * 2,
            "occupation": "integer",
            "state": "3Πu",
        },
    ]
    assert states.winner(runs)["state"] == "3Πu"
    out = states.summary(runs)
    assert out["status"] == "ok" and out["moment"] == 2 and out["start"] == "up"
    assert [r["start"] for r in out["runs"]] == ["integer", "fractional", "up"]
    assert out["runs"][1]["free_minus_energy"] is None
    assert states.summary(runs[1:2])["status"] == "failed"


def _fake_single_run(energy_of):
    """A stand-in for states.single_run: energy from the geometry, calls recorded."""
    calls = []

    def run(atoms, settings, search, moment, start, calc=None):
        calls.append((round(atoms.get_distance(0, 1), 3) if len(atoms) > 1 else 0.0, moment, start, calc is not None))
        e = energy_of(atoms, moment)
        rec = {
            "moment": moment,
            "start": start,
            "continued": calc is not None,
            "status": "ok",
            "energy": e,
            "free_energy": e,
            "forces": np.zeros((len(atoms), 3)).tolist(),
            "occupation": "integer",
            "state": f"M{moment}",
            "wall_time": 0.1,
        }
        return rec, object()

    return run, calls


def test_chain_task_resumes_and_reseeds(tmp_path, monkeypatch):
    run, calls = _fake_single_run(lambda a, m: a.get_distance(0, 1) - m)
    monkeypatch.setattr(states, "single_run", run)
    settings, search = dft.DFTSettings(), states.StateSearch()
    items = [
        (sid, a, dft.geometry_digest(a)) for sid, a in [(f"d{r}", structures.dimer(r)) for r in (1.0, 1.2, 1.4, 1.6)]
    ]
    task = states.Task("up_m2", "chain", items, str(tmp_path / "up_m2.jsonl"), 2, "up")
    # a log with two finished points and a truncated third line, as after a kill
    states.run_task(states.Task("up_m2", "chain", items[:2], task.log, 2, "up"), settings, search)
    with open(task.log, "a") as fh:
        fh.write('{"sid": "d1.4", "mom')
    calls.clear()
    assert states.run_task(task, settings, search) == 2
    # the last finished point (1.2) is recomputed to seed the chain, then 1.4 and 1.6 continue
    assert calls == [(1.2, 2, "up", False), (1.4, 2, "up", True), (1.6, 2, "up", True)]
    runs = states.collect(tmp_path, settings, search)
    assert sorted(runs) == ["d1.0", "d1.2", "d1.4", "d1.6"]
    assert states.run_task(task, settings, search) == 0  # all done: nothing recomputed


def test_cluster_task_stops_after_two_rises(tmp_path, monkeypatch):
    energies = {0: -10.0, 2: -11.0, 4: -10.5, 6: -10.7, 8: -12.0}
    run, calls = _fake_single_run(lambda a, m: energies[m])
    monkeypatch.setattr(states, "single_run", run)
    ((sid, atoms),) = structures.clusters()[:1]
    task = states.Task("chunk00", "cluster", [(sid, atoms, "g0")], str(tmp_path / "c.jsonl"))
    states.run_task(task, dft.DFTSettings(), states.StateSearch())
    assert sorted({m for _, m, _, _ in calls}) == [0, 2, 4, 6]  # 8 is never tried
    assert {s for _, _, s, _ in calls} == {"integer", "fractional"}


def test_cluster_task_resumed_mid_moment_finishes_that_moment(tmp_path, monkeypatch):
    """Killed after the integer start of the last moment: the resumed task runs its fractional
    start (the stop rule counts a moment only when all its starts are done), and afterwards the
    task and cluster_runs_missing agree that nothing is left (C4-random-083 was left one run short)."""
    energies = {0: -10.0, 2: -11.0, 4: -10.5, 6: -10.7, 8: -12.0}
    run, calls = _fake_single_run(lambda a, m: energies[m])
    monkeypatch.setattr(states, "single_run", run)
    ((sid, atoms),) = structures.clusters()[:1]
    task = states.Task("chunk00", "cluster", [(sid, atoms, "g0")], str(tmp_path / "c.jsonl"))
    settings, search = dft.DFTSettings(), states.StateSearch()
    states.run_task(task, settings, search)
    kept = [line for line in open(task.log) if '"moment": 6, "start": "fractional"' not in line]
    assert len(kept) == 7
    open(task.log, "w").writelines(kept)
    records = states.collect(tmp_path, settings, search)[sid]
    assert states.cluster_runs_missing(records, atoms.get_chemical_symbols(), search) == 1
    calls.clear()
    assert states.run_task(task, settings, search) == 1
    assert [(m, s) for _, m, s, _ in calls] == [(6, "fractional")]
    records = states.collect(tmp_path, settings, search)[sid]
    assert states.cluster_runs_missing(records, atoms.get_chemical_symbols(), search) == 0


def test_runs_a_cluster_search_still_needs():
    search = states.StateSearch()
    symbols = ["C"] * 3  # 12 valence electrons: moments 0, 2, 4, ...

    def runs(energies, skip=()):
        return [
            {"moment": m, "start": s, "status": "ok", "energy": e + (0.1 if s == "fractional" else 0)}
            for m, e in energies.items()
            for s in states.CLUSTER_STARTS
            if (m, s) not in skip
        ]

    assert list(states.cluster_moments(symbols, search))[:3] == [0, 2, 4]
    assert states.cluster_runs_missing([], symbols, search) == 2  # nothing done: both starts of M = 0
    assert states.cluster_runs_missing(runs({0: -10.0, 2: -11.0}), symbols, search) == 2  # M = 4 next
    assert (
        states.cluster_runs_missing(runs({0: -10.0, 2: -11.0, 4: -10.5}, skip={(4, "fractional")}), symbols, search)
        == 1
    )
    assert states.cluster_runs_missing(runs({0: -10.0, 2: -11.0, 4: -10.5, 6: -10.8}), symbols, search) == 0
    failed = runs({0: -10.0, 2: -11.0, 4: -10.5}) + [
        {"moment": 6, "start": s, "status": "failed"} for s in states.CLUSTER_STARTS
    ]
    assert states.cluster_runs_missing(failed, symbols, search) == 0  # a moment that never converges counts as a rise


def test_plan_of_the_dimer_scan(tmp_path):
    settings, search = dft.DFTSettings(), states.StateSearch()
    items = [(sid, a, dft.geometry_digest(a)) for sid, a in dft.tasks("dimers", settings)[:5]]
    tasks = states.plan("dimers", items[::-1], search, tmp_path)
    assert len(tasks) == 4 * len(search.dimer_moments)
    up = next(t for t in tasks if t.name == "up_m0")
    r = [a.get_distance(0, 1) for _, a, _ in up.structures]
    assert r == sorted(r)
    down = next(t for t in tasks if t.name == "down_m0")
    assert [a.get_distance(0, 1) for _, a, _ in down.structures] == sorted(r, reverse=True)
    with pytest.raises(ValueError, match="no state search for group 'pool'"):
        states.plan("pool", items, search, tmp_path)


def test_dimers_share_one_box():
    settings = dft.DFTSettings()
    boxes = {tuple(np.round(a.cell.lengths(), 6)) for _, a in dft.tasks("dimers", settings)}
    assert len(boxes) == 1
    (box,) = boxes
    assert box[0] == pytest.approx(structures.dimer_distances().max() + 2 * settings.vacuum)
    assert len(set(box)) == 3  # not cubic


def test_state_search_labels_through_export(tmp_path, monkeypatch):
    """State-search summaries in the cache are exported with every run in info; a molecular set
    without a complete search falls back to its single-run rows and says so."""
    small = {
        "isolated_atom": structures.isolated_atom(),
        "dimers": structures.dimers()[:3],
        "clusters": structures.clusters()[:2],
        "pool": [p for i, p in enumerate(structures.carbon.pool()) if i % 40 == 0],
    }
    monkeypatch.setattr(structures, "generate", lambda group, element="C": small[group])
    settings, search = dft.DFTSettings(), states.StateSearch()
    cache = dft.Cache(tmp_path / "cache.db")
    for group in structures.GROUPS:
        for sid, atoms in dft.tasks(group, settings):
            n = len(atoms)
            if group in ("isolated_atom", "dimers"):
                runs = [
                    {
                        "moment": 2,
                        "start": "integer",
                        "status": "ok",
                        "energy": -5.0 * n,
                        "free_energy": -5.0 * n,
                        "forces": np.zeros((n, 3)).tolist(),
                        "occupation": "integer",
                        "state": "3Πu",
                        "configuration": "x",
                    },
                    {
                        "moment": 2,
                        "start": "fractional",
                        "status": "ok",
                        "energy": -4.9 * n,
                        "free_energy": -4.91 * n,
                        "forces": np.zeros((n, 3)).tolist(),
                        "occupation": "fractional",
                        "state": "3-plet, fractional",
                    },
                    {"moment": 0, "start": "up", "status": "failed", "error": "SCF"},
                ]
                result = states.summary(runs)
                cache.write(sid, group, atoms, dft.geometry_digest(atoms), settings, result, search)
                if group == "dimers":  # an earlier single-run label, kept beside the search's
                    cache.write(
                        sid,
                        group,
                        atoms,
                        dft.geometry_digest(atoms),
                        settings,
                        {
                            "status": "ok",
                            "energy": -4.5 * n,
                            "free_energy": -4.5 * n,
                            "forces": np.zeros((n, 3)),
                            "wall_time": 1.0,
                            "moment": 0,
                            "energies_by_moment": {"0": -4.5 * n},
                        },
                    )
            else:
                result = {
                    "status": "ok",
                    "energy": -4.0 * n,
                    "free_energy": -4.0 * n,
                    "forces": np.zeros((n, 3)),
                    "wall_time": 1.0,
                }
                if all(atoms.pbc):
                    result["stress"] = np.zeros(6)
                else:
                    result.update(moment=0, energies_by_moment={"0": -4.0 * n})
                cache.write(sid, group, atoms, dft.geometry_digest(atoms), settings, result)
    manifest = dft.export(settings, cache_path=tmp_path / "cache.db", data_dir=tmp_path)
    assert manifest["sets"]["dimers"]["labelled_by"] == "state search"
    assert manifest["sets"]["clusters"]["labelled_by"] == "single run"
    assert any("clusters are still labelled" in issue for issue in manifest["known_issues"])
    atom = manifest["isolated_atom"]
    assert atom["E0"] == pytest.approx(-5.0)
    assert atom["spherical_minus_integer_eV"] == pytest.approx(0.1)
    assert manifest["state_search"]["settings_digest"] == search.digest()
    d = datasets.load("dimers", tmp_path)[0]
    assert d.info["state"] == "3Πu" and d.info["occupation"] == "integer"
    assert d.info["energy_m2_fractional"] == pytest.approx(-9.8)
    assert np.isnan(d.info["energy_m0_up"]) and d.info["occupation_m0_up"] == "failed"
    assert d.info["energy_single_run"] == pytest.approx(-9.0) and d.info["spin_moment_single_run"] == 0
    assert "energy_single_run" not in datasets.load("isolated_atom", tmp_path)[0].info  # none computed
    assert datasets.e0(tmp_path) == pytest.approx(-5.0)
    json.dumps(manifest)  # the manifest stays plain JSON


def test_label_records_missing_runs(tmp_path, monkeypatch):
    """Labelling a partly searched group names how many planned runs are missing."""
    small = {"dimers": structures.dimers()[:2]}
    monkeypatch.setattr(structures, "generate", lambda group, element="C": small[group])
    settings, search = dft.DFTSettings(), states.StateSearch()
    log_dir = tmp_path / "logs"
    run, _ = _fake_single_run(lambda a, m: -a.get_distance(0, 1) - m)
    monkeypatch.setattr(states, "single_run", run)
    items = [(sid, a, dft.geometry_digest(a)) for sid, a in dft.tasks("dimers", settings)]
    (up,) = [t for t in states.plan("dimers", items, search, log_dir) if t.name == "up_m2"]
    states.run_task(up, settings, search)  # one of the twelve tasks done
    counts = dft.label("dimers", settings, search, cache_path=tmp_path / "c.db", log_dir=log_dir)
    assert counts["ok"] == 2 and counts["runs"] == 2
    assert counts["runs_missing"] == 2 * (4 * len(search.dimer_moments) - 1)
    row = dft.Cache(tmp_path / "c.db").rows(settings, "ok", search)["dimer-0.900"]
    assert row.data["runs_missing"] == 4 * len(search.dimer_moments) - 1
