"""Acceptance of the committed two-body reference (issue: the two-body reference done right).

The criteria were fixed before the data were computed:

* within each state the curve is smooth: every point lies within 5 meV of the cubic through its
  four nearest other points of the same state (a jump to another SCF solution would not);
* the labelled curve has no steps: where the winning state changes, both states exist on both
  sides of the crossing (so the label is their minimum, with a kink, never a jump);
* the dimer dissociates to the isolated atoms: |E(r) - 2 E0| <= 20 meV for r >= 4.5 A;
* the diamond cohesive energy is within 0.05 eV of the PBE value 7.72 eV/atom (Paier et al. 2006);
* a K = 2 potential fitted to the dimers reproduces them to <= 5 meV/atom;
* E0 is the integer-occupation, symmetry-broken triplet, below the spherical atom.

They read only the committed files (no GPAW).
"""

import numpy as np
import pytest

from linace.study import datasets, reference, structures


def _labelled_by_state_search(name):
    meta = datasets.manifest()
    if meta["sets"].get(name, {}).get("labelled_by") != "state search":
        pytest.fail(f"{name} is not labelled by the state search in data/C/manifest.json")
    return datasets.load(name)


@pytest.fixture(scope="module")
def dimers():
    return _labelled_by_state_search("dimers")


@pytest.fixture(scope="module")
def e0():
    _labelled_by_state_search("isolated_atom")
    return datasets.e0()


def test_e0_is_the_integer_triplet(e0):
    (atom,) = datasets.load("isolated_atom")
    assert atom.info["spin_moment"] == 2
    assert atom.info["occupation"] == "integer"
    assert abs(atom.info["free_minus_energy"]) < 1e-4
    atom_states = datasets.manifest()["isolated_atom"]
    assert atom_states["E0"] == pytest.approx(e0)
    assert atom_states["spherical_minus_integer_eV"] > 0.05  # the spherical atom lies higher


def test_dimer_grid(dimers):
    r = np.array([a.get_distance(0, 1) for a in dimers])
    np.testing.assert_allclose(r, structures.dimer_distances(), atol=1e-6)
    assert len(r) >= 60 and r.min() <= 0.9 + 1e-9 and r.max() >= 6.0 - 1e-9
    inner = np.diff(r[(r >= 1.1 - 1e-9) & (r <= 1.6 + 1e-9)])
    assert inner.max() <= 0.02 + 1e-9


def test_every_state_is_smooth(dimers, e0):
    """Within each winning state, no point more than 5 meV off its state's smooth curve."""
    bad = {k: round(1000 * v, 1) for k, v in reference.rough_state_segments(dimers, e0, 0.005).items()}
    assert not bad, f"points off their state's smooth curve (meV): {bad}"


def test_state_crossings_are_kinks_not_steps(dimers, e0):
    """At every change of winning state both states were found on both sides of the crossing, or
    the change is one of name only: one solution (same moment and occupation class) running
    smoothly, to the 5 meV of the smoothness test, through it (reference.name_changes_without_crossing;
    added after silicon's quintet changed its name at 5.0-5.25 A as its π_u/π_g occupations drifted
    by 0.01 e, with no second state there)."""
    missing = reference.crossings_without_both_states(dimers, e0)
    assert not missing, "; ".join(missing)


def test_dissociation_limit(dimers, e0):
    far = [
        (a.get_distance(0, 1), a.get_potential_energy() - 2 * e0) for a in dimers if a.get_distance(0, 1) >= 4.5 - 1e-9
    ]
    assert far
    off = {round(r, 2): round(1000 * e, 1) for r, e in far if abs(e) > 0.020}
    assert not off, f"|E - 2 E0| > 20 meV at (A: meV) {off}"


def test_diamond_cohesive_energy(e0):
    dia = reference.diamond_sanity(datasets.load("pool"), e0)
    assert dia["cohesive_energy"] == pytest.approx(7.72, abs=0.05)


@pytest.mark.xfail(
    strict=True,
    reason=(
        "not met: the lowest-state curve has kinks where states cross (1.2, 1.6, 2.4, 3.9 A), which "
        "the 12 smooth radial functions of the K = 2 basis cannot follow (the residual oscillates "
        "around each kink: RMSE 11.3 meV/atom since the weights are squared in the loss, 2026-12-02; "
        "up to ~50 meV/atom at 1.2 A with the earlier unsquared weights); smoothness within each state is tested by "
        "test_every_state_is_smooth; with 30 radial functions the same pair fit reaches 3.5 meV/atom "
        "(test_pair_potential_error_is_radial_resolution_at_the_kinks). Measured numbers: issue 9 closing note."
    ),
)
def test_pair_potential_reproduces_the_dimers(dimers, tmp_path):
    from linace.fit import DesignCache
    from linace.study import runs
    from linace.study.records import as_record

    run = runs.train(2, "dimers", cache=DesignCache(tmp_path), progress=False)
    rmse = as_record(run.record).train_errors["energy_rmse_meV_per_atom"]
    assert rmse <= 5.0


def test_pair_potential_reproduces_every_state_segment(dimers, e0):
    """Diagnostic of the xfail above, added after its numbers were seen (not a criterion of the
    issue): the K = 2 basis does fit each state's stretch of the lowest curve by itself (measured
    2026-12: 0.00-1.35 meV/atom, energies only), so what it cannot follow is the kinks between
    states, not noise within one."""
    from ase import Atoms
    from ase.calculators.singlepoint import SinglePointCalculator

    from linace.analysis import predict
    from linace.basis import ACEBasis
    from linace.fit import Weights, fit

    basis = ACEBasis(body_order=2)
    ordered = sorted(dimers, key=lambda a: a.get_distance(0, 1))
    r_all = np.array([a.get_distance(0, 1) for a in ordered])
    rmse = {}
    for segment in reference.state_segments(dimers):
        inside = (r_all >= segment["r_min"] - 1e-9) & (r_all <= segment["r_max"] + 1e-9)
        images = []
        for atoms in [ordered[k] for k in np.flatnonzero(inside)]:
            copy = Atoms(atoms.symbols, positions=atoms.positions)
            copy.calc = SinglePointCalculator(copy, energy=atoms.get_potential_energy(), forces=np.zeros((2, 3)))
            images.append(copy)
        model = fit(
            basis,
            images,
            e0,
            weights=Weights(energy=1.0, forces=0.0, virial=0.0),
            solver="lstsq",
            prior="none",
            alpha=1e-10,
            progress=False,
        )
        key = f"{segment['state']} {segment['r_min']:.2f}-{segment['r_max']:.2f} A"
        rmse[key] = predict(model, images).errors()["energy_rmse_meV_per_atom"]
    assert max(rmse.values()) <= 5.0, rmse


def test_pair_potential_error_is_radial_resolution_at_the_kinks(dimers):
    """Diagnostic of the xfail above, added after its numbers were seen (not a criterion of the
    issue): the K = 2 error on the whole lowest curve falls as radial functions are added, as it
    must where the target has kinks but no steps or noise (measured 2026-12, energies only:
    12 functions 11.2, 16: 7.4, 20: 6.8, 24: 5.05, 30: 3.5 meV/atom). A curve with a step or a
    scattered point would stall far above that."""
    from ase import Atoms
    from ase.calculators.singlepoint import SinglePointCalculator

    from linace.analysis import predict
    from linace.basis import ACEBasis
    from linace.fit import Weights, fit

    images = []
    for atoms in dimers:
        copy = Atoms(atoms.symbols, positions=atoms.positions)
        copy.calc = SinglePointCalculator(copy, energy=atoms.get_potential_energy(), forces=np.zeros((2, 3)))
        images.append(copy)
    rmse = {}
    for n_radial in (12, 20, 30):
        model = fit(
            ACEBasis(2, truncation={1: (n_radial, 0)}),
            images,
            datasets.e0(),
            weights=Weights(energy=1.0, forces=0.0, virial=0.0),
            solver="lstsq",
            prior="none",
            alpha=1e-10,
            progress=False,
        )
        rmse[n_radial] = predict(model, images).errors()["energy_rmse_meV_per_atom"]
    assert rmse[12] > rmse[20] > rmse[30], rmse
    assert rmse[30] <= 5.0, rmse
