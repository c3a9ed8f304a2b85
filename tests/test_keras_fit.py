"""Training side by side: minnet's fit and evaluate against the to_keras twin's.

Without shuffling and without dropout the two see the same batches in the same order, so
a few epochs of ``fit`` must give the same history (loss, metrics, validation loss and
metrics, epoch by epoch) and the same final weights; ``evaluate`` must return the same
numbers in the same shape (a scalar, a list, or a dict).
"""

from __future__ import annotations

import float32_exact as exact  # constants float32 holds exactly: see that file
import numpy as np
import pytest

import minnet
import minnet.keras as mk

keras = pytest.importorskip("keras")

# max|minnet - keras| <= RTOL * max(1, max|keras|) for every history value and weight (the
# floor of 1 as in test_keras_equivalence). Twelve training steps add, on top of one step's
# roundings, about twelve times as many, and the losses are averaged in another order.
# float32: 1e-5 (seen: 2.0e-7). float64: 1e-10 (seen: 3.6e-16).
RTOL = {"float32": 1e-5, "float64": 1e-10}
DTYPES = ("float32", "float64")


@pytest.fixture
def floatx():
    """Set Keras's default float type for one test, then restore it.

    Keras's fit, evaluate and predict cast float inputs to this type before the model sees
    them, whatever the model's dtype: a float64 twin trains in float64 only under
    ``keras.config.set_floatx("float64")``.
    """
    previous = keras.config.floatx()
    yield keras.config.set_floatx
    keras.config.set_floatx(previous)


def close(actual, expected, dtype):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    err = float(np.max(np.abs(actual - expected)))
    return err <= RTOL[dtype] * max(1.0, float(np.max(np.abs(expected)))), err


def regression(dtype, rng):
    layers = [
        minnet.layers.Dense(6, activation="tanh", kernel_regularizer=minnet.regularizers.L2(exact.L2)),
        minnet.layers.Dense(2),
    ]
    x = rng.standard_normal((50, 3))
    y = np.stack([np.sin(x[:, 0]), x[:, 1] * x[:, 2]], axis=1)
    optimizer = minnet.optimizers.SGD(0.05, momentum=exact.MOMENTUM)
    return layers, optimizer, "mse", ["mae"], x.astype(dtype), y.astype(dtype)


def binary(dtype, rng):
    layers = [
        minnet.layers.Dense(5, activation="relu",
                            kernel_regularizer=minnet.regularizers.L1L2(l1=exact.L1 / 8, l2=exact.L2)),
        minnet.layers.Dense(1, activation="sigmoid"),
    ]
    x = rng.standard_normal((50, 4))
    y = (x[:, :1] + x[:, 1:2] ** 2 > 0.5).astype(float)
    optimizer = minnet.optimizers.Adam(0.02, beta_1=exact.BETA_1, beta_2=exact.BETA_2)
    return layers, optimizer, "binary_crossentropy", ["accuracy"], x.astype(dtype), y.astype(dtype)


def sparse(dtype, rng):
    layers = [
        minnet.layers.Dense(8, activation=minnet.activations.LeakyReLU(exact.LEAKY_SLOPE)),
        minnet.layers.Dense(3, activation="softmax"),
    ]
    x = rng.standard_normal((50, 4))
    y = np.argmax(x[:, :3] + 0.3 * x[:, 3:], axis=1)
    optimizer = minnet.optimizers.RMSprop(0.01, clipnorm=1.0)
    loss = "sparse_categorical_crossentropy"
    return layers, optimizer, loss, ["accuracy"], x.astype(dtype), y


def logits(dtype, rng):
    layers = [minnet.layers.Dense(4, activation="sigmoid"), minnet.layers.Dense(3)]
    x = rng.standard_normal((50, 2))
    y = np.eye(3)[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5)]
    optimizer = minnet.optimizers.Adagrad(0.5, initial_accumulator_value=exact.ACCUMULATOR,
                                        clipvalue=0.2)
    loss = minnet.losses.CategoricalCrossentropy(from_logits=True)
    return layers, optimizer, loss, ["accuracy", "mae"], x.astype(dtype), y.astype(dtype)


PROBLEMS = {"regression": regression, "binary": binary, "sparse": sparse, "logits": logits}


def twins(problem, dtype, seed=0):
    rng = np.random.default_rng(seed)
    layers, optimizer, loss, metrics, x, y = PROBLEMS[problem](dtype, rng)
    model = minnet.Sequential(layers, seed=seed, dtype=dtype)
    model.build((None, x.shape[1]))
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return model, mk.to_keras(model), x, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_fit_history_and_weights_match_keras(problem, dtype, floatx):
    floatx(dtype)
    model, twin, x, y = twins(problem, dtype)
    x_train, y_train, x_val, y_val = x[:40], y[:40], x[40:], y[40:]
    kwargs = dict(epochs=3, batch_size=16, shuffle=False, verbose=0, validation_data=(x_val, y_val))
    ours = model.fit(x_train, y_train, **kwargs).history
    theirs = twin.fit(x_train, y_train, **kwargs).history

    assert set(ours) == set(theirs)
    for key in theirs:
        assert len(ours[key]) == len(theirs[key]) == 3
        ok, err = close(ours[key], theirs[key], dtype)
        assert ok, f"history[{key!r}]: {ours[key]} vs Keras {theirs[key]} (largest difference {err:.3g})"
    moved = max(np.max(np.abs(a - b)) for a, b in zip(model.get_weights(), twins(problem, dtype)[0].get_weights()))
    assert moved > 1e-3, "training barely moved the weights: the test would prove nothing"
    for i, (a, b) in enumerate(zip(model.get_weights(), twin.get_weights(), strict=True)):
        ok, err = close(a, b, dtype)
        assert ok, f"final weight {i}: largest |minnet - keras| = {err:.3g}"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("problem", ["regression", "sparse", "logits"])
def test_evaluate_returns_what_keras_returns(problem, dtype, floatx):
    floatx(dtype)
    model, twin, x, y = twins(problem, dtype)
    # 50 examples: Keras's default batches of 32 leave a last batch of 18.
    for kwargs in ({}, {"batch_size": 7}, {"return_dict": True}):
        ours = model.evaluate(x, y, verbose=0, **kwargs)
        theirs = twin.evaluate(x, y, verbose=0, **kwargs)
        assert isinstance(theirs, (list, dict))  # every problem here has a metric
        assert type(ours) is type(theirs), f"evaluate({kwargs}): {ours!r} vs Keras {theirs!r}"
        if isinstance(theirs, dict):
            assert set(ours) == set(theirs)
            ours, theirs = [ours[k] for k in theirs], list(theirs.values())
        assert len(ours) == len(theirs)
        ok, err = close(ours, theirs, dtype)
        assert ok, f"evaluate({kwargs}): {ours} vs Keras {theirs}"


def test_evaluate_without_metrics_is_a_scalar_like_keras():
    model = minnet.Sequential([minnet.layers.Dense(2)], seed=0)
    model.build((None, 3))
    model.compile(optimizer="sgd", loss="mse")
    twin = mk.to_keras(model)
    x, y = np.ones((5, 3), "float32"), np.zeros((5, 2), "float32")
    ours, theirs = model.evaluate(x, y), twin.evaluate(x, y, verbose=0)
    assert isinstance(theirs, float) and isinstance(ours, float)
    assert ours == pytest.approx(theirs, rel=1e-6)
    assert set(model.evaluate(x, y, return_dict=True)) == set(twin.evaluate(x, y, verbose=0, return_dict=True))


@pytest.mark.parametrize("metric", ["acc", "accuracy"])
def test_metric_names_in_history_are_keras_names(metric):
    model = minnet.Sequential([minnet.layers.Dense(3, activation="softmax")], seed=0)
    model.build((None, 2))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=[metric])
    twin = mk.to_keras(model)
    x, y = np.ones((4, 2), "float32"), np.array([0, 1, 2, 1])
    ours = model.fit(x, y, epochs=1, shuffle=False, verbose=0).history
    theirs = twin.fit(x, y, epochs=1, shuffle=False, verbose=0).history
    assert set(ours) == set(theirs)  # Keras lists them alphabetically
