"""The ACEpotentials.jl fits of the snapshot (``acejulia/``): the run folders and what their logs and
saved potentials say (:class:`AceRuns`), their error and dimer-curve files (:class:`AceFiles`), and the
silicon MAE matrices of ``acejulia/si_errors`` (:class:`SiMatrices`). The package docstring
(:mod:`linace.study.paper`) says how a run folder's name reads."""

from __future__ import annotations

import re

from linace.study.paper.parsers import parse_dimer_curve, parse_error_matrix, parse_julia_errors, strip_ansi
from linace.study.paper.records import (
    Collector,
    FitSetup,
    PaperFormatError,
    PublishedDimerCurve,
    PublishedErrors,
)
from linace.study.paper.snapshot import Snapshot

__all__ = [
    "ACE_RUN",
    "SI_MATRIX_DEGREES",
    "SI_MATRIX_ROWS",
    "AceFiles",
    "AceRuns",
    "SiMatrices",
    "overlap_notes",
]

#: A file of an ACE.jl run folder: ``acejulia/<set>[_purify]/<degrees>/ecost<w>/[damp<d>/]<file>``
#: or ``acejulia/<set>[_purify]/border<N>/<file>``.
ACE_RUN = re.compile(
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
#: The rows (training sets) of the si_errors matrices, by kind; their columns are the degrees.
SI_MATRIX_ROWS = {"ind": ("Si2", "Si23", "Si234", "Si2345"), "ood": ("Si345", "Si3", "Si4", "Si5")}
SI_MATRIX_DEGREES = ("24.20", "24.20.16", "24.20.16.12")

_ELEMENT_E0 = {"C": -245.44385736, "Si": -7881.32677981122}  # eV, their OneBody Vref (trainmodel*.jl)
_ACE_CUTOFF = {"Si": 6.0, "C": 5.0}  # A, trainmodel_v2.jl ("Silicon cutoff") and trainmodel.jl ("dia, gen")


def _element(set_name: str) -> str:
    return "Si" if set_name.startswith("Si") else "C"


def _cluster_sizes(set_name: str) -> frozenset[str]:
    match = re.match(r"^Si(\d+)", set_name)
    return frozenset(match.group(1)) if match else frozenset()


def overlap_notes(training_set: str, validation_set: str) -> tuple[str, ...]:
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


class AceRuns:
    """The ACE.jl run folders of a snapshot: the basis sizes and ``border<N>`` degrees their training
    logs (``acejulia/*.out``) record, the one-body energy of their saved potentials, and the
    :class:`~linace.study.paper.records.FitSetup` of a run folder (:meth:`setup`)."""

    def __init__(self, snapshot: Snapshot):
        self.snap = snapshot
        self.paths = snapshot.paths()
        self.potentials: dict[str, list[str]] = {}
        for path in self.paths:
            if path.startswith("acejulia/") and path.endswith(".json"):
                self.potentials.setdefault(path.rsplit("/", 1)[0], []).append(path)
        self._e0: dict[str, float | None] = {}
        self.basis_sizes = self._basis_sizes()
        self.border_degrees = self._border_degrees()

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
            text = strip_ansi(self.snap.text(path))
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

    def e0(self, folder: str) -> float | None:
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

    def _degrees(self, match: re.Match, folder: str, notes: list[str]) -> tuple[tuple[int, ...] | None, str | None]:
        """The degrees of a run and their label (e.g. "24.20.16"): from the folder's name, else from
        the log that made a ``border<N>`` run, else (None, None); how they are known goes to ``notes``."""
        if match["degrees"]:
            return tuple(int(d) for d in match["degrees"].split(".")), match["degrees"]
        if folder in self.border_degrees:
            degrees, log, _ = self.border_degrees[folder]
            notes.append(f"degrees and energy weight of border{match['border']} from {log}")
            return degrees, ".".join(map(str, degrees))
        notes.append(f"border{match['border']}: body order {match['border']}; degrees not recorded in the snapshot")
        return None, None

    def setup(self, match: re.Match, folder: str, file: str) -> FitSetup:
        """The fit of run folder ``folder`` (``match``: :data:`ACE_RUN` on one of its files, named ``file``)."""
        set_name = match["set"]
        element = _element(set_name)
        notes = []
        degrees, label = self._degrees(match, folder, notes)
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
        e0 = self.e0(folder)
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

    def folder_setup(self, folder: str) -> FitSetup:
        """The fit of a run folder named by its path (``acejulia/<set>[_purify]/<degrees>/ecost<w>``),
        whether or not the snapshot holds files of it."""
        return self.setup(ACE_RUN.match(folder + "/x"), folder, "x")


class AceFiles:
    """The error files (``errors*.dat``, ``trainerrors.dat``, ``testerrors.dat``) and dimer curves
    (``dimercurve*.dat``) of the ACE.jl run folders: one record per file."""

    def __init__(self, snapshot: Snapshot, runs: AceRuns, out: Collector):
        self.snap, self.runs, self.out = snapshot, runs, out

    def read(self) -> None:
        for path in self.snap.paths():
            if not path.startswith("acejulia/") or path.startswith("acejulia/si_errors/"):
                continue
            file = path.rsplit("/", 1)[-1]
            if file not in _ACE_ERROR_FILES and file not in _ACE_CURVE_FILES:
                if file == "dimers.dat":
                    self.out.skip(path, "a second export of the folder's dimercurve.dat")
                continue
            match = ACE_RUN.match(path)
            if not match:
                self.out.skip(path, "not in a run folder <set>/<degrees>/ecost<w>/")
                continue
            if not self.snap.available(path):
                self.out.skip(path, "content absent from the snapshot")
                continue
            folder = path.rsplit("/", 1)[0]
            setup = self.runs.setup(match, folder, file)
            if file in _ACE_CURVE_FILES:
                r, energy = parse_dimer_curve(self.snap.text(path), path)
                self.out.curves.append(
                    PublishedDimerCurve(setup, _ACE_CURVE_FILES[file], r, energy, self.snap.source(path))
                )
            else:
                self.out.errors.append(self._errors(path, file, setup))

    def _errors(self, path: str, file: str, setup: FitSetup) -> PublishedErrors:
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
            notes.extend(how + overlap_notes(setup.training_set, validation))
            if validation == setup.training_set:
                split = "train"
                notes.append("testerrors.dat of a fit on this very set: training errors")
        if errors["rmse"]["set"]["F"] is None:
            notes.append(
                "forces not evaluated (force error written as 0: force key 'force' for a set whose key is 'forces')"
            )
        return PublishedErrors(
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
            rows = SI_MATRIX_ROWS[kind]
            matrix_path = f"acejulia/si_errors/{kind}_vsetSi5_en_err{'_pure' if setup.variant == 'pure' else ''}.dat"
            if (
                setup.training_set not in rows
                or label not in SI_MATRIX_DEGREES
                or setup.energy_weight != 50.0
                or not self.snap.available(matrix_path)
            ):
                continue
            matrix = parse_error_matrix(self.snap.text(matrix_path), matrix_path)
            value = 1000.0 * matrix[rows.index(setup.training_set), SI_MATRIX_DEGREES.index(label)]
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


class SiMatrices:
    """The MAE matrices of ``acejulia/si_errors``: one record per (training set, degrees, basis
    variant, validation set), its energy and force MAE from the two matrices of that set."""

    def __init__(self, snapshot: Snapshot, runs: AceRuns, out: Collector):
        self.snap, self.runs, self.out = snapshot, runs, out

    def read(self) -> None:
        for (training_set, label, pure, vset), entry in sorted(self._cells().items()):
            if "E" not in entry or "F" not in entry:
                raise PaperFormatError(
                    f"acejulia/si_errors: energy and force matrices of {vset} do not pair ({training_set}, {label})"
                )
            setup = self.runs.folder_setup(f"acejulia/{training_set}{'_purify' if pure else ''}/{label}/ecost50.0")
            split = "train" if vset == training_set else "test"
            notes = (
                "mean absolute errors (the notebook writes errs[...]['mae'])",
                f"force MAE from {entry['sources'][1].path}",
                "energy weight 50 (ecost50.0): the only one of the silicon run logs (acejulia/SI*.out)",
            ) + overlap_notes(training_set, vset)
            self.out.errors.append(
                PublishedErrors(setup, split, vset, None, None, entry["E"], entry["F"], entry["sources"][0], notes)
            )

    def _cells(self) -> dict[tuple, dict]:
        """{(training set, degrees label, pure, validation set): {"E": meV/atom, "F": eV/A,
        "sources": [the Source of each matrix cell read]}}."""
        cells: dict[tuple, dict] = {}
        for path in self.snap.paths():
            match = _SI_MATRIX.match(path)
            if not match:
                continue
            matrix = parse_error_matrix(self.snap.text(path), path)
            suffix = "_train" if match["vset"].endswith("_val") else ""
            for i, base in enumerate(SI_MATRIX_ROWS[match["kind"]]):
                for j, label in enumerate(SI_MATRIX_DEGREES):
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
        return cells
