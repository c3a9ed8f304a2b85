"""Chapter 2 checkers: each passes the right function and fails specific wrong ones,
naming the failing input and giving the hint meant for that mistake."""

import math

import numpy as np
import pytest

from minnet import activations as A
from minnet.exercises.activations import (
    check_leaky_relu,
    check_relu,
    check_sigmoid,
    check_sigmoid_derivative,
    check_softmax,
    check_softmax_jacobian,
    check_tanh_derivative,
)


def np_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def stable_softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def stable_sigmoid(z):
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax_jacobian(z):
    a = A.softmax(z)
    return a[..., :, None] * (np.eye(a.shape[-1], dtype=a.dtype) - a[..., None, :])


def leaky_relu(z, negative_slope=0.2):
    z = np.asarray(z)
    return np.where(z > 0, z, z * np.asarray(negative_slope, dtype=z.dtype))


@pytest.mark.parametrize("check, fn", [
    (check_sigmoid, stable_sigmoid),
    (check_sigmoid_derivative, lambda z: stable_sigmoid(z) * (1 - stable_sigmoid(z))),
    (check_relu, lambda z: np.maximum(z, 0)),
    (check_softmax, A.softmax),
    (check_tanh_derivative, lambda z: 1 - np.tanh(z) ** 2),
    (check_leaky_relu, leaky_relu),
    (check_softmax_jacobian, softmax_jacobian),
])
def test_right_answers_pass(check, fn, capsys):
    result = check(fn)
    assert result, result.message
    assert capsys.readouterr().out.startswith("PASS")


def test_checkers_are_quiet_when_asked(capsys):
    assert check_tanh_derivative(lambda z: 1 - np.tanh(z) ** 2, verbose=False)
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------------ tanh derivative


def test_tanh_derivative_forgot_square():
    result = check_tanh_derivative(lambda z: 1 - np.tanh(z), verbose=False)
    assert not result
    assert result.failure.case == "a single number"
    assert result.failure.kind == "value"
    assert "in terms of t = tanh(z)" in result.failure.hint


def test_tanh_derivative_wrong_sign():
    result = check_tanh_derivative(lambda z: np.tanh(z) ** 2 - 1, verbose=False)
    assert not result and result.failure.kind == "value"
    assert "At z = 0 the derivative is 1" in result.failure.hint


def test_tanh_derivative_in_z_not_t():
    result = check_tanh_derivative(lambda z: 1 - np.asarray(z) ** 2, verbose=False)
    assert not result and result.failure.kind == "value"


def test_tanh_derivative_overflowing_formula():
    def naive(z):
        z = np.asarray(z, dtype=float)
        return 4 * np.exp(2 * z) / (np.exp(2 * z) + 1) ** 2

    result = check_tanh_derivative(naive, verbose=False)
    assert not result
    assert result.failure.case == "large positive z"
    assert result.failure.kind == "nonfinite"
    assert "through t = tanh(z)" in result.failure.hint


def test_tanh_derivative_loses_float32():
    result = check_tanh_derivative(lambda z: 1 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2,
                                   verbose=False)
    assert not result
    assert result.failure.kind == "dtype"


# ------------------------------------------------------------------------ leaky relu


def test_leaky_relu_with_slope_001():
    result = check_leaky_relu(lambda z, negative_slope=0.2: np.where(z > 0, z, 0.01 * z),
                              verbose=False)
    assert not result and result.failure.kind == "value"
    assert "multiply each negative one by negative_slope" in result.failure.hint


def test_leaky_relu_with_wrong_default_slope():
    # the slope is used, but its default is a tutorial's 0.01 instead of Keras's 0.2
    result = check_leaky_relu(lambda z, negative_slope=0.01: np.where(z > 0, z, negative_slope * z),
                              verbose=False)
    assert not result and result.failure.kind == "value"
    assert "negative_slope=0.2" in result.failure.hint


def test_leaky_relu_that_is_plain_relu():
    result = check_leaky_relu(lambda z, negative_slope=0.2: np.maximum(z, 0), verbose=False)
    assert not result and result.failure.kind == "value"


def test_leaky_relu_hard_coded_slope():
    result = check_leaky_relu(lambda z, negative_slope=0.2: np.where(z > 0, z, 0.2 * z),
                              verbose=False)
    assert not result
    assert result.failure.case == "negative_slope=0.1 (keyword)"
    assert "use the negative_slope" in result.failure.hint


def test_leaky_relu_without_slope_argument():
    result = check_leaky_relu(lambda z: np.where(z > 0, z, 0.2 * z), verbose=False)
    assert not result
    assert result.failure.kind == "exception"
    assert "def leaky_relu(z, negative_slope=0.2)" in result.failure.hint


def test_leaky_relu_in_place():
    def in_place(z, negative_slope=0.2):
        z = np.asarray(z)
        z[z < 0] *= negative_slope
        return z

    result = check_leaky_relu(in_place, verbose=False)
    assert not result and result.failure.kind == "mutation"
    assert "new array" in result.failure.hint


# ------------------------------------------------------------------- softmax jacobian


def test_softmax_jacobian_diagonal_only():
    result = check_softmax_jacobian(
        lambda z: np.diag(A.softmax(z) * (1 - A.softmax(z))), verbose=False)
    assert not result
    assert result.failure.case == "a vector of 3 logits"
    assert "-a_j a_k" in result.failure.hint


def test_softmax_jacobian_vector_only():
    def vector_only(z):
        a = A.softmax(z)
        return np.diag(a) - np.outer(a, a)

    result = check_softmax_jacobian(vector_only, verbose=False)
    assert not result
    assert result.failure.case == "a batch of 4 rows"
    assert "(n, m, m)" in result.failure.hint


def test_softmax_jacobian_naive_exp():
    def naive(z):
        e = np.exp(z)
        a = e / e.sum(axis=-1, keepdims=True)
        return a[..., :, None] * (np.eye(a.shape[-1]) - a[..., None, :])

    result = check_softmax_jacobian(naive, verbose=False)
    assert not result
    assert result.failure.case == "large logits" and result.failure.kind == "nonfinite"
    assert "subtract each row's maximum" in result.failure.hint


def test_softmax_jacobian_wrong_sign():
    result = check_softmax_jacobian(lambda z: -softmax_jacobian(z), verbose=False)
    assert not result and result.failure.kind == "value"


# ------------------------------------------------------------ the example checkers


def test_sigmoid_naive_formula_fails_with_an_overflow_hint():
    # the naive formula gives the right values, but exp overflows on the way, which the
    # exercise forbids: a FAIL at the first large input that overflows, with a hint
    result = check_sigmoid(lambda z: 1 / (1 + np.exp(-np.asarray(z))), verbose=False)
    assert not result
    assert result.failure.case == "large negative z"
    assert result.failure.kind == "warning"
    assert "overflow" in result.failure.detail
    assert "np.exp never sees a large positive number" in result.failure.hint


def test_sigmoid_where_over_both_branches_still_overflows():
    # np.where evaluates both branches on every entry: exp(z) overflows for large z
    def both_branches(z):
        z = np.asarray(z)
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))

    result = check_sigmoid(both_branches, verbose=False)
    assert not result and result.failure.kind == "warning"
    assert result.failure.case == "large positive z"
    # and the hint names the trap, so the student does not loop on the same advice
    assert "computes both a and b for every entry" in result.failure.hint


def test_softmax_jacobian_float64_identity_gets_a_hint_about_np_eye():
    # the natural code builds the identity with np.eye(m), which is float64
    def eye_float64(z):
        a = A.softmax(np.asarray(z))
        return a[..., :, None] * (np.eye(a.shape[-1]) - a[..., None, :])

    result = check_softmax_jacobian(eye_float64, verbose=False)
    assert not result and result.failure.kind == "dtype"
    assert result.failure.case == "float32 batch (dtype kept)"
    assert "np.eye(m, dtype=a.dtype)" in result.failure.hint


def test_sigmoid_with_a_floor_before_exp_passes():
    # minnet's way: raise z to the lowest value whose exp(-z) is finite, then the naive formula
    def floored(z):
        z = np.asarray(z)
        floor = np.ceil(-np.log(np.finfo(z.dtype if z.dtype.kind == "f" else float).max))
        return 1 / (1 + np.exp(-np.maximum(z, floor)))

    result = check_sigmoid(floored, verbose=False)
    assert result, result.message
    assert not result.notes
    assert check_sigmoid(A.sigmoid, verbose=False)


def test_tanh_derivative_with_cosh_passes_with_an_overflow_note():
    # 1 / cosh(z)**2: cosh(1000) overflows to inf, 1 / inf**2 is the right 0, and numpy warns
    result = check_tanh_derivative(lambda z: 1 / np.cosh(z) ** 2, verbose=False)
    assert result, result.message
    assert any("overflow" in note for note in result.notes)


def test_relu_wrong():
    result = check_relu(lambda z: np.abs(z), verbose=False)
    assert not result and result.failure.kind == "value"


# ------------------------------------------------- verdicts (moved from the engine tests)


def test_check_sigmoid_accepts_stable_and_rejects_the_overflowing_plain_formula():
    def stable(z):
        z = np.asarray(z)
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))

    assert check_sigmoid(stable, verbose=False)
    plain = check_sigmoid(np_sigmoid, verbose=False)  # right values, but exp overflows
    assert not plain and plain.failure.kind == "warning"


def test_check_sigmoid_rejects_overflow_math_exp_and_upcasting():
    naive = check_sigmoid(lambda z: np.exp(z) / (1 + np.exp(z)), verbose=False)
    assert naive.failure.case == "large positive z" and "nan" in naive.message
    assert naive.failure.kind == "nonfinite" and naive.failure.hint

    def scalar_only(z):
        return 1 / (1 + math.exp(-z))

    result = check_sigmoid(scalar_only, verbose=False)
    assert result.failure.kind == "exception" and result.failure.case == "a 1-D array"
    def upcasting(z):  # stable, but the float64 constant turns float32 input into float64
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, np.float64(1) / (1 + e), e / (np.float64(1) + e))

    upcast = check_sigmoid(upcasting, verbose=False)
    assert upcast.failure.kind == "dtype"


def test_check_sigmoid_derivative():
    assert check_sigmoid_derivative(lambda z: np_sigmoid(z) * (1 - np_sigmoid(z)), verbose=False)
    naive = check_sigmoid_derivative(lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, verbose=False)
    assert not naive and naive.failure.case == "large negative z"


def test_check_relu():
    assert check_relu(lambda z: np.maximum(z, 0), verbose=False)
    assert check_relu(lambda z: np.maximum(z, 0), verbose=False).checked[-1].startswith("float32")
    assert not check_relu(lambda z: np.abs(z), verbose=False)
    assert check_relu(lambda z: max(0, z), verbose=False).failure.kind == "exception"


def test_check_softmax():
    assert check_softmax(stable_softmax, verbose=False)
    no_keepdims = check_softmax(lambda z: np.exp(z) / np.exp(z).sum(axis=-1), verbose=False)
    assert no_keepdims.failure.case.startswith("a 2-D batch")
    whole_batch = check_softmax(lambda z: np.exp(z) / np.exp(z).sum(), verbose=False)
    assert whole_batch.failure.kind == "value" and whole_batch.failure.case.startswith("a 2-D batch")
    unshifted = check_softmax(lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True), verbose=False)
    assert unshifted.failure.case == "large logits" and unshifted.failure.kind == "nonfinite"
    flattened = check_softmax(lambda z: stable_softmax(z).ravel(), verbose=False)
    assert flattened.failure.kind == "shape" and "expected shape (4, 3)" in flattened.message
