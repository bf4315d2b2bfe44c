"""Run records of the study: what one training run produced, and how the results chapters read them.

One record (``results/<run-id>.json``) per trained potential, written by the training notebook
(``book/04_train.py``) and read by the results chapters. Keys:

``parameters``      the run's parameters (body_order, training_set, variant, regularisation)
``basis``           basis parameters, size, number of functions per body order
``fit``             solver information (alpha, beta, rank, seconds)
``errors``          {"train": ..., "test": ...}: RMSE/MAE of energies (meV/atom) and forces (eV/A),
                    overall and per config_type (:func:`linace.analysis.error_table`)
``dimer``           the model's dimer curve on :func:`linace.analysis.dimer_grid` with its body-order
                    contributions and, for Bayesian fits, posterior standard deviations
``dimer_summary``   distance to the DFT curve (eV, mean absolute difference over 1.0-4.5 A for
                    carbon, the element's :func:`linace.analysis.convergence_range` in general,
                    recorded as ``range_A``), position (A) and depth (eV) of the minimum
``provenance``      linace version, data checksums (from the data's ``manifest.json``), timestamp and
                    ``data_dir`` (the data directory of the run; None: the committed data)
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Mapping, Sequence

import numpy as np
from ase import Atoms

from linace import __version__
from linace.analysis import (
    CONVERGENCE_RANGE,
    DimerCurve,
    Predictions,
    convergence_range,
    curve_distance,
    curve_minimum,
    error_table,
)
from linace.fit import ACEModel
from linace.io import write_atomic
from linace.study import source_digest
from linace.study.records import RunRecord, as_record, by_body_order, load_records

__all__ = [
    "CONVERGENCE_COLUMNS",
    "convergence_rows",
    "convergence_table",
    "dft_dimer_curve",
    "load_results",
    "record_range",
    "run_record",
    "significant",
    "write_json_atomic",
]


def dft_dimer_curve(dimers: Sequence[Atoms], e0: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference dimer curve from labelled C2 structures.

    Returns r (A, increasing), E(r) - 2 E0 (eV) and the winning total spin moment (mu_B, NaN if
    not recorded).
    """
    r = np.array([atoms.get_distance(0, 1) for atoms in dimers])
    energy = np.array([atoms.get_potential_energy() for atoms in dimers]) - 2 * e0
    moment = np.array([atoms.info.get("spin_moment", np.nan) for atoms in dimers], dtype=float)
    order = np.argsort(r)
    return r[order], energy[order], moment[order]


def dimer_summary(
    r: np.ndarray,
    energy: np.ndarray,
    dft_r: np.ndarray,
    dft_energy: np.ndarray,
    r_range: tuple[float, float] = CONVERGENCE_RANGE,
) -> dict:
    """Distance to the DFT curve and the minimum of a dimer curve (the convergence measures), over
    ``r_range`` (A; the element's :func:`linace.analysis.convergence_range`)."""
    position, depth = curve_minimum(r, energy, r_range)
    return {
        "distance_to_dft_eV": curve_distance(r, energy, dft_r, dft_energy, r_range),
        "minimum_position_A": position,
        "minimum_energy_eV": depth,
        "range_A": list(r_range),
    }


def record_range(record: RunRecord | Mapping) -> tuple[float, float]:
    """The comparison range (A) of a run record: the one its dimer summary was computed over, else
    its element's (carbon's for records without one)."""
    record = as_record(record)
    return record.comparison_range or convergence_range(record.element)


def run_record(
    parameters: dict,
    model: ACEModel,
    train: Predictions,
    test: Predictions,
    curve: DimerCurve,
    dft_curve: tuple[np.ndarray, np.ndarray],
    data_manifest: dict | None = None,
    r_range: tuple[float, float] | None = None,
) -> dict:
    """Assemble the JSON record of one training run (see the module docstring); dimer curves are
    compared over ``r_range`` (A; default the element's :func:`linace.analysis.convergence_range`)."""
    basis = model.basis
    orders, counts = np.unique(basis.body_orders, return_counts=True)
    checksums = {}
    if data_manifest:
        checksums = {name: entry.get("sha256") for name, entry in data_manifest.get("sets", {}).items()}
    return {
        "parameters": dict(parameters),
        "basis": {
            "parameters": basis.parameters(),
            "size": len(basis),
            "functions_per_body_order": {str(k): int(c) for k, c in zip(orders, counts)},
        },
        "fit": {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in model.info.items()},
        "errors": {"train": error_table(train), "test": error_table(test)},
        "dimer": curve.as_dict(),
        "dimer_summary": dimer_summary(
            curve.r, curve.energy, *dft_curve, convergence_range(basis.element) if r_range is None else tuple(r_range)
        ),
        "provenance": {
            "linace": __version__,
            "linace_source_sha256": source_digest(),
            "data_sha256": checksums,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        },
    }


def write_json_atomic(path: str | os.PathLike, data: dict) -> None:
    """Write JSON atomically (:func:`linace.io.write_atomic`): readers never see a partial file."""
    write_atomic(path, json.dumps(data, indent=1))


#: Every readable run record of a folder, as :class:`~linace.study.records.RunRecord` (sorted by file
#: name, each with its ``path``; unreadable ones skipped with a warning): :func:`linace.study.records.load_records`.
load_results = load_records


def convergence_table(records: Sequence[RunRecord | Mapping], dft_curve: tuple[np.ndarray, np.ndarray]) -> list[dict]:
    """Convergence in K for runs of one training set (and variant): one row per body order with the
    distance to DFT, to the curve of the previous K (eV, over 1.0-4.5 A) and the minimum."""
    rows, previous = [], None
    for record in by_body_order(records):
        curve = record.dimer
        r_range = record_range(record)
        row = {"body_order": record.body_order, **dimer_summary(curve.r, curve.energy, *dft_curve, r_range)}
        row["distance_to_previous_K_eV"] = (
            curve_distance(curve.r, curve.energy, previous.r, previous.energy, r_range)
            if previous is not None
            else float("nan")
        )
        rows.append(row)
        previous = curve
    return rows


#: Column titles of :func:`convergence_rows`.
def significant(value: float | None, digits: int = 3) -> str:
    """A number with ``digits`` significant figures in plain notation (58.2, 0.641, 4510000), '–' if
    missing (None, NaN): how the book's tables and verdicts print a measured number."""
    if value is None or not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    decimals = digits - 1 - int(np.floor(np.log10(abs(value))))
    return f"{round(value, decimals):.{max(decimals, 0)}f}"


CONVERGENCE_COLUMNS = ("K", "to K−1 (eV)", "to DFT (eV)", "minimum (Å)", "depth (eV)")


def convergence_rows(table: Sequence[dict]) -> list[list[str]]:
    """Cells of the rows of a :func:`convergence_table` (columns :data:`CONVERGENCE_COLUMNS`), for a report."""

    def number(value: float) -> str:  # '–' where there is none (the distance to K - 1 at the lowest K)
        return f"{value:.3f}" if np.isfinite(value) else "–"

    return [
        [str(row["body_order"])]
        + [
            number(row[key])
            for key in ("distance_to_previous_K_eV", "distance_to_dft_eV", "minimum_position_A", "minimum_energy_eV")
        ]
        for row in table
    ]
