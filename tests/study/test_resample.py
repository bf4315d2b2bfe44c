"""Resampled runs: nested random training subsets, their grid, executor, resumption, summaries and
the claims graded per draw."""

import concurrent.futures

import numpy as np
import pytest

from linace.study import claims, resample, runs
from linace.study.datasets import element_dir
from linace.study.records import as_record, read_record, select


# ----------------------------------------------------------------------------- the subsets
def test_training_subsets_are_fixed_nested_sorted_and_independent_across_draws_and_sets():
    first = runs.training_subset("diverse", 81, 40, draw=3)
    assert np.array_equal(first, runs.training_subset("diverse", 81, 40, draw=3))  # fixed by the seed
    assert np.array_equal(first, np.sort(first)) and len(set(first)) == 40 and first.max() < 81
    for draw in range(5):  # nested within a draw
        small, large = (set(runs.training_subset("diverse", 81, n, draw)) for n in (40, 80))
        assert small <= large
    assert not np.array_equal(first, runs.training_subset("diverse", 81, 40, draw=4))
    assert not np.array_equal(first, runs.training_subset("narrow", 81, 40, draw=3))
    assert np.array_equal(runs.training_subset("narrow", 5, 5, 0), np.arange(5))


@pytest.mark.parametrize(
    "size, draw, message",
    [(82, 0, "has 81 structures; cannot draw 82"), (0, 0, "cannot draw 0"), (10, -1, "non-negative")],
)
def test_impossible_subsets_are_named(size, draw, message):
    with pytest.raises(ValueError, match=message):
        runs.training_subset("diverse", 81, size, draw)


def test_a_draw_is_trained_on_its_subset_with_the_rows_of_the_whole_set(synthetic_data, tmp_path):
    from linace.fit import DesignCache

    run = runs.train(
        3,
        "diverse",
        regularisation="ridge",
        data_dir=synthetic_data,
        cache=DesignCache(tmp_path),
        progress=False,
        train_size=4,
        draw=1,
    )
    chosen = runs.training_subset("diverse", 6, 4, 1)
    record = as_record(run.record)
    assert record.train_size == 4 and record.draw == 1
    assert record.parameter("train_indices") == chosen.tolist() and record.parameter("draw_seed") == runs.DRAW_SEED
    assert record.train_errors["n_structures"] == 4
    # the same fit as on a data set made of exactly those structures
    from linace.fit import fit

    structures = runs.load_training_set("diverse", synthetic_data)
    direct = fit(
        run.model.basis,
        [structures[i] for i in chosen],
        run.model.e0,
        weights=runs.DEFAULT_WEIGHTS,
        **runs.REGULARISATIONS["ridge"],
    )
    np.testing.assert_allclose(run.model.coefficients, direct.coefficients, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------- the grid
def test_the_grid_leaves_out_sizes_larger_than_a_set_and_draws_near_whole_sets_once():
    grid = resample.resample_grid(
        {"standard": ("narrow", "clusters+dimers", "diverse")},
        body_orders=(2, 3),
        sizes=(40, 81, 160, 320),
        draws=10,
        set_sizes={"narrow": 81, "clusters+dimers": 227, "diverse": 327},
    )
    count = {}
    for p in grid:
        key = (p["training_set"], p["train_size"])
        count[key] = count.get(key, 0) + 1
    # per K: ten draws up to 90 % of the set (160 of 227: 70 %), one above (320 of 327: 98 %; 81 of 81)
    assert count == {
        ("narrow", 40): 20,
        ("narrow", 81): 2,
        ("clusters+dimers", 40): 20,
        ("clusters+dimers", 81): 20,
        ("clusters+dimers", 160): 20,
        ("diverse", 40): 20,
        ("diverse", 81): 20,
        ("diverse", 160): 20,
        ("diverse", 320): 2,
    }
    assert resample.resample_id(grid[0]) == "K2-narrow-standard-blr-N40-d0"
    with pytest.raises(ValueError, match="draws must be at least 1"):
        resample.resample_grid(draws=0, set_sizes={})


@pytest.fixture
def small_grid(synthetic_data, tmp_path, monkeypatch):
    monkeypatch.setenv("LINACE_CACHE", str(tmp_path / "cache"))
    grid = resample.resample_grid(
        {"standard": ("narrow", "crystals", "diverse"), "pure": ("diverse",)},
        body_orders=(2, 3, 4),
        sizes=(3, 6),
        draws=3,
        set_sizes={"narrow": 6, "crystals": 6, "diverse": 6},
    )
    options = dict(
        results_dir=tmp_path / "resampled",
        executor=concurrent.futures.ThreadPoolExecutor(2),
        progress=False,
        data_dir=synthetic_data,
        data_manifest=synthetic_data / "manifest.json",
    )
    return grid, options


def test_runs_are_written_skipped_when_up_to_date_and_forced(small_grid):
    grid, options = small_grid
    report = resample.run_resampling(grid, **options)
    assert report.ok and len(report.executed) == len(grid) == 3 * 4 * (3 + 1) and not report.skipped
    files = sorted(options["results_dir"].glob("*.json"))
    assert len(files) == len(grid)
    record = read_record(options["results_dir"] / "K3-diverse-pure-blr-N3-d2.json")
    assert record.train_size == 3 and record.runner("resample")["run_id"] == "K3-diverse-pure-blr-N3-d2"
    again = resample.run_resampling(grid, **options)
    assert again.executed == [] and len(again.skipped) == len(grid)
    forced = resample.run_resampling(grid[:3], force=True, **options)
    assert len(forced.executed) == 3


def test_an_interrupted_grid_resumes_and_a_failing_run_spares_the_others(small_grid, monkeypatch):
    grid, options = small_grid
    resample.run_resampling(grid[:5], **options)  # as if stopped after five runs
    original = runs.train

    def failing(*args, **kwargs):
        if kwargs.get("draw") == 2 and args[1] == "crystals":
            raise RuntimeError("singular system")
        return original(*args, **kwargs)

    monkeypatch.setattr(runs, "train", failing)
    report = resample.run_resampling(grid, **options)
    assert len(report.skipped) == 5
    assert {f.run_id for f in report.failed} == {f"K{K}-crystals-standard-blr" for K in (2, 3, 4)}
    assert all("1 of" in f.error and "singular system" in f.error for f in report.failed)
    assert len(report.executed) == len(grid) - 5 - 3  # every other run was done
    assert not (options["results_dir"] / "K2-crystals-standard-blr-N3-d2.json").exists()


# ----------------------------------------------------------------------------- summaries over draws
def test_learning_curves_convergence_intervals_and_claims_per_draw(small_grid, synthetic_data):
    from linace.study import datasets
    from linace.study.results import dft_dimer_curve, load_results

    grid, options = small_grid
    resample.run_resampling(grid, **options)
    records = load_results(options["results_dir"])
    curves = resample.learning_curves(records)
    assert len(curves) == 4 * 3 * 2  # (variant, set) x K x N
    row = next(
        r
        for r in curves
        if (r["training_set"], r["body_order"], r["train_size"]) == ("diverse", 3, 3) and r["variant"] == "standard"
    )
    assert row["draws"] == 3
    draws = select(records, training_set="diverse", body_order=3, train_size=3, variant="standard")
    tests = sorted(r.test_error("energy_rmse_meV_per_atom") for r in draws)
    assert len(tests) == 3 and row["test_energy_rmse_meV_per_atom"]["median"] == pytest.approx(tests[1])  # middle of 3
    for name in resample.LEARNING_QUANTITIES:
        q = row[name]
        assert q["n"] == 3 and q["p10"] <= q["median"] <= q["p90"]
    full = next(
        r
        for r in curves
        if r["train_size"] == 6
        and r["variant"] == "standard"
        and r["training_set"] == "diverse"
        and r["body_order"] == 3
    )
    assert full["draws"] == 1

    dft = dft_dimer_curve(datasets.load("dimers", synthetic_data), datasets.e0(synthetic_data))[:2]
    intervals = resample.convergence_over_draws(records, dft)
    k3 = [r for r in intervals if r["body_order"] == 3 and r["train_size"] == 3]
    assert len(k3) == 4 and all(r["distance_to_previous_K_eV"]["n"] == 3 for r in k3)
    assert all(r["distance_to_previous_K_eV"]["n"] == 0 for r in intervals if r["body_order"] == 2)

    overlap = {(r["training_set"], r["train_size"]): r for r in resample.draw_overlap(records)}
    assert overlap[("diverse", 6)]["shared_fraction"] == 1.0 and overlap[("diverse", 6)]["draws"] == 1
    assert overlap[("diverse", 3)]["draws"] == 3 and 0 <= overlap[("diverse", 3)]["shared_fraction"] < 1

    graded = claims.grade_over_draws(records, dft, train_size=3)
    by_claim = {v.claim[:3]: v for v in graded}
    assert by_claim["1a."].draws == 3 and 0 <= by_claim["1a."].holds <= 3
    assert by_claim["v2b"].draws == 3  # pure on diverse is in the grid
    assert by_claim["v2a"].draws == 0 and by_claim["v2a"].verdict == "not tested (no draws)"  # no tailored set
    one = by_claim["1a."]
    assert (
        one.summary
        == f"holds in {one.holds} of 3 draws" + (f", partly in {one.partly}" if one.partly else "") + " (N = 3)"
    )


@pytest.mark.parametrize(
    "holds, draws, verdict",
    [
        (8, 10, "reproduced"),
        (10, 10, "reproduced"),
        (7, 10, "depends on the draw"),
        (3, 10, "depends on the draw"),
        (2, 10, "not reproduced"),
        (0, 10, "not reproduced"),
        (0, 0, "not tested (no draws)"),
    ],
)
def test_the_verdict_over_draws_needs_80_percent(holds, draws, verdict):
    assert claims.over_draws_grade(holds, 0, draws) == verdict  # no draw holds partly


def test_command_line_rejects_unknown_values(capsys, monkeypatch):
    from linace.study import sweep

    monkeypatch.setattr(
        sweep,
        "allowed_values",
        lambda: {
            "body_orders": [2, 3, 4, 5],
            "training_sets": ["diverse"],
            "variants": ["standard", "pure"],
            "regularisations": ["blr"],
        },
    )
    with pytest.raises(SystemExit) as stop:
        resample.main(["--training-sets", "bogus"])
    assert stop.value.code == 2
    assert "--training-sets: unknown value(s) bogus; allowed: diverse" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        resample.main(["--draws", "0"])
    assert "--draws must be positive" in capsys.readouterr().err


def test_summary_prints_learning_curves_and_claims_over_draws(small_grid, synthetic_data, capsys):
    grid, options = small_grid
    assert resample.run_resampling(grid, **options).ok
    assert (
        resample.main(
            ["--summary", "3", "--data-dir", str(synthetic_data), "--results-dir", str(options["results_dir"])]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert printed.startswith("Learning curves at K = 3") and "Claims over draws" in printed
    with pytest.raises(SystemExit) as stop:
        resample.main(
            ["--summary", "3", "--data-dir", str(synthetic_data), "--results-dir", str(options["results_dir"] / "none")]
        )
    assert stop.value.code == 1 and "no run records in" in capsys.readouterr().err
    from linace.study import datasets
    from linace.study.results import dft_dimer_curve, load_results

    records = load_results(options["results_dir"])
    dft = dft_dimer_curve(datasets.load("dimers", synthetic_data), datasets.e0(synthetic_data))[:2]
    text = resample.summary(records, dft, 3)
    rows = [line for line in text.splitlines() if line.startswith("standard, diverse")]
    assert [line.split()[2:4] for line in rows] == [["3", "3"], ["6", "1"]]  # N, draws (6 of 6: one draw)
    median = resample.learning_curves(records)
    expected = next(
        r
        for r in median
        if (r["variant"], r["training_set"], r["body_order"], r["train_size"]) == ("standard", "diverse", 3, 3)
    )["test_energy_rmse_meV_per_atom"]["median"]
    assert f"{expected:.1f} [" in rows[0]
    assert "N = 3    1a   holds in" in text
    assert printed.strip() == text.strip()


def test_command_line_resamples_a_data_directory_of_ones_own(synthetic_data, tmp_path, monkeypatch, capsys):
    """--data-dir: the folder's sets only (the plan's sets it lacks are named and left out), records
    under results/<folder name>-<digest>/resampled, trained on the folder's structures; a bad folder
    is a usage error naming it."""
    from linace.study import sweep

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sweep, "RESULTS_ROOT", tmp_path / "results")
    monkeypatch.setenv("LINACE_CACHE", str(tmp_path / "cache"))
    code = resample.main(
        ["--data-dir", str(synthetic_data), "--body-orders", "2", "--sizes", "3", "--draws", "2", "--workers", "1"]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "training set(s) clusters+dimers not in the data directory" not in err  # the folder has both parts
    written = sorted(p.name for p in (sweep.results_dir_of(synthetic_data) / "resampled").glob("*.json"))
    assert written == sorted(
        f"K2-{s.replace('+', '_')}-{v}-blr-N3-d{d}.json"
        for v, sets in resample.DEFAULT_PLAN.items()
        for s in sets
        for d in (0, 1)
    )
    record = read_record(sweep.results_dir_of(synthetic_data) / "resampled" / written[0])
    assert record.train_size == 3 and len(record.parameter("train_indices")) == 3
    assert not (tmp_path / "results" / "resampled").exists()  # the committed study's records are untouched

    lacking = tmp_path / "lacking"
    lacking.mkdir()
    for name in ("isolated_atom", "dimers", "diverse", "test"):
        (lacking / f"{name}.extxyz").write_bytes((synthetic_data / f"{name}.extxyz").read_bytes())
    from linace.study.datasets import write_manifest

    write_manifest(lacking, "C")
    assert (
        resample.main(
            ["--data-dir", str(lacking), "--body-orders", "2", "--sizes", "3", "--draws", "1", "--workers", "1"]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "training set(s) clusters+dimers, crystals, narrow not in the data directory" in err
    assert sorted(p.name for p in (sweep.results_dir_of(lacking) / "resampled").glob("*.json")) == [
        "K2-diverse-pure-blr-N3-d0.json",
        "K2-diverse-standard-blr-N3-d0.json",
    ]

    with pytest.raises(SystemExit) as stop:
        resample.main(["--data-dir", str(tmp_path / "nowhere")])
    assert stop.value.code == 2
    assert f"--data-dir {tmp_path / 'nowhere'}" in capsys.readouterr().err


# ----------------------------------------------------------------------------- a data directory of one's own
def _folder(synthetic_data, path, training_sets):
    """A data directory at ``path`` with the atom, dimers, test set and the given training sets
    ({name: set of synthetic_data to copy})."""
    from linace.study.datasets import write_manifest

    path.mkdir(parents=True)
    for name in ("isolated_atom", "dimers", "test"):
        (path / f"{name}.extxyz").write_bytes((synthetic_data / f"{name}.extxyz").read_bytes())
    for name, source in training_sets.items():
        (path / f"{name}.extxyz").write_bytes((synthetic_data / f"{source}.extxyz").read_bytes())
    write_manifest(path, "C")
    return path


@pytest.fixture
def results_root(tmp_path, monkeypatch):
    """The repository's results folder, moved into tmp_path for the test; the cache too."""
    from linace.study import sweep

    monkeypatch.setattr(sweep, "RESULTS_ROOT", tmp_path / "repository-results")
    monkeypatch.setenv("LINACE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "repository-results"


SMALL = ["--body-orders", "2", "--sizes", "3", "--draws", "1", "--workers", "1"]


def test_resample_takes_the_folders_own_training_sets_and_says_which(synthetic_data, tmp_path, results_root, capsys):
    """A folder whose training set is called ``train`` (a name the study's plan does not know):
    resampled, and named on the terminal; sizes no set allows are an error, not '0 executed'."""
    from linace.study import sweep

    folder = _folder(synthetic_data, tmp_path / "mine", {"train": "diverse"})
    assert resample.main(["--data-dir", str(folder), *SMALL]) == 0
    captured = capsys.readouterr()
    assert "1 executed, 0 up to date, 0 failed" in captured.out
    assert "resample: training sets of" in captured.err and "standard: train" in captured.err
    written = sorted(p.name for p in (sweep.results_dir_of(folder) / "resampled").glob("*.json"))
    assert written == ["K2-train-standard-blr-N3-d0.json"]
    with pytest.raises(SystemExit) as stop:
        resample.main(["--data-dir", str(folder), "--body-orders", "2", "--sizes", "40", "80", "--workers", "1"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "no resampled run" in err and "train (6 structures)" in err


def test_two_folders_of_the_same_name_keep_their_own_records(
    synthetic_data, tmp_path, results_root, monkeypatch, capsys
):
    """a/si_base and b/si_base: two results folders, run from any working directory; a folder holding
    the runs of one refuses those of the other (before any run, one line, exit code 2)."""
    from linace.study import sweep

    first = _folder(synthetic_data, tmp_path / "a" / "si_base", {"train": "diverse"})
    second = _folder(synthetic_data, tmp_path / "b" / "si_base", {"train": "narrow"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # outside the repository
    assert resample.main(["--data-dir", str(first), *SMALL]) == 0
    assert resample.main(["--data-dir", str(second), *SMALL]) == 0
    capsys.readouterr()
    folders = [sweep.results_dir_of(folder) / "resampled" for folder in (first, second)]
    assert folders[0] != folders[1] and all(folder.parent.parent == results_root for folder in folders)
    records = [read_record(folder / "K2-train-standard-blr-N3-d0.json") for folder in folders]
    assert [r.data_dir for r in records] == [str(first), str(second)]
    assert not list(elsewhere.iterdir())  # nothing written into the working directory
    before = (folders[0] / "K2-train-standard-blr-N3-d0.json").stat().st_mtime_ns

    with pytest.raises(SystemExit) as stop:
        resample.main(["--data-dir", str(second), *SMALL, "--force", "--results-dir", str(folders[0])])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "holds the runs of the data directory" in err[-1] and str(first) in err[-1], err
    assert err[-1].startswith("python -m linace.study.resample: error:")  # one line, no traceback
    assert (folders[0] / "K2-train-standard-blr-N3-d0.json").stat().st_mtime_ns == before


def test_an_unwritable_results_folder_is_refused_before_any_run(
    synthetic_data, tmp_path, results_root, unwritable, capsys, monkeypatch
):
    folder = _folder(synthetic_data, tmp_path / "mine", {"train": "diverse"})
    monkeypatch.setattr(runs, "train", lambda *a, **k: pytest.fail("a run started"))
    with pytest.raises(SystemExit) as stop:
        resample.main(["--data-dir", str(folder), *SMALL, "--results-dir", str(unwritable)])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "not writable" in err[-1] and str(unwritable) in err[-1] and not err[-1].startswith("Traceback")


def test_the_default_plan_of_a_folder():
    """The committed data keep exactly the study's plan; a folder's own sets join the standard basis
    (or every variant asked for)."""
    assert resample.default_plan(runs.training_sets()) == resample.DEFAULT_PLAN  # carbon: unchanged
    assert resample.default_plan(runs.training_sets(element_dir("Si"))) == resample.DEFAULT_PLAN  # silicon too
    assert resample.default_plan(["dimers", "diverse", "bulk"]) == {
        "standard": ("diverse", "bulk"),
        "pure": ("diverse",),
    }
    assert resample.default_plan(["bulk"], variants=["standard", "pure"]) == {"standard": ("bulk",), "pure": ("bulk",)}
    assert resample.default_plan(["dimers"]) == {}  # nothing to resample: the command line says so
