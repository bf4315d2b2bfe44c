"""Carbon's periodic pool and the cells of its DFT convergence check.

The pool: periodic bulk, layer, chain, tube and slab structures of 1-16 atoms in the families of
:data:`POOL_FAMILIES`; never a dimer (every atom has at least two neighbours within :data:`CUTOFF`).
The training/test split of the pool lives in :mod:`linace.study.datasets`.

The pool was grown in two steps. The first 333 structures (the first draws of the first twelve
families) are unchanged; the second step (issue "evidence with error bars") appends to every
family from the same random streams, and adds the families ``amorphous`` (random packings at
1.4-3.6 g/cm^3: sp-rich at low, sp3-rich at high density), ``defect`` (vacancies in diamond and
graphene, Stone-Wales rotations), ``nanotube`` (thin (2,2), (3,3), (3,0), (4,0) tubes, periodic
along their axis: the curved sp2 carbon of fullerenes and tubes in cells of at most 16 atoms) and
``surface`` (diamond (110) slabs, zigzag and armchair graphene ribbons), so that each training set
can be drawn at N = 40, 80, 160, 320 and the common test set holds over 150 structures.

Lengths in A; layers, chains and slabs are periodic only along their extended axes (``pbc`` False
across the vacuum).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from ase import Atoms
from ase.build import bulk, diamond100, diamond111, graphene_nanoribbon, nanotube, surface

from .common import (
    CUTOFF,
    LAYER_VACUUM,
    MIN_DISTANCE,
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
    vacancy,
)
from .molecules import dimer

__all__ = [
    "A_DIAMOND",
    "A_GRAPHENE",
    "CRYSTALLINE",
    "CUTOFF",
    "C_GRAPHITE",
    "LATTICE_VOLUMES",
    "MIN_DISTANCE",
    "POOL_FAMILIES",
    "chain",
    "convergence_molecules",
    "convergence_structures",
    "diamond",
    "diamond_tetragonal",
    "graphene",
    "graphene_rectangular",
    "graphite",
    "lonsdaleite",
    "pool",
    "stone_wales",
]

A_DIAMOND = 3.567  # A, cubic lattice constant (PBE ~3.57)
A_GRAPHENE = 2.467  # A, in-plane lattice constant (C-C 1.424 A)
C_GRAPHITE = 6.70  # A, AB stacking period (experiment; PBE barely binds the layers)
#: volumes (A^3/atom) of the sc, bcc, fcc and sh scans (diamond: 5.67, graphite: 8.8)
LATTICE_VOLUMES = (5.0, 5.8, 6.8, 8.0, 9.5)

#: families of the pool, in order; the first ones are crystalline (see :data:`CRYSTALLINE`)
POOL_FAMILIES = (
    "diamond",
    "lonsdaleite",
    "graphite",
    "graphene",
    "chain",
    "sc",
    "bcc",
    "fcc",
    "sh",
    "random",
    "slab",
    "rattled",
    "amorphous",
    "defect",
    "nanotube",
    "surface",
)
CRYSTALLINE = POOL_FAMILIES[:9]


# ----------------------------------------------------------------------------- crystals


def diamond(a: float = A_DIAMOND, cubic: bool = False) -> Atoms:
    """Diamond: 2-atom primitive cell or 8-atom cubic cell, lattice constant ``a`` (A)."""
    return bulk("C", "diamond", a=a, cubic=cubic)


def diamond_tetragonal(a: float = A_DIAMOND) -> Atoms:
    """Diamond in its 4-atom body-centred tetragonal cell (a/sqrt2, a/sqrt2, a)."""
    b = a / np.sqrt(2)
    frac = [[0, 0, 0], [0.5, 0, 0.25], [0.5, 0.5, 0.5], [0, 0.5, 0.75]]
    return Atoms("C4", scaled_positions=frac, cell=[b, b, a], pbc=True)


def lonsdaleite(a: float = A_DIAMOND / np.sqrt(2), c_over_a: float = np.sqrt(8 / 3)) -> Atoms:
    """Hexagonal diamond (4 atoms), ideal u = 3/8."""
    return bulk("CC", "wurtzite", a=a, c=c_over_a * a, u=0.375)


def graphite(a: float = A_GRAPHENE, c: float = C_GRAPHITE, stacking: str = "AB") -> Atoms:
    """Graphite: AB (4 atoms, period ``c``) or AA (2 atoms, period ``c / 2``)."""
    cell = [[a, 0, 0], [-a / 2, a * np.sqrt(3) / 2, 0], [0, 0, c if stacking == "AB" else c / 2]]
    if stacking == "AB":
        frac = [[0, 0, 0.25], [1 / 3, 2 / 3, 0.25], [0, 0, 0.75], [2 / 3, 1 / 3, 0.75]]
    else:
        frac = [[0, 0, 0.5], [1 / 3, 2 / 3, 0.5]]
    return Atoms(f"C{len(frac)}", scaled_positions=frac, cell=cell, pbc=True)


def graphene(a: float = A_GRAPHENE, buckling: float = 0.0, vacuum: float = LAYER_VACUUM) -> Atoms:
    """Graphene (2 atoms), sublattices displaced by ``buckling`` (A) out of plane; pbc (T, T, F)."""
    cell = [[a, 0, 0], [-a / 2, a * np.sqrt(3) / 2, 0], [0, 0, vacuum]]
    atoms = Atoms("C2", scaled_positions=[[0, 0, 0.5], [1 / 3, 2 / 3, 0.5]], cell=cell, pbc=(True, True, False))
    atoms.positions[1, 2] += buckling
    return atoms


def graphene_rectangular(a: float = A_GRAPHENE, vacuum: float = LAYER_VACUUM) -> Atoms:
    """Graphene in its 4-atom rectangular cell (a x a sqrt3); pbc (T, T, F)."""
    frac = [[0, 0, 0.5], [0.5, 1 / 6, 0.5], [0.5, 0.5, 0.5], [0, 2 / 3, 0.5]]
    return Atoms("C4", scaled_positions=frac, cell=[a, a * np.sqrt(3), vacuum], pbc=(True, True, False))


def chain(bonds=(1.28,), angle: float = 180.0, vacuum: float = LAYER_VACUUM) -> Atoms:
    """Infinite chain along z with the given successive bond lengths (A); pbc (F, F, T).

    ``angle`` (degrees) < 180 makes a planar zigzag (two atoms per cell, both bonds equal to
    ``bonds[0]``).
    """
    if angle < 180.0:
        b = bonds[0]
        half = np.radians(angle) / 2
        dz, dx = b * np.sin(half), b * np.cos(half)
        pos = [[0, 0, 0], [dx, 0, dz]]
        period = 2 * dz
    else:
        z = np.concatenate([[0.0], np.cumsum(bonds)[:-1]])
        pos = [[0, 0, zi] for zi in z]
        period = float(np.sum(bonds))
    atoms = Atoms(f"C{len(pos)}", positions=pos, cell=[vacuum, vacuum, period], pbc=(False, False, True))
    atoms.center(axis=(0, 1))
    return atoms


# ----------------------------------------------------------------------------- families


def _family_diamond() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("diamond"), []
    for i, f in enumerate(np.linspace(0.85, 1.15, 21)):
        out.append((f"diamond-volume-{i:03d}", scale_volume(diamond(), f)))
    for i in range(30):
        out.append((f"diamond-strain-{i:03d}", strain(diamond(), random_strain(rng, 0.04))))
    for i in range(29):
        base = scale_volume(diamond_tetragonal(), rng.uniform(0.9, 1.1))
        out.append((f"diamond-rattle4-{i:03d}", rattle(base, rng.uniform(0.03, 0.12), rng)))
    for i in range(15):
        base = scale_volume(diamond(cubic=True), rng.uniform(0.92, 1.08))
        if i < 8:
            base = strain(base, random_strain(rng, 0.025))
        out.append((f"diamond-rattle8-{i:03d}", rattle(base, rng.uniform(0.03, 0.10), rng)))
    # second step: enough diamond for a narrow training set of 320 beside its test share
    for i in range(90):
        base = scale_volume(diamond(), rng.uniform(0.80, 1.25))
        out.append((f"diamond-wide-{i:03d}", strain(base, random_strain(rng, 0.06))))
    for i in range(70):
        base = strain(scale_volume(diamond_tetragonal(), rng.uniform(0.88, 1.15)), random_strain(rng, 0.04))
        out.append((f"diamond-rattle4b-{i:03d}", rattle(base, rng.uniform(0.02, 0.15), rng)))
    for i in range(130):
        base = strain(scale_volume(diamond(cubic=True), rng.uniform(0.90, 1.12)), random_strain(rng, 0.03))
        out.append((f"diamond-rattle8b-{i:03d}", rattle(base, rng.uniform(0.02, 0.15), rng)))
    return out


def _family_lonsdaleite() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("lonsdaleite"), []
    for i, f in enumerate(np.linspace(0.88, 1.12, 7)):
        out.append((f"lonsdaleite-volume-{i:03d}", scale_volume(lonsdaleite(), f)))
    for i in range(8):
        out.append((f"lonsdaleite-strain-{i:03d}", strain(lonsdaleite(), random_strain(rng, 0.04))))
    for i in range(6):
        base = scale_volume(lonsdaleite(), rng.uniform(0.92, 1.08))
        out.append((f"lonsdaleite-rattle4-{i:03d}", rattle(base, rng.uniform(0.04, 0.12), rng)))
    for i in range(4):
        base = scale_volume(lonsdaleite().repeat((1, 1, 2)), rng.uniform(0.95, 1.05))
        out.append((f"lonsdaleite-rattle8-{i:03d}", rattle(base, rng.uniform(0.04, 0.10), rng)))
    for i in range(30):
        base = strain(scale_volume(lonsdaleite(), rng.uniform(0.88, 1.15)), random_strain(rng, 0.04))
        out.append((f"lonsdaleite-rattle4b-{i:03d}", rattle(base, rng.uniform(0.02, 0.14), rng)))
    return out


def _family_graphite() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("graphite"), []
    k = 0
    for fa in (0.96, 1.0, 1.04):
        for c in (6.2, 6.7, 7.4):
            out.append((f"graphite-grid-{k:03d}", graphite(A_GRAPHENE * fa, c)))
            k += 1
    for i, c in enumerate((6.4, 6.9, 7.6)):
        out.append((f"graphite-AA-{i:03d}", graphite(A_GRAPHENE, c, stacking="AA")))
    for i in range(3):
        out.append((f"graphite-strain-{i:03d}", strain(graphite(), random_strain(rng, 0.03))))
    for i in range(5):
        out.append((f"graphite-rattle4-{i:03d}", rattle(graphite(), rng.uniform(0.04, 0.1), rng)))
    for i in range(20):  # strained graphite: in-plane strain and compressed or expanded stacking
        base = graphite(A_GRAPHENE, rng.uniform(5.6, 7.6))
        base = strain(base, random_strain(rng, 0.05))
        out.append((f"graphite-strainb-{i:03d}", rattle(base, rng.uniform(0.0, 0.08), rng) if i % 2 else base))
    for i in range(10):
        base = graphite(A_GRAPHENE * rng.uniform(0.97, 1.03), rng.uniform(6.2, 7.2)).repeat((2, 1, 1))
        out.append((f"graphite-rattle8-{i:03d}", rattle(base, rng.uniform(0.04, 0.12), rng)))
    return out


def _family_graphene() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("graphene"), []
    for i, f in enumerate(np.linspace(0.92, 1.10, 6)):
        out.append((f"graphene-flat-{i:03d}", graphene(A_GRAPHENE * f)))
    for i, (f, h) in enumerate([(0.94, 0.3), (1.0, 0.15), (1.0, 0.3), (1.0, 0.45), (1.03, 0.6), (1.06, 0.45)]):
        out.append((f"graphene-buckled-{i:03d}", graphene(A_GRAPHENE * f, buckling=h)))
    for i in range(6):
        base = strain(graphene_rectangular(), random_strain(rng, 0.03, axes=(0, 1)))
        out.append((f"graphene-rattle4-{i:03d}", rattle(base, rng.uniform(0.04, 0.12), rng)))
    for i in range(4):
        base = graphene(A_GRAPHENE * rng.uniform(0.97, 1.04)).repeat((2, 2, 1))
        out.append((f"graphene-rattle8-{i:03d}", rattle(base, rng.uniform(0.04, 0.1), rng)))
    for i in range(25):
        base = strain(
            graphene_rectangular(A_GRAPHENE * rng.uniform(0.95, 1.06)).repeat((2, 1, 1)),
            random_strain(rng, 0.04, axes=(0, 1)),
        )
        out.append((f"graphene-rattle8b-{i:03d}", rattle(base, rng.uniform(0.03, 0.15), rng)))
    return out


def _family_chain() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("chain"), []
    for i, b in enumerate((1.22, 1.28, 1.34, 1.42, 1.55)):
        out.append((f"chain-cumulene-{i:03d}", chain((b,))))
    for i, bb in enumerate([(1.20, 1.38), (1.22, 1.34), (1.25, 1.31), (1.18, 1.45), (1.30, 1.50)]):
        out.append((f"chain-polyyne-{i:03d}", chain(bb)))
    for i, (b, ang) in enumerate([(1.35, 120), (1.40, 135), (1.45, 150), (1.38, 160), (1.50, 125)]):
        out.append((f"chain-zigzag-{i:03d}", chain((b,), angle=ang)))
    for i in range(5):
        base = chain(tuple(rng.uniform(1.22, 1.40, 4)))
        out.append((f"chain-rattle4-{i:03d}", rattle(base, rng.uniform(0.04, 0.1), rng)))
    for i in range(15):
        base = chain(tuple(rng.uniform(1.20, 1.45, 6)))
        out.append((f"chain-rattle6-{i:03d}", rattle(base, rng.uniform(0.04, 0.12), rng)))
    return out


def _family_lattice(kind: str) -> list[tuple[str, Atoms]]:
    rng, out = family_rng(kind), []
    for i, v in enumerate(LATTICE_VOLUMES):
        out.append((f"{kind}-volume-{i:03d}", cubic_lattice(kind, nn_from_volume(kind, v))))
    reps = {
        "sc": [(2, 2, 1), (2, 2, 2), (2, 1, 1)],
        "bcc": [(2, 2, 1), (2, 2, 2), (2, 2, 1)],
        "fcc": [(2, 2, 1), (2, 2, 2), (2, 1, 1)],
        "sh": [(2, 2, 1), (2, 2, 2), (1, 1, 2)],
    }[kind]
    for i, rep in enumerate(reps):
        base = cubic_lattice(kind, nn_from_volume(kind, rng.uniform(5.0, 7.5))).repeat(rep)
        out.append((f"{kind}-rattle-{i:03d}", rattle(base, rng.uniform(0.05, 0.12), rng)))
    for i in range(10):
        base = cubic_lattice(kind, nn_from_volume(kind, rng.uniform(4.8, 9.5))).repeat(reps[i % len(reps)])
        out.append(
            (f"{kind}-rattleb-{i:03d}", rattle(strain(base, random_strain(rng, 0.04)), rng.uniform(0.03, 0.15), rng))
        )
    return out


def _family_random() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("random"), []
    sizes = [4] * 12 + [5] * 10 + [6] * 14 + [7] * 8 + [8] * 12 + [10] * 4
    densities = np.linspace(1.5, 3.5, len(sizes))
    rng.shuffle(densities)
    for i, (n, rho) in enumerate(zip(sizes, densities)):
        out.append((f"random-n{n}-{i:03d}", random_packing(n, float(rho), rng)))
    for i in range(40):
        n = int(rng.integers(4, 13))
        out.append((f"random-b-n{n}-{i:03d}", random_packing(n, float(rng.uniform(1.5, 3.5)), rng)))
    return out


def _family_slab() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("slab"), []
    for layers in (4, 6, 8):
        s100 = diamond100("C", size=(1, 1, layers), a=A_DIAMOND, vacuum=SLAB_VACUUM / 2)
        s111 = diamond111("C", size=(1, 1, layers), a=A_DIAMOND, vacuum=SLAB_VACUUM / 2)
        for name, slab in (("d100", s100), ("d111", s111)):
            slab = Atoms(slab.symbols, positions=slab.positions, cell=slab.cell, pbc=(True, True, False))
            for j, sd in enumerate((0.0, 0.05, 0.1)):
                s = rattle(slab, sd, rng) if sd > 0 else slab.copy()
                out.append((f"slab-{name}-L{layers}-{j:03d}", s))
    for nl in (2, 3):
        layer = graphite(A_GRAPHENE, C_GRAPHITE).repeat((1, 1, 2))[: 2 * nl]
        sl = Atoms(
            layer.symbols,
            positions=layer.positions,
            pbc=(True, True, False),
            cell=[layer.cell[0], layer.cell[1], [0, 0, 1]],
        )
        sl.center(vacuum=SLAB_VACUUM / 2, axis=2)
        for j, sd in enumerate((0.0, 0.05, 0.1)):
            s = rattle(sl, sd, rng) if sd > 0 else sl.copy()
            out.append((f"slab-graphite-L{nl}-{j:03d}", s))
    return out


def _family_rattled() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("rattled"), []
    bases: list[tuple[str, Callable[[], Atoms]]] = [
        ("diamond8", lambda: diamond(cubic=True)),
        ("diamond4", diamond_tetragonal),
        ("lonsdaleite4", lonsdaleite),
        ("graphite4", graphite),
        ("fcc4", lambda: bulk("C", "fcc", a=(4 * 6.5) ** (1 / 3), cubic=True)),
        ("sc8", lambda: cubic_lattice("sc", nn_from_volume("sc", 6.5)).repeat(2)),
        ("random6", lambda: random_packing(6, float(rng.uniform(2.0, 3.3)), rng)),
    ]
    for i in range(35):
        name, make = bases[i % len(bases)]
        base = scale_volume(make(), rng.uniform(0.9, 1.2))
        out.append((f"rattled-{name}-{i:03d}", rattle(base, rng.uniform(0.2, 0.35), rng, dmin=1.0)))
    for i in range(35, 70):
        name, make = bases[i % len(bases)]
        base = scale_volume(make(), rng.uniform(0.9, 1.2))
        out.append((f"rattled-{name}-{i:03d}", rattle(base, rng.uniform(0.2, 0.35), rng, dmin=1.0)))
    return out


def stone_wales(sheet: Atoms, i: int, j: int) -> Atoms:
    """Copy of a graphene sheet with the bond i-j rotated by 90 degrees in plane about its midpoint
    (the Stone-Wales defect: two pentagons and two heptagons)."""
    out = sheet.copy()
    bond = out.get_distance(i, j, mic=True, vector=True)
    middle = out.positions[i] + bond / 2
    turned = np.array([-bond[1], bond[0], bond[2]])
    out.positions[i], out.positions[j] = middle - turned / 2, middle + turned / 2
    return out


def _family_amorphous() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("amorphous"), []
    for i, rho in enumerate(np.linspace(1.4, 3.6, 60)):
        n = int(rng.integers(8, 17))
        out.append((f"amorphous-n{n}-{i:03d}", random_packing(n, float(rho), rng, dmin=1.3)))
    return out


def _family_defect() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("defect"), []
    for i in range(12):  # a vacancy in 8- and 16-atom diamond cells
        base = diamond(cubic=True) if i % 2 else diamond(cubic=True).repeat((2, 1, 1))
        base = scale_volume(base, rng.uniform(0.95, 1.05))
        out.append((f"defect-dvac-{i:03d}", rattle(vacancy(base, 0), rng.uniform(0.0, 0.08), rng)))
    sheet = graphene_rectangular().repeat((2, 2, 1))  # 16 atoms
    for i in range(16):  # a vacancy in graphene
        base = strain(sheet, random_strain(rng, 0.02, axes=(0, 1)))
        out.append((f"defect-gvac-{i:03d}", rattle(vacancy(base, 5), rng.uniform(0.0, 0.08), rng)))
    i_sw, j_sw = 5, int(np.argsort(sheet.get_distances(5, range(len(sheet)), mic=True))[1])
    for i in range(12):  # Stone-Wales rotation of one bond
        base = strain(stone_wales(sheet, i_sw, j_sw), random_strain(rng, 0.02, axes=(0, 1)))
        out.append((f"defect-sw-{i:03d}", rattle(base, rng.uniform(0.02, 0.08), rng)))
    return out


def _family_nanotube() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("nanotube"), []
    for i in range(32):
        n, m = ((2, 2), (3, 3), (3, 0), (4, 0))[i % 4]
        tube = nanotube(n, m, length=1, bond=1.42 * rng.uniform(0.96, 1.05), symbol="C", vacuum=LAYER_VACUUM / 2)
        axial = np.diag([0.0, 0.0, rng.uniform(-0.04, 0.04)])
        out.append((f"nanotube-{n}{m}-{i:03d}", rattle(strain(tube, axial), rng.uniform(0.0, 0.1), rng)))
    return out


def _family_surface() -> list[tuple[str, Atoms]]:
    rng, out = family_rng("surface"), []
    for i in range(12):  # diamond (110), two layers of the cubic cell, unreconstructed
        slab = surface(diamond(a=A_DIAMOND * rng.uniform(0.98, 1.02), cubic=True), (1, 1, 0), 2, vacuum=SLAB_VACUUM / 2)
        slab.pbc = (True, True, False)
        out.append((f"surface-d110-{i:03d}", rattle(slab, rng.uniform(0.0, 0.1), rng)))
    for i in range(20):  # graphene ribbons with bare zigzag or armchair edges, periodic along z
        kind, width = (("zigzag", 2), ("zigzag", 3), ("armchair", 3), ("armchair", 2))[i % 4]
        ribbon = graphene_nanoribbon(
            width,
            1 if kind == "armchair" else 2,
            type=kind,
            saturated=False,
            C_C=1.42 * rng.uniform(0.97, 1.04),
            vacuum=LAYER_VACUUM / 2,
        )
        out.append((f"surface-{kind}{width}-{i:03d}", rattle(ribbon, rng.uniform(0.0, 0.1), rng)))
    return out


def pool() -> list[tuple[str, Atoms]]:
    """The bulk/layer/chain/tube/slab pool, family by family (order of :data:`POOL_FAMILIES`): fresh
    copies of the structures, generated once per process (the random packings take seconds)."""
    return [(sid, atoms.copy()) for sid, atoms in _pool()]


@functools.lru_cache(maxsize=1)
def _pool() -> tuple[tuple[str, Atoms], ...]:
    makers = {
        "diamond": _family_diamond,
        "lonsdaleite": _family_lonsdaleite,
        "graphite": _family_graphite,
        "graphene": _family_graphene,
        "chain": _family_chain,
        "random": _family_random,
        "slab": _family_slab,
        "rattled": _family_rattled,
        "amorphous": _family_amorphous,
        "defect": _family_defect,
        "nanotube": _family_nanotube,
        "surface": _family_surface,
    }
    out = []
    for family in POOL_FAMILIES:
        make = makers.get(family) or (lambda f=family: _family_lattice(f))
        out.extend((sid, tagged(a, family)) for sid, a in make())
    return tuple(out)


# ----------------------------------------------------------------------------- the DFT convergence check


def convergence_structures() -> dict[str, Atoms]:
    """Periodic cells of the DFT convergence check (see :func:`linace.study.dft.convergence_cases`)."""
    rng = family_rng("convergence")
    disp = diamond()
    disp.positions[1] += [0.08, -0.05, 0.03]
    return {
        "diamond": diamond(),
        "diamond_0.85": scale_volume(diamond(), 0.85),
        "graphite": graphite(),
        "fcc": cubic_lattice("fcc", 1.6),
        "sc": cubic_lattice("sc", 1.6),
        "diamond_rattled8": rattle(diamond(cubic=True), 0.08, rng),
        "diamond_displaced": disp,
        "sc_rattled": rattle(cubic_lattice("sc", 1.6).repeat((1, 1, 2)), 0.08, rng),
    }


def convergence_molecules() -> dict[str, tuple[Atoms, tuple[int, ...]]]:
    """Molecules of the convergence check with the fixed moments to try."""
    return {
        "atom": (Atoms("C", positions=[[0, 0, 0]]), (2,)),
        "c2_1.25": (dimer(1.25), (0, 2)),
        "c2_5.0": (dimer(5.0), (4,)),
    }
