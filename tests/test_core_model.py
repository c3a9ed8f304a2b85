"""Sequential: building, training, evaluation, weights, callbacks and determinism."""

import numpy as np
import pytest

import minnet
from minnet import callbacks, optimizers


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    return x, y


def _classifier(seed=0, **kwargs):
    model = minnet.Sequential(
        [minnet.Dense(8, "relu"), minnet.Dropout(0.25), minnet.Dense(2, "softmax")],
        seed=seed, **kwargs,
    )
    model.compile(optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_same_seed_gives_bit_identical_weights():
    x, y = _data()
    a, b = _classifier(seed=7), _classifier(seed=7)
    ha = a.fit(x, y, epochs=3, batch_size=8, verbose=0)
    hb = b.fit(x, y, epochs=3, batch_size=8, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert ha.history == hb.history
    c = _classifier(seed=8)
    c.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_training_learns_a_separable_problem():
    x, y = _data(256)
    model = _classifier()
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 3
    assert model.evaluate(x, y)[1] > 0.95


def test_float32_stays_float32_through_training():
    x, y = _data()
    model = _classifier()
    model.fit(x.astype(np.float64), y, epochs=1, batch_size=8, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(x).dtype == np.float32
    m64 = _classifier(dtype="float64")
    m64.fit(x, y, epochs=1, verbose=0)
    assert all(w.dtype == np.float64 for w in m64.get_weights())


def test_history_keys_and_validation():
    x, y = _data(100)
    model = _classifier()
    h = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in h.history.values())
    assert h.epoch == [0, 1]
    val = model.evaluate(x[80:], y[80:], return_dict=True)
    assert val["loss"] == pytest.approx(h.history["val_loss"][-1], rel=1e-6)
    h2 = model.fit(x, y, epochs=1, validation_data=(x[:10], y[:10]), verbose=0)
    assert "val_loss" in h2.history


def test_epoch_loss_is_the_batch_weighted_mean_before_each_update():
    x, y = _data(10)
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
    x, y = _data()
    model = minnet.Sequential([minnet.Dense(2, "softmax")], seed=0)
    model.compile("sgd", "sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, y), float)
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    result = model.evaluate(x, y)
    assert isinstance(result, list) and len(result) == 2
    assert set(model.evaluate(x, y, return_dict=True)) == {"loss", "accuracy"}


def test_reported_loss_includes_regularization():
    x, y = _data()
    reg = minnet.regularizers.L2(0.1)
    model = minnet.Sequential([minnet.Dense(2, "softmax", kernel_regularizer=reg)], seed=0)
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.build(x.shape)
    plain = minnet.losses.SparseCategoricalCrossentropy()(y, model.predict(x))
    W = model.get_weights()[0]
    expected = plain + 0.1 * float(np.sum(W.astype(np.float64) ** 2))
    assert model.evaluate(x, y) == pytest.approx(expected, rel=1e-5)
    assert model.loss_value(x, y) == pytest.approx(expected, rel=1e-5)


def test_gradients_have_the_order_and_shapes_of_get_weights():
    x, y = _data()
    model = _classifier()
    grads = model.gradients(x, y)
    assert [g.shape for g in grads] == [w.shape for w in model.get_weights()]


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


def test_input_dim_builds_at_once_and_summary(capsys):
    model = minnet.Sequential([minnet.Dense(128, "relu", input_dim=784), minnet.Dense(10)])
    assert model.built
    model.summary()
    out = capsys.readouterr().out
    assert "100480" in out and "1290" in out and "101,770" in out


def test_save_and_load_weights(tmp_path):
    x, y = _data()
    model = _classifier()
    model.fit(x, y, epochs=1, verbose=0)
    model.save_weights(tmp_path / "weights.npz")
    other = _classifier(seed=99)
    other.build(x.shape)
    other.load_weights(tmp_path / "weights.npz")
    for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_restores_the_best_weights():
    x, y = _data(64)
    model = minnet.Sequential([minnet.Dense(2, "softmax")], seed=0)
    # A learning rate this large makes the validation loss bounce.
    model.compile(optimizers.SGD(5.0), "sparse_categorical_crossentropy")
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    best = {}

    class Snapshot(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            best[epoch] = (logs["val_loss"], self.model.get_weights())

    h = model.fit(x[:48], y[:48], epochs=30, validation_data=(x[48:], y[48:]),
                  callbacks=[Snapshot(), stop], verbose=0)
    epochs_run = len(h.history["loss"])
    best_epoch = min(best, key=lambda e: best[e][0])
    assert epochs_run < 30 and stop.stopped_epoch == epochs_run - 1
    assert stop.best_epoch == best_epoch
    for a, b in zip(model.get_weights(), best[best_epoch][1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_reduce_lr_on_plateau_and_scheduler():
    x, y = _data()
    model = _classifier()
    plateau = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1,
                                          min_delta=10.0)  # never counts as improving
    h = model.fit(x, y, epochs=4, callbacks=[plateau], verbose=0)
    # As in Keras, each epoch logs the rate it trained with; the cut applies from the next.
    assert h.history["learning_rate"] == pytest.approx([0.01, 0.01, 0.005, 0.0025])
    assert model.optimizer.learning_rate == pytest.approx(0.00125)
    model = _classifier()
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    h = model.fit(x, y, epochs=3, callbacks=[sched], verbose=0)
    assert h.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_terminate_on_nan_stops_instead_of_raising(capsys):
    x, y = _data()
    model = minnet.Sequential([minnet.Dense(16, "relu"), minnet.Dense(1)], seed=0)
    model.compile(optimizers.SGD(1e3), "mse")
    h = model.fit(x * 100, y, epochs=5, batch_size=4, verbose=0,
                  callbacks=[callbacks.TerminateOnNaN()])
    assert len(h.history["loss"]) == 1 and not np.isfinite(h.history["loss"][0])
    assert "invalid loss" in capsys.readouterr().out


def test_verbose_modes(capsys):
    x, y = _data()
    model = _classifier()
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Epoch 1/2") and "accuracy:" in lines[0]
    model.fit(x, y, epochs=1, verbose=1)
    assert "Epoch 1/1" in capsys.readouterr().err


# ---------------------------------------------------------------- optimizers by hand
def _run(opt, grads, w0=1.0):
    w = np.array([w0], dtype=np.float64)
    trajectory = []
    for g in grads:
        opt.apply([w], [np.array([g])])
        trajectory.append(w[0])
    return trajectory


def test_sgd_momentum_and_nesterov_by_hand():
    assert _run(optimizers.SGD(0.1), [1.0, 1.0]) == pytest.approx([0.9, 0.8])
    # m1 = -0.1, w = 0.9; m2 = 0.5 * -0.1 - 0.1 = -0.15, w = 0.75
    assert _run(optimizers.SGD(0.1, momentum=0.5), [1.0, 1.0]) == pytest.approx([0.9, 0.75])
    # Nesterov: w += momentum * m - lr * g: 1 + 0.5 * -0.1 - 0.1 = 0.85
    assert _run(optimizers.SGD(0.1, momentum=0.5, nesterov=True), [1.0]) == pytest.approx([0.85])


def test_adagrad_rmsprop_adam_by_hand():
    eps = 1e-7
    w = 1 - 0.1 * 2 / np.sqrt(0.1 + 4 + eps)
    assert _run(optimizers.Adagrad(0.1), [2.0]) == pytest.approx([w])
    v = 0.1 * 4
    assert _run(optimizers.RMSprop(0.1), [2.0]) == pytest.approx([1 - 0.1 * 2 / np.sqrt(v + eps)])
    # Adam's first step moves every weight by about lr, whatever the gradient's size.
    m, v = 0.1 * 2, 0.001 * 4
    alpha = 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9)
    assert _run(optimizers.Adam(0.1), [2.0]) == pytest.approx([1 - alpha * m / (np.sqrt(v) + eps)])
    assert _run(optimizers.Adam(0.1), [2.0])[0] == pytest.approx(0.9, rel=1e-4)


def test_clipping():
    opt = optimizers.SGD(1.0, clipnorm=1.0)
    w = np.zeros(2)
    opt.apply([w], [np.array([3.0, 4.0])])
    np.testing.assert_allclose(w, [-0.6, -0.8])
    opt = optimizers.SGD(1.0, clipvalue=0.5)
    w = np.zeros(2)
    opt.apply([w], [np.array([3.0, -0.1])])
    np.testing.assert_allclose(w, [-0.5, 0.1])


def test_optimizers_keep_float32():
    for name in ["sgd", "adagrad", "rmsprop", "adam"]:
        opt = optimizers.get(name)
        if name == "sgd":
            opt = optimizers.SGD(momentum=np.float64(0.9), nesterov=True)
        w = np.ones(3, dtype=np.float32)
        for _ in range(3):
            opt.apply([w], [np.full(3, 0.5, dtype=np.float32)])
        assert w.dtype == np.float32 and opt.slots[0][0].dtype == np.float32 if opt.slots[0] else True


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
    x, y = _data()
    layers = [Scale(), minnet.Dense(3, "tanh"), minnet.Dense(2, "softmax")]
    if not first:
        layers = [minnet.Dense(3, "tanh"), Scale(), minnet.Dense(2, "softmax")]
    model = minnet.Sequential(layers, seed=0)
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    clone = model.astype("float64")
    assert all(p.dtype == np.float64 for p in clone.params)
    assert minnet.gradcheck(model, x[:8], y[:8]) < 1e-7
