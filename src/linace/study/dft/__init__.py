"""GPAW reference workflow: compute, cache and export the DFT data of an element in ``data/<element>/``.

This is the only package that needs GPAW (the ``dft`` extra); the loaders in
:mod:`linace.study.datasets` read the exported files with ase alone.

Physics (one set of settings for every structure, :class:`DFTSettings`)

* PBE, PAW setups of ``gpaw-data``, plane waves with cut-off ``ecut`` (eV).
* Periodic structures: Gamma-centred Monkhorst-Pack grid from a k-point density ``kpt_density``
  (points per 1/A, ASE convention: ``N_i = ceil(2 pi |b_i| kpt_density)`` with ``b_i`` the
  reciprocal vectors without the 2 pi; one point along non-periodic axes). Not spin-polarised.
* Periodic structures: Fermi-Dirac smearing of width ``width`` (eV). ``energy`` is GPAW's energy
  extrapolated to zero width; ``free_energy`` (the force-consistent Mermin energy) is stored too.
* Molecules (isolated atom, dimers, clusters): Gamma point, a slightly non-cubic box with ``vacuum``
  (A) on every side (every dimer in the box of the longest one), spin-polarised at fixed total
  moments, labelled by the state search of :mod:`linace.study.dft.states` (``generate`` of a molecular
  group). :func:`compute` with a molecule (one Fermi-Dirac run per moment of
  ``molecule_moments``) serves only the convergence check.

Workflow (``python -m linace.study.dft --help``)::

    python -m linace.study.dft converge                 # convergence check -> data/C/convergence.json
    python -m linace.study.dft generate --set dimers --workers 2
    python -m linace.study.dft export                   # data/C/*.extxyz + data/C/manifest.json
    python -m linace.study.dft generate-restricted --set dimers   # the spin-restricted reference
    python -m linace.study.dft export-restricted        # data/C/restricted/*.extxyz + manifest 'references'

``generate`` is resumable: each finished structure is written at once to an ASE SQLite database
(``data/<element>/dft_cache.db``); re-running skips every structure whose geometry and settings match a stored
row. Structures in flight when the run is killed are lost, nothing else. Calculations run in a
:class:`concurrent.futures.Executor` (a process pool by default; a Dask client's
``client.get_executor()`` can be passed to :func:`generate` instead).

Modules, in the order of the workflow:

* :mod:`~linace.study.dft.settings`: :class:`DFTSettings`, k-point grids, molecular boxes, digests;
* :mod:`~linace.study.dft.calculations`: one GPAW calculation (:func:`compute`);
* :mod:`~linace.study.dft.states`: the state search of molecules (every moment, several starts);
* :mod:`~linace.study.dft.cache`: the SQLite cache of finished structures;
* :mod:`~linace.study.dft.generation`: :func:`generate`, :func:`search_states`, :func:`label`;
* :mod:`~linace.study.dft.export`: the extxyz files and the manifest (:func:`export`);
* :mod:`~linace.study.dft.convergence`: the convergence check (:func:`converge`);
* :mod:`~linace.study.dft.restricted`: a second reference of the atom and the dimer curve, spin-restricted
  (non-spin-polarised), Fermi-Dirac smearing ``width``, E extrapolated to zero width
  (:func:`generate_restricted`, :func:`export_restricted`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable

from linace.study import structures
from linace.study.dft import states
from linace.study.dft.cache import CACHE_NAME, Cache
from linace.study.dft.calculations import compute
from linace.study.dft.convergence import CONVERGENCE_NAME, CONVERGENCE_REFERENCE, converge, convergence_cases
from linace.study.dft.export import KNOWN_ISSUES, export, provenance
from linace.study.dft.generation import (
    MOLECULAR_GROUPS,
    SCAN_GROUPS,
    STATE_SEARCH_DIR,
    generate,
    label,
    pool_split,
    search_states,
    tasks,
)
from linace.study.dft.restricted import (
    REFERENCE_KEY,
    RESTRICTED_DIR,
    RESTRICTED_GROUPS,
    SpinRestricted,
    export_restricted,
    generate_restricted,
)
from linace.study.dft.settings import (
    BOX_ASYMMETRY,
    DEFAULT_SETTINGS,
    DFTSettings,
    box_molecule,
    default_settings,
    geometry_digest,
    is_molecule,
    kpoint_grid,
    prepare,
)
from linace.study.dft.states import StateSearch

__all__ = [
    "BOX_ASYMMETRY",
    "CACHE_NAME",
    "CONVERGENCE_NAME",
    "CONVERGENCE_REFERENCE",
    "Cache",
    "DEFAULT_SETTINGS",
    "DFTSettings",
    "KNOWN_ISSUES",
    "MOLECULAR_GROUPS",
    "REFERENCE_KEY",
    "RESTRICTED_DIR",
    "RESTRICTED_GROUPS",
    "SCAN_GROUPS",
    "STATE_SEARCH_DIR",
    "SpinRestricted",
    "StateSearch",
    "box_molecule",
    "compute",
    "converge",
    "convergence_cases",
    "default_settings",
    "export",
    "export_restricted",
    "generate",
    "generate_restricted",
    "geometry_digest",
    "is_molecule",
    "kpoint_grid",
    "label",
    "main",
    "pool_split",
    "prepare",
    "provenance",
    "search_states",
    "states",
    "tasks",
]


def main(argv: Iterable[str] | None = None) -> int:
    """Command line:
    ``python -m linace.study.dft {generate,label,export,converge,generate-restricted,export-restricted}``."""
    parser = argparse.ArgumentParser(prog="python -m linace.study.dft", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="compute a set (resumable; cached in data/<element>/dft_cache.db)")
    g.add_argument(
        "--set",
        required=True,
        dest="group",
        help="isolated_atom, dimers, clusters, pool (or a pool subset: narrow, crystals, diverse, test)",
    )
    g.add_argument("--workers", type=int, default=2)
    g.add_argument("--retry-failed", action="store_true")
    g.add_argument("--cache", default=None, help="SQLite cache (default data/<element>/dft_cache.db)")
    lab = sub.add_parser(
        "label", help="label a molecular set from the state-search runs logged so far (missing runs are recorded)"
    )
    lab.add_argument("--set", required=True, dest="group", choices=MOLECULAR_GROUPS)
    lab.add_argument("--cache", default=None)
    e = sub.add_parser("export", help="write data/<element>/*.extxyz and its manifest.json from the cache")
    e.add_argument("--cache", default=None)
    c = sub.add_parser("converge", help="convergence check -> data/<element>/convergence.json (resumable)")
    c.add_argument("--workers", type=int, default=2)
    c.add_argument("--scans", nargs="*", default=None, help="only these scans (default: all)")
    r = sub.add_parser(
        "generate-restricted",
        help="the spin-restricted (non-spin-polarised) atom or dimer curve, one run per geometry "
        "(resumable; cached in data/<element>/restricted/dft_cache.db)",
    )
    r.add_argument("--set", required=True, dest="group", choices=RESTRICTED_GROUPS)
    r.add_argument("--workers", type=int, default=1)
    r.add_argument("--retry-failed", action="store_true")
    r.add_argument("--cache", default=None, help="SQLite cache (default data/<element>/restricted/dft_cache.db)")
    er = sub.add_parser(
        "export-restricted",
        help="write data/<element>/restricted/*.extxyz and the manifest's 'references' entry from the restricted cache",
    )
    er.add_argument("--cache", default=None)
    for command in (g, lab, e, c, r, er):
        command.add_argument(
            "--element",
            default="C",
            choices=list(structures.ELEMENT_MODULES),
            help="the element (default C); its data are in data/<element>/",
        )
    args = parser.parse_args(list(argv) if argv is not None else None)

    if args.command == "generate":
        counts = generate(
            args.group,
            workers=args.workers,
            cache_path=args.cache,
            retry_failed=args.retry_failed,
            element=args.element,
        )
        print(json.dumps(counts))
    elif args.command == "label":
        print(json.dumps(label(args.group, cache_path=args.cache, element=args.element)))
    elif args.command == "export":
        manifest = export(cache_path=args.cache, element=args.element)
        print(
            json.dumps({n: s["n_structures"] for n, s in manifest["sets"].items()}),
            "incomplete:",
            json.dumps(manifest["incomplete"]),
        )
    elif args.command == "generate-restricted":
        print(
            json.dumps(
                generate_restricted(
                    args.group,
                    element=args.element,
                    workers=args.workers,
                    cache_path=args.cache,
                    retry_failed=args.retry_failed,
                )
            )
        )
    elif args.command == "export-restricted":
        entry = export_restricted(element=args.element, cache_path=args.cache)
        print(
            json.dumps({n: s["n_structures"] for n, s in entry["sets"].items()}),
            "incomplete:",
            json.dumps(entry["incomplete"]),
        )
    elif args.command == "converge":
        summary = converge(workers=args.workers, scans=args.scans, element=args.element)
        print(json.dumps(summary["scans"], indent=1))
    return 0
