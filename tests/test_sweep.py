"""linace.study.sweep: grid, run ids, skip logic, failures, interruption, Dask executor, command line, book wiring.

The sweeps run a tiny template notebook written into tmp_path (not the training notebook), so each
run costs one kernel start.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import stat
from pathlib import Path

import nbformat
import pytest
import yaml

from linace.study import sweep

ROOT = Path(__file__).resolve().parents[1]

TEMPLATE = '''# %% [markdown]
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
'''


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


def result(workspace, params) -> dict:
    return json.loads((workspace["results_dir"] / f"{sweep.run_id(params)}.json").read_text())


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
    assert record["parameters"]["body_order"] == 3
    assert record["cwd"] == str(workspace["notebook"].parent)  # the kernel runs beside the template
    block = record["sweep"]
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
    assert result(workspace, runs[0])["sweep"]["timestamp"] >= block["timestamp"]


def test_a_run_page_has_one_title_and_no_parameter_cells_or_scratch_paths(workspace):
    """The book shows one title (the run's, with its parameters), neither the template's defaults
    nor papermill's injected cell with the temporary result_path, and no kernel warnings."""
    run = sweep.grid([3], ["dimers"], ["pure"])[0]
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        assert sweep.run_sweep([run], executor=executor, **workspace).ok
    notebook = nbformat.read(workspace["notebooks_dir"] / f"{sweep.run_id(run)}.ipynb", as_version=4)
    cells = shown_cells(notebook)
    titles = [line for cell in cells if cell.cell_type == "markdown"
              for line in cell.source.splitlines() if line.startswith("# ")]
    assert titles == ["# K = 3, dimers, pure"]
    assert cells[0].source.endswith("Parameters: `body_order = 3`, `training_set = 'dimers'`, "
                                    "`variant = 'pure'`, `regularisation = 'blr'`")
    removed = [cell for cell in notebook.cells if cell not in cells]
    assert sorted(tag for cell in removed for tag in cell.metadata["tags"] if tag != "remove-cell") == [
        "chapter-only", "injected-parameters", "parameters"]  # the chapter's own words are not the run's
    shown = json.dumps([{"source": cell.source, "outputs": cell.get("outputs", [])} for cell in cells])
    assert "linace-sweep-" not in shown and "result_path =" not in shown  # no scratch path on the page
    assert "linace-sweep-" not in json.dumps(notebook.metadata)  # nor in the recorded parameters
    assert notebook.metadata["papermill"]["parameters"]["result_path"] == str(
        workspace["results_dir"] / f"{sweep.run_id(run)}.json")
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
    assert result(workspace, runs[0])["sweep"]["input_hash"] == new_hash


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

    assert result(workspace, broken) == earlier  # untouched
    assert not (workspace["results_dir"] / f"{sweep.run_id(silent)}.json").exists()
    assert not (workspace["notebooks_dir"] / f"{sweep.run_id(broken)}.ipynb").exists()  # not a book page
    assert sorted(p.name for p in workspace["results_dir"].iterdir()) == sorted(
        f"{sweep.run_id(p)}.json" for p in (good, broken))  # no temporary files left
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
    assert result(workspace, runs[0])["sweep"]["run_id"] == ids[0]
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
    assert result(workspace, runs[1])["parameters"]["body_order"] == 3


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
    monkeypatch.setattr(sweep, "_known_study_choices",
                        lambda name: {"VARIANTS": ["standard"], "REGULARISATIONS": ["blr", "ridge"]}[name])


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
    arguments = ["--training-sets", "dimers", "--notebook", str(workspace["notebook"]),
                 "--results-dir", str(workspace["results_dir"]), "--notebooks-dir", str(workspace["notebooks_dir"])]
    # port 9 (discard): nothing listens, the connection is refused until the timeout
    assert sweep.main(["--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "0.5", *arguments]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "python -m linace.study.sweep: error: the Dask scheduler at tcp://127.0.0.1:9 did not answer within 0.5 s"]
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
    arguments = ["--body-orders", "2", "--training-sets", "dimers", "broken", "--workers", "1",
                 "--notebook", str(workspace["notebook"]), "--results-dir", str(workspace["results_dir"]),
                 "--notebooks-dir", str(workspace["notebooks_dir"])]
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
    monkeypatch.setattr(sweep, "allowed_values", lambda: {"body_orders": [2, 3, 4, 5], "training_sets": available,
                                                          "variants": ["standard", "pure"], "regularisations": ["blr"]})
    assert sweep.main([]) == 0
    assert captured["grid"] == [run for run in sweep.default_grid() if run["training_set"] in available]
    assert "clusters+dimers not in the data directory" in capsys.readouterr().err
    assert sweep.main(["--variants", "pure", "--body-orders", "3"]) == 0
    assert captured["grid"] == sweep.grid([3], sweep.TRAINING_SETS, ["pure"])
