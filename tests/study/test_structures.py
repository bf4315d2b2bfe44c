"""Tests of the structure generators and of the fixed split (no GPAW needed)."""

from collections import Counter

import numpy as np
import pytest

from linace.study import datasets, structures


@pytest.fixture(scope="module")
def pool():
    return structures.carbon.pool()


def test_pool_deterministic_and_unique(pool):
    structures.carbon._pool.cache_clear()  # generated anew, not the cached copy
    again = structures.carbon.pool()
    assert [sid for sid, _ in again] == [sid for sid, _ in pool]
    for (_, a), (_, b) in zip(pool, again):
        np.testing.assert_array_equal(a.positions, b.positions)
        np.testing.assert_array_equal(a.cell.array, b.cell.array)
    sids = [sid for g in ("dimers", "clusters") for sid, _ in structures.generate(g)]
    sids += [sid for sid, _ in pool]
    assert len(sids) == len(set(sids))


def test_pool_families_and_sizes(pool):
    counts = Counter(a.info["config_type"] for _, a in pool)
    assert set(counts) == set(structures.carbon.POOL_FAMILIES)
    assert len(pool) >= 1000
    sizes = np.array([len(a) for _, a in pool])
    assert sizes.max() <= 16
    assert np.mean(sizes <= 8) > 0.6  # most cells stay small (DFT cost)
    for family in ("amorphous", "defect", "nanotube", "surface"):  # added with the second step
        assert counts[family] >= 30, family
    for _, a in pool:
        assert set(a.get_chemical_symbols()) == {"C"}
        assert any(a.pbc)


def test_pool_has_no_dimers(pool):
    """Every atom has at least two neighbours within the cut-off; no atom closer than 1 A."""
    for sid, a in pool:
        assert structures.coordination(a, structures.carbon.CUTOFF).min() >= 2, sid
        assert structures.min_distance(a) >= 1.0, sid


def test_random_packing_density_and_distance():
    rng = np.random.default_rng(0)
    a = structures.random_packing(6, 2.5, rng, dmin=1.3)
    density = a.get_masses().sum() * 1.66053906660 / a.cell.volume  # g/cm^3
    assert density == pytest.approx(2.5, rel=1e-6)
    assert structures.min_distance(a) >= 1.3


def test_rattle_keeps_minimum_distance():
    rng = np.random.default_rng(1)
    a = structures.rattle(structures.carbon.diamond(cubic=True), 0.3, rng, dmin=1.0)
    assert structures.min_distance(a) >= 1.0
    assert not np.allclose(a.positions, structures.carbon.diamond(cubic=True).positions)


def test_dimers():
    r = structures.dimer_distances()
    assert len(r) >= 60
    assert r[0] == pytest.approx(0.9) and r[-1] == pytest.approx(6.0)
    assert np.all(np.diff(r) > 0)
    steps = np.diff(r)
    near = steps[(r[:-1] >= 1.1 - 1e-9) & (r[:-1] < 1.6 - 1e-9)]
    assert near.max() <= 0.02 + 1e-9  # 0.02 A apart between 1.1 and 1.6 A
    assert near.max() < steps[r[:-1] >= 2.5].min()  # denser around the minima
    for sid, a in structures.dimers():
        assert len(a) == 2 and not any(a.pbc)
        assert a.get_distance(0, 1) == pytest.approx(float(sid.split("-")[1]), abs=1e-3)


def test_clusters():
    clusters = structures.clusters()
    assert len(clusters) == 150
    counts = Counter(a.info["config_type"] for _, a in clusters)
    assert counts == {"C3": 40, "C4": 50, "C5": 60}
    for sid, a in clusters:
        assert 3 <= len(a) <= 5 and not any(a.pbc)
        assert structures.min_distance(a) >= structures.MIN_DISTANCE
        d = a.get_all_distances()
        # connected: every atom has a neighbour within 1.8 A
        assert np.all(np.sort(d, axis=1)[:, 1] < 1.8), sid


def test_unknown_group():
    with pytest.raises(ValueError, match="known"):
        structures.generate("nope")


def test_split_properties(pool):
    types = [a.info["config_type"] for _, a in pool]
    split = datasets.make_split(types)
    assert split == datasets.make_split(types)  # deterministic
    test = set(split["test"])
    sizes = {len(split[n]) for n in ("narrow", "crystals", "diverse")}
    assert len(sizes) == 1 and sizes.pop() >= 320  # every diversity level can be drawn at N = 320
    assert len(test) >= 150
    for name in ("narrow", "crystals", "diverse"):
        assert not test & set(split[name]), name
        assert len(set(split[name])) == len(split[name])
    assert {types[i] for i in split["narrow"]} == {"diamond"}
    assert {types[i] for i in split["crystals"]} == set(structures.carbon.CRYSTALLINE)
    assert {types[i] for i in split["diverse"]} == set(structures.carbon.POOL_FAMILIES)
    assert {types[i] for i in split["test"]} == set(structures.carbon.POOL_FAMILIES)
    # graded diversity: the diamond share decreases
    share = [np.mean([types[i] == "diamond" for i in split[n]]) for n in ("narrow", "crystals", "diverse")]
    assert share[0] > share[1] > share[2]


def test_balanced_water_filling():
    fam = {"a": [0, 1, 2, 3, 4, 5], "b": [6], "c": [7, 8, 9]}
    out = datasets._balanced(fam, 7)
    family = {i: f for f, idx in fam.items() for i in idx}
    assert Counter(family[i] for i in out) == {"a": 3, "b": 1, "c": 3}
    with pytest.raises(ValueError):
        datasets._balanced(fam, 11)


def test_nearest_neighbour_distances():
    from ase import Atoms

    from linace.study.structures import nearest_neighbour_distances

    trimer = Atoms("C3", positions=[[0, 0, 0], [1.3, 0, 0], [1.3, 2.0, 0]])
    np.testing.assert_allclose(nearest_neighbour_distances(trimer), [1.3, 1.3, 2.0])
    lone = Atoms("C2", positions=[[0, 0, 0], [9, 0, 0]])
    assert np.all(np.isinf(nearest_neighbour_distances(lone)))


def test_new_families_are_what_they_say(pool):
    by_sid = dict(pool)
    vacancy = by_sid["defect-dvac-000"]  # 16-atom diamond cell minus one atom
    assert len(vacancy) == 15 and structures.coordination(vacancy, 1.7).min() == 3
    sw = by_sid["defect-sw-000"]
    rings = structures.coordination(sw, 1.75)
    assert len(sw) == 16 and set(rings) == {3}  # every atom still three-fold bonded after the rotation
    tube = by_sid["nanotube-33-001"]
    assert tuple(tube.pbc) == (False, False, True) and len(tube) == 12
    ribbon = next(a for sid, a in pool if sid.startswith("surface-zigzag"))
    assert tuple(ribbon.pbc) == (False, False, True) and structures.coordination(ribbon, 1.7).min() == 2  # bare edge
    densities = [len(a) * 12.011 * 1.66054 / a.get_volume() for sid, a in pool if sid.startswith("amorphous")]
    assert min(densities) < 1.6 and max(densities) > 3.4  # g/cm^3: sp-rich to sp3-rich
