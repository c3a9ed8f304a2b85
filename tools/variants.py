"""Per-student notebooks with numbers of their own, the answer key, and grading.

    python -m tools.variants --roster roster.txt --out DIR
    python -m tools.variants grade RETURNED --roster roster.txt --out grades.csv

The first command reads a roster (one student id per line, UTF-8 with or without a byte
order mark; blank lines and lines starting with ``#`` are skipped; every bad line is
reported at once) and writes

- ``DIR/<id>/NN-name.ipynb``: the student edition of every chapter (``tools/editions.py``:
  solutions removed), in which each variant exercise (``minnet.exercises.variants``) says
  the student's numbers in a note under its statement, and its cell sets
  ``STUDENT_ID = "<id>"``, so that the checker checks the answers against those numbers;
- ``DIR/answer_key.csv``: one row per answer: student, chapter, exercise, part, answer, and
  the numbers of that student's variant.

The second command runs every returned notebook ``RETURNED/<id>/NN-name.ipynb`` on a fresh
kernel and writes one row per checker cell of the exercises to a CSV: student, chapter,
exercise, cell, verdict (PASS, FAIL, NOT ATTEMPTED YET, ERROR when the cell raised,
NO VERDICT when it printed none, MISSING when the notebook was not returned), parts (for
an answer with several parts, how many passed, failed and were not attempted) and the
verdict's first line. Before the run, every assignment to ``STUDENT_ID`` in a variant cell
is set to the id of the folder, whatever the student left there, and a variant cell whose
checker call no longer passes ``student=STUDENT_ID`` is a FAIL. Running students' notebooks runs their code: do it in a container or an
account that holds nothing else.
"""

from __future__ import annotations

import argparse
import copy
import csv
import re
import sys
import tempfile
from pathlib import Path

import nbformat

from tools.editions import ROOT, EditionError, chapter_notebooks, student_edition

sys.path.insert(0, str(ROOT / "src"))

from minnet.exercises import variants  # noqa: E402

STUDENT_LINE = re.compile(r"^[ \t]*STUDENT_ID\s*=(?!=).*$", re.M)
STUDENT_ARG = re.compile(r"\bstudent\s*=\s*STUDENT_ID\b")
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")
VERDICT = re.compile(r"^(PASS|FAIL|NOT ATTEMPTED YET)\b")


GRADE_COLUMNS = ["student", "chapter", "exercise", "cell", "verdict", "parts", "detail"]


class RosterError(ValueError):
    """A roster that cannot name one folder per student."""


def read_roster(path: Path) -> list[str]:
    """The student ids of a roster file, in order."""
    ids, seen, errors = [], {}, []
    # utf-8-sig: a roster saved by Excel or Notepad starts with a byte order mark
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        student = line.strip()
        if not student or student.startswith("#"):
            continue
        if not SAFE_ID.match(student):
            errors.append(
                f"line {number}: the id {student!r} cannot be a folder name; use letters, "
                "digits and . _ @ + - only (a student number or an e-mail address)")
        elif student.lower() in seen:
            errors.append(f"line {number}: the id {student!r} appears twice (first on line "
                          f"{seen[student.lower()]}; ids that differ only in case count as "
                          "the same, since folders do on Windows and macOS)")
        else:
            seen[student.lower()] = number
            ids.append(student)
    if errors:
        raise RosterError(f"{path}: {len(errors)} bad line(s), fix them and run again:\n  "
                          + "\n  ".join(errors))
    if not ids:
        raise RosterError(f"{path}: no student ids (one per line)")
    return ids


def _variant_cells(notebook, label):
    """The markdown cell holding exercise ``label`` and the code cell that sets its
    ``STUDENT_ID`` (the first such cell after the statement)."""
    statement = next((i for i, c in enumerate(notebook.cells)
                      if c.cell_type == "markdown" and f":label: {label}" in c.source), None)
    if statement is None:
        return None, None
    for j in range(statement + 1, len(notebook.cells)):
        cell = notebook.cells[j]
        if cell.cell_type == "markdown" and "{exercise}" in cell.source:
            break
        if cell.cell_type == "code" and STUDENT_LINE.search(cell.source):
            return notebook.cells[statement], cell
    return notebook.cells[statement], None


def _add_note(cell, label, student):
    """Put the student's numbers in a note (a quote, which Jupyter and the book both
    render) right under the statement of ``label``."""
    lines = cell.source.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == f":label: {label}")
    end = next(i for i in range(start, len(lines)) if re.fullmatch(r"`{3,}", lines[i].strip()))
    precision = ""
    if any(isinstance(v, float) for v in variants.answer(label, student).values()):
        precision = (" Give each number to three significant digits or more: the checker "
                     "accepts a relative error of 0.5 %.")
    note = ["", f"> **Your numbers** (student `{student}`). In your variant, "
                f"{variants.statement(label, student)}. Use these numbers in place of the "
                "ones above: the exercise's checker, with `STUDENT_ID` set to your id, checks "
                f"your answers against them.{precision}"]
    cell.source = "\n".join(lines[:end + 1] + note + lines[end + 1:])


def set_student(cell, student):
    """Set every ``STUDENT_ID`` assignment of a variant cell to ``student`` (however it is
    spaced: ``STUDENT_ID="s1"`` too, so that no other student's id survives grading)."""
    cell.source = STUDENT_LINE.sub(
        lambda match: (match.group(0)[:len(match.group(0)) - len(match.group(0).lstrip())]
                       + f'STUDENT_ID = "{student}"  # your id: your own numbers'),
        cell.source)


def personalise(notebook, chapter: str, student: str):
    """A copy of a student-edition ``notebook`` with ``student``'s variants filled in."""
    notebook = copy.deepcopy(notebook)
    for variant in variants.VARIANTS.values():
        if variant.notebook != chapter:
            continue
        statement, code = _variant_cells(notebook, variant.label)
        if code is None:
            raise EditionError(
                f"{chapter}: exercise {variant.label} has no cell with a STUDENT_ID line "
                "after its statement; add `STUDENT_ID = None` to the cell that calls "
                f"{variant.checker}")
        _add_note(statement, variant.label, student)
        set_student(code, student)
    return notebook


def _show(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def key_rows(students):
    """The rows of the answer key: one per student, exercise and part of the answer."""
    rows = []
    for student in students:
        for variant in variants.VARIANTS.values():
            numbers = variants.problem(variant.label, student)
            shown = "; ".join(f"{k} = {_show(v)}" for k, v in numbers.items())
            for part, value in variants.answer(variant.label, student).items():
                rows.append({"student": student, "chapter": variant.notebook,
                             "exercise": variant.label, "part": part,
                             "answer": _show(value), "numbers": shown})
    return rows


def write_variants(roster: Path, out: Path, root: Path = ROOT) -> list[str]:
    """Write every student's notebooks and ``answer_key.csv``; return the student ids."""
    students = read_roster(roster)
    chapters = [(path.stem, student_edition(nbformat.read(path, as_version=4), path.name))
                for path in chapter_notebooks(root)]
    for student in students:
        folder = out / student
        folder.mkdir(parents=True, exist_ok=True)
        for chapter, notebook in chapters:
            nbformat.write(personalise(notebook, chapter, student),
                           folder / f"{chapter}.ipynb")
    with open(out / "answer_key.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["student", "chapter", "exercise", "part", "answer",
                                         "numbers"])
        writer.writeheader()
        writer.writerows(key_rows(students))
    return students


# ---------------------------------------------------------------------------- grading


def _checker_cells(notebook):
    """``(exercise label, cell)`` for each code cell of an exercise that calls a checker."""
    label, found = None, []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r":label: (\S+)", cell.source)
            if match and "{exercise}" in cell.source:
                label = match.group(1)
        # a call still commented out, as the student edition leaves it, counts too: the
        # cell prints no verdict and is graded NO VERDICT instead of being left out
        elif label and re.search(r"^\s*(#\s*)?(assert\s+)?check_\w+\(", cell.source, re.M):
            found.append((label, cell))
    return found


def _verdict(cell):
    """The verdict of an executed checker cell, the count of its parts, and its first line."""
    if any(out.get("output_type") == "error" for out in cell.outputs):
        error = next(out for out in cell.outputs if out.get("output_type") == "error")
        return "ERROR", "", f"{error['ename']}: {error['evalue']}"[:200]
    text = "".join(out.get("text", "") for out in cell.outputs
                   if out.get("output_type") == "stream")
    lines = [line for line in text.splitlines() if VERDICT.match(line)]
    if not lines:
        return ("NO VERDICT", "",
                "the cell printed no verdict (is the checker call commented out?)")
    counts = {v: sum(VERDICT.match(line).group(1) == v for line in lines)
              for v in ("PASS", "FAIL", "NOT ATTEMPTED YET")}
    parts = ""
    if len(lines) > 1:  # an answer of several parts: one line each
        parts = (f"{counts['PASS']} of {len(lines)} right, {counts['FAIL']} wrong, "
                 f"{counts['NOT ATTEMPTED YET']} not attempted")
    for verdict in ("FAIL", "NOT ATTEMPTED YET"):
        first = next((line for line in lines if line.startswith(verdict)), None)
        if first:
            return verdict, parts, first
    return "PASS", parts, lines[0]


def grade_notebook(path: Path, student: str, timeout: int = 600):
    """Run one returned notebook with ``student``'s id and return its verdict rows."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    edited = set()  # variant cells whose checker no longer gets the student's id
    for variant in variants.VARIANTS.values():
        if variant.notebook == path.stem:
            _, code = _variant_cells(notebook, variant.label)
            if code is not None:
                set_student(code, student)
                if not STUDENT_ARG.search(code.source):
                    edited.add(id(code))
    cells = _checker_cells(notebook)
    with tempfile.TemporaryDirectory() as work:
        client = NotebookClient(notebook, timeout=timeout, allow_errors=True,
                                kernel_name="python3", resources={"metadata": {"path": work}})
        client.execute()
    rows = []
    for label, cell in cells:
        verdict, parts, detail = _verdict(cell)
        if id(cell) in edited:
            verdict, detail = "FAIL", ("the checker call was edited: it no longer passes "
                                       "student=STUDENT_ID, so it checked other numbers")
        rows.append({"student": student, "chapter": path.stem, "exercise": label,
                     "cell": cell.get("id", ""), "verdict": verdict, "parts": parts,
                     "detail": detail})
    return rows


def grade(returned: Path, students, chapters=None, timeout: int = 600):
    """Verdict rows for every student and chapter (all chapters of the book by default)."""
    chapters = chapters or [path.stem for path in chapter_notebooks(ROOT)]
    rows = []
    for student in students:
        for chapter in chapters:
            path = returned / student / f"{chapter}.ipynb"
            if not path.exists():
                rows.append({"student": student, "chapter": chapter, "exercise": "",
                             "cell": "", "verdict": "MISSING", "parts": "",
                             "detail": f"no {path}"})
                continue
            rows.extend(grade_notebook(path, student, timeout))
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["grade"]:
        parser = argparse.ArgumentParser(
            prog="python -m tools.variants grade",
            description="Run returned student notebooks and collect each checker's verdict.")
        parser.add_argument("returned", type=Path, help="folder with one subfolder per student")
        parser.add_argument("--roster", required=True, type=Path)
        parser.add_argument("--out", required=True, type=Path, help="the CSV to write")
        parser.add_argument("--chapters", help="comma-separated notebook names, e.g. "
                                               "03-losses,06-optimizers (default: all)")
        parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
        args = parser.parse_args(argv[1:])
        try:
            students = read_roster(args.roster)
        except RosterError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        chapters = args.chapters.split(",") if args.chapters else None
        rows = grade(args.returned, students, chapters, args.timeout)
        with open(args.out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, GRADE_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        print(f"{len(rows)} verdicts for {len(students)} students in {args.out}")
        return 0

    parser = argparse.ArgumentParser(
        prog="python -m tools.variants",
        description="Write each student's notebooks with numbers of their own, and the "
                    "answer key. (`python -m tools.variants grade --help` for grading.)")
    parser.add_argument("--roster", required=True, type=Path,
                        help="a text file with one student id per line")
    parser.add_argument("--out", required=True, type=Path, help="folder to write into")
    args = parser.parse_args(argv)
    try:
        students = write_variants(args.roster, args.out)
    except (RosterError, EditionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{len(students)} students: notebooks in {args.out}/<id>/, "
          f"answer key in {args.out / 'answer_key.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
