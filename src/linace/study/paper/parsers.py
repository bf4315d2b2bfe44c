"""The parsers of the authors' files, one per format (the package docstring, :mod:`linace.study.paper`,
says what each format's numbers mean). Each takes the file's text and a ``source`` to name in its
errors (:class:`~linace.study.paper.records.PaperFormatError`, with the line where it can)."""

from __future__ import annotations

import math
import re

import numpy as np

from linace.study.paper.records import PaperFormatError

__all__ = [
    "parse_dimer_curve",
    "parse_error_matrix",
    "parse_julia_errors",
    "parse_julia_tables",
    "parse_pacemaker_input",
    "parse_pacemaker_metrics",
    "parse_pacemaker_reference_energy",
    "strip_ansi",
]


def _fail(source: str, line: int | None, message: str):
    where = f"{source}, line {line}" if line is not None else source
    raise PaperFormatError(f"{where}: {message}")


_JULIA_GROUP = re.compile(r'"([^"]+)"\s*=>\s*Dict\(([^()]*)\)')
_JULIA_VALUE = re.compile(r'"([EFV])"\s*=>\s*([-+0-9.eE]+|NaN|Inf)')


def parse_julia_errors(text: str, source: str = "<text>") -> dict:
    """An ACEpotentials ``linear_errors`` result written by ``writedlm`` (errors.dat, trainerrors.dat,
    testerrors.dat).

    Returns ``{"rmse": {group: {"E": meV/atom, "F": eV/A}}, "mae": {...}}`` for every group
    (config types and ``set``, the whole set); E converted from eV/atom, F as written (eV/A), V
    dropped. A value of exactly 0 is None (not evaluated: no such data in the set).
    """
    result = {}
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        name, tab, body = line.partition("\t")
        if not tab or name not in ("rmse", "mae"):
            _fail(source, number, f"expected 'rmse<TAB>Dict(...)' or 'mae<TAB>Dict(...)', got {line[:60]!r}")
        if name in result:
            _fail(source, number, f"{name!r} appears twice")
        if not body.startswith("Dict{String, Any}("):
            _fail(source, number, f"expected a Julia Dict after {name!r}, got {body[:40]!r}")
        groups = {}
        for group, values in _JULIA_GROUP.findall(body):
            parsed = dict(_JULIA_VALUE.findall(values))
            if set(parsed) != {"E", "F", "V"}:
                _fail(source, number, f"group {group!r} has keys {sorted(parsed)}; expected E, F and V")
            e, f = (float(parsed[k]) for k in "EF")
            if not all(math.isfinite(v) and v >= 0 for v in (e, f)):
                _fail(source, number, f"group {group!r}: errors must be finite and >= 0, got E={e}, F={f}")
            groups[group] = {"E": None if e == 0 else 1000.0 * e, "F": None if f == 0 else f}
        if "set" not in groups:
            _fail(source, number, f"no 'set' group in {name!r} (groups: {sorted(groups)})")
        result[name] = groups
    for name in ("rmse", "mae"):
        if name not in result:
            _fail(source, None, f"no {name!r} line ({len(lines)} lines)")
    return result


def parse_dimer_curve(text: str, source: str = "<text>") -> tuple[np.ndarray, np.ndarray]:
    """A dimer curve written by ``export_dimers_to_dat``: ``r E`` per line (A, eV), r increasing.

    Returns (r, E), arrays of shape (n,); at least 2 points, all finite.
    """
    r, energy = [], []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            _fail(source, number, f"expected 2 columns 'r E', got {len(fields)}: {line[:60]!r}")
        try:
            x, y = float(fields[0]), float(fields[1])
        except ValueError:
            _fail(source, number, f"not two numbers: {line[:60]!r}")
        if not (math.isfinite(x) and math.isfinite(y)):
            _fail(source, number, f"non-finite value: {line[:60]!r}")
        if r and x <= r[-1]:
            _fail(source, number, f"distances must increase: {x} after {r[-1]}")
        r.append(x)
        energy.append(y)
    if len(r) < 2:
        _fail(source, None, f"a dimer curve needs at least 2 points, found {len(r)}")
    return np.array(r), np.array(energy)


def parse_error_matrix(text: str, source: str = "<text>", shape: tuple[int, int] = (4, 3)) -> np.ndarray:
    """A matrix of errors written with ``@printf "%.16f "`` (``acejulia/si_errors``): rows of
    numbers, all finite and >= 0. Returns an array of the given ``shape`` (rows, columns)."""
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = [float(v) for v in line.split()]
        except ValueError:
            _fail(source, number, f"not a row of numbers: {line[:60]!r}")
        if len(row) != shape[1]:
            _fail(source, number, f"expected {shape[1]} columns, got {len(row)}")
        if not all(math.isfinite(v) and v >= 0 for v in row):
            _fail(source, number, f"errors must be finite and >= 0: {line[:60]!r}")
        rows.append(row)
    if len(rows) != shape[0]:
        _fail(source, None, f"expected {shape[0]} rows, got {len(rows)}")
    return np.array(rows)


def parse_pacemaker_metrics(text: str, source: str = "<text>") -> list[dict]:
    """A pacemaker metrics table (``[test_]ladder_metrics.txt``, ``[test_]cycle_metrics.txt``): a
    header of column names, then rows of numbers. Returns one dict per row (column -> float; the
    integer columns ``ladder_step``, ``cycle_step``, ``nfuncs``, ``ncoefs`` as int); [] for a file
    with a header only."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        _fail(source, None, "empty file (expected a header of column names)")
    header_line, header = lines[0][0], lines[0][1].split()
    for required in ("rmse_epa", "rmse_f_comp", "nfuncs"):
        if required not in header:
            _fail(source, header_line, f"no column {required!r} in the header ({' '.join(header[:6])} ...)")
    rows = []
    for number, line in lines[1:]:
        fields = line.split()
        if len(fields) != len(header):
            _fail(source, number, f"{len(fields)} fields for {len(header)} columns")
        row = {}
        for name, value in zip(header, fields):
            try:
                number_value = float(value)
            except ValueError:
                _fail(source, number, f"column {name!r}: not a number: {value!r}")
            if name in ("ladder_step", "cycle_step", "nfuncs", "ncoefs", "iter_num"):
                if number_value != int(number_value):
                    _fail(source, number, f"column {name!r} must be an integer, got {value!r}")
                number_value = int(number_value)
            row[name] = number_value
        rows.append(row)
    return rows


def parse_pacemaker_input(text: str, source: str = "<text>") -> dict:
    """A pacemaker ``input.yaml``: what a record needs of it.

    Returns ``elements`` (list), ``cutoff_A`` (the bonds' ``rcut``), ``nradmax_by_orders``,
    ``lmax_by_orders`` (lists, one entry per correlation order), ``kappa``, ``train_file``,
    ``test_file`` (None if absent), ``optimizer``, ``ladder_step`` (None if absent),
    ``radbase``, ``embedding`` (the ``npot`` and ``fs_parameters`` of the embedding).
    """
    import yaml  # jupyter-book's dependency; only this parser needs it

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        _fail(source, None if mark is None else mark.line + 1, f"not valid YAML: {getattr(error, 'problem', error)}")
    if not isinstance(document, dict):
        _fail(source, None, "expected a mapping at the top level")

    def get(*keys):
        node = document
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                _fail(source, None, f"missing {'.'.join(keys)}")
            node = node[key]
        return node

    functions = get("potential", "functions")
    unary = functions.get("UNARY", functions.get("ALL")) if isinstance(functions, dict) else None
    if not isinstance(unary, dict) or "nradmax_by_orders" not in unary or "lmax_by_orders" not in unary:
        _fail(source, None, "potential.functions needs UNARY (or ALL) with nradmax_by_orders and lmax_by_orders")
    nradmax, lmax = list(unary["nradmax_by_orders"]), list(unary["lmax_by_orders"])
    if not nradmax or len(nradmax) != len(lmax):
        _fail(
            source, None, f"nradmax_by_orders {nradmax} and lmax_by_orders {lmax} must be non-empty and of one length"
        )
    bonds = get("potential", "bonds")
    bond = bonds.get("UNARY", bonds.get("ALL")) if isinstance(bonds, dict) else None
    if not isinstance(bond, dict) or "rcut" not in bond:
        _fail(source, None, "potential.bonds needs UNARY (or ALL) with rcut")
    embeddings = get("potential", "embeddings")
    embedding = embeddings.get("UNARY", embeddings.get("ALL", {})) if isinstance(embeddings, dict) else {}
    kappa = float(get("fit", "loss", "kappa"))
    if not 0 < kappa < 1:
        _fail(source, None, f"fit.loss.kappa must be in (0, 1), got {kappa}")
    data = get("data")
    return {
        "elements": list(get("potential", "elements")),
        "cutoff_A": float(bond["rcut"]),
        "nradmax_by_orders": [int(v) for v in nradmax],
        "lmax_by_orders": [int(v) for v in lmax],
        "kappa": kappa,
        "train_file": str(get("data", "filename")),
        "test_file": None if data.get("test_filename") is None else str(data["test_filename"]),
        "optimizer": str(document.get("fit", {}).get("optimizer", "")),
        "ladder_step": document.get("fit", {}).get("ladder_step"),
        "radbase": str(bond.get("radbase", "")),
        "embedding": {"npot": embedding.get("npot"), "fs_parameters": embedding.get("fs_parameters")},
    }


_REFERENCE_ENERGY = re.compile(r"Computed single-atom reference energy: (\{[^}]*\})")


def parse_pacemaker_reference_energy(text: str, source: str = "<text>") -> dict | None:
    """The per-atom reference energy pacemaker fitted (``log.txt``: "Computed single-atom reference
    energy: {'C': e, 'shift': s}"), in eV; None if the log has no such line."""
    found = _REFERENCE_ENERGY.findall(text)
    if not found:
        return None
    values = dict(re.findall(r"'(\w+)':\s*([-+0-9.eE]+)", found[-1]))
    if not values:
        _fail(source, None, f"unreadable reference energy {found[-1]!r}")
    return {key: float(value) for key, value in values.items()}


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TABLE_ROW = re.compile(r"^│\s*(\S[^│]*?)\s*│\s*([-0-9.]+)\s*│\s*([-0-9.]+)\s*│\s*([-0-9.]+)\s*│\s*$")


def strip_ansi(text: str) -> str:
    """The text without its ANSI colour and style codes (Julia's REPL and logs print them)."""
    return _ANSI.sub("", text)


def parse_julia_tables(text: str, source: str = "<text>") -> list[dict]:
    """The tables ``linear_errors`` prints (PrettyTables; columns Type, E [meV], F [eV/A], V [meV]).

    Returns one dict per table, in order: ``{type: (E meV/atom, F eV/A)}`` (rows between the header
    and the end of the table; the ``set`` row is the whole set). A table without rows, or a row
    whose numbers cannot be read, is an error.
    """
    tables, current = [], None
    for number, raw in enumerate(strip_ansi(text).splitlines(), 1):
        line = raw.strip()
        if line.startswith("│") and "E [meV]" in line:
            if "F [eV/A]" not in line:
                _fail(source, number, f"unexpected table header {line!r}")
            current = {}
            tables.append(current)
            continue
        if current is None or not line.startswith("│"):
            if line.startswith("└") and current is not None:
                if not current:
                    _fail(source, number, "a table without rows")
                current = None
            continue
        match = _TABLE_ROW.match(line)
        if not match:
            _fail(source, number, f"unreadable table row {line!r}")
        current[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    if current is not None and not current:
        _fail(source, None, "the last table has no rows")
    return tables
