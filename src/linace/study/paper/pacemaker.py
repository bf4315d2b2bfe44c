"""The pacemaker fits of the snapshot (``pacemaker/<set>/.../input.yaml`` with its metrics tables):
one record per run and split, from the last row of its metrics (:class:`PacemakerRuns`)."""

from __future__ import annotations

from linace.study.paper.parsers import (
    parse_pacemaker_input,
    parse_pacemaker_metrics,
    parse_pacemaker_reference_energy,
)
from linace.study.paper.records import Collector, FitSetup, PaperFormatError, PublishedErrors
from linace.study.paper.snapshot import Snapshot

__all__ = ["PacemakerRuns"]

#: The metrics tables of a run, by split, in the order they are looked for (ladder fits, then cycles).
_METRICS_FILES = (
    ("train", ("ladder_metrics.txt", "cycle_metrics.txt")),
    ("test", ("test_ladder_metrics.txt", "test_cycle_metrics.txt")),
)


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    for suffix in (".pckl.gzip", ".pkl.gz", ".xyz", ".extxyz"):
        name = name.removesuffix(suffix)
    return name


class PacemakerRuns:
    """Every pacemaker run folder (one ``input.yaml``): its fit and the errors of its final potential
    on the training and the test set; a run without metrics rows is skipped."""

    def __init__(self, snapshot: Snapshot, out: Collector):
        self.snap, self.out = snapshot, out

    def read(self) -> None:
        for path in self.snap.paths():
            if not (path.startswith("pacemaker/") and path.endswith("/input.yaml")):
                continue
            folder = path.rsplit("/", 1)[0]
            spec = parse_pacemaker_input(self.snap.text(path), path)
            final = self._final_rows(folder)
            if not final:
                self.out.skip(folder, "no metrics rows (the fit did not finish or its metrics are absent)")
                continue
            nfuncs = {row["nfuncs"] for row, _ in final.values()}
            if len(nfuncs) != 1:
                raise PaperFormatError(
                    f"{folder}: train and test metrics of different bases ({sorted(nfuncs)} functions)"
                )
            if spec["elements"] != ["C"] and spec["elements"] != ["Si"]:
                raise PaperFormatError(f"{path}: expected one element, C or Si, got {spec['elements']}")
            setup = self._setup(folder, spec, nfuncs.pop())
            for split, (row, metrics_path) in sorted(final.items()):
                validation = setup.training_set if split == "train" else _stem(spec["test_file"] or "")
                self.out.errors.append(
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

    def _final_rows(self, folder: str) -> dict[str, tuple[dict, str]]:
        """{split: (the last row of its first metrics table with rows, that table's path)}."""
        final = {}
        for split, names in _METRICS_FILES:
            for name in names:
                metrics_path = f"{folder}/{name}"
                if self.snap.available(metrics_path):
                    rows = parse_pacemaker_metrics(self.snap.text(metrics_path), metrics_path)
                    if rows:
                        final[split] = (rows[-1], metrics_path)
                        break
        return final

    def _setup(self, folder: str, spec: dict, nfuncs: int) -> FitSetup:
        """The fit of a run folder, from its ``input.yaml`` (``spec``) and its number of functions."""
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
        return FitSetup(
            code="pacemaker",
            element=spec["elements"][0],
            training_set=folder.split("/")[1],
            body_order=len(spec["nradmax_by_orders"]) + 1,
            variant="standard",
            degrees=None,
            basis_spec=f"nradmax_by_orders {spec['nradmax_by_orders']}, lmax_by_orders {spec['lmax_by_orders']}",
            basis_size=nfuncs,
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
