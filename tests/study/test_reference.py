"""Tests of the sanity-number helpers on synthetic data, and on the committed data if present."""

import numpy as np
import pytest
from ase.calculators.singlepoint import SinglePointCalculator

from linace.study import datasets, reference, structures


def _with_energy(atoms, energy, sid):
    atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=np.zeros((len(atoms), 3)))
    atoms.info["sid"] = sid
    return atoms


def test_eos_on_a_parabola():
    """E(V) = E0 + B (V - V0)^2 / (2 V0) per atom: the fit returns V0, E0 and B."""
    from ase.units import GPa

    v0, e0, b = 5.7, -9.0, 430 * GPa
    images = []
    v_start = structures.carbon.diamond().get_volume() / 2
    for i, f in enumerate(np.linspace(0.97, 1.03, 9)):
        a = structures.scale_volume(structures.carbon.diamond(), f * v0 / v_start)
        v = a.get_volume() / 2
        e = 2 * (e0 + b * (v - v0) ** 2 / (2 * v0))
        images.append(_with_energy(a, e, f"diamond-volume-{i:03d}"))
    out = reference.diamond_sanity(images, e_atom=-1.0)
    assert out["v0"] == pytest.approx(v0, rel=1e-4)
    assert out["a0"] == pytest.approx((8 * v0) ** (1 / 3), rel=1e-4)
    assert out["B"] == pytest.approx(430, rel=0.02)
    assert out["cohesive_energy"] == pytest.approx(8.0, abs=1e-4)


def test_parabola_minimum_and_dimer():
    r = np.linspace(1.0, 1.6, 13)
    dimers = [_with_energy(structures.dimer(x), -2.0 + 10 * (x - 1.27) ** 2 + 2 * -1.0, f"d{x}") for x in r]
    for d in dimers:
        d.info["spin_moment"] = 2
    out = reference.dimer_minimum(dimers, e_atom=-1.0)
    assert out["r_e"] == pytest.approx(1.27, abs=1e-6)
    assert out["E_b"] == pytest.approx(-2.0, abs=1e-6)
    assert out["moment_at_minimum"] == 2
    with pytest.raises(ValueError):
        reference.parabola_minimum(r, -((r - 1.3) ** 2))


def test_sanity_numbers_of_committed_data():
    meta = datasets.manifest()
    if not {"pool", "dimers"} <= set(meta["sets"]):
        pytest.skip("pool or dimers not generated yet")
    e0 = datasets.e0()
    pool = datasets.load("pool")
    dia = reference.diamond_sanity(pool, e0)
    assert 3.50 < dia["a0"] < 3.65  # PBE 3.57 A
    assert 7.0 < dia["cohesive_energy"] < 8.5  # PBE ~7.7 eV/atom (spherical-atom reference)
    assert 350 < dia["B"] < 500  # PBE ~430 GPa
    gr = reference.graphene_lattice_constant(pool)
    assert 2.42 < gr["a0"] < 2.50  # PBE 2.467 A
    c2 = reference.dimer_minimum(datasets.load("dimers"), e0)
    assert 1.18 < c2["r_e"] < 1.35


def _morse(r, depth, a, r_e):
    return depth * (1 - np.exp(-a * (r - r_e))) ** 2 - depth


def _state_dimers(r_grid, e_atom=-1.0, jump_at=None):
    """Dimers with state-search info: a singlet (M=0) Morse curve and a deeper, longer triplet
    (M=2); the label is the lower of the two at each r."""
    images = []
    for r in r_grid:
        e_s = _morse(r, 6.0, 2.3, 1.25)
        e_t = _morse(r, 6.3, 2.0, 1.32)
        if jump_at is not None and np.isclose(r, jump_at):
            e_t += 0.05  # an SCF solution 50 meV off the triplet curve
        atoms = structures.dimer(r)
        best = ("m2_integer", e_t, "3Πu", 2) if e_t < e_s else ("m0_integer", e_s, "X1Σg+", 0)
        _with_energy(atoms, best[1] + 2 * e_atom, f"d{r:.3f}")
        atoms.info.update(
            state=best[2],
            spin_moment=best[3],
            occupation="integer",
            energy_m0_integer=e_s + 2 * e_atom,
            state_m0_integer="X1Σg+",
            occupation_m0_integer="integer",
            configuration_m0_integer="pi_u4",
            energy_m2_integer=e_t + 2 * e_atom,
            state_m2_integer="3Πu",
            occupation_m2_integer="integer",
            configuration_m2_integer="pi_u3",
        )
        images.append(atoms)
    return images


def test_state_curves_segments_and_constants():
    r = np.round(np.arange(0.9, 2.0, 0.02), 4)
    dimers = _state_dimers(r)
    curves = reference.state_curves(dimers, -1.0)
    assert set(curves) == {"X1Σg+", "3Πu"}
    np.testing.assert_allclose(curves["3Πu"][1], _morse(r, 6.3, 2.0, 1.32), atol=1e-12)
    segments = reference.state_segments(dimers)
    assert [s["state"] for s in segments][:2] == ["X1Σg+", "3Πu"]
    assert segments[0]["r_min"] == pytest.approx(0.9) and segments[0]["moment"] == 0
    table = {row["state"]: row for row in reference.dimer_state_table(dimers, -1.0)}
    assert table["3Πu"]["r_e"] == pytest.approx(1.32, abs=1e-3)
    assert table["3Πu"]["D_e"] == pytest.approx(6.3, abs=1e-3)
    omega = (
        2.0
        * np.sqrt(2 * 6.3 / 6.0)
        * np.sqrt(1.602176634e-19 / 1e-20 / 1.66053906660e-27)
        / (2 * np.pi * 2.99792458e10)
    )  # Morse: omega = a sqrt(2 D / mu)
    assert table["3Πu"]["omega_e"] == pytest.approx(omega, rel=2e-3)
    assert table["3Πu"]["moment"] == 2 and table["3Πu"]["configuration"] == "pi_u3"
    assert list(table)[0] == "3Πu"  # deepest first


def _renamed_dimers(r_grid, step=0.0, e_atom=-1.0):
    """One fractional quintet (M=4) on a smooth Morse curve whose name changes at r > 2.0 A (its
    electrons per symmetry drift off the integers); ``step`` (eV) added beyond the change."""
    images = []
    for r in r_grid:
        name = "5Πg" if r <= 2.0 else "5-plet, fractional"
        energy = _morse(r, 2.0, 1.5, 1.6) + (step if r > 2.0 else 0.0)
        atoms = _with_energy(structures.dimer(r), energy + 2 * e_atom, f"d{r:.3f}")
        atoms.info.update(
            state=name,
            spin_moment=4,
            occupation="fractional",
            energy_m4_fractional=energy + 2 * e_atom,
            state_m4_fractional=name,
            occupation_m4_fractional="fractional",
            configuration_m4_fractional="",
        )
        images.append(atoms)
    return images


def test_a_change_of_name_within_one_smooth_solution_is_no_crossing():
    r = np.round(np.arange(1.5, 3.0, 0.05), 4)
    smooth = _renamed_dimers(r)
    assert reference.crossings_without_both_states(smooth, -1.0) == []
    assert reference.name_changes_without_crossing(smooth, -1.0) == ["5Πg -> 5-plet, fractional at 2.00-2.05 A"]
    stepped = _renamed_dimers(r, step=0.03)  # the same change of name with a 30 meV step: a possible step
    assert reference.name_changes_without_crossing(stepped, -1.0) == []
    assert reference.crossings_without_both_states(stepped, -1.0) == [
        "5Πg missing at the crossing 2.00-2.05 A",
        "5-plet, fractional missing at the crossing 2.00-2.05 A",
    ]
    two_states = _state_dimers(r)  # a real crossing, both states on both sides: neither list
    assert reference.crossings_without_both_states(two_states, -1.0) == []
    assert reference.name_changes_without_crossing(two_states, -1.0) == []


def test_leave_one_out_residuals_find_a_jump():
    r = np.round(np.arange(0.9, 2.0, 0.02), 4)
    smooth = reference.state_curves(_state_dimers(r), -1.0)["3Πu"]
    assert np.abs(reference.leave_one_out_residuals(*smooth)).max() < 0.002
    jumped = reference.state_curves(_state_dimers(r, jump_at=1.5), -1.0)["3Πu"]
    residual = reference.leave_one_out_residuals(*jumped)
    assert np.argmax(np.abs(residual)) == np.argmin(np.abs(jumped[0] - 1.5))
    assert np.abs(residual).max() > 0.04
    with pytest.raises(ValueError, match="need more than 4 points"):
        reference.leave_one_out_residuals(r[:4], r[:4])


def test_rough_state_segments_flag_the_stretch_with_a_jump():
    r = np.round(np.arange(0.9, 2.0, 0.02), 4)
    assert reference.rough_state_segments(_state_dimers(r), -1.0) == {}
    rough = reference.rough_state_segments(_state_dimers(r, jump_at=1.5), -1.0)
    assert list(rough) == [
        next(
            f"3Πu {s['r_min']:.2f}-{s['r_max']:.2f} A"
            for s in reference.state_segments(_state_dimers(r))
            if s["state"] == "3Πu"
        )
    ]
    assert 0.04 < rough[list(rough)[0]] < 0.06  # the 50 meV step, seen by the leave-one-out cubic
    assert reference.rough_state_segments(_state_dimers(r, jump_at=1.5), -1.0, tolerance=0.1) == {}


def test_label_changes_counts_lowered_and_moment_changes():
    from ase import Atoms
    from ase.calculators.singlepoint import SinglePointCalculator

    from linace.study.reference import label_changes

    def cluster(energy, before, moment, moment_before):
        atoms = Atoms("C3", positions=[[0, 0, 0], [1.3, 0, 0], [0, 1.3, 0]])
        atoms.calc = SinglePointCalculator(atoms, energy=energy)
        atoms.info.update(energy_single_run=before, spin_moment=moment, spin_moment_single_run=moment_before)
        return atoms

    summary = label_changes([cluster(-30.0, -30.0, 2, 2), cluster(-30.3, -30.0, 4, 2), cluster(-29.0, -29.0015, 0, 0)])
    assert summary["n"] == 3 and summary["n_changed"] == 1 and summary["n_moment_changed"] == 1
    assert summary["max_eV_per_atom"] == pytest.approx(0.1)
    assert summary["changes"][1]["change_eV_per_atom"] == pytest.approx(-0.1)
    with pytest.raises(ValueError, match="energy_single_run"):
        label_changes([Atoms("C")])


@pytest.mark.parametrize("element", sorted(reference.LITERATURE_TERMS))
def test_every_named_dimer_state_has_an_entry_in_the_literature(element):
    """A state name maps to a key of data/literature.json's dimer entries (experiment or PBE)."""
    molecule = reference.literature()[f"{element}2"]
    keys = set(molecule.get("experiment", {})) | set(molecule.get("pbe", {}))
    assert set(reference.LITERATURE_TERMS[element].values()) <= keys
    assert reference.literature_term("no such state", element) is None


def test_dimer_reduced_mass_of_any_element():
    assert reference.dimer_reduced_mass("C") == 6.0  # 12C, as spectroscopy quotes
    assert reference.dimer_reduced_mass("Si") == pytest.approx(27.9769265 / 2)  # 28Si
    assert reference.dimer_reduced_mass("Cu") == pytest.approx(63.546 / 2, abs=1e-3)  # standard atomic weight
    with pytest.raises(ValueError, match="unknown chemical symbol 'Xx'"):
        reference.dimer_reduced_mass("Xx")
