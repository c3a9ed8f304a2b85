"""Checkers for chapter 2 (activation functions).

Each ``check_*`` takes the student's function, runs it on a fixed set of inputs (the
same every time, so a verdict can be reproduced) and compares it with
:mod:`minnet.activations`. See :mod:`minnet.exercises.core` for how a verdict is made.
"""

from __future__ import annotations

import numpy as np

from minnet import activations as reference

from .core import Case, check_function

__all__ = [
    "check_sigmoid",
    "check_sigmoid_derivative",
    "check_relu",
    "check_softmax",
    "check_tanh_derivative",
    "check_leaky_relu",
    "check_softmax_jacobian",
]

_SEED = 2024
_F32 = {"rtol": 1e-5, "atol": 1e-7}

_ELEMENTWISE_HINTS = {
    "exception": "Use numpy's element-wise functions (np.exp, np.maximum, np.where): "
                 "math.exp, max() and `if z > 0` only work on a single number.",
}


def _elementwise_cases(rng, large_hints=None, extra=()):
    """Inputs for an element-wise function: one number, arrays, extremes, float32."""
    large_hints = large_hints or {}
    return [
        Case("a single number", (0.5,)),
        Case("zero", (0.0,)),
        Case("a 1-D array", (np.linspace(-5.0, 5.0, 11),)),
        Case("a 2-D batch", (rng.normal(0.0, 3.0, size=(4, 3)),)),
        *extra,
        Case("large positive z", (np.array([30.0, 500.0, 1000.0]),),
             hint=large_hints.get("positive")),
        Case("large negative z", (np.array([-30.0, -500.0, -1000.0]),),
             hint=large_hints.get("negative")),
        Case("float32 input (dtype kept)", (rng.normal(size=(2, 5)).astype(np.float32),),
             check_dtype=True, **_F32),
    ]


def check_sigmoid(fn, verbose=True):
    """Check ``fn(z)``, the logistic sigmoid ``1 / (1 + exp(-z))``, element-wise, computed
    without overflow.

    Tried on: one number, zero, a 1-D array, a 2-D batch, large positive and large
    negative ``z`` (must stay finite: the values tend to 1 and 0), and a float32 array
    (the result must stay float32). The exercise forbids an overflow on the way, so a
    numpy overflow (or any other floating-point) warning fails the check, even when the
    final values come out right: ``1 / (1 + np.exp(-z))`` computes ``exp(1000) = inf`` at
    ``z = -1000`` and fails with a hint.
    """
    rng = np.random.default_rng(_SEED)
    overflow = ("np.exp overflowed to inf on the way (exp(1000) does not fit in a float), "
                "and the result came out right only because 1 / inf is 0. Arrange the "
                "formula so that np.exp never sees a large positive number: for z < 0, "
                "multiply the top and bottom of 1 / (1 + e^-z) by e^z. If you pick each "
                "entry's form with np.where, mind that np.where(cond, a, b) computes both a "
                "and b for every entry before choosing, so an exp that overflows in the branch "
                "not taken still overflows: build both forms from one exp whose argument is "
                "never positive (|z| helps). Or raise z to a floor before exp.")
    large = {
        "positive": {"nonfinite": "For large z, np.exp(z) is inf, and inf / inf is nan. "
                                  "Can you write the sigmoid so that exp only ever sees "
                                  "numbers that are not large and positive?",
                     "warning": overflow},
        "negative": {"nonfinite": "For very negative z, np.exp(-z) overflows to inf. "
                                  "Which way of writing the formula avoids exponentiating "
                                  "a large positive number here?",
                     "warning": overflow},
    }
    hints = {**_ELEMENTWISE_HINTS,
             "value": "Check two values you know: sigmoid(0) = 0.5, and "
                      "sigmoid(z) + sigmoid(-z) = 1 for every z.",
             "warning": overflow}
    return check_function(fn, reference.sigmoid, _elementwise_cases(rng, large), hints=hints,
                          name="sigmoid", strict_warnings=True, verbose=verbose)


def check_sigmoid_derivative(fn, verbose=True):
    """Check ``fn(z)``, the derivative of the sigmoid ``d sigmoid / dz``, element-wise.

    Tried on the same kinds of input as :func:`check_sigmoid`; at large ``|z|`` the
    derivative must be a finite number close to 0.
    """
    rng = np.random.default_rng(_SEED + 1)
    stable = {"nonfinite": "The derivative is tiny but finite for large |z|. A quotient of "
                           "two exponentials becomes inf / inf; try to express the derivative "
                           "through sigmoid(z) itself, which never overflows."}
    hints = {**_ELEMENTWISE_HINTS,
             "value": "At z = 0 the derivative is 0.25, and it is symmetric: f'(z) = f'(-z). "
                      "Differentiate 1 / (1 + exp(-z)) with the chain rule."}
    return check_function(fn, reference.sigmoid.derivative,
                          _elementwise_cases(rng, {"positive": stable, "negative": stable}),
                          hints=hints, name="sigmoid derivative", verbose=verbose)


def check_relu(fn, verbose=True):
    """Check ``fn(z)``, the rectified linear unit ``max(0, z)``, element-wise.

    Tried on: one number, zero, a negative number, a 1-D array, a 2-D batch, large
    magnitudes and a float32 array (dtype kept). The input must not be modified in place.
    """
    rng = np.random.default_rng(_SEED + 2)
    extra = (Case("a negative number", (-2.0,)),)
    hints = {**_ELEMENTWISE_HINTS,
             "value": "ReLU keeps each positive entry as it is and puts 0 in place of each "
                      "negative one."}
    return check_function(fn, reference.relu, _elementwise_cases(rng, extra=extra),
                          hints=hints, name="relu", verbose=verbose)


def check_softmax(fn, verbose=True):
    """Check ``fn(z)``, the softmax over the last axis of ``z``.

    Tried on: a 1-D vector of logits, a 2-D batch (one example per row), a batch of one,
    very large and very negative logits (must stay finite), and a float32 batch (dtype
    kept). The output has the shape of the input, and each row sums to 1.
    """
    rng = np.random.default_rng(_SEED + 3)
    per_row = ("Each row of a batch is one example: normalise each row by its own sum "
               "(over the last axis), and keep that axis so the division lines up row by row.")
    shift = {"nonfinite": "exp of a large logit overflows (exp(1000) is inf), and exp of a very "
                          "negative one underflows to 0, giving 0 / 0. Softmax does not change "
                          "when the same number is subtracted from every logit of a row: "
                          "which number keeps every exponent <= 0?"}
    cases = [
        Case("a 1-D vector of logits", (np.array([1.0, 2.0, 3.0]),)),
        Case("a 2-D batch (one example per row)", (rng.normal(0.0, 2.0, size=(4, 3)),),
             hint={"shape": per_row, "value": per_row, "exception": per_row}),
        Case("a batch of one example", (rng.normal(size=(1, 5)),), hint={"shape": per_row}),
        Case("large logits", (np.array([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]]),),
             hint=shift),
        Case("very negative logits", (np.array([[-1000.0, -1001.0, -1002.0]]),), hint=shift),
        Case("float32 batch (dtype kept)", (rng.normal(size=(3, 4)).astype(np.float32),),
             check_dtype=True, **_F32),
    ]
    hints = {"shape": "Softmax returns one probability per logit: the output has the shape "
                      "of the input. " + per_row,
             "value": "The outputs are exp(z_j) divided by the sum of exp over the same row."}
    return check_function(fn, reference.softmax, cases, hints=hints, name="softmax",
                          verbose=verbose)


def check_tanh_derivative(fn, verbose=True):
    """Check ``fn(z)``, the derivative of the hyperbolic tangent ``d tanh / dz``, element-wise.

    Tried on the same kinds of input as :func:`check_sigmoid`; at large ``|z|`` the
    derivative must be a finite number close to 0, and a float32 input gives float32.
    """
    rng = np.random.default_rng(_SEED + 4)
    stable = {"nonfinite": "For large |z|, exp(z) overflows to inf, and a quotient of two "
                           "such numbers is inf / inf = nan. Write the derivative through "
                           "t = tanh(z), which numpy computes safely for any z."}
    hints = {**_ELEMENTWISE_HINTS,
             "value": "At z = 0 the derivative is 1, it is the same at z and -z, and it tends "
                      "to 0 as |z| grows. Differentiate tanh = sinh / cosh with the quotient "
                      "rule and write the result in terms of t = tanh(z)."}
    return check_function(fn, reference.tanh.derivative,
                          _elementwise_cases(rng, {"positive": stable, "negative": stable}),
                          hints=hints, name="tanh derivative", verbose=verbose)


def _leaky_reference(z, negative_slope=0.2):
    return reference.LeakyReLU(negative_slope)(z)


def check_leaky_relu(fn, verbose=True):
    """Check ``fn(z, negative_slope=0.2)``, the leaky ReLU, element-wise.

    ``fn`` must return ``z`` where ``z > 0`` and ``negative_slope * z`` elsewhere, with
    Keras's default ``negative_slope = 0.2``. Tried on the usual element-wise inputs with
    the default slope, then with ``negative_slope=0.1`` and ``0.5`` passed by keyword; the
    input must not be modified in place and a float32 input gives float32.
    """
    rng = np.random.default_rng(_SEED + 5)
    slope_hint = {"value": "The slope for negative z is an argument: use the negative_slope "
                           "you were given, not a number written into the function.",
                  "exception": "Your function must accept the keyword argument negative_slope, "
                               "e.g. def leaky_relu(z, negative_slope=0.2)."}
    extra = (
        Case("a negative number", (-2.0,),
             hint={"value": "Keras's default negative slope is 0.2: leaky_relu(-2) is "
                            "0.2 times -2, not 0 and not 0.01 times -2."}),
        Case("negative_slope=0.1 (keyword)", (np.linspace(-4.0, 4.0, 9),),
             {"negative_slope": 0.1}, hint=slope_hint),
        Case("negative_slope=0.5 on a 2-D batch", (rng.normal(0.0, 3.0, size=(3, 4)),),
             {"negative_slope": 0.5}, hint=slope_hint),
    )
    hints = {**_ELEMENTWISE_HINTS,
             "value": "Keep each positive entry; multiply each negative one by negative_slope "
                      "(np.where is the tool). When no slope is passed, use Keras's default, "
                      "def leaky_relu(z, negative_slope=0.2): not 0.01, not 0.3."}
    return check_function(fn, _leaky_reference, _elementwise_cases(rng, extra=extra),
                          hints=hints, name="leaky relu", verbose=verbose)


def check_softmax_jacobian(fn, verbose=True):
    """Check ``fn(z)``, the Jacobian of softmax, ``J[j, k] = d a_j / d z_k``.

    For a vector ``z`` of ``m`` logits ``fn`` returns an ``(m, m)`` matrix; for a batch of
    shape ``(n, m)`` one matrix per row, shape ``(n, m, m)``. Tried on: a vector, a batch,
    two equal logits, very large logits (must stay finite) and a float32 batch (dtype
    kept; a float64 ``np.eye(m)`` breaks that, and the hint says so).
    """
    rng = np.random.default_rng(_SEED + 6)
    per_row = ("For a batch, build one m x m matrix per row: shape (n, m, m). Broadcasting "
               "a[..., :, None] against a[..., None, :] gives every product a_j a_k at once.")
    off_diagonal = ("The diagonal is a_j (1 - a_j), and every off-diagonal entry is "
                    "-a_j a_k: raising one logit lowers every other probability. "
                    "Together: a_j (delta_jk - a_k).")
    shift = {"nonfinite": "Compute the probabilities with a stable softmax (subtract each "
                          "row's maximum logit first), then build the matrix from them."}
    cases = [
        Case("a vector of 3 logits", (np.array([1.0, 2.0, 3.0]),),
             hint={"value": off_diagonal}),
        Case("two equal logits", (np.array([0.0, 0.0]),),
             hint={"value": "With two equal logits both probabilities are 1/2: the matrix is "
                            "[[1/4, -1/4], [-1/4, 1/4]]. " + off_diagonal}),
        Case("a batch of 4 rows", (rng.normal(0.0, 2.0, size=(4, 3)),),
             hint={"shape": per_row, "exception": per_row, "value": per_row}),
        Case("large logits", (np.array([[1000.0, 1001.0, 1002.0]]),), hint=shift),
        Case("float32 batch (dtype kept)", (rng.normal(size=(2, 5)).astype(np.float32),),
             check_dtype=True, **_F32,
             hint={"dtype": "np.eye(m) is float64 unless you ask, and a float64 identity turns "
                            "a float32 result into float64: use np.eye(m, dtype=a.dtype)."}),
    ]
    hints = {"shape": "The Jacobian of m outputs with respect to m inputs is m x m; for a batch "
                      "it is (n, m, m). " + per_row,
             "value": off_diagonal,
             "exception": "Start from a = softmax(z) with shape (..., m), then combine "
                          "np.eye(m) and products of entries of a."}
    return check_function(fn, reference.softmax.jacobian, cases, hints=hints,
                          name="softmax jacobian", verbose=verbose)
