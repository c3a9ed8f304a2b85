"""minnet.callbacks, called by the training loop through one CallbackList."""

import numpy as np
import pytest
from small_nets import classifier, data

import minnet
from minnet import callbacks, optimizers


def test_early_stopping_restores_the_best_weights():
    x, y = data(64)
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
    x, y = data()
    model = classifier()
    plateau = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1,
                                          min_delta=10.0)  # never counts as improving
    h = model.fit(x, y, epochs=4, callbacks=[plateau], verbose=0)
    # As in Keras, each epoch logs the rate it trained with; the cut applies from the next.
    assert h.history["learning_rate"] == pytest.approx([0.01, 0.01, 0.005, 0.0025])
    assert model.optimizer.learning_rate == pytest.approx(0.00125)
    model = classifier()
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    h = model.fit(x, y, epochs=3, callbacks=[sched], verbose=0)
    assert h.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_terminate_on_nan_stops_instead_of_raising(capsys):
    x, y = data()
    model = minnet.Sequential([minnet.Dense(16, "relu"), minnet.Dense(1)], seed=0)
    model.compile(optimizers.SGD(1e3), "mse")
    h = model.fit(x * 100, y, epochs=5, batch_size=4, verbose=0,
                  callbacks=[callbacks.TerminateOnNaN()])
    assert len(h.history["loss"]) == 1 and not np.isfinite(h.history["loss"][0])
    assert "invalid loss" in capsys.readouterr().out
