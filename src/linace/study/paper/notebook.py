"""The errors printed in the authors' notebook ``julia_tests_response.ipynb``: the tables
``linear_errors`` printed in the outputs of its loops over the bases (:class:`NotebookTables`), the
only published carbon test errors and the only RMSE of the silicon train/validation splits."""

from __future__ import annotations

import json
import re

from linace.study.paper.acejulia import ACE_RUN, SI_MATRIX_DEGREES, SI_MATRIX_ROWS, AceRuns, overlap_notes
from linace.study.paper.parsers import parse_error_matrix, parse_julia_errors, parse_julia_tables
from linace.study.paper.records import Collector, PaperFormatError, PublishedErrors
from linace.study.paper.snapshot import Snapshot

__all__ = ["NOTEBOOK", "NotebookTables"]

NOTEBOOK = "julia_tests_response.ipynb"


def _code_lines(source: str) -> str:
    """Julia source without comments (``#`` to the end of a line, outside strings is enough here)."""
    return "\n".join(line.split("#", 1)[0] for line in source.splitlines())


def _julia_strings(expression: str, where: str) -> list[str]:
    values = re.findall(r'"([^"]*)"', expression)
    if not values:
        raise PaperFormatError(f"{where}: expected string literal(s), got {expression.strip()!r}")
    return values


def _loop(code: str, where: str) -> tuple[str, str, list[tuple[str, str, tuple[str, str]]]]:
    """What a cell's loop computes, in the order it prints: (validation set, energy weight, [(training
    set, basis, (errs or errs_pure, "train" or "val")) per call of ``linear_errors``])."""

    def assigned(name: str) -> str:
        found = re.findall(rf"^\s*{name}\s*=\s*(.+)$", code, re.M)
        if not found:
            raise PaperFormatError(f"{where}: no assignment of {name!r}")
        return found[-1]

    vset = _julia_strings(assigned("vset"), where)[0]
    dsets = _julia_strings(assigned("dsets"), where)
    ecost = _julia_strings(assigned("ecost"), where)[0]
    basisvals = _julia_strings(assigned("basisvals"), where)
    calls = re.findall(r'(errs(?:_pure)?)\["(train|val)"\]\[[^\]]*\]\s*=\s*ACEpotentials\.linear_errors', code)
    if not calls:
        raise PaperFormatError(f"{where}: no errs[...] = ACEpotentials.linear_errors(...) in the loop")
    return vset, ecost, [(d, b, c) for d in dsets for b in basisvals for c in calls]


class NotebookTables:
    """The printed ``linear_errors`` results of the notebook's cells that loop over ``basisvals``: one
    record per result no file holds at full precision (RMSE and MAE, 3 decimals), each checked
    against the file or si_errors matrix that holds the same number, where one does."""

    def __init__(self, snapshot: Snapshot, runs: AceRuns, out: Collector):
        self.snap, self.runs, self.out = snapshot, runs, out

    def read(self) -> None:
        path = NOTEBOOK
        if not self.snap.available(path):
            self.out.skip(path, "content absent from the snapshot")
            return
        notebook = json.loads(self.snap.text(path))
        for index, cell in enumerate(notebook.get("cells", [])):
            source = "".join(cell.get("source", []))
            if (
                cell.get("cell_type") != "code"
                or "linear_errors(" not in source
                or "for basisval in basisvals" not in source
            ):
                continue
            stdout = "".join(
                "".join(o.get("text", []))
                for o in cell.get("outputs", [])
                if o.get("output_type") == "stream" and o.get("name") == "stdout"
            )
            tables = parse_julia_tables(stdout, f"{path}, cell {index}")
            if tables:
                self._cell(path, index, _code_lines(source), tables)

    def _cell(self, path: str, index: int, code: str, tables: list[dict]) -> None:
        where = f"{path}, cell {index}"
        vset, ecost, order = _loop(code, where)
        if len(tables) % 2:
            raise PaperFormatError(f"{where}: {len(tables)} tables; linear_errors prints an RMSE and an MAE table")
        if len(tables) // 2 > len(order):
            raise PaperFormatError(f"{where}: {len(tables) // 2} printed results for {len(order)} calls")
        for k in range(len(tables) // 2):
            dset, basis, (target, kind) = order[k]
            rmse, mae = tables[2 * k], tables[2 * k + 1]
            if "set" not in rmse or "set" not in mae:
                raise PaperFormatError(f"{where}: result {k + 1} has no 'set' row")
            pure = target == "errs_pure"
            folder = f"acejulia/{dset}{'_purify' if pure else ''}/{basis}/ecost{ecost}"
            setup = self.runs.folder_setup(folder)
            validation = dset if kind == "train" else vset
            values = {"rmse": rmse["set"], "mae": mae["set"]}
            source = self.snap.source(
                path,
                f"cell {index}, printed linear_errors result {k + 1} of {len(order)} "
                f"({target}[{kind!r}], {dset}, {basis})",
            )
            if self._check_printed(folder, kind, validation, values, where, k):
                continue  # the same numbers are in a file, at full precision
            self.out.errors.append(
                PublishedErrors(
                    setup,
                    "train" if kind == "train" else "test",
                    validation,
                    values["rmse"][0],
                    values["rmse"][1],
                    values["mae"][0],
                    values["mae"][1],
                    source,
                    ("printed with 3 decimals (meV/atom, eV/A)",)
                    + (overlap_notes(dset, validation) if kind != "train" else ()),
                )
            )

    def _check_printed(self, folder: str, kind: str, validation: str, values: dict, where: str, k: int) -> bool:
        """Cross-check a printed result against a file holding the same fit's errors on the same set:
        True if one does (the file's record is kept), an error if the numbers differ."""
        candidates = []
        if kind == "train":
            candidates = [f"{folder}/{name}" for name in ("errors.dat", "trainerrors.dat")]
        for candidate in candidates:
            if self.snap.available(candidate):
                published = parse_julia_errors(self.snap.text(candidate), candidate)
                for metric in ("rmse", "mae"):
                    for i, quantity in enumerate(("E", "F")):
                        expected = published[metric]["set"][quantity] or 0.0
                        if abs(values[metric][i] - expected) > 0.0006:
                            raise PaperFormatError(
                                f"{where}: printed result {k + 1} ({metric} {quantity} {values[metric][i]}) differs "
                                f"from {candidate} ({expected:.4f}): the reading of the cell's call order is wrong"
                            )
                return True
        matrix_row = self._matrix_value(folder, validation)
        if matrix_row is not None and abs(values["mae"][0] - matrix_row) > 0.0006:
            raise PaperFormatError(
                f"{where}: printed energy MAE {values['mae'][0]} of result {k + 1} differs from "
                f"acejulia/si_errors ({matrix_row:.4f})"
            )
        return False

    def _matrix_value(self, folder: str, validation: str) -> float | None:
        """The energy MAE (meV/atom) an si_errors matrix gives for a run folder on a set, if any."""
        match = ACE_RUN.match(folder + "/x")
        base = match["set"].removesuffix("_train")
        suffix = "_train" if match["set"].endswith("_train") else ""
        for kind, rows in SI_MATRIX_ROWS.items():
            path = f"acejulia/si_errors/{kind}_vset{validation}_en_err{'_pure' if match['pure'] else ''}.dat"
            if (
                base in rows
                and match["degrees"] in SI_MATRIX_DEGREES
                and self.snap.available(path)
                and suffix == ("_train" if validation.endswith("_val") else "")
            ):
                matrix = parse_error_matrix(self.snap.text(path), path)
                return 1000.0 * matrix[rows.index(base), SI_MATRIX_DEGREES.index(match["degrees"])]
        return None
