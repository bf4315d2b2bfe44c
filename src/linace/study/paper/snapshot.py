"""A git snapshot of the authors' repository, read at one commit without a work tree."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from linace.study.paper.records import Source


class Snapshot:
    """A git snapshot of the authors' repository (a bare git directory), read at one commit."""

    def __init__(self, git_dir: str | os.PathLike, ref: str = "HEAD"):
        self.git_dir = Path(git_dir)
        if not self.git_dir.is_dir():
            raise FileNotFoundError(f"no git directory at {self.git_dir}")
        self.commit = self._git("rev-parse", f"{ref}^{{commit}}").decode().strip()
        self._sizes = {}
        for line in self._git("ls-tree", "-r", "-l", "-z", self.commit).split(b"\0"):
            if not line:
                continue
            meta, path = line.decode().split("\t", 1)
            mode, kind, blob, size = meta.split()
            if kind == "blob":
                self._sizes[path] = (blob, size)
        self._cache: dict[str, bytes] = {}

    def _git(self, *args: str) -> bytes:
        result = subprocess.run(["git", f"--git-dir={self.git_dir}", *args], capture_output=True)
        if result.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed in {self.git_dir}: {result.stderr.decode().strip()}")
        return result.stdout

    def paths(self) -> list[str]:
        """Every file path of the commit (sorted)."""
        return sorted(self._sizes)

    def available(self, path: str) -> bool:
        """The file is in the commit and its content is in the snapshot (large files may be absent)."""
        return path in self._sizes and self._sizes[path][1] != "-" and self._read(path) is not None

    def _read(self, path: str) -> bytes | None:
        if path not in self._cache:
            blob = self._sizes[path][0]
            result = subprocess.run(["git", f"--git-dir={self.git_dir}", "cat-file", "blob", blob], capture_output=True)
            self._cache[path] = result.stdout if result.returncode == 0 else None
        return self._cache[path]

    def head(self, path: str, size: int = 4096) -> bytes | None:
        """The first ``size`` bytes of a file (not cached; None if its content is absent)."""
        if path not in self._sizes or self._sizes[path][1] == "-":
            return None
        if path in self._cache:
            return None if self._cache[path] is None else self._cache[path][:size]
        with subprocess.Popen(
            ["git", f"--git-dir={self.git_dir}", "cat-file", "blob", self._sizes[path][0]],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as process:
            data = process.stdout.read(size)
            process.kill()
        return data or None

    def read(self, path: str) -> bytes:
        if path not in self._sizes:
            raise FileNotFoundError(f"{path} is not in commit {self.commit[:12]} of {self.git_dir}")
        data = self._read(path)
        if data is None:
            raise FileNotFoundError(
                f"{path} is listed in commit {self.commit[:12]} but its content is absent "
                f"from the snapshot {self.git_dir}"
            )
        return data

    def text(self, path: str) -> str:
        return self.read(path).decode("utf-8")

    def source(self, path: str, where: str = "") -> Source:
        return Source(path, self.commit, hashlib.sha256(self.read(path)).hexdigest(), where)
