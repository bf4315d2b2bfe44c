"""The authors' published fits: their error files and dimer curves, read from their repository.

Tan, Pellegrini and de Gironcoli (arXiv:2502.16125) published their inputs and outputs in the
GitHub repository ``apolmiguel/aceconverge2025`` (the snapshot read here: commit c0719c89ef0f,
2025-07-09). This module reads the numbers they published about their fits, one parser per file
format, into typed records with provenance (file path, commit, SHA-256 of the file), so that our
runs can be set beside theirs. Only derived numbers are kept (errors and dimer curves, with their
source); structure files and code are never copied (``data/README.md``, "The paper's published
data", says why).

The formats, and what their numbers mean:

``acejulia/<set>[_purify]/<degrees>/ecost<w>/[damp<d>/]`` - one ACEpotentials.jl fit (v0.6.7).
    ``<degrees>`` (e.g. ``24.20.16``) are ACE1x's ``totaldegree`` per correlation order
    ν = 1..K-1, so the body order is K = (number of fields) + 1 (``trainmodel.jl``: ``order =
    len(degrees)``; ``plots_response.ipynb`` labels 24.20, 24.20.16, 24.20.16.12 as K = 3, 4, 5).
    ``_purify``: ACE1x ``pure=true`` (self-interaction-free basis), else the standard basis.
    ``ecost<w>``: energy weight w with force weight 1 (``weights = Dict("default" => Dict("E" =>
    w, "F" => 1.0))``; ACEpotentials multiplies the row E_total/√N by w). ``damp<d>``: the LSQR
    exploration with a smoothness prior (``acejulia/Tr100_n/ecost50.out``); files ``*_BLR.*`` in
    those folders are Bayesian-regression fits. ``border<N>`` folders: body order K = N (older
    runs; ``acejulia/Tr1k_n_purify/purify_border3to5.out`` gives their degrees).
``errors.dat``, ``trainerrors.dat``, ``testerrors.dat`` (:func:`parse_julia_errors`)
    ``writedlm`` of ACEpotentials' ``linear_errors``: lines ``rmse<TAB>Dict(...)`` and
    ``mae<TAB>Dict(...)``, per config type and ``set``; E is the error of the energy per atom
    (eV/atom), F of the force components (eV/A). A value of exactly 0 means "not evaluated" (the
    force key was not found: several silicon files were written with ``force_key = "force"``
    while the silicon files call it ``forces``) and is read as missing. The carbon ``errors.dat``
    hold TRAINING errors (checked against the tables of ``julia_tests_response.ipynb``); the
    silicon ``testerrors.dat`` are errors on ``datasets/Si5.xyz`` (checked against
    ``acejulia/si_errors``).
``dimercurve*.dat`` (:func:`parse_dimer_curve`)
    ``r E`` per line from ``ACEpotentials.dimers``: r in A, E = E_pot(dimer) - 2 E_pot(atom) in eV
    (the potential's dimer energy minus two isolated atoms; the isolated atom's energy is the
    potential's one-body term E0, the DFT atom). ``dimercurve_v2.dat``: the same with only the
    pair part kept (the first 24 coefficients, "Keeping only 2-body coefficients", cell 26 of
    ``julia_tests_response.ipynb``).
``acejulia/si_errors/{ind,ood}_vset<V>_{en,f}_err[_pure].dat`` (:func:`parse_error_matrix`)
    4 x 3 matrices of mean ABSOLUTE errors (not RMSE) on the set ``V``: energy (eV/atom) or force
    components (eV/A); columns the degrees 24.20, 24.20.16, 24.20.16.12; rows the training sets
    (``ind``: Si2, Si23, Si234, Si2345; ``ood``: Si345, Si3, Si4, Si5; with ``_train`` when ``V``
    is a ``_val`` set), as the notebook that wrote them orders its keys (cells 11 and 20).
``julia_tests_response.ipynb`` (:func:`parse_julia_tables`)
    the printed ``linear_errors`` tables (RMSE then MAE, E in meV/atom, F in eV/A, 3 decimals):
    the only published carbon test errors (Tr1k_n on Val1k_n, ecost 10) and the only RMSE of the
    silicon train/validation splits.
``pacemaker/.../input.yaml`` (:func:`parse_pacemaker_input`) and ``[test_]{ladder,cycle}_metrics.txt``
    (:func:`parse_pacemaker_metrics`): pacemaker (pyace 0.3.0) fits; the last row is the final
    potential: ``rmse_epa`` (eV/atom), ``rmse_f_comp``, ``mae_f_comp`` (eV/A), ``nfuncs``.
    ``kappa`` is pacemaker's relative force weight (energy:force = (1 - κ):κ in its loss).
    pacemaker fits its own per-atom reference energy (``log.txt``: "Computed single-atom reference
    energy", read by :func:`parse_pacemaker_reference_energy`).

Units of every record: energies meV/atom, forces eV/A (per Cartesian component), distances A,
dimer energies eV. ::

    python -m linace.study.paper extract /work/.mirror/apolmiguel+aceconverge2025/repo \\
        --out data/paper/published_fits.json

    from linace.study import paper
    paper.published_fits(element="Si", split="test")       # list[PublishedErrors]
    paper.published_dimer_curves(element="C")               # list[PublishedDimerCurve]
    paper.matching(paper.published_fits(), element="C", training_set="diverse",
                   body_order=4, variant="pure")
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from linace.io import write_atomic
from linace.study.datasets import REPOSITORY_DATA_DIR

__all__ = [
    "CITATION",
    "DEFAULT_ALIASES",
    "FitSetup",
    "PUBLISHED_FITS",
    "PaperFormatError",
    "PublishedDimerCurve",
    "PublishedErrors",
    "REPOSITORY",
    "Snapshot",
    "Source",
    "extract",
    "is_damping_scan",
    "main",
    "matches",
    "matching",
    "parse_dimer_curve",
    "parse_error_matrix",
    "parse_julia_errors",
    "parse_julia_tables",
    "parse_pacemaker_input",
    "parse_pacemaker_metrics",
    "parse_pacemaker_reference_energy",
    "published_dimer_curves",
    "published_fits",
    "read_published",
    "write_published",
    "WEIGHT_CONVENTIONS",
]

REPOSITORY = "apolmiguel/aceconverge2025"
CITATION = (
    "A. M. Tan, F. Pellegrini, S. de Gironcoli, Convergence of body-orders in linear atomic cluster "
    "expansions, arXiv:2502.16125 (2025); data and fits: GitHub apolmiguel/aceconverge2025"
)
#: The committed JSON of the published numbers.
PUBLISHED_FITS = REPOSITORY_DATA_DIR / "paper" / "published_fits.json"
FORMAT_VERSION = 1

#: Our training-set names that stand for a set of theirs (element -> ours -> theirs), for
#: :func:`matches`. Only the correspondences the issue states: their "diverse" set is Tr1k_n, their
#: dimers Tr124_dim. Their silicon sets keep their names (Si2, Si23, ..., Si2345_train).
DEFAULT_ALIASES: Mapping[str, Mapping[str, str]] = {"C": {"diverse": "Tr1k_n", "dimers": "Tr124_dim"}, "Si": {}}

_ELEMENT_E0 = {"C": -245.44385736, "Si": -7881.32677981122}  # eV, their OneBody Vref (trainmodel*.jl)
_ACE_CUTOFF = {"Si": 6.0, "C": 5.0}  # A, trainmodel_v2.jl ("Silicon cutoff") and trainmodel.jl ("dia, gen")
_ERROR_DIGITS = 7  # significant digits kept of an error (the files carry 16; the notebook prints 3 decimals)
_METRICS = ("rmse_energy_meV", "rmse_forces_eV_A", "mae_energy_meV", "mae_forces_eV_A")
_ENERGY_DECIMALS = 5  # a dimer-curve energy is kept to 1e-5 eV (the files carry 16 digits)
#: What an energy weight means, by ``FitSetup.weight_convention``.
WEIGHT_CONVENTIONS = {
    "ACEpotentials.jl": "energy_weight w_E multiplies the row E_total/sqrt(N) (N atoms), the force weight 1 each "
    "force component; in linace.fit.Weights (energy per atom) that is w_E sqrt(N) per structure",
    "pacemaker": "loss = (1 - kappa) x energy term + kappa x force term (pacemaker's normalisations); "
    "energy_weight = (1 - kappa) / kappa",
}


class PaperFormatError(ValueError):
    """A published file does not have the format this module reads (names the file and line)."""


# --------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Source:
    """Where a published number was read: file path in the repository, commit, SHA-256 of the file
    (hex), and where in the file (e.g. a notebook cell) when the file holds more than one thing."""

    path: str
    commit: str
    sha256: str
    where: str = ""


@dataclass(frozen=True)
class FitSetup:
    """One published fit: code, data, basis and weights.

    ``code`` "ace.jl" (ACEpotentials.jl, linear ACE) or "pacemaker"; ``element`` "C" or "Si";
    ``training_set`` their set name (``datasets/<name>.xyz`` or pacemaker's folder name);
    ``body_order`` K (2..5); ``variant`` "standard" or "pure" (self-interaction-free);
    ``degrees`` ACE1x total degree per correlation order ν = 1..K-1 (ace.jl); ``basis_spec`` the
    basis as the authors name it; ``basis_size`` number of basis functions (None: not recorded);
    ``cutoff_A`` the cut-off (A); ``energy_weight`` energy:force weight with forces 1
    (``weight_convention`` says whose convention); ``kappa`` pacemaker's relative force weight;
    ``solver``; ``e0_eV`` the fit's isolated-atom energy (eV; the zero of its dimer curve);
    ``run`` the run's folder in the repository; ``notes`` what was inferred and from where.
    """

    code: str
    element: str
    training_set: str
    body_order: int
    variant: str
    degrees: tuple[int, ...] | None
    basis_spec: str
    basis_size: int | None
    cutoff_A: float | None
    energy_weight: float | None
    weight_convention: str
    kappa: float | None
    solver: str
    e0_eV: float | None
    run: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublishedErrors:
    """Published errors of one fit on one set.

    ``split`` "train" (the set the fit was trained on) or "test" (another set, ``validation_set``;
    ``notes`` say when it shares structures with the training set). Energies in meV/atom (errors of
    the energy per atom), forces in eV/A (per Cartesian component); None where not published.
    """

    setup: FitSetup
    split: str
    validation_set: str
    rmse_energy_meV: float | None
    rmse_forces_eV_A: float | None
    mae_energy_meV: float | None
    mae_forces_eV_A: float | None
    source: Source
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class PublishedDimerCurve:
    """A published dimer curve of one fit: r (A, increasing) and E(r) = E_pot(dimer) - 2 E_pot(atom)
    (eV; the potential's isolated atom is its one-body term ``setup.e0_eV``). ``part`` "full" or
    "pair" (only the pair potential's coefficients kept)."""

    setup: FitSetup
    part: str
    r_A: np.ndarray
    energy_eV: np.ndarray
    source: Source


# --------------------------------------------------------------------------- parsers (one per format)
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


def parse_julia_tables(text: str, source: str = "<text>") -> list[dict]:
    """The tables ``linear_errors`` prints (PrettyTables; columns Type, E [meV], F [eV/A], V [meV]).

    Returns one dict per table, in order: ``{type: (E meV/atom, F eV/A)}`` (rows between the header
    and the end of the table; the ``set`` row is the whole set). A table without rows, or a row
    whose numbers cannot be read, is an error.
    """
    tables, current = [], None
    for number, raw in enumerate(_ANSI.sub("", text).splitlines(), 1):
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


# --------------------------------------------------------------------------- the snapshot
class Snapshot:
    """A git snapshot of the authors' repository (a bare git directory), read at one commit."""

    def __init__(self, git_dir: str | os.PathLike, ref: str = "HEAD"):
        self.git_dir = Path(git_dir)
        if not self.git_dir.is_dir():
            raise FileNotFoundError(f"no git directory at {self.git_dir}")
        self.commit = self._git("rev-parse", f"{ref}^{{commit}}").decode().strip()
        self._sizes = {}
        for line in self._git("ls-tree", "-r", "-l", "-z", self.commit).split(b"\0"):
            if not line:
                continue
            meta, path = line.decode().split("\t", 1)
            mode, kind, blob, size = meta.split()
            if kind == "blob":
                self._sizes[path] = (blob, size)
        self._cache: dict[str, bytes] = {}

    def _git(self, *args: str) -> bytes:
        result = subprocess.run(["git", f"--git-dir={self.git_dir}", *args], capture_output=True)
        if result.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed in {self.git_dir}: {result.stderr.decode().strip()}")
        return result.stdout

    def paths(self) -> list[str]:
        """Every file path of the commit (sorted)."""
        return sorted(self._sizes)

    def available(self, path: str) -> bool:
        """The file is in the commit and its content is in the snapshot (large files may be absent)."""
        return path in self._sizes and self._sizes[path][1] != "-" and self._read(path) is not None

    def _read(self, path: str) -> bytes | None:
        if path not in self._cache:
            blob = self._sizes[path][0]
            result = subprocess.run(["git", f"--git-dir={self.git_dir}", "cat-file", "blob", blob], capture_output=True)
            self._cache[path] = result.stdout if result.returncode == 0 else None
        return self._cache[path]

    def head(self, path: str, size: int = 4096) -> bytes | None:
        """The first ``size`` bytes of a file (not cached; None if its content is absent)."""
        if path not in self._sizes or self._sizes[path][1] == "-":
            return None
        if path in self._cache:
            return None if self._cache[path] is None else self._cache[path][:size]
        with subprocess.Popen(
            ["git", f"--git-dir={self.git_dir}", "cat-file", "blob", self._sizes[path][0]],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as process:
            data = process.stdout.read(size)
            process.kill()
        return data or None

    def read(self, path: str) -> bytes:
        if path not in self._sizes:
            raise FileNotFoundError(f"{path} is not in commit {self.commit[:12]} of {self.git_dir}")
        data = self._read(path)
        if data is None:
            raise FileNotFoundError(
                f"{path} is listed in commit {self.commit[:12]} but its content is absent "
                f"from the snapshot {self.git_dir}"
            )
        return data

    def text(self, path: str) -> str:
        return self.read(path).decode("utf-8")

    def source(self, path: str, where: str = "") -> Source:
        return Source(path, self.commit, hashlib.sha256(self.read(path)).hexdigest(), where)


# --------------------------------------------------------------------------- extraction
_ACE_RUN = re.compile(
    r"^acejulia/(?P<set>[A-Za-z0-9_]+?)(?P<pure>_purify)?/"
    r"(?:(?P<degrees>\d+(?:\.\d+)+)/ecost(?P<ecost>[0-9.]+)|border(?P<border>\d))/"
    r"(?:damp(?P<damp>[0-9.eE+-]+)/)?(?P<file>[^/]+)$"
)
_ACE_ERROR_FILES = {
    "errors.dat": "train",
    "errors_BLR.dat": "train",
    "errors_pure.dat": "train",
    "trainerrors.dat": "train",
    "testerrors.dat": "test",
}
_ACE_CURVE_FILES = {
    "dimercurve.dat": "full",
    "dimercurve_BLR.dat": "full",
    "dimercurve_pure.dat": "full",
    "dimercurve_LSQR.dat": "full",
    "dimercurve_v2.dat": "pair",
}
_SI_MATRIX = re.compile(
    r"^acejulia/si_errors/(?P<kind>ind|ood)_vset(?P<vset>\w+?)_(?P<quantity>en|f)_err"
    r"(?P<pure>_pure)?\.dat$"
)
_SI_MATRIX_ROWS = {"ind": ("Si2", "Si23", "Si234", "Si2345"), "ood": ("Si345", "Si3", "Si4", "Si5")}
_SI_MATRIX_DEGREES = ("24.20", "24.20.16", "24.20.16.12")
_NOTEBOOK = "julia_tests_response.ipynb"


def _element(set_name: str) -> str:
    return "Si" if set_name.startswith("Si") else "C"


def _cluster_sizes(set_name: str) -> frozenset[str]:
    match = re.match(r"^Si(\d+)", set_name)
    return frozenset(match.group(1)) if match else frozenset()


def _overlap_notes(training_set: str, validation_set: str) -> tuple[str, ...]:
    """What the names say about shared structures of two silicon sets (SiABC holds the clusters of
    sizes A, B, C; ``_train``/``_val`` are 90/10 splits of each file made independently by
    ``xyz_analyzer.py``, shuffle seed 42)."""
    train_base, val_base = training_set.removesuffix("_train"), validation_set.removesuffix("_val")
    sizes_train, sizes_val = _cluster_sizes(train_base), _cluster_sizes(val_base)
    if not sizes_val or not sizes_val <= sizes_train or training_set == validation_set:
        return ()
    if train_base == val_base and training_set.endswith("_train") and validation_set.endswith("_val"):
        return ()
    if not training_set.endswith("_train"):
        return (f"the structures of {validation_set} are part of the training set {training_set}",)
    return (
        f"{validation_set} and {training_set} come from separate 90/10 splits (xyz_analyzer.py): they "
        "may share structures",
    )


class _Extraction:
    """Reads every published number of a snapshot into records (see :func:`extract`)."""

    def __init__(self, snapshot: Snapshot):
        self.snap = snapshot
        self.paths = snapshot.paths()
        self.errors: list[PublishedErrors] = []
        self.curves: list[PublishedDimerCurve] = []
        self.skipped: list[dict] = []
        self.potentials: dict[str, list[str]] = {}
        for path in self.paths:
            if path.startswith("acejulia/") and path.endswith(".json"):
                self.potentials.setdefault(path.rsplit("/", 1)[0], []).append(path)
        self._e0: dict[str, float | None] = {}
        self.basis_sizes = self._basis_sizes()
        self.border_degrees = self._border_degrees()

    # ---- metadata from the run logs
    def _logs(self) -> list[str]:
        return [p for p in self.paths if p.startswith("acejulia/") and p.endswith(".out") and self.snap.available(p)]

    def _basis_sizes(self) -> dict[str, tuple[int, str]]:
        """Number of basis functions per degree label, from the training logs ("Basis for 24.20
        created, with 297 basis functions."). The same label must give the same size everywhere."""
        sizes: dict[str, tuple[int, str]] = {}
        for path in self._logs():
            for label, size in re.findall(r"Basis for (\S+) created, with (\d+) basis functions", self.snap.text(path)):
                if label in sizes and sizes[label][0] != int(size):
                    raise PaperFormatError(
                        f"{path}: basis {label} has {size} functions, {sizes[label][1]} says {sizes[label][0]}"
                    )
                sizes.setdefault(label, (int(size), path))
        return sizes

    def _border_degrees(self) -> dict[str, tuple[tuple[int, ...], str, float | None]]:
        """Degrees (and energy weight) of the ``border<N>`` runs from the logs that made them
        ("degrees = [40, 10]" then 'basis_bin["border3"] created'; "Weights: Dict(... "E" => 50.0
        ...)"), keyed by the run folder: (degrees, log path, weight or None)."""
        found = {}
        for path in self._logs():
            text = _ANSI.sub("", self.snap.text(path))
            pairs = re.findall(r"degrees = \[([0-9, ]+)\]\s+basis_bin\[\"(border\d)\"\] created", text)
            weight = re.findall(r'Weights: Dict\("\w+" => Dict\("E" => ([0-9.]+), "F" => 1\.0\)\)', text)
            folder = path.rsplit("/", 1)[0]
            for degrees, label in pairs:
                found[f"{folder}/{label}"] = (
                    tuple(int(d) for d in degrees.split(",")),
                    path,
                    float(weight[-1]) if len(set(weight)) == 1 else None,
                )
        return found

    def _run_e0(self, folder: str) -> float | None:
        """The one-body energy E0 (eV) of the potentials saved in a run folder (their dimer curves'
        zero), if any potential file is in the snapshot; one value or an error."""
        if folder in self._e0:
            return self._e0[folder]
        values = set()
        for path in self.potentials.get(folder, ()):
            head = self.snap.head(path)
            if head is None:
                continue
            match = re.search(r'"E0"\s*:\s*\{\s*"(\w+)"\s*:\s*([-+0-9.eE]+)', head.decode("utf-8", "replace"))
            if match:
                values.add(float(match.group(2)))
        if len(values) > 1:
            raise PaperFormatError(f"{folder}: potentials with different E0 {sorted(values)}")
        self._e0[folder] = values.pop() if values else None
        return self._e0[folder]

    # ---- ACEpotentials.jl
    def _ace_setup(self, match: re.Match, folder: str, file: str) -> FitSetup:
        set_name = match["set"]
        element = _element(set_name)
        notes = []
        if match["degrees"]:
            degrees = tuple(int(d) for d in match["degrees"].split("."))
            label = match["degrees"]
        elif folder in self.border_degrees:
            degrees, log, _ = self.border_degrees[folder]
            label = ".".join(map(str, degrees))
            notes.append(f"degrees and energy weight of border{match['border']} from {log}")
        else:
            degrees, label = None, None
            notes.append(f"border{match['border']}: body order {match['border']}; degrees not recorded in the snapshot")
        body_order = len(degrees) + 1 if degrees else int(match["border"])
        if match["border"] and degrees and len(degrees) + 1 != int(match["border"]):
            raise PaperFormatError(f"{folder}: border{match['border']} but degrees {degrees} (K = {len(degrees) + 1})")
        size = self.basis_sizes.get(label) if label else None
        if size:
            notes.append(f"basis size from {size[1]}")
        pure = bool(match["pure"]) or file.endswith("_pure.dat")
        if file.endswith("_BLR.dat") or not (match["damp"] or file.endswith("_LSQR.dat")):
            solver = "BLR (ACEfit.BLR)"
        else:
            solver = "LSQR with a smoothness prior" + (f", damp {match['damp']}" if match["damp"] else "")
        cutoff = _ACE_CUTOFF[element]
        if set_name == "Tr124_dim":
            cutoff = None
            notes.append("cut-off not recorded (trainmodel.jl uses 7.0 A for dimer sets, 5.0 A otherwise)")
        ecost = float(match["ecost"]) if match["ecost"] else None
        if ecost is None and folder in self.border_degrees:
            ecost = self.border_degrees[folder][2]
        if ecost is None:
            notes.append("energy weight not in the folder name")
        e0 = self._run_e0(folder)
        if e0 is None:
            e0 = _ELEMENT_E0[element]
            notes.append("E0 from trainmodel.jl (no potential file in the run folder)")
        return FitSetup(
            code="ace.jl",
            element=element,
            training_set=set_name,
            body_order=body_order,
            variant="pure" if pure else "standard",
            degrees=degrees,
            basis_spec=f"totaldegree {list(degrees)}" if degrees else f"border{match['border']}",
            basis_size=size[0] if size else None,
            cutoff_A=cutoff,
            energy_weight=ecost,
            weight_convention="ACEpotentials.jl",
            kappa=None,
            solver=solver,
            e0_eV=e0,
            run=folder,
            notes=tuple(notes),
        )

    def _ace_files(self) -> None:
        for path in self.paths:
            if not path.startswith("acejulia/") or path.startswith("acejulia/si_errors/"):
                continue
            file = path.rsplit("/", 1)[-1]
            if file not in _ACE_ERROR_FILES and file not in _ACE_CURVE_FILES:
                if file == "dimers.dat":
                    self.skipped.append({"path": path, "reason": "a second export of the folder's dimercurve.dat"})
                continue
            match = _ACE_RUN.match(path)
            if not match:
                self.skipped.append({"path": path, "reason": "not in a run folder <set>/<degrees>/ecost<w>/"})
                continue
            if not self.snap.available(path):
                self.skipped.append({"path": path, "reason": "content absent from the snapshot"})
                continue
            folder = path.rsplit("/", 1)[0]
            setup = self._ace_setup(match, folder, file)
            if file in _ACE_CURVE_FILES:
                r, energy = parse_dimer_curve(self.snap.text(path), path)
                self.curves.append(
                    PublishedDimerCurve(setup, _ACE_CURVE_FILES[file], r, energy, self.snap.source(path))
                )
                continue
            errors = parse_julia_errors(self.snap.text(path), path)
            split = _ACE_ERROR_FILES[file]
            notes = []
            if file.startswith("errors"):
                notes.append(
                    "training errors: errors*.dat are written on the training set (checked against "
                    "julia_tests_response.ipynb cell 8 for Tr1k_n, ecost 10)"
                )
            validation = setup.training_set
            if split == "test":
                validation, how = self._si_test_set(setup, errors, path)
                notes.extend(how + _overlap_notes(setup.training_set, validation))
                if validation == setup.training_set:
                    split = "train"
                    notes.append("testerrors.dat of a fit on this very set: training errors")
            if errors["rmse"]["set"]["F"] is None:
                notes.append(
                    "forces not evaluated (force error written as 0: force key 'force' for a set whose key is 'forces')"
                )
            self.errors.append(
                PublishedErrors(
                    setup,
                    split,
                    validation,
                    errors["rmse"]["set"]["E"],
                    errors["rmse"]["set"]["F"],
                    errors["mae"]["set"]["E"],
                    errors["mae"]["set"]["F"],
                    self.snap.source(path),
                    tuple(notes),
                )
            )

    def _si_test_set(self, setup: FitSetup, errors: dict, path: str) -> tuple[str, tuple[str, ...]]:
        """The set a silicon ``testerrors.dat`` was computed on, and how that is known.

        plots_response.ipynb plots them as "validating on Si5"; where an ``si_errors`` matrix on Si5
        holds the same fit (ecost 50, degrees 24.20...), its energy MAE must agree (to 0.1 %: the
        two were written by separate evaluations, which differ in the fifth digit) or this is an
        error. Without such a matrix (the ecost-10 runs) the set is "unknown".
        """
        mae = errors["mae"]["set"]["E"]
        label = ".".join(map(str, setup.degrees)) if setup.degrees else None
        for kind in ("ood", "ind"):
            rows = _SI_MATRIX_ROWS[kind]
            matrix_path = f"acejulia/si_errors/{kind}_vsetSi5_en_err{'_pure' if setup.variant == 'pure' else ''}.dat"
            if (
                setup.training_set not in rows
                or label not in _SI_MATRIX_DEGREES
                or setup.energy_weight != 50.0
                or not self.snap.available(matrix_path)
            ):
                continue
            matrix = parse_error_matrix(self.snap.text(matrix_path), matrix_path)
            value = 1000.0 * matrix[rows.index(setup.training_set), _SI_MATRIX_DEGREES.index(label)]
            if mae is None or abs(value - mae) > 1e-3 * value:
                raise PaperFormatError(
                    f"{path}: energy MAE {mae} meV/atom, but {matrix_path} gives {value} for the same fit on Si5"
                )
            return "Si5", (
                f"computed on datasets/Si5.xyz: its energy MAE agrees with {matrix_path} to "
                f"{abs(value - mae) / value:.0e}",
            )
        return "unknown", (
            "the set it was computed on is not recorded (plots_response.ipynb validates the "
            "ecost-50 fits on Si5; no matrix confirms this one)",
        )

    def _si_matrices(self) -> None:
        """The MAE matrices of ``acejulia/si_errors``: one record per (training set, degrees)."""
        cells: dict[tuple, dict] = {}
        for path in self.paths:
            match = _SI_MATRIX.match(path)
            if not match:
                continue
            matrix = parse_error_matrix(self.snap.text(path), path)
            suffix = "_train" if match["vset"].endswith("_val") else ""
            for i, base in enumerate(_SI_MATRIX_ROWS[match["kind"]]):
                for j, label in enumerate(_SI_MATRIX_DEGREES):
                    key = (base + suffix, label, bool(match["pure"]), match["vset"])
                    value = float(matrix[i, j])
                    entry = cells.setdefault(key, {"sources": []})
                    if match["quantity"] == "en":
                        entry["E"] = 1000.0 * value  # eV/atom -> meV/atom
                    else:
                        entry["F"] = value
                    entry["sources"].append(
                        self.snap.source(path, f"row {i + 1} ({base + suffix}), column {j + 1} ({label})")
                    )
        for (training_set, label, pure, vset), entry in sorted(cells.items()):
            if "E" not in entry or "F" not in entry:
                raise PaperFormatError(
                    f"acejulia/si_errors: energy and force matrices of {vset} do not pair ({training_set}, {label})"
                )
            folder = f"acejulia/{training_set}{'_purify' if pure else ''}/{label}/ecost50.0"
            match = _ACE_RUN.match(folder + "/x")
            setup = self._ace_setup(match, folder, "x")
            split = "train" if vset == training_set else "test"
            notes = (
                "mean absolute errors (the notebook writes errs[...]['mae'])",
                f"force MAE from {entry['sources'][1].path}",
                "energy weight 50 (ecost50.0): the only one of the silicon run logs (acejulia/SI*.out)",
            ) + _overlap_notes(training_set, vset)
            self.errors.append(
                PublishedErrors(setup, split, vset, None, None, entry["E"], entry["F"], entry["sources"][0], notes)
            )

    # ---- the notebook's printed tables
    def _notebook(self) -> None:
        path = _NOTEBOOK
        if not self.snap.available(path):
            self.skipped.append({"path": path, "reason": "content absent from the snapshot"})
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
                self._notebook_cell(path, index, _code_lines(source), tables)

    def _notebook_cell(self, path: str, index: int, code: str, tables: list[dict]) -> None:
        where = f"{path}, cell {index}"

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
        if len(tables) % 2:
            raise PaperFormatError(f"{where}: {len(tables)} tables; linear_errors prints an RMSE and an MAE table")
        order = [(d, b, c) for d in dsets for b in basisvals for c in calls]
        if len(tables) // 2 > len(order):
            raise PaperFormatError(f"{where}: {len(tables) // 2} printed results for {len(order)} calls")
        for k in range(len(tables) // 2):
            dset, basis, (target, kind) = order[k]
            rmse, mae = tables[2 * k], tables[2 * k + 1]
            if "set" not in rmse or "set" not in mae:
                raise PaperFormatError(f"{where}: result {k + 1} has no 'set' row")
            pure = target == "errs_pure"
            folder = f"acejulia/{dset}{'_purify' if pure else ''}/{basis}/ecost{ecost}"
            setup = self._ace_setup(_ACE_RUN.match(folder + "/x"), folder, "x")
            validation = dset if kind == "train" else vset
            values = {"rmse": rmse["set"], "mae": mae["set"]}
            source = self.snap.source(
                path,
                f"cell {index}, printed linear_errors result {k + 1} of {len(order)} "
                f"({target}[{kind!r}], {dset}, {basis})",
            )
            if self._check_printed(folder, kind, validation, values, where, k):
                continue  # the same numbers are in a file, at full precision
            self.errors.append(
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
                    + (_overlap_notes(dset, validation) if kind != "train" else ()),
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
        match = _ACE_RUN.match(folder + "/x")
        base = match["set"].removesuffix("_train")
        suffix = "_train" if match["set"].endswith("_train") else ""
        for kind, rows in _SI_MATRIX_ROWS.items():
            path = f"acejulia/si_errors/{kind}_vset{validation}_en_err{'_pure' if match['pure'] else ''}.dat"
            if (
                base in rows
                and match["degrees"] in _SI_MATRIX_DEGREES
                and self.snap.available(path)
                and suffix == ("_train" if validation.endswith("_val") else "")
            ):
                matrix = parse_error_matrix(self.snap.text(path), path)
                return 1000.0 * matrix[rows.index(base), _SI_MATRIX_DEGREES.index(match["degrees"])]
        return None

    # ---- pacemaker
    def _pacemaker(self) -> None:
        for path in self.paths:
            if not (path.startswith("pacemaker/") and path.endswith("/input.yaml")):
                continue
            folder = path.rsplit("/", 1)[0]
            spec = parse_pacemaker_input(self.snap.text(path), path)
            final = {}
            for split, names in (
                ("train", ("ladder_metrics.txt", "cycle_metrics.txt")),
                ("test", ("test_ladder_metrics.txt", "test_cycle_metrics.txt")),
            ):
                for name in names:
                    metrics_path = f"{folder}/{name}"
                    if self.snap.available(metrics_path):
                        rows = parse_pacemaker_metrics(self.snap.text(metrics_path), metrics_path)
                        if rows:
                            final[split] = (rows[-1], metrics_path)
                            break
            if not final:
                self.skipped.append(
                    {"path": folder, "reason": "no metrics rows (the fit did not finish or its metrics are absent)"}
                )
                continue
            nfuncs = {row["nfuncs"] for row, _ in final.values()}
            if len(nfuncs) != 1:
                raise PaperFormatError(
                    f"{folder}: train and test metrics of different bases ({sorted(nfuncs)} functions)"
                )
            if spec["elements"] != ["C"] and spec["elements"] != ["Si"]:
                raise PaperFormatError(f"{path}: expected one element, C or Si, got {spec['elements']}")
            notes = [
                f"training file {spec['train_file']}",
                "pacemaker fits the radial functions too (nonlinear); its basis functions are counted by nfuncs",
            ]
            reference = None
            if self.snap.available(f"{folder}/log.txt"):
                reference = parse_pacemaker_reference_energy(self.snap.text(f"{folder}/log.txt"), f"{folder}/log.txt")
            if reference:
                notes.append(f"fitted per-atom reference energy {reference} eV (log.txt)")
            else:
                notes.append("fitted per-atom reference energy not recorded in the snapshot (log.txt absent)")
            kappa = spec["kappa"]
            setup = FitSetup(
                code="pacemaker",
                element=spec["elements"][0],
                training_set=folder.split("/")[1],
                body_order=len(spec["nradmax_by_orders"]) + 1,
                variant="standard",
                degrees=None,
                basis_spec=f"nradmax_by_orders {spec['nradmax_by_orders']}, lmax_by_orders {spec['lmax_by_orders']}",
                basis_size=nfuncs.pop(),
                cutoff_A=spec["cutoff_A"],
                energy_weight=(1 - kappa) / kappa,
                weight_convention="pacemaker",
                kappa=kappa,
                solver=f"pacemaker {spec['optimizer']}"
                + (f", ladder step {spec['ladder_step']}" if spec["ladder_step"] else ""),
                e0_eV=None,
                run=folder,
                notes=tuple(notes),
            )
            for split, (row, metrics_path) in sorted(final.items()):
                validation = setup.training_set if split == "train" else _stem(spec["test_file"] or "")
                self.errors.append(
                    PublishedErrors(
                        setup,
                        split,
                        validation,
                        1000.0 * row["rmse_epa"],
                        row["rmse_f_comp"],
                        None,
                        row.get("mae_f_comp"),
                        self.snap.source(metrics_path, "last row (the final potential)"),
                        (f"test file {spec['test_file']}",) if split == "test" else (),
                    )
                )

    def run(self) -> None:
        self._ace_files()
        self._si_matrices()
        self._notebook()
        self._pacemaker()


def _code_lines(source: str) -> str:
    """Julia source without comments (``#`` to the end of a line, outside strings is enough here)."""
    return "\n".join(line.split("#", 1)[0] for line in source.splitlines())


def _julia_strings(expression: str, where: str) -> list[str]:
    values = re.findall(r'"([^"]*)"', expression)
    if not values:
        raise PaperFormatError(f"{where}: expected string literal(s), got {expression.strip()!r}")
    return values


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    for suffix in (".pckl.gzip", ".pkl.gz", ".xyz", ".extxyz"):
        name = name.removesuffix(suffix)
    return name


def is_damping_scan(setup: FitSetup) -> bool:
    """A fit of the authors' regularisation scan (a ``damp<d>/`` run folder), not of the study's grid."""
    return "/damp" in setup.run


def extract(snapshot: Snapshot) -> tuple[list[PublishedErrors], list[PublishedDimerCurve], list[dict]]:
    """Every published error and dimer curve of the snapshot: (errors, curves, skipped files with the
    reason). Checks the readings against each other where two files hold the same number."""
    extraction = _Extraction(snapshot)
    extraction.run()
    return extraction.errors, extraction.curves, extraction.skipped


# --------------------------------------------------------------------------- the JSON
def _setup_key(setup: FitSetup) -> str:
    return hashlib.sha256(json.dumps(asdict(setup), sort_keys=True).encode()).hexdigest()[:12]


def _compact_grid(r: np.ndarray):
    """A uniform grid as {"linspace": [start, stop, n]} (exact to 1e-9 A), else the list."""
    grid = np.linspace(r[0], r[-1], len(r))
    if np.max(np.abs(grid - r)) <= 1e-9:
        return {"linspace": [float(r[0]), float(r[-1]), len(r)]}
    return [float(x) for x in r]


def _expand_grid(value) -> np.ndarray:
    if isinstance(value, dict):
        start, stop, n = value["linspace"]
        return np.linspace(start, stop, int(n))
    return np.array(value, dtype=float)


def write_published(
    errors: Sequence[PublishedErrors],
    curves: Sequence[PublishedDimerCurve],
    path: str | os.PathLike,
    commit: str,
    skipped: Sequence[dict] = (),
) -> dict:
    """Write the records as one JSON and return the document.

    Shared things are written once: the setups (entries name theirs by a key), the source files
    with their SHA-256 (entries give the path), the notes (entries give their indices); a curve's r
    as ``{"linspace": [start, stop, n]}`` when uniform, its energies to 1e-5 eV.
    """
    if any(record.source.commit != commit for record in [*errors, *curves]):
        raise ValueError(f"every record must come from commit {commit}")
    notes: dict[str, int] = {}
    files: dict[str, str] = {}

    def note_ids(texts: Sequence[str]) -> list[int]:
        return [notes.setdefault(text, len(notes)) for text in texts]

    def source(record) -> dict:
        known = files.setdefault(record.source.path, record.source.sha256)
        if known != record.source.sha256:
            raise ValueError(f"{record.source.path}: two SHA-256 for one file")
        return {"path": record.source.path, **({"where": record.source.where} if record.source.where else {})}

    setups: dict[str, dict] = {}
    for record in [*errors, *curves]:
        key = _setup_key(record.setup)
        if key not in setups:
            setups[key] = {**asdict(record.setup), "notes": note_ids(record.setup.notes)}
    error_entries = [
        {
            "setup": _setup_key(e.setup),
            "split": e.split,
            "validation_set": e.validation_set,
            **{
                name: float(f"{value:.{_ERROR_DIGITS}g}")
                for name in _METRICS
                if (value := getattr(e, name)) is not None
            },
            "source": source(e),
            "notes": note_ids(e.notes),
        }
        for e in errors
    ]
    curve_entries = [
        {
            "setup": _setup_key(c.setup),
            "part": c.part,
            "r_A": _compact_grid(c.r_A),
            "energy_eV": [round(float(v), _ENERGY_DECIMALS) + 0.0 for v in c.energy_eV],
            "source": source(c),
        }
        for c in curves
    ]
    document = {
        "description": "Published results of the fits of arXiv:2502.16125, read from the authors' repository by "
        "linace.study.paper (python -m linace.study.paper extract). Derived numbers only, each with "
        "its source file (path, SHA-256 in 'files') at 'commit'; see data/README.md, 'The paper's "
        "published data'.",
        "citation": CITATION,
        "repository": REPOSITORY,
        "commit": commit,
        "format_version": FORMAT_VERSION,
        "units": {
            "energy_errors": "meV/atom (error of the energy per atom)",
            "force_errors": "eV/A (per Cartesian component)",
            "r": "A",
            "dimer_energy": "eV, E_pot(dimer) - 2 E_pot(isolated atom), the atom being the fit's e0_eV",
            "precision": f"errors to {_ERROR_DIGITS} significant digits, dimer energies to "
            f"1e-{_ENERGY_DECIMALS} eV; a metric not published is absent",
        },
        "weight_conventions": WEIGHT_CONVENTIONS,
        "setups": dict(sorted(setups.items())),
        "errors": error_entries,
        "dimer_curves": curve_entries,
        "notes": list(notes),
        "files": dict(sorted(files.items())),
        "skipped": _group_skipped(skipped),
    }
    write_atomic(path, _dumps(document))
    return document


def _group_skipped(skipped: Sequence[Mapping]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for entry in skipped:
        grouped.setdefault(entry["reason"], []).append(entry["path"])
    return grouped


def _dumps(document: Mapping) -> str:
    """JSON with one line per entry of the top-level collections (readable, small diffs)."""

    def compact(value) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    lines = ["{"]
    items = list(document.items())
    for number, (key, value) in enumerate(items):
        end = "," if number < len(items) - 1 else ""
        if isinstance(value, dict) and value and key not in ("units",):
            inner = [f"  {compact(k)}: {compact(v)}" for k, v in value.items()]
            lines.append(f" {compact(key)}: {{\n" + ",\n".join(inner) + f"\n }}{end}")
        elif isinstance(value, list) and value:
            inner = [f"  {compact(v)}" for v in value]
            lines.append(f" {compact(key)}: [\n" + ",\n".join(inner) + f"\n ]{end}")
        else:
            lines.append(f" {compact(key)}: {compact(value)}{end}")
    return "\n".join(lines) + "\n}\n"


def read_published(path: str | os.PathLike | None = None) -> tuple[list[PublishedErrors], list[PublishedDimerCurve]]:
    """Read a published-fits JSON (default: the committed ``data/paper/published_fits.json``)."""
    path = Path(PUBLISHED_FITS if path is None else path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no published fits at {path}; make it with python -m linace.study.paper extract SNAPSHOT --out {path}"
        )
    try:
        document = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise PaperFormatError(f"{path}, line {error.lineno}: not valid JSON ({error.msg})") from None
    if document.get("format_version") != FORMAT_VERSION:
        raise PaperFormatError(
            f"{path}: format_version {document.get('format_version')!r}, this code reads {FORMAT_VERSION}"
        )
    commit, files, notes = document["commit"], document["files"], document["notes"]

    def resolve_notes(ids: Sequence[int], what: str) -> tuple[str, ...]:
        if any(not isinstance(i, int) or not 0 <= i < len(notes) for i in ids):
            raise PaperFormatError(f"{path}: {what} names notes {list(ids)}; there are {len(notes)}")
        return tuple(notes[i] for i in ids)

    setups = {}
    for key, value in document["setups"].items():
        values = dict(value)
        values["degrees"] = None if values["degrees"] is None else tuple(values["degrees"])
        values["notes"] = resolve_notes(values.get("notes", ()), f"setup {key}")
        setups[key] = FitSetup(**values)

    def setup(key: str) -> FitSetup:
        if key not in setups:
            raise PaperFormatError(f"{path}: an entry names setup {key!r}, which is not in 'setups'")
        return setups[key]

    def source(entry: Mapping) -> Source:
        if entry["path"] not in files:
            raise PaperFormatError(f"{path}: source {entry['path']!r} is not in 'files'")
        return Source(entry["path"], commit, files[entry["path"]], entry.get("where", ""))

    errors = []
    for e in document["errors"]:
        if e.get("split") not in ("train", "test"):
            raise PaperFormatError(f"{path}: error entry of {e['source']['path']} has split {e.get('split')!r}")
        errors.append(
            PublishedErrors(
                setup(e["setup"]),
                e["split"],
                e["validation_set"],
                *(e.get(name) for name in _METRICS),
                source(e["source"]),
                resolve_notes(e.get("notes", ()), f"error entry of {e['source']['path']}"),
            )
        )
    curves = []
    for c in document["dimer_curves"]:
        r, energy = _expand_grid(c["r_A"]), np.array(c["energy_eV"], dtype=float)
        if r.shape != energy.shape:
            raise PaperFormatError(
                f"{path}: dimer curve of {c['source']['path']}: {len(r)} distances, {len(energy)} energies"
            )
        curves.append(PublishedDimerCurve(setup(c["setup"]), c["part"], r, energy, source(c["source"])))
    return errors, curves


def _select(records: Iterable, element: str | None, code: str | None):
    return [
        r for r in records if (element is None or r.setup.element == element) and (code is None or r.setup.code == code)
    ]


def published_fits(
    element: str | None = None, code: str | None = None, split: str | None = None, path: str | os.PathLike | None = None
) -> list[PublishedErrors]:
    """The published errors (of the committed JSON, or ``path``), optionally of one element ("C",
    "Si"), code ("ace.jl", "pacemaker") and split ("train", "test")."""
    if split not in (None, "train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    errors, _ = read_published(path)
    return [e for e in _select(errors, element, code) if split is None or e.split == split]


def published_dimer_curves(
    element: str | None = None, code: str | None = None, path: str | os.PathLike | None = None
) -> list[PublishedDimerCurve]:
    """The published dimer curves (of the committed JSON, or ``path``), optionally of one element
    and code."""
    _, curves = read_published(path)
    return _select(curves, element, code)


def matches(
    record: PublishedErrors | PublishedDimerCurve,
    *,
    element: str,
    training_set: str,
    body_order: int,
    variant: str,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> bool:
    """Whether a published record is the counterpart of one of our runs: same element, body order
    K and basis variant ("standard"/"pure"), and training set, where ``training_set`` is their set
    name or one of ours that ``aliases`` (default :data:`DEFAULT_ALIASES`) maps to theirs."""
    if variant not in ("standard", "pure"):
        raise ValueError(f"variant must be 'standard' or 'pure', got {variant!r}")
    aliases = DEFAULT_ALIASES if aliases is None else aliases
    theirs = aliases.get(element, {}).get(training_set, training_set)
    setup = record.setup
    return (
        setup.element == element
        and setup.body_order == body_order
        and setup.variant == variant
        and setup.training_set == theirs
    )


def matching(
    records: Iterable,
    *,
    element: str,
    training_set: str,
    body_order: int,
    variant: str,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> list:
    """The records of :func:`matches` (e.g. those of our run ``record``, a
    :class:`~linace.study.records.RunRecord`: ``matching(published_fits(), element=record.element,
    training_set=record.training_set, body_order=record.body_order, variant=record.variant)``)."""
    return [
        r
        for r in records
        if matches(
            r, element=element, training_set=training_set, body_order=body_order, variant=variant, aliases=aliases
        )
    ]


# --------------------------------------------------------------------------- command line
def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m linace.study.paper",
        description="The published fits of arXiv:2502.16125, read from the authors' repository.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    extract_parser = commands.add_parser("extract", help="read a git snapshot of the repository and write the JSON")
    extract_parser.add_argument("snapshot", help="the repository's git directory (bare or .git)")
    extract_parser.add_argument("--out", default=str(PUBLISHED_FITS), help="the JSON to write (default: %(default)s)")
    extract_parser.add_argument("--ref", default="HEAD", help="the commit to read (default: HEAD)")
    extract_parser.add_argument(
        "--curves",
        choices=("main", "all"),
        default="main",
        help="dimer curves to keep: 'main' leaves out the LSQR-damping scans (run folders "
        "damp<d>/; their errors are kept), 'all' keeps them (default: %(default)s)",
    )
    arguments = parser.parse_args(argv)
    snapshot = Snapshot(arguments.snapshot, arguments.ref)
    errors, curves, skipped = extract(snapshot)
    if arguments.curves == "main":
        scans = [c for c in curves if is_damping_scan(c.setup)]
        curves = [c for c in curves if not is_damping_scan(c.setup)]
        skipped = skipped + [
            {"path": c.source.path, "reason": "dimer curve of an LSQR-damping scan (--curves all keeps it)"}
            for c in scans
        ]
    write_published(errors, curves, arguments.out, snapshot.commit, skipped)
    print(
        f"{len(errors)} error records, {len(curves)} dimer curves, {len(skipped)} files skipped, from commit "
        f"{snapshot.commit[:12]} -> {arguments.out} ({Path(arguments.out).stat().st_size / 1024:.0f} KiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
