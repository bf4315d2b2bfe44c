"""The command line of data directories (linace.study.data_commands), run as ``python -m linace.study.datasets``."""

import subprocess
import sys

from linace.study import data_commands


def test_check_names_the_element_and_the_sets(synthetic_data, capsys):
    assert data_commands.main(["check", str(synthetic_data)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{synthetic_data}: a data directory of C with sets ") and "training sets " in out


def test_the_module_command_runs_main_and_fails_in_one_line(synthetic_data, tmp_path):
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "linace.study.datasets", *args],  # noqa: E731
        capture_output=True,
        text=True,
    )
    good = run("check", str(synthetic_data))
    assert good.returncode == 0 and "a data directory of C" in good.stdout
    bad = run("check", str(tmp_path))
    assert bad.returncode == 1 and bad.stderr.startswith("python -m linace.study.datasets: error: ")
    assert len(bad.stderr.strip().splitlines()) == 1
