"""Tables and figures the chapters of the book share, for the data of any element.

Each function turns run records (:mod:`linace.study.results`) or reference data
(:mod:`linace.study.reference`) into a Markdown table (a string, for ``IPython.display.Markdown``)
or draws a figure; the chapters on carbon and on silicon call the same functions, so that the two
elements are shown alike. Energies in eV, lengths in A, as in the records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from ase import Atoms

from . import reference
from .claims import CONVERGED_EV, DrawVerdict, Verdict, claim_id, compare_over_draws, select
from .results import CONVERGENCE_COLUMNS, convergence_rows, convergence_table, record_range

__all__ = ["LITERATURE_BULK", "SETTINGS_SHOWN", "SUMMARY_QUANTITIES", "changes_over_draws", "chosen_setting_errors",
           "compute_markdown", "convergence_by_run", "convergence_ingredients_markdown", "convergence_scan_markdown",
           "dimer_curve_grid", "dimer_state_markdown", "draws_comparison_markdown", "families_markdown",
           "over_draws_summary", "sanity_markdown", "settings_markdown", "standard_vs_pure_markdown",
           "summary_comparison_markdown", "test_error_markdown", "verdict_changes", "verdict_history_markdown",
           "verdicts_markdown", "verdicts_over_draws_markdown"]

#: key of each element's ground-state crystal in ``data/literature.json`` (published PBE a0, B, E_coh)
LITERATURE_BULK = {"C": "diamond", "Si": "silicon"}


def _published(table: Mapping, term: str | None, key: str, fmt: str) -> str:
    """A published value with its citation, or '–'."""
    entry = table.get(term) or {}
    return format(entry[key], fmt) + f" {{cite:p}}`{entry['source']}`" if entry.get(key) is not None else "–"


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
    """The states of the dimer (:func:`linace.study.reference.dimer_state_table`) beside experiment and
    published PBE values: a Markdown table, the line of sources and, where the literature has no PBE
    values for this dimer, the reason it records."""
    element = dimers[0].get_chemical_symbols()[0]
    literature = literature or reference.literature()
    molecule = literature.get(f"{element}2", {})
    experiment, pbe = molecule.get("experiment", {}), molecule.get("pbe", {})
    lines = ["| state (resembles) | M (μ$_B$) | lowest in (Å) | configuration at r$_e$ | r$_e$ (Å) | D$_e$ (eV) "
             "| ω$_e$ (cm$^{-1}$) | r$_e$ expt | ω$_e$ expt | r$_e$ PBE | D$_e$ PBE |", "|---" * 11 + "|"]
    for row in reference.dimer_state_table(dimers, e_atom):
        term = reference.literature_term(row["state"], element)
        name = reference.state_markup(row["state"])
        if term and _term_name(term) != row["state"]:  # the label it resembles: 'broken-symmetry singlet (X1Σg+)'
            name += f" ({reference.state_markup(_term_name(term))})"
        if row["D_e"] is None:
            constants = f"| no minimum on {row['span'][0]:.2f}–{row['span'][1]:.2f} Å | – | – "
        else:
            constants = f"| {row['r_e']:.3f} | {row['D_e']:.2f} | {row['omega_e']:.0f} "
        lines.append(f"| {name} | {row['moment']} | {row['wins'] or '–'} | {row['configuration'] or '–'} "
                     + constants
                     + f"| {_published(experiment, term, 'r_e_A', '.4f')} "
                     f"| {_published(experiment, term, 'omega_e_cm-1', '.0f')} "
                     f"| {_published(pbe, term, 'r_e_A', '.3f')} | {_published(pbe, term, 'D_e_eV', '.2f')} |")
    out = ["\n".join(lines), _sources(literature, {e.get("source") for t in (experiment, pbe) for e in t.values()})]
    if not pbe and "pbe_status" in molecule:  # say why the PBE columns are empty rather than leave a reader guessing
        out.append("PBE columns empty: " + molecule["pbe_status"]["note"])
    return "\n\n".join(out)


def _value(function, key: str, fmt: str, *args) -> str:
    """A sanity number, or why it cannot be computed from the available data."""
    try:
        return format(function(*args)[key], fmt)
    except ValueError as error:
        return f"n/a ({error})"


def sanity_markdown(pool: Sequence[Atoms], e_atom: float, element: str = "C",
                    literature: Mapping | None = None) -> str:
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
        (f"{crystal} lattice constant (Å)", _value(reference.diamond_sanity, "a0", ".3f", pool, e_atom),
         f"{pbe['a0_A']:.3f} (PBE)", cite),
        (f"{crystal} bulk modulus (GPa)", _value(reference.diamond_sanity, "B", ".0f", pool, e_atom),
         f"{pbe['B_GPa']:.0f} (PBE)", cite),
        (f"{crystal} cohesive energy (eV/atom)", _value(reference.diamond_sanity, "cohesive_energy", ".3f", pool, e_atom),
         f"{pbe['cohesive_energy_eV']:.3f} (PBE)", cite),
    ]
    if element == "C":
        rows.append(("graphene in-plane lattice constant (Å)",
                     _value(reference.graphene_lattice_constant, "a0", ".3f", pool),
                     "2.47 (PBE, graphite)", "{cite:p}`graziano2012`"))
    return "\n".join(["| quantity | this data | published | source |", "|---|---|---|---|"]
                     + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows])


def families_markdown(sets: Mapping[str, Sequence[Atoms]]) -> str:
    """Structures per family (``info['config_type']``) of each set, with the totals of structures and
    atoms: a Markdown table with one column per set."""
    families = sorted({a.info["config_type"] for images in sets.values() for a in images})
    lines = ["| family | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
    for family in families:
        lines.append(f"| {family} | " + " | ".join(str(sum(a.info["config_type"] == family for a in images))
                                                 for images in sets.values()) + " |")
    lines.append("| **structures** | " + " | ".join(f"**{len(images)}**" for images in sets.values()) + " |")
    lines.append("| **atoms** | " + " | ".join(f"**{sum(len(a) for a in images)}**" for images in sets.values()) + " |")
    return "\n".join(lines)


#: the settings of a data manifest's ``dft`` entry that the settings table shows
SETTINGS_SHOWN = ("xc", "ecut", "kpt_density", "width", "vacuum", "kpoints", "smearing", "spin", "energy", "molecule_box")


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
    return "\n".join(["| setting | value |", "|---|---|"]
                     + [f"| {key} | {_cell(settings[key])}" + (f" {SETTING_UNITS[key]}" if key in SETTING_UNITS else "")
                        + " |" for key in SETTINGS_SHOWN if key in settings])


def convergence_scan_markdown(convergence: Mapping) -> list[str]:
    """One Markdown table per scan of a convergence check (``convergence.json``, or the manifest's
    ``convergence``): per value the largest errors of energy differences (meV/atom), forces (eV/A)
    and stress (GPa) against the scan's reference value, and the wall time (s)."""
    tables = []
    for name, scan in (convergence.get("scans") or {}).items():
        columns = [key for key in ("max_energy_difference_error_meV_per_atom", "max_force_error_eV_per_A",
                                   "max_stress_error_GPa", "wall_time_s") if any(key in row for row in scan["rows"])]
        lines = [f"**{name}** (reference value {scan.get('reference_value')})", "",
                 "| value | " + " | ".join(c.replace("_", " ") for c in columns) + " |",
                 "|---" * (len(columns) + 1) + "|"]
        lines += [f"| {row['value']} | " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in scan["rows"]]
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
            errors = [f"{label} {row[key]} {unit}" for label, key, unit in (
                ("energy differences", "max_energy_difference_error_meV_per_atom", "meV/atom"),
                ("forces", "max_force_error_eV_per_A", "eV/A"), ("stress", "max_stress_error_GPa", "GPa"))
                if row.get(key) is not None]
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
        lines.append(f"| {family} | {entry['structures']} | {entry['cpu_core_seconds'] / 3600:.2f} | "
                     f"{entry['cpu_core_seconds'] / max(entry['structures'], 1):.0f} |")
    total = compute["cpu_core_seconds"]
    lines.append(f"| **all** | **{compute['n_rows']}** | **{total / 3600:.1f}** | "
                 f"**{total / max(compute['n_rows'], 1):.0f}** |")
    return "\n".join(lines)


def verdicts_markdown(verdicts: Sequence[Verdict]) -> str:
    """Each claim with its verdict, the fixed criterion and the evidence, as Markdown paragraphs."""
    lines = []
    for verdict in verdicts:
        lines += [f"**{verdict.claim}**", "", f"*Verdict: {verdict.verdict}.* Criterion: {verdict.criterion}.", "",
                  f"Evidence: {verdict.evidence}.", ""]
    return "\n".join(lines)


def verdicts_over_draws_markdown(graded: Mapping[int, Sequence[DrawVerdict]], single: Mapping[str, str],
                                 claims: Sequence[str] | None = None) -> str:
    """In how many draws each claim holds, per training-set size N, beside the one-fit verdict.

    ``graded``: {N: :func:`~linace.study.claims.grade_over_draws` of N}; ``single``: {claim: verdict of
    the one potential per (K, set) trained on the whole set}; ``claims``: the claims shown, in order
    (default: those of ``single``). A size with one draw (N close to the whole set) reports that draw's
    verdict, not a verdict over draws; sizes a claim was not tested at are left out. A Markdown table."""
    lines = ["| claim | N | holds in | partly in | verdict over draws | whole set, one fit |", "|---|---|---|---|---|---|"]
    for claim in (single if claims is None else claims):
        for size, verdicts in graded.items():
            for v in verdicts:
                if v.claim == claim and v.draws:
                    over = f"**{v.verdict}**" if v.draws > 1 else f"one draw only: {v.only_draw_verdict}"
                    lines.append(f"| {claim} | {size} | {v.holds} of {v.draws} | {v.partly} of {v.draws} | "
                                 f"{over} | {single.get(claim, '–')} |")
    return "\n".join(lines)


def over_draws_summary(graded: Mapping[int, Sequence[DrawVerdict]], claim: str) -> str:
    """One claim over draws in a sentence: its verdict at the largest N with several draws (the one draw
    where that is all there is), then how often it held at every N, e.g. "reproduced over draws at
    N = 160 (holds fully in 7 of 10 draws, partly in 1, at N = 40; ...)"; "not resampled" if no draw tested it."""
    tested = [v for verdicts in graded.values() for v in verdicts if v.claim == claim and v.draws]
    if not tested:
        return "not resampled"
    headline = ([v for v in tested if v.draws > 1] or tested)[-1]
    return (f"{headline.verdict} over draws at N = {headline.train_size} (holds fully in "
            + "; ".join(v.count for v in tested) + ")")


def _by_order(records: Sequence[dict], **selection) -> list[dict]:
    return sorted(select(records, **selection), key=lambda r: r["parameters"]["body_order"])


def dimer_curve_grid(records: Sequence[dict], variants: Sequence[str], training_sets: Sequence[str],
                     dft_curve: tuple[np.ndarray, np.ndarray], element: str = "C"):
    """One panel per (variant, training set), rows by variant and at most three panels per row: the
    dimer curve E(r) - 2E0 of every K of the records beside DFT. Returns the figure."""
    from linace.analysis import DimerCurve

    from .plotting import BODY_ORDER_COLOURS, dimer_axes, panel_grid, plot_dft_dimer, plot_dimer_curve

    r_dft, e_dft = dft_curve
    panels = [(v, s) for v in variants for s in training_sets]
    fig, axes = panel_grid(len(panels), 4.2, 3.8)
    low = min(float(np.min(e_dft)), -10.0) - 2
    for ax, (variant, training_set) in zip(axes, panels):
        plot_dft_dimer(ax, r_dft, e_dft)
        for record in _by_order(records, variant=variant, training_set=training_set):
            K = record["parameters"]["body_order"]
            plot_dimer_curve(ax, DimerCurve.from_dict(record["dimer"]), label=f"K = {K}", contributions=False,
                             band=False, color=BODY_ORDER_COLOURS[K])
        dimer_axes(ax, ylim=(low, 15), title=f"{variant}, trained on {training_set}", element=element)
        ax.legend(fontsize=7)
    return fig


def convergence_by_run(records: Sequence[dict], variants: Sequence[str], training_sets: Sequence[str],
                       dft_curve: tuple[np.ndarray, np.ndarray]):
    """The convergence numbers of every (variant, training set) (:func:`linace.study.results.convergence_table`):
    a Markdown table and a figure of two panels, successive-K distances (with the convergence
    threshold) and distances to DFT against K. Returns (markdown, figure)."""
    import matplotlib.pyplot as plt

    from .plotting import convergence_axes, plot_convergence

    lines = ["| variant | training set | " + " | ".join(CONVERGENCE_COLUMNS) + " |",
             "|---" * (len(CONVERGENCE_COLUMNS) + 2) + "|"]
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4))
    orders = sorted({r["parameters"]["body_order"] for r in records})
    for variant, style in zip(variants, ("o-", "s--")):
        for k, training_set in enumerate(training_sets):
            table = convergence_table(select(records, variant=variant, training_set=training_set), dft_curve)
            lines += [f"| {variant} | {training_set} | " + " | ".join(cells) + " |" for cells in convergence_rows(table)]
            plot_convergence(ax0, ax1, table, label=f"{variant}, {training_set}", style=style, color=f"C{k}")
    ax0.axhline(CONVERGED_EV, color="grey", lw=0.8, ls=":")
    convergence_axes(ax0, ax1, orders, fontsize=7, r_range=record_range(records[0]) if records else (1.0, 4.5))
    fig.tight_layout()
    return "\n".join(lines), fig


def standard_vs_pure_markdown(records: Sequence[dict], training_sets: Sequence[str]) -> str:
    """Mean |E_standard(r) - E_pure(r)| of the dimer curves (eV) over the element's comparison range
    (:func:`linace.study.results.record_range`) per training set and K: a Markdown table ('–' where
    a run is missing)."""
    from linace.analysis import DimerCurve, curve_distance

    orders = sorted({r["parameters"]["body_order"] for r in records})
    lines = ["| training set | " + " | ".join(f"K = {K}" for K in orders) + " |", "|---" * (len(orders) + 1) + "|"]
    for training_set in training_sets:
        cells = []
        for K in orders:
            pair = [select(records, variant=v, training_set=training_set, body_order=K) for v in ("standard", "pure")]
            if all(pair):
                a, b = (DimerCurve.from_dict(match[0]["dimer"]) for match in pair)
                cells.append(f"{curve_distance(a.r, a.energy, b.r, b.energy, record_range(pair[0][0])):.3f}")
            else:
                cells.append("–")
        lines.append(f"| {training_set} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def convergence_ingredients_markdown(
        by_element: Mapping[str, Mapping[tuple[str, str], tuple[str, Sequence[float]]]]) -> str:
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


def test_error_markdown(records: Sequence[dict], variants: Sequence[str], training_sets: Sequence[str]) -> str:
    """Test RMSE of energy (meV/atom) and forces (eV/A) per (variant, training set) and K: a Markdown table."""
    orders = sorted({r["parameters"]["body_order"] for r in records})
    lines = ["| variant | training set | " + " | ".join(f"K = {K}" for K in orders) + " |",
             "|---" * (len(orders) + 2) + "|"]
    for variant in variants:
        for training_set in training_sets:
            cells = []
            for K in orders:
                match = select(records, variant=variant, training_set=training_set, body_order=K)
                errors = match[0]["errors"]["test"]["all"] if match else None
                cells.append(f"{errors['energy_rmse_meV_per_atom']:.3g} / {errors['force_rmse_eV_per_A']:.3g}"
                             if errors else "–")
            lines.append(f"| {variant} | {training_set} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _over_draws(row: Mapping | None) -> str:
    return f"{row['holds']} of {row['draws']}: {row['verdict']}" if row else "–"


def _changed(rows: Sequence[Mapping]) -> list[str]:
    """The rows of :func:`~linace.study.claims.compare_over_draws` whose verdict changed, as text."""
    return [f"{r['claim']} at N = {r['train_size']}: {r['before']['verdict']} → {r['now']['verdict']}"
            for r in rows if r["changed"]]


def changes_over_draws(before_draws: Mapping, after_draws: Mapping) -> list[str]:
    """The verdicts over draws that changed at a size tested before and after, e.g.
    '1b at N = 40: reproduced → depends on the draw' (arguments as :func:`draws_comparison_markdown`'s)."""
    return _changed(compare_over_draws(before_draws, after_draws))


def draws_comparison_markdown(before: Mapping, after_draws: Mapping, after_single: Mapping[str, str],
                              after_sizes: tuple, change: str) -> str:
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
    lines = ["| claim | N | before: holds in | after: holds in | whole set, one fit: before → after |",
             "|---|---|---|---|---|"]
    lines += [f"| {r['claim']} | {r['train_size']} | {_over_draws(r['before'])} | "
              + (f"**{_over_draws(r['now'])}**" if r["changed"] else _over_draws(r["now"]))
              + f" | {old_single.get(r['claim'], '–')} → {after_single.get(r['claim'], '–')} |" for r in rows]
    return (f"**{change}.** Before: training sets of {before['set_sizes'].get('diverse', '–')} structures, a test "
            f"set of {before['set_sizes'].get('test', '–')}; after: {after_sizes[0]} and {after_sizes[1]}.\n\n"
            + "\n".join(lines) + "\n\n**Verdicts over draws that changed at a size tested both times:** "
            + ("; ".join(changed) or "none") + ".")


#: the quantities of :func:`linace.study.claims.compare_summaries`, with their column titles
SUMMARY_QUANTITIES = {"distance_to_previous_K_eV": "to K−1 (eV)", "distance_to_dft_eV": "to DFT (eV)",
                      "minimum_position_A": "minimum (Å)", "minimum_energy_eV": "depth (eV)"}


def _three(value) -> str:
    """A number with three decimals, or '–' when missing (None, NaN)."""
    return "–" if value is None or not np.isfinite(value) else f"{value:.3f}"


def summary_comparison_markdown(comparison: Mapping) -> str:
    """The convergence numbers of every run before and after, one row per (run, K), from the
    ``convergence`` rows of :func:`linace.study.claims.compare_summaries` (missing: '–')."""
    grouped: dict[tuple, dict] = {}
    for run, K, quantity, old, new in comparison["convergence"]:
        grouped.setdefault((run, K), {})[quantity] = (old, new)
    lines = ["| run | K | " + " | ".join(f"{title} before | after" for title in SUMMARY_QUANTITIES.values()) + " |",
             "|---|---" + "|---|---" * len(SUMMARY_QUANTITIES) + "|"]
    for (run, K), values in grouped.items():
        pairs = [values.get(quantity, (None, None)) for quantity in SUMMARY_QUANTITIES]
        lines.append(f"| {run} | {K} | " + " | ".join(f"{_three(old)} | {_three(new)}" for old, new in pairs) + " |")
    return "\n".join(lines)


def verdict_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """The claims graded both times whose verdict changed, e.g. '1b: partly → reproduced'
    (``before``, ``after``: {claim: verdict}; a claim is named by its id, the text before the first '.')."""
    return [f"{claim_id(claim)}: {before[claim]} → {verdict}" for claim, verdict in after.items()
            if claim in before and before[claim] != verdict]


def verdict_history_markdown(first: Mapping[str, str], steps: Sequence[tuple[str, Mapping[str, str]]],
                             now: tuple[str, Mapping[str, str]]) -> str:
    """Every claim's verdict through a sequence of changes: one column for the ``first`` state
    ({claim: verdict}), one per intermediate state ``steps`` [(column title, {claim: verdict})] (a
    state not recorded: {}) and one for ``now`` (title, {claim: verdict}); a verdict that differs
    now from the first state (or was not graded then) is bold. Claims are those of the ``now`` state,
    in its order."""
    title, current = now
    lines = ["| claim | first reference | " + " | ".join(name for name, _ in steps) + f" | {title} |",
             "|---" * (len(steps) + 3) + "|"]
    for claim, verdict in current.items():
        shown = f"**{verdict}**" if first.get(claim) != verdict else verdict
        lines.append(f"| {claim} | {first.get(claim, '–')} | "
                     + " | ".join(verdicts.get(claim, "–") for _, verdicts in steps) + f" | {shown} |")
    return "\n".join(lines)
