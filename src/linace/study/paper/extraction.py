"""Every published number of a snapshot of the authors' repository, read into records
(:func:`extract`), and the command line that writes them as the JSON (:func:`main`,
``python -m linace.study.paper extract``).

The readers, one per source of the authors' files, fill one
:class:`~linace.study.paper.records.Collector` in this order: the ACE.jl run folders
(:class:`~linace.study.paper.acejulia.AceFiles`), the silicon error matrices
(:class:`~linace.study.paper.acejulia.SiMatrices`), the notebook's printed tables
(:class:`~linace.study.paper.notebook.NotebookTables`), the pacemaker runs
(:class:`~linace.study.paper.pacemaker.PacemakerRuns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from linace.study.paper.acejulia import AceFiles, AceRuns, SiMatrices
from linace.study.paper.notebook import NotebookTables
from linace.study.paper.pacemaker import PacemakerRuns
from linace.study.paper.published import PUBLISHED_FITS, write_published
from linace.study.paper.records import Collector, FitSetup, PublishedDimerCurve, PublishedErrors
from linace.study.paper.snapshot import Snapshot

__all__ = ["extract", "is_damping_scan", "main"]


def is_damping_scan(setup: FitSetup) -> bool:
    """A fit of the authors' regularisation scan (a ``damp<d>/`` run folder), not of the study's grid."""
    return "/damp" in setup.run


def extract(snapshot: Snapshot) -> tuple[list[PublishedErrors], list[PublishedDimerCurve], list[dict]]:
    """Every published error and dimer curve of the snapshot: (errors, curves, skipped files with the
    reason). Checks the readings against each other where two files hold the same number."""
    out = Collector()
    runs = AceRuns(snapshot)
    AceFiles(snapshot, runs, out).read()
    SiMatrices(snapshot, runs, out).read()
    NotebookTables(snapshot, runs, out).read()
    PacemakerRuns(snapshot, out).read()
    return out.errors, out.curves, out.skipped


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
