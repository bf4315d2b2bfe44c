"""An example data directory, labelled in seconds by ASE's EMT: a stand-in for one's own DFT data.

:func:`emt_folder` writes a folder of the form :mod:`linace.study.datasets` describes (extended XYZ
sets and a ``manifest.json``) for an fcc metal that ASE's effective-medium theory knows
(:data:`EMT_ELEMENTS`):

``isolated_atom``  one atom (its energy is E0)
``dimers``         the dimer curve over the element's comparison range
                   (:func:`linace.analysis.convergence_range`) and a little beyond
``bulk``           a training set: fcc cells of 4 atoms, volume scaled by +-12 % and rattled
``test``           a disjoint test set of the same kind (other seeds)

EMT is not DFT: it is a many-body potential whose dimer curve is not the two-body part of its bulk
energies, which makes it a fair toy for the study's question. The book page "Run the study on your
own data" and the tests use it; replace it by your own files for real work.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.calculators.singlepoint import SinglePointCalculator
from ase.data import atomic_numbers, reference_states
from ase.io import write

from linace.analysis import convergence_range

from . import datasets

__all__ = ["EMT_ELEMENTS", "emt_folder", "labelled"]

#: fcc metals of ASE's EMT (``ase.calculators.emt``)
EMT_ELEMENTS = ("Al", "Cu", "Ag", "Au", "Ni", "Pd", "Pt")


def labelled(atoms: Atoms) -> Atoms:
    """A copy carrying EMT's energy (eV), forces (eV/A) and, for periodic cells, stress (eV/A^3)
    as a single-point result, as a DFT code's output would."""
    atoms = atoms.copy()
    atoms.calc = EMT()
    results = {"energy": atoms.get_potential_energy(), "forces": atoms.get_forces()}
    if all(atoms.pbc):
        results["stress"] = atoms.get_stress()
    atoms.calc = SinglePointCalculator(atoms, **results)
    return atoms


def _cells(element: str, count: int, seed: int) -> list[Atoms]:
    """``count`` conventional fcc cells (4 atoms), volume x U(0.88, 1.12), rattled by 0.05 A."""
    rng = np.random.default_rng(seed)
    a0 = reference_states[atomic_numbers[element]]["a"]
    cells = []
    for k in range(count):
        cell = bulk(element, "fcc", a=a0 * rng.uniform(0.88, 1.12) ** (1 / 3), cubic=True)
        cell.rattle(0.05, seed=seed + k)
        cell.info["config_type"] = "fcc"
        cells.append(labelled(cell))
    return cells


def emt_folder(path: str | os.PathLike, element: str = "Cu", n_train: int = 8, n_test: int = 4,
               n_dimers: int = 40) -> Path:
    """Write the example data directory (sets of the module docstring and their manifest).

    Parameters
    ----------
    path : folder to write (created if missing; existing files of the same names are replaced).
    element : one of :data:`EMT_ELEMENTS`.
    n_train, n_test : structures of the ``bulk`` and ``test`` sets.
    n_dimers : separations of the dimer curve.

    Returns
    -------
    Path
        The folder, ready for ``runs.train(..., data_dir=path)`` and
        ``python -m linace.study.sweep --data-dir path``.
    """
    if element not in EMT_ELEMENTS:
        raise ValueError(f"EMT has no parameters for {element!r}; known: {', '.join(EMT_ELEMENTS)}")
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    atom = labelled(Atoms(element, positions=[[0, 0, 0]]))
    atom.info["config_type"] = "isolated_atom"
    write(folder / "isolated_atom.extxyz", atom)
    r_min, r_max = convergence_range(element)
    dimers = [labelled(Atoms(f"{element}2", positions=[[0, 0, 0], [0, 0, r]]))
              for r in np.linspace(r_min - 0.2, r_max + 0.2, n_dimers)]
    for dimer in dimers:
        dimer.info["config_type"] = "dimer"
    write(folder / "dimers.extxyz", dimers)
    write(folder / "bulk.extxyz", _cells(element, n_train, seed=1))
    write(folder / "test.extxyz", _cells(element, n_test, seed=1000))
    datasets.write_manifest(folder, element, description=f"example data: {element} labelled by ASE's EMT "
                                                         "(linace.study.example_data)")
    return folder
