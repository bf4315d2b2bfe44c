"""The paper's claims graded in two data worlds: the project's own reference data and the authors'.

The authors of arXiv:2502.16125 published their data (brought in by ``scripts/import_paper_data.sh``,
the project's import command, as the data directories ``data/paper/C`` and ``data/paper/Si``). The
same sweep that runs on the project's data runs on theirs (``make sweep-paper``); those runs take
longer than the book's build allows (their carbon sets hold ten times the atoms of ours), so their
records are committed in ``data/paper/<element>/runs/`` with the code digest that made them, and the
book reads them. This module grades every claim on a set of records with the fixed criteria of
:mod:`linace.study.claims` and puts the two worlds side by side.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from . import datasets
from .claims import Verdict, assess_claims, assess_v2_claims, claim_id, select

__all__ = ["CLAIM_IDS", "PAPER_DATA_ROOT", "composition_markdown", "grade", "held_out_errors_markdown", "load_paper_runs",
           "paper_data_dir", "paper_runs_dir", "records_provenance", "reference_markdown", "reference_rows",
           "side_by_side", "side_by_side_markdown"]

#: the authors' data brought in by the import command: a data directory per element
PAPER_DATA_ROOT = datasets.REPOSITORY_DATA_DIR / "paper"
#: every claim of the paper (v1: 1a, 1b, 2, 3; v2: v2a, v2b, v2c), in the book's order
CLAIM_IDS = ("1a", "1b", "2", "3", "v2a", "v2b", "v2c")


def paper_data_dir(element: str) -> Path:
    """The data directory of the authors' data of an element (``data/paper/<element>``)."""
    return PAPER_DATA_ROOT / element


def paper_runs_dir(element: str) -> Path:
    """Where the committed run records on the authors' data of an element are (``data/paper/<element>/runs``)."""
    return paper_data_dir(element) / "runs"


def grade(records: Sequence[dict], dft_curve: tuple[np.ndarray, np.ndarray],
          regularisation: str = "blr") -> dict[str, Verdict]:
    """Every claim graded on one world's records: claim id -> :class:`~linace.study.claims.Verdict`.

    The v1 claims (1a-3) on the standard basis (:func:`~linace.study.claims.assess_claims`), the v2
    claims on both bases (:func:`~linace.study.claims.assess_v2_claims`), records of one
    regularisation. A claim whose runs do not exist in that world is graded "not tested (no runs)".
    """
    chosen = select(records, regularisation=regularisation)
    verdicts = assess_claims(select(chosen, variant="standard"), dft_curve) + assess_v2_claims(chosen, dft_curve)
    return {claim_id(verdict.claim): verdict for verdict in verdicts}


def side_by_side(worlds: Mapping[str, Mapping[str, Verdict]], claims: Sequence[str] = CLAIM_IDS) -> list[dict]:
    """One row per claim: ``{"claim": id, "statement": the paper's words, <world>: verdict, ...}``.

    ``worlds`` maps a column name (e.g. "our data, C") to the verdicts of :func:`grade`; the
    statement is taken from the first world that graded the claim."""
    rows = []
    for claim in claims:
        statement = next((verdicts[claim].claim for verdicts in worlds.values() if claim in verdicts), claim)
        row = {"claim": claim, "statement": statement.split(". ", 1)[-1] if ". " in statement else statement}
        for name, verdicts in worlds.items():
            row[name] = verdicts[claim].verdict if claim in verdicts else "not tested (no runs)"
        rows.append(row)
    return rows


def side_by_side_markdown(worlds: Mapping[str, Mapping[str, Verdict]], claims: Sequence[str] = CLAIM_IDS) -> str:
    """:func:`side_by_side` as a Markdown table: claim, the paper's statement, a column per world;
    "–" where a world has no runs for the claim (its sets do not exist there)."""
    names = list(worlds)
    lines = ["| claim | the paper says | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for row in side_by_side(worlds, claims):
        cells = ["–" if row[name] == "not tested (no runs)" else row[name] for name in names]
        lines.append(f"| {row['claim']} | {row['statement']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def records_provenance(records: Sequence[dict], current_digest: str | None = None) -> dict:
    """What made a set of committed records: the code digests and creation dates they carry, and
    whether the code is the current one.

    Returns ``{"n_records", "digests" (sorted distinct linace source digests, 12 hex digits),
    "created" (first, last ISO dates), "current" (True if every record was made by
    ``current_digest``, the current :func:`linace.study.source_digest` by default)}``."""
    if current_digest is None:
        from . import source_digest

        current_digest = source_digest()
    digests = sorted({r.get("provenance", {}).get("linace_source_sha256", "")[:12] for r in records})
    created = sorted(r.get("provenance", {}).get("created", "") for r in records)
    return {"n_records": len(records), "digests": digests,
            "created": (created[0], created[-1]) if created else ("", ""),
            "current": bool(records) and digests == [current_digest[:12]]}


def load_paper_runs(element: str, directory: str | os.PathLike | None = None) -> list[dict]:
    """The committed run records on the authors' data of an element (empty if there are none)."""
    from .results import load_results

    folder = Path(directory) if directory is not None else paper_runs_dir(element)
    return load_results(folder) if folder.is_dir() else []


def reference_rows(worlds: Mapping[str, str | os.PathLike]) -> list[dict]:
    """The DFT reference of each world (name -> data directory): E0 (eV) and where it comes from,
    the dimer curve's minimum (r_e in A, depth in eV, found on a fine spline of the curve), its
    value at its far end, and the comparison range."""
    from linace.analysis import curve_minimum

    rows = []
    for name, folder in worlds.items():
        meta = datasets.manifest(folder)
        r, energy = datasets.dimer_reference(folder)
        position, depth = curve_minimum(r, energy, (float(r.min()), float(r.max())))
        source = meta.get("import", {}).get("sets", {}).get("isolated_atom", {}).get("source", "the set isolated_atom")
        rows.append({"world": name, "element": meta.get("element", datasets.DEFAULT_ELEMENT), "e0_eV": datasets.e0(folder),
                     "e0_source": source, "r_e_A": position, "depth_eV": depth, "far_end_A": float(r[-1]),
                     "far_end_eV": float(energy[-1]), "range_A": datasets.comparison_range(folder),
                     "curve_from": "dimer_curve" if "dimer_curve" in meta["sets"] else "dimers"})
    return rows


def reference_markdown(worlds: Mapping[str, str | os.PathLike]) -> str:
    """:func:`reference_rows` as a Markdown table."""
    lines = ["| data | E0 (eV) | dimer minimum r_e (Å) | depth (eV) | far end | curves compared over |",
             "|---|---|---|---|---|---|"]
    for row in reference_rows(worlds):
        lines.append(f"| {row['world']} | {row['e0_eV']:.4f} ({row['e0_source']}) | {row['r_e_A']:.3f} | "
                     f"{row['depth_eV']:.2f} | {row['far_end_eV']:+.3f} eV at {row['far_end_A']:.2f} Å | "
                     f"{row['range_A'][0]:.2f}–{row['range_A'][1]:.2f} Å |")
    return "\n".join(lines)


def composition_markdown(worlds: Mapping[str, str | os.PathLike]) -> str:
    """The sets of each world: role, structures, atoms, atoms per structure (mean, range), and how
    many are molecules (no periodic boundary), as a Markdown table."""
    lines = ["| data | set | role | structures | atoms | atoms per structure | molecules |", "|---|---|---|---|---|---|---|"]
    for name, folder in worlds.items():
        meta = datasets.manifest(folder)
        for set_name in datasets.names(folder):
            role = datasets.role(set_name, meta)
            if role in ("atom", "reference", "analysis"):
                continue
            images = datasets.load(set_name, folder)
            sizes = np.array([len(atoms) for atoms in images])
            molecules = sum(not atoms.pbc.any() for atoms in images)
            lines.append(f"| {name} | {set_name} | {role} | {len(images)} | {sizes.sum()} | {sizes.mean():.1f} "
                         f"({sizes.min()}–{sizes.max()}) | {molecules} |")
    return "\n".join(lines)


def held_out_errors_markdown(records: Sequence[dict], variants: Sequence[str] = ("standard", "pure")) -> str:
    """Test errors of every run on each held-out set (the ``test`` set and the record's further
    ``held_out`` sets): rows (training set, K), a column pair (E meV/atom, F eV/Å) per set and variant."""
    held_out = ["test"] + sorted({name for r in records for name in r["errors"].get("held_out", {})})
    present = [v for v in variants if select(records, variant=v)]
    header = "| training set | K | " + " | ".join(f"{v}: {h} E (meV/atom), F (eV/Å)" for v in present for h in held_out)
    lines = [header + " |", "|---|---|" + "---|" * (len(present) * len(held_out))]
    sets = list(dict.fromkeys(r["parameters"]["training_set"] for r in records))
    for training_set in sets:
        for K in sorted({r["parameters"]["body_order"] for r in select(records, training_set=training_set)}):
            cells = []
            for variant in present:
                found = select(records, training_set=training_set, body_order=K, variant=variant)
                for name in held_out:
                    if not found:
                        cells.append("–")
                        continue
                    errors = found[0]["errors"]["test"] if name == "test" else found[0]["errors"].get("held_out", {}).get(name)
                    cells.append("–" if errors is None else
                                 f"{_fmt(errors['all']['energy_rmse_meV_per_atom'])}, {errors['all']['force_rmse_eV_per_A']:.3g}")
            lines.append(f"| {training_set} | {K} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fmt(energy_meV: float) -> str:
    """An energy RMSE in meV/atom with 2-3 significant figures; a failed extrapolation (above 1 eV/atom) said so."""
    if energy_meV > 1000:
        return "> 1 eV (failed extrapolation)"
    return f"{energy_meV:.3g}"
