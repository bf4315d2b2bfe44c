"""Every value a chapter glues into its text (myst-nb ``glue``), read from executed notebooks, and
the comparison of two such sets: the check that a change of code left the book's numbers as they were.

    python scripts/glued_values.py dump _build/jupyter_execute > before.json
    python scripts/glued_values.py compare before.json after.json

``dump`` reads every ``*.ipynb`` under the given folders or files (the executed notebooks of a book
build are in ``_build/jupyter_execute``, their glue in ``*.glue.json`` beside them) and writes
``{notebook: {name: value}}`` as JSON. A value is
the glued text (``text/markdown``, else ``text/plain``); a glued figure or other binary output is
recorded as ``<mime type> sha256:<digest>``. ``compare`` prints every value that differs, is missing
or is new, and exits with 1 if any does (figures are compared too, but listed apart, since a figure's
bytes may change with nothing a reader could see).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

TEXT_TYPES = ("text/markdown", "text/plain", "text/latex", "text/html")


def glued_output_value(output: dict) -> tuple[str, str] | None:
    """(name, value) of a glue output of a notebook cell, None for any other output."""
    name = output.get("metadata", {}).get("scrapbook", {}).get("name")
    if name is None:
        return None
    prefix = output["metadata"]["scrapbook"].get("mime_prefix", "")
    data = {key.removeprefix(prefix): value for key, value in output.get("data", {}).items()}
    for mime in TEXT_TYPES:
        if mime in data and not (mime == "text/plain" and any(m.startswith("image/") for m in data)):
            value = data[mime]
            return name, "".join(value) if isinstance(value, list) else str(value)
    for mime, value in sorted(data.items()):
        text = "".join(value) if isinstance(value, list) else str(value)
        return name, f"{mime} sha256:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    return name, ""


def notebook_glue(path: Path) -> dict[str, str]:
    """Every glued value of one executed notebook, by name: its glue outputs and, when the book build
    moved them out of the notebook, those of the ``<name>.glue.json`` beside it."""
    notebook = json.loads(path.read_text())
    values = {}
    stored = path.with_suffix(".glue.json")
    if stored.is_file():
        for output in json.loads(stored.read_text()).values():
            found = glued_output_value(output)
            if found is not None:
                values[found[0]] = found[1]
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            found = glued_output_value(output)
            if found is not None:
                values[found[0]] = found[1]
    return values


def dump(paths: list[Path]) -> dict[str, dict[str, str]]:
    """{notebook path relative to its folder: {name: value}} for every notebook under ``paths``;
    notebooks without glue are left out."""
    out = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*.ipynb"))
        for path in files:
            values = notebook_glue(path)
            if values:
                out[str(path.relative_to(root) if root.is_dir() else path.name)] = values
    return out


def is_figure(value: str) -> bool:
    return " sha256:" in value and not value.startswith("text/")


def compare(before: dict, after: dict) -> tuple[list[str], list[str]]:
    """(text differences, figure differences), each a list of printable lines."""
    texts, figures = [], []
    for notebook in sorted(set(before) | set(after)):
        old, new = before.get(notebook, {}), after.get(notebook, {})
        for name in sorted(set(old) | set(new)):
            if old.get(name) == new.get(name):
                continue
            where = figures if is_figure(old.get(name, "")) or is_figure(new.get(name, "")) else texts
            if name not in new:
                where.append(f"{notebook} {name}: missing after (was {old[name]!r})")
            elif name not in old:
                where.append(f"{notebook} {name}: new {new[name]!r}")
            else:
                where.append(f"{notebook} {name}:\n    before {old[name]!r}\n    after  {new[name]!r}")
    return texts, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump", help="glued values of executed notebooks, as JSON on stdout")
    dumping.add_argument("paths", nargs="+", type=Path)
    comparing = commands.add_parser("compare", help="differences between two dumps")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        json.dump(dump(args.paths), sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
        print()
        return 0
    before, after = json.loads(args.before.read_text()), json.loads(args.after.read_text())
    texts, figures = compare(before, after)
    count = sum(len(v) for v in before.values())
    print(
        f"{count} glued values before, {sum(len(v) for v in after.values())} after; "
        f"{len(texts)} text values differ, {len(figures)} figures differ"
    )
    for line in texts + [f"(figure) {line}" for line in figures]:
        print(line)
    return 1 if texts or figures else 0


if __name__ == "__main__":
    sys.exit(main())
