"""minnet.layers: Dense, Dropout, Flatten, Activation and a layer a student writes."""

import numpy as np
import pytest
from small_nets import data

import minnet


def test_dropout_is_inverted_and_inactive_at_inference():
    layer = minnet.Dropout(0.5, seed=0)
    layer.build((None, 1000), np.random.default_rng(0))
    x = np.ones((200, 1000), dtype=np.float32)
    out = layer.forward(x, training=True)
    assert set(np.unique(out)) == {0.0, 2.0}
    assert out.mean() == pytest.approx(1.0, abs=0.01)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), out)
    np.testing.assert_array_equal(layer.forward(x, training=False), x)


def test_flatten_round_trip():
    layer = minnet.Flatten()
    x = np.arange(24.0).reshape(2, 3, 4)
    assert layer.forward(x).shape == (2, 12)
    assert layer.backward(np.ones((2, 12))).shape == (2, 3, 4)
    model = minnet.Sequential([minnet.Flatten(), minnet.Dense(3)], seed=0)
    assert model.predict(np.zeros((5, 28, 28))).shape == (5, 3)
    assert model.count_params() == 784 * 3 + 3


class Scale(minnet.layers.Layer):
    """A layer a student might write: a = gamma * x, with the plain backward signature."""

    def build(self, input_shape, rng, dtype="float32"):
        super().build(input_shape, rng, dtype)
        self.gamma = np.full(input_shape[-1], 1.5, dtype=dtype)
        self.dgamma = np.zeros_like(self.gamma)

    @property
    def params(self):
        return [self.gamma]

    @property
    def grads(self):
        return [self.dgamma]

    def forward(self, x, training=False):
        self.x = x
        return self.gamma * x

    def backward(self, grad_output):
        self.dgamma = np.sum(grad_output * self.x, axis=0)
        return grad_output * self.gamma


@pytest.mark.parametrize("first", [True, False])
def test_custom_layers_train_and_gradient_check(first):
    x, y = data()
    layers = [Scale(), minnet.Dense(3, "tanh"), minnet.Dense(2, "softmax")]
    if not first:
        layers = [minnet.Dense(3, "tanh"), Scale(), minnet.Dense(2, "softmax")]
    model = minnet.Sequential(layers, seed=0)
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    clone = model.astype("float64")
    assert all(p.dtype == np.float64 for p in clone.params)
    assert minnet.gradcheck(model, x[:8], y[:8]) < 1e-7


def test_activation_layer_last_starts_from_the_loss_delta():
    """Dense + Activation("softmax") is the same network as Dense(..., "softmax"): the loss
    fuses with the Activation layer's softmax, and the gradients agree."""
    x, y = data(16)
    split = minnet.Sequential([minnet.Dense(3, "tanh"), minnet.Dense(2),
                               minnet.layers.Activation("softmax")], seed=0, dtype="float64")
    fused = minnet.Sequential([minnet.Dense(3, "tanh"), minnet.Dense(2, "softmax")], seed=0,
                              dtype="float64")
    for model in (split, fused):
        model.compile("sgd", "sparse_categorical_crossentropy")
        model.build(x.shape)
    fused.set_weights(split.get_weights())
    for a, b in zip(split.gradients(x, y), fused.gradients(x, y), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert minnet.gradcheck(split, x, y) < 1e-7


def test_layers_without_activation_default_to_backward():
    layer = minnet.Flatten()
    assert layer.activation is minnet.activations.linear and layer.z is None
    x = np.arange(6.0).reshape(1, 2, 3)
    layer.forward(x)
    g = np.ones((1, 6))
    np.testing.assert_array_equal(layer.backward_delta(g), layer.backward(g))
    np.testing.assert_array_equal(layer.backprop(g, input_gradient=False), layer.backward(g))


def test_the_first_dense_layer_skips_the_input_gradient():
    layer = minnet.Dense(2)
    layer.build((None, 3), np.random.default_rng(0), "float64")
    layer.forward(np.ones((4, 3)))
    assert layer.backprop(np.ones((4, 2)), input_gradient=False) is None
    assert layer.backprop(np.ones((4, 2))).shape == (4, 3)
