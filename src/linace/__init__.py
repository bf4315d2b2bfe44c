"""linace: linear atomic cluster expansion (ACE) for a single element.

The chain of the method, one module per concept (read top to bottom):

* :mod:`linace.radial`      radial basis R_n(r) and dR_n/dr
* :mod:`linace.harmonics`   real spherical harmonics Y_lm and their Cartesian gradients
* :mod:`linace.coupling`    Clebsch-Gordan and generalised (rotation-invariant) coupling coefficients
* :mod:`linace.basis`       :class:`~linace.basis.ACEBasis`: descriptors B(i) and linear design rows
* :mod:`linace.calculator`  :class:`~linace.calculator.ACECalculator`, an ASE calculator
* :mod:`linace.fit`         weighted least squares, priors, Bayesian regression; :class:`~linace.fit.ACEModel`
* :mod:`linace.streaming`   the normal equations assembled chunk by chunk, in parallel (bounded memory)
* :mod:`linace.analysis`    errors, dimer curves and their body-order decomposition, convergence

These modules are the reusable library. This study's own code (structures, the GPAW workflow, the
data registry, training runs, claims, the sweep and the figures) lives in :mod:`linace.study`; it
imports the library, never the other way round.

Units throughout: energies in eV, lengths in Angstrom, forces in eV/A, stress in eV/A^3.
"""

from functools import lru_cache as _lru_cache
from hashlib import sha256 as _sha256
from pathlib import Path as _Path

__version__ = "0.1.0"


@_lru_cache(maxsize=1)
def source_digest() -> str:
    """SHA-256 (hex) of the library's source files.

    Identifies the code that produced a cached design matrix or a recorded result, so that caches
    and sweep results are recomputed after any change of the library, not only of its version.
    """
    digest = _sha256()
    package = _Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
