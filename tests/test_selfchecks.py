"""The "Check yourself" questions at the end of chapters 1-10, checked on the notebooks.

Fast: no kernel and no build (the built HTML and the browser are checked in
tests/test_book_build.py, ``-k selfcheck``). Each numbered chapter has one markdown cell
that starts with the heading ``## Check yourself``, placed after the exercises and just
before ``## Summary``. It holds an introduction, then questions written as

    **Question 1.** The stem, in MyST markdown (math and {eq} links allowed)?

    <details class="selfcheck"><summary>A. An option, plain text</summary>

    **Right:** why, with a pointer to the section or equation.

    </details>
    <details class="selfcheck"><summary>B. Another option</summary>

    **Not quite:** the misconception, and where the chapter deals with it.

    </details>

The blank lines around the feedback matter: without them MyST (and Jupyter) would read the
feedback as raw HTML, and its markdown and mathematics would not be rendered. The option
text inside ``<summary>`` is raw HTML, which MyST does not process, so it must be plain text
(Unicode for symbols, ``<code>...</code>`` for names from code). The machine-readable marker is the feedback's first words:
``**Right:**`` for the one right option of each question, ``**Not quite:**`` for the others.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

HEADING = "## Check yourself"
QUESTION = re.compile(r"^\*\*Question (\d+)\.\*\* ", re.MULTILINE)
OPTION = re.compile(
    r'<details class="selfcheck"><summary>(?P<summary>(?:[^<]|</?code>)*)</summary>\n\n'
    r"(?P<feedback>(?:(?!</?details).)*?)\n\n</details>",
    re.DOTALL,
)
MARKER = re.compile(r"\*\*(Right|Not quite):\*\* ")
# What MyST would process in markdown but shows literally inside raw HTML (code names
# go in <code>...</code>, which is left out of this check).
MARKUP = re.compile(r"[$`*_\\{}]")
CODE = re.compile(r"<code>[^<]*</code>")
MIN_QUESTIONS = 3
MIN_OPTIONS = 3


def _numbered_chapters() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [
        c["file"] for part in toc.get("parts", []) if part.get("numbered")
        for c in part.get("chapters", [])
    ]


CHAPTERS = _numbered_chapters()


def _markdown_cells(entry: str) -> list[tuple[str, str]]:
    """(id, source) of every markdown cell of the chapter, in order."""
    cells = json.loads((ROOT / f"{entry}.ipynb").read_text(encoding="utf-8"))["cells"]
    return [
        (c.get("id", ""), "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
        for c in cells if c["cell_type"] == "markdown"
    ]


def _selfcheck(entry: str) -> str:
    found = [src for _, src in _markdown_cells(entry) if src.startswith(HEADING)]
    assert len(found) == 1, (
        f"{entry}: expected one markdown cell starting with {HEADING!r}, found {len(found)}"
    )
    return found[0]


def parse(source: str) -> list[dict]:
    """The questions of a "Check yourself" cell: number, stem, and options with feedback.

    Each option is a dict with ``summary`` (its text, ``<code>`` tags included), ``verdict`` ("Right" or "Not quite",
    or None without a marker) and ``feedback`` (the text after the marker).
    """
    starts = list(QUESTION.finditer(source))
    questions = []
    for k, start in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(source)
        block = source[start.end():end]
        stem, _, _ = block.partition("<details")
        options = []
        for match in OPTION.finditer(block):
            feedback = match["feedback"].strip()
            marker = MARKER.match(feedback)
            options.append({
                "summary": match["summary"].strip(),
                "verdict": marker.group(1) if marker else None,
                "feedback": feedback[marker.end():] if marker else feedback,
            })
        questions.append({
            "number": int(start.group(1)),
            "stem": stem.strip(),
            "options": options,
            "details": block.count("<details"),
            "closing": block.count("</details>"),
        })
    return questions


def test_every_numbered_chapter_is_checked():
    assert len(CHAPTERS) >= 10, f"expected chapters 1-10 in _toc.yml, found {CHAPTERS}"


@pytest.mark.parametrize("entry", CHAPTERS)
def test_check_yourself_sits_after_the_exercises_and_before_the_summary(entry):
    headings = [src.split("\n", 1)[0] for _, src in _markdown_cells(entry)]
    assert HEADING in headings, f"{entry}: no {HEADING!r} cell"
    at = headings.index(HEADING)
    assert at + 1 < len(headings) and headings[at + 1] == "## Summary", (
        f"{entry}: the cell after {HEADING!r} should start with '## Summary', "
        f"not {headings[at + 1:at + 2]}"
    )
    assert "## Exercises" in headings[:at], f"{entry}: {HEADING!r} should follow the exercises"


@pytest.mark.parametrize("entry", CHAPTERS)
def test_each_question_has_options_with_feedback_and_exactly_one_right(entry):
    source = _selfcheck(entry)
    questions = parse(source)
    problems = []
    if len(questions) < MIN_QUESTIONS:
        problems.append(f"{len(questions)} questions, expected at least {MIN_QUESTIONS}")
    numbers = [q["number"] for q in questions]
    if numbers != list(range(1, len(questions) + 1)):
        problems.append(f"questions numbered {numbers}, expected 1, 2, ...")
    if source.count("<details") != sum(q["details"] for q in questions):
        problems.append("a <details> stands before the first question")
    for q in questions:
        where = f"question {q['number']}"
        if not q["stem"] or "?" not in q["stem"]:
            problems.append(f"{where}: the stem should ask a question: {q['stem'][:80]!r}")
        if q["details"] != len(q["options"]) or q["closing"] != q["details"]:
            problems.append(
                f"{where}: {q['details']} <details>, {q['closing']} </details>, but "
                f"{len(q['options'])} options read as "
                '<details class="selfcheck"><summary>...</summary>, a blank line, the '
                "feedback, a blank line, </details>"
            )
        if len(q["options"]) < MIN_OPTIONS:
            problems.append(f"{where}: {len(q['options'])} options, expected {MIN_OPTIONS}+")
        letters = [o["summary"][:3] for o in q["options"]]
        expected = [f"{chr(ord('A') + k)}. " for k in range(len(q["options"]))]
        if letters != expected:
            problems.append(f"{where}: options lettered {letters}, expected {expected}")
        summaries = [o["summary"] for o in q["options"]]
        if len(set(summaries)) != len(summaries):
            problems.append(f"{where}: two options have the same text")
        verdicts = [o["verdict"] for o in q["options"]]
        if verdicts.count("Right") != 1:
            problems.append(f"{where}: {verdicts.count('Right')} options marked Right, expected 1")
        for o in q["options"]:
            if o["verdict"] is None:
                problems.append(f"{where}, {o['summary'][:30]!r}: the feedback should start "
                                "with **Right:** or **Not quite:**")
            elif len(o["feedback"].split()) < 8:
                problems.append(f"{where}, {o['summary'][:30]!r}: the feedback should say why")
            if MARKUP.search(CODE.sub("", o["summary"])):
                problems.append(
                    f"{where}, {o['summary'][:40]!r}: option text is raw HTML, where markdown "
                    "and $math$ are not rendered; write it in plain text and Unicode"
                )
    assert not problems, f"{entry}:\n" + "\n".join(problems)


def test_the_parser_rejects_what_the_rules_forbid():
    """The checks above catch a missing blank line, two right answers and no marker."""
    good = (
        "**Question 1.** Which?\n\n"
        '<details class="selfcheck"><summary>A. One</summary>\n\n'
        "**Right:** because of the reason given in the chapter's own section.\n\n</details>\n"
        '<details class="selfcheck"><summary>B. Two</summary>\n\n'
        "**Not quite:** because of the other reason given in the chapter's section.\n\n"
        "</details>\n"
    )
    [q] = parse(good)
    assert [o["verdict"] for o in q["options"]] == ["Right", "Not quite"]
    cramped = good.replace("</summary>\n\n**Right", "</summary>\n**Right")
    [q] = parse(cramped)
    assert len(q["options"]) == 1 and q["details"] == 2
    twice = good.replace("**Not quite:**", "**Right:**")
    assert [o["verdict"] for o in parse(twice)[0]["options"]] == ["Right", "Right"]
    unmarked = good.replace("**Not quite:** ", "")
    assert parse(unmarked)[0]["options"][1]["verdict"] is None
