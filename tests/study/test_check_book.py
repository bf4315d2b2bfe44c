"""The offline check of the built book (scripts/check_book.py) sees what it must fail on."""

import importlib.util
import shutil
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_book.py"
spec = importlib.util.spec_from_file_location("check_book", SCRIPT)
check_book = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_book)


def test_unrendered_maths_is_found_and_rendered_maths_is_not():
    raw = '<p>order <span class="math notranslate nohighlight">\\(K\\)</span></p>'
    display = '<div class="math notranslate nohighlight">\\[E = \\sum_i E_i\\]</div>'
    rendered = '<span class="math notranslate nohighlight"><mjx-container class="MathJax">K</mjx-container></span>'
    assert check_book.unrendered_math(raw) == ["\\(K\\)"]
    assert len(check_book.unrendered_math(display)) == 1
    assert check_book.unrendered_math(rendered) == []


def test_resources_from_the_network_are_found():
    collector = check_book._Collector()
    collector.feed(
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
        '<script src="../_static/mathjax/tex-chtml.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.org/a.css">'
        '<a href="https://arxiv.org/abs/2502.16125">a link is not a resource</a>'
    )
    assert collector.remote == [
        "<script src=https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js>",
        "<link href=//fonts.example.org/a.css>",
    ]


def test_console_errors_are_recognised():
    lines = [
        "[1:1:INFO:CONSOLE:62] \"Uncaught SyntaxError: Identifier 'THEBE_JS_URL' has already been declared\"",
        '[1:1:INFO:CONSOLE:0] "Failed to load resource: net::ERR_NAME_NOT_RESOLVED"',
        '[1:1:INFO:CONSOLE:3] "MathJax loaded"',
    ]
    assert [bool(check_book.CONSOLE_ERROR.search(line)) for line in lines] == [True, True, False]


def measured(**changes):
    page = {"column": 772, "blocks": [], "figures": [], "dollars": [], "text": "A page.", "sidebar_links": 14}
    page.update(changes)
    return page


def test_a_page_that_fits_its_column_has_no_layout_problem():
    assert (
        check_book.layout_problems(
            measured(
                figures=[
                    {"src": "a.png", "natural": 760, "shown": 760},
                    {"src": "b.png", "natural": 1000, "shown": 772},
                ]
            )
        )
        == []
    )


def test_every_reader_facing_fault_is_named():
    problems = check_book.layout_problems(
        measured(
            blocks=[
                {"tag": "pre", "cls": "", "scrolls": 240, "sticks_out": 0, "text": "a long line"},
                {"tag": "table", "cls": "", "scrolls": 0, "sticks_out": 40, "text": "| a | b |"},
            ],
            figures=[{"src": "wide.png", "natural": 1271, "shown": 772}],
            text="conclusion numbers glued: 6 runs\nTraceback (most recent call last):",
            dollars=["Si$_2$"],
            sidebar_links=51,
        )
    )
    assert problems[0].startswith("pre wider than the column (scrolls by 240 px)")
    assert problems[1].startswith("table wider than the column (sticks out of the column by 40 px)")
    assert problems[2].startswith("figure shown at 61 % of its width (1271 px in 772 px)")
    assert "says 'glued'" in problems[3] and "says 'Traceback'" in problems[4]
    assert problems[5] == "raw '$' in the text: 'Si$_2$'"
    assert problems[6] == "51 links in the sidebar (at most 25)"
    assert len(problems) == 7
    assert check_book.layout_problems(measured(text="Glue and gluing are fine words; unglued too.")) == []


def test_sweep_runs_are_left_out_unless_asked_for(tmp_path, monkeypatch):
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "root: book/intro\nparts:\n  - chapters:\n      - file: book/01_theory\n"
        "      - file: book/runs\n        sections:\n          - glob: book/sweep/*\n"
    )
    build = tmp_path / "html"
    for name in ("book/intro", "book/01_theory", "book/runs", "book/sweep/K2-diverse-standard-blr"):
        (build / f"{name}.html").parent.mkdir(parents=True, exist_ok=True)
        (build / f"{name}.html").write_text("<html><body></body></html>")
    monkeypatch.setattr(check_book, "ROOT", tmp_path)
    names = [str(p.relative_to(build)) for p in check_book.pages(build, include_sweep=False)]
    assert names == ["book/intro.html", "book/01_theory.html", "book/runs.html"]
    assert len(check_book.pages(build, include_sweep=True)) == 4


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (Debian: apt-get install -y chromium)")
def test_the_measuring_script_sees_the_faults_in_a_rendered_page(tmp_path):
    """The whole check on a small page in the real browser: a wide code block, a shrunk figure, a
    forbidden word and a raw dollar are found; a page without them passes."""
    import base64
    import struct
    import zlib

    def png(width, height):  # a blank greyscale PNG of the given size
        raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
        chunk = lambda kind, data: (  # noqa: E731
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b"")
        )

    style = "<style>article{width:600px} img{max-width:100%} pre{overflow:auto}</style>"
    bad = tmp_path / "bad.html"
    wide = base64.b64encode(png(1200, 10)).decode()
    bad.write_text(
        f"<html><head>{style}</head><body><article class='bd-article'><p>numbers glued here, Si$_2$</p>"
        f"<pre>{'x' * 400}</pre><img src='data:image/png;base64,{wide}'></article></body></html>"
    )
    problems = check_book.check(bad, CHROMIUM, 3000)
    assert any(p.startswith("pre wider than the column") for p in problems), problems
    assert any(p.startswith("figure shown at 50 %") for p in problems), problems
    assert any("says 'glued'" in p for p in problems) and any(p.startswith("raw '$'") for p in problems)
    good = tmp_path / "good.html"
    narrow = base64.b64encode(png(500, 10)).decode()
    good.write_text(
        f"<html><head>{style}</head><body><article class='bd-article'><p>A result.</p>"
        f"<pre>short</pre><img src='data:image/png;base64,{narrow}'></article></body></html>"
    )
    assert check_book.check(good, CHROMIUM, 3000) == []
