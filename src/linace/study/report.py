"""Tables and figures the chapters of the book share, for the data of any element.

Each function turns run records (:mod:`linace.study.results`) or reference data
(:mod:`linace.study.reference`) into a Markdown table (a string, for ``IPython.display.Markdown``)
or draws a figure; the chapters on carbon and on silicon call the same functions, so that the two
elements are shown alike. Energies in eV, lengths in A, as in the records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from ase import Atoms

from linace.analysis import CONVERGENCE_RANGE

from . import reference
from .claims import CONVERGED_EV, DrawVerdict, Verdict, claim_id, compare_over_draws
from .datasets import BULK_SETS
from .records import RunRecord, as_records, body_orders, by_body_order, select
from .results import CONVERGENCE_COLUMNS, convergence_rows, convergence_table, record_range, significant

__all__ = [
    "BULK_SETS",
    "ELEMENT_NAMES",
    "ERROR_QUANTITIES",
    "FAILED_ENERGY_MEV_PER_ATOM",
    "FAILED_FORCE_EV_PER_A",
    "FAILED_NOTE",
    "LITERATURE_BULK",
    "ORIGIN_WORDS",
    "SETTINGS_SHOWN",
    "SUMMARY_QUANTITIES",
    "best_bulk_potential",
    "best_potentials_dimer_sentence",
    "bottom_line",
    "changes_over_draws",
    "chosen_setting_errors",
    "claims_overview_markdown",
    "claims_overview_rows",
    "compute_markdown",
    "convergence_by_run",
    "convergence_ingredients_markdown",
    "convergence_scan_markdown",
    "convergence_summary_figure",
    "dimer_curve_grid",
    "dimer_state_markdown",
    "draw_overlap_markdown",
    "draws_comparison_markdown",
    "energy_rmse_cell",
    "error_grid_markdown",
    "failing_over_draws_markdown",
    "families_markdown",
    "force_rmse_cell",
    "over_draws_summary",
    "potential_quality_markdown",
    "runs_index_markdown",
    "sanity_markdown",
    "settings_markdown",
    "significant",
    "standard_vs_pure_markdown",
    "summary_comparison_markdown",
    "test_error_markdown",
    "verdict_changes",
    "verdict_history_markdown",
    "verdicts_markdown",
    "verdicts_over_draws_markdown",
]

#: key of each element's ground-state crystal in ``data/literature.json`` (published PBE a0, B, E_coh)
LITERATURE_BULK = {"C": "diamond", "Si": "silicon"}


def _sources(literature: Mapping, keys: set) -> str:
    """The line of sources under a table: each source cited (the full references are in the book's
    bibliography)."""
    return "Sources: " + "; ".join(f"{{cite:t}}`{key}`" for key in literature["sources"] if key in keys) + "."


def _term_name(term: str) -> str:
    """A literature key as a state name: 'X1Sigma_g+' -> 'X1Σg+'."""
    for word, letter in (("Sigma_", "Σ"), ("Pi_", "Π"), ("Delta_", "Δ"), ("Phi_", "Φ")):
        term = term.replace(word, letter)
    return term


def dimer_state_markdown(dimers: Sequence[Atoms], e_atom: float, literature: Mapping | None = None) -> str:
    """The states of the dimer (:func:`linace.study.reference.dimer_state_table`) and their constants
    beside experiment and published PBE values: two Markdown tables narrow enough for a page column
    (the states: moment, where each labels the curve, configuration; then r_e, D_e, omega_e beside
    the published values, each marked by a letter for its source), the line of sources and, where
    the literature has no PBE values for this dimer, the reason it records."""
    element = dimers[0].get_chemical_symbols()[0]
    literature = literature or reference.literature()
    molecule = literature.get(f"{element}2", {})
    experiment, pbe = molecule.get("experiment", {}), molecule.get("pbe", {})
    letters: dict[str, str] = {}

    def published(table, term, key, fmt):
        entry = table.get(term) or {}
        if entry.get(key) is None:
            return "–"
        letter = letters.setdefault(entry["source"], "abcdefghijklmnopqrstuvwxyz"[len(letters)])
        return f"{format(entry[key], fmt)}<sup>{letter}</sup>"

    states = ["| state (resembles) | M (μ$_B$) | lowest in (Å) | configuration at r$_e$ |", "|---|---|---|---|"]
    constants = ["| state | r$_e$ (Å) | expt | PBE | D$_e$ (eV) | PBE | ω$_e$ (cm$^{-1}$) | expt |", "|---" * 8 + "|"]
    for row in reference.dimer_state_table(dimers, e_atom):
        term = reference.literature_term(row["state"], element)
        name = reference.state_markup(row["state"])
        if term and _term_name(term) != row["state"]:  # the label it resembles: 'broken-symmetry singlet (X1Σg+)'
            name += f" ({reference.state_markup(_term_name(term))})"
        states.append(f"| {name} | {row['moment']} | {row['wins'] or '–'} | {row['configuration'] or '–'} |")
        if row["D_e"] is None:
            ours = [f"no minimum on {row['span'][0]:.2f}–{row['span'][1]:.2f} Å", "–", "–"]
        else:
            ours = [f"{row['r_e']:.3f}", f"{row['D_e']:.2f}", f"{row['omega_e']:.0f}"]
        constants.append(
            f"| {name} | {ours[0]} | {published(experiment, term, 'r_e_A', '.4f')} "
            f"| {published(pbe, term, 'r_e_A', '.3f')} | {ours[1]} | {published(pbe, term, 'D_e_eV', '.2f')} "
            f"| {ours[2]} | {published(experiment, term, 'omega_e_cm-1', '.0f')} |"
        )
    cited = {e.get("source") for t in (experiment, pbe) for e in t.values()}
    sources = (
        "Sources: " + "; ".join(f"<sup>{letter}</sup> {{cite:t}}`{key}`" for key, letter in letters.items()) + "."
        if letters
        else _sources(literature, cited)
    )
    out = ["\n".join(states), "\n".join(constants), sources]
    if not pbe and "pbe_status" in molecule:  # say why the PBE columns are empty rather than leave a reader guessing
        out.append("PBE columns empty: " + molecule["pbe_status"]["note"])
    return "\n\n".join(out)


def _value(function, key: str, fmt: str, *args) -> str:
    """A sanity number, or why it cannot be computed from the available data."""
    try:
        return format(function(*args)[key], fmt)
    except ValueError as error:
        return f"n/a ({error})"


def sanity_markdown(pool: Sequence[Atoms], e_atom: float, element: str = "C", literature: Mapping | None = None) -> str:
    """Lattice constant, bulk modulus and cohesive energy of the element's diamond structure (from the
    pool's ``diamond-volume-*`` scan, :func:`linace.study.reference.diamond_sanity`) beside the published
    PBE values; for carbon also graphene's in-plane lattice constant. A Markdown table."""
    literature = literature or reference.literature()
    if element not in LITERATURE_BULK:
        raise ValueError(f"no published bulk values for {element!r}; known: {', '.join(LITERATURE_BULK)}")
    crystal = LITERATURE_BULK[element]
    pbe = literature[crystal]["pbe"]
    cite = f"{{cite:p}}`{pbe['source']}`"
    rows = [
        (
            f"{crystal} lattice constant (Å)",
            _value(reference.diamond_sanity, "a0", ".3f", pool, e_atom),
            f"{pbe['a0_A']:.3f} (PBE)",
            cite,
        ),
        (
            f"{crystal} bulk modulus (GPa)",
            _value(reference.diamond_sanity, "B", ".0f", pool, e_atom),
            f"{pbe['B_GPa']:.0f} (PBE)",
            cite,
        ),
        (
            f"{crystal} cohesive energy (eV/atom)",
            _value(reference.diamond_sanity, "cohesive_energy", ".3f", pool, e_atom),
            f"{pbe['cohesive_energy_eV']:.3f} (PBE)",
            cite,
        ),
    ]
    if element == "C":
        rows.append(
            (
                "graphene in-plane lattice constant (Å)",
                _value(reference.graphene_lattice_constant, "a0", ".3f", pool),
                "2.47 (PBE, graphite)",
                "{cite:p}`graziano2012`",
            )
        )
    return "\n".join(
        ["| quantity | this data | published | source |", "|---|---|---|---|"]
        + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    )


def families_markdown(sets: Mapping[str, Sequence[Atoms]]) -> str:
    """Structures per family (``info['config_type']``) of each set, with the totals of structures and
    atoms: a Markdown table with one column per set."""
    families = sorted({a.info["config_type"] for images in sets.values() for a in images})
    lines = ["| family | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
    for family in families:
        lines.append(
            f"| {family} | "
            + " | ".join(str(sum(a.info["config_type"] == family for a in images)) for images in sets.values())
            + " |"
        )
    lines.append("| **structures** | " + " | ".join(f"**{len(images)}**" for images in sets.values()) + " |")
    lines.append("| **atoms** | " + " | ".join(f"**{sum(len(a) for a in images)}**" for images in sets.values()) + " |")
    return "\n".join(lines)


#: the settings of a data manifest's ``dft`` entry that the settings table shows
SETTINGS_SHOWN = (
    "xc",
    "ecut",
    "kpt_density",
    "width",
    "vacuum",
    "kpoints",
    "smearing",
    "spin",
    "energy",
    "molecule_box",
)


#: units of the numeric DFT settings, as shown beside their values
SETTING_UNITS = {"ecut": "eV", "kpt_density": "k-points per Å⁻¹", "width": "eV", "vacuum": "Å"}


def _cell(value) -> str:
    """A value as the text of a Markdown table cell: '|' escaped, '<' and '>' as entities (so that
    'sets[<name>]' is not read as an HTML tag), a missing number (None, NaN) as '–'."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return str(value).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def settings_markdown(manifest: Mapping) -> str:
    """The DFT settings of a data manifest (:data:`SETTINGS_SHOWN` of its ``dft`` entry, with the units
    of :data:`SETTING_UNITS`): a Markdown table."""
    settings = manifest.get("dft", {})
    return "\n".join(
        ["| setting | value |", "|---|---|"]
        + [
            f"| {key} | {_cell(settings[key])}" + (f" {SETTING_UNITS[key]}" if key in SETTING_UNITS else "") + " |"
            for key in SETTINGS_SHOWN
            if key in settings
        ]
    )


def convergence_scan_markdown(convergence: Mapping) -> list[str]:
    """One Markdown table per scan of a convergence check (``convergence.json``, or the manifest's
    ``convergence``): per value the largest errors of energy differences (meV/atom), forces (eV/A)
    and stress (GPa) against the scan's reference value, and the wall time (s)."""
    tables = []
    for name, scan in (convergence.get("scans") or {}).items():
        columns = [
            key
            for key in (
                "max_energy_difference_error_meV_per_atom",
                "max_force_error_eV_per_A",
                "max_stress_error_GPa",
                "wall_time_s",
            )
            if any(key in row for row in scan["rows"])
        ]
        lines = [
            f"**{name}** (reference value {scan.get('reference_value')})",
            "",
            "| value | " + " | ".join(c.replace("_", " ") for c in columns) + " |",
            "|---" * (len(columns) + 1) + "|",
        ]
        lines += [
            f"| {row['value']} | " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in scan["rows"]
        ]
        tables.append("\n".join(lines))
    return tables


def chosen_setting_errors(convergence: Mapping, settings: Mapping) -> list[str]:
    """For each scan, the errors at the value the data use (``settings``, the manifest's ``dft``):
    one line per scan whose values include it."""
    lines = []
    for name, scan in (convergence.get("scans") or {}).items():
        setting = next((key for key in ("ecut", "kpt_density", "width", "vacuum") if name.startswith(key)), None)
        chosen = settings.get(setting)
        row = next((row for row in scan["rows"] if setting and row["value"] == chosen), None)
        if row is not None:
            errors = [
                f"{label} {row[key]} {unit}"
                for label, key, unit in (
                    ("energy differences", "max_energy_difference_error_meV_per_atom", "meV/atom"),
                    ("forces", "max_force_error_eV_per_A", "eV/A"),
                    ("stress", "max_stress_error_GPa", "GPa"),
                )
                if row.get(key) is not None
            ]
            lines.append(f"{name}: {setting} = {chosen}: " + (", ".join(errors) or "no errors recorded"))
    return lines


def compute_markdown(manifest: Mapping) -> str:
    """The DFT compute time of the data per family (``compute.by_family`` of a data manifest):
    structures, core-hours and core-seconds per structure, with the total. A Markdown table, or a
    sentence when the manifest predates the per-family record."""
    compute = manifest.get("compute", {})
    by_family = compute.get("by_family")
    if not by_family:
        return "The manifest records no compute time per family."
    lines = ["| family | structures | core-hours | core-s per structure |", "|---|---|---|---|"]
    for family, entry in by_family.items():
        lines.append(
            f"| {family} | {entry['structures']} | {entry['cpu_core_seconds'] / 3600:.2f} | "
            f"{entry['cpu_core_seconds'] / max(entry['structures'], 1):.0f} |"
        )
    total = compute["cpu_core_seconds"]
    lines.append(
        f"| **all** | **{compute['n_rows']}** | **{total / 3600:.1f}** | **{total / max(compute['n_rows'], 1):.0f}** |"
    )
    return "\n".join(lines)


def verdicts_markdown(verdicts: Sequence[Verdict]) -> str:
    """Each claim with its verdict, the fixed criterion, the evidence and, unless the claim is
    reproduced (or not tested), the conditions of the criterion that fail, as Markdown paragraphs."""
    lines = []
    for verdict in verdicts:
        lines += [
            f"**{verdict.claim}**",
            "",
            f"*Verdict: {verdict.verdict}.* Criterion: {verdict.criterion}.",
            "",
            f"Evidence: {verdict.evidence}.",
            "",
        ]
        if verdict.failures:
            lines += [f"Fails on: {verdict.failing}.", ""]
    return "\n".join(lines)


def _draw_cell(v: DrawVerdict) -> str:
    """One claim at one N: 'partly (in every draw): 0 + 10 of 10', or the one draw's verdict."""
    if v.draws == 1:
        return f"one draw: {v.only_draw_verdict}"
    return f"**{v.verdict}**: {v.holds} + {v.partly} of {v.draws}"


def verdicts_over_draws_markdown(
    graded: Mapping[int, Sequence[DrawVerdict]], single: Mapping[str, str], claims: Sequence[str] | None = None
) -> str:
    """How each claim fares over draws, one row per claim and one column per training-set size N,
    beside the one-fit verdict.

    ``graded``: {N: :func:`~linace.study.claims.grade_over_draws` of N}; ``single``: {claim: verdict of
    the one potential per (K, set) trained on the whole set}; ``claims``: the claims shown, in order
    (default: those of ``single``), named by their id. A cell is the verdict over the draws of that N
    and "holds + holds partly of draws" (e.g. "**reproduced**: 9 + 1 of 10"); a size with one draw (N
    close to the whole set) gives that draw's verdict; '–' where a size did not test the claim.
    A Markdown table and a line that reads the counts."""
    sizes = list(graded)
    lines = [
        "| claim | one fit | " + " | ".join(f"N = {size}" for size in sizes) + " |",
        "|---|---|" + "---|" * len(sizes),
    ]
    for claim in single if claims is None else claims:
        cells = []
        for size in sizes:
            tested = [v for v in graded[size] if v.claim == claim and v.draws]
            cells.append(_draw_cell(tested[0]) if tested else "–")
        lines.append(f"| {claim_id(claim)} | {single.get(claim, '–')} | " + " | ".join(cells) + " |")
    return (
        "\n".join(lines) + "\n\nA cell reads: verdict over the draws of that N: the number of draws in which "
        "the claim holds + those in which it holds partly, of all draws."
    )


def failing_over_draws_markdown(graded: Mapping[int, Sequence[DrawVerdict]], claims: Sequence[str]) -> str:
    """Which conditions of each claim's criterion fail over draws, at the largest N with several draws
    (:attr:`~linace.study.claims.DrawVerdict.failing_summary`): a Markdown list, one item per claim."""
    items = []
    for claim in claims:
        tested = [v for verdicts in graded.values() for v in verdicts if v.claim == claim and v.draws > 1]
        if tested:
            items.append(f"* **{claim_id(claim)}** at N = {tested[-1].train_size}: {tested[-1].failing_summary}")
    return "\n".join(items)


def over_draws_summary(graded: Mapping[int, Sequence[DrawVerdict]], claim: str) -> str:
    """One claim over draws in a sentence: its verdict at the largest N with several draws (the one draw
    where that is all there is), then how often it held at every N, e.g. "reproduced over draws at
    N = 160 (holds fully in 7 of 10 draws, partly in 1, at N = 40; ...)"; "not resampled" if no draw tested it."""
    tested = [v for verdicts in graded.values() for v in verdicts if v.claim == claim and v.draws]
    if not tested:
        return "not resampled"
    headline = ([v for v in tested if v.draws > 1] or tested)[-1]
    return (
        f"{headline.verdict} over draws at N = {headline.train_size} (holds fully in "
        + "; ".join(v.count for v in tested)
        + ")"
    )


def _by_order(records: Sequence[RunRecord], **selection) -> list[RunRecord]:
    return by_body_order(select(records, **selection))


def dimer_curve_grid(
    records: Sequence[RunRecord],
    variants: Sequence[str],
    training_sets: Sequence[str],
    dft_curve: tuple[np.ndarray, np.ndarray],
    element: str = "C",
):
    """One panel per (variant, training set), rows by variant (one column per training set, at most
    three): the dimer curve E(r) - 2E0 of every K of the records beside DFT, one legend below the
    panels. Returns the figure."""
    from .plotting import BODY_ORDER_COLOURS, dimer_axes, figure_legend, panel_grid, plot_dft_dimer, plot_dimer_curve

    r_dft, e_dft = dft_curve
    panels = [(v, s) for v in variants for s in training_sets]
    fig, axes = panel_grid(len(panels), 2.5, columns=min(len(training_sets), 3), sharex=True, sharey=True)
    low = min(float(np.min(e_dft)), -10.0) - 2
    for ax, (variant, training_set) in zip(axes, panels):
        plot_dft_dimer(ax, r_dft, e_dft)
        for record in _by_order(records, variant=variant, training_set=training_set):
            K = record.body_order
            plot_dimer_curve(
                ax, record.dimer, label=f"K = {K}", contributions=False, band=False, color=BODY_ORDER_COLOURS[K]
            )
        dimer_axes(ax, ylim=(low, 15), title=f"{variant}, {training_set}", element=element)
        ax.label_outer()
    figure_legend(fig, axes[0], ncol=5)
    return fig


def convergence_by_run(
    records: Sequence[RunRecord],
    variants: Sequence[str],
    training_sets: Sequence[str],
    dft_curve: tuple[np.ndarray, np.ndarray],
):
    """The convergence numbers of every (variant, training set) (:func:`linace.study.results.convergence_table`):
    a Markdown table and a figure of two panels, successive-K distances (with the convergence
    threshold) and distances to DFT against K, one colour per training set and one line style per
    variant, one legend below. Returns (markdown, figure)."""
    import matplotlib.pyplot as plt

    from .plotting import (
        PAGE_WIDTH_IN,
        TRAINING_SET_COLOURS,
        VARIANT_STYLES,
        convergence_axes,
        figure_legend,
        plot_convergence,
    )

    lines = [
        "| variant | training set | " + " | ".join(CONVERGENCE_COLUMNS) + " |",
        "|---" * (len(CONVERGENCE_COLUMNS) + 2) + "|",
    ]
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(PAGE_WIDTH_IN, 3.6), constrained_layout=True)
    records = as_records(records)
    orders = body_orders(records)
    for variant in variants:
        style = VARIANT_STYLES.get(variant, {})
        for k, training_set in enumerate(training_sets):
            table = convergence_table(select(records, variant=variant, training_set=training_set), dft_curve)
            lines += [
                f"| {variant} | {training_set} | " + " | ".join(cells) + " |" for cells in convergence_rows(table)
            ]
            plot_convergence(
                ax0,
                ax1,
                table,
                label=f"{training_set}, {variant}",
                color=TRAINING_SET_COLOURS.get(training_set, f"C{k}"),
                **style,
            )
    ax0.axhline(CONVERGED_EV, color="0.4", lw=1, ls=":", label=f"{CONVERGED_EV} eV")
    convergence_axes(ax0, ax1, orders, r_range=record_range(records[0]) if records else CONVERGENCE_RANGE, legend=False)
    figure_legend(fig, ax0, ncol=3)
    return "\n".join(lines), fig


def standard_vs_pure_markdown(records: Sequence[RunRecord], training_sets: Sequence[str]) -> str:
    """Mean |E_standard(r) - E_pure(r)| of the dimer curves (eV) over the element's comparison range
    (:func:`linace.study.results.record_range`) per training set and K: a Markdown table ('–' where
    a run is missing)."""
    from linace.analysis import curve_distance

    orders = body_orders(records)
    lines = ["| training set | " + " | ".join(f"K = {K}" for K in orders) + " |", "|---" * (len(orders) + 1) + "|"]
    for training_set in training_sets:
        cells = []
        for K in orders:
            pair = [select(records, variant=v, training_set=training_set, body_order=K) for v in ("standard", "pure")]
            if all(pair):
                a, b = (match[0].dimer for match in pair)
                cells.append(f"{curve_distance(a.r, a.energy, b.r, b.energy, record_range(pair[0][0])):.3f}")
            else:
                cells.append("–")
        lines.append(f"| {training_set} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def convergence_ingredients_markdown(
    by_element: Mapping[str, Mapping[tuple[str, str], tuple[str, Sequence[float]]]],
) -> str:
    """Does the dimer curve converge in K, per basis variant and training set, one column per element
    (``{element: linace.study.claims.convergence_by_ingredient(...)}``): a Markdown table of the
    answer ('yes', 'signs', 'no', 'untested') and the last successive-K distance (eV)."""
    elements = list(by_element)
    keys = list(dict.fromkeys(key for table in by_element.values() for key in table))
    lines = ["| basis | training set | " + " | ".join(elements) + " |", "|---|---|" + "---|" * len(elements)]
    for variant, training_set in keys:
        cells = []
        for element in elements:
            answer, steps = by_element[element].get((variant, training_set), ("untested", []))
            cells.append(f"{answer} (last step {steps[-1]:.2f})" if steps else answer)
        lines.append(f"| {variant} | `{training_set}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


#: A test energy RMSE above this (meV/atom) is shown as "failed": it is comparable to or larger than the
#: spread of the test set's binding energies (1.3 eV/atom for carbon, 0.4 eV/atom for silicon), so the
#: potential does not describe the test structures; for potentials trained on molecules alone it is a
#: failed extrapolation to bulk. Presentation only: no verdict uses it.
FAILED_ENERGY_MEV_PER_ATOM = 1000.0

#: A test force RMSE above this (eV/A) is shown as "failed": more than twice the RMS force of the
#: test structures (4.3 eV/A for carbon, 2.2 eV/A for silicon), no better than predicting zero forces.
FAILED_FORCE_EV_PER_A = 10.0

#: The line under a table with "failed" cells.
FAILED_NOTE = (
    f"*failed*: test energy RMSE above {FAILED_ENERGY_MEV_PER_ATOM / 1000:g} eV/atom or force RMSE above "
    f"{FAILED_FORCE_EV_PER_A:g} eV/Å: the potential does not describe the bulk test structures (for those "
    "trained on molecules alone, a failed extrapolation to bulk)."
)


def energy_rmse_cell(meV_per_atom: float | None) -> str:
    """A test energy RMSE for a table in meV/atom: three significant figures, or "failed" with the value
    in eV/atom above :data:`FAILED_ENERGY_MEV_PER_ATOM`."""
    if meV_per_atom is not None and np.isfinite(meV_per_atom) and meV_per_atom > FAILED_ENERGY_MEV_PER_ATOM:
        return f"*failed* ({significant(meV_per_atom / 1000, 2)} eV/atom)"
    return significant(meV_per_atom)


def force_rmse_cell(eV_per_A: float | None) -> str:
    """A force RMSE for a table in eV/A: three significant figures, "failed" above :data:`FAILED_FORCE_EV_PER_A`."""
    if eV_per_A is not None and np.isfinite(eV_per_A) and eV_per_A > FAILED_FORCE_EV_PER_A:
        return f"*failed* ({significant(eV_per_A, 2)})"
    return significant(eV_per_A)


#: the quantities of :func:`error_grid_markdown`: (key in a record's ``errors``, cell formatter)
ERROR_QUANTITIES = {
    "energy": ("energy_rmse_meV_per_atom", energy_rmse_cell),
    "force": ("force_rmse_eV_per_A", force_rmse_cell),
}


def error_grid_markdown(
    records: Sequence[RunRecord],
    training_sets: Sequence[str],
    quantity: str = "energy",
    split: str = "test",
    note: bool = True,
) -> str:
    """One error of every run, body orders down and training sets across: the RMSE of ``quantity``
    ("energy", meV/atom, or "force", eV/A) on ``split`` ("test" or "train"), with failed potentials
    marked (:func:`energy_rmse_cell`, :func:`force_rmse_cell`). Records of one variant and
    regularisation. A Markdown table, with :data:`FAILED_NOTE` under it when a cell failed (and ``note``:
    a page with several such tables says it once)."""
    key, cell = ERROR_QUANTITIES[quantity]
    orders = body_orders(records)
    lines = ["| K | " + " | ".join(training_sets) + " |", "|---" * (len(training_sets) + 1) + "|"]
    for K in orders:
        cells = []
        for training_set in training_sets:
            match = select(records, training_set=training_set, body_order=K)
            cells.append(cell(match[0].errors(split)[key]) if match else "–")
        lines.append(f"| {K} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    return table + ("\n\n" + FAILED_NOTE if note and "*failed*" in table else "")


def draw_overlap_markdown(rows: Sequence[Mapping]) -> str:
    """How much two draws of N structures share (:func:`linace.study.resample.draw_overlap` rows), one
    row per training set and one column per N: "12 % (10 draws)". A Markdown table."""
    sizes = sorted({row["train_size"] for row in rows})
    sets = list(dict.fromkeys(row["training_set"] for row in rows))
    cells = {
        (row["training_set"], row["train_size"]): f"{100 * row['shared_fraction']:.0f} % ({row['draws']} "
        + ("draw" if row["draws"] == 1 else "draws")
        + ")"
        for row in rows
    }
    lines = ["| training set | " + " | ".join(f"N = {size}" for size in sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
    lines += [f"| {s} | " + " | ".join(cells.get((s, size), "–") for size in sizes) + " |" for s in sets]
    return "\n".join(lines)


def test_error_markdown(records: Sequence[RunRecord], variants: Sequence[str], training_sets: Sequence[str]) -> str:
    """Test RMSE of energy (meV/atom) and forces (eV/A) per (variant, training set) and K, failed
    potentials marked (:func:`energy_rmse_cell`, :func:`force_rmse_cell`): a Markdown table, with
    :data:`FAILED_NOTE` under it when a cell failed."""
    orders = body_orders(records)
    lines = [
        "| variant | training set | " + " | ".join(f"K = {K}" for K in orders) + " |",
        "|---" * (len(orders) + 2) + "|",
    ]
    for variant in variants:
        for training_set in training_sets:
            cells = []
            for K in orders:
                match = select(records, variant=variant, training_set=training_set, body_order=K)
                errors = match[0].test_errors if match else None
                if errors is None:
                    cells.append("–")
                elif (
                    errors["energy_rmse_meV_per_atom"] > FAILED_ENERGY_MEV_PER_ATOM
                    or errors["force_rmse_eV_per_A"] > FAILED_FORCE_EV_PER_A
                ):
                    cells.append("*failed*")
                else:
                    cells.append(
                        f"{significant(errors['energy_rmse_meV_per_atom'])} / "
                        f"{significant(errors['force_rmse_eV_per_A'])}"
                    )
            lines.append(f"| {variant} | {training_set} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    return table + ("\n\n" + FAILED_NOTE if "*failed*" in table else "")


def _over_draws(row: Mapping | None) -> str:
    return f"{row['holds']} of {row['draws']}: {row['verdict']}" if row else "–"


def _changed(rows: Sequence[Mapping]) -> list[str]:
    """The rows of :func:`~linace.study.claims.compare_over_draws` whose verdict changed, as text."""
    return [
        f"{r['claim']} at N = {r['train_size']}: {r['before']['verdict']} → {r['now']['verdict']}"
        for r in rows
        if r["changed"]
    ]


def changes_over_draws(before_draws: Mapping, after_draws: Mapping) -> list[str]:
    """The verdicts over draws that changed at a size tested before and after, e.g.
    '1b at N = 40: reproduced → depends on the draw' (arguments as :func:`draws_comparison_markdown`'s)."""
    return _changed(compare_over_draws(before_draws, after_draws))


def draws_comparison_markdown(
    before: Mapping, after_draws: Mapping, after_single: Mapping[str, str], after_sizes: tuple, change: str
) -> str:
    """Every claim over draws before and after one change of the data or the code.

    ``before``: a snapshot (``scripts/history_snapshot.py``: its ``draws``, ``summary`` and
    ``set_sizes``); ``after_draws``: the draws after the change (a later snapshot's ``draws``, or
    {N: :func:`linace.study.claims.grade_over_draws`}); ``after_single``: {claim id: verdict of the
    one fit on the whole set}; ``after_sizes``: (training-set size, test-set size) after the change;
    ``change``: what changed (the title of the table). A verdict over draws that changed at a size
    tested both times is bold, and listed under the table.
    """
    old_single = {claim_id(v["claim"]): v["verdict"] for v in before["summary"]["verdicts"]}
    rows = compare_over_draws(before["draws"], after_draws)
    changed = _changed(rows)
    lines = [
        "| claim | N | before: holds in | after: holds in | whole set, one fit: before → after |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['claim']} | {r['train_size']} | {_over_draws(r['before'])} | "
        + (f"**{_over_draws(r['now'])}**" if r["changed"] else _over_draws(r["now"]))
        + f" | {old_single.get(r['claim'], '–')} → {after_single.get(r['claim'], '–')} |"
        for r in rows
    ]
    return (
        f"**{change}.** Before: training sets of {before['set_sizes'].get('diverse', '–')} structures, a test "
        f"set of {before['set_sizes'].get('test', '–')}; after: {after_sizes[0]} and {after_sizes[1]}.\n\n"
        + "\n".join(lines)
        + "\n\n**Verdicts over draws that changed at a size tested both times:** "
        + ("; ".join(changed) or "none")
        + "."
    )


#: the quantities of :func:`linace.study.claims.compare_summaries`, with their column titles
SUMMARY_QUANTITIES = {
    "distance_to_previous_K_eV": "to K−1 (eV)",
    "distance_to_dft_eV": "to DFT (eV)",
    "minimum_position_A": "minimum (Å)",
    "minimum_energy_eV": "depth (eV)",
}


def _three(value) -> str:
    """A number with three decimals, or '–' when missing (None, NaN)."""
    return "–" if value is None or not np.isfinite(value) else f"{value:.3f}"


def summary_comparison_markdown(comparison: Mapping) -> str:
    """The convergence numbers of every run before and after, one row per (run, K) and one column per
    quantity, each cell "before → after", from the ``convergence`` rows of
    :func:`linace.study.claims.compare_summaries` (missing: '–')."""
    grouped: dict[tuple, dict] = {}
    for run, K, quantity, old, new in comparison["convergence"]:
        grouped.setdefault((run, K), {})[quantity] = (old, new)
    lines = [
        "| run | K | " + " | ".join(SUMMARY_QUANTITIES.values()) + " |",
        "|---" * (len(SUMMARY_QUANTITIES) + 2) + "|",
    ]
    for (run, K), values in grouped.items():
        pairs = [values.get(quantity, (None, None)) for quantity in SUMMARY_QUANTITIES]
        lines.append(f"| {run} | {K} | " + " | ".join(f"{_three(old)} → {_three(new)}" for old, new in pairs) + " |")
    return "\n".join(lines)


def verdict_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """The claims graded both times whose verdict changed, e.g. '1b: partly → reproduced'
    (``before``, ``after``: {claim: verdict}; a claim is named by its id, the text before the first '.')."""
    return [
        f"{claim_id(claim)}: {before[claim]} → {verdict}"
        for claim, verdict in after.items()
        if claim in before and before[claim] != verdict
    ]


def verdict_history_markdown(
    first: Mapping[str, str], steps: Sequence[tuple[str, Mapping[str, str]]], now: tuple[str, Mapping[str, str]]
) -> str:
    """Every claim's verdict through a sequence of changes: one column for the ``first`` state
    ({claim: verdict}), one per intermediate state ``steps`` [(column title, {claim: verdict})] (a
    state not recorded: {}) and one for ``now`` (title, {claim: verdict}); a verdict that differs
    now from the first state (or was not graded then) is bold. Claims are those of the ``now`` state,
    in its order."""
    title, current = now
    lines = [
        "| claim | first reference | " + " | ".join(name for name, _ in steps) + f" | {title} |",
        "|---" * (len(steps) + 3) + "|",
    ]
    for claim, verdict in current.items():
        shown = f"**{verdict}**" if first.get(claim) != verdict else verdict
        lines.append(
            f"| {claim} | {first.get(claim, '–')} | "
            + " | ".join(verdicts.get(claim, "–") for _, verdicts in steps)
            + f" | {shown} |"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the landing page

# The bulk training sets, by growing diversity (BULK_SETS, the sets the bulk claims compare), are
# named in linace.study.datasets (imported above).


def best_bulk_potential(records: Sequence[RunRecord]) -> dict | None:
    """The potential trained on a bulk set (:data:`linace.study.datasets.BULK_SETS`) with the lowest
    test energy RMSE: {variant, training_set, body_order, energy_meV_per_atom, force_eV_per_A,
    dimer_distance_eV}, or None without bulk runs. ``dimer_distance_eV`` is the mean distance (eV) of
    its dimer curve to DFT's over the comparison range (:attr:`RunRecord.distance_to_dft`), None for a
    record without a dimer summary."""
    bulk = [r for r in as_records(records) if r.training_set in BULK_SETS]
    if not bulk:
        return None
    best = min(bulk, key=lambda r: r.test_error("energy_rmse_meV_per_atom"))
    return {
        "variant": best.variant,
        "training_set": best.training_set,
        "body_order": best.body_order,
        "energy_meV_per_atom": best.test_error("energy_rmse_meV_per_atom"),
        "force_eV_per_A": best.test_error("force_rmse_eV_per_A"),
        "dimer_distance_eV": best.distance_to_dft if "dimer_summary" in best.data else None,
    }


#: :func:`linace.study.claims.convergence_origin` in plain words, completing "the convergence in K ..."
ORIGIN_WORDS = {
    "dimers": "comes from the dimers in the training data, not from the self-interaction-free basis",
    "basis": "comes from the self-interaction-free basis, not from the dimers in the training data",
    "both": "needs both the dimers in the training data and the self-interaction-free basis",
    "neither": "needs neither the dimers in the training data nor the self-interaction-free basis alone",
    "none": "does not happen: the self-interaction-free basis on dimers to pentamers does not converge",
    "untested": "is not tested (runs missing)",
}

#: element symbols as words
ELEMENT_NAMES = {"C": "carbon", "Si": "silicon"}


def bottom_line(
    bulk_verdicts: Mapping[str, str],
    bulk_distances: Mapping[int, float],
    origins: Mapping[str, str],
    best: Mapping[str, Mapping | None],
) -> list[str]:
    """The study's result in three plain sentences.

    ``bulk_verdicts``: {claim id: one-fit verdict} of carbon's bulk claims (at least "1b" and "2");
    ``bulk_distances``: {K: mean distance (eV) to DFT of the dimer curve} of the potentials trained on
    carbon's `diverse` set; ``origins``: {element: :func:`linace.study.claims.convergence_origin`};
    ``best``: {element: :func:`best_bulk_potential`}. Each sentence follows the verdicts and numbers
    it is given (a claim that is not reproduced is said so), so the text cannot outlive the data.
    """
    from .claims import FAR_FROM_DFT_EV

    settles = bulk_verdicts.get("2") != "reproduced"
    if bulk_distances:
        low, high = min(bulk_distances.values()), max(bulk_distances.values())
        near = [K for K, distance in sorted(bulk_distances.items()) if not distance > FAR_FROM_DFT_EV]
        first = (
            f"Trained on bulk carbon, linear ACE potentials put the energy of two isolated atoms "
            f"{low:.1f}–{high:.1f} eV from DFT on average, and the curve "
            + ("settles" if settles else "does not settle")
            + " as body orders are added"
        )
        if near:
            first += (
                f"; it comes within {FAR_FROM_DFT_EV} eV of DFT only at K = {', '.join(map(str, near))}, so "
                "the paper's finding on carbon holds in part on our data."
            )
        else:
            first += (
                ": the paper's finding on carbon holds on our data."
                if not settles
                else ": the paper's finding on carbon holds in part on our data."
            )
    else:
        first = "No potential was trained on bulk carbon."
    converging = {element: origin for element, origin in origins.items() if origin not in ("none", "untested")}
    groups: dict[str, list[str]] = {}
    for element, origin in origins.items():
        groups.setdefault(origin, []).append(ELEMENT_NAMES.get(element, element))
    parts = [
        f"on {' and '.join(names)}{' alike' if len(names) > 1 else ''} the convergence in K {ORIGIN_WORDS[origin]}"
        for origin, names in groups.items()
    ]
    second = (
        (
            "Trained on dimers to pentamers, the curves do converge in K"
            + (
                ""
                if len(converging) == len(origins)
                else " on " + " and ".join(ELEMENT_NAMES.get(e, e) for e in converging)
            )
            + "; "
            if converging
            else "Trained on dimers to pentamers, "
        )
        + "; ".join(parts)
        + "."
    )
    quality = [
        f"{significant(b['energy_meV_per_atom'], 2)} meV/atom and {significant(b['force_eV_per_A'], 2)} eV/Å on "
        f"{ELEMENT_NAMES.get(element, element)} (K = {b['body_order']}, trained on `{b['training_set']}`)"
        for element, b in best.items()
        if b
    ]
    third = (
        "The best bulk potentials predict held-out structures to " + " and to ".join(quality) + "."
        if quality
        else "No bulk potential was trained."
    )
    return [first, second, third]


def potential_quality_markdown(best: Mapping[str, Mapping | None]) -> str:
    """The best bulk potential of each element (``{element: best_bulk_potential(...)}``), its test
    errors and the mean distance of its dimer curve to DFT: a Markdown table (elements without bulk
    runs are left out; a missing distance is shown as a dash)."""
    lines = [
        "| element | best bulk potential | test energy RMSE (meV/atom) | test force RMSE (eV/Å) "
        "| dimer curve: mean distance to DFT (eV) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {ELEMENT_NAMES.get(element, element)} | K = {b['body_order']}, {b['variant']} basis, "
        f"trained on `{b['training_set']}` | {significant(b['energy_meV_per_atom'], 2)} "
        f"| {significant(b['force_eV_per_A'], 2)} "
        f"| {'–' if b.get('dimer_distance_eV') is None else format(b['dimer_distance_eV'], '.2f')} |"
        for element, b in best.items()
        if b
    ]
    return "\n".join(lines)


def best_potentials_dimer_sentence(best: Mapping[str, Mapping | None]) -> str:
    """What the best bulk potentials (``{element: best_bulk_potential(...)}``) do to the dimer curve,
    in one sentence that follows the numbers: which elements' curves lie farther than
    :data:`linace.study.claims.FAR_FROM_DFT_EV` from DFT and which do not. Elements without bulk runs
    or without a dimer distance are left out; an empty string if none is left."""
    from .claims import FAR_FROM_DFT_EV

    distances = {
        ELEMENT_NAMES.get(element, element): b["dimer_distance_eV"]
        for element, b in best.items()
        if b and b.get("dimer_distance_eV") is not None
    }
    if not distances:
        return ""
    far = [name for name, d in distances.items() if d > FAR_FROM_DFT_EV]
    near = [name for name, d in distances.items() if not d > FAR_FROM_DFT_EV]
    if not near:
        return (
            f"These potentials put the dimer curve far from DFT (more than {FAR_FROM_DFT_EV} eV on average): "
            "a small test error does not mean the two-body physics was learned."
        )
    if not far:
        return (
            f"These potentials keep the dimer curve within {FAR_FROM_DFT_EV} eV of DFT on average, although "
            "they saw no dimer in training."
        )
    return (
        f"The best {' and '.join(far)} potential puts the dimer curve far from DFT (more than "
        f"{FAR_FROM_DFT_EV} eV on average), the best {' and '.join(near)} potential does not: a small test error "
        "does not by itself say whether the two-body physics was learned."
    )


def claims_overview_markdown(rows: Sequence[Mapping]) -> str:
    """One table of every claim: ``rows`` of {claim (id), element, verdict (one fit), over_draws (text
    or None), number, failing}. Columns: claim, what the paper says
    (:data:`~linace.study.claims.CLAIM_TITLES`), one fit, over draws, the number that decides it, the
    condition that fails. A Markdown table."""
    from .claims import CLAIM_TITLES

    lines = [
        "| claim | the paper says | one fit | over draws | the number that decides it | which condition fails |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['claim']} ({row['element']}) | {CLAIM_TITLES.get(row['claim'], '')} | **{row['verdict']}** "
            f"| {row['over_draws'] or 'not resampled'} | {row['number']} | {row['failing'] or '–'} |"
        )
    return "\n".join(lines)


def claims_overview_rows(
    verdicts: Sequence[Verdict], graded: Mapping[int, Sequence[DrawVerdict]], numbers: Mapping[str, str], element: str
) -> list[dict]:
    """The rows of :func:`claims_overview_markdown` for one element: each one-fit ``verdicts``, its
    verdict over draws at the largest N with several draws (``graded``: {N: grade_over_draws}), the
    number that decides it (the numbers of its failing conditions, or for a claim that holds its key
    number, ``numbers``: :func:`linace.study.claims.key_numbers`) and its failing conditions (in words;
    their numbers are in the number column)."""
    rows = []
    for verdict in verdicts:
        cid = claim_id(verdict.claim)
        tested = [v for verdicts_n in graded.values() for v in verdicts_n if v.claim == verdict.claim and v.draws > 1]
        over = f"{tested[-1].verdict}, N = {tested[-1].train_size}" if tested else None
        details = "; ".join(f.detail for f in verdict.failures if f.detail)
        failing = "; ".join(f.condition for f in verdict.failures) or (
            "–" if verdict.failing == "none" else verdict.failing
        )
        rows.append(
            {
                "claim": cid,
                "element": element,
                "verdict": verdict.verdict,
                "over_draws": over,
                "number": details or numbers.get(cid, "no runs"),
                "failing": failing,
            }
        )
    return rows


def convergence_summary_figure(by_element: Mapping[str, tuple[Sequence[RunRecord], tuple[np.ndarray, np.ndarray]]]):
    """The study in one figure: the distance between the dimer curves of successive K against K, one
    panel per element (``{element: (records, dft_curve)}``), for the standard (solid) and the pure
    (dashed) basis trained on bulk data (`diverse`), on clusters alone and on clusters plus dimers,
    with the convergence threshold; one legend for all panels. Returns the figure."""
    import matplotlib.pyplot as plt

    from .claims import ATTRIBUTION_SETS
    from .plotting import TRAINING_SET_COLOURS, VARIANT_STYLES, figure_legend

    fig, axes = plt.subplots(
        1,
        len(by_element),
        figsize=(3.6 * len(by_element) + 0.3, 3.4),
        sharey=True,
        squeeze=False,
        constrained_layout=True,
    )
    for ax, (element, (records, dft_curve)) in zip(axes[0], by_element.items()):
        for training_set in ATTRIBUTION_SETS:
            for variant, style in VARIANT_STYLES.items():
                table = convergence_table(select(records, variant=variant, training_set=training_set), dft_curve)
                if len(table) < 2:
                    continue
                steps = table[1:]
                ax.semilogy(
                    [row["body_order"] for row in steps],
                    [row["distance_to_previous_K_eV"] for row in steps],
                    color=TRAINING_SET_COLOURS[training_set],
                    label=f"{training_set}, {variant}",
                    **style,
                )
        ax.axhline(CONVERGED_EV, color="0.4", lw=1, ls=":", label=f"converged: below {CONVERGED_EV} eV")
        ax.set(xlabel="body order K", title=ELEMENT_NAMES.get(element, element), xticks=body_orders(records)[1:])
    axes[0][0].set_ylabel("mean $|E_K - E_{K-1}|$ (eV)")
    figure_legend(fig, axes[0][0], ncol=2)
    return fig


# ----------------------------------------------------------------------------- the index of the sweep runs


def runs_index_markdown(
    records: Sequence[RunRecord], book_dir: str | Path, variant: str, training_sets: Sequence[str] | None = None
) -> str:
    """The runs of one basis variant as a grid, training sets down and body orders K across: each cell
    the run's test energy RMSE (meV/atom), test force RMSE (eV/A) ("failed" for both above
    :data:`FAILED_ENERGY_MEV_PER_ATOM` or :data:`FAILED_FORCE_EV_PER_A`) and the distance of its dimer
    curve to DFT (eV), linked to the run's page when its executed notebook is in ``book_dir`` (the notebook
    path its record's ``sweep`` block names, relative to the repository: ``book/sweep/<run-id>.ipynb``).
    ``training_sets``: the rows, in order (default: those of the records, sorted). A Markdown table
    ('–' where there is no run), or '' when the variant has no runs."""
    records = select(records, variant=variant)
    if not records:
        return ""
    book_dir = Path(book_dir).resolve()
    orders = body_orders(records)
    sets = list(training_sets) if training_sets is not None else sorted({r.training_set for r in records})
    lines = ["| training set | " + " | ".join(f"K = {K}" for K in orders) + " |", "|---" * (len(orders) + 1) + "|"]
    for training_set in sets:
        cells = []
        for K in orders:
            match = select(records, training_set=training_set, body_order=K)
            if not match:
                cells.append("–")
                continue
            record = match[0]
            energy, force = record.test_error("energy_rmse_meV_per_atom"), record.test_error("force_rmse_eV_per_A")
            failed = energy > FAILED_ENERGY_MEV_PER_ATOM or force > FAILED_FORCE_EV_PER_A
            text = (
                "failed" if failed else f"{significant(energy)} · {significant(force)}"
            ) + f" · {significant(record.distance_to_dft, 2)}"
            notebook = Path(record.runner("sweep").get("notebook", ""))
            parts = notebook.with_suffix("").parts
            page = Path(*parts[1:]) if len(parts) > 1 and parts[0] == book_dir.name else None
            if page is not None and (book_dir / page).with_suffix(".ipynb").exists():
                text = f"{{doc}}`{text} <{page.as_posix()}>`"
            cells.append(text)
        if any(cell != "–" for cell in cells):
            lines.append(f"| {training_set} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the results chapters (05, 05b)


def present_training_sets(records: Sequence[Mapping], order: Sequence[str]) -> list[str]:
    """The training sets of ``order`` that have at least one run in ``records``, in that order."""
    from .records import select as select_records

    return [training_set for training_set in order if select_records(records, training_set=training_set)]


def dimer_decomposition_grid(
    records: Sequence[Mapping], training_set: str, dft_curve: tuple[np.ndarray, np.ndarray], element: str = "C"
):
    """One panel per K of the runs on ``training_set``: the dimer curve (black) split into its
    body-order contributions 2 V_nu(r) (dashed), beside DFT; each panel's vertical scale follows its
    largest contribution from 1 A on (at least ±15 eV). One legend below. Returns the figure."""
    from .plotting import dimer_axes, figure_legend, panel_grid, plot_dft_dimer, plot_dimer_curve
    from .records import by_body_order
    from .records import select as select_records

    runs = by_body_order(select_records(records, training_set=training_set))
    fig, axes = panel_grid(len(runs), 2.7, sharex=True)
    for ax, record in zip(axes, runs):
        curve = record.dimer
        plot_dft_dimer(ax, *dft_curve)
        plot_dimer_curve(ax, curve, label="total", color="k", band=False)
        scale = max(15, 1.1 * max(abs(v[curve.r >= 1.0]).max() for v in curve.contributions.values()))
        dimer_axes(ax, ylim=(-scale, scale), title=f"K = {record.body_order}, {training_set}", element=element)
        ax.label_outer()
    figure_legend(fig, axes[-1], ncol=3)
    return fig


def cancellation_markdown(records: Sequence[Mapping], training_set: str) -> str:
    """The cancellation ratio (:func:`linace.analysis.cancellation_ratio`, 1 = no cancellation) of the
    dimer curve of every K of the runs on ``training_set``, in one sentence."""
    from linace.analysis import cancellation_ratio

    from .records import by_body_order
    from .records import select as select_records

    runs = by_body_order(select_records(records, training_set=training_set))
    return (
        f"Cancellation ratio on `{training_set}`: "
        + ", ".join(f"K = {record.body_order}: {cancellation_ratio(record.dimer):.2f}" for record in runs)
        + "."
    )


def lowest_errors_by_order(records: Sequence[Mapping], training_sets: Sequence[str]) -> list[dict]:
    """For every K, which of ``training_sets`` has the lowest test energy RMSE and which the lowest test
    force RMSE: rows {body_order, lowest_energy, lowest_force, energy: {set: meV/atom}, force: {set:
    eV/A}} (sets without a run at that K left out; a K without any run gives no row)."""
    from .records import body_orders
    from .records import select as select_records

    rows = []
    for K in body_orders(records):
        runs = {s: select_records(records, training_set=s, body_order=K) for s in training_sets}
        errors = {s: found[0].test_errors for s, found in runs.items() if found}
        if not errors:
            continue
        energy = {s: e["energy_rmse_meV_per_atom"] for s, e in errors.items()}
        force = {s: e["force_rmse_eV_per_A"] for s, e in errors.items()}
        rows.append(
            {
                "body_order": K,
                "lowest_energy": min(energy, key=energy.get),
                "lowest_force": min(force, key=force.get),
                "energy": energy,
                "force": force,
            }
        )
    return rows


def convergence_threshold_lines(
    records: Sequence[Mapping], dft_curve: tuple[np.ndarray, np.ndarray], training_sets: Sequence[str]
) -> list[str]:
    """How claim 2's verdict depends on its threshold: for each training set, its successive-K distances
    (:func:`linace.study.claims.convergence_steps`, eV) and either the threshold above which it would
    count as converging (its distances shrink at every step: above the last one) or that no threshold
    makes it converge. One line per set ("too few runs" with fewer than two distances)."""
    from .claims import convergence_steps
    from .records import select as select_records

    lines = []
    for training_set in training_sets:
        steps = convergence_steps(select_records(records, training_set=training_set), dft_curve)
        if len(steps) < 2:
            lines.append(f"{training_set}: too few runs to judge convergence")
            continue
        shrinking = all(b < a for a, b in zip(steps, steps[1:]))
        lines.append(
            f"{training_set}: successive-K distances "
            + " -> ".join(f"{x:.2f}" for x in steps)
            + " eV; "
            + (f"would converge for a threshold above {steps[-1]:.2f} eV" if shrinking else "never shrinks at every K")
        )
    return lines


def verdicts_changing_markdown(graded: Mapping[int, Sequence[DrawVerdict]], claims: Sequence[str]) -> str:
    """How many of ``claims`` (texts) have a verdict over draws that changes with N, naming each with
    its verdicts (:func:`linace.study.evidence.verdicts_changing_with_size`): a bold count and a list."""
    from .evidence import verdicts_changing_with_size

    moving = verdicts_changing_with_size(graded, claims)
    return f"**{len(moving)} of {len(claims)} verdicts over draws change with N**" + (
        " (sizes with several draws): " + "; ".join(moving) + "." if moving else "."
    )


def interval_text(q: Mapping, digits: int = 2) -> str:
    """A quantity over draws (:func:`linace.study.resample.quantiles`) as "median [p10, p90]", '–'
    without values."""
    return f"{q['median']:.{digits}f} [{q['p10']:.{digits}f}, {q['p90']:.{digits}f}]" if q["n"] else "–"


def convergence_over_draws_markdown(
    rows: Sequence[Mapping], combinations: Sequence[tuple[str, str]], sizes: Sequence[int], orders: Sequence[int]
) -> str:
    """The convergence numbers with their intervals over draws (:func:`linace.study.resample.
    convergence_over_draws` rows): one row per (basis, training set) of ``combinations`` and N of
    ``sizes`` that has runs, a column per successive-K distance of ``orders`` and the distance of the
    highest K to DFT, each :func:`interval_text` (eV). A Markdown table."""
    lines = [
        "| basis, training set | N | "
        + " | ".join(f"\\|K{K}−K{K - 1}\\| (eV)" for K in orders[1:])
        + f" | K{orders[-1]} to DFT (eV) |",
        "|---|---|" + "---|" * len(orders),
    ]
    for variant, training_set in combinations:
        for size in sizes:
            row = {
                r["body_order"]: r
                for r in rows
                if (r["variant"], r["training_set"], r["train_size"]) == (variant, training_set, size)
            }
            if row:
                lines.append(
                    f"| {variant}, {training_set} | {size} | "
                    + " | ".join(interval_text(row[K]["distance_to_previous_K_eV"]) for K in orders[1:])
                    + f" | {interval_text(row[orders[-1]]['distance_to_dft_eV'])} |"
                )
    return "\n".join(lines)


def learning_curves_figure(
    curves: Sequence[Mapping], combinations: Sequence[tuple[str, str]], body_order: int, sizes: Sequence[int]
):
    """Learning curves at one K (:func:`linace.study.resample.learning_curves` rows), one panel per
    quantity of :data:`linace.study.plotting.LEARNING_LABELS`, one line per (basis, training set) of
    ``combinations`` (solid: standard, dashed: pure; colour by training set), one legend. Returns the
    figure."""
    from .evidence import learning_rows
    from .plotting import (
        LEARNING_LABELS,
        TRAINING_SET_COLOURS,
        figure_legend,
        learning_axes,
        panel_grid,
        plot_learning_curve,
    )

    fig, axes = panel_grid(len(LEARNING_LABELS), 2.9, columns=3)
    for ax, quantity in zip(axes, LEARNING_LABELS):
        for variant, training_set in combinations:
            plot_learning_curve(
                ax,
                learning_rows(curves, variant, training_set, body_order),
                quantity,
                label=f"{training_set}, {variant}",
                ls="-" if variant == "standard" else "--",
                color=TRAINING_SET_COLOURS.get(training_set),
            )
        learning_axes(ax, sizes, quantity)
    figure_legend(fig, axes[0], ncol=4)
    return fig


def distance_learning_figure(
    curves: Sequence[Mapping], combinations: Sequence[tuple[str, str]], orders: Sequence[int], sizes: Sequence[int]
):
    """The dimer curve's distance to DFT against N for every K, one panel per (basis, training set) of
    ``combinations``: median over draws and 10-90 % bars, the markers of the K set slightly apart along
    N (by 5 % per K) so that their bars do not hide each other. Returns the figure."""
    from .evidence import learning_rows
    from .plotting import BODY_ORDER_COLOURS, figure_legend, learning_axes, panel_grid, plot_learning_curve

    fig, axes = panel_grid(len(combinations), 2.4, columns=3, sharex=True, sharey=True)
    for ax, (variant, training_set) in zip(axes, combinations):
        for k, K in enumerate(orders):
            plot_learning_curve(
                ax,
                learning_rows(curves, variant, training_set, K),
                "distance_to_dft_eV",
                label=f"K = {K}",
                color=BODY_ORDER_COLOURS[K],
                band=False,
                dodge=1 + 0.05 * (k - (len(orders) - 1) / 2),
            )
        learning_axes(ax, sizes, "distance_to_dft_eV", title=f"{training_set}, {variant}")
        ax.set_ylabel("to DFT (eV)" if ax.get_subplotspec().is_first_col() else "")
        ax.label_outer()
    figure_legend(fig, axes[0], ncol=4)
    return fig


def label_changes_markdown(changes: Mapping) -> str:
    """How the state search moved the labels of molecules a single run had labelled before
    (:func:`linace.study.reference.label_changes`): a one-row Markdown table of the structures compared,
    those moved by more than 1 meV/atom, those whose winning moment changed, and the median, the largest
    lowering and the RMS of the change (meV/atom)."""
    median = round(1e3 * changes["median_eV_per_atom"], 1) + 0.0  # + 0.0: a median of -0.0 reads 0.0
    return (
        "| compared | moved by more than 1 meV/atom | other moment won | median change | "
        "largest lowering | RMS change |\n|---|---|---|---|---|---|\n"
        f"| {changes['n']} | {changes['n_changed']} | {changes['n_moment_changed']} | "
        f"{median:.1f} meV/atom | {1e3 * changes['max_eV_per_atom']:.0f} meV/atom | "
        f"{1e3 * changes['rms_eV_per_atom']:.0f} meV/atom |"
    )


def run_errors_markdown(record: Mapping) -> str:
    """The errors of one run on its training and test sets, overall (``all``) and per config_type: a
    Markdown table of the structures, energy RMSE (meV/atom) and force RMSE (eV/A)."""
    rows = ["| set | config_type | structures | E RMSE (meV/atom) | F RMSE (eV/Å) |", "|---|---|---|---|---|"]
    for split in ("train", "test"):
        for config_type, e in record.errors(split, group=None).items():  # every group of the split
            rows.append(
                f"| {split} | {config_type} | {e['n_structures']} | {e['energy_rmse_meV_per_atom']:.1f} "
                f"| {e['force_rmse_eV_per_A']:.3f} |"
            )
    return "\n".join(rows)


__all__ += ["label_changes_markdown", "run_errors_markdown"]
