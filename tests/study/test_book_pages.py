"""The book's Sphinx extension (book/_ext/book_pages.py): sweep-run pages out of the search index,
silicon's runs named as such."""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

from docutils import nodes

EXTENSION = Path(__file__).resolve().parents[2] / "book" / "_ext" / "book_pages.py"
spec = importlib.util.spec_from_file_location("book_pages", EXTENSION)
book_pages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(book_pages)


def test_sweep_run_pages_are_left_out_of_the_search_and_the_chapters_are_not():
    env = SimpleNamespace(
        found_docs={
            "book/05_results",
            "book/runs",
            "book/sweep/K2-diverse-standard-blr",
            "book/sweep/Si/K3-clusters-pure-blr",
        },
        metadata={"book/05_results": {}, "book/sweep/K2-diverse-standard-blr": {"a": 1}},
    )
    book_pages._runs_out_of_search(None, env)
    assert env.metadata["book/sweep/K2-diverse-standard-blr"] == {"a": 1, "nosearch": True}
    assert env.metadata["book/sweep/Si/K3-clusters-pure-blr"] == {"nosearch": True}
    assert "nosearch" not in env.metadata["book/05_results"] and "book/runs" not in env.metadata


def _page(title):
    section = nodes.section()
    section += nodes.title(text=title)
    document = nodes.document(None, None)
    document += section
    return document


def test_silicon_run_pages_are_titled_with_their_element():
    for docname, expected in (
        ("book/sweep/Si/K3-diverse-standard-blr", "Silicon: K = 3, diverse"),
        ("book/sweep/K3-diverse-standard-blr", "K = 3, diverse"),
    ):
        doctree = _page("K = 3, diverse")
        book_pages._element_in_title(SimpleNamespace(env=SimpleNamespace(docname=docname)), doctree)
        assert next(iter(doctree.findall(nodes.title))).astext() == expected
