"""Weights per example and per class against Keras 3, number for number.

Keras's rule (``keras.src.losses.loss.reduce_weighted_values`` with the default
``"sum_over_batch_size"``): the batch loss is ``sum_i w_i L_i / n``, divided by the batch
size, not by the sum of the weights; ``fit`` reports the batch-size-weighted mean of those
batch losses, ``evaluate`` ``sum_i w_i L_i / N``; ``class_weight`` becomes one weight per
example (``data_adapter_utils.class_weight_to_sample_weights``: the label, the one-hot
``argmax``, or a rounded single output; a missing class weighs 1); compiled ``metrics``
ignore the weights, ``weighted_metrics`` divide by ``sum_i w_i``. Each test trains the
minnet model and its ``to_keras`` twin side by side, without shuffling, and compares every
history value and the final weights.
"""

from __future__ import annotations

import numpy as np
import pytest

import minnet
import minnet.keras as mk

keras = pytest.importorskip("keras")

# float32, nine Adam steps: max|minnet - keras| <= RTOL * max(1, max|keras|), as in
# test_keras_fit.py. The largest seen over this file: 2.8e-6 (float32 sums of weighted
# losses taken in another order, then Adam); 3e-5 leaves a factor of 10.
RTOL = 3e-5


def close(actual, expected):
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    err = float(np.max(np.abs(actual - expected)))
    return err <= RTOL * max(1.0, float(np.max(np.abs(expected)))), err


def assert_histories_agree(ours, theirs):
    assert set(ours) == set(theirs), f"{sorted(ours)} vs Keras {sorted(theirs)}"
    for key in theirs:
        ok, err = close(ours[key], theirs[key])
        assert ok, f"history[{key!r}]: {ours[key]} vs Keras {theirs[key]} ({err:.3g})"


def assert_weights_agree(model, twin):
    for i, (a, b) in enumerate(zip(model.get_weights(), twin.get_weights(), strict=True)):
        ok, err = close(a, b)
        assert ok, f"final weight {i}: largest |minnet - keras| = {err:.3g}"


def problem(kind, seed=0):
    """``(model, twin, x, y)``: a small classifier or regressor and its Keras twin."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((48, 3)).astype("float32")
    if kind == "sparse":
        y = np.argmax(x + 0.5 * rng.standard_normal(x.shape), axis=1)
        last, loss = minnet.Dense(3, "softmax"), "sparse_categorical_crossentropy"
    elif kind == "onehot":
        y = np.eye(3, dtype="float32")[np.argmax(x, axis=1)]
        last, loss = minnet.Dense(3, "softmax"), "categorical_crossentropy"
    elif kind == "binary":
        y = (x[:, :1] + x[:, 1:2] > 0.3).astype("float32")
        last, loss = minnet.Dense(1, "sigmoid"), "binary_crossentropy"
    else:
        y = np.stack([np.sin(x[:, 0]), x[:, 1] * x[:, 2]], axis=1).astype("float32")
        last, loss = minnet.Dense(2), "mse"
    model = minnet.Sequential([minnet.Input(shape=(3,)), minnet.Dense(6, "tanh"), last], seed=seed)
    metrics = [] if kind == "regression" else ["accuracy"]
    model.compile(minnet.optimizers.Adam(0.02), loss, metrics=metrics)
    return model, mk.to_keras(model), x, y


FIT = dict(epochs=3, batch_size=16, shuffle=False, verbose=0)
KINDS = ["sparse", "onehot", "binary", "regression"]


@pytest.mark.parametrize("kind", KINDS)
def test_fit_with_sample_weight_matches_keras(kind):
    model, twin, x, y = problem(kind)
    weights = np.random.default_rng(1).uniform(0, 3, len(x)).astype("float32")
    weights[::7] = 0  # a weight of 0 still counts in the n of the mean
    ours = model.fit(x, y, sample_weight=weights, **FIT).history
    theirs = twin.fit(x, y, sample_weight=weights, **FIT).history
    assert_histories_agree(ours, theirs)
    assert_weights_agree(model, twin)


@pytest.mark.parametrize("kind", ["sparse", "onehot", "binary"])
def test_fit_with_class_weight_matches_keras(kind):
    model, twin, x, y = problem(kind)
    class_weight = {0: 0.5, 1: 4.0} if kind == "binary" else {0: 1.0, 2: 3.5}  # class 1 missing: 1
    ours = model.fit(x, y, class_weight=class_weight, **FIT).history
    theirs = twin.fit(x, y, class_weight=class_weight, **FIT).history
    assert_histories_agree(ours, theirs)
    assert_weights_agree(model, twin)


def test_class_weight_is_the_sample_weight_of_each_class():
    """minnet's conversion gives Keras's own weights for integer, one-hot and 0/1 labels."""
    from keras.src.trainers.data_adapters.data_adapter_utils import class_weight_to_sample_weights

    cw = {0: 0.5, 2: 3.0}
    for y in (np.array([0, 1, 2, 2, 0]), np.eye(3)[[0, 1, 2, 2, 0]],
              np.array([[0.0], [1.0], [1.0], [0.0], [0.0]])):
        np.testing.assert_array_equal(minnet.weighting.class_weights(y, cw),
                                      class_weight_to_sample_weights(y, cw))


@pytest.mark.parametrize("kind", KINDS)
def test_evaluate_with_sample_weight_matches_keras(kind):
    model, twin, x, y = problem(kind)
    weights = np.random.default_rng(2).uniform(0, 2, len(x)).astype("float32")
    for batch_size in (None, 10):  # 48 = 32 + 16 and 4 * 10 + 8: uneven last batches
        ours = model.evaluate(x, y, sample_weight=weights, batch_size=batch_size, return_dict=True)
        theirs = twin.evaluate(x, y, sample_weight=weights, batch_size=batch_size, verbose=0,
                               return_dict=True)
        assert_histories_agree(ours, theirs)
    # the rule itself: sum_i w_i L_i / N, not divided by sum_i w_i
    per_example = model.loss.output_values(*model.check_data(x, y)[1:], *model.output_parts(
        model.forward(model.check_data(x, y)[0])))
    expected = float(np.sum(weights * per_example)) / len(x)
    loss = model.evaluate(x, y, sample_weight=weights, return_dict=True)["loss"]
    assert loss == pytest.approx(expected, rel=1e-6)


def test_weighted_metrics_and_validation_weights_match_keras():
    model, twin, x, y = problem("sparse")
    model.compile(minnet.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                  metrics=["accuracy"], weighted_metrics=["accuracy"])
    twin.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy",
                 metrics=["accuracy"], weighted_metrics=["accuracy"])
    rng = np.random.default_rng(3)
    w = rng.uniform(0, 2, len(x)).astype("float32")
    x_val, y_val = rng.standard_normal((20, 3)).astype("float32"), rng.integers(0, 3, 20)
    w_val = rng.uniform(0, 2, 20).astype("float32")
    kwargs = dict(sample_weight=w, validation_data=(x_val, y_val, w_val), **FIT)
    assert_histories_agree(model.fit(x, y, **kwargs).history, twin.fit(x, y, **kwargs).history)
    kwargs = dict(sample_weight=w, validation_split=0.25, **FIT)
    assert_histories_agree(model.fit(x, y, **kwargs).history, twin.fit(x, y, **kwargs).history)


def test_train_on_batch_with_sample_weight_matches_keras():
    model, twin, x, y = problem("binary")
    w = np.linspace(0, 2, len(x)).astype("float32")
    ours = [model.train_on_batch(x, y, sample_weight=w) for _ in range(3)]
    theirs = [twin.train_on_batch(x, y, sample_weight=w)[0] for _ in range(3)]  # [loss, acc]
    ok, err = close(ours, theirs)
    assert ok, f"{ours} vs Keras {theirs} ({err:.3g})"


def test_both_kinds_of_weights_or_a_wrong_shape_are_refused():
    model, _, x, y = problem("sparse")
    with pytest.raises(minnet.errors.ConfigError, match="not both"):
        model.fit(x, y, sample_weight=np.ones(len(x)), class_weight={0: 2.0}, verbose=0)
    with pytest.raises(minnet.errors.ShapeError, match=r"one number per example"):
        model.fit(x, y, sample_weight=np.ones(len(x) - 1), verbose=0)
    with pytest.raises(minnet.errors.ConfigError, match="dict"):
        model.fit(x, y, class_weight=[1.0, 2.0, 3.0], verbose=0)
