"""Per-student variants of the book's numeric exercises.

An exercise whose answer is a number the student works out from given numbers ("a sigmoid
unit outputs p = 0.8 for a target y = 1: compute the cross-entropy") can be given to each
student with numbers of their own. A student is named by an id string (a student number, an
e-mail address); the id decides the numbers through a stable hash, so the same id gives the
same numbers on every machine and in every run, and two ids nearly always give different
numbers.

Each variant exercise has, in its chapter's checker module,

- ``problem(student=None)``: the numbers of that student's variant, a dict. ``None`` gives
  the book's own numbers, the ones the page prints;
- ``answer(problem)``: the right answer for those numbers (the instructor's key);

and the chapter's checker takes ``student=``: ``check_losses_by_hand(answers,
student="s1234")`` checks the answers against that student's numbers. This module holds the
hash and the registry :data:`VARIANTS` that the instructor's tool (``python -m
tools.variants``) reads::

    >>> from minnet.exercises import variants
    >>> variants.problem("ex-03-by-hand", "s1234")      # the numbers of student s1234
    >>> variants.answer("ex-03-by-hand", "s1234")       # and their answer

Exercises in which the student writes a function are not here: their checkers already try
the function on many inputs, so sharing one's numbers gives nothing away.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from dataclasses import dataclass

import numpy as np

from ..errors import UnknownNameError


def student_seed(student, exercise: str) -> int:
    """A 64-bit seed from a student id and an exercise label, the same on every machine.

    The id and the label are hashed together with SHA-256 (never Python's ``hash``, which
    changes from one process to the next), so each exercise draws its own numbers.
    Leading and trailing spaces of the id are ignored.
    """
    if not isinstance(student, str) or not student.strip():
        raise TypeError(f"A student id is a non-empty string, got {student!r}. Use the id "
                        "your instructor gave you, in quotes: STUDENT_ID = \"s1234\".")
    digest = hashlib.sha256(f"{exercise}\x00{student.strip()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def student_rng(student, exercise: str) -> np.random.Generator:
    """A numpy generator seeded by :func:`student_seed`: the numbers of one student's variant."""
    return np.random.default_rng(student_seed(student, exercise))


def pick(rng: np.random.Generator, low: float, high: float, step: float) -> float:
    """A number drawn uniformly from ``low, low + step, ..., high``, rounded to the step,
    so that a variant has numbers a student can type and compute with by hand."""
    count = int(round((high - low) / step)) + 1
    value = low + step * int(rng.integers(count))
    decimals = max(0, -int(np.floor(np.log10(step) + 1e-9)))
    return round(value, decimals)


def remembered(answer):
    """Decorate an ``answer(problem)`` function so that each problem is solved once.

    For keys that run a minnet network or an optimizer: a checker computes the student's
    key and the book's on every call, and the tests call it thousands of times.
    """
    solved = {}

    @functools.wraps(answer)
    def wrapper(problem):
        key = tuple(sorted(problem.items()))
        if key not in solved:
            solved[key] = answer(problem)
        return dict(solved[key])

    return wrapper


@dataclass(frozen=True)
class Variant:
    """A numeric exercise that exists in one variant per student.

    ``module`` is the chapter's checker module (``"losses"`` for
    :mod:`minnet.exercises.losses`); ``problem``, ``answer`` and ``statement`` name functions
    in it: the student's numbers, the right answer, and a sentence of MyST that states the
    numbers for the student edition.
    """

    label: str        # the exercise's label in the book, e.g. "ex-03-by-hand"
    notebook: str     # the chapter notebook, e.g. "03-losses"
    varies: str       # what changes from one student to the next, in words
    module: str
    problem: str
    answer: str
    statement: str
    checker: str      # the checker the student calls


#: Every variant exercise of the book, by its exercise label (``"ex-03-by-hand"``, ...).
VARIANTS = {v.label: v for v in [
    Variant("ex-03-by-hand", "03-losses", "the output p and the target y",
            "losses", "by_hand_problem", "by_hand_answer", "by_hand_statement",
            "check_losses_by_hand"),
    Variant("ex-04-shapes", "04-forward", "the layer sizes and the batch size",
            "forward", "shapes_problem", "shapes_answer", "shapes_statement",
            "check_shapes"),
    Variant("ex-05-shapes", "05-backprop", "the hidden layer's width and the batch size",
            "backprop", "backward_shapes_problem", "backward_shapes_answer",
            "backward_shapes_statement", "check_backward_shapes"),
    Variant("ex-06-stable", "06-optimizers", "the 2 x 2 matrix H",
            "optimizers", "stable_problem", "stable_answer", "stable_statement",
            "check_stable_rate_by_hand"),
    Variant("ex-06-velocity", "06-optimizers", "the two momentum coefficients and the fraction of the terminal velocity",
            "optimizers", "velocity_problem", "velocity_answer", "velocity_statement",
            "check_velocity_steps"),
    Variant("ex-08-l2", "08-overfitting", "lambda, N and eta of both runs",
            "overfitting", "l2_problem", "l2_answer", "l2_statement", "check_l2_numbers"),
    Variant("ex-09-numbers", "09-initialization", "the fan-in and the number of units",
            "initialization", "numbers_problem", "numbers_answer", "numbers_statement",
            "check_init_numbers"),
    Variant("ex-10-initial-loss", "10-when-training-goes-wrong",
            "the number of classes and the targets' mean and standard deviation",
            "debugging", "initial_loss_problem", "initial_loss_answer",
            "initial_loss_statement", "check_initial_losses"),
]}


def get(label: str) -> Variant:
    """The :class:`Variant` registered under an exercise label."""
    try:
        return VARIANTS[label]
    except KeyError:
        raise UnknownNameError(
            f"No variant exercise {label!r}. The variant exercises are: "
            f"{', '.join(VARIANTS)}.") from None


def _function(variant: Variant, name: str):
    module = importlib.import_module(f"{__package__}.{variant.module}")
    return getattr(module, name)


def problem(label: str, student=None) -> dict:
    """The numbers of ``student``'s variant of exercise ``label`` (the book's for ``None``)."""
    variant = get(label)
    return _function(variant, variant.problem)(student)


def answer(label: str, student=None) -> dict:
    """The right answer of ``student``'s variant of exercise ``label``: the key."""
    variant = get(label)
    return _function(variant, variant.answer)(problem(label, student))


def statement(label: str, student=None) -> str:
    """One sentence of MyST giving ``student``'s numbers, for the student edition."""
    variant = get(label)
    return _function(variant, variant.statement)(problem(label, student))


__all__ = ["VARIANTS", "Variant", "answer", "get", "pick", "problem", "remembered",
           "statement", "student_rng", "student_seed"]
