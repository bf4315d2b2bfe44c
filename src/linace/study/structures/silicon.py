"""Deterministic silicon structure generators: the dimer-free bulk pool of the silicon study.

The molecules of silicon (the atom, Si2, the Si3-Si5 clusters) come from the element-parametrised
generators of :mod:`linace.study.structures.molecules` (``dimers("Si")``, ``clusters("Si")``); this module
holds what is silicon's own: the periodic pool, of graded diversity like carbon's, from which the
training sets ``narrow`` (diamond only), ``crystals`` (the crystalline families) and ``diverse``
(all families) and the common test set are split (:func:`linace.study.datasets.make_split` with
:data:`TEST_FRACTION`).

Families (:data:`POOL_FAMILIES`), each from its own random stream, at most 16 atoms per cell:

* ``diamond`` (a = 5.469 A, the PBE lattice constant): volume scans, strains, rattled 2-, 4- and
  8-atom cells;
* ``lonsdaleite`` (hexagonal diamond), ``betatin`` (beta-Sn, Si-II, c/a around 0.55), ``bc8``
  (Si-III, 8-atom primitive cell), ``sc``, ``bcc``, ``fcc``, ``hcp`` and ``sh`` (simple hexagonal,
  Si-V): volume scans over the range of the high-pressure phases, strains and rattles;
* ``open`` (clathrate-like open sp3 frameworks): diamond and lonsdaleite expanded by 10-35 % in
  volume, the density range of the Si clathrates (whose own cells of 34-46 atoms exceed the
  16-atom limit), rattled;
* ``random`` (AIRSS-like random packings, 4-12 atoms, 1.6-3.2 g/cm^3), ``slab`` (diamond (100),
  (111) and (110) slabs, bare), ``rattled`` (cells displaced by 0.25-0.45 A).

Lengths in A. Never a dimer: every atom has at least two neighbours within :data:`CUTOFF`.
"""

from __future__ import annotations

import functools

import numpy as np
from ase import Atoms
from ase.build import bulk, diamond100, diamond111, surface

from .common import (
    SLAB_VACUUM,
    cubic_lattice,
    family_rng,
    nn_from_volume,
    random_packing,
    random_strain,
    rattle,
    scale_volume,
    strain,
    tagged,
)
from .molecules import dimer

ELEMENT = "Si"
#: distance (A) within which every atom of the pool has at least two neighbours (carbon's 5 A scaled)
CUTOFF = 7.6
#: smallest interatomic distance (A) in random and rattled cells (carbon's 1.1 A scaled)
MIN_DISTANCE = 1.7
A_DIAMOND = 5.469  # A, PBE (Paier et al. 2006, as read in data/literature.json)
#: test share of every family (larger than carbon's 0.15, so that the test set holds over 60)
TEST_FRACTION = 0.2

POOL_FAMILIES = (
    "diamond",
    "lonsdaleite",
    "betatin",
    "bc8",
    "sc",
    "bcc",
    "fcc",
    "hcp",
    "sh",
    "open",
    "random",
    "slab",
    "rattled",
)
CRYSTALLINE = POOL_FAMILIES[:9]

#: volumes (A^3/atom) of the scans of the dense phases (diamond: 20.4, beta-Sn ~15.5, sh ~14.5)
DENSE_VOLUMES = (13.0, 14.5, 16.0, 18.0, 20.5)


def diamond(a: float = A_DIAMOND, cubic: bool = False) -> Atoms:
    """Diamond-structure Si: 2-atom primitive or 8-atom cubic cell."""
    return bulk(ELEMENT, "diamond", a=a, cubic=cubic)


def diamond_tetragonal(a: float = A_DIAMOND) -> Atoms:
    """Diamond Si in its 4-atom body-centred tetragonal cell (a/sqrt2, a/sqrt2, a)."""
    b = a / np.sqrt(2)
    frac = [[0, 0, 0], [0.5, 0, 0.25], [0.5, 0.5, 0.5], [0, 0.5, 0.75]]
    return Atoms(f"{ELEMENT}4", scaled_positions=frac, cell=[b, b, a], pbc=True)


def lonsdaleite(a: float = A_DIAMOND / np.sqrt(2), c_over_a: float = np.sqrt(8 / 3)) -> Atoms:
    """Hexagonal diamond Si (4 atoms), ideal u = 3/8."""
    return bulk(f"{ELEMENT}{ELEMENT}", "wurtzite", a=a, c=c_over_a * a, u=0.375)


def beta_tin(volume: float = 15.5, c_over_a: float = 0.552) -> Atoms:
    """beta-Sn Si (Si-II, I4_1/amd) in its 4-atom conventional tetragonal cell at ``volume``
    (A^3/atom): atoms at (0,0,0), (1/2,1/2,1/2), (0,1/2,1/4), (1/2,0,3/4)."""
    a = (4 * volume / c_over_a) ** (1 / 3)
    frac = [[0, 0, 0], [0.5, 0.5, 0.5], [0, 0.5, 0.25], [0.5, 0, 0.75]]
    return Atoms(f"{ELEMENT}4", scaled_positions=frac, cell=[a, a, c_over_a * a], pbc=True)


def bc8(volume: float = 19.0, x: float = 0.1003) -> Atoms:
    """BC8 Si (Si-III, Ia-3) in its 8-atom primitive body-centred cubic cell at ``volume``
    (A^3/atom), Wyckoff 16c with parameter ``x``."""
    a = (16 * volume) ** (1 / 3)  # conventional cubic cell of 16 atoms
    ops = [
        (x, x, x),
        (0.5 - x, -x, 0.5 + x),
        (-x, 0.5 + x, 0.5 - x),
        (0.5 + x, 0.5 - x, -x),
        (-x, -x, -x),
        (0.5 + x, x, 0.5 - x),
        (x, 0.5 - x, 0.5 + x),
        (0.5 - x, 0.5 + x, x),
    ]
    cell = 0.5 * a * np.array([[-1, 1, 1], [1, -1, 1], [1, 1, -1]])
    positions = np.array(ops) * a
    atoms = Atoms(f"{ELEMENT}8", positions=positions, cell=cell, pbc=True)
    atoms.wrap()
    return atoms


def hcp(volume: float) -> Atoms:
    """Ideal hcp Si (2 atoms, c/a = sqrt(8/3)) at ``volume`` (A^3/atom)."""
    a = (2 * volume / (np.sqrt(3) / 2 * np.sqrt(8 / 3))) ** (1 / 3)
    return bulk(ELEMENT, "hcp", a=a, c=np.sqrt(8 / 3) * a)


def _lattice(kind: str, volume: float) -> Atoms:
    """One-atom sc/bcc/fcc/sh cell (or 2-atom hcp) of Si at ``volume`` (A^3/atom)."""
    if kind == "hcp":
        return hcp(volume)
    return cubic_lattice(kind, nn_from_volume(kind, volume), ELEMENT)


def _rattle(atoms: Atoms, stdev: float, rng: np.random.Generator, dmin: float = MIN_DISTANCE) -> Atoms:
    return rattle(atoms, stdev, rng, dmin=dmin)


def _family_diamond() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("si-diamond"), []
    for i, f in enumerate(np.linspace(0.85, 1.20, 15)):
        out.append((f"diamond-volume-{i:03d}", scale_volume(diamond(), f)))
    for i in range(25):
        out.append((f"diamond-strain-{i:03d}", strain(diamond(), random_strain(rng, 0.04))))
    for i in range(40):
        base = strain(scale_volume(diamond_tetragonal(), rng.uniform(0.9, 1.12)), random_strain(rng, 0.03))
        out.append((f"diamond-rattle4-{i:03d}", _rattle(base, rng.uniform(0.03, 0.18), rng)))
    for i in range(40):
        base = strain(scale_volume(diamond(cubic=True), rng.uniform(0.92, 1.10)), random_strain(rng, 0.025))
        out.append((f"diamond-rattle8-{i:03d}", _rattle(base, rng.uniform(0.03, 0.18), rng)))
    return out


def _family_lonsdaleite() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("si-lonsdaleite"), []
    for i, f in enumerate(np.linspace(0.88, 1.12, 5)):
        out.append((f"lonsdaleite-volume-{i:03d}", scale_volume(lonsdaleite(), f)))
    for i in range(15):
        base = strain(scale_volume(lonsdaleite(), rng.uniform(0.9, 1.1)), random_strain(rng, 0.03))
        out.append((f"lonsdaleite-rattle4-{i:03d}", _rattle(base, rng.uniform(0.03, 0.15), rng)))
    return out


def _family_betatin() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("si-betatin"), []
    for i, v in enumerate(np.linspace(13.5, 18.0, 7)):
        out.append((f"betatin-volume-{i:03d}", beta_tin(v)))
    for i, ca in enumerate((0.50, 0.53, 0.57, 0.60)):
        out.append((f"betatin-ca-{i:03d}", beta_tin(15.5, ca)))
    for i in range(12):
        base = beta_tin(rng.uniform(14.0, 17.5), rng.uniform(0.52, 0.58)).repeat((2, 1, 1))
        out.append((f"betatin-rattle8-{i:03d}", _rattle(base, rng.uniform(0.04, 0.15), rng)))
    return out


def _family_bc8() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("si-bc8"), []
    for i, v in enumerate(np.linspace(17.0, 21.0, 5)):
        out.append((f"bc8-volume-{i:03d}", bc8(v)))
    for i in range(8):
        base = strain(bc8(rng.uniform(17.5, 20.5), rng.uniform(0.095, 0.105)), random_strain(rng, 0.02))
        out.append((f"bc8-rattle8-{i:03d}", _rattle(base, rng.uniform(0.03, 0.12), rng)))
    return out


def _family_lattice(kind: str) -> list[tuple[str, Atoms]]:
    rng, out = family_rng(f"si-{kind}"), []
    for i, v in enumerate(DENSE_VOLUMES):
        out.append((f"{kind}-volume-{i:03d}", _lattice(kind, v)))
    reps = {"sc": (2, 2, 2), "bcc": (2, 2, 2), "fcc": (2, 2, 2), "hcp": (2, 2, 1), "sh": (2, 2, 2)}[kind]
    for i in range(10):
        base = _lattice(kind, rng.uniform(13.0, 21.0)).repeat(reps)
        out.append(
            (f"{kind}-rattle-{i:03d}", _rattle(strain(base, random_strain(rng, 0.03)), rng.uniform(0.04, 0.18), rng))
        )
    return out


def _family_open() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("si-open"), []
    for i in range(16):
        base = diamond(cubic=True) if i % 2 else lonsdaleite().repeat((1, 1, 2))
        base = scale_volume(base, rng.uniform(1.10, 1.35))
        out.append((f"open-rattle8-{i:03d}", _rattle(base, rng.uniform(0.05, 0.2), rng)))
    return out


def _family_random() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("si-random"), []
    for i in range(40):
        n = int(rng.integers(4, 13))
        packing = random_packing(n, float(rng.uniform(1.6, 3.2)), rng, dmin=1.95, element=ELEMENT)
        out.append((f"random-n{n}-{i:03d}", packing))
    return out


def _bare_slab(slab: Atoms) -> Atoms:
    """The slab periodic in-plane only (vacuum along z)."""
    return Atoms(slab.symbols, positions=slab.positions, cell=slab.cell, pbc=(True, True, False))


def _family_slab() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("si-slab"), []
    for layers in (4, 6, 8):
        for name, build in (("d100", diamond100), ("d111", diamond111)):
            slab = _bare_slab(build(ELEMENT, size=(1, 1, layers), a=A_DIAMOND, vacuum=SLAB_VACUUM / 2))
            for j, sd in enumerate((0.0, 0.08, 0.15)):
                out.append((f"slab-{name}-L{layers}-{j:03d}", _rattle(slab, sd, rng) if sd else slab.copy()))
    for layers in (1, 2):  # (110): one or two (110) repeats of the cubic cell, unreconstructed
        slab = _bare_slab(surface(diamond(cubic=True), (1, 1, 0), layers, vacuum=SLAB_VACUUM / 2))
        for j, sd in enumerate((0.0, 0.1, 0.15)):
            out.append((f"slab-d110-L{layers}-{j:03d}", _rattle(slab, sd, rng) if sd else slab.copy()))
    return out


def _family_rattled() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("si-rattled"), []
    bases = [
        ("diamond8", lambda: diamond(cubic=True)),
        ("betatin8", lambda: beta_tin(15.5).repeat((2, 1, 1))),
        ("sc8", lambda: _lattice("sc", 17.0).repeat(2)),
        ("bc8", lambda: bc8(19.0)),
    ]
    for i in range(24):
        name, make = bases[i % len(bases)]
        base = scale_volume(make(), rng.uniform(0.92, 1.15))
        out.append((f"rattled-{name}-{i:03d}", _rattle(base, rng.uniform(0.25, 0.45), rng, dmin=1.6)))
    return out


def pool() -> list[tuple[str, Atoms]]:
    """Every periodic structure of the silicon pool, family by family (:data:`POOL_FAMILIES`)."""
    return [(sid, atoms.copy()) for sid, atoms in _pool()]


@functools.lru_cache(maxsize=1)
def _pool() -> tuple[tuple[str, Atoms], ...]:
    makers = {
        "diamond": _family_diamond,
        "lonsdaleite": _family_lonsdaleite,
        "betatin": _family_betatin,
        "bc8": _family_bc8,
        "open": _family_open,
        "random": _family_random,
        "slab": _family_slab,
        "rattled": _family_rattled,
    }
    out = []
    for family in POOL_FAMILIES:
        make = makers.get(family) or (lambda f=family: _family_lattice(f))
        out.extend((sid, tagged(atoms, family)) for sid, atoms in make())
    return tuple(out)


def convergence_structures() -> dict[str, Atoms]:
    """Periodic cells of silicon's DFT convergence check (cut-off and k-point scans)."""
    rng = family_rng("si-convergence")
    displaced = diamond()
    displaced.positions[1] += [0.12, -0.08, 0.05]
    return {
        "diamond": diamond(),
        "diamond_0.85": scale_volume(diamond(), 0.85),
        "betatin": beta_tin(15.5),
        "fcc": _lattice("fcc", 14.0),
        "sc": _lattice("sc", 16.0),
        "diamond_rattled8": _rattle(diamond(cubic=True), 0.12, rng),
        "diamond_displaced": displaced,
        "sc_rattled": _rattle(_lattice("sc", 16.0).repeat((1, 1, 2)), 0.12, rng),
    }


def convergence_molecules() -> dict[str, tuple[Atoms, tuple[int, ...]]]:
    """Molecules of silicon's convergence check with the fixed moments to try."""
    return {
        "atom": (Atoms(ELEMENT, positions=[[0, 0, 0]]), (2,)),
        "si2_2.25": (dimer(2.25, ELEMENT), (0, 2)),
        "si2_6.0": (dimer(6.0, ELEMENT), (4,)),
    }
