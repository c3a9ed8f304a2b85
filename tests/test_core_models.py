"""Keras's spellings of a model: Input, input_shape/input_dim, minnet.models, minnet.utils,
weights and configs on layers and models, pop (issue 14, item 1)."""

from __future__ import annotations

import numpy as np
import pytest

import minnet
from minnet import errors
from minnet.layers import Dense, Dropout, Flatten, Input


def four_styles():
    """The Sequential styles of the Keras guides, each built at once for 4 features."""
    listed = minnet.Sequential([Input(shape=(4,)), Dense(2, activation="relu"), Dense(3)])
    added = minnet.Sequential()
    added.add(Input(shape=(4,)))
    added.add(Dense(2, activation="relu"))
    added.add(Dense(3))
    shaped = minnet.Sequential([Dense(2, activation="relu", input_shape=(4,)), Dense(3)])
    dim = minnet.Sequential([Dense(2, activation="relu", input_dim=4), Dense(3)])
    return {"list with Input": listed, "add with Input": added, "input_shape": shaped,
            "input_dim": dim}


@pytest.mark.parametrize("style", list(four_styles()))
def test_every_keras_style_builds_at_once(style):
    model = four_styles()[style]
    assert model.built and model.input_shape == (None, 4) and model.output_shape == (None, 3)
    assert len(model.layers) == 2  # Input is not a layer, as in Keras
    assert model.count_params() == 4 * 2 + 2 + 2 * 3 + 3


def test_flatten_with_input_shape_as_the_tutorials_write_it():
    model = minnet.models.Sequential([Flatten(input_shape=(28, 28)), Dense(128, "relu"),
                                      Dropout(0.2), Dense(10, "softmax")])
    assert model.built and model.input_shape == (None, 28, 28)
    assert model.predict(np.zeros((2, 28, 28))).shape == (2, 10)
    assert minnet.Sequential([Dense(1, input_shape=(1,))]).count_params() == 2


def test_input_dtype_becomes_the_models():
    model = minnet.Sequential([Input(shape=(2,), dtype="float64"), Dense(1)])
    assert model.dtype == np.float64 and model.get_weights()[0].dtype == np.float64
    with pytest.raises(errors.ConfigError, match="float32 or float64"):
        Input(shape=(2,), dtype="int32")


def test_input_goes_first_and_once():
    with pytest.raises(errors.ConfigError, match="first"):
        minnet.Sequential([Dense(2, input_dim=3), Input(shape=(3,))])
    with pytest.raises(errors.ConfigError, match="shape of one example"):
        Input(shape=(0,))
    with pytest.raises(errors.ConfigError, match="not several"):
        Dense(2, input_shape=(3,), batch_input_shape=(None, 3))


def test_layer_weights_get_set_and_count():
    model = four_styles()["input_shape"]
    layer = model.layers[0]
    assert [w.shape for w in layer.get_weights()] == [(4, 2), (2,)]
    assert layer.weights[0] is layer.W  # the arrays themselves, as Keras's variables
    layer.set_weights([np.ones((4, 2)), np.zeros(2)])
    np.testing.assert_array_equal(model.get_weights()[0], np.ones((4, 2)))
    assert layer.count_params() == 10 and Dropout(0.5).get_weights() == []
    assert model.weights[2] is model.layers[1].W


def test_configs_round_trip_on_layers_and_models():
    layer = Dense(5, minnet.activations.LeakyReLU(0.1), use_bias=False,
                  kernel_initializer=minnet.initializers.RandomUniform(-0.3, 0.3),
                  kernel_regularizer=minnet.regularizers.L1L2(l1=0.01, l2=0.02), name="hidden")
    copy = Dense.from_config(layer.get_config())
    assert copy.get_config() == layer.get_config()
    assert copy.activation.negative_slope == 0.1 and copy.kernel_regularizer.l2 == 0.02
    model = minnet.Sequential([Flatten(input_shape=(2, 3)), layer, Dropout(0.5, seed=4),
                               Dense(2, "softmax")], seed=3, dtype="float64")
    rebuilt = minnet.Sequential.from_config(model.get_config())
    assert rebuilt.get_config() == model.get_config() and rebuilt.built
    # the same seed draws the same initial weights
    for a, b in zip(rebuilt.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_pop_removes_the_last_layer():
    model = four_styles()["add with Input"]
    model.compile("adam", "mse")
    popped = model.pop()
    assert popped.units == 3 and model.output_shape == (None, 2)
    model.add(Dense(1))
    assert model.predict(np.zeros((1, 4))).shape == (1, 1)


def test_models_module_and_load_model_are_keras_names():
    assert minnet.models.Sequential is minnet.Sequential
    assert minnet.models.load_model is minnet.load_model
    with pytest.raises(errors.NotInMinnetError, match="functional API"):
        minnet.models.Model  # noqa: B018
    with pytest.raises(errors.NotInMinnetError, match="functional API"):
        minnet.Model  # noqa: B018
    assert not hasattr(minnet.layers, "Conv2D")  # still an AttributeError for hasattr


def test_to_categorical():
    onehot = minnet.utils.to_categorical([0, 2, 1, 2])
    np.testing.assert_array_equal(onehot, np.eye(3)[[0, 2, 1, 2]])
    assert minnet.utils.to_categorical(np.array([[1], [0]]), num_classes=4).shape == (2, 4)
    with pytest.raises(errors.LabelError, match="0..2"):
        minnet.utils.to_categorical([0, 3], num_classes=3)
    with pytest.raises(errors.LabelError, match="whole-number"):
        minnet.utils.to_categorical([0.5, 1])


def test_tf_keras_names_with_import_minnet_as_tf():
    import minnet as tf

    assert tf.keras.layers.Dense is Dense and tf.keras.models.Sequential is minnet.Sequential
    assert tf.keras.utils.to_categorical is minnet.utils.to_categorical


def test_get_layer_trainable_weights_and_loss_functions():
    model = minnet.Sequential([Dense(2, input_dim=3, name="hidden"), Dense(1)])
    assert model.get_layer("hidden") is model.layers[0] and model.get_layer(index=1).units == 1
    with pytest.raises(errors.ConfigError, match="hidden"):
        model.get_layer("output")
    assert model.trainable_weights == model.weights and model.non_trainable_weights == []
    model.compile("sgd", loss=minnet.losses.mean_squared_error)
    assert isinstance(model.loss, minnet.losses.MeanSquaredError)
