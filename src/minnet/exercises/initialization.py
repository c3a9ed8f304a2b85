"""Checkers for chapter 9 (initialization, vanishing and exploding gradients).

* :func:`check_forward_variance`: the variance of the weighted inputs ``z^l`` layer by
  layer, predicted from the fan-ins and the weight variances (linear and ReLU layers);
* :func:`check_variance_scaling`: an initializer in the style of Keras's
  ``VarianceScaling`` (Glorot, He and LeCun are special cases), checked by its samples;
* :func:`check_clip_by_global_norm`: gradient clipping by the norm of all gradients
  together (Keras's ``global_clipnorm``).

Every checker prints ``PASS`` or ``FAIL`` with the input that broke the function and a
hint, never the answer, and returns a result that is true when the check passed. A function
that still raises ``NotImplementedError`` (the exercise's stub) is reported as not attempted
yet.
"""

from __future__ import annotations

import numpy as np

from .answers import HAND_RTOL, check_answers, well_posed
from .core import Case, CheckResult, check_function
from .variants import pick, remembered, student_rng

__all__ = [
    "NUMBERS_BOOK",
    "TRUNCATED_STD",
    "check_clip_by_global_norm",
    "check_forward_variance",
    "check_init_numbers",
    "check_variance_scaling",
    "numbers_answer",
    "numbers_mistakes",
    "numbers_problem",
    "numbers_statement",
]

_SEED = 9

#: Standard deviation of a unit normal truncated to [-2, 2] (what Keras divides by).
TRUNCATED_STD = 0.87962566103423978

# ------------------------------------------------------------------ forward variance


def _forward_variance_reference(m0, fan_ins, weight_vars, activation):
    q, m = [], float(m0)
    for fan_in, v in zip(fan_ins, weight_vars, strict=True):
        q.append(fan_in * v * m)
        m = q[-1] / 2 if activation == "relu" else q[-1]
    return np.array(q)


def _forward_variance_diagnosis(fn):
    """Run ``fn`` on a ReLU case and name the classic mistake, if it makes one."""
    args = (0.5, [10, 20, 30], [0.1, 0.05, 0.2], "relu")
    try:
        got = np.asarray(fn(*args), dtype=float)
    except Exception:  # noqa: BLE001 - reported by the check itself
        return None
    right = _forward_variance_reference(*args)
    linear = _forward_variance_reference(*args[:3], "linear")
    # Var(relu(z)) = Var(z) (1/2 - 1/(2 pi)) for a centred normal z: the variance of the
    # ReLU's output, where the next layer needs its second moment
    var_relu, m = [], args[0]
    for fan_in, v in zip(args[1], args[2]):
        var_relu.append(fan_in * v * m)
        m = var_relu[-1] * (0.5 - 0.5 / np.pi)
    wrong = [
        (linear, "For a ReLU layer the next layer sees E[f(z)^2] = Var(z)/2, not Var(z): "
                 "half of a symmetric z is set to zero."),
        (right / 2, "Every layer is off by the factor 1/2. Either you applied the ReLU's 1/2 "
                    "to the input x (no ReLU acts on it, so E[x^2] = m0 enters layer 1 as it "
                    "is; the 1/2 starts at layer 2), or you returned E[f(z^l)^2], the second "
                    "moment after the ReLU, where Var(z^l), before it, was asked for."),
        (np.array(var_relu), "The next layer needs the second moment E[f(z)^2] = Var(z)/2 of "
                             "the ReLU's output, not its variance Var(f(z)): ReLU outputs "
                             "have a positive mean, and with zero-mean weights "
                             "Var(z^l) = n v E[a^2] counts the mean too."),
        (np.sqrt(right), "Return variances, not standard deviations."),
        (right[::-1], "Return the layers in order, layer 1 first."),
    ]
    for candidate, hint in wrong:
        if got.shape == candidate.shape and np.allclose(got, candidate, rtol=1e-9):
            return hint
    return None


def check_forward_variance(fn, verbose=True):
    """Check ``fn(m0, fan_ins, weight_vars, activation)``: ``Var(z^l)`` for ``l = 1..L``.

    ``m0`` is the mean square ``E[x^2]`` of the inputs, ``fan_ins`` the list
    ``[n_0, ..., n_(L-1)]``, ``weight_vars`` the variances of the zero-mean weights of each
    layer, biases zero, and ``activation`` is ``"linear"`` or ``"relu"``. The answer is an
    array of length ``L``: ``Var(z^1) = n_0 Var(W^1) m0`` and, for ``l >= 2``,
    ``Var(z^l) = n_(l-1) Var(W^l) E[f(z^(l-1))^2]``.
    """
    cases = [
        Case("one linear layer", (1.0, [4], [0.25], "linear")),
        Case("three linear layers", (2.0, [8, 16, 4], [0.125, 0.0625, 0.5], "linear")),
        Case("one ReLU layer", (1.0, [100], [0.02], "relu")),
        Case("three ReLU layers with He weights", (1.0, [784, 256, 256],
                                                   [2 / 784, 2 / 256, 2 / 256], "relu")),
        Case("four ReLU layers with Glorot weights",
             (0.1, [50, 40, 40, 30], [2 / 90, 2 / 80, 2 / 70, 2 / 40], "relu")),
    ]
    diagnosis = _forward_variance_diagnosis(fn) if callable(fn) else None
    hints = {"value": diagnosis or ("Write the recursion for two layers on paper: "
                                    "Var(z^1) = n_0 Var(W^1) E[x^2], then "
                                    "Var(z^2) = n_1 Var(W^2) E[f(z^1)^2]."),
             "shape": "Return one variance per layer: an array of length len(fan_ins)."}
    return check_function(fn, _forward_variance_reference, cases, hints=hints,
                          name="forward variance", rtol=1e-9, verbose=verbose)


# ------------------------------------------------------------------ variance scaling


def _fans(shape):
    return shape[-2], shape[-1]


def _target_variance(shape, scale, mode):
    fan_in, fan_out = _fans(shape)
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    return scale / fan


def _scaling_hint(ratio, shape, mode, distribution):
    """A hint from the ratio of the variance you got to the one expected."""
    fan_in, fan_out = _fans(shape)
    fans = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}
    known = [(1 / 3, "A uniform distribution U(-r, r) has variance r^2/3: for the variance "
                     "scale/fan the limit is sqrt(3 scale/fan)."),
             (TRUNCATED_STD ** 2, "Truncating a normal at two standard deviations lowers "
                                  "its variance by the factor 0.8796^2: divide the standard "
                                  "deviation by 0.87962566103423978 before truncating.")]
    if mode == "fan_avg":
        known.append((0.5, "mode='fan_avg' divides by the average of the two fans, "
                           "(fan_in + fan_out) / 2, not by their sum."))
    for m, fan in fans.items():
        if m != mode:
            known.append((fans[mode] / fan, f"The variance matches mode={m!r}, but "
                                             f"mode={mode!r} was asked for. For a Dense kernel "
                                             f"of shape (fan_in, fan_out) = {shape}, which "
                                             f"number is the fan here?"))
    for value, hint in known:
        if abs(ratio / value - 1) < 0.04:
            return hint
    if distribution == "truncated_normal" and abs(ratio * TRUNCATED_STD ** 2 - 1) < 0.04:
        return ("The variance is too large by 1/0.8796^2: divide the standard deviation by "
                "0.8796 only to undo the truncation, and do truncate.")
    return "Compute the variance scale/fan first, then the standard deviation or limit from it."


def check_variance_scaling(fn, verbose=True):
    """Check ``fn(shape, scale, mode, distribution, rng)``, a variance-scaling initializer.

    For a kernel of shape ``(fan_in, fan_out)`` the samples must have mean 0 and variance
    ``scale / fan`` with ``fan`` the fan-in, the fan-out or their average (``mode``
    ``"fan_in"``, ``"fan_out"``, ``"fan_avg"``). With ``distribution="uniform"`` they lie in
    ``[-limit, limit]`` and reach near both ends; with ``"truncated_normal"`` they come from
    a normal truncated at two of its standard deviations (no value beyond
    ``2 * sqrt(scale / fan) / 0.8796``, the tails empty). ``rng`` is a
    ``numpy.random.Generator`` to draw from. Checked by statistics of 240,000 samples per
    case, each against a tolerance of 3 % (about ten times the sampling error).
    """
    name = "variance scaling"
    shape = (400, 600)
    cases = [("He normal", 2.0, "fan_in", "truncated_normal"),
             ("Glorot uniform", 1.0, "fan_avg", "uniform"),
             ("LeCun uniform", 1.0, "fan_in", "uniform"),
             ("Glorot normal", 1.0, "fan_avg", "truncated_normal"),
             ("fan_out, scale 3", 3.0, "fan_out", "uniform"),
             ("fan_out truncated normal, scale 0.5", 0.5, "fan_out", "truncated_normal")]
    if not callable(fn):
        return CheckResult.failing(name, f"expected a function, got {type(fn).__name__}",
                                   "Pass the function itself, without calling it."
                                   ).finish(verbose)
    checked = []
    for i, (label, scale, mode, distribution) in enumerate(cases):
        inputs = (f"shape = {shape}, scale = {scale}, mode = {mode!r}, "
                  f"distribution = {distribution!r}")
        rng = np.random.default_rng(_SEED + i)

        def fail(detail, hint, kind="value", label=label, inputs=inputs):
            return CheckResult.failing(name, detail, hint, case=label, kind=kind,
                                       inputs=inputs, checked=checked).finish(verbose)

        try:
            w = fn(shape, scale, mode, distribution, rng)
        except NotImplementedError:
            if not checked:
                return CheckResult.not_attempted(name).finish(verbose)
            return fail("your function raised NotImplementedError", "Finish this case too.",
                        "exception")
        except Exception as exc:  # noqa: BLE001 - the student's code may raise anything
            return fail(f"your function raised {type(exc).__name__}: {exc}",
                        "Call your function yourself on these inputs and read the error.",
                        "exception")
        if w is None or np.shape(w) != shape:
            return fail(f"got shape {None if w is None else np.shape(w)}, expected {shape}",
                        "Draw an array of exactly the requested shape.", "shape")
        w = np.asarray(w, dtype=float)
        if not np.all(np.isfinite(w)):
            return fail("some values are not finite", "Check the formula of the scale.",
                        "nonfinite")
        target = _target_variance(shape, scale, mode)
        var, mean = float(w.var()), float(w.mean())
        ratio = var / target
        if abs(mean) > 0.05 * np.sqrt(target):
            return fail(f"the samples have mean {mean:.3g}; expected 0 "
                        f"(standard deviation {np.sqrt(target):.3g})",
                        "Draw symmetric around zero: U(-limit, limit) or a centred normal.")
        big = float(np.abs(w).max())
        at_bound = float(np.mean(np.abs(w) >= big * (1 - 1e-9))) if big > 0 else 0.0
        if distribution == "truncated_normal" and at_bound > 1e-3:  # a pile at +-big: clipped
            return fail(f"{at_bound:.1%} of the values sit exactly at +-{big:.4g}",
                        "Truncating is not clipping: np.clip moves every value beyond two "
                        "standard deviations onto the bound. Draw those values again instead, "
                        "until none is left outside.")
        if abs(ratio - 1) > 0.03:
            return fail(f"the samples have variance {var:.4g}, expected {target:.4g} "
                        f"(ratio {ratio:.3f})",
                        _scaling_hint(ratio, shape, mode, distribution))
        if distribution == "uniform":
            limit = np.sqrt(3 * target)
            if big > limit * 1.001 or big < limit * 0.99:
                return fail(f"the largest |value| is {big:.4g}; a uniform distribution "
                            f"with this variance reaches exactly {limit:.4g}",
                            "Draw from a uniform distribution, not a normal one.")
        else:
            bound = 2 * np.sqrt(target) / TRUNCATED_STD
            if big > bound * 1.0001:
                return fail(f"a value of size {big:.4g} lies beyond two standard deviations "
                            f"of the untruncated normal ({bound:.4g})",
                            "Truncate: draw again every value more than two standard "
                            "deviations from the mean (and divide the standard deviation by "
                            "0.8796 so that the variance stays scale/fan).")
            if big < 0.95 * bound:
                return fail(f"the largest |value| is {big:.4g}, far inside the truncation "
                            f"bound {bound:.4g}",
                            "Use a normal distribution truncated at two standard "
                            "deviations, not a uniform one.")
        checked.append(label)
    kinds = ", ".join(checked)
    message = (f"PASS {name}: the samples have the right mean, variance and range for "
               f"{len(checked)} kinds of initializer:\n    {kinds}.")
    return CheckResult.passing(name, message, checked).finish(verbose)


# ------------------------------------------------------------------ global-norm clipping


def _clip_reference(grads, clip_norm):
    norm = np.sqrt(sum(float(np.sum(np.asarray(g, dtype=float) ** 2)) for g in grads))
    factor = clip_norm / norm if norm > clip_norm else 1.0
    return [np.asarray(g) * factor for g in grads]


def _flat(grads):
    if grads is None:
        return None
    if isinstance(grads, np.ndarray):  # one array where a list was expected
        return grads
    return np.concatenate([np.asarray(g, dtype=float).ravel() for g in grads])


def _clip_diagnosis(fn):
    rng = np.random.default_rng(_SEED + 20)
    grads = [rng.normal(size=(3, 2)) * 3, rng.normal(size=2) * 0.1]
    clip_norm = 1.0
    try:
        got = _flat(fn([g.copy() for g in grads], clip_norm))
    except Exception:  # noqa: BLE001 - reported by the check itself
        return None
    per_array = []
    for g in grads:
        n = np.linalg.norm(g)
        per_array.append(g * (clip_norm / n if n > clip_norm else 1.0))
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))  # the right answer, for reference
    wrong = [
        (_flat(per_array), "You clip each array by its own norm (that is Keras's clipnorm). "
                           "Global-norm clipping measures all the arrays together, as one "
                           "vector, and scales every array by the same factor."),
        (_flat([np.clip(g, -clip_norm, clip_norm) for g in grads]),
         "You clip each entry (that is clipvalue): it changes the direction of the "
         "gradient. Scale the whole gradient instead."),
        (_flat([g * clip_norm / total for g in grads]), None),
    ]
    for candidate, hint in wrong:
        if hint and got is not None and got.shape == candidate.shape \
                and np.allclose(got, candidate):
            return hint
    return None


def check_clip_by_global_norm(fn, verbose=True):
    """Check ``fn(grads, clip_norm)`` returning the gradients clipped by their global norm.

    ``grads`` is a list of arrays (one per weight array); their global norm is
    ``sqrt(sum of all squared entries)``. If it exceeds ``clip_norm``, every array is
    multiplied by ``clip_norm / global norm``; otherwise they come back unchanged. The
    result is a list of arrays of the same shapes; the inputs are not modified.
    """
    rng = np.random.default_rng(_SEED + 10)
    cases = [
        Case("one array with a large norm", ([rng.normal(size=5) * 10], 1.0)),
        Case("two arrays, global norm above the threshold",
             ([rng.normal(size=(3, 4)) * 2, rng.normal(size=4) * 2], 1.5)),
        Case("gradients already small enough (left unchanged)",
             ([rng.normal(size=(2, 2)) * 0.01, rng.normal(size=2) * 0.01], 1.0),
             hint="When the global norm is at most clip_norm, return the gradients as "
                  "they are: clipping only ever shrinks."),
        Case("four arrays of a small network",
             ([rng.normal(size=(4, 3)) * 5, rng.normal(size=3) * 0.1,
               rng.normal(size=(3, 1)) * 20, rng.normal(size=1)], 2.0)),
    ]

    def student(grads, clip_norm):
        return _flat(fn(grads, clip_norm))

    def reference(grads, clip_norm):
        return _flat(_clip_reference(grads, clip_norm))

    def structure(grads, clip_norm):  # a list of arrays, one per input array, same shapes
        got = fn([np.array(g) for g in grads], clip_norm)
        if isinstance(got, np.ndarray) or not isinstance(got, (list, tuple)):
            return f"returned a {type(got).__name__}, not a list of arrays"
        if len(got) != len(grads):
            return f"returned {len(got)} arrays for {len(grads)} gradient arrays"
        for k, (g, h) in enumerate(zip(grads, got)):
            if np.shape(h) != np.shape(g):
                return f"array {k} has shape {np.shape(h)}, its gradient has {np.shape(g)}"
        return None

    student.__wrapped__ = fn  # lets the verdict point at the student's own line
    diagnosis = _clip_diagnosis(fn) if callable(fn) else None
    hints = {"value": diagnosis or ("Compute the global norm of all the arrays together, "
                                    "then one factor min(1, clip_norm / norm) for every "
                                    "array."),
             "shape": "Return a list with one array per input array, each of its shape."}
    if not callable(fn):
        return CheckResult.failing("clip by global norm",
                                   f"expected a function, got {type(fn).__name__}",
                                   "Pass the function itself, without calling it."
                                   ).finish(verbose)
    result = check_function(student, reference, cases, hints=hints,
                            name="clip by global norm", rtol=1e-9, verbose=False)
    if result:  # the values are right; the statement also asks for a list of arrays
        case = cases[3]
        problem = structure(*case.args)
        if problem:
            result = CheckResult.failing(
                "clip by global norm", f"the values are right, but your function {problem}",
                "Return a list with one array per input array, each of its shape: the "
                "optimizer applies them one by one to the weight arrays.",
                case=case.label, kind="shape", checked=result.checked)
    if result:  # the statement also forbids changing the caller's arrays
        grads = [np.array(g) for g in cases[1].args[0]]
        kept = [g.copy() for g in grads]
        fn(grads, cases[1].args[1])
        if not all(np.array_equal(g, k) for g, k in zip(grads, kept)):
            result = CheckResult.failing(
                "clip by global norm", "your function changed the gradient arrays it was "
                "given", "Return new arrays (g * factor) instead of scaling in place "
                "(g *= factor): the caller may still need the unclipped gradients.",
                case=cases[1].label, kind="mutation", checked=result.checked)
    return result.finish(verbose)


# ------------------------------------ limits and standard deviations (variant)

#: The layer of the exercise "Limits and standard deviations by hand" in the book.
NUMBERS_BOOK = {"fan_in": 784, "units": 256}


def numbers_problem(student=None):
    """The layer of "Limits and standard deviations by hand": the book's ``Dense(256)`` on
    784 inputs for ``None``, else a student's fan-in (64-1024) and units (16-511: the
    exercise asks what changes with 512 units).

    A draw is kept only if every typical mistake, and every swap of two answers, is more
    than 1.5 % from the answer (:func:`~minnet.exercises.answers.well_posed`): with the
    fan-in equal to the units, He's variance from the fan-out would pass."""
    if student is None:
        return dict(NUMBERS_BOOK)
    rng = student_rng(student, "ex-09-numbers")
    book = numbers_answer(NUMBERS_BOOK)
    while True:
        problem = {"fan_in": int(pick(rng, 64, 1024, 1)), "units": int(pick(rng, 16, 512, 1))}
        if problem["units"] != 512 and well_posed(
                numbers_answer(problem), numbers_mistakes(problem), book, rtol=HAND_RTOL):
            return problem


@remembered
def numbers_answer(problem):
    """The Glorot variance and uniform limit, the He variance and the standard deviation
    Keras and minnet pass to the truncated normal for He normal (the key)."""
    fan_in, fan_out = problem["fan_in"], problem["units"]
    v_glorot, v_he = 2 / (fan_in + fan_out), 2 / fan_in
    return {"glorot_var": v_glorot, "glorot_limit": float(np.sqrt(3 * v_glorot)),
            "he_var": v_he, "he_normal_std": float(np.sqrt(v_he) / TRUNCATED_STD)}


def numbers_statement(problem):
    """The student's layer, as MyST for the student edition."""
    return f"a `Dense({problem['units']})` layer receives {problem['fan_in']} inputs"


def numbers_mistakes(problem):
    """Typical wrong answers for ``problem``: ``{key: [(value, hint), ...]}``."""
    fan_in, fan_out = problem["fan_in"], problem["units"]
    v_glorot, v_he = 2 / (fan_in + fan_out), 2 / fan_in
    return {
        "glorot_var": [(1 / (fan_in + fan_out), "Glorot's variance is 2 / (fan_in + "
                                                "fan_out): the average of 1/fan_in and "
                                                "1/fan_out, taken as 2 / their sum."),
                       (2 / fan_in, "That is He's variance; Glorot's averages the fan-in "
                                    "and the fan-out.")],
        "glorot_limit": [(np.sqrt(v_glorot), "That is the standard deviation. A uniform "
                                             "on [-r, r] has variance r**2 / 3, so r = "
                                             "sqrt(3 v)."),
                         (np.sqrt(6 / fan_in), "That is He uniform's limit; Glorot's uses "
                                               "fan_in + fan_out.")],
        "he_var": [(2 / fan_out, "He's variance uses the fan-in, the number of inputs."),
                   (1 / fan_in, "That is LeCun's; He doubles it for ReLU, which zeroes half "
                                "of its inputs."), (v_glorot, "That is Glorot's variance.")],
        "he_normal_std": [(np.sqrt(v_he), "That is the standard deviation you want; Keras "
                                          "divides it by 0.8796 because truncating at two "
                                          "standard deviations shrinks the spread."),
                          (np.sqrt(v_he) * TRUNCATED_STD, "Divide by 0.8796, not multiply: "
                                                          "the truncation shrinks the "
                                                          "spread, so the normal drawn "
                                                          "from must be wider.")],
    }


def check_init_numbers(answers, student=None, verbose=True):
    """Check ``{"glorot_var", "glorot_limit", "he_var", "he_normal_std"}`` of "Limits and
    standard deviations by hand", for the book's layer or ``student``'s."""
    problem = numbers_problem(student)
    variant = student is not None
    return check_answers(
        answers, numbers_answer(problem), numbers_mistakes(problem),
        name="initializer numbers",
        hint="The fan-in is the number of inputs, the fan-out the number of units; see the "
             "equations of the Glorot and He sections.", rtol=HAND_RTOL,
        book=numbers_answer(numbers_problem()) if variant else None,
        numbers=f"{numbers_statement(problem)} (student {student!r})".replace("`", "")
        if variant else None,
        verbose=verbose)
