"""minnet.losses: values and gradients as Keras defines them, and the output delta."""

import numpy as np
import pytest

from minnet import activations, losses


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


def test_sparse_crossentropy_from_probabilities_clips_then_normalises():
    """Keras clips the probabilities first and never rescales rows before the clip:
    loss = log(sum_k clip(p)_k) - log clip(p)_y. Rows need not sum to 1."""
    p = np.array([[0.0, 0.6, 0.9], [0.2, 1.0, 0.3]])
    y = np.array([0, 1])
    clipped = np.clip(p, 1e-7, 1 - 1e-7)
    expected = np.log(clipped.sum(axis=1)) - np.log(clipped[[0, 1], y])
    loss = losses.SparseCategoricalCrossentropy()
    np.testing.assert_allclose(loss.per_example(y, p), expected, rtol=1e-12)


# ------------------------------------------------------------- the output delta


def _last_layer(rng, activation, n=5, k=3):
    z = rng.normal(size=(n, k)) * 2
    return z, activations.get(activation)(z), activations.get(activation)


@pytest.mark.parametrize(("loss", "activation"), [
    (losses.SparseCategoricalCrossentropy(), "softmax"),
    (losses.CategoricalCrossentropy(), "softmax"),
    (losses.BinaryCrossentropy(), "sigmoid"),
])
def test_cross_entropy_after_its_activation_gives_delta_a_minus_y_over_n(loss, activation):
    rng = np.random.default_rng(0)
    z, a, f = _last_layer(rng, activation)
    labels = rng.integers(0, 3, len(z))
    y = labels if isinstance(loss, losses.SparseCategoricalCrossentropy) else np.eye(3)[labels]
    y = loss.prepare(y, a)[0]
    per_example, delta = loss.delta(y, z, a, f)
    onehot = np.eye(3)[labels]
    np.testing.assert_allclose(delta, (a - onehot) / delta.size if f.name == "sigmoid"
                               else (a - onehot) / len(z), rtol=1e-12, atol=1e-15)
    # the values are those of the loss on the probabilities (no clipping is reached here)
    np.testing.assert_allclose(per_example, loss.per_example(y, a), rtol=1e-6)
    np.testing.assert_array_equal(loss.output_values(y, z, a, f), per_example)


def test_delta_elsewhere_is_the_chain_rule_through_the_activation():
    rng = np.random.default_rng(1)
    z, a, f = _last_layer(rng, "tanh")
    y = rng.normal(size=a.shape)
    loss = losses.MeanSquaredError()
    per_example, delta = loss.delta(y, z, a, f)
    np.testing.assert_allclose(delta, loss.gradient(y, a) * (1 - a**2), rtol=1e-12)
    np.testing.assert_allclose(per_example, loss.per_example(y, a), rtol=1e-12)
    # the mse of a sigmoid output is not fused: the 1/n sits in dC/da, then f' multiplies
    z, a, f = _last_layer(rng, "sigmoid")
    _, delta = loss.delta(y, z, a, f)
    np.testing.assert_allclose(delta, 2 * (a - y) / a.size * a * (1 - a), rtol=1e-12)


def test_delta_stays_finite_on_a_saturated_output():
    z = np.array([[800.0, -800.0], [-800.0, 800.0]])
    f = activations.softmax
    loss = losses.SparseCategoricalCrossentropy()
    per_example, delta = loss.delta(np.array([1, 1]), z, f(z), f)
    np.testing.assert_allclose(per_example, [1600.0, 0.0])
    np.testing.assert_allclose(delta, [[0.5, -0.5], [0.0, 0.0]])


def test_from_logits_true_after_softmax_warns_and_uses_the_logits():
    loss = losses.CategoricalCrossentropy(from_logits=True)
    with pytest.warns(UserWarning, match="from_logits=True"):
        loss.check_output(activations.softmax)
    z = np.array([[2.0, 0.0]])
    _, delta = loss.delta(np.array([[1.0, 0.0]]), z, activations.softmax(z), activations.softmax)
    np.testing.assert_allclose(delta, activations.softmax(z) - [[1.0, 0.0]])


@pytest.mark.parametrize("shape", [(32, 10), (4, 5, 7), (1, 3)])
def test_sparse_logits_path_matches_one_hot_on_any_leading_axes(shape):
    """The fused sparse path picks z_y and subtracts 1 at the label by indexing (no one-hot
    array): same values and delta as the one-hot loss, float32 kept, for (n, k) and (b, t, k)."""
    rng = np.random.default_rng(3)
    z = (5 * rng.normal(size=shape)).astype(np.float32)
    y = rng.integers(0, shape[-1], shape[:-1])
    sparse = losses.SparseCategoricalCrossentropy(from_logits=True).values_and_gradient(y, z)
    onehot = np.eye(shape[-1], dtype=np.float32)[y]
    dense = losses.CategoricalCrossentropy(from_logits=True).values_and_gradient(onehot, z)
    for a, b in zip(sparse, dense, strict=True):
        assert a.shape == b.shape and a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # float32 roundings
