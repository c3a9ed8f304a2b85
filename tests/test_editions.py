"""The student and instructor editions (tools/editions.py), and every notebook standing alone.

- the command of the README writes both editions for every chapter of _toc.yml;
- no solution survives in a student notebook: no solution directive, and no line of a
  solution (longer than 30 characters, and not also in the chapter outside its solutions)
  is left;
- the instructor edition is the book's notebooks, byte for byte;
- unbalanced solution markers stop the tool with an error that names the cell;
- every student notebook runs top to bottom on a fresh kernel with its exercise stubs
  unanswered, from an empty temporary folder as its working directory. That run also shows
  that each notebook stands alone: it uses no file next to it and nothing another notebook
  made (nbval runs the book's notebooks from book/; this run is the standalone one).
  The Colab install line of every setup cell is tested in test_book_notebooks.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.editions import (  # noqa: E402
    EditionError,
    chapter_notebooks,
    split_solutions,
)

NOTEBOOKS = chapter_notebooks(ROOT)
SHORT = 30  # shorter lines (``def f(x):``, ``)``) may appear in an exercise stub too


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """Both editions, written by the documented command."""
    out = tmp_path_factory.mktemp("editions")
    result = subprocess.run(
        [sys.executable, "-m", "tools.editions", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_every_chapter_of_the_toc_is_in_both_editions(editions):
    names = sorted(p.name for p in NOTEBOOKS)
    assert len(names) >= 11
    for edition in ("student", "instructor"):
        assert sorted(p.name for p in (editions / edition).glob("*.ipynb")) == names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_instructor_edition_is_the_book(editions, path):
    assert (editions / "instructor" / path.name).read_bytes() == path.read_bytes()


def _lines(text):
    return {line.strip() for line in text.splitlines() if line.strip()}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_solution_survives_in_the_student_edition(editions, path):
    book = nbformat.read(path, as_version=4)
    student = nbformat.read(editions / "student" / path.name, as_version=4)
    nbformat.validate(student)
    kept, solutions = split_solutions(book, path.name)
    text = "\n".join(cell.source for cell in student.cells)
    for marker in ("{solution-start}", "{solution-end}", "{solution}"):
        assert marker not in text, f"{path.name}: {marker} left in the student edition"

    outside = _lines("\n".join(cell.source for cell in kept.cells))
    solution_lines = set().union(*map(_lines, solutions)) if solutions else set()
    own = {line for line in solution_lines if len(line) > SHORT and line not in outside}
    if "{exercise" in "\n".join(c.source for c in book.cells):
        assert solutions and own, f"{path.name} has exercises but no solution was found"
    left = own & _lines(text)
    assert not left, f"{path.name}: solution lines left in the student edition: {sorted(left)[:3]}"

    # Everything else is kept, in order, with its cell ids.
    book_ids = [c.get("id") for c in book.cells]
    student_ids = [c.get("id") for c in student.cells]
    assert student_ids == [i for i in book_ids if i in set(student_ids)]
    assert all(c.outputs == [] for c in student.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_stubs_stay_in_the_student_edition(editions, path):
    book = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    student = "\n".join(
        c.source for c in nbformat.read(editions / "student" / path.name, as_version=4).cells
    )
    assert student.count("{exercise}") == book.count("{exercise}")
    stubs = book.count("raise NotImplementedError")
    assert student.count("raise NotImplementedError") == stubs


def _notebook(*sources):
    cells = [
        nbformat.v4.new_markdown_cell(s) if s.lstrip().startswith(("```", ":::", "#"))
        else nbformat.v4.new_code_cell(s)
        for s in sources
    ]
    return nbformat.v4.new_notebook(cells=cells)


def test_solution_forms_the_tool_handles():
    notebook = _notebook(
        "# Exercises\n\n```{exercise} One\n:label: ex-one\nDo it.\n```",
        "raise NotImplementedError",
        "```{solution-start} ex-one\n:class: dropdown\n```\nThe answer is 42.",
        "answer = 42",
        "```{solution-end}\n```\n\n```{exercise} Two\n:label: ex-two\nAgain.\n```\n\n"
        "```{solution-start} ex-two\n```\nSecond answer, inline.",
        "second = 43",
        "```{solution-end}```\n\n````{solution} ex-two\n:class: dropdown\n"
        "```python\nthird = 44\n```\n````\nKept after the directive.",
    )
    student, solutions = split_solutions(notebook)
    text = "\n".join(c.source for c in student.cells)
    for gone in ("42", "43", "44", "solution", "Second answer"):
        assert gone not in text
    for kept in ("```{exercise} One", "```{exercise} Two", "Again.", "NotImplementedError",
                 "Kept after the directive."):
        assert kept in text
    assert len(student.cells) == 4
    assert any("third = 44" in s for s in solutions)


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        (("```{solution-start} a\n```", "x = 1"), "never closed"),
        (("```{solution-end}\n```",), "no ```{solution-start} opened"),
        (("```{solution-start} a\n```", "```{solution-start} b\n```"), "still open"),
        (("````{solution} a\nno closing fence",), "not closed"),
    ],
)
def test_unbalanced_solutions_are_an_error(sources, message):
    with pytest.raises(EditionError, match=message):
        split_solutions(_notebook(*sources), "ch.ipynb")


# ------------------------------------------------------------ the student notebooks run
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebook_runs_alone_from_an_empty_folder(editions, path, tmp_path_factory):
    """Fresh kernel, stubs unanswered, working directory an empty temporary folder."""
    from nbclient import NotebookClient

    folder = tmp_path_factory.mktemp(path.stem)

    notebook = nbformat.read(editions / "student" / path.name, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    # A checker called on an unanswered stub reports it as not attempted, never as FAIL.
    for cell in notebook.cells:
        if cell.cell_type == "code" and "raise NotImplementedError" in cell.source:
            printed = "".join(o.get("text", "") for o in cell.outputs)
            assert "FAIL" not in printed, f"{path.name}: a stub is reported as failed: {printed}"
            if re.search(r"^\s*check_\w+\(", cell.source, re.M):
                assert "NOT ATTEMPTED YET" in printed, (
                    f"{path.name}: {cell.source!r} printed {printed!r}"
                )
