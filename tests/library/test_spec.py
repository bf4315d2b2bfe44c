"""The basis built from its spec (linace.spec), its frozen tables (linace.tables), the model that stores
the spec (save, load, models saved before the spec) and the documented fit information (FitInfo)."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.calculators.singlepoint import SinglePointCalculator

from linace.basis import ACEBasis, contracted_weights, evaluate_products, neighbour_pairs, pair_factors, product_chunks
from linace.fit import ACEModel, FitError, FitInfo, fit
from linace.neighbourhood import slot_layout
from linace.spec import DEFAULT_TRUNCATION, BasisSpec
from linace.streaming import fit_streaming
from linace.tables import tables_of

from conftest import random_carbon

DATA = Path(__file__).resolve().parents[1] / "data"


def rattled_diamond(seed: int = 3) -> Atoms:
    atoms = bulk("C", "diamond", a=3.567).repeat(2)
    atoms.rattle(0.05, seed=seed)
    return atoms


def predictions(model: ACEModel, atoms: Atoms):
    atoms = atoms.copy()
    atoms.calc = model.calculator()
    return atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()


# --------------------------------------------------------------------------- the spec
SPECS = [
    BasisSpec(3),
    BasisSpec(4, rcut=4.5, truncation={2: (9, 3)}, l_weight=1.5, r0=1.4, pure=True),
    BasisSpec(2, element="Si", p=1.5, q=5.0, a=2.0),
]


@pytest.mark.parametrize("spec", SPECS)
def test_a_spec_round_trips_through_a_dict_and_json(spec):
    data = spec.to_dict()
    assert BasisSpec.from_dict(data) == spec
    again = BasisSpec.from_dict(json.loads(json.dumps(data)))  # truncation keys become strings
    assert again == spec and hash(again) == hash(spec)
    assert ACEBasis(**data).spec == spec


def test_a_spec_completes_and_normalises_its_fields():
    spec = BasisSpec(4, truncation={"2": [10, 2]})
    assert spec.truncation == ((1, DEFAULT_TRUNCATION[1]), (2, (10, 2)), (3, DEFAULT_TRUNCATION[3]))
    assert spec.limits(2) == (10, 2) and (spec.rcut, spec.r0) == (5.0, 1.5)
    assert (spec.p, spec.q, spec.a) == (2.0, 4.0, 1.0) and isinstance(BasisSpec(2, p=2).p, float)
    assert BasisSpec(3, truncation={1: (12, 0)}) == BasisSpec(3)  # the defaults spelled out: the same basis
    assert BasisSpec(3, rcut=4.0) != BasisSpec(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.rcut = 4.0


def test_the_spec_of_parameters_saved_before_it_existed():
    """Run records and models made before the spec hold seven parameters: p, q, a were the defaults."""
    old = {
        "body_order": 3,
        "rcut": 4.5,
        "truncation": {"1": [12, 0], "2": [9, 3]},
        "l_weight": 1.5,
        "element": "C",
        "r0": 1.4,
        "pure": True,
    }
    spec = BasisSpec.from_dict(old)
    assert (spec.p, spec.q, spec.a) == (2.0, 4.0, 1.0)
    assert spec.to_dict() == {**old, "truncation": {1: [12, 0], 2: [9, 3]}, "p": 2.0, "q": 4.0, "a": 1.0}
    with pytest.raises(ValueError, match=r"unknown basis parameter\(s\) \['n_max'\]"):
        BasisSpec.from_dict({**old, "n_max": 4})


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"p": 4.0, "q": 2.0}, "q > p > 0"),
        ({"a": 0.0}, "a > 0"),
        ({"r0": 6.0}, "r0 must lie in"),
        ({"rcut": -1.0}, "rcut must be a positive"),
        ({"element": "Xx"}, "unknown chemical element"),
        ({"truncation": {3: (6, 2)}}, "nu = 3"),
        ({"body_order": 6}, "body_order"),
    ],
)
def test_a_bad_spec_is_refused_when_made(fields, message):
    with pytest.raises(ValueError, match=message):
        BasisSpec(**{"body_order": 3, **fields})


def test_the_functions_of_a_spec_are_the_basis_functions():
    spec = SPECS[1]
    functions, couplings = spec.functions()
    basis = ACEBasis.from_spec(spec)
    assert basis.functions == list(functions) and basis.couplings is couplings
    assert all(f.correlation_order <= 3 for f in functions) and len(functions) == len(basis)
    assert not couplings[-1].flags.writeable


# --------------------------------------------------------------------------- the basis from its spec
@pytest.mark.parametrize("spec", SPECS)
def test_from_spec_builds_the_basis_of_its_keywords(spec):
    atoms = bulk(spec.element, "diamond", a=3.567 if spec.element == "C" else 5.43).repeat((2, 1, 1))
    atoms.rattle(0.05, seed=1)
    by_spec, by_keywords = ACEBasis.from_spec(spec), ACEBasis(**spec.to_dict())
    assert by_spec.spec == spec and by_spec.parameters() == spec.to_dict()
    assert by_spec.describe() == by_keywords.describe()
    np.testing.assert_array_equal(by_spec.descriptors(atoms), by_keywords.descriptors(atoms))
    assert (by_spec.body_order, by_spec.element, by_spec.pure, by_spec.l_weight, by_spec.rcut) == (
        spec.body_order,
        spec.element,
        spec.pure,
        spec.l_weight,
        spec.rcut,
    )
    assert by_spec.truncation == dict(spec.truncation)


def test_p_q_a_set_through_the_basis_shape_the_radial_functions_and_are_saved(tmp_path):
    default, shaped = ACEBasis(3), ACEBasis(3, p=1.5, q=6.0, a=3.0)
    assert (shaped.radial.p, shaped.radial.q, shaped.radial.a) == (1.5, 6.0, 3.0)
    assert {k: shaped.parameters()[k] for k in "pqa"} == {"p": 1.5, "q": 6.0, "a": 3.0}
    r = np.linspace(0.8, 4.5, 40)
    assert np.abs(shaped.radial(r)[0] - default.radial(r)[0]).max() > 1e-2  # other radial functions
    atoms = rattled_diamond()
    assert np.abs(shaped.descriptors(atoms) - default.descriptors(atoms)).max() > 1e-3
    assert shaped.describe() == default.describe() and shaped.tables is default.tables  # same functions and tables
    model = ACEModel(shaped.spec, np.linspace(-1, 1, len(shaped)) / len(shaped), -1.0)
    model.save(tmp_path / "shaped.npz")
    loaded = ACEModel.load(tmp_path / "shaped.npz")
    assert loaded.spec == shaped.spec and (loaded.basis.radial.p, loaded.basis.radial.q) == (1.5, 6.0)
    np.testing.assert_array_equal(loaded.basis.descriptors(atoms), shaped.descriptors(atoms))


# --------------------------------------------------------------------------- the tables
def test_tables_are_shared_read_only_and_independent_of_the_radial_fields():
    carbon, silicon = ACEBasis(3), ACEBasis(3, element="Si", rcut=6.0, p=1.0)
    assert carbon.tables is silicon.tables is tables_of(BasisSpec(3))
    assert ACEBasis(3, pure=True).tables is not carbon.tables
    tables = carbon.tables
    for array in (tables.products.parent, tables.features.radial, tables.coupling.z_val, tables.radial_products.last):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        tables.features = None
    assert len(tables.features) == len(carbon.features) and carbon.features[0] == ((1,), 0, 0)


def test_the_product_tree_evaluates_every_node_as_the_product_of_its_factors():
    tree = ACEBasis(4, pure=True).tables.products
    A = np.random.default_rng(0).normal(size=(int(tree.last.max()) + 1, 3))
    nodes = evaluate_products(tree, A)
    for q in range(1, len(tree), 37):  # follow the parents back to the empty product
        factors, node = [], q
        while node > 0:
            factors.append(tree.last[node])
            node = tree.parent[node]
        np.testing.assert_allclose(nodes[q], np.prod(A[factors], axis=0), rtol=1e-13)
    chunks = list(product_chunks(tree, A, atoms_per_chunk=2))
    assert [chunk for chunk, _ in chunks] == [slice(0, 2), slice(2, 3)]
    np.testing.assert_array_equal(np.hstack([part for _, part in chunks]), nodes)


@pytest.mark.parametrize("pure", [False, True])
def test_contracted_weights_are_the_derivatives_of_the_site_energies(pure):
    """w[f, i] = sum_b c_b dB_b(i)/dA_f(i), against central differences of sum_b c_b B_b in A."""
    basis = ACEBasis(4, pure=pure, truncation={1: (4, 0), 2: (4, 2), 3: (4, 2)})
    tables = basis.tables
    rng = np.random.default_rng(1)
    c = rng.normal(size=len(basis))
    A = rng.normal(size=(len(tables.features), 2))
    energies, w = contracted_weights(tables, A, c)
    energy = lambda A: c @ (tables.coupling.basis_from_nodes @ evaluate_products(tables.products, A))  # noqa: E731
    np.testing.assert_allclose(energies, energy(A), rtol=1e-12)
    h = 1e-6
    for f in range(0, len(tables.features), 5):
        step = np.zeros_like(A)
        step[f] = h
        np.testing.assert_allclose((energy(A + step) - energy(A - step)) / (2 * h), w[f], rtol=1e-6, atol=1e-8)


def test_pair_factors_are_the_radial_functions_and_harmonics_of_the_pairs():
    from linace.harmonics import real_sph_harm

    basis = ACEBasis(3)
    i, j, r, vectors = neighbour_pairs(rattled_diamond(), basis.rcut)
    R, dR, Y, dY = pair_factors(basis.radial, 4, r, vectors, gradient=True)
    np.testing.assert_array_equal(R, basis.radial(r)[0].T)
    np.testing.assert_allclose(Y, real_sph_harm(vectors, 4).T, rtol=1e-14, atol=1e-14)
    assert dY.shape == (25, 3, len(r)) and pair_factors(basis.radial, 4, r, vectors, gradient=False)[3] is None


def test_the_slot_layout_puts_every_pair_at_the_column_of_its_neighbour():
    """A cell smaller than the cut-off: every centre sees its neighbours through many images; the first
    image of (c, j) sits at j's column, the others in the overflow folded onto it, pads elsewhere."""
    atoms = random_carbon(3, True, 5)
    rcut = 5.0
    pairs = neighbour_pairs(atoms, rcut)
    first_pair = np.searchsorted(pairs[0], np.arange(len(atoms) + 1))
    layout = slot_layout(pairs, first_pair, slice(1, 3), rcut)
    n_columns, width = len(layout.columns), layout.width
    assert layout.n_centres == 2 and list(layout.columns) == [0, 1, 2] and width >= n_columns + 3
    assert list(layout.columns[layout.centre_slot]) == [1, 2]
    is_pad = layout.r == rcut
    assert np.all(layout.vectors[is_pad] == [rcut, 0, 0])
    for centre in (1, 2):
        mine = pairs[0] == centre
        items = slice((centre - 1) * width, centre * width)
        assert np.all(layout.i[items] == centre)
        assert np.sort(layout.r[items][~is_pad[items]]).tolist() == np.sort(pairs[2][mine]).tolist()
        for k in layout.columns:  # the sum of the vectors to every image of k, once folded onto k's column
            expected = pairs[3][mine & (pairs[1] == k)].sum(axis=0)
            vectors = layout.vectors[items].copy()
            vectors[is_pad[items]] = 0.0
            flat = np.zeros((width, 3))
            flat += vectors
            for source, target in layout.folds:
                local = (source - items.start), (target - items.start)
                keep = (local[0] >= 0) & (local[0] < width)
                np.add.at(flat, local[1][keep], flat[local[0][keep]])
            np.testing.assert_allclose(flat[k], expected, atol=1e-12)


# --------------------------------------------------------------------------- the model stores the spec
def labelled(n: int = 8) -> list[Atoms]:
    rng = np.random.default_rng(0)
    data = []
    for k in range(n):
        atoms = random_carbon(4 + k % 3, k % 2 == 0, 100 + k)
        stress = rng.normal(size=6) if atoms.pbc.all() else None
        atoms.calc = SinglePointCalculator(
            atoms, energy=float(rng.normal()), forces=rng.normal(size=(len(atoms), 3)), stress=stress
        )
        data.append(atoms)
    return data


def test_a_saved_and_loaded_model_predicts_the_same(tmp_path):
    basis = ACEBasis(3, pure=True, p=1.8, truncation={2: (8, 2)})
    model = fit(basis, labelled(), -1.0, solver="blr")
    model.save(tmp_path / "model.npz")
    loaded = ACEModel.load(tmp_path / "model.npz")
    assert loaded.spec == model.spec and loaded.fit_info == model.fit_info and loaded.e0 == model.e0
    np.testing.assert_array_equal(loaded.coefficients, model.coefficients)
    np.testing.assert_array_equal(loaded.covariance, model.covariance)
    for before, after in zip(predictions(model, rattled_diamond()), predictions(loaded, rattled_diamond())):
        np.testing.assert_array_equal(before, after)
    header = json.loads(str(np.load(tmp_path / "model.npz")["header"]))
    assert header["basis_spec"] == json.loads(json.dumps(basis.spec.to_dict())) and "basis_parameters" not in header


def test_a_model_saved_before_the_spec_loads_and_predicts_as_it_did():
    """tests/data/model-before-spec.npz was written by ACEModel.save at commit daf3921 (a header with
    ``basis_parameters``), the .json beside it holds that code's predictions on a rattled diamond cell."""
    expected = json.loads((DATA / "model-before-spec.json").read_text())
    model = ACEModel.load(DATA / "model-before-spec.npz")
    assert model.spec == BasisSpec.from_dict(expected["basis_parameters"]) and len(model.basis) == expected["n_basis"]
    assert model.info == {"solver": "blr", "prior": "none", "n_rows": 42, "alpha": 0.5} and model.covariance is not None
    atoms = Atoms(f"C{len(expected['positions'])}", positions=expected["positions"], cell=expected["cell"], pbc=True)
    energy, forces, stress = predictions(model, atoms)
    assert energy == pytest.approx(expected["energy_eV"], rel=1e-13)
    np.testing.assert_allclose(forces, expected["forces_eV_per_A"], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(stress, expected["stress_eV_per_A3"], rtol=1e-11, atol=1e-15)


def test_a_model_accepts_basis_parameters_and_an_info_dict():
    basis = ACEBasis(2)
    model = ACEModel(basis.parameters(), np.zeros(len(basis)), -1.0, None, {"solver": "lstsq", "rank": 12})
    assert model.spec == basis.spec and model.basis_parameters == basis.parameters()
    assert model.fit_info == FitInfo(rank=12, solver="lstsq") and dict(model.info) == {"rank": 12, "solver": "lstsq"}
    with pytest.raises(FitError, match="unknown fit information"):
        ACEModel(basis.spec, np.zeros(len(basis)), -1.0, None, {"solvr": "lstsq"})


# --------------------------------------------------------------------------- the fit information
#: the keys of ``info`` in the order every fit recorded them before FitInfo (measured at daf3921)
INFO_KEYS = {
    "lstsq": [
        "rank",
        "condition_number",
        "alpha",
        "solver",
        "prior",
        "n_structures",
        "n_rows",
        "design_seconds",
        "solve_seconds",
        "energy_zero",
    ],
    "blr": [
        "alpha",
        "beta",
        "noise_rmse_weighted",
        "effective_parameters",
        "log_evidence",
        "iterations",
        "converged",
        "solver",
        "prior",
        "n_structures",
        "n_rows",
        "design_seconds",
        "solve_seconds",
        "energy_zero",
    ],
    "streamed": ["alpha", "solver", "prior", "assembly", "n_structures", "n_rows", "design_seconds", "solve_seconds"],
}


def test_the_fit_information_keeps_the_keys_order_and_types_of_the_info_dict():
    data, basis = labelled(), ACEBasis(2)
    lstsq, blr = fit(basis, data, -1.0), fit(basis, data, -1.0, solver="blr")
    shifted = fit(basis, data, -1.0, energy_zero="fit")
    streamed = fit_streaming(basis, data, -1.0)
    assert list(lstsq.info) == INFO_KEYS["lstsq"] and list(blr.info) == INFO_KEYS["blr"]
    assert list(shifted.info) == INFO_KEYS["lstsq"] + ["energy_zero_shift_eV", "isolated_atom_e0_eV"]
    assert list(streamed.info) == INFO_KEYS["streamed"]
    assert type(lstsq.info["rank"]) is int and type(blr.info["iterations"]) is int
    assert type(blr.info["converged"]) is bool and type(lstsq.info["alpha"]) is float
    assert (lstsq.info["solver"], blr.info["solver"], streamed.info["assembly"]) == ("lstsq", "blr", "normal equations")
    assert shifted.e0 == pytest.approx(-1.0 + shifted.fit_info.energy_zero_shift_eV)
    timed = dataclasses.replace(lstsq.fit_info, fit_seconds=2.5)
    assert list(timed.as_dict()) == INFO_KEYS["lstsq"] + ["fit_seconds"]
    assert FitInfo.from_dict(timed.as_dict()) == timed


def test_the_info_of_a_model_is_read_only():
    model = fit(ACEBasis(2), labelled(4), -1.0)
    with pytest.raises(TypeError):
        model.info["fit_seconds"] = 1.0
    assert "fit_seconds" not in model.info
