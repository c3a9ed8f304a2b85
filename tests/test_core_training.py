"""minnet.training: the fit loop, its batches and logs, evaluate and predict."""

import numpy as np
import pytest
from small_nets import classifier, data

import minnet
from minnet import callbacks, optimizers


def test_training_learns_a_separable_problem():
    x, y = data(256)
    model = classifier()
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 3
    assert model.evaluate(x, y)[1] > 0.95


def test_history_keys_and_validation():
    x, y = data(100)
    model = classifier()
    h = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in h.history.values())
    assert h.epoch == [0, 1]
    val = model.evaluate(x[80:], y[80:], return_dict=True)
    assert val["loss"] == pytest.approx(h.history["val_loss"][-1], rel=1e-6)
    h2 = model.fit(x, y, epochs=1, validation_data=(x[:10], y[:10]), verbose=0)
    assert "val_loss" in h2.history


def test_epoch_loss_is_the_batch_weighted_mean_before_each_update():
    x, y = data(10)
    model = minnet.Sequential([minnet.Dense(2, "softmax")], seed=0)
    model.compile(optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    model.build(x.shape)
    start = model.get_weights()
    probe = minnet.Sequential([minnet.Dense(2, "softmax")], seed=0)
    probe.compile(optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    probe.build(x.shape)
    probe.set_weights(start)
    expected = 0.0
    for batch in (slice(0, 4), slice(4, 8), slice(8, 10)):
        expected += probe.train_on_batch(x[batch], y[batch]) * len(x[batch])
    h = model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    assert h.history["loss"][0] == pytest.approx(expected / 10, rel=1e-6)
    for a, b in zip(model.get_weights(), probe.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_evaluate_returns_what_keras_returns():
    x, y = data()
    model = minnet.Sequential([minnet.Dense(2, "softmax")], seed=0)
    model.compile("sgd", "sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, y), float)
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    result = model.evaluate(x, y)
    assert isinstance(result, list) and len(result) == 2
    assert set(model.evaluate(x, y, return_dict=True)) == {"loss", "accuracy"}


def test_reported_loss_includes_regularization():
    x, y = data()
    reg = minnet.regularizers.L2(0.1)
    model = minnet.Sequential([minnet.Dense(2, "softmax", kernel_regularizer=reg)], seed=0)
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.build(x.shape)
    plain = minnet.losses.SparseCategoricalCrossentropy()(y, model.predict(x))
    W = model.get_weights()[0]
    expected = plain + 0.1 * float(np.sum(W.astype(np.float64) ** 2))
    assert model.evaluate(x, y) == pytest.approx(expected, rel=1e-5)
    assert model.loss_value(x, y) == pytest.approx(expected, rel=1e-5)


def test_verbose_modes(capsys):
    x, y = data()
    model = classifier()
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Epoch 1/2") and "accuracy:" in lines[0]
    model.fit(x, y, epochs=1, verbose=1)
    assert "Epoch 1/1" in capsys.readouterr().err


# ------------------------------------------------------------- the loop's parts


def test_callback_list_calls_every_hook_in_order_with_history_last():
    x, y = data(10)
    calls = []

    class Recorder(callbacks.Callback):
        def __init__(self, name):
            self.name = name

        def on_train_begin(self, logs=None):
            calls.append((self.name, "train_begin"))

        def on_epoch_begin(self, epoch, logs=None):
            calls.append((self.name, "epoch_begin", epoch))

        def on_train_batch_begin(self, batch, logs=None):
            calls.append((self.name, "batch_begin", batch))

        def on_train_batch_end(self, batch, logs=None):
            calls.append((self.name, "batch_end", batch))

        def on_epoch_end(self, epoch, logs=None):
            calls.append((self.name, "epoch_end", epoch, sorted(logs)))

        def on_train_end(self, logs=None):
            calls.append((self.name, "train_end"))

    model = classifier()
    history = model.fit(x, y, epochs=2, batch_size=5, verbose=0,
                        callbacks=[Recorder("a"), Recorder("b")])
    assert calls[:2] == [("a", "train_begin"), ("b", "train_begin")]
    assert calls[4:8] == [("a", "batch_begin", 0), ("b", "batch_begin", 0),
                          ("a", "batch_end", 0), ("b", "batch_end", 0)]
    assert ("a", "epoch_end", 1, ["accuracy", "loss"]) in calls
    assert calls[-2:] == [("a", "train_end"), ("b", "train_end")]
    assert history is model.history and history.epoch == [0, 1]
    listed = minnet.training.CallbackList([Recorder("a")], model)
    assert isinstance(listed.callbacks[-1], callbacks.History) and not listed.handle_nan
    assert minnet.training.CallbackList([callbacks.TerminateOnNaN()], model).handle_nan


def test_evaluate_and_predict_compute_no_gradients():
    x, y = data(50)
    model = classifier()
    model.build(x.shape)
    before = [g.copy() for g in model.grads]
    model.evaluate(x, y, batch_size=7)
    model.predict(x, batch_size=7)
    model.loss_value(x, y)
    for a, b in zip(before, model.grads, strict=True):
        np.testing.assert_array_equal(a, b)


def test_predict_evaluate_and_loss_value_share_one_batched_forward_pass():
    x, y = data(50)
    model = classifier()
    model.build(x.shape)
    np.testing.assert_allclose(model.predict(x, batch_size=7), model.forward(x), rtol=1e-6)
    full = model.evaluate(x, y, batch_size=50)[0]
    assert model.evaluate(x, y, batch_size=7)[0] == pytest.approx(full, rel=1e-6)
    assert model.loss_value(x, y) == pytest.approx(full, rel=1e-6)


def test_train_step_leaves_the_gradients_of_the_batch_mean():
    x, y = data(12)
    model = minnet.Sequential([minnet.Dense(3, "tanh"), minnet.Dense(2, "softmax")], seed=0,
                              dtype="float64")
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = model.check_data(x, y)
    loss, output = minnet.training.train_step(model, x, y)
    assert loss == pytest.approx(model.loss_value(x, y), rel=1e-12)
    assert output.shape == (12, 2)
    np.testing.assert_allclose(model.grads[-1], model.gradients(x, y)[-1], rtol=1e-12)
