"""The crash-safe cache of finished calculations: one ASE SQLite row per structure.

A row is reused only if its geometry digest and the key of the settings it was computed with
(and, for molecules, of the state search) match; rows of other settings are kept beside them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

from linace.study.dft.settings import DFTSettings
from linace.study.dft.states import StateSearch

__all__ = ["CACHE_NAME", "Cache"]

CACHE_NAME = "dft_cache.db"


def _settings_key(settings: DFTSettings, search: StateSearch | None = None) -> str:
    """Cache key of the settings (and, for molecules, of the state search, or of any other method
    with a ``digest()``, e.g. :class:`linace.study.dft.restricted.SpinRestricted`)."""
    if search is None:
        return "s" + settings.digest()  # a letter first: ase.db refuses strings that parse as floats
    both = hashlib.sha256((settings.digest() + search.digest()).encode()).hexdigest()[:16]
    return "m" + both


class Cache:
    """Crash-safe result cache: one ASE SQLite row per finished structure.

    Row key-value pairs: ``sid`` (structure id), ``group`` (generation set), ``config_type``,
    ``status``, ``geometry`` and ``settings`` digests (for molecules the key of the settings and
    of the :class:`~linace.study.dft.states.StateSearch`), ``wall_time`` (s), ``moment`` (molecules).
    Row data: ``free_energy``, ``kpts``, ``error``; molecules: ``energies_by_moment`` (older
    fixed-moment rows) or ``runs`` and ``state`` (state search, see
    :func:`linace.study.dft.states.summary`) or, for the spin-restricted reference
    (:mod:`linace.study.dft.restricted`, keyed by its :class:`~linace.study.dft.restricted.SpinRestricted`
    in place of a state search), ``occupations``, ``eigenvalues``, ``fermi_level``, ``niter``,
    ``occupation`` and, for dimers, ``orbitals`` and ``configuration``. Rows of other settings are
    kept beside the current ones.
    Only the main process writes, so SQLite sees no concurrent writers.
    """

    def __init__(self, path: str | os.PathLike):
        from ase.db import connect

        self.path = Path(path)
        self.db = connect(str(self.path), type="db", append=True)

    def finished(self, settings: DFTSettings, search: StateSearch | None = None) -> dict[str, tuple[str, str]]:
        """{sid: (geometry digest, status)} of rows computed with ``settings`` (and ``search``)."""
        out = {}
        for row in self.db.select(settings=_settings_key(settings, search)):
            out[row.sid] = (row.geometry, row.status)
        return out

    def write(
        self,
        sid: str,
        group: str,
        atoms: Atoms,
        geometry: str,
        settings: DFTSettings,
        result: dict,
        search: StateSearch | None = None,
    ) -> None:
        """Store one result (replacing older rows of the same ``sid`` and settings)."""
        key = _settings_key(settings, search)
        stale = [row.id for row in self.db.select(sid=sid, settings=key)]
        atoms = atoms.copy()
        kvp = {
            "sid": sid,
            "group": group,
            "config_type": atoms.info.get("config_type", group),
            "status": result["status"],
            "geometry": geometry,
            "settings": key,
            "wall_time": float(result.get("wall_time", 0.0)),
        }
        data = {"error": result.get("error", ""), "kpts": result.get("kpts", [])}
        for extra in (
            "energies_by_moment",
            "runs",
            "state",
            "occupation",
            "start",
            "configuration",
            "runs_missing",
            "occupations",
            "eigenvalues",
            "fermi_level",
            "niter",
            "orbitals",
        ):
            if extra in result:
                data[extra] = result[extra]
        if result["status"] == "ok":
            atoms.calc = SinglePointCalculator(
                atoms,
                energy=result["energy"],
                free_energy=result["free_energy"],
                forces=np.asarray(result["forces"]),
                **({"stress": np.asarray(result["stress"])} if "stress" in result else {}),
            )
            data["free_energy"] = result["free_energy"]
            if "moment" in result:
                kvp["moment"] = int(result["moment"])
        with self.db:
            self.db.write(atoms, key_value_pairs=kvp, data=data)
            if stale:
                self.db.delete(stale)

    def rows(self, settings: DFTSettings, status: str = "ok", search: StateSearch | None = None) -> dict:
        """{sid: row} of rows with ``settings`` (and ``search``) and ``status``."""
        rows = self.db.select(settings=_settings_key(settings, search), status=status)
        return {row.sid: row for row in rows}
