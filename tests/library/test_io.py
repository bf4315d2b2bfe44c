"""linace.io: atomic writes (complete files only, no leftovers, the umask's file mode)."""

from __future__ import annotations

import os
import stat

import pytest

from linace.io import write_atomic


@pytest.fixture
def umask():
    """Set the process umask for one test (``umask(value)``); the previous one is restored afterwards."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield os.umask
    os.umask(previous)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_written_files_get_the_mode_the_umask_gives(tmp_path, umask, mask):
    umask(mask)
    path = tmp_path / "results" / "run.json"
    write_atomic(path, '{"a": 1}')
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    write_atomic(path, b"replaced")  # replacing an existing file too
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


def test_a_write_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "run.json"
    write_atomic(path, "old")
    write_atomic(path, "new text ü")
    assert path.read_text(encoding="utf-8") == "new text ü"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def test_an_interrupted_write_keeps_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "run.json"
    write_atomic(path, "old")
    with pytest.raises(AttributeError):
        write_atomic(path, 42)  # fails after the temporary file was created
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
