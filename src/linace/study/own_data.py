"""The tables of the page "Run the study on your own data" (``book/08_own_data.py``): what a data
directory holds, how potentials trained on it converge, and what an import converted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from . import datasets
from .records import RunRecord, as_records
from .results import CONVERGENCE_COLUMNS, convergence_rows, convergence_table

__all__ = ["convergence_markdown", "data_dir_markdown", "import_markdown"]


def data_dir_markdown(meta: Mapping) -> str:
    """A data directory's manifest (:func:`linace.study.datasets.check_data_dir`) as a line naming its
    element and description and a Markdown table of its sets (structures, atoms)."""
    rows = ["| set | structures | atoms |", "|---|---|---|"]
    rows += [f"| {name} | {entry['n_structures']} | {entry['n_atoms']} |" for name, entry in meta["sets"].items()]
    return f"Data directory of **{meta['element']}**: {meta.get('description') or '(no description)'}\n\n" + "\n".join(
        rows
    )


def convergence_markdown(records: Sequence[Mapping | RunRecord], reference: tuple[np.ndarray, np.ndarray]) -> str:
    """The convergence in K of runs of one training set (:func:`linace.study.results.convergence_table`)
    against a folder's reference dimer curve (r in A, E - 2E0 in eV; any reference, not only DFT), with
    each run's test energy RMSE (meV/atom): a line with the comparison range and a Markdown table."""
    records = as_records(records)
    table = convergence_table(records, reference)
    test_rmse = {record.body_order: record.test_error() for record in records}
    columns = tuple(c.replace("to DFT", "to the folder's curve") for c in CONVERGENCE_COLUMNS)
    lines = [
        "| " + " | ".join(columns + ("test E RMSE (meV/atom)",)) + " |",
        "|" + "---|" * (len(CONVERGENCE_COLUMNS) + 1),
    ]
    for cells, row in zip(convergence_rows(table), table):
        lines.append("| " + " | ".join(cells) + f" | {test_rmse[row['body_order']]:.3g} |")
    low, high = table[0]["range_A"]
    return f"Distances are mean absolute differences over {low:.2f}–{high:.2f} Å.\n\n" + "\n".join(lines)


def import_markdown(imported: Mapping, imported_dir: str | os.PathLike, box: float) -> str:
    """What an import (:func:`linace.study.importer.import_data`, its manifest ``imported``, written to
    ``imported_dir``) did: the keys it read, the comparison range, and a Markdown table of the sets with
    the file each came from and its conversion (the molecules taken out of their ``box``, A; the atom's
    energy converted to eV; the units)."""
    record = imported["import"]
    rows = ["| set | structures | from | conversion |", "|---|---|---|---|"]
    for name, entry in imported["sets"].items():
        source = record["sets"][name]
        if source.get("molecules_taken_out_of_box"):
            note = f"{source['molecules_taken_out_of_box']} taken out of a {box:.0f} Å box"
        elif name == "isolated_atom":
            note = f"{source['value']:.5f} {source['units']} = {datasets.e0(imported_dir):.4f} eV"
        else:
            note = ", ".join(source.get("units", []))
        origin = source["source"] if name == "isolated_atom" else Path(source["source"]).name
        rows.append(f"| {name} | {entry['n_structures']} | {origin} | {note} |")
    low, high = imported["compare_range"]
    return (
        f"Keys used: energy `{record['keys']['energy']}`, forces `{record['keys']['forces']}`; "
        f"dimer curves compared over {low:.2f}–{high:.2f} Å.\n\n" + "\n".join(rows)
    )
