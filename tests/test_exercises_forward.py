"""Chapter 4's checkers pass right answers and fail specific wrong ones with their hint."""

import numpy as np
import pytest

import minnet
from minnet.exercises.forward import (
    check_dense_forward,
    check_multiply_adds,
    check_network_forward,
    check_param_count,
)

# ----------------------------------------------------------------- right answers


def dense_forward(X, W, b, f):
    return f(X @ W + b)


def param_count(sizes):
    return sum(n_prev * n + n for n_prev, n in zip(sizes[:-1], sizes[1:]))


def multiply_adds(sizes, n):
    return n * sum(n_prev * n_l for n_prev, n_l in zip(sizes[:-1], sizes[1:]))


def network_forward(X, weights, activations):
    a = X
    for W, b, name in zip(weights[0::2], weights[1::2], activations):
        a = minnet.activations.get(name)(a @ W + b)
    return a


@pytest.mark.parametrize("check, fn", [
    (check_dense_forward, dense_forward),
    (check_param_count, param_count),
    (check_multiply_adds, multiply_adds),
    (check_network_forward, network_forward),
])
def test_right_answers_pass(check, fn, capsys):
    result = check(fn)
    assert result, result.message
    assert capsys.readouterr().out.startswith("PASS")


def test_network_forward_with_a_minnet_model_passes():
    def via_sequential(X, weights, activations):
        model = minnet.Sequential([minnet.Dense(W.shape[1], f) for W, f in
                                   zip(weights[0::2], activations)], dtype=X.dtype)
        model.build(X.shape)
        model.set_weights(weights)
        return model.predict(X)

    assert check_network_forward(via_sequential, verbose=False)


# ----------------------------------------------------------------- wrong answers


def test_dense_forward_without_bias_fails_with_bias_hint():
    result = check_dense_forward(lambda X, W, b, f: f(X @ W), verbose=False)
    assert not result
    assert result.failure.kind == "value"
    assert "broadcasts b over the rows" in result.failure.hint


def test_dense_forward_transposed_product_fails_on_shape():
    result = check_dense_forward(lambda X, W, b, f: f(W.T @ X.T).T + 0 * b, verbose=False)
    assert not result
    assert result.failure.kind in ("shape", "value", "exception")


def test_dense_forward_wrong_operand_order_raises_with_shape_hint():
    result = check_dense_forward(lambda X, W, b, f: f(W @ X + b), verbose=False)
    assert not result
    assert result.failure.kind == "exception"
    assert "Which product of X and W is defined" in result.failure.hint


def test_dense_forward_squeezing_fails_on_batch_of_one():
    result = check_dense_forward(lambda X, W, b, f: np.squeeze(f(X @ W + b)), verbose=False)
    assert not result
    assert result.failure.case.startswith("a batch of one example")
    assert "(1, n_out)" in result.failure.hint


def test_dense_forward_x_transposed_caught_when_shapes_fit():
    result = check_dense_forward(
        lambda X, W, b, f: f(X @ W + b) if X.shape[0] != X.shape[1] else f(X.T @ W + b),
        verbose=False)
    assert not result
    assert result.failure.case.startswith("n_in equal to the batch size")
    assert "which index of W runs over the inputs" in result.failure.hint


def test_dense_forward_float64_upcast_fails_dtype():
    result = check_dense_forward(lambda X, W, b, f: f(X @ W + b).astype(np.float64),
                                 verbose=False)
    assert not result
    assert result.failure.kind == "dtype"


def test_dense_forward_message_never_prints_a_solution():
    result = check_dense_forward(lambda X, W, b, f: f(X @ W), verbose=False)
    assert "X @ W + b" in result.failure.hint  # the hint names the formula's parts
    assert "def " not in result.message


def test_param_count_without_biases_fails_with_hint():
    result = check_param_count(lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])),
                               verbose=False)
    assert not result
    assert result.failure.kind == "value"
    assert "Did you count the biases" in result.failure.hint


def test_param_count_biases_of_first_layer_only_fails():
    result = check_param_count(lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])) + s[1],
                               verbose=False)
    assert not result
    assert "biases of every layer" in result.failure.hint


def test_param_count_crashing_on_inputs_only_fails_with_hint():
    def counts_first_pair(sizes):
        return sizes[0] * sizes[1] + sizes[1] + param_count(sizes[1:])

    result = check_param_count(counts_first_pair, verbose=False)
    assert not result
    assert result.failure.case.startswith("sizes = [5]")
    assert "zip(sizes[:-1], sizes[1:])" in result.failure.hint


def test_multiply_adds_ignoring_batch_fails_with_hint():
    result = check_multiply_adds(lambda s, n: multiply_adds(s, 1), verbose=False)
    assert not result
    assert result.failure.case == "sizes = [2, 3, 1], n = 10"
    assert "in proportion to n" in result.failure.hint


def test_multiply_adds_counting_parameters_fails():
    result = check_multiply_adds(lambda s, n: n * param_count(s), verbose=False)
    assert not result
    assert "multiply-adds" in result.failure.hint


def test_network_forward_first_layer_only_fails_with_order_hint():
    result = check_network_forward(
        lambda X, ws, acts: minnet.activations.get(acts[0])(X @ ws[0] + ws[1]), verbose=False)
    assert not result
    assert "the output of one layer is the input of the next" in result.failure.hint


def test_network_forward_feeding_x_to_every_layer_fails():
    def always_x(X, weights, activations):
        out = X
        for W, b, name in zip(weights[0::2], weights[1::2], activations):
            out = minnet.activations.get(name)((X if W.shape[0] == X.shape[1] else out) @ W + b)
        return out

    result = check_network_forward(always_x, verbose=False)
    assert not result


def test_network_forward_skipping_activations_fails():
    def linear_only(X, weights, activations):
        a = X
        for W, b in zip(weights[0::2], weights[1::2]):
            a = a @ W + b
        return a

    result = check_network_forward(linear_only, verbose=False)
    assert not result
    assert result.failure.kind == "value"


def test_not_a_function_is_reported():
    result = check_param_count(13, verbose=False)
    assert not result
    assert "without calling it" in result.failure.hint


def test_hints_use_the_books_indices():
    # the book writes z_k = sum_j a_j w_jk + b_k; i is kept for the example index
    dense = check_dense_forward(
        lambda X, W, b, f: f(X @ W + b) if X.shape[0] != X.shape[1] else f(X.T @ W + b),
        verbose=False)
    adds = check_multiply_adds(lambda s, n: n * param_count(s), verbose=False)
    for result in (dense, adds):
        assert "w_jk" in result.failure.hint
        assert "w_ij" not in result.failure.hint and "sum_i" not in result.failure.hint


@pytest.mark.parametrize("wrong", [
    lambda X, W, b, f: X @ W + b,          # activation forgotten
    lambda X, W, b, f: f(X @ W) + b,       # activation before the bias
])
def test_dense_forward_activation_slips_get_a_hint_about_f(wrong):
    result = check_dense_forward(wrong, verbose=False)
    assert not result
    assert result.failure.kind == "value"
    assert "apply f before adding b" in result.failure.hint


def test_network_forward_x_into_every_layer_gets_the_chaining_hint():
    def always_x(X, weights, activations):
        out = X
        for W, b, name in zip(weights[0::2], weights[1::2], activations):
            out = minnet.activations.get(name)(X @ W + b)
        return out

    result = check_network_forward(always_x, verbose=False)
    assert not result
    assert result.failure.kind == "exception"
    assert "only the first layer reads X" in result.failure.hint


def test_network_forward_softmax_over_the_batch_gets_the_row_hint():
    def column_softmax(X, weights, activations):
        a = X
        for W, b, name in zip(weights[0::2], weights[1::2], activations):
            z = a @ W + b
            if name == "softmax":
                e = np.exp(z - z.max(axis=0))
                a = e / e.sum(axis=0)
            else:
                a = minnet.activations.get(name)(z)
        return a

    result = check_network_forward(column_softmax, verbose=False)
    assert not result
    assert result.failure.case.startswith("a 4-5-3-3 network")
    assert "normalises each row" in result.failure.hint


def test_multiply_adds_counting_two_operations_gets_a_hint():
    result = check_multiply_adds(lambda s, n: 2 * multiply_adds(s, n), verbose=False)
    assert not result
    assert "counted once" in result.failure.hint
