"""The JSON of the published numbers (``data/paper/published_fits.json``): written once from the
records of a snapshot (:func:`write_published`), read back as records (:func:`read_published`), and
the selections the study makes of them (:func:`published_fits`, :func:`published_dimer_curves`,
:func:`matching`)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from linace.io import write_atomic
from linace.study.datasets import REPOSITORY_DATA_DIR
from linace.study.paper.records import (
    WEIGHT_CONVENTIONS,
    FitSetup,
    PaperFormatError,
    PublishedDimerCurve,
    PublishedErrors,
    Source,
)

__all__ = [
    "CITATION",
    "DEFAULT_ALIASES",
    "FORMAT_VERSION",
    "PUBLISHED_FITS",
    "REPOSITORY",
    "matches",
    "matching",
    "published_dimer_curves",
    "published_fits",
    "read_published",
    "write_published",
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

_ERROR_DIGITS = 7  # significant digits kept of an error (the files carry 16; the notebook prints 3 decimals)
_METRICS = ("rmse_energy_meV", "rmse_forces_eV_A", "mae_energy_meV", "mae_forces_eV_A")
_ENERGY_DECIMALS = 5  # a dimer-curve energy is kept to 1e-5 eV (the files carry 16 digits)


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


def _preamble(commit: str) -> dict:
    """The document's head: what it holds, whose numbers, from which commit, in which units."""
    return {
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
    }


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
        **_preamble(commit),
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
