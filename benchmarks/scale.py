"""Benchmark: a paper-size fit, 10^5 atoms at K = 4, by the streamed normal equations (linace.streaming).

The data are rattled and strained 64-atom diamond cells labelled by a known answer: a fixed random
linear model on the K = 4 basis itself (E0 = -1.3 eV) plus Gaussian noise (5 meV/atom on energies,
0.05 eV/A on forces, 0.01 eV/A^3 on stresses). The labelled cells are written once to
``.cache/bench/scale-<atoms>.extxyz`` (labelling costs one pass of the basis, in parallel) and read
lazily by the fits, so the fit never holds the data set in memory.

Prints, for the assembly with 1 and with 2 worker processes: atoms/s; the solve time; the peak
resident memory of this process and of its workers (getrusage); and the errors against the known
model: of the coefficients, and of the energy (per atom) and forces (RMS) of a cell outside the
data. Strained and rattled diamond does not determine all 439 coefficients (many functions are
nearly linearly dependent on such environments), so the coefficient error mostly measures what the
Bayesian prior chose in the directions the data leave open; the energy and force errors on the
unseen cell measure whether the model was recovered.

    python benchmarks/scale.py [--atoms 100000] [--workers 1 2] [--chunk-size 16]

Targets on a 2-core machine: the whole fit within 3 minutes with 2 workers, peak memory below 2 GB.
Single-threaded BLAS in every process.
"""

from __future__ import annotations

import argparse
import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import concurrent.futures  # noqa: E402
import multiprocessing  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from ase.build import bulk  # noqa: E402
from ase.calculators.singlepoint import SinglePointCalculator  # noqa: E402
from ase.io import iread, write  # noqa: E402

from linace.basis import ACEBasis  # noqa: E402
from linace.fit import Weights  # noqa: E402
from linace.streaming import fit_streaming  # noqa: E402

E0 = -1.3  # eV
CELL_ATOMS = 64
SEED = 2026
NOISE = {"energy": 5e-3, "forces": 5e-2, "stress": 1e-2}  # eV/atom, eV/A, eV/A^3
CACHE = Path(__file__).resolve().parents[1] / ".cache" / "bench"


def true_coefficients(basis: ACEBasis) -> np.ndarray:
    """The known model: random coefficients decaying with the function index (eV)."""
    rng = np.random.default_rng(SEED)
    return rng.normal(size=len(basis)) / np.arange(1, len(basis) + 1)


def cell(index: int):
    """Cell ``index``: a 2x2x2 cubic diamond cell, strained by up to +-4 % and rattled by 0.1 A."""
    rng = np.random.default_rng([SEED, index])
    atoms = bulk("C", "diamond", a=3.567, cubic=True).repeat((2, 2, 2))
    strain = np.eye(3) + rng.uniform(-0.04, 0.04, (3, 3))
    atoms.set_cell(atoms.cell.array @ (strain + strain.T) / 2, scale_atoms=True)
    atoms.positions += rng.normal(0, 0.1, atoms.positions.shape)
    return atoms


def label_chunk(indices: list[int], body_order: int) -> list:
    """Labelled cells ``indices`` (worker side): the known model plus noise."""
    basis = ACEBasis(body_order)
    c = true_coefficients(basis)
    out = []
    for index in indices:
        atoms = cell(index)
        rows = basis.design(atoms)
        rng = np.random.default_rng([SEED, index, 1])
        n = len(atoms)
        energy = n * E0 + rows.energy @ c + NOISE["energy"] * n * rng.normal()
        forces = rows.forces @ c + NOISE["forces"] * rng.normal(size=(n, 3))
        stress = rows.stress @ c + NOISE["stress"] * rng.normal(size=6)
        atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=forces, stress=stress)
        out.append(atoms)
    return out


def dataset(n_atoms: int, body_order: int, workers: int) -> Path:
    """The labelled cells (written once, then reused)."""
    n_cells = -(-n_atoms // CELL_ATOMS)
    path = CACHE / f"scale-K{body_order}-{n_cells * CELL_ATOMS}.extxyz"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    chunks = [list(range(i, min(i + 32, n_cells))) for i in range(0, n_cells, 32)]
    partial = path.with_suffix(".partial")
    with (
        concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool,
        open(partial, "w") as stream,
    ):
        for labelled in pool.map(label_chunk, chunks, [body_order] * len(chunks)):
            write(stream, labelled, format="extxyz")
    partial.replace(path)
    print(
        f"labelled {n_cells} cells ({n_cells * CELL_ATOMS} atoms) in {time.perf_counter() - start:.0f} s "
        f"with {workers} workers -> {path}"
    )
    return path


def peak_memory_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its largest finished child (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--atoms", type=int, default=100_000)
    parser.add_argument("--body-order", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--chunk-size", type=int, default=16)
    args = parser.parse_args()

    path = dataset(args.atoms, args.body_order, max(args.workers))
    basis = ACEBasis(args.body_order)
    truth = true_coefficients(basis)
    n_atoms = sum(len(a) for a in iread(path, index=":"))
    print(f"K = {args.body_order}: {len(basis)} functions; {n_atoms} atoms in {n_atoms // CELL_ATOMS} cells")
    print(
        f"{'workers':>8} {'assembly (s)':>13} {'atoms/s':>9} {'solve (s)':>10} {'total (s)':>10} "
        f"{'|c-c_true|/|c_true|':>20} {'E error (meV/atom)':>19} {'F error (meV/A)':>16}"
    )
    for workers in args.workers:
        start = time.perf_counter()
        model = fit_streaming(
            basis,
            iread(path, index=":"),
            E0,
            Weights(energy=30.0, forces=1.0, virial=0.1),
            solver="blr",
            workers=workers,
            chunk_size=args.chunk_size,
        )
        total = time.perf_counter() - start
        assembly, solve = model.info["design_seconds"], model.info["solve_seconds"]
        error = np.linalg.norm(model.coefficients - truth) / np.linalg.norm(truth)
        probe = cell(10**6)  # a cell outside the data
        rows = basis.design(probe)
        energy_error = abs(rows.energy @ (model.coefficients - truth)) / len(probe) * 1000
        force_error = np.sqrt(np.mean((rows.forces @ (model.coefficients - truth)) ** 2)) * 1000
        print(
            f"{workers:>8} {assembly:>13.1f} {n_atoms / assembly:>9.0f} {solve:>10.2f} {total:>10.1f} "
            f"{error:>20.2e} {energy_error:>19.3f} {force_error:>16.3f}"
        )
    own, children = peak_memory_mb()
    print(
        f"peak resident memory: this process {own:.0f} MB, largest worker {children:.0f} MB "
        f"(dense design matrix would be {(n_atoms * 3 + n_atoms // CELL_ATOMS * 7) * len(basis) * 8 / 2**30:.1f} GB)"
    )


if __name__ == "__main__":
    main()
