"""Tests of the tables and figures the chapters share (linace.study.report)."""

import matplotlib
import numpy as np
import pytest
from ase.calculators.singlepoint import SinglePointCalculator

from linace.study import datasets, reference, report, structures
from linace.study.claims import FAR_FROM_DFT_EV, Verdict
from linace.study.records import as_records

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
        atoms.calc = SinglePointCalculator(
            atoms, energy=2 * (e_min + b_gpa * GPa * (v - v0) ** 2 / (2 * v0)), forces=np.zeros((2, 3))
        )
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
    a, b = structures.carbon.diamond(), structures.carbon.diamond()
    a.info["config_type"], b.info["config_type"] = "diamond", "graphite"
    table = report.families_markdown({"one": [a], "two": [a, b, b]})
    assert table.splitlines() == [
        "| family | one | two |",
        "|---|---|---|",
        "| diamond | 1 | 1 |",
        "| graphite | 0 | 2 |",
        "| **structures** | **1** | **3** |",
        "| **atoms** | **2** | **6** |",
    ]


def test_verdicts_are_set_with_criterion_and_evidence():
    text = report.verdicts_markdown([Verdict("v2c. Pure converges", "shrinks", "reproduced", "0.3 → 0.1")])
    assert text.splitlines()[:5] == [
        "**v2c. Pure converges**",
        "",
        "*Verdict: reproduced.* Criterion: shrinks.",
        "",
        "Evidence: 0.3 → 0.1.",
    ]


@pytest.mark.skipif("dimers" not in datasets.names(), reason="committed dimer data absent")
def test_state_table_of_the_committed_dimers_names_experiment_and_sources():
    dimers = datasets.load("dimers")
    table = report.dimer_state_markdown(dimers, datasets.e0())
    rows = [line for line in table.splitlines() if line.startswith("| $^{3}\\Pi_{u}$ (a$^{3}\\Pi_{u}$)")]
    assert len(rows) == 2 and "| 1.3119<sup>a</sup> |" in rows[1]  # a3Πu beside experiment, source a
    assert "Sources: <sup>a</sup> {cite:t}`huber1979constants`" in table
    widths = [len(line.split(" | ")) for line in table.splitlines() if line.startswith("| ")]
    assert max(widths) <= 8  # two tables of at most 8 columns, not one of 11
    assert "PBE columns empty:" in table  # and why (no published PBE C2 values could be read)
    # every state that labels the curve has a row, with or without a minimum on its own curve
    winners = {segment["state"] for segment in reference.state_segments(dimers)}
    named = {reference.state_markup(state) for state in winners}
    listed = {
        line.split(" | ")[0].lstrip("| ").split(" (")[0] for line in table.splitlines()[2:] if line.startswith("| ")
    }
    assert named <= listed, named - listed


def test_run_tables_and_figures(synthetic_data, tmp_path, monkeypatch):
    from linace.study import runs

    monkeypatch.setenv("LINACE_CACHE", str(tmp_path / "cache"))
    records = as_records(
        runs.train(K, s, v, data_dir=synthetic_data, progress=False).record
        for K in (2, 3)
        for v in ("standard", "pure")
        for s in ("diverse", "clusters")
    )
    dft = (records[0].dimer.r, records[0].dimer.energy)
    errors = report.test_error_markdown(records, ["standard", "pure"], ["diverse", "clusters"]).split("\n\n")[0]
    errors = errors.splitlines()
    assert errors[0] == "| variant | training set | K = 2 | K = 3 |" and len(errors) == 6
    rmse = records[0].test_error("energy_rmse_meV_per_atom")
    assert errors[2].startswith(f"| standard | diverse | {report.energy_rmse_cell(rmse)}")
    versus = report.standard_vs_pure_markdown(records, ["diverse", "clusters", "narrow"]).splitlines()
    assert versus[-1] == "| narrow | – | – |"  # no runs: no number
    assert float(versus[2].split("|")[2]) == 0.0  # K = 2: the pure basis is the standard one
    table, fig = report.convergence_by_run(records, ["standard", "pure"], ["diverse", "clusters"], dft)
    assert len(table.splitlines()) == 2 + 8 and len(fig.axes) == 2
    fig = report.dimer_curve_grid(records, ["standard", "pure"], ["diverse", "clusters"], dft, element="Si")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4 and visible[-1].get_xlabel() == "Si–Si distance r (Å)"
    assert visible[0].get_xlabel() == ""  # the top row shares the bottom row's axis label
    assert [len(ax.get_lines()) for ax in visible] == [4] * 4  # axhline, DFT, K = 2, K = 3
    assert len(fig.legends) == 1 and not any(ax.get_legend() for ax in visible)  # one legend for all panels
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["DFT (PBE)", "K = 2", "K = 3"]
    summary = report.convergence_summary_figure({"C": (records, dft), "Si": (records, dft)})
    assert [ax.get_title() for ax in summary.axes] == ["carbon", "silicon"] and len(summary.legends) == 1
    labels = [t.get_text() for t in summary.legends[0].get_texts()]
    assert labels[:2] == ["diverse, standard", "diverse, pure"] and labels[-1] == "converged: below 0.1 eV"


def test_compute_table_per_family_and_in_total():
    manifest = {
        "compute": {
            "cpu_core_seconds": 7300.0,
            "n_rows": 3,
            "by_family": {
                "diamond": {"structures": 2, "cpu_core_seconds": 100.0},
                "dimer": {"structures": 1, "cpu_core_seconds": 7200.0},
            },
        }
    }
    assert report.compute_markdown(manifest).splitlines()[2:] == [
        "| diamond | 2 | 0.03 | 50 |",
        "| dimer | 1 | 2.00 | 7200 |",
        "| **all** | **3** | **2.0** | **2433** |",
    ]
    assert report.compute_markdown({"compute": {"cpu_core_seconds": 1.0, "n_rows": 1}}).startswith("The manifest")


def test_settings_and_convergence_tables():
    manifest = {"dft": {"xc": "PBE", "ecut": 450.0, "kpt_density": 2.5, "unshown": 1}}
    assert report.settings_markdown(manifest).splitlines() == [
        "| setting | value |",
        "|---|---|",
        "| xc | PBE |",
        "| ecut | 450.0 eV |",
        "| kpt_density | 2.5 k-points per Å⁻¹ |",
    ]
    described = report.settings_markdown({"dft": {"kpoints": "N_i = ceil(2 pi |b_i| d)", "spin": "see sets[<name>]"}})
    assert described.splitlines()[2:] == [
        "| kpoints | N_i = ceil(2 pi \\|b_i\\| d) |",
        "| spin | see sets[&lt;name&gt;] |",
    ]
    convergence = {
        "scans": {
            "ecut": {
                "reference_value": 800.0,
                "rows": [
                    {
                        "value": 450.0,
                        "max_energy_difference_error_meV_per_atom": 5.6,
                        "max_force_error_eV_per_A": 0.02,
                        "wall_time_s": 10.0,
                    },
                    {
                        "value": 800.0,
                        "max_energy_difference_error_meV_per_atom": 0.0,
                        "max_force_error_eV_per_A": 0.0,
                        "wall_time_s": 30.0,
                    },
                ],
            },
            "width": {"reference_value": 0.02, "rows": [{"value": 0.02, "max_force_error_eV_per_A": 0.0}]},
        }
    }
    (ecut, width) = report.convergence_scan_markdown(convergence)
    assert ecut.splitlines()[0] == "**ecut** (reference value 800.0)"
    assert ecut.splitlines()[4] == "| 450.0 | 5.6 | 0.02 | 10.0 |"
    assert width.splitlines()[2] == "| value | max force error eV per A |"
    assert report.chosen_setting_errors(convergence, manifest["dft"]) == [
        "ecut: ecut = 450.0: energy differences 5.6 meV/atom, forces 0.02 eV/A"
    ]  # stress not computed: left out
    convergence["scans"]["ecut"]["rows"][0]["max_force_error_eV_per_A"] = float("nan")
    assert report.convergence_scan_markdown(convergence)[0].splitlines()[4] == "| 450.0 | 5.6 | – | 10.0 |"


def test_a_change_is_tabled_claim_by_claim_over_draws():
    from linace.study.claims import DrawVerdict

    before = {
        "set_sizes": {"diverse": 81, "test": 49},
        "summary": {"verdicts": [{"claim": "1b. Text", "verdict": "partly"}]},
        "draws": {"40": [{"claim": "1b", "holds": 5, "partly": 5, "draws": 10, "verdict": "depends on the draw"}]},
    }
    after = {40: [DrawVerdict("1b. Text", "c", 40, 9, 1, 10, "reproduced")]}
    table = report.draws_comparison_markdown(
        before, after, {"1b": "reproduced"}, (320, 152), "The weights were corrected"
    )
    assert table.startswith(
        "**The weights were corrected.** Before: training sets of 81 structures, a test set of 49; after: 320 and 152."
    )
    assert "| 1b | 40 | 5 of 10: depends on the draw | **9 of 10: reproduced** | partly → reproduced |" in table
    assert table.endswith("changed at a size tested both times:** 1b at N = 40: depends on the draw → reproduced.")
    assert report.changes_over_draws(before["draws"], after) == ["1b at N = 40: depends on the draw → reproduced"]
    unchanged = report.draws_comparison_markdown(before, {"40": before["draws"]["40"]}, {}, (81, 49), "Nothing")
    assert (
        unchanged.endswith("tested both times:** none.")
        and "| 1b | 40 | 5 of 10: depends on the draw | 5 of 10" in unchanged
    )


def test_summaries_before_and_after_are_tabled_run_by_run():
    from linace.study.claims import compare_summaries

    row = {
        "body_order": 3,
        "distance_to_previous_K_eV": 0.31,
        "distance_to_dft_eV": 1.0,
        "minimum_position_A": 1.3,
        "minimum_energy_eV": -6.0,
    }
    before = {"convergence": {"pure, diverse": [row]}, "verdicts": [{"claim": "v2b. Text", "verdict": "partly"}]}
    after = {
        "convergence": {
            "pure, diverse": [dict(row, distance_to_previous_K_eV=0.2345)],
            "pure, clusters": [dict(row, body_order=2, distance_to_previous_K_eV=float("nan"))],
        },
        "verdicts": [{"claim": "v2b. Text", "verdict": "reproduced"}],
    }
    lines = report.summary_comparison_markdown(compare_summaries(before, after)).splitlines()
    assert lines[0] == "| run | K | to K−1 (eV) | to DFT (eV) | minimum (Å) | depth (eV) |"
    assert len(lines[1].split("|")) == len(lines[0].split("|"))
    assert lines[2] == "| pure, clusters | 2 | – → – | – → 1.000 | – → 1.300 | – → -6.000 |"  # not run before, no K-1
    assert lines[3] == "| pure, diverse | 3 | 0.310 → 0.234 | 1.000 → 1.000 | 1.300 → 1.300 | -6.000 → -6.000 |"


def test_the_verdict_history_bolds_what_changed_since_the_first_state():
    first = {"1a. A": "partly", "v2a. B": "reproduced"}
    steps = [("searched", {"1a. A": "partly", "v2a. B": "not reproduced"}), ("missing", {})]
    now = {"1a. A": "partly", "v2a. B": "not reproduced", "v2c. C": "reproduced"}
    lines = report.verdict_history_markdown(first, steps, ("now", now)).splitlines()
    assert lines[0] == "| claim | first reference | searched | missing | now |"
    assert lines[1] == "|---|---|---|---|---|"
    assert lines[2:] == [
        "| 1a. A | partly | partly | – | partly |",
        "| v2a. B | reproduced | not reproduced | – | **not reproduced** |",
        "| v2c. C | – | – | – | **reproduced** |",
    ]  # not graded in the first state
    assert report.verdict_changes(first, now) == ["v2a: reproduced → not reproduced"]  # v2c: not graded before
    assert report.verdict_changes(now, now) == []


def test_convergence_ingredients_table_has_a_column_per_element():
    table = report.convergence_ingredients_markdown(
        {
            "Si": {
                ("pure", "clusters"): ("no", [0.6, 1.8, 0.8]),
                ("pure", "clusters+dimers"): ("yes", [0.6, 0.06, 0.01]),
            },
            "C": {("pure", "clusters"): ("untested", [])},
        }
    )
    lines = table.splitlines()
    assert lines[0] == "| basis | training set | Si | C |"
    assert lines[2] == "| pure | `clusters` | no (last step 0.80) | untested |"
    assert lines[3] == "| pure | `clusters+dimers` | yes (last step 0.01) | untested |"


def test_verdicts_over_draws_table_has_a_row_per_claim_and_a_column_per_size():
    from linace.study.claims import DrawVerdict

    def graded(claim, size, holds, partly, draws, failing=None):
        verdict = "reproduced" if holds >= 0.8 * draws else "not reproduced" if holds <= 0.2 * draws else "depends"
        return DrawVerdict(claim, "criterion", size, holds, partly, draws, verdict, failing or {})

    by_size = {
        40: [
            graded("v2a", 40, 3, 0, 10),
            graded("v2c", 40, 7, 1, 10, {"last step too large": 3}),
            graded("v2b", 40, 0, 0, 0),
        ],
        160: [graded("v2c", 160, 10, 0, 10), graded("v2a", 160, 1, 0, 1)],
    }
    table = report.verdicts_over_draws_markdown(
        by_size, {"v2a": "not reproduced", "v2b": "reproduced", "v2c": "reproduced"}
    )
    lines = table.splitlines()
    assert lines[0] == "| claim | one fit | N = 40 | N = 160 |"
    assert lines[2:5] == [
        "| v2a | not reproduced | **depends**: 3 + 0 of 10 | one draw: reproduced |",
        "| v2b | reproduced | – | – |",  # no draw tested it
        "| v2c | reproduced | **depends**: 7 + 1 of 10 | **reproduced**: 10 + 0 of 10 |",
    ]
    only = report.verdicts_over_draws_markdown(by_size, {"v2a": "x"}, claims=["v2c"]).splitlines()
    assert only[2].startswith("| v2c | – |")
    assert report.failing_over_draws_markdown(by_size, ["v2a", "v2c", "v2b"]).splitlines() == [
        "* **v2a** at N = 40: none",
        "* **v2c** at N = 160: none",
    ]
    assert (
        report.failing_over_draws_markdown({40: by_size[40]}, ["v2c"])
        == "* **v2c** at N = 40: last step too large (3 of 10 draws)"
    )
    assert report.over_draws_summary(by_size, "v2c") == (
        "reproduced over draws at N = 160 (holds fully in "
        "7 of 10 draws, partly in 1, at N = 40; 10 of 10 draws at N = 160)"
    )
    # the largest N with several draws is the headline, not a one-draw size after it
    assert report.over_draws_summary(by_size, "v2a").startswith("depends over draws at N = 40 (holds fully in 3 of 10")
    assert report.over_draws_summary(by_size, "v2b") == "not resampled"


def test_verdicts_name_the_condition_that_fails():
    from linace.study.claims import Failure

    text = report.verdicts_markdown(
        [
            Verdict(
                "1a. Diverse validates better",
                "lowest",
                "partly",
                "numbers",
                [Failure("K = 2: `diverse` not lowest in test energy RMSE", "3.9, 4.1")],
            )
        ]
    )
    assert "Fails on: K = 2: `diverse` not lowest in test energy RMSE (3.9, 4.1)." in text.splitlines()
    assert "Fails on" not in report.verdicts_markdown([Verdict("2. x", "c", "reproduced", "e")])


@pytest.mark.parametrize(
    "value, text",
    [
        (58.188, "58.2"),
        (221.695, "222"),
        (0.6412, "0.641"),
        (3.949, "3.95"),
        (14777.6, "14800"),
        (0.0, "0"),
        (None, "–"),
        (float("nan"), "–"),
    ],
)
def test_numbers_in_tables_have_three_significant_figures(value, text):
    assert report.significant(value) == text


def test_failed_potentials_are_marked_in_the_unit_that_fits():
    assert report.energy_rmse_cell(58.188) == "58.2"
    assert report.energy_rmse_cell(999.0) == "999"
    assert report.energy_rmse_cell(4508809.4) == "*failed* (4500 eV/atom)"
    assert report.energy_rmse_cell(1402.3) == "*failed* (1.4 eV/atom)"
    assert report.force_rmse_cell(0.641) == "0.641" and report.force_rmse_cell(945.75) == "*failed* (950)"


def _error_record(K, training_set, energy, force, variant="standard", **entries):
    """A run record (the JSON) with the same test and training errors (meV/atom, eV/A) and further top-level
    ``entries`` (e.g. dimer_summary)."""
    errors = {"energy_rmse_meV_per_atom": energy, "force_rmse_eV_per_A": force}
    return {
        "parameters": {"body_order": K, "training_set": training_set, "variant": variant, "regularisation": "blr"},
        "errors": {"test": {"all": errors}, "train": {"all": errors}},
        **entries,
    }


def test_error_grid_puts_body_orders_down_and_sets_across_with_failures_explained():
    records = [
        _error_record(2, "diverse", 1402.3, 4.3),
        _error_record(3, "diverse", 221.7, 1.38),
        _error_record(2, "narrow", 4014.4, 3.39),
    ]
    table = report.error_grid_markdown(records, ["narrow", "diverse"], "energy")
    assert table.splitlines()[:4] == [
        "| K | narrow | diverse |",
        "|---|---|---|",
        "| 2 | *failed* (4.0 eV/atom) | *failed* (1.4 eV/atom) |",
        "| 3 | – | 222 |",
    ]
    assert table.endswith(report.FAILED_NOTE)
    forces = report.error_grid_markdown(records, ["narrow", "diverse"], "force")
    assert forces.splitlines()[2] == "| 2 | 3.39 | 4.30 |" and report.FAILED_NOTE not in forces
    combined = report.test_error_markdown(records, ["standard"], ["narrow", "diverse"])
    assert combined.splitlines()[3] == "| standard | diverse | *failed* | 222 / 1.38 |"


def test_the_best_bulk_potential_is_the_lowest_test_energy_of_the_bulk_sets():
    records = [
        _error_record(5, "diverse", 58.2, 0.641),
        _error_record(5, "clusters", 10.0, 0.1),
        _error_record(4, "crystals", 800.0, 2.0),
    ]
    assert report.best_bulk_potential(records) == {
        "variant": "standard",
        "training_set": "diverse",
        "body_order": 5,
        "energy_meV_per_atom": 58.2,
        "force_eV_per_A": 0.641,
        "dimer_distance_eV": None,
    }
    assert report.best_bulk_potential(records[1:2]) is None
    with_curve = [_error_record(5, "diverse", 58.2, 0.641, dimer_summary={"distance_to_dft_eV": 0.42})]
    assert report.best_bulk_potential(with_curve)["dimer_distance_eV"] == 0.42


def test_the_bottom_line_follows_the_verdicts_and_the_origin_of_the_convergence():
    best = {
        "C": {
            "variant": "standard",
            "training_set": "diverse",
            "body_order": 5,
            "energy_meV_per_atom": 58.19,
            "force_eV_per_A": 0.641,
        },
        "Si": None,
    }
    paper = report.bottom_line(
        {"1b": "reproduced", "2": "reproduced"}, {2: 1.24, 3: 3.1, 4: 0.9}, {"C": "dimers", "Si": "dimers"}, best
    )
    assert len(paper) == 3
    assert paper[0] == (
        "Trained on bulk carbon, linear ACE potentials put the energy of two isolated atoms 0.9–3.1 eV "
        "from DFT on average, and the curve does not settle as body orders are added: the paper's "
        "finding on carbon holds on our data."
    )
    assert paper[1] == (
        "Trained on dimers to pentamers, the curves do converge in K; on carbon and silicon alike the "
        "convergence in K comes from the dimers in the training data, not from the self-interaction-free "
        "basis."
    )
    assert paper[2] == (
        "The best bulk potentials predict held-out structures to 58 meV/atom and 0.64 eV/Å on carbon "
        "(K = 5, trained on `diverse`)."
    )
    near = report.bottom_line({"1b": "partly", "2": "reproduced"}, {2: 1.2, 5: 0.42}, {"C": "dimers"}, best)
    assert near[0].endswith(
        "does not settle as body orders are added; it comes within 0.5 eV of DFT only at K = 5, "
        "so the paper's finding on carbon holds in part on our data."
    )
    other = report.bottom_line(
        {"1b": "partly", "2": "not reproduced"}, {2: 0.3, 3: 0.2}, {"C": "basis", "Si": "none"}, best
    )
    assert "and the curve settles as body orders are added; it comes within 0.5 eV of DFT only at K = 2, 3" in other[0]
    assert other[1].startswith(
        "Trained on dimers to pentamers, the curves do converge in K on carbon; on carbon the "
        "convergence in K comes from the self-interaction-free basis"
    )
    assert "on silicon the convergence in K does not happen" in other[1]


def test_the_claims_overview_has_one_row_per_claim_with_its_deciding_number_and_failing_condition():
    from linace.study.claims import DrawVerdict, Failure

    verdicts = [
        Verdict("1a. Diverse validates better", "c", "partly", "e", [Failure("K = 2: energy", "3.9, 4.1")]),
        Verdict("v2b. Pure alone does not fix it", "c", "reproduced", "e"),
    ]
    graded = {
        40: [DrawVerdict("1a. Diverse validates better", "c", 40, 0, 10, 10, "partly (in every draw)")],
        320: [DrawVerdict("1a. Diverse validates better", "c", 320, 0, 1, 1, "not reproduced")],
    }
    rows = report.claims_overview_rows(verdicts, graded, {"1a": "forces 0.64 eV/Å", "v2b": "steps 0.5 → 0.6"}, "C")
    assert rows[0] == {
        "claim": "1a",
        "element": "C",
        "verdict": "partly",
        "over_draws": "partly (in every draw), N = 40",
        "number": "3.9, 4.1",
        "failing": "K = 2: energy",
    }  # a failing claim: the numbers that fail
    assert rows[1]["number"] == "steps 0.5 → 0.6" and rows[1]["failing"] == "–"  # a claim that holds: its key number
    table = report.claims_overview_markdown(rows).splitlines()
    assert table[0].startswith("| claim | the paper says | one fit | over draws |")
    assert table[2] == (
        "| 1a (C) | more diverse training data validate better | **partly** | partly (in every draw), "
        "N = 40 | 3.9, 4.1 | K = 2: energy |"
    )
    assert table[3].endswith("| **reproduced** | not resampled | steps 0.5 → 0.6 | – |")


def test_the_quality_table_names_the_best_bulk_potential_of_each_element():
    best = {
        "C": {
            "variant": "standard",
            "training_set": "diverse",
            "body_order": 5,
            "energy_meV_per_atom": 58.19,
            "force_eV_per_A": 0.641,
        },
        "Si": None,
    }
    assert report.potential_quality_markdown(best).splitlines()[2:] == [
        "| carbon | K = 5, standard basis, trained on `diverse` | 58 | 0.64 | – |"
    ]
    best["C"]["dimer_distance_eV"] = 0.4239
    assert report.potential_quality_markdown(best).splitlines()[2].endswith("| 0.64 | 0.42 |")


def test_the_sentence_on_the_best_potentials_dimer_curves_follows_the_far_from_dft_threshold():
    far = FAR_FROM_DFT_EV + 0.01
    near = FAR_FROM_DFT_EV - 0.01

    def best(**distances):
        return {element: {"dimer_distance_eV": d} for element, d in distances.items()}

    assert report.best_potentials_dimer_sentence(best(C=far, Si=far)).startswith(
        "These potentials put the dimer curve far from DFT"
    )
    assert report.best_potentials_dimer_sentence(best(C=near, Si=near)).startswith(
        "These potentials keep the dimer curve within"
    )
    mixed = report.best_potentials_dimer_sentence(best(C=near, Si=far))
    assert mixed.startswith("The best silicon potential puts the dimer curve far from DFT")
    assert "the best carbon potential does not" in mixed
    assert report.best_potentials_dimer_sentence({"C": None, "Si": {"dimer_distance_eV": None}}) == ""


def test_the_runs_index_links_each_run_with_its_key_numbers(tmp_path):
    records = [
        _error_record(
            K,
            training_set,
            energy,
            force,
            variant,
            dimer_summary={"distance_to_dft_eV": distance},
            sweep={"notebook": f"book/sweep/K{K}-{training_set}-{variant}-blr.ipynb"},
        )
        for K, training_set, energy, force, variant, distance in (
            (5, "diverse", 58.19, 0.641, "standard", 1.234),
            (2, "clusters", 62407.8, 6.9, "standard", 12.0),
            (3, "diverse", 221.7, 1.38, "pure", 0.5),
        )
    ]
    (tmp_path / "book" / "sweep").mkdir(parents=True)
    (tmp_path / "book" / "sweep" / "K5-diverse-standard-blr.ipynb").write_text("{}")  # the other page is missing
    table = report.runs_index_markdown(records, tmp_path / "book", "standard", ["narrow", "diverse", "clusters"])
    assert table.splitlines() == [
        "| training set | K = 2 | K = 5 |",
        "|---|---|---|",
        "| diverse | – | {doc}`58.2 · 0.641 · 1.2 <sweep/K5-diverse-standard-blr>` |",
        "| clusters | failed · 12 | – |",
    ]  # no page: no link; narrow: no run, no row
    assert (
        report.runs_index_markdown(records, tmp_path / "book", "pure").splitlines()[2]
        == "| diverse | 222 · 1.38 · 0.50 |"
    )
    assert report.runs_index_markdown(records, tmp_path / "book", "other") == ""


def test_draw_overlap_is_a_grid_of_training_sets_and_sizes():
    rows = [
        {"training_set": "narrow", "train_size": 40, "draws": 10, "shared_fraction": 0.1223},
        {"training_set": "narrow", "train_size": 320, "draws": 1, "shared_fraction": 1.0},
        {"training_set": "diverse", "train_size": 40, "draws": 10, "shared_fraction": 0.12},
    ]
    assert report.draw_overlap_markdown(rows).splitlines() == [
        "| training set | N = 40 | N = 320 |",
        "|---|---|---|",
        "| narrow | 12 % (10 draws) | 100 % (1 draw) |",
        "| diverse | 12 % (10 draws) | – |",
    ]


def test_a_page_with_several_error_grids_explains_failed_once():
    records = [_error_record(2, "narrow", 4014.4, 30.0)]
    assert report.error_grid_markdown(records, ["narrow"], "force").endswith(report.FAILED_NOTE)
    assert report.FAILED_NOTE not in report.error_grid_markdown(records, ["narrow"], "force", note=False)
