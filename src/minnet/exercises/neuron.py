"""Checkers for chapter 1 (the neuron).

* :func:`check_weighted_sum` - ``fn(X, w, b)``: the weighted sum ``z = X w + b`` of a batch;
* :func:`check_perceptron_update` - ``fn(w, b, x, y, lr)``: one step of the perceptron rule;
* :func:`check_separates` - weights ``(w, b)`` whose step neuron classifies ``(X, y)``;
* :func:`check_gate` - weights for a named logic gate (``"AND"``, ``"OR"``, ``"NAND"``, ``"NOR"``);
* :func:`check_separable_count` - your count of the linearly separable boolean functions.

Each one prints PASS or FAIL with the input that broke it and a hint, never the answer,
and returns a result that is true when the check passed. A stub that still raises
``NotImplementedError`` (or a placeholder left at ``None``) is reported as "not attempted
yet" rather than as a wrong answer.
"""

from __future__ import annotations

import difflib

import numpy as np

from ..errors import UnknownNameError
from .core import Case, CheckResult, Failure, check_function, python_loops

_SEED = 2025

#: The four inputs of a two-input logic gate, one per row.
GATE_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

#: Truth tables of the two-input gates, in the row order of :data:`GATE_INPUTS`.
GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "NOR": np.array([1, 0, 0, 0]),
    "XOR": np.array([0, 1, 1, 0]),
    "XNOR": np.array([1, 0, 0, 1]),
}


# ----------------------------------------------------------------------- weighted sum


def _weighted_sum(X, w, b):
    """Reference: ``z = X w + b``, one number per row of ``X``."""
    X = np.asarray(X)
    return X @ np.asarray(w) + b


def check_weighted_sum(fn, verbose=True):
    """Check ``fn(X, w, b)``: the weighted sums ``z_i = x_i . w + b`` of a batch.

    ``X`` has shape ``(n, n_in)`` (one example per row), ``w`` shape ``(n_in,)`` and ``b``
    is a number; the result has shape ``(n,)``. Tried on: one example in a batch of one,
    the four logic-gate inputs, a random batch with three features, a float32 batch (the
    result must stay float32), and a batch of ten thousand rows. The exercise asks for no
    Python loop: a function whose source holds a ``for``/``while`` loop, a comprehension or a
    per-row call (``map``, ``np.vectorize``, ``np.apply_along_axis``) fails even when its
    numbers are right.
    """
    name = "weighted sum"
    rng = np.random.default_rng(_SEED)
    orientation = ("X is batch-first: row i is example i. Multiply X (n, n_in) by w (n_in,) "
                   "to get one number per row; w @ X or X.T @ w mixes up the axes.")
    cases = [
        Case("one example (a batch of one row)",
             (np.array([[2.0, -1.0]]), np.array([0.5, 3.0]), 1.0)),
        Case("the four logic-gate inputs", (GATE_INPUTS.copy(), np.array([1.0, 1.0]), -1.5)),
        Case("a random batch with 3 features and 5 examples",
             (rng.normal(size=(5, 3)), rng.normal(size=3), -0.7), hint={"shape": orientation}),
        Case("a batch with 2 features and 3 examples (not square)",
             (rng.normal(size=(3, 2)), np.array([0.3, -2.0]), 0.25),
             hint={"shape": orientation, "exception": orientation}),
        Case("zero bias", (rng.normal(size=(4, 2)), np.array([1.0, -1.0]), 0.0)),
        Case("float32 batch (dtype kept)",
             (rng.normal(size=(6, 2)).astype(np.float32), np.array([0.5, -0.25], np.float32),
              np.float32(0.125)), check_dtype=True, rtol=1e-5, atol=1e-6),
        Case("a batch of 10,000 examples", (rng.normal(size=(10_000, 2)),
                                             np.array([0.2, 0.9]), 0.1)),
    ]
    hints = {
        "value": "z for one row is x1*w1 + x2*w2 + ... + b: each feature times its own "
                 "weight, summed, then the bias added once (not once per feature).",
        "shape": "Return one number per example: shape (n,). " + orientation,
        "exception": orientation,
    }
    result = check_function(fn, _weighted_sum, cases, hints=hints, name=name, verbose=False)
    loops = python_loops(fn) if result.passed else []
    if loops:
        loop = loops[0].kind
        hint = ("The numbers are right, but the exercise asks for no Python loop: numpy's "
                "matrix-vector product X @ w computes every row's sum over features at once "
                "(in compiled code), and + b broadcasts the bias over the rows.")
        failure = Failure("your code", "loop", f"your function uses {loop}", hint)
        result = CheckResult(False, f"FAIL {name}: the values are right on "
                                    f"{len(result.checked)} kinds of input, but your function "
                                    f"uses {loop}.\n    Hint: {hint}",
                             name, result.checked, failure)
    if verbose:
        result.show()
    return result


# ---------------------------------------------------------------- perceptron update


def _perceptron_update(w, b, x, y, lr):
    """Reference: with ``s = 2y - 1``, if ``s (x . w + b) <= 0`` (a wrong answer or a point on
    the line) return ``w + lr s x``, ``b + lr s``; otherwise ``w``, ``b`` unchanged."""
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    s = 2.0 * y - 1.0
    step = s if s * float(x @ w + b) <= 0 else 0.0
    return np.concatenate([w + lr * step * x, [b + lr * step]])


def _as_pair(fn):
    """Wrap ``fn(w, b, x, y, lr) -> (w_new, b_new)`` so its answer is one flat array."""

    def pair(w, b, x, y, lr):
        out = fn(w, b, x, y, lr)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError(
                f"expected the pair (w_new, b_new), got {type(out).__name__}"
                + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
            )
        w_new, b_new = out
        w_new = np.asarray(w_new, dtype=float)
        if w_new.shape != np.shape(w):
            raise ValueError(f"w_new has shape {w_new.shape}, expected {np.shape(w)} "
                             "(the shape of w)")
        if np.size(b_new) != 1:
            raise ValueError(f"b_new has {np.size(b_new)} entries, expected one number")
        return np.concatenate([w_new, [float(np.asarray(b_new).reshape(-1)[0])]])

    pair.__wrapped__ = fn
    pair.__name__ = getattr(fn, "__name__", "your update")
    return pair


def check_perceptron_update(fn, verbose=True):
    """Check ``fn(w, b, x, y, lr) -> (w_new, b_new)``: one step of the perceptron rule.

    With the label as a sign ``s = 2y - 1``, an example counts as a mistake when
    ``s (x . w + b) <= 0``: a wrong answer, or a point exactly on the line (a sum of 0),
    whatever its label. On a mistake ``w <- w + lr s x`` and ``b <- b + lr s``; otherwise
    nothing changes. Tried on: a correctly classified example (nothing changes), a missed 1,
    a false 1, a sum of exactly zero with each label, a learning rate other than 1, and
    three features. The inputs must not be modified in place.
    """
    threshold = ("A point exactly on the line (x . w + b = 0) counts as a mistake whatever "
                 "its label: test s * (x . w + b) <= 0 with s = 2y - 1, and move by lr * s. "
                 "A sum strictly greater than 0 is not a mistake for y = 1.")
    cases = [
        Case("a correctly classified example (y = 1, yhat = 1)",
             (np.array([1.0, 1.0]), 0.5, np.array([1.0, 0.0]), 1, 1.0),
             hint={"value": "Here s (x . w + b) > 0: the example is strictly on its own side, so "
                            "nothing moves; return w and b unchanged."}),
        Case("a missed 1 (y = 1, yhat = 0)",
             (np.array([1.0, -1.0]), -0.5, np.array([0.0, 1.0]), 1, 1.0),
             hint={"value": "A missed 1 has s = +1: add lr * x to w and lr to b, so that "
                            "x . w + b grows."}),
        Case("a false 1 (y = 0, yhat = 1)",
             (np.array([2.0, 1.0]), 0.0, np.array([1.0, 1.0]), 0, 1.0),
             hint={"value": "A false 1 has s = 2y - 1 = -1: subtract lr * x from w and lr "
                            "from b (moving by lr * y * x would not move at all for y = 0)."}),
        Case("a weighted sum of exactly 0 (y = 1)",
             (np.array([1.0, 1.0]), -1.0, np.array([0.0, 1.0]), 1, 1.0),
             hint={"value": threshold}),
        Case("a weighted sum of exactly 0 (y = 0)",
             (np.array([1.0, 1.0]), -1.0, np.array([1.0, 0.0]), 0, 1.0),
             hint={"value": threshold}),
        Case("learning rate 0.1 (y = 0, yhat = 1)",
             (np.array([0.5, 0.5]), 0.2, np.array([1.0, 0.0]), 0, 0.1),
             hint={"value": "Both updates are scaled by the learning rate lr: the weights "
                            "and the bias."}),
        Case("three features, a missed 1",
             (np.array([0.2, -0.4, 0.1]), -0.3, np.array([1.0, 1.0, 2.0]), 1, 0.5)),
    ]
    hints = {
        "value": "Test the current w and b first (s * (x . w + b) <= 0 is a mistake), then "
                 "update both w and b with the same factor lr * s, where s = 2y - 1.",
        "exception": "Return a pair: `return w_new, b_new`, with w_new shaped like w and "
                     "b_new a single number.",
        "mutation": "Build new arrays (w + ...) instead of updating w in place (w += ...): "
                    "the caller's w must not change.",
    }
    name = "perceptron update"
    result = check_function(_as_pair(fn), _perceptron_update, cases, hints=hints,
                            name=name, verbose=False)
    if not result.passed:
        result.message = (result.message
                          .replace("    got:      ", "    got (w_new, then b_new):      ", 1)
                          .replace("    expected: ", "    expected (w_new, then b_new): ", 1))
    if verbose:
        result.show()
    return result


# ------------------------------------------------------------- hand-tuned weights


def _fail(name, detail, hint, verbose):
    failure = Failure("your weights", "value", detail, hint)
    message = f"FAIL {name}: {detail}\n    Hint: {hint}"
    result = CheckResult(False, message, name, [], failure)
    if verbose:
        result.show()
    return result


#: A weighted sum this close to 0 counts as "on the line": rounding error, not a margin.
_ON_LINE = 1e-12


def check_separates(w, b, X, y, *, name="your neuron", verbose=True):
    """Check that the step neuron ``yhat = 1 if x . w + b > 0 else 0`` gets every point right,
    with no point on the line ``x . w + b = 0`` (a point there has no margin; a sum within
    ``1e-12`` of zero counts as on the line, since that is rounding error, not a margin).

    ``w`` has one weight per feature of ``X`` (shape ``(n_in,)``, or a Keras-style
    ``(n_in, 1)`` kernel), ``b`` is a number, ``X`` is ``(n, n_in)`` and ``y`` holds the 0/1
    labels. On failure the verdict lists the points it gets wrong, so you can move the line.
    """
    if w is None or b is None:
        return CheckResult.not_attempted(name, "your weights w and bias b",
                                         placeholder="None").finish(verbose)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).reshape(-1)
    try:
        w_arr = np.asarray(w, dtype=float).reshape(-1)
        b_val = float(np.asarray(b, dtype=float).reshape(-1)[0]) if np.size(b) == 1 else None
    except (TypeError, ValueError):
        return _fail(name, f"could not read w = {w!r}, b = {b!r} as numbers",
                     "Give w as a list or array of numbers and b as one number.", verbose)
    if b_val is None:
        return _fail(name, f"b has {np.size(b)} entries, expected a single number",
                     "A neuron with one output has one bias.", verbose)
    if w_arr.size != X.shape[1]:
        return _fail(name, f"w has {w_arr.size} entries but each point has {X.shape[1]} "
                           "features", "Give one weight per input feature.", verbose)
    z = X @ w_arr + b_val
    y_hat = (z > 0).astype(int)
    wrong = np.flatnonzero(y_hat != y)
    on_line = np.flatnonzero(np.isclose(z, 0.0, atol=_ON_LINE))
    if wrong.size == 0 and on_line.size:
        shown = "; ".join(f"x = {np.array2string(X[i], precision=3, separator=', ')} "
                          f"(z = {z[i]:.3g})" for i in on_line[:4])
        return _fail(name, f"{on_line.size} of {len(y)} points lie on the line "
                           f"(|z| <= {_ON_LINE:g}, zero up to rounding): {shown}.",
                     "The step's convention H(0) = 0 happens to answer this point right, but "
                     "with no margin: a library that answers 1 at z = 0, or a sigmoid (0.5), "
                     "would not. Slide the line with the bias so that every point has z != 0.",
                     verbose)
    if wrong.size == 0:
        message = (f"PASS {name}: w = {np.array2string(w_arr, precision=4, separator=', ')}, "
                   f"b = {b_val:g} classifies all {len(y)} points correctly.")
        result = CheckResult(True, message, name, ["all points"])
        if verbose:
            result.show()
        return result
    shown = "; ".join(f"x = {np.array2string(X[i], precision=3, separator=', ')}: label "
                      f"{int(y[i])}, your neuron says {int(y_hat[i])} (z = {z[i]:.3g})"
                      for i in wrong[:4])
    more = f" (and {wrong.size - 4} more)" if wrong.size > 4 else ""
    on_line = np.any(np.isclose(z[wrong], 0.0, atol=_ON_LINE))
    hint = ("A point exactly on the line (z = 0), or within rounding error of it, has no "
            "margin: the step answers it 0 only by convention, and rounding can tip it either "
            "way. Shift the bias a little so no point sits on the line." if on_line else
            "Draw the points and the line w . x + b = 0: w points into the side labelled 1. "
            "Rotate the line with the weights and slide it with the bias.")
    return _fail(name, f"{wrong.size} of {len(y)} points misclassified: {shown}{more}.",
                 hint, verbose)


def check_gate(w, b, gate="AND", *, verbose=True):
    """Check weights ``(w, b)`` for a two-input logic gate: ``"AND"``, ``"OR"``, ``"NAND"`` or
    ``"NOR"``, on the inputs (0, 0), (0, 1), (1, 0), (1, 1)."""
    key = str(gate).upper()
    if key not in GATES:
        close = difflib.get_close_matches(key, list(GATES), n=2, cutoff=0.5)
        suggestion = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownNameError(f"Unknown gate {gate!r}.{suggestion} check_gate knows "
                               f"{', '.join(GATES)} (in upper or lower case).")
    return check_separates(w, b, GATE_INPUTS, GATES[key], name=f"{key} neuron", verbose=verbose)


# ---------------------------------------------------------- counting exercise


def check_separable_count(count, verbose=True):
    """Check your count of the boolean functions of two inputs that one neuron can compute.

    A wrong count gets a hint aimed at the usual slip behind it (counting XOR or XNOR as
    separable, leaving out the constant functions, stopping the perceptron too early); the
    right number is never printed.
    """
    name = "separable count"
    if count is None:
        return CheckResult.not_attempted(name, "your count", placeholder="None").finish(verbose)
    if isinstance(count, (float, np.floating)) and float(count).is_integer():
        count = int(count)  # 14.0 from a mean or a float sum is still a count
    if not isinstance(count, (int, np.integer)) or isinstance(count, bool):
        hint = ("Count them: pass a whole number between 0 and 16 as an int "
                "(for example int(np.sum(verdicts))).")
        failure = Failure("your value", "type", f"got {count!r}", hint)
        result = CheckResult(False, f"FAIL {name}: got {count!r}, expected a whole number."
                                    f"\n    Hint: {hint}", name, [], failure)
        if verbose:
            result.show()
        return result
    count = int(count)
    method = ("For each of the 2**4 = 16 labellings run the perceptron until an epoch without "
              "a mistake (separable) or until it has made more mistakes than the convergence "
              "theorem allows (not separable).")
    if count < 0 or count > 16:
        hint = ("A count lies between 0 and 16: there are only 2**4 = 16 labellings of the "
                "four corners. Run the perceptron on each until an epoch without a mistake "
                "(separable) or until it has made more mistakes than the convergence theorem "
                "allows (not separable).")
    elif count > 14:
        hint = ("Too many: XOR is not linearly separable (the chapter's theorem), and neither "
                "is its negation XNOR, since negating w and b would turn a line for one into "
                "a line for the other. " + method)
    else:
        hint = ("Too few. Did you include the two constant functions (all 0s: any neuron with "
                "a large negative bias; all 1s: a large positive one)? And did you stop the "
                "perceptron too early? From zero weights, with the corners in the order "
                "(0, 0), (0, 1), (1, 0), (1, 1), AND's first epoch without a mistake is epoch 9, "
                "so a run capped at a few epochs calls some separable labellings "
                "inseparable. " + method)
    if count == 14:
        result = CheckResult(True, f"PASS {name}: {count} is right.", name, ["value"])
    else:
        failure = Failure("your value", "value", f"{count} is not right", hint)
        result = CheckResult(False, f"FAIL {name}: {count} is not right.\n    Hint: {hint}",
                             name, [], failure)
    if verbose:
        result.show()
    return result


__all__ = [
    "GATES",
    "GATE_INPUTS",
    "check_gate",
    "check_perceptron_update",
    "check_separable_count",
    "check_separates",
    "check_weighted_sum",
]
