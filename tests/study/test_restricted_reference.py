"""Acceptance of the committed spin-restricted reference (data/<element>/restricted/, issue 28).

Convention: spin-restricted (non-spin-polarised), Fermi-Dirac smearing 0.05 eV, E extrapolated to
zero width; binding energies E - 2 E0_restricted. The criteria were fixed before the runs had
finished (2026-12-06), as for the polarised curves (tests/study/test_two_body_reference.py,
tests/study/test_silicon_reference.py):

* the files exist, their SHA-256 and counts are those of the manifest's ``references`` entry, and
  they are not among the manifest's ``sets`` (which the sweep reads as training and test sets);
* the convention is named in the manifest and in every structure;
* the atom is computed in the committed atom's box, the dimers at exactly the committed
  separations in the committed box, none failed;
* the restricted atom lies above the polarised one (E0_restricted - E0_polarised > 0: the atom
  gains energy by polarising its spin);
* the far end tends to 2 E0_restricted: |E - 2 E0_restricted| <= 20 meV beyond 4.5 A scaled to the
  element (:func:`linace.analysis.length_scale`), the criterion of the polarised curves;
* the minimum is bracketed inside the grid. Its position and depth are printed (``pytest -s``)
  beside the polarised curve's and the authors' published curves' (no criterion: how far they
  differ is the finding).

Carbon fails the far-end criterion (its tail is still -54 meV at 5.0 A); the test is kept, marked
as an expected failure with the numbers. Two tests were added after the runs and say so: the tail
rises monotonically to 2 E0_restricted (within 20 meV at the last separation), and the restricted
curve lies nowhere below the polarised label.

They read only the committed files (no GPAW); an element whose restricted reference is not
committed yet is skipped, naming it.
"""

import numpy as np
import pytest

from linace.analysis import length_scale
from linace.study import datasets, reference
from linace.study.dft.restricted import REFERENCE_KEY, convention

ELEMENTS = ("C", "Si")

#: The authors' published DFT dimer curves (GitHub apolmiguel/aceconverge2025, commit c0719c89ef0f,
#: 2025-07-09): C2 from datasets/es01_dimer250.dat (Quantum ESPRESSO; Bohr and Rydberg, absolute,
#: E0 = -18.03977639 Ry), Si2 from datasets/Si2_energy.dat (A, eV, relative to 2 E0; an all-electron
#: code, about -7881 eV per atom). Minimum and depth by reference.dimer_curve_features (the parabola
#: through the lowest sample and two neighbours each side), the Si2 value at its last point, 5.0 A.
AUTHORS = {"C": {"r_e": 1.281, "depth": -8.335}, "Si": {"r_e": 2.205, "depth": -4.639, "tail_5A": -0.341}}


def _entry(element):
    meta = datasets.manifest(element=element)
    entry = meta.get("references", {}).get(REFERENCE_KEY)
    if entry is None or entry.get("incomplete"):
        pytest.skip(
            f"the spin-restricted reference of {element} is not committed (complete) yet "
            "(scripts/generate_restricted.sh)"
        )
    return entry


@pytest.mark.parametrize("element", ELEMENTS)
def test_files_match_the_manifest_and_are_no_training_sets(element):
    entry = _entry(element)
    folder = datasets.element_dir(element)
    meta = datasets.manifest(element=element)
    assert set(entry["sets"]) == {"isolated_atom", "dimers"}
    for name, info in entry["sets"].items():
        path = folder / info["file"]
        assert path.exists(), path
        assert datasets.sha256(path) == info["sha256"], f"{path}: checksum differs from the manifest"
        assert len(reference.load_restricted(name, element)) == info["n_structures"]
        assert info["file"] not in {s["file"] for s in meta["sets"].values()}
    assert not set(entry["sets"]) & {f"restricted_{n}" for n in meta["sets"]}


@pytest.mark.parametrize("element", ELEMENTS)
def test_the_convention_is_named_everywhere(element):
    entry = _entry(element)
    width = datasets.manifest(element=element)["dft"]["width"]
    assert entry["convention"] == convention(width) and entry["dft"]["width"] == width
    assert entry["method"]["spinpol"] is False
    for name in entry["sets"]:
        for atoms in reference.load_restricted(name, element):
            assert atoms.info["convention"] == convention(width) and atoms.info["spin"] == "restricted"


@pytest.mark.parametrize("element", ELEMENTS)
def test_same_boxes_and_separations_as_the_polarised_reference(element):
    _entry(element)
    (atom,) = reference.load_restricted("isolated_atom", element)
    (polarised_atom,) = datasets.load("isolated_atom", element=element)
    np.testing.assert_allclose(atom.cell.array, polarised_atom.cell.array, atol=1e-6)
    np.testing.assert_allclose(atom.positions, polarised_atom.positions, atol=1e-6)
    restricted = {a.info["sid"]: a for a in reference.load_restricted("dimers", element)}
    polarised = {a.info["sid"]: a for a in datasets.load("dimers", element=element)}
    assert set(restricted) == set(polarised), "the restricted curve lacks separations (failed runs?)"
    for sid, a in polarised.items():
        assert restricted[sid].get_distance(0, 1) == pytest.approx(a.get_distance(0, 1), abs=1e-6)
        np.testing.assert_allclose(restricted[sid].cell.array, a.cell.array, atol=1e-6)
    r, _ = reference.restricted_dimer_curve(element)
    r_polarised = np.sort([a.get_distance(0, 1) for a in polarised.values()])
    np.testing.assert_allclose(r, r_polarised, atol=1e-6)


@pytest.mark.parametrize("element", ELEMENTS)
def test_the_restricted_atom_lies_above_the_polarised_one(element):
    entry = _entry(element)
    e_restricted, e_polarised = reference.restricted_e0(element), datasets.e0(element=element)
    assert e_restricted > e_polarised
    assert entry["isolated_atom"]["spin_polarisation_energy_eV"] == pytest.approx(e_restricted - e_polarised)
    print(f"\n{element}: E0_restricted - E0_polarised = {e_restricted - e_polarised:.3f} eV")


#: The criterion above, fixed before the runs, fails for carbon: the restricted C2 curve is still
#: -141 meV at 4.5 A, -54 meV at 5.0 A and -20 meV at 5.5 A (-10 meV at 6.0 A); silicon meets it
#: (-16 meV at 7.0 A, its one separation beyond 6.84 A). The failure is kept visible (strict: it
#: is reported if it starts to pass) instead of loosening the criterion.
CARBON_TAIL = (
    "the restricted C2 curve reaches 2 E0_restricted slowly: -141 meV at 4.5 A, -54 at 5.0, "
    "-20 at 5.5, -10 at 6.0 A (data/README.md)"
)


@pytest.mark.parametrize("element", [pytest.param("C", marks=pytest.mark.xfail(strict=True, reason=CARBON_TAIL)), "Si"])
def test_the_far_end_tends_to_twice_the_restricted_atom(element):
    _entry(element)
    r, e = reference.restricted_dimer_curve(element)
    r_far = 4.5 * length_scale(element)
    far = r >= r_far - 1e-9
    assert far.any(), f"no separation beyond {r_far:.2f} A"
    print(
        f"\n{element}: E - 2 E0_restricted (meV) at "
        + ", ".join(f"{x:.2f} A: {1000 * y:.1f}" for x, y in zip(r[r >= r_far / 1.5], e[r >= r_far / 1.5]))
    )
    off = {round(float(x), 2): round(1000 * float(y), 1) for x, y in zip(r[far], e[far]) if abs(y) > 0.020}
    assert not off, f"|E - 2 E0_restricted| > 20 meV at (A: meV) {off}"


@pytest.mark.parametrize("element", ELEMENTS)
def test_the_tail_approaches_twice_the_restricted_atom_monotonically(element):
    """Added after the runs (2026-12-06), when carbon had failed the criterion above: what the data
    do show. Beyond 3.0 A scaled to the element the curve rises towards 2 E0_restricted at every
    step, and its last point (6.0 A for C, 7.0 A for Si) lies within 20 meV of it."""
    _entry(element)
    r, e = reference.restricted_dimer_curve(element)
    tail = e[r >= 3.0 * length_scale(element) - 1e-9]
    assert np.all(tail < 0) and np.all(np.diff(tail) > 0), f"not rising monotonically to 0: {np.round(tail, 4)}"
    assert abs(e[-1]) <= 0.020, f"{1000 * e[-1]:.1f} meV at {r[-1]:.2f} A"


@pytest.mark.parametrize("element", ELEMENTS)
def test_the_restricted_curve_is_nowhere_below_the_polarised_one(element):
    """Added after the runs (2026-12-06): a check of both references. Every spin-restricted solution
    is also a spin-polarised one (with equal spin densities), so at no separation may the restricted
    dimer lie below the state search's label by more than 1 meV (the two smear differently); where
    the label is a closed shell the two coincide."""
    _entry(element)
    restricted = {a.info["sid"]: a.get_potential_energy() for a in reference.load_restricted("dimers", element)}
    below = {
        a.info["sid"]: round(1000 * (restricted[a.info["sid"]] - a.get_potential_energy()), 1)
        for a in datasets.load("dimers", element=element)
        if restricted[a.info["sid"]] < a.get_potential_energy() - 0.001
    }
    assert not below, f"restricted below the polarised label (meV): {below}"


@pytest.mark.parametrize("element", ELEMENTS)
def test_minimum_beside_the_polarised_and_the_authors_curves(element):
    _entry(element)
    r, e = reference.restricted_dimer_curve(element)
    k = int(np.argmin(e))
    assert 0 < k < len(r) - 1, "the restricted minimum is not bracketed by the grid"
    polarised = datasets.load("dimers", element=element)
    e0 = datasets.e0(element=element)
    r_p = np.array([a.get_distance(0, 1) for a in polarised])
    e_p = np.array([a.get_potential_energy() for a in polarised]) - 2 * e0
    rows = reference.compare_dimer_curves({"polarised": (r_p, e_p), "restricted": (r, e)}, "polarised", tail_at=(5.0,))
    print(f"\n{element}2: curve, r_e (A), depth (eV), E(5.0 A) (eV)")
    for row in rows:
        print(f"  {row['name']:10s} {row['r_e']:.3f}  {row['depth']:.3f}  {row['tail'][5.0]:.3f}")
    authors = AUTHORS[element]
    print(f"  {'authors':10s} {authors['r_e']:.3f}  {authors['depth']:.3f}  {authors.get('tail_5A', float('nan')):.3f}")
    assert rows[1]["depth"] < 0
