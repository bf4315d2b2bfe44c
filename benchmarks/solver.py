"""Benchmark: the Bayesian-regression solve of the study's largest fits, QR-reduced against the plain SVD.

``linace.fit.bayesian_regression`` reduces a tall weighted system by the QR decomposition of
[X | y] before its SVD (``linace.fit.scaled_spectrum``). The peer, in the same run, is what the
solver did before: the thin SVD (gesdd) of the whole scaled system. For each (K, training set,
variant) the script prints the system's shape, both solve times (best of ``--repeats``, one
thread) and how far the two posteriors are apart (relative to the largest entry). The last column
is the posterior mean of the streamed fit's route (``linace.streaming.NormalEquations``: the rows
folded into a triangular factor in blocks, a tall-skinny QR) against the same SVD: what streaming
costs in accuracy on that system.

    python benchmarks/solver.py [--element C] [--runs 5:clusters+dimers:standard 5:narrow:standard ...]
                                [--repeats 3]

The design rows come from the study's design cache (computed on first use: about a minute).
"""

from __future__ import annotations

import argparse
import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402

from linace.fit import Weights, bayesian_regression, evidence_maximisation, linear_system  # noqa: E402
from linace.streaming import NormalEquations  # noqa: E402
from linace.study import datasets, runs  # noqa: E402

DEFAULT_RUNS = ("4:diverse:pure", "5:diverse:standard", "5:narrow:standard", "5:clusters+dimers:standard")


def svd_route(X, y, w):
    """The peer: thin SVD of the whole scaled system, then the same evidence maximisation."""
    sqrt_w = np.sqrt(w)
    Xt, yt = X * sqrt_w[:, None], y * sqrt_w
    U, s, Vt = scipy.linalg.svd(Xt, full_matrices=False, lapack_driver="gesdd")
    projections = U.T @ yt
    return evidence_maximisation(
        s, Vt, projections, float(np.sum((yt - U @ projections) ** 2)), len(yt), np.ones(X.shape[1]), float(np.var(yt))
    )


def best_time(solve, repeats, *arguments):
    """Best wall time (s) of ``repeats`` calls of ``solve(*arguments)``, and its result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = solve(*arguments)
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--element", default="C")
    parser.add_argument("--runs", nargs="+", default=list(DEFAULT_RUNS), metavar="K:SET:VARIANT")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    folder, cache = datasets.element_dir(args.element), runs.default_cache()
    print(f"{args.element}: Bayesian regression (evidence maximisation), best of {args.repeats}, one thread")
    print(
        f"{'run':<28} {'rows x functions':>17} {'QR+SVD (s)':>11} {'SVD (s)':>8} {'speed-up':>8} "
        f"{'mean diff':>9} {'cov diff':>9} {'streamed diff':>13}"
    )
    for spec in args.runs:
        K, training_set, variant = spec.split(":")
        basis = runs.make_basis(int(K), variant)
        system = linear_system(basis, runs.load_training_set(training_set, folder), datasets.e0(folder), cache=cache)
        w = system.loss_weights(Weights())
        qr_time, (mean, covariance, _) = best_time(bayesian_regression, args.repeats, system.X, system.y, w)
        svd_time, (ref_mean, ref_covariance, _) = best_time(svd_route, args.repeats, system.X, system.y, w)
        mean_diff = np.abs(mean - ref_mean).max() / np.abs(ref_mean).max()
        cov_diff = np.abs(covariance - ref_covariance).max() / np.abs(ref_covariance).max()
        normal = NormalEquations(system.X.shape[1])
        normal.add(system.X, system.y, w)
        streamed_diff = np.abs(normal.bayesian_regression()[0] - ref_mean).max() / np.abs(ref_mean).max()
        shape = f"{system.X.shape[0]} x {system.X.shape[1]}"
        print(
            f"{spec:<28} {shape:>17} {qr_time:>11.3f} {svd_time:>8.3f} {svd_time / qr_time:>7.2f}x "
            f"{mean_diff:>9.1e} {cov_diff:>9.1e} {streamed_diff:>13.1e}"
        )


if __name__ == "__main__":
    main()
