"""Checkers for chapter 3 (loss functions).

Each ``check_*`` takes the student's function, runs it on a fixed set of inputs and
compares it with :mod:`minnet.losses` (or with central differences, for a gradient the
student derived). See :mod:`minnet.exercises.core` for how a verdict is made.
"""

from __future__ import annotations

import numpy as np

from minnet import losses

from .core import Case, check_function, check_gradient

_SEED = 2025


def check_binary_crossentropy(fn, verbose=True):
    """Check ``fn(y_true, y_pred)``: the per-example binary cross-entropy, as Keras computes it.

    ``y_true`` and ``y_pred`` have shape ``(n, k)`` (or ``(n,)``, one output per example);
    the result has shape ``(n,)``: for each example, the mean over its ``k`` outputs of
    ``-(y log p + (1 - y) log(1 - p))``, with ``p`` clipped to ``[1e-7, 1 - 1e-7]`` first.
    Tried on: one example, a batch, several outputs per example, a 1-D batch, predictions
    of exactly 0 and 1 (must be finite: -log(1e-7) is the cap), and soft targets.
    """
    rng = np.random.default_rng(_SEED)
    y2 = rng.integers(0, 2, size=(5, 3)).astype(float)
    p2 = rng.uniform(0.05, 0.95, size=(5, 3))
    extreme = {
        "nonfinite": "log(0) is -inf. Keras never takes the log of 0 or of 1 - 1 = 0: it clips "
        "the predictions into [1e-7, 1 - 1e-7] first (np.clip).",
        "value": "With the clip in place, a prediction of exactly 0 for a target 1 costs "
        "-log(1e-7). Clip the predictions, not the loss.",
    }
    per_example = (
        "The result has one number per example: average over the outputs of an "
        "example (the last axis), not over the whole batch."
    )
    cases = [
        Case("one example, one output", (np.array([[1.0]]), np.array([[0.8]]))),
        Case(
            "a batch of four, one output each",
            (np.array([[1.0], [0.0], [1.0], [0.0]]), np.array([[0.9], [0.2], [0.3], [0.6]])),
            hint={"shape": per_example, "value": per_example},
        ),
        Case(
            "several outputs per example",
            (y2, p2),
            hint={"shape": per_example, "value": per_example},
        ),
        Case(
            "a 1-D batch (one output per example)",
            (np.array([1.0, 0.0, 1.0]), np.array([0.7, 0.1, 0.4])),
            hint={
                "shape": "A 1-D batch holds one output per example: return one loss per "
                "entry, shape (n,)."
            },
        ),
        Case(
            "predictions of exactly 0 and 1",
            (np.array([[1.0, 0.0, 1.0, 0.0]]), np.array([[0.0, 1.0, 1.0, 0.0]])),
            hint=extreme,
        ),
        Case(
            "predictions within 1e-9 of 0 and 1",
            (np.array([[1.0], [0.0]]), np.array([[1e-9], [1 - 1e-9]])),
            hint=extreme,
        ),
        Case("soft targets (between 0 and 1)", (np.array([[0.25, 0.9]]), np.array([[0.4, 0.6]]))),
    ]
    hints = {
        "value": "For one output, y = 1 and p = 0.8 give -log(0.8). Check the sign and "
        "which of p and 1 - p goes with y and with 1 - y.",
        "shape": per_example,
    }
    return check_function(
        fn,
        losses.binary_crossentropy,
        cases,
        hints=hints,
        name="binary cross-entropy",
        verbose=verbose,
    )


def _logsumexp(z):
    return losses.logsumexp(np.asarray(z, dtype=float))


def check_logsumexp(fn, verbose=True):
    """Check ``fn(z)``: ``log(sum(exp(z)))`` over the last axis, without overflow.

    A 1-D ``z`` gives a number, a 2-D batch one number per row. Tried on: small values,
    a batch, large logits (1000 and more: ``exp`` overflows), very negative logits
    (``exp`` underflows to 0, and ``log(0)`` is ``-inf``), and mixed extremes.
    """
    rng = np.random.default_rng(_SEED + 1)
    shift = {
        "nonfinite": "exp(1000) is inf in floating point, and exp(-1000) is 0, whose log "
        "is -inf. Factor exp(m) out of the sum for a well-chosen m: "
        "log sum exp(z) = m + log sum exp(z - m). Which m keeps every "
        "exponent <= 0 and at least one term equal to 1?",
        "value": "Subtracting m inside the exponent must be undone outside the log: add m "
        "back once (not once per term).",
    }
    per_row = (
        "Each row of a batch is one example: reduce over the last axis (axis=-1) and "
        "return one number per row. If you subtract a maximum, take it per row "
        "(keepdims=True), so it lines up with its own row."
    )
    cases = [
        Case("a small vector", (np.array([1.0, 2.0, 3.0]),)),
        Case(
            "a batch (one example per row)",
            (rng.normal(0.0, 2.0, size=(4, 5)),),
            hint={"shape": per_row, "value": per_row, "exception": per_row},
        ),
        Case("large logits", (np.array([1000.0, 0.0, -1000.0]),), hint=shift),
        Case(
            "a batch of large logits",
            (np.array([[800.0, 801.0, 799.0], [-5.0, 0.0, 5.0]]),),
            hint={
                "nonfinite": per_row + " A single maximum for the whole batch leaves "
                "the other rows' exponents far below 0, where exp is 0.",
                "value": per_row + " " + shift["value"],
            },
        ),
        Case("very negative logits", (np.array([[-1000.0, -1001.0, -1002.0]]),), hint=shift),
    ]
    return check_function(
        fn,
        _logsumexp,
        cases,
        rtol=1e-9,
        atol=1e-9,
        hints={"value": "log sum exp of [1, 2, 3] is about 3.4076."},
        name="logsumexp",
        verbose=verbose,
    )


def _softmax_ce_gradient(y, z):
    return losses.CategoricalCrossentropy(from_logits=True).gradient(y, z)


def check_softmax_crossentropy_gradient(fn, verbose=True):
    """Check ``fn(y, z)``: the gradient of softmax + categorical cross-entropy w.r.t. logits.

    ``y`` holds one-hot targets and ``z`` logits, both of shape ``(n, k)``. The loss is the
    batch *mean* ``1/n sum_i -sum_j y_ij log softmax(z_i)_j`` (Keras's reduction), so the
    answer has the shape of ``z``. Tried on: one example, a batch, large logits (must stay
    finite), and float32 inputs.
    """
    rng = np.random.default_rng(_SEED + 2)
    z = rng.normal(0.0, 2.0, size=(4, 3))
    y = np.eye(3)[rng.integers(0, 3, size=4)]
    mean = (
        "The loss is the mean over the batch, so each example's gradient is divided by "
        "the number of examples n = z.shape[0]."
    )
    cases = [
        Case("one example", (np.array([[0.0, 1.0, 0.0]]), np.array([[2.0, 1.0, 0.1]]))),
        Case("a batch of four", (y, z), hint={"value": mean}),
        Case(
            "large logits",
            (np.array([[0.0, 1.0, 0.0]]), np.array([[1000.0, 0.0, -1000.0]])),
            hint={
                "nonfinite": "Compute softmax with the largest logit of each row "
                "subtracted first; exp(1000) overflows."
            },
        ),
        Case("float32 inputs", (y.astype(np.float32), z.astype(np.float32)), rtol=1e-5, atol=1e-7),
    ]
    hints = {
        "value": "Through the softmax, the gradient with respect to the logits of one "
        "example has a very short form in terms of p = softmax(z) and y. "
        "Check its sign: raising the logit of the true class should lower "
        "the loss."
    }
    return check_function(
        fn,
        _softmax_ce_gradient,
        cases,
        hints=hints,
        name="softmax cross-entropy gradient",
        verbose=verbose,
    )


HUBER_DELTA = 1.0


def huber(y_true, y_pred, delta=HUBER_DELTA):
    """Huber loss of a batch: the mean over all entries of ``h(p - y)`` where
    ``h(r) = r**2 / 2`` for ``|r| <= delta`` and ``delta (|r| - delta / 2)`` beyond
    (Keras's ``keras.losses.Huber``, averaged over outputs and batch)."""
    r = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    a = np.abs(r)
    return float(np.mean(np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))))


def mean_absolute_error(y_true, y_pred):
    """Mean absolute error of a batch: the mean over all entries of ``|p - y|``."""
    return float(np.mean(np.abs(np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float))))


def _gradient_cases(rng, delta=HUBER_DELTA):
    y = rng.normal(size=(4, 3))
    # residuals kept away from the kinks (|r| = delta for Huber, r = 0 for MAE)
    r = rng.choice([-1, 1], size=(4, 3)) * rng.uniform(0.1, 0.8, size=(4, 3)) * delta
    r[::2] *= 3.0
    return [
        Case("one small residual", (np.array([[0.0]]), np.array([[0.5 * delta]]))),
        Case("one large residual", (np.array([[0.0]]), np.array([[-3.0 * delta]]))),
        Case(
            "a batch of mixed residuals",
            (y, y + r),
            hint={
                "value": "The loss is a mean over every entry (n examples times n_L "
                "outputs): divide by y_pred.size."
            },
        ),
    ]


def check_huber_gradient(fn, verbose=True):
    """Check ``fn(y_true, y_pred)``: the gradient of :func:`huber` (delta = 1) w.r.t. ``y_pred``.

    The answer is compared with central differences of :func:`huber` itself, away from
    the two kinks at ``|p - y| = delta``.
    """
    hints = {
        "value": "Differentiate each piece: inside |r| <= tau (Keras's delta) the "
        "derivative of r**2/2 is r; outside it is tau times the sign of r. Then the "
        "mean over all entries divides by their number."
    }
    return check_gradient(
        fn,
        huber,
        _gradient_cases(np.random.default_rng(_SEED + 3)),
        wrt=1,
        hints=hints,
        name="Huber gradient",
        verbose=verbose,
    )


def check_mae_gradient(fn, verbose=True):
    """Check ``fn(y_true, y_pred)``: the gradient of :func:`mean_absolute_error` w.r.t.
    ``y_pred``, compared with central differences away from the kink at ``p = y``."""
    hints = {
        "value": "The derivative of |r| is the sign of r (away from 0); the mean over "
        "all entries divides by their number."
    }
    return check_gradient(
        fn,
        mean_absolute_error,
        _gradient_cases(np.random.default_rng(_SEED + 4)),
        wrt=1,
        hints=hints,
        name="MAE gradient",
        verbose=verbose,
    )


__all__ = [
    "check_binary_crossentropy",
    "check_huber_gradient",
    "check_logsumexp",
    "check_mae_gradient",
    "check_softmax_crossentropy_gradient",
    "huber",
    "mean_absolute_error",
]
