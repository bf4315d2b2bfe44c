"""Where the study's work runs (linace.study.executors): thread shares of local workers, and the
outcomes of tasks on an executor (a failing task is reported, the others go on)."""

import concurrent.futures

from linace.study import executors


def test_workers_share_the_cores_for_blas_threads(monkeypatch):
    """Two workers on four cores get two BLAS threads each; a user's setting is kept."""
    for variable in executors.BLAS_THREAD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(executors.os, "cpu_count", lambda: 4)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")
    assert executors.share_cores(2) == 2
    assert executors.os.environ["OPENBLAS_NUM_THREADS"] == "2" and executors.os.environ["OMP_NUM_THREADS"] == "2"
    assert executors.os.environ["MKL_NUM_THREADS"] == "3"
    assert executors.share_cores(8) == 1


def test_limit_threads_overrides_the_users_setting(monkeypatch):
    """GPAW workers run one thread each, whatever was set before."""
    for variable in executors.BLAS_THREAD_VARIABLES:
        monkeypatch.setenv(variable, "4")
    executors.limit_threads(1)
    assert all(executors.os.environ[v] == "1" for v in executors.BLAS_THREAD_VARIABLES)


class _Task:
    def __init__(self, run_id):
        self.run_id = run_id


def _work(task):
    if task.run_id == "bad":
        raise RuntimeError("worker died")
    if task.run_id == "error":
        return executors.RunOutcome(task.run_id, "the notebook raised", "failed/error.ipynb", 0.0)
    return executors.RunOutcome(task.run_id, None, None, 0.0)


def test_execute_tasks_reports_failures_and_keeps_the_other_outcomes(capsys):
    tasks = [_Task(name) for name in ("a", "bad", "error", "b")]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        outcomes = executors.execute_tasks(tasks, pool, False, _work, desc="test")
    by_id = {o.run_id: o for o in outcomes}
    assert set(by_id) == {"a", "bad", "error", "b"}
    assert by_id["a"].error is None and by_id["b"].error is None
    assert by_id["bad"].error == "the executor failed: RuntimeError: worker died"
    err = capsys.readouterr().err
    assert "test: run error FAILED: the notebook raised; inspect failed/error.ipynb" in err
    assert "test: run bad FAILED" in err
