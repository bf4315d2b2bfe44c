"""linace.study.sweep: grid, run ids, skip logic, failures, interruption, Dask executor, command line, book wiring.

The sweeps run a tiny template notebook written into tmp_path (not the training notebook), so each
run costs one kernel start.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import stat
from pathlib import Path

import nbformat
import pytest
import yaml

from linace.study import sweep
from linace.study.records import RunRecord, read_record

ROOT = Path(__file__).resolve().parents[2]

TEMPLATE = """# %% [markdown]
# # A tiny training template

# %% [markdown] tags=["chapter-only"]
# In the book this chapter runs with the default parameters below.

# %% tags=["parameters"]
body_order = 2
training_set = "dimers"
variant = "standard"
regularisation = "ridge"
result_path = ""

# %%
import json
import os

if training_set == "broken":
    raise RuntimeError("this training set is broken")
if training_set != "silent":
    with open(result_path, "w") as stream:
        json.dump({"parameters": {"body_order": body_order, "training_set": training_set,
                                  "variant": variant, "regularisation": regularisation},
                   "cwd": os.getcwd()}, stream)
print("trained K =", body_order, "on", training_set)
"""


@pytest.fixture
def workspace(tmp_path):
    """A template notebook and empty result/notebook folders; keyword arguments of run_sweep."""
    template = tmp_path / "template" / "train.py"
    template.parent.mkdir()
    template.write_text(TEMPLATE)
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"sets": {}}')
    return {
        "notebook": template,
        "results_dir": tmp_path / "results",
        "notebooks_dir": tmp_path / "book" / "sweep",
        "data_manifest": manifest,
        "progress": False,
    }


def result(workspace, params) -> RunRecord:
    return read_record(workspace["results_dir"] / f"{sweep.run_id(params)}.json")


def modification_times(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns for path in folder.glob("*") if path.is_file()}


def umask_mode() -> int:
    """The mode a new file gets from the process umask (0o666 & ~umask)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def shown_cells(notebook) -> list:
    """The cells the book shows (Jupyter Book leaves out those tagged remove-cell)."""
    return [cell for cell in notebook.cells if "remove-cell" not in cell.metadata.get("tags", [])]


# ----------------------------------------------------------------------------- pure functions
def test_grid_is_the_product_of_the_values():
    default = sweep.grid()
    assert len(default) == 16
    assert default[0] == {"body_order": 2, "training_set": "dimers", "variant": "standard", "regularisation": "blr"}
    assert [p["body_order"] for p in default[:4]] == [2, 2, 2, 2]  # body order varies slowest
    assert {p["training_set"] for p in default} == {"dimers", "narrow", "crystals", "diverse"}
    small = sweep.grid([3], ["diverse"], ["standard", "pure"], ["ridge", "blr"])
    assert len(small) == 4 and len({sweep.run_id(p) for p in small}) == 4


def test_run_ids_and_titles():
    params = {"body_order": 3, "training_set": "diverse", "variant": "standard", "regularisation": "blr"}
    assert sweep.run_id(params) == "K3-diverse-standard-blr"
    assert sweep.run_title(params) == "K = 3, diverse"
    assert sweep.run_title({**params, "regularisation": "ridge"}) == "K = 3, diverse, ridge"
    assert sweep.run_title({**params, "variant": "pure", "regularisation": "ridge"}) == "K = 3, diverse, pure, ridge"
    assert sweep.run_id({"body_order": 2, "training_set": "a b/c"}) == "K2-a_b_c-standard-blr"


def test_input_hash_covers_parameters_template_version_and_manifest(tmp_path, monkeypatch):
    params = sweep.grid([2], ["dimers"])[0]
    manifest = tmp_path / "manifest.json"
    manifest.write_text("{}")
    reference = sweep.input_hash(params, "source", manifest)
    assert sweep.input_hash(dict(reversed(params.items())), "source", manifest) == reference
    assert sweep.input_hash({**params, "body_order": 3}, "source", manifest) != reference
    assert sweep.input_hash(params, "source 2", manifest) != reference
    assert sweep.input_hash(params, "source", tmp_path / "missing.json") != reference
    manifest.write_text('{"sets": 1}')
    assert sweep.input_hash(params, "source", manifest) != reference
    manifest.write_text("{}")
    monkeypatch.setattr("linace.__version__", "99.0")
    assert sweep.input_hash(params, "source", manifest) != reference


# ----------------------------------------------------------------------------- sweeps
def test_sweep_writes_results_and_titled_notebooks_then_skips_reruns_and_forces(workspace):
    runs = sweep.grid([2, 3], ["dimers"])
    report = sweep.run_sweep(runs, workers=2, **workspace)  # default executor: local processes
    ids = [sweep.run_id(p) for p in runs]
    assert report.executed == ids and report.skipped == [] and report.ok

    record = result(workspace, runs[1])
    assert record.body_order == 3
    assert record["cwd"] == str(workspace["notebook"].parent)  # the kernel runs beside the template
    block = record.runner("sweep")
    assert block["run_id"] == ids[1] and block["wall_time_s"] > 0 and block["timestamp"]
    assert block["notebook"] == str(workspace["notebooks_dir"] / f"{ids[1]}.ipynb")
    assert block["input_hash"] == sweep.input_hash(runs[1], TEMPLATE, workspace["data_manifest"])

    notebook = nbformat.read(workspace["notebooks_dir"] / f"{ids[1]}.ipynb", as_version=4)
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# K = 3, dimers\n")
    assert "jupytext" not in notebook.metadata
    outputs = "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "trained K = 3 on dimers" in outputs

    # files get the umask's mode, not tempfile's 0600
    for path in (workspace["results_dir"] / f"{ids[1]}.json", workspace["notebooks_dir"] / f"{ids[1]}.ipynb"):
        assert stat.S_IMODE(path.stat().st_mode) == umask_mode(), path

    before = modification_times(workspace["results_dir"]) | modification_times(workspace["notebooks_dir"])
    again = sweep.run_sweep(runs, executor=NoExecutor(), **workspace)  # nothing may be submitted
    assert again.skipped == ids and again.executed == [] and again.failed == []
    assert modification_times(workspace["results_dir"]) | modification_times(workspace["notebooks_dir"]) == before

    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        forced = sweep.run_sweep(runs[:1], executor=executor, force=True, **workspace)
    assert forced.executed == ids[:1]
    assert result(workspace, runs[0]).runner("sweep")["timestamp"] >= block["timestamp"]


def test_a_run_page_has_one_title_and_no_parameter_cells_or_scratch_paths(workspace):
    """The book shows one title (the run's, with its parameters), neither the template's defaults
    nor papermill's injected cell with the temporary result_path, and no kernel warnings."""
    run = sweep.grid([3], ["dimers"], ["pure"])[0]
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        assert sweep.run_sweep([run], executor=executor, **workspace).ok
    notebook = nbformat.read(workspace["notebooks_dir"] / f"{sweep.run_id(run)}.ipynb", as_version=4)
    cells = shown_cells(notebook)
    titles = [
        line
        for cell in cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("# ")
    ]
    assert titles == ["# K = 3, dimers, pure"]
    assert cells[0].source.endswith(
        "Parameters: `body_order = 3`, `training_set = 'dimers'`, `variant = 'pure'`, `regularisation = 'blr'`"
    )
    removed = [cell for cell in notebook.cells if cell not in cells]
    assert sorted(tag for cell in removed for tag in cell.metadata["tags"] if tag != "remove-cell") == [
        "chapter-only",
        "injected-parameters",
        "parameters",
    ]  # the chapter's own words are not the run's
    shown = json.dumps([{"source": cell.source, "outputs": cell.get("outputs", [])} for cell in cells])
    assert "linace-sweep-" not in shown and "result_path =" not in shown  # no scratch path on the page
    assert "linace-sweep-" not in json.dumps(notebook.metadata)  # nor in the recorded parameters
    assert notebook.metadata["papermill"]["parameters"]["result_path"] == str(
        workspace["results_dir"] / f"{sweep.run_id(run)}.json"
    )
    streams = [o for cell in cells for o in cell.get("outputs", []) if o.output_type == "stream"]
    assert [o.name for o in streams] == ["stdout"]  # no warnings (stderr) in the page


def test_the_kernel_log_stays_out_of_the_sweep_output(workspace, capfd):
    """The kernels' own log (e.g. "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." when
    jupyter_client's shutdown interrupt meets a kernel still finishing a request) goes to the
    kernel's stderr, the sweep's terminal: the sweep silences it."""
    workspace["notebook"].write_text(TEMPLATE + '\n# %%\nget_ipython().kernel.log.error("a kernel log line")\n')
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        assert sweep.run_sweep(sweep.grid([2], ["dimers"]), executor=executor, **workspace).ok
    captured = capfd.readouterr()
    assert "a kernel log line" not in captured.err + captured.out


def test_a_changed_template_or_manifest_reruns(workspace):
    runs = sweep.grid([2], ["dimers", "narrow"])
    with concurrent.futures.ThreadPoolExecutor(2) as executor:
        sweep.run_sweep(runs, executor=executor, **workspace)
        workspace["notebook"].write_text(TEMPLATE + "# a comment changes the source\n")
        assert sweep.run_sweep(runs, executor=executor, **workspace).executed == [sweep.run_id(p) for p in runs]
        workspace["data_manifest"].write_text('{"sets": {"dimers": {}}}')
        assert len(sweep.run_sweep(runs[:1], executor=executor, **workspace).executed) == 1
    new_hash = sweep.input_hash(runs[0], workspace["notebook"].read_text(), workspace["data_manifest"])
    assert result(workspace, runs[0]).input_hash("sweep") == new_hash


def test_failing_runs_are_reported_and_corrupt_nothing(workspace, capsys):
    good, broken, silent = sweep.grid([2], ["dimers", "broken", "silent"])
    # an earlier good result of the run that now breaks (recorded with an outdated hash)
    earlier = {"parameters": broken, "sweep": {"input_hash": "outdated"}}
    workspace["results_dir"].mkdir(parents=True)
    (workspace["results_dir"] / f"{sweep.run_id(broken)}.json").write_text(json.dumps(earlier))

    with concurrent.futures.ThreadPoolExecutor(2) as executor:
        report = sweep.run_sweep([good, broken, silent], executor=executor, **workspace)

    assert report.executed == [sweep.run_id(good)] and not report.ok
    failures = {failure.run_id: failure for failure in report.failed}
    assert set(failures) == {sweep.run_id(broken), sweep.run_id(silent)}
    crash = failures[sweep.run_id(broken)]
    assert "RuntimeError: this training set is broken" in crash.error
    assert crash.notebook == str(workspace["notebooks_dir"] / "failed" / f"{sweep.run_id(broken)}.ipynb")
    failed_notebook = nbformat.read(crash.notebook, as_version=4)
    assert failed_notebook.cells[0].source.startswith("# K = 2, broken\n")
    assert any(o.output_type == "error" for cell in failed_notebook.cells for o in cell.get("outputs", []))
    no_result = failures[sweep.run_id(silent)].error
    assert "wrote no result" in no_result and "result_path" in no_result

    assert result(workspace, broken).data == earlier  # untouched
    assert not (workspace["results_dir"] / f"{sweep.run_id(silent)}.json").exists()
    assert not (workspace["notebooks_dir"] / f"{sweep.run_id(broken)}.ipynb").exists()  # not a book page
    assert sorted(p.name for p in workspace["results_dir"].iterdir()) == sorted(
        [f"{sweep.run_id(p)}.json" for p in (good, broken)] + [sweep.RESULTS_MARKER]
    )  # no temporary files left
    stderr = capsys.readouterr().err
    assert f"run {sweep.run_id(broken)} FAILED" in stderr and crash.notebook in stderr


class NoExecutor(concurrent.futures.Executor):
    """An executor that must not be used."""

    def submit(self, fn, /, *args, **kwargs):
        raise AssertionError("the sweep submitted a run although every run was up to date")


class InterruptedExecutor(concurrent.futures.Executor):
    """Runs the first task at once; the second is 'interrupted' (Ctrl-C while waiting for it)."""

    def __init__(self):
        self.submitted = []

    def submit(self, fn, /, *args, **kwargs):
        self.submitted.append(args[0].run_id)
        future = concurrent.futures.Future()
        if len(self.submitted) == 1:
            future.set_result(fn(*args, **kwargs))
        else:
            future.set_exception(KeyboardInterrupt())
        return future


def test_an_interrupted_sweep_keeps_finished_runs_and_resumes(workspace):
    runs = sweep.grid([2, 3], ["dimers"])
    ids = [sweep.run_id(p) for p in runs]
    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep(runs, executor=InterruptedExecutor(), **workspace)
    assert result(workspace, runs[0]).runner("sweep")["run_id"] == ids[0]
    assert not (workspace["results_dir"] / f"{ids[1]}.json").exists()

    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        resumed = sweep.run_sweep(runs, executor=executor, **workspace)
    assert resumed.skipped == ids[:1] and resumed.executed == ids[1:]


def test_dask_local_cluster_executor(workspace):
    import distributed  # a dev dependency, imported lazily by linace.study.sweep too

    runs = sweep.grid([2, 3], ["dimers"])
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        report = sweep.run_sweep(runs, executor=client.get_executor(), **workspace)
    assert report.executed == [sweep.run_id(p) for p in runs] and report.ok
    assert result(workspace, runs[1]).body_order == 3


def test_sweep_errors_that_stop_before_running(workspace):
    missing_template = {**workspace, "notebook": workspace["notebook"].with_name("no.py")}
    with pytest.raises(sweep.SweepError, match="not found"):
        sweep.run_sweep(sweep.grid([2], ["dimers"]), **missing_template)
    twice = sweep.grid([2], ["dimers"]) * 2
    with pytest.raises(sweep.SweepError, match="K2-dimers-standard-blr"):
        sweep.run_sweep(twice, **workspace)
    with pytest.raises(sweep.SweepError, match="ipykernel install"):
        sweep.check_kernel("no-such-kernel-for-linace")


# ----------------------------------------------------------------------------- command line
@pytest.fixture
def known_values(monkeypatch):
    """Pretend the data lists these training sets and the study these variants/regularisations."""
    monkeypatch.setattr(sweep, "_known_training_sets", lambda: ["dimers", "narrow", "crystals", "diverse"])
    monkeypatch.setattr(
        sweep,
        "_known_study_choices",
        lambda name: {"VARIANTS": ["standard"], "REGULARISATIONS": ["blr", "ridge"]}[name],
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--body-orders", "7"], "--body-orders: unknown value(s) 7; allowed: 2, 3, 4, 5"),
        (["--training-sets", "diverse", "bulk"], "--training-sets: unknown value(s) bulk; allowed: dimers, narrow"),
        (["--variants", "fancy"], "--variants: unknown value(s) fancy; allowed: standard"),
        (["--regularisations", "lasso"], "--regularisations: unknown value(s) lasso; allowed: blr, ridge"),
        (["--workers", "0"], "--workers must be at least 1"),
        (["--scheduler-timeout", "0"], "--scheduler-timeout must be positive, got 0"),
        (["--body-orders", "two"], "invalid int value: 'two'"),
    ],
)
def test_command_line_argument_errors(arguments, message, known_values, capsys):
    with pytest.raises(SystemExit) as exit_info:
        sweep.main(arguments)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_scheduler_that_does_not_answer_is_one_line_and_exit_code_1(workspace, known_values, capsys):
    arguments = [
        "--training-sets",
        "dimers",
        "--notebook",
        str(workspace["notebook"]),
        "--results-dir",
        str(workspace["results_dir"]),
        "--notebooks-dir",
        str(workspace["notebooks_dir"]),
    ]
    # port 9 (discard): nothing listens, the connection is refused until the timeout
    assert sweep.main(["--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "0.5", *arguments]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "python -m linace.study.sweep: error: the Dask scheduler at tcp://127.0.0.1:9 did not answer within 0.5 s"
    ]
    with pytest.raises(SystemExit) as exit_info:  # not a Dask address: a usage error
        sweep.main(["--scheduler", "nonsense://x", *arguments])
    assert exit_info.value.code == 2
    assert "--scheduler nonsense://x: unknown address scheme 'nonsense'" in capsys.readouterr().err
    assert not workspace["results_dir"].exists()


def test_training_sets_are_read_from_the_data_manifest(tmp_path, monkeypatch):
    datasets = pytest.importorskip("linace.study.datasets")  # optional for the sweep: no validation without it
    monkeypatch.setattr(datasets, "DATA_ROOT", tmp_path)  # the registry; carbon's folder is its C
    assert sweep.allowed_values()["training_sets"] is None  # no manifest yet: not validated
    sets = {name: {} for name in ("isolated_atom", "dimers", "diverse", "test", "pool")}
    (tmp_path / "C").mkdir()
    (tmp_path / "C" / "manifest.json").write_text(json.dumps({"sets": sets}))
    assert sweep.allowed_values()["training_sets"] == ["dimers", "diverse"]


def test_command_line_runs_the_grid_and_fails_if_a_run_fails(workspace, monkeypatch, capsys):
    monkeypatch.setattr(sweep, "_known_training_sets", lambda: None)
    monkeypatch.setattr(sweep, "default_manifest", lambda: workspace["data_manifest"])
    arguments = [
        "--body-orders",
        "2",
        "--training-sets",
        "dimers",
        "broken",
        "--workers",
        "1",
        "--notebook",
        str(workspace["notebook"]),
        "--results-dir",
        str(workspace["results_dir"]),
        "--notebooks-dir",
        str(workspace["notebooks_dir"]),
    ]
    assert sweep.main(arguments) == 1
    captured = capsys.readouterr()
    assert "1 executed, 0 up to date, 1 failed" in captured.out
    assert "FAILED K2-broken-standard-blr" in captured.err and "failed/K2-broken-standard-blr.ipynb" in captured.err
    assert sweep.main(arguments[:4] + arguments[5:]) == 0  # without the broken set: up to date
    assert "0 executed, 1 up to date, 0 failed" in capsys.readouterr().out


# ----------------------------------------------------------------------------- the book
def test_the_book_shows_the_sweep_runs_without_executing_them():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = [chapter for part in toc["parts"] for chapter in part["chapters"]]
    index = next(chapter for chapter in chapters if chapter.get("file") == "book/runs")  # the index of the runs
    assert index["sections"] == [{"glob": "book/sweep/K*"}, {"glob": "book/sweep/Si/K*"}]
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert {"book/sweep/*", "book/sweep/Si/*"} <= set(config["execute"]["exclude_patterns"])
    # every run id starts with K, so the globs match every run page (and nothing in failed/)
    assert all(sweep.run_id(params).startswith("K") for params in sweep.grid(training_sets=["crystals", "_x", "Ab"]))


def test_default_grid_adds_the_pure_basis_on_its_sets():
    runs = sweep.default_grid()
    assert len(runs) == len(sweep.BODY_ORDERS) * sum(len(sets) for sets in sweep.DEFAULT_PLAN.values())
    assert len({sweep.run_id(run) for run in runs}) == len(runs)
    pure_sets = {run["training_set"] for run in runs if run["variant"] == "pure"}
    assert pure_sets == {"diverse", "clusters", "clusters+dimers"}
    assert [run["body_order"] for run in runs] == sorted(run["body_order"] for run in runs)
    assert sweep.run_id(runs[-1]).startswith("K5-")


def test_command_line_without_grid_options_runs_the_default_plan(monkeypatch, capsys):
    """No grid option: the default plan, minus the training sets the data directory lacks (said on
    stderr); any grid option: the full product."""
    captured = {}

    def fake_run_sweep(parameter_grid, **options):
        captured["grid"] = parameter_grid
        return sweep.SweepReport(executed=[], skipped=[], failed=[])

    available = ["dimers", "narrow", "crystals", "diverse", "clusters"]  # no clusters+dimers
    monkeypatch.setattr(sweep, "run_sweep", fake_run_sweep)
    monkeypatch.setattr(
        sweep,
        "allowed_values",
        lambda: {
            "body_orders": [2, 3, 4, 5],
            "training_sets": available,
            "variants": ["standard", "pure"],
            "regularisations": ["blr"],
        },
    )
    assert sweep.main([]) == 0
    assert captured["grid"] == [run for run in sweep.default_grid() if run["training_set"] in available]
    assert "clusters+dimers not in the data directory" in capsys.readouterr().err
    assert sweep.main(["--variants", "pure", "--body-orders", "3"]) == 0
    assert captured["grid"] == sweep.grid([3], sweep.TRAINING_SETS, ["pure"])


# ----------------------------------------------------------------------------- the input hash and the manifest
def test_input_hash_ignores_the_manifests_documentation_but_not_its_data(tmp_path):
    """Free text (``description`` of the folder, of a set, of a section), the export's timestamp, its
    known issues and its compute accounting do not change a run's result: changing them re-runs nothing.
    Everything else does, including a set that happens to be called ``description``."""
    params = sweep.grid([2], ["dimers"])[0]
    manifest = tmp_path / "manifest.json"
    base = {
        "schema": 1,
        "element": "C",
        "description": "PBE, 520 eV",
        "created": "2026-01-01T00:00:00+0000",
        "known_issues": ["stresses not converged"],
        "compute": {"cpu_core_seconds": 12.0},
        "state_search": {"width": 0.01, "description": "how molecules are labelled"},
        "sets": {
            "dimers": {"file": "dimers.extxyz", "sha256": "a" * 64, "n_structures": 3, "description": "C2"},
            "description": {"file": "d.extxyz", "sha256": "b" * 64, "n_structures": 1},
        },
    }

    def digest(meta: dict, indent=1) -> str:
        manifest.write_text(json.dumps(meta, indent=indent))
        return sweep.input_hash(params, "source", manifest)

    reference = digest(base)
    same = [
        {**base, "description": "PBE, 520 eV, re-described"},
        {**base, "created": "2027-01-01T00:00:00+0000"},
        {**base, "known_issues": []},
        {**base, "compute": {"cpu_core_seconds": 99.0}},
        {**base, "state_search": {"width": 0.01, "description": "reworded"}},
        {**base, "sets": {**base["sets"], "dimers": {**base["sets"]["dimers"], "description": "C2 molecule"}}},
        {key: base[key] for key in ("sets", "schema", "element", "state_search")},  # documentation absent
    ]
    for changed in same:
        assert digest(changed) == reference, changed
    assert digest(base, indent=None) == reference  # the layout of the file is not content
    different = [
        {**base, "element": "Si"},
        {**base, "state_search": {"width": 0.02, "description": "how molecules are labelled"}},
        {**base, "sets": {**base["sets"], "dimers": {**base["sets"]["dimers"], "sha256": "c" * 64}}},
        {**base, "sets": {"dimers": base["sets"]["dimers"]}},  # the set named 'description' is data
        {**base, "compare_range": [1.5, 5.0]},  # any key not known to be documentation counts
    ]
    for changed in different:
        assert digest(changed) != reference, changed
    manifest.write_text("{not json")  # unreadable: its text is hashed, as before
    broken = sweep.input_hash(params, "source", manifest)
    manifest.write_text("{not json either")
    assert sweep.input_hash(params, "source", manifest) != broken


# ----------------------------------------------------------------------------- where a sweep writes
def test_the_default_template_and_output_folders_are_the_repositorys_whatever_the_working_directory(
    tmp_path, monkeypatch
):
    """Run from outside the repository the sweep finds its template (book/04_train.py) and writes the
    committed study's records where the Makefile and the chapters read them; folders given on the
    command line are relative to the working directory."""
    monkeypatch.chdir(tmp_path)
    assert Path(sweep.DEFAULT_NOTEBOOK) == ROOT / "book" / "04_train.py" and Path(sweep.DEFAULT_NOTEBOOK).is_file()
    assert sweep._output_dirs(sweep._parser().parse_args([])) == (ROOT / "results", ROOT / "book" / "sweep")
    silicon = sweep._parser().parse_args(["--data-dir", str(ROOT / "data" / "Si")])
    assert sweep._output_dirs(silicon) == (ROOT / "results" / "Si", ROOT / "results" / "Si" / "notebooks")
    given = sweep._parser().parse_args(["--results-dir", "out", "--notebooks-dir", "pages"])
    assert sweep._output_dirs(given) == (tmp_path / "out", tmp_path / "pages")


def test_data_directories_of_the_same_name_get_folders_that_cannot_collide(tmp_path, monkeypatch):
    first, second = tmp_path / "a" / "si_base", tmp_path / "b" / "si_base"
    one, two = sweep.results_dir_of(first), sweep.results_dir_of(second)
    assert one != two and one.parent == two.parent == sweep.RESULTS_ROOT == ROOT / "results"
    assert one.name.startswith("si_base-") and two.name.startswith("si_base-")
    monkeypatch.chdir(tmp_path / "..")
    assert sweep.results_dir_of(Path(tmp_path.name) / "a" / "si_base") == one  # the same folder, however named
    # the repository's own element folders keep the names the Makefile and chapter 07 use
    assert sweep.results_dir_of(ROOT / "data" / "Si") == ROOT / "results" / "Si"
    assert sweep.results_dir_of(ROOT / "data" / "C") == ROOT / "results" / "C"


def _marked_workspace(workspace, tmp_path, name):
    """The workspace with a data manifest of its own in folder ``name`` (another data directory)."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "manifest.json").write_text('{"sets": {}, "element": "C"}')
    return {**workspace, "data_manifest": folder / "manifest.json"}


def test_a_results_folder_holds_the_runs_of_one_data_directory(workspace, tmp_path, synthetic_data, capsys):
    runs = sweep.grid([2], ["dimers"])
    first = _marked_workspace(workspace, tmp_path, "first")
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        assert sweep.run_sweep(runs, executor=executor, **first).ok
    marker = json.loads((workspace["results_dir"] / sweep.RESULTS_MARKER).read_text())
    assert marker["data_dir"] == str((tmp_path / "first").resolve())
    assert marker["manifest_sha256"] == hashlib.sha256((tmp_path / "first" / "manifest.json").read_bytes()).hexdigest()
    before = modification_times(workspace["results_dir"])

    second = _marked_workspace(workspace, tmp_path, "second")
    with pytest.raises(sweep.SweepError, match=r"holds the runs of the data directory .*first"):
        sweep.run_sweep(runs, executor=NoExecutor(), force=True, **second)  # refused before any run
    assert modification_times(workspace["results_dir"]) == before
    arguments = [
        "--body-orders",
        "2",
        "--training-sets",
        "dimers",
        "--notebook",
        str(workspace["notebook"]),
        "--results-dir",
        str(workspace["results_dir"]),
        "--force",
    ]
    with pytest.raises(SystemExit) as stop:
        sweep.main(["--data-dir", str(synthetic_data), *arguments])  # a real data directory, not the first
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "holds the runs of the data directory" in err
    assert modification_times(workspace["results_dir"]) == before


def test_a_folder_without_marker_is_judged_by_its_records(workspace, tmp_path):
    """Folders written before the marker existed: the records name their data directory
    (``provenance.data_dir``; None for the committed data)."""
    workspace["results_dir"].mkdir()

    def old_record(data_dir):
        return json.dumps({"parameters": {"body_order": 2}, "provenance": {"data_dir": str(data_dir)}})

    (workspace["results_dir"] / "K2-old-standard-blr.json").write_text(old_record(tmp_path / "elsewhere"))
    with pytest.raises(sweep.SweepError, match=r"holds the runs of the data directory .*elsewhere"):
        sweep.run_sweep(sweep.grid([2], ["dimers"]), executor=NoExecutor(), **workspace)
    # the same folder: adopted
    (workspace["results_dir"] / "K2-old-standard-blr.json").write_text(old_record(workspace["data_manifest"].parent))
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        assert sweep.run_sweep(sweep.grid([2], ["dimers"]), executor=executor, **workspace).ok
    assert (workspace["results_dir"] / sweep.RESULTS_MARKER).is_file()


@pytest.mark.parametrize("which", ["results_dir", "notebooks_dir"])
def test_an_unwritable_output_folder_is_refused_before_any_run(workspace, unwritable, which, capsys):
    target = {**workspace, which: unwritable}
    with pytest.raises(sweep.SweepError, match=r"not writable"):
        sweep.run_sweep(sweep.grid([2], ["dimers"]), executor=NoExecutor(), **target)  # nothing submitted
    folders = {"results_dir": workspace["results_dir"], "notebooks_dir": workspace["notebooks_dir"], which: unwritable}
    arguments = [
        "--body-orders",
        "2",
        "--training-sets",
        "dimers",
        "--notebook",
        str(workspace["notebook"]),
        "--results-dir",
        str(folders["results_dir"]),
        "--notebooks-dir",
        str(folders["notebooks_dir"]),
    ]
    with pytest.raises(SystemExit) as stop:
        sweep.main(arguments)
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(unwritable) in err[0] and "not writable" in err[0], err
    assert not list(workspace["notebooks_dir"].glob("**/*.ipynb"))  # no run was executed


# ----------------------------------------------------------------------------- scratch folders
def test_scratch_folders_name_their_process_and_stale_ones_are_removed(tmp_path, monkeypatch):
    """A sweep killed with -9 leaves its scratch folders behind: the next sweep removes those whose
    process has ended, never one of a live process (nor a folder that names no process)."""
    import subprocess
    import sys

    from linace.study import notebook_runs

    code = (
        "import os, signal\nfrom linace.study import notebook_runs\n"
        "folder = notebook_runs.scratch_folder()\nprint(os.getpid(), folder.name, flush=True)\n"
        "open(os.path.join(folder.name, 'K2.ipynb'), 'w').write('partial')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "TMPDIR": str(tmp_path)}
    )
    assert killed.returncode == -9, killed.stderr
    pid, name = killed.stdout.split()
    stale = Path(name)
    assert stale.is_dir() and stale.parent == tmp_path and stale.name.startswith(f"linace-sweep-{pid}-")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    live = notebook_runs.scratch_folder()  # this process's: alive
    assert Path(live.name).name.startswith(f"linace-sweep-{os.getpid()}-")
    unnamed = tmp_path / "linace-sweep-gj2hs7vt"  # an older sweep's: names no process, left alone
    unnamed.mkdir()
    removed = notebook_runs.remove_stale_scratch()
    assert removed == [stale] and not stale.exists()
    assert Path(live.name).is_dir() and unnamed.is_dir()
    live.cleanup()


def test_a_sweep_removes_stale_scratch_folders_and_runs_in_one_naming_its_process(workspace, tmp_path, monkeypatch):
    import subprocess
    import sys

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    stale = scratch / f"linace-sweep-{ended.pid}-abcd1234"
    stale.mkdir()
    workspace["notebook"].write_text(
        TEMPLATE.replace('"cwd": os.getcwd()}', '"cwd": os.getcwd(), "scratch": result_path}')
    )
    run = sweep.grid([2], ["dimers"])[0]
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        assert sweep.run_sweep([run], executor=executor, **workspace).ok
    assert not stale.exists()
    used = Path(result(workspace, run)["scratch"]).parent
    assert used.parent == scratch and used.name.startswith(f"linace-sweep-{os.getpid()}-")
    assert not used.exists()  # removed by the run itself


def test_a_marked_folder_follows_its_data_when_they_move(workspace, tmp_path):
    """A results folder marked for a data directory that no longer exists accepts the runs of a folder
    with the same manifest (a moved checkout), not those of other data."""
    runs = sweep.grid([2], ["dimers"])
    old = _marked_workspace(workspace, tmp_path, "old-place")
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        assert sweep.run_sweep(runs, executor=executor, **old).ok
    (tmp_path / "old-place").rename(tmp_path / "new-place")
    moved = {**workspace, "data_manifest": tmp_path / "new-place" / "manifest.json"}
    assert sweep.run_sweep(runs, executor=NoExecutor(), **moved).skipped == [sweep.run_id(runs[0])]
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        assert sweep.run_sweep(runs, executor=executor, force=True, **moved).ok
    marker = json.loads((workspace["results_dir"] / sweep.RESULTS_MARKER).read_text())
    assert marker["data_dir"] == str((tmp_path / "new-place").resolve())  # the marker follows
    (tmp_path / "new-place").rename(tmp_path / "gone")
    other = _marked_workspace(workspace, tmp_path, "other")
    (tmp_path / "other" / "manifest.json").write_text('{"sets": {"x": {}}, "element": "C"}')  # other data
    with pytest.raises(sweep.SweepError, match="holds the runs of the data directory .*new-place"):
        sweep.run_sweep(runs, executor=NoExecutor(), **other)


def test_a_cache_size_that_is_not_a_size_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setenv("LINACE_CACHE_SIZE", "lots")
    with pytest.raises(SystemExit) as stop:
        sweep.main(["--body-orders", "2"])
    assert stop.value.code == 2 and "LINACE_CACHE_SIZE='lots' is not a size" in capsys.readouterr().err


def test_extra_axes_enter_ids_titles_and_the_grid_only_when_asked_for():
    """--energy-weights, --energy-zeros and --compare-range (issues 26 and 28): a run at the defaults
    keeps its id (and so its record); other values get their own id and title."""
    base = {"body_order": 3, "training_set": "diverse", "variant": "standard", "regularisation": "blr"}
    assert sweep.run_id({**base, "energy_weight": 30.0, "energy_zero": "atom"}) == "K3-diverse-standard-blr"
    assert sweep.run_id({**base, "energy_weight": 10.0}) == "K3-diverse-standard-blr-w10"
    assert (
        sweep.run_id({**base, "energy_zero": "fit", "compare_range": [1.5, 5.0]})
        == "K3-diverse-standard-blr-e0fit-r1.5-5"
    )
    assert sweep.run_title({**base, "energy_weight": 50.0, "energy_zero": "fit"}) == "K = 3, diverse, E:F = 50, E0 fit"
    args = sweep._parser().parse_args(
        [
            "--body-orders",
            "2",
            "--training-sets",
            "diverse",
            "--energy-weights",
            "10",
            "30",
            "50",
            "--energy-zeros",
            "atom",
            "fit",
            "--compare-range",
            "1.2",
            "4.0",
        ]
    )
    runs = sweep._with_extra_axes(sweep._parameter_grid(args), args)
    assert len(runs) == 6 and len({sweep.run_id(run) for run in runs}) == 6
    assert {run.get("energy_weight") for run in runs} == {10.0, None, 50.0}  # the default is left out
    assert all(run["compare_range"] == [1.2, 4.0] for run in runs)
    plain = sweep._parser().parse_args(["--body-orders", "2", "--training-sets", "diverse"])
    assert sweep._with_extra_axes(sweep._parameter_grid(plain), plain) == sweep._parameter_grid(plain)


def test_the_training_notebook_takes_every_extra_axis_as_a_parameter():
    import re

    source = (ROOT / "book" / "04_train.py").read_text()
    cell = source.split('# %% tags=["parameters"]')[1].split("# %%")[0]
    names = set(re.findall(r"^(\w+) =", cell, flags=re.M))
    assert {key for key, _, _ in sweep.EXTRA_AXES} <= names


def test_weights_of():
    from linace.study import runs

    assert runs.weights_of(30.0) == runs.DEFAULT_WEIGHTS
    assert runs.weights_of(10.0).energy == 10.0 and runs.weights_of(10.0).virial == runs.DEFAULT_WEIGHTS.virial
    with pytest.raises(ValueError, match="positive number"):
        runs.weights_of(0.0)


def test_basis_size_axis():
    from linace.basis import DEFAULT_TRUNCATION
    from linace.study import runs

    base = {"body_order": 3, "training_set": "diverse", "variant": "standard", "regularisation": "blr"}
    assert sweep.run_id({**base, "basis_size": 2.0}) == "K3-diverse-standard-blr-b2"
    assert sweep.run_id({**base, "basis_size": 1.0}) == "K3-diverse-standard-blr"
    assert sweep.run_title({**base, "basis_size": 0.5}) == "K = 3, diverse, basis x0.5"
    args = sweep._parser().parse_args(
        ["--body-orders", "2", "--training-sets", "diverse", "--basis-sizes", "0.5", "1", "2"]
    )
    assert [run.get("basis_size") for run in sweep._with_extra_axes(sweep._parameter_grid(args), args)] == [
        0.5,
        None,
        2.0,
    ]
    assert runs.scaled_truncation(3, 1.0) == {nu: DEFAULT_TRUNCATION[nu] for nu in (1, 2)}
    large, small = runs.scaled_truncation(2, 2.0), runs.scaled_truncation(3, 0.5)
    assert large == {1: (24, 0)}  # 24 = 2 x 12 radial functions at K = 2
    assert runs._basis_length(3, small) <= 0.5 * 102 < runs._basis_length(3, {1: (10, 0), 2: (10, 4)})
    with pytest.raises(ValueError, match="positive"):
        runs.scaled_truncation(3, 0.0)


def test_committed_records_of_the_same_data_made_in_another_checkout_are_this_folders(tmp_path):
    """data/paper/<el>/runs: records made in one clone (provenance.data_dir of that clone) are the runs
    of the same folder in another clone when its sets' checksums are the same; other data are refused."""
    data = tmp_path / "clone2" / "data" / "paper" / "Si"
    data.mkdir(parents=True)
    (data / "manifest.json").write_text(json.dumps({"element": "Si", "sets": {"test": {"sha256": "abc"}}}))
    runs = data / "runs"
    runs.mkdir()

    def record(data_dir, checksum):
        return json.dumps({"provenance": {"data_dir": data_dir, "data_sha256": {"test": checksum}}})

    (runs / "K2-dimers-standard-blr.json").write_text(record("/elsewhere/clone1/data/paper/Si", "abc"))
    sweep.check_results_dir(runs, data)  # accepted: the same data at the same place of another checkout
    (runs / "K2-dimers-standard-blr.json").write_text(record("/elsewhere/clone1/data/paper/Si", "other"))
    with pytest.raises(sweep.SweepError, match="holds the runs of the data directory /elsewhere/clone1"):
        sweep.check_results_dir(runs, data)
    (runs / "K2-dimers-standard-blr.json").write_text(record("/elsewhere/clone1/data/paper/C", "abc"))
    with pytest.raises(sweep.SweepError, match="holds the runs of the data directory"):
        sweep.check_results_dir(runs, data)  # same checksums, another place: not the same folder
