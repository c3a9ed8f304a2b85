"""Checkers for chapter 2 (activation functions).

Each ``check_*`` takes the student's function, runs it on a fixed set of inputs (the
same every time, so a verdict can be reproduced) and compares it with
:mod:`minnet.activations`. See :mod:`minnet.exercises.core` for how a verdict is made.
"""

from __future__ import annotations

import numpy as np

from minnet import activations as reference

from .core import Case, check_function

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
    """Check ``fn(z)``, the logistic sigmoid ``1 / (1 + exp(-z))``, element-wise.

    Tried on: one number, zero, a 1-D array, a 2-D batch, large positive and large
    negative ``z`` (must stay finite: the values tend to 1 and 0), and a float32 array
    (the result must stay float32).
    """
    rng = np.random.default_rng(_SEED)
    large = {
        "positive": {"nonfinite": "For large z, np.exp(z) is inf, and inf / inf is nan. "
                                  "Can you write the sigmoid so that exp only ever sees "
                                  "numbers that are not large and positive?"},
        "negative": {"nonfinite": "For very negative z, np.exp(-z) overflows to inf. "
                                  "Which way of writing the formula avoids exponentiating "
                                  "a large positive number here?"},
    }
    hints = {**_ELEMENTWISE_HINTS,
             "value": "Check two values you know: sigmoid(0) = 0.5, and "
                      "sigmoid(z) + sigmoid(-z) = 1 for every z."}
    return check_function(fn, reference.sigmoid, _elementwise_cases(rng, large), hints=hints,
                          name="sigmoid", verbose=verbose)


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
