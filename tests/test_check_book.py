"""The offline check of the built book (scripts/check_book.py) sees what it must fail on."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_book.py"
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
    collector.feed('<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
                   '<script src="../_static/mathjax/tex-chtml.js"></script>'
                   '<link rel="stylesheet" href="//fonts.example.org/a.css">'
                   '<a href="https://arxiv.org/abs/2502.16125">a link is not a resource</a>')
    assert collector.remote == ["<script src=https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js>",
                                "<link href=//fonts.example.org/a.css>"]


def test_console_errors_are_recognised():
    lines = ['[1:1:INFO:CONSOLE:62] "Uncaught SyntaxError: Identifier \'THEBE_JS_URL\' has already been declared"',
             '[1:1:INFO:CONSOLE:0] "Failed to load resource: net::ERR_NAME_NOT_RESOLVED"',
             '[1:1:INFO:CONSOLE:3] "MathJax loaded"']
    assert [bool(check_book.CONSOLE_ERROR.search(line)) for line in lines] == [True, True, False]
