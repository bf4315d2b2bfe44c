"""Sphinx extension of this book: pages readable offline, each with its notebook to download.

* MathJax comes from the ``sphinx-mathjax-offline`` extension (a local copy in ``_static``).
  Jupyter Book always loads ``sphinx-thebe`` (live code cells through Binder). This book has no
  live-code buttons, and sphinx-thebe adds its configuration script once per
  ``env-before-read-docs`` event, which a build that executes notebooks fires twice: the second
  ``const THEBE_JS_URL`` is a SyntaxError in the browser console. Its scripts are dropped from
  every page.
* The chapters are built from jupytext ``.py`` files, so the theme's download menu offers only the
  ``.py`` source. The executed notebooks (``_build/jupyter_execute``) are copied next to the sources
  in ``_sources`` and offered as ``.ipynb`` too.
* The sweep-run pages (``book/sweep/...``) are reached from their index (``book/runs``): they are
  left out of the search index (Sphinx's ``nosearch`` metadata), so that a search for "dimer curve"
  finds the chapters and not seventy copies of the training notebook; the silicon runs
  (``book/sweep/Si/...``), titled like carbon's by the sweep ("K = 3, diverse"), get "Silicon: "
  before their title.
"""

import shutil
from pathlib import Path

from docutils import nodes

#: the folder of the sweep-run pages, and per element subfolder the word put before their titles
SWEEP_RUNS = "book/sweep/"
ELEMENT_FOLDERS = {"book/sweep/Si/": "Silicon: "}


def _executed_notebooks(app) -> Path:
    return Path(app.outdir).parent / "jupyter_execute"


def _without_thebe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts is not None:
        context["script_files"] = [
            js
            for js in scripts
            if "thebe" not in str(getattr(js, "filename", js) or "")
            and "THEBE_JS_URL" not in str(getattr(js, "attributes", {}).get("body", ""))
        ]


def _offer_notebook(app, pagename, templatename, context, doctree):
    """Before the theme builds its header buttons: point its '.ipynb' entry at the executed notebook."""
    source = app.env.doc2path(pagename, base=False) if pagename in app.env.found_docs else ""
    if str(source).endswith(".py"):
        context["ipynb_source"] = f"{pagename}.ipynb"


def _copy_notebooks(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    executed = _executed_notebooks(app)
    for docname in app.env.found_docs:
        if str(app.env.doc2path(docname, base=False)).endswith(".py"):
            notebook = executed / f"{docname}.ipynb"
            if notebook.exists():
                target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(notebook, target)


def _is_sweep_run(docname: str) -> bool:
    return docname.startswith(SWEEP_RUNS)


def _runs_out_of_search(app, env):
    """Mark every sweep-run page ``nosearch`` (after reading, before the search index is written)."""
    for docname in env.found_docs:
        if _is_sweep_run(docname):
            env.metadata.setdefault(docname, {})["nosearch"] = True


def _element_in_title(app, doctree):
    """'Silicon: K = 3, diverse' for a silicon run page (before Sphinx collects the page's title)."""
    docname = app.env.docname
    prefix = next((word for folder, word in ELEMENT_FOLDERS.items() if docname.startswith(folder)), None)
    if prefix is None:
        return
    for title in doctree.findall(nodes.title):
        if title.children and isinstance(title.children[0], nodes.Text):
            first = title.children[0]
            title.replace(first, nodes.Text(prefix + first.astext()))
        else:
            title.insert(0, nodes.Text(prefix))
        break


def setup(app):
    app.connect("env-updated", _runs_out_of_search)
    app.connect("doctree-read", _element_in_title, priority=400)
    app.connect("html-page-context", _without_thebe, priority=900)
    app.connect("html-page-context", _offer_notebook, priority=400)
    app.connect("build-finished", _copy_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
