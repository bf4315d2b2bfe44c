"""Tests of the sanity-number helpers on synthetic data, and on the committed data if present."""

import numpy as np
import pytest
from ase.calculators.singlepoint import SinglePointCalculator

from linace import datasets, reference, structures


def _with_energy(atoms, energy, sid):
    atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=np.zeros((len(atoms), 3)))
    atoms.info["sid"] = sid
    return atoms


def test_eos_on_a_parabola():
    """E(V) = E0 + B (V - V0)^2 / (2 V0) per atom: the fit returns V0, E0 and B."""
    from ase.units import GPa

    v0, e0, b = 5.7, -9.0, 430 * GPa
    images = []
    v_start = structures.diamond().get_volume() / 2
    for i, f in enumerate(np.linspace(0.97, 1.03, 9)):
        a = structures.scale_volume(structures.diamond(), f * v0 / v_start)
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
    dimers = [_with_energy(structures.dimer(x), -2.0 + 10 * (x - 1.27) ** 2 + 2 * -1.0, f"d{x}")
              for x in r]
    for d in dimers:
        d.info["spin_moment"] = 2
    out = reference.dimer_minimum(dimers, e_atom=-1.0)
    assert out["r_e"] == pytest.approx(1.27, abs=1e-6)
    assert out["E_b"] == pytest.approx(-2.0, abs=1e-6)
    assert out["moment_at_minimum"] == 2
    with pytest.raises(ValueError):
        reference.parabola_minimum(r, -(r - 1.3) ** 2)


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
