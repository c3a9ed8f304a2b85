"""Backpropagation against finite differences, for random networks of every activation
and every loss (float64 central differences; relative error below 1e-7)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minnet
from minnet import losses, regularizers
from minnet.gradient_check import numerical_gradients, relative_error

TOLERANCE = 1e-7
HIDDEN = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]


def _targets(loss_name, n, k, rng):
    if loss_name == "sparse_categorical_crossentropy":
        return rng.integers(0, k, n)
    if loss_name == "categorical_crossentropy":
        return np.eye(k)[rng.integers(0, k, n)]
    if loss_name == "binary_crossentropy":
        return rng.integers(0, 2, (n, k)).astype(float)
    return rng.normal(size=(n, k))


OUTPUTS = {
    "mse": ["linear", "sigmoid", "tanh", "softmax"],
    "binary_crossentropy": ["sigmoid", "logits"],
    "categorical_crossentropy": ["softmax", "logits"],
    "sparse_categorical_crossentropy": ["softmax", "logits"],
}


def _away_from_kinks(model, x):
    """Nudge biases so no ReLU pre-activation sits within 1e-3 of its kink at 0."""
    h = x
    for layer in model.layers:
        z = h @ layer.W + layer.b
        if layer.activation.name in ("relu", "leaky_relu"):
            near = np.abs(z) < 1e-3
            while np.any(near):
                layer.b += 2e-3 * near.any(axis=0)
                z = h @ layer.W + layer.b
                near = np.abs(z) < 1e-3
        h = layer.activation(z)


@settings(max_examples=40, deadline=None)
@given(
    hidden=st.lists(st.tuples(st.integers(1, 5), st.sampled_from(HIDDEN)), min_size=0,
                    max_size=2),
    loss_name=st.sampled_from(sorted(OUTPUTS)),
    output_index=st.integers(0, 3),
    k=st.integers(2, 4),
    l1=st.sampled_from([0.0, 0.01]),
    l2=st.sampled_from([0.0, 0.02]),
    seed=st.integers(0, 2**16),
)
def test_backprop_matches_finite_differences(hidden, loss_name, output_index, k, l1, l2, seed):
    rng = np.random.default_rng(seed)
    outputs = OUTPUTS[loss_name]
    output = outputs[output_index % len(outputs)]
    loss = losses.get(loss_name)
    if output == "logits":
        loss, output = type(loss)(from_logits=True), "linear"
    reg = regularizers.L1L2(l1, l2) if (l1 or l2) else None
    layers = [minnet.Dense(units, act, kernel_regularizer=reg) for units, act in hidden]
    layers.append(minnet.Dense(k, output, kernel_regularizer=reg))
    model = minnet.Sequential(layers, seed=seed, dtype="float64")
    model.compile("sgd", loss)
    x = rng.normal(size=(6, 3))
    y = _targets(loss_name, 6, k, rng)
    model.build(x.shape)
    _away_from_kinks(model, x)
    assert minnet.gradcheck(model, x, y) < TOLERANCE


def test_gradcheck_catches_a_broken_backward_pass(monkeypatch):
    """A backward pass that forgets f'(z) must be caught: the check can fail."""
    rng = np.random.default_rng(0)
    model = minnet.Sequential([minnet.Dense(4, "tanh"), minnet.Dense(1, "sigmoid")], seed=0)
    model.compile("sgd", "mse")
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    assert minnet.gradcheck(model, x, y) < TOLERANCE
    monkeypatch.setattr(minnet.activations.Tanh, "backward", lambda self, z, a, g: g)
    assert minnet.gradcheck(model, x, y) > 1e-3


def test_gradcheck_leaves_the_model_untouched():
    rng = np.random.default_rng(1)
    model = minnet.Sequential([minnet.Dense(3, "relu"), minnet.Dense(2, "softmax")], seed=3)
    model.compile("adam", "sparse_categorical_crossentropy")
    x, y = rng.normal(size=(5, 4)), rng.integers(0, 2, 5)
    model.build(x.shape)
    before = model.get_weights()
    errors = minnet.gradcheck(model, x, y, return_all=True)
    assert len(errors) == 4
    assert all(w.dtype == np.float32 for w in model.get_weights())
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_relative_error_definition():
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    # Zero against rounding noise is a match, not an error of 1.
    assert relative_error(np.zeros(2), np.full(2, 1e-17)) < 1e-8


def test_a_dead_network_checks_as_zero_gradient():
    """A dead ReLU makes the true gradient zero; backprop's 1e-17 must count as a match."""
    rng = np.random.default_rng(2)
    model = minnet.Sequential([minnet.Dense(1, "relu", bias_initializer="zeros"),
                               minnet.Dense(2, "sigmoid")], seed=0, dtype="float64")
    model.compile("sgd", "binary_crossentropy")
    x = rng.normal(size=(6, 3))
    model.build(x.shape)
    W, b, W2, b2 = model.get_weights()
    model.set_weights([W, np.array([-100.0]), W2, b2])  # the hidden unit never fires
    y = np.array([[0.0, 0.0]] * 3 + [[1.0, 1.0]] * 3)  # balanced: dC/db2 = 0 exactly
    assert minnet.gradcheck(model, x, y) < TOLERANCE


def test_a_bug_in_a_small_gradient_array_is_still_caught(monkeypatch):
    """The whole-vector measure still sees a wrong bias gradient, however small it is."""
    rng = np.random.default_rng(4)
    model = minnet.Sequential([minnet.Dense(3, "tanh"), minnet.Dense(1)], seed=0)
    model.compile("sgd", "mse")
    x, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    original = minnet.layers.Dense.backward_delta

    def doubled_bias_gradient(self, delta, input_gradient=True):
        out = original(self, delta, input_gradient)
        self.db = 2 * self.db
        return out

    monkeypatch.setattr(minnet.layers.Dense, "backward_delta", doubled_bias_gradient)
    errors = minnet.gradcheck(model, x, y, return_all=True)
    assert minnet.gradcheck(model, x, y) > 1e-3
    assert errors[0] < TOLERANCE and errors[1] > 0.1  # the per-array errors say where


def test_numerical_gradients_of_a_known_function():
    """For linear regression with MSE, dC/dW = 2/n X^T (XW + b - y) exactly."""
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(10, 2)), rng.normal(size=(10, 1))
    model = minnet.Sequential([minnet.Dense(1)], seed=0, dtype="float64")
    model.compile("sgd", "mse")
    model.build(x.shape)
    W, b = model.get_weights()
    residual = x @ W + b - y
    numeric = numerical_gradients(model, x, y)
    np.testing.assert_allclose(numeric[0], 2 / 10 * x.T @ residual, rtol=1e-7)
    np.testing.assert_allclose(numeric[1], 2 / 10 * residual.sum(axis=0), rtol=1e-7)
