"""The records of the authors' published fits: where a number was read (:class:`Source`), the fit
(:class:`FitSetup`), its errors on one set (:class:`PublishedErrors`) and its dimer curves
(:class:`PublishedDimerCurve`); and the :class:`Collector` an extraction fills with them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: What an energy weight means, by ``FitSetup.weight_convention``.
WEIGHT_CONVENTIONS = {
    "ACEpotentials.jl": "energy_weight w_E multiplies the row E_total/sqrt(N) (N atoms), the force weight 1 each "
    "force component; in linace.fit.Weights (energy per atom) that is w_E sqrt(N) per structure",
    "pacemaker": "loss = (1 - kappa) x energy term + kappa x force term (pacemaker's normalisations); "
    "energy_weight = (1 - kappa) / kappa",
}


class PaperFormatError(ValueError):
    """A published file does not have the format this package reads (names the file and line)."""


@dataclass(frozen=True)
class Source:
    """Where a published number was read: file path in the repository, commit, SHA-256 of the file
    (hex), and where in the file (e.g. a notebook cell) when the file holds more than one thing."""

    path: str
    commit: str
    sha256: str
    where: str = ""


@dataclass(frozen=True)
class FitSetup:
    """One published fit: code, data, basis and weights.

    ``code`` "ace.jl" (ACEpotentials.jl, linear ACE) or "pacemaker"; ``element`` "C" or "Si";
    ``training_set`` their set name (``datasets/<name>.xyz`` or pacemaker's folder name);
    ``body_order`` K (2..5); ``variant`` "standard" or "pure" (self-interaction-free);
    ``degrees`` ACE1x total degree per correlation order ν = 1..K-1 (ace.jl); ``basis_spec`` the
    basis as the authors name it; ``basis_size`` number of basis functions (None: not recorded);
    ``cutoff_A`` the cut-off (A); ``energy_weight`` energy:force weight with forces 1
    (``weight_convention`` says whose convention); ``kappa`` pacemaker's relative force weight;
    ``solver``; ``e0_eV`` the fit's isolated-atom energy (eV; the zero of its dimer curve);
    ``run`` the run's folder in the repository; ``notes`` what was inferred and from where.
    """

    code: str
    element: str
    training_set: str
    body_order: int
    variant: str
    degrees: tuple[int, ...] | None
    basis_spec: str
    basis_size: int | None
    cutoff_A: float | None
    energy_weight: float | None
    weight_convention: str
    kappa: float | None
    solver: str
    e0_eV: float | None
    run: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublishedErrors:
    """Published errors of one fit on one set.

    ``split`` "train" (the set the fit was trained on) or "test" (another set, ``validation_set``;
    ``notes`` say when it shares structures with the training set). Energies in meV/atom (errors of
    the energy per atom), forces in eV/A (per Cartesian component); None where not published.
    """

    setup: FitSetup
    split: str
    validation_set: str
    rmse_energy_meV: float | None
    rmse_forces_eV_A: float | None
    mae_energy_meV: float | None
    mae_forces_eV_A: float | None
    source: Source
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class PublishedDimerCurve:
    """A published dimer curve of one fit: r (A, increasing) and E(r) = E_pot(dimer) - 2 E_pot(atom)
    (eV; the potential's isolated atom is its one-body term ``setup.e0_eV``). ``part`` "full" or
    "pair" (only the pair potential's coefficients kept)."""

    setup: FitSetup
    part: str
    r_A: np.ndarray
    energy_eV: np.ndarray
    source: Source


@dataclass
class Collector:
    """What the readers of a snapshot gather, in the order they read it: error records, dimer
    curves, and the files left out with the reason (``{"path": ..., "reason": ...}``)."""

    errors: list[PublishedErrors] = field(default_factory=list)
    curves: list[PublishedDimerCurve] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append({"path": path, "reason": reason})
