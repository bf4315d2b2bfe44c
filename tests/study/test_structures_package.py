"""The layout of linace.study.structures: a common part, the molecules of any element, one module per
element, dispatched without module-name strings and without private imports between its modules."""

import ast
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms

from linace.study import structures
from linace.study.structures import carbon, common, molecules, silicon


def test_the_random_stream_of_a_family_is_fixed_by_its_name():
    """The first draws of two families, as the single-module generators (commit daf3921) drew them."""
    assert common.family_rng("diamond").integers(0, 2**32, 3).tolist() == [1291604631, 3598935494, 322563266]
    assert common.family_rng("si-diamond").integers(0, 2**32, 3).tolist() == [3052755223, 3322708903, 2599113041]
    assert common.family_rng("graphite").random() != common.family_rng("graphene").random()


def test_tagged_names_the_family_and_nothing_else():
    atoms = Atoms("C", info={"stale": 1})
    assert common.tagged(atoms, "diamond") is atoms and atoms.info == {"config_type": "diamond"}


def test_each_element_has_its_module_and_the_groups_dispatch_to_it():
    assert structures.ELEMENT_MODULES == {"C": carbon, "Si": silicon}
    assert structures.element_module("Si") is silicon and structures.element_module() is carbon
    with pytest.raises(ValueError, match="no structure generators for 'Cu'; known: C, Si"):
        structures.element_module("Cu")
    for module in (carbon, silicon):
        assert module.CRYSTALLINE == module.POOL_FAMILIES[:9] and callable(module.convergence_structures)
    first = structures.generate("pool", "Si")[0]
    assert first[0] == silicon.pool()[0][0] and first[1].info["config_type"] == "diamond"
    assert [sid for sid, _ in structures.generate("dimers", "Si")] == [sid for sid, _ in molecules.dimers("Si")]
    np.testing.assert_array_equal(structures.dimer_distances("C"), molecules.dimer_distances("C"))


def test_no_module_of_the_package_imports_a_private_name_of_another():
    """(silicon's generators once imported the carbon module's private helpers)"""
    package = Path(structures.__file__).parent
    private = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("linace")):
                private += [(path.name, alias.name) for alias in node.names if alias.name.startswith("_")]
    assert private == []
    assert {p.stem for p in package.glob("*.py")} == {"__init__", "common", "molecules", "carbon", "silicon"}
