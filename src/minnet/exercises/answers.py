"""Checking answers worked out by hand: a dict of numbers (or shapes), one verdict each.

For exercises like "compute the binary cross-entropy and its derivatives for p = 0.8": the
student fills a dict ``{"bce": ..., "dbce_dp": ...}`` and the chapter's checker calls
:func:`check_answers` with the right values and the typical wrong ones. Every entry gets its
own line, ``PASS``, ``FAIL`` with the hint of the mistake the number most likely comes from,
or ``NOT ATTEMPTED YET`` while it is still ``None``; the right values are never printed.

A value is a number, compared to a relative tolerance (:data:`HAND_RTOL`, 0.5 %, accepts any
answer rounded to three significant digits); a whole number (a count, a number of steps),
compared exactly; or a shape (a tuple of whole numbers), compared exactly.
"""

from __future__ import annotations

import numpy as np

from .core import CheckResult, Failure

#: The relative tolerance of numbers worked out by hand. Any answer rounded to three
#: significant digits is within 0.5 % of the exact value (1.005 rounds to 1.00 or 1.01).
HAND_RTOL = 5e-3

#: How far (in tolerances) a typical wrong answer, or another part's answer, must be from a
#: right answer for a problem to be posed: rounded to three significant digits, a wrong
#: answer then still fails.
SEPARATION = 3.0


def _is_shape(value) -> bool:
    return isinstance(value, tuple)


def _is_whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _as_shape(value):
    """``value`` as a tuple of ints, or None if it is not a shape."""
    if isinstance(value, np.ndarray):
        return None
    if not isinstance(value, (tuple, list)):
        return None
    try:
        items = [int(v) for v in value]
    except (TypeError, ValueError):
        return None
    if any(float(v) != i for v, i in zip(value, items, strict=True)):
        return None
    return tuple(items)


def _same(value, expected, rtol, atol) -> bool:
    if _is_shape(expected):
        return _as_shape(value) == expected
    if _is_whole(expected):
        return float(value) == expected
    return bool(np.isclose(value, expected, rtol=rtol, atol=atol))


def _show(value) -> str:
    return str(value) if isinstance(value, tuple) else f"{value:.6g}"


def check_answers(answers, reference, mistakes=None, *, name, hint, rtol=1e-3, atol=1e-9,
                  book=None, numbers=None, verbose=True):
    """Check a dict of answers worked out by hand against ``reference``.

    Parameters
    ----------
    answers : dict
        The student's values by key; ``None`` for one not answered yet.
    reference : dict
        The right value of every key: a float, compared to ``rtol`` and ``atol``; an int (a
        count), compared exactly; or a tuple of ints for a shape.
    mistakes : dict, optional
        For each key, a list of ``(wrong value, hint)``: the typical wrong answers, each with
        the hint that explains it. The first one the student's value matches is shown.
    hint : str
        The hint for a wrong value that matches no known mistake.
    rtol, atol : float
        Tolerances for numbers: ``|got - right| <= atol + rtol * |right|``.
    book : dict, optional
        The right values for the book's numbers, when ``reference`` is a student's variant:
        a student who copies the book's answer is told so.
    numbers : str, optional
        The numbers of the student's variant, printed first (``"p = 0.63, y = 0"``).

    Returns
    -------
    CheckResult
        True when every value is right.
    """
    keys = list(reference)
    if not isinstance(answers, dict):
        example = "{" + ", ".join(f'"{k}": ...' for k in keys) + "}"
        detail = f"expected a dict, got {type(answers).__name__}"
        why = f"Pass the dict of your answers: {example}."
        failure = Failure("your answers", "type", detail, why)
        result = CheckResult(False, f"FAIL {name}: {detail}.\n    Hint: {why}", name, [],
                             failure)
        return result.finish(verbose)
    mistakes = mistakes or {}
    lines = [f"Your numbers: {numbers}."] if numbers else []
    checked, failure, missing = [], None, []
    unknown = sorted(set(answers) - set(keys))
    if unknown:
        lines.append(f"FAIL unknown keys {unknown}: use exactly {keys}.")
        failure = Failure("your answers", "type", f"unknown keys {unknown}",
                          f"use exactly the keys {keys}")
    for key in keys:
        expected, value = reference[key], answers.get(key)
        if value is None:
            lines.append(f"NOT ATTEMPTED YET {key}: not answered yet.")
            missing.append(key)
            continue
        if _is_shape(expected):
            got = _as_shape(value)
            kind_hint = "enter a shape, a tuple of whole numbers such as (7, 3)"
        else:
            try:
                got = float(value)
            except (TypeError, ValueError):
                got = None
            kind_hint = "enter a number"
        if got is None:
            lines.append(f"FAIL {key}: got {value!r}; {kind_hint}.")
            failure = failure or Failure(key, "type", f"got {value!r}", kind_hint)
            continue
        if _same(got, expected, rtol, atol):
            lines.append(f"PASS {key}: {_show(got)} is right.")
            checked.append(key)
            continue
        why = hint
        if _is_whole(expected) and not float(got).is_integer():
            why = ("Enter a whole number: a count of parameters, of multiply-adds or of "
                   "steps has no fractional part.")
        known = list(mistakes.get(key, ()))
        if book is not None:  # first: a copied answer is the likeliest reason
            known.insert(0, (book[key], "That is the answer for the book's numbers; use "
                                        "the numbers of your variant, printed above."))
        for wrong, text in known:
            if _same(got, wrong, rtol, atol):
                why = text
                break
        if _is_shape(expected):
            tolerance = ""
        elif _is_whole(expected):
            tolerance = " (a whole number is expected)"
        else:
            tolerance = f" (checked to a relative tolerance of {rtol:g})"
        lines.append(f"FAIL {key}: {_show(got)} is not right{tolerance}.\n    Hint: {why}")
        failure = failure or Failure(key, "value", f"{_show(got)} is not right", why)
    passed = failure is None and not missing
    if failure is None and missing:
        failure = Failure(missing[0], "not attempted", "not answered yet", "")
    return CheckResult(passed, "\n".join(lines), name, checked, failure).finish(verbose)


def distinct_mistakes(reference, mistakes, rtol=1e-3, atol=1e-9):
    """The typical wrong answers that differ from the right ones: for some numbers a
    mistake gives the right value by accident (``p - y`` and ``y - p`` when ``p = y``),
    and a checker cannot call such a value wrong."""
    return {key: [(wrong, text) for wrong, text in pairs
                  if not _same(wrong, reference[key], rtol, atol)]
            for key, pairs in mistakes.items()}


def _apart(a, b, rtol, atol) -> bool:
    """Whether ``a`` and ``b`` are more than :data:`SEPARATION` tolerances apart (or differ,
    for shapes and whole numbers)."""
    if _is_shape(b) or _is_shape(a):
        return _as_shape(a) != _as_shape(b)
    if _is_whole(a) and _is_whole(b):
        return a != b
    return not np.isclose(a, b, rtol=SEPARATION * rtol, atol=SEPARATION * atol)


def well_posed(reference, mistakes, book=None, *, rtol, atol=1e-9) -> bool:
    """Whether a checker with tolerances ``rtol``, ``atol`` can tell right from wrong here.

    True when every typical wrong answer of ``mistakes`` is far from the right one (more
    than :data:`SEPARATION` tolerances: rounded to three significant digits it still
    fails), and no two parts of ``reference`` are that close, so that swapping two answers
    fails too. Parts that are equal in ``book`` (the right answers for the book's numbers,
    e.g. the shapes of ``Z1`` and ``A1``) are equal by nature and may stay equal. A
    generator of variants draws again when this is False: the sizes of a network that make
    a transposed shape right by accident, a target mean of 0 that makes forgetting the mean
    harmless.
    """
    for key, pairs in mistakes.items():
        for wrong, _ in pairs:
            if not _apart(wrong, reference[key], rtol, atol):
                return False
    keys = list(reference)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if _is_shape(reference[a]) != _is_shape(reference[b]):
                continue
            if book is not None and not _apart(book[a], book[b], rtol, atol):
                continue
            if not _apart(reference[a], reference[b], rtol, atol):
                return False
    return True


__all__ = ["HAND_RTOL", "SEPARATION", "check_answers", "distinct_mistakes", "well_posed"]
