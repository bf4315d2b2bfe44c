"""Sanity numbers of the reference DFT data: equations of state, lattice constants, C2 minimum.

Pure functions of lists of :class:`ase.Atoms` carrying energies (as returned by
:func:`linace.study.datasets.load`), and of dimer curves (:func:`compare_dimer_curves`: minimum,
depth and tail of several curves side by side). Energies in eV, lengths in A, bulk moduli in GPa.
The only readers of files: :func:`literature` (the published values) and the loaders of the
second, spin-restricted reference (:func:`restricted_dimer_curve`, :func:`restricted_e0`,
:func:`load_restricted`: ``data/<element>/restricted/``, checked against the manifest).
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
    return {"v0": float(v0), "e0": float(e_min), "B": float(b / GPa), "volumes": v.tolist(), "energies": e.tolist()}


def diamond_sanity(pool: Sequence[Atoms], e_atom: float) -> dict:
    """Diamond lattice constant (A), bulk modulus (GPa) and cohesive energy (eV/atom, positive)
    from the ``diamond-volume-*`` scan of the pool and the isolated-atom energy ``e_atom`` (eV)."""
    fit = eos_fit(select(pool, "diamond-volume-"))
    return {
        "a0": float((8 * fit["v0"]) ** (1 / 3)),
        "B": fit["B"],
        "cohesive_energy": float(e_atom - fit["e0"]),
        "v0": fit["v0"],
    }


def parabola_minimum(x: np.ndarray, y: np.ndarray, window: int = 2) -> tuple[float, float]:
    """Minimum (x_min, y_min) of a parabola through the lowest sample and ``window`` neighbours on
    each side (the samples must bracket the minimum). ``x``, ``y``: shape (n,), in any units (x_min
    in those of x, y_min in those of y)."""
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


# ----------------------------------------------------------------------------- comparing dimer curves


def dimer_curve_features(r, energy, tail_at: Sequence[float] = (), window: int = 2) -> dict:
    """The numbers by which two dimer curves are compared: minimum, depth, far end and tail values.

    Parameters
    ----------
    r, energy : array, shape (n,)
        Separations (A) and binding energies E(r) - 2 E0 (eV), in any order; the minimum must be
        bracketed by the samples.
    tail_at : sequence of float
        Separations (A) at which the curve's value is read (linear interpolation between the
        samples; None outside the sampled range).
    window : int
        Neighbours on each side of the lowest sample of the parabola through the minimum
        (:func:`parabola_minimum`, as :func:`dimer_minimum`).

    Returns
    -------
    dict
        ``r_e`` (A) and ``depth`` (eV, E(r_e) - 2 E0, negative for a bound curve) of the parabola;
        ``r_first``, ``r_last`` (A) the sampled range; ``far_value`` (eV) the value at ``r_last``;
        ``tail`` {r: value (eV) or None} for ``tail_at``.
    """
    r, energy = np.asarray(r, float), np.asarray(energy, float)
    if r.ndim != 1 or r.shape != energy.shape or len(r) < 2 * window + 1:
        raise ValueError(
            f"r and energy must be 1-d of the same length, at least {2 * window + 1}; "
            f"got shapes {r.shape} and {energy.shape}"
        )
    if not (np.all(np.isfinite(r)) and np.all(np.isfinite(energy))):
        raise ValueError("r and energy must be finite")
    order = np.argsort(r)
    r, energy = r[order], energy[order]
    r_e, depth = parabola_minimum(r, energy, window)
    tail = {float(x): (float(np.interp(x, r, energy)) if r[0] - 1e-9 <= x <= r[-1] + 1e-9 else None) for x in tail_at}
    return {
        "r_e": r_e,
        "depth": depth,
        "r_first": float(r[0]),
        "r_last": float(r[-1]),
        "far_value": float(energy[-1]),
        "tail": tail,
    }


def compare_dimer_curves(curves, reference: str, tail_at: Sequence[float] = ()) -> list[dict]:
    """Dimer curves side by side, each against one of them (e.g. spin-polarised, spin-restricted
    and published curves).

    Parameters
    ----------
    curves : mapping
        {name: (r, E - 2 E0)} (A, eV), each as :func:`dimer_curve_features` takes it.
    reference : str
        The name of the curve the others are measured against.
    tail_at : sequence of float
        Separations (A) at which every curve's value is read.

    Returns
    -------
    list of dict, one per curve in the order of ``curves``
        ``name`` and :func:`dimer_curve_features`, plus ``delta_r_e`` (A), ``delta_depth`` (eV)
        and ``delta_tail`` {r: eV or None}: this curve minus the reference (0 for the reference).
    """
    if reference not in curves:
        raise ValueError(f"reference curve {reference!r} is not among the curves: {', '.join(curves)}")
    features = {name: dimer_curve_features(r, e, tail_at) for name, (r, e) in curves.items()}
    ref = features[reference]
    rows = []
    for name, f in features.items():
        rows.append(
            {
                "name": name,
                **f,
                "delta_r_e": f["r_e"] - ref["r_e"],
                "delta_depth": f["depth"] - ref["depth"],
                "delta_tail": {
                    x: (None if v is None or ref["tail"][x] is None else v - ref["tail"][x])
                    for x, v in f["tail"].items()
                },
            }
        )
    return rows


# ----------------------------------------------------------------------------- the spin-restricted reference
# The second reference of data/<element>/restricted/ (linace.study.dft.restricted): spin-restricted
# (non-spin-polarised), Fermi-Dirac smearing of the settings' width, E extrapolated to zero width.
# Its files are listed in the manifest's 'references' section (never in 'sets': not a training set).


def restricted_reference(element: str = "C", data_dir=None) -> dict:
    """The manifest entry of an element's spin-restricted reference (``references`` ->
    ``spin_restricted`` of ``data/<element>/manifest.json``, or of ``data_dir``'s manifest).

    Raises :class:`linace.study.datasets.DatasetError` if the manifest has no such entry.
    """
    from .datasets import DatasetError, manifest
    from .dft.restricted import REFERENCE_KEY

    meta = manifest(data_dir) if data_dir is not None else manifest(element=element)
    entry = meta.get("references", {}).get(REFERENCE_KEY)
    if entry is None:
        where = data_dir or f"data/{element}"
        raise DatasetError(
            f"{where}: the manifest has no spin-restricted reference ('references' -> "
            f"'{REFERENCE_KEY}'); compute it with `python -m linace.study.dft generate-restricted` "
            "and `export-restricted`"
        )
    return entry


def load_restricted(name: str, element: str = "C", data_dir=None) -> list[Atoms]:
    """A set of the spin-restricted reference ('isolated_atom' or 'dimers') after checking its file
    against the manifest (SHA-256, number of structures) and its contents
    (:func:`linace.study.datasets.validate`). Raises DatasetError naming what is wrong."""
    from pathlib import Path

    from ase.io import read

    from .datasets import DatasetError, element_dir, sha256, validate

    entry = restricted_reference(element, data_dir)
    sets = entry.get("sets", {})
    if name not in sets:
        raise DatasetError(
            f"spin-restricted reference of {element}: no set {name!r} "
            f"(exported: {', '.join(sets) or 'none'}; incomplete: {entry.get('incomplete')})"
        )
    folder = Path(data_dir) if data_dir is not None else element_dir(element)
    path = folder / sets[name]["file"]
    if not path.exists():
        raise DatasetError(f"spin-restricted {name}: file {path} is missing")
    digest = sha256(path)
    if digest != sets[name]["sha256"]:
        raise DatasetError(
            f"spin-restricted {name}: checksum mismatch for {path} (expected "
            f"{sets[name]['sha256'][:12]}..., got {digest[:12]}...)"
        )
    images = read(path, index=":", format="extxyz")
    if len(images) != sets[name]["n_structures"]:
        raise DatasetError(
            f"spin-restricted {name}: {len(images)} structures in {path}, the manifest says "
            f"{sets[name]['n_structures']}"
        )
    from .datasets import element as element_of

    validate(images, f"spin-restricted {name} ({path})", element if data_dir is None else element_of(data_dir))
    return images


def restricted_e0(element: str = "C", data_dir=None) -> float:
    """E0_restricted (eV): the spin-restricted isolated atom, Fermi-Dirac smearing of the settings'
    width, energy extrapolated to zero width."""
    (atom,) = load_restricted("isolated_atom", element, data_dir)
    return float(atom.get_potential_energy())


def restricted_dimer_curve(element: str = "C", data_dir=None) -> tuple[np.ndarray, np.ndarray]:
    """The spin-restricted dimer curve: r (A, increasing) and E(r) - 2 E0_restricted (eV), both of
    the spin-restricted reference (its convention: the manifest entry's ``convention``)."""
    dimers = load_restricted("dimers", element, data_dir)
    r = np.array([a.get_distance(0, 1) for a in dimers])
    energy = np.array([a.get_potential_energy() for a in dimers]) - 2 * restricted_e0(element, data_dir)
    order = np.argsort(r)
    return r[order], energy[order]


# ----------------------------------------------------------------------------- molecular states

#: harmonic frequency (cm^-1) of a curvature of 1 eV/A^2 for a reduced mass of 1 amu
_CM1_PER_SQRT_EV_A2_AMU = np.sqrt(1.602176634e-19 / 1e-20 / 1.66053906660e-27) / (2 * np.pi * 2.99792458e10)


def dimer_runs(dimers: Sequence[Atoms], e_atom: float) -> list[dict]:
    """Every state-search run of a dimer curve, as rows sorted by separation.

    Each row: ``r`` (A), ``moment``, ``start``, ``state``, ``occupation`` and ``binding`` =
    E - 2 E0 (eV); failed runs are left out. Reads the ``energy_m<M>_<start>``,
    ``state_m<M>_<start>`` and ``occupation_m<M>_<start>`` info of the exported dimers.
    """
    rows = []
    for atoms in dimers:
        r = float(atoms.get_distance(0, 1))
        for key, value in atoms.info.items():
            if not key.startswith("energy_m") or "_" not in key[len("energy_m") :]:
                continue
            tag = key[len("energy_") :]
            moment, start = tag[1:].split("_", 1)
            if not np.isfinite(value):
                continue
            rows.append(
                {
                    "r": r,
                    "moment": int(moment),
                    "start": start,
                    "state": str(atoms.info[f"state_{tag}"]),
                    "occupation": str(atoms.info[f"occupation_{tag}"]),
                    "binding": float(value) - 2 * e_atom,
                }
            )
    return sorted(rows, key=lambda row: (row["r"], row["moment"], row["start"]))


def state_curves(dimers: Sequence[Atoms], e_atom: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{state name: (r, E - 2 E0)}: for every state the search found, its lowest energy at each
    separation where some run converged to it (A, eV)."""
    best: dict[str, dict[float, float]] = {}
    for row in dimer_runs(dimers, e_atom):
        curve = best.setdefault(row["state"], {})
        curve[row["r"]] = min(curve.get(row["r"], np.inf), row["binding"])
    return {state: (np.array(sorted(c)), np.array([c[r] for r in sorted(c)])) for state, c in best.items()}


def state_segments(dimers: Sequence[Atoms]) -> list[dict]:
    """Stretches of the labelled curve held by one winning state, in order of separation.

    Each: ``state``, ``moment``, ``occupation``, ``r_min``, ``r_max`` (A), ``n`` points.
    """
    ordered = sorted(dimers, key=lambda a: a.get_distance(0, 1))
    segments: list[dict] = []
    for atoms in ordered:
        r, state = float(atoms.get_distance(0, 1)), str(atoms.info["state"])
        if segments and segments[-1]["state"] == state:
            segments[-1].update(r_max=r, n=segments[-1]["n"] + 1)
        else:
            segments.append(
                {
                    "state": state,
                    "moment": int(atoms.info["spin_moment"]),
                    "occupation": str(atoms.info["occupation"]),
                    "r_min": r,
                    "r_max": r,
                    "n": 1,
                }
            )
    return segments


def leave_one_out_residuals(r: np.ndarray, energy: np.ndarray, neighbours: int = 4) -> np.ndarray:
    """Distance (eV) of every point from the cubic through its ``neighbours`` nearest other points.

    The smoothness measure of a state curve: a point off its state's smooth curve (a jump to
    another SCF solution) stands out; a curve sampled finely enough for a cubic gives residuals
    far below the jumps. ``r`` and ``energy`` of one state, shape (n,), n > ``neighbours``.
    """
    r, energy = np.asarray(r, float), np.asarray(energy, float)
    if len(r) <= neighbours:
        raise ValueError(f"need more than {neighbours} points, got {len(r)}")
    out = np.empty(len(r))
    for i in range(len(r)):
        others = np.delete(np.arange(len(r)), i)
        near = others[np.argsort(np.abs(r[others] - r[i]), kind="stable")[:neighbours]]
        coeffs = np.polyfit(r[near] - r[i], energy[near], 3)
        out[i] = energy[i] - coeffs[-1]
    return out


def rough_state_segments(dimers: Sequence[Atoms], e_atom: float, tolerance: float = 0.005) -> dict[str, float]:
    """Stretches of the labelled curve whose state is not smooth: {'<state> <r_min>-<r_max> A':
    worst leave-one-out residual (eV)} for every winning stretch with a point more than
    ``tolerance`` (eV) off the cubic through its four nearest points of the same state (a jump to
    another SCF solution would be)."""
    curves = state_curves(dimers, e_atom)
    rough = {}
    for segment in state_segments(dimers):
        r, e = curves[segment["state"]]
        inside = (r >= segment["r_min"] - 1e-9) & (r <= segment["r_max"] + 1e-9)
        worst = float(np.abs(leave_one_out_residuals(r, e)[inside]).max())
        if worst > tolerance:
            rough[f"{segment['state']} {segment['r_min']:.2f}-{segment['r_max']:.2f} A"] = worst
    return rough


def _smooth_through(r_all: np.ndarray, e_all: np.ndarray, before: dict, after: dict, tolerance: float) -> bool:
    """Whether the labelled curve runs smoothly through a change of name: the same total moment and
    occupation class on both sides, and each of the two points next to the change within
    ``tolerance`` eV of the cubic through its four nearest points of the two stretches joined."""
    if (before["moment"], before["occupation"]) != (after["moment"], after["occupation"]):
        return False
    joined = (r_all >= before["r_min"] - 1e-9) & (r_all <= after["r_max"] + 1e-9)
    if joined.sum() <= 4:
        return False
    r, e = r_all[joined], e_all[joined]
    at_change = np.isclose(r, before["r_max"]) | np.isclose(r, after["r_min"])
    return bool(np.abs(leave_one_out_residuals(r, e)[at_change]).max() <= tolerance)


def _crossings(dimers: Sequence[Atoms], e_atom: float, tolerance: float) -> tuple[list[str], list[str]]:
    """(crossings with a state missing on a side and a possible step, name changes with a state
    missing on a side but one smooth solution through them); see the two public functions."""
    from .results import dft_dimer_curve

    curves = state_curves(dimers, e_atom)
    segments = state_segments(dimers)
    r_all, e_all, _ = dft_dimer_curve(dimers, e_atom)  # the labelled curve, r increasing
    missing, renamed = [], []
    for before, after in zip(segments, segments[1:]):
        absent = [
            f"{state} missing at the crossing {before['r_max']:.2f}-{after['r_min']:.2f} A"
            for state in (before["state"], after["state"])
            if not (
                np.any(np.isclose(curves[state][0], before["r_max"]))
                and np.any(np.isclose(curves[state][0], after["r_min"]))
            )
        ]
        if absent and _smooth_through(r_all, e_all, before, after, tolerance):
            renamed.append(f"{before['state']} -> {after['state']} at {before['r_max']:.2f}-{after['r_min']:.2f} A")
        else:
            missing += absent
    return missing, renamed


def name_changes_without_crossing(dimers: Sequence[Atoms], e_atom: float, tolerance: float = 0.005) -> list[str]:
    """Changes of the winning state's name where one of the two names was not found on both sides,
    yet the labelled curve runs through the change as one solution: the same total moment and
    occupation class on both sides, and the points next to the change smooth to ``tolerance`` eV
    (the smoothness criterion of :func:`rough_state_segments`).

    A fractional solution whose occupations drift with r (e.g. Si2's quintet, where π_u and π_g
    approach each other towards dissociation) changes its name where its electrons per orbital
    symmetry stop being integers, with no second state involved. One '<name> -> <name> at
    <r1>-<r2> A' per such change.
    """
    return _crossings(dimers, e_atom, tolerance)[1]


def crossings_without_both_states(dimers: Sequence[Atoms], e_atom: float, tolerance: float = 0.005) -> list[str]:
    """Changes of the winning state where one of the two states was not found on both sides of the
    crossing (so the label may step, not kink); empty if every crossing is a kink. A change of name
    within one smooth solution (:func:`name_changes_without_crossing`) is no crossing and is not
    listed."""
    return _crossings(dimers, e_atom, tolerance)[0]


def spectroscopic_constants(r: np.ndarray, energy: np.ndarray, reduced_mass: float, half_width: float = 0.07) -> dict:
    """r_e (A), D_e = -(E(r_e) - 2 E0) (eV) and the harmonic frequency omega_e (cm^-1) of one
    state's curve, from a quartic fitted to its points within ``half_width`` (A) of its lowest
    point. ``reduced_mass`` in amu (6.0 for 12C2). Raises ValueError if the minimum is not
    bracketed (the lowest point is an end of the curve)."""
    r, energy = np.asarray(r, float), np.asarray(energy, float)
    k = int(np.argmin(energy))
    if k == 0 or k == len(r) - 1:
        raise ValueError("the minimum of this curve is not bracketed by its points")
    near = np.abs(r - r[k]) <= half_width + 1e-9
    if near.sum() < 5:
        raise ValueError(f"only {int(near.sum())} points within {half_width} A of the minimum")
    poly = np.polynomial.Polynomial.fit(r[near], energy[near], 4)
    roots = [x.real for x in poly.deriv().roots() if abs(x.imag) < 1e-9 and r[near].min() <= x.real <= r[near].max()]
    r_e = min(roots, key=lambda x: poly(x))
    curvature = poly.deriv(2)(r_e)
    return {
        "r_e": float(r_e),
        "D_e": float(-poly(r_e)),
        "omega_e": float(np.sqrt(curvature / reduced_mass) * _CM1_PER_SQRT_EV_A2_AMU),
    }


#: reduced masses (amu) of homonuclear dimers of the most abundant isotope
DIMER_REDUCED_MASS = {"C": 12.0 / 2, "Si": 27.9769265 / 2}


def dimer_reduced_mass(symbol: str) -> float:
    """Reduced mass (amu) of a homonuclear dimer: :data:`DIMER_REDUCED_MASS` (the most abundant
    isotope, as spectroscopy quotes) where listed, else half the standard atomic weight
    (``ase.data.atomic_masses``; a mixture of isotopes)."""
    if symbol in DIMER_REDUCED_MASS:
        return DIMER_REDUCED_MASS[symbol]
    from ase.data import atomic_masses, atomic_numbers

    if symbol not in atomic_numbers:
        raise ValueError(f"unknown chemical symbol {symbol!r}")
    return float(atomic_masses[atomic_numbers[symbol]]) / 2


def dimer_state_table(dimers: Sequence[Atoms], e_atom: float) -> list[dict]:
    """One row per state the search found with a bound minimum on its own curve, or that labels the
    curve somewhere.

    Each row: ``state``, ``moment``, ``wins`` (the separations, A, where it labels the curve, as
    'r_min-r_max' stretches; empty if it never wins), ``span`` (the separations, A, where some run
    converged to it, as (first, last)), ``configuration`` of the run at the minimum of its curve
    (its lowest point if there is no minimum), and :func:`spectroscopic_constants` ``r_e`` (A),
    ``D_e`` (eV), ``omega_e`` (cm^-1), all None for a state with no bracketed minimum on the
    separations where it was found (e.g. reached only on a repulsive stretch). Sorted by the depth
    of the minimum (the lowest state first; states without a minimum last).
    """
    symbol = dimers[0].get_chemical_symbols()[0]
    curves = state_curves(dimers, e_atom)
    segments = state_segments(dimers)
    by_r = {round(float(a.get_distance(0, 1)), 6): a for a in dimers}
    rows = []
    for state, (r, e) in curves.items():
        wins = [f"{s['r_min']:.2f}–{s['r_max']:.2f}" for s in segments if s["state"] == state]
        try:
            constants = spectroscopic_constants(r, e, dimer_reduced_mass(symbol))
        except ValueError:  # no bracketed minimum (repulsive, or found on too few points)
            if not wins:
                continue
            constants = {"r_e": None, "D_e": None, "omega_e": None}
        k = int(np.argmin(e))
        atoms = by_r[round(float(r[k]), 6)]
        tag = next(
            (
                key[len("state_") :]
                for key, value in atoms.info.items()
                if key.startswith("state_m")
                and value == state
                and np.isclose(atoms.info[f"energy_{key[len('state_') :]}"] - 2 * e_atom, e[k])
            ),
            None,
        )
        rows.append(
            {
                "state": state,
                "moment": int(tag[1:].split("_")[0]) if tag else None,
                "wins": ", ".join(wins),
                "span": (float(r[0]), float(r[-1])),
                "configuration": str(atoms.info.get(f"configuration_{tag}", "")),
                **constants,
            }
        )
    return sorted(rows, key=lambda row: -row["D_e"] if row["D_e"] is not None else np.inf)


# ----------------------------------------------------------------------------- published values

#: per element, the state names of :mod:`linace.study.dft.states` -> keys of the dimer's entries in
#: ``data/literature.json`` (its spectroscopic labels). For C2 the broken-symmetry singlet near
#: r_e is the unrestricted-DFT approximation to the closed-shell X1Sigma_g+ ground state.
LITERATURE_TERMS = {
    "C": {
        "1Σg+": "X1Sigma_g+",
        "broken-symmetry singlet": "X1Sigma_g+",
        "3Πu": "a3Pi_u",
        "3Σg-": "b3Sigma_g-",
        "1Πu": "A1Pi_u",
        "3Σu+": "c3Sigma_u+",
        "1Δg/1Σg+": "1Delta_g",
        "5Πg": "5Pi_g",
    },
    # Si2: the ground state X3Sigma_g- (sigma_g^2 pi_u^2 of the 3s3p valence) and the A3Pi_u state
    # 0.053 eV above it (sigma_g^1 pi_u^3; Nimlos et al. 1987); the excited 3Sigma_u- states of the
    # literature (H, K) lie over 3 eV higher and are not matched by name
    "Si": {"3Σg-": "X3Sigma_g-", "3Πu": "A3Pi_u"},
}


def state_markup(state: str) -> str:
    """A state name of :mod:`linace.study.dft.states` as a term symbol in TeX math, for Markdown
    (MyST dollar math) and matplotlib (mathtext): '3Σg-' -> '$^{3}\\Sigma_{g}^{-}$', 'X1Σg+' ->
    'X$^{1}\\Sigma_{g}^{+}$', '1Δg/1Σg+' -> both joined by '/'. Names that are not term symbols
    ('broken-symmetry singlet', '1-plet, fractional') are returned unchanged."""
    import re

    letters = {"Σ": r"\Sigma", "Π": r"\Pi", "Δ": r"\Delta", "Φ": r"\Phi"}

    def one(term: str) -> str | None:
        match = re.fullmatch(r"([A-Za-z]?)(\d)([ΣΠΔΦ])([gu]?)([+-]?)", term)
        if not match:
            return None
        label, multiplicity, letter, parity, sign = match.groups()
        return (
            f"{label}$^{{{multiplicity}}}{letters[letter]}"
            + (f"_{{{parity}}}" if parity else "")
            + (f"^{{{sign}}}" if sign else "")
            + "$"
        )

    parts = [one(term) for term in state.split("/")]
    return "/".join(parts) if all(parts) else state


def literature_term(state: str, element: str = "C") -> str | None:
    """Key of a dimer state in ``data/literature.json`` (None if the literature has no such state)."""
    return LITERATURE_TERMS.get(element, {}).get(state)


def literature(data_dir=None) -> dict:
    """Experimental and published PBE values with their sources: ``literature.json`` of ``data_dir``,
    by default the repository's (``data/literature.json``; published values do not depend on which
    data directory is in use)."""
    import json
    from pathlib import Path

    from .datasets import REPOSITORY_DATA_DIR

    path = Path(data_dir or REPOSITORY_DATA_DIR) / "literature.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the published values of the reference data")
    return json.loads(path.read_text())


def label_changes(molecules: Sequence[Atoms], tolerance: float = 1e-3) -> dict:
    """How the state search changed the labels of molecules that a single run had labelled before.

    Each structure of ``molecules`` (e.g. the clusters) labelled by the state search carries the
    earlier single-run energy in ``info['energy_single_run']`` (eV, see
    :func:`linace.study.dft.export`). The change is the search's energy minus that one, per atom
    (mostly negative: the search keeps its lowest run; it can be slightly positive because the
    single runs used a wider Fermi-Dirac smearing, 0.05 eV, whose extrapolated energy is not that
    of one occupation).

    Returns
    -------
    dict with ``n`` (structures compared), ``n_changed`` (|change| > ``tolerance`` eV/atom),
    ``n_moment_changed`` (the winning total moment differs), ``median_eV_per_atom``,
    ``max_eV_per_atom`` (the largest lowering, as a positive number), ``rms_eV_per_atom`` and
    ``changes`` (per structure: sid, atoms, single-run and search moment, change in eV/atom).
    """
    rows = []
    for atoms in molecules:
        before = atoms.info.get("energy_single_run")
        if before is None:
            continue
        change = (atoms.get_potential_energy() - float(before)) / len(atoms)
        rows.append(
            {
                "sid": atoms.info.get("sid"),
                "n_atoms": len(atoms),
                "moment_single_run": atoms.info.get("spin_moment_single_run"),
                "moment": atoms.info.get("spin_moment"),
                "change_eV_per_atom": float(change),
            }
        )
    if not rows:
        raise ValueError("no structure carries an earlier single-run label (info 'energy_single_run')")
    changes = np.array([r["change_eV_per_atom"] for r in rows])
    return {
        "n": len(rows),
        "n_changed": int(np.sum(np.abs(changes) > tolerance)),
        "n_moment_changed": int(sum(r["moment"] != r["moment_single_run"] for r in rows)),
        "median_eV_per_atom": float(np.median(changes)),
        "max_eV_per_atom": float(-changes.min()),
        "rms_eV_per_atom": float(np.sqrt(np.mean(changes**2))),
        "tolerance_eV_per_atom": tolerance,
        "changes": rows,
    }
