"""Check the built book as a reader sees it: offline, in headless Chromium, after JavaScript ran.

For the landing page and every chapter of ``_build/html`` (the pages of the study part of the table
of contents; ``--all`` adds the sweep-run pages) it

1. scans the HTML for anything loaded from the network (``<script src>``, ``<link href>``, ``<img
   src>`` with an http(s) or protocol-relative address): the book must render without network;
2. renders the page in Debian's ``chromium`` (``--headless --dump-dom``) with every host name
   unresolvable, so a remote request cannot succeed even if one slipped through, and fails if
   * maths is left unrendered: an element of class ``math`` whose text is still TeX (MathJax turns
     each into an ``mjx-container``), or
   * the browser console reports an error (a JavaScript exception, a resource that failed to load).

Prints one line per page and exits 1 if any page fails. Run by ``make check-book`` after
``make book``; CI runs it too.

    python scripts/check_book.py [--build _build/html] [--all] [--chromium chromium]
"""

from __future__ import annotations

import argparse
import html.parser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: console lines of Chromium's log that mean an error on the page
CONSOLE_ERROR = re.compile(r"CONSOLE.*(Uncaught|Error|Failed to load resource|net::ERR_)", re.IGNORECASE)
REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)


class _Collector(html.parser.HTMLParser):
    """Remote resources of a page, and the text of its ``math`` elements."""

    def __init__(self):
        super().__init__()
        self.remote: list[str] = []
        self.math: list[str] = []
        self._math_depth = 0
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in {"script": ("src",), "link": ("href",), "img": ("src",), "iframe": ("src",)}.get(tag, ()):
            value = attrs.get(name) or ""
            if REMOTE.match(value) and not (tag == "link" and attrs.get("rel") not in ("stylesheet", "preload", "icon")):
                self.remote.append(f"<{tag} {name}={value}>")
        if self._math_depth:
            self._math_depth += 1
        elif "math" in (attrs.get("class") or "").split() and tag in ("span", "div"):
            self._math_depth, self._text = 1, []

    def handle_endtag(self, tag):
        if self._math_depth:
            self._math_depth -= 1
            if self._math_depth == 0:
                self.math.append("".join(self._text))

    def handle_data(self, data):
        if self._math_depth:
            self._text.append(data)


def pages(build: Path, include_sweep: bool) -> list[Path]:
    """The landing page and the pages of the table of contents (sweep runs only with ``include_sweep``)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            if "file" in chapter:
                names.append(chapter["file"])
            elif "glob" in chapter and include_sweep:
                names.extend(str(p.relative_to(build).with_suffix("")) for p in sorted(build.glob(chapter["glob"] + ".html")))
    out = []
    for name in names:
        path = build / f"{name}.html"
        if not path.exists():
            raise SystemExit(f"check-book: {path} does not exist: run `make book` first")
        out.append(path)
    return out


def render(chromium: str, page: Path, budget_ms: int) -> tuple[str, list[str]]:
    """The DOM after JavaScript ran, and the console error lines."""
    command = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
               f"--virtual-time-budget={budget_ms}", "--dump-dom", page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    errors = [line.strip() for line in done.stderr.splitlines() if CONSOLE_ERROR.search(line)]
    return done.stdout, errors


def unrendered_math(dom: str) -> list[str]:
    """TeX left as text in ``math`` elements (MathJax replaces their contents when it renders)."""
    collector = _Collector()
    collector.feed(dom)
    return [text.strip() for text in collector.math if re.search(r"\\\(|\\\[|\$\$|\\begin", text)]


def check(page: Path, chromium: str, budget_ms: int) -> list[str]:
    problems = []
    static = _Collector()
    static.feed(page.read_text(errors="replace"))
    problems += [f"loads from the network: {item}" for item in static.remote]
    dom, console = render(chromium, page, budget_ms)
    if "<body" not in dom:
        problems.append("Chromium returned no page")
    math = unrendered_math(dom)
    if math:
        problems.append(f"{len(math)} unrendered maths, e.g. {math[0][:60]!r}")
    problems += [f"console: {line[:200]}" for line in console]
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Render the built book offline in headless Chromium and check it.")
    parser.add_argument("--build", default=str(ROOT / "_build" / "html"))
    parser.add_argument("--all", action="store_true", help="also the sweep-run pages")
    parser.add_argument("--chromium", default=None, help="browser executable (default: chromium on PATH)")
    parser.add_argument("--budget-ms", type=int, default=20000, help="virtual time for scripts to run per page")
    args = parser.parse_args(argv)
    chromium = args.chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("check-book: no chromium on PATH (Debian: apt-get install -y chromium)", file=sys.stderr)
        return 1
    failed = 0
    for page in pages(Path(args.build), args.all):
        problems = check(page, chromium, args.budget_ms)
        failed += bool(problems)
        name = page.relative_to(args.build)
        print(f"{'FAIL' if problems else 'ok  '} {name}" + "".join(f"\n       {p}" for p in problems))
    print(f"check-book: {failed} page(s) failed" if failed else "check-book: every page renders offline")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
