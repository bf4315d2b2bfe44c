"""The library (linace.*) never imports the study (linace.study.*): the dependency points one way; and no
module of linace imports itself through others (no import circle)."""

import ast
from pathlib import Path

import linace

PACKAGE = Path(linace.__file__).resolve().parent
LIBRARY_MODULES = sorted(p for p in PACKAGE.glob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of every module imported by the file (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative to the linace package (library modules sit at its top)
                base = "linace" + ("." + base if base else "")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_library_modules_are_the_ones_of_the_design():
    assert {p.stem for p in LIBRARY_MODULES} == {
        "__init__",
        "radial",
        "harmonics",
        "coupling",
        "expansion",
        "spec",
        "tables",
        "neighbourhood",
        "basis",
        "calculator",
        "fit",
        "streaming",
        "analysis",
        "io",
    }


def test_library_never_imports_the_study():
    offenders = {
        p.name: sorted(n for n in _imported_modules(p) if n == "linace.study" or n.startswith("linace.study."))
        for p in LIBRARY_MODULES
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_detector_sees_a_study_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from .study import sweep\nimport linace.study.dft\n")
    assert {"linace.study.sweep", "linace.study.dft"} <= _imported_modules(probe)


def test_the_library_digest_covers_the_library_only():
    """Design caches are keyed by the library's source; the study's code does not invalidate them,
    while the sweep's records (``linace.study.source_digest``) cover both."""
    import linace.study

    files = linace.library_files()
    study_files = sorted((PACKAGE / "study").rglob("*.py"))
    assert set(LIBRARY_MODULES) <= set(files)
    assert study_files and not set(study_files) & set(files)
    assert linace.study.source_digest() != linace.source_digest()


def test_files_digest_follows_content_and_names(tmp_path):
    library, study = tmp_path / "a.py", tmp_path / "study" / "b.py"
    study.parent.mkdir()
    library.write_text("x = 1\n")
    study.write_text("y = 1\n")
    only_library = linace.files_digest(tmp_path, [library])
    both = linace.files_digest(tmp_path, [library, study])
    study.write_text("y = 2\n")
    assert linace.files_digest(tmp_path, [library]) == only_library
    assert linace.files_digest(tmp_path, [library, study]) != both
    library.rename(tmp_path / "c.py")
    assert linace.files_digest(tmp_path, [tmp_path / "c.py"]) != only_library


# ----------------------------------------------------------------------------- import circles
def module_names(package_dir: Path) -> dict[str, Path]:
    """{dotted module name: file} of every module of the package in ``package_dir`` (a package's
    ``__init__.py`` is the package itself)."""
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":``."""
    test = getattr(node, "test", None)
    return (
        isinstance(node, ast.If)
        and isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """The modules each module of the package imports (its own modules only).

    Every import statement of a file counts: at module level, inside functions and under
    ``if TYPE_CHECKING:``. A circle through a deferred (function-level) import still ties the two
    modules to each other (neither can be read, tested or moved alone, and deferring the import is how a
    circle that fails at import time is usually hidden), and a type-only import is a dependency of the
    design as much as any other (``neighbourhood`` <-> ``basis`` was one). Relative imports are resolved
    against the module's package; ``from pkg import name`` is an edge to ``pkg.name`` when that is a
    module, else to ``pkg``. Left out: the block under ``if __name__ == "__main__":``, which runs only
    when the file is the program (as module ``__main__``, not as a module of the package).
    """
    modules = module_names(package_dir)
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text())
        skipped = {id(n) for guard in ast.walk(tree) if _is_main_guard(guard) for n in ast.walk(guard)}
        edges = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in modules:  # a name inside a module: the module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of ``graph``: its strongly connected components of more than one module
    (Tarjan's algorithm), each sorted, in sorted order."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


def test_no_module_of_linace_is_part_of_an_import_circle():
    graph = import_graph(PACKAGE)
    assert {"linace.basis", "linace.study.sweep", "linace.study.dft.states"} <= set(graph)
    assert "linace.tables" in graph["linace.neighbourhood"]  # function-level and type-only imports are seen
    assert import_cycles(graph) == []


def test_the_circle_detector_finds_planted_circles(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from . import c\n")
    (package / "a.py").write_text("from .b import f\n")
    (package / "b.py").write_text("def f():\n    from pkg import a\n    return a\n")  # through a function
    (package / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..d import X\n"
    )
    (package / "d.py").write_text("import pkg.sub.c as c\nX = 1\n")
    (package / "e.py").write_text("import pkg.a\nif __name__ == '__main__':\n    from pkg.f import main\n")
    (package / "f.py").write_text("from pkg import e\ndef main():\n    pass\n")
    graph = import_graph(package)
    assert graph["pkg.b"] == {"pkg.a"} and graph["pkg.sub.c"] == {"pkg.d"} and graph["pkg.e"] == {"pkg.a"}
    assert import_cycles(graph) == [["pkg.a", "pkg.b"], ["pkg.d", "pkg.sub.c"]]


def test_the_library_tests_never_import_the_study():
    """tests/library tests the library alone: none of its files imports linace.study (the study's tests,
    its data and its book are in tests/study)."""
    library_tests = sorted((Path(__file__).resolve().parents[1] / "library").glob("*.py"))
    assert len(library_tests) >= 10
    offenders = {
        p.name: sorted(n for n in _imported_modules(p) if n == "linace.study" or n.startswith("linace.study."))
        for p in library_tests
    }
    assert {k: v for k, v in offenders.items() if v} == {}
