"""The instructor guide's data (src/minnet/course.py) says what the chapters say.

The guide (book/instructor-guide.ipynb) draws its chapter map, its tables and its course
plans from ``minnet.course``, because a notebook must run alone (on Colab the chapters are
not beside it). These tests read every chapter notebook and hold the module to it:

- each chapter's title, its learning objectives, its prerequisites (the chapters it names
  in its "Prerequisites" line, split into those it requires and those it only recommends)
  and its time (reading, exercises) are what the module records;
- each chapter's exercises (label, title, the checkers its cells call) are the module's;
- the chapters and pages the module knows are the chapters of ``_toc.yml``;
- every suggested course plan takes its chapters in an order that respects the required
  prerequisites, assigns only exercises of chapters already reached, and keeps every
  session within the hours the plan states.

How a "Prerequisites" line is read: the chapters linked (``{doc}``) in its first clause
(up to the first ``;`` or full stop) are required; a chapter linked in a later clause is
recommended, unless that clause says it is "not needed".
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from minnet import course

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.editions import split_solutions  # noqa: E402

BOOK = ROOT / "book"
CHAPTER_FILES = sorted(BOOK.glob("[0-9][0-9]-*.ipynb"))

DOC_LINK = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`<>]+?)>?`")
# A clause ends at a semicolon, or at a full stop followed by a space and a capital letter or
# a link ("... (the backward pass). {doc}`Chapter 6 <...>` helps ...").
CLAUSE_END = re.compile(r";|\.\s+(?=[A-Z{])")
OBJECTIVES_START = re.compile(
    r"\*\*(?:Learning objectives\.|You will be able to:|You will:)\*\*[^\n]*?(?:\n|(?=\S))"
)


def _squash(text: str) -> str:
    return " ".join(text.split())


def title_cell(path: Path) -> str:
    """The chapter's first markdown cell that has its title, objectives and prerequisites."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and "**Prerequisites:**" in cell.source:
            return cell.source
    raise AssertionError(f"{path.name}: no markdown cell with a **Prerequisites:** line")


def parse_title(text: str) -> str:
    match = re.search(r"^# (.+)$", text, re.M)
    assert match, "the title cell has no '# Title' heading"
    return match.group(1).strip()


def parse_objectives(text: str) -> tuple[str, ...]:
    """The objectives as items: a numbered or bulleted list, or one sentence split at ';'."""
    start = OBJECTIVES_START.search(text)
    assert start, "no **Learning objectives.** (or **You will be able to:**) block"
    block = text[start.end():text.index("**Prerequisites:**")]
    if re.search(r"^\s*(?:\d+\.|-) ", block, re.M):
        items = re.split(r"^\s*(?:\d+\.|-) ", block, flags=re.M)[1:]
    else:
        items = block.split(";")
    cleaned = []
    for item in items:
        item = _squash(item)
        item = re.sub(r"(?:[;.,]|;? and)$", "", item).strip()
        if item:
            cleaned.append(item)
    return tuple(cleaned)


def parse_prerequisites(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, recommended) pages named in the Prerequisites line, as file stems."""
    start = text.index("**Prerequisites:**") + len("**Prerequisites:**")
    end = text.index("**Time:**", start)
    clauses = CLAUSE_END.split(_squash(text[start:end]))
    required = tuple(DOC_LINK.findall(clauses[0]))
    recommended = []
    for clause in clauses[1:]:
        if "not needed" in clause:
            continue
        recommended += DOC_LINK.findall(clause)
    return required, tuple(recommended)


def _minutes(number: str, unit: str) -> int:
    return round(float(number) * (60 if unit.startswith("hour") else 1))


def parse_time(text: str) -> tuple[int, tuple[int, int]]:
    """(reading minutes, (least, most) exercise minutes) from the **Time:** line."""
    line = _squash(text[text.index("**Time:**"):])
    read = re.search(r"(\d+(?:\.\d+)?) (minutes|hours?) to read", line)
    assert read, f"no 'N minutes to read' in {line!r}"
    exercises = re.search(
        r"(\d+(?:\.\d+)?)(?: to (\d+(?:\.\d+)?))? (minutes|hours?) for the exercises", line
    )
    if exercises is None:
        return _minutes(*read.groups()), (0, 0)
    low, high, unit = exercises.groups()
    return _minutes(*read.groups()), (_minutes(low, unit), _minutes(high or low, unit))


def parse_exercises(path: Path) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(label, title, checkers) of each {exercise} of a chapter, in order. The checkers
    are the ``check_...`` functions its code cells call in the student edition (solutions
    removed), commented out in a stub or not."""
    notebook, _ = split_solutions(nbformat.read(path, as_version=4), path.name)
    found: list[list] = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for match in re.finditer(
                r"^[`:]{3,}\{exercise(?:-start)?\}[ \t]*(.*)\n((?::[\w-]+:.*\n)*)",
                cell.source, re.M,
            ):
                label = re.search(r":label:\s*(\S+)", match.group(2))
                assert label, f"{path.name}: exercise {match.group(1)!r} has no :label:"
                found.append([label.group(1), match.group(1).strip(), []])
        elif found:
            for name in re.findall(r"\b(check_\w+)\(", cell.source):
                if name not in found[-1][2]:
                    found[-1][2].append(name)
    return tuple((label, title, tuple(checkers)) for label, title, checkers in found)


def parse_data(path: Path) -> tuple[str, ...]:
    """The data sets a chapter's code loads, in the order of the loaders' names."""
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    loaders = (("mnist", "load_mnist("), ("fashion-mnist", "load_fashion_mnist("))
    return tuple(name for name, call in loaders if call in code)


# ------------------------------------------------------------------ module == chapters


def test_the_module_knows_every_chapter_of_the_book():
    assert [c.doc for c in course.CHAPTERS] == [p.stem for p in CHAPTER_FILES]
    assert [c.number for c in course.CHAPTERS] == [int(p.name[:2]) for p in CHAPTER_FILES]


def test_every_page_the_module_names_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text()
    entries = set(re.findall(r"file:\s*book/(\S+)", toc)) | {
        yaml.safe_load(toc)["root"].removeprefix("book/")
    }
    named = {c.doc for c in course.CHAPTERS} | set(course.PAGES)
    assert named <= entries, f"not in _toc.yml: {sorted(named - entries)}"


def test_parts_are_the_parts_of_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    parts = {
        part["caption"]: tuple(c["file"].removeprefix("book/") for c in part["chapters"])
        for part in toc["parts"]
    }
    for caption, docs in course.PARTS.items():
        assert caption in parts, f"no part {caption!r} in _toc.yml"
        assert set(docs) <= set(parts[caption]), f"{caption}: {docs} vs {parts[caption]}"
    placed = [doc for docs in course.PARTS.values() for doc in docs]
    assert sorted(placed) == sorted({c.doc for c in course.CHAPTERS} | set(course.PAGES))


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.stem)
def test_title_objectives_prerequisites_and_time_match_the_chapter(path):
    chapter = course.chapter(path.stem)
    text = title_cell(path)
    assert chapter.title == parse_title(text)
    assert chapter.objectives == parse_objectives(text), (
        f"{path.name}: the objectives changed; copy them into minnet/course.py"
    )
    required, recommended = parse_prerequisites(text)
    assert (chapter.requires, chapter.recommends) == (required, recommended), (
        f"{path.name} names required {required} and recommended {recommended}"
    )
    reading, exercises = parse_time(text)
    assert (chapter.reading_minutes, chapter.exercise_minutes) == (reading, exercises)


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.stem)
def test_exercises_match_the_chapter(path):
    chapter = course.chapter(path.stem)
    recorded = tuple((e.label, e.title, e.checkers) for e in chapter.exercises)
    assert recorded == parse_exercises(path)
    assert chapter.data == parse_data(path)


def test_the_parsers_read_the_forms_the_chapters_use():
    text = (
        "# A title\n\n**Learning objectives.** After this chapter you can\n\n"
        "1. **compute** a sum, for one example\n   and for a batch;\n2. state a rule.\n\n"
        "**Prerequisites:** {doc}`chapter 1 <01-neuron>` (the neuron), {doc}`02-activations`;"
        " {doc}`chapter 3 <03-losses>` (losses) is not needed here. {doc}`Chapter 6 "
        "<06-optimizers>` helps. **Time:** about 1.5 hours to read and run, 1 to 2 hours "
        "for the exercises."
    )
    assert parse_title(text) == "A title"
    assert parse_objectives(text) == (
        "**compute** a sum, for one example and for a batch", "state a rule"
    )
    assert parse_prerequisites(text) == (("01-neuron", "02-activations"), ("06-optimizers",))
    assert parse_time(text) == (90, (60, 120))
    short = "**You will:** load it; look at it.\n**Prerequisites:** none. **Time:** 5 minutes to read."
    assert parse_objectives(short) == ("load it", "look at it")
    assert parse_prerequisites(short) == ((), ())
    assert parse_time(short) == (5, (0, 0))


# ------------------------------------------------------------------ the chapter map


def test_prerequisites_form_a_map_without_cycles_pointing_backwards():
    known = {c.doc for c in course.CHAPTERS} | set(course.PAGES)
    for chapter in course.CHAPTERS:
        for doc in chapter.requires + chapter.recommends:
            assert doc in known, f"{chapter.doc} names {doc}, which the module does not know"
            if doc in course.PAGES:
                continue
            assert course.chapter(doc).number < chapter.number, (
                f"{chapter.doc} depends on {doc}, a later chapter"
            )
    edges = course.prerequisite_edges()
    assert all(kind in ("requires", "recommends") for _, _, kind in edges)
    assert len(edges) == sum(len(c.requires) + len(c.recommends) for c in course.CHAPTERS)


# ------------------------------------------------------------------ the course plans


@pytest.mark.parametrize("name", list(course.PLANS))
def test_plan_respects_prerequisites_and_its_time_budget(name):
    plan = course.PLANS[name]
    assert course.plan_problems(plan) == []
    loads = course.session_minutes(plan)
    assert max(loads) <= plan.hours_per_session * 60
    assert len(loads) == len(plan.sessions)


def test_plan_checks_catch_a_plan_that_breaks_the_rules():
    good = course.PLANS["1-week"]
    first, second = good.sessions[0], good.sessions[1]
    swapped = course.Plan(good.name, good.unit, good.hours_per_session,
                          (second, first) + good.sessions[2:])
    assert any("before" in p for p in course.plan_problems(swapped))
    overloaded = course.Plan(good.name, good.unit, 0.5, good.sessions)
    assert any("minutes" in p for p in course.plan_problems(overloaded))
    foreign = course.Session(first.chapters, first.exercises + ("ex-09-clip",))
    stray = course.Plan(good.name, good.unit, good.hours_per_session,
                        (foreign,) + good.sessions[1:])
    assert any("ex-09-clip" in p for p in course.plan_problems(stray))


def test_every_exercise_of_the_book_is_known_once():
    labels = [e.label for c in course.CHAPTERS for e in c.exercises]
    assert len(labels) == len(set(labels))
    for plan in course.PLANS.values():
        for session in plan.sessions:
            assert set(session.exercises) <= set(labels)


def test_the_plans_assign_the_exercises_the_guide_says():
    """One week: only exercises with checkers. Four weeks: per chapter two with checkers and
    one without. Ten weeks: every exercise of every chapter."""
    checked = {e.label: bool(e.checkers) for c in course.CHAPTERS for e in c.exercises}
    one = [label for s in course.PLANS["1-week"].sessions for label in s.exercises]
    assert one and all(checked[label] for label in one)
    four = [label for s in course.PLANS["4-week"].sessions for label in s.exercises]
    for chapter in course.CHAPTERS[1:9]:
        mine = [checked[e.label] for e in chapter.exercises if e.label in four]
        assert sorted(mine) == [False, True, True], chapter.doc
    ten = {label for s in course.PLANS["10-week"].sessions for label in s.exercises}
    assert ten == set(checked)


def test_the_chapter_map_draws_a_box_per_page_and_an_arrow_per_edge(close_figures):
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from minnet.viz import course as course_viz

    ax = course_viz.plot_chapter_map()
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == len(course.CHAPTERS) + len(course.PAGES)
    edges = course_viz.map_edges()
    assert len(arrows) == len(edges)
    # every required edge left out is implied by a chain of the ones drawn
    drawn = {(a, b) for a, b, kind in edges if kind == "requires"}

    def above(doc):
        """Every page reachable upwards from doc along the drawn required arrows."""
        found, stack = set(), [doc]
        while stack:
            here = stack.pop()
            for a, b in drawn:
                if b == here and a not in found:
                    found.add(a)
                    stack.append(a)
        return found

    for start, end, kind in course.prerequisite_edges():
        if kind == "requires":
            assert start in above(end), f"{start} -> {end} is neither drawn nor implied"
    layout = course_viz.map_layout()
    for start, end, kind in edges:
        if kind == "requires":
            assert layout[start][1] < layout[end][1], (start, end)
