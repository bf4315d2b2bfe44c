"""ASE calculator of a linear ACE potential.

.. math::

    E = \\sum_i E_i, \\qquad E_i = E_0 + \\sum_B c_B\\, B(i)

Forces and stress are analytic (chain rule through the atomic base A, see
:meth:`linace.basis.ACEBasis.energy_forces_stress`).
"""

from __future__ import annotations

import numpy as np
from ase.calculators.calculator import Calculator, PropertyNotImplementedError, all_changes

from .basis import ACEBasis

__all__ = ["ACECalculator"]


class ACECalculator(Calculator):
    """Linear ACE potential as an :class:`ase.calculators.calculator.Calculator`.

    Parameters
    ----------
    basis : ACEBasis
        The basis (body order, cut-off, truncation).
    coefficients : (len(basis),) array
        Linear coefficients c_B in eV.
    e0 : float
        Energy of the isolated atom in eV (added once per atom).

    Provides ``energy``, ``free_energy`` (equal: no electronic entropy), ``energies`` (per atom),
    ``forces`` (eV/A) and, for cells periodic in all three directions, ``stress`` (eV/A^3, Voigt).

    Examples
    --------
    >>> import numpy as np
    >>> from ase import Atoms
    >>> from linace.basis import ACEBasis
    >>> basis = ACEBasis(body_order=2)                    # 12 pair functions
    >>> dimer = Atoms("C2", positions=[[0.0, 0.0, 0.0], [0.0, 0.0, 1.3]])
    >>> dimer.calc = ACECalculator(basis, np.zeros(len(basis)), e0=-1.0)
    >>> dimer.get_potential_energy()                      # 2 E0 when every c_B is zero (eV)
    -2.0
    >>> dimer.calc = ACECalculator(basis, np.full(len(basis), 0.1), e0=-1.0)
    >>> dimer.get_potential_energies().shape              # (n_atoms,), eV
    (2,)
    >>> forces = dimer.get_forces()                       # (n_atoms, 3), eV/A
    >>> forces.shape, bool(np.allclose(forces.sum(axis=0), 0.0))   # no net force
    ((2, 3), True)
    """

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress"]

    def __init__(self, basis: ACEBasis, coefficients: np.ndarray, e0: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        coefficients = np.array(coefficients, dtype=float)  # a copy: changing the caller's array later
        coefficients.flags.writeable = False  # must not leave stale cached results
        if coefficients.shape != (len(basis),):
            raise ValueError(f"basis has {len(basis)} functions but {coefficients.shape} coefficients were given")
        if not np.all(np.isfinite(coefficients)) or not np.isfinite(e0):
            raise ValueError("coefficients and e0 must be finite")
        self.basis = basis
        self.coefficients = coefficients
        self.e0 = float(e0)

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        if "stress" in properties and not self.atoms.pbc.all():
            raise PropertyNotImplementedError("stress needs a cell periodic in all three directions")
        site, forces, stress = self.basis.energy_forces_stress(self.atoms, self.coefficients)
        energies = site + self.e0
        self.results["energies"] = energies
        self.results["energy"] = self.results["free_energy"] = float(energies.sum())
        self.results["forces"] = forces
        if stress is not None:
            self.results["stress"] = stress
