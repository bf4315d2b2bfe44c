"""Sanity numbers of the reference DFT data: equations of state, lattice constants, C2 minimum.

Pure functions of lists of :class:`ase.Atoms` carrying energies (as returned by
:func:`linace.datasets.load`); no I/O. Energies in eV, lengths in A, bulk moduli in GPa.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ase import Atoms


def select(images: Sequence[Atoms], prefix: str) -> list[Atoms]:
    """The structures whose ``info['sid']`` starts with ``prefix`` (e.g. 'diamond-volume-')."""
    return [a for a in images if str(a.info.get("sid", "")).startswith(prefix)]


def eos_fit(images: Sequence[Atoms], eos: str = "birchmurnaghan") -> dict:
    """Fit an equation of state to energy per atom versus volume per atom.

    Parameters
    ----------
    images : sequence of ase.Atoms
        The same crystal at several volumes (at least 5), with energies.
    eos : str
        Any name accepted by :class:`ase.eos.EquationOfState`.

    Returns
    -------
    dict
        ``v0`` (A^3/atom), ``e0`` (eV/atom, minimum), ``B`` (GPa), ``volumes`` (A^3/atom) and
        ``energies`` (eV/atom) of the input.
    """
    from ase.eos import EquationOfState
    from ase.units import GPa

    if len(images) < 5:
        raise ValueError(f"an EOS fit needs at least 5 volumes, got {len(images)}")
    v = np.array([a.get_volume() / len(a) for a in images])
    e = np.array([a.get_potential_energy() / len(a) for a in images])
    fit = EquationOfState(v, e, eos=eos)
    v0, e_min, b = fit.fit()
    return {"v0": float(v0), "e0": float(e_min), "B": float(b / GPa),
            "volumes": v.tolist(), "energies": e.tolist()}


def diamond_sanity(pool: Sequence[Atoms], e_atom: float) -> dict:
    """Diamond lattice constant (A), bulk modulus (GPa) and cohesive energy (eV/atom, positive)
    from the ``diamond-volume-*`` scan of the pool and the isolated-atom energy ``e_atom`` (eV)."""
    fit = eos_fit(select(pool, "diamond-volume-"))
    return {"a0": float((8 * fit["v0"]) ** (1 / 3)), "B": fit["B"],
            "cohesive_energy": float(e_atom - fit["e0"]), "v0": fit["v0"]}


def parabola_minimum(x: np.ndarray, y: np.ndarray, window: int = 2) -> tuple[float, float]:
    """Minimum (x_min, y_min) of a parabola through the lowest sample and ``window`` neighbours on
    each side (the samples must bracket the minimum)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    order = np.argsort(x)
    x, y = x[order], y[order]
    k = int(np.argmin(y))
    lo, hi = max(0, k - window), min(len(x), k + window + 1)
    c = np.polyfit(x[lo:hi], y[lo:hi], 2)
    if c[0] <= 0:
        raise ValueError("samples do not bracket a minimum")
    xm = -c[1] / (2 * c[0])
    return float(xm), float(np.polyval(c, xm))


def graphene_lattice_constant(pool: Sequence[Atoms]) -> dict:
    """In-plane lattice constant (A) and energy (eV/atom) at the minimum, from the
    ``graphene-flat-*`` scan of the pool."""
    flat = select(pool, "graphene-flat-")
    a = [np.linalg.norm(x.cell[0]) for x in flat]
    e = [x.get_potential_energy() / len(x) for x in flat]
    a0, e0 = parabola_minimum(a, e)
    return {"a0": a0, "e0": e0}


def dimer_minimum(dimers: Sequence[Atoms], e_atom: float) -> dict:
    """C2 bond length ``r_e`` (A), binding energy ``E_b = E(r_e) - 2 E0`` (eV, negative) and the
    fixed total moment of the lowest sample, from the dimer curve and the atom energy (eV)."""
    r = np.array([a.get_distance(0, 1) for a in dimers])
    e = np.array([a.get_potential_energy() - 2 * e_atom for a in dimers])
    r_e, e_b = parabola_minimum(r, e)
    k = int(np.argmin(e))
    moment = dimers[k].info.get("spin_moment")
    return {"r_e": r_e, "E_b": e_b, "moment_at_minimum": None if moment is None else int(moment)}
