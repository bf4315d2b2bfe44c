"""Benchmark: energy + force + stress design rows of 50 rattled 64-atom diamond cells, K = 2..5.

Prints one line per body order with the basis size and, for each basis variant (standard, pure),
the atoms per second (best of ``--repeats`` passes over the cells) and the peak memory traced
during the rows of one structure, and the speed of the pure basis as a percentage of the standard
one. If pyace (PyPI ``python-ace``, pacemaker's C++ linear ACE) is importable, it builds
``pyace.linearacefit.LinearACEDataset`` on the same structures with a basis of similar size in the
same run and prints the speed ratio to the standard K = 4 basis.

    python benchmarks/design_matrix.py [--structures 50] [--body-orders 2 3 4 5]
                                       [--variants standard pure] [--repeats 1] [--no-pyace]

Single-threaded: BLAS threads are limited to one before numpy is imported.
"""

from __future__ import annotations

import argparse
import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import time  # noqa: E402
import tracemalloc  # noqa: E402

from ase.build import bulk  # noqa: E402

from linace.basis import ACEBasis  # noqa: E402

LATTICE_CONSTANT = 3.567  # A, diamond
RATTLE = 0.1  # A
SEED = 2025
RCUT = 5.0  # A


def structures(count: int):
    """``count`` rattled 2x2x2 cubic diamond cells (64 atoms), reproducible."""
    out = []
    for k in range(count):
        atoms = bulk("C", "diamond", a=LATTICE_CONSTANT, cubic=True).repeat((2, 2, 2))
        atoms.rattle(RATTLE, seed=SEED + k)
        out.append(atoms)
    return out


def time_linace(basis: ACEBasis, cells, repeats: int = 1) -> float:
    """Seconds to compute energy + force (+ stress) rows of every cell (best of ``repeats`` passes)."""
    basis.design(cells[0])  # warm-up (imports, caches)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for atoms in cells:
            basis.design(atoms)
        best = min(best, time.perf_counter() - start)
    return best


def peak_memory_mb(basis: ACEBasis, atoms) -> float:
    """Peak memory (MB) traced while computing the rows of one structure."""
    tracemalloc.start()
    basis.design(atoms)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def time_pyace(cells, nradmax_by_orders, lmax_by_orders):
    """(number of functions, seconds) for pyace's LinearACEDataset design matrix on ``cells``."""
    import pandas as pd
    from pyace import create_multispecies_basis_config
    from pyace.linearacefit import LinearACEDataset

    config = create_multispecies_basis_config(
        {
            "deltaSplineBins": 0.001,
            "elements": ["C"],
            "embeddings": {"ALL": {"npot": "FinnisSinclairShiftedScaled", "fs_parameters": [1, 1], "ndensity": 1}},
            "bonds": {"ALL": {"radbase": "SBessel", "radparameters": [5.25], "rcut": RCUT, "dcut": 0.01}},
            "functions": {"ALL": {"nradmax_by_orders": nradmax_by_orders, "lmax_by_orders": lmax_by_orders}},
        }
    )
    frame = pd.DataFrame({"ase_atoms": cells})
    dataset = LinearACEDataset(config, frame)  # builds the neighbour environments
    start = time.perf_counter()
    dataset.construct_design_matrix(max_workers=1)
    return dataset.nfunc, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=50)
    parser.add_argument("--body-orders", type=int, nargs="+", default=[2, 3, 4, 5])
    parser.add_argument("--variants", nargs="+", choices=["standard", "pure"], default=["standard"])
    parser.add_argument("--repeats", type=int, default=1, help="passes over the cells; the best one counts")
    parser.add_argument("--no-pyace", action="store_true", help="skip the pyace comparison")
    args = parser.parse_args()

    cells = structures(args.structures)
    n_atoms = sum(len(a) for a in cells)
    print(f"{args.structures} rattled 64-atom diamond cells ({n_atoms} atoms), r_cut = {RCUT} A, one thread")
    header = f"{'K':>2} {'functions':>9}"
    for variant in args.variants:
        header += f" {variant + ' atoms/s':>16} {'peak MB':>8}"
    if {"standard", "pure"} <= set(args.variants):
        header += f" {'pure/standard':>13}"
    print(header)
    rates = {}
    for K in args.body_orders:
        line = ""
        for variant in args.variants:
            basis = ACEBasis(body_order=K, rcut=RCUT, pure=variant == "pure")
            rates[K, variant] = (len(basis), n_atoms / time_linace(basis, cells, args.repeats))
            line += f" {rates[K, variant][1]:>16.0f} {peak_memory_mb(basis, cells[0]):>8.1f}"
        if {"standard", "pure"} <= set(args.variants):
            line += f" {100 * rates[K, 'pure'][1] / rates[K, 'standard'][1]:>12.1f}%"
        print(f"{K:>2} {len(basis):>9}" + line, flush=True)

    if args.no_pyace:
        return
    try:
        import pyace  # noqa: F401
    except ImportError:
        print("pyace not importable: install the `bench` extra (pip install python-ace) for the comparison")
        return
    n_functions, seconds = time_pyace(cells, [12, 6, 4], [0, 4, 3])
    pyace_rate = n_atoms / seconds
    print(
        f"pyace LinearACEDataset, nradmax_by_orders [12, 6, 4], lmax_by_orders [0, 4, 3]: "
        f"{n_functions} functions, {seconds:.2f} s, {pyace_rate:.0f} atoms/s"
    )
    if (4, "standard") in rates:
        size, rate = rates[4, "standard"]
        print(f"linace K = 4 ({size} functions) / pyace ({n_functions} functions): {rate / pyace_rate:.1f}x")


if __name__ == "__main__":
    main()
