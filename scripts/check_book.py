"""Check the built book as a reader sees it: offline, in headless Chromium, after JavaScript ran.

For the landing page and every chapter of ``_build/html`` (the pages of the table of contents that
are not sweep runs; ``--all`` adds the run pages) it

1. scans the HTML for anything loaded from the network (``<script src>``, ``<link href>``, ``<img
   src>`` with an http(s) or protocol-relative address): the book must render without network;
2. renders the page in Debian's ``chromium`` (``--headless --dump-dom``) at a window of
   :data:`WINDOW` pixels, with every host name unresolvable, so a remote request cannot succeed even
   if one slipped through, and with a measuring script added to a copy of the page (:data:`MEASURE_JS`:
   it runs once MathJax has typeset and writes what it measured into the DOM), and fails if

   * maths is left unrendered: an element of class ``math`` whose text is still TeX (MathJax turns
     each into an ``mjx-container``);
   * the browser console reports an error (a JavaScript exception, a resource that failed to load);
   * a table, a code block or an output block is wider than the text column (its content scrolls
     or sticks out: :func:`layout_problems`);
   * a figure is displayed at less than :data:`MIN_FIGURE_SCALE` of its own width (its text shrinks
     with it);
   * the text of the page says "glued" or "Traceback" (:data:`FORBIDDEN_WORDS`: workflow words and
     error output are not for the reader);
   * a ``$`` is left in the rendered text (maths that was not recognised as maths);
   * the sidebar holds more than :data:`MAX_SIDEBAR_LINKS` links.

Prints one line per page and exits 1 if any page fails. Run by ``make check-book`` after
``make book``; CI runs it too.

    python scripts/check_book.py [--build _build/html] [--all] [--chromium chromium]
"""

from __future__ import annotations

import argparse
import html.parser
import json
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

#: the browser window the pages are measured in (width, height in CSS pixels): a laptop screen
WINDOW = (1400, 900)
#: a figure shown at less than this fraction of its width has text too small to read
MIN_FIGURE_SCALE = 0.75
#: words no page may show: workflow jargon and error output
FORBIDDEN_WORDS = ("glued", "Traceback")
#: the sidebar lists the chapters, not every sweep run
MAX_SIDEBAR_LINKS = 25
#: pixels a block may exceed its column by (rounding of sub-pixel layout)
TOLERANCE_PX = 2

#: Runs in the page once MathJax has typeset (or after 1 s without MathJax) and appends its measures
#: as JSON to the body, in ``<pre id="check-book-measures">``: blocks (tables, code and output)
#: wider than the column, figures' natural and displayed widths, the text of the article, text
#: nodes with a ``$`` outside code and maths, and the number of links of the sidebar.
MEASURE_JS = r"""
(function () {
  function measure() {
    var article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
    var column = article.getBoundingClientRect();
    var blocks = [];
    var wide = "pre, table, .pst-scrollable-table-container, div.output, div.cell_output, "
               + "mjx-container[display='true']";
    article.querySelectorAll(wide).forEach(function (el) {
      var box = el.getBoundingClientRect();
      if (box.width === 0) { return; }  // hidden (a folded solution, a toggled cell)
      var scrolls = el.scrollWidth - el.clientWidth;
      var sticksOut = box.right - column.right;
      if (scrolls > %(tol)d || sticksOut > %(tol)d) {
        blocks.push({tag: el.tagName.toLowerCase(), cls: el.className || "", scrolls: scrolls,
                     sticks_out: Math.round(sticksOut), text: (el.innerText || "").slice(0, 80)});
      }
    });
    var figures = [];
    article.querySelectorAll("img").forEach(function (img) {
      var box = img.getBoundingClientRect();
      if (box.width === 0 || !img.naturalWidth) { return; }
      figures.push({src: img.getAttribute("src"), natural: img.naturalWidth, shown: Math.round(box.width)});
    });
    var dollars = [];
    var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, null);
    var skip = ["PRE", "CODE", "SCRIPT", "STYLE", "MJX-CONTAINER", "TEXTAREA"];  // exact tag names
    while (walker.nextNode()) {
      var node = walker.currentNode;
      if (node.nodeValue.indexOf("$") < 0) { continue; }
      var inside = false;
      for (var p = node.parentElement; p && p !== article.parentElement; p = p.parentElement) {
        var maths = p.classList && (p.classList.contains("math") || p.classList.contains("highlight"));
        if (skip.indexOf(p.tagName) >= 0 || maths) { inside = true; break; }
      }
      if (!inside) { dollars.push(node.nodeValue.trim().slice(0, 80)); }
    }
    var sidebar = document.querySelector(".bd-sidebar-primary");
    var report = {column: Math.round(column.width), blocks: blocks, figures: figures, dollars: dollars,
                  text: article.innerText, sidebar_links: sidebar ? sidebar.querySelectorAll("nav a").length : 0};
    var out = document.createElement("pre");
    out.id = "check-book-measures";
    out.textContent = JSON.stringify(report);
    document.body.appendChild(out);
  }
  function whenTypeset() {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(function () { setTimeout(measure, 500); });
    } else {
      setTimeout(measure, 1000);
    }
  }
  if (document.readyState === "complete") { whenTypeset(); } else { window.addEventListener("load", whenTypeset); }
})();
""" % {"tol": TOLERANCE_PX}  # noqa: UP031  (str.format would need every brace of the JavaScript doubled)


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
            # a <link> of another kind than these (canonical, alternate, ...) loads nothing
            loads = tag != "link" or attrs.get("rel") in ("stylesheet", "preload", "icon")
            if REMOTE.match(value) and loads:
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


def _is_sweep_run(name: str) -> bool:
    """A page of one sweep run (``book/sweep/...``), not the index of the runs."""
    return name.startswith("book/sweep/")


def pages(build: Path, include_sweep: bool) -> list[Path]:
    """The landing page and the pages of the table of contents (sweep runs only with ``include_sweep``)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]

    def visit(entries):
        for entry in entries:
            if "file" in entry:
                if include_sweep or not _is_sweep_run(entry["file"]):
                    names.append(entry["file"])
            elif "glob" in entry and include_sweep:
                matches = sorted(build.glob(entry["glob"] + ".html"))
                names.extend(str(p.relative_to(build).with_suffix("")) for p in matches)
            visit(entry.get("sections", []))

    for part in toc.get("parts", []):
        visit(part.get("chapters", []))
    out = []
    for name in names:
        path = build / f"{name}.html"
        if not path.exists():
            raise SystemExit(f"check-book: {path} does not exist: run `make book` first")
        out.append(path)
    return out


def render(chromium: str, page: Path, budget_ms: int) -> tuple[str, list[str]]:
    """The DOM of ``page`` after JavaScript (and :data:`MEASURE_JS`) ran, and the console error lines.

    The measuring script is added to a copy of the page beside it (so that its relative links
    resolve), which is removed afterwards."""
    copy = page.with_name(f".check-book-{page.name}")
    text = page.read_text(errors="replace")
    script = f"<script>{MEASURE_JS}</script>"
    copy.write_text(text.replace("</body>", script + "</body>", 1) if "</body>" in text else text + script)
    command = [
        chromium,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr",
        "--v=0",
        f"--virtual-time-budget={budget_ms}",
        "--dump-dom",
        copy.as_uri(),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    finally:
        copy.unlink(missing_ok=True)
    errors = [line.strip() for line in done.stderr.splitlines() if CONSOLE_ERROR.search(line)]
    return done.stdout, errors


def unrendered_math(dom: str) -> list[str]:
    """TeX left as text in ``math`` elements (MathJax replaces their contents when it renders)."""
    collector = _Collector()
    collector.feed(dom)
    return [text.strip() for text in collector.math if re.search(r"\\\(|\\\[|\$\$|\\begin", text)]


def measures(dom: str) -> dict | None:
    """What :data:`MEASURE_JS` wrote into the DOM, or None if it did not run."""
    match = re.search(r'<pre id="check-book-measures">(.*?)</pre>', dom, re.DOTALL)
    return json.loads(html.unescape(match.group(1))) if match else None


def layout_problems(measured: dict) -> list[str]:
    """The reader-facing faults in the measures of one page (see the module docstring)."""
    problems = []
    for block in measured["blocks"]:
        how = (
            f"scrolls by {block['scrolls']} px"
            if block["scrolls"] > TOLERANCE_PX
            else f"sticks out of the column by {block['sticks_out']} px"
        )
        problems.append(f"{block['tag']} wider than the column ({how}): {block['text'][:60]!r}")
    for figure in measured["figures"]:
        scale = figure["shown"] / figure["natural"]
        if scale < MIN_FIGURE_SCALE:
            problems.append(
                f"figure shown at {100 * scale:.0f} % of its width ({figure['natural']} px in "
                f"{figure['shown']} px): {figure['src']}"
            )
    for word in FORBIDDEN_WORDS:
        for match in re.finditer(rf"\b{word}\b", measured["text"], re.IGNORECASE):
            context = measured["text"][max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
            problems.append(f"says {word!r}: ...{context}...")
    problems += [f"raw '$' in the text: {text!r}" for text in measured["dollars"]]
    if measured["sidebar_links"] > MAX_SIDEBAR_LINKS:
        problems.append(f"{measured['sidebar_links']} links in the sidebar (at most {MAX_SIDEBAR_LINKS})")
    return problems


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
    measured = measures(dom)
    if measured is None:
        problems.append("the measuring script did not run (no measures in the page)")
    else:
        problems += layout_problems(measured)
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Render the built book offline in headless Chromium and check it.")
    parser.add_argument("--build", default=str(ROOT / "_build" / "html"))
    parser.add_argument("--all", action="store_true", help="also the sweep-run pages")
    parser.add_argument("--chromium", default=None, help="browser executable (default: chromium on PATH)")
    parser.add_argument("--budget-ms", type=int, default=20000, help="virtual time for scripts to run per page")
    parser.add_argument(
        "pages", nargs="*", help="only these pages (paths under the build, e.g. book/03_training_sets.html)"
    )
    args = parser.parse_args(argv)
    chromium = args.chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("check-book: no chromium on PATH (Debian: apt-get install -y chromium)", file=sys.stderr)
        return 1
    build = Path(args.build)
    selected = [build / name for name in args.pages] if args.pages else pages(build, args.all)
    failed = 0
    for page in selected:
        problems = check(page, chromium, args.budget_ms)
        failed += bool(problems)
        name = page.relative_to(build)
        print(f"{'FAIL' if problems else 'ok  '} {name}" + "".join(f"\n       {p}" for p in problems))
    print(
        f"check-book: {failed} page(s) failed"
        if failed
        else "check-book: every page renders offline and fits its column"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
