"""Checkers for chapter 3 (loss functions).

Each ``check_*`` takes the student's function, runs it on a fixed set of inputs and
compares it with :mod:`minnet.losses` (or with central differences, for a gradient the
student derived). See :mod:`minnet.exercises.core` for how a verdict is made.
"""

from __future__ import annotations

import numpy as np

from minnet import activations, losses

from .answers import HAND_RTOL, check_answers, well_posed
from .core import Case, check_function, check_gradient
from .variants import pick, remembered, student_rng

_SEED = 2025


# ------------------------------------------------------------- losses by hand

#: The output ``p`` of the exercise "Losses by hand" in the book (one sigmoid output, one example).
BY_HAND_P = 0.8
#: The target ``y`` of the exercise "Losses by hand" in the book.
BY_HAND_Y = 1.0


def by_hand_problem(student=None):
    """The numbers of "Losses by hand": the book's ``p = 0.8``, ``y = 1`` for ``None``,
    else the student's own output ``p`` (0.05 to 0.95, three decimals) and target ``y``.

    A draw is kept only if the checker can tell every typical mistake from the answer
    (:func:`~minnet.exercises.answers.well_posed`): near ``p = 0.5``, ``-ln p`` and
    ``-ln(1 - p)`` agree and using the wrong term of the cross-entropy would pass."""
    if student is None:
        return {"p": BY_HAND_P, "y": BY_HAND_Y}
    rng = student_rng(student, "ex-03-by-hand")
    book = by_hand_answer(by_hand_problem())
    while True:
        problem = {"p": pick(rng, 0.05, 0.95, 0.001), "y": float(rng.integers(2))}
        if well_posed(by_hand_answer(problem), by_hand_mistakes(problem), book,
                      rtol=HAND_RTOL):
            return problem


@remembered
def by_hand_answer(problem):
    """The four right numbers for ``problem`` (the instructor's key), computed by minnet:
    the losses' output deltas ``dC/dz`` for a sigmoid output, and ``dC/dp`` from them."""
    p, y = problem["p"], problem["y"]
    y_true = np.array([[y]])
    z = np.log(np.array([[p]]) / (1 - p))  # the logit whose sigmoid is p
    a = activations.sigmoid(z)
    bce, dbce_dz = losses.get("binary_crossentropy").delta(y_true, z, a, activations.sigmoid)
    _, dmse_dz = losses.get("mse").delta(y_true, z, a, activations.sigmoid)
    return {
        "bce": float(bce[0]),
        "dbce_dp": float(dbce_dz[0, 0]) / (p * (1 - p)),  # dC/dz = dC/dp * p (1 - p)
        "dbce_dz": float(dbce_dz[0, 0]),
        "dmse_dz": float(dmse_dz[0, 0]),
    }


def by_hand_statement(problem):
    """The student's numbers, as a sentence for the student edition."""
    return (f"a sigmoid unit outputs $p = {problem['p']:g}$ for an example whose target is "
            f"$y = {problem['y']:g}$")


def _by_hand_mistakes(p=BY_HAND_P, y=BY_HAND_Y):
    """Typical wrong answers, each with the hint that explains it."""
    s = p * (1 - p)  # the sigmoid's slope at this p
    towards = "rises towards the target 1" if y == 1 else "falls towards the target 0"
    sign_of = "negative" if y == 1 else "positive"
    sign = (f"Check the sign. The loss falls as p {towards}, so its derivatives with "
            f"respect to p and to z are {sign_of} here.")
    right_log = "-log p" if y == 1 else "-log(1 - p)"
    wrong_log = -np.log(1 - p) if y == 1 else -np.log(p)
    survives = "the term y log p" if y == 1 else "the term (1 - y) log(1 - p)"
    return {
        "bce": [
            (-np.log10(p if y == 1 else 1 - p),
             "The loss uses the natural logarithm (np.log), not log10."),
            (-wrong_log, f"A loss is never negative: the cross-entropy is {right_log} for a "
                         f"target {y:g}."),
            (wrong_log, f"With y = {y:g} only {survives} survives: {right_log}."),
            ((p - y) ** 2, "That is the squared error; the question asks for the cross-entropy."),
        ],
        "dbce_dp": [
            (-(p - y) / s, sign),
            (p - y, "That is the derivative with respect to the logit z. With respect to p "
                    "the sigmoid's slope p(1 - p) has not cancelled: divide by it."),
            ((1 / (1 - p), "That is the derivative of the term -(1 - y) log(1 - p), which is "
                           "zero for y = 1; differentiate the term that survives.")
             if y == 1 else
             (-1 / p, "That is the derivative of the term -y log p, which is zero for y = 0; "
                      "differentiate the term that survives.")),
        ],
        "dbce_dz": [
            (y - p, sign + " Through the sigmoid the derivative is p - y, not y - p."),
            ((p - y) / s, "That is the derivative with respect to p. Multiply by the sigmoid's "
                          "slope dp/dz = p(1 - p): the two factors cancel."),
        ],
        "dmse_dz": [
            (-2 * (p - y) * s, sign),
            ((p - y) * s, "The derivative of (p - y)**2 brings down a factor 2."),
            (2 * (p - y), "That is the derivative with respect to p. With respect to z, "
                          "multiply by the sigmoid's slope p(1 - p) (chain rule)."),
            (p - y, "That is the cross-entropy's derivative with respect to z. The squared "
                    "error keeps both the factor 2 and the sigmoid's slope p(1 - p)."),
        ],
    }


def by_hand_mistakes(problem):
    """The typical wrong answers for ``problem``: ``{key: [(value, hint), ...]}``."""
    return _by_hand_mistakes(problem["p"], problem["y"])


def check_losses_by_hand(answers, student=None, verbose=True):
    """Check the four numbers of the exercise "Losses by hand".

    ``answers`` is a dict with keys ``"bce"`` (the binary cross-entropy), ``"dbce_dp"``,
    ``"dbce_dz"`` (its derivatives with respect to ``p`` and to the logit ``z``) and
    ``"dmse_dz"`` (the squared error's derivative with respect to ``z``), for one example
    and one output. The numbers are the book's (``p = 0.8``, ``y = 1``), or those of
    ``student``'s variant (:mod:`minnet.exercises.variants`). A value left as ``None`` is
    reported as not answered yet. Each wrong number gets a hint about the mistake it most
    likely comes from; the right numbers are never printed.
    """
    problem = by_hand_problem(student)
    p = problem["p"]
    hint = ("Use the equations of the gradient sections with n = n_L = 1 and "
            f"p = sigmoid(z) = {p:g}; the loss of one example with one output has no mean "
            "to divide by.")
    variant = student is not None
    return check_answers(
        answers, by_hand_answer(problem), by_hand_mistakes(problem), name="losses by hand",
        hint=hint, rtol=HAND_RTOL, book=by_hand_answer(by_hand_problem()) if variant else None,
        numbers=f"p = {p:g}, y = {problem['y']:g} (student {student!r})" if variant else None,
        verbose=verbose)


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
        "-log(1e-7), about 16.12. Clip the predictions, not the loss, and clip them into "
        "[1e-7, 1 - 1e-7] exactly: a smaller epsilon (1e-12, 1e-15) or an epsilon added "
        "inside the log gives a different number.",
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
        "value": "For one output, y = 1 and p = 0.8 give -log(0.8), with the natural "
        "logarithm (np.log, not np.log10). Check the sign and which of p and 1 - p goes "
        "with y and with 1 - y.",
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
        hints={
            "value": "log sum exp of [1, 2, 3] is about 3.4076. If you subtract a maximum m "
            "inside the exponent, add it back once, outside the logarithm: "
            "m + log(sum(exp(z - m))), not log(sum(exp(z - m) + m))."
        },
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
    finite), a batch whose rows have very different scales (the softmax's maximum must be
    taken per row), and float32 inputs.
    """
    rng = np.random.default_rng(_SEED + 2)
    z = rng.normal(0.0, 2.0, size=(4, 3))
    y = np.eye(3)[rng.integers(0, 3, size=4)]
    mean = (
        "Two things change from one example to a batch. The softmax is taken row by row "
        "(each example's logits on their own: axis=-1, keepdims=True), and the loss is the "
        "mean over the batch, so each example's gradient is divided by the number of "
        "examples n = z.shape[0] (not by z.size: the cross-entropy sums over the classes)."
    )
    per_row_max = (
        "Subtract each row's own largest logit (z.max(axis=-1, keepdims=True)). One maximum "
        "for the whole batch leaves the rows with small logits at exp(-1000) = 0, and 0/0 "
        "is nan."
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
        Case(
            "a batch of large and small logits",
            (np.eye(3)[[2, 0]], np.array([[1000.0, 999.0, 998.0], [0.0, 1.0, -1.0]])),
            hint={"nonfinite": per_row_max, "value": per_row_max},
        ),
        Case("float32 inputs", (y.astype(np.float32), z.astype(np.float32)), rtol=1e-5, atol=1e-7),
    ]
    hints = {
        "value": "Through the softmax, the gradient with respect to the logits of one "
        "example has a very short form in terms of p = softmax(z) and y. "
        "Check its sign: raising the logit of the true class should lower "
        "the loss. For one example there is nothing to average: categorical "
        "cross-entropy sums over the classes, it does not divide by their number."
    }
    return check_function(
        fn,
        _softmax_ce_gradient,
        cases,
        hints=hints,
        name="softmax cross-entropy gradient",
        verbose=verbose,
    )


#: The Huber loss's threshold ``delta`` (Keras's default, 1.0), the kink between its
#: quadratic and linear parts.
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
        "value": "Differentiate each piece, with r = y_pred - y_true: inside |r| <= tau "
        "(Keras's delta) the derivative of r**2/2 is r; outside it is tau times the sign "
        "of r. Then the mean over all entries divides by their number."
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
    "BY_HAND_P",
    "BY_HAND_Y",
    "HUBER_DELTA",
    "by_hand_answer",
    "by_hand_mistakes",
    "by_hand_problem",
    "by_hand_statement",
    "check_binary_crossentropy",
    "check_huber_gradient",
    "check_logsumexp",
    "check_losses_by_hand",
    "check_mae_gradient",
    "check_softmax_crossentropy_gradient",
    "huber",
    "mean_absolute_error",
]
