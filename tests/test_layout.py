"""The library (linace.*) never imports the study (linace.study.*): the dependency points one way."""

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
        "__init__", "radial", "harmonics", "coupling", "expansion", "neighbourhood", "basis", "calculator", "fit", "streaming",
        "analysis", "io"}


def test_library_never_imports_the_study():
    offenders = {p.name: sorted(n for n in _imported_modules(p) if n == "linace.study" or n.startswith("linace.study."))
                 for p in LIBRARY_MODULES}
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
