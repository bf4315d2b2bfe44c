"""linace: linear atomic cluster expansion (ACE) for a single element.

The chain of the method, one module per concept (read top to bottom):

* :mod:`linace.radial`        radial basis R_n(r) and dR_n/dr
* :mod:`linace.harmonics`     real spherical harmonics Y_lm and their Cartesian gradients
* :mod:`linace.coupling`      Clebsch-Gordan and generalised (rotation-invariant) coupling coefficients
* :mod:`linace.spec`          :class:`~linace.spec.BasisSpec`: the readable, serialisable definition of a basis
* :mod:`linace.tables`        the frozen index tables of the evaluation chain, built once per truncation
* :mod:`linace.expansion`     every function as a sparse combination of products of atomic bases (pure basis)
* :mod:`linace.neighbourhood` neighbour pairs with R_n, Y_lm and their gradients; work arrays of the force rows
* :mod:`linace.basis`         :class:`~linace.basis.ACEBasis`: descriptors B(i) and linear design rows
* :mod:`linace.calculator`    :class:`~linace.calculator.ACECalculator`, an ASE calculator
* :mod:`linace.fit`           weighted least squares, priors, Bayesian regression; :class:`~linace.fit.ACEModel`
* :mod:`linace.streaming`     the normal equations assembled chunk by chunk, in parallel (bounded memory)
* :mod:`linace.analysis`      errors, dimer curves and their body-order decomposition, convergence
* :mod:`linace.io`            crash-safe file writes

These modules are the reusable library (the maths they implement: docs/design.md, section 2). This
study's own code (structures, the GPAW workflow, the data registry, training runs, claims, the sweep
and the figures) lives in :mod:`linace.study`; it imports the library, never the other way round.

Units throughout: energies in eV, lengths in Angstrom, forces in eV/A, stress in eV/A^3.

Examples
--------
A basis, the descriptors of a structure, and a potential as an ASE calculator:

>>> import numpy as np
>>> from ase.build import bulk
>>> from linace.basis import ACEBasis
>>> from linace.calculator import ACECalculator
>>> basis = ACEBasis(body_order=3)                      # K = 3: two- and three-body functions
>>> len(basis), sorted(set(basis.body_orders.tolist()))
(102, [2, 3])
>>> atoms = bulk("C", "diamond", a=3.567, cubic=True)   # 8 atoms
>>> basis.descriptors(atoms).shape                      # (n_atoms, n_basis): B(i) of every atom
(8, 102)
>>> atoms.calc = ACECalculator(basis, np.zeros(len(basis)), e0=-1.5)
>>> atoms.get_potential_energy()                        # N E0 when every c_B is zero (eV)
-12.0
"""

from functools import lru_cache as _lru_cache
from hashlib import sha256 as _sha256
from pathlib import Path as _Path

__version__ = "0.1.0"


#: the library's package directory
_PACKAGE = _Path(__file__).resolve().parent


def files_digest(root: _Path, files) -> str:
    """SHA-256 (hex) of source files: each file's path relative to ``root`` and its bytes, in the
    order given."""
    digest = _sha256()
    for path in files:
        digest.update(str(_Path(path).relative_to(root)).encode())
        digest.update(_Path(path).read_bytes())
    return digest.hexdigest()


def library_files() -> list[_Path]:
    """The library's source files, sorted: every ``*.py`` of the package except the study's
    subpackage :mod:`linace.study`, which the library never imports."""
    return [path for path in sorted(_PACKAGE.rglob("*.py")) if path.relative_to(_PACKAGE).parts[0] != "study"]


@_lru_cache(maxsize=1)
def source_digest() -> str:
    """SHA-256 (hex) of the library's source files (:func:`library_files`).

    Identifies the code that produced a cached design matrix, so that caches are recomputed after
    any change of the library, not only of its version. A change of the study's code
    (:mod:`linace.study`) leaves it unchanged; the study's records use
    :func:`linace.study.source_digest`, which covers both.
    """
    return files_digest(_PACKAGE, library_files())
