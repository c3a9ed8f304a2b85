"""Chapter 6 checkers: the stable learning rate of a quadratic, a momentum step, an Adam step.

Each checker runs your function on several kinds of input, compares it with the update rule
Keras 3 uses (``minnet.optimizers`` follows the same rule), and prints ``PASS`` or ``FAIL``
with the input that broke it and a hint naming the likely mistake; a function that still
raises ``NotImplementedError`` is reported as not attempted yet.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from .answers import HAND_RTOL, check_answers, well_posed
from .core import Case, CheckResult, check_function
from .variants import pick, remembered, student_rng

__all__ = [
    "STABLE_BOOK",
    "VELOCITY_BOOK",
    "check_adam_step",
    "check_momentum_step",
    "check_stable_learning_rate",
    "check_stable_rate_by_hand",
    "check_velocity_steps",
    "stable_answer",
    "stable_mistakes",
    "stable_problem",
    "stable_statement",
    "velocity_answer",
    "velocity_mistakes",
    "velocity_problem",
    "velocity_statement",
]

_SEED = 6


def _not_attempted(fn, name, case, verbose):
    """A result saying "not attempted yet" if ``fn`` raises NotImplementedError, else None."""
    if not callable(fn):
        return None
    try:
        fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    except NotImplementedError:
        return CheckResult.not_attempted(name).finish(verbose)
    except Exception:  # noqa: BLE001 - the check itself reports it
        return None
    return None


def _diagnose(fn, case, candidates):
    """The hint of the first wrong formula whose output ``fn`` reproduces on ``case``."""
    try:
        got = fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        got = np.asarray(got, dtype=float)
    except Exception:  # noqa: BLE001
        return None
    for wrong, hint in candidates:
        try:
            expected = np.asarray(wrong(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs)),
                                  dtype=float)
        except (ArithmeticError, ValueError):  # a wrong formula undefined on this case
            continue
        if got.shape == expected.shape and np.allclose(got, expected, rtol=1e-6, atol=1e-12):
            return hint
    return None


# ------------------------------------------------------------ stable learning rate


def _stable_reference(H):
    return 2.0 / float(np.linalg.eigvalsh(np.asarray(H, dtype=float)).max())


def check_stable_learning_rate(fn, verbose=True):
    """Check ``fn(H)``: the largest learning rate for which gradient descent converges on
    ``C(v) = v^T H v / 2`` from every start, i.e. the bound ``2 / lambda_max(H)``.

    ``H`` is a symmetric positive definite matrix. Tried on a 1x1 matrix, a diagonal one, a
    symmetric one with large off-diagonal entries (where the largest diagonal entry is not
    the largest eigenvalue; not the matrix the exercise asks you to work by hand) and a
    random 6x6 one.
    """
    name = "stable learning rate"
    rng = np.random.default_rng(_SEED)
    A = rng.normal(size=(6, 6))
    cases = [
        Case("a 1x1 Hessian", (np.array([[4.0]]),)),
        Case("a diagonal Hessian", (np.diag([1.0, 25.0]),)),
        Case("a symmetric Hessian with off-diagonal terms", (np.array([[3.0, 2.0], [2.0, 3.0]]),)),
        Case("a random 6x6 positive definite Hessian", (A @ A.T + 0.5 * np.eye(6),)),
    ]
    stopped = _not_attempted(fn, name, cases[1], verbose)
    if stopped is not None:
        return stopped

    def eig(H):
        return np.linalg.eigvalsh(np.asarray(H, dtype=float))

    candidates = [
        (lambda H: 2.0 / eig(H).min(),
         "You used the smallest eigenvalue. The step multiplies each eigen-coordinate by "
         "(1 - eta lambda_i); which lambda_i is the first to make |1 - eta lambda_i| > 1?"),
        (lambda H: 1.0 / eig(H).max(),
         "1/lambda_max is the learning rate that solves the stiffest direction in one step, "
         "not the largest stable one: |1 - eta lambda| < 1 allows eta up to twice that."),
        (lambda H: 2.0 / np.max(np.diag(H)),
         "The diagonal entries are the curvatures along the axes, not along the eigenvectors; "
         "use the eigenvalues (np.linalg.eigvalsh) of the whole matrix."),
        (lambda H: 2.0 / np.trace(H),
         "The trace is the sum of the eigenvalues, not the largest one: this bound is safe "
         "but too small."),
        (lambda H: 2.0 / np.linalg.norm(H),
         "The Frobenius norm is at least lambda_max, so this bound is safe but too small; "
         "use the largest eigenvalue."),
    ]
    hint = None
    for case in cases[2:]:
        hint = hint or _diagnose(fn, case, candidates)
    hint = hint or _diagnose(fn, cases[1], candidates)
    hints = {"value": hint or "Decompose H = Q diag(lambda) Q^T: in the coordinates Q^T v each "
                              "step multiplies coordinate i by (1 - eta lambda_i).",
             "shape": "Return one number (a float), not an array."}
    return check_function(fn, _stable_reference, cases, hints=hints, name=name,
                          rtol=1e-6, atol=1e-12, verbose=verbose)


# ------------------------------------------------------------------- momentum step


def _momentum_reference(w, g, m, learning_rate, momentum):
    m_new = momentum * m - learning_rate * g
    return w + m_new, m_new


def check_momentum_step(fn, verbose=True):
    """Check ``fn(w, g, m, learning_rate, momentum) -> (w_new, m_new)``: one step of SGD with
    momentum in Keras's form, ``m_new = momentum m - learning_rate g``, ``w_new = w + m_new``,
    returning new arrays and leaving the inputs unchanged.
    """
    name = "momentum step"
    rng = np.random.default_rng(_SEED + 1)
    cases = [
        Case("the first step (m = 0)",
             (rng.normal(size=3), rng.normal(size=3), np.zeros(3), 0.1, 0.9)),
        Case("a step with velocity already built up",
             (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3)),
              0.05, 0.9)),
        Case("momentum 0 (plain SGD)",
             (rng.normal(size=4), rng.normal(size=4), rng.normal(size=4), 0.1, 0.0)),
        Case("float32 weights", tuple(rng.normal(size=5).astype(np.float32) for _ in range(3))
             + (0.01, 0.5), check_dtype=True,
             hint={"dtype": "Python floats keep float32 arrays float32; a numpy float64 scalar "
                            "(np.float64(lr), np.array(lr)) turns them into float64."}),
    ]
    stopped = _not_attempted(fn, name, cases[1], verbose)
    if stopped is not None:
        return stopped
    candidates = [
        (lambda w, g, m, lr, mu: (w - (mu * m + lr * g), mu * m + lr * g),
         "Your weights are right but your velocity has the opposite sign: in Keras's form the "
         "velocity is the step itself, m_new = momentum * m - learning_rate * g, and "
         "w_new = w + m_new."),
        (lambda w, g, m, lr, mu: (w - lr * (mu * m + g), mu * m + g),
         "That is the other common convention (m_new = momentum * m + g, w -= lr * m_new, as "
         "in PyTorch). Here the velocity includes the learning rate: "
         "m_new = momentum * m - learning_rate * g, then w_new = w + m_new."),
        (lambda w, g, m, lr, mu: (w + m, mu * m - lr * g),
         "You moved the weights with the old velocity; update m first, then add the new m "
         "to w."),
        (lambda w, g, m, lr, mu: (w + mu * (mu * m - lr * g) - lr * g, mu * m - lr * g),
         "That is Nesterov's form (w += momentum * m_new - lr * g); this exercise asks for "
         "classical momentum, w_new = w + m_new."),
        (lambda w, g, m, lr, mu: (w - lr * g, mu * m - lr * g),
         "Your weights take a plain gradient step: add the whole new velocity m_new to w."),
        (lambda w, g, m, lr, mu: (w - (mu * m - lr * g), mu * m - lr * g),
         "Your velocity is right but your weights move uphill: the velocity already carries "
         "the minus sign (m_new = momentum * m - learning_rate * g), so w_new = w + m_new."),
    ]
    hint = _diagnose(fn, cases[1], candidates)
    hints = {"value": hint or "Write the two lines of the rule for one number first: "
                              "m_new = momentum * m - learning_rate * g; w_new = w + m_new.",
             "shape": "Return a pair (w_new, m_new), each shaped like w."}
    return check_function(fn, _momentum_reference, cases, hints=hints, name=name,
                          rtol=1e-6, atol=1e-12, verbose=verbose)


# ----------------------------------------------------------------------- Adam step


def _adam_reference(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    dtype = np.asarray(w).dtype.type
    m_new = beta_1 * m + (1 - beta_1) * g
    v_new = beta_2 * v + (1 - beta_2) * g * g
    alpha = learning_rate * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    w_new = w - dtype(alpha) * m_new / (np.sqrt(v_new) + dtype(epsilon))
    return w_new, m_new, v_new


def check_adam_step(fn, verbose=True):
    """Check ``fn(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon) -> (w, m, v)``: one
    Adam step in Keras's form, where ``t`` is the number of this step (1 for the first):

    ``m = beta_1 m + (1 - beta_1) g``, ``v = beta_2 v + (1 - beta_2) g^2``,
    ``alpha = learning_rate sqrt(1 - beta_2^t) / (1 - beta_1^t)``,
    ``w = w - alpha m / (sqrt(v) + epsilon)``; new arrays, inputs unchanged, float32 in gives
    float32 out.
    """
    name = "Adam step"
    rng = np.random.default_rng(_SEED + 2)
    settings = {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
    w3 = rng.normal(size=3)
    cases = [
        # The first two cases compare at rtol 1e-4: a mistake about where epsilon sits changes
        # them only in the 6th or 7th digit, which the verdict would print as two equal
        # numbers; the tiny-gradient case (at the checker's 1e-7) catches it visibly.
        Case("the first step (t = 1, m = v = 0)",
             (w3, rng.normal(size=3), np.zeros(3), np.zeros(3), 1), dict(settings),
             rtol=1e-4, atol=1e-12),
        Case("step t = 10 with state built up",
             (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), 0.1 * rng.normal(size=(2, 3)),
              rng.uniform(0.1, 1.0, size=(2, 3)), 10), dict(settings), rtol=1e-4, atol=1e-12),
        Case("tiny gradients, where epsilon matters (t = 3)",
             (rng.normal(size=4), 1e-7 * rng.normal(size=4), np.zeros(4), np.zeros(4), 3),
             dict(settings, epsilon=1e-6)),
        Case("float32 weights and state",
             tuple(rng.normal(size=4).astype(np.float32) for _ in range(3))
             + (rng.uniform(0.1, 1, size=4).astype(np.float32), 5), dict(settings),
             check_dtype=True, rtol=1e-5, atol=1e-6,
             hint={"dtype": "np.sqrt of a Python float returns a numpy float64 scalar, which "
                            "turns float32 arrays into float64; use math.sqrt for the "
                            "step-size factor, or convert it with w.dtype.type(alpha)."}),
    ]
    stopped = _not_attempted(fn, name, cases[1], verbose)
    if stopped is not None:
        return stopped

    def moments(g, m, v, b1, b2):
        return b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g

    def no_correction(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        m, v = moments(g, m, v, beta_1, beta_2)
        return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v

    def eps_inside(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        m, v = moments(g, m, v, beta_1, beta_2)
        alpha = learning_rate * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        return w - alpha * m / np.sqrt(v + epsilon), m, v

    def paper_form(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        m, v = moments(g, m, v, beta_1, beta_2)
        m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
        return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v

    def shifted(dt):
        def wrong(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
            return _adam_reference(w, g, m, v, t + dt, learning_rate, beta_1, beta_2, epsilon)
        return wrong

    def swapped_betas(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        return _adam_reference(w, g, m, v, t, learning_rate, beta_2, beta_1, epsilon)

    def corrected_state(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        w_new, m, v = _adam_reference(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)
        return w_new, m / (1 - beta_1**t), v / (1 - beta_2**t)

    def only_m_corrected(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        m, v = moments(g, m, v, beta_1, beta_2)
        return w - learning_rate * m / (1 - beta_1**t) / (np.sqrt(v) + epsilon), m, v

    def uphill(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
        w_new, m, v = _adam_reference(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)
        return 2 * w - w_new, m, v

    candidates = [
        (no_correction, "You left out the bias correction: with m = v = 0 at the start, m and v "
                        "are too small by the factors (1 - beta_1^t) and (1 - beta_2^t); "
                        "alpha = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t)."),
        (eps_inside, "epsilon sits outside the square root in Adam: sqrt(v) + epsilon (it is "
                     "RMSprop that adds it inside)."),
        (paper_form, "That is the paper's form, with epsilon added to sqrt(v_hat) after the "
                     "bias correction. Keras (and this exercise) fold the correction into "
                     "alpha and add epsilon to sqrt(v) itself; the two differ when v is tiny."),
        (shifted(-1), "t is the number of this step, counted from 1; the bias correction of "
                      "the first step uses t = 1."),
        (shifted(1), "t is already the number of this step: do not add 1 to it."),
        (swapped_betas, "beta_1 (0.9) averages the gradients, beta_2 (0.999) their squares."),
        (corrected_state, "Your weights are right, but you returned the bias-corrected "
                          "m / (1 - beta_1^t) and v / (1 - beta_2^t) as the new state. Return the "
                          "plain moving averages m and v: the correction is applied afresh at "
                          "every step, through alpha."),
        (only_m_corrected, "You corrected m but not v: the second moment is biased too, by "
                           "(1 - beta_2^t) inside the root, which gives the factor "
                           "sqrt(1 - beta_2^t) in alpha."),
        (uphill, "Your step goes uphill: w_new = w - alpha * m / (sqrt(v) + epsilon)."),
    ]
    hint = None
    for case in cases[:3]:
        hint = hint or _diagnose(fn, case, candidates)
    hints = {"value": hint or "Write the four lines for one number and check them by hand "
                              "on the first step, where m = (1 - beta_1) g.",
             "shape": "Return a triple (w_new, m_new, v_new), each shaped like w."}
    return check_function(fn, _adam_reference, cases, hints=hints, name=name,
                          rtol=1e-7, atol=1e-12, verbose=verbose)


# ------------------------------------------- the stable rate by hand (variant)

#: The matrix of the exercise "The largest stable learning rate" in the book.
STABLE_BOOK = {"h11": 5.0, "h12": 4.0, "h22": 5.0}


def stable_problem(student=None):
    """The matrix ``H = [[h11, h12], [h12, h22]]`` of the by-hand part of "The largest
    stable learning rate": the book's ``[[5, 4], [4, 5]]`` for ``None``, else a student's
    positive definite matrix with whole entries (diagonal 1-20, off-diagonal nonzero),
    on which the bound read off the diagonal, and the other typical mistakes, are more than
    1.5 % from the answer (:func:`~minnet.exercises.answers.well_posed`)."""
    if student is None:
        return dict(STABLE_BOOK)
    rng = student_rng(student, "ex-06-stable")
    book = stable_answer(STABLE_BOOK)
    while True:
        h11, h22 = pick(rng, 1, 20, 1), pick(rng, 1, 20, 1)
        h12 = pick(rng, -19, 19, 1)
        if h12 != 0 and h11 * h22 - h12 ** 2 > 0:  # positive definite
            problem = {"h11": float(h11), "h12": float(h12), "h22": float(h22)}
            if well_posed(stable_answer(problem), stable_mistakes(problem), book,
                          rtol=HAND_RTOL):
                return problem


def _matrix(problem):
    return np.array([[problem["h11"], problem["h12"]], [problem["h12"], problem["h22"]]])


@remembered
def stable_answer(problem):
    """``{"eta": 2 / lambda_max}`` for the problem's matrix (the instructor's key)."""
    return {"eta": float(_stable_reference(_matrix(problem)))}


def stable_statement(problem):
    """The student's matrix, as MyST for the student edition."""
    h = {k: f"{v:g}" for k, v in problem.items()}
    diagonal = f"{max(problem['h11'], problem['h22']):g}"
    return (r"compute it by hand for $H = \begin{pmatrix} " f"{h['h11']} & {h['h12']} \\\\ "
            f"{h['h12']} & {h['h22']}" r" \end{pmatrix}$; the value read off its diagonal, "
            f"in place of $2/5$, is $2/{diagonal}$")


def stable_mistakes(problem):
    """Typical wrong answers for ``problem``: ``{"eta": [(value, hint), ...]}``."""
    eig = np.linalg.eigvalsh(_matrix(problem))
    return {"eta": [
        (2 / max(problem["h11"], problem["h22"]),
         "That is read off the diagonal: the curvature along the axes only. The bound is "
         "set by the largest eigenvalue of H, the curvature along its steepest direction."),
        (1 / eig.max(), "Gradient descent on a direction of curvature lambda multiplies it by "
                        "1 - eta lambda each step; it converges while |1 - eta lambda| < 1, "
                        "that is up to eta = 2 / lambda."),
        (2 / eig.min(), "That is the bound for the smallest eigenvalue; the direction of the "
                        "largest one diverges first."),
    ]}


def check_stable_rate_by_hand(eta, student=None, verbose=True):
    """Check the learning rate computed by hand in "The largest stable learning rate", for
    the book's matrix or ``student``'s. ``eta`` is one number (``None``: not answered yet)."""
    problem = stable_problem(student)
    variant = student is not None
    book = stable_answer(stable_problem()) if variant else None
    h = _matrix(problem)
    return check_answers(
        {"eta": eta}, stable_answer(problem), stable_mistakes(problem),
        name="stable rate by hand",
        hint="Find the eigenvalues of H (the roots of det(H - lambda I) = 0) and use the "
             "largest.", rtol=HAND_RTOL, book=book,
        numbers=f"H = {h.tolist()} (student {student!r})" if variant else None,
        verbose=verbose)


# ---------------------------------------------- terminal velocity (variant)

#: The numbers of the exercise "Terminal velocity" in the book.
VELOCITY_BOOK = {"mu_a": 0.9, "mu_b": 0.99, "fraction": 0.9}


def velocity_problem(student=None):
    """The two momenta and the fraction of the terminal velocity of "Terminal velocity":
    the book's 0.9, 0.99 and 90 % for ``None``, else a student's ``mu_a`` (0.5-0.95),
    ``mu_b`` (0.96-0.999) and fraction (75 %-99 %).

    A draw is kept only if ``ln(1 - fraction) / ln(mu)`` is not a whole number for either
    mu (``mu = 0.5`` reaches 75 % exactly at step 2: rounding up or down, and ``1/(1 - mu)``,
    would all give the answer) and the typical mistakes differ from it."""
    if student is None:
        return dict(VELOCITY_BOOK)
    rng = student_rng(student, "ex-06-velocity")
    book = velocity_answer(VELOCITY_BOOK)
    while True:
        problem = {"mu_a": pick(rng, 0.5, 0.95, 0.01), "mu_b": pick(rng, 0.96, 0.999, 0.001),
                   "fraction": float(rng.choice([0.75, 0.8, 0.85, 0.9, 0.95, 0.99]))}
        ratios = [math.log(1 - problem["fraction"]) / math.log(problem[key])
                  for key in ("mu_a", "mu_b")]
        if any(abs(r - round(r)) < 1e-6 for r in ratios):
            continue
        steps = {"mu_a": math.ceil(ratios[0]), "mu_b": math.ceil(ratios[1])}
        if well_posed(steps, velocity_mistakes(problem), book, rtol=0, atol=1e-9):
            return problem


def _steps_to(mu, fraction):
    """The first step t at which minnet's SGD with momentum ``mu`` on a constant gradient
    moves the weight by at least ``fraction`` of its terminal step."""
    from minnet.optimizers import SGD

    opt, w, terminal = SGD(1.0, momentum=mu), np.zeros(1), 1 / (1 - mu)
    for t in range(1, 100_000):
        before = w.copy()
        opt.apply([w], [np.ones(1)])
        if abs(w - before)[0] >= fraction * terminal * (1 - 1e-12):
            return t
    raise RuntimeError(f"momentum {mu} did not reach {fraction} of its terminal step")


@remembered
def velocity_answer(problem):
    """The number of steps for each momentum, run with minnet's SGD (the key)."""
    return {key: _steps_to(problem[key], problem["fraction"]) for key in ("mu_a", "mu_b")}


def velocity_statement(problem):
    """The student's numbers, as MyST for the student edition."""
    return (f"find the steps it takes to reach {100 * problem['fraction']:g} % of the terminal "
            f"velocity for $\\mu = {problem['mu_a']:g}$ (`\"mu_a\"`) and for "
            f"$\\mu = {problem['mu_b']:g}$ (`\"mu_b\"`)")


def velocity_mistakes(problem):
    """Typical wrong answers for ``problem``: ``{key: [(value, hint), ...]}``."""
    f = problem["fraction"]
    out = {}
    for key in ("mu_a", "mu_b"):
        mu = problem[key]
        exact = math.log(1 - f) / math.log(mu)
        out[key] = [
            (exact, "A number of steps is a whole number: take the first t with "
                    "1 - mu^t at least the fraction, that is, round up."),
            (math.floor(exact), "After floor(ln(1 - f) / ln mu) steps the velocity is still "
                                "short of the fraction: round up."),
            (1 / (1 - mu), "1 / (1 - mu) is the factor by which momentum multiplies the "
                           "step, not a number of steps."),
            (math.ceil(math.log(f) / math.log(mu)), "The fraction reached after t steps is "
                                                     "1 - mu^t, so solve mu^t <= 1 - f."),
        ]
    return out


def check_velocity_steps(steps, student=None, verbose=True):
    """Check ``{"mu_a": t_a, "mu_b": t_b}``, the steps of "Terminal velocity" for the book's
    numbers or ``student``'s. The right numbers are never printed."""
    problem = velocity_problem(student)
    variant = student is not None
    return check_answers(
        steps, velocity_answer(problem), velocity_mistakes(problem), name="terminal velocity",
        hint="The velocity after t steps is a fraction 1 - mu^t of the terminal one: "
             "solve for the first whole t.", rtol=0, atol=1e-9,
        book=velocity_answer(velocity_problem()) if variant else None,
        numbers=(f"mu_a = {problem['mu_a']:g}, mu_b = {problem['mu_b']:g}, fraction "
                 f"{problem['fraction']:g} (student {student!r})") if variant else None,
        verbose=verbose)
