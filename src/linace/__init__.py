"""linace: linear atomic cluster expansion (ACE) for a single element.

The chain of the method, one module per concept (read top to bottom):

* :mod:`linace.radial`      radial basis R_n(r) and dR_n/dr
* :mod:`linace.harmonics`   real spherical harmonics Y_lm and their Cartesian gradients
* :mod:`linace.coupling`    Clebsch-Gordan and generalised (rotation-invariant) coupling coefficients
* :mod:`linace.basis`       :class:`~linace.basis.ACEBasis`: descriptors B(i) and linear design rows
* :mod:`linace.calculator`  :class:`~linace.calculator.ACECalculator`, an ASE calculator

Units throughout: energies in eV, lengths in Angstrom, forces in eV/A, stress in eV/A^3.
"""

__version__ = "0.1.0"
