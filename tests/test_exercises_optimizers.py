"""Chapter 6 checkers: each passes the right function, fails typical wrong ones with a
specific hint, and reports a stub as not attempted."""

import math

import numpy as np
import pytest

import minnet
from minnet.exercises.optimizers import (
    check_adam_step,
    check_momentum_step,
    check_stable_learning_rate,
)

# ------------------------------------------------------------ stable learning rate


def stable_eta(H):
    return 2 / np.linalg.eigvalsh(H).max()


def test_stable_learning_rate_passes():
    result = check_stable_learning_rate(stable_eta, verbose=False)
    assert result, result.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda H: 2 / np.linalg.eigvalsh(H).min(), "smallest eigenvalue"),
        (lambda H: 1 / np.linalg.eigvalsh(H).max(), "twice that"),
        (lambda H: 2 / np.max(np.diag(H)), "diagonal entries"),
        (lambda H: 2 / np.trace(H), "trace"),
        (lambda H: 2 / np.linalg.norm(H), "Frobenius"),
    ],
)
def test_stable_learning_rate_wrong_answers_get_their_hint(wrong, hint):
    result = check_stable_learning_rate(wrong, verbose=False)
    assert not result
    assert hint in result.message


def test_stable_learning_rate_array_answer_fails_on_shape():
    result = check_stable_learning_rate(lambda H: 2 / np.linalg.eigvalsh(H), verbose=False)
    assert not result and "one number" in result.message


# ------------------------------------------------------------------- momentum step


def momentum_step(w, g, m, learning_rate, momentum):
    m_new = momentum * m - learning_rate * g
    return w + m_new, m_new


def test_momentum_step_passes_and_matches_minnet():
    result = check_momentum_step(momentum_step, verbose=False)
    assert result, result.message
    opt = minnet.optimizers.SGD(0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    w = rng.normal(size=3)
    ours, m = w.copy(), np.zeros(3)
    for _ in range(5):
        g = rng.normal(size=3)
        opt.apply([w], [g])
        ours, m = momentum_step(ours, g, m, 0.1, 0.9)
    np.testing.assert_allclose(ours, w, rtol=1e-12)


def in_place(w, g, m, learning_rate, momentum):
    m *= momentum
    m -= learning_rate * g
    w += m
    return w, m


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda w, g, m, lr, mu: (w - (mu * m + lr * g), mu * m + lr * g), "opposite sign"),
        (lambda w, g, m, lr, mu: (w - lr * (mu * m + g), mu * m + g), "PyTorch"),
        (lambda w, g, m, lr, mu: (w + m, mu * m - lr * g), "old velocity"),
        (lambda w, g, m, lr, mu: (w + mu * (mu * m - lr * g) - lr * g, mu * m - lr * g),
         "Nesterov"),
        (lambda w, g, m, lr, mu: (w - lr * g, mu * m - lr * g), "plain gradient step"),
        (lambda w, g, m, lr, mu: (w - (mu * m - lr * g), mu * m - lr * g), "move uphill"),
        (in_place, "changed its input"),
        (lambda w, g, m, lr, mu: (w + (np.float64(mu) * m - np.float64(lr) * g),
                                  np.float64(mu) * m - np.float64(lr) * g), "float64"),
    ],
)
def test_momentum_step_wrong_answers_get_their_hint(wrong, hint):
    result = check_momentum_step(wrong, verbose=False)
    assert not result
    assert hint in result.message


# ----------------------------------------------------------------------- Adam step


def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g * g
    alpha = learning_rate * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return w - alpha * m / (np.sqrt(v) + epsilon), m, v


def test_adam_step_passes_and_matches_minnet():
    result = check_adam_step(adam_step, verbose=False)
    assert result, result.message
    opt = minnet.optimizers.Adam(0.01)
    rng = np.random.default_rng(1)
    w = rng.normal(size=4)
    ours, m, v = w.copy(), np.zeros(4), np.zeros(4)
    for t in range(1, 8):
        g = rng.normal(size=4)
        opt.apply([w], [g])
        ours, m, v = adam_step(ours, g, m, v, t, learning_rate=0.01)
    np.testing.assert_allclose(ours, w, rtol=1e-12)


def _moments(g, m, v, b1, b2):
    return b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g


def no_correction(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m, v = _moments(g, m, v, beta_1, beta_2)
    return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v


def eps_inside(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m, v = _moments(g, m, v, beta_1, beta_2)
    alpha = learning_rate * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return w - alpha * m / np.sqrt(v + epsilon), m, v


def paper_form(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m, v = _moments(g, m, v, beta_1, beta_2)
    return w - learning_rate * (m / (1 - beta_1**t)) / (
        np.sqrt(v / (1 - beta_2**t)) + epsilon), m, v


def t_from_zero(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    return adam_step(w, g, m, v, t - 1 if t > 1 else 1e-9, learning_rate, beta_1, beta_2, epsilon)


def corrected_state(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    w_new, m, v = adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)
    return w_new, m / (1 - beta_1**t), v / (1 - beta_2**t)


def only_m_corrected(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m, v = _moments(g, m, v, beta_1, beta_2)
    return w - learning_rate * m / (1 - beta_1**t) / (np.sqrt(v) + epsilon), m, v


def uphill(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    w_new, m, v = adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)
    return 2 * w - w_new, m, v


def np_sqrt_alpha(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m, v = _moments(g, m, v, beta_1, beta_2)
    alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)  # np.float64 scalar
    return w - alpha * m / (np.sqrt(v) + epsilon), m, v


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (no_correction, "bias correction"),
        (eps_inside, "outside the square root"),
        (paper_form, "paper's form"),
        (lambda *a, **k: adam_step(*a[:4], a[4] + 1, **k), "do not add 1"),
        (lambda w, g, m, v, t, **k: adam_step(w, g, m, v, t, learning_rate=k["learning_rate"],
                                              beta_1=k["beta_2"], beta_2=k["beta_1"],
                                              epsilon=k["epsilon"]), "beta_1 (0.9)"),
        (np_sqrt_alpha, "math.sqrt"),
        (corrected_state, "as the new state"),
        (only_m_corrected, "corrected m but not v"),
        (uphill, "goes uphill"),
    ],
)
def test_adam_step_wrong_answers_get_their_hint(wrong, hint):
    result = check_adam_step(wrong, verbose=False)
    assert not result
    assert hint in result.message, result.message


# ----------------------------------------------------------------- not attempted


@pytest.mark.parametrize("check", [check_stable_learning_rate, check_momentum_step,
                                   check_adam_step])
def test_stub_is_not_attempted(check):
    def stub(*args, **kwargs):
        raise NotImplementedError

    result = check(stub, verbose=False)
    assert not result
    assert "not attempted" in result.message.lower()
    assert "FAIL" not in result.message


def test_a_crash_is_a_fail_not_a_stub():
    def crash(*args, **kwargs):
        raise ZeroDivisionError("oops")

    result = check_adam_step(crash, verbose=False)
    assert not result and "ZeroDivisionError" in result.message


@pytest.mark.parametrize("wrong", [eps_inside, paper_form])
def test_adam_epsilon_mistakes_fail_where_epsilon_matters(wrong):
    """Their difference on ordinary gradients is below the printed digits; the verdict must
    show them on the tiny-gradient case, where the numbers visibly differ."""
    result = check_adam_step(wrong, verbose=False)
    assert not result and "tiny gradients" in result.message, result.message


def test_stable_checker_does_not_print_the_hand_exercise_answer():
    result = check_stable_learning_rate(lambda H: 2 / np.max(np.diag(H)), verbose=False)
    assert not result and "0.222" not in result.message
