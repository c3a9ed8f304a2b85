"""Checkers for chapter 8 (overfitting and generalization).

* :func:`check_l2_from_nielsen`: convert Nielsen's L2 strength ``lambda`` (penalty
  ``lambda / (2 N) * sum(w**2)`` on a training set of ``N`` examples) into Keras's ``l2``
  (penalty ``l2 * sum(W**2)`` added to every batch's mean loss);
* :func:`check_inverted_dropout`: the forward pass of inverted dropout, given the uniform
  numbers that decide which units survive;
* :func:`check_kfold`: the index sets of k-fold cross-validation;
* :func:`check_early_stopping`: the stopping rule of ``EarlyStopping`` (Keras's and
  minnet's), applied to a list of validation losses.

Every checker prints ``PASS`` or ``FAIL`` with the input that broke it and a hint, never
the answer, and returns a result that is true when the check passed. A function that still
raises ``NotImplementedError`` (the exercise's stub) is reported as not attempted yet.
"""

from __future__ import annotations

import numpy as np

from .answers import HAND_RTOL, check_answers, well_posed
from .core import Case, CheckResult, check_function
from .variants import pick, remembered, student_rng

# ------------------------------------------------------------------ L2 conversion


def _l2_reference(lmbda, n_train):
    return lmbda / (2 * n_train)


def _l2_diagnosis(fn):
    """Name the classic slip of a conversion, from its answer on one input."""
    lmbda, n = 5.0, 50_000
    try:
        got = float(fn(lmbda, n))
    except Exception:  # noqa: BLE001 - reported by the check itself
        return None
    wrong = [
        (lmbda, "You pasted Nielsen's lambda unchanged. Nielsen divides his penalty by the size "
                "of the training set N (and by 2); Keras's penalty is added to the mean loss "
                "of every batch as it is."),
        (lmbda / n, "Compare the gradients of the two penalties: lambda/(2N) sum w^2 gives "
                    "(lambda/N) w, but Keras's l2 sum W^2 has no 1/2, so its gradient is "
                    "2 l2 W."),
        (lmbda / 2, "Nielsen's penalty is divided by the number of training examples N; the "
                    "Keras penalty is added to a mean over the batch, so N must appear."),
        (2 * lmbda / n, "Keras's gradient is 2 l2 W and Nielsen's is (lambda/N) w: solve "
                        "2 l2 = lambda/N for l2."),
        (lmbda * n / 2, "The penalty shrinks as the training set grows: divide by N, do "
                        "not multiply."),
    ]
    for value, hint in wrong:
        if np.isclose(got, value, rtol=1e-9, atol=0):
            return hint
    return None


def check_l2_from_nielsen(fn, verbose=True):
    """Check ``fn(lmbda, n_train)``: the Keras ``l2`` that gives the same gradient step as
    Nielsen's L2 strength ``lmbda`` on a training set of ``N = n_train`` examples.

    Tried on Nielsen's two settings (``lambda = 0.1`` on 1,000 images and ``5.0`` on
    50,000), on ``lambda = 0`` and on a NumPy array of strengths.
    """
    cases = [
        Case("Nielsen's 1,000-image run (lambda = 0.1, N = 1000)", (0.1, 1000)),
        Case("Nielsen's full run (lambda = 5.0, N = 50000)", (5.0, 50_000)),
        Case("no regularization (lambda = 0)", (0.0, 1000)),
        Case("an array of strengths", (np.array([0.01, 0.1, 1.0, 10.0]), 2000),
             hint={kind: "lmbda may be a NumPy array of strengths: use arithmetic that "
                         "works on arrays (no float(...), math functions or if on lmbda)."
                   for kind in ("exception", "type", "shape")}),
    ]
    diagnosis = _l2_diagnosis(fn) if callable(fn) else None
    default = ("Write both penalties' gradients with respect to one weight and set them "
               "equal: Nielsen's total cost is C0 + lambda/(2N) sum w^2, Keras adds "
               "l2 sum W^2 to each batch's mean loss.")
    hints = {"value": diagnosis or default}
    result = check_function(fn, _l2_reference, cases, hints=hints,
                            name="L2 conversion", rtol=1e-9, atol=0.0, verbose=False)
    return result.finish(verbose)


# -------------------------------------------------------------------- dropout


def _dropout_reference(x, rate, u):
    keep = 1 - rate
    return np.where(u < keep, x / np.asarray(keep, dtype=x.dtype), np.zeros((), dtype=x.dtype))


def _dropout_diagnosis(fn):
    rng = np.random.default_rng(8)
    x = rng.normal(size=(4, 5))
    u = rng.random((4, 5))
    rate = 0.25
    keep = 1 - rate
    try:
        got = np.asarray(fn(x.copy(), rate, u.copy()), dtype=float)
    except Exception:  # noqa: BLE001
        return None
    wrong = [
        (np.where(u < keep, x, 0.0),
         "Without scaling, the expected output is (1 - rate) times the input, so the next "
         "layer sees smaller inputs in training than at test time. Inverted dropout divides "
         "the survivors by the keep probability 1 - rate."),
        (np.where(u < keep, x * keep, 0.0),
         "You multiply the survivors by 1 - rate; that shrinks them further. Divide by the "
         "keep probability so that the expected output equals the input."),
        (np.where(u < keep, x / rate, 0.0),
         "Divide by the probability of KEEPING a unit, 1 - rate, not by the dropout rate."),
        (np.where(u >= keep, x / keep, 0.0),
         "The statement keeps a unit where u < 1 - rate; you keep the others (a fraction "
         "rate of the units instead of 1 - rate)."),
        (np.where(u >= rate, x / keep, 0.0),
         "Same distribution, other mask: the statement keeps a unit where u < 1 - rate, "
         "so that your output can be compared entry by entry."),
        (np.where(u < rate, x / keep, 0.0),
         "rate is the fraction of units to DROP; keep a unit where u < 1 - rate."),
    ]
    for candidate, hint in wrong:
        if got.shape == candidate.shape and np.allclose(got, candidate):
            return hint
    return None


def check_inverted_dropout(fn, verbose=True):
    """Check ``fn(x, rate, u)``: inverted dropout of ``x`` in training mode.

    ``u`` holds one uniform number in [0, 1) per entry of ``x``; unit ``(i, j)`` survives
    when ``u[i, j] < 1 - rate`` and is then divided by ``1 - rate``; the others become 0.
    The result keeps ``x``'s shape and dtype, and ``x`` is left unchanged. Tried on a batch,
    on ``rate = 0``, on a float32 batch and on one example.
    """
    rng = np.random.default_rng(9)
    x32 = rng.normal(size=(3, 6)).astype(np.float32)
    cases = [
        Case("a batch with rate 0.3", (rng.normal(size=(4, 6)), 0.3, rng.random((4, 6)))),
        Case("rate 0 (nothing dropped)", (rng.normal(size=(2, 3)), 0.0, rng.random((2, 3)))),
        Case("a float32 batch with rate 0.2", (x32, 0.2, rng.random((3, 6))),
             check_dtype=True),
        Case("one example with rate 0.8", (rng.normal(size=(1, 10)), 0.8, rng.random((1, 10)))),
    ]
    diagnosis = _dropout_diagnosis(fn) if callable(fn) else None
    hints = {"value": diagnosis or ("Build the mask u < 1 - rate, multiply, and divide the "
                                    "survivors by 1 - rate."),
             "nonfinite": diagnosis or ("With rate 0 every unit survives and the output is "
                                        "the input: what do you divide by?"),
             "dtype": "Divide by a Python float (1 - rate), or by np.asarray(1 - rate, "
                      "x.dtype): a float64 array or np.float64 scalar turns float32 into "
                      "float64.",
             "mutation": "Build a new array (np.where returns one, or work on x.copy()) "
                         "instead of writing into x: x belongs to the caller, who may still "
                         "need it."}
    result = check_function(fn, _dropout_reference, cases, hints=hints,
                            name="inverted dropout", rtol=1e-6, atol=1e-7, verbose=False)
    return result.finish(verbose)


# -------------------------------------------------------------------- k-fold


def _as_index_array(a):
    a = np.asarray(a)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.integer) or a.ndim != 1:
        return None
    return a


def _kfold_problem(folds, n, k):
    """``None`` if ``folds`` is a valid k-fold split of ``range(n)``, else ``(kind, detail,
    hint)``."""
    if folds is None:
        return "none", "your function returned None", "Did you forget the `return` statement?"
    try:
        folds = list(folds)
    except TypeError:
        return ("type", f"got {type(folds).__name__}, expected a list of (train, val) pairs",
                "Return a list with one (train_indices, val_indices) pair per fold.")
    if len(folds) != k:
        return ("value", f"got {len(folds)} folds, expected k = {k}",
                "Return one (train, val) pair per fold: k pairs in all.")
    everything = np.arange(n)
    seen = []
    for i, pair in enumerate(folds):
        try:
            train, val = pair
        except (TypeError, ValueError):
            return ("type", f"fold {i} is not a pair (train, val)",
                    "Each entry of the list is a tuple (train_indices, val_indices).")
        train, val = _as_index_array(train), _as_index_array(val)
        if train is None or val is None:
            return ("type", f"fold {i}: the indices are not 1-D integer arrays",
                    "Return integer index arrays (np.arange, np.array_split, np.concatenate "
                    "keep integers), not boolean masks or floats.")
        if len(val) == 0:
            return ("value", f"fold {i} has an empty validation set",
                    "Every example is in exactly one validation fold, and every fold gets "
                    "some: split range(n) into k nearly equal parts.")
        if np.intersect1d(train, val).size:
            return ("value", f"fold {i}: example(s) {np.intersect1d(train, val)[:5].tolist()} "
                             "are in both the training and the validation set",
                    "That is leakage: the network would be scored on examples it trained "
                    "on. The training set of a fold is every example NOT in its validation set.")
        if len(np.unique(val)) != len(val) or len(np.unique(train)) != len(train):
            return ("value", f"fold {i} lists an example twice",
                    "Each index appears at most once in a training or validation set.")
        if not np.array_equal(np.sort(np.concatenate([train, val])), everything):
            missing = np.setdiff1d(everything, np.concatenate([train, val]))
            return ("value", f"fold {i}: training and validation sets together miss "
                             f"example(s) {missing[:5].tolist()} (or name indices outside 0..n-1)",
                    "The training set of a fold is every other example: "
                    "np.setdiff1d(np.arange(n), val) gives it.")
        seen.append(val)
    allval = np.concatenate(seen)
    if len(allval) != n or not np.array_equal(np.sort(allval), everything):
        counts = np.bincount(allval, minlength=n)
        never = np.flatnonzero(counts == 0)[:5].tolist()
        twice = np.flatnonzero(counts > 1)[:5].tolist()
        detail = "the validation sets do not cover every example exactly once"
        detail += f" (never validated: {never})" if never else ""
        detail += f" (validated more than once: {twice})" if twice else ""
        hint = ("When k does not divide n, the last n % k examples must go somewhere: "
                "np.array_split(indices, k) spreads them over the first folds."
                if never and n % k else
                "The validation sets are disjoint and together they are range(n).")
        return "value", detail, hint
    sizes = [len(v) for v in seen]
    if max(sizes) - min(sizes) > 1:
        return ("value", f"fold sizes {sizes} differ by more than one",
                "Make the folds as equal as possible: sizes n // k or n // k + 1.")
    return None


def check_kfold(fn, verbose=True):
    """Check ``fn(n, k)``: a list of ``k`` pairs ``(train_indices, val_indices)`` for
    k-fold cross-validation over ``range(n)``.

    The validation sets must be disjoint, cover ``range(n)`` exactly once and differ in size
    by at most one; each training set must be every index not in its validation set. Any
    order (shuffled or not) is accepted. Tried on ``k`` dividing ``n``, ``k`` not dividing
    ``n``, leave-one-out (``k = n``) and a larger ``n``.
    """
    name = "k-fold split"
    if not callable(fn):
        return CheckResult.failing(name, f"expected a function, got {type(fn).__name__}.",
                                   "Pass the function itself: check_kfold(kfold).",
                                   kind="type").finish(verbose)
    cases = [("n = 10, k = 5", 10, 5), ("n = 11, k = 3 (k does not divide n)", 11, 3),
             ("leave-one-out, n = k = 6", 6, 6), ("n = 1000, k = 5", 1000, 5)]
    checked = []
    for label, n, k in cases:
        try:
            folds = fn(n, k)
        except Exception as exc:  # noqa: BLE001 - the student's code may raise anything
            if isinstance(exc, NotImplementedError) and not checked:
                return CheckResult.not_attempted(name).finish(verbose)
            return CheckResult.failing(
                name, f"your function raised {type(exc).__name__}: {exc}",
                "Call kfold yourself on these n and k and read the error from the bottom up.",
                case=label, kind="exception", inputs=f"n = {n}, k = {k}",
                checked=checked).finish(verbose)
        problem = _kfold_problem(folds, n, k)
        if problem is not None:
            kind, detail, hint = problem
            return CheckResult.failing(name, detail, hint, case=label, kind=kind,
                                       inputs=f"n = {n}, k = {k}",
                                       checked=checked).finish(verbose)
        checked.append(label)
    message = (f"PASS {name}: a valid k-fold split for {len(checked)} kinds of input:\n    "
               + ", ".join(checked) + ".")
    return CheckResult.passing(name, message, checked).finish(verbose)


# ------------------------------------------------------------------ early stopping


def _early_stopping_reference(val_losses, patience):
    """Keras's rule with ``min_delta = 0``: ``(epochs run, best epoch)``, both from 1."""
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        wait += 1
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
            continue
        if wait >= patience and epoch > 0:
            return epoch + 1, best_epoch + 1
    return len(val_losses), best_epoch + 1


def _early_stopping_diagnosis(fn):
    losses = [1.0, 0.8, 0.7, 0.7, 0.75, 0.72, 0.71, 0.9, 0.6]
    patience = 3
    try:
        got = tuple(int(v) for v in fn(list(losses), patience))
    except Exception:  # noqa: BLE001
        return None
    run, best = _early_stopping_reference(losses, patience)
    if got == (run, best - 1) or got == (run - 1, best - 1):
        return "Count epochs from 1, as Keras's progress bar does: the first epoch is epoch 1."
    if got == (run + 1, best):
        return ("You stop one epoch late. After `patience` epochs in a row without "
                "improvement, training stops at the end of that epoch.")
    if got == (run - 1, best):
        return "You stop one epoch early: wait for `patience` epochs without improvement."
    if got[1] == 4:  # the tie 0.7 at epoch 4 counted as the best
        return ("A value equal to the best so far is not an improvement (min_delta = 0 means "
                "strictly smaller), so a tie does not move the best epoch or reset the wait.")
    return None


def check_early_stopping(fn, verbose=True):
    """Check ``fn(val_losses, patience)``: ``(epochs_run, best_epoch)`` under the rule of
    ``EarlyStopping(monitor="val_loss", patience=patience, min_delta=0)``.

    Epochs count from 1. An epoch improves when its loss is strictly below the best so far;
    training stops at the end of the first epoch that completes ``patience`` epochs in a row
    without improvement; if that never happens, all epochs run. ``best_epoch`` is the epoch
    whose weights ``restore_best_weights=True`` would restore.
    """
    cases = [
        Case("losses that keep falling", ([1.0, 0.9, 0.8, 0.7, 0.6], 2)),
        Case("a clear minimum, patience 2", ([1.0, 0.8, 0.6, 0.7, 0.8, 0.9, 0.5], 2)),
        Case("a tie with the best, patience 3", ([1.0, 0.8, 0.7, 0.7, 0.75, 0.72, 0.71, 0.9, 0.6], 3)),
        Case("a late improvement just in time, patience 3", ([0.9, 0.5, 0.6, 0.7, 0.4, 0.6, 0.7, 0.8, 0.3], 3)),
        Case("patience 1", ([0.5, 0.6, 0.4], 1)),
    ]
    diagnosis = _early_stopping_diagnosis(fn) if callable(fn) else None
    default = ("Walk through the losses by hand with a counter `wait`: reset it to 0 when the "
               "loss is strictly below the best so far, otherwise add 1 and stop when it "
               "reaches `patience`.")
    hints = {"value": diagnosis or default, "shape": "Return a pair (epochs_run, best_epoch)."}
    result = check_function(fn, _early_stopping_reference, cases, hints=hints,
                            name="early stopping", rtol=0, atol=0, verbose=False)
    return result.finish(verbose)


__all__ = [
    "L2_BOOK",
    "check_early_stopping",
    "check_inverted_dropout",
    "check_kfold",
    "check_l2_from_nielsen",
    "check_l2_numbers",
    "l2_answer",
    "l2_mistakes",
    "l2_problem",
    "l2_statement",
]


# ----------------------------------------------- Nielsen's lambda, numbers (variant)

#: The numbers of the exercise "Nielsen's lambda in Keras" in the book.
L2_BOOK = {"lmbda": 5.0, "n_train": 50_000, "eta": 0.5, "lmbda_small": 0.1,
           "n_small": 1_000}


def l2_problem(student=None):
    """The numbers of "Nielsen's lambda in Keras": the book's for ``None``, else a student's
    full run (lambda 1-10, N 10,000-60,000) and small run (eta 0.1-1, lambda 0.05-0.5,
    N 500-5,000), on which no typical mistake and no swap of two answers is within 1.5 %
    of the answer (:func:`~minnet.exercises.answers.well_posed`)."""
    if student is None:
        return dict(L2_BOOK)
    rng = student_rng(student, "ex-08-l2")
    book = l2_answer(L2_BOOK)
    while True:
        problem = {"lmbda": pick(rng, 1, 10, 0.5),
                   "n_train": int(pick(rng, 10_000, 60_000, 1_000)),
                   "eta": pick(rng, 0.1, 1.0, 0.05), "lmbda_small": pick(rng, 0.05, 0.5, 0.05),
                   "n_small": int(pick(rng, 500, 5_000, 100))}
        if well_posed(l2_answer(problem), l2_mistakes(problem), book, rtol=HAND_RTOL):
            return problem


@remembered
def l2_answer(problem):
    """The Keras ``l2`` of the full run, and the learning rate and ``l2`` that reproduce the
    small run with ten outputs and ``binary_crossentropy`` (the instructor's key)."""
    return {"l2_full": float(_l2_reference(problem["lmbda"], problem["n_train"])),
            "lr_bce": 10 * problem["eta"],  # the mean over 10 outputs shrinks the gradient
            "l2_bce": float(_l2_reference(problem["lmbda_small"], problem["n_small"])) / 10}


def l2_statement(problem):
    """The student's numbers, as MyST for the student edition."""
    def thousands(n):  # 50{,}000: MyST math keeps the comma tight
        return f"{n:,}".replace(",", "{,}")

    return (f"the full run uses $\\lambda = {problem['lmbda']:g}$ with "
            f"$N = {thousands(problem['n_train'])}$, and the run to reproduce in Keras has "
            f"$\\eta = {problem['eta']:g}$, $\\lambda = {problem['lmbda_small']:g}$, "
            f"$N = {thousands(problem['n_small'])}$")


def l2_mistakes(problem):
    """Typical wrong answers for ``problem``: ``{key: [(value, hint), ...]}``."""
    lam, n, eta = problem["lmbda"], problem["n_train"], problem["eta"]
    lam2, n2 = problem["lmbda_small"], problem["n_small"]
    half = ("Keras's penalty l2 * sum(W**2) has gradient 2 * l2 * W; Nielsen's "
            "(lambda / 2N) sum(w**2) has gradient (lambda / N) w: the factor 2 goes into l2.")
    return {
        "l2_full": [(lam / n, half), (lam / 2, "Nielsen divides lambda by the number of "
                                               "training examples N.")],
        "lr_bce": [(eta, "binary_crossentropy averages over the 10 outputs where Nielsen's "
                         "cost sums: its gradient is 10 times smaller, so the learning rate "
                         "must be 10 times larger."),
                   (eta / 10, "The gradient is 10 times smaller, so the learning rate must be "
                              "multiplied by 10, not divided.")],
        "l2_bce": [(lam2 / (2 * n2), "The learning rate is now 10 times larger, and it also "
                                     "multiplies the penalty's gradient: divide l2 by 10 so "
                                     "that the weight decay per step stays Nielsen's."),
                   (lam2 / n2 / 20 * 2, half)],
    }


def check_l2_numbers(answers, student=None, verbose=True):
    """Check ``{"l2_full": ..., "lr_bce": ..., "lr_bce": ...}``, the numbers of "Nielsen's
    lambda in Keras", for the book's numbers or ``student``'s."""
    problem = l2_problem(student)
    variant = student is not None
    return check_answers(
        answers, l2_answer(problem), l2_mistakes(problem), name="Nielsen's lambda in numbers",
        hint="Match the gradient steps: Nielsen's penalty adds eta * (lambda / N) * w to a "
             "step, Keras's adds learning_rate * 2 * l2 * W.", rtol=HAND_RTOL,
        book=l2_answer(l2_problem()) if variant else None,
        numbers=(", ".join(f"{k} = {v:g}" for k, v in problem.items())
                 + f" (student {student!r})") if variant else None,
        verbose=verbose)
