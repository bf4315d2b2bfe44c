"""Tests of the tables and figures the chapters share (linace.study.report)."""

import matplotlib
import numpy as np
import pytest
from ase.calculators.singlepoint import SinglePointCalculator

from linace.study import datasets, reference, report, structures
from linace.study.claims import Verdict

matplotlib.use("Agg")


def _diamond_scan(element, a0, b_gpa, e_min):
    """A diamond-structure volume scan of ``element`` on a parabola E(V) (per atom) with minimum
    at the volume of lattice constant ``a0``."""
    from ase.build import bulk
    from ase.units import GPa

    v0 = a0**3 / 8
    images = []
    for i, f in enumerate(np.linspace(0.98, 1.02, 9)):
        atoms = bulk(element, "diamond", a=a0 * f ** (1 / 3))
        v = atoms.get_volume() / 2
        atoms.calc = SinglePointCalculator(atoms, energy=2 * (e_min + b_gpa * GPa * (v - v0) ** 2 / (2 * v0)),
                                           forces=np.zeros((2, 3)))
        atoms.info["sid"] = f"diamond-volume-{i:03d}"
        images.append(atoms)
    return images


@pytest.mark.parametrize("element, crystal", [("C", "diamond"), ("Si", "silicon")])
def test_sanity_table_sets_the_data_beside_the_element_s_published_values(element, crystal):
    pool = _diamond_scan(element, 5.43 if element == "Si" else 3.57, 90.0, -5.0)
    table = report.sanity_markdown(pool, e_atom=-0.5, element=element)
    lines = table.splitlines()
    assert lines[2].startswith(f"| {crystal} lattice constant (Å) | {5.43 if element == 'Si' else 3.57:.3f} |")
    assert "| 90 |" in lines[3] and "| 4.500 |" in lines[4]
    published = report.reference.literature()[crystal]["pbe"]
    assert f"{published['a0_A']:.3f} (PBE)" in lines[2]
    assert ("graphene" in table) == (element == "C")
    with pytest.raises(ValueError, match="no published bulk values for 'Cu'"):
        report.sanity_markdown(pool, -0.5, "Cu")


def test_sanity_table_says_why_a_number_is_missing():
    table = report.sanity_markdown(_diamond_scan("C", 3.57, 400.0, -8.0)[:3], -1.0, "C")
    assert "n/a (an EOS fit needs at least 5 volumes, got 3)" in table


def test_families_table_counts_structures_and_atoms_per_set():
    a, b = structures.diamond(), structures.diamond()
    a.info["config_type"], b.info["config_type"] = "diamond", "graphite"
    table = report.families_markdown({"one": [a], "two": [a, b, b]})
    assert table.splitlines() == ["| family | one | two |", "|---|---|---|", "| diamond | 1 | 1 |",
                                  "| graphite | 0 | 2 |", "| **structures** | **1** | **3** |",
                                  "| **atoms** | **2** | **6** |"]


def test_verdicts_are_set_with_criterion_and_evidence():
    text = report.verdicts_markdown([Verdict("v2c. Pure converges", "shrinks", "reproduced", "0.3 → 0.1")])
    assert text.splitlines()[:5] == ["**v2c. Pure converges**", "", "*Verdict: reproduced.* Criterion: shrinks.", "",
                                     "Evidence: 0.3 → 0.1."]


@pytest.mark.skipif("dimers" not in datasets.names(), reason="committed dimer data absent")
def test_state_table_of_the_committed_dimers_names_experiment_and_sources():
    dimers = datasets.load("dimers")
    table = report.dimer_state_markdown(dimers, datasets.e0())
    rows = [line for line in table.splitlines() if line.startswith("| $^{3}\\Pi_{u}$ (a$^{3}\\Pi_{u}$)")]
    assert rows and "1.3119 {cite:p}`huber1979constants`" in rows[0]  # a3Πu beside experiment
    assert "Sources: {cite:t}`huber1979constants`" in table
    assert "PBE columns empty:" in table  # and why (no published PBE C2 values could be read)
    # every state that labels the curve has a row, with or without a minimum on its own curve
    winners = {segment["state"] for segment in reference.state_segments(dimers)}
    named = {reference.state_markup(state) for state in winners}
    listed = {line.split(" | ")[0].lstrip("| ").split(" (")[0] for line in table.splitlines()[2:] if line.startswith("| ")}
    assert named <= listed, named - listed


def test_run_tables_and_figures(synthetic_data, tmp_path, monkeypatch):
    from linace.study import runs

    monkeypatch.setenv("LINACE_CACHE", str(tmp_path / "cache"))
    records = [runs.train(K, s, v, data_dir=synthetic_data, progress=False).record
               for K in (2, 3) for v in ("standard", "pure") for s in ("diverse", "clusters")]
    dft = tuple(np.asarray(x) for x in (records[0]["dimer"]["r"], records[0]["dimer"]["energy"]))
    errors = report.test_error_markdown(records, ["standard", "pure"], ["diverse", "clusters"]).splitlines()
    assert errors[0] == "| variant | training set | K = 2 | K = 3 |" and len(errors) == 6
    rmse = records[0]["errors"]["test"]["all"]["energy_rmse_meV_per_atom"]
    assert errors[2].startswith(f"| standard | diverse | {rmse:.3g} / ")
    versus = report.standard_vs_pure_markdown(records, ["diverse", "clusters", "narrow"]).splitlines()
    assert versus[-1] == "| narrow | – | – |"  # no runs: no number
    assert float(versus[2].split("|")[2]) == 0.0  # K = 2: the pure basis is the standard one
    table, fig = report.convergence_by_run(records, ["standard", "pure"], ["diverse", "clusters"], dft)
    assert len(table.splitlines()) == 2 + 8 and len(fig.axes) == 2
    fig = report.dimer_curve_grid(records, ["standard", "pure"], ["diverse", "clusters"], dft, element="Si")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4 and visible[0].get_xlabel() == "Si–Si distance r (Å)"
    assert [len(ax.get_lines()) for ax in visible] == [4] * 4  # axhline, DFT, K = 2, K = 3


def test_compute_table_per_family_and_in_total():
    manifest = {"compute": {"cpu_core_seconds": 7300.0, "n_rows": 3,
                            "by_family": {"diamond": {"structures": 2, "cpu_core_seconds": 100.0},
                                          "dimer": {"structures": 1, "cpu_core_seconds": 7200.0}}}}
    assert report.compute_markdown(manifest).splitlines()[2:] == [
        "| diamond | 2 | 0.03 | 50 |", "| dimer | 1 | 2.00 | 7200 |", "| **all** | **3** | **2.0** | **2433** |"]
    assert report.compute_markdown({"compute": {"cpu_core_seconds": 1.0, "n_rows": 1}}).startswith("The manifest")


def test_settings_and_convergence_tables():
    manifest = {"dft": {"xc": "PBE", "ecut": 450.0, "kpt_density": 2.5, "unshown": 1}}
    assert report.settings_markdown(manifest).splitlines() == [
        "| setting | value |", "|---|---|", "| xc | PBE |", "| ecut | 450.0 eV |", "| kpt_density | 2.5 k-points per Å⁻¹ |"]
    described = report.settings_markdown({"dft": {"kpoints": "N_i = ceil(2 pi |b_i| d)", "spin": "see sets[<name>]"}})
    assert described.splitlines()[2:] == ["| kpoints | N_i = ceil(2 pi \\|b_i\\| d) |", "| spin | see sets[&lt;name&gt;] |"]
    convergence = {"scans": {"ecut": {"reference_value": 800.0, "rows": [
        {"value": 450.0, "max_energy_difference_error_meV_per_atom": 5.6, "max_force_error_eV_per_A": 0.02,
         "wall_time_s": 10.0},
        {"value": 800.0, "max_energy_difference_error_meV_per_atom": 0.0, "max_force_error_eV_per_A": 0.0,
         "wall_time_s": 30.0}]},
        "width": {"reference_value": 0.02, "rows": [{"value": 0.02, "max_force_error_eV_per_A": 0.0}]}}}
    (ecut, width) = report.convergence_scan_markdown(convergence)
    assert ecut.splitlines()[0] == "**ecut** (reference value 800.0)"
    assert ecut.splitlines()[4] == "| 450.0 | 5.6 | 0.02 | 10.0 |"
    assert width.splitlines()[2] == "| value | max force error eV per A |"
    assert report.chosen_setting_errors(convergence, manifest["dft"]) == [
        "ecut: ecut = 450.0: energy differences 5.6 meV/atom, forces 0.02 eV/A"]  # stress not computed: left out
    convergence["scans"]["ecut"]["rows"][0]["max_force_error_eV_per_A"] = float("nan")
    assert report.convergence_scan_markdown(convergence)[0].splitlines()[4] == "| 450.0 | 5.6 | – | 10.0 |"


def test_a_change_is_tabled_claim_by_claim_over_draws():
    from linace.study.claims import DrawVerdict

    before = {"set_sizes": {"diverse": 81, "test": 49},
              "summary": {"verdicts": [{"claim": "1b. Text", "verdict": "partly"}]},
              "draws": {"40": [{"claim": "1b", "holds": 5, "partly": 5, "draws": 10, "verdict": "depends on the draw"}]}}
    after = {40: [DrawVerdict("1b. Text", "c", 40, 9, 1, 10, "reproduced")]}
    table = report.draws_comparison_markdown(before, after, {"1b": "reproduced"}, (320, 152), "The weights were corrected")
    assert table.startswith("**The weights were corrected.** Before: training sets of 81 structures, a test set of 49; "
                            "after: 320 and 152.")
    assert "| 1b | 40 | 5 of 10: depends on the draw | **9 of 10: reproduced** | partly → reproduced |" in table
    assert table.endswith("changed at a size tested both times:** 1b at N = 40: depends on the draw → reproduced.")
    assert report.changes_over_draws(before["draws"], after) == ["1b at N = 40: depends on the draw → reproduced"]
    unchanged = report.draws_comparison_markdown(before, {"40": before["draws"]["40"]}, {}, (81, 49), "Nothing")
    assert unchanged.endswith("tested both times:** none.") and "| 1b | 40 | 5 of 10: depends on the draw | 5 of 10" in unchanged


def test_summaries_before_and_after_are_tabled_run_by_run():
    from linace.study.claims import compare_summaries

    row = {"body_order": 3, "distance_to_previous_K_eV": 0.31, "distance_to_dft_eV": 1.0,
           "minimum_position_A": 1.3, "minimum_energy_eV": -6.0}
    before = {"convergence": {"pure, diverse": [row]}, "verdicts": [{"claim": "v2b. Text", "verdict": "partly"}]}
    after = {"convergence": {"pure, diverse": [dict(row, distance_to_previous_K_eV=0.2345)],
                             "pure, clusters": [dict(row, body_order=2, distance_to_previous_K_eV=float("nan"))]},
             "verdicts": [{"claim": "v2b. Text", "verdict": "reproduced"}]}
    lines = report.summary_comparison_markdown(compare_summaries(before, after)).splitlines()
    assert lines[0] == ("| run | K | to K−1 (eV) before | after | to DFT (eV) before | after | minimum (Å) before | after "
                        "| depth (eV) before | after |")
    assert len(lines[1].split("|")) == len(lines[0].split("|"))
    assert lines[2] == "| pure, clusters | 2 | – | – | – | 1.000 | – | 1.300 | – | -6.000 |"  # not run before, no K-1
    assert lines[3] == "| pure, diverse | 3 | 0.310 | 0.234 | 1.000 | 1.000 | 1.300 | 1.300 | -6.000 | -6.000 |"


def test_the_verdict_history_bolds_what_changed_since_the_first_state():
    first = {"1a. A": "partly", "v2a. B": "reproduced"}
    steps = [("searched", {"1a. A": "partly", "v2a. B": "not reproduced"}), ("missing", {})]
    now = {"1a. A": "partly", "v2a. B": "not reproduced", "v2c. C": "reproduced"}
    lines = report.verdict_history_markdown(first, steps, ("now", now)).splitlines()
    assert lines[0] == "| claim | first reference | searched | missing | now |"
    assert lines[1] == "|---|---|---|---|---|"
    assert lines[2:] == ["| 1a. A | partly | partly | – | partly |",
                         "| v2a. B | reproduced | not reproduced | – | **not reproduced** |",
                         "| v2c. C | – | – | – | **reproduced** |"]  # not graded in the first state
    assert report.verdict_changes(first, now) == ["v2a: reproduced → not reproduced"]  # v2c: not graded before
    assert report.verdict_changes(now, now) == []


def test_convergence_ingredients_table_has_a_column_per_element():
    table = report.convergence_ingredients_markdown({
        "Si": {("pure", "clusters"): ("no", [0.6, 1.8, 0.8]), ("pure", "clusters+dimers"): ("yes", [0.6, 0.06, 0.01])},
        "C": {("pure", "clusters"): ("untested", [])}})
    lines = table.splitlines()
    assert lines[0] == "| basis | training set | Si | C |"
    assert lines[2] == "| pure | `clusters` | no (last step 0.80) | untested |"
    assert lines[3] == "| pure | `clusters+dimers` | yes (last step 0.01) | untested |"


def test_verdicts_over_draws_table_reports_each_tested_size_beside_the_one_fit():
    from linace.study.claims import DrawVerdict

    def graded(claim, size, holds, partly, draws):
        verdict = "reproduced" if holds >= 0.8 * draws else "not reproduced" if holds <= 0.2 * draws else "depends"
        return DrawVerdict(claim, "criterion", size, holds, partly, draws, verdict)

    by_size = {40: [graded("v2a", 40, 3, 0, 10), graded("v2c", 40, 7, 1, 10), graded("v2b", 40, 0, 0, 0)],
               160: [graded("v2c", 160, 10, 0, 10), graded("v2a", 160, 1, 0, 1)]}
    table = report.verdicts_over_draws_markdown(by_size, {"v2a": "not reproduced", "v2b": "reproduced",
                                                          "v2c": "reproduced"})
    rows = table.splitlines()[2:]
    assert rows == ["| v2a | 40 | 3 of 10 | 0 of 10 | **depends** | not reproduced |",
                    "| v2a | 160 | 1 of 1 | 0 of 1 | one draw only: reproduced | not reproduced |",
                    "| v2c | 40 | 7 of 10 | 1 of 10 | **depends** | reproduced |",
                    "| v2c | 160 | 10 of 10 | 0 of 10 | **reproduced** | reproduced |"]  # v2b: no draw tested it
    only = report.verdicts_over_draws_markdown(by_size, {"v2a": "x"}, claims=["v2c"]).splitlines()[2:]
    assert [row.split(" | ")[0] for row in only] == ["| v2c", "| v2c"] and only[0].endswith("| – |")
    assert report.over_draws_summary(by_size, "v2c") == ("reproduced over draws at N = 160 (holds fully in "
                                                         "7 of 10 draws, partly in 1, at N = 40; 10 of 10 draws at N = 160)")
    # the largest N with several draws is the headline, not a one-draw size after it
    assert report.over_draws_summary(by_size, "v2a").startswith("depends over draws at N = 40 (holds fully in 3 of 10")
    assert report.over_draws_summary(by_size, "v2b") == "not resampled"
