"""Chapter 10 checkers: the update-to-weight ratio and clipping a gradient by its norm.

Each checker runs your function on several kinds of input, compares it with the reference
formula, and prints ``PASS`` or ``FAIL`` with the input that broke it and a hint naming the
likely mistake; a function that still raises ``NotImplementedError`` is reported as not
attempted yet (by :func:`minnet.exercises.core.check_function`).
"""

from __future__ import annotations

import copy

import numpy as np

from .answers import HAND_RTOL, check_answers, well_posed
from .core import Case, CheckResult, _describe_inputs, check_function
from .variants import pick, remembered, student_rng

__all__ = [
    "INITIAL_LOSS_BOOK",
    "check_clip_by_norm",
    "check_initial_losses",
    "check_update_ratio",
    "initial_loss_answer",
    "initial_loss_mistakes",
    "initial_loss_problem",
    "initial_loss_statement",
]

_SEED = 10


def _diagnose(fn, cases, candidates, reference):
    """The hint of the first wrong formula whose output ``fn`` reproduces on a case where
    that formula and the reference disagree."""
    for case in cases:
        right = np.asarray(reference(*copy.deepcopy(case.args)), dtype=float)
        try:
            got = np.asarray(fn(*copy.deepcopy(case.args)), dtype=float)
        except Exception:  # noqa: BLE001 - the check itself reports it
            continue
        for wrong, hint in candidates:
            try:
                expected = np.asarray(wrong(*copy.deepcopy(case.args)), dtype=float)
            except (ArithmeticError, ValueError):
                continue
            if expected.shape == right.shape and np.allclose(expected, right, rtol=1e-6,
                                                             atol=1e-12):
                continue  # this case cannot tell the wrong formula from the right one
            if got.shape == expected.shape and np.allclose(got, expected, rtol=1e-6, atol=1e-12):
                return hint
    return None


# ------------------------------------------------------------ update-to-weight ratio


def _ratio_reference(w_before, w_after):
    w_before = np.asarray(w_before, dtype=np.float64)
    w_after = np.asarray(w_after, dtype=np.float64)
    return float(np.linalg.norm(w_after - w_before) / np.linalg.norm(w_before))


def check_update_ratio(fn, verbose=True):
    """Check ``fn(w_before, w_after)``: the update-to-weight ratio
    ``||w_after - w_before|| / ||w_before||`` of one weight array (Frobenius norms over
    every entry), returned as one number."""
    name = "update-to-weight ratio"
    rng = np.random.default_rng(_SEED)
    w = rng.normal(size=(4, 3))
    big_step = w + rng.normal(size=(4, 3))
    cases = [
        Case("a vector and a small step", (np.array([3.0, 4.0]), np.array([3.0, 4.03]))),
        Case("a 4x3 kernel and a large step", (w, big_step)),
        Case("a float32 kernel and a step of about 1e-3",
             ((w * 0.1).astype(np.float32),
              (w * 0.1 + 1e-4 * rng.normal(size=(4, 3))).astype(np.float32))),
        Case("a step that shrinks every weight by 10 %", (w, 0.9 * w)),
    ]
    candidates = [
        (lambda a, b: np.linalg.norm(b - a) / np.linalg.norm(b),
         "You divided by the norm of the new weights; the ratio measures the step against "
         "the weights it was applied to, ||w_after - w_before|| / ||w_before||."),
        (lambda a, b: np.linalg.norm(a) / np.linalg.norm(b - a),
         "Your ratio is upside down: the step goes on top, the weights below."),
        (lambda a, b: np.sum((b - a) ** 2) / np.sum(a ** 2),
         "You compared squared norms: take the square roots (np.linalg.norm), so that the "
         "ratio scales like the step, not like its square."),
        (lambda a, b: np.mean(np.abs(b - a) / np.abs(a)),
         "You averaged the entry-by-entry ratios; a weight near zero makes its ratio explode. "
         "Compare the norms of the whole arrays instead."),
        (lambda a, b: np.mean(np.abs(b - a)) / np.mean(np.abs(a)),
         "Mean absolute values are a cousin of the ratio, but the exercise asks for norms: "
         "np.linalg.norm of the step over np.linalg.norm of the weights."),
        (lambda a, b: (np.linalg.norm(b) - np.linalg.norm(a)) / np.linalg.norm(a),
         "You took the difference of the norms, which is zero for a step that only rotates "
         "the weights; take the norm of the difference, ||w_after - w_before||."),
        (lambda a, b: abs(np.linalg.norm(b) - np.linalg.norm(a)) / np.linalg.norm(a),
         "You took the difference of the norms, which is zero for a step that only rotates "
         "the weights; take the norm of the difference, ||w_after - w_before||."),
        (lambda a, b: np.linalg.norm(b - a, 2) / np.linalg.norm(a, 2),
         "np.linalg.norm(x, 2) of a matrix is its largest singular value (the spectral norm), "
         "not the Frobenius norm over all entries: call np.linalg.norm(x) without the 2."),
    ]
    hint = _diagnose(fn, cases[1:], candidates, _ratio_reference)
    hints = {"value": hint or "Compute it for the first case by hand: the step is (0, 0.03) "
                              "and the weights have norm 5.",
             "shape": "Return one number (a float), not an array."}
    return check_function(fn, _ratio_reference, cases, hints=hints, name=name,
                          rtol=1e-5, atol=1e-12, verbose=verbose)


# ------------------------------------------------------------------- clip by norm


def _clip_reference(g, clipnorm):
    g = np.asarray(g)
    norm = float(np.linalg.norm(g.astype(np.float64)))
    if norm > clipnorm:
        return g * g.dtype.type(clipnorm / norm)
    return g.copy()


def check_clip_by_norm(fn, verbose=True):
    """Check ``fn(g, clipnorm)``: the gradient array ``g`` rescaled so that its norm is at
    most ``clipnorm`` (Keras's ``clipnorm``: ``g * clipnorm / ||g||`` when ``||g|| >
    clipnorm``, else ``g`` unchanged), a new array of ``g``'s shape and dtype, ``g`` itself
    left unchanged."""
    name = "clip by norm"
    rng = np.random.default_rng(_SEED + 1)
    cases = [
        Case("a vector longer than clipnorm", (np.array([3.0, 4.0]), 1.0)),
        Case("a vector shorter than clipnorm", (np.array([0.3, -0.4]), 1.0)),
        Case("a 5x3 kernel gradient, norm far above clipnorm", (50 * rng.normal(size=(5, 3)), 2.0)),
        Case("a float32 gradient", ((10 * rng.normal(size=6)).astype(np.float32), 1.0),
             check_dtype=True,
             hint={"dtype": "Multiply by a Python float (or g.dtype.type(...)): a numpy float64 "
                            "scalar turns a float32 gradient into float64."}),
    ]
    candidates = [
        (lambda g, c: np.clip(g, -c, c),
         "That clips every entry to [-clipnorm, clipnorm] (Keras's clipvalue). clipnorm "
         "keeps the direction: scale the whole array by clipnorm / ||g|| when ||g|| is larger."),
        (lambda g, c: g * c / np.linalg.norm(g),
         "You rescale every gradient to norm clipnorm, also the short ones: a gradient whose "
         "norm is already at most clipnorm must stay unchanged."),
        (lambda g, c: g / np.linalg.norm(g) if np.linalg.norm(g) > c else g,
         "You rescaled to norm 1, not to norm clipnorm: multiply by clipnorm / ||g||."),
        (lambda g, c: g * (c / np.sum(np.abs(g))) if np.sum(np.abs(g)) > c else g,
         "You measured the size with the sum of absolute values (the L1 norm); clipnorm uses "
         "the Euclidean norm, np.linalg.norm(g)."),
        (lambda g, c: g * (c / np.sum(g ** 2)) if np.sum(g ** 2) > c else g,
         "You used the squared norm; take its square root, np.linalg.norm(g)."),
    ]
    hint = _diagnose(fn, cases, candidates, _clip_reference)
    hints = {"value": hint or "Write it for the vector (3, 4) and clipnorm 1 by hand: its norm "
                              "is 5, so the clipped vector is (0.6, 0.8).",
             "shape": "Return an array shaped like g.",
             "mutation": "Leave g alone: compute g * factor, which makes a new array, instead "
                         "of g *= factor, which overwrites the caller's gradient."}
    result = check_function(fn, _clip_reference, cases, hints=hints, name=name,
                            rtol=1e-6, atol=1e-9, verbose=False)
    if result:
        aliased = _check_new_array(fn, cases, name)
        if aliased is not None:
            result = aliased
    return result.finish(verbose)


def _check_new_array(fn, cases, name):
    """A failed result if ``fn`` returns its input array itself (or a view of it), which
    the statement forbids: the caller's gradient and the clipped one would be one array."""
    for index, case in enumerate(cases):
        g = np.array(case.args[0], copy=True)
        got = fn(g, *case.args[1:])
        if isinstance(got, np.ndarray) and np.shares_memory(got, g):
            return CheckResult.failing(
                name, "the values are right, but your function returned g itself (or a view "
                "of it), not a new array: whatever the caller does to the result also "
                "changes the gradient it passed in.",
                "When the norm is at most clipnorm, return g.copy(), not g.",
                case=case.label, kind="aliasing",
                inputs=_describe_inputs(case.args, {}, ["g", "clipnorm"]),
                checked=[c.label for c in cases[:index]])
    return None


# -------------------------------------------------- initial losses (variant)

#: The numbers of the exercise "Initial losses to expect" in the book.
INITIAL_LOSS_BOOK = {"classes": 1000, "mean": 5.0, "std": 2.0}


def initial_loss_problem(student=None):
    """The numbers of "Initial losses to expect": the book's 1,000 classes and targets of
    mean 5 and standard deviation 2 for ``None``, else a student's number of classes
    (3-5,000), mean (-10 to 10) and standard deviation (0.5-5).

    A draw is kept only if every typical mistake is more than 1.5 % from the answer
    (:func:`~minnet.exercises.answers.well_posed`): with a mean of 0, forgetting the mean
    would pass; with a standard deviation of 1, forgetting to square it would; with a large
    mean and a small spread, forgetting the variance would."""
    if student is None:
        return dict(INITIAL_LOSS_BOOK)
    rng = student_rng(student, "ex-10-initial-loss")
    book = initial_loss_answer(INITIAL_LOSS_BOOK)
    while True:
        problem = {"classes": int(pick(rng, 3, 5000, 1)), "mean": pick(rng, -10, 10, 0.5),
                   "std": pick(rng, 0.5, 5, 0.5)}
        if well_posed(initial_loss_answer(problem), initial_loss_mistakes(problem), book,
                      rtol=HAND_RTOL):
            return problem


@remembered
def initial_loss_answer(problem):
    """The three expected initial losses (the instructor's key): ``ln 2``, ``ln K`` and
    ``E[y^2] = var + mean^2``."""
    return {"binary": float(np.log(2)), "classes": float(np.log(problem["classes"])),
            "regression": problem["std"] ** 2 + problem["mean"] ** 2}


def initial_loss_statement(problem):
    """The student's numbers, as MyST for the student edition."""
    return (f"the classifier of (b) has {problem['classes']:,} classes, and the targets of "
            f"(c) have mean {problem['mean']:g} and standard deviation {problem['std']:g}")


def initial_loss_mistakes(problem):
    """Typical wrong answers for ``problem``: ``{key: [(value, hint), ...]}``."""
    k, mean, std = problem["classes"], problem["mean"], problem["std"]
    log = "The cross-entropy uses the natural logarithm."
    return {
        "binary": [(0.5, "That is the untrained output p, not the loss: take the "
                         "cross-entropy of that output for either target."),
                   (np.log10(2), log)],
        "classes": [(1 / k, "That is the probability each class gets, not the loss: take "
                            "the cross-entropy of the probability of the right class."),
                    (np.log10(k), log)],
        "regression": [(mean ** 2, "The spread of the targets adds to the error: "
                                   "E[y^2] = Var(y) + (E y)^2."),
                       (std ** 2, "With outputs near 0, not near the mean, the mean adds "
                                  "its square: E[y^2] = Var(y) + (E y)^2."),
                       (mean ** 2 + std, "Var(y) is the square of the standard deviation.")],
    }


def check_initial_losses(answers, student=None, verbose=True):
    """Check ``{"binary": ..., "classes": ..., "regression": ...}`` of "Initial losses to
    expect", for the book's numbers or ``student``'s."""
    problem = initial_loss_problem(student)
    variant = student is not None
    return check_answers(
        answers, initial_loss_answer(problem), initial_loss_mistakes(problem),
        name="initial losses",
        hint="Before training the outputs are uninformative: every class equally likely, "
             "regression outputs near 0.", rtol=HAND_RTOL,
        book=initial_loss_answer(initial_loss_problem()) if variant else None,
        numbers=(f"K = {problem['classes']}, targets with mean {problem['mean']:g} and "
                 f"standard deviation {problem['std']:g} (student {student!r})")
        if variant else None,
        verbose=verbose)
