"""Silicon's reference structures (linace.study.structures.silicon and the element-parametrised molecules)."""

import collections

import numpy as np
import pytest
from ase.neighborlist import neighbor_list

from linace.study import structures
from linace.study.dft import convergence_cases, default_settings, geometry_digest, pool_split, tasks
from linace.study.structures import silicon


@pytest.fixture(scope="module")
def pool():
    return silicon.pool()


def test_pool_is_dimer_free_silicon_of_small_cells(pool):
    assert len(pool) >= 260
    assert len({sid for sid, _ in pool}) == len(pool)
    for sid, atoms in pool:
        assert set(atoms.get_chemical_symbols()) == {"Si"}, sid
        assert 1 <= len(atoms) <= 16, sid
        assert structures.min_distance(atoms) >= 1.6, sid
        assert structures.coordination(atoms, silicon.CUTOFF).min() >= 2, sid  # never a dimer
    assert set(collections.Counter(a.info["config_type"] for _, a in pool)) == set(silicon.POOL_FAMILIES)


def test_pool_is_reproducible(pool):
    """Generated anew (not the cached copy), the pool has the same geometries: the DFT cache finds
    its computed cells by these digests when a run resumes."""
    silicon._pool.cache_clear()
    assert [geometry_digest(a) for _, a in pool] == [geometry_digest(a) for _, a in silicon.pool()]


def test_split_sizes_and_coverage(pool):
    split = pool_split([a.info["config_type"] for _, a in pool], "Si")
    assert len(split["test"]) >= 60
    assert len(split["narrow"]) == len(split["crystals"]) == len(split["diverse"]) >= 80
    families = {pool[i][1].info["config_type"] for i in split["test"]}
    assert families == set(silicon.POOL_FAMILIES)  # the test set covers every family
    for name in ("narrow", "crystals", "diverse"):
        assert not set(split[name]) & set(split["test"])


def test_phases_have_their_coordination():
    def neighbours(atoms, cutoff):
        return np.bincount(neighbor_list("i", atoms, cutoff), minlength=len(atoms))

    assert set(neighbours(silicon.diamond(), 2.5)) == {4}
    assert set(neighbours(silicon.bc8(19.0), 2.55)) == {4}  # BC8: four bonds (one short, three long)
    assert set(neighbours(silicon.beta_tin(15.5), 2.7)) == {6}  # beta-Sn: 4 + 2 neighbours
    assert set(neighbours(silicon.hcp(14.0), 2.8)) == {12}
    for volume in (14.0, 19.0):
        assert silicon.bc8(volume).get_volume() / 8 == pytest.approx(volume)
        assert silicon.beta_tin(volume).get_volume() / 4 == pytest.approx(volume)


@pytest.mark.parametrize("element", sorted(structures.DIMER_RANGES))
def test_the_dft_dimers_cover_the_range_the_dimer_curves_are_compared_over(element):
    """Every run's distance to DFT is taken over convergence_range(element): the DFT separations
    must reach both ends (a spline is never extrapolated)."""
    from linace.analysis import convergence_range

    r = structures.dimer_distances(element)
    low, high = convergence_range(element)
    assert r[0] <= low and r[-1] >= high


def test_molecules():
    r = structures.dimer_distances("Si")
    assert len(r) >= 60 and r[0] <= 1.7 and r[-1] >= 6.5  # the span, at least
    assert np.all(np.diff(r) > 0) and np.diff(r[(r >= 1.9) & (r <= 2.7)]).max() <= 0.02 + 1e-9
    # the repulsive wall at least as finely as carbon's 0.02 A scaled by the bond lengths
    from linace.analysis import length_scale

    assert np.diff(r[r <= 1.9]).max() <= 0.02 * length_scale("Si") / length_scale("C") + 1e-9
    clusters = structures.clusters("Si")
    sizes = collections.Counter(len(a) for _, a in clusters)
    assert sizes == {3: 40, 4: 50, 5: 60}
    assert min(structures.min_distance(a) for _, a in clusters) >= 1.7
    assert all(set(a.get_chemical_symbols()) == {"Si"} and not any(a.pbc) for _, a in clusters)
    with pytest.raises(ValueError, match="no dimer separations for 'Xe'"):
        structures.dimer_distances("Xe")
    with pytest.raises(ValueError, match="no structure generators for 'Xe'"):
        structures.generate("pool", "Xe")


def test_dft_tasks_of_silicon():
    settings = default_settings("Si")
    dimers = tasks("dimers", settings, "Si")
    assert len({tuple(a.cell.lengths()) for _, a in dimers}) == 1  # one box for the whole scan
    ((_, atom),) = tasks("isolated_atom", settings, "Si")
    assert len(set(np.round(atom.cell.lengths(), 3))) == 3  # non-cubic box
    cases = convergence_cases(element="Si")
    assert {c[1] for c in cases} >= {"atom", "si2_2.25", "si2_6.0", "diamond", "betatin", "sc_rattled"}
