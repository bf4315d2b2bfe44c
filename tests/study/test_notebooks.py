"""Smoke runs of the book's notebooks at tiny settings (papermill, against synthetic data)."""

import json
from pathlib import Path

import jupytext
import nbformat
import papermill
import pytest

from linace.study.records import read_record

BOOK = Path(__file__).resolve().parents[2] / "book"


def execute(name: str, tmp_path: Path, **parameters) -> Path:
    notebook = tmp_path / f"{name}.ipynb"
    jupytext.write(jupytext.read(BOOK / f"{name}.py"), notebook)
    output = tmp_path / f"{name}.out.ipynb"
    papermill.execute_notebook(
        notebook, output, parameters=parameters, cwd=str(BOOK), progress_bar=False, kernel_name="python3"
    )
    return output


@pytest.fixture
def synthetic_environment(synthetic_data, tmp_path, monkeypatch):
    monkeypatch.setenv("LINACE_DATA", str(synthetic_data.parent))  # the registry: its folder C
    monkeypatch.setenv("LINACE_CACHE", str(tmp_path / "cache"))


def test_theory_notebook(tmp_path):
    text = execute("01_theory", tmp_path, body_order=3).read_text()
    assert "image/png" in text  # its figures were drawn


def test_train_notebook_writes_a_record(tmp_path, synthetic_environment):
    result = tmp_path / "K2.json"
    output = execute("04_train", tmp_path, body_order=2, training_set="diverse", result_path=str(result))
    record = read_record(result)
    assert record.body_order == 2
    assert record.test_errors["n_structures"] == 4
    # the sweep shows these outputs as a page: no warnings (e.g. tqdm's about ipywidgets, with the
    # design rows computed: the cache is empty) and not the result path (a sweep's scratch file)
    outputs = [o for cell in nbformat.read(output, as_version=4).cells for o in cell.get("outputs", [])]
    assert [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"] == []
    assert str(result) not in json.dumps(outputs)


def test_basis_truncation_notebook(tmp_path, synthetic_environment):
    execute("02_basis_truncation", tmp_path, body_orders=[2, 3])


def test_results_notebook(tmp_path, synthetic_environment, synthetic_data):
    from linace.study import runs
    from linace.study.results import write_json_atomic

    results = tmp_path / "results"
    for K in (2, 3):
        for training_set in ("dimers", "narrow", "diverse"):
            run = runs.train(K, training_set, data_dir=synthetic_data, progress=False)
            write_json_atomic(results / f"K{K}-{training_set}.json", run.record)
    text = execute("05_results", tmp_path, results_dir=str(results)).read_text()
    assert "1a." in text and "3." in text and "Verdict" in text  # the claims are graded on these runs


def test_beyond_notebook(tmp_path, synthetic_environment, synthetic_data):
    from linace.study import runs
    from linace.study.results import write_json_atomic

    results = tmp_path / "results"
    for K in (2, 3):
        for variant in ("standard", "pure"):
            for training_set in ("diverse", "clusters", "clusters+dimers"):
                run = runs.train(K, training_set, variant, data_dir=synthetic_data, progress=False)
                write_json_atomic(results / f"K{K}-{training_set}-{variant}.json", run.record)
    for variant in ("standard", "pure"):  # the smoothness-prior refits at the focus K (make sweep's --prior-comparison)
        for training_set in ("diverse", "clusters+dimers"):
            run = runs.train(3, training_set, variant, "blr-smooth", data_dir=synthetic_data, progress=False)
            write_json_atomic(results / f"K3-{training_set}-{variant}-blr-smooth.json", run.record)
    output = execute(
        "06_beyond",
        tmp_path,
        results_dir=str(results),
        focus_body_order=3,
        span_body_orders=[3],
        span_sets=["diverse", "clusters"],
    )
    text = output.read_text()
    assert "v2c." in text and "Verdict" in text


def test_evidence_notebook(tmp_path, synthetic_environment, synthetic_data):
    import concurrent.futures

    from linace.study import resample, runs
    from linace.study.results import write_json_atomic

    full = tmp_path / "results"
    for K in (2, 3, 4):
        for training_set in ("narrow", "crystals", "diverse"):
            run = runs.train(K, training_set, data_dir=synthetic_data, progress=False)
            write_json_atomic(full / f"K{K}-{training_set}.json", run.record)
    grid = resample.resample_grid(
        {"standard": ("narrow", "crystals", "diverse")},
        body_orders=(2, 3, 4),
        sizes=(3, 6),
        draws=3,
        set_sizes={"narrow": 6, "crystals": 6, "diverse": 6},
    )
    report = resample.run_resampling(
        grid,
        tmp_path / "resampled",
        concurrent.futures.ThreadPoolExecutor(2),
        progress=False,
        data_dir=synthetic_data,
        data_manifest=synthetic_data / "manifest.json",
    )
    assert report.ok
    output = execute(
        "05b_evidence",
        tmp_path,
        results_dir=str(tmp_path / "resampled"),
        full_results_dir=str(full),
        focus_body_order=3,
    )
    text = output.read_text()
    assert " of 3 | " in text  # claims graded on the three draws of N = 3
    assert "| claim | one fit | N = 3 | N = 6 |" in text and "| 1a | " in text  # one row per claim, a column per N


def test_own_data_notebook(tmp_path, monkeypatch):
    """The own-data page on its example folder, and on a folder given as a parameter."""
    from linace.study import example_data

    monkeypatch.setenv("LINACE_CACHE", str(tmp_path / "cache"))
    execute("08_own_data", tmp_path, body_orders=[2])
    folder = example_data.emt_folder(tmp_path / "silver", "Ag", n_train=5, n_test=2)
    text = execute("08_own_data", tmp_path, data_dir=str(folder), body_orders=[2, 3]).read_text()
    assert "Data directory of **Ag**" in text


def test_silicon_notebook(tmp_path, synthetic_environment, synthetic_silicon, synthetic_data):
    """Chapter 07 on a synthetic silicon folder, with carbon's verdicts (synthetic carbon) beside."""
    from linace.study import runs
    from linace.study.results import write_json_atomic

    for folder, results in ((synthetic_silicon, tmp_path / "si"), (synthetic_data, tmp_path / "c")):
        for K in (2, 3):
            for variant in ("standard", "pure"):
                for training_set in ("diverse", "clusters", "clusters+dimers"):
                    run = runs.train(K, training_set, variant, data_dir=folder, progress=False)
                    write_json_atomic(results / f"K{K}-{training_set}-{variant}.json", run.record)
    output = execute(
        "07_silicon",
        tmp_path,
        data_dir=str(synthetic_silicon),
        results_dir=str(tmp_path / "si"),
        carbon_results_dir=str(tmp_path / "c"),
        focus_body_order=3,
    )
    text = output.read_text()
    assert "Si: $E_0$ = " in text and "compared over 1.52–6.84 Å" in text
    assert "| claim | the paper says | Si | C |" in text and "v2c." in text
    assert "| basis | training set | Si | C |" in text  # where the convergence comes from, both elements
    assert "n/a (an EOS fit needs at least 5 volumes" in text  # the synthetic folder has no volume scan
    with pytest.raises(papermill.PapermillExecutionError, match="holds C data, not Si"):
        execute("07_silicon", tmp_path, data_dir=str(synthetic_data), results_dir=str(tmp_path / "si"))


def test_paper_data_notebook(tmp_path):
    """Chapter 09 on the committed records of the runs on the authors' data, with our own runs
    (here none: an empty results folder) graded beside them."""
    empty = tmp_path / "none"
    empty.mkdir()
    output = execute("09_paper_data", tmp_path, our_results={"C": str(empty), "Si": str(empty)})
    text = output.read_text()
    assert "| claim | the paper says | C, our data | C, their data | Si, our data | Si, their data |" in text
    assert "No claim could be graded in both data worlds" in text  # ours empty: said, not a failure
    assert "ours, spin-restricted" in text and "within 25 %" in text


def test_robustness_notebook(tmp_path):
    """Chapter 10 runs standalone on folders without runs (every verdict 'not tested', said so)."""
    empty = tmp_path / "none"
    empty.mkdir()
    text = execute("10_robustness", tmp_path, results_dir=str(empty), robustness_dir=str(empty)).read_text()
    assert "| claim | default verdict | robust? | what changes it |" in text and "| alternative | 1a | 1b |" in text
    assert "0 of 7 verdicts are the same under every alternative" in text


def _sweep_records(
    folder, results, orders=(2, 3), sets=("narrow", "crystals", "diverse", "clusters", "clusters+dimers")
):
    from linace.study import runs
    from linace.study.results import write_json_atomic

    for K in orders:
        for variant in ("standard", "pure"):
            for training_set in sets:
                run = runs.train(K, training_set, variant, data_dir=folder, progress=False)
                record = dict(run.record, sweep={"notebook": f"book/sweep/K{K}-{training_set}-{variant}.ipynb"})
                write_json_atomic(results / f"K{K}-{training_set}-{variant}.json", record)


def test_landing_page(tmp_path, synthetic_environment, synthetic_data):
    """The landing page on synthetic carbon runs without silicon or resampled runs: the bottom line,
    the claims table (not resampled) and the figure."""
    _sweep_records(synthetic_data, tmp_path / "results")
    text = execute(
        "intro",
        tmp_path,
        carbon_results_dir=str(tmp_path / "results"),
        carbon_resampled_dir=str(tmp_path / "none"),
        silicon_results_dir=str(tmp_path / "none"),
    ).read_text()
    assert "**The bottom line.** Trained on bulk carbon" in text
    assert "| claim | the paper says | one fit | over draws |" in text and "not resampled" in text
    assert "image/png" in text and "| carbon | K = " in text


def test_runs_index_and_history_pages(tmp_path, synthetic_environment, synthetic_data):
    """The index of the sweep runs lists carbon's runs (silicon: none, said so); the history appendix
    runs without saved states (the synthetic registry has none)."""
    _sweep_records(synthetic_data, tmp_path / "results", sets=("diverse", "clusters+dimers"))
    text = execute(
        "runs",
        tmp_path,
        results_dirs={"C": str(tmp_path / "results"), "Si": str(tmp_path / "none")},
        book_dir=str(tmp_path),
    ).read_text()
    assert "| training set | K = 2 | K = 3 |" in text and "No runs in" in text
    text = execute(
        "history", tmp_path, results_dir=str(tmp_path / "results"), resampled_dir=str(tmp_path / "none")
    ).read_text()
    assert "No earlier state is saved" in text
