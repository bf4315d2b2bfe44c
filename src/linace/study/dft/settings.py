"""DFT settings of the reference data and the structures as they are computed.

One set of settings for every structure of an element (:class:`DFTSettings`; carbon's chosen by its
convergence check, :mod:`linace.study.dft.convergence`): PBE, PAW setups of ``gpaw-data``, plane
waves with cut-off ``ecut`` (eV); periodic cells on a Gamma-centred Monkhorst-Pack grid of k-point
density ``kpt_density`` (:func:`kpoint_grid`); molecules in a slightly non-cubic box with ``vacuum``
(A) on every side (:func:`box_molecule`). :func:`geometry_digest` identifies a computed structure.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import numpy as np
from ase import Atoms

__all__ = [
    "BOX_ASYMMETRY",
    "DEFAULT_SETTINGS",
    "DFTSettings",
    "box_molecule",
    "default_settings",
    "geometry_digest",
    "is_molecule",
    "kpoint_grid",
    "prepare",
    "short_digest",
]


def short_digest(payload) -> str:
    """Short SHA-256 (16 hex digits) of a JSON-serialisable payload (keys sorted): cache keys."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


#: extra box length (A) added along x, y, z to every molecular box, so that no box is cubic
BOX_ASYMMETRY = (0.0, 0.25, 0.5)


@dataclasses.dataclass(frozen=True)
class DFTSettings:
    """All DFT settings of the reference data (the same for every structure).

    Attributes
    ----------
    xc : str
        Exchange-correlation functional.
    ecut : float
        Plane-wave cut-off (eV).
    kpt_density : float
        k-point density (points per 1/A) of the Gamma-centred grid of periodic structures.
    width : float
        Fermi-Dirac smearing width (eV).
    vacuum : float
        Vacuum (A) on each side of a molecule in its box.
    molecule_moments : tuple of int
        Fixed total magnetic moments (Bohr magnetons) tried for dimers and clusters.
    atom_moment : int
        Fixed total moment of the isolated atom (2: triplet).
    moment_shortcut : bool
        For molecules of three or more atoms, try the moments in increasing order and stop as
        soon as the energy rises (assumes E(M) convex in M; dimers always try every moment).
    scf_energy, scf_density : float
        SCF convergence criteria (eV per valence electron; electrons per valence electron).
    maxiter : int
        Maximum number of SCF iterations before a structure is recorded as failed.
    """

    xc: str = "PBE"
    ecut: float = 450.0
    kpt_density: float = 2.5
    width: float = 0.05
    vacuum: float = 4.0
    molecule_moments: tuple[int, ...] = (0, 2, 4)
    atom_moment: int = 2
    moment_shortcut: bool = True
    scf_energy: float = 1e-5
    scf_density: float = 1e-5
    maxiter: int = 200

    def to_dict(self) -> dict:
        """Plain JSON-serialisable dictionary of the settings."""
        d = dataclasses.asdict(self)
        d["molecule_moments"] = list(self.molecule_moments)
        return d

    def digest(self) -> str:
        """Short SHA-256 of the settings; a cached row is reused only if its digest matches."""
        return short_digest(self.to_dict())


#: default settings per element, each chosen by the element's convergence check. Carbon's:
#: data/C/convergence.json. Silicon's (data/Si/convergence.json): its softer PAW setup is converged
#: at 300 eV (energy differences 0.7 meV/atom, binding 0.2 meV/atom, forces 0.001 eV/A, stress
#: 0.03 GPa against 800 eV); its larger cells need a denser k-mesh than carbon's 2.5/A: at 4.5/A
#: diamond is within 0.8 meV/atom of the 6.0/A reference and the metallic 2-atom sc and beta-tin
#: cells within 17 meV/atom (0.07 eV/A), like carbon's metals at 2.5/A (4.0/A: 27 meV/atom,
#: 0.08 eV/A; 3.5/A: 35 meV/atom, 0.26 eV/A); 5 A of vacuum (binding within 1.7 meV/atom of
#: 6 A; 4 A: 20 meV/atom). Cost at 4.5/A, measured with one BLAS thread per worker as the
#: generation runs: a rattled 8-atom cell (171 of the 355 cells of silicon's pool) takes about
#: 55 core-s at 5x5x5 k (what 3.5 and 4.0/A give it), about twice that at 6x6x6 (4.5/A); the pool
#: an estimated 7 core-hours. (A first measurement, 300-900 s per cell, which had put 4.5/A in
#: doubt, was taken with BLAS threads competing with two running workers.)
DEFAULT_SETTINGS = {"C": DFTSettings(), "Si": DFTSettings(ecut=300.0, kpt_density=4.5, vacuum=5.0)}


def default_settings(element: str = "C") -> DFTSettings:
    """The DFT settings of an element's reference data (:data:`DEFAULT_SETTINGS`)."""
    if element not in DEFAULT_SETTINGS:
        raise ValueError(f"no DFT settings for {element!r}; known: {', '.join(DEFAULT_SETTINGS)}")
    return DEFAULT_SETTINGS[element]


def kpoint_grid(atoms: Atoms, density: float) -> tuple[int, int, int]:
    """Monkhorst-Pack grid size for a k-point density.

    Parameters
    ----------
    atoms : ase.Atoms
        Structure; axes with ``pbc`` False get one k-point.
    density : float
        Points per 1/A: ``N_i = ceil(2 pi |b_i| density)``, ``b_i`` reciprocal vectors (1/A,
        without the 2 pi). Equivalently a spacing of at most ``1 / density`` (1/A, 2 pi included).

    Returns
    -------
    tuple of 3 int
    """
    recip = atoms.cell.reciprocal()
    sizes = []
    for i in range(3):
        if atoms.pbc[i]:
            n = np.ceil(2 * np.pi * np.linalg.norm(recip[i]) * density - 1e-9)
            sizes.append(max(1, int(n)))
        else:
            sizes.append(1)
    return tuple(sizes)


def box_molecule(atoms: Atoms, vacuum: float, extent=None) -> Atoms:
    """A copy of a molecule in an orthorhombic, non-cubic box, centred, ``pbc`` False.

    The box is the extent of the molecule (or ``extent``, shape (3,) A, if given: a common box
    for a scan) plus ``2 * vacuum`` (A) plus :data:`BOX_ASYMMETRY` along x, y, z.
    """
    mol = atoms.copy()
    mol.pbc = False
    pos = mol.get_positions()
    if extent is None:
        extent = pos.max(axis=0) - pos.min(axis=0) if len(mol) else np.zeros(3)
    mol.set_cell(np.diag(extent + 2 * vacuum + np.asarray(BOX_ASYMMETRY)))
    mol.center()
    return mol


def is_molecule(atoms: Atoms) -> bool:
    """True for a structure without any periodic axis (atom, dimer, cluster)."""
    return not any(atoms.pbc)


def geometry_digest(atoms: Atoms) -> str:
    """Short SHA-256 ('g' + 16 hex digits) of numbers, positions (1e-6 A), cell and pbc: identifies
    a cached structure."""
    h = hashlib.sha256()
    h.update(np.asarray(atoms.numbers, dtype=np.int64).tobytes())
    h.update(np.round(atoms.get_positions(), 6).astype(np.float64).tobytes())
    h.update(np.round(np.asarray(atoms.cell), 6).astype(np.float64).tobytes())
    h.update(np.asarray(atoms.pbc, dtype=np.int8).tobytes())
    return "g" + h.hexdigest()[:16]  # a letter first: ase.db refuses strings that parse as floats


def prepare(atoms: Atoms, settings: DFTSettings, extent=None) -> Atoms:
    """The structure as computed and stored: molecules boxed (in a box for ``extent`` if given,
    see :func:`box_molecule`), info kept."""
    if is_molecule(atoms):
        boxed = box_molecule(atoms, settings.vacuum, extent)
        boxed.info = dict(atoms.info)
        return boxed
    return atoms.copy()
