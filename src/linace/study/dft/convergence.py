"""The convergence check of the DFT settings: one setting varied at a time against a reference.

:func:`converge` runs the cases of :func:`convergence_cases` (resumable: every run is appended to
``convergence_runs.jsonl``) and writes the errors of every scan to ``convergence.json`` of the
element's data directory; the settings of :mod:`linace.study.dft.settings` were chosen from it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from concurrent.futures import as_completed
from pathlib import Path

import numpy as np
from ase import Atoms

from linace.study import structures
from linace.study.dft.calculations import compute, gpaw_executor
from linace.study.dft.generation import data_dir
from linace.study.dft.settings import DFTSettings, box_molecule

__all__ = [
    "CONVERGENCE_NAME",
    "CONVERGENCE_PERIODIC",
    "CONVERGENCE_REFERENCE",
    "ECUTS",
    "KPT_DENSITIES",
    "converge",
    "convergence_cases",
]

CONVERGENCE_NAME = "convergence.json"


#: reference settings of the convergence check (each scan varies one of them)
CONVERGENCE_REFERENCE = DFTSettings(ecut=500.0, kpt_density=3.0, width=0.05, vacuum=5.0, maxiter=300)


#: periodic cases of the convergence scans per element: (cut-off scan, k-point and width scans);
#: the forces scan uses 'diamond_displaced' and 'sc_rattled' of every element
CONVERGENCE_PERIODIC = {
    "C": (("diamond", "diamond_0.85", "graphite", "fcc", "diamond_rattled8"), ("diamond", "graphite", "fcc", "sc")),
    "Si": (("diamond", "diamond_0.85", "betatin", "fcc", "diamond_rattled8"), ("diamond", "betatin", "fcc", "sc")),
}


#: k-point densities (1/A) of the energy scans and of the forces scan, per element; the last is the
#: reference. Silicon's cells are larger, so the same density gives it fewer k-points per
#: Brillouin zone than carbon; its scans reach further (its first check, up to 4.5, left the
#: errors at 3.0 at 10-50 meV/atom, with no denser reference to judge 4.5 by).
KPT_DENSITIES = {
    "C": ((1.5, 2.0, 2.5, 3.0, 4.5), (1.5, 2.0, 2.5, 3.5)),
    "Si": ((1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 6.0), (1.5, 2.0, 2.5, 3.5, 4.0, 4.5, 6.0)),
}


#: plane-wave cut-offs (eV) of the molecule and periodic cut-off scans, per element (the last is the
#: reference); silicon's PAW setup is softer than carbon's (its first check was converged to
#: 0.4 meV/atom at 350 eV already), so its scan starts lower
ECUTS = {
    "C": ((350.0, 400.0, 450.0, 500.0, 550.0, 600.0, 800.0), (350.0, 400.0, 450.0, 500.0, 600.0, 800.0)),
    "Si": (
        (250.0, 300.0, 350.0, 400.0, 450.0, 500.0, 550.0, 600.0, 800.0),
        (250.0, 300.0, 350.0, 400.0, 450.0, 500.0, 600.0, 800.0),
    ),
}


def convergence_cases(reference: DFTSettings = CONVERGENCE_REFERENCE, element: str = "C") -> list[tuple]:
    """The runs of the convergence check: [(scan, case, value, atoms, settings, moments)].

    Each scan varies one setting of ``reference``; the most accurate value is the reference.
    In order of execution:

    * ``ecut_molecule``: C2 at 1.25 A (moments 0, 2), at 5.0 A (moment 4) and the triplet atom
      at vacuum 4 A versus the cut-off (binding energies per atom, forces).
    * ``vacuum``: the same molecules versus the vacuum (reference 6 A; C2 at 5 A up to 5 A).
    * ``ecut``: cut-off at k-density 1.5; diamond at V0 and 0.85 V0, graphite, fcc (energy
      differences per atom) and a rattled 8-atom diamond cell (forces, stress).
    * ``kpt_density_w0.05``, ``kpt_density_w0.1``: k-density at two widths; diamond, graphite,
      fcc, sc (energy differences per atom).
    * ``kpt_density_forces``: forces of a 2-atom diamond cell with a displaced atom and of a
      rattled 2-atom sc cell (metallic) versus the k-density.

    The cut-offs and k-densities of the scans are the element's (:data:`ECUTS`,
    :data:`KPT_DENSITIES`; carbon's in the list above).
    * ``width``: smearing widths at k-density 4.5 (reference: the smallest width), energies.
    """
    module = structures.element_module(element)
    periodic = module.convergence_structures()
    molecules = module.convergence_molecules()
    long_dimer = list(molecules)[-1]  # too long a box at the largest vacuum
    ecut_cases, ecases = CONVERGENCE_PERIODIC[element]
    cases = []
    for e in ECUTS[element][0]:
        s = dataclasses.replace(reference, ecut=e, vacuum=4.0)
        for case, (mol, moments) in molecules.items():
            cases.append(("ecut_molecule", case, e, box_molecule(mol, 4.0), s, moments))
    for v in [3.0, 4.0, 5.0, 6.0]:
        s = dataclasses.replace(reference, vacuum=v)
        for case, (mol, moments) in molecules.items():
            if v < 6.0 or case != long_dimer:
                cases.append(("vacuum", case, v, box_molecule(mol, v), s, moments))
    for e in ECUTS[element][1]:
        s = dataclasses.replace(reference, ecut=e, kpt_density=1.5)
        for case in ecut_cases:
            cases.append(("ecut", case, e, periodic[case], s, None))
    fcases = ("diamond_displaced", "sc_rattled")
    for w in (0.05, 0.1):
        for d in KPT_DENSITIES[element][0]:
            s = dataclasses.replace(reference, kpt_density=d, width=w)
            for case in ecases:
                cases.append((f"kpt_density_w{w}", case, d, periodic[case], s, None))
    for d in KPT_DENSITIES[element][1]:
        s = dataclasses.replace(reference, kpt_density=d)
        for case in fcases:
            cases.append(("kpt_density_forces", case, d, periodic[case], s, None))
    for w in (0.2, 0.1, 0.05, 0.02):
        s = dataclasses.replace(reference, width=w, kpt_density=4.5)
        for case in ecases:
            cases.append(("width", case, w, periodic[case], s, None))
    return cases


def _energy_differences(res: dict, value) -> dict[str, float]:
    """Energy differences (eV/atom) of one scan value: periodic vs diamond, or molecule binding."""

    def ok(case):
        r = res.get((case, value))
        return r if r is not None and r["status"] == "ok" else None

    out = {}
    cases = sorted({case for case, v in res if v == value})
    if ok("atom"):
        for case in cases:
            if case != "atom" and ok(case):
                out[f"E({case})-2E0 per atom"] = (ok(case)["energy"] - 2 * ok("atom")["energy"]) / 2
    elif ok("diamond"):
        e_dia = ok("diamond")["energy"] / ok("diamond")["natoms"]
        for case in cases:
            if case not in ("diamond", "diamond_rattled8", "diamond_displaced", "sc_rattled") and ok(case):
                e = ok(case)["energy"] / ok(case)["natoms"]
                out[f"E({case})-E(diamond) per atom"] = e - e_dia
    return out


def _scan_summary(res: dict, values: list) -> dict:
    """Errors versus ``values[-1]`` (the reference) of one scan.

    Per value: every energy difference (eV/atom) and its error (meV/atom), the largest error of an
    energy difference (meV/atom; None if the scan has no differences), of a force component (eV/A)
    and of a stress component (GPa), the largest |free - extrapolated energy| (meV/atom), the
    failed cases, the summed wall time (s), and ``per_case`` errors (total energy per atom in
    meV/atom, forces, stress).
    """
    from ase.units import GPa

    ref = values[-1]
    ref_diff = _energy_differences(res, ref)
    rows = []
    for v in values:
        diff = _energy_differences(res, v)
        row = {"value": v}
        row.update({k: round(x, 6) for k, x in diff.items()})
        errs = [1000 * (diff[k] - ref_diff[k]) for k in diff if k in ref_diff]
        complete = len(ref_diff) > 0 and all(k in diff for k in ref_diff)
        row["max_energy_difference_error_meV_per_atom"] = (
            round(max(map(abs, errs)), 3) if complete else None
        )  # None: a difference is missing
        ferr = serr = smear = 0.0
        per_case = {}
        for (case, vv), r in res.items():
            if vv != v or r["status"] != "ok":
                continue
            smear = max(smear, 1000 * abs(r["free_energy"] - r["energy"]) / r["natoms"])
            r0 = res.get((case, ref))
            if r0 is None or r0["status"] != "ok":
                continue
            df = float(np.abs(np.asarray(r["forces"]) - r0["forces"]).max())
            ferr = max(ferr, df)
            per_case[case] = {
                "energy_error_meV_per_atom": round(1000 * (r["energy"] - r0["energy"]) / r["natoms"], 3),
                "max_force_error_eV_per_A": round(df, 4),
            }
            if "stress" in r and "stress" in r0:
                ds = float(np.abs(np.asarray(r["stress"]) - r0["stress"]).max()) / GPa
                serr = max(serr, ds)
                per_case[case]["max_stress_error_GPa"] = round(ds, 3)
        row["max_force_error_eV_per_A"] = round(ferr, 4)
        row["max_stress_error_GPa"] = round(serr, 3)
        row["max_free_minus_extrapolated_meV_per_atom"] = round(smear, 3)
        row["failed"] = sorted(c for (c, vv), r in res.items() if vv == v and r["status"] != "ok")
        row["wall_time_s"] = round(sum(r["wall_time"] for (c, vv), r in res.items() if vv == v), 1)
        row["per_case"] = per_case
        rows.append(row)
    return {"reference_value": ref, "rows": rows}


def _convergence_job(atoms: Atoms, settings: DFTSettings, moments) -> dict:
    out = compute(atoms, settings, moments)
    out["natoms"] = len(atoms)
    out.pop("kpts", None)
    for key in ("forces", "stress"):
        if key in out:
            out[key] = np.asarray(out[key]).tolist()
    return out


def converge(
    reference: DFTSettings | None = None,
    workers: int = 2,
    path: str | os.PathLike | None = None,
    scans: Sequence[str] | None = None,
    element: str = "C",
) -> dict:
    """Run the convergence check (:func:`convergence_cases`) and write ``data/<element>/convergence.json``.

    Resumable: every finished run is appended at once to ``data/<element>/convergence_runs.jsonl`` and
    skipped when the check is run again. ``scans`` restricts the runs to some scans (the summary
    covers every scan with results). Returns the summary: per scan, the fixed settings and, per
    value, the errors of :func:`_scan_summary`.
    """
    from tqdm import tqdm

    reference = reference or CONVERGENCE_REFERENCE
    path = Path(path or data_dir(element) / CONVERGENCE_NAME)
    path.parent.mkdir(parents=True, exist_ok=True)
    runs_path = path.with_name("convergence_runs.jsonl")
    cases = convergence_cases(reference, element)
    fixed: dict[str, dict] = {}
    for scan, _case, _v, _atoms, s, _moments in cases:
        param = "kpt_density" if scan.startswith("kpt") else scan.replace("_molecule", "")
        fixed.setdefault(scan, {k: x for k, x in s.to_dict().items() if k != param})
    done = {}
    if runs_path.exists():
        for line in runs_path.read_text().splitlines():
            if line.strip():
                rec = json.loads(line)
                done[(rec["scan"], rec["case"], rec["value"], rec["settings"])] = rec["result"]
    todo = [c for c in cases if (c[0], c[1], c[2], c[4].digest()) not in done and (scans is None or c[0] in scans)]
    if todo:
        with gpaw_executor(workers) as ex, open(runs_path, "a") as log:
            futs = {
                ex.submit(_convergence_job, atoms, s, moments): (scan, case, v, s)
                for scan, case, v, atoms, s, moments in todo
            }
            for fut in tqdm(as_completed(futs), total=len(futs), desc="convergence"):
                scan, case, v, s = futs[fut]
                result = fut.result()
                done[(scan, case, v, s.digest())] = result
                log.write(
                    json.dumps({"scan": scan, "case": case, "value": v, "settings": s.digest(), "result": result})
                    + "\n"
                )
                log.flush()
    results: dict[str, dict] = {}
    for scan, case, v, _atoms, s, _moments in cases:
        key = (scan, case, v, s.digest())
        if key in done:
            results.setdefault(scan, {})[(case, v)] = done[key]
    summary = {"reference_settings": reference.to_dict(), "scans": {}}
    for scan, res in results.items():
        values = sorted({v for _, v in res})
        if scan == "width":
            values = values[::-1]  # reference: the smallest width
        summary["scans"][scan] = {"fixed": fixed[scan], **_scan_summary(res, values)}
    summary["wall_time_s"] = round(sum(r["wall_time"] for r in done.values()), 1)
    with open(path, "w") as fh:
        json.dump(summary, fh, indent=1)
        fh.write("\n")
    return summary
