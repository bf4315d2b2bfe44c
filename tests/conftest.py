"""Shared fixtures and helpers of the test suite: random carbon structures and a finite-difference sweep."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from scipy.spatial.transform import Rotation

from linace.basis import ACEBasis

BODY_ORDERS = (2, 3, 4, 5)


@pytest.fixture(scope="session", params=["standard", "pure"])
def bases(request):
    """One default basis per body order K = 2..5, standard or pure (self-interaction-free).

    Every test that takes this fixture runs for both variants; each set is built once per session
    (construction is the slow part).
    """
    pure = request.param == "pure"
    return {K: ACEBasis(body_order=K, pure=pure) for K in BODY_ORDERS}


def random_positions(n: int, box: np.ndarray, rng: np.random.Generator, min_distance: float = 1.1) -> np.ndarray:
    """n points uniformly in the parallelepiped ``box`` (3x3, rows = vectors), pairwise >= min_distance
    apart (ignoring periodic images; rejection sampling)."""
    points = []
    while len(points) < n:
        candidate = rng.random(3) @ box
        if all(np.linalg.norm(candidate - p) >= min_distance for p in points):
            points.append(candidate)
    return np.array(points)


def random_carbon(n: int, periodic: bool, seed: int) -> Atoms:
    """A random carbon structure: a skewed periodic cell of density ~2.5 g/cm3, or an isolated cluster."""
    rng = np.random.default_rng(seed)
    if periodic:
        volume = n * 12.011 / 2.5 / 0.6022  # A^3 at 2.5 g/cm3
        cell = (np.eye(3) + 0.15 * rng.normal(size=(3, 3))) * volume ** (1 / 3)
        cell *= (volume / abs(np.linalg.det(cell))) ** (1 / 3)
        atoms = Atoms(f"C{n}", cell=cell, pbc=True)
        atoms.set_scaled_positions(rng.random((n, 3)))
        atoms.rattle(0.01, seed=seed)
        # keep atoms apart (including images) by relaxing a soft repulsion is overkill: reject instead
        if atoms.get_all_distances(mic=True)[np.triu_indices(n, 1)].min() < 0.9:
            return random_carbon(n, periodic, seed + 1000)
        return atoms
    return Atoms(f"C{n}", positions=random_positions(n, 3.0 * np.eye(3) * n ** (1 / 3), rng))


def random_orthogonal(seed: int, reflect: bool) -> np.ndarray:
    """A random rotation matrix, times -1 (a reflection through the origin) if ``reflect``."""
    Q = Rotation.random(random_state=seed).as_matrix()
    return -Q if reflect else Q


def transformed(atoms: Atoms, Q: np.ndarray, shift: np.ndarray | None = None) -> Atoms:
    """atoms with positions and cell mapped by r -> Q r (+ shift)."""
    out = atoms.copy()
    out.positions = atoms.positions @ Q.T + (0.0 if shift is None else shift)
    out.cell = atoms.cell.array @ Q.T
    return out


def fd_errors(f, df, x: np.ndarray, direction: np.ndarray, steps=10.0 ** -np.arange(1, 9)) -> np.ndarray:  # noqa: B008
    """ACEsuit-style ``fdtest``: |df(x).u - (f(x + h u) - f(x - h u)) / 2h| for a sweep of steps h.

    For a correct derivative the error falls like h^2 until round-off takes over.
    """
    exact = df(x) @ direction
    return np.array([abs(exact - (f(x + h * direction) - f(x - h * direction)) / (2 * h)) for h in steps])


def assert_fd_converges(errors: np.ndarray, scale: float, name: str = "derivative") -> None:
    """The finite-difference error must fall with the step and reach round-off level.

    ``errors`` from :func:`fd_errors` (steps 1e-1 .. 1e-8); ``scale`` is the size of the derivative.
    """
    scale = max(scale, 1e-3)
    assert errors.min() < 1e-7 * scale + 1e-9, f"{name}: best FD error {errors.min():.2e} (scale {scale:.2e})"
    # central differences: the error at h = 1e-3 must be far below the one at h = 1e-1
    assert errors[2] < 0.05 * errors[0] or errors[0] < 1e-9 * scale, f"{name}: FD error does not fall with h: {errors}"


# --------------------------------------------------------------------------- synthetic reference data
SYNTHETIC_E0 = -1.3  # eV


def write_synthetic_data(directory, seed: int = 0, element: str = "C") -> None:
    """A small data directory in the format of ``data/C`` (extxyz files + manifest with checksums),
    labelled by a random K = 3 ACE potential instead of DFT, for tests and notebook smoke runs.

    For another ``element`` the carbon geometries are stretched by the ratio of the elements' bond
    lengths (:func:`linace.analysis.length_scale`) and the basis is the element's."""
    from pathlib import Path

    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.io import write

    from linace.analysis import length_scale
    from linace.calculator import ACECalculator
    from linace.study.datasets import write_manifest

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    scale = length_scale(element)
    basis = ACEBasis(3, element=element, truncation={1: (6, 0), 2: (6, 2)})
    rng = np.random.default_rng(seed)
    coefficients = rng.normal(size=len(basis)) * 0.5
    coefficients[0] = 2.0  # a repulsive pair term
    calc = ACECalculator(basis, coefficients, e0=SYNTHETIC_E0)

    def label(atoms, config_type):
        atoms = Atoms(
            f"{element}{len(atoms)}", positions=atoms.positions * scale, cell=atoms.cell.array * scale, pbc=atoms.pbc
        )
        atoms.calc = calc
        results = {"energy": atoms.get_potential_energy(), "forces": atoms.get_forces()}
        if atoms.pbc.all():
            results["stress"] = atoms.get_stress()
        atoms.calc = SinglePointCalculator(atoms, **results)
        atoms.info["config_type"] = config_type
        return atoms

    sets = {
        "isolated_atom": [label(Atoms("C", positions=[[0, 0, 0]]), "isolated_atom")],
        "dimers": [label(Atoms("C2", positions=[[0, 0, 0], [r, 0, 0]]), "dimer") for r in np.linspace(0.9, 5.0, 30)],
        "clusters": [label(random_carbon(n, False, 100 + k), "cluster") for k, n in enumerate([3, 4, 5] * 3)],
        "narrow": [label(random_carbon(4, True, 200 + k), "bulk") for k in range(6)],
        "crystals": [label(random_carbon(3, True, 300 + k), "bulk") for k in range(6)],
        "diverse": [label(random_carbon(5, True, 400 + k), "random") for k in range(6)],
        "test": [label(random_carbon(4, True, 500 + k), "random") for k in range(4)],
    }
    for name, images in sets.items():
        write(directory / f"{name}.extxyz", images, format="extxyz")
    write_manifest(
        directory,
        element,
        {name: f"{name}.extxyz" for name in sets},
        description="synthetic test data labelled by a random ACE potential",
    )


@pytest.fixture(scope="session")
def synthetic_data(tmp_path_factory):
    """Path of a synthetic carbon data directory (see :func:`write_synthetic_data`), the folder ``C``
    of a registry (its parent) as in the repository's ``data/C``."""
    directory = tmp_path_factory.mktemp("data") / "C"
    directory.mkdir()
    write_synthetic_data(directory)
    return directory


@pytest.fixture(scope="session")
def synthetic_silicon(tmp_path_factory):
    """Path of a synthetic silicon data directory (carbon's geometries stretched to silicon's bonds)."""
    directory = tmp_path_factory.mktemp("silicon")
    write_synthetic_data(directory, seed=1, element="Si")
    return directory


# --------------------------------------------------------------------------- folders nothing can be written into
def writable(folder) -> bool:
    """True if a file can be created in ``folder``."""
    probe = Path(folder) / ".probe"
    try:
        probe.write_text("")
    except OSError:
        return False
    probe.unlink()
    return True


@pytest.fixture(params=["read-only folder", "path under a regular file"])
def unwritable(request, tmp_path):
    """A folder nothing can be written into: a read-only folder, or a path under a regular file.

    chmod 0555 does not stop root (the suite runs as root in the project's containers): then the
    folder is made immutable as well (``chattr +i``, undone afterwards); where that is impossible
    too, the read-only case is skipped (the path under a regular file stops root as well)."""
    if request.param == "path under a regular file":
        (tmp_path / "a-file").write_text("")
        yield tmp_path / "a-file" / "results"
        return
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = False
    if writable(folder):  # root: chmod does not stop writes
        immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
        if not immutable or writable(folder):
            if immutable:
                subprocess.run(["chattr", "-i", str(folder)], check=True)
            folder.chmod(0o755)
            pytest.skip(
                "running as root where folders cannot be made immutable (chattr +i): chmod alone does "
                "not stop root; the path under a regular file covers the refusal"
            )
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)
