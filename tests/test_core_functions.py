"""Activations, losses, initializers, regularizers and metrics on their own."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from minnet import activations, initializers, losses, metrics, regularizers

ELEMENTWISE = ["linear", "sigmoid", "tanh", "relu", "leaky_relu"]
finite = st.floats(-30, 30, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(ELEMENTWISE), z=arrays(np.float64, (4, 3), elements=finite))
def test_derivative_matches_central_difference(name, z):
    f = activations.get(name)
    z = np.where(np.abs(z) < 1e-3, 0.5, z)  # away from the ReLU kink
    eps = 1e-6
    numeric = (f(z + eps) - f(z - eps)) / (2 * eps)
    np.testing.assert_allclose(f.derivative(z), numeric, rtol=1e-6, atol=1e-8)
    grad_a = np.ones_like(z)
    np.testing.assert_allclose(f.backward(z, f(z), grad_a), f.derivative(z), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(z=arrays(np.float64, (3, 5), elements=finite))
def test_softmax_jacobian_matches_central_difference(z):
    f = activations.softmax
    eps = 1e-6
    numeric = np.stack(
        [(f(z + eps * e) - f(z - eps * e)) / (2 * eps) for e in np.eye(5)], axis=-1
    )  # numeric[i, j, k] = d a_j / d z_k for row i
    np.testing.assert_allclose(f.jacobian(z), numeric, rtol=1e-5, atol=1e-9)
    g = np.arange(15.0).reshape(3, 5)
    expected = np.einsum("ij,ijk->ik", g, f.jacobian(z))
    np.testing.assert_allclose(f.backward(z, f(z), g), expected, rtol=1e-9, atol=1e-12)


def test_sigmoid_and_softmax_never_overflow():
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = activations.sigmoid(z)
        p = activations.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    # Where s(z) is below the smallest normal float it comes out below it too, never as
    # nan or a warning; elsewhere it is exact to rounding.
    assert np.all(s[:2] < np.finfo(np.float64).tiny) and np.all(s[:2] >= 0)
    np.testing.assert_array_equal(s[2:], [0.5, 1.0, 1.0])
    z32 = np.array([-1e4, -30.0, 30.0], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s32 = activations.sigmoid(z32)
    assert s32.dtype == np.float32 and s32[0] < np.finfo(np.float32).tiny
    np.testing.assert_allclose(s32[1], np.exp(-30.0), rtol=1e-6)
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]])


def test_activations_keep_float32():
    z = np.linspace(-3, 3, 7, dtype=np.float32)
    for name in [*ELEMENTWISE, "softmax", "step"]:
        f = activations.get(name)
        assert f(z).dtype == np.float32, name
        assert f.derivative(z).dtype == np.float32, name


def test_step_is_the_perceptron_threshold():
    np.testing.assert_array_equal(activations.step(np.array([-1.0, 0.0, 2.0])), [0, 0, 1])
    np.testing.assert_array_equal(activations.step.derivative(np.array([-1.0, 2.0])), [0, 0])


def _loss_cases(rng):
    y_reg = rng.normal(size=(6, 3))
    y_bin = rng.integers(0, 2, (6, 3)).astype(float)
    y_sparse = rng.integers(0, 3, 6)
    y_onehot = np.eye(3)[y_sparse]
    p = rng.uniform(0.05, 0.95, (6, 3))
    p_rows = p / p.sum(axis=1, keepdims=True)
    z = rng.normal(size=(6, 3)) * 3
    return [
        (losses.MeanSquaredError(), y_reg, z),
        (losses.BinaryCrossentropy(), y_bin, p),
        (losses.BinaryCrossentropy(from_logits=True), y_bin, z),
        (losses.CategoricalCrossentropy(), y_onehot, p_rows),
        (losses.CategoricalCrossentropy(), y_onehot, p),  # rows not summing to 1: renormalised
        (losses.CategoricalCrossentropy(from_logits=True), y_onehot, z),
        (losses.SparseCategoricalCrossentropy(), y_sparse, p_rows),
        (losses.SparseCategoricalCrossentropy(from_logits=True), y_sparse, z),
    ]


@pytest.mark.parametrize("case", range(8))
def test_loss_gradient_matches_central_difference(case):
    loss, y, p = _loss_cases(np.random.default_rng(case))[case]
    eps = 1e-6
    numeric = np.zeros_like(p)
    for index in np.ndindex(p.shape):
        e = np.zeros_like(p)
        e[index] = eps
        numeric[index] = (loss(y, p + e) - loss(y, p - e)) / (2 * eps)
    np.testing.assert_allclose(loss.gradient(y, p), numeric, rtol=1e-6, atol=1e-9)


def test_losses_by_hand():
    y = np.array([[1.0, 0.0]])
    p = np.array([[0.8, 0.2]])
    assert losses.MeanSquaredError()(y, p) == pytest.approx((0.2**2 + 0.2**2) / 2)
    assert losses.BinaryCrossentropy()(y, p) == pytest.approx(-np.log(0.8))
    assert losses.CategoricalCrossentropy()(y, p) == pytest.approx(-np.log(0.8))
    assert losses.SparseCategoricalCrossentropy()(np.array([0]), p) == pytest.approx(-np.log(0.8))


def test_from_logits_is_stable_and_exact_at_large_magnitude():
    z = np.array([[1e4, 0.0, -1e4]])
    y = np.array([[0.0, 0.0, 1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = losses.CategoricalCrossentropy(from_logits=True)(y, z)
        bce = losses.BinaryCrossentropy(from_logits=True)(np.array([[0.0]]), np.array([[1e4]]))
    assert value == pytest.approx(2e4)
    assert bce == pytest.approx(1e4)
    # Clipped probabilities cap the loss at -log(1e-7) instead.
    p = np.array([[1.0, 0.0, 0.0]])
    assert losses.CategoricalCrossentropy()(y, p) == pytest.approx(-np.log(1e-7), rel=1e-6)


def test_logsumexp_large_inputs():
    z = np.array([[1000.0, 1000.0]])
    assert losses.logsumexp(z)[0] == pytest.approx(1000 + np.log(2))


def test_sparse_and_one_hot_agree():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, 5)
    for from_logits in (False, True):
        p = z if from_logits else activations.softmax(z)
        a = losses.SparseCategoricalCrossentropy(from_logits)(y, p)
        b = losses.CategoricalCrossentropy(from_logits)(np.eye(4)[y], p)
        assert a == pytest.approx(b, rel=1e-9)


def test_mse_accepts_1d_targets_for_one_output():
    y = np.array([1.0, 2.0])
    p = np.array([[1.5], [2.0]])
    assert losses.MeanSquaredError()(y, p) == pytest.approx(0.125)


def test_initializer_statistics():
    rng = np.random.default_rng(0)
    shape = (400, 300)
    W = initializers.GlorotUniform()(shape, rng)
    limit = np.sqrt(6 / 700)
    assert W.dtype == np.float32 and np.abs(W).max() <= limit
    assert W.var() == pytest.approx(limit**2 / 3, rel=0.02)
    for init, variance in [(initializers.GlorotNormal(), 2 / 700),
                           (initializers.HeNormal(), 2 / 400)]:
        W = init(shape, rng)
        assert W.var() == pytest.approx(variance, rel=0.03)
    W = initializers.HeUniform()(shape, rng)
    assert W.var() == pytest.approx(2 / 400, rel=0.03)
    W = initializers.RandomNormal(stddev=0.5)(shape, rng, "float64")
    assert W.dtype == np.float64 and W.std() == pytest.approx(0.5, rel=0.02)
    np.testing.assert_array_equal(initializers.get("zeros")((2,), rng), [0, 0])
    np.testing.assert_array_equal(initializers.get("ones")((2,), rng), [1, 1])


def test_regularizers_follow_keras_definitions():
    W = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert regularizers.L2()(W) == pytest.approx(0.01 * 5.25)
    assert regularizers.L1()(W) == pytest.approx(0.01 * 3.5)
    reg = regularizers.L1L2(l1=0.1, l2=0.2)
    assert reg(W) == pytest.approx(0.1 * 3.5 + 0.2 * 5.25)
    np.testing.assert_allclose(reg.gradient(W), 0.1 * np.sign(W) + 0.4 * W)


def test_accuracy_means_what_keras_means():
    assert metrics.get("accuracy", (4,), (4, 1)) is metrics.binary_accuracy
    assert metrics.get("accuracy", (4,), (4, 3)) is metrics.sparse_categorical_accuracy
    assert metrics.get("accuracy", (4, 1), (4, 3)) is metrics.sparse_categorical_accuracy
    assert metrics.get("accuracy", (4, 3), (4, 3)) is metrics.categorical_accuracy
    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy([0, 1, 1], p), [1, 1, 0])
    np.testing.assert_array_equal(metrics.binary_accuracy([[1], [0]], [[0.7], [0.5]]), [1, 1])
    np.testing.assert_allclose(metrics.mean_absolute_error([[1.0, 2.0]], [[2.0, 0.0]]), [1.5])


def test_sparse_crossentropy_from_probabilities_clips_then_normalises():
    """Keras clips the probabilities first and never rescales rows before the clip:
    loss = log(sum_k clip(p)_k) - log clip(p)_y. Rows need not sum to 1."""
    p = np.array([[0.0, 0.6, 0.9], [0.2, 1.0, 0.3]])
    y = np.array([0, 1])
    clipped = np.clip(p, 1e-7, 1 - 1e-7)
    expected = np.log(clipped.sum(axis=1)) - np.log(clipped[[0, 1], y])
    loss = losses.SparseCategoricalCrossentropy()
    np.testing.assert_allclose(loss.per_example(y, p), expected, rtol=1e-12)
