"""Per-student variants of the numeric exercises (minnet.exercises.variants, tools/variants.py).

For every variant exercise, over 200 student ids:
- the key's answer passes the chapter's checker for that student;
- each typical wrong answer the checker names fails, with that mistake's hint, and so does
  the book's answer whenever the student's differs;
- different ids nearly always give different numbers (the pair collision rate is measured
  on 1,000 ids and bounded below);
- over 10,000 ids, no generator poses a problem in which a typical mistake, or a swap of
  two answers, comes within 1.5 % of the right answer (a transposed shape of a network with
  two equal sizes, a target mean of 0, mu = 0.5 reaching 75 % exactly at a step);
- an answer rounded to three significant digits passes, a count must be whole;
- the same id gives the same numbers in another process (with another PYTHONHASHSEED);
- without a student (``None``) the numbers and answers are the ones the book prints.
Then tools/variants.py end to end on a 3-student roster, and its grading on a small
notebook run by a real kernel.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import numpy as np
import pytest

from minnet.exercises import answers, variants
from minnet.exercises.answers import HAND_RTOL, distinct_mistakes, well_posed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import variants as tool  # noqa: E402

IDS = [f"student-{i:03d}" for i in range(200)]
LABELS = list(variants.VARIANTS)

#: The tolerances of each variant's checker: numbers by hand to three significant digits;
#: shapes, counts and steps exactly.
TOLERANCE = {"ex-03-by-hand": (HAND_RTOL, 1e-9), "ex-04-shapes": (0, 0),
             "ex-05-shapes": (0, 0), "ex-06-stable": (HAND_RTOL, 1e-9),
             "ex-06-velocity": (0, 1e-9), "ex-08-l2": (HAND_RTOL, 1e-9),
             "ex-09-numbers": (HAND_RTOL, 1e-9), "ex-10-initial-loss": (HAND_RTOL, 1e-9)}


def _module(label):
    import importlib

    return importlib.import_module(f"minnet.exercises.{variants.get(label).module}")


def _check(label, answers, student):
    variant = variants.get(label)
    checker = getattr(_module(label), variant.checker)
    if label == "ex-06-stable":  # one number, not a dict
        answers = answers["eta"]
    return checker(answers, student=student, verbose=False)


def _mistakes(label, student):
    name = variants.get(label).problem.replace("_problem", "_mistakes")
    return getattr(_module(label), name)(variants.problem(label, student))


def _same(a, b, label):
    return answers._same(a, b, *TOLERANCE[label])


def test_there_are_at_least_eight_variant_exercises_in_six_chapters():
    assert len(variants.VARIANTS) >= 8
    assert len({v.notebook for v in variants.VARIANTS.values()}) >= 6


@pytest.mark.parametrize("label", LABELS)
def test_the_key_passes_for_every_student(label):
    for student in IDS:
        key = variants.answer(label, student)
        result = _check(label, key, student)
        assert result, f"{label}, {student}: {result.message}"


@pytest.mark.parametrize("label", LABELS)
def test_typical_mistakes_fail_with_their_hint(label):
    tried = 0
    for student in IDS:
        key = variants.answer(label, student)
        mistakes = _mistakes(label, student)
        # the generators draw again rather than pose a mistake that gives the answer
        assert distinct_mistakes(key, mistakes, *TOLERANCE[label]) == mistakes, student
        for part, pairs in mistakes.items():
            for wrong, _ in pairs:
                result = _check(label, {**key, part: wrong}, student)
                assert not result, f"{label}, {student}: {part} = {wrong} passed"
                assert result.failure.case == part
                # the hint shown is the one of a mistake (or of the book's answer) that
                # gives this value: the first in the checker's order
                book = variants.answer(label, None)[part]
                hints = [h for w, h in mistakes[part] if _same(wrong, w, label)]
                if _same(wrong, book, label) and not _same(book, key[part], label):
                    hints.insert(0, "That is the answer for the book's numbers")
                assert any(result.failure.hint.startswith(h) for h in hints), (
                    label, student, part, result.failure.hint)
                right = key[part] if isinstance(key[part], tuple) else f"{key[part]:.6g}"
                if len(str(right)) >= 4:  # a hint never gives the answer
                    assert str(right) not in result.failure.hint
                tried += 1
    assert tried >= len(IDS)


@pytest.mark.parametrize("label", LABELS)
def test_the_books_answer_fails_for_a_student_whose_answer_differs(label):
    book = variants.answer(label, None)
    differing = 0
    for student in IDS:
        key = variants.answer(label, student)
        parts = [p for p in key if not _same(book[p], key[p], label)]
        if not parts:
            continue
        result = _check(label, dict(book), student)
        assert not result
        assert result.failure.case == parts[0]
        assert "book's numbers" in result.failure.hint
        assert result.message.startswith("Your numbers:")
        differing += 1
    assert differing >= 0.9 * len(IDS)


def _fast_answer(label, problem):
    """The key of ``problem`` from the chapters' formulas: the keys of ex-05 (a minnet
    network on up to 512 MNIST-sized rows) and of ex-06-velocity (minnet's SGD for up to
    4,600 steps) are too slow for 10,000 ids; the formulas are checked against them below."""
    if label == "ex-05-shapes":
        n, h = problem["batch"], problem["hidden"]
        return {"Z1": (n, h), "Delta1": (n, h), "Delta2": (n, problem["out"]),
                "dC_dW2": (h, problem["out"]), "dC_db1": (h,)}
    if label == "ex-06-velocity":
        return {k: math.ceil(math.log(1 - problem["fraction"]) / math.log(problem[k]))
                for k in ("mu_a", "mu_b")}
    if label == "ex-04-shapes":
        n_in, h, o, n = (problem[k] for k in ("n_in", "hidden", "out", "batch"))
        return {"X": (n, n_in), "W1": (n_in, h), "b1": (h,), "Z1": (n, h), "A1": (n, h),
                "W2": (h, o), "b2": (o,), "Z2": (n, o), "Y_hat": (n, o),
                "params_1": (n_in + 1) * h, "params_2": (h + 1) * o,
                "multiply_adds": n * (n_in * h + h * o)}
    return getattr(_module(label), variants.get(label).answer)(problem)


@pytest.mark.parametrize("label", ["ex-04-shapes", "ex-05-shapes", "ex-06-velocity"])
def test_the_fast_formulas_agree_with_the_keys(label):
    for student in IDS[:40] + [None]:
        problem = variants.problem(label, student)
        assert _fast_answer(label, problem) == variants.answer(label, student), student


@pytest.mark.parametrize("label", LABELS)
def test_no_generator_poses_a_degenerate_problem_over_10000_ids(label):
    """Every typical mistake, and every swap of two answers that differ in the book, is
    more than answers.SEPARATION tolerances from the right answer, for 10,000 ids."""
    rtol, atol = TOLERANCE[label]
    book = variants.answer(label, None)
    for i in range(10_000):
        problem = variants.problem(label, f"id{i}")
        key = _fast_answer(label, problem)
        assert well_posed(key, _mistakes_of(label, problem), book, rtol=rtol, atol=atol), (
            label, problem)
    if label == "ex-04-shapes":  # four different sizes, as in the book's 3-5-2, batch 7
        assert len(set(problem.values())) == 4


def _mistakes_of(label, problem):
    name = variants.get(label).problem.replace("_problem", "_mistakes")
    return getattr(_module(label), name)(problem)


@pytest.mark.parametrize("label", LABELS)
def test_answers_rounded_to_three_significant_digits_pass(label):
    """The note asks for three significant digits; the book's solutions print three."""
    for student in IDS:
        key = variants.answer(label, student)
        rounded = {k: float(f"{v:.3g}") if isinstance(v, float) else v for k, v in key.items()}
        result = _check(label, rounded, student)
        assert result, (student, result.message)


def test_a_count_must_be_a_whole_number():
    from minnet.exercises.forward import check_shapes

    key = variants.answer("ex-04-shapes", "s0001")
    result = check_shapes({**key, "params_2": key["params_2"] + 0.4}, student="s0001",
                          verbose=False)
    assert not result and result.failure.case == "params_2"
    assert "a whole number is expected" in result.message
    assert result.failure.hint.startswith("Enter a whole number")
    assert check_shapes({**key, "params_2": float(key["params_2"])}, student="s0001",
                        verbose=False)


#: Largest share of pairs of students who get the same numbers, measured on 1,000 ids
#: (the measured rates are about half of these bounds).
COLLISION_BOUND = {"ex-03-by-hand": 2e-3, "ex-04-shapes": 1e-3, "ex-05-shapes": 1e-3,
                   "ex-06-stable": 1e-3, "ex-06-velocity": 1e-3, "ex-08-l2": 1e-4,
                   "ex-09-numbers": 1e-4, "ex-10-initial-loss": 1e-4}


@pytest.mark.parametrize("label", LABELS)
def test_two_students_nearly_never_share_numbers(label):
    ids = [f"id{i}" for i in range(1000)]
    counts = Counter(json.dumps(variants.problem(label, s), sort_keys=True) for s in ids)
    pairs = sum(k * (k - 1) // 2 for k in counts.values())
    rate = pairs / (len(ids) * (len(ids) - 1) / 2)
    print(f"{label}: {len(counts)} distinct problems for 1000 ids, pair collision rate {rate:.2e}")
    assert rate < COLLISION_BOUND[label]
    # and the numbers differ from the book's for nearly everyone
    book = json.dumps(variants.problem(label, None), sort_keys=True)
    assert counts[book] <= 5


def test_the_same_id_gives_the_same_numbers_in_another_process():
    code = ("import json; from minnet.exercises import variants as v; print(json.dumps("
            "{l: [v.problem(l, s) for s in ['a', 'student-007', ' s1234 ']] "
            "for l in v.VARIANTS}))")
    env = dict(os.environ, PYTHONHASHSEED="12345", PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True, timeout=120).stdout
    here = {label: [variants.problem(label, s) for s in ["a", "student-007", " s1234 "]]
            for label in variants.VARIANTS}
    assert json.loads(out) == json.loads(json.dumps(here))
    # spaces around an id do not change the numbers
    assert all(v[2] == variants.problem(label, "s1234") for label, v in here.items())


def test_seeds_are_fixed_sha256_values():
    # a change here would give every student new numbers after the key was handed out
    assert variants.student_seed("s1234", "ex-03-by-hand") == int.from_bytes(
        __import__("hashlib").sha256(b"ex-03-by-hand\x00s1234").digest()[:8], "big")
    assert variants.student_seed("alice", "ex-03-by-hand") == 17387950826454021367
    assert variants.problem("ex-03-by-hand", "alice") == {"p": 0.529, "y": 1.0}


@pytest.mark.parametrize("bad", ["", "   ", 1234, b"s1"])
def test_a_student_id_must_be_a_non_empty_string(bad):
    with pytest.raises(TypeError, match="non-empty string"):
        variants.problem("ex-03-by-hand", bad)


def test_an_unknown_label_names_the_known_ones():
    with pytest.raises(ValueError, match="ex-03-by-hand"):
        variants.problem("ex-99-nothing")


# ----------------------------------------------------- the book's own numbers (None)

BOOK_ANSWERS = {  # as printed in the chapters' solutions
    "ex-03-by-hand": {"bce": -math.log(0.8), "dbce_dp": -1.25, "dbce_dz": -0.2,
                      "dmse_dz": -0.064},
    "ex-04-shapes": {"X": (7, 3), "W1": (3, 5), "b1": (5,), "Z1": (7, 5), "A1": (7, 5),
                     "W2": (5, 2), "b2": (2,), "Z2": (7, 2), "Y_hat": (7, 2), "params_1": 20,
                     "params_2": 12, "multiply_adds": 175},
    "ex-05-shapes": {"Z1": (64, 30), "Delta1": (64, 30), "Delta2": (64, 10),
                     "dC_dW2": (30, 10), "dC_db1": (30,)},
    "ex-06-stable": {"eta": 2 / 9},
    "ex-06-velocity": {"mu_a": 22, "mu_b": 230},
    "ex-08-l2": {"l2_full": 5e-5, "lr_bce": 5.0, "l2_bce": 5e-6},
    "ex-09-numbers": {"glorot_var": 1.92e-3, "glorot_limit": 0.0760, "he_var": 2.55e-3,
                      "he_normal_std": 0.0574},
    "ex-10-initial-loss": {"binary": 0.693, "classes": 6.91, "regression": 29.0},
}


@pytest.mark.parametrize("label", LABELS)
def test_without_a_student_the_numbers_are_the_books(label):
    key = variants.answer(label, None)
    assert set(key) == set(BOOK_ANSWERS[label])
    for part, printed in BOOK_ANSWERS[label].items():
        if isinstance(printed, tuple) or isinstance(printed, int):
            assert key[part] == printed, (label, part)
        else:  # the page rounds to three significant digits
            assert key[part] == pytest.approx(printed, rel=3e-3), (label, part)
    assert _check(label, dict(key), None)
    # and the answers as the page prints them, rounded, pass too
    assert _check(label, dict(BOOK_ANSWERS[label]), None), label


@pytest.mark.parametrize("label", LABELS)
def test_the_chapter_has_a_student_id_cell_after_the_statement(label):
    variant = variants.get(label)
    notebook = nbformat.read(ROOT / "book" / f"{variant.notebook}.ipynb", as_version=4)
    statement, cell = tool._variant_cells(notebook, label)
    assert statement is not None and cell is not None, label
    assert "STUDENT_ID = None" in cell.source
    assert f"{variant.checker}(" in cell.source and "student=STUDENT_ID" in cell.source
    assert "check" in statement.source.split(f":label: {label}")[1]  # says how to check


def test_the_velocity_key_agrees_with_the_closed_form():
    from minnet.exercises import optimizers

    for student in IDS[:50]:
        problem = optimizers.velocity_problem(student)
        key = optimizers.velocity_answer(problem)
        for part in ("mu_a", "mu_b"):
            exact = math.log(1 - problem["fraction"]) / math.log(problem[part])
            assert key[part] == math.ceil(exact - 1e-9)


def test_the_l2_key_reproduces_nielsens_step_in_minnet():
    """For a few students, one minnet step with binary_crossentropy, the key's learning
    rate and l2 equals Nielsen's step (summed cost, lambda / N weight decay)."""
    from minnet import Sequential
    from minnet.layers import Dense
    from minnet.optimizers import SGD
    from minnet.regularizers import L2

    rng = np.random.default_rng(0)
    x, y = rng.random((8, 6)), np.eye(10)[rng.integers(0, 10, 8)]
    for student in IDS[:5]:
        problem, key = variants.problem("ex-08-l2", student), variants.answer("ex-08-l2", student)

        def net(lr, reg, problem=problem):
            model = Sequential([Dense(10, "sigmoid", kernel_regularizer=reg)], seed=1,
                               dtype="float64")
            model.build((None, 6))
            model.compile(SGD(lr), "binary_crossentropy")
            return model

        keras_like = net(key["lr_bce"], L2(key["l2_bce"]))
        W0 = keras_like.get_weights()
        grads = [10 * g for g in net(problem["eta"], None).gradients(x, y)]
        eta, decay = problem["eta"], problem["lmbda_small"] / problem["n_small"]
        nielsen = [(1 - eta * decay) * w - eta * g if w.ndim == 2 else w - eta * g
                   for w, g in zip(W0, grads, strict=True)]
        keras_like.train_on_batch(x, y)
        for a, b in zip(keras_like.get_weights(), nielsen, strict=True):
            assert np.abs(a - b).max() < 1e-12


# ------------------------------------------------------------------ tools/variants.py


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("variants")
    roster = out / "roster.txt"
    roster.write_text("# a class of three\ns0001\n\nada.lovelace@example.org\ns0003\n")
    result = subprocess.run(
        [sys.executable, "-m", "tools.variants", "--roster", str(roster), "--out",
         str(out / "class")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out / "class", ["s0001", "ada.lovelace@example.org", "s0003"]


def test_tool_writes_every_chapter_for_every_student(written):
    out, students = written
    chapters = sorted(p.name for p in (ROOT / "book").glob("[0-9][0-9]-*.ipynb"))
    for student in students:
        assert sorted(p.name for p in (out / student).glob("*.ipynb")) == chapters


def test_tool_answer_key_is_well_formed(written):
    out, students = written
    with open(out / "answer_key.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["student", "chapter", "exercise", "part", "answer", "numbers"]
    parts = sum(len(variants.answer(label, None)) for label in LABELS)
    assert len(rows) == len(students) * parts
    for row in rows:
        key = variants.answer(row["exercise"], row["student"])[row["part"]]
        if isinstance(key, tuple):
            assert row["answer"] == str(key)
        else:
            assert float(row["answer"]) == pytest.approx(key, rel=1e-5)
        assert row["chapter"] == variants.get(row["exercise"]).notebook
        assert row["numbers"]
    assert {row["student"] for row in rows} == set(students)


def test_tool_student_notebooks_name_the_student_and_give_no_solution(written):
    out, students = written
    for student in students:
        for label, variant in variants.VARIANTS.items():
            notebook = nbformat.read(out / student / f"{variant.notebook}.ipynb", as_version=4)
            nbformat.validate(notebook)
            text = "\n".join(c.source for c in notebook.cells)
            assert "{solution" not in text
            statement, cell = tool._variant_cells(notebook, label)
            assert f'STUDENT_ID = "{student}"' in cell.source
            assert f"student `{student}`" in statement.source
            assert variants.statement(label, student) in statement.source
            floats = any(isinstance(v, float) for v in variants.answer(label, student).values())
            assert ("three significant digits" in statement.source) == floats, label
            assert all(c.outputs == [] for c in notebook.cells if c.cell_type == "code")


def test_tool_rejects_a_bad_roster(tmp_path):
    for text, message in [("s1\ns1\n", "appears twice"), ("a b\n", "folder name"),
                          ("# nobody\n", "no student ids"), ("s1\nS1\n", "appears twice")]:
        roster = tmp_path / "roster.txt"
        roster.write_text(text)
        with pytest.raises(tool.RosterError, match=message):
            tool.read_roster(roster)
    # every bad line at once, with its number, so a class of 40 needs one more run only
    roster.write_text("s1\nJosé García\n\ns2\ns1\nx y\n")
    with pytest.raises(tool.RosterError) as error:
        tool.read_roster(roster)
    assert "3 bad line(s)" in str(error.value)
    assert all(f"line {n}:" in str(error.value) for n in (2, 5, 6))


def test_tool_reads_a_roster_saved_with_a_byte_order_mark(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_bytes("s0001\r\n  s0002 \r\n".encode("utf-8-sig"))
    assert tool.read_roster(roster) == ["s0001", "s0002"]


def test_grading_sets_every_student_id_however_it_is_written():
    cell = nbformat.v4.new_code_cell(
        'STUDENT_ID="s0002"\nanswers = {}\n    STUDENT_ID  =  "s0003"  # again\n'
        "check_x(answers, student = STUDENT_ID)\nok = STUDENT_ID == 's1'")
    tool.set_student(cell, "s0001")
    assert cell.source.count('STUDENT_ID = "s0001"') == 2
    assert "s0002" not in cell.source and "s0003" not in cell.source
    assert "STUDENT_ID == 's1'" in cell.source  # a comparison is not an assignment
    assert tool.STUDENT_ARG.search(cell.source)  # spaces around = are not an edit
    assert not tool.STUDENT_ARG.search("check_x(answers, student='s0002')")


def test_grade_runs_a_returned_notebook_and_collects_the_verdicts(tmp_path):
    """A returned notebook with a right, a wrong and an unanswered checker cell. The
    student set STUDENT_ID to a classmate's id: the grader sets the id of the folder, so
    the student's own key passes and the book's answers fail."""
    student = "s0001"
    key = variants.answer("ex-03-by-hand", student)
    book = variants.answer("ex-03-by-hand", None)
    cells = [
        nbformat.v4.new_markdown_cell("```{exercise} Losses by hand\n:label: ex-03-by-hand\n\n"
                                      "Compute.\n```"),
        nbformat.v4.new_code_cell(
            "from minnet.exercises.losses import check_losses_by_hand\n"
            'STUDENT_ID="s0002"  # a classmate\'s id, written without spaces\n'
            f"check_losses_by_hand({key!r}, student=STUDENT_ID)"),
        nbformat.v4.new_code_cell(f"check_losses_by_hand({book!r}, student=STUDENT_ID)"),
        nbformat.v4.new_markdown_cell("```{exercise} Another\n:label: ex-other\n\nGo.\n```"),
        nbformat.v4.new_code_cell(
            "check_losses_by_hand(dict.fromkeys(['bce', 'dbce_dp', 'dbce_dz', 'dmse_dz']))"),
        nbformat.v4.new_code_cell("check_losses_by_hand(undefined_name)"),
    ]
    edited = [cells[0], nbformat.v4.new_code_cell(  # the id dropped from the call
        "from minnet.exercises.losses import check_losses_by_hand\n"
        f"STUDENT_ID = None\ncheck_losses_by_hand({book!r})")]
    folder = tmp_path / student
    folder.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / "03-losses.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=edited), tmp_path / "04-forward.ipynb")
    rows = tool.grade(tmp_path, [student, "s0002"], chapters=["03-losses"], timeout=120)
    verdicts = [(r["student"], r["exercise"], r["verdict"]) for r in rows]
    assert verdicts == [
        (student, "ex-03-by-hand", "PASS"),
        (student, "ex-03-by-hand", "FAIL"),
        (student, "ex-other", "NOT ATTEMPTED YET"),
        (student, "ex-other", "ERROR"),
        ("s0002", "", "MISSING"),
    ]
    assert "NameError" in rows[3]["detail"]
    assert rows[0]["parts"] == "4 of 4 right, 0 wrong, 0 not attempted"
    assert rows[1]["parts"].startswith("0 of 4 right, 4 wrong")
    assert rows[2]["parts"] == "0 of 4 right, 0 wrong, 4 not attempted"
    assert list(rows[0]) == tool.GRADE_COLUMNS
    # a student who drops student=STUDENT_ID from the call fails, though the check passed
    (row,) = tool.grade_notebook(_as_chapter(tmp_path / "04-forward.ipynb", "03-losses"),
                                 student, timeout=120)
    assert row["verdict"] == "FAIL" and "edited" in row["detail"]


def _as_chapter(path, chapter):
    target = path.parent / "edited" / f"{chapter}.ipynb"
    target.parent.mkdir()
    target.write_bytes(path.read_bytes())
    return target


def test_grade_counts_a_checker_call_left_commented_out(tmp_path):
    """The student edition leaves a function exercise's checker call commented out; a
    student who never uncomments it gets a NO VERDICT row, not no row at all."""
    cells = [
        nbformat.v4.new_markdown_cell("```{exercise} A sigmoid\n:label: ex-02-sigmoid\n\nGo.\n```"),
        nbformat.v4.new_code_cell(
            "def my_sigmoid(z):\n    raise NotImplementedError\n\n\n"
            "# check_sigmoid(my_sigmoid)  # uncomment, then run"),
    ]
    folder = tmp_path / "s0001"
    folder.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / "02-activations.ipynb")
    (row,) = tool.grade(tmp_path, ["s0001"], chapters=["02-activations"], timeout=120)
    assert (row["exercise"], row["verdict"]) == ("ex-02-sigmoid", "NO VERDICT")
