"""Run records built by hand for the tests of the chapters' functions: dimer curves as functions of r on
carbon's grid, with or without a posterior, beside a Gaussian-well DFT curve."""

from __future__ import annotations

import numpy as np

from linace.analysis import CONVERGENCE_RANGE, DIMER_GRID
from linace.study.records import RunRecord

R = DIMER_GRID
#: a DFT-like dimer curve: a 7 eV well at 1.3 A (r in A, E - 2E0 in eV)
DFT = (R, -7 * np.exp(-((R - 1.3) ** 2) / 0.3))


def make_record(
    K: int,
    training_set: str,
    variant: str = "standard",
    regularisation: str = "blr",
    offset: float = 0.0,
    std: float | None = None,
    parts: dict | None = None,
    energy_rmse: float = 100.0,
    force_rmse: float = 0.5,
    distance: float | None = None,
) -> RunRecord:
    """A run record whose dimer curve is DFT + ``offset`` (eV), or the sum of ``parts`` ({body order:
    (n,) curve}); ``std`` a constant posterior standard deviation of the total (and of each part, eV),
    None for none; ``distance`` the recorded distance to DFT (default |offset|)."""
    parts = parts if parts is not None else {2: DFT[1] + offset}
    energy = sum(parts.values())
    dimer = {
        "r": R.tolist(),
        "energy": energy.tolist(),
        "contributions": {str(k): v.tolist() for k, v in parts.items()},
    }
    if std is not None:
        dimer["std"] = np.full(len(R), std).tolist()
        dimer["contribution_std"] = {str(k): np.full(len(R), std).tolist() for k in parts}
    errors = {"all": {"n_structures": 10, "energy_rmse_meV_per_atom": energy_rmse, "force_rmse_eV_per_A": force_rmse}}
    return RunRecord(
        {
            "parameters": {
                "body_order": K,
                "training_set": training_set,
                "variant": variant,
                "regularisation": regularisation,
            },
            "basis": {
                "size": 10 * K,
                "functions_per_body_order": {str(k): 10 for k in range(2, K + 1)},
                "parameters": {"element": "C"},
            },
            "errors": {"test": errors, "train": errors},
            "dimer": dimer,
            "dimer_summary": {
                "distance_to_dft_eV": abs(offset) if distance is None else distance,
                "minimum_position_A": 1.3,
                "minimum_energy_eV": -7 + offset,
                "range_A": list(CONVERGENCE_RANGE),
            },
        }
    )
