"""State search for molecules: the lowest DFT solution of an atom, a dimer or a cluster.

Open-shell molecules have several self-consistent Kohn-Sham solutions at one geometry, and which
one an SCF run lands in depends on where it starts. One run per geometry therefore gives a curve
that jumps between solutions. This module searches, for every geometry, over

* **total spin moments** M = N_up - N_down (Bohr magnetons, fixed during the run):
  ``StateSearch.dimer_moments`` for dimers (0, 2, 4 for C2: singlet, triplet, quintet), the atom's
  Hund moment for an isolated atom, and for clusters M = 0, 2, 4, ... increasing until the lowest
  energy has risen for two consecutive moments ("until the energy rises, plus one more");
* **starts** (:data:`STARTS`), each an independent SCF run:

  ``integer``
      integer, aufbau occupations at fixed M (GPAW ``occupations={'name': 'fixed', ...}``: in each
      spin channel the lowest N_s orbitals hold one electron, the rest none), from broken-symmetry
      initial moments (:func:`initial_moments`). A degenerate, partly filled shell is then filled
      by one orbital of the pair: the spatial symmetry breaks and the occupied orbital is lowered,
      which gives the integer-occupation, symmetry-broken states (the Hund's-rule atom, a3Pi_u).
  ``fractional``
      Fermi-Dirac smearing of small width ``StateSearch.width`` at fixed M, from symmetric initial
      moments: degenerate partly filled shells stay equally (fractionally) occupied.
  ``up``, ``down`` (dimer scans only)
      continuation: integer aufbau occupations, each separation started from the converged wave
      functions and density of its neighbour in the scan, scanning r upwards and downwards
      (a chain follows one state across the region where fresh starts fall into another). A point
      whose SCF fails restarts the chain fresh.

Every converged run is kept (in the run logs ``data/<element>/state_search/<group>/*.jsonl`` and in the
exported structure's info); the label is the lowest energy. Each run records its occupation class
(:func:`occupation_class`: 'integer' if every occupation number is within
``StateSearch.integer_tolerance`` of 0 or 1, else 'fractional'), the smearing signature
``free_energy - energy`` (0 for integer occupations), the local moments and, for dimers, the
symmetry of every occupied orbital (:func:`orbital_symmetry`), from which the molecular term it
resembles is named (:func:`term_symbol`).

Energies are GPAW's energies extrapolated to zero smearing width (for integer occupations the
width plays no role and ``free_energy == energy``). All geometries of a dimer scan share one box
(the box of the longest separation), so that continuation can reuse wave functions and the curve
has no box-size noise.

The pure functions (occupation classes, orbital symmetry, term symbols, the winner) need no GPAW
and are tested on their own; :func:`run_task` is the part that runs GPAW.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from ase import Atoms

from linace.study.dft.settings import short_digest

#: SCF starts of the search, in the order they are reported
STARTS = ("integer", "fractional", "up", "down")

#: valence electrons of the PAW setups used (gpaw-data PBE setups)
VALENCE = {"C": 4, "Si": 4}

#: atomic Hund's-rule moments (Bohr magnetons) of the ground-state atoms (3P for C and Si)
HUND_MOMENT = {"C": 2, "Si": 2}


@dataclasses.dataclass(frozen=True)
class StateSearch:
    """Settings of the molecular state search (recorded in the manifest; part of the cache key).

    Attributes
    ----------
    width : float
        Fermi-Dirac width (eV) of the ``fractional`` start.
    dimer_moments : tuple of int
        Total moments tried for every dimer separation.
    max_cluster_moment : int
        Upper bound of the cluster moment search (Bohr magnetons).
    maxiter_integer, maxiter_fractional : int
        SCF iterations before a run counts as not converged, for integer-occupation starts
        (converged ones need 9-20; where no integer aufbau solution exists the occupied and
        empty levels swap at every iteration and the run cannot converge, so more iterations
        only cost time) and for the fractional start (which usually needs 10-50).
    extra_bands : int
        Empty bands per spin beyond the occupied ones.
    integer_tolerance : float
        Occupation numbers within this of 0 or 1 count as integer.
    """

    width: float = 0.01
    dimer_moments: tuple[int, ...] = (0, 2, 4)
    max_cluster_moment: int = 12
    maxiter_integer: int = 30
    maxiter_fractional: int = 80
    extra_bands: int = 4
    integer_tolerance: float = 0.02

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["dimer_moments"] = list(self.dimer_moments)
        return d

    def digest(self) -> str:
        """Short SHA-256 of the settings that decide what a converged run gives (the cache key).

        The iteration limits are left out: they only decide when a run that has not converged is
        given up (each run records its ``niter`` and the ``maxiter`` it was given).
        """
        return short_digest({k: v for k, v in self.to_dict().items() if not k.startswith("maxiter")})


# ----------------------------------------------------------------------------- pure functions


def electron_counts(symbols: Sequence[str], moment: int) -> tuple[int, int]:
    """(N_up, N_down) valence electrons for a total moment ``moment`` (Bohr magnetons).

    Raises ValueError if the moment does not fit the number of valence electrons.
    """
    missing = sorted({s for s in symbols if s not in VALENCE})
    if missing:
        raise ValueError(f"no valence count for element(s) {missing}; known: {sorted(VALENCE)}")
    n = sum(VALENCE[s] for s in symbols)
    if moment < 0 or moment > n or (n - moment) % 2:
        raise ValueError(f"moment {moment} impossible for {n} valence electrons")
    return (n + moment) // 2, (n - moment) // 2


def fixed_occupations(symbols: Sequence[str], moment: int, nbands: int) -> list[list[float]]:
    """Integer aufbau occupation numbers, shape (2, nbands): the lowest N_s bands of each spin."""
    n_up, n_dn = electron_counts(symbols, moment)
    if max(n_up, n_dn) > nbands:
        raise ValueError(f"{nbands} bands cannot hold {n_up} electrons of one spin")
    return [[1.0] * n + [0.0] * (nbands - n) for n in (n_up, n_dn)]


def initial_moments(symbols: Sequence[str], moment: int, broken: bool) -> np.ndarray:
    """Initial local moments (Bohr magnetons), shape (n_atoms,).

    ``broken`` False: the total moment shared equally (spin-symmetric start). ``broken`` True and
    ``moment`` 0: alternating +-Hund moment (antiparallel atoms; the last atom of an odd count
    gets 0, so that the moments sum to 0), so that a broken-symmetry singlet can form; ``broken``
    True and ``moment`` > 0: the
    atoms' Hund moments scaled to sum to ``moment``.
    """
    n = len(symbols)
    if not broken:
        return np.full(n, moment / n)
    hund = np.array([HUND_MOMENT.get(s, 0) for s in symbols], float)
    if moment == 0:
        signs = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
        if n % 2:
            signs[-1] = 0.0
        return hund * signs
    return hund * moment / hund.sum() if hund.sum() > 0 else np.full(n, moment / n)


def occupation_class(occupations: np.ndarray, tol: float = 0.02) -> str:
    """'integer' if every occupation number is within ``tol`` of 0 or 1, else 'fractional'.

    ``occupations``: shape (n_spins, n_bands), numbers between 0 and 1.
    """
    f = np.asarray(occupations, float)
    return "integer" if bool(np.all(np.minimum(f, 1 - f) <= tol)) else "fractional"


def _mirror(a: np.ndarray, axes: Sequence[int]) -> np.ndarray:
    """Grid function at the mirrored points: index i -> (N - i) mod N along ``axes``.

    On a periodic grid x_i = i L / N this is x -> L - x, i.e. the reflection through the centre
    of the box.
    """
    out = a
    for ax in axes:
        out = np.roll(np.flip(out, axis=ax), 1, axis=ax)
    return out


def orbital_symmetry(psi: np.ndarray, axis: int = 0, tol: float = 0.9) -> str:
    """Symmetry label of one orbital of a linear molecule centred in its box along ``axis``.

    ``psi``: the orbital on the periodic real-space grid, shape (N1, N2, N3). The rotation by pi
    about the molecular axis gives +1 for sigma (and delta) and -1 for pi orbitals; the inversion
    through the centre gives +1 (gerade, 'g') or -1 (ungerade, 'u'). A parity with modulus below
    ``tol`` is undefined: the letter is left out ('sigma' instead of 'sigma_g'), as for orbitals
    localised on one atom in a broken-symmetry state.

    Returns one of 'sigma_g', 'sigma_u', 'pi_g', 'pi_u', 'sigma', 'pi' or '?' (rotation parity
    undefined).
    """
    norm = float(np.vdot(psi, psi).real)
    across = [a for a in range(3) if a != axis]

    def parity(axes):
        return float(np.vdot(psi, _mirror(psi, axes)).real) / norm

    rot, inv = parity(across), parity((0, 1, 2))
    if abs(rot) < tol:
        return "?"
    kind = "sigma" if rot > 0 else "pi"
    if abs(inv) < tol:
        return kind
    return f"{kind}_{'g' if inv > 0 else 'u'}"


def configuration(orbitals: Sequence[Sequence[tuple[str, float]]]) -> dict[str, float]:
    """Electrons per orbital symmetry, summed over spins: {'sigma_g': 3.0, 'pi_u': 3.0, ...}.

    ``orbitals``: per spin, a list of (symmetry label, occupation) of the occupied orbitals.
    """
    counts: dict[str, float] = {}
    for spin in orbitals:
        for label, occ in spin:
            counts[label] = counts.get(label, 0.0) + float(occ)
    return {k: round(v, 3) for k, v in sorted(counts.items()) if v > 1e-3}


def configuration_string(counts: dict[str, float]) -> str:
    """'sigma_g3 sigma_u2 pi_u3' style text of :func:`configuration` (non-integer counts rounded
    to two decimals)."""

    def num(v):
        return str(int(round(v))) if abs(v - round(v)) < 1e-3 else f"{v:.2f}"

    return " ".join(f"{k}{num(v)}" for k, v in sorted(counts.items()) if v > 1e-3)


#: molecular terms of the valence configurations of a homonuclear dimer with 8 valence electrons
#: (C2, Si2: 2sigma_g 2sigma_u 1pi_u 3sigma_g 1pi_g 3sigma_u), as electrons per symmetry
#: (sigma_g, sigma_u, pi_u, pi_g) and total moment M -> term. KS determinants of open-shell
#: configurations are not eigenfunctions of Lambda; the term is the one the configuration and spin
#: give in the textbook assignment (Huber & Herzberg), i.e. the state the solution resembles.
DIMER_TERMS = {
    ((2, 2, 4, 0), 0): "1Σg+",  # C2's ground state X1Σg+, high in Si2 (whose X is 3Σg-)
    ((3, 2, 3, 0), 2): "3Πu",
    ((3, 2, 3, 0), 0): "1Πu",
    ((4, 2, 2, 0), 2): "3Σg-",
    ((4, 2, 2, 0), 0): "1Δg/1Σg+",
    ((3, 1, 4, 0), 2): "3Σu+",
    ((3, 1, 4, 0), 0): "1Σu+",
    ((3, 2, 2, 1), 4): "5Πg",
    ((3, 3, 2, 0), 4): "5Σu-",
    ((4, 1, 3, 0), 2): "3Πg",
    ((2, 2, 3, 1), 2): "3Σu+ (πu3 πg1)",
}


MULTIPLICITY = {1: "singlet", 2: "doublet", 3: "triplet", 4: "quartet", 5: "quintet", 6: "sextet", 7: "septet"}


def term_symbol(counts: dict[str, float], moment: int) -> str:
    """Name of the dimer state a configuration resembles (see :data:`DIMER_TERMS`).

    Fractional or symmetry-undefined configurations get a descriptive name instead:
    'broken-symmetry singlet' (triplet, ...) when an occupied orbital has no inversion parity
    (spins localised on the atoms, as in two separated atoms), or
    '<2S+1>-plet, fractional' when occupations are fractional.
    """
    if any(k in ("sigma", "pi", "?") for k in counts):
        return f"broken-symmetry {MULTIPLICITY.get(moment + 1, f'{moment + 1}-plet')}"
    key = tuple(counts.get(k, 0.0) for k in ("sigma_g", "sigma_u", "pi_u", "pi_g"))
    if any(abs(v - round(v)) > 1e-3 for v in key):
        return f"{moment + 1}-plet, fractional"
    term = DIMER_TERMS.get((tuple(int(round(v)) for v in key), int(moment)))
    return term or f"{moment + 1}-plet, {configuration_string(counts)}"


def atom_state(moment: int, occupation: str) -> str:
    """Name of an isolated atom's solution: its spin multiplicity and occupation class."""
    kind = (
        "integer occupations (symmetry-broken, Hund's rule)"
        if occupation == "integer"
        else "fractional occupations (spherical)"
    )
    return f"{MULTIPLICITY.get(moment + 1, f'{moment + 1}-plet')} atom, {kind}"


def winner(runs: Sequence[dict]) -> dict | None:
    """The converged run of lowest energy (None if no run converged)."""
    ok = [r for r in runs if r.get("status") == "ok"]
    return min(ok, key=lambda r: r["energy"]) if ok else None


#: The fresh starts tried at every moment of a cluster (no continuation: clusters are not a scan).
CLUSTER_STARTS = ("integer", "fractional")


def cluster_moments_done(best_by_moment: dict[int, float]) -> bool:
    """True when the cluster moment search may stop: the lowest energy has not improved for the
    last two moments tried ("until the energy rises, plus one more")."""
    ms = sorted(best_by_moment)
    if len(ms) < 3:
        return False
    best_before = min(best_by_moment[m] for m in ms[:-2])
    return best_by_moment[ms[-2]] >= best_before and best_by_moment[ms[-1]] >= best_before


def cluster_moments(symbols: Sequence[str], search: StateSearch) -> range:
    """The total moments a cluster search tries, in order (M = 0 or 1, then +2 up to the limit)."""
    n_electrons = sum(electron_counts(symbols, 0))
    return range(n_electrons % 2, min(n_electrons, search.max_cluster_moment) + 1, 2)


def cluster_runs_missing(records: Sequence[dict], symbols: Sequence[str], search: StateSearch) -> int:
    """Runs the search of one cluster still has to do, judged from its logged ``records``: 0 when its
    stop rule (:func:`cluster_moments_done`) is met or every moment was tried; otherwise the runs
    missing at the first moment not finished (later moments depend on their energies)."""
    done = {(r["moment"], r["start"]) for r in records}
    best: dict[int, float] = {}
    for moment in cluster_moments(symbols, search):
        if cluster_moments_done(best):
            return 0
        missing = [start for start in CLUSTER_STARTS if (moment, start) not in done]
        if missing:
            return len(missing)
        best[moment] = min(
            (r["energy"] for r in records if r["moment"] == moment and r.get("status") == "ok"), default=np.inf
        )
    return 0


# ----------------------------------------------------------------------------- GPAW runs


def _calculator(settings, search: StateSearch, symbols, moment: int, start: str):
    """A GPAW calculator for one start (Gamma point, spin-polarised, fixed moment)."""
    from gpaw import GPAW, PW

    n_up, _ = electron_counts(symbols, moment)
    nbands = n_up + search.extra_bands
    if start == "fractional":
        occupations = {"name": "fermi-dirac", "width": search.width, "fixmagmom": True}
    else:
        occupations = {"name": "fixed", "numbers": fixed_occupations(symbols, moment, nbands)}
    maxiter = search.maxiter_fractional if start == "fractional" else search.maxiter_integer
    return GPAW(
        mode=PW(settings.ecut),
        xc=settings.xc,
        kpts=(1, 1, 1),
        nbands=nbands,
        occupations=occupations,
        spinpol=True,
        convergence={"energy": settings.scf_energy, "density": settings.scf_density},
        maxiter=maxiter,
        txt=None,
    )


def _linear_axis(atoms: Atoms) -> int | None:
    """Cartesian axis along which all atoms lie (None if the molecule is not linear along one)."""
    if len(atoms) < 2:
        return None
    spread = np.ptp(atoms.positions, axis=0)
    axis = int(np.argmax(spread))
    others = [a for a in range(3) if a != axis]
    return axis if np.all(spread[others] < 1e-6) else None


def _describe(calc, atoms: Atoms, moment: int, search: StateSearch) -> dict:
    """Occupations, their class, local moments and (linear molecules) orbital symmetries."""
    nb = calc.get_number_of_bands()
    f = np.array([calc.get_occupation_numbers(spin=s) for s in (0, 1)])[:, :nb]
    out = {
        "occupations": np.round(f, 4).tolist(),
        "occupation": occupation_class(f, search.integer_tolerance),
        "eigenvalues": np.round([calc.get_eigenvalues(spin=s)[:nb] for s in (0, 1)], 4).tolist(),
        "local_moments": np.round(calc.get_magnetic_moments(), 3).tolist(),
    }
    axis = _linear_axis(atoms)
    if len(atoms) == 1:
        out["state"] = atom_state(moment, out["occupation"])
    elif axis is not None and len(atoms) == 2:
        orbitals = []
        for s in (0, 1):
            occupied = [
                (orbital_symmetry(calc.get_pseudo_wave_function(n, spin=s), axis), float(f[s, n]))
                for n in range(nb)
                if f[s, n] > 1e-3
            ]
            orbitals.append(occupied)
        counts = configuration(orbitals)
        out["orbitals"] = [[[lab, round(o, 4)] for lab, o in spin] for spin in orbitals]
        out["configuration"] = configuration_string(counts)
        out["state"] = term_symbol(counts, moment)
    else:
        out["state"] = f"{moment + 1}-plet, {out['occupation']}"
    return out


def single_run(atoms: Atoms, settings, search: StateSearch, moment: int, start: str, calc=None) -> tuple[dict, object]:
    """One SCF run of a start; never raises (a failure is a record with status 'failed').

    ``calc``: a converged calculator of the neighbouring geometry to continue from (``up`` and
    ``down`` starts); None starts fresh. Returns (record, calculator or None if it failed).
    """
    from linace.study.dft.calculations import format_error

    work = atoms.copy()
    work.pbc = True  # plane waves: the box is periodic (the stored copy keeps pbc False)
    symbols = work.get_chemical_symbols()
    t0 = time.perf_counter()
    record = {
        "moment": int(moment),
        "start": start,
        "continued": calc is not None,
        "maxiter": search.maxiter_fractional if start == "fractional" else search.maxiter_integer,
    }
    try:
        if calc is None:
            work.set_initial_magnetic_moments(initial_moments(symbols, moment, broken=start != "fractional"))
            calc = _calculator(settings, search, symbols, moment, start)
        work.calc = calc
        energy = float(work.get_potential_energy())
        record.update(
            status="ok",
            energy=energy,
            free_energy=float(work.get_potential_energy(force_consistent=True)),
            forces=np.round(work.get_forces(), 6).tolist(),
            magmom=float(calc.get_magnetic_moment()),
            niter=int(calc.get_number_of_iterations()),
            **_describe(calc, work, moment, search),
        )
    except Exception as exc:  # SCF non-convergence and anything else: record, go on
        record.update(status="failed", error=format_error(exc))
        calc = None
    record["wall_time"] = time.perf_counter() - t0
    return record, calc


@dataclasses.dataclass
class Task:
    """One unit of work of the search, run in a worker process.

    ``kind``: 'fresh' (one ``start`` at one ``moment`` for every structure, each from scratch),
    'chain' (continuation in the order of ``structures``, start 'up' or 'down'), or 'cluster'
    (every structure: both fresh starts over increasing moments until the energy rises, plus one
    more). ``log`` is the task's own JSONL file; the task appends one line per finished run.
    """

    name: str
    kind: str
    structures: list  # [(sid, atoms, geometry digest)]
    log: str
    moment: int | None = None
    start: str | None = None


def _write(log, record: dict) -> None:
    log.write(json.dumps(record) + "\n")
    log.flush()
    os.fsync(log.fileno())


def _drop_partial_line(path: str | os.PathLike) -> None:
    """Cut a log back to its last complete line (a writer killed mid-line leaves a partial one,
    which the next append would otherwise run into)."""
    path = Path(path)
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as fh:
            fh.truncate(data.rfind(b"\n") + 1)


def read_log(path: str | os.PathLike) -> list[dict]:
    """Records of one run log; a truncated last line (killed writer) is ignored."""
    out = []
    path = Path(path)
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def run_task(task: Task, settings, search: StateSearch) -> int:
    """Run (or resume) one task, appending each run to ``task.log``. Returns the runs done now.

    Resuming skips every (sid, moment, start) already in the log for the same geometry and
    settings; a chain restarts from its first missing point, seeded by recomputing (without
    recording) the point before it.
    """
    from linace.study.executors import limit_threads

    limit_threads(1)  # a GPAW worker: one thread
    keys = {"settings": settings.digest(), "search": search.digest()}
    logged = [
        r for r in read_log(task.log) if r.get("settings") == keys["settings"] and r.get("search") == keys["search"]
    ]
    done = {(r["sid"], r["moment"], r["start"], r["geometry"]) for r in logged}
    count = 0
    _drop_partial_line(task.log)
    with open(task.log, "a") as log:

        def record(sid, geom, rec):
            nonlocal count
            rec.update(sid=sid, geometry=geom, **keys)
            _write(log, rec)
            count += 1

        if task.kind == "fresh":
            for sid, atoms, geom in task.structures:
                if (sid, task.moment, task.start, geom) not in done:
                    rec, _ = single_run(atoms, settings, search, task.moment, task.start)
                    record(sid, geom, rec)
        elif task.kind == "chain":
            calc, previous = None, None
            for sid, atoms, geom in task.structures:
                if (sid, task.moment, task.start, geom) in done:
                    previous = atoms
                    continue
                if calc is None and previous is not None:  # resume: re-seed from the last point
                    _, calc = single_run(previous, settings, search, task.moment, task.start)
                rec, calc = single_run(atoms, settings, search, task.moment, task.start, calc)
                record(sid, geom, rec)
                previous = atoms
        elif task.kind == "cluster":
            for sid, atoms, geom in task.structures:
                # the stop rule sees a moment only once all its starts are done (as in
                # cluster_runs_missing), so resuming after a partly run moment finishes that moment
                mine = [r for r in logged if r["sid"] == sid and r["geometry"] == geom]
                best: dict[int, float] = {}
                for moment in cluster_moments(atoms.get_chemical_symbols(), search):
                    if cluster_moments_done(best):
                        break
                    for start in CLUSTER_STARTS:
                        if (sid, moment, start, geom) in done:
                            continue
                        rec, _ = single_run(atoms, settings, search, moment, start)
                        record(sid, geom, rec)
                        mine.append(rec)
                    best[moment] = min(
                        (r["energy"] for r in mine if r["moment"] == moment and r.get("status") == "ok"), default=np.inf
                    )
        else:
            raise ValueError(f"unknown task kind {task.kind!r}")
    return count


def plan(
    group: str, structures: Sequence[tuple[str, Atoms, str]], search: StateSearch, log_dir: Path, chunk: int = 10
) -> list[Task]:
    """The tasks of a molecular group.

    ``structures``: [(sid, boxed atoms, geometry digest)]. ``isolated_atom``: both fresh starts at
    the Hund moment. ``dimers`` (sorted by separation): both fresh starts and both chains per
    moment of ``search.dimer_moments``. ``clusters``: chunks of ``chunk`` structures.
    """
    log_dir.mkdir(parents=True, exist_ok=True)

    def log(name):
        return str(log_dir / f"{name}.jsonl")

    if group == "isolated_atom":
        moment = HUND_MOMENT[structures[0][1].get_chemical_symbols()[0]]
        return [
            Task(f"{s}_m{moment}", "fresh", list(structures), log(f"{s}_m{moment}"), moment, s)
            for s in ("integer", "fractional")
        ]
    if group == "dimers":
        ordered = sorted(structures, key=lambda t: t[1].get_distance(0, 1))
        tasks = []
        for m in search.dimer_moments:
            tasks.append(Task(f"up_m{m}", "chain", ordered, log(f"up_m{m}"), m, "up"))
            tasks.append(Task(f"down_m{m}", "chain", ordered[::-1], log(f"down_m{m}"), m, "down"))
        for s in ("integer", "fractional"):  # the fractional runs (slowest, rarely lowest) last
            for m in search.dimer_moments:
                tasks.append(Task(f"{s}_m{m}", "fresh", ordered, log(f"{s}_m{m}"), m, s))
        return tasks
    if group == "clusters":
        return [
            Task(f"chunk{i // chunk:02d}", "cluster", list(structures[i : i + chunk]), log(f"chunk{i // chunk:02d}"))
            for i in range(0, len(structures), chunk)
        ]
    raise ValueError(f"no state search for group {group!r}; molecular groups: isolated_atom, dimers, clusters")


def collect(log_dir: Path, settings, search: StateSearch) -> dict[str, list[dict]]:
    """{sid: [every run record]} from all run logs of a group with these settings.

    A dimer run's ``configuration`` and ``state`` are derived again from its logged ``orbitals``
    (:func:`configuration`, :func:`term_symbol`), so that every run is named by the current rules,
    whenever it was logged (the logs keep the raw orbitals; the names are derived data).
    """
    out: dict[str, list[dict]] = {}
    for path in sorted(Path(log_dir).glob("*.jsonl")):
        for r in read_log(path):
            if r.get("settings") == settings.digest() and r.get("search") == search.digest():
                if r.get("status") == "ok" and r.get("orbitals") is not None:
                    counts = configuration(r["orbitals"])
                    r.update(configuration=configuration_string(counts), state=term_symbol(counts, r["moment"]))
                out.setdefault(r["sid"], []).append(r)
    return out


def summary(runs: Sequence[dict]) -> dict:
    """The labelled result of one structure from all its runs (None entries for failed runs).

    Returns a dict with the winner's ``energy``, ``free_energy``, ``forces``, ``moment``,
    ``start``, ``occupation``, ``state``, ``configuration``; ``status``; and ``runs``: for every
    run its moment, start, status, energy, free-energy signature, occupation class and state.
    """
    runs = [
        dict(r, state=atom_state(r["moment"], r["occupation"]))
        if r.get("status") == "ok" and len(r["forces"]) == 1
        else r
        for r in runs
    ]
    best = winner(runs)
    table = [
        {
            k: r.get(k)
            for k in (
                "moment",
                "start",
                "status",
                "energy",
                "occupation",
                "state",
                "configuration",
                "continued",
                "niter",
            )
        }
        | {"free_minus_energy": (r["free_energy"] - r["energy"]) if r.get("status") == "ok" else None}
        for r in sorted(runs, key=lambda r: (r["moment"], STARTS.index(r["start"])))
    ]
    if best is None:
        return {"status": "failed", "runs": table, "error": "; ".join(r.get("error", "") for r in runs)[-500:]}
    return {
        "status": "ok",
        "energy": best["energy"],
        "free_energy": best["free_energy"],
        "forces": best["forces"],
        "moment": best["moment"],
        "start": best["start"],
        "occupation": best["occupation"],
        "state": best["state"],
        "configuration": best.get("configuration", ""),
        "runs": table,
        "wall_time": float(sum(r.get("wall_time", 0.0) for r in runs)),
    }
