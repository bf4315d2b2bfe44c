"""Benchmark: energy, forces and stress of a fitted-size linear ACE model through the ASE calculator path.

``ACEBasis.energy_forces_stress`` contracts the coefficients before differentiating (this is what
MD uses), so it is much cheaper than the design rows of ``design_matrix.py``. Prints atoms per
second for the standard and the pure basis on rattled 64-atom diamond cells, one thread.

    python benchmarks/calculator.py [--structures 5] [--body-orders 2 3 4 5] [--variants standard pure]
"""

from __future__ import annotations

import argparse
import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import time  # noqa: E402

import numpy as np  # noqa: E402

from linace.basis import ACEBasis  # noqa: E402

from design_matrix import RCUT, structures  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=5)
    parser.add_argument("--body-orders", type=int, nargs="+", default=[2, 3, 4, 5])
    parser.add_argument("--variants", nargs="+", choices=["standard", "pure"], default=["standard", "pure"])
    args = parser.parse_args()

    cells = structures(args.structures)
    n_atoms = sum(len(a) for a in cells)
    print(f"{args.structures} rattled 64-atom diamond cells ({n_atoms} atoms), r_cut = {RCUT} A, one thread")
    print(f"{'K':>2} {'variant':>8} {'functions':>9} {'time (s)':>9} {'atoms/s':>9}")
    for K in args.body_orders:
        for variant in args.variants:
            basis = ACEBasis(body_order=K, rcut=RCUT, pure=variant == "pure")
            coefficients = np.random.default_rng(K).normal(size=len(basis)) / np.sqrt(len(basis))
            basis.energy_forces_stress(cells[0], coefficients)  # warm-up
            start = time.perf_counter()
            for atoms in cells:
                basis.energy_forces_stress(atoms, coefficients)
            seconds = time.perf_counter() - start
            print(f"{K:>2} {variant:>8} {len(basis):>9} {seconds:>9.2f} {n_atoms / seconds:>9.0f}")


if __name__ == "__main__":
    main()
