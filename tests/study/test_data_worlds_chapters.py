"""The two data worlds as the chapters read them (linace.study.data_worlds: World, load_worlds,
grade_worlds, the spin comparison, the well depths, the comparison counts, the reference sensitivity)."""

import json

import matplotlib
import numpy as np
import pytest

from linace.study import data_worlds, datasets
from linace.study.records import RunRecord

from test_claims import DFT, R, record

matplotlib.use("Agg")

PAPER_DATA = all(data_worlds.paper_data_dir(e).joinpath("summary.json").is_file() for e in ("C", "Si"))
needs_paper_data = pytest.mark.skipif(not PAPER_DATA, reason="committed summaries of the authors' data absent")


def _summary(element, depth, compare_range=(1.0, 4.5)):
    """A world summary whose dimer curve is the DFT curve of the claims' tests with its well at ``depth`` eV."""
    energy = DFT[1] * depth / -7.0
    return {
        "element": element,
        "e0_eV": -1.0,
        "e0_source": "a number",
        "compare_range": list(compare_range),
        "dimer_curve": {"r": R.tolist(), "energy": energy.tolist(), "from": "dimers"},
        "sets": {},
    }


def test_a_world_is_named_and_reads_its_reference_from_its_summary():
    world = data_worlds.World("Si", "their", _summary("Si", -4.6), [])
    assert world.label == "Si, their data"
    r, energy = world.dft
    assert isinstance(r, np.ndarray) and np.array_equal(r, R) and energy.min() == pytest.approx(-4.6)
    assert [np.array_equal(a, b) for a, b in zip(data_worlds.summary_curve(world.summary), world.dft)] == [True, True]


@needs_paper_data
def test_both_worlds_of_each_element_are_loaded_and_graded(tmp_path):
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "K2-diverse.json").write_text(json.dumps(record(2, "diverse", 0.2, 0.1, 1.0)))
    ridge = record(3, "diverse", 0.2, 0.1, 1.0)
    ridge["parameters"]["regularisation"] = "ridge"
    (ours / "K3-diverse-ridge.json").write_text(json.dumps(ridge))
    worlds = data_worlds.load_worlds({"C": ours}, {"C": ""}, elements=("C",))
    assert list(worlds) == [("C", "our"), ("C", "their")]
    assert [r.body_order for r in worlds["C", "our"].records] == [2]  # the blr runs only
    assert all(isinstance(r, RunRecord) for r in worlds["C", "our"].records)
    assert worlds["C", "their"].summary == data_worlds.read_world_summary(data_worlds.paper_data_dir("C"))
    assert len(worlds["C", "their"].records) == len(data_worlds.load_paper_runs("C"))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert data_worlds.load_worlds({"C": ours}, {"C": empty}, elements=("C",))["C", "their"].records == []
    graded = data_worlds.grade_worlds(worlds)
    assert list(graded) == ["C, our data", "C, their data"]
    assert (
        graded["C, their data"]["2"].verdict
        == data_worlds.grade(worlds["C", "their"].records, worlds["C", "their"].dft)["2"].verdict
    )
    beside = data_worlds.grade_beside_theirs({"C": (worlds["C", "our"].records, DFT)})
    assert list(beside) == ["C, our data", "C, their data"]
    assert {c: v.verdict for c, v in beside["C, their data"].items()} == {
        c: v.verdict for c, v in graded["C, their data"].items()
    }
    assert beside["C, our data"]["1b"].verdict == data_worlds.grade(worlds["C", "our"].records, DFT)["1b"].verdict


def test_the_provenance_lines_say_which_code_made_the_runs():
    made = [
        {
            **record(2, "diverse", 0.2, 0.1, 0.0),
            "provenance": {"linace_source_sha256": "ab" * 32, "created": f"2026-12-0{day}T10:00:00"},
        }
        for day in (6, 7)
    ]
    lines = data_worlds.runs_provenance_lines({"C": made, "Si": []})
    assert lines == [
        "C: 2 runs on the authors' data, made 2026-12-06 to 2026-12-07 by linace source abababababab "
        "(the code has changed since; make sweep-paper reruns them)",
        "Si: no runs on the authors' data yet (make sweep-paper)",
    ]


@pytest.mark.skipif(not (datasets.element_dir("C") / "restricted").is_dir(), reason="restricted reference absent")
def test_the_spin_comparison_sets_three_curves_against_the_published_one():
    ours, theirs = _summary("C", -6.9), _summary("C", -8.3)
    curves = data_worlds.spin_curves("C", ours, theirs)
    assert list(curves) == ["ours, spin-polarised", "ours, spin-restricted", "theirs (published)"]
    assert np.array_equal(curves["theirs (published)"][1], data_worlds.summary_curve(theirs)[1])
    text = data_worlds.spin_markdown("C", curves, data_worlds.SPIN_PANELS["C"]["tail"])
    assert text.startswith("**C**: the restricted atom lies ") and "| theirs (published) |" in text
    assert "E at 2.5 Å (eV)" in text
    import matplotlib.pyplot as plt

    fig = plt.figure()
    ax = fig.add_subplot()
    data_worlds.plot_spin_curves(ax, "C", curves, (0.9, 6.0), (-10.0, 4.0))
    assert [line.get_label() for line in ax.get_lines()[:3]] == list(curves)
    assert [line.get_linestyle() for line in ax.get_lines()[:3]] == ["-", "--", ":"]
    assert ax.get_xlim() == (0.9, 6.0) and ax.get_title() == "C$_2$"


def test_the_wells_of_the_authors_are_measured_against_ours():
    worlds = {
        (e, w): data_worlds.World(e, w, _summary(e, depth), [])
        for e, w, depth in (("C", "our", -6.9), ("C", "their", -8.3), ("Si", "our", -3.5), ("Si", "their", -4.6))
    }
    deeper = data_worlds.well_depth_differences(worlds)
    assert list(deeper) == ["C", "Si"]
    assert deeper["C"] == pytest.approx(1.4, abs=1e-3) and deeper["Si"] == pytest.approx(1.1, abs=1e-3)


def test_the_comparison_with_the_published_errors_is_counted(monkeypatch):
    monkeypatch.setattr(data_worlds, "published_comparison_markdown", lambda rows: f"<table of {len(rows)}>")
    rows = [{"within": True}, {"within": False}, {"within": None}, {"within": True}]
    assert data_worlds.published_comparison_text("Si", rows) == (
        "**Si**: 4 pairs; 3 at K ≥ 3 with comparable basis sizes, of which 2 within 25 %.\n\n<table of 4>"
    )
    assert data_worlds.published_comparison_text("C", []).endswith("of which 0 within 25 %.\n\nNo pairs.")


def test_the_authors_runs_are_graded_again_against_our_reference_over_the_common_range():
    theirs_records = [record(K, "diverse", 0.2, 0.1, offset) for K, offset in ((2, 0.3), (3, 0.2), (4, 0.1))]
    worlds = {
        ("C", "our"): data_worlds.World("C", "our", _summary("C", -9.0, (1.2, 5.0)), []),
        ("C", "their"): data_worlds.World("C", "their", _summary("C", -7.0), theirs_records),
    }
    graded = data_worlds.grade_worlds(worlds)
    out = data_worlds.reference_sensitivity(worlds, graded, elements=("C",))
    assert list(out) == ["C, their data, their reference", "C, their data, our reference (1.20–4.50 Å)"]
    assert out["C, their data, their reference"] is graded["C, their data"]
    ours = worlds["C", "our"].dft
    again = data_worlds.grade(data_worlds.with_reference(theirs_records, ours, (1.2, 4.5)), ours)
    assert {c: v.verdict for c, v in out["C, their data, our reference (1.20–4.50 Å)"].items()} == {
        c: v.verdict for c, v in again.items()
    }
    # against their own reference every curve is within 0.3 eV; against our deeper well they are far
    assert graded["C, their data"]["1b"].verdict == "not reproduced"
    assert out["C, their data, our reference (1.20–4.50 Å)"]["1b"].verdict != "not reproduced"
