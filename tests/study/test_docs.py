"""The documentation the code carries: docstring examples run (doctests), Sphinx cross-references in
docstrings point at something that exists, the design notes the code cites are in the repository,
and the module lists of the README and of the package docstrings name every module."""

from __future__ import annotations

import ast
import builtins
import doctest
import importlib
import inspect
import re
from pathlib import Path

import pytest

import linace

PACKAGE = Path(linace.__file__).resolve().parent
ROOT = PACKAGE.parents[1]
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")


def module_name(path: Path) -> str:
    """``src/linace/study/sweep.py`` -> ``linace.study.sweep``; a package's ``__init__`` -> the package."""
    parts = path.resolve().relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# ----------------------------------------------------------------------------- doctests
#: every library module, and the study's modules that hold examples (the others are not imported)
DOCTEST_MODULES = sorted(
    {module_name(p) for p in linace.library_files()} | {module_name(p) for p in SOURCES if ">>> " in p.read_text()}
)

#: modules whose examples the docs promise (sphericart's style: shapes of what a call returns); a
#: test fails if one of them loses its last example
MODULES_WITH_EXAMPLES = (
    "linace",
    "linace.harmonics",
    "linace.coupling",
    "linace.expansion",
    "linace.analysis",
    "linace.calculator",
    "linace.streaming",
    "linace.basis",
    "linace.fit",
    "linace.study.sweep",
    "linace.study.resample",
)

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def run_examples(module) -> doctest.TestResults:
    """Run every docstring example of ``module`` (its own objects only, as ``doctest.testmod``)."""
    return doctest.testmod(module, optionflags=OPTIONS, verbose=False, report=False)


@pytest.mark.parametrize("name", DOCTEST_MODULES)
def test_docstring_examples_run(name):
    result = run_examples(importlib.import_module(name))
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed (output above)"


@pytest.mark.parametrize("name", MODULES_WITH_EXAMPLES)
def test_the_modules_that_promise_examples_have_them(name):
    assert name in DOCTEST_MODULES
    assert run_examples(importlib.import_module(name)).attempted > 0


def test_a_wrong_example_fails(tmp_path, monkeypatch):
    """The doctest runner is not a test that cannot fail."""
    (tmp_path / "wrong_example.py").write_text('def f():\n    """\n    >>> 1 + 1\n    3\n    """\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    result = run_examples(importlib.import_module("wrong_example"))
    assert (result.failed, result.attempted) == (1, 1)


# ----------------------------------------------------------------------------- cross-references
ROLE = re.compile(r":(mod|func|class|data|meth|attr|exc|obj|const):`([^`]+)`")


def _target(text: str) -> str:
    """The object a role points at: ``title <target>`` -> target; ``~`` and ``!`` prefixes, a
    leading ``.`` and call parentheses dropped."""
    if "<" in text and text.endswith(">"):
        text = text[text.index("<") + 1 : -1]
    return text.strip().lstrip("~!").removeprefix(".").removesuffix("()")


def _instance_attribute(cls: type, name: str) -> bool:
    """``name`` is a field, an annotation or an attribute that the class's code assigns to ``self``."""
    if name in getattr(cls, "__dataclass_fields__", {}) or name in getattr(cls, "__annotations__", {}):
        return True
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return False
    return re.search(rf"\bself\.{re.escape(name)}\s*(:[^=]+)?=", source) is not None


def _lookup(dotted: str) -> bool:
    """An absolute dotted name: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for k, name in enumerate(parts[split:], start=split):
            if hasattr(obj, name):
                obj = getattr(obj, name)
            elif inspect.isclass(obj) and k == len(parts) - 1:
                return _instance_attribute(obj, name)
            else:
                return False
        return True
    return False


def resolves(target: str, module: str, cls: str | None) -> bool:
    """Resolve as Sphinx's Python domain would: absolute, then in the enclosing class, then in the module."""
    candidates = [target, f"{module}.{target}"]
    if cls is not None:
        candidates.insert(1, f"{module}.{cls}.{target}")
    return any(_lookup(c) for c in candidates) or hasattr(builtins, target)


def unresolved_references(path: Path, module: str | None = None) -> list[str]:
    """``file:line: role`` of every cross-reference of the file (module ``module``, default the
    package's module at ``path``) whose target does not exist."""
    text = path.read_text()
    module = module_name(path) if module is None else module
    enclosing = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            enclosing.update(dict.fromkeys(range(node.lineno, node.end_lineno + 1), node.name))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return [
        f"{where}:{n}: :{role}:`{raw}`"
        for n, line in enumerate(text.splitlines(), 1)
        for role, raw in ROLE.findall(line)
        if not resolves(_target(raw), module, enclosing.get(n))
    ]


def test_cross_references_in_docstrings_resolve():
    assert [problem for path in SOURCES for problem in unresolved_references(path)] == []


def test_the_resolver_sees_a_stale_reference(tmp_path, monkeypatch):
    (tmp_path / "stale_refs.py").write_text(
        '"""See :func:`gone`, :data:`linace.study.VARIANTS`, :class:`~linace.basis.ACEBasis`,\n'
        ':attr:`Thing.size`, :meth:`Thing.grow`, :func:`len` and :mod:`linace.analysis`."""\n\n\n'
        "class Thing:\n    def __init__(self):\n        self.size = 1\n\n    def grow(self):\n"
        '        """Like :meth:`grow`, unlike :meth:`shrink`."""\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = [line.split(": ", 1)[1] for line in unresolved_references(tmp_path / "stale_refs.py", "stale_refs")]
    assert found == [":func:`gone`", ":data:`linace.study.VARIANTS`", ":meth:`shrink`"]


# ----------------------------------------------------------------------------- design notes
DESIGN = ROOT / "docs" / "design.md"
CITATION = re.compile(r"docs/design\.md,? \(?sections? (\d+)(?: and (\d+))?")


def design_sections() -> set[str]:
    return set(re.findall(r"^## (\d+)\. ", DESIGN.read_text(), flags=re.MULTILINE))


def test_the_design_notes_the_code_cites_are_in_the_repository():
    cited = {}
    for path in [*SOURCES, ROOT / "README.md"]:
        text = path.read_text()
        assert not re.search(r"\bDESIGN\.md\b", text), f"{path} cites DESIGN.md, which is not in the repository"
        for match in CITATION.finditer(text):
            cited.setdefault(path.name, set()).update(s for s in match.groups() if s)
    assert cited, "no docstring cites docs/design.md"
    missing = {name: sorted(sections - design_sections()) for name, sections in cited.items()}
    assert {k: v for k, v in missing.items() if v} == {}
    assert {"1", "2", "4"} <= set().union(*cited.values())


# ----------------------------------------------------------------------------- module lists
def top_level_modules(package: Path) -> set[str]:
    """The modules and subpackages directly in ``package``, by dotted name."""
    children = [p for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")]
    children += [p / "__init__.py" for p in package.iterdir() if (p / "__init__.py").is_file()]
    return {module_name(p) for p in children}


def named_modules(text: str) -> set[str]:
    return set(re.findall(r"\blinace(?:\.[a-z_]+)+", text))


LIBRARY = top_level_modules(PACKAGE) - {"linace.study"}
STUDY = top_level_modules(PACKAGE / "study")


def test_the_package_docstrings_list_every_module():
    import linace.study

    assert LIBRARY - named_modules(linace.__doc__) == set()
    assert STUDY - named_modules(linace.study.__doc__) == set()


def test_the_readme_names_every_module():
    assert (LIBRARY | STUDY) - named_modules((ROOT / "README.md").read_text()) == set()


@pytest.mark.parametrize("document", ["README.md", "docs/design.md"])
def test_every_name_of_the_code_in_the_docs_exists(document):
    named = set(re.findall(r"\blinace(?:\.[A-Za-z_][A-Za-z0-9_]*)+", (ROOT / document).read_text()))
    assert named and sorted(name for name in named if not _lookup(name)) == []
