"""minnet.keras: to_keras and from_keras build faithful twins, and say clearly what they can't."""

from __future__ import annotations

import float32_exact as exact  # constants float32 holds exactly: see that file
import numpy as np
import pytest

import minnet
import minnet.keras as mk
from minnet import errors

keras = pytest.importorskip("keras")

DTYPES = ("float32", "float64")


def sample_model(dtype="float32"):
    """Flatten, two Dense layers with penalties, dropout, a separate softmax; compiled."""
    model = minnet.Sequential(
        [
            minnet.layers.Flatten(),
            minnet.layers.Dense(5, activation="tanh", kernel_regularizer=minnet.regularizers.L2(exact.L2)),
            minnet.layers.Dense(4, activation="leaky_relu",
                                kernel_regularizer=minnet.regularizers.L1L2(l1=exact.L1, l2=exact.L2 / 4)),
            minnet.layers.Dropout(0.25, seed=7),
            minnet.layers.Dense(3, use_bias=False, kernel_regularizer=minnet.regularizers.L1(exact.L1 / 2)),
            minnet.layers.Activation("softmax"),
        ],
        seed=1,
        dtype=dtype,
    )
    model.build((None, 2, 3))
    model.compile(
        optimizer=minnet.optimizers.SGD(0.02, momentum=exact.MOMENTUM, nesterov=True, clipvalue=0.5),
        loss=minnet.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    return model


def batch(dtype, n=6):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 2, 3)).astype(dtype), rng.integers(0, 3, n)


def describe(model):
    """Everything that defines a minnet model, as plain values."""
    layers = []
    for layer in model.layers:
        entry = [type(layer).__name__]
        if hasattr(layer, "activation"):
            entry.append(layer.activation.name)
            entry.append(getattr(layer.activation, "negative_slope", None))
        if isinstance(layer, minnet.layers.Dense):
            reg = layer.kernel_regularizer
            entry += [layer.units, layer.use_bias, None if reg is None else (reg.l1, reg.l2)]
        if isinstance(layer, minnet.layers.Dropout):
            entry += [layer.rate, layer.seed]
        layers.append(entry)
    opt = model.optimizer
    settings = {k: v for k, v in vars(opt).items() if k not in ("iterations", "slots")}
    return {
        "dtype": model.dtype,
        "input_shape": model.input_shape,
        "layers": layers,
        "optimizer": (type(opt).__name__, settings),
        "loss": (type(model.loss).__name__, getattr(model.loss, "from_logits", None)),
        "metrics": list(model.metric_names),
    }


@pytest.mark.parametrize("dtype", DTYPES)
def test_to_keras_builds_the_same_network(dtype):
    model = sample_model(dtype)
    twin = mk.to_keras(model)

    assert [type(layer).__name__ for layer in twin.layers] == [
        "Flatten", "Dense", "Dense", "Dropout", "Dense", "Activation"
    ]
    assert twin.input_shape == (None, 2, 3)
    assert all(layer.dtype == dtype for layer in twin.layers)
    dense = [layer for layer in twin.layers if isinstance(layer, keras.layers.Dense)]
    assert [d.units for d in dense] == [5, 4, 3]
    assert [d.use_bias for d in dense] == [True, True, False]
    assert [keras.activations.serialize(d.activation) for d in dense] == ["tanh", "leaky_relu", "linear"]
    penalties = [d.kernel_regularizer.get_config() for d in dense]
    assert penalties == [{"l1": 0.0, "l2": exact.L2}, {"l1": exact.L1, "l2": exact.L2 / 4},
                         {"l1": exact.L1 / 2, "l2": 0.0}]
    assert twin.layers[3].rate == 0.25 and twin.layers[3].seed == 7
    assert keras.activations.serialize(twin.layers[5].activation) == "softmax"

    for ours, theirs in zip(model.get_weights(), twin.get_weights(), strict=True):
        assert theirs.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(ours, theirs)

    config = twin.optimizer.get_config()
    assert type(twin.optimizer).__name__ == "SGD"
    assert (config["momentum"], config["nesterov"], config["clipvalue"]) == (exact.MOMENTUM, True, 0.5)
    assert config["clipnorm"] is None
    assert twin.optimizer.learning_rate.dtype == dtype
    assert float(twin.optimizer.learning_rate.numpy()) == float(np.asarray(0.02, dtype))
    assert type(twin.loss).__name__ == "SparseCategoricalCrossentropy"
    assert twin.loss.get_config()["from_logits"] is False
    assert twin.loss.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
def test_minnet_to_keras_to_minnet_round_trip(dtype):
    model = sample_model(dtype)
    back = mk.from_keras(mk.to_keras(model))
    assert describe(back) == describe(model)
    for ours, again in zip(model.get_weights(), back.get_weights(), strict=True):
        assert again.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(ours, again)
    x, _ = batch(dtype)
    np.testing.assert_array_equal(back.predict(x), model.predict(x))


@pytest.fixture
def floatx():
    """Set Keras's default float type for one test, then restore it. A float64 Keras model
    needs it: Keras casts the compiled loss to this type before adding the (float64)
    regularization losses."""
    previous = keras.config.floatx()
    yield keras.config.set_floatx
    keras.config.set_floatx(previous)


@pytest.mark.parametrize("dtype", DTYPES)
def test_keras_to_minnet_to_keras_round_trip(dtype, floatx):
    floatx(dtype)
    keras_model = keras.Sequential(
        [
            keras.Input((2, 3), dtype=dtype),
            keras.layers.Flatten(dtype=dtype),
            keras.layers.Dense(6, activation="relu", kernel_regularizer=keras.regularizers.L2(exact.L2),
                               dtype=dtype),
            keras.layers.Dropout(0.5, dtype=dtype),
            keras.layers.Dense(3, activation="sigmoid", dtype=dtype),
            keras.layers.Dense(3, dtype=dtype),
            keras.layers.LeakyReLU(negative_slope=exact.LEAKY_SLOPE, dtype=dtype),
            keras.layers.Activation("softmax", dtype=dtype),
        ]
    )
    keras_model.compile(
        optimizer=keras.optimizers.Adam(0.002, beta_1=exact.BETA_1, beta_2=exact.BETA_2, clipnorm=2.0),
        loss=keras.losses.SparseCategoricalCrossentropy(dtype=dtype),
        metrics=["accuracy"],
    )
    model = mk.from_keras(keras_model)

    assert model.dtype == np.dtype(dtype)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Flatten", "Dense", "Dropout", "Dense", "Dense", "Activation", "Activation"
    ]
    assert repr(model.layers[1].kernel_regularizer) == f"L2(l2={exact.L2})"
    assert model.layers[5].activation.negative_slope == exact.LEAKY_SLOPE
    opt = model.optimizer
    assert type(opt).__name__ == "Adam"
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.clipnorm) == (0.002, exact.BETA_1, exact.BETA_2, 2.0)
    assert model.metric_names == ["accuracy"]

    x, y = batch(dtype)
    differences = mk.compare(model, keras_model, x, y)
    scale = 1e-5 if dtype == "float32" else 1e-10
    assert differences["weights"] == 0
    assert max(differences.values()) < scale

    again = mk.to_keras(model)
    assert [type(layer).__name__ for layer in again.layers] == [
        type(layer).__name__ for layer in keras_model.layers
    ]
    assert again.optimizer.get_config()["beta_1"] == exact.BETA_1


def test_leaky_relu_with_its_own_slope_becomes_a_keras_layer():
    model = minnet.Sequential(
        [minnet.layers.Dense(4, activation=minnet.activations.LeakyReLU(0.05)), minnet.layers.Dense(1)],
        seed=0,  # fixed weights: the test compares two computations, not a random draw
    )
    model.build((None, 3))
    model.compile(optimizer="sgd", loss="mse")
    twin = mk.to_keras(model)
    assert [type(layer).__name__ for layer in twin.layers] == ["Dense", "LeakyReLU", "Dense"]
    assert twin.layers[1].negative_slope == pytest.approx(0.05)
    x = np.linspace(-2, 2, 12, dtype="float32").reshape(4, 3)
    differences = mk.compare(model, twin, x, np.zeros((4, 1), "float32"))
    assert max(differences.values()) < 1e-6


def test_to_keras_leaves_keras_defaults_alone():
    before = keras.config.floatx(), keras.config.dtype_policy().name
    mk.to_keras(sample_model("float64"))
    assert (keras.config.floatx(), keras.config.dtype_policy().name) == before
    assert keras.layers.Dense(2).dtype == before[0]


def test_uncompiled_model_gives_an_uncompiled_twin():
    model = minnet.Sequential([minnet.layers.Dense(2, activation="relu")], seed=0)
    model.build((None, 3))
    twin = mk.to_keras(model)
    assert not twin.compiled
    np.testing.assert_allclose(twin.predict(np.ones((1, 3), "float32"), verbose=0),
                               model.predict(np.ones((1, 3))), rtol=1e-6)
    with pytest.raises(errors.NotCompiledError):
        mk.compare(model, twin, np.ones((1, 3)), np.ones((1, 2)))


def test_to_keras_needs_a_built_model_and_known_activations():
    with pytest.raises(errors.NotBuiltError, match="build"):
        mk.to_keras(minnet.Sequential([minnet.layers.Dense(2)]))
    model = minnet.Sequential([minnet.layers.Dense(2, activation="step")])
    model.build((None, 3))
    with pytest.raises(errors.UnknownNameError, match="step"):
        mk.to_keras(model)


def keras_dense_model(*layers, optimizer="sgd", loss="mse"):
    model = keras.Sequential([keras.Input((4,)), *layers])
    model.compile(optimizer=optimizer, loss=loss)
    return model


@pytest.mark.parametrize(
    ("build", "error", "named"),
    [
        (lambda: keras_dense_model(keras.layers.BatchNormalization()), errors.UnknownNameError,
         "BatchNormalization"),
        (lambda: keras_dense_model(keras.layers.Dense(2, activation="elu")),
         errors.UnknownNameError, "elu"),
        (lambda: keras_dense_model(keras.layers.Dense(2), optimizer=keras.optimizers.Nadam()),
         errors.UnknownNameError, "Nadam"),
        (lambda: keras_dense_model(keras.layers.Dense(2), optimizer=keras.optimizers.AdamW()),
         errors.UnknownNameError, "AdamW"),
        (lambda: keras_dense_model(keras.layers.Dense(2),
                                   optimizer=keras.optimizers.RMSprop(momentum=0.9)),
         errors.ConfigError, "momentum"),
        (lambda: keras_dense_model(keras.layers.Dense(2),
                                   optimizer=keras.optimizers.Adam(amsgrad=True)),
         errors.ConfigError, "amsgrad"),
        (lambda: keras_dense_model(keras.layers.Dense(2), loss=keras.losses.Huber()),
         errors.UnknownNameError, "Huber"),
        (lambda: keras_dense_model(keras.layers.Dense(2, bias_regularizer="l2")),
         errors.ConfigError, "bias_regularizer"),
    ],
    ids=["layer", "activation", "optimizer", "optimizer-subclass", "rmsprop-momentum",
         "amsgrad", "loss", "bias-regularizer"],
)
def test_from_keras_names_what_minnet_lacks(build, error, named):
    with pytest.raises(error, match=named) as raised:
        mk.from_keras(build())
    assert isinstance(raised.value, errors.MinnetError)
    assert isinstance(raised.value, ValueError)


def test_from_keras_accepts_loss_names_and_functions():
    for loss in ("mse", "binary_crossentropy", keras.losses.mean_squared_error):
        model = mk.from_keras(keras_dense_model(keras.layers.Dense(1, activation="sigmoid"), loss=loss))
        assert isinstance(model.loss, (minnet.losses.MeanSquaredError, minnet.losses.BinaryCrossentropy))


def test_compare_prints_only_when_asked(capsys):
    model = sample_model()
    twin = mk.to_keras(model)
    x, y = batch("float32")
    quiet = mk.compare(model, twin, x, y)
    assert capsys.readouterr().out == ""
    loud = mk.compare(model, twin, x, y, verbose=True)
    out = capsys.readouterr().out
    assert loud == quiet
    assert all(name in out for name in ("weights", "outputs", "loss", "gradients"))


def test_compare_sees_a_changed_weight():
    model = sample_model()
    twin = mk.to_keras(model)
    x, y = batch("float32")
    weights = model.get_weights()
    weights[0][0, 0] += 0.5
    model.set_weights(weights)
    differences = mk.compare(model, twin, x, y)
    assert differences["weights"] == pytest.approx(0.5)
    assert differences["outputs"] > 1e-4 and differences["gradients"] > 1e-4
