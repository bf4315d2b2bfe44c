"""The claims graded in two data worlds (linace.study.data_worlds) on synthetic records."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from linace.study import data_worlds
from linace.study.records import as_record

from test_claims import DFT, record


def _paper_like(**parameters):
    records = []
    for K, wobble in zip((2, 3, 4, 5), (2.0, -1.5, 2.5, -2.0)):
        for training_set, rmse in (("narrow", 0.5), ("crystals", 0.4), ("diverse", 0.2)):
            records.append(record(K, training_set, rmse, 0.3 / K, wobble, **parameters))
    return records


def _converging(training_set="clusters+dimers", variant="pure"):
    return [
        record(K, training_set, 0.2, 0.3 / K, offset, variant=variant)
        for K, offset in zip((2, 3, 4, 5), (1.0, 0.3, 0.1, 0.03))
    ]


def test_every_claim_is_graded_and_missing_runs_say_so():
    verdicts = data_worlds.grade(_paper_like(), DFT)
    assert list(verdicts) == list(data_worlds.CLAIM_IDS)
    assert [verdicts[c].verdict for c in ("1a", "1b", "2", "3")] == ["reproduced"] * 4
    assert verdicts["v2c"].verdict == "not tested (no runs)"  # no tailored runs in this world
    tailored = data_worlds.grade(_converging(), DFT)
    assert tailored["v2c"].verdict == "reproduced" and tailored["1a"].verdict == "not tested (no runs)"
    other_regularisation = _paper_like(regularisation="ridge")
    assert data_worlds.grade(other_regularisation, DFT)["1a"].verdict == "not tested (no runs)"


def test_side_by_side_table():
    worlds = {"our data": data_worlds.grade(_paper_like(), DFT), "their data": data_worlds.grade(_converging(), DFT)}
    rows = data_worlds.side_by_side(worlds)
    assert rows[0] == {
        "claim": "1a",
        "statement": "Potentials trained on a more diverse dataset validate better.",
        "our data": "reproduced",
        "their data": "not tested (no runs)",
    }
    table = data_worlds.side_by_side_markdown(worlds)
    assert table.splitlines()[0] == "| claim | the paper says | our data | their data |"
    assert "| 1a | Potentials trained on a more diverse dataset validate better. | reproduced | – |" in table
    assert table.splitlines()[-1].startswith("| v2c |") and table.splitlines()[-1].endswith("| – | reproduced |")


def test_provenance_of_committed_records(tmp_path):
    records = [
        record(
            2,
            training_set,
            rmse,
            0.3 / 2,
            2.0,  # the first two of _paper_like(), with provenance
            provenance={
                "linace_source_sha256": "abcdef0123456789" + "0" * 48,
                "created": f"2026-12-0{k + 1}T00:00:00+00:00",
            },
        )
        for k, (training_set, rmse) in enumerate((("narrow", 0.5), ("crystals", 0.4)))
    ]
    info = data_worlds.records_provenance(records, current_digest="abcdef0123456789")
    assert info == {
        "n_records": 2,
        "digests": ["abcdef012345"],
        "created": ("2026-12-01T00:00:00+00:00", "2026-12-02T00:00:00+00:00"),
        "current": True,
    }
    assert not data_worlds.records_provenance(records, current_digest="ffff")["current"]
    assert not data_worlds.records_provenance([], current_digest="ffff")["current"]
    (tmp_path / "K2-narrow-standard-blr.json").write_text(json.dumps(records[0]))
    assert len(data_worlds.load_paper_runs("C", tmp_path)) == 1
    assert data_worlds.load_paper_runs("C", tmp_path / "none") == []
    assert data_worlds.paper_runs_dir("Si").parts[-3:] == ("paper", "Si", "runs")
    assert np.isfinite(as_record(records[0]).distance_to_dft)


def _imported(tmp_path):
    from linace.study import example_data, importer

    sample = example_data.published_sample(tmp_path / "paper")
    importer.import_data(
        [f"bulk={sample.train}", f"test={sample.test}", f"dimers={sample.dimers}"],
        tmp_path / "cu",
        "Cu",
        energy_key="dft_energy",
        forces_key="force",
        e0=sample.e0_rydberg,
        e0_units="rydberg",
        dimer_table=sample.dimer_table,
        table_units=("bohr", "rydberg"),
    )
    return tmp_path / "cu", example_data.emt_folder(tmp_path / "own", "Cu")


def test_reference_and_composition_of_two_worlds(tmp_path):
    theirs, ours = _imported(tmp_path)
    assert data_worlds.main(["summary", str(theirs)]) == 0
    summaries = {"ours": data_worlds.world_summary(ours), "theirs": data_worlds.read_world_summary(theirs)}
    assert summaries["theirs"] == json.loads(json.dumps(data_worlds.world_summary(theirs)))  # the JSON round trip
    rows = data_worlds.reference_rows(summaries)
    assert rows[0]["e0_source"] == "the set isolated_atom" and rows[1]["e0_source"] == "given as a number"
    assert rows[1]["curve_from"] == "dimer_curve" and rows[0]["curve_from"] == "dimers"
    # the same EMT curve in both worlds: the same minimum
    assert abs(rows[0]["r_e_A"] - rows[1]["r_e_A"]) < 0.05 and abs(rows[0]["depth_eV"] - rows[1]["depth_eV"]) < 0.05
    assert rows[0]["depth_eV"] < 0
    table = data_worlds.reference_markdown(summaries)
    assert table.count("\n") == 3 and "given as a number" in table
    composition = data_worlds.composition_markdown({"theirs": summaries["theirs"]})
    assert "| theirs | bulk | training | 8 | 32 | 4.0 (4–4) | 0 |" in composition
    assert "| theirs | dimers | training | 30 | 60 | 2.0 (2–2) | 30 |" in composition
    assert "dimer_curve" not in composition and "isolated_atom" not in composition
    import pytest

    with pytest.raises(Exception, match="no data summary"):
        data_worlds.read_world_summary(tmp_path / "nowhere")


def test_held_out_errors_table():
    records = _paper_like()[:3]
    records[0] = record(
        2,
        "narrow",
        0.5,
        0.3 / 2,
        2.0,  # the first of _paper_like(), with a further held-out set
        held_out={"test_narrow": {"all": {"energy_rmse_meV_per_atom": 5000.0, "force_rmse_eV_per_A": 0.1234}}},
    )
    table = data_worlds.held_out_errors_markdown(records)
    lines = table.splitlines()
    assert lines[0] == (
        "| training set | K | standard: test E (meV/atom), F (eV/Å) | standard: test_narrow E (meV/atom), F (eV/Å) |"
    )
    assert lines[2] == "| narrow | 2 | 500, 0.5 | > 1 eV (failed extrapolation), 0.123 |"
    assert lines[3] == "| crystals | 2 | 400, 0.4 | – |"


def _published(training_set, K, variant, split, validation_set, energy, size, code="ace.jl"):
    from linace.study.paper import FitSetup, PublishedErrors, Source

    setup = FitSetup(
        code,
        "C",
        training_set,
        K,
        variant,
        None,
        "spec",
        size,
        5.0,
        10.0,
        "ACEpotentials.jl",
        None,
        "BLR",
        -245.0,
        f"acejulia/{training_set}",
    )
    return PublishedErrors(
        setup,
        split,
        validation_set,
        energy,
        0.5,
        None,
        None,
        Source(f"acejulia/{training_set}/errors.dat", "c0719c89", "0" * 64),
    )


def test_our_errors_beside_the_published_ones():
    ours = record(
        3,
        "diverse",
        0.08,
        0.05,
        0.0,
        basis_size=102,  # test energy RMSE 80 meV/atom
        held_out={"test_narrow": {"all": {"energy_rmse_meV_per_atom": 50.0, "force_rmse_eV_per_A": 0.4}}},
    )
    published = [
        _published("Tr1k_n", 3, "standard", "test", "Val1k_n", 70.0, 150),  # comparable, within 25 %
        _published("Tr1k_n", 3, "standard", "test", "Val1k_n", 50.0, 120),  # comparable, 60 % above
        _published("Tr1k_n", 3, "standard", "test", "Val1k_n", 70.0, 297),  # not comparable (2.9x)
        _published("Tr1k_n", 3, "standard", "test", "Val1k_dia3to4k", 40.0, 150),  # our test_narrow's counterpart
        _published("Tr1k_n", 3, "pure", "test", "Val1k_n", 70.0, 150),  # other variant
        _published("Tr1k_n", 4, "standard", "test", "Val1k_n", 70.0, 150),  # other K
        _published("Tr1k_dia", 3, "standard", "test", "Val1k_n", 70.0, 150),  # other training set
    ]
    rows = data_worlds.published_comparison([ours], published, "C")
    assert [(r["held_out"], r["theirs"]["energy"], r["comparable"], r["within"]) for r in rows] == [
        (("test", "Val1k_n"), 70.0, True, True),
        (("test", "Val1k_n"), 50.0, True, False),
        (("test", "Val1k_n"), 70.0, False, None),
        (("test_narrow", "Val1k_dia3to4k"), 40.0, True, True),
    ]
    assert rows[0]["energy_ratio"] == 80.0 / 70.0 and rows[0]["theirs"]["source"] == "acejulia/Tr1k_n/errors.dat"
    table = data_worlds.published_comparison_markdown(rows).splitlines()
    assert table[2].endswith("| yes (1.14) |") and table[4].endswith("| not compared (1.14) |")
    assert table[2].startswith("| diverse (Tr1k_n), K = 3, standard | test: test / Val1k_n | 102 / 150 | 80 / 70 |")
    # no held-out counterpart: training errors against training errors, and K = 2 is never graded
    pair = record(2, "dimers", 0.01, 0.002, 0.0, basis_size=12)
    rows = data_worlds.published_comparison(
        [pair], [_published("Tr124_dim", 2, "standard", "train", "Tr124_dim", 1.0, 12)], "C"
    )
    assert rows[0]["split"] == "train" and rows[0]["ours"]["energy"] == 10.0 and rows[0]["within"] is None
    assert data_worlds.published_comparison([pair], [], "C") == []


def test_our_dimer_curves_beside_the_published_ones():
    from linace.study.paper import FitSetup, PublishedDimerCurve, Source

    ours = record(3, "diverse", 0.08, 0.05, 0.5)  # the DFT curve shifted up by 0.5 eV
    setup = FitSetup(
        "ace.jl",
        "C",
        "Tr1k_n",
        3,
        "standard",
        (24, 20),
        "spec",
        297,
        5.0,
        10.0,
        "ACEpotentials.jl",
        None,
        "BLR",
        -245.0,
        "acejulia/Tr1k_n/24.20/ecost10.0",
    )
    theirs = PublishedDimerCurve(setup, "full", DFT[0], DFT[1] - 0.25, Source("acejulia/x/dimercurve.dat", "c", "0"))
    other = PublishedDimerCurve(dataclasses.replace(setup, body_order=4), "full", DFT[0], DFT[1], Source("y", "c", "0"))
    rows = data_worlds.curve_comparison([ours], [theirs, other], "C", DFT, (1.0, 4.5))
    assert len(rows) == 1
    row = rows[0]
    assert row["ours"]["distance_to_dft"] == pytest.approx(0.5, abs=1e-6)
    assert row["theirs"]["distance_to_dft"] == pytest.approx(0.25, abs=1e-6)
    assert row["between"] == pytest.approx(0.75, abs=1e-6)
    assert row["ours"]["minimum"][0] == pytest.approx(1.3, abs=0.01) and row["theirs"]["size"] == 297
    table = data_worlds.curve_comparison_markdown(rows).splitlines()
    assert table[2] == (
        "| diverse | 3 | standard | 0.50 eV, 1.30 Å, -6.50 eV | (10, 297): 0.25 eV, 1.30 Å, -7.25 eV | 0.75 eV |"
    )


def test_the_curves_panel_draws_ours_and_theirs():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from linace.study.paper import FitSetup, PublishedDimerCurve, Source

    ours = [record(K, "diverse", 0.08, 0.05, 0.1 * K) for K in (2, 3)]
    setup = FitSetup(
        "ace.jl",
        "C",
        "Tr1k_n",
        3,
        "standard",
        (24, 20),
        "spec",
        297,
        5.0,
        10.0,
        "ACEpotentials.jl",
        None,
        "BLR",
        -245.0,
        "run",
    )
    curves = [
        PublishedDimerCurve(setup, "full", DFT[0], DFT[1], Source("a", "c", "0")),
        PublishedDimerCurve(
            dataclasses.replace(setup, energy_weight=50.0), "full", DFT[0], DFT[1], Source("b", "c", "0")
        ),
    ]
    fig, ax = plt.subplots()
    data_worlds.plot_curves_beside_published(ax, ours, curves, "C", DFT, "diverse", "standard", 10.0, (-10, 5))
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels.count("ours, K = 2") == 1 and labels.count("ours, K = 3") == 1 and labels.count("theirs, K = 3") == 1
    assert ax.get_xlabel().startswith("C–C distance r (Å)")
    plt.close(fig)


def test_a_number_published_twice_is_one_pair():
    ours = record(3, "diverse", 0.08, 0.05, 0.0, basis_size=102)
    twice = [_published("Tr1k_n", 3, "standard", "test", "Val1k_n", 70.0, 150)] * 2
    assert len(data_worlds.published_comparison([ours], twice, "C")) == 1


def test_errors_published_as_mae_only_are_compared_as_mae():
    """Their silicon validation errors exist as mean absolute errors only (si_errors matrices)."""
    import dataclasses as dc

    ours = record(
        4,
        "clusters+dimers",
        0.03,
        0.02,
        0.0,
        basis_size=439,
        test_extra={"energy_mae_meV_per_atom": 20.0, "force_mae_eV_per_A": 0.2},
    )
    theirs = dc.replace(
        _published("Si2345_train", 4, "standard", "test", "Si2345_val", None, 802),
        setup=dc.replace(
            _published("Si2345_train", 4, "standard", "test", "Si2345_val", None, 802).setup, element="Si"
        ),
        mae_energy_meV=23.5,
        mae_forces_eV_A=0.3,
        rmse_forces_eV_A=None,
    )
    (row,) = data_worlds.published_comparison([ours], [theirs], "Si")
    assert row["metric"] == "mae" and row["ours"]["energy"] == 20.0 and row["theirs"]["energy"] == 23.5
    assert row["within"] is True and row["their_training_set"] == "Si2345_train"
    assert "test (MAE): test / Si2345_val" in data_worlds.published_comparison_markdown([row])


def test_grading_one_worlds_runs_against_the_other_reference():
    records = _paper_like()  # curves far from DFT (offsets of 1.5-2.5 eV): 1b holds
    assert data_worlds.grade(records, DFT)["1b"].verdict == "reproduced"
    shifted = (DFT[0], DFT[1] + 2.0)  # a reference the K = 2 and K = 4 curves (offset +2.0, +2.5) nearly follow
    moved = data_worlds.with_reference(records, shifted, (1.0, 4.5))
    distances = sorted({round(r.distance_to_dft, 6) for r in moved})
    assert distances == [0.0, 0.5, 3.5, 4.0]
    assert data_worlds.grade(moved, shifted)["1b"].verdict == "partly"  # the K = 2 curve is now close to it
    assert data_worlds.grade(moved, shifted)["2"].verdict == data_worlds.grade(records, DFT)["2"].verdict
    assert as_record(records[0]).distance_to_dft == 2.0  # the records themselves are unchanged
    assert data_worlds.common_range((1.0, 4.5), (1.5, 5.0)) == (1.5, 4.5)
    with pytest.raises(ValueError, match="do not overlap"):
        data_worlds.common_range((1.0, 2.0), (3.0, 4.0))


@pytest.mark.parametrize("element", ["C", "Si"])
def test_the_committed_paper_runs_were_made_from_the_committed_manifests_data(element):
    """data/paper/<element>: the manifest (checksums of the converted files, which are not
    redistributed), the summary the book reads, and the run records; every record names the sets'
    checksums of that manifest, and the summary is the folder's own when the files are present."""
    folder = data_worlds.paper_data_dir(element)
    meta = json.loads((folder / "manifest.json").read_text())
    summary = data_worlds.read_world_summary(folder)
    assert summary["element"] == element and set(summary["sets"]) == set(meta["sets"])
    assert {name: entry["n_structures"] for name, entry in summary["sets"].items()} == {
        name: entry["n_structures"] for name, entry in meta["sets"].items()
    }
    records = data_worlds.load_paper_runs(element)
    assert len(records) >= 24
    checksums = {name: entry["sha256"] for name, entry in meta["sets"].items()}
    assert all(record.provenance["data_sha256"] == checksums for record in records)
    if all((folder / entry["file"]).exists() for entry in meta["sets"].values()):  # imported on this machine
        assert json.loads(json.dumps(data_worlds.world_summary(folder))) == summary


def test_the_two_worlds_headline():
    paper_like = data_worlds.grade(_paper_like(), DFT)  # 1a-3 reproduced, v2 untested
    converging = data_worlds.grade(
        [r for s in ("narrow", "crystals", "diverse") for r in _converging(s, "standard")], DFT
    )
    worlds = {"C, our data": paper_like, "C, their data": paper_like, "Si, our data": {}, "Si, their data": converging}
    line = data_worlds.two_worlds_headline(worlds)
    assert line.startswith("Of the 4 claims graded in both data worlds, 4 get the same verdict")
    assert "1a (C, reproduced)" in line and "Si" not in line
    worlds["C, their data"] = converging
    line = data_worlds.two_worlds_headline(worlds)
    assert ", and " in line and "2 (C: ours reproduced, theirs not reproduced)" in line
    assert data_worlds.two_worlds_headline({}).startswith("No claim could be graded")
