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
from dataclasses import dataclass
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

__all__ = ["EMT_ELEMENTS", "PublishedSample", "emt_folder", "labelled", "published_sample"]

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


def emt_folder(
    path: str | os.PathLike, element: str = "Cu", n_train: int = 8, n_test: int = 4, n_dimers: int = 40
) -> Path:
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
    dimers = [
        labelled(Atoms(f"{element}2", positions=[[0, 0, 0], [0, 0, r]]))
        for r in np.linspace(r_min - 0.2, r_max + 0.2, n_dimers)
    ]
    for dimer in dimers:
        dimer.info["config_type"] = "dimer"
    write(folder / "dimers.extxyz", dimers)
    write(folder / "bulk.extxyz", _cells(element, n_train, seed=1))
    write(folder / "test.extxyz", _cells(element, n_test, seed=1000))
    datasets.write_manifest(
        folder, element, description=f"example data: {element} labelled by ASE's EMT (linace.study.example_data)"
    )
    return folder


@dataclass(frozen=True)
class PublishedSample:
    """The files :func:`published_sample` wrote, and what a reader of the paper would know.

    ``train``, ``test``, ``dimers``: extended XYZ files (``.xyz``) with the energy under
    ``dft_energy`` and the forces in a per-atom column ``force``, the dimers in a periodic cubic box
    of ``box`` A; ``dimer_table``: the dimer curve as two columns, r in Bohr and E in Rydberg
    (absolute); ``e0_rydberg``: the isolated atom's energy, given only as a number (Ry)."""

    folder: Path
    train: Path
    test: Path
    dimers: Path
    dimer_table: Path
    e0_rydberg: float
    box: float


def published_sample(
    path: str | os.PathLike,
    element: str = "Cu",
    n_train: int = 8,
    n_test: int = 4,
    n_dimers: int = 30,
    box: float = 30.0,
) -> PublishedSample:
    """Write a small dataset the way other codes and papers publish theirs (labels by ASE's EMT).

    The conventions are those of the carbon and silicon data published with arXiv:2502.16125
    (:class:`PublishedSample`), which :mod:`linace.study.importer` converts; nothing here is in the
    form of a data directory. Returns the paths and the numbers a reader would copy from the paper.
    """
    from ase import units

    if element not in EMT_ELEMENTS:
        raise ValueError(f"EMT has no parameters for {element!r}; known: {', '.join(EMT_ELEMENTS)}")
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)

    def other_code(images: list[Atoms], cell_box: float | None = None) -> list[Atoms]:
        out = []
        for atoms in images:
            copy = Atoms(atoms.numbers, positions=atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
            if cell_box is not None:
                copy.cell, copy.pbc = [cell_box] * 3, True
            copy.info.update(dft_energy=atoms.get_potential_energy(), config_type=atoms.info.get("config_type", "bulk"))
            copy.arrays["force"] = atoms.get_forces()
            out.append(copy)
        return out

    r_min, r_max = convergence_range(element)
    separations = np.linspace(r_min - 0.2, r_max + 0.2, n_dimers)
    dimers = [labelled(Atoms(f"{element}2", positions=[[0, 0, 0], [0, 0, r]])) for r in separations]
    sample = PublishedSample(
        folder,
        folder / "train.xyz",
        folder / "val.xyz",
        folder / "dimers.xyz",
        folder / "dimer_curve.dat",
        labelled(Atoms(element, positions=[[0, 0, 0]])).get_potential_energy() / units.Ry,
        box,
    )
    write(sample.train, other_code(_cells(element, n_train, seed=1)), format="extxyz")
    write(sample.test, other_code(_cells(element, n_test, seed=1000)), format="extxyz")
    write(sample.dimers, other_code(dimers, cell_box=box), format="extxyz")
    energies = np.array([dimer.get_potential_energy() for dimer in dimers])
    np.savetxt(
        sample.dimer_table,
        np.c_[separations / units.Bohr, energies / units.Ry],
        header=f"{element}2: r (Bohr), E (Ry), absolute",
    )
    return sample
