"""Sphinx extension of this book: pages that render without network access.

* MathJax comes from the ``sphinx-mathjax-offline`` extension (a local copy in ``_static``).
* Jupyter Book always loads ``sphinx-thebe`` (live code cells through Binder). This book has no
  live-code buttons, and sphinx-thebe adds its configuration script once per
  ``env-before-read-docs`` event, which a build that executes notebooks fires twice: the second
  ``const THEBE_JS_URL`` is a SyntaxError in the browser console. Its scripts are dropped from
  every page.
"""


def _without_thebe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts is not None:
        context["script_files"] = [
            js for js in scripts
            if "thebe" not in str(getattr(js, "filename", js) or "")
            and "THEBE_JS_URL" not in str(getattr(js, "attributes", {}).get("body", ""))
        ]


def setup(app):
    app.connect("html-page-context", _without_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
