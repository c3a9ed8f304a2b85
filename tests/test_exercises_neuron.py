"""The chapter-1 checkers pass right answers and fail specific wrong ones with the right hint."""

from __future__ import annotations

import numpy as np
import pytest

from minnet.errors import UnknownNameError
from minnet.exercises.neuron import (
    GATE_INPUTS,
    GATES,
    check_gate,
    check_perceptron_update,
    check_separable_count,
    check_separates,
    check_weighted_sum,
)

# ----------------------------------------------------------------------- weighted sum


def test_weighted_sum_passes_the_matrix_product():
    result = check_weighted_sum(lambda X, w, b: X @ w + b, verbose=False)
    assert result
    assert "PASS" in result.message
    assert "float32 batch (dtype kept)" in result.checked


def test_weighted_sum_passes_an_explicit_sum_over_features():
    assert check_weighted_sum(lambda X, w, b: np.sum(X * w, axis=1) + b, verbose=False)


def test_weighted_sum_fails_when_the_bias_is_added_per_feature():
    result = check_weighted_sum(lambda X, w, b: np.sum(X * w + b, axis=1), verbose=False)
    assert not result
    assert result.failure.kind == "value"
    assert "bias added once" in result.failure.hint


def test_weighted_sum_fails_without_the_bias():
    result = check_weighted_sum(lambda X, w, b: X @ w, verbose=False)
    assert not result and result.failure.kind == "value"


def test_weighted_sum_fails_a_transposed_product_with_the_orientation_hint():
    result = check_weighted_sum(lambda X, w, b: X.T @ w + b, verbose=False)
    assert not result
    assert "batch-first" in result.failure.hint


def test_weighted_sum_fails_a_column_result_on_shape():
    result = check_weighted_sum(lambda X, w, b: (X @ w + b)[:, None], verbose=False)
    assert not result
    assert result.failure.kind == "shape"
    assert "one number per example" in result.failure.hint


def test_weighted_sum_fails_a_float64_upcast():
    result = check_weighted_sum(lambda X, w, b: X.astype(np.float64) @ w + b, verbose=False)
    assert not result
    assert result.failure.kind == "dtype"
    assert result.failure.case == "float32 batch (dtype kept)"


def stub_weighted_sum(X, w, b):
    raise NotImplementedError("your code here")


def test_weighted_sum_reports_a_stub_as_not_attempted():
    result = check_weighted_sum(stub_weighted_sum, verbose=False)
    assert not result
    assert result.failure.kind == "not attempted"
    assert result.message.startswith("NOT ATTEMPTED YET")
    assert "batch-first" not in result.message


def loop_weighted_sum(X, w, b):
    z = np.empty(len(X), dtype=np.result_type(X, w))
    for i in range(len(X)):
        z[i] = X[i] @ w + b
    return z


def comprehension_weighted_sum(X, w, b):
    return np.array([x @ w + b for x in X])


def apply_weighted_sum(X, w, b):
    return np.apply_along_axis(lambda row: row @ w + b, 1, X)


@pytest.mark.parametrize(("fn", "what"), [
    (loop_weighted_sum, "`for` loop"),
    (comprehension_weighted_sum, "list comprehension"),
    (apply_weighted_sum, "apply_along_axis"),
])
def test_weighted_sum_rejects_a_python_loop_the_statement_forbids(fn, what):
    result = check_weighted_sum(fn, verbose=False)
    assert not result
    assert result.failure.kind == "loop"
    assert what in result.message
    assert "X @ w" in result.failure.hint
    assert len(result.checked) == 7  # the values were right


def test_weighted_sum_verdict_is_printed(capsys):
    check_weighted_sum(lambda X, w, b: X @ w + b)
    assert "PASS weighted sum" in capsys.readouterr().out


# ----------------------------------------------------------------- perceptron update


def right_update(w, b, x, y, lr):
    s = 2 * y - 1
    if s * (x @ w + b) <= 0:
        return w + lr * s * x, b + lr * s
    return w, b


def test_perceptron_update_passes_the_rule():
    result = check_perceptron_update(right_update, verbose=False)
    assert result
    assert len(result.checked) == 7


def test_perceptron_update_fails_h_at_zero_that_leaves_a_point_on_the_line():
    def rosenblatt_h(w, b, x, y, lr):
        y_hat = 1.0 if x @ w + b > 0 else 0.0
        return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)

    result = check_perceptron_update(rosenblatt_h, verbose=False)
    assert not result
    assert result.failure.case == "a weighted sum of exactly 0 (y = 0)"
    assert "on the line" in result.failure.hint


def test_perceptron_update_fails_the_wrong_threshold():
    def at_zero_is_one(w, b, x, y, lr):
        y_hat = 1.0 if x @ w + b >= 0 else 0.0
        return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)

    result = check_perceptron_update(at_zero_is_one, verbose=False)
    assert not result
    assert result.failure.case == "a weighted sum of exactly 0 (y = 1)"
    assert "on the line" in result.failure.hint


def test_perceptron_update_fails_the_wrong_sign():
    def wrong_sign(w, b, x, y, lr):
        s = 2 * y - 1
        return (w - lr * s * x, b - lr * s) if s * (x @ w + b) <= 0 else (w, b)

    result = check_perceptron_update(wrong_sign, verbose=False)
    assert not result
    assert result.failure.case == "a missed 1 (y = 1, yhat = 0)"
    assert "add lr * x" in result.failure.hint


def test_perceptron_update_fails_a_frozen_bias():
    def no_bias_update(w, b, x, y, lr):
        s = 2 * y - 1
        return (w + lr * s * x, b) if s * (x @ w + b) <= 0 else (w, b)

    result = check_perceptron_update(no_bias_update, verbose=False)
    assert not result and result.failure.kind == "value"


def test_perceptron_update_fails_an_unscaled_bias_step():
    def bias_ignores_lr(w, b, x, y, lr):
        s = 2 * y - 1
        return (w + lr * s * x, b + s) if s * (x @ w + b) <= 0 else (w, b)

    result = check_perceptron_update(bias_ignores_lr, verbose=False)
    assert not result
    assert result.failure.case == "learning rate 0.1 (y = 0, yhat = 1)"
    assert "scaled by the learning rate" in result.failure.hint


def test_perceptron_update_fails_updates_on_right_answers():
    result = check_perceptron_update(lambda w, b, x, y, lr: (w + lr * x, b + lr), verbose=False)
    assert not result
    assert "nothing moves" in result.failure.hint


def test_perceptron_update_fails_an_in_place_update():
    def in_place(w, b, x, y, lr):
        s = 2 * y - 1
        if s * (x @ w + b) <= 0:
            w += lr * s * x
            b = b + lr * s
        return w, b

    result = check_perceptron_update(in_place, verbose=False)
    assert not result
    assert result.failure.kind == "mutation"
    assert "in place" in result.failure.hint


def test_perceptron_update_fails_a_single_return_value():
    result = check_perceptron_update(lambda w, b, x, y, lr: w, verbose=False)
    assert not result
    assert result.failure.kind == "exception"
    assert "return w_new, b_new" in result.failure.hint


def test_perceptron_update_reports_a_stub_as_not_attempted():
    def my_update(w, b, x, y, lr):
        raise NotImplementedError("your code here")

    result = check_perceptron_update(my_update, verbose=False)
    assert not result
    assert result.failure.kind == "not attempted"
    assert "return w_new, b_new" not in result.message


def test_perceptron_update_fails_moving_by_y_instead_of_s():
    def by_y(w, b, x, y, lr):
        return (w + lr * y * x, b + lr * y) if (2 * y - 1) * (x @ w + b) <= 0 else (w, b)

    result = check_perceptron_update(by_y, verbose=False)
    assert not result
    assert result.failure.case == "a false 1 (y = 0, yhat = 1)"
    assert "s = 2y - 1 = -1" in result.failure.hint


def test_perceptron_update_fail_message_does_not_leak_a_solution_function():
    result = check_perceptron_update(lambda w, b, x, y, lr: (w, b), verbose=False)
    assert not result
    assert "def " not in result.message


# ------------------------------------------------------------------ hand-set weights


@pytest.mark.parametrize(("gate", "w", "b"), [
    ("AND", [1.0, 1.0], -1.5),
    ("OR", [1.0, 1.0], -0.5),
    ("NAND", [-1.0, -1.0], 1.5),
    ("NOR", [-1.0, -1.0], 0.5),
])
def test_check_gate_passes_working_weights(gate, w, b):
    assert check_gate(w, b, gate, verbose=False)


def test_check_gate_accepts_a_keras_style_kernel():
    assert check_gate(np.array([[1.0], [1.0]]), np.array([-1.5]), "and", verbose=False)


def test_check_gate_lists_the_misclassified_points():
    result = check_gate([1.0, 1.0], -0.5, "AND", verbose=False)
    assert not result
    assert "2 of 4 points misclassified" in result.message
    assert "your neuron says 1" in result.message


def test_check_gate_hints_at_points_on_the_line():
    result = check_gate([1.0, 1.0], -1.0, "OR", verbose=False)
    assert not result
    assert "exactly on the line" in result.failure.hint


def test_check_gate_rejects_a_point_on_the_line_even_when_h0_answers_it_right():
    result = check_gate([1.0, 1.0], -1.0, "AND", verbose=False)  # (0,1), (1,0) have z = 0
    assert not result
    assert "2 of 4 points lie on the line" in result.message
    assert "margin" in result.failure.hint


def test_check_gate_rejects_the_wrong_number_of_weights():
    result = check_gate([1.0, 1.0, 1.0], -1.5, "AND", verbose=False)
    assert not result
    assert "one weight per input feature" in result.failure.hint


def test_check_gate_rejects_an_unknown_gate():
    with pytest.raises(UnknownNameError, match="Unknown gate 'IMPLIES'"):
        check_gate([1.0, 1.0], -1.5, "IMPLIES")
    with pytest.raises(ValueError, match="Did you mean 'NAND'"):
        check_gate([1.0, 1.0], -1.5, "nan")


def test_check_gate_reports_the_placeholder_as_not_attempted():
    result = check_gate(None, None, "NAND", verbose=False)
    assert not result
    assert result.failure.kind == "not attempted"
    assert "NOT ATTEMPTED YET" in result.message


def test_check_gate_counts_a_rounding_sized_sum_as_on_the_line():
    result = check_gate([-1.0, -1.0], 1.0 + 1e-13, "NAND", verbose=False)
    assert not result
    assert "zero up to rounding" in result.message


def test_no_weights_pass_xor():
    rng = np.random.default_rng(0)
    for w1, w2, b in rng.normal(0, 3, size=(500, 3)):
        assert not check_separates([w1, w2], b, GATE_INPUTS, GATES["XOR"], verbose=False)


def test_check_separates_on_other_data():
    X = np.array([[0.0, 0.0, 1.0], [2.0, 1.0, 0.0]])
    assert check_separates([1.0, 0.0, 0.0], -1.0, X, [0, 1], verbose=False)
    assert not check_separates([-1.0, 0.0, 0.0], 1.0, X, [0, 1], verbose=False)


# ------------------------------------------------------------------ counting exercise


def test_separable_count():
    assert check_separable_count(14, verbose=False)
    assert check_separable_count(np.int64(14), verbose=False)
    assert check_separable_count(14.0, verbose=False)  # a float count is still a count
    wrong = check_separable_count(16, verbose=False)
    assert not wrong
    assert "14" not in wrong.message
    assert "convergence theorem" in wrong.failure.hint
    assert "XOR" in wrong.failure.hint
    not_int = check_separable_count(14.5, verbose=False)
    assert not not_int and "whole number" in not_int.failure.hint


@pytest.mark.parametrize(("count", "words"), [
    (15, "XNOR"), (12, "constant functions"), (13, "epoch 9"), (20, "between 0 and 16"),
])
def test_separable_count_hints_at_the_slip(count, words):
    result = check_separable_count(count, verbose=False)
    assert not result and words in result.failure.hint and "14" not in result.message


def test_separable_count_reports_the_placeholder_as_not_attempted():
    result = check_separable_count(None, verbose=False)
    assert not result and result.failure.kind == "not attempted"
