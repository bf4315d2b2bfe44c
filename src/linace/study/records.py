"""A typed, read-only view of a run record (:mod:`linace.study.results` writes the JSON).

A run record is the JSON of one trained potential (``results/<run-id>.json``; its keys are listed in
:mod:`linace.study.results`). Code that reads records goes through :class:`RunRecord` rather than
indexing the JSON, so that a key is spelled in one place::

    records = load_records("results")                    # list[RunRecord], sorted by file name
    for record in by_body_order(select(records, training_set="diverse", variant="pure")):
        print(record.body_order, record.test_error(), record.distance_to_dft)

:func:`select` filters on run parameters, :func:`group_by` groups on them, :func:`by_body_order`
sorts by K. A :class:`RunRecord` is also a read-only mapping over the JSON (``record["fit"]``) for
the few places that need a key this view does not name.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linace.analysis import DimerCurve

__all__ = [
    "RUNNERS",
    "RunRecord",
    "as_record",
    "as_records",
    "body_orders",
    "by_body_order",
    "group_by",
    "load_records",
    "read_record",
    "select",
]

#: The run parameters every record has (``parameters``); others (``train_size``, ``draw``,
#: ``energy_zero``, ``basis_size``, ...) are present only on the runs that vary them.
CORE_PARAMETERS = ("body_order", "training_set", "variant", "regularisation")

#: The runners that write records, each adding a block of its own name to the records it writes
#: (with the ``input_hash`` that decides whether a run is up to date): the sweep of notebooks
#: (:mod:`linace.study.sweep`), the resampled runs (:mod:`linace.study.resample`) and the runs of the
#: alternatives (:mod:`linace.study.robustness`).
RUNNERS = ("sweep", "resample", "robustness")


@dataclass(frozen=True, eq=False)
class RunRecord(Mapping):
    """One run record: the parsed JSON (``data``) and the file it came from (``path``, or None).

    The properties name what the study reads; units are in their names or docstrings (energies
    meV/atom, forces eV/A, dimer energies eV, distances A).
    """

    data: Mapping[str, Any]
    path: str | None = field(default=None, compare=False)

    # -- the read-only mapping over the JSON ------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        if key == "path" and self.path is not None:
            return self.path
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    # a record is one run: equal only to itself (the mapping's value equality would make
    # records of identical runs interchangeable in sets and dicts)
    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    # -- run parameters ---------------------------------------------------------------------
    @property
    def parameters(self) -> Mapping[str, Any]:
        """Every run parameter (body_order, training_set, variant, regularisation, and any other
        axis the run varied)."""
        return self.data["parameters"]

    def parameter(self, name: str, default: Any = None) -> Any:
        """One run parameter, ``default`` where the run did not set it."""
        return self.parameters.get(name, default)

    @property
    def body_order(self) -> int:
        """K, the maximum body order of the basis (correlation order + 1)."""
        return int(self.parameters["body_order"])

    @property
    def training_set(self) -> str:
        """The name of the training set (``a+b`` for a union)."""
        return self.parameters["training_set"]

    @property
    def variant(self) -> str:
        """The basis variant: ``standard`` or ``pure`` (without self-interaction)."""
        return self.parameters["variant"]

    @property
    def regularisation(self) -> str:
        """The solver: ``blr`` (Bayesian linear regression) or ``ridge`` ..."""
        return self.parameters["regularisation"]

    @property
    def train_size(self) -> int | None:
        """The number of training structures drawn (resampled runs), None for the whole set."""
        size = self.parameters.get("train_size")
        return None if size is None else int(size)

    @property
    def draw(self) -> int | None:
        """The draw (seed index) of a resampled run, None for the whole set."""
        draw = self.parameters.get("draw")
        return None if draw is None else int(draw)

    # -- basis and fit ----------------------------------------------------------------------
    @property
    def basis_size(self) -> int:
        """The number of basis functions."""
        return int(self.data["basis"]["size"])

    @property
    def basis_parameters(self) -> Mapping[str, Any]:
        """The basis parameters saved with the run (element, cut-off, truncation, pure, ...)."""
        return self.data["basis"]["parameters"]

    @property
    def element(self) -> str:
        """The chemical symbol (carbon for records written before it was saved, or without a basis)."""
        return self.data.get("basis", {}).get("parameters", {}).get("element", "C")

    @property
    def functions_per_body_order(self) -> dict[int, int]:
        """Number of basis functions per body order."""
        return {int(k): int(v) for k, v in self.data["basis"]["functions_per_body_order"].items()}

    @property
    def fit(self) -> Mapping[str, Any]:
        """What the solver reported (alpha, beta, iterations, seconds, energy zero ...)."""
        return self.data["fit"]

    # -- errors -----------------------------------------------------------------------------
    def errors(self, split: str = "test", group: str | None = "all") -> Mapping[str, Any]:
        """The error table of one split (``train`` or ``test``) and one group of structures (``all``
        or a config_type): RMSE/MAE of energies (meV/atom) and forces (eV/A) and ``n_structures``;
        ``group=None``: the tables of every group of the split, {group: table}."""
        tables = self.data["errors"][split]
        return tables if group is None else tables[group]

    @property
    def test_errors(self) -> Mapping[str, float]:
        """The errors on the whole test set (:meth:`errors` of ``test``, ``all``)."""
        return self.errors("test")

    @property
    def train_errors(self) -> Mapping[str, float]:
        """The errors on the whole training set."""
        return self.errors("train")

    @property
    def held_out(self) -> Mapping[str, Mapping]:
        """The errors on the other held-out sets of the data directory, by set name ({} if none)."""
        return self.data["errors"].get("held_out", {})

    def test_error(self, quantity: str = "energy_rmse_meV_per_atom") -> float:
        """One number of :attr:`test_errors` (default the energy RMSE, meV/atom)."""
        return float(self.test_errors[quantity])

    # -- dimer ------------------------------------------------------------------------------
    @property
    def dimer(self) -> DimerCurve:
        """The potential's dimer curve E(r) - 2 E0 (eV on r in A) with its body-order parts."""
        return DimerCurve.from_dict(self.data["dimer"])

    @property
    def dimer_summary(self) -> Mapping[str, Any]:
        """Distance to DFT (eV), minimum position (A) and depth (eV), over ``range_A``."""
        return self.data["dimer_summary"]

    @property
    def distance_to_dft(self) -> float:
        """Mean absolute difference (eV) between the potential's dimer curve and DFT's over the
        comparison range."""
        return float(self.dimer_summary["distance_to_dft_eV"])

    @property
    def comparison_range(self) -> tuple[float, float] | None:
        """The range (A) the dimer summary was computed over, None for records without one."""
        recorded = self.dimer_summary.get("range_A") if "dimer_summary" in self.data else None
        return (float(recorded[0]), float(recorded[1])) if recorded else None

    # -- provenance -------------------------------------------------------------------------
    @property
    def provenance(self) -> Mapping[str, Any]:
        """linace version, source digest, data checksums, creation time and data directory."""
        return self.data["provenance"]

    @property
    def source_digest(self) -> str | None:
        """The SHA-256 of the code that made the run (:func:`linace.study.source_digest`; None if not
        recorded)."""
        return self.data.get("provenance", {}).get("linace_source_sha256")

    @property
    def data_dir(self) -> str | None:
        """The data directory of the run (None: the committed data)."""
        return self.provenance.get("data_dir")

    @property
    def dimer_summary_absolute(self) -> Mapping[str, Any]:
        """For a fitted energy zero (``energy_zero="fit"``), the dimer summary of the curve taken against
        two DFT atoms rather than two of the potential's own ({} for other runs)."""
        return self.data.get("dimer_summary_absolute", {})

    @property
    def created(self) -> str:
        """When the record was made (ISO 8601, UTC; '' for a record without provenance)."""
        return self.data.get("provenance", {}).get("created", "")

    def runner(self, name: str) -> Mapping[str, Any]:
        """The block a runner of :data:`RUNNERS` added to the record (``input_hash``, run id, for the
        sweep the executed ``notebook`` ...), {} if that runner did not write it."""
        if name not in RUNNERS:
            raise ValueError(f"unknown runner {name!r}; known: {', '.join(RUNNERS)}")
        return self.data.get(name, {})

    def input_hash(self, runner: str) -> str | None:
        """The input hash ``runner`` recorded when it wrote the record (None if it did not write it):
        equal to the current one, the run is up to date."""
        return self.runner(runner).get("input_hash")

    # -- derived records --------------------------------------------------------------------
    def updated(self, **entries: Any) -> RunRecord:
        """A new record with top-level ``entries`` replaced or added (the same ``path``); this one is
        unchanged. E.g. ``record.updated(dimer_summary=...)`` for the record measured against another
        reference."""
        return RunRecord({**self.data, **entries}, self.path)

    def __repr__(self) -> str:
        p = self.parameters
        return (
            f"RunRecord(K={p.get('body_order')}, training_set={p.get('training_set')!r}, "
            f"variant={p.get('variant')!r}, path={self.path!r})"
        )


def read_record(path: str | os.PathLike) -> RunRecord:
    """The run record in the JSON file ``path``.

    Raises OSError if it cannot be read, ValueError if it is not JSON or not a JSON object."""
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict):
        raise ValueError(f"a run record is a JSON object, not a {type(data).__name__}")
    return RunRecord(data, str(path))


def load_records(directory: str | os.PathLike) -> list[RunRecord]:
    """Every readable run record in ``directory`` (``*.json``, sorted by file name), each with its
    ``path``; unreadable ones (not JSON, or without run parameters) are skipped with a warning that
    names them. Also :func:`linace.study.results.load_results`."""
    records = []
    for path in sorted(Path(directory).glob("*.json")):
        try:
            record = read_record(path)
            record.parameters["body_order"]  # noqa: B018  (a record must have parameters)
        except (OSError, ValueError, KeyError, TypeError) as error:
            warnings.warn(f"skipping unreadable result {path}: {error}", stacklevel=2)
            continue
        records.append(record)
    return records


def as_record(record: Mapping | RunRecord) -> RunRecord:
    """A record as :class:`RunRecord` (a raw JSON dict is wrapped, its ``path`` key taken along)."""
    return record if isinstance(record, RunRecord) else RunRecord(record, record.get("path"))


def as_records(records: Iterable[Mapping | RunRecord]) -> list[RunRecord]:
    """Records as :class:`RunRecord` (raw JSON dicts are wrapped; a ``path`` key is taken along)."""
    return [as_record(r) for r in records]


def select(records: Iterable[RunRecord], **parameters) -> list[RunRecord]:
    """The records whose run parameters equal all those given (``select(records, body_order=4,
    variant="pure")``); a parameter a record does not set matches None."""
    return [r for r in as_records(records) if all(r.parameters.get(k) == v for k, v in parameters.items())]


def by_body_order(records: Iterable[RunRecord]) -> list[RunRecord]:
    """The records sorted by body order K (stable: ties keep their order)."""
    return sorted(as_records(records), key=lambda record: record.body_order)


def group_by(
    records: Iterable[RunRecord], *names: str | Callable[[RunRecord], Hashable]
) -> dict[Hashable, list[RunRecord]]:
    """Records grouped on run parameters (or functions of a record), in order of first appearance;
    each group sorted by body order. One name gives plain keys, several give tuples::

        group_by(records, "training_set")              # {"diverse": [K=2, K=3, ...], ...}
        group_by(records, "training_set", "variant")   # {("diverse", "pure"): [...], ...}
    """
    if not names:
        raise ValueError("group_by needs at least one parameter name or function")

    def value(record: RunRecord, name) -> Hashable:
        return name(record) if callable(name) else record.parameters.get(name)

    groups: dict[Hashable, list[RunRecord]] = {}
    for record in as_records(records):
        key = tuple(value(record, name) for name in names)
        groups.setdefault(key[0] if len(names) == 1 else key, []).append(record)
    return {key: by_body_order(group) for key, group in groups.items()}


def body_orders(records: Sequence[RunRecord]) -> list[int]:
    """The distinct body orders of ``records``, ascending."""
    return sorted({record.body_order for record in as_records(records)})
