"""The command line of data directories: ``python -m linace.study.datasets {import,manifest,check}``.

``import`` brings published files in as a data directory (:func:`linace.study.importer.import_data`),
``manifest`` writes the manifest of a folder of one's own files (:func:`linace.study.datasets.write_manifest`),
and both end, like ``check``, by checking the folder (:func:`linace.study.datasets.check_data_dir`). The
options are :func:`linace.study.datasets.command_parser`'s. This module sits above both
:mod:`linace.study.datasets` and :mod:`linace.study.importer` (which imports the registry), so that the
registry never imports the importer.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from linace.study import datasets
from linace.study.datasets import DatasetError
from linace.study.importer import main_import

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m linace.study.datasets {import,manifest,check} ...``: bring data in, write or check a data
    directory. Errors are one line on stderr and exit code 1."""
    parser = datasets.command_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "import":
            meta = main_import(args)
            print(
                f"imported into {args.into}: "
                + ", ".join(f"{name} ({entry['n_structures']})" for name, entry in meta["sets"].items())
            )
            if args.partial:
                return 0
            path = args.into
        else:
            path = args.path
        if args.command == "manifest":
            roles = dict(item.partition("=")[::2] for item in args.role)
            meta = datasets.write_manifest(
                args.path,
                args.element,
                description=args.description,
                roles=roles,
                compare_range=args.compare_range,
                dimer_tail_tolerance=args.dimer_tail_tolerance,
            )
            print(
                f"wrote {Path(args.path) / datasets.MANIFEST}: "
                + ", ".join(f"{name} ({entry['n_structures']})" for name, entry in meta["sets"].items())
            )
        meta = datasets.check_data_dir(path)
    except DatasetError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    low, high = datasets.comparison_range(path)
    print(
        f"{path}: a data directory of {meta.get('element', datasets.DEFAULT_ELEMENT)} with sets "
        f"{', '.join(datasets.names(path))}; training sets {', '.join(datasets.training_set_names(path))}; "
        f"dimer curves compared over {low:.3f}-{high:.3f} A"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
