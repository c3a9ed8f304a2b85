"""Student and instructor editions of the book's notebooks.

    python -m tools.editions --out DIR

writes, for every chapter notebook listed in ``_toc.yml``:

- ``DIR/student/NN-name.ipynb``: the chapter with every solution removed. The exercise
  statements stay, and so do the exercise code cells: stubs that raise
  ``NotImplementedError``, which the checkers report as NOT ATTEMPTED YET.
- ``DIR/instructor/NN-name.ipynb``: the chapter unchanged, solutions included.

A solution in the book is either

- a run of cells from a markdown cell that opens with ```` ```{solution-start} label ````
  through the markdown cell that holds the matching ```` ```{solution-end} ```` (both
  included; they may also be one and the same cell), or
- a ```` ```{solution} label ```` directive, all in one markdown cell.

A markdown cell can hold the end of one solution, the next exercise and the start of its
solution: the exercise is kept, the rest removed.

A solution that is opened and never closed, or closed and never opened, stops the tool
with an error that names the notebook and the cell, rather than writing a student
notebook that gives an answer away.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent

# A directive opens a line: ```{solution-start}, ````{solution} (any number of backticks or
# colons, as MyST allows).
_FENCE = r"^[ \t]*(?:`{3,}|:{3,})\{%s\}"
SOLUTION_START = re.compile(_FENCE % "solution-start", re.M)
SOLUTION_END = re.compile(_FENCE % "solution-end", re.M)
SOLUTION_ONE_CELL = re.compile(_FENCE % "solution", re.M)


class EditionError(ValueError):
    """A notebook whose solutions cannot be told apart from the rest."""


#: The file name of a chapter notebook: two digits, a dash (``05-backprop.ipynb``).
CHAPTER_NAME = re.compile(r"^\d\d-[^/]+\.ipynb$")


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    """The chapter notebooks of the book (``NN-name.ipynb``), in the order of ``_toc.yml``.

    Other notebooks of the book (the instructor guide, appendices) are not chapters: a
    student edition has no use for them, and a class does not return them.
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = []

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                path = root / (entry["file"] + ".ipynb")
                if path.exists() and CHAPTER_NAME.match(path.name):
                    files.append(path)
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def _fence(line: str) -> str | None:
    """The fence (```` ``` ````, ``:::``, ...) that opens or closes a directive on ``line``."""
    match = re.match(r"[ \t]*(`{3,}|:{3,})", line)
    return match.group(1) if match else None


def _closes(line: str, fence: str) -> bool:
    """Whether ``line`` is a bare fence that closes a directive opened with ``fence``."""
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def split_solutions(notebook, name: str = "notebook"):
    """Split a notebook into its student edition and the text of its solutions.

    Returns ``(student, solutions)``: a copy of ``notebook`` without any solution (code
    outputs cleared; a markdown cell left empty is dropped) and the list of the removed
    pieces of text, for the tests. A markdown cell may hold the end of one solution, the
    next exercise and the start of its solution; only the exercise stays.
    """
    student = nbformat.from_dict(notebook)
    student.cells, solutions = [], []
    inside, opened_at = False, None
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            if inside:
                solutions.append(cell.source)
            else:
                student.cells.append(cell)
            continue
        kept, removed, lines = [], [], iter(cell.source.splitlines(keepends=True))
        for line in lines:
            if SOLUTION_START.match(line):
                if inside:
                    raise EditionError(
                        f"{name}: cell {index} opens a solution while the one opened in cell "
                        f"{opened_at} is still open; close it with ```{{solution-end}} first"
                    )
                inside, opened_at = True, index
            if SOLUTION_END.match(line) or SOLUTION_ONE_CELL.match(line):
                ends_one = bool(SOLUTION_END.match(line))
                if ends_one and not inside:
                    raise EditionError(
                        f"{name}: cell {index} closes a solution that no "
                        "```{solution-start} opened; add the opening cell or remove this one"
                    )
                fence, block = _fence(line), [line]
                one_line = line.rstrip().endswith(fence) and len(line.strip()) > 2 * len(fence)
                for rest in [] if one_line else lines:  # through the closing fence
                    block.append(rest)
                    if _closes(rest, fence):
                        break
                else:
                    if one_line:
                        removed.extend(block)
                        inside = False
                        continue
                    raise EditionError(
                        f"{name}: cell {index}: the directive {line.strip()!r} is not closed "
                        f"by a line {fence}"
                    )
                removed.extend(block)
                inside = False
                continue
            (removed if inside else kept).append(line)
        if "".join(removed).strip():
            solutions.append("".join(removed))
        if "".join(kept).strip():
            cell = nbformat.from_dict(cell)
            cell.source = "".join(kept).strip("\n")
            student.cells.append(cell)
    if inside:
        raise EditionError(
            f"{name}: the solution opened in cell {opened_at} is never closed; end it with a "
            "markdown cell ```{solution-end}```"
        )
    for cell in student.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return student, solutions


def student_edition(notebook, name: str = "notebook"):
    """A copy of ``notebook`` with every solution removed."""
    return split_solutions(notebook, name)[0]


def write_editions(out: Path, root: Path = ROOT) -> list[Path]:
    """Write ``out/student`` and ``out/instructor``; return the chapter notebooks used."""
    notebooks = chapter_notebooks(root)
    for edition in ("student", "instructor"):
        (out / edition).mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        shutil.copyfile(path, out / "instructor" / path.name)
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(student_edition(notebook, path.name), out / "student" / path.name)
    return notebooks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.editions",
        description="Write the student edition (solutions removed) and the instructor "
        "edition (everything) of the book's notebooks.",
    )
    parser.add_argument("--out", required=True, type=Path, help="folder to write into")
    args = parser.parse_args(argv)
    try:
        notebooks = write_editions(args.out)
    except EditionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"{len(notebooks)} notebooks: student edition in {args.out / 'student'}, "
        f"instructor edition in {args.out / 'instructor'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
