"""Crash-safe file writing shared by the library (results, caches, executed notebooks)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["write_atomic"]


def _create_temporary(folder: Path, name: str) -> tuple[int, str]:
    """A new, empty, uniquely named hidden file ``.<name>.<random>.tmp`` in ``folder``, opened for writing.

    Created with ``os.open(..., 0o666)`` so that its mode is what the process umask gives, like any
    file written with ``open()`` (``tempfile.mkstemp`` would make it 0600 whatever the umask).
    Returns the file descriptor and the path.
    """
    while True:
        temporary = str(folder / f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:  # a name drawn twice: draw again
            continue


def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``.

    Readers see either the old file or the complete new one, never a partial write; an
    interrupted write leaves no temporary file behind. The file gets the mode the umask gives
    (``0o666 & ~umask``, e.g. 0644), as a plain ``open(path, "w")`` would.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _create_temporary(path.parent, path.name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
