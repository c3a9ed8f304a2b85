"""The engine behind the book's exercise checkers.

A checker runs a student's function on several *kinds* of input (a :class:`Case` each:
a scalar, a batch, very large values...), compares every answer with a reference
implementation, and prints a verdict: ``PASS`` with the list of what was checked, or
``FAIL`` naming the first kind of input that went wrong, what came back, what was
expected, and a hint. It never prints the solution.

Every checker returns a :class:`CheckResult`, which is true when the check passed, so a
solution cell can say ``assert check_sigmoid(sigmoid)``. A function that still raises
``NotImplementedError`` (the exercise's stub) gets the verdict ``NOT ATTEMPTED YET``, not a
hint about an error the student has not made.

Three entry points:

* :func:`check_function`: compare a function with a reference function;
* :func:`check_gradient`: compare a gradient the student derived with central
  differences of the function itself;
* :func:`check_value`: compare a single computed answer with the expected one.
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import textwrap
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..checks import to_numpy
from ..gradient_check import FLOOR
from ..gradient_check import numerical_gradient as _central_differences

__all__ = [
    "DEFAULT_HINTS",
    "Case",
    "Failure",
    "CheckResult",
    "compare",
    "Loop",
    "LOOPING_CALLS",
    "python_loops",
    "check_function",
    "numerical_gradient",
    "check_gradient",
    "check_value",
]

#: Hints used when neither the case nor the checker gives one, by kind of failure.
DEFAULT_HINTS = {
    "exception": "Call your function yourself on the input above and read the error "
                 "from the bottom up: the last line says what went wrong.",
    "none": "Your function returned None: did you forget the `return` statement?",
    "type": "Return a number or a numpy array.",
    "shape": "Compare the shape you return with the shape of the input; check any "
             "sum or mean: which axis does it run over, and does it keep that axis?",
    "nonfinite": "Somewhere an intermediate value overflows (exp of a large number is inf) "
                 "or you divide zero by zero. Print the intermediate values for this input.",
    "value": "Check your formula on a value you can work out by hand.",
    "dtype": "Build the result from the input itself; a numpy float64 constant "
             "(np.float64(1.0), np.array(1.0)) mixed with a float32 array gives float64.",
    "warning": "An intermediate value overflowed or divided by zero even though the final "
               "values came out right; rearrange the formula so that it cannot.",
    "mutation": "Work on a new array (np.maximum, np.where, or z.copy()) instead of "
                "assigning into the input.",
}


@dataclass
class Case:
    """One kind of input a checker tries.

    Parameters
    ----------
    label : str
        How the verdict names this kind of input: ``"large negative z"``.
    args : tuple
        Positional arguments passed to the student's function and to the reference.
        (Each call gets its own deep copy, so nothing the student does leaks out.)
    kwargs : dict
        Keyword arguments, likewise.
    hint : str or dict, optional
        Shown when this case fails: one string, or a dict by kind of failure
        (``"exception"``, ``"none"``, ``"type"``, ``"shape"``, ``"nonfinite"``, ``"value"``,
        ``"dtype"``, ``"mutation"``, ``"warning"``).
    check_dtype : bool
        Also require the result's dtype to equal the reference's (e.g. float32 in,
        float32 out).
    rtol, atol : float, optional
        Tolerances for this case, overriding the checker's.
    """

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    hint: str | dict | None = None
    check_dtype: bool = False
    rtol: float | None = None
    atol: float | None = None


@dataclass
class Failure:
    """What went wrong: the case, the kind of failure, and the sentences that explain it."""

    case: str
    kind: str
    detail: str
    hint: str


class CheckResult:
    """The outcome of a check: true if it passed.

    Attributes
    ----------
    passed : bool
    message : str
        The verdict, as printed.
    name : str
        What was checked.
    checked : list of str
        Labels of the cases that passed.
    failure : Failure or None
        The first failing case, if any.
    notes : list of str
        Remarks that do not make the check fail (numpy warnings, for example).
    """

    def __init__(self, passed, message, name="", checked=(), failure=None, notes=()):
        self.passed = bool(passed)
        self.message = message
        self.name = name
        self.checked = list(checked)
        self.failure = failure
        self.notes = list(notes)
        self._shown = False

    @classmethod
    def passing(cls, name, message, checked=(), notes=()):
        """A passed check; ``message`` is the whole verdict, starting ``PASS name:``."""
        return cls(True, message, name, checked, None, notes)

    @classmethod
    def failing(cls, name, detail, hint="", *, case=None, kind="value", inputs=None,
                checked=(), notes=()):
        """A failed check, with the verdict written the same way for every checker::

            FAIL name: fails for <case>.          (FAIL name: <detail>, without a case)
                input:    <inputs>
                <detail>
                Hint: <hint>
                (passed before this: <checked>)

        Every line after the first is indented by four spaces.
        """
        if case is None:
            lines = [f"FAIL {name}: {detail}"]
        else:
            lines = [f"FAIL {name}: fails for {case}."]
            if inputs is not None:
                lines.append(f"    input:    {inputs}")
            lines += ["    " + line for line in detail.split("\n")]
        if hint:
            lines.append(f"    Hint: {hint}")
        if checked:
            lines.append(f"    (passed before this: {', '.join(checked)})")
        failure = Failure(case or "your value", kind, detail, hint)
        return cls(False, "\n".join(lines), name, checked, failure, notes)

    @classmethod
    def not_attempted(cls, name, what="your function", placeholder=None):
        """The verdict for an exercise not started yet: a stub that still raises
        ``NotImplementedError`` or, with ``placeholder="None"``, an answer still left at
        ``None``. Not a wrong answer, so it carries no hint."""
        if placeholder is None:
            state = "still raises NotImplementedError"
            action = "Replace the line `raise NotImplementedError` with your code"
        else:
            state = f"is still {placeholder}"
            action = f"Replace {placeholder} with your answer"
        message = (f"NOT ATTEMPTED YET {name}: {what} {state}.\n"
                   f"    {action}, run that cell, then run the check again.")
        failure = Failure("any input", "not attempted", f"{what} {state}", "")
        return cls(False, message, name, [], failure)

    def finish(self, verbose=True):
        """Print the verdict if ``verbose``; return the result (what every checker returns)."""
        if verbose:
            self.show()
        return self

    def __bool__(self):
        return self.passed

    def __str__(self):
        return self.message

    def __repr__(self):
        if self.passed:
            verdict = "PASS"
        elif self.failure.kind == "not attempted":
            verdict = "NOT ATTEMPTED YET"
        else:
            verdict = f"FAIL at {self.failure.case!r}"
        return f"<CheckResult {self.name}: {verdict}>"

    def show(self):
        """Print the verdict."""
        print(self.message)
        self._shown = True

    def _ipython_display_(self):
        # In a notebook the verdict was already printed; don't print it a second time.
        if not self._shown:
            self.show()


# ----------------------------------------------------------------------------- helpers


def _fmt(value, limit=8):
    """A short text form of an input or output for the verdict, one line at most.

    A small array is printed in full; a larger one is summarised by its shape, dtype and
    first entries; a list or tuple (``weights = [W1, b1, W2, b2]``) shows each item that
    way, so a failure message stays a few lines long whatever the student passed.
    """
    if isinstance(value, np.ndarray) and value.ndim > 0:
        if value.size > limit:
            return _summary(value)
        text = " ".join(np.array2string(value, precision=4, separator=", ").split())
        return f"array({text}, dtype={value.dtype})" if value.dtype != np.float64 else f"array({text})"
    if isinstance(value, (list, tuple)):
        if len(value) > limit:
            return f"a {type(value).__name__} of length {len(value)}"
        items = ", ".join(_fmt(item, limit) for item in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    if isinstance(value, (np.floating, float)):
        return f"{float(value):.6g}"
    if isinstance(value, (np.integer, np.bool_)):
        return repr(value.item())
    if isinstance(value, np.ndarray):  # 0-d
        return _fmt(value[()], limit)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _summary(array, first=3):
    """``array of shape (3, 4), dtype float32: [0.1234, -1.5, 2, ...]``: shape, dtype, a few entries."""
    entries = ", ".join(f"{float(x):.4g}" if array.dtype.kind in "fc" else repr(x.item())
                        for x in array.ravel()[:first])
    return f"array of shape {array.shape}, dtype {array.dtype}: [{entries}, ...]"


def _describe_inputs(args, kwargs, names=None):
    parts = []
    for i, a in enumerate(args):
        name = names[i] if names and i < len(names) else None
        parts.append(f"{name} = {_fmt(a)}" if name else _fmt(a))
    parts += [f"{k} = {_fmt(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


def _arg_names(fn):
    try:
        return [p.name for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return None


def _student_line(exc, fn):
    """The line of the student's own code where ``exc`` was raised, if we can find it."""
    code = getattr(getattr(fn, "__wrapped__", fn), "__code__", None)
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if code is not None and f.filename == code.co_filename]
    if mine and mine[-1].line:
        return f"\nat the line:  {mine[-1].line.strip()}"
    return ""


def _pick_hint(kind, *sources):
    for source in sources:
        if isinstance(source, str):
            return source
        if isinstance(source, dict) and kind in source:
            return source[kind]
    return DEFAULT_HINTS.get(kind, "")


def compare(got, expected, rtol=1e-6, atol=1e-8, check_dtype=False):
    """Compare a result with the expected one.

    Returns ``None`` if they agree, else ``(kind, detail)``: kind is one of ``"none"``,
    ``"type"``, ``"shape"``, ``"nonfinite"``, ``"value"``, ``"dtype"`` and detail is the
    sentence that explains the difference. Agreement means same shape and
    ``|got - expected| <= atol + rtol * |expected|`` everywhere (NaN matches NaN, inf
    matches inf of the same sign).
    """
    if got is None:
        return "none", "your function returned None"
    try:
        g = to_numpy(got)
    except Exception:  # noqa: BLE001 - anything that is not array-like
        return "type", f"got an object of type {type(got).__name__}, expected an array"
    e = to_numpy(expected)
    if g.dtype == object or not (np.issubdtype(g.dtype, np.number) or g.dtype == bool):
        return "type", f"got {type(got).__name__} with dtype {g.dtype}, expected numbers"
    if g.shape != e.shape:
        return "shape", f"got shape {g.shape}, expected shape {e.shape}"
    gf, ef = g.astype(np.float64), e.astype(np.float64)
    bad = ~np.isfinite(gf) & np.isfinite(ef)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {idx}" if g.ndim else ""
        return "nonfinite", (
            f"got:      {_fmt(g)}\nexpected: finite numbers close to {_fmt(e)}\n"
            f"({gf[idx]}{where}, where {ef[idx]:.6g} was expected)"
        )
    close = np.isclose(gf, ef, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all():
        idx = tuple(int(i) for i in np.argwhere(~close)[0])
        where = f" at index {idx}" if g.ndim else ""
        return "value", (
            f"got:      {_fmt(g)}\nexpected: {_fmt(e)}\n"
            f"(first difference{where}: {gf[idx]:.6g} instead of {ef[idx]:.6g})"
        )
    if check_dtype and g.dtype != e.dtype:
        return "dtype", f"the values are right but the dtype is {g.dtype}, expected {e.dtype}"
    return None


def _same(a, b):
    """True if two inputs are still identical (used to detect in-place changes)."""
    try:
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return True


def _verdict_pass(name, checked, notes):
    kinds = "kind" if len(checked) == 1 else "kinds"
    lines = [f"PASS {name}: matches the reference on {len(checked)} {kinds} of input:",
             "    " + ", ".join(checked) + "."]
    for note in notes:
        lines.append(f"    Note: {note}")
    return "\n".join(lines)


def _call(fn, case):
    """Run ``fn`` on fresh copies of the case's inputs; return (result, exception, warnings, args)."""
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
        warnings.simplefilter("always")
        try:
            return fn(*args, **kwargs), None, caught, (args, kwargs)
        except Exception as exc:  # noqa: BLE001 - the student's code may raise anything
            return None, exc, caught, (args, kwargs)


# ----------------------------------------------------------------------------- loops


@dataclass(frozen=True)
class Loop:
    """A Python loop found in a student's function: what it is and the source line."""

    kind: str  # "a `for` loop", "a list comprehension", "`map`, which calls Python once per row"
    line: str  # the line of source that holds it, stripped


_LOOP_KINDS = {ast.For: "a `for` loop", ast.AsyncFor: "a `for` loop", ast.While: "a `while` loop",
               ast.ListComp: "a list comprehension", ast.GeneratorExp: "a generator expression",
               ast.SetComp: "a set comprehension", ast.DictComp: "a dict comprehension"}

#: Calls that hide a Python loop over the rows (``map``, ``np.vectorize``, ...).
LOOPING_CALLS = {"map", "vectorize", "apply_along_axis", "fromiter", "frompyfunc"}


def python_loops(fn):
    """The Python loops in ``fn``'s source, in source order, as :class:`Loop` objects.

    A loop is a ``for`` or ``while`` statement, a comprehension or generator expression, or
    a call that runs Python once per row (:data:`LOOPING_CALLS`). Only ``fn``'s own body
    is read (for a lambda, the one lambda on its line). Returns an empty list when there is
    none, or when the source cannot be read (a built-in, code typed into ``exec``).
    """
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return []
    name = getattr(fn, "__name__", "")
    if name == "<lambda>":  # the source line may hold more than fn
        lambdas = [node for node in ast.walk(tree) if isinstance(node, ast.Lambda)]
        inner = {id(sub) for node in lambdas for sub in ast.walk(node) if sub is not node}
        bodies = [node for node in lambdas if id(node) not in inner]
    else:
        bodies = [node for node in ast.walk(tree)
                  if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.name == name][:1] or [tree]
    if len(bodies) != 1:
        return []  # several lambdas on the line: cannot tell which one is fn
    lines = source.splitlines()
    found = []
    for node in ast.walk(bodies[0]):
        kind = next((text for cls, text in _LOOP_KINDS.items() if isinstance(node, cls)), None)
        if kind is None and isinstance(node, ast.Call):
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
                node.func, "id", None)
            if callee in LOOPING_CALLS:
                kind = f"`{callee}`, which calls Python once per row"
        if kind is not None:
            # a comprehension is shown by the line of its `for`
            where = node.generators[0].target if hasattr(node, "generators") else node
            found.append((where.lineno, where.col_offset, kind))
    return [Loop(kind, lines[lineno - 1].strip()) for lineno, _, kind in sorted(found)
            if 0 < lineno <= len(lines)]


# ----------------------------------------------------------------------------- checks


def check_function(student_fn, reference_fn, cases, *, rtol=1e-6, atol=1e-8, name=None,
                   hints=None, strict_warnings=False, verbose=True):
    """Check ``student_fn`` against ``reference_fn`` on each case, in order.

    For every :class:`Case` both functions are called with (copies of) its inputs, and
    the student's result must: be returned (not ``None``) without raising; be numeric;
    have the reference's shape; be finite wherever the reference is; agree within
    ``|got - expected| <= atol + rtol * |expected|``; keep the reference's dtype when the
    case asks for it; and leave the inputs unchanged. The first case that fails stops the
    check.

    Parameters
    ----------
    student_fn, reference_fn : callable
    cases : list of Case
    rtol, atol : float
        Default tolerances (a case may override them).
    name : str, optional
        What the verdict calls the check; defaults to the student's function name.
    hints : dict, optional
        Hints by case label (a string or a dict by kind of failure) or by kind of failure;
        a case's own ``hint`` comes first, then these, then :data:`DEFAULT_HINTS`.
    strict_warnings : bool
        Treat numpy warnings raised by the student's code (overflow in exp, division by
        zero, ...) as failures. By default they only add a note to a PASS.
    verbose : bool
        Print the verdict (default). The result is returned either way.

    Returns
    -------
    CheckResult
        True if every case passed.
    """
    hints = hints or {}
    name = name or getattr(student_fn, "__name__", "your function")
    arg_names = _arg_names(student_fn) or _arg_names(reference_fn)
    checked, notes = [], []
    if not callable(student_fn):
        return CheckResult.failing(
            name, f"expected a function, got {type(student_fn).__name__}.",
            "Pass the function itself, without calling it: check(f), not check(f(x)).",
            kind="type").finish(verbose)

    for case in cases:
        with np.errstate(all="ignore"):
            expected = reference_fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        got, exc, caught, (args_after, kwargs_after) = _call(student_fn, case)
        inputs = _describe_inputs(case.args, case.kwargs, arg_names)
        problem = None
        if isinstance(exc, NotImplementedError) and not checked:
            return CheckResult.not_attempted(name).finish(verbose)
        if exc is not None:
            problem = ("exception",
                       f"your function raised {type(exc).__name__}: {exc}"
                       + _student_line(exc, student_fn))
        else:
            problem = compare(got, expected,
                              rtol=case.rtol if case.rtol is not None else rtol,
                              atol=case.atol if case.atol is not None else atol,
                              check_dtype=case.check_dtype)
            if problem is not None and problem[0] == "dtype":
                problem = ("dtype", problem[1] + f" (input dtype: {_dtype_of(case.args)})")
            if problem is None:
                changed = [i for i, (before, after) in enumerate(zip(case.args, args_after, strict=True))
                           if not _same(before, after)]
                if changed:
                    problem = ("mutation", "the result is right, but your function changed "
                                           "its input array in place; the caller's data was overwritten")
        numpy_warnings = sorted({str(w.message) for w in caught
                                 if issubclass(w.category, RuntimeWarning)})
        if problem is None and numpy_warnings and strict_warnings:
            problem = ("warning", "the values are right, but numpy warned: "
                                    + "; ".join(numpy_warnings))
        if problem is not None:
            kind, detail = problem
            hint = _pick_hint(kind, case.hint, hints.get(case.label), hints)
            return CheckResult.failing(name, detail.rstrip("\n"), hint, case=case.label,
                                       kind=kind, inputs=inputs, checked=checked,
                                       notes=notes).finish(verbose)
        if numpy_warnings:
            notes.append(f"for {case.label}, numpy warned: {'; '.join(numpy_warnings)}. "
                         "The values came out right, but an intermediate result overflowed.")
        checked.append(case.label)

    return CheckResult.passing(name, _verdict_pass(name, checked, notes), checked,
                               notes).finish(verbose)


def _dtype_of(args):
    dtypes = [str(np.asarray(a).dtype) for a in args if isinstance(a, np.ndarray)]
    return ", ".join(dtypes) or "not an array"


def numerical_gradient(f, *args, wrt=0, eps=1e-6, **kwargs):
    """Central-difference gradient of ``f`` with respect to argument ``wrt``, in float64.

    Each entry ``i`` of the argument is nudged both ways::

        dF/dx_i ~ (F(x + eps e_i) - F(x - eps e_i)) / (2 eps)

    where ``F = f(...)`` if ``f`` returns a number, or ``F = f(...).sum()`` if it returns an
    array (for an element-wise function that sum's gradient is its derivative at each
    entry). The error is of order ``eps**2``. Returns an array shaped like the argument.
    The differences are :func:`minnet.gradient_check.numerical_gradient`'s.
    """
    args = [np.array(a, dtype=np.float64) if i == wrt else a for i, a in enumerate(args)]

    def F():
        return float(np.sum(to_numpy(f(*args, **kwargs)), dtype=np.float64))

    return _central_differences(F, args[wrt], eps)


def check_gradient(student_grad_fn, f, cases, *, wrt=0, eps=1e-6, rtol=1e-4, atol=1e-6,
                   name=None, hints=None, verbose=True):
    """Check a hand-derived gradient against central differences of ``f``.

    For each :class:`Case`, ``student_grad_fn(*args)`` must return the gradient of
    ``f(*args)`` with respect to argument number ``wrt`` (an array shaped like that
    argument), and agree with :func:`numerical_gradient` within
    ``|got - numeric| <= atol + rtol * |numeric|``. If ``f`` returns an array, the
    gradient is that of its sum, i.e. the element-wise derivative of an element-wise
    function. Inputs are converted to float64 first, as every gradient check should be.
    Choose cases away from kinks (ReLU at 0), where no derivative exists.

    Returns
    -------
    CheckResult
        True if every case passed; the verdict also reports the largest relative error
        ``|g - n| / max(|g| + |n|, FLOOR)`` seen, entry by entry, with
        :data:`minnet.gradient_check.FLOOR` (1e-8) as the floor of the denominator, so that
        two gradients that are both nearly zero count as agreeing.
    """
    worst = [0.0]

    def reference(*args, **kwargs):
        num = numerical_gradient(f, *args, wrt=wrt, eps=eps, **kwargs)
        return num

    def as_f64(a):  # floating inputs in double precision; integer labels stay integers
        if isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating):
            return a.astype(np.float64)
        return np.float64(a) if isinstance(a, float) else a

    f64_cases = [Case(c.label, tuple(as_f64(a) for a in c.args), dict(c.kwargs), c.hint,
                      False, c.rtol, c.atol) for c in cases]

    @functools.wraps(student_grad_fn)
    def recording_student(*args, **kwargs):
        g = student_grad_fn(*args, **kwargs)
        try:
            num = reference(*args, **kwargs)
            ga = to_numpy(g).astype(np.float64)
            if ga.shape == num.shape:
                # the denominator is floored as in minnet.gradient_check: two gradients
                # that are both (nearly) zero agree, and 1e-305 against 0 is no error
                rel = np.abs(ga - num) / np.maximum(np.abs(ga) + np.abs(num), FLOOR)
                worst[0] = max(worst[0], float(rel.max(initial=0.0)))
        except Exception:  # noqa: BLE001 - reported by check_function itself
            pass
        return g

    default_hints = {"value": "Differentiate step by step with the chain rule and compare "
                              "with the numerical gradient on a single entry you can follow."}
    result = check_function(recording_student, reference, f64_cases, rtol=rtol, atol=atol,
                            name=name or getattr(student_grad_fn, "__name__", "your gradient"),
                            hints={**default_hints, **(hints or {})}, verbose=False)
    if result.passed:
        result.message = result.message.replace(
            "matches the reference", "matches central differences", 1)
        result.message += (f"\n    Largest relative error |g - n| / max(|g| + |n|, {FLOOR:g}): "
                           f"{worst[0]:.2e}.")
    else:
        result.message = result.message.replace("    expected: ", "    central differences: ")
    return result.finish(verbose)


def check_value(value, expected, *, name="your answer", rtol=1e-6, atol=1e-8, hint=None,
                check_dtype=False, verbose=True):
    """Check one computed answer (a number or an array) against the expected one.

    For exercises whose answer is a value rather than a function: "compute the output of
    this neuron". The verdict says what differs (shape, a non-finite entry, the first
    value off) and gives ``hint`` on failure.

    Returns
    -------
    CheckResult
    """
    problem = compare(value, expected, rtol=rtol, atol=atol, check_dtype=check_dtype)
    if problem is None:
        message = f"PASS {name}: {_fmt(to_numpy(value))} is right."
        return CheckResult.passing(name, message, ["value"]).finish(verbose)
    kind, detail = problem
    if kind in ("value", "nonfinite"):  # never print the expected answer itself
        detail = f"{_fmt(to_numpy(value))} is not right (checked to a relative tolerance of {rtol:g})"
    return CheckResult.failing(name, detail, _pick_hint(kind, hint), kind=kind).finish(verbose)
