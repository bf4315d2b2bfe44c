"""Single GPAW calculations of one structure (periodic cells and the convergence check's molecules).

Periodic structures are computed spin-paired with Fermi-Dirac smearing (``energy`` extrapolated
to zero width, ``free_energy`` the force-consistent Mermin energy); :func:`compute` with a molecule
runs one Fermi-Dirac calculation per fixed total moment (used by the convergence check only: the
reference molecules are labelled by the state search of :mod:`linace.study.dft.states`).
:func:`compute` never raises: a failure is reported in its result.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Sequence

import numpy as np
from ase import Atoms

from linace.study import executors
from linace.study.dft.settings import DFTSettings, is_molecule, kpoint_grid

__all__ = ["compute", "format_error", "gpaw_executor"]


def _gpaw_calculator(settings: DFTSettings, kpts, spinpol: bool, fixmagmom: bool):
    from gpaw import GPAW, PW

    return GPAW(
        mode=PW(settings.ecut),
        xc=settings.xc,
        kpts={"size": kpts, "gamma": True},
        occupations={"name": "fermi-dirac", "width": settings.width, "fixmagmom": fixmagmom},
        spinpol=spinpol,
        convergence={"energy": settings.scf_energy, "density": settings.scf_density},
        maxiter=settings.maxiter,
        txt=None,
    )


def _single_point(atoms: Atoms, settings: DFTSettings, moment: float | None) -> dict:
    """One GPAW run. ``moment`` None: spin-paired periodic; else fixed total moment (molecule)."""
    work = atoms.copy()
    molecule = moment is not None
    work.pbc = True  # plane waves: a molecule's box is periodic (the stored copy keeps pbc False)
    if molecule:
        work.set_initial_magnetic_moments(np.full(len(work), moment / len(work)))
        kpts = (1, 1, 1)
    else:
        kpts = kpoint_grid(atoms, settings.kpt_density)
    work.calc = _gpaw_calculator(settings, kpts, spinpol=molecule, fixmagmom=molecule)
    t0 = time.perf_counter()
    energy = work.get_potential_energy()
    result = {
        "energy": float(energy),
        "free_energy": float(work.get_potential_energy(force_consistent=True)),
        "forces": work.get_forces(),
        "kpts": list(kpts),
    }
    if all(atoms.pbc):
        result["stress"] = work.get_stress(voigt=True)
    if molecule:
        result["magmom"] = float(work.get_magnetic_moment())
    result["wall_time"] = time.perf_counter() - t0
    return result


def compute(atoms: Atoms, settings: DFTSettings, moments: Sequence[int] | None = None) -> dict:
    """Compute one structure; never raises (a failure is reported in the result).

    Parameters
    ----------
    atoms : ase.Atoms
        Periodic structure, or a molecule already in its box (``pbc`` all False).
    settings : DFTSettings
    moments : sequence of int, optional
        Fixed total moments (Bohr magnetons) to try for a molecule; the lowest energy wins.
        Defaults to ``settings.molecule_moments`` (``settings.atom_moment`` for one atom).

    Returns
    -------
    dict
        ``status`` ('ok' or 'failed'), ``error`` (str), ``wall_time`` (s, all runs), and for 'ok':
        ``energy``, ``free_energy`` (eV), ``forces`` (N, 3) eV/A, ``stress`` (6,) eV/A^3 (Voigt,
        fully periodic only), ``kpts``; molecules also ``moment`` (winning fixed moment),
        ``energies_by_moment`` {moment: energy or None if that run failed; moments skipped by
        the shortcut are absent}.
    """
    t0 = time.perf_counter()
    if not is_molecule(atoms):
        try:
            out = _single_point(atoms, settings, None)
            out.update(status="ok", error="")
        except Exception as exc:  # SCF non-convergence and anything else: record, do not crash
            out = {"status": "failed", "error": format_error(exc)}
        out["wall_time"] = time.perf_counter() - t0
        return out

    if moments is None:
        moments = (settings.atom_moment,) if len(atoms) == 1 else settings.molecule_moments
    runs, errors = {}, {}
    shortcut = settings.moment_shortcut and len(atoms) >= 3
    for m in sorted(moments):
        try:
            runs[m] = _single_point(atoms, settings, float(m))
        except Exception as exc:
            errors[m] = format_error(exc)
            continue
        lower = [e["energy"] for k, e in runs.items() if k < m]
        if shortcut and lower and runs[m]["energy"] > min(lower):
            break  # energy rises with the moment: higher moments are not tried
    out = {
        "energies_by_moment": {
            str(m): (runs[m]["energy"] if m in runs else None) for m in moments if m in runs or m in errors
        }
    }
    if runs:
        best = min(runs, key=lambda m: runs[m]["energy"])
        out.update(runs[best])
        out.update(status="ok", moment=int(best))
    else:
        out["status"] = "failed"
    out["error"] = "; ".join(f"M={m}: {e}" for m, e in errors.items())
    out["wall_time"] = time.perf_counter() - t0
    return out


def format_error(exc: BaseException) -> str:
    tb = traceback.format_exception_only(type(exc), exc)
    return "".join(tb).strip()[-500:]


def gpaw_executor(workers: int):
    """``workers`` spawned processes with one BLAS thread each: GPAW's throughput on a shared
    machine is best with one single-threaded calculation per core."""
    return executors.default_executor(workers, threads_per_worker=1)
