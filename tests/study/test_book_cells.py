"""The chapters narrate and call: no code cell of a chapter (book/*.py, jupytext py:percent) holds more
than 15 lines of code (lines that are neither blank nor comments); the computing lives in tested
functions of linace.study."""

from pathlib import Path

BOOK = Path(__file__).resolve().parents[2] / "book"
MAX_CODE_LINES = 15


def code_cells(text: str) -> list[tuple[int, list[str]]]:
    """(line number of the cell marker, code lines) of every code cell of a py:percent notebook."""
    cells, current = [], None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("# %%"):
            current = None if "[markdown]" in line else (number, [])
            if current is not None:
                cells.append(current)
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current[1].append(line)
    return cells


def test_the_counter_sees_code_and_skips_markdown_and_comments():
    text = "# %% [markdown]\n# a\n# b\n\n# %%\nx = 1\n# a comment\n\ny = 2\n# %% tags=['hide-input']\nz = 3\n"
    assert [(n, len(lines)) for n, lines in code_cells(text)] == [(5, 2), (10, 1)]


def test_no_chapter_cell_is_over_fifteen_lines_of_code():
    chapters = sorted(BOOK.glob("*.py"))
    assert len(chapters) >= 12
    long_cells = {
        f"{path.name}, cell at line {n}": len(lines)
        for path in chapters
        for n, lines in code_cells(path.read_text())
        if len(lines) > MAX_CODE_LINES
    }
    assert long_cells == {}
