"""Checkers for chapter 7 (training a network end to end).

* :func:`check_batch_indices`: ``batch_indices(n, batch_size, rng)``, the mini-batches of
  one epoch as arrays of example indices (shuffled when ``rng`` is given);
* :func:`check_least_squares`: ``least_squares(x, y)``, the closed-form linear
  least-squares fit ``(w, b)`` with ``w`` shaped like a ``Dense`` kernel;
* :func:`check_initial_loss`: ``initial_loss(k)``, the cross-entropy an untrained
  classifier with ``k`` balanced classes should report.

Every checker prints ``PASS``, ``FAIL`` with the input that broke it and a hint (never the
answer), or ``NOT ATTEMPTED YET`` (:meth:`~minnet.exercises.core.CheckResult.not_attempted`) while the function
still raises ``NotImplementedError``; it returns a result that is true when the check passed.
"""

from __future__ import annotations

import numpy as np

from .core import Case, CheckResult, check_function

__all__ = ["check_batch_indices", "check_least_squares", "check_initial_loss"]

_SEED = 7


# --------------------------------------------------------------------------- helpers


def _raises_not_implemented(fn, args):
    """True if ``fn(*args)`` raises NotImplementedError (the exercise's stub)."""
    try:
        fn(*args)
    except NotImplementedError:
        return True
    except Exception:  # noqa: BLE001 - the check itself reports other errors
        return False
    return False


def _fail(name, case, detail, hint, checked, verbose, kind="value"):
    return CheckResult.failing(name, detail, hint, case=case, kind=kind,
                               checked=checked).finish(verbose)


def _pass(name, checked, verbose, what="behaves as required"):
    message = (f"PASS {name}: {what} on {len(checked)} kinds of input:\n    "
               + ", ".join(checked) + ".")
    return CheckResult.passing(name, message, checked).finish(verbose)


# --------------------------------------------------------------------- mini-batches


def _as_batches(result):
    """The student's batches as a list of 1-D integer arrays, or a reason they are not."""
    if result is None:
        return None, "your function returned None: did you forget the `return` statement?"
    try:
        batches = [np.asarray(b) for b in result]
    except TypeError:
        return None, f"got {type(result).__name__}, expected a list of index arrays"
    for i, b in enumerate(batches):
        if b.ndim != 1 or not (np.issubdtype(b.dtype, np.integer) or b.size == 0):
            return None, (f"batch {i} is an array of shape {b.shape} and dtype {b.dtype}; "
                          "each batch must be a 1-D array of integer indices")
    return batches, None


def check_batch_indices(fn, verbose=True):
    """Check ``fn(n, batch_size, rng)``: the mini-batches of one epoch.

    ``fn`` returns a list of 1-D integer arrays, the indices of the examples in each
    batch, in the order they are used. With ``rng=None`` the examples go in their order
    ``0, 1, ..., n - 1``; with a ``numpy.random.Generator`` they are shuffled first, using
    that generator (so the same seed gives the same batches). Every batch has
    ``batch_size`` examples except possibly the last, which holds what is left; every
    example appears exactly once.
    """
    name = "batch_indices"
    if not callable(fn):
        return CheckResult.failing(name, f"expected a function, got {type(fn).__name__}.",
                                   "Pass the function itself: "
                                   "check_batch_indices(batch_indices).",
                                   kind="type").finish(verbose)
    if _raises_not_implemented(fn, (10, 3, None)):
        return CheckResult.not_attempted(name).finish(verbose)
    checked = []
    for n, size in [(12, 4), (10, 3), (5, 8), (1, 1)]:
        label = f"n = {n}, batch_size = {size}, no shuffling"
        try:
            batches, problem = _as_batches(fn(n, size, None))
        except Exception as exc:  # noqa: BLE001
            return _fail(name, label, f"your function raised {type(exc).__name__}: {exc}",
                         "Call it yourself with these arguments and read the error.",
                         checked, verbose, kind="exception")
        if problem:
            return _fail(name, label, problem, "Return a list such as "
                         "[array([0, 1, 2]), array([3, 4, 5]), ...].", checked, verbose,
                         kind="type")
        expected = [np.arange(s, min(s + size, n)) for s in range(0, n, size)]
        got_sizes = [len(b) for b in batches]
        want_sizes = [len(b) for b in expected]
        if got_sizes != want_sizes:
            if sum(got_sizes) < n and got_sizes == want_sizes[:len(got_sizes)]:
                hint = ("The last batch is missing: when batch_size does not divide n, the "
                        "examples left over form one smaller batch (Keras and minnet keep "
                        "it), or they would never be trained on.")
            else:
                hint = ("Take the indices in slices start:start + batch_size for start = "
                        "0, batch_size, 2 batch_size, ... while start < n.")
            return _fail(name, label, f"got batches of sizes {got_sizes}, expected sizes "
                         f"{want_sizes}", hint, checked, verbose, kind="shape")
        if not all(np.array_equal(g, e) for g, e in zip(batches, expected, strict=True)):
            return _fail(name, label, "the batches hold other indices than 0, 1, ..., n - 1 "
                         "in order", "Without an rng, do not shuffle: the first batch is "
                         "0, 1, ..., batch_size - 1.", checked, verbose)
        checked.append(label)

    n, size = 50, 8
    label = f"n = {n}, batch_size = {size}, shuffled with an rng"
    try:
        first, problem = _as_batches(fn(n, size, np.random.default_rng(_SEED)))
        again, _ = _as_batches(fn(n, size, np.random.default_rng(_SEED)))
        other, _ = _as_batches(fn(n, size, np.random.default_rng(_SEED + 1)))
    except Exception as exc:  # noqa: BLE001
        return _fail(name, label, f"your function raised {type(exc).__name__}: {exc}",
                     "Call it yourself with rng=np.random.default_rng(0) and read the error.",
                     checked, verbose, kind="exception")
    if problem:
        return _fail(name, label, problem, "Return a list of 1-D integer arrays.", checked,
                     verbose, kind="type")
    sizes = [len(b) for b in first]
    if sizes != [8] * 6 + [2]:
        return _fail(name, label, f"got batches of sizes {sizes}, expected six of 8 and a "
                     "last one of 2", "Shuffle the order of the indices first, then slice "
                     "it into batches exactly as without shuffling.", checked, verbose,
                     kind="shape")
    flat = np.concatenate(first)
    if not np.array_equal(np.sort(flat), np.arange(n)):
        repeated = int(n - len(np.unique(flat)))
        return _fail(name, label, f"{repeated} examples are missing and as many appear "
                     "twice", "Draw a permutation (every index once, e.g. "
                     "rng.permutation(n)), not n independent random indices: an epoch "
                     "visits every example exactly once.", checked, verbose)
    if np.array_equal(flat, np.arange(n)):
        return _fail(name, label, "the indices come out in order 0, 1, ..., n - 1",
                     "When an rng is given, shuffle with it before slicing.", checked,
                     verbose)
    blocks = [np.arange(s, min(s + size, n)) for s in range(0, n, size)]
    if all(np.array_equal(np.sort(b), e) for b, e in zip(first, blocks, strict=True)):
        return _fail(name, label, "each batch holds the same examples as without shuffling "
                     "(0 to 7, 8 to 15, ...), only in another order", "Shuffle the whole "
                     "order of the n indices once, then cut it into batches: shuffling "
                     "inside each batch keeps the same examples together in every epoch.",
                     checked, verbose)
    same = all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    differs = not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    if not (same and differs):
        return _fail(name, label, "two generators made with the same seed gave different "
                     "batches" if not same else "generators with different seeds gave the "
                     "same batches", "Use the generator you are given (rng.permutation(n)), "
                     "not np.random.shuffle or a generator of your own: then a seed makes "
                     "training reproducible.", checked, verbose)
    checked.append(label)
    return _pass(name, checked, verbose)


# -------------------------------------------------------------------- least squares


def _least_squares_reference(x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(len(x), -1)
    design = np.column_stack([x, np.ones(len(x))])
    theta = np.linalg.lstsq(design, y, rcond=None)[0]
    return theta[:-1], theta[-1]


def _call_watching_inv(fn, x, y):
    """``fn(x, y)`` and whether it called ``np.linalg.inv`` (the statement forbids it)."""
    calls = []
    original = np.linalg.inv

    def watched_inv(a, *args, **kwargs):
        calls.append(np.shape(a))
        return original(a, *args, **kwargs)

    np.linalg.inv = watched_inv
    try:
        result = fn(x, y)
    finally:
        np.linalg.inv = original
    return result, bool(calls)


def _through_origin(x, y):
    x = np.asarray(x, dtype=np.float64)
    return np.linalg.lstsq(x, np.asarray(y, dtype=np.float64), rcond=None)[0]


def check_least_squares(fn, verbose=True):
    """Check ``fn(x, y) -> (w, b)``: the closed-form least-squares line (or plane).

    ``x`` has shape ``(n, d)`` and ``y`` shape ``(n, 1)``. ``w`` must have shape
    ``(d, 1)``, like a ``Dense(1)`` kernel, and ``b`` shape ``(1,)``; together they
    minimise ``mean((x w + b - y)**2)``. Tried on: the tutorial's data ``y = 3x + U(0, 1)``,
    data with three features, data whose ``x`` is far from 0 (where forgetting the
    intercept shows most), and float32 inputs (compute in float64; tolerance 1e-6
    relative, 1e-5 for float32 inputs). A function that calls ``np.linalg.inv`` fails: the
    exercise asks for a solver (``np.linalg.lstsq`` or ``np.linalg.solve``).
    """
    name = "least_squares"
    rng = np.random.default_rng(_SEED)
    x1 = rng.random((100, 1))
    y1 = 3 * x1 + rng.random((100, 1))
    if not callable(fn):
        return CheckResult.failing(name, f"expected a function, got {type(fn).__name__}.",
                                   "Pass the function itself: "
                                   "check_least_squares(least_squares).",
                                   kind="type").finish(verbose)
    if _raises_not_implemented(fn, (x1.copy(), y1.copy())):
        return CheckResult.not_attempted(name).finish(verbose)
    x3 = rng.normal(size=(40, 3))
    y3 = x3 @ np.array([[1.0], [-2.0], [0.5]]) + 4.0 + 0.1 * rng.normal(size=(40, 1))
    xf = rng.uniform(5, 6, size=(30, 1))
    yf = -2 * xf + 1 + 0.05 * rng.normal(size=(30, 1))
    x32 = rng.random((60, 2)).astype(np.float32)
    y32 = (x32 @ np.array([[2.0], [1.0]], dtype=np.float32) + 0.5).astype(np.float32)
    cases = [("the tutorial's data y = 3x + U(0, 1)", x1, y1, 1e-6),
             ("three features", x3, y3, 1e-6),
             ("x between 5 and 6, far from 0", xf, yf, 1e-6),
             ("float32 inputs", x32, y32, 1e-5)]
    checked = []
    for label, x, y, rtol in cases:
        try:
            result, inverted = _call_watching_inv(fn, x.copy(), y.copy())
        except Exception as exc:  # noqa: BLE001
            return _fail(name, label, f"your function raised {type(exc).__name__}: {exc}",
                         "Call it yourself on arrays of these shapes and read the error.",
                         checked, verbose, kind="exception")
        if inverted:
            return _fail(name, label, "your function calls np.linalg.inv", "Do not form "
                         "an inverse: solve the system instead, with np.linalg.lstsq(A, y) "
                         "or np.linalg.solve(A.T @ A, A.T @ y). Solving is cheaper than "
                         "inverting and then multiplying, and loses fewer digits.", checked,
                         verbose, kind="method")
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            return _fail(name, label, f"got {type(result).__name__}, expected a pair (w, b)",
                         "Return two arrays: return w, b.", checked, verbose, kind="type")
        w, b = (np.asarray(v, dtype=np.float64) for v in result)
        w_ref, b_ref = _least_squares_reference(x, y)
        d = x.shape[1]
        if w.shape != (d, 1) or b.shape != (1,):
            return _fail(name, label, f"got w of shape {w.shape} and b of shape {b.shape}; "
                         f"expected ({d}, 1) and (1,)", "Shape them as a Dense(1) layer's "
                         "weights: w = theta[:-1] (one row per feature) and b = theta[-1] "
                         "when theta solves the system with a column of ones appended.",
                         checked, verbose, kind="shape")
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            return _fail(name, label, "w or b contains NaN or infinity", "Solve with "
                         "np.linalg.lstsq (or np.linalg.solve on the normal equations) "
                         "instead of inverting a matrix by hand.", checked, verbose,
                         kind="nonfinite")
        if not (np.allclose(w, w_ref, rtol=rtol, atol=rtol)
                and np.allclose(b, b_ref, rtol=rtol, atol=rtol)):
            loss = float(np.mean((x @ w + b - y) ** 2))
            best = float(np.mean((x @ w_ref + b_ref - y) ** 2))
            theta, theta_ref = np.append(w, b), np.append(w_ref, b_ref)
            detail = (f"your (w, b) has a mean squared error of {loss:.10g}; the "
                      f"least-squares fit reaches {best:.10g}")
            if np.allclose(b, 0) and np.allclose(w, _through_origin(x, y), rtol=1e-4):
                hint = ("You fitted a line through the origin. The model is x w + b: "
                        "append a column of ones to x so that b is fitted too.")
            elif np.allclose(theta, np.roll(theta_ref, 1), rtol=1e-4, atol=1e-6):
                hint = ("Your numbers are right but in the wrong places: with the column "
                        "of ones first, the bias is the FIRST entry of theta. Append the "
                        "column of ones last, or take b = theta[0] and w = theta[1:].")
            elif np.allclose(theta, theta_ref, rtol=1e-3, atol=1e-4):
                gap = float(np.max(np.abs(theta - theta_ref) / (np.abs(theta_ref) + rtol)))
                detail = (f"your (w, b) is within {gap:.1e} (relative) of the least-squares "
                          f"fit, but the check asks for {rtol:g}")
                hint = (f"Close, but not to the tolerance of {rtol:g}: compute in float64 "
                        "(np.asarray(x, dtype=np.float64)). float32 keeps only about 7 "
                        "significant digits, and solving the normal equations loses more.")
            else:
                hint = ("Minimise the mean squared error over w and b together: set its "
                        "gradient to zero, which gives the normal equations "
                        "(A^T A) theta = A^T y with A = [x, 1].")
            return _fail(name, label, detail, hint, checked, verbose)
        checked.append(label)
    return _pass(name, checked, verbose, what="gives the least-squares fit")


# --------------------------------------------------------------------- initial loss


def check_initial_loss(fn, verbose=True):
    """Check ``fn(k)``: the cross-entropy expected before training, ``k`` balanced classes.

    An untrained classifier that spreads its probability evenly predicts ``1/k`` for the
    right class, and cross-entropy uses the natural logarithm. Tried for
    ``k = 2, 3, 10, 1000``.
    """
    name = "initial_loss"
    hint = None
    if callable(fn):
        try:
            got = float(fn(10))
        except Exception:  # noqa: BLE001 - reported by the check itself
            got = None
        if got is not None:
            if np.isclose(got, np.log10(10)):
                hint = ("Cross-entropy uses the natural logarithm (np.log), not log10: "
                        "the value for 10 classes is not 1.")
            elif np.isclose(got, 0.1):
                hint = ("1/k is the probability the untrained network gives the right "
                        "class; the loss is minus the logarithm of it.")
            elif np.isclose(got, -np.log(10)):
                hint = ("Check the sign: the loss is MINUS the logarithm of a probability, "
                        "so it is positive.")
            elif np.isclose(got, np.log2(10)):
                hint = ("Cross-entropy uses the natural logarithm (np.log), not log2.")
            elif np.isclose(got, -np.log(0.9)):
                hint = ("The loss looks at the probability of the right class, 1/k, not at "
                        "the probability of the other classes.")
    cases = [Case(f"k = {k}", (k,)) for k in (2, 3, 10, 1000)]
    return check_function(fn, lambda k: np.log(k), cases, name=name, rtol=1e-6,
                          hints={"value": hint or "Write the cross-entropy of one example: "
                                 "minus the log of the probability given to its class."},
                          verbose=verbose)
