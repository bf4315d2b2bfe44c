"""The molecules of the reference data of any element: the isolated atom, the dimer curve and the
X3-X5 clusters (no cell; the DFT workflow puts molecules in a box).

The dimer separations are set per element (:data:`DIMER_RANGES`); the cluster shapes are drawn for
carbon and scaled to other elements by their bond length, each element from its own random stream.
Lengths in A.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms

from .common import family_rng, tagged

__all__ = ["DIMER_RANGES", "clusters", "dimer", "dimer_distances", "dimers", "isolated_atom", "random_cluster"]


def isolated_atom(element: str = "C") -> list[tuple[str, Atoms]]:
    """One atom (no cell)."""
    return [("atom", tagged(Atoms(element, positions=[[0, 0, 0]]), "isolated_atom"))]


#: dimer separations (A) per element: (start, stop, step) of consecutive ranges
DIMER_RANGES = {
    # C2, 77 values: step 0.02 A up to 1.6 A (the minima of the low states and the steep repulsive
    # wall), 0.05 A to 2.5 A (where states cross), 0.1 A to 4.0 A, 0.25 A to 6.0 A
    "C": ((0.90, 1.60, 0.02), (1.65, 2.50, 0.05), (2.60, 4.00, 0.10), (4.25, 6.00, 0.25)),
    # Si2, 82 values: 0.025 A on the repulsive wall, 0.02 A around the minima (X3Sigma_g- at
    # 2.246 A, the 3Pi_u and 1Delta_g states close by), 0.1 A to 4.0 A, 0.25 A to 7.0 A. The ends
    # cover the comparison range of silicon's dimer curves, carbon's 1.0-4.5 A scaled by the bond
    # lengths (linace.analysis.convergence_range('Si') = 1.52-6.84 A), as carbon's 0.9-6.0 A cover
    # 1.0-4.5 A; the 1.7-6.5 A would leave the ends of that range without DFT. The wall
    # was first sampled every 0.05 A; carbon's 0.02 A scaled by the bond lengths is 0.030 A, and at
    # 0.05 A the smoothness check of the curve (a cubic through the four nearest points, which
    # extrapolates at the first point) missed its 5 meV by 0.3 meV at 1.50 A on the smooth wall.
    "Si": ((1.50, 1.875, 0.025), (1.90, 2.70, 0.02), (2.80, 4.00, 0.10), (4.25, 7.00, 0.25)),
}


def dimer_distances(element: str = "C") -> np.ndarray:
    """Dimer separations (A) of an element (:data:`DIMER_RANGES`), increasing."""
    if element not in DIMER_RANGES:
        raise ValueError(f"no dimer separations for {element!r}; known: {', '.join(DIMER_RANGES)}")
    return np.round(
        np.concatenate([np.arange(start, stop + 1e-9, step) for start, stop, step in DIMER_RANGES[element]]), 4
    )


def dimer(r: float, element: str = "C") -> Atoms:
    """A dimer along x with separation ``r`` (A), no cell."""
    return Atoms(f"{element}2", positions=[[0, 0, 0], [r, 0, 0]])


def dimers(element: str = "C") -> list[tuple[str, Atoms]]:
    """The dimer curve: one dimer per :func:`dimer_distances` value."""
    return [(f"dimer-{r:.3f}", tagged(dimer(r, element), "dimer")) for r in dimer_distances(element)]


def _unit(rng: np.random.Generator) -> np.ndarray:
    v = rng.normal(size=3)
    return v / np.linalg.norm(v)


def _polyline(bonds, angles, dihedral_rng: np.random.Generator | None = None) -> np.ndarray:
    """Positions (n, 3) of a chain with bond lengths (A) and bond angles (degrees); planar unless a
    Generator for random dihedrals is given."""
    pos = [np.zeros(3), np.array([bonds[0], 0.0, 0.0])]
    normal = np.array([0.0, 0.0, 1.0])
    for k, b in enumerate(bonds[1:]):
        prev = pos[-1] - pos[-2]
        prev /= np.linalg.norm(prev)
        if dihedral_rng is not None:
            normal = np.cross(prev, _unit(dihedral_rng))
            normal /= np.linalg.norm(normal)
        theta = np.radians(180.0 - angles[k])
        new = np.cos(theta) * prev + np.sin(theta) * np.cross(normal, prev)
        pos.append(pos[-1] + b * new)
    return np.array(pos)


def _regular_polygon(n: int, bond: float) -> np.ndarray:
    r = bond / (2 * np.sin(np.pi / n))
    t = 2 * np.pi * np.arange(n) / n
    return np.stack([r * np.cos(t), r * np.sin(t), np.zeros(n)], axis=1)


def random_cluster(n: int, rng: np.random.Generator, bond=(1.2, 1.7), dmin: float = 1.15) -> np.ndarray:
    """Connected random cluster (n, 3): each new atom at a random bond length from a random atom."""
    pos = [np.zeros(3)]
    while len(pos) < n:
        trial = pos[rng.integers(len(pos))] + rng.uniform(*bond) * _unit(rng)
        if min(np.linalg.norm(trial - p) for p in pos) >= dmin:
            pos.append(trial)
    return np.array(pos)


def clusters(element: str = "C") -> list[tuple[str, Atoms]]:
    """150 isolated X3 (40), X4 (50) and X5 (60) of varied shapes and bond lengths (no cell).

    The shapes and bond lengths are drawn for carbon (C-C 1.22-1.7 A) and scaled to other elements
    by their length scale (:func:`linace.analysis.length_scale`: Si-Si 1.85-2.6 A), each element
    from its own random stream.
    """
    from linace.analysis import length_scale

    rng, out = family_rng("clusters" if element == "C" else f"clusters-{element}"), []
    scale = length_scale(element)

    def add(kind: str, pos) -> None:
        atoms = Atoms(f"{element}{len(pos)}", positions=np.asarray(pos) * scale)
        atoms.positions -= atoms.get_center_of_mass()
        out.append((f"{element}{len(pos)}-{kind}-{len(out):03d}", tagged(atoms, f"{element}{len(pos)}")))

    b = lambda lo=1.22, hi=1.50: rng.uniform(lo, hi)  # noqa: E731  bond length (A)
    # C3 (40)
    for _ in range(8):
        add("linear", _polyline([b(), b()], [180.0]))
    for _ in range(14):
        add("bent", _polyline([b(), b()], [rng.uniform(90, 170)]))
    for _ in range(10):
        add("triangle", _polyline([b(1.3, 1.6), b(1.3, 1.6)], [60.0 + rng.uniform(-8, 8)]))
    for _ in range(8):
        add("random", random_cluster(3, rng))
    # C4 (50)
    for _ in range(6):
        add("linear", _polyline([b(), b(), b()], [180.0, 180.0]))
    for _ in range(8):
        add("zigzag", _polyline([b(), b(), b()], rng.uniform(100, 170, 2), rng))
    for _ in range(10):
        sq = _regular_polygon(4, b(1.35, 1.6))
        sq[[0, 2], 0] *= rng.uniform(0.6, 1.1)  # rhombus
        add("rhombus", sq)
    for _ in range(5):
        add("square", _regular_polygon(4, b(1.35, 1.6)))
    for _ in range(5):
        d = b(1.4, 1.7)
        add("tetrahedron", d / np.sqrt(8) * np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]))
    for _ in range(6):
        arms = _regular_polygon(3, 1.0) / np.linalg.norm(_regular_polygon(3, 1.0)[0])
        arms[:, 2] = rng.uniform(0, 0.5)
        add(
            "star",
            np.vstack([[0, 0, 0], arms * np.array([[b()], [b()], [b()]]) / np.linalg.norm(arms, axis=1)[:, None]]),
        )
    for _ in range(10):
        add("random", random_cluster(4, rng))
    # C5 (60)
    for _ in range(6):
        add("linear", _polyline([b() for _ in range(4)], [180.0] * 3))
    for _ in range(8):
        add("zigzag", _polyline([b() for _ in range(4)], rng.uniform(100, 170, 3), rng))
    for _ in range(8):
        ring = _regular_polygon(5, b(1.3, 1.55))
        ring[:, 2] = rng.normal(0, 0.15, 5)
        add("ring", ring)
    for _ in range(6):
        tri = _regular_polygon(3, b(1.4, 1.7))
        h = rng.uniform(0.8, 1.3)
        add("bipyramid", np.vstack([tri, [[0, 0, h], [0, 0, -h]]]))
    for _ in range(6):
        sq = _regular_polygon(4, b(1.4, 1.7))
        add("pyramid", np.vstack([sq, [[0, 0, rng.uniform(0.8, 1.3)]]]))
    for _ in range(8):
        arms = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / np.sqrt(3)
        arms = arms + rng.normal(0, 0.1, arms.shape)
        arms /= np.linalg.norm(arms, axis=1)[:, None]
        add("branched", np.vstack([[0, 0, 0], arms * rng.uniform(1.3, 1.6, (4, 1))]))
    for _ in range(18):
        add("random", random_cluster(5, rng))
    return out
